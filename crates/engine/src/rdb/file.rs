//! Whole-database RDB files, as Redis 7.0 writes them on `SAVE` and reads them at startup or on
//! `DEBUG RELOAD` (`rdbSaveRio`, `rdbLoadRio`), format version 10.
//!
//! Layout: the magic `REDIS0010`; auxiliary fields (`AUX`, a name and a value, both strings:
//! `redis-ver`, `redis-bits`, `ctime`, `used-mem`, `aof-base`); then for each database that
//! holds keys, `SELECTDB` and its number, `RESIZEDB` with its key and expire counts, and each key:
//! its expire time (`EXPIRETIME_MS`, milliseconds, 8 bytes little-endian) if any, its idle time
//! in seconds (`IDLE`, a length) under an LRU eviction policy or its access counter (`FREQ`, one
//! byte) under an LFU one, then the value's type byte, the key as a string and the value's
//! body; finally `EOF` and the CRC-64 of everything before it (8 bytes little-endian).
//!
//! Loading reads versions 1 to 10 and the older opcodes (`EXPIRETIME` in seconds), skips AUX
//! fields and the keys whose expire time has passed (as a master does), skips empty
//! collections (as Redis does, for files written by its old bugs), and checks the CRC unless it
//! is 0 (a file saved with `rdbchecksum no`). It refuses what Redis refuses (where Redis stops
//! the server: a database number past 15, module data, a duplicated key) and every value
//! [`super::load`] refuses. Function libraries (`FUNCTION2`, written after the AUX fields, and
//! `FUNCTION` of the release candidates) are read and given to the engine's functions, which
//! load them on first use (this loader runs no Lua); a library whose name is already loaded, or
//! given twice, refuses the file as it stops Redis (unless merging, where it replaces the
//! loaded one). A file is read whole before any key is stored, so a refused file leaves the
//! engine as it was.

use super::{LoadError, RDB_VERSION, Reader, Writer, crc64};
use crate::commands::dump::lru_ms_for_idle;
use crate::commands::generic::idle_seconds;
use crate::engine::{Engine, lfu_decayed};
use crate::keyspace::{Entry, minutes};

/// Opcodes that may stand where a value's type byte does (`RDB_OPCODE_*`).
mod opcode {
    /// A function library (Redis 7.0 GA).
    pub const FUNCTION2: u8 = 245;
    /// A function library in the format of Redis 7.0's release candidates.
    pub const FUNCTION: u8 = 246;
    /// Module auxiliary data.
    pub const MODULE_AUX: u8 = 247;
    /// The next key's idle time, in seconds.
    pub const IDLE: u8 = 248;
    /// The next key's LFU counter.
    pub const FREQ: u8 = 249;
    /// An auxiliary field.
    pub const AUX: u8 = 250;
    /// Size hints of the selected database.
    pub const RESIZEDB: u8 = 251;
    /// The next key's expire time in milliseconds.
    pub const EXPIRETIME_MS: u8 = 252;
    /// The next key's expire time in seconds (before RDB 3).
    pub const EXPIRETIME: u8 = 253;
    /// The database the following keys go to.
    pub const SELECTDB: u8 = 254;
    /// The end of the file (the checksum follows).
    pub const EOF: u8 = 255;
}

/// The `redis-ver` a saved file announces.
const REDIS_VER: &str = "7.0.15";

/// What `used-mem` starts from: about what an empty Redis 7.0 reports.
const BASE_USED_MEMORY: u64 = 860_000;

/// How a load treats keys that already exist (`DEBUG RELOAD`'s options).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// A key of the file replaces an existing key of that name, and a later copy of a key in
    /// the file an earlier one (`RDBFLAGS_ALLOW_DUP`, `DEBUG RELOAD MERGE`). Without it a
    /// duplicate refuses the whole file (Redis stops the server).
    pub merge: bool,
}

/// What a load did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Keys stored.
    pub keys_loaded: u64,
    /// Keys skipped because their expire time had passed.
    pub keys_expired: u64,
    /// Empty collections skipped.
    pub empty_keys_skipped: u64,
    /// Function libraries read.
    pub functions_loaded: u64,
    /// The file's `ctime` auxiliary field: the Unix second it was saved at, if it says.
    pub ctime: Option<i64>,
}

