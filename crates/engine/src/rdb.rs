//! Redis 7.0's RDB format: values as `DUMP` writes them and `RESTORE` reads them, and whole
//! databases as `SAVE` writes `dump.rdb` and a restarting server (or `DEBUG RELOAD`) reads it.
//!
//! A value is its type byte followed by its body; a DUMP payload adds a footer: the RDB version
//! (two bytes, little-endian) and the CRC-64 of everything before it (eight bytes,
//! little-endian). The [`Writer`] and [`Reader`] are the RDB primitives (lengths, strings in all
//! their encodings, type bytes) that payloads and files share.
//!
//! Strings are written as Redis writes them:
//! - up to 11 bytes that read as an integer of at most 32 bits: an integer encoding (`INT8`,
//!   `INT16`, `INT32`, little-endian two's complement);
//! - longer than 20 bytes, with `rdbcompression yes`, LZF-compressed if that saves at least four
//!   bytes (`rdb/lzf.rs`);
//! - otherwise a length (6, 14, 32 or 64 bits) and the bytes.
//!
//! Lists are written as Redis 7.0 writes a quicklist (`QUICKLIST_2`: the node count, then each
//! node's container kind and its [`listpack`] as a string), cut into nodes as a list that grew
//! at its tail under the `list-max-listpack-size` it was created with (see
//! [`listpack::quicklist_nodes`]):
//! exact for every list that fits one node (8 KB) and for larger ones built by RPUSH. (Redis
//! keeps the nodes of a list it loaded as they were, plain nodes included; this engine keeps
//! the elements only, so such a list is written back cut its own way.)
//!
//! Hashes are written as Redis writes them: a listpack-encoded hash as its listpack
//! (`HASH_LISTPACK`), a hashtable as its size then each field and value (`HASH`). Sets are an
//! intset blob (`SET_INTSET`) or their members (`SET`); sorted sets their listpack
//! (`ZSET_LISTPACK`) or their members and binary scores (`ZSET_2`); streams their nodes,
//! counters and groups (`STREAM_LISTPACKS_2`).
//!
//! Every value type Redis 7.0 reads is loaded (`rdb/load.rs` lists the types, the encodings
//! values get, and the few payloads refused where Redis would trust them), never with a panic,
//! an allocation beyond what the input can fill, or a loop that outlives the input.
//!
//! # Snapshots of an engine
//!
//! [`save_database`] serializes the keyspace of an [`Engine`](crate::Engine) (its 16
//! databases: keys, values in their encodings, absolute expire times, and idle times or access
//! counters when the eviction policy records them) as Redis 7.0's `dump.rdb`; the same engine
//! state always gives the same bytes, and the real server loads them. [`load_database`] reads
//! such a file (or one the real server wrote) into an engine, and [`load_database_with`] lets
//! the file's keys replace existing ones. To restore a snapshot:
//!
//! 1. start from an engine with the configuration the snapshot was taken under (the
//!    `*-max-*` thresholds decide the encodings values load with, the eviction policy which
//!    access data is read);
//! 2. set its clock ([`Engine::set_time`](crate::Engine::set_time)) first: keys whose expire
//!    time is before the clock are skipped, as a restarting Redis skips them;
//! 3. empty the databases it should replace, then load.
//!
//! Only the keyspace is in a file. The clock is not (only the `ctime` second, which
//! [`LoadReport::ctime`] gives back), nor the configuration, the clients and their state,
//! subscriptions, statistics or the event log: a page that keeps its state across reloads
//! stores those beside the file. Loading sends no keyspace notification and logs no event, as
//! Redis's loading does not; it stores every key or, if the file is refused, none.
//! [`Engine::rdb_file`](crate::Engine::rdb_file) is the server's `dump.rdb` (what `DEBUG
//! RELOAD` writes and reads, and what SAVE, BGSAVE and the save points write).
//!
//! ```
//! use engine::{Engine, rdb};
//! let mut engine = Engine::new();
//! engine.set_time(1_767_225_600_000);
//! let client = engine.connect();
//! let argv = |s: &str| s.split(' ').map(|a| a.as_bytes().to_vec()).collect::<Vec<_>>();
//! engine.exec(client, &argv("SET greeting hello"));
//! engine.exec(client, &argv("EXPIRE greeting 60"));
//! let snapshot = rdb::save_database(&engine);
//!
//! let mut restored = Engine::new();
//! restored.set_time(engine.now_ms());
//! let report = rdb::load_database(&mut restored, &snapshot).expect("a file this engine wrote");
//! assert_eq!((report.keys_loaded, report.ctime), (1, Some(1_767_225_600)));
//! let client = restored.connect();
//! assert_eq!(restored.exec(client, &argv("TTL greeting")), engine::Reply::Integer(60));
//! ```

