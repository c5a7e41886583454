//! Server configuration: the table of every parameter Redis 7.0 has (`CONFIG GET`/`SET`), each
//! row giving its name, alias, type, bounds, default and whether the engine acts on it, and the
//! [`Config`] holding the values.
//!
//! Parameters the engine acts on live in typed fields of [`Config`] (other code reads them); the
//! others are kept as parsed values so that `CONFIG GET` answers what `CONFIG SET` stored. Values
//! are parsed and shown exactly as Redis's `config.c` does: the same number formats (memory
//! units, percentages, octal), bounds, enum names and error texts.

use std::borrow::Cow;

use crate::cstr::{c_str, strtoll};
use crate::num::{parse_f64, parse_i64};
use crate::pubsub::notify;

/// `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvictionPolicy {
    /// Refuse writes that need memory (Redis's default).
    #[default]
    NoEviction,
    /// Evict any key, least recently used first.
    AllKeysLru,
    /// Evict any key, least frequently used first.
    AllKeysLfu,
    /// Evict any key at random.
    AllKeysRandom,
    /// Evict keys with an expire time, least recently used first.
    VolatileLru,
    /// Evict keys with an expire time, least frequently used first.
    VolatileLfu,
    /// Evict keys with an expire time at random.
    VolatileRandom,
    /// Evict keys with an expire time, soonest to expire first.
    VolatileTtl,
}

/// The policies in the order Redis lists them (its error message), with their names.
const POLICIES: &[(&str, EvictionPolicy)] = &[
    ("volatile-lru", EvictionPolicy::VolatileLru),
    ("volatile-lfu", EvictionPolicy::VolatileLfu),
    ("volatile-random", EvictionPolicy::VolatileRandom),
    ("volatile-ttl", EvictionPolicy::VolatileTtl),
    ("allkeys-lru", EvictionPolicy::AllKeysLru),
    ("allkeys-lfu", EvictionPolicy::AllKeysLfu),
    ("allkeys-random", EvictionPolicy::AllKeysRandom),
    ("noeviction", EvictionPolicy::NoEviction),
];

impl EvictionPolicy {
    /// Whether recency is what eviction looks at (Redis's `MAXMEMORY_FLAG_LRU`: the two LRU
    /// policies), so that RDB files record each key's idle time.
    pub fn is_lru(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllKeysLru | EvictionPolicy::VolatileLru
        )
    }

    /// Whether access frequency (rather than recency) is tracked.
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu
        )
    }

    /// The name `CONFIG GET` and `INFO memory` show.
    pub fn name(self) -> &'static str {
        POLICIES
            .iter()
            .find(|(_, p)| *p == self)
            .map_or("noeviction", |(n, _)| n)
    }

    fn index(self) -> i64 {
        POLICIES.iter().position(|(_, p)| *p == self).unwrap_or(7) as i64
    }

    fn from_index(i: i64) -> Self {
        usize::try_from(i)
            .ok()
            .and_then(|i| POLICIES.get(i))
            .map_or(EvictionPolicy::NoEviction, |(_, p)| *p)
    }
}

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppendFsync {
    /// After every write.
    Always,
    /// Once a second (Redis's default).
    #[default]
    EverySec,
    /// When the system decides.
    No,
}

/// A parameter's value as stored: enums are kept as their number, special parameters as the
/// text `CONFIG GET` shows (or, for `notify-keyspace-events`, the class bits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// `yes`/`no`.
    Bool(bool),
    /// Integers, memory sizes (unsigned ones as their bits), enum values and bit sets.
    Num(i64),
    /// Strings.
    Text(Vec<u8>),
}

impl Val {
    fn num(&self) -> i64 {
        match self {
            Val::Num(n) => *n,
            Val::Bool(b) => i64::from(*b),
            Val::Text(_) => 0,
        }
    }

    fn flag(&self) -> bool {
        matches!(self, Val::Bool(true))
    }

    fn text(&self) -> &[u8] {
        match self {
            Val::Text(t) => t,
            _ => &[],
        }
    }
}

/// Parameter flags, as Redis's `*_CONFIG` flags.
pub mod flag {
    /// Fixed at startup: `CONFIG SET` refuses it.
    pub const IMMUTABLE: u8 = 1;
    /// Settable only with `enable-protected-configs` (off by default, and fixed).
    pub const PROTECTED: u8 = 1 << 1;
    /// Left out of pattern matches: only `CONFIG GET <exact name>` shows it.
    pub const HIDDEN: u8 = 1 << 2;
    /// Its value is redacted from SLOWLOG and MONITOR.
    pub const SENSITIVE: u8 = 1 << 3;
}

/// How a numeric parameter is read, bounded and shown.
// The switches are Redis's independent numeric-config flag bits.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Copy)]
pub struct Num {
    lo: i64,
    hi: u64,
    /// Bounds compared as unsigned (`size_t`, `unsigned int`, `unsigned long long`).
    unsigned: bool,
    /// Accepts memory units (`1mb`, `64KB`, `1g`).
    memory: bool,
    /// Accepts `N%` (stored negative).
    percent: bool,
    /// Shown (and read) in octal.
    octal: bool,
    /// A range the value is silently brought into after a successful set (`hz`).
    clamp: Option<(i64, i64)>,
}

/// How a parameter's text becomes a value and back.
#[derive(Clone, Copy)]
pub enum Kind {
    /// `yes` or `no`.
    Bool,
    /// An integer or a memory size.
    Num(Num),
    /// One of a list of names; with `multi`, several space-separated names whose bits add up.
    Enum {
        /// Names and values, in Redis's order.
        names: &'static [(&'static str, i64)],
        /// Bit flags given as several words (`shutdown-on-sigint`).
        multi: bool,
    },
    /// A string; `binary` ones keep bytes after a NUL (Redis's `sds` parameters).
    Text {
        /// Binary-safe.
        binary: bool,
    },
    /// A parameter with its own syntax (`save`, `bind`, …): parses the text given (with the
    /// current value, for partial updates) and shows the stored value.
    Special {
        /// Parses a `CONFIG SET` text.
        parse: fn(&[u8], &Val) -> Result<Val, Cow<'static, str>>,
        /// Shows the value.
        format: fn(&Val) -> Vec<u8>,
    },
}

impl std::fmt::Debug for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Bool => "Bool",
            Kind::Num(_) => "Num",
            Kind::Enum { .. } => "Enum",
            Kind::Text { .. } => "Text",
            Kind::Special { .. } => "Special",
        })
    }
}

/// What runs after parameters are set (Redis's apply functions that can fail here). Parameters
/// sharing one apply it once, named after the first of them in the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// Nothing can fail.
    None,
    /// TLS settings: reconfiguring TLS fails while it is in use, as there are no certificates.
    Tls,
    /// `tls-port`: TLS cannot be configured, so a change always fails.
    TlsPort,
}

/// A typed field of [`Config`] that holds a parameter the engine acts on.
#[derive(Clone, Copy)]
pub struct Field {
    get: fn(&Config) -> Val,
    set: fn(&mut Config, &Val),
}

/// A check of a parsed value, with Redis's error text.
type Check = fn(&Val) -> Result<(), &'static str>;

