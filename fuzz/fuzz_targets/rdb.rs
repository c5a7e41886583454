//! Fuzz target: bytes read as RDB. An even first byte makes the rest a DUMP payload's body
//! (signed with a valid footer, so that the value itself is parsed); an odd one a whole RDB
//! file. Loading must not panic; what loads must be written back by the engine and read again
//! as the same value (payloads) or without error (files).

#![no_main]

use engine::{Config, Engine, rdb};
use libfuzzer_sys::fuzz_target;

/// 2026-01-01: a clock before most expire times a file may hold.
const NOW_MS: i64 = 1_767_225_600_000;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let config = Config::default();
    if mode % 2 == 0 {
        let mut payload = body.to_vec();
        payload.extend_from_slice(&rdb::RDB_VERSION.to_le_bytes());
        let crc = rdb::crc64(0, &payload);
        payload.extend_from_slice(&crc.to_le_bytes());
        if let Ok(value) = rdb::load_payload(&payload, &config) {
            let again = rdb::load_payload(&rdb::dump_payload(&value, mode % 4 == 0), &config);
            assert!(again.as_ref() == Ok(&value), "{value:?} does not round trip");
        }
    } else {
        let mut engine = Engine::new();
        engine.set_time(NOW_MS);
        if rdb::load_database(&mut engine, body).is_ok() {
            let file = rdb::save_database(&engine);
            let mut again = Engine::new();
            again.set_time(NOW_MS);
            assert!(rdb::load_database(&mut again, &file).is_ok());
        }
    }
});