mod crc64;
mod file;
pub mod listpack;
mod load;
#[cfg(test)]
mod load_tests;
mod lzf;
mod ziplist;

pub use crc64::crc64;
pub use file::{LoadOptions, LoadReport, load_database, load_database_with, save_database};

use crate::config::Config;
use crate::keyspace::Value;
use crate::keyspace::list::List;
use crate::num::parse_i64;

/// The RDB format version Redis 7.0 writes, and the newest it reads.
pub const RDB_VERSION: u16 = 10;

/// Size of a DUMP payload's footer: the version, then the CRC-64.
pub const FOOTER_LEN: usize = 2 + 8;

/// Type bytes of serialized values (`RDB_TYPE_*`).
pub mod rdb_type {
    /// A string.
    pub const STRING: u8 = 0;
    /// A list as a linked list of strings (before Redis 3.2).
    pub const LIST: u8 = 1;
    /// A set as a hash table of strings.
    pub const SET: u8 = 2;
    /// A sorted set with scores as text (before RDB 8).
    pub const ZSET: u8 = 3;
    /// A hash as a hash table of strings.
    pub const HASH: u8 = 4;
    /// A sorted set with binary double scores.
    pub const ZSET_2: u8 = 5;
    /// A module value (old format).
    pub const MODULE: u8 = 6;
    /// A module value with annotations.
    pub const MODULE_2: u8 = 7;
    /// A hash as a zipmap (Redis 2.x).
    pub const HASH_ZIPMAP: u8 = 9;
    /// A list as a ziplist.
    pub const LIST_ZIPLIST: u8 = 10;
    /// A set of integers as an intset.
    pub const SET_INTSET: u8 = 11;
    /// A sorted set as a ziplist.
    pub const ZSET_ZIPLIST: u8 = 12;
    /// A hash as a ziplist.
    pub const HASH_ZIPLIST: u8 = 13;
    /// A list as a quicklist of ziplists.
    pub const LIST_QUICKLIST: u8 = 14;
    /// A stream of listpacks.
    pub const STREAM_LISTPACKS: u8 = 15;
    /// A hash as a listpack.
    pub const HASH_LISTPACK: u8 = 16;
    /// A sorted set as a listpack.
    pub const ZSET_LISTPACK: u8 = 17;
    /// A list as a quicklist of listpacks (what Redis 7.0 writes).
    pub const LIST_QUICKLIST_2: u8 = 18;
    /// A stream with consumer group metadata of Redis 7.0.
    pub const STREAM_LISTPACKS_2: u8 = 19;

    /// Whether a byte names a value type (`rdbIsObjectType`): 0 to 7 and 9 to 19.
    pub fn is_object_type(t: u8) -> bool {
        matches!(t, 0..=7 | 9..=19)
    }
}

/// Special string encodings, after an `11` length prefix (`RDB_ENC_*`).
mod enc {
    /// 8-bit signed integer.
    pub const INT8: u64 = 0;
    /// 16-bit signed integer, little-endian.
    pub const INT16: u64 = 1;
    /// 32-bit signed integer, little-endian.
    pub const INT32: u64 = 2;
    /// LZF-compressed string: compressed length, original length, data.
    pub const LZF: u64 = 3;
}

/// Length prefixes: the first byte's two high bits (`RDB_6BITLEN`, …), or a whole first byte.
mod len {
    /// `00xxxxxx`: a length below 64.
    pub const BITS6: u8 = 0;
    /// `01xxxxxx xxxxxxxx`: a length below 16384, big-endian.
    pub const BITS14: u8 = 1;
    /// `11xxxxxx`: a special encoding follows ([`super::enc`]).
    pub const ENCVAL: u8 = 3;
    /// `0x80` then 4 bytes, big-endian.
    pub const BITS32: u8 = 0x80;
    /// `0x81` then 8 bytes, big-endian.
    pub const BITS64: u8 = 0x81;
}