/// One configuration parameter.
#[derive(Clone, Copy)]
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Its other name (Redis 7.0 keeps the old `*-ziplist-*`, `slave*` names).
    pub alias: Option<&'static str>,
    /// How its value is read and shown.
    pub kind: Kind,
    /// [`flag`] bits.
    pub flags: u8,
    /// Its default, as `CONFIG GET` shows it.
    pub default: &'static str,
    /// A check of the parsed value (Redis's `is_valid_fn`).
    check: Option<Check>,
    /// What runs after a change.
    pub apply: Apply,
    /// The typed field it lives in, if the engine acts on it.
    field: Option<Field>,
}

impl std::fmt::Debug for Param {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Param")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

const INT_MAX: u64 = i32::MAX as u64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: u64 = u32::MAX as u64;
const LONG_MAX: u64 = i64::MAX as u64;

const fn row(
    name: &'static str,
    alias: Option<&'static str>,
    kind: Kind,
    flags: u8,
    default: &'static str,
) -> Param {
    Param {
        name,
        alias,
        kind,
        flags,
        default,
        check: None,
        apply: Apply::None,
        field: None,
    }
}

const fn num(lo: i64, hi: u64) -> Num {
    Num {
        lo,
        hi,
        unsigned: false,
        memory: false,
        percent: false,
        octal: false,
        clamp: None,
    }
}

/// A `yes`/`no` parameter.
const fn yes_no(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    default: &'static str,
) -> Param {
    row(name, alias, Kind::Bool, flags, default)
}

/// A signed integer (`int`, `long`, `long long`, `time_t`, `off_t`).
const fn int(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    lo: i64,
    hi: u64,
    default: &'static str,
) -> Param {
    row(name, alias, Kind::Num(num(lo, hi)), flags, default)
}

/// An unsigned integer (`unsigned int`, `size_t`).
const fn uint(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    lo: i64,
    hi: u64,
    default: &'static str,
) -> Param {
    let mut n = num(lo, hi);
    n.unsigned = true;
    row(name, alias, Kind::Num(n), flags, default)
}

/// A signed memory size (`long long`, `off_t` with units).
const fn mem(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    lo: i64,
    hi: u64,
    default: &'static str,
) -> Param {
    let mut n = num(lo, hi);
    n.memory = true;
    row(name, alias, Kind::Num(n), flags, default)
}

/// An unsigned memory size (`size_t`, `unsigned long long` with units).
const fn umem(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    lo: i64,
    hi: u64,
    default: &'static str,
) -> Param {
    let mut n = num(lo, hi);
    n.memory = true;
    n.unsigned = true;
    row(name, alias, Kind::Num(n), flags, default)
}

/// One of a list of names.
const fn choice(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    names: &'static [(&'static str, i64)],
    default: &'static str,
) -> Param {
    row(
        name,
        alias,
        Kind::Enum {
            names,
            multi: false,
        },
        flags,
        default,
    )
}

/// A string (C string: cut at a NUL byte).
const fn text(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    default: &'static str,
) -> Param {
    row(name, alias, Kind::Text { binary: false }, flags, default)
}

/// A parameter with its own syntax.
const fn special(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u8,
    parse: fn(&[u8], &Val) -> Result<Val, Cow<'static, str>>,
    format: fn(&Val) -> Vec<u8>,
    default: &'static str,
) -> Param {
    row(name, alias, Kind::Special { parse, format }, flags, default)
}

impl Param {
    /// The engine acts on this parameter: its value lives in a typed field of [`Config`].
    const fn acts(mut self, get: fn(&Config) -> Val, set: fn(&mut Config, &Val)) -> Param {
        self.field = Some(Field { get, set });
        self
    }

    const fn checked(mut self, check: Check) -> Param {
        self.check = Some(check);
        self
    }

    const fn applies(mut self, apply: Apply) -> Param {
        self.apply = apply;
        self
    }

    const fn clamped(mut self, lo: i64, hi: i64) -> Param {
        if let Kind::Num(mut n) = self.kind {
            n.clamp = Some((lo, hi));
            self.kind = Kind::Num(n);
        }
        self
    }

    const fn percent(mut self) -> Param {
        if let Kind::Num(mut n) = self.kind {
            n.percent = true;
            self.kind = Kind::Num(n);
        }
        self
    }

    const fn octal(mut self) -> Param {
        if let Kind::Num(mut n) = self.kind {
            n.octal = true;
            self.kind = Kind::Num(n);
        }
        self
    }

    /// Parses a `CONFIG SET` value as Redis does, with its error text; `old` is the current
    /// value (some parameters are updated in part).
    pub fn parse(&self, raw: &[u8], old: &Val) -> Result<Val, Cow<'static, str>> {
        let value = match self.kind {
            Kind::Bool => match c_str(raw).to_ascii_lowercase().as_slice() {
                b"yes" => Val::Bool(true),
                b"no" => Val::Bool(false),
                _ => return Err("argument must be 'yes' or 'no'".into()),
            },
            Kind::Num(n) => Val::Num(parse_number(n, raw)?),
            Kind::Enum { names, multi } => Val::Num(parse_enum(names, multi, raw)?),
            Kind::Text { binary: true } => Val::Text(raw.to_vec()),
            Kind::Text { binary: false } => Val::Text(c_str(raw).to_vec()),
            Kind::Special { parse, .. } => parse(raw, old)?,
        };
        if let Some(check) = self.check {
            check(&value)?;
        }
        Ok(value)
    }

    /// Shows a value as `CONFIG GET` does.
    pub fn format(&self, value: &Val) -> Vec<u8> {
        match self.kind {
            Kind::Bool => if value.flag() { "yes" } else { "no" }.into(),
            Kind::Num(n) => {
                let v = value.num();
                if n.percent && v < 0 {
                    format!("{}%", v.unsigned_abs()).into_bytes()
                } else if n.memory {
                    (v as u64).to_string().into_bytes()
                } else if n.octal {
                    format!("{:o}", v as u64).into_bytes()
                } else {
                    v.to_string().into_bytes()
                }
            }
            Kind::Enum { names, multi } => enum_name(names, multi, value.num()).into_bytes(),
            Kind::Text { .. } => value.text().to_vec(),
            Kind::Special { format, .. } => format(value),
        }
    }
}

/// Redis's `memtoull`: digits and an optional unit (`b`, `k`, `kb`, `m`, `mb`, `g`, `gb`, any
/// case); no sign. The product wraps as C's unsigned arithmetic does. `None` when it does not
/// read as a memory size.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    let s = c_str(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(digits);
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    // strtoull of the digits alone: no digits reads as 0, too many saturate.
    let value = number.iter().fold(0u64, |acc, &d| {
        acc.checked_mul(10)
            .and_then(|a| a.checked_add(u64::from(d - b'0')))
            .unwrap_or(u64::MAX)
    });
    Some(value.wrapping_mul(mul))
}

