//! The difftest's generator: seeded episodes of random commands over a small key space.
//!
//! Each family of commands has an argument generator mixing valid and invalid values. Keys come
//! from pools (a dozen names per type, `str:3`, `list:7`…) and from names every family shares
//! (`k:0`…`k:5`), and now and then from another type's pool, so type clashes happen. Expiries
//! are deterministic: relative ones of a day or more, absolute ones in 2001 or 2100, zero or
//! negative ones (deleting at once), and out-of-range ones (errors).

use std::collections::BTreeSet;

/// One command on one of the episode's connections (0, 1, 2).
#[derive(Clone, Debug)]
pub struct Step {
    pub conn: usize,
    pub argv: Vec<Vec<u8>>,
}

type Argv = Vec<Vec<u8>>;

/// Draws the argument that follows an option word.
type ArgGen = fn(&mut Gen) -> Vec<u8>;

/// `SplitMix64`: small, seedable, good enough to draw test cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.abs_diff(lo).saturating_add(1);
        lo.saturating_add_unsigned(self.next() % span)
    }
}

/// A family of commands and the generator of their arguments.
struct Family {
    weight: usize,
    commands: &'static [&'static str],
    generate: fn(&mut Gen, &str) -> Argv,
}

const FAMILIES: &[Family] = &[
    Family {
        weight: 16,
        commands: &[
            "append",
            "decr",
            "decrby",
            "get",
            "getdel",
            "getex",
            "getrange",
            "getset",
            "incr",
            "incrby",
            "incrbyfloat",
            "lcs",
            "mget",
            "mset",
            "msetnx",
            "psetex",
            "set",
            "setex",
            "setnx",
            "setrange",
            "strlen",
            "substr",
        ],
        generate: string,
    },
    Family {
        weight: 7,
        commands: &[
            "bitcount",
            "bitfield",
            "bitfield_ro",
            "bitop",
            "bitpos",
            "getbit",
            "setbit",
        ],
        generate: bitmap,
    },
    Family {
        weight: 4,
        commands: &["pfadd", "pfcount", "pfdebug", "pfmerge"],
        generate: hyperloglog,
    },
    Family {
        weight: 14,
        commands: &[
            "copy",
            "del",
            "dump",
            "exists",
            "expire",
            "expireat",
            "expiretime",
            "keys",
            "move",
            "object",
            "persist",
            "pexpire",
            "pexpireat",
            "pexpiretime",
            "pttl",
            "randomkey",
            "rename",
            "renamenx",
            "restore",
            "scan",
            "touch",
            "ttl",
            "type",
            "unlink",
        ],
        generate: generic,
    },
    Family {
        weight: 13,
        commands: &[
            "hdel",
            "hexists",
            "hget",
            "hgetall",
            "hincrby",
            "hincrbyfloat",
            "hkeys",
            "hlen",
            "hmget",
            "hmset",
            "hrandfield",
            "hscan",
            "hset",
            "hsetnx",
            "hstrlen",
            "hvals",
        ],
        generate: hash,
    },
    Family {
        weight: 13,
        commands: &[
            "blmove",
            "blmpop",
            "blpop",
            "brpop",
            "brpoplpush",
            "lindex",
            "linsert",
            "llen",
            "lmove",
            "lmpop",
            "lpop",
            "lpos",
            "lpush",
            "lpushx",
            "lrange",
            "lrem",
            "lset",
            "ltrim",
            "rpop",
            "rpoplpush",
            "rpush",
            "rpushx",
        ],
        generate: list,
    },
    Family {
        weight: 13,
        commands: &[
            "sadd",
            "scard",
            "sdiff",
            "sdiffstore",
            "sinter",
            "sintercard",
            "sinterstore",
            "sismember",
            "smembers",
            "smismember",
            "smove",
            "spop",
            "srandmember",
            "srem",
            "sscan",
            "sunion",
            "sunionstore",
        ],
        generate: set,
    },
    Family {
        weight: 13,
        commands: &[
            "zadd",
            "zcard",
            "zcount",
            "zdiff",
            "zdiffstore",
            "zincrby",
            "zinter",
            "zintercard",
            "zinterstore",
            "zlexcount",
            "zmpop",
            "zmscore",
            "zpopmax",
            "zpopmin",
            "zrandmember",
            "zrange",
            "zrangebylex",
            "zrangebyscore",
            "zrangestore",
            "zrank",
            "zrem",
            "zremrangebylex",
            "zremrangebyrank",
            "zremrangebyscore",
            "zrevrange",
            "zrevrangebylex",
            "zrevrangebyscore",
            "zrevrank",
            "zscan",
            "zscore",
            "zunion",
            "zunionstore",
        ],
        generate: zset,
    },
    Family {
        weight: 10,
        commands: &[
            "xack",
            "xadd",
            "xautoclaim",
            "xclaim",
            "xdel",
            "xgroup",
            "xinfo",
            "xlen",
            "xpending",
            "xrange",
            "xread",
            "xreadgroup",
            "xrevrange",
            "xsetid",
            "xtrim",
        ],
        generate: stream,
    },
    Family {
        weight: 5,
        commands: &[
            "geoadd",
            "geodist",
            "geohash",
            "geopos",
            "georadius",
            "georadius_ro",
            "georadiusbymember",
            "georadiusbymember_ro",
            "geosearch",
            "geosearchstore",
        ],
        generate: geo,
    },
    Family {
        weight: 4,
        commands: &["sort", "sort_ro"],
        generate: sort,
    },
    Family {
        weight: 2,
        commands: &["config"],
        generate: config,
    },
    Family {
        weight: 2,
        commands: &["info"],
        generate: info,
    },
    Family {
        weight: 3,
        commands: &["memory"],
        generate: memory,
    },
    Family {
        weight: 4,
        commands: &["discard", "exec", "multi", "unwatch", "watch"],
        generate: transaction,
    },
    Family {
        weight: 3,
        commands: &[
            "psubscribe",
            "publish",
            "pubsub",
            "punsubscribe",
            "spublish",
            "ssubscribe",
            "subscribe",
            "sunsubscribe",
            "unsubscribe",
        ],
        generate: pubsub,
    },
    Family {
        weight: 3,
        commands: &["auth", "client", "echo", "hello", "ping", "reset", "select"],
        generate: connection,
    },
    Family {
        weight: 2,
        commands: &[
            "command", "dbsize", "debug", "flushall", "flushdb", "swapdb", "time", "wait",
        ],
        generate: server,
    },
];

/// Every command some family generates.
pub fn covered_commands() -> BTreeSet<&'static str> {
    FAMILIES
        .iter()
        .flat_map(|f| f.commands.iter().copied())
        .chain(BLOCKING)
        .chain(["slowlog"])
        .collect()
}