/// Serializes every database of `engine` as Redis 7.0's `SAVE` writes `dump.rdb`. `ctime` is
/// the virtual clock's second; `used-mem` an estimate (an empty server's footprint plus twice
/// the serialized size of each key). Keys are written in the order of their database's
/// table, expire times as they are (even passed ones, as Redis does), access data as the
/// eviction policy asks.
pub fn save_database(engine: &Engine) -> Vec<u8> {
    let config = &engine.config;
    let now = engine.now_ms;
    let mut body = Writer::new(config.rdbcompression);
    let mut used_memory = BASE_USED_MEMORY;
    for (number, db) in engine.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        body.save_type(opcode::SELECTDB);
        body.save_len(number as u64);
        body.save_type(opcode::RESIZEDB);
        body.save_len(db.len() as u64);
        body.save_len(db.volatile_len() as u64);
        for (key, entry) in db.dict().iter() {
            let start = body.as_bytes().len();
            if let Some(at) = entry.expire_at() {
                body.save_type(opcode::EXPIRETIME_MS);
                body.raw(&at.to_le_bytes());
            }
            if config.maxmemory_policy.is_lru() {
                body.save_type(opcode::IDLE);
                body.save_len(idle_seconds(entry.lru_ms, now).unsigned_abs());
            } else if config.maxmemory_policy.is_lfu() {
                body.save_type(opcode::FREQ);
                body.raw(&[lfu_decayed(entry, now, config.lfu_decay_time)]);
            }
            body.save_object_type(&entry.value);
            body.save_string(key);
            body.save_object(&entry.value);
            let written = (body.as_bytes().len() - start) as u64;
            used_memory = used_memory.saturating_add(written.saturating_mul(2));
        }
    }

    let mut w = Writer::new(config.rdbcompression);
    w.raw(format!("REDIS{RDB_VERSION:04}").as_bytes());
    let ctime = now.div_euclid(1000).to_string();
    for (name, value) in [
        ("redis-ver", REDIS_VER.to_string()),
        ("redis-bits", "64".to_string()),
        ("ctime", ctime),
        ("used-mem", used_memory.to_string()),
        ("aof-base", "0".to_string()),
    ] {
        w.save_type(opcode::AUX);
        w.save_string(name.as_bytes());
        w.save_string(value.as_bytes());
    }
    crate::commands::scripting::functions::save_rdb(engine, &mut w);
    w.raw(body.as_bytes());
    w.save_type(opcode::EOF);
    let crc = crc64(0, w.as_bytes());
    w.raw(&crc.to_le_bytes());
    w.into_bytes()
}

/// Loads an RDB file into `engine` as Redis does at startup (without flushing first: the caller
/// empties the databases it wants empty). A key already present, or present twice in the file,
/// refuses the file.
pub fn load_database(engine: &mut Engine, bytes: &[u8]) -> Result<LoadReport, LoadError> {
    load_database_with(engine, bytes, LoadOptions::default())
}

/// A key read from a file, ready to store.
struct Loaded {
    db: usize,
    key: Vec<u8>,
    entry: Entry,
    expire_at: Option<i64>,
}

/// [`load_database`] with options.
pub fn load_database_with(
    engine: &mut Engine,
    bytes: &[u8],
    options: LoadOptions,
) -> Result<LoadReport, LoadError> {
    let (loaded, report, libraries) = read_file(engine, bytes)?;
    let mut names = std::collections::HashSet::new();
    let loaded_names: std::collections::HashSet<String> =
        engine.functions.names().into_iter().collect();
    for code in &libraries {
        let name = crate::commands::scripting::functions::library_name(code)
            .ok_or(LoadError::Corrupt("bad function library"))?;
        if !options.merge && (loaded_names.contains(&name) || !names.insert(name)) {
            return Err(LoadError::Corrupt("duplicated function library"));
        }
    }
    if !options.merge {
        let mut seen = std::collections::HashSet::new();
        for item in &loaded {
            let exists = engine
                .dbs
                .get(item.db)
                .is_some_and(|db| db.peek(&item.key).is_some());
            if exists || !seen.insert((item.db, item.key.as_slice())) {
                return Err(LoadError::Corrupt("duplicated key"));
            }
        }
    }
    // Any database may hold keys now (dispatch: see Engine::dbs_in_use).
    engine.dbs_in_use = u32::MAX;
    for item in loaded {
        // `read_file` checked every database number against the engine's.
        let Some(db) = engine.dbs.get_mut(item.db) else {
            continue;
        };
        db.insert(&item.key, item.entry);
        if item.expire_at.is_some() {
            db.set_expire(&item.key, item.expire_at);
        }
    }
    engine.functions.add_pending(libraries, options.merge);
    // In the page the libraries load on first use (the interpreter is another chunk).
    #[cfg(not(feature = "split"))]
    engine.functions.settle();
    Ok(report)
}