/// Redis's `numericParseString` and `numericBoundaryCheck`.
fn parse_number(n: Num, raw: &[u8]) -> Result<i64, Cow<'static, str>> {
    let mut parsed = None;
    if n.memory {
        parsed = memtoull(raw).map(|v| v as i64);
    }
    if parsed.is_none()
        && n.percent
        && raw.len() > 1
        && raw.last() == Some(&b'%')
        && let Some(p) = raw.get(..raw.len() - 1).and_then(parse_i64)
        && p >= 0
    {
        parsed = Some(-p);
    }
    if parsed.is_none() && n.octal {
        parsed = parse_octal(raw);
    }
    if parsed.is_none() && !n.memory && !n.percent && !n.octal {
        parsed = parse_i64(raw);
    }
    let Some(v) = parsed else {
        return Err(if n.memory && n.percent {
            "argument must be a memory or percent value"
        } else if n.memory {
            "argument must be a memory value"
        } else if n.octal {
            "argument couldn't be parsed as an octal number"
        } else {
            "argument couldn't be parsed into an integer"
        }
        .into());
    };
    if n.unsigned {
        let u = v as u64;
        if u > n.hi || u < n.lo as u64 {
            return Err(if n.octal {
                format!(
                    "argument must be between {:o} and {:o} inclusive",
                    n.lo as u64, n.hi
                )
            } else {
                format!(
                    "argument must be between {} and {} inclusive",
                    n.lo as u64, n.hi
                )
            }
            .into());
        }
    } else if n.percent && v < 0 {
        if v < n.lo {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                n.lo.unsigned_abs()
            )
            .into());
        }
    } else if v > n.hi as i64 || v < n.lo {
        return Err(format!("argument must be between {} and {} inclusive", n.lo, n.hi).into());
    }
    Ok(match n.clamp {
        Some((lo, hi)) => v.clamp(lo, hi),
        None => v,
    })
}

/// C's `strtoll(s, &end, 8)` with `*end == '\0'` and no overflow.
fn parse_octal(raw: &[u8]) -> Option<i64> {
    let s = c_str(raw);
    let body = s.trim_ascii_start();
    let (negative, digits) = match body.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, body),
    };
    if digits.is_empty() {
        return s.is_empty().then_some(0);
    }
    let mut acc: i64 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        acc = acc.checked_mul(8)?.checked_add(i64::from(d - b'0'))?;
    }
    Some(if negative { -acc } else { acc })
}

/// Splits a multi-argument value on single spaces, as Redis's `sdssplitlen(value, " ")`: an
/// empty value has no arguments; consecutive spaces make empty ones.
pub fn split_spaces(raw: &[u8]) -> Vec<&[u8]> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split(|&b| b == b' ').collect()
}

/// Redis's `configEnumGetValue`.
fn parse_enum(names: &[(&str, i64)], multi: bool, raw: &[u8]) -> Result<i64, Cow<'static, str>> {
    let words = if multi { split_spaces(raw) } else { vec![raw] };
    let mut value = 0;
    let mut ok = !words.is_empty();
    for word in &words {
        let matched: Vec<i64> = names
            .iter()
            .filter(|(n, _)| c_str(word).eq_ignore_ascii_case(n.as_bytes()))
            .map(|(_, v)| *v)
            .collect();
        if matched.is_empty() {
            ok = false;
            break;
        }
        value |= matched.iter().fold(0, |a, b| a | b);
    }
    if ok {
        return Ok(value);
    }
    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    Err(format!(
        "argument(s) must be one of the following: {}",
        list.join(", ")
    )
    .into())
}

/// Redis's `configEnumGetName`.
fn enum_name(names: &[(&str, i64)], multi: bool, value: i64) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut unmatched = value;
    for (name, v) in names {
        if *v == value {
            return (*name).to_string();
        }
        if multi && *v != 0 && *v == unmatched & *v {
            parts.push(name);
            unmatched &= !*v;
        }
    }
    if parts.is_empty() || unmatched != 0 {
        return "unknown".into();
    }
    parts.join(" ")
}

const YES_NO_LOCAL: &[(&str, i64)] = &[("no", 0), ("yes", 1), ("local", 2)];
const SHUTDOWN_ON_SIG: &[(&str, i64)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];
const MAXMEMORY_POLICY: &[(&str, i64)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
const APPENDFSYNC: &[(&str, i64)] = &[("everysec", 0), ("always", 1), ("no", 2)];

fn shutdown_flags_ok(v: &Val) -> Result<(), &'static str> {
    if v.num() & 1 != 0 && v.num() & 2 != 0 {
        return Err("shutdown options SAVE and NOSAVE can't be used simultaneously");
    }
    Ok(())
}

/// The engine has no jemalloc to defragment (nor does Debian's build of Redis).
fn activedefrag_ok(v: &Val) -> Result<(), &'static str> {
    if v.flag() {
        return Err(
            "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution",
        );
    }
    Ok(())
}

fn hostname_ok(v: &Val) -> Result<(), &'static str> {
    let name = v.text();
    if name.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if !name
        .iter()
        .all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'.')
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

