//! Tests of value loading and whole-database files: payloads and files the real server wrote,
//! the older formats, Redis's encoding choices on load, refused payloads, damaged payloads of
//! every type, and random round trips.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::listpack::{self, Element};
use super::*;
use crate::Engine;
use crate::config::EvictionPolicy;
use crate::keyspace::Entry;
use crate::keyspace::hash::Hash;
use crate::keyspace::set::SetValue;
use crate::keyspace::stream::{Stream, StreamId};
use crate::keyspace::zset::{Limits, ZSet};
use crate::rng::Rng;

/// A DUMP payload of the real server and how its key was built.
pub(super) struct Case {
    name: &'static str,
    /// Whether DUMP of the loaded value gives the payload back byte for byte.
    exact: bool,
    /// `OBJECT ENCODING` of the key on the real server.
    encoding: &'static str,
    commands: &'static [&'static [&'static [u8]]],
    payload: &'static [u8],
}

/// An RDB file the real server saved and how its databases were filled.
pub(super) struct FileCase {
    name: &'static str,
    policy: &'static str,
    commands: &'static [&'static [&'static [u8]]],
    file: &'static [u8],
}

mod fixtures {
    use super::{Case, FileCase};
    include!("real_fixtures.rs");
}

use fixtures::{REAL_FILES, REAL_PAYLOADS};

/// 2026-01-01, the conformance transcripts' start.
const START_MS: i64 = 1_767_225_600_000;

fn policy(name: &str) -> EvictionPolicy {
    match name {
        "allkeys-lru" => EvictionPolicy::AllKeysLru,
        "allkeys-lfu" => EvictionPolicy::AllKeysLfu,
        _ => EvictionPolicy::NoEviction,
    }
}

/// An engine at [`START_MS`] after running `commands` (`DEBUG` ones, tuning the real server,
/// and `FUNCTION` ones, unknown here, are skipped), each of which must succeed.
fn build(commands: &[&[&[u8]]], config: &Config) -> Engine {
    let mut engine = Engine::new();
    engine.config = config.clone();
    engine.set_time(START_MS);
    let client = engine.connect();
    for command in commands {
        if matches!(command.first(), Some(&b"DEBUG" | &b"FUNCTION")) {
            continue;
        }
        let argv: Vec<Vec<u8>> = command.iter().map(|a| a.to_vec()).collect();
        let reply = engine.exec(client, &argv);
        assert!(!reply.is_error(), "{command:?}: {reply:?}");
    }
    engine
}

fn key_value(engine: &Engine, db: usize, key: &[u8]) -> Value {
    match engine.dbs[db].peek(key) {
        Some(e) => e.value.clone(),
        None => panic!("{} missing", String::from_utf8_lossy(key)),
    }
}

/// The value with the stream times the real server took from its wall clock (deliveries,
/// consumers last seen) set to 0.
fn without_times(mut value: Value) -> Value {
    if let Value::Stream(s) = &mut value {
        for group in s.groups.values_mut() {
            for nack in group.pel.values_mut() {
                nack.delivery_time = 0;
            }
            for consumer in group.consumers.values_mut() {
                consumer.seen_time = 0;
            }
        }
    }
    value
}

fn load(payload: &[u8], config: &Config) -> Result<Value, LoadError> {
    assert!(verify_payload(payload), "payload verifies");
    load_payload(payload, config)
}

/// Appends the footer to a type byte and body.
fn signed(body: &[u8]) -> Vec<u8> {
    let mut p = body.to_vec();
    p.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

/// A body: the type byte, then parts written by `f`.
fn body(t: u8, f: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::new(false);
    w.save_type(t);
    f(&mut w);
    w.into_bytes()
}

#[test]
fn real_payloads_load_to_the_values_redis_dumped() {
    let config = Config::default();
    for case in REAL_PAYLOADS {
        let built = key_value(&build(case.commands, &config), 0, b"k");
        let loaded = load(case.payload, &config).unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        assert_eq!(loaded.encoding_name(), case.encoding, "{}", case.name);
        assert_eq!(
            without_times(loaded.clone()),
            without_times(built.clone()),
            "{}",
            case.name
        );
        if case.exact {
            assert_eq!(dump_payload(&loaded, true), case.payload, "{}", case.name);
        }
        // Either way, what this engine writes loads back to the same value.
        for compress in [true, false] {
            let again = load(&dump_payload(&loaded, compress), &config);
            assert_eq!(again.as_ref(), Ok(&loaded), "{}", case.name);
        }
    }
}

#[test]
fn payloads_get_the_encodings_of_the_thresholds_in_force() {
    // As OBJECT ENCODING answers on redis-server 7.0.15 after RESTORE under each CONFIG SET.
    let hash_ht = signed(&body(rdb_type::HASH, |w| {
        w.save_len(3);
        for s in ["a", "1", "b", "2", "c", "3"] {
            w.save_string(s.as_bytes());
        }
    }));
    let set_ht = signed(&body(rdb_type::SET, |w| {
        w.save_len(3);
        for s in ["3", "1", "70000"] {
            w.save_string(s.as_bytes());
        }
    }));
    let zset2 = signed(&body(rdb_type::ZSET_2, |w| {
        w.save_len(2);
        w.save_string(b"b");
        w.raw(&2.0f64.to_le_bytes());
        w.save_string(b"a");
        w.raw(&(-0.0f64).to_le_bytes());
    }));
    let intset = signed(&body(rdb_type::SET_INTSET, |w| {
        w.save_string(
            b"\x04\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00",
        );
    }));
    let lp = |items: &[&[u8]]| listpack::encode(items.iter().map(|&b| Element::Bytes(b)));
    let zset_lp = signed(&body(rdb_type::ZSET_LISTPACK, |w| {
        w.save_string(&lp(&[b"abcdef", b"1", b"ghijkl", b"2.5"]));
    }));
    let hash_lp = signed(&body(rdb_type::HASH_LISTPACK, |w| {
        w.save_string(&lp(&[b"field1", b"value-long", b"b", b"2"]));
    }));
    let encodings = |config: &Config| -> Vec<&'static str> {
        [&hash_ht, &set_ht, &zset2, &intset, &zset_lp, &hash_lp]
            .iter()
            .map(|p| load(p, config).map_or("error", |v| v.encoding_name()))
            .collect()
    };
    let mut config = Config::default();
    assert_eq!(
        encodings(&config),
        [
            "listpack", "intset", "listpack", "intset", "listpack", "listpack"
        ]
    );
    // The sets as Redis writes them back after loading.
    assert_eq!(
        dump_payload(&load(&set_ht, &config).expect("loads"), true),
        b"\x0b\x14\x04\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x03\x00\x00\x00p\x11\x01\x00\n\x00I\x93@\xedT\xefJ\xfa"
    );
    assert_eq!(
        dump_payload(&load(&zset2, &config).expect("loads"), true),
        b"\x11\x11\x11\x00\x00\x00\x04\x00\x81a\x02\x00\x01\x81b\x02\x02\x01\xff\n\x00vAs\xcf\xa6 \x15\xfa"
    );
    config.hash_max_listpack_entries = 2;
    config.set_max_intset_entries = 2;
    config.zset_max_listpack_entries = 1;
    config.zset_max_listpack_value = 1;
    config.hash_max_listpack_value = 1;
    assert_eq!(
        encodings(&config),
        [
            "hashtable",
            "hashtable",
            "skiplist",
            "hashtable",
            "skiplist",
            "listpack"
        ]
    );
    config.zset_max_listpack_entries = 128;
    config.hash_max_listpack_entries = 512;
    // Listpacks are not checked for long elements; the HASH form is, member by member.
    let mut some = encodings(&config);
    some.remove(1);
    some.remove(2);
    assert_eq!(some, ["listpack", "listpack", "listpack", "listpack"]);
    config.hash_max_listpack_value = 0;
    assert_eq!(encodings(&config)[0], "hashtable");
}

/// A ziplist of `elements` (integers where canonical, as Redis builds it).
fn ziplist(elements: &[&[u8]]) -> Vec<u8> {
    let mut body = Vec::new();
    let (mut prev, mut tail) = (0usize, 10usize);
    for e in elements {
        tail = 10 + body.len();
        let start = body.len();
        if prev < 254 {
            body.push(prev as u8);
        } else {
            body.push(0xFE);
            body.extend_from_slice(&(prev as u32).to_le_bytes());
        }
        match crate::num::parse_i64(e) {
            Some(v @ 0..=12) => body.push(0xF1 + v as u8),
            Some(v) if i8::try_from(v).is_ok() => body.extend_from_slice(&[0xFE, v as u8]),
            Some(v) if i16::try_from(v).is_ok() => {
                body.push(0xC0);
                body.extend_from_slice(&(v as i16).to_le_bytes());
            }
            Some(v) if i32::try_from(v).is_ok() => {
                body.push(0xD0);
                body.extend_from_slice(&(v as i32).to_le_bytes());
            }
            Some(v) => {
                body.push(0xE0);
                body.extend_from_slice(&v.to_le_bytes());
            }
            None if e.len() < 64 => {
                body.push(e.len() as u8);
                body.extend_from_slice(e);
            }
            None => {
                body.push(0x80);
                body.extend_from_slice(&(e.len() as u32).to_be_bytes());
                body.extend_from_slice(e);
            }
        }
        prev = body.len() - start;
    }
    let mut zl = Vec::new();
    zl.extend_from_slice(&((10 + body.len() + 1) as u32).to_le_bytes());
    zl.extend_from_slice(&(tail as u32).to_le_bytes());
    zl.extend_from_slice(&(elements.len() as u16).to_le_bytes());
    zl.extend_from_slice(&body);
    zl.push(0xFF);
    zl
}

/// A zipmap of `pairs`, each value followed by one byte of free space.
fn zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
    let len = |out: &mut Vec<u8>, n: usize| {
        if n < 254 {
            out.push(n as u8);
        } else {
            out.push(254);
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
    };
    let mut zm = vec![pairs.len().min(254) as u8];
    for (f, v) in pairs {
        len(&mut zm, f.len());
        zm.extend_from_slice(f);
        len(&mut zm, v.len());
        zm.push(1);
        zm.extend_from_slice(v);
        zm.push(0);
    }
    zm.push(0xFF);
    zm
}

fn strings(value: &Value) -> Vec<Vec<u8>> {
    match value {
        Value::List(l) => l.iter().map(<[u8]>::to_vec).collect(),
        Value::Set(s) => {
            let mut members: Vec<Vec<u8>> = s.iter().map(|m| m.to_vec()).collect();
            members.sort();
            members
        }
        Value::Hash(h) => h
            .iter()
            .flat_map(|(f, v)| [f.to_vec(), v.to_vec()])
            .collect(),
        Value::ZSet(z) => z
            .iter()
            .flat_map(|(m, s)| [m.to_vec(), crate::num::format_double(s).into_bytes()])
            .collect(),
        Value::String(s) => vec![s.bytes.to_vec()],
        Value::Stream(_) => Vec::new(),
    }
}

/// The older encodings Redis 7.0 still reads: the payloads each type had before, and what each
/// loads as.
/// A named payload, the encoding it loads as, and the strings it holds (see [`strings`]).
type OldFormat = (&'static str, Vec<u8>, &'static str, Vec<&'static [u8]>);

fn old_format_payloads() -> Vec<OldFormat> {
    let long = &[b'q'; 300][..];
    let zl_list: Vec<&[u8]> = vec![
        b"a",
        b"1",
        b"-1",
        b"200",
        b"-40000",
        b"3000000000",
        long,
        b"13",
    ];
    let mut out = vec![
        (
            "LIST",
            signed(&body(rdb_type::LIST, |w| {
                w.save_len(3);
                for s in [&b"x"[..], b"12", long] {
                    w.save_string(s);
                }
            })),
            "quicklist",
            vec![&b"x"[..], b"12", long],
        ),
        (
            "LIST_ZIPLIST",
            signed(&body(rdb_type::LIST_ZIPLIST, |w| {
                w.save_string(&ziplist(&zl_list));
            })),
            "quicklist",
            zl_list.clone(),
        ),
        (
            "LIST_QUICKLIST",
            signed(&body(rdb_type::LIST_QUICKLIST, |w| {
                w.save_len(3);
                w.save_string(&ziplist(&zl_list[..3]));
                // Empty nodes are skipped.
                w.save_string(&ziplist(&[]));
                w.save_string(&ziplist(&zl_list[3..]));
            })),
            "quicklist",
            zl_list.clone(),
        ),
        (
            "LIST_QUICKLIST_2 plain",
            signed(&body(rdb_type::LIST_QUICKLIST_2, |w| {
                w.save_len(3);
                w.save_len(1);
                w.save_string(b"plain");
                w.save_len(2);
                w.save_string(&listpack::encode([Element::Bytes(b"p1"), Element::Int(7)]));
                w.save_len(1);
                w.save_string(long);
            })),
            "quicklist",
            vec![&b"plain"[..], b"p1", b"7", long],
        ),
        (
            "SET ints",
            signed(&body(rdb_type::SET, |w| {
                w.save_len(3);
                for s in ["-5", "100000", "3"] {
                    w.save_string(s.as_bytes());
                }
            })),
            "intset",
            vec![&b"-5"[..], b"100000", b"3"],
        ),
        (
            "SET mixed",
            signed(&body(rdb_type::SET, |w| {
                w.save_len(3);
                for s in ["1", "a", "01"] {
                    w.save_string(s.as_bytes());
                }
            })),
            "hashtable",
            vec![&b"01"[..], b"1", b"a"],
        ),
        (
            "ZSET",
            signed(&body(rdb_type::ZSET, |w| {
                w.save_len(4);
                w.save_string(b"a");
                w.raw(b"\x031.5");
                w.save_string(b"b");
                w.raw(b"\xfe");
                w.save_string(b"c");
                w.raw(b"\xff");
                w.save_string(b"d");
                // sscanf's %lg takes leading blanks and ignores what follows the number.
                w.raw(b"\x05 2e1x");
            })),
            "listpack",
            vec![&b"c"[..], b"-inf", b"a", b"1.5", b"d", b"20", b"b", b"inf"],
        ),
        (
            "ZSET_ZIPLIST",
            signed(&body(rdb_type::ZSET_ZIPLIST, |w| {
                w.save_string(&ziplist(&[
                    b"m1",
                    b"-3",
                    b"m2",
                    b"0.25",
                    b"m3",
                    b"4000000000",
                ]));
            })),
            "listpack",
            vec![&b"m1"[..], b"-3", b"m2", b"0.25", b"m3", b"4000000000"],
        ),
        (
            "HASH_ZIPMAP",
            signed(&body(rdb_type::HASH_ZIPMAP, |w| {
                w.save_string(&zipmap(&[(b"f1", b"v1"), (b"f2", b"")]));
            })),
            "listpack",
            vec![&b"f1"[..], b"v1", b"f2", b""],
        ),
        (
            "HASH_ZIPMAP long",
            signed(&body(rdb_type::HASH_ZIPMAP, |w| {
                w.save_string(&zipmap(&[(b"f1", long)]));
            })),
            "hashtable",
            vec![&b"f1"[..], long],
        ),
        (
            "HASH_ZIPLIST",
            signed(&body(rdb_type::HASH_ZIPLIST, |w| {
                w.save_string(&ziplist(&[b"a", b"1", b"b", long]));
            })),
            "listpack",
            vec![&b"a"[..], b"1", b"b", long],
        ),
    ];
    // SET_INTSET with a wider encoding than its members need.
    out.push((
        "SET_INTSET",
        signed(&body(rdb_type::SET_INTSET, |w| {
            w.save_string(b"\x08\x00\x00\x00\x02\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x00\x00\x00");
        })),
        "intset",
        vec![&b"-1"[..], b"2"],
    ));
    out
}

#[test]
fn older_formats_load_as_redis_7_converts_them() {
    let config = Config::default();
    for (name, payload, encoding, expected) in old_format_payloads() {
        let value = load(&payload, &config).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(value.encoding_name(), encoding, "{name}");
        assert_eq!(strings(&value), expected, "{name}");
        // Written back in Redis 7.0's forms, it loads the same.
        assert_eq!(
            load(&dump_payload(&value, true), &config).as_ref(),
            Ok(&value),
            "{name}"
        );
    }
    // An intset keeps its blob's width.
    let (_, payload, ..) = old_format_payloads().pop().expect("the intset");
    let value = load(&payload, &config).expect("loads");
    assert_eq!(
        dump_payload(&value, false).get(..4),
        Some(&b"\x0b\x18\x08\x00"[..])
    );
}

/// A stream written in the older `STREAM_LISTPACKS` form: without the first ID, the maximal
/// deleted ID, the entries-added counter and the groups' read counters.
fn stream_v1(s: &Stream) -> Vec<u8> {
    let mut v2 = Writer::new(false);
    s.save_rdb(&mut v2);
    // Re-read the v2 body to find where its parts are, then write the v1 form.
    let bytes = v2.into_bytes();
    let mut r = Reader::new(&bytes);
    let mut w = Writer::new(false);
    w.save_type(rdb_type::STREAM_LISTPACKS);
    let nodes = r.load_len().expect("nodes");
    w.save_len(nodes);
    for _ in 0..nodes {
        w.save_string(&r.load_string().expect("key"));
        w.save_string(&r.load_string().expect("listpack"));
    }
    for _ in 0..3 {
        w.save_len(r.load_len().expect("counter"));
    }
    for _ in 0..5 {
        r.load_len().expect("v2 counters");
    }
    let groups = r.load_len().expect("groups");
    w.save_len(groups);
    for _ in 0..groups {
        w.save_string(&r.load_string().expect("name"));
        w.save_len(r.load_len().expect("ms"));
        w.save_len(r.load_len().expect("seq"));
        r.load_len().expect("entries read");
        let pel = r.load_len().expect("pel");
        w.save_len(pel);
        for _ in 0..pel {
            w.raw(r.read_exact(24).expect("id and time"));
            w.save_len(r.load_len().expect("count"));
        }
        let consumers = r.load_len().expect("consumers");
        w.save_len(consumers);
        for _ in 0..consumers {
            w.save_string(&r.load_string().expect("name"));
            w.raw(r.read_exact(8).expect("seen"));
            let owned = r.load_len().expect("owned");
            w.save_len(owned);
            for _ in 0..owned {
                w.raw(r.read_exact(16).expect("id"));
            }
        }
    }
    signed(w.as_bytes())
}

#[test]
fn older_streams_derive_their_counters() {
    let config = Config::default();
    let case = REAL_PAYLOADS
        .iter()
        .find(|c| c.name == "stream_groups")
        .expect("a stream with groups");
    let Ok(Value::Stream(v2)) = load(case.payload, &config) else {
        panic!("a stream");
    };
    let Ok(Value::Stream(v1)) = load(&stream_v1(&v2), &config) else {
        panic!("the v1 form loads");
    };
    // Entries 1-2 and 3-0 are left; 1-1 was deleted.
    assert_eq!((v1.length, v1.last_id), (2, StreamId::new(3, 0)));
    assert_eq!(v1.first_id, StreamId::new(1, 2));
    assert_eq!(v1.max_deleted_id, StreamId::MIN);
    assert_eq!(v1.entries_added, 2);
    assert_eq!(v2.entries_added, 3);
    // g1 read up to 1-2: its counter is estimated (1-2 is the first entry: added - length + 1);
    // g2 is at the last ID.
    assert_eq!(v1.groups[&b"g1"[..]].entries_read, 1);
    assert_eq!(v1.groups[&b"g2"[..]].entries_read, 2);
    assert_eq!(v1.groups[&b"g1"[..]].pel, v2.groups[&b"g1"[..]].pel);
}

/// Why a payload fails, for the table below.
fn error_of(body_bytes: &[u8]) -> LoadError {
    load(&signed(body_bytes), &Config::default()).expect_err("refused")
}

#[test]
fn refused_payloads_of_every_type() {
    let empty = LoadError::EmptyKey;
    let lp = |items: &[Element<'_>]| listpack::encode(items.iter().copied());
    let b = |s: &'static [u8]| Element::Bytes(s);
    // Empty collections, in every form (Redis: "empty keys", Bad data format on RESTORE).
    for t in [
        rdb_type::LIST,
        rdb_type::SET,
        rdb_type::ZSET,
        rdb_type::ZSET_2,
        rdb_type::HASH,
        rdb_type::LIST_QUICKLIST,
        rdb_type::LIST_QUICKLIST_2,
    ] {
        assert_eq!(error_of(&[t, 0]), empty, "type {t}");
    }
    for (t, blob) in [
        (rdb_type::LIST_ZIPLIST, ziplist(&[])),
        (rdb_type::ZSET_ZIPLIST, ziplist(&[])),
        (rdb_type::HASH_ZIPLIST, ziplist(&[])),
        (rdb_type::ZSET_LISTPACK, lp(&[])),
        (rdb_type::HASH_LISTPACK, lp(&[])),
    ] {
        assert_eq!(
            error_of(&body(t, |w| w.save_string(&blob))),
            empty,
            "type {t}"
        );
    }
    let quicklist_of_empty_nodes = body(rdb_type::LIST_QUICKLIST_2, |w| {
        w.save_len(1);
        w.save_len(2);
        w.save_string(&lp(&[]));
    });
    assert_eq!(error_of(&quicklist_of_empty_nodes), empty);

    let corrupt = |body: Vec<u8>| matches!(error_of(&body), LoadError::Corrupt(_));
    // A container that is neither plain nor packed, an empty node string.
    assert!(corrupt(body(rdb_type::LIST_QUICKLIST_2, |w| {
        w.save_len(1);
        w.save_len(3);
        w.save_string(&lp(&[b(b"a")]));
    })));
    assert!(corrupt(body(rdb_type::LIST_QUICKLIST_2, |w| {
        w.save_len(1);
        w.save_len(1);
        w.save_string(b"");
    })));
    // Listpack headers: size, terminator, count.
    let mut bad_size = lp(&[b(b"a")]);
    bad_size[0] += 1;
    let mut bad_count = lp(&[b(b"a")]);
    bad_count[4] = 2;
    for blob in [bad_size, bad_count, b"\x06\x00\x00\x00\x00\x00".to_vec()] {
        assert!(corrupt(
            body(rdb_type::ZSET_LISTPACK, |w| w.save_string(&blob))
        ));
    }
    // Intsets: width, size, empty, order, duplicates.
    for blob in [
        &b"\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00"[..],
        b"\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00",
        b"\x02\x00\x00\x00\x00\x00\x00\x00",
        b"\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x01\x00",
        b"\x02\x00\x00\x00\x02\x00\x00\x00\x02\x00\x02\x00",
    ] {
        assert!(corrupt(body(rdb_type::SET_INTSET, |w| w.save_string(blob))));
    }
    // Duplicates in the plain forms.
    assert!(corrupt(body(rdb_type::SET, |w| {
        w.save_len(2);
        w.save_string(b"5");
        w.save_string(b"5");
    })));
    assert!(corrupt(body(rdb_type::ZSET_2, |w| {
        w.save_len(2);
        for _ in 0..2 {
            w.save_string(b"m");
            w.raw(&1.0f64.to_le_bytes());
        }
    })));
    assert!(corrupt(body(rdb_type::HASH, |w| {
        w.save_len(2);
        for _ in 0..2 {
            w.save_string(b"f");
            w.save_string(b"v");
        }
    })));
    // A NaN score, binary or as text.
    assert!(corrupt(body(rdb_type::ZSET_2, |w| {
        w.save_len(1);
        w.save_string(b"m");
        w.raw(&f64::NAN.to_le_bytes());
    })));
    assert!(corrupt(body(rdb_type::ZSET, |w| {
        w.save_len(1);
        w.save_string(b"m");
        w.raw(b"\xfd");
    })));
    assert!(corrupt(body(rdb_type::ZSET, |w| {
        w.save_len(1);
        w.save_string(b"m");
        w.raw(b"\x03abc");
    })));
    // Sorted-set listpacks: out of order, duplicate members, odd count, scores not numbers.
    for items in [
        &[b(b"b"), Element::Int(1), b(b"a"), Element::Int(1)][..],
        &[b(b"a"), Element::Int(2), b(b"b"), Element::Int(1)],
        &[b(b"a"), Element::Int(1), b(b"a"), Element::Int(2)],
        &[b(b"a"), Element::Int(1), b(b"b")],
        &[b(b"a"), b(b"1x")],
        &[b(b"a"), b(b"nan")],
        &[b(b"a"), b(b"")],
    ] {
        assert!(corrupt(
            body(rdb_type::ZSET_LISTPACK, |w| w.save_string(&lp(items)))
        ));
    }
    // Hash listpacks and ziplists: duplicate fields, odd count.
    for items in [
        &[b(b"f"), b(b"1"), b(b"f"), b(b"2")][..],
        &[b(b"f"), b(b"1"), b(b"g")],
    ] {
        assert!(corrupt(
            body(rdb_type::HASH_LISTPACK, |w| w.save_string(&lp(items)))
        ));
    }
    assert!(corrupt(body(rdb_type::HASH_ZIPLIST, |w| {
        w.save_string(&ziplist(&[b"f", b"1", b"f", b"2"]));
    })));
    assert!(corrupt(body(rdb_type::HASH_ZIPMAP, |w| {
        w.save_string(&zipmap(&[(b"f", b"1"), (b"f", b"2")]));
    })));
    // Streams: a node key that is not 16 bytes; a consumer claiming an ID the group does not
    // have pending; a pending ID nobody owns.
    assert!(corrupt(body(rdb_type::STREAM_LISTPACKS_2, |w| {
        w.save_len(1);
        w.save_string(b"short");
    })));
    let stream_with_pel = |owned: &[u8]| {
        body(rdb_type::STREAM_LISTPACKS_2, |w| {
            // No nodes, length 0, last ID 5-0, first 0-0, max deleted 0-0, 1 added, 1 group.
            for n in [0, 0, 5, 0, 0, 0, 0, 0, 1, 1] {
                w.save_len(n);
            }
            w.save_string(b"g");
            for n in [5, 0, 1, 1] {
                w.save_len(n);
            }
            w.raw(&StreamId::new(5, 0).key());
            w.raw(&0i64.to_le_bytes());
            w.save_len(1);
            w.save_len(1);
            w.save_string(b"alice");
            w.raw(&0i64.to_le_bytes());
            w.save_len(owned.len() as u64 / 16);
            w.raw(owned);
        })
    };
    assert!(
        load(
            &signed(&stream_with_pel(&StreamId::new(5, 0).key())),
            &Config::default()
        )
        .is_ok()
    );
    assert!(corrupt(stream_with_pel(&StreamId::new(6, 0).key())));
    assert!(corrupt(stream_with_pel(b"")));
    // A stream node whose listpack header miscounts its elements loads: Redis checks a node by
    // walking its entries, not by that count.
    let mut node = listpack::encode([1, 0, 1, -1, 0, 2, 0, 0, -2, 4].map(|n| match n {
        -1 => Element::Bytes(b"f"),
        -2 => Element::Bytes(b"v"),
        n => Element::Int(n),
    }));
    let stream = |node: &[u8]| {
        signed(&body(rdb_type::STREAM_LISTPACKS_2, |w| {
            w.save_len(1);
            w.save_string(&StreamId::new(1, 0).key());
            w.save_string(node);
            for n in [1, 1, 0, 1, 0, 0, 0, 1, 0] {
                w.save_len(n);
            }
        }))
    };
    let good = load(&stream(&node), &Config::default()).expect("a sound stream");
    node[4] = 99;
    assert_eq!(load(&stream(&node), &Config::default()), Ok(good));
    // Its entries are still checked: the last count says 5 elements where the entry has 4.
    let last = node.len() - 3;
    node[last] = 5;
    assert!(load(&stream(&node), &Config::default()).is_err());
}

/// Payloads of every type and encoding: the real server's, this engine's uncompressed ones
/// (so that damage hits the listpacks and ziplists, not LZF), and the older formats.
fn samples() -> Vec<Vec<u8>> {
    let config = Config::default();
    let mut out: Vec<Vec<u8>> = REAL_PAYLOADS.iter().map(|c| c.payload.to_vec()).collect();
    for case in REAL_PAYLOADS {
        if let Ok(value) = load(case.payload, &config) {
            out.push(dump_payload(&value, false));
        }
    }
    out.extend(old_format_payloads().into_iter().map(|(_, p, ..)| p));
    out
}

#[test]
fn damaged_payloads_of_every_type_never_panic_nor_hang() {
    let config = Config::default();
    let mut rng = Rng::new(17);
    let samples = samples();
    let started = Instant::now();
    let mut slowest = Duration::ZERO;
    for round in 0..30_000u64 {
        let sample = &samples[(round as usize) % samples.len()];
        let mut body = sample[..sample.len() - FOOTER_LEN].to_vec();
        match rng.below(4) {
            0 => body.truncate(rng.below(body.len() as u64 + 1) as usize),
            1 => {
                for _ in 0..=rng.below(4) {
                    let at = rng.below(body.len() as u64) as usize;
                    body[at] = rng.next_u64() as u8;
                }
            }
            2 => {
                // Small changes to one byte: off-by-one lengths and counts.
                let at = rng.below(body.len() as u64) as usize;
                body[at] = body[at].wrapping_add(if rng.below(2) == 0 { 1 } else { 255 });
            }
            _ => {
                let at = rng.below(body.len() as u64 + 1) as usize;
                if rng.below(2) == 0 {
                    body.insert(at, rng.next_u64() as u8);
                } else if at < body.len() {
                    body.remove(at);
                }
            }
        }
        let payload = signed(&body);
        let one = Instant::now();
        if let Ok(value) = load_payload(&payload, &config) {
            // Whatever loads is a value this engine can write and read again.
            let again = load_payload(&dump_payload(&value, true), &config);
            assert_eq!(again.as_ref(), Ok(&value), "round {round}");
        }
        slowest = slowest.max(one.elapsed());
    }
    // Bounded time: no damaged payload makes the loader crawl.
    assert!(
        slowest < Duration::from_secs(1),
        "slowest load took {slowest:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(120));
}

/// Random bytes for elements: integers of every width, short, long and very long strings.
fn random_element(rng: &mut Rng) -> Vec<u8> {
    match rng.below(8) {
        0 => (rng.next_u64() as i64 >> rng.below(64))
            .to_string()
            .into_bytes(),
        1 => rng.below(13).to_string().into_bytes(),
        2 => Vec::new(),
        3 => (0..rng.below(70)).map(|_| rng.below(256) as u8).collect(),
        4 => vec![b'a' + rng.below(26) as u8; 1 + rng.below(5000) as usize],
        5 => format!("0{}", rng.below(100)).into_bytes(),
        _ => format!("m{}", rng.below(1000)).into_bytes(),
    }
}

/// Runs commands that build a random value of every type under `k`, `k2`, … on `engine`.
fn random_commands(rng: &mut Rng, key: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let k = key.to_vec();
    let most = if rng.below(4) == 0 { 700 } else { 12 };
    let n = 1 + rng.below(most);
    let mut commands = Vec::new();
    let elements =
        |rng: &mut Rng| -> Vec<Vec<u8>> { (0..n).map(|_| random_element(rng)).collect() };
    match rng.below(6) {
        0 => commands.push(vec![b"SET".to_vec(), k, random_element(rng)]),
        1 => {
            let push: &[u8] = if rng.below(2) == 0 {
                b"RPUSH"
            } else {
                b"LPUSH"
            };
            let mut c = vec![push.to_vec(), k];
            c.extend(elements(rng));
            commands.push(c);
        }
        2 => {
            let mut c = vec![b"SADD".to_vec(), k.clone()];
            if rng.below(2) == 0 {
                c.extend((0..n).map(|_| {
                    (rng.next_u64() as i64 >> rng.below(64))
                        .to_string()
                        .into_bytes()
                }));
            } else {
                c.extend(elements(rng));
            }
            commands.push(c);
            if rng.below(3) == 0 {
                commands.push(vec![b"SPOP".to_vec(), k, (n / 2).to_string().into_bytes()]);
            }
        }
        3 => {
            let mut c = vec![b"HSET".to_vec(), k.clone()];
            for e in elements(rng) {
                c.push(e);
                c.push(random_element(rng));
            }
            commands.push(c);
            if rng.below(3) == 0 {
                commands.push(vec![b"HDEL".to_vec(), k, random_element(rng)]);
            }
        }
        4 => {
            let mut c = vec![b"ZADD".to_vec(), k.clone()];
            for e in elements(rng) {
                let score = match rng.below(6) {
                    0 => "inf".to_string(),
                    1 => "-0".to_string(),
                    2 => (rng.next_u64() as i64 >> rng.below(64)).to_string(),
                    3 => format!("{}", rng.next_f64() * 1e300),
                    _ => format!("{}.{}", rng.below(100), rng.below(1000)),
                };
                c.push(score.into_bytes());
                c.push(e);
            }
            commands.push(c);
        }
        _ => {
            for i in 0..n {
                let mut c = vec![
                    b"XADD".to_vec(),
                    k.clone(),
                    format!("{}-{}", i / 3 + 1, i % 3).into_bytes(),
                ];
                let fields = if rng.below(3) == 0 { 2 } else { 1 };
                for f in 0..fields {
                    c.push(format!("f{f}").into_bytes());
                    c.push(random_element(rng));
                }
                commands.push(c);
            }
            commands.push(vec![
                b"XGROUP".to_vec(),
                b"CREATE".to_vec(),
                k.clone(),
                b"g".to_vec(),
                b"0".to_vec(),
            ]);
            commands.push(vec![
                b"XREADGROUP".to_vec(),
                b"GROUP".to_vec(),
                b"g".to_vec(),
                b"c1".to_vec(),
                b"COUNT".to_vec(),
                rng.below(n + 1).max(1).to_string().into_bytes(),
                b"STREAMS".to_vec(),
                k.clone(),
                b">".to_vec(),
            ]);
            commands.push(vec![b"XDEL".to_vec(), k.clone(), b"1-1".to_vec()]);
            if rng.below(2) == 0 {
                commands.push(vec![
                    b"XTRIM".to_vec(),
                    k,
                    b"MAXLEN".to_vec(),
                    (n / 2).to_string().into_bytes(),
                ]);
            }
        }
    }
    commands
}

/// The value `value` becomes when written and loaded back: Redis writes hashtables member by
/// member, and loading picks the small encoding again when the contents fit it.
fn as_loaded(value: &Value, config: &Config) -> Value {
    match value {
        Value::String(s) => Value::string(s.bytes.to_vec()),
        Value::Hash(h) if !h.is_listpack() => {
            let pairs: Vec<(Vec<u8>, Vec<u8>)> =
                h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect();
            let max = config.hash_max_listpack_value;
            let fits = pairs.len() <= config.hash_max_listpack_entries
                && pairs.iter().all(|(f, v)| f.len() <= max && v.len() <= max);
            let mut h = Hash::from_listpack_pairs(pairs);
            if !fits {
                h.convert_to_table();
            }
            Value::Hash(h)
        }
        Value::Set(s) if !s.is_intset() => {
            let members: Vec<Vec<u8>> = s.iter().map(|m| m.to_vec()).collect();
            if members.len() <= config.set_max_intset_entries {
                Value::Set(SetValue::from_members(
                    members.iter().map(Vec::as_slice),
                    usize::MAX,
                ))
            } else {
                value.clone()
            }
        }
        Value::ZSet(z) if !z.is_listpack() => {
            let items = z.iter().map(|(m, s)| (m.to_vec(), s)).collect();
            Value::ZSet(ZSet::from_items(items, Limits::of(config)))
        }
        other => other.clone(),
    }
}

#[test]
fn random_values_of_every_type_round_trip() {
    let mut rng = Rng::new(23);
    for round in 0..300 {
        let mut config = Config::default();
        if round % 3 == 0 {
            // Smaller thresholds, so that both encodings of each type show up often.
            config.hash_max_listpack_entries = 4;
            config.set_max_intset_entries = 4;
            config.zset_max_listpack_entries = 4;
            config.hash_max_listpack_value = 8;
            config.zset_max_listpack_value = 8;
        }
        let commands = random_commands(&mut rng, b"k");
        let mut engine = Engine::new();
        engine.config = config.clone();
        engine.set_time(START_MS);
        let client = engine.connect();
        for c in &commands {
            engine.exec(client, c);
        }
        let Some(value) = engine.dbs[0].peek(b"k").map(|e| e.value.clone()) else {
            continue;
        };
        for compress in [true, false] {
            let payload = dump_payload(&value, compress);
            let loaded = load(&payload, &config).unwrap_or_else(|e| panic!("round {round}: {e:?}"));
            assert_eq!(loaded, as_loaded(&value, &config), "round {round}");
            // Loading what was loaded changes nothing more.
            assert_eq!(
                load(&dump_payload(&loaded, compress), &config),
                Ok(loaded.clone())
            );
        }
    }
}

/// Every database of two engines holds the same keys, values and expire times.
fn same_databases(a: &Engine, b: &Engine, normalize: impl Fn(Value) -> Value) {
    for (n, (da, db)) in a.dbs.iter().zip(&b.dbs).enumerate() {
        let entries = |d: &crate::keyspace::Db| -> BTreeMap<Vec<u8>, (Value, Option<i64>)> {
            d.dict()
                .iter()
                .map(|(k, e): (&[u8], &Entry)| {
                    (k.to_vec(), (normalize(e.value.clone()), e.expire_at()))
                })
                .collect()
        };
        assert_eq!(entries(da), entries(db), "db {n}");
    }
}

#[test]
fn real_files_load_to_the_databases_redis_saved() {
    for case in REAL_FILES {
        let mut config = Config::default();
        config.maxmemory_policy = policy(case.policy);
        let built = build(case.commands, &config);
        let mut loaded = Engine::new();
        loaded.config = config.clone();
        loaded.set_time(START_MS);
        let report = load_database(&mut loaded, case.file)
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.name));
        assert_eq!(report.keys_expired, 0, "{}", case.name);
        let functions = u64::from(case.name == "file_replication");
        assert_eq!(report.functions_loaded, functions, "{}", case.name);
        same_databases(&built, &loaded, without_times);
        // What this engine saves loads back the same.
        let mut again = Engine::new();
        again.config = config.clone();
        again.set_time(START_MS);
        load_database(&mut again, &save_database(&loaded)).expect("reloads");
        same_databases(&loaded, &again, |v| v);
    }
    let default = &REAL_FILES[0];
    // After 2100 the keys with an expire time are skipped.
    let mut late = Engine::new();
    late.set_time(4_102_444_800_124);
    let report = load_database(&mut late, default.file).expect("loads");
    assert_eq!(report.keys_expired, 3);
    assert!(late.dbs[0].peek(b"embstr").is_none() && late.dbs[0].peek(b"int").is_some());
    assert_eq!(late.dbs[3].len(), 1);
    // Exactly at its expire time a key is still loaded (Redis skips times before now).
    let mut edge = Engine::new();
    edge.set_time(4_102_444_800_123);
    assert_eq!(
        load_database(&mut edge, default.file).map(|r| r.keys_expired),
        Ok(2)
    );
}

#[test]
fn files_carry_access_data_as_the_policy_asks() {
    let lfu = REAL_FILES
        .iter()
        .find(|c| c.policy == "allkeys-lfu")
        .expect("lfu file");
    let lru = REAL_FILES
        .iter()
        .find(|c| c.policy == "allkeys-lru")
        .expect("lru file");
    // Under an LFU policy the FREQ counters are loaded: `a` was never read (5, LFU_INIT_VAL).
    let mut engine = Engine::new();
    engine.config.maxmemory_policy = EvictionPolicy::AllKeysLfu;
    engine.config.lfu_decay_time = 1;
    engine.set_time(START_MS);
    engine.dbs[0].insert(b"x", Entry::new(Value::string(b"1".to_vec()), 0));
    load_database(&mut engine, lfu.file).expect("loads");
    let counter = |e: &Engine, k: &[u8]| e.dbs[0].peek(k).map(|e| e.lfu_counter);
    assert_eq!(counter(&engine, b"a"), Some(5));
    // `b` was read twice: the first read always counts, the second one time in 11.
    assert!(matches!(counter(&engine, b"b"), Some(6 | 7)));
    // Under the LRU policy, idle times are loaded (the file's: the keys were saved at once,
    // within a tick of Redis's one-second LRU clock).
    let mut engine = Engine::new();
    engine.config.maxmemory_policy = EvictionPolicy::AllKeysLru;
    engine.set_time(START_MS);
    load_database(&mut engine, lru.file).expect("loads");
    for key in [&b"a"[..], b"b"] {
        let lru = engine.dbs[0].peek(key).map(|e| e.lru_ms);
        assert!(matches!(lru, Some(START_MS | 1_767_225_599_000)), "{lru:?}");
    }
    // Saved with idle times and counters, they come back.
    engine.advance(7_000);
    engine.dbs[0].peek_mut(b"a").expect("a").lru_ms = START_MS;
    let file = save_database(&engine);
    let mut again = Engine::new();
    again.config.maxmemory_policy = EvictionPolicy::AllKeysLru;
    again.set_time(START_MS + 7_000);
    load_database(&mut again, &file).expect("loads");
    assert_eq!(again.dbs[0].peek(b"a").map(|e| e.lru_ms), Some(START_MS));
    let mut lfu_engine = Engine::new();
    lfu_engine.config.maxmemory_policy = EvictionPolicy::AllKeysLfu;
    lfu_engine.set_time(START_MS);
    let mut entry = Entry::new(Value::string(b"v".to_vec()), START_MS);
    entry.lfu_counter = 77;
    lfu_engine.dbs[2].insert(b"hot", entry);
    let file = save_database(&lfu_engine);
    let mut again = Engine::new();
    again.config.maxmemory_policy = EvictionPolicy::AllKeysLfu;
    again.set_time(START_MS);
    load_database(&mut again, &file).expect("loads");
    assert_eq!(again.dbs[2].peek(b"hot").map(|e| e.lfu_counter), Some(77));
    // Under another policy, the FREQ byte is read and ignored.
    let mut plain = Engine::new();
    plain.set_time(START_MS);
    load_database(&mut plain, &file).expect("loads");
    assert_eq!(plain.dbs[2].peek(b"hot").map(|e| e.lfu_counter), Some(5));
}

#[test]
fn saved_files_have_redis_layout() {
    let mut engine = Engine::new();
    engine.set_time(1_795_339_842_000);
    let client = engine.connect();
    engine.exec(client, &[b"SET".to_vec(), b"a".to_vec(), b"hello".to_vec()]);
    let file = save_database(&engine);
    // As redis-server 7.0.15 saves `SET a hello` at that time, but for used-mem.
    let head = b"REDIS0010\xfa\x09redis-ver\x067.0.15\xfa\x0aredis-bits\xc0\x40\xfa\x05ctime\xc2\x42\xb6\x02\x6b\xfa\x08used-mem";
    assert_eq!(file.get(..head.len()), Some(&head[..]));
    let tail = b"\xfa\x08aof-base\xc0\x00\xfe\x00\xfb\x01\x00\x00\x01a\x05hello\xff";
    let before_crc = &file[..file.len() - 8];
    assert!(before_crc.ends_with(tail));
    assert_eq!(file[file.len() - 8..], crc64(0, before_crc).to_le_bytes());
    // An empty server saves the header, the aux fields and EOF.
    let empty = save_database(&Engine::new());
    assert!(empty[..empty.len() - 8].ends_with(b"aof-base\xc0\x00\xff"));
}

#[test]
fn damaged_files_are_refused_whole() {
    let file = REAL_FILES[0].file;
    let mut engine = Engine::new();
    engine.set_time(START_MS);
    let client = engine.connect();
    engine.exec(client, &[b"SET".to_vec(), b"mine".to_vec(), b"1".to_vec()]);
    let before: Vec<usize> = engine.dbs.iter().map(crate::keyspace::Db::len).collect();
    let refused = |engine: &mut Engine, bytes: &[u8]| {
        assert!(load_database(engine, bytes).is_err());
        let now: Vec<usize> = engine.dbs.iter().map(crate::keyspace::Db::len).collect();
        assert_eq!(now, before);
    };
    refused(&mut engine, b"");
    refused(&mut engine, b"REDIS");
    refused(&mut engine, b"RODIS0010\xff");
    refused(
        &mut engine,
        b"REDIS0011\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    refused(
        &mut engine,
        b"REDIS0000\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    for cut in [10, file.len() / 2, file.len() - 9, file.len() - 1] {
        refused(&mut engine, &file[..cut]);
    }
    let mut bad_crc = file.to_vec();
    *bad_crc.last_mut().expect("bytes") ^= 1;
    refused(&mut engine, &bad_crc);
    // A checksum of 0 is not checked (rdbchecksum no).
    let mut no_crc = file.to_vec();
    let n = no_crc.len();
    no_crc[n - 8..].fill(0);
    assert!(load_database(&mut Engine::new(), &no_crc).is_ok());
    // Database 16, module data, a duplicate key.
    refused(
        &mut engine,
        b"REDIS0010\xfe\x10\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    refused(
        &mut engine,
        b"REDIS0010\xf7\x01\x02\x03\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    refused(
        &mut engine,
        b"REDIS0010\x00\x04mine\x01x\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    refused(
        &mut engine,
        b"REDIS0010\x00\x01k\x01x\x00\x01k\x01y\xff\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    // With MERGE the later copy wins and existing keys are replaced.
    let merge = LoadOptions { merge: true };
    let dup = b"REDIS0010\x00\x01k\x01x\x00\x04mine\x01y\x00\x01k\x01z\xff\x00\x00\x00\x00\x00\x00\x00\x00";
    assert!(load_database_with(&mut engine, dup, merge).is_ok());
    assert_eq!(key_value(&engine, 0, b"k"), Value::string(b"z".to_vec()));
    assert_eq!(key_value(&engine, 0, b"mine"), Value::string(b"y".to_vec()));
    // Old files: version 3 with an expire time in seconds and no checksum.
    let mut old = Engine::new();
    old.set_time(START_MS);
    let v3 = b"REDIS0003\xfd\x00\x00\x00\x80\x00\x01s\x01v\x00\x01t\x01w\xff";
    assert_eq!(load_database(&mut old, v3).map(|r| r.keys_expired), Ok(1));
    assert!(old.dbs[0].peek(b"t").is_some());
    let v3_future = b"REDIS0003\xfd\x00\x00\x00\x7f\x00\x01s\x01v\xff";
    load_database(&mut old, v3_future).expect("loads");
    assert_eq!(
        old.dbs[0].peek(b"s").and_then(Entry::expire_at),
        Some(0x7f00_0000_i64 * 1000)
    );
    // Function libraries: 7.0's form (the code), and the release candidates' (name, engine,
    // an optional description, the code after the shebang).
    let string = |s: &[u8]| {
        let mut out = vec![s.len() as u8];
        out.extend_from_slice(s);
        out
    };
    let file = |body: &[u8]| {
        let mut out = b"REDIS0010".to_vec();
        out.extend_from_slice(body);
        out.extend_from_slice(b"\x00\x01f\x01v\xff\x00\x00\x00\x00\x00\x00\x00\x00");
        out
    };
    let mut body = vec![0xf5];
    body.extend(string(
        b"#!lua name=l\nredis.register_function('f', function() end)",
    ));
    let mut engine = Engine::new();
    let report = load_database(&mut engine, &file(&body)).expect("loads");
    assert_eq!((report.functions_loaded, report.keys_loaded), (1, 1));
    assert_eq!(engine.functions.function_count(), 1);
    // A library already loaded, or given twice, refuses the file (Redis stops).
    assert!(load_database(&mut engine, &file(&body)).is_err());
    let mut rc = vec![0xf6];
    rc.extend(string(b"n"));
    rc.extend(string(b"lua"));
    rc.push(1);
    rc.extend(string(b"d"));
    rc.extend(string(
        b"redis.register_function('g', function() return 1 end)",
    ));
    rc.push(0xf6);
    rc.extend(string(b"m"));
    rc.extend(string(b"lua"));
    rc.push(0);
    rc.extend(string(
        b"redis.register_function('h', function() return 2 end)",
    ));
    let mut engine = Engine::new();
    let report = load_database(&mut engine, &file(&rc)).expect("loads");
    assert_eq!(report.functions_loaded, 2);
    assert_eq!(engine.functions.function_count(), 2);
    // Code that names no library refuses the file.
    let mut bad = vec![0xf5];
    bad.extend(string(b"code"));
    assert!(load_database(&mut Engine::new(), &file(&bad)).is_err());
    // Empty collections are skipped.
    let empty = b"REDIS0010\x01\x01l\x00\x00\x01s\x01v\xff\x00\x00\x00\x00\x00\x00\x00\x00";
    let report = load_database(&mut Engine::new(), empty).expect("loads");
    assert_eq!((report.empty_keys_skipped, report.keys_loaded), (1, 1));
}

#[test]
fn damaged_files_never_panic() {
    let mut rng = Rng::new(29);
    for round in 0..3000u64 {
        let file = REAL_FILES[(round as usize) % REAL_FILES.len()].file;
        let mut bytes = file[..file.len() - 8].to_vec();
        for _ in 0..=rng.below(3) {
            let at = rng.below(bytes.len() as u64) as usize;
            bytes[at] = rng.next_u64() as u8;
        }
        if rng.below(3) == 0 {
            bytes.truncate(rng.below(bytes.len() as u64) as usize);
        }
        bytes.extend_from_slice(&[0; 8]);
        let mut engine = Engine::new();
        engine.set_time(START_MS);
        let _ = load_database(&mut engine, &bytes);
    }
}

#[test]
fn saving_and_loading_reproduces_random_databases() {
    let mut rng = Rng::new(31);
    for round in 0..40 {
        let mut config = Config::default();
        if round % 2 == 0 {
            config.hash_max_listpack_entries = 4;
            config.set_max_intset_entries = 4;
            config.zset_max_listpack_entries = 4;
            config.hash_max_listpack_value = 8;
            config.zset_max_listpack_value = 8;
        }
        config.rdbcompression = round % 3 != 0;
        let mut engine = Engine::new();
        engine.config = config.clone();
        engine.set_time(START_MS);
        let client = engine.connect();
        for i in 0..rng.below(30) {
            let db = rng.below(16).to_string().into_bytes();
            engine.exec(client, &[b"SELECT".to_vec(), db]);
            let key = format!("key:{i}").into_bytes();
            for c in random_commands(&mut rng, &key) {
                engine.exec(client, &c);
            }
            if rng.below(3) == 0 {
                let ms = (1 + rng.below(1_000_000)).to_string().into_bytes();
                engine.exec(client, &[b"PEXPIRE".to_vec(), key, ms]);
            }
        }
        let file = save_database(&engine);
        let mut loaded = Engine::new();
        loaded.config = config.clone();
        loaded.set_time(START_MS);
        let report = load_database(&mut loaded, &file).expect("loads");
        let keys: usize = engine.dbs.iter().map(crate::keyspace::Db::len).sum();
        assert_eq!(report.keys_loaded as usize, keys);
        same_databases(&engine, &loaded, |v| as_loaded(&v, &config));
        // A second generation is identical to the first.
        let mut third = Engine::new();
        third.config = config.clone();
        third.set_time(START_MS);
        load_database(&mut third, &save_database(&loaded)).expect("loads");
        same_databases(&loaded, &third, |v| v);
        // Later, the keys whose time has passed are not loaded.
        let mut later = Engine::new();
        later.config = config;
        later.set_time(START_MS + 500_000);
        let report = load_database(&mut later, &file).expect("loads");
        let alive = engine
            .dbs
            .iter()
            .flat_map(|d| d.dict().iter())
            .filter(|(_, e)| e.expire_at().is_none_or(|at| at >= START_MS + 500_000))
            .count();
        assert_eq!(report.keys_loaded as usize, alive);
    }
}