/// The blocking commands [`Gen::blocking_pair`] draws from.
const BLOCKING: [&str; 8] = [
    "blpop",
    "brpop",
    "brpoplpush",
    "blmove",
    "blmpop",
    "bzpopmin",
    "bzpopmax",
    "bzmpop",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pool {
    Str,
    Bit,
    Hll,
    List,
    Hash,
    Set,
    Zset,
    Stream,
    /// Any type's pool.
    Any,
}

const POOLS: [&str; 8] = ["str", "bit", "hll", "list", "hash", "set", "zset", "stream"];

/// Writes episodes; one per (seed, episode number), whatever ran before.
pub struct Gen {
    rng: Rng,
    /// Registered commands of each family, by family index.
    families: Vec<(usize, Vec<&'static str>)>,
    registered: Vec<String>,
    payloads: Vec<Vec<u8>>,
    /// Whether each connection was last sent MULTI (then SPOP draws only whole sets).
    in_multi: [bool; 3],
    /// A stream ID's milliseconds that mostly grows, so XADD's explicit IDs mostly succeed.
    stream_ms: i64,
    /// Whether each connection may be in subscribed mode (where RESP2 refuses most commands).
    subscribed: [bool; 3],
}

fn b<S: AsRef<str> + ?Sized>(s: &S) -> Vec<u8> {
    s.as_ref().as_bytes().to_vec()
}

fn cmd(name: &str) -> Argv {
    vec![b(name)]
}

fn words(line: &str) -> Argv {
    line.split(' ').map(b).collect()
}

impl Gen {
    pub fn new(seed: u64, episode: u64, registered: &[String], payloads: &[Vec<u8>]) -> Self {
        let mut rng = Rng(seed ^ episode.wrapping_mul(0xD6E8_FEB8_6659_FD93));
        rng.next();
        let families = FAMILIES
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mine: Vec<&'static str> = f
                    .commands
                    .iter()
                    .copied()
                    .filter(|c| registered.iter().any(|r| r == c))
                    .collect();
                (i, mine)
            })
            .filter(|(_, mine)| !mine.is_empty())
            .collect();
        Gen {
            rng,
            families,
            registered: registered.to_vec(),
            payloads: payloads.to_vec(),
            in_multi: [false; 3],
            stream_ms: 1,
            subscribed: [false; 3],
        }
    }

    fn conn(&mut self) -> usize {
        match self.rng.below(10) {
            0..=6 => 0,
            7 | 8 => 1,
            _ => 2,
        }
    }

    /// One episode: 20 to 400 commands.
    pub fn episode(&mut self) -> Vec<Step> {
        let len = self.rng.range(20, 400) as usize;
        let mut steps = Vec::new();
        while steps.len() < len {
            match self.rng.below(100) {
                0..=2 => self.transaction_block(&mut steps),
                3 | 4 => self.blocking_pair(&mut steps),
                5 => self.stream_group(&mut steps),
                6 => self.slowlog_window(&mut steps),
                7 | 8 => self.tracking_block(&mut steps),
                _ => {
                    let conn = self.conn();
                    // A subscribed connection would refuse most commands: now and then it
                    // leaves subscribed mode first.
                    if self.subscribed[conn] && self.rng.chance(25) {
                        self.push(&mut steps, conn, cmd("RESET"));
                    }
                    let argv = self.command();
                    self.push(&mut steps, conn, argv);
                }
            }
        }
        steps
    }

    fn push(&mut self, steps: &mut Vec<Step>, conn: usize, argv: Argv) {
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_lowercase();
        match name.as_str() {
            "multi" => self.in_multi[conn] = true,
            "exec" | "discard" => self.in_multi[conn] = false,
            "reset" => {
                self.in_multi[conn] = false;
                self.subscribed[conn] = false;
            }
            "subscribe" | "psubscribe" | "ssubscribe" => self.subscribed[conn] = true,
            _ => {}
        }
        steps.push(Step { conn, argv });
    }

    /// A random command of a random family (weighted).
    fn command(&mut self) -> Argv {
        let total: usize = self.families.iter().map(|(i, _)| FAMILIES[*i].weight).sum();
        let mut roll = self.rng.below(total);
        let mut chosen = 0;
        for (n, (i, _)) in self.families.iter().enumerate() {
            let w = FAMILIES[*i].weight;
            if roll < w {
                chosen = n;
                break;
            }
            roll -= w;
        }
        let (family, commands) = self.families[chosen].clone();
        let name = *self.rng.pick(&commands);
        (FAMILIES[family].generate)(self, name)
    }

    /// Client-side caching: a connection (RESP3 mostly, so that invalidations are pushed to it)
    /// turns tracking on in some mode and reads a few keys; the episode's writes then invalidate
    /// them, and both sides' pushes are compared.
    fn tracking_block(&mut self, steps: &mut Vec<Step>) {
        let conn = self.conn();
        if self.rng.chance(80) {
            self.push(steps, conn, vec![b("HELLO"), b("3")]);
        }
        let mut on = vec![b("CLIENT"), b("TRACKING"), b("ON")];
        let optin = match self.rng.below(10) {
            0..=2 => {
                on.push(b("BCAST"));
                for _ in 0..self.rng.below(3) {
                    on.push(b("PREFIX"));
                    on.push(b(self.rng.pick(&["k:", "str", "list:", "hash:1", "s"])));
                }
                false
            }
            3 | 4 => {
                on.push(b("OPTIN"));
                true
            }
            5 => {
                on.push(b("OPTOUT"));
                false
            }
            _ => false,
        };
        if self.rng.chance(30) {
            on.push(b("NOLOOP"));
        }
        self.push(steps, conn, on);
        for _ in 0..self.rng.range(1, 5) {
            if optin && self.rng.chance(70) {
                self.push(steps, conn, vec![b("CLIENT"), b("CACHING"), b("YES")]);
            }
            let argv = match self.rng.below(4) {
                0 => vec![b("GET"), self.key(Pool::Any)],
                1 => {
                    let mut argv = vec![b("MGET")];
                    argv.extend(self.keys(Pool::Any, 1, 4));
                    argv
                }
                _ => self.command(),
            };
            self.push(steps, conn, argv);
        }
    }

    /// MULTI, a few commands (some refused while queueing, some failing when run), EXEC or
    /// DISCARD; sometimes WATCH first and a write from another connection in between.
    fn transaction_block(&mut self, steps: &mut Vec<Step>) {
        let conn = self.conn();
        let watched = self.rng.chance(40).then(|| self.key(Pool::Any));
        if let Some(key) = &watched {
            self.push(steps, conn, vec![b("WATCH"), key.clone()]);
        }
        self.push(steps, conn, cmd("MULTI"));
        for _ in 0..self.rng.range(0, 6) {
            let argv = match self.rng.below(20) {
                0 => vec![b("NOSUCHCOMMAND"), b("x")],
                1 => cmd("GET"),
                2 => vec![b("WATCH"), self.key(Pool::Any)],
                3 => cmd("MULTI"),
                _ => self.command(),
            };
            self.push(steps, conn, argv);
        }
        if let Some(key) = watched
            && self.rng.chance(50)
        {
            let other = (conn + 1 + self.rng.below(2)) % 3;
            let value = self.value();
            self.push(steps, other, vec![b("SET"), key, value]);
        }
        let end = if self.rng.chance(80) {
            "EXEC"
        } else {
            "DISCARD"
        };
        self.push(steps, conn, cmd(end));
    }

    /// A stream with a consumer group and entries read by its consumers, then stream
    /// commands on it: otherwise groups would rarely exist when XREADGROUP, XPENDING, XCLAIM,
    /// XAUTOCLAIM and XACK are drawn.
    fn stream_group(&mut self, steps: &mut Vec<Step>) {
        let conn = self.conn();
        let key = b(&format!("stream:{}", self.rng.below(4)));
        for _ in 0..self.rng.range(1, 4) {
            self.stream_ms += 1;
            let id = b(&format!("{}-*", self.stream_ms));
            let field = self.field();
            let value = self.value();
            self.push(steps, conn, vec![b("XADD"), key.clone(), id, field, value]);
        }
        let create = vec![
            b("XGROUP"),
            b("CREATE"),
            key.clone(),
            b("g1"),
            b(self.rng.pick(&["0", "0", "$"])),
            b("MKSTREAM"),
        ];
        self.push(steps, conn, create);
        for _ in 0..self.rng.range(1, 3) {
            let reader = self.conn();
            let consumer = consumer(self);
            let count = b(&self.rng.range(1, 3).to_string());
            let read = vec![
                b("XREADGROUP"),
                b("GROUP"),
                b("g1"),
                consumer,
                b("COUNT"),
                count,
                b("STREAMS"),
                key.clone(),
                b(">"),
            ];
            self.push(steps, reader, read);
        }
        for _ in 0..self.rng.range(1, 6) {
            let conn = self.conn();
            let name = *self.rng.pick(&[
                "xpending",
                "xclaim",
                "xautoclaim",
                "xack",
                "xinfo",
                "xreadgroup",
                "xadd",
                "xdel",
            ]);
            let mut argv = stream(self, name);
            // On this stream and group.
            if let Some(k) = argv.iter_mut().find(|a| a.starts_with(b"stream:")) {
                k.clone_from(&key);
            }
            self.push(steps, conn, argv);
        }
    }

    /// SLOWLOG over a window where every command is logged: `slowlog-log-slower-than 0` (each
    /// side then logs all, whatever its commands took), an emptied log, a few commands on any
    /// connection, then SLOWLOG's subcommands. Outside such windows the server logs only what
    /// happened to be slow on this machine, so SLOWLOG is drawn here only.
    fn slowlog_window(&mut self, steps: &mut Vec<Step>) {
        let conn = self.conn();
        if self.in_multi[conn] || self.subscribed[conn] {
            self.push(steps, conn, cmd("RESET"));
        }
        self.push(steps, conn, words("CONFIG SET slowlog-log-slower-than 0"));
        if self.rng.chance(30) {
            let len = *self.rng.pick(&["0", "1", "3", "128"]);
            self.push(
                steps,
                conn,
                vec![b("CONFIG"), b("SET"), b("slowlog-max-len"), b(len)],
            );
        }
        self.push(steps, conn, words("SLOWLOG RESET"));
        for _ in 0..self.rng.range(1, 8) {
            let other = self.conn();
            let argv = self.command();
            self.push(steps, other, argv);
        }
        for _ in 0..self.rng.range(1, 3) {
            let argv = match self.rng.below(12) {
                0..=5 => {
                    let mut argv = vec![self.tok("SLOWLOG"), self.tok("GET")];
                    if self.rng.chance(60) {
                        argv.push(b(self
                            .rng
                            .pick(&["-1", "0", "1", "3", "100", "-5", "abc", "1.5"])));
                    }
                    argv
                }
                6..=8 => vec![self.tok("SLOWLOG"), self.tok("LEN")],
                9 => vec![self.tok("SLOWLOG"), self.tok("RESET")],
                10 => vec![self.tok("SLOWLOG"), self.tok("HELP")],
                _ => {
                    let sub = *self.rng.pick(&["NOSUCH", "LEN", "GET"]);
                    vec![self.tok("SLOWLOG"), self.tok(sub), b("1"), b("2")]
                }
            };
            self.push(steps, conn, argv);
        }
    }

    /// A blocking list command on one connection, then a push to one of its keys from another.
    fn blocking_pair(&mut self, steps: &mut Vec<Step>) {
        let conn = self.conn();
        let name = *self.rng.pick(&BLOCKING);
        let sorted = name.starts_with("bz");
        let argv = if sorted {
            zset(self, name)
        } else {
            list(self, name)
        };
        let keys: Vec<Vec<u8>> = argv.iter().filter(|a| a.contains(&b':')).cloned().collect();
        self.push(steps, conn, argv);
        if let Some(key) = keys.first() {
            let other = (conn + 1 + self.rng.below(2)) % 3;
            let mut argv = if sorted {
                vec![b("ZADD"), key.clone()]
            } else if self.rng.chance(50) {
                vec![b("RPUSH"), key.clone()]
            } else {
                vec![b("LPUSH"), key.clone()]
            };
            for _ in 0..self.rng.range(1, 3) {
                if sorted {
                    argv.push(self.score());
                    argv.push(self.zmember());
                } else {
                    argv.push(self.element());
                }
            }
            self.push(steps, other, argv);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Arguments.

    /// A command or option word, in the case it is usually written, sometimes not.
    fn tok(&mut self, word: &str) -> Vec<u8> {
        match self.rng.below(20) {
            0 => b(&word.to_ascii_lowercase()),
            1 => word
                .bytes()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect(),
            _ => b(word),
        }
    }

    fn key(&mut self, pool: Pool) -> Vec<u8> {
        let roll = self.rng.below(100);
        let prefix = match pool {
            _ if roll < 2 => return b(*self.rng.pick(&["", "\u{0}\u{7f}bin", "a key"])),
            Pool::Any if roll < 80 => *self.rng.pick(&POOLS),
            Pool::Any => "k",
            _ if roll < 70 => match pool {
                Pool::Str => "str",
                Pool::Bit => "bit",
                Pool::Hll => "hll",
                Pool::List => "list",
                Pool::Hash => "hash",
                Pool::Zset => "zset",
                Pool::Stream => "stream",
                Pool::Set | Pool::Any => "set",
            },
            _ if roll < 90 => "k",
            _ => *self.rng.pick(&POOLS),
        };
        // Streams gather entries, groups and consumers over many commands: few names.
        let n = match prefix {
            "k" => self.rng.below(6),
            "stream" => self.rng.below(4),
            _ => self.rng.below(12),
        };
        b(&format!("{prefix}:{n}"))
    }

    fn keys(&mut self, pool: Pool, min: i64, max: i64) -> Argv {
        (0..self.rng.range(min, max))
            .map(|_| self.key(pool))
            .collect()
    }

    fn value(&mut self) -> Vec<u8> {
        match self.rng.below(24) {
            0..=5 => b(&self.rng.range(-10, 100).to_string()),
            6 => b(self.rng.pick(&[
                "9223372036854775807",
                "-9223372036854775808",
                "9223372036854775808",
                "4611686018427387904",
                "-0",
            ])),
            7 => b(self.rng.pick(&[
                "1.5", "-0.5", "3.0e2", "inf", "nan", "1e400", ".5", "5.", "0.1",
            ])),
            8 => Vec::new(),
            9 => b"\x00\xff\x80bin\r\n".to_vec(),
            10 => vec![b'x'; *self.rng.pick(&[44, 45, 64, 65, 100])],
            11 => b("foo bar"),
            12 => b(self
                .rng
                .pick(&[" 1", "+1", "0x10", "01", "1 ", "12345678901234567890"])),
            _ => b(self
                .rng
                .pick(&["a", "b", "c", "hello", "world", "foo", "bar", "x", "y", "z"])),
        }
    }

    /// Set members: mostly small integers (intsets), some words.
    fn member(&mut self) -> Vec<u8> {
        match self.rng.below(10) {
            0..=5 => b(&self.rng.range(-5, 40).to_string()),
            6 => b(self
                .rng
                .pick(&["9223372036854775807", "-9223372036854775808", "007"])),
            _ => self.value(),
        }
    }

    fn field(&mut self) -> Vec<u8> {
        if self.rng.chance(80) {
            b(&format!("f{}", self.rng.below(10)))
        } else {
            self.value()
        }
    }

    fn element(&mut self) -> Vec<u8> {
        if self.rng.chance(70) {
            b(self.rng.pick(&["a", "b", "c", "1", "2", "3"]))
        } else {
            self.value()
        }
    }

    /// Sorted-set members: a few letters (so lexicographic ranges meet them), numbers, and
    /// now and then a long one (past zset-max-listpack-value, 64 bytes).
    fn zmember(&mut self) -> Vec<u8> {
        match self.rng.below(12) {
            0..=6 => b(self
                .rng
                .pick(&["a", "b", "c", "d", "e", "aa", "ab", "b\u{0}", "A"])),
            7 | 8 => b(&self.rng.range(-3, 12).to_string()),
            _ => self.value(),
        }
    }

    /// Scores: mostly small numbers with ties, some fractions, infinities and refused ones.
    /// Never a subnormal one (`5e-324`): reading it back from a listpack sets errno, which
    /// Redis 7.0's SORT then mistakes for its own conversion failing (see the runner).
    fn score(&mut self) -> Vec<u8> {
        if self.rng.below(10) <= 5 {
            return b(&self.rng.range(-3, 6).to_string());
        }
        let score = self.float();
        if score == b"5e-324" { b("1e-3") } else { score }
    }

    /// A score range bound: inclusive, exclusive with `(`, infinite, or refused.
    fn score_bound(&mut self) -> Vec<u8> {
        match self.rng.below(12) {
            0..=4 => b(&self.rng.range(-3, 6).to_string()),
            5 | 6 => b(&format!("({}", self.rng.range(-3, 6))),
            7 | 8 => b(self.rng.pick(&["-inf", "+inf", "inf", "(-inf", "(+inf"])),
            9 => b(self.rng.pick(&["1.5", "(2.5", "1e1", "-0", "(0"])),
            _ => b(self.rng.pick(&["abc", "(", "", "((1", "nan", "(nan", "1 "])),
        }
    }

    /// A lexicographic range bound: `[x`, `(x`, `-`, `+`, or refused.
    fn lex_bound(&mut self) -> Vec<u8> {
        match self.rng.below(10) {
            0..=3 => b(&format!(
                "[{}",
                self.rng.pick(&["a", "b", "c", "aa", "", "A"])
            )),
            4..=6 => b(&format!("({}", self.rng.pick(&["a", "b", "c", "ab", ""]))),
            7 | 8 => b(self.rng.pick(&["-", "+"])),
            _ => b(self.rng.pick(&["a", "", "-a", "+b", "[", "("])),
        }
    }

    fn int(&mut self) -> Vec<u8> {
        match self.rng.below(14) {
            0..=6 => b(&self.rng.range(-100, 100).to_string()),
            7 => b(self.rng.pick(&[
                "9223372036854775807",
                "-9223372036854775808",
                "9223372036854775806",
                "-9223372036854775807",
                "4611686018427387904",
            ])),
            8 => b(self.rng.pick(&[
                "9223372036854775808",
                "-9223372036854775809",
                "99999999999999999999",
            ])),
            9 | 10 => b(self.rng.pick(&[
                "abc", "", "1.5", " 1", "+1", "1e3", "0x10", "-0", "007", "inf", "nan", "1 ",
            ])),
            _ => b(&self.rng.range(0, 10).to_string()),
        }
    }

    fn float(&mut self) -> Vec<u8> {
        if self.rng.chance(30) {
            return self.int();
        }
        b(self.rng.pick(&[
            "1.5",
            "-2.25",
            "0",
            "1e3",
            "1e-3",
            "3",
            "-1",
            "0.1",
            "inf",
            "-inf",
            "+inf",
            "nan",
            "1e400",
            "-1e400",
            "abc",
            "",
            "0x10",
            "1.7976931348623157e308",
            "5e-324",
            " 1.5",
            "1.5 ",
            "10.5e2",
            "3.0000000000000001",
        ]))
    }

    /// A list index or range bound.
    fn index(&mut self) -> Vec<u8> {
        match self.rng.below(12) {
            0 => b(self.rng.pick(&[
                "9223372036854775807",
                "-9223372036854775808",
                "9223372036854775808",
                "abc",
                "1.5",
                "",
            ])),
            _ => b(&self.rng.range(-12, 12).to_string()),
        }
    }

    fn count(&mut self) -> Vec<u8> {
        match self.rng.below(14) {
            0 => b(self.rng.pick(&[
                "-1",
                "abc",
                "",
                "9223372036854775807",
                "-9223372036854775808",
            ])),
            1 => b("1000"),
            _ => b(&self.rng.range(0, 6).to_string()),
        }
    }

    /// Relative seconds that never fall due during a run, or delete at once, or are refused.
    fn secs(&mut self) -> Vec<u8> {
        b(self.rng.pick(&[
            "100000",
            "86400000",
            "100000",
            "0",
            "-1",
            "-100",
            "9223372036854775807",
            "9223372036854775",
            "92233720368547758",
            "abc",
            "1.5",
            "",
        ]))
    }

    fn millis(&mut self) -> Vec<u8> {
        b(self.rng.pick(&[
            "100000000",
            "86400000000",
            "100000000",
            "0",
            "-1",
            "9223372036854775807",
            "9223372036854775",
            "abc",
            "1.5",
        ]))
    }

    /// Unix seconds: 2001 (past), 2100 (future), or refused.
    fn unix_secs(&mut self) -> Vec<u8> {
        b(self.rng.pick(&[
            "1000000000",
            "4102444800",
            "4102444800",
            "0",
            "-1",
            "9223372036854775807",
            "92233720368547758",
            "abc",
        ]))
    }

    /// Unix seconds for SET, never in the past: SET leaves a key whose time has passed in
    /// place until Redis's active expiry (ten times a second) removes it, so DBSIZE would
    /// depend on timing.
    fn future_secs(&mut self) -> Vec<u8> {
        b(self
            .rng
            .pick(&["4102444800", "0", "-1", "9223372036854775807", "abc"]))
    }

    fn future_millis(&mut self) -> Vec<u8> {
        b(self
            .rng
            .pick(&["4102444800000", "0", "-1", "9223372036854775807", "abc"]))
    }

    fn unix_millis(&mut self) -> Vec<u8> {
        b(self.rng.pick(&[
            "1000000000000",
            "4102444800000",
            "4102444800000",
            "0",
            "-1",
            "9223372036854775807",
            "abc",
        ]))
    }

    fn db(&mut self) -> Vec<u8> {
        match self.rng.below(10) {
            0 => b(self
                .rng
                .pick(&["16", "-1", "abc", "15", "9223372036854775808"])),
            _ => b(&self.rng.range(0, 2).to_string()),
        }
    }

    fn pattern(&mut self) -> Vec<u8> {
        b(self.rng.pick(&[
            "*",
            "str:*",
            "*:1",
            "k:?",
            "[hl]*",
            "*1*",
            "h\\*",
            "nomatch*",
            "",
            "list:[0-5]",
            "[a-",
            "s*",
            "*[^0-9]",
        ]))
    }

    /// `count` random option words from `options` (with their arguments), in random order,
    /// sometimes repeated; now and then an argument is left out or a word is unknown.
    fn options(&mut self, options: &[(&str, ArgGen)], max: i64) -> Argv {
        let mut out = Vec::new();
        for _ in 0..self.rng.range(0, max) {
            if self.rng.chance(4) {
                out.push(b("BADOPTION"));
                continue;
            }
            let (word, arg) = *self.rng.pick(options);
            out.push(self.tok(word));
            if self.rng.chance(97) {
                let value = arg(self);
                if !value.is_empty() || word.is_empty() {
                    out.push(value);
                }
            }
        }
        out.retain(|w| !w.is_empty());
        out
    }
}

/// No argument after the option word.
fn none(_: &mut Gen) -> Vec<u8> {
    Vec::new()
}

fn with(name: &str, args: impl IntoIterator<Item = Vec<u8>>) -> Argv {
    let mut argv = vec![b(name)];
    argv.extend(args);
    argv
}

// ---------------------------------------------------------------------------------------------
// The families.

fn string(g: &mut Gen, name: &str) -> Argv {
    let k = g.key(Pool::Str);
    let head = g.tok(name);
    let mut argv = vec![head, k.clone()];
    match name {
        "append" | "getset" | "setnx" => argv.push(g.value()),
        "decrby" | "incrby" => argv.push(g.int()),
        "incrbyfloat" => argv.push(g.float()),
        "getex" => argv.extend(g.options(
            &[
                ("EX", Gen::secs),
                ("PX", Gen::millis),
                ("EXAT", Gen::unix_secs),
                ("PXAT", Gen::unix_millis),
                ("PERSIST", none),
            ],
            2,
        )),
        "getrange" | "substr" => {
            argv.push(g.index());
            argv.push(g.index());
        }
        "lcs" => {
            argv.push(g.key(Pool::Str));
            argv.extend(g.options(
                &[
                    ("LEN", none),
                    ("IDX", none),
                    ("MINMATCHLEN", Gen::int),
                    ("WITHMATCHLEN", none),
                ],
                3,
            ));
        }
        "mget" => argv.extend(g.keys(Pool::Str, 0, 3)),
        "mset" | "msetnx" => {
            argv.push(g.value());
            for _ in 0..g.rng.range(0, 2) {
                argv.push(g.key(Pool::Str));
                argv.push(g.value());
            }
            if g.rng.chance(5) {
                argv.push(g.key(Pool::Str));
            }
        }
        "psetex" => {
            argv.push(g.millis());
            argv.push(g.value());
        }
        "setex" => {
            argv.push(g.secs());
            argv.push(g.value());
        }
        "set" => {
            argv.push(g.value());
            argv.extend(g.options(
                &[
                    ("NX", none),
                    ("XX", none),
                    ("GET", none),
                    ("EX", Gen::secs),
                    ("PX", Gen::millis),
                    ("EXAT", Gen::future_secs),
                    ("PXAT", Gen::future_millis),
                    ("KEEPTTL", none),
                ],
                3,
            ));
        }
        "setrange" => match g.rng.below(10) {
            // Large offsets only where Redis allocates nothing: an empty value, or an error.
            0 => argv.extend([b("536870911"), Vec::new()]),
            1 => argv.extend([b("536870912"), b("x")]),
            2 => argv.extend([b("-1"), b("x")]),
            3 => argv.extend([b("abc"), g.value()]),
            _ => {
                argv.push(b(&g.rng.range(0, 40).to_string()));
                argv.push(g.value());
            }
        },
        _ => {}
    }
    argv
}

/// A bit offset: small, or refused (offsets Redis would allocate 512 MB for are avoided).
fn bit_offset(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(12) {
        0 => b(g.rng.pick(&["4294967296", "-1", "abc", "1.5", ""])),
        _ => b(&g.rng.range(0, 200).to_string()),
    }
}

fn bit_range(g: &mut Gen, argv: &mut Argv) {
    let n = g.rng.below(4);
    if n >= 1 {
        argv.push(g.index());
    }
    if n >= 2 {
        argv.push(g.index());
    }
    if n >= 3 {
        let unit = *g.rng.pick(&["BYTE", "BIT", "BIT", "WORD"]);
        argv.push(g.tok(unit));
    }
}

fn bitfield_type(g: &mut Gen) -> Vec<u8> {
    if g.rng.chance(10) {
        return b(g.rng.pick(&["u64", "i65", "i0", "u0", "x8", "8", "", "I8"]));
    }
    let signed = g.rng.chance(50);
    let bits = if signed {
        g.rng.range(1, 64)
    } else {
        g.rng.range(1, 63)
    };
    b(&format!("{}{bits}", if signed { 'i' } else { 'u' }))
}

fn bitfield_offset(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(10) {
        0 => b(g.rng.pick(&["-1", "abc", "#-1", "#", "4294967296"])),
        1..=3 => b(&format!("#{}", g.rng.range(0, 8))),
        _ => b(&g.rng.range(0, 100).to_string()),
    }
}

fn bitmap(g: &mut Gen, name: &str) -> Argv {
    let pool = if g.rng.chance(80) {
        Pool::Bit
    } else {
        Pool::Str
    };
    let k = g.key(pool);
    let mut argv = vec![g.tok(name), k];
    match name {
        "setbit" => {
            argv.push(bit_offset(g));
            argv.push(if g.rng.chance(85) {
                b(g.rng.pick(&["0", "1"]))
            } else {
                b(g.rng.pick(&["2", "-1", "abc", ""]))
            });
        }
        "getbit" => argv.push(if g.rng.chance(10) {
            b("4294967295")
        } else {
            bit_offset(g)
        }),
        "bitcount" => bit_range(g, &mut argv),
        "bitpos" => {
            argv.push(b(g.rng.pick(&["0", "1", "1", "0", "2", "-1", "abc"])));
            bit_range(g, &mut argv);
        }
        "bitop" => {
            let op = *g.rng.pick(&["AND", "OR", "XOR", "NOT", "NOT", "NAND"]);
            argv = vec![g.tok(name), g.tok(op), g.key(pool)];
            let n = if op == "NOT" && g.rng.chance(80) {
                1
            } else {
                g.rng.range(0, 3)
            };
            for _ in 0..n {
                argv.push(g.key(pool));
            }
        }
        "bitfield" | "bitfield_ro" => {
            for _ in 0..g.rng.range(0, 3) {
                let op = if name == "bitfield_ro" && g.rng.chance(90) {
                    "GET"
                } else {
                    *g.rng
                        .pick(&["GET", "SET", "INCRBY", "OVERFLOW", "GET", "BAD"])
                };
                argv.push(g.tok(op));
                match op {
                    "GET" => {
                        argv.push(bitfield_type(g));
                        argv.push(bitfield_offset(g));
                    }
                    "SET" | "INCRBY" => {
                        argv.push(bitfield_type(g));
                        argv.push(bitfield_offset(g));
                        argv.push(g.int());
                    }
                    "OVERFLOW" => {
                        let how = *g.rng.pick(&["WRAP", "SAT", "FAIL", "NONE"]);
                        argv.push(g.tok(how));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    argv
}

fn hll_element(g: &mut Gen) -> Vec<u8> {
    if g.rng.chance(80) {
        b(&format!("e{}", g.rng.below(300)))
    } else {
        g.value()
    }
}

fn hyperloglog(g: &mut Gen, name: &str) -> Argv {
    let k = g.key(Pool::Hll);
    let mut argv = vec![g.tok(name), k];
    match name {
        "pfadd" => {
            // Sometimes enough elements to make the sparse encoding dense.
            let n = if g.rng.chance(5) {
                g.rng.range(200, 1500)
            } else {
                g.rng.range(0, 5)
            };
            for _ in 0..n {
                argv.push(hll_element(g));
            }
        }
        "pfcount" => argv.extend(g.keys(Pool::Hll, 0, 2)),
        "pfmerge" => argv.extend(g.keys(Pool::Hll, 0, 3)),
        "pfdebug" => {
            let sub = *g
                .rng
                .pick(&["GETREG", "DECODE", "ENCODING", "TODENSE", "NOPE"]);
            argv = vec![g.tok(name), g.tok(sub), g.key(Pool::Hll)];
        }
        _ => {}
    }
    argv
}

fn expire_condition(g: &mut Gen) -> Argv {
    (0..g.rng.range(0, 2))
        .map(|_| {
            let word = *g.rng.pick(&["NX", "XX", "GT", "LT", "XX", "GT", "BAD"]);
            g.tok(word)
        })
        .collect()
}

fn generic(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let k = g.key(Pool::Any);
    let mut argv = vec![head, k];
    match name {
        "del" | "exists" | "touch" | "unlink" => argv.extend(g.keys(Pool::Any, 0, 3)),
        "keys" => argv = vec![argv[0].clone(), g.pattern()],
        "randomkey" => argv.truncate(1),
        "rename" | "renamenx" => argv.push(if g.rng.chance(10) {
            argv[1].clone()
        } else {
            g.key(Pool::Any)
        }),
        "copy" => {
            argv.push(g.key(Pool::Any));
            argv.extend(g.options(&[("DB", Gen::db), ("REPLACE", none)], 2));
        }
        "move" => argv.push(g.db()),
        "object" => {
            let sub = *g
                .rng
                .pick(&["ENCODING", "REFCOUNT", "IDLETIME", "FREQ", "HELP", "NOPE"]);
            argv = vec![argv[0].clone(), g.tok(sub)];
            if sub != "HELP" || g.rng.chance(10) {
                argv.push(g.key(Pool::Any));
            }
        }
        "restore" => {
            let absolute = g.rng.chance(30);
            argv.push(if absolute {
                g.unix_millis()
            } else {
                b(g.rng.pick(&["0", "0", "100000000", "-1", "abc"]))
            });
            argv.push(if g.payloads.is_empty() || g.rng.chance(5) {
                b("not a payload")
            } else {
                g.rng.pick(&g.payloads).clone()
            });
            if absolute {
                argv.push(g.tok("ABSTTL"));
            }
            argv.extend(g.options(
                &[
                    ("REPLACE", none),
                    ("REPLACE", none),
                    ("ABSTTL", none),
                    ("IDLETIME", Gen::count),
                    ("FREQ", Gen::count),
                ],
                2,
            ));
        }
        "scan" => {
            argv = vec![argv[0].clone(), scan_cursor(g)];
            argv.extend(g.options(
                &[
                    ("MATCH", Gen::pattern),
                    ("COUNT", scan_count),
                    ("TYPE", |g| {
                        b(g.rng
                            .pick(&["string", "list", "hash", "set", "zset", "none", "bogus"]))
                    }),
                ],
                3,
            ));
        }
        "expire" => {
            argv.push(g.secs());
            argv.extend(expire_condition(g));
        }
        "pexpire" => {
            argv.push(g.millis());
            argv.extend(expire_condition(g));
        }
        "expireat" => {
            argv.push(g.unix_secs());
            argv.extend(expire_condition(g));
        }
        "pexpireat" => {
            argv.push(g.unix_millis());
            argv.extend(expire_condition(g));
        }
        _ => {}
    }
    argv
}

fn scan_cursor(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(10) {
        0 => b(g.rng.pick(&[
            "abc",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "3",
        ])),
        _ => b("0"),
    }
}

/// Mostly large enough for one call to return everything (then both sides compare).
fn scan_count(g: &mut Gen) -> Vec<u8> {
    b(g.rng.pick(&["1000", "1000", "1000", "2", "0", "-1", "abc"]))
}

fn hash(g: &mut Gen, name: &str) -> Argv {
    let k = g.key(Pool::Hash);
    let mut argv = vec![g.tok(name), k];
    match name {
        "hset" | "hmset" => {
            // Sometimes past hash-max-listpack-entries (128).
            let n = if g.rng.chance(3) {
                g.rng.range(120, 140)
            } else {
                g.rng.range(1, 4)
            };
            for i in 0..n {
                argv.push(if n > 100 {
                    b(&format!("f{i}"))
                } else {
                    g.field()
                });
                argv.push(g.value());
            }
            if g.rng.chance(4) {
                argv.pop();
            }
        }
        "hsetnx" => {
            argv.push(g.field());
            argv.push(g.value());
        }
        "hget" | "hexists" | "hstrlen" => argv.push(g.field()),
        "hdel" | "hmget" => {
            for _ in 0..g.rng.range(1, 3) {
                argv.push(g.field());
            }
        }
        "hincrby" => {
            argv.push(g.field());
            argv.push(g.int());
        }
        "hincrbyfloat" => {
            argv.push(g.field());
            argv.push(g.float());
        }
        "hrandfield" if g.rng.chance(70) => {
            argv.push(random_count(g));
            if g.rng.chance(50) {
                let word = *g.rng.pick(&["WITHVALUES", "WITHVALUES", "BAD"]);
                argv.push(g.tok(word));
            }
        }
        "hscan" => collection_scan(g, &mut argv),
        _ => {}
    }
    argv
}

/// HSCAN / SSCAN's cursor and options.
fn collection_scan(g: &mut Gen, argv: &mut Argv) {
    argv.push(scan_cursor(g));
    argv.extend(g.options(
        &[
            ("MATCH", |g| {
                b(g.rng.pick(&["*", "f*", "*1*", "1*", "[ab]", "x"]))
            }),
            ("COUNT", scan_count),
        ],
        2,
    ));
}

/// Counts for SRANDMEMBER / HRANDFIELD: moderate (a huge negative count would make Redis
/// build an enormous reply), or refused.
fn random_count(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(12) {
        0 => b(g.rng.pick(&[
            "abc",
            "",
            "1.5",
            "-9223372036854775808",
            "9223372036854775808",
        ])),
        1 => b(g.rng.pick(&["1000", "-1000", "9223372036854775807"])),
        _ => b(&g.rng.range(-6, 6).to_string()),
    }
}

fn timeout(g: &mut Gen) -> Vec<u8> {
    // Only timeouts that cannot expire during a run (0 waits forever), or are refused.
    b(g.rng.pick(&[
        "0", "0", "0", "100000", "-1", "abc", "1e400", "inf", "-0", "0.0", "",
    ]))
}

fn side(g: &mut Gen) -> Vec<u8> {
    let word = *g.rng.pick(&["LEFT", "RIGHT", "LEFT", "RIGHT", "MIDDLE"]);
    g.tok(word)
}

fn numkeys_and_keys(g: &mut Gen, pool: Pool, argv: &mut Argv) {
    let keys = g.keys(pool, 1, 3);
    argv.push(if g.rng.chance(8) {
        b(g.rng.pick(&["0", "-1", "5", "abc", "9223372036854775807"]))
    } else {
        b(&keys.len().to_string())
    });
    argv.extend(keys);
}

fn list(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let k = g.key(Pool::List);
    let mut argv = vec![head, k];
    match name {
        "lpush" | "rpush" | "lpushx" | "rpushx" => {
            let n = if g.rng.chance(3) {
                g.rng.range(100, 200)
            } else {
                g.rng.range(1, 4)
            };
            for _ in 0..n {
                argv.push(g.element());
            }
        }
        "lpop" | "rpop" if g.rng.chance(40) => {
            argv.push(g.count());
        }
        "lrange" | "ltrim" => {
            argv.push(g.index());
            argv.push(g.index());
        }
        "lindex" => argv.push(g.index()),
        "lset" => {
            argv.push(g.index());
            argv.push(g.element());
        }
        "linsert" => {
            let where_ = *g.rng.pick(&["BEFORE", "AFTER", "BEFORE", "AFTER", "NEAR"]);
            argv.push(g.tok(where_));
            argv.push(g.element());
            argv.push(g.element());
        }
        "lrem" => {
            argv.push(b(&g.rng.range(-3, 3).to_string()));
            argv.push(g.element());
        }
        "lpos" => {
            argv.push(g.element());
            argv.extend(g.options(
                &[
                    ("RANK", |g| {
                        b(g.rng
                            .pick(&["1", "2", "-1", "-2", "0", "-9223372036854775808", "abc"]))
                    }),
                    ("COUNT", |g| b(g.rng.pick(&["0", "1", "2", "-1", "abc"]))),
                    ("MAXLEN", |g| b(g.rng.pick(&["0", "1", "3", "-1", "abc"]))),
                ],
                3,
            ));
        }
        "lmove" | "blmove" => {
            argv.push(g.key(Pool::List));
            argv.push(side(g));
            argv.push(side(g));
            if name == "blmove" {
                argv.push(timeout(g));
            }
        }
        "rpoplpush" => argv.push(g.key(Pool::List)),
        "brpoplpush" => {
            argv.push(g.key(Pool::List));
            argv.push(timeout(g));
        }
        "blpop" | "brpop" => {
            argv.extend(g.keys(Pool::List, 0, 2));
            argv.push(timeout(g));
        }
        "lmpop" | "blmpop" => {
            argv.truncate(1);
            if name == "blmpop" {
                argv.push(timeout(g));
            }
            numkeys_and_keys(g, Pool::List, &mut argv);
            argv.push(side(g));
            if g.rng.chance(40) {
                argv.push(g.tok("COUNT"));
                argv.push(g.count());
            }
        }
        _ => {}
    }
    argv
}

fn set(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let k = g.key(Pool::Set);
    let mut argv = vec![head, k];
    match name {
        "sadd" => {
            // Sometimes past set-max-intset-entries (512).
            if g.rng.chance(3) {
                let n = g.rng.range(500, 530);
                argv.extend((0..n).map(|i| b(&i.to_string())));
            } else {
                for _ in 0..g.rng.range(1, 5) {
                    argv.push(g.member());
                }
            }
        }
        "srem" | "smismember" => {
            for _ in 0..g.rng.range(1, 3) {
                argv.push(g.member());
            }
        }
        "sismember" => argv.push(g.member()),
        "smove" => {
            argv.push(g.key(Pool::Set));
            argv.push(g.member());
        }
        "spop" => {
            // Inside MULTI a random pop could not be resynchronised: whole sets only.
            let counts: &[&str] = if g.in_multi.iter().any(|&m| m) {
                &["0", "1000", "-1", "abc"]
            } else {
                &[
                    "1",
                    "2",
                    "3",
                    "0",
                    "1000",
                    "-1",
                    "abc",
                    "9223372036854775807",
                    "",
                ]
            };
            let count = *g.rng.pick(counts);
            if !count.is_empty() {
                argv.push(b(count));
            } else if g.in_multi.iter().any(|&m| m) {
                argv.push(b("1000"));
            }
        }
        "srandmember" if g.rng.chance(70) => {
            argv.push(random_count(g));
        }
        "sinter" | "sunion" | "sdiff" => argv.extend(g.keys(Pool::Set, 0, 2)),
        "sinterstore" | "sunionstore" | "sdiffstore" => argv.extend(g.keys(Pool::Set, 1, 3)),
        "sintercard" => {
            argv.truncate(1);
            numkeys_and_keys(g, Pool::Set, &mut argv);
            if g.rng.chance(40) {
                argv.push(g.tok("LIMIT"));
                argv.push(g.count());
            }
        }
        "sscan" => collection_scan(g, &mut argv),
        _ => {}
    }
    argv
}

/// Scores and members for ZADD-like commands, now and then past zset-max-listpack-entries
/// (128) so the skiplist encoding is met too.
fn score_members(g: &mut Gen, argv: &mut Argv) {
    if g.rng.chance(3) {
        for i in 0..g.rng.range(120, 140) {
            argv.push(b(&(i % 7).to_string()));
            argv.push(b(&format!("m{i}")));
        }
        return;
    }
    for _ in 0..g.rng.range(1, 4) {
        argv.push(g.score());
        argv.push(g.zmember());
    }
    if g.rng.chance(5) {
        // An odd number of arguments: a syntax error.
        argv.push(g.score());
    }
}

/// ZUNION/ZINTER(STORE)'s tail: WEIGHTS, AGGREGATE, WITHSCORES (not for the STORE forms,
/// though sometimes given to see the error).
fn set_op_options(g: &mut Gen, argv: &mut Argv, keys: usize, store: bool) {
    if g.rng.chance(30) {
        argv.push(g.tok("WEIGHTS"));
        let n = if g.rng.chance(85) {
            keys
        } else {
            keys.saturating_sub(1)
        };
        for _ in 0..n {
            argv.push(b(g
                .rng
                .pick(&["1", "2", "0", "-1", "0.5", "inf", "-inf", "abc"])));
        }
    }
    if g.rng.chance(30) {
        argv.push(g.tok("AGGREGATE"));
        let how = *g.rng.pick(&["SUM", "MIN", "MAX", "AVG"]);
        argv.push(g.tok(how));
    }
    if g.rng.chance(if store { 5 } else { 40 }) {
        argv.push(g.tok("WITHSCORES"));
    }
}

fn zset(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let k = g.key(Pool::Zset);
    let mut argv = vec![head, k];
    match name {
        "zadd" => {
            for flag in ["NX", "XX", "GT", "LT", "CH", "INCR"] {
                if g.rng.chance(12) {
                    argv.push(g.tok(flag));
                }
            }
            score_members(g, &mut argv);
        }
        "zincrby" => {
            argv.push(g.score());
            argv.push(g.zmember());
        }
        "zrem" | "zmscore" => {
            for _ in 0..g.rng.range(1, 3) {
                argv.push(g.zmember());
            }
        }
        "zscore" | "zrank" | "zrevrank" => argv.push(g.zmember()),
        "zcount" | "zremrangebyscore" => {
            argv.push(g.score_bound());
            argv.push(g.score_bound());
        }
        "zlexcount" | "zremrangebylex" => {
            argv.push(g.lex_bound());
            argv.push(g.lex_bound());
        }
        "zremrangebyrank" | "zrevrange" => {
            argv.push(g.index());
            argv.push(g.index());
            if name == "zrevrange" && g.rng.chance(40) {
                argv.push(g.tok("WITHSCORES"));
            }
        }
        "zrangebyscore" | "zrevrangebyscore" | "zrangebylex" | "zrevrangebylex" => {
            let lex = name.ends_with("lex");
            for _ in 0..2 {
                let bound = if lex { g.lex_bound() } else { g.score_bound() };
                argv.push(bound);
            }
            if !lex && g.rng.chance(40) {
                argv.push(g.tok("WITHSCORES"));
            }
            if g.rng.chance(30) {
                argv.push(g.tok("LIMIT"));
                argv.push(g.index());
                argv.push(b(g.rng.pick(&["1", "2", "-1", "0", "5", "abc"])));
            }
        }
        "zrange" | "zrangestore" => {
            if name == "zrangestore" {
                argv.push(g.key(Pool::Zset));
            }
            let by = g.rng.below(3);
            for _ in 0..2 {
                let bound = match by {
                    0 => g.index(),
                    1 => g.score_bound(),
                    _ => g.lex_bound(),
                };
                argv.push(bound);
            }
            match by {
                1 => argv.push(g.tok("BYSCORE")),
                2 => argv.push(g.tok("BYLEX")),
                _ => {}
            }
            if g.rng.chance(30) {
                argv.push(g.tok("REV"));
            }
            if g.rng.chance(25) {
                argv.push(g.tok("LIMIT"));
                argv.push(g.index());
                argv.push(b(g.rng.pick(&["1", "2", "-1", "0", "5", "abc"])));
            }
            if g.rng.chance(if name == "zrange" { 40 } else { 5 }) {
                argv.push(g.tok("WITHSCORES"));
            }
        }
        "zpopmin" | "zpopmax" if g.rng.chance(50) => argv.push(g.count()),
        "bzpopmin" | "bzpopmax" => {
            argv.extend(g.keys(Pool::Zset, 0, 2));
            argv.push(timeout(g));
        }
        "zmpop" | "bzmpop" => {
            argv.truncate(1);
            if name == "bzmpop" {
                argv.push(timeout(g));
            }
            numkeys_and_keys(g, Pool::Zset, &mut argv);
            let end = *g.rng.pick(&["MIN", "MAX", "MIN", "MAX", "MIDDLE"]);
            argv.push(g.tok(end));
            if g.rng.chance(40) {
                argv.push(g.tok("COUNT"));
                argv.push(g.count());
            }
        }
        "zrandmember" if g.rng.chance(70) => {
            argv.push(random_count(g));
            if g.rng.chance(40) {
                argv.push(g.tok("WITHSCORES"));
            }
        }
        "zunion" | "zinter" | "zdiff" | "zintercard" => {
            argv.truncate(1);
            numkeys_and_keys(g, Pool::Zset, &mut argv);
            let keys = argv.len() - 2;
            match name {
                "zdiff" if g.rng.chance(40) => argv.push(g.tok("WITHSCORES")),
                "zintercard" if g.rng.chance(40) => {
                    argv.push(g.tok("LIMIT"));
                    argv.push(g.count());
                }
                "zunion" | "zinter" => set_op_options(g, &mut argv, keys, false),
                _ => {}
            }
        }
        "zunionstore" | "zinterstore" | "zdiffstore" => {
            numkeys_and_keys(g, Pool::Zset, &mut argv);
            let keys = argv.len() - 3;
            if name != "zdiffstore" {
                set_op_options(g, &mut argv, keys, true);
            }
        }
        "zscan" => collection_scan(g, &mut argv),
        _ => {}
    }
    argv
}

/// A stream entry ID: explicit (small, so they collide and go backwards), with an automatic
/// sequence, or refused. Never `*`: the server's clock and the engine's differ by moments.
fn stream_id(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(12) {
        0..=6 => b(&format!("{}-{}", g.rng.range(0, 12), g.rng.range(0, 3))),
        7 | 8 => b(&format!("{}-*", g.rng.range(0, 12))),
        9 => b(&g.rng.range(0, 12).to_string()),
        _ => b(g.rng.pick(&[
            "0-0",
            "abc",
            "1-abc",
            "-1",
            "18446744073709551615-18446744073709551615",
            "18446744073709551615-*",
            "18446744073709551616",
            "",
        ])),
    }
}

/// A range bound for XRANGE and friends: `-`, `+`, an ID, an exclusive `(ID`, or refused.
fn stream_bound(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(10) {
        0 | 1 => b("-"),
        2 | 3 => b("+"),
        4..=6 => b(&format!("{}-{}", g.rng.range(0, 12), g.rng.range(0, 3))),
        7 => b(&format!("({}-{}", g.rng.range(0, 12), g.rng.range(0, 3))),
        8 => b(&g.rng.range(0, 12).to_string()),
        _ => b(g.rng.pick(&[
            "(-",
            "(+",
            "abc",
            "1-*",
            "(18446744073709551615-18446744073709551615",
        ])),
    }
}

fn group(g: &mut Gen) -> Vec<u8> {
    b(g.rng.pick(&["g1", "g1", "g1", "g2", "nogroup"]))
}

fn consumer(g: &mut Gen) -> Vec<u8> {
    b(g.rng.pick(&["c1", "c1", "c2", "c3"]))
}

/// MAXLEN / MINID trimming with `=` or `~` and LIMIT (XADD, XTRIM).
fn trim_options(g: &mut Gen, argv: &mut Argv, required: bool) {
    if !required && !g.rng.chance(30) {
        return;
    }
    let minid = g.rng.chance(40);
    argv.push(g.tok(if minid { "MINID" } else { "MAXLEN" }));
    match g.rng.below(4) {
        0 => argv.push(b("=")),
        1 => argv.push(b("~")),
        _ => {}
    }
    argv.push(if minid {
        stream_id(g)
    } else {
        b(g.rng.pick(&["0", "1", "2", "3", "5", "-1", "abc", "1000"]))
    });
    if g.rng.chance(15) {
        argv.push(g.tok("LIMIT"));
        argv.push(b(g.rng.pick(&["0", "1", "10", "-1", "abc"])));
    }
}

/// XPENDING / XCLAIM idle times: 0 (everything), an hour (nothing), or refused.
fn min_idle(g: &mut Gen) -> Vec<u8> {
    b(g.rng.pick(&["0", "0", "0", "3600000", "-1", "abc"]))
}

fn stream(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let k = g.key(Pool::Stream);
    let mut argv = vec![head, k];
    match name {
        "xadd" => {
            if g.rng.chance(10) {
                argv.push(g.tok("NOMKSTREAM"));
            }
            trim_options(g, &mut argv, false);
            let id = if g.rng.chance(60) {
                g.stream_ms += g.rng.range(0, 2);
                if g.rng.chance(50) {
                    b(&format!("{}-*", g.stream_ms))
                } else {
                    b(&format!("{}-{}", g.stream_ms, g.rng.range(0, 3)))
                }
            } else {
                stream_id(g)
            };
            argv.push(id);
            for _ in 0..g.rng.range(1, 3) {
                argv.push(g.field());
                argv.push(g.value());
            }
            if g.rng.chance(4) {
                argv.pop();
            }
        }
        "xtrim" => {
            let required = !g.rng.chance(5);
            trim_options(g, &mut argv, required);
        }
        "xdel" => {
            for _ in 0..g.rng.range(1, 3) {
                argv.push(stream_id(g));
            }
        }
        "xrange" | "xrevrange" => {
            argv.push(stream_bound(g));
            argv.push(stream_bound(g));
            if g.rng.chance(30) {
                argv.push(g.tok("COUNT"));
                argv.push(g.count());
            }
        }
        "xread" | "xreadgroup" => {
            argv.truncate(1);
            if name == "xreadgroup" {
                argv.push(g.tok("GROUP"));
                argv.push(group(g));
                argv.push(consumer(g));
            }
            if g.rng.chance(30) {
                argv.push(g.tok("COUNT"));
                argv.push(g.count());
            }
            if name == "xreadgroup" && g.rng.chance(15) {
                argv.push(g.tok("NOACK"));
            }
            argv.push(g.tok("STREAMS"));
            let keys = g.keys(Pool::Stream, 1, 2);
            let n = keys.len();
            argv.extend(keys);
            for _ in 0..n {
                let id = match g.rng.below(6) {
                    0 | 1 if name == "xreadgroup" => b(">"),
                    0 => b("$"),
                    1 | 2 => b("0"),
                    3 => b(&format!("{}-{}", g.rng.range(0, 5), g.rng.range(0, 3))),
                    4 => b(if name == "xreadgroup" { "$" } else { ">" }),
                    _ => b(g.rng.pick(&["abc", "-", "+", "1-*"])),
                };
                argv.push(id);
            }
            if g.rng.chance(5) {
                argv.pop();
            }
        }
        "xgroup" => {
            let sub = *g.rng.pick(&[
                "CREATE",
                "CREATE",
                "CREATE",
                "SETID",
                "DESTROY",
                "CREATECONSUMER",
                "DELCONSUMER",
                "HELP",
                "NOSUCH",
            ]);
            argv.insert(1, g.tok(sub));
            match sub {
                "CREATE" | "SETID" => {
                    argv.push(group(g));
                    argv.push(match g.rng.below(4) {
                        0 => b("$"),
                        1 => b("0"),
                        _ => stream_id(g),
                    });
                    if sub == "CREATE" && g.rng.chance(70) {
                        argv.push(g.tok("MKSTREAM"));
                    }
                    if g.rng.chance(20) {
                        argv.push(g.tok("ENTRIESREAD"));
                        argv.push(b(g.rng.pick(&["0", "1", "3", "-1", "-2", "abc"])));
                    }
                }
                "DESTROY" => argv.push(group(g)),
                "CREATECONSUMER" | "DELCONSUMER" => {
                    argv.push(group(g));
                    argv.push(consumer(g));
                }
                "HELP" => argv.truncate(2),
                _ => {}
            }
        }
        "xack" => {
            argv.push(group(g));
            for _ in 0..g.rng.range(1, 3) {
                argv.push(stream_id(g));
            }
        }
        "xpending" => {
            argv.push(group(g));
            if g.rng.chance(60) {
                if g.rng.chance(25) {
                    argv.push(g.tok("IDLE"));
                    argv.push(min_idle(g));
                }
                argv.push(stream_bound(g));
                argv.push(stream_bound(g));
                argv.push(g.count());
                if g.rng.chance(40) {
                    argv.push(consumer(g));
                }
            }
        }
        "xclaim" => {
            argv.push(group(g));
            argv.push(consumer(g));
            argv.push(min_idle(g));
            for _ in 0..g.rng.range(1, 3) {
                argv.push(stream_id(g));
            }
            argv.extend(g.options(
                &[
                    ("IDLE", |g| b(g.rng.pick(&["1000", "0", "-1", "abc"]))),
                    ("TIME", |g| {
                        b(g.rng.pick(&["1000000000000", "0", "-1", "abc"]))
                    }),
                    ("RETRYCOUNT", |g| b(g.rng.pick(&["0", "5", "-1", "abc"]))),
                    ("FORCE", none),
                    ("JUSTID", none),
                    ("LASTID", stream_id),
                ],
                3,
            ));
        }
        "xautoclaim" => {
            argv.push(group(g));
            argv.push(consumer(g));
            argv.push(min_idle(g));
            argv.push(stream_bound(g));
            if g.rng.chance(40) {
                argv.push(g.tok("COUNT"));
                argv.push(b(g.rng.pick(&["1", "2", "100", "0", "-1", "abc"])));
            }
            if g.rng.chance(30) {
                argv.push(g.tok("JUSTID"));
            }
        }
        "xsetid" => {
            argv.push(stream_id(g));
            if g.rng.chance(30) {
                argv.push(g.tok("ENTRIESADDED"));
                argv.push(b(g.rng.pick(&["0", "3", "10", "-1", "abc"])));
            }
            if g.rng.chance(30) {
                argv.push(g.tok("MAXDELETEDID"));
                argv.push(stream_id(g));
            }
        }
        "xinfo" => {
            let sub = *g
                .rng
                .pick(&["STREAM", "STREAM", "GROUPS", "CONSUMERS", "HELP", "NOSUCH"]);
            argv.insert(1, g.tok(sub));
            match sub {
                "STREAM" if g.rng.chance(40) => {
                    argv.push(g.tok("FULL"));
                    if g.rng.chance(40) {
                        argv.push(g.tok("COUNT"));
                        argv.push(b(g.rng.pick(&["0", "1", "2", "-1", "abc"])));
                    }
                }
                "CONSUMERS" => argv.push(group(g)),
                "HELP" => argv.truncate(2),
                _ => {}
            }
        }
        _ => {}
    }
    argv
}

/// Places around Europe (and the edges of what GEOADD accepts), as `lon lat member`.
const PLACES: &[(&str, &str, &str)] = &[
    ("13.361389", "38.115556", "Palermo"),
    ("15.087269", "37.502669", "Catania"),
    ("2.3522", "48.8566", "Paris"),
    ("-0.1276", "51.5072", "London"),
    ("12.4964", "41.9028", "Rome"),
    ("13.4050", "52.5200", "Berlin"),
    ("0", "0", "null-island"),
    ("180", "85.05112878", "corner"),
    ("-180", "-85.05112878", "other-corner"),
    ("13.361389", "38.115556", "Palermo-twin"),
];

fn geo_member(g: &mut Gen) -> Vec<u8> {
    if g.rng.chance(85) {
        b(g.rng.pick(PLACES).2)
    } else {
        b(g.rng.pick(&["nowhere", "a", "1"]))
    }
}

fn longitude(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(10) {
        0..=7 => b(g.rng.pick(PLACES).0),
        8 => b(g.rng.pick(&["180.0000001", "-181", "1e400"])),
        _ => b(g.rng.pick(&["abc", "", "nan", "inf"])),
    }
}

fn latitude(g: &mut Gen) -> Vec<u8> {
    match g.rng.below(10) {
        0..=7 => b(g.rng.pick(PLACES).1),
        8 => b(g.rng.pick(&["85.06", "-86", "90"])),
        _ => b(g.rng.pick(&["abc", "", "nan"])),
    }
}

fn radius(g: &mut Gen) -> Vec<u8> {
    b(g.rng.pick(&[
        "0", "1", "100", "200", "500", "1000", "5000", "20000000", "-1", "abc", "1.5", "inf",
    ]))
}

fn unit(g: &mut Gen) -> Vec<u8> {
    let u = *g.rng.pick(&["m", "km", "mi", "ft", "km", "KM", "yd"]);
    b(u)
}

/// GEORADIUS / GEOSEARCH tails: WITHCOORD, WITHDIST, WITHHASH, COUNT [ANY], ASC|DESC, and for
/// the storing forms STORE / STOREDIST (GEORADIUS) or STOREDIST (GEOSEARCHSTORE).
fn geo_options(g: &mut Gen, argv: &mut Argv, store: bool) {
    if !store {
        for flag in ["WITHCOORD", "WITHDIST", "WITHHASH"] {
            if g.rng.chance(30) {
                argv.push(g.tok(flag));
            }
        }
    }
    if g.rng.chance(35) {
        argv.push(g.tok("COUNT"));
        argv.push(b(g.rng.pick(&["1", "2", "3", "0", "-1", "abc"])));
        if g.rng.chance(30) {
            argv.push(g.tok("ANY"));
        }
    }
    if g.rng.chance(60) {
        let order = *g.rng.pick(&["ASC", "DESC"]);
        argv.push(g.tok(order));
    }
}

fn geo(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let k = g.key(Pool::Zset);
    let mut argv = vec![head, k];
    match name {
        "geoadd" => {
            for flag in ["NX", "XX", "CH"] {
                if g.rng.chance(10) {
                    argv.push(g.tok(flag));
                }
            }
            for _ in 0..g.rng.range(1, 4) {
                if g.rng.chance(85) {
                    let (lon, lat, member) = *g.rng.pick(PLACES);
                    argv.extend([b(lon), b(lat), b(member)]);
                } else {
                    argv.push(longitude(g));
                    argv.push(latitude(g));
                    argv.push(geo_member(g));
                }
            }
            if g.rng.chance(4) {
                argv.pop();
            }
        }
        "geodist" => {
            argv.push(geo_member(g));
            argv.push(geo_member(g));
            if g.rng.chance(60) {
                argv.push(unit(g));
            }
        }
        "geohash" | "geopos" => {
            for _ in 0..g.rng.range(0, 3) {
                argv.push(geo_member(g));
            }
        }
        "georadius" | "georadius_ro" | "georadiusbymember" | "georadiusbymember_ro" => {
            if name.contains("member") {
                argv.push(geo_member(g));
            } else {
                argv.push(longitude(g));
                argv.push(latitude(g));
            }
            argv.push(radius(g));
            argv.push(unit(g));
            let store = !name.ends_with("_ro") && g.rng.chance(20);
            geo_options(g, &mut argv, store);
            if store {
                let word = *g.rng.pick(&["STORE", "STOREDIST"]);
                argv.push(g.tok(word));
                argv.push(g.key(Pool::Zset));
            }
        }
        "geosearch" | "geosearchstore" => {
            if name == "geosearchstore" {
                argv.push(g.key(Pool::Zset));
            }
            if g.rng.chance(50) {
                argv.push(g.tok("FROMMEMBER"));
                argv.push(geo_member(g));
            } else {
                argv.push(g.tok("FROMLONLAT"));
                argv.push(longitude(g));
                argv.push(latitude(g));
            }
            if g.rng.chance(60) {
                argv.push(g.tok("BYRADIUS"));
                argv.push(radius(g));
            } else {
                argv.push(g.tok("BYBOX"));
                argv.push(radius(g));
                argv.push(radius(g));
            }
            argv.push(unit(g));
            geo_options(g, &mut argv, name == "geosearchstore");
            if name == "geosearchstore" && g.rng.chance(40) {
                argv.push(g.tok("STOREDIST"));
            }
        }
        _ => {}
    }
    argv
}

/// SORT / `SORT_RO` over lists, sets and sorted sets, with BY and GET patterns that reach the
/// string and hash pools.
fn sort(g: &mut Gen, name: &str) -> Argv {
    let head = g.tok(name);
    let pool = *g.rng.pick(&[Pool::List, Pool::Set, Pool::Zset, Pool::Any]);
    let k = g.key(pool);
    let mut argv = vec![head, k];
    let by = g.rng.chance(30);
    if by {
        argv.push(g.tok("BY"));
        argv.push(b(g.rng.pick(&[
            "str:*",
            "hash:*->f1",
            "nosort",
            "nosuch:*",
            "k:*",
            "str:*->f1",
            "hash:*->",
        ])));
    }
    // Sorting a set or sorted set BY a pattern leaves ties in hash-table order, which differs:
    // the reply is compared as a multiset, but LIMIT would pick different elements and a
    // stored list would differ later. (The key may hold any type, whatever its pool.)
    let unordered = by;
    if !unordered && g.rng.chance(25) {
        argv.push(g.tok("LIMIT"));
        argv.push(b(g.rng.pick(&["0", "1", "2", "-1", "abc"])));
        argv.push(b(g.rng.pick(&["1", "2", "5", "-1", "0", "abc"])));
    }
    for _ in 0..g.rng.range(0, 2) {
        argv.push(g.tok("GET"));
        argv.push(b(g.rng.pick(&[
            "#",
            "str:*",
            "hash:*->f1",
            "nosuch:*",
            "#x",
        ])));
    }
    if g.rng.chance(40) {
        let order = *g.rng.pick(&["ASC", "DESC"]);
        argv.push(g.tok(order));
    }
    if g.rng.chance(40) {
        argv.push(g.tok("ALPHA"));
    }
    if !unordered && g.rng.chance(if name == "sort" { 20 } else { 5 }) {
        argv.push(g.tok("STORE"));
        argv.push(g.key(Pool::List));
    }
    if g.rng.chance(3) {
        argv.push(b("BADOPTION"));
    }
    argv
}

/// Parameters CONFIG SET may change in an episode (the runner puts them back between
/// episodes), with values valid and not. Never a small `maxmemory`: the engine's memory
/// estimate is not the server's allocator, so eviction would start at different moments.
pub const CONFIG_PARAMETERS: &[(&str, &[&str], &str)] = &[
    (
        "maxmemory",
        &[
            "0",
            "1gb",
            "2GB",
            "-1",
            "abc",
            "1.5gb",
            "10000000000000000000000",
        ],
        "0",
    ),
    (
        "maxmemory-policy",
        &[
            "noeviction",
            "allkeys-lru",
            "volatile-ttl",
            "allkeys-random",
            "lru",
            "",
        ],
        "noeviction",
    ),
    (
        "hash-max-listpack-entries",
        &["0", "1", "2", "512", "-1", "abc"],
        "512",
    ),
    ("hash-max-ziplist-value", &["0", "3", "64", "-1"], "64"),
    (
        "zset-max-listpack-entries",
        &["0", "1", "2", "128", "abc"],
        "128",
    ),
    ("zset-max-listpack-value", &["1", "64", "-5"], "64"),
    (
        "set-max-intset-entries",
        &["0", "1", "2", "512", "-1"],
        "512",
    ),
    (
        "list-max-listpack-size",
        &["-2", "-1", "-5", "-6", "1", "3", "0", "abc"],
        "-2",
    ),
    (
        "notify-keyspace-events",
        &["", "KEA", "Kg$", "Ex", "A", "z", "KEAn"],
        "",
    ),
    ("lazyfree-lazy-user-del", &["yes", "no", "maybe"], "no"),
    ("stream-node-max-entries", &["0", "2", "100", "-1"], "100"),
    ("nosuch-parameter", &["1"], ""),
];

/// Parameters only some scenarios change: put back between episodes too.
pub const SCENARIO_PARAMETERS: &[(&str, &str)] = &[
    ("slowlog-log-slower-than", "10000"),
    ("slowlog-max-len", "128"),
];

fn config(g: &mut Gen, _name: &str) -> Argv {
    let mut argv = vec![g.tok("CONFIG")];
    match g.rng.below(10) {
        0..=4 => {
            argv.push(g.tok("SET"));
            for _ in 0..if g.rng.chance(80) { 1 } else { 2 } {
                let (name, values, _) = *g.rng.pick(CONFIG_PARAMETERS);
                argv.push(b(name));
                argv.push(b(*g.rng.pick(values)));
            }
            if g.rng.chance(4) {
                argv.pop();
            }
        }
        5..=7 => {
            argv.push(g.tok("GET"));
            for _ in 0..g.rng.range(1, 2) {
                argv.push(b(g.rng.pick(&[
                    "maxmemory",
                    "maxmemory-policy",
                    "*-max-listpack-*",
                    "hash-max-ziplist-entries",
                    "zset-max-*",
                    "notify-keyspace-events",
                    "set-max-intset-entries",
                    "list-max-*",
                    "lazyfree-lazy-user-del",
                    "nosuch",
                    "databases",
                    "appendonly",
                ])));
            }
        }
        8 => argv.push(g.tok("RESETSTAT")),
        _ => {
            let sub = *g.rng.pick(&["HELP", "REWRITE", "NOSUCH"]);
            argv.push(g.tok(sub));
        }
    }
    argv
}

/// INFO of the sections whose fields the runner compares (the keyspace, the key and pub/sub
/// statistics), alone, together, or among others.
fn info(g: &mut Gen, _name: &str) -> Argv {
    let mut argv = vec![g.tok("INFO")];
    for _ in 0..g.rng.range(0, 2) {
        let section = *g.rng.pick(&[
            "keyspace",
            "stats",
            "KEYSPACE",
            "default",
            "all",
            "everything",
            "nosuch",
            "server",
        ]);
        argv.push(g.tok(section));
    }
    argv
}

/// MEMORY USAGE of any key (with SAMPLES now and then), and MEMORY HELP; the other
/// subcommands describe the allocator and the process.
fn memory(g: &mut Gen, _name: &str) -> Argv {
    let mut argv = vec![g.tok("MEMORY")];
    if g.rng.chance(95) {
        argv.push(g.tok("USAGE"));
        argv.push(g.key(Pool::Any));
        if g.rng.chance(25) {
            argv.push(g.tok("SAMPLES"));
            argv.push(b(g.rng.pick(&["0", "1", "5", "100", "-1", "abc"])));
        }
    } else {
        argv.push(g.tok("HELP"));
    }
    argv
}

fn transaction(g: &mut Gen, name: &str) -> Argv {
    let mut argv = vec![g.tok(name)];
    if name == "watch" {
        argv.extend(g.keys(Pool::Any, 1, 3));
    }
    argv
}

fn channel(g: &mut Gen) -> Vec<u8> {
    b(&format!("ch:{}", g.rng.below(4)))
}

fn channel_pattern(g: &mut Gen) -> Vec<u8> {
    b(g.rng
        .pick(&["ch:*", "ch:[01]", "*", "c?:0", "ch:\\*", "ch:3"]))
}

fn pubsub(g: &mut Gen, name: &str) -> Argv {
    let mut argv = vec![g.tok(name)];
    match name {
        "subscribe" | "ssubscribe" => {
            for _ in 0..g.rng.range(1, 3) {
                argv.push(channel(g));
            }
        }
        "unsubscribe" | "sunsubscribe" => {
            for _ in 0..g.rng.range(0, 2) {
                argv.push(channel(g));
            }
        }
        "psubscribe" | "punsubscribe" => {
            let min = i64::from(name == "psubscribe");
            for _ in 0..g.rng.range(min, 2) {
                argv.push(channel_pattern(g));
            }
        }
        "publish" | "spublish" => {
            argv.push(channel(g));
            argv.push(g.value());
        }
        "pubsub" => {
            let sub = *g.rng.pick(&[
                "CHANNELS",
                "NUMSUB",
                "NUMPAT",
                "SHARDCHANNELS",
                "SHARDNUMSUB",
                "HELP",
                "NOPE",
            ]);
            argv.push(g.tok(sub));
            match sub {
                "CHANNELS" | "SHARDCHANNELS" if g.rng.chance(50) => {
                    argv.push(channel_pattern(g));
                }
                "NUMSUB" | "SHARDNUMSUB" => {
                    for _ in 0..g.rng.range(0, 3) {
                        argv.push(channel(g));
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    argv
}

fn connection(g: &mut Gen, name: &str) -> Argv {
    let mut argv = vec![g.tok(name)];
    match name {
        "auth" => {
            if g.rng.chance(50) {
                argv.push(b(g.rng.pick(&["default", "someone"])));
            }
            argv.push(b("secret"));
        }
        "client" => {
            let sub = *g.rng.pick(&[
                "GETNAME",
                "SETNAME",
                "SETNAME",
                "NO-EVICT",
                "HELP",
                "NOPE",
                "TRACKING",
                "TRACKING",
                "TRACKING",
                "CACHING",
                "GETREDIR",
                "TRACKINGINFO",
            ]);
            argv.push(g.tok(sub));
            match sub {
                "TRACKING" => {
                    let mode = *g.rng.pick(&["ON", "ON", "ON", "OFF", "OFF", "MAYBE"]);
                    argv.push(g.tok(mode));
                    // Client ids differ between the two sides: only redirections that fail.
                    let options: &[&str] = &[
                        "BCAST", "BCAST", "PREFIX", "PREFIX", "OPTIN", "OPTOUT", "NOLOOP",
                        "NOLOOP", "REDIRECT", "BOGUS",
                    ];
                    for _ in 0..g.rng.below(4) {
                        let option = *g.rng.pick(options);
                        argv.push(g.tok(option));
                        match option {
                            "PREFIX" => argv.push(b(g.rng.pick(&[
                                "", "k", "k:", "k:1", "str", "s", "list:", "hash:1", "zz",
                            ]))),
                            "REDIRECT" => {
                                argv.push(b(g.rng.pick(&["0", "-1", "abc", "99999999"])));
                            }
                            _ => {}
                        }
                    }
                }
                "CACHING" => {
                    let answer = *g.rng.pick(&["YES", "NO", "MAYBE"]);
                    argv.push(g.tok(answer));
                }
                "SETNAME" if g.rng.chance(95) => {
                    argv.push(b(g.rng.pick(&[
                        "conn-a",
                        "x",
                        "",
                        "has space",
                        "new\nline",
                        "ok_name",
                    ])));
                }
                "NO-EVICT" => argv.push(b(g.rng.pick(&["on", "off", "ON", "maybe"]))),
                _ => {}
            }
        }
        "echo" => argv.push(g.value()),
        "ping" if g.rng.chance(30) => {
            argv.push(g.value());
        }
        "hello" if g.rng.chance(80) => {
            argv.push(b(g.rng.pick(&["2", "3", "3", "2", "4", "1", "abc", "-1"])));
            argv.extend(g.options(
                &[
                    ("SETNAME", |g| b(g.rng.pick(&["hello-name", "bad name"]))),
                    ("AUTH", |_| b("default secret")),
                ],
                1,
            ));
            // `AUTH user pass` are two words.
            let joined: Vec<Vec<u8>> = argv
                .iter()
                .flat_map(|a| {
                    if a == b"default secret" {
                        vec![b("default"), b("secret")]
                    } else {
                        vec![a.clone()]
                    }
                })
                .collect();
            argv = joined;
        }
        "select" => argv.push(g.db()),
        _ => {}
    }
    argv
}

fn server(g: &mut Gen, name: &str) -> Argv {
    // Flushing empties the episode's key space: keep it rare.
    if matches!(name, "flushall" | "flushdb") && g.rng.chance(70) {
        return with("DBSIZE", []);
    }
    let mut argv = vec![g.tok(name)];
    match name {
        // There are no replicas: WAIT for none answers 0 at once; waiting for one would block
        // until its timeout, so it is drawn only with a timeout refused before that.
        "wait" => {
            let replicas = *g.rng.pick(&["0", "-1", "abc", "1"]);
            let timeouts: &[&str] = if replicas == "1" {
                &["-1", "abc", "1.5", "99999999999999999999"]
            } else {
                &["0", "5", "-1", "abc", "1.5"]
            };
            argv.push(b(replicas));
            argv.push(b(g.rng.pick(timeouts)));
        }
        "flushall" | "flushdb" if g.rng.chance(40) => {
            let how = *g.rng.pick(&["ASYNC", "SYNC", "LATER"]);
            argv.push(g.tok(how));
        }
        "swapdb" => {
            argv.push(g.db());
            argv.push(g.db());
        }
        "debug" => match g.rng.below(4) {
            0 => argv.push(g.tok("HELP")),
            1 => argv.extend([g.tok("ERROR"), b("some message")]),
            _ => argv.extend([g.tok("SLEEP"), b("0")]),
        },
        "command" => {
            let sub = *g.rng.pick(&["INFO", "GETKEYS", "GETKEYSANDFLAGS", "HELP"]);
            argv.push(g.tok(sub));
            match sub {
                "INFO" => {
                    // At least one name: without, it lists every command (Redis's 240).
                    // Not `script` either: SCRIPT DEBUG is not here, by design (README), so
                    // Redis's entry lists one subcommand more.
                    for _ in 0..g.rng.range(1, 3) {
                        let plain: Vec<&String> = g
                            .registered
                            .iter()
                            .filter(|n| {
                                !matches!(
                                    n.as_str(),
                                    "object" | "command" | "client" | "pubsub" | "debug" | "script"
                                )
                            })
                            .collect();
                        let name = if g.rng.chance(90) {
                            (*g.rng.pick(&plain)).clone()
                        } else {
                            "nosuchcommand".to_string()
                        };
                        argv.push(b(&name));
                    }
                }
                "GETKEYS" | "GETKEYSANDFLAGS" => {
                    let saved = g.in_multi;
                    let mut inner = g.command();
                    g.in_multi = saved;
                    if inner
                        .first()
                        .is_some_and(|n| n.eq_ignore_ascii_case(b"command"))
                    {
                        inner = vec![b("GET"), b("k:0")];
                    }
                    argv.extend(inner);
                }
                _ => {}
            }
        }
        _ => {}
    }
    argv
}