/// Redis's `validateProcTitleTemplate`: `{variables}` must be known, `{{` is a brace, and the
/// title expanded with an empty process name must not be blank.
fn proc_title_ok(v: &Val) -> Result<(), &'static str> {
    const ERR: &str = "template format is invalid or contains unknown variables";
    let mut out = Vec::new();
    let mut rest = v.text();
    while let Some(open) = rest.iter().position(|&b| b == b'{') {
        out.extend_from_slice(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        match after.first() {
            None => return Err(ERR),
            Some(b'{') => {
                out.push(b'{');
                rest = after.get(1..).unwrap_or_default();
                continue;
            }
            Some(_) => {}
        }
        let close = after.iter().position(|&b| b == b'}').ok_or(ERR)?;
        let value: &[u8] = match after.get(..close).unwrap_or_default() {
            b"title" | b"server-mode" | b"unixsocket" => b"",
            b"listen-addr" => b"*:6379",
            b"config-file" => b"-",
            b"port" => b"6379",
            b"tls-port" => b"0",
            _ => return Err(ERR),
        };
        out.extend_from_slice(value);
        rest = after.get(close + 1..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    if out.iter().all(|&b| b == b' ') {
        return Err(ERR);
    }
    Ok(())
}

fn parse_notify(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    notify::parse(raw)
        .map(|f| Val::Num(i64::from(f)))
        .ok_or(Cow::Borrowed(
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
        ))
}

fn format_notify(v: &Val) -> Vec<u8> {
    notify::format(v.num() as u32).into_bytes()
}

fn format_text(v: &Val) -> Vec<u8> {
    v.text().to_vec()
}

/// `save`: pairs of seconds (at least 1) and changes (at least 0), read with `strtoll`; the
/// changes are kept in a C `int`. An empty value removes every save point.
fn parse_save(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    const ERR: &str = "Invalid save parameters";
    let words = split_spaces(raw);
    if !words.len().is_multiple_of(2) {
        return Err(ERR.into());
    }
    let mut points = Vec::new();
    for pair in words.chunks(2) {
        let [seconds, changes] = pair else {
            return Err(ERR.into());
        };
        let (seconds, s_ok) = strtoll(seconds);
        let (changes, c_ok) = strtoll(changes);
        if !s_ok || !c_ok || seconds < 1 || changes < 0 {
            return Err(ERR.into());
        }
        points.push(format!("{seconds} {}", changes as i32));
    }
    Ok(Val::Text(points.join(" ").into_bytes()))
}

/// The save points of a `save` value.
fn save_points(v: &Val) -> Vec<(i64, i32)> {
    let text = String::from_utf8_lossy(v.text()).into_owned();
    let numbers: Vec<i64> = text.split(' ').filter_map(|w| w.parse().ok()).collect();
    numbers
        .chunks(2)
        .filter_map(|p| match p {
            [s, c] => Some((*s, *c as i32)),
            _ => None,
        })
        .collect()
}

const CLIENT_CLASSES: [&str; 3] = ["normal", "slave", "pubsub"];

/// `client-output-buffer-limit`: groups of class, hard limit, soft limit and soft seconds; only
/// the classes given change.
fn parse_obuf(raw: &[u8], old: &Val) -> Result<Val, Cow<'static, str>> {
    let words = split_spaces(raw);
    if !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits: Vec<[u64; 3]> = obuf_limits(old);
    let mut changes = Vec::new();
    for group in words.chunks(4) {
        let [class, hard, soft, seconds] = group else {
            return Err("Wrong number of arguments in buffer limit configuration.".into());
        };
        let class = match c_str(class).to_ascii_lowercase().as_slice() {
            b"normal" => 0,
            b"slave" | b"replica" => 1,
            b"pubsub" => 2,
            _ => {
                return Err("Invalid client class specified in buffer limit configuration.".into());
            }
        };
        let (secs, secs_ok) = strtoll(seconds);
        let secs = secs as i32;
        match (memtoull(hard), memtoull(soft)) {
            (Some(h), Some(s)) if secs >= 0 && secs_ok => {
                changes.push((class, [h, s, secs as u64]));
            }
            _ => {
                return Err(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                        .into(),
                );
            }
        }
    }
    for (class, limit) in changes {
        if let Some(slot) = limits.get_mut(class) {
            *slot = limit;
        }
    }
    let text: Vec<String> = CLIENT_CLASSES
        .iter()
        .zip(&limits)
        .map(|(name, [h, s, secs])| format!("{name} {h} {s} {secs}"))
        .collect();
    Ok(Val::Text(text.join(" ").into_bytes()))
}

fn obuf_limits(v: &Val) -> Vec<[u64; 3]> {
    let text = String::from_utf8_lossy(v.text()).into_owned();
    let words: Vec<&str> = text.split(' ').collect();
    let mut limits = vec![[0, 0, 0]; 3];
    for group in words.chunks(4) {
        if let [name, h, s, secs] = group
            && let Some(i) = CLIENT_CLASSES.iter().position(|c| c == name)
            && let Some(slot) = limits.get_mut(i)
        {
            *slot = [
                h.parse().unwrap_or(0),
                s.parse().unwrap_or(0),
                secs.parse().unwrap_or(0),
            ];
        }
    }
    limits
}

fn parse_oom_values(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    let words = split_spaces(raw);
    if words.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut values = Vec::new();
    for word in words {
        let (v, ok) = strtoll(word);
        if !ok || !(-2000..=2000).contains(&v) {
            return Err(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
            );
        }
        values.push(v.to_string());
    }
    Ok(Val::Text(values.join(" ").into_bytes()))
}

/// `bind`: up to 16 addresses; one empty argument means none. Only addresses this machine has
/// can be bound (a leading `-` makes one optional).
fn parse_bind(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    let words = split_spaces(raw);
    if words.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    let local = |a: &[u8]| {
        a.starts_with(b"-")
            || matches!(
                a,
                b"*" | b"::*" | b"0.0.0.0" | b"::" | b"127.0.0.1" | b"::1" | b"localhost"
            )
    };
    if !words.iter().all(|w| local(c_str(w))) {
        return Err("Failed to bind to specified addresses.".into());
    }
    let addresses: Vec<&[u8]> = words.into_iter().map(c_str).collect();
    Ok(Val::Text(addresses.join(&b' ')))
}

fn parse_replicaof(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    let words = split_spaces(raw);
    let [host, port] = words.as_slice() else {
        return Err("wrong number of arguments".into());
    };
    if c_str(host).eq_ignore_ascii_case(b"no") && c_str(port).eq_ignore_ascii_case(b"one") {
        return Ok(Val::Text(Vec::new()));
    }
    let (p, ok) = strtoll(port);
    if !ok || !(0..=65535).contains(&p) {
        return Err("Invalid master port".into());
    }
    Ok(Val::Text(
        format!("{} {p}", String::from_utf8_lossy(c_str(host))).into_bytes(),
    ))
}

/// `latency-tracking-info-percentiles`: numbers between 0 and 100, shown with `%f` less its
/// trailing zeros.
fn parse_percentiles(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    let words = split_spaces(raw);
    let words: &[&[u8]] = if words.len() == 1 && words.first().is_some_and(|w| w.is_empty()) {
        &[]
    } else {
        &words
    };
    let mut shown = Vec::new();
    for word in words {
        let p = parse_f64(word).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                    .into(),
            );
        }
        let fixed = format!("{p:.6}");
        let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
        shown.push(trimmed.to_string());
    }
    Ok(Val::Text(shown.join(" ").into_bytes()))
}

/// `dir` is protected (and the engine has no file system): any value is kept as given.
fn parse_dir(raw: &[u8], _old: &Val) -> Result<Val, Cow<'static, str>> {
    if split_spaces(raw).len() != 1 {
        return Err("wrong number of arguments".into());
    }
    Ok(Val::Text(c_str(raw).to_vec()))
}

const IMM: u8 = flag::IMMUTABLE;
const HID: u8 = flag::HIDDEN;