/// Why a value could not be read. RESTORE answers `ERR Bad data format` for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadError {
    /// The input ended inside the value.
    Truncated,
    /// The input breaks the format (unknown length prefix or encoding, bad LZF data, …).
    Corrupt(&'static str),
    /// The type byte names no value type.
    UnknownType(u8),
    /// A value type this engine cannot hold (module values).
    Unsupported(u8),
    /// A collection with no element (`RDB_LOAD_ERR_EMPTY_KEY`): RESTORE refuses it, a file load
    /// skips the key.
    EmptyKey,
}

/// Appends RDB-encoded data to a buffer.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    buf: Vec<u8>,
    compress: bool,
}

impl Writer {
    /// An empty writer; `compress` is `rdbcompression`.
    pub fn new(compress: bool) -> Self {
        Writer {
            buf: Vec::new(),
            compress,
        }
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The bytes written.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Writes bytes as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Writes a type byte.
    pub fn save_type(&mut self, t: u8) {
        self.buf.push(t);
    }

    /// Writes a length in the shortest of its four forms (`rdbSaveLen`).
    pub fn save_len(&mut self, n: u64) {
        if n < 1 << 6 {
            self.buf.push(n as u8 | (len::BITS6 << 6));
        } else if n < 1 << 14 {
            self.buf.push((n >> 8) as u8 | (len::BITS14 << 6));
            self.buf.push(n as u8);
        } else if let Ok(n) = u32::try_from(n) {
            self.buf.push(len::BITS32);
            self.buf.extend_from_slice(&n.to_be_bytes());
        } else {
            self.buf.push(len::BITS64);
            self.buf.extend_from_slice(&n.to_be_bytes());
        }
    }

    /// Writes a string in the form Redis chooses for it (`rdbSaveRawString`): an integer
    /// encoding, LZF, or length and bytes.
    pub fn save_string(&mut self, s: &[u8]) {
        if s.len() <= 11
            && let Some(v) = parse_i64(s)
            && self.save_small_integer(v)
        {
            return;
        }
        if self.compress && s.len() > 20 && self.save_lzf(s) {
            return;
        }
        self.save_len(s.len() as u64);
        self.buf.extend_from_slice(s);
    }

    /// Writes an integer as a string (`rdbSaveLongLongAsStringObject`): an integer encoding
    /// when it fits 32 bits, else its decimal text.
    pub fn save_i64_as_string(&mut self, v: i64) {
        if !self.save_small_integer(v) {
            let text = v.to_string();
            self.save_len(text.len() as u64);
            self.buf.extend_from_slice(text.as_bytes());
        }
    }

    /// Writes `v` in the narrowest of INT8/INT16/INT32 (`rdbEncodeInteger`); false, writing
    /// nothing, when it needs more than 32 bits.
    fn save_small_integer(&mut self, v: i64) -> bool {
        let tag = |e: u64| (len::ENCVAL << 6) | e as u8;
        if let Ok(v) = i8::try_from(v) {
            self.buf.push(tag(enc::INT8));
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else if let Ok(v) = i16::try_from(v) {
            self.buf.push(tag(enc::INT16));
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else if let Ok(v) = i32::try_from(v) {
            self.buf.push(tag(enc::INT32));
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    /// Writes `s` LZF-compressed if that saves at least four bytes (`rdbSaveLzfStringObject`);
    /// false, writing nothing, otherwise.
    fn save_lzf(&mut self, s: &[u8]) -> bool {
        if s.len() <= 4 {
            return false;
        }
        let Some(packed) = lzf::compress(s, s.len() - 4) else {
            return false;
        };
        self.buf.push((len::ENCVAL << 6) | enc::LZF as u8);
        self.save_len(packed.len() as u64);
        self.save_len(s.len() as u64);
        self.buf.extend_from_slice(&packed);
        true
    }

    /// Writes a value's type byte (`rdbSaveObjectType`).
    pub fn save_object_type(&mut self, value: &Value) {
        match value {
            Value::String(_) => self.save_type(rdb_type::STRING),
            Value::List(_) => self.save_type(rdb_type::LIST_QUICKLIST_2),
            Value::Set(s) if s.is_intset() => self.save_type(rdb_type::SET_INTSET),
            Value::Set(_) => self.save_type(rdb_type::SET),
            Value::Hash(h) if h.is_listpack() => self.save_type(rdb_type::HASH_LISTPACK),
            Value::Hash(_) => self.save_type(rdb_type::HASH),
            Value::Stream(_) => self.save_type(rdb_type::STREAM_LISTPACKS_2),
            Value::ZSet(z) if z.is_listpack() => self.save_type(rdb_type::ZSET_LISTPACK),
            Value::ZSet(_) => self.save_type(rdb_type::ZSET_2),
        }
    }

    /// Writes a value's body (`rdbSaveObject`).
    pub fn save_object(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.save_string(&s.bytes),
            Value::ZSet(z) if z.is_listpack() => {
                // The listpack as one string: each member, then its score as the listpack
                // holds it (an integer when it is one, else its `%.17g` text).
                let mut texts = Vec::with_capacity(z.len());
                for (_, score) in z.iter() {
                    texts.push(match crate::keyspace::zset::listpack_score_int(score) {
                        Some(n) => Ok(n),
                        None => Err(crate::num::format_double(score)),
                    });
                }
                let elements = z.iter().zip(&texts).flat_map(|((member, _), score)| {
                    [
                        listpack::Element::Bytes(member),
                        match score {
                            Ok(n) => listpack::Element::Int(*n),
                            Err(text) => listpack::Element::Bytes(text.as_bytes()),
                        },
                    ]
                });
                self.save_string(&listpack::encode(elements));
            }
            Value::ZSet(z) => {
                // ZSET_2: the count, then each member and its score as a little-endian double,
                // from the highest score down (so that loading inserts at the head).
                self.save_len(z.len() as u64);
                for (member, score) in z.iter().rev() {
                    self.save_string(member);
                    self.raw(&score.to_le_bytes());
                }
            }
            Value::Stream(s) => s.save_rdb(self),
            Value::Hash(h) if h.is_listpack() => {
                let elements = h
                    .iter()
                    .flat_map(|(f, v)| [listpack::Element::Bytes(f), listpack::Element::Bytes(v)]);
                self.save_string(&listpack::encode(elements));
            }
            Value::Hash(h) => {
                self.save_len(h.len() as u64);
                for (field, value) in h.iter() {
                    self.save_string(field);
                    self.save_string(value);
                }
            }
            // An intset is its blob as one string; a hashtable its size, then each member.
            Value::Set(s) => {
                if let Some(blob) = s.intset_blob() {
                    self.save_string(&blob);
                } else {
                    self.save_len(s.len() as u64);
                    for member in s.iter() {
                        self.save_string(&member);
                    }
                }
            }
            Value::List(l) => self.save_quicklist(l),
        }
    }

    /// Writes a list as a quicklist of listpack nodes (`rdbSaveObject`'s quicklist branch,
    /// nodes uncompressed as under the default `list-compress-depth 0`), cut under the
    /// `list-max-listpack-size` the list was created with.
    fn save_quicklist(&mut self, list: &List) {
        /// Redis's `QUICKLIST_NODE_CONTAINER_PACKED`.
        const PACKED: u64 = 2;
        let nodes = listpack::quicklist_nodes(list.iter(), list.fill());
        self.save_len(nodes.len() as u64);
        for node in nodes {
            self.save_len(PACKED);
            self.save_string(&node.into_bytes());
        }
    }
}

/// Reads RDB-encoded data from a byte slice. Every read checks the bytes are there: corrupt or
/// truncated input is an error, never a panic, and no allocation exceeds the input's size (or,
/// for LZF, what its data can expand to).
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Reads `n` bytes.
    pub fn read_exact(&mut self, n: usize) -> Result<&'a [u8], LoadError> {
        let end = self.pos.checked_add(n).ok_or(LoadError::Truncated)?;
        let bytes = self.buf.get(self.pos..end).ok_or(LoadError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    /// Reads `N` bytes into an array.
    pub(crate) fn read_array<const N: usize>(&mut self) -> Result<[u8; N], LoadError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.read_exact(N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn read_u8(&mut self) -> Result<u8, LoadError> {
        let [b] = self.read_array()?;
        Ok(b)
    }

    /// Reads a value's type byte, refusing bytes that name no value type (`rdbLoadObjectType`).
    pub fn load_object_type(&mut self) -> Result<u8, LoadError> {
        let t = self.read_u8()?;
        if rdb_type::is_object_type(t) {
            Ok(t)
        } else {
            Err(LoadError::UnknownType(t))
        }
    }

    /// Reads a length prefix (`rdbLoadLenByRef`): `(n, false)` for a length, `(e, true)` when
    /// it announces the special encoding `e`.
    pub fn load_len_or_encoding(&mut self) -> Result<(u64, bool), LoadError> {
        let first = self.read_u8()?;
        let low = u64::from(first & 0x3f);
        match first >> 6 {
            len::ENCVAL => Ok((low, true)),
            len::BITS6 => Ok((low, false)),
            len::BITS14 => Ok(((low << 8) | u64::from(self.read_u8()?), false)),
            _ if first == len::BITS32 => {
                Ok((u64::from(u32::from_be_bytes(self.read_array()?)), false))
            }
            _ if first == len::BITS64 => Ok((u64::from_be_bytes(self.read_array()?), false)),
            _ => Err(LoadError::Corrupt("unknown length encoding")),
        }
    }

    /// Reads a length (`rdbLoadLen` without `isencoded`). As in Redis, an encoding prefix is
    /// not refused here: its six low bits are taken as the length.
    pub fn load_len(&mut self) -> Result<u64, LoadError> {
        self.load_len_or_encoding().map(|(n, _)| n)
    }

    /// Reads a string in any of its encodings (`rdbGenericLoadStringObject`); integers come
    /// back as their decimal text.
    pub fn load_string(&mut self) -> Result<Vec<u8>, LoadError> {
        let (n, encoded) = self.load_len_or_encoding()?;
        if !encoded {
            let n = usize::try_from(n).map_err(|_| LoadError::Truncated)?;
            return Ok(self.read_exact(n)?.to_vec());
        }
        let v = match n {
            enc::INT8 => i64::from(i8::from_le_bytes(self.read_array()?)),
            enc::INT16 => i64::from(i16::from_le_bytes(self.read_array()?)),
            enc::INT32 => i64::from(i32::from_le_bytes(self.read_array()?)),
            enc::LZF => return self.load_lzf(),
            _ => return Err(LoadError::Corrupt("unknown string encoding")),
        };
        Ok(v.to_string().into_bytes())
    }

    /// Reads an LZF-compressed string (`rdbLoadLzfStringObject`). The decompressed size must be
    /// exactly the announced one; like Redis, an announced size of 0 accepts any data.
    fn load_lzf(&mut self) -> Result<Vec<u8>, LoadError> {
        let packed_len = self.load_len()?;
        let len = self.load_len()?;
        let packed_len = usize::try_from(packed_len).map_err(|_| LoadError::Truncated)?;
        let packed = self.read_exact(packed_len)?;
        let len = usize::try_from(len).map_err(|_| LoadError::Corrupt("LZF length"))?;
        // liblzf answers 0 for an error; Redis only compares that count with the length.
        let out = lzf::decompress(packed, len).unwrap_or_default();
        if out.len() == len {
            Ok(out)
        } else {
            Err(LoadError::Corrupt("invalid LZF compressed string"))
        }
    }
}

/// Serializes a value as DUMP does (`createDumpPayload`): type, body, RDB version, CRC-64.
/// `compress` is `rdbcompression`.
pub fn dump_payload(value: &Value, compress: bool) -> Vec<u8> {
    let mut w = Writer::new(compress);
    w.save_object_type(value);
    w.save_object(value);
    w.raw(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, w.as_bytes());
    w.raw(&crc.to_le_bytes());
    w.into_bytes()
}

/// Whether a DUMP payload has an RDB version this server reads and a correct checksum
/// (`verifyDumpPayload`).
pub fn verify_payload(payload: &[u8]) -> bool {
    if payload.len() < FOOTER_LEN {
        return false;
    }
    // At least 10 bytes: the split leaves the version's two bytes at the end of `signed`.
    let (signed, crc) = payload.split_at(payload.len() - 8);
    let [.., lo, hi] = signed else {
        return false;
    };
    if u16::from_le_bytes([*lo, *hi]) > RDB_VERSION {
        return false;
    }
    crc64(0, signed).to_le_bytes() == crc
}

/// Reads the value of a verified DUMP payload, encoded as Redis would under `config`. As Redis
/// does, the value is read from the start of the whole payload, footer included, and whatever
/// follows it is ignored.
pub fn load_payload(payload: &[u8], config: &Config) -> Result<Value, LoadError> {
    let mut r = Reader::new(payload);
    let t = r.load_object_type()?;
    r.load_object(t, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::value::StrEncoding;
    use crate::rng::Rng;

    fn string(s: &[u8]) -> Value {
        Value::string(s.to_vec())
    }

    #[allow(clippy::match_wildcard_for_single_variants)] // more types will come
    fn loaded(payload: &[u8]) -> Result<(Vec<u8>, StrEncoding), LoadError> {
        assert!(verify_payload(payload), "payload verifies");
        #[allow(unreachable_patterns, clippy::match_wildcard_for_single_variants)]
        match load_payload(payload, &Config::default())? {
            Value::String(s) => Ok((s.bytes.into_vec(), s.encoding)),
            other => panic!("not a string: {other:?}"),
        }
    }

    /// Appends the footer to a type byte and body.
    fn with_footer(body: &[u8]) -> Vec<u8> {
        let mut p = body.to_vec();
        p.extend_from_slice(&RDB_VERSION.to_le_bytes());
        let crc = crc64(0, &p);
        p.extend_from_slice(&crc.to_le_bytes());
        p
    }

    #[test]
    fn dump_payloads_equal_redis() {
        // What Redis 7.0.15 answers to DUMP after SET k <value>.
        let cases: &[(&[u8], &[u8])] = &[
            (b"hello", b"\x00\x05hello\n\x00cr\xdfve4 \n"),
            (b"1", b"\x00\xc0\x01\n\x00&x\xe7\xb6\xd1\x01\x11\xfc"),
            (b"200", b"\x00\xc1\xc8\x00\n\x00\xed\xe8\xfdk\"\x12\x8c\x07"),
            (b"-129", b"\x00\xc1\x7f\xff\n\x00\x17`\x82(T\x80\x84\x80"),
            (
                b"40000",
                b"\x00\xc2@\x9c\x00\x00\n\x00\t\xcdc\x1f\xf3\xb9\x8c\xf2",
            ),
            (b"3000000000", b"\x00\n3000000000\n\x00\xe7\x07kyT\xbbyG"),
            (b"", b"\x00\x00\n\x00]\x9b\\@\x0f\x7f\xa2\xda"),
            (
                &[b'a'; 65],
                b"\x00\xc3\t@A\x01aa\xe04\x00\x01aa\n\x00K\xb4\x1c\xd1\xde\xe2\x01z",
            ),
        ];
        for &(value, payload) in cases {
            assert_eq!(dump_payload(&string(value), true), payload);
            assert_eq!(loaded(payload).map(|(b, _)| b), Ok(value.to_vec()));
        }
    }

    #[test]
    fn lengths_use_their_four_forms() {
        for (n, bytes) in [
            (0u64, &b"\x00"[..]),
            (63, b"\x3f"),
            (64, b"\x40\x40"),
            (16383, b"\x7f\xff"),
            (16384, b"\x80\x00\x00\x40\x00"),
            (u64::from(u32::MAX), b"\x80\xff\xff\xff\xff"),
            (1 << 32, b"\x81\x00\x00\x00\x01\x00\x00\x00\x00"),
        ] {
            let mut w = Writer::new(true);
            w.save_len(n);
            assert_eq!(w.as_bytes(), bytes, "{n}");
            assert_eq!(Reader::new(bytes).load_len_or_encoding(), Ok((n, false)));
        }
        for bad in [0x82u8, 0x90, 0xbf] {
            assert!(matches!(
                Reader::new(&[bad, 0, 0, 0, 0, 0, 0, 0, 0]).load_len(),
                Err(LoadError::Corrupt(_))
            ));
        }
        // Truncated multi-byte lengths.
        for bytes in [&b"\x40"[..], b"\x80\x00\x00", b"\x81\x00", b""] {
            assert_eq!(Reader::new(bytes).load_len(), Err(LoadError::Truncated));
        }
    }

    #[test]
    fn integers_take_the_narrowest_encoding() {
        for (text, body) in [
            (&b"0"[..], &b"\xc0\x00"[..]),
            (b"-128", b"\xc0\x80"),
            (b"127", b"\xc0\x7f"),
            (b"128", b"\xc1\x80\x00"),
            (b"-32768", b"\xc1\x00\x80"),
            (b"32768", b"\xc2\x00\x80\x00\x00"),
            (b"2147483647", b"\xc2\xff\xff\xff\x7f"),
            (b"-2147483648", b"\xc2\x00\x00\x00\x80"),
            // Beyond 32 bits, or not canonical: plain strings.
            (b"2147483648", b"\x0a2147483648"),
            (b"-2147483649", b"\x0b-2147483649"),
            (b"01", b"\x0201"),
            (b"+1", b"\x02+1"),
            (b"-0", b"\x02-0"),
            (b"9223372036854775807", b"\x139223372036854775807"),
        ] {
            let mut w = Writer::new(true);
            w.save_string(text);
            assert_eq!(w.as_bytes(), body);
            assert_eq!(Reader::new(body).load_string().as_deref(), Ok(text));
            if let Ok(v) = std::str::from_utf8(text).unwrap_or("x").parse::<i64>()
                && text == v.to_string().as_bytes()
            {
                let mut w = Writer::new(true);
                w.save_i64_as_string(v);
                assert_eq!(w.as_bytes(), body);
            }
        }
    }

    #[test]
    fn restored_strings_take_redis_encodings() {
        let cases: &[(&[u8], StrEncoding)] = &[
            (b"12", StrEncoding::Int),
            (b"-9223372036854775808", StrEncoding::Int),
            (b"012", StrEncoding::Embstr),
            (b"hello", StrEncoding::Embstr),
            (&[b'x'; 44], StrEncoding::Embstr),
            (&[b'x'; 45], StrEncoding::Raw),
        ];
        for &(value, encoding) in cases {
            for compress in [true, false] {
                let payload = dump_payload(&string(value), compress);
                assert_eq!(loaded(&payload), Ok((value.to_vec(), encoding)));
            }
        }
        // A number written as plain text still becomes an integer.
        let payload = with_footer(b"\x00\x0212");
        assert_eq!(loaded(&payload), Ok((b"12".to_vec(), StrEncoding::Int)));
    }

    #[test]
    fn verification_checks_version_and_checksum() {
        let good = dump_payload(&string(b"hello"), true);
        assert!(verify_payload(&good));
        assert!(!verify_payload(&good[..good.len() - 1]));
        assert!(!verify_payload(b""));
        assert!(!verify_payload(&good[..9]));
        let mut bad_crc = good.clone();
        *bad_crc.last_mut().expect("non-empty") ^= 1;
        assert!(!verify_payload(&bad_crc));
        // An older version is accepted, a newer one refused.
        assert!(verify_payload(&with_footer_version(b"\x00\x01a", 9)));
        assert!(verify_payload(&with_footer_version(b"\x00\x01a", 0)));
        assert!(!verify_payload(&with_footer_version(b"\x00\x01a", 11)));
        assert!(!verify_payload(&with_footer_version(b"\x00\x01a", 0x100)));
        // The footer alone is a verified payload (whose value then reads the footer).
        assert!(verify_payload(&with_footer(b"")));
    }

    fn with_footer_version(body: &[u8], version: u16) -> Vec<u8> {
        let mut p = body.to_vec();
        p.extend_from_slice(&version.to_le_bytes());
        let crc = crc64(0, &p);
        p.extend_from_slice(&crc.to_le_bytes());
        p
    }

    #[test]
    fn values_are_read_over_the_footer_as_redis_does() {
        // A length reaching into the footer takes its bytes.
        let payload = with_footer(b"\x00\x05ab");
        assert_eq!(loaded(&payload).map(|(b, _)| b), Ok(payload[2..7].to_vec()));
        // Trailing bytes after the value are ignored.
        let payload = with_footer(b"\x00\x01abcdef");
        assert_eq!(loaded(&payload).map(|(b, _)| b), Ok(b"a".to_vec()));
        // A length beyond the end is an error.
        let payload = with_footer(b"\x00\x20ab");
        assert_eq!(loaded(&payload), Err(LoadError::Truncated));
    }

    #[test]
    fn lzf_quirks_follow_redis() {
        // An encoding prefix in place of a length is read as a 6-bit length.
        let payload = with_footer(b"\x00\xc3\xc3\x02\x01ab");
        assert_eq!(loaded(&payload).map(|(b, _)| b), Ok(b"ab".to_vec()));
        // An announced length of 0 accepts any data.
        let payload = with_footer(b"\x00\xc3\x02\x00\x20\x00");
        assert_eq!(loaded(&payload).map(|(b, _)| b), Ok(Vec::new()));
        // A shorter or longer result than announced is corrupt.
        let payload = with_footer(b"\x00\xc3\x03\x03\x01ab");
        assert!(matches!(loaded(&payload), Err(LoadError::Corrupt(_))));
        let payload = with_footer(b"\x00\xc3\x03\x01\x01ab");
        assert!(matches!(loaded(&payload), Err(LoadError::Corrupt(_))));
        // A huge announced length allocates nothing: it cannot be produced.
        let payload = with_footer(b"\x00\xc3\x03\x81\x7f\xff\xff\xff\xff\xff\xff\xff\x01ab");
        assert!(matches!(loaded(&payload), Err(LoadError::Corrupt(_))));
        // Unknown string encodings.
        for e in [4u8, 5, 0x3f] {
            let payload = with_footer(&[0, 0xc0 | e, 0, 0, 0, 0]);
            assert!(matches!(loaded(&payload), Err(LoadError::Corrupt(_))));
        }
    }

    #[test]
    fn unknown_and_module_types_are_refused() {
        for t in [8u8, 20, 21, 200, 255] {
            let payload = with_footer(&[t, 1, b'a']);
            assert_eq!(
                load_payload(&payload, &Config::default()),
                Err(LoadError::UnknownType(t))
            );
        }
        for t in [6u8, 7] {
            let payload = with_footer(&[t, 1, b'a']);
            assert_eq!(
                load_payload(&payload, &Config::default()),
                Err(LoadError::Unsupported(t))
            );
        }
    }

    #[test]
    fn round_trips_through_every_encoding() {
        let mut rng = Rng::new(3);
        for _ in 0..500 {
            let size = match rng.below(4) {
                0 => rng.below(25),
                1 => rng.below(300),
                2 => rng.below(20_000),
                _ => 16_380 + rng.below(10),
            } as usize;
            let alphabet = 1 + rng.below(256);
            let bytes: Vec<u8> = (0..size).map(|_| rng.below(alphabet) as u8).collect();
            for compress in [true, false] {
                let payload = dump_payload(&string(&bytes), compress);
                assert_eq!(loaded(&payload).map(|(b, _)| b), Ok(bytes.clone()));
            }
        }
    }

    #[test]
    fn random_and_damaged_payloads_never_panic() {
        let mut rng = Rng::new(5);
        let samples: Vec<Vec<u8>> = [&b"hello"[..], b"12", b"-40000", &[b'z'; 300], b""]
            .iter()
            .map(|v| dump_payload(&string(v), true))
            .chain([with_footer(b"\x00\xc3\x05\x14\x01aa\xe0\x0f\x00")])
            .collect();
        for round in 0..20_000u64 {
            let mut payload = match round % 3 {
                // Pure noise, sometimes with a valid footer so the parser runs.
                0 => {
                    let size = rng.below(40) as usize;
                    let noise: Vec<u8> = (0..size).map(|_| rng.next_u64() as u8).collect();
                    if rng.below(2) == 0 {
                        with_footer(&noise)
                    } else {
                        noise
                    }
                }
                // A truncated real payload, re-signed.
                1 => {
                    let sample = &samples[rng.below(samples.len() as u64) as usize];
                    let body = &sample[..sample.len() - FOOTER_LEN];
                    with_footer(&body[..rng.below(body.len() as u64 + 1) as usize])
                }
                // A real payload with flipped bytes, re-signed or not.
                _ => {
                    let sample = &samples[rng.below(samples.len() as u64) as usize];
                    let mut body = sample[..sample.len() - FOOTER_LEN].to_vec();
                    for _ in 0..=rng.below(3) {
                        if !body.is_empty() {
                            let at = rng.below(body.len() as u64) as usize;
                            body[at] = rng.next_u64() as u8;
                        }
                    }
                    if rng.below(4) == 0 {
                        body.extend_from_slice(&sample[sample.len() - FOOTER_LEN..]);
                        body
                    } else {
                        with_footer(&body)
                    }
                }
            };
            if rng.below(10) == 0 {
                payload.truncate(rng.below(payload.len() as u64 + 1) as usize);
            }
            if verify_payload(&payload) {
                let _ = load_payload(&payload, &Config::default());
            }
            // The parser must also survive input nobody verified.
            let _ = load_payload(&payload, &Config::default());
            let mut r = Reader::new(&payload);
            while r.load_string().is_ok() && r.position() < payload.len() {}
        }
    }
}