/// Reads a whole file into keys ready to store, and the codes of its function libraries.
#[allow(clippy::type_complexity)]
fn read_file(
    engine: &Engine,
    bytes: &[u8],
) -> Result<(Vec<Loaded>, LoadReport, Vec<Vec<u8>>), LoadError> {
    let config = &engine.config;
    let now = engine.now_ms;
    let mut r = Reader::new(bytes);
    let magic = r.read_exact(9)?;
    let (signature, version) = magic.split_at(5);
    if signature != b"REDIS" {
        return Err(LoadError::Corrupt("wrong signature"));
    }
    let version = crate::cstr::atoi(version);
    if !(1..=i32::from(RDB_VERSION)).contains(&version) {
        return Err(LoadError::Corrupt("unsupported RDB version"));
    }
    let mut report = LoadReport::default();
    let mut loaded = Vec::new();
    let mut libraries = Vec::new();
    let mut db = 0usize;
    let mut expire_at: Option<i64> = None;
    let mut idle: Option<i64> = None;
    let mut freq: Option<u8> = None;
    loop {
        let t = r.read_u8()?;
        match t {
            opcode::EXPIRETIME => {
                let seconds = i32::from_le_bytes(r.read_array()?);
                expire_at = Some(i64::from(seconds) * 1000);
            }
            opcode::EXPIRETIME_MS => expire_at = Some(i64::from_le_bytes(r.read_array()?)),
            opcode::FREQ => freq = Some(r.read_u8()?),
            opcode::IDLE => idle = Some(r.load_len()? as i64),
            opcode::EOF => break,
            opcode::SELECTDB => {
                db = usize::try_from(r.load_len()?)
                    .ok()
                    .filter(|&n| n < engine.dbs.len())
                    .ok_or(LoadError::Corrupt("database number out of range"))?;
            }
            opcode::RESIZEDB => {
                r.load_len()?;
                r.load_len()?;
            }
            opcode::AUX => {
                let name = r.load_string()?;
                let value = r.load_string()?;
                if name.eq_ignore_ascii_case(b"ctime") {
                    report.ctime = crate::num::parse_i64(&value);
                }
            }
            opcode::FUNCTION2 => {
                libraries.push(r.load_string()?);
                report.functions_loaded += 1;
            }
            opcode::FUNCTION => {
                // The release candidates' form: name, engine, an optional description, code;
                // Redis makes it a shebang and the code.
                let name = r.load_string()?;
                let engine_name = r.load_string()?;
                if r.load_len()? != 0 {
                    r.load_string()?;
                }
                let blob = r.load_string()?;
                libraries.push(crate::commands::scripting::functions::rc_library_code(
                    &engine_name,
                    &name,
                    &blob,
                ));
                report.functions_loaded += 1;
            }
            opcode::MODULE_AUX => return Err(LoadError::Unsupported(t)),
            _ => {
                let key = r.load_string()?;
                let value = match r.load_object(t, config) {
                    Ok(value) => Some(value),
                    Err(LoadError::EmptyKey) => None,
                    Err(e) => return Err(e),
                };
                // As Redis, an expire time of -1 means none.
                let expire = expire_at.take().filter(|&at| at != -1);
                let (idle, freq) = (idle.take(), freq.take());
                let Some(value) = value else {
                    report.empty_keys_skipped += 1;
                    continue;
                };
                if expire.is_some_and(|at| at < now) {
                    report.keys_expired += 1;
                    continue;
                }
                let mut entry = Entry::new(value, now);
                // `objectSetLRUOrLFU`: the policy in force decides which datum counts.
                if config.maxmemory_policy.is_lfu() {
                    if let Some(counter) = freq {
                        entry.lfu_counter = counter;
                        entry.lfu_minutes = minutes(now);
                    }
                } else if let Some(seconds) = idle.filter(|&s| s >= 0) {
                    entry.lru_ms = lru_ms_for_idle(now, seconds);
                }
                report.keys_loaded += 1;
                loaded.push(Loaded {
                    db,
                    key,
                    entry,
                    expire_at: expire,
                });
            }
        }
    }
    if version >= 5 {
        let signed = r.position();
        let stored = u64::from_le_bytes(r.read_array()?);
        let computed = bytes.get(..signed).map_or(0, |b| crc64(0, b));
        if stored != 0 && stored != computed {
            return Err(LoadError::Corrupt("RDB CRC error"));
        }
    }
    Ok((loaded, report, libraries))
}

impl Engine {
    /// The RDB file the server last saved (its `dump.rdb`), if any: what `DEBUG RELOAD` writes
    /// and reads back.
    pub fn rdb_file(&self) -> Option<&[u8]> {
        self.rdb_file.as_deref()
    }

    /// Replaces the saved RDB file (a page restoring its state puts back the file it kept; a
    /// persistence simulation saves here).
    pub fn set_rdb_file(&mut self, file: Option<Vec<u8>>) {
        self.rdb_file = file;
    }
}