/// Every parameter of Redis 7.0.15, in the order of its `config.c` table. Defaults are those of
/// a server started without a config file (`dir` and `enable-debug-command` excepted: see
/// README).
pub static PARAMS: &[Param] = &[
    yes_no("rdbchecksum", None, IMM, "yes"),
    yes_no("daemonize", None, IMM, "no"),
    yes_no("io-threads-do-reads", None, IMM, "no"),
    yes_no("always-show-logo", None, IMM, "no"),
    yes_no("protected-mode", None, 0, "yes"),
    yes_no("rdbcompression", None, 0, "yes").acts(
        |c| Val::Bool(c.rdbcompression),
        |c, v| c.rdbcompression = v.flag(),
    ),
    yes_no("rdb-del-sync-files", None, 0, "no"),
    yes_no("activerehashing", None, 0, "yes"),
    yes_no("stop-writes-on-bgsave-error", None, 0, "yes"),
    yes_no("set-proc-title", None, IMM, "yes"),
    yes_no("dynamic-hz", None, 0, "yes"),
    yes_no("lazyfree-lazy-eviction", None, 0, "no"),
    yes_no("lazyfree-lazy-expire", None, 0, "no"),
    yes_no("lazyfree-lazy-server-del", None, 0, "no"),
    yes_no("lazyfree-lazy-user-del", None, 0, "no"),
    yes_no("lazyfree-lazy-user-flush", None, 0, "no"),
    yes_no("repl-disable-tcp-nodelay", None, 0, "no"),
    yes_no("repl-diskless-sync", None, 0, "yes"),
    yes_no("aof-rewrite-incremental-fsync", None, 0, "yes"),
    yes_no("no-appendfsync-on-rewrite", None, 0, "no"),
    yes_no("cluster-require-full-coverage", None, 0, "yes"),
    yes_no("rdb-save-incremental-fsync", None, 0, "yes"),
    yes_no("aof-load-truncated", None, 0, "yes"),
    yes_no("aof-use-rdb-preamble", None, 0, "yes"),
    yes_no("aof-timestamp-enabled", None, 0, "no"),
    yes_no(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        0,
        "no",
    ),
    yes_no("replica-lazy-flush", Some("slave-lazy-flush"), 0, "no"),
    yes_no(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        0,
        "yes",
    ),
    yes_no("replica-read-only", Some("slave-read-only"), 0, "yes"),
    yes_no(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        0,
        "yes",
    ),
    yes_no("jemalloc-bg-thread", None, 0, "yes"),
    yes_no("activedefrag", None, 0, "no").checked(activedefrag_ok),
    yes_no("syslog-enabled", None, IMM, "no"),
    yes_no("cluster-enabled", None, IMM, "no"),
    yes_no("appendonly", None, 0, "no")
        .acts(|c| Val::Bool(c.appendonly), |c, v| c.appendonly = v.flag()),
    yes_no("cluster-allow-reads-when-down", None, 0, "no"),
    yes_no("cluster-allow-pubsubshard-when-down", None, 0, "yes"),
    yes_no("crash-log-enabled", None, 0, "yes"),
    yes_no("crash-memcheck-enabled", None, 0, "yes"),
    yes_no("use-exit-on-panic", None, HID, "no"),
    yes_no("disable-thp", None, IMM, "yes"),
    yes_no("cluster-allow-replica-migration", None, 0, "yes"),
    yes_no("replica-announced", None, 0, "yes"),
    yes_no("latency-tracking", None, 0, "yes"),
    yes_no("aof-disable-auto-gc", None, 0, "no"),
    yes_no("replica-ignore-disk-write-errors", None, 0, "no"),
    // Strings.
    text("aclfile", None, IMM, ""),
    text("unixsocket", None, IMM, ""),
    text("pidfile", None, IMM, ""),
    text("replica-announce-ip", Some("slave-announce-ip"), 0, ""),
    text("masteruser", None, flag::SENSITIVE, ""),
    text("cluster-announce-ip", None, 0, ""),
    text("cluster-config-file", None, IMM, "nodes.conf"),
    text("cluster-announce-hostname", None, 0, "").checked(hostname_ok),
    text("syslog-ident", None, IMM, "redis"),
    text("dbfilename", None, flag::PROTECTED, "dump.rdb"),
    text("appendfilename", None, IMM, "appendonly.aof"),
    text("appenddirname", None, IMM, "appendonlydir"),
    text("server_cpulist", None, IMM, ""),
    text("bio_cpulist", None, IMM, ""),
    text("aof_rewrite_cpulist", None, IMM, ""),
    text("bgsave_cpulist", None, IMM, ""),
    text("ignore-warnings", None, 0, ""),
    text(
        "proc-title-template",
        None,
        0,
        "{title} {listen-addr} {server-mode}",
    )
    .checked(proc_title_ok),
    text("bind-source-addr", None, 0, ""),
    text("logfile", None, IMM, ""),
    row(
        "masterauth",
        None,
        Kind::Text { binary: true },
        flag::SENSITIVE,
        "",
    ),
    row(
        "requirepass",
        None,
        Kind::Text { binary: true },
        flag::SENSITIVE,
        "",
    )
    .acts(
        |c| Val::Text(c.requirepass.clone().unwrap_or_default()),
        |c, v| c.requirepass = Some(v.text().to_vec()).filter(|p| !p.is_empty()),
    ),
    // Enums.
    choice(
        "supervised",
        None,
        IMM,
        &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)],
        "no",
    ),
    choice(
        "syslog-facility",
        None,
        IMM,
        &[
            ("user", 8),
            ("local0", 128),
            ("local1", 136),
            ("local2", 144),
            ("local3", 152),
            ("local4", 160),
            ("local5", 168),
            ("local6", 176),
            ("local7", 184),
        ],
        "local0",
    ),
    choice(
        "repl-diskless-load",
        None,
        0,
        &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)],
        "disabled",
    ),
    choice(
        "loglevel",
        None,
        0,
        &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)],
        "notice",
    ),
    choice("maxmemory-policy", None, 0, MAXMEMORY_POLICY, "noeviction").acts(
        |c| Val::Num(c.maxmemory_policy.index()),
        |c, v| c.maxmemory_policy = EvictionPolicy::from_index(v.num()),
    ),
    choice("appendfsync", None, 0, APPENDFSYNC, "everysec").acts(
        |c| {
            Val::Num(match c.appendfsync {
                AppendFsync::EverySec => 0,
                AppendFsync::Always => 1,
                AppendFsync::No => 2,
            })
        },
        |c, v| {
            c.appendfsync = match v.num() {
                1 => AppendFsync::Always,
                2 => AppendFsync::No,
                _ => AppendFsync::EverySec,
            };
        },
    ),
    choice(
        "oom-score-adj",
        None,
        0,
        &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)],
        "no",
    ),
    choice(
        "acl-pubsub-default",
        None,
        0,
        &[("allchannels", 1), ("resetchannels", 0)],
        "resetchannels",
    ),
    choice(
        "sanitize-dump-payload",
        None,
        0,
        &[("no", 0), ("yes", 1), ("clients", 2)],
        "no",
    ),
    choice("enable-protected-configs", None, IMM, YES_NO_LOCAL, "no"),
    // The engine runs DEBUG for everyone, as a server started with this set to yes.
    choice("enable-debug-command", None, IMM, YES_NO_LOCAL, "yes"),
    choice("enable-module-command", None, IMM, YES_NO_LOCAL, "no"),
    choice(
        "cluster-preferred-endpoint-type",
        None,
        0,
        &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)],
        "ip",
    ),
    choice(
        "propagation-error-behavior",
        None,
        0,
        &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)],
        "ignore",
    ),
    row(
        "shutdown-on-sigint",
        None,
        Kind::Enum {
            names: SHUTDOWN_ON_SIG,
            multi: true,
        },
        0,
        "default",
    )
    .checked(shutdown_flags_ok),
    row(
        "shutdown-on-sigterm",
        None,
        Kind::Enum {
            names: SHUTDOWN_ON_SIG,
            multi: true,
        },
        0,
        "default",
    )
    .checked(shutdown_flags_ok),
    // Integers.
    int("databases", None, IMM, 1, INT_MAX, "16").acts(
        |c| Val::Num(c.databases as i64),
        |c, v| c.databases = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    int("port", None, 0, 0, 65535, "6379"),
    int("io-threads", None, IMM, 1, 128, "1"),
    int("auto-aof-rewrite-percentage", None, 0, 0, INT_MAX, "100"),
    int(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        0,
        0,
        INT_MAX,
        "10",
    ),
    int(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        0,
        INT_MIN,
        INT_MAX,
        "-2",
    )
    .acts(
        |c| Val::Num(c.list_max_listpack_size),
        |c, v| c.list_max_listpack_size = v.num(),
    ),
    int("tcp-keepalive", None, 0, 0, INT_MAX, "300"),
    int("cluster-migration-barrier", None, 0, 0, INT_MAX, "1"),
    int("active-defrag-cycle-min", None, 0, 1, 99, "1"),
    int("active-defrag-cycle-max", None, 0, 1, 99, "25"),
    int("active-defrag-threshold-lower", None, 0, 0, 1000, "10"),
    int("active-defrag-threshold-upper", None, 0, 0, 1000, "100"),
    int("lfu-log-factor", None, 0, 0, INT_MAX, "10").acts(
        |c| Val::Num(c.lfu_log_factor),
        |c, v| c.lfu_log_factor = v.num(),
    ),
    int("lfu-decay-time", None, 0, 0, INT_MAX, "1").acts(
        |c| Val::Num(c.lfu_decay_time),
        |c, v| c.lfu_decay_time = v.num(),
    ),
    int(
        "replica-priority",
        Some("slave-priority"),
        0,
        0,
        INT_MAX,
        "100",
    ),
    int("repl-diskless-sync-delay", None, 0, 0, INT_MAX, "5"),
    int("maxmemory-samples", None, 0, 1, INT_MAX, "5").acts(
        |c| Val::Num(c.maxmemory_samples),
        |c, v| c.maxmemory_samples = v.num(),
    ),
    int("maxmemory-eviction-tenacity", None, 0, 0, 100, "10").acts(
        |c| Val::Num(c.maxmemory_eviction_tenacity),
        |c, v| c.maxmemory_eviction_tenacity = v.num(),
    ),
    int("timeout", None, 0, 0, INT_MAX, "0"),
    int(
        "replica-announce-port",
        Some("slave-announce-port"),
        0,
        0,
        65535,
        "0",
    ),
    int("tcp-backlog", None, IMM, 0, INT_MAX, "511"),
    int("cluster-port", None, IMM, 0, 65535, "0"),
    int("cluster-announce-bus-port", None, 0, 0, 65535, "0"),
    int("cluster-announce-port", None, 0, 0, 65535, "0"),
    int("cluster-announce-tls-port", None, 0, 0, 65535, "0"),
    int("repl-timeout", None, 0, 1, INT_MAX, "60"),
    int(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        0,
        1,
        INT_MAX,
        "10",
    ),
    int("list-compress-depth", None, 0, 0, INT_MAX, "0").acts(
        |c| Val::Num(c.list_compress_depth),
        |c, v| c.list_compress_depth = v.num(),
    ),
    int("rdb-key-save-delay", None, HID, INT_MIN, INT_MAX, "0"),
    int("key-load-delay", None, HID, INT_MIN, INT_MAX, "0"),
    int("active-expire-effort", None, 0, 1, 10, "1"),
    // Redis accepts any hz but keeps it within 1..500.
    int("hz", None, 0, 0, INT_MAX, "10").clamped(1, 500),
    int(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        0,
        0,
        INT_MAX,
        "0",
    ),
    int(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        0,
        0,
        INT_MAX,
        "10",
    ),
    int("watchdog-period", None, HID, 0, INT_MAX, "0"),
    int("shutdown-timeout", None, 0, 0, INT_MAX, "10"),
    int("repl-diskless-sync-max-replicas", None, 0, 0, INT_MAX, "0"),
    uint("maxclients", None, 0, 1, UINT_MAX, "10000"),
    uint("unixsocketperm", None, IMM, 0, 0o777, "0").octal(),
    uint("socket-mark-id", None, IMM, 0, UINT_MAX, "0"),
    int(
        "active-defrag-max-scan-fields",
        None,
        0,
        1,
        LONG_MAX,
        "1000",
    ),
    int("slowlog-max-len", None, 0, 0, LONG_MAX, "128").acts(
        |c| Val::Num(c.slowlog_max_len),
        |c, v| c.slowlog_max_len = v.num(),
    ),
    int("acllog-max-len", None, 0, 0, LONG_MAX, "128"),
    int(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        0,
        0,
        LONG_MAX,
        "5000",
    ),
    int("cluster-node-timeout", None, 0, 0, LONG_MAX, "15000"),
    int("slowlog-log-slower-than", None, 0, -1, LONG_MAX, "10000").acts(
        |c| Val::Num(c.slowlog_log_slower_than),
        |c, v| c.slowlog_log_slower_than = v.num(),
    ),
    int("latency-monitor-threshold", None, 0, 0, LONG_MAX, "0"),
    mem(
        "proto-max-bulk-len",
        None,
        0,
        1024 * 1024,
        LONG_MAX,
        "536870912",
    )
    .acts(
        |c| Val::Num(c.proto_max_bulk_len),
        |c, v| c.proto_max_bulk_len = v.num(),
    ),
    int("stream-node-max-entries", None, 0, 0, LONG_MAX, "100").acts(
        |c| Val::Num(c.stream_node_max_entries as i64),
        |c, v| c.stream_node_max_entries = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    mem("repl-backlog-size", None, 0, 1, LONG_MAX, "1048576"),
    umem("maxmemory", None, 0, 0, u64::MAX, "0").acts(
        |c| Val::Num(c.maxmemory as i64),
        |c, v| c.maxmemory = v.num() as u64,
    ),
    umem("cluster-link-sendbuf-limit", None, 0, 0, u64::MAX, "0"),
    uint(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        0,
        0,
        LONG_MAX,
        "512",
    )
    .acts(
        |c| Val::Num(c.hash_max_listpack_entries as i64),
        |c, v| c.hash_max_listpack_entries = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    uint("set-max-intset-entries", None, 0, 0, LONG_MAX, "512").acts(
        |c| Val::Num(c.set_max_intset_entries as i64),
        |c, v| c.set_max_intset_entries = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    uint(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        0,
        0,
        LONG_MAX,
        "128",
    )
    .acts(
        |c| Val::Num(c.zset_max_listpack_entries as i64),
        |c, v| c.zset_max_listpack_entries = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    umem(
        "active-defrag-ignore-bytes",
        None,
        0,
        1,
        LONG_MAX,
        "104857600",
    ),
    umem(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        0,
        0,
        LONG_MAX,
        "64",
    )
    .acts(
        |c| Val::Num(c.hash_max_listpack_value as i64),
        |c, v| c.hash_max_listpack_value = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    umem("stream-node-max-bytes", None, 0, 0, LONG_MAX, "4096").acts(
        |c| Val::Num(c.stream_node_max_bytes as i64),
        |c, v| c.stream_node_max_bytes = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    umem(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        0,
        0,
        LONG_MAX,
        "64",
    )
    .acts(
        |c| Val::Num(c.zset_max_listpack_value as i64),
        |c, v| c.zset_max_listpack_value = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    umem("hll-sparse-max-bytes", None, 0, 0, LONG_MAX, "3000").acts(
        |c| Val::Num(c.hll_sparse_max_bytes as i64),
        |c, v| c.hll_sparse_max_bytes = usize::try_from(v.num()).unwrap_or(usize::MAX),
    ),
    uint("tracking-table-max-keys", None, 0, 0, LONG_MAX, "1000000").acts(
        |c| Val::Num(c.tracking_table_max_keys),
        |c, v| c.tracking_table_max_keys = v.num(),
    ),
    umem(
        "client-query-buffer-limit",
        None,
        0,
        1024 * 1024,
        LONG_MAX,
        "1073741824",
    ),
    mem("maxmemory-clients", None, 0, -100, LONG_MAX, "0").percent(),
    int("repl-backlog-ttl", None, 0, 0, LONG_MAX, "3600"),
    mem(
        "auto-aof-rewrite-min-size",
        None,
        0,
        0,
        LONG_MAX,
        "67108864",
    ),
    int(
        "loading-process-events-interval-bytes",
        None,
        HID,
        1024,
        INT_MAX,
        "2097152",
    ),
    // TLS (Debian's build has it).
    int("tls-port", None, 0, 0, 65535, "0").applies(Apply::TlsPort),
    int("tls-session-cache-size", None, 0, 0, INT_MAX, "20480").applies(Apply::Tls),
    int("tls-session-cache-timeout", None, 0, 0, INT_MAX, "300").applies(Apply::Tls),
    yes_no("tls-cluster", None, 0, "no").applies(Apply::Tls),
    yes_no("tls-replication", None, 0, "no").applies(Apply::Tls),
    choice(
        "tls-auth-clients",
        None,
        0,
        &[("no", 0), ("yes", 1), ("optional", 2)],
        "yes",
    ),
    yes_no("tls-prefer-server-ciphers", None, 0, "no").applies(Apply::Tls),
    yes_no("tls-session-caching", None, 0, "yes").applies(Apply::Tls),
    text("tls-cert-file", None, 0, "").applies(Apply::Tls),
    text("tls-key-file", None, 0, "").applies(Apply::Tls),
    text("tls-key-file-pass", None, 0, "").applies(Apply::Tls),
    text("tls-client-cert-file", None, 0, "").applies(Apply::Tls),
    text("tls-client-key-file", None, 0, "").applies(Apply::Tls),
    text("tls-client-key-file-pass", None, 0, "").applies(Apply::Tls),
    text("tls-dh-params-file", None, 0, "").applies(Apply::Tls),
    text("tls-ca-cert-file", None, 0, "").applies(Apply::Tls),
    text("tls-ca-cert-dir", None, 0, "").applies(Apply::Tls),
    text("tls-protocols", None, 0, "").applies(Apply::Tls),
    text("tls-ciphers", None, 0, "").applies(Apply::Tls),
    text("tls-ciphersuites", None, 0, "").applies(Apply::Tls),
    // Parameters with their own syntax.
    special(
        "dir",
        None,
        flag::PROTECTED,
        parse_dir,
        format_text,
        "/data",
    ),
    special(
        "save",
        None,
        0,
        parse_save,
        format_text,
        "3600 1 300 100 60 10000",
    )
    .acts(
        |c| {
            let points: Vec<String> = c.save.iter().map(|(s, n)| format!("{s} {n}")).collect();
            Val::Text(points.join(" ").into_bytes())
        },
        |c, v| c.save = save_points(v),
    ),
    special(
        "client-output-buffer-limit",
        None,
        0,
        parse_obuf,
        format_text,
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    special(
        "oom-score-adj-values",
        None,
        0,
        parse_oom_values,
        format_text,
        "0 200 800",
    ),
    special(
        "notify-keyspace-events",
        None,
        0,
        parse_notify,
        format_notify,
        "",
    )
    .acts(
        |c| Val::Num(i64::from(c.notify_keyspace_events)),
        |c, v| c.notify_keyspace_events = v.num() as u32,
    ),
    special("bind", None, 0, parse_bind, format_text, "* -::*"),
    special(
        "replicaof",
        Some("slaveof"),
        IMM,
        parse_replicaof,
        format_text,
        "",
    ),
    special(
        "latency-tracking-info-percentiles",
        None,
        0,
        parse_percentiles,
        format_text,
        "50 99 99.9",
    ),
];

/// The configuration: typed fields for the parameters the engine acts on, stored values for
/// the others.
#[derive(Debug, Clone)]
pub struct Config {
    /// `maxmemory` in bytes; 0 means no limit.
    pub maxmemory: u64,
    /// `maxmemory-policy`.
    pub maxmemory_policy: EvictionPolicy,
    /// `maxmemory-samples`: keys sampled per eviction.
    pub maxmemory_samples: i64,
    /// `maxmemory-eviction-tenacity`: how long an eviction cycle may run (0-100).
    pub maxmemory_eviction_tenacity: i64,
    /// `lfu-log-factor`.
    pub lfu_log_factor: i64,
    /// `lfu-decay-time`, in minutes.
    pub lfu_decay_time: i64,
    /// `notify-keyspace-events`, as bits of [`crate::notify`].
    pub notify_keyspace_events: u32,
    /// `appendonly`: the append-only file is on.
    pub appendonly: bool,
    /// `appendfsync`.
    pub appendfsync: AppendFsync,
    /// `save`: snapshot after `seconds` if at least `changes` writes happened.
    pub save: Vec<(i64, i32)>,
    /// `rdbcompression`: LZF-compress long strings in DUMP payloads (and snapshots).
    pub rdbcompression: bool,
    /// `hll-sparse-max-bytes`: the largest sparse HLL string, header included; a sparse HLL
    /// that would grow past it turns dense.
    pub hll_sparse_max_bytes: usize,
    /// `hash-max-listpack-entries`: a hash with more fields becomes a hashtable.
    pub hash_max_listpack_entries: usize,
    /// `hash-max-listpack-value`: a hash with a longer field or value becomes a hashtable.
    pub hash_max_listpack_value: usize,
    /// `set-max-intset-entries`: a set of integers with more members becomes a hashtable.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`: a sorted set with more members becomes a skiplist.
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`: a sorted set with a longer member becomes a skiplist.
    pub zset_max_listpack_value: usize,
    /// `list-max-listpack-size`: positive, entries per list node; negative, -1..-5 for
    /// 4/8/16/32/64 KB per node.
    pub list_max_listpack_size: i64,
    /// `list-compress-depth`: nodes kept uncompressed at each end of a list (0: none compressed).
    pub list_compress_depth: i64,
    /// `stream-node-max-bytes`: the largest stream node (0: unlimited).
    pub stream_node_max_bytes: usize,
    /// `stream-node-max-entries`: the most entries in a stream node (0: unlimited).
    pub stream_node_max_entries: usize,
    /// `proto-max-bulk-len`: the longest string a command may create or receive.
    pub proto_max_bulk_len: i64,
    /// `slowlog-log-slower-than`, in microseconds (negative: log nothing).
    pub slowlog_log_slower_than: i64,
    /// `slowlog-max-len`: entries kept by the slow log.
    pub slowlog_max_len: i64,
    /// `databases` (read-only).
    pub databases: usize,
    /// `requirepass`: when set, new connections must `AUTH` before other commands.
    pub requirepass: Option<Vec<u8>>,
    /// `tracking-table-max-keys`: keys the tracking table holds before it invalidates some (0:
    /// no limit). Read before every command while a client tracks.
    pub tracking_table_max_keys: i64,
    /// The values of the parameters without a typed field, by index in [`PARAMS`].
    values: Vec<Val>,
}

impl Default for Config {
    fn default() -> Self {
        let mut config = Config {
            maxmemory: 0,
            maxmemory_policy: EvictionPolicy::NoEviction,
            maxmemory_samples: 0,
            maxmemory_eviction_tenacity: 0,
            lfu_log_factor: 0,
            lfu_decay_time: 0,
            notify_keyspace_events: 0,
            appendonly: false,
            appendfsync: AppendFsync::EverySec,
            save: Vec::new(),
            rdbcompression: false,
            hll_sparse_max_bytes: 0,
            hash_max_listpack_entries: 0,
            hash_max_listpack_value: 0,
            set_max_intset_entries: 0,
            zset_max_listpack_entries: 0,
            zset_max_listpack_value: 0,
            list_max_listpack_size: 0,
            list_compress_depth: 0,
            stream_node_max_bytes: 0,
            stream_node_max_entries: 0,
            proto_max_bulk_len: 0,
            slowlog_log_slower_than: 0,
            slowlog_max_len: 0,
            databases: 0,
            requirepass: None,
            tracking_table_max_keys: 0,
            values: vec![Val::Num(0); PARAMS.len()],
        };
        // Every default is written as CONFIG GET shows it, and read through the same parser.
        for (i, param) in PARAMS.iter().enumerate() {
            let value = param
                .parse(param.default.as_bytes(), &Val::Text(Vec::new()))
                .unwrap_or_else(|_| Val::Text(param.default.as_bytes().to_vec()));
            config.store(i, value);
        }
        config
    }
}

impl Config {
    /// The parameter called `name` (or its alias), compared as Redis's case-insensitive table
    /// does: its index in [`PARAMS`] and whether the alias was used.
    pub fn find(name: &[u8]) -> Option<(usize, bool)> {
        PARAMS.iter().enumerate().find_map(|(i, p)| {
            if name.eq_ignore_ascii_case(p.name.as_bytes()) {
                Some((i, false))
            } else if p
                .alias
                .is_some_and(|a| name.eq_ignore_ascii_case(a.as_bytes()))
            {
                Some((i, true))
            } else {
                None
            }
        })
    }

    /// The value of parameter `i`.
    pub fn value(&self, i: usize) -> Val {
        match PARAMS.get(i).and_then(|p| p.field) {
            Some(field) => (field.get)(self),
            None => self.values.get(i).cloned().unwrap_or(Val::Num(0)),
        }
    }

    /// The number a parameter without a typed field holds (0 for an unknown name or a text).
    pub(crate) fn number(&self, name: &str) -> i64 {
        Config::find(name.as_bytes()).map_or(0, |(i, _)| self.value(i).num())
    }

    /// Stores a parsed value of parameter `i`.
    pub fn store(&mut self, i: usize, value: Val) {
        match PARAMS.get(i).and_then(|p| p.field) {
            Some(field) => (field.set)(self, &value),
            None => {
                if let Some(slot) = self.values.get_mut(i) {
                    *slot = value;
                }
            }
        }
    }

    /// Parameter `i`'s value as `CONFIG GET` shows it.
    pub fn shown(&self, i: usize) -> Vec<u8> {
        PARAMS
            .get(i)
            .map(|p| p.format(&self.value(i)))
            .unwrap_or_default()
    }

    /// The shown value of a parameter by name (empty when unknown).
    pub fn get(&self, name: &str) -> Vec<u8> {
        Config::find(name.as_bytes())
            .map(|(i, _)| self.shown(i))
            .unwrap_or_default()
    }

    /// A numeric parameter's value by name (0 when unknown).
    pub fn get_num(&self, name: &str) -> i64 {
        Config::find(name.as_bytes()).map_or(0, |(i, _)| self.value(i).num())
    }

    /// Runs the apply step Redis runs after a parameter changed; an error text if it fails.
    pub fn apply(&self, apply: Apply) -> Result<(), &'static str> {
        const TLS: &str = "Unable to update TLS configuration. Check server logs.";
        match apply {
            // TLS is in use but cannot be configured: there are no certificates.
            Apply::Tls
                if self.get_num("tls-port") != 0
                    || self.get_num("tls-replication") != 0
                    || self.get_num("tls-cluster") != 0 =>
            {
                Err(TLS)
            }
            Apply::TlsPort => Err(TLS),
            Apply::None | Apply::Tls => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_parses_and_shows_as_written() {
        let config = Config::default();
        for (i, p) in PARAMS.iter().enumerate() {
            if p.name == "replicaof" {
                // Its empty default is what "no one" sets; "" itself does not parse.
                assert_eq!(config.shown(i), b"");
                continue;
            }
            let parsed = p.parse(p.default.as_bytes(), &config.value(i));
            assert!(parsed.is_ok(), "{}: {parsed:?}", p.name);
            assert_eq!(
                String::from_utf8_lossy(&config.shown(i)),
                p.default,
                "{}",
                p.name
            );
        }
    }

    #[test]
    fn names_are_unique_and_found_in_any_case() {
        let mut names: Vec<&str> = PARAMS
            .iter()
            .flat_map(|p| std::iter::once(p.name).chain(p.alias))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(
            Config::find(b"MAXMEMORY").map(|(i, a)| (PARAMS[i].name, a)),
            Some(("maxmemory", false))
        );
        assert_eq!(
            Config::find(b"Hash-Max-Ziplist-Entries").map(|(i, a)| (PARAMS[i].name, a)),
            Some(("hash-max-listpack-entries", true))
        );
        assert_eq!(Config::find(b"maxmemory\0"), None);
    }

    #[test]
    fn the_engine_acts_on_these_parameters() {
        let acted: Vec<&str> = PARAMS
            .iter()
            .filter(|p| p.field.is_some())
            .map(|p| p.name)
            .collect();
        assert_eq!(
            acted,
            [
                "rdbcompression",
                "appendonly",
                "requirepass",
                "maxmemory-policy",
                "appendfsync",
                "databases",
                "list-max-listpack-size",
                "lfu-log-factor",
                "lfu-decay-time",
                "maxmemory-samples",
                "maxmemory-eviction-tenacity",
                "list-compress-depth",
                "slowlog-max-len",
                "slowlog-log-slower-than",
                "proto-max-bulk-len",
                "stream-node-max-entries",
                "maxmemory",
                "hash-max-listpack-entries",
                "set-max-intset-entries",
                "zset-max-listpack-entries",
                "hash-max-listpack-value",
                "stream-node-max-bytes",
                "zset-max-listpack-value",
                "hll-sparse-max-bytes",
                "tracking-table-max-keys",
                "save",
                "notify-keyspace-events",
            ]
        );
    }

    #[test]
    fn memory_units() {
        assert_eq!(memtoull(b"1mb"), Some(1024 * 1024));
        assert_eq!(memtoull(b"64MB"), Some(64 * 1024 * 1024));
        assert_eq!(memtoull(b"1gb"), Some(1 << 30));
        assert_eq!(memtoull(b"1G"), Some(1_000_000_000));
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"2b"), Some(2));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"mb"), Some(0));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1.5mb"), None);
        assert_eq!(memtoull(b" 1"), None);
        assert_eq!(memtoull(b"99999999999999999999"), Some(u64::MAX));
        assert_eq!(memtoull(b"17179869184gb"), Some(0));
    }

    #[test]
    fn enum_names_as_redis_shows_them() {
        assert_eq!(enum_name(SHUTDOWN_ON_SIG, true, 5), "save now");
        assert_eq!(enum_name(SHUTDOWN_ON_SIG, true, 0), "default");
        assert_eq!(
            enum_name(&[("no", 0), ("yes", 1), ("relative", 1)], false, 1),
            "yes"
        );
        assert_eq!(parse_enum(SHUTDOWN_ON_SIG, true, b"NOW save"), Ok(5));
        assert!(parse_enum(SHUTDOWN_ON_SIG, true, b"").is_err());
    }
}
