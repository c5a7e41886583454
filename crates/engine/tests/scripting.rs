//! Lua scripts that must not hang, exhaust memory or crash the engine: each is stopped or refused
//! with an error, and the engine answers the next command as before.

use std::time::{Duration, Instant};

use engine::{Engine, Reply};

/// Runs a test body on a thread with a large stack. The interpreter bounds nested native calls
/// (metamethods, pcall, gsub callbacks…) at 200, which fits in the page's 1 MB wasm stack and in
/// native release builds, but not in the 2 MB of a test thread in debug builds, whose frames are
/// several times larger.
fn with_big_stack(body: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(body)
        .expect("spawn")
        .join()
        .expect("the test body");
}

fn argv(args: &[&[u8]]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.to_vec()).collect()
}

/// Runs `EVAL script 0` and returns the reply, checking the engine still works after it.
fn eval(engine: &mut Engine, script: &str) -> Reply {
    let client = engine.connect();
    let started = Instant::now();
    let reply = engine.exec(client, &argv(&[b"EVAL", script.as_bytes(), b"0"]));
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{script:.60} took {:?}",
        started.elapsed()
    );
    assert_eq!(
        engine.exec(client, &argv(&[b"SET", b"after", b"ok"])),
        Reply::ok()
    );
    assert_eq!(
        engine.exec(client, &argv(&[b"GET", b"after"])),
        Reply::bulk(b"ok")
    );
    reply
}

fn error_text(reply: &Reply) -> String {
    match reply {
        Reply::Error(text) => text.to_string(),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Runs `script` (see [`eval`]) and checks that the budget stopped it, with the stop's whole text.
fn assert_stopped_by_the_budget(engine: &mut Engine, script: &str) {
    let text = error_text(&eval(engine, script));
    assert!(
        text.starts_with(
            "ERR Script stopped by the playground: it ran more than 20000000 Lua instructions, \
             each command it called counting as 25 and every 32 bytes it allocated as one \
             (a real Redis would keep it running until SCRIPT KILL)"
        ),
        "{script}: {text}"
    );
}

#[test]
fn a_runaway_loop_is_stopped_by_the_instruction_budget() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        for script in [
            "while true do end",
            "local i = 0 while true do i = i + 1 end",
            "local function f() return f() end return f()",
            "repeat until false",
            "for i = 1, 1e300 do end",
            // A script cannot catch the stop with pcall.
            "while true do pcall(function() while true do end end) end",
            // Nor hide in a coroutine.
            "local co = coroutine.wrap(function() while true do end end) co()",
            // Pattern matching counts too.
            "return string.find(string.rep('a', 5000), '.-.-.-.-.-b')",
        ] {
            assert_stopped_by_the_budget(&mut engine, script);
        }
    });
}

#[test]
fn loops_over_large_strings_are_stopped_by_the_budget() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        // Each step copies 100 KB (or sorts, or moves thousands of elements) in what the VM
        // counts as one instruction: these ran for minutes before the work was charged.
        for script in [
            "local s = string.rep('x', 100000) while true do local t = s .. 'y' end",
            "local s = string.rep('x', 100000) while true do local t = s:upper() end",
            "local s = string.rep('x', 100000) while true do local t = string.format('%s', s) end",
            "local s = string.rep('x', 100000) while true do local t = cjson.encode(s) end",
            "local s = string.rep('x', 100000) \
             local co = coroutine.wrap(function() while true do local t = s .. 'y' end end) co()",
            "local t = {} for i = 1, 5000 do t[i] = (i * 7919) % 5000 end \
             while true do table.sort(t) end",
            "local t = {} for i = 1, 5000 do t[i] = i end \
             while true do table.insert(t, 1, 0) table.remove(t, 1) end",
        ] {
            assert_stopped_by_the_budget(&mut engine, script);
        }
        // Heavy work that ends is charged, not refused: a string built from 20,000 pieces
        // (200 MB copied), a table filled from its front.
        let built = "local s = '' for i = 1, 20000 do s = s .. 'x' end return #s";
        assert_eq!(eval(&mut engine, built), Reply::Integer(20000));
        let filled = "local t = {} for i = 1, 3000 do table.insert(t, 1, i) end \
                      table.sort(t) return t[1] + #t";
        assert_eq!(eval(&mut engine, filled), Reply::Integer(3001));
        // The wrapped library functions fail as the originals do, at the script's line.
        let text = error_text(&eval(&mut engine, "\ntable.sort(5)"));
        assert!(
            text.starts_with(
                "ERR user_script:2: bad argument #1 to 'sort' (table expected, got number)"
            ),
            "{text}"
        );
        let text = error_text(&eval(
            &mut engine,
            "local t = {3, 1, 2} table.sort(t, function(a, b) return a.x < b end)",
        ));
        assert!(
            text.starts_with("ERR user_script:1: attempt to index local 'a' (a number value)"),
            "{text}"
        );
    });
}

#[test]
fn commands_count_in_the_budget_so_a_loop_of_them_stops_as_soon() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let client = engine.connect();
        for script in [
            "while true do redis.call('INCR', 'n') end",
            // Catching the stop with pcall does not help: every later command fails, and the
            // script's answer is the stop, whatever it returns.
            "for i = 1, 1e9 do if not pcall(redis.call, 'INCR', 'n') then return 'caught' end end",
            "while true do redis.pcall('INCR', 'n') end",
        ] {
            engine.exec(client, &argv(&[b"DEL", b"n"]));
            assert_stopped_by_the_budget(&mut engine, script);
            // At most budget / weight commands ran, and their writes stay.
            let Reply::Bulk(n) = engine.exec(client, &argv(&[b"GET", b"n"])) else {
                panic!("n is a string");
            };
            let n: u64 = String::from_utf8_lossy(&n).parse().expect("a count");
            assert!(n > 100_000 && n < 800_000, "{script}: {n} commands ran");
        }
        // A script well within the budget runs its commands as before.
        let reply = engine.exec(
            client,
            &argv(&[
                b"EVAL",
                b"for i = 1, 100000 do redis.call('INCR', 'm') end return redis.call('GET', 'm')",
                b"0",
            ]),
        );
        assert_eq!(reply, Reply::bulk(b"100000"));
    });
}

#[test]
fn what_a_stopped_script_wrote_stays_and_the_cache_keeps_working() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let client = engine.connect();
        let reply = engine.exec(
            client,
            &argv(&[
                b"EVAL",
                b"redis.call('set', KEYS[1], 'written') while true do end",
                b"1",
                b"k",
            ]),
        );
        assert!(error_text(&reply).contains("stopped by the playground"));
        assert_eq!(
            engine.exec(client, &argv(&[b"GET", b"k"])),
            Reply::bulk(b"written")
        );
        assert_eq!(
            engine.exec(client, &argv(&[b"EVAL", b"return 7", b"0"])),
            Reply::Integer(7)
        );
        // The connection's database and protocol are as before the script.
        assert!(
            engine
                .exec(
                    client,
                    &argv(&[b"EVAL", b"redis.call('select', 5) while true do end", b"0"])
                )
                .is_error()
        );
        assert_eq!(
            engine.exec(client, &argv(&[b"GET", b"k"])),
            Reply::bulk(b"written")
        );
    });
}

#[test]
fn memory_hungry_scripts_are_stopped() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        for script in [
            "local s = 'x' while true do s = s .. s end",
            "local t = {} while true do t[#t + 1] = 'abcdefgh' end",
            "return string.rep('x', 1e9)",
            "return string.rep('ab', 1e8, ',')",
            "local t = {} for i = 1, 1e7 do t[i] = {} end",
            "local big = string.rep('x', 3e7) return string.gsub(string.rep('a', 100), 'a', function() return big end)",
            "local big = string.rep('x', 3e7) return string.gsub(string.rep('a', 100), 'a', {a = big})",
            "local big = string.rep('x', 1e6) return string.gsub(string.rep('a', 1e4), 'a', big)",
            "local big = string.rep('x', 2e7) local t = {} for i = 1, 100 do t[i] = big end return table.concat(t)",
            "local big = string.rep('\\1', 2e7) return cjson.encode({big, big, big, big})",
            "local big = string.rep('x', 2e7) return string.format(string.rep('%s', 50), big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big, big)",
        ] {
            let reply = eval(&mut engine, script);
            let text = error_text(&reply);
            assert!(
                text.contains("Lua memory") || text.contains("not enough memory"),
                "{script:.80}: {text}"
            );
        }
    });
}

#[test]
fn a_result_refused_before_it_is_built_is_refused_at_the_scripts_line() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        for script in [
            "local big = string.rep('x', 1e6) local t = {} for i = 1, 20 do t[i] = big end\nlocal s = table.concat(t) return #s",
            "local big = string.rep('x', 1e6) local t = {} for i = 1, 20 do t[i] = big end\nlocal s = string.format(string.rep('%s', 20), unpack(t)) return #s",
            "local big = string.rep('x', 1e6)\nlocal s = string.gsub(string.rep('a', 1e4), 'a', big) return #s",
        ] {
            let text = error_text(&eval(&mut engine, script));
            assert!(
                text.starts_with("ERR user_script:2: not enough memory script: "),
                "{script:.80}: {text}"
            );
        }
    });
}

#[test]
fn a_long_chain_of_joins_is_refused_before_it_runs() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let script = format!(
            "local s = string.rep('x', 1e7)\nlocal t = s{}\nreturn #t",
            "..s".repeat(200)
        );
        let text = error_text(&eval(&mut engine, &script));
        assert!(
            text.starts_with(
                "ERR Error compiling script (new function): user_script:2: more than 16 '..'"
            ),
            "{text}"
        );
        // Sixteen joins of a large string are within the limits.
        let script = format!(
            "local s = string.rep('x', 1e5)\nlocal t = s{}\nreturn #t",
            "..s".repeat(16)
        );
        assert_eq!(eval(&mut engine, &script), Reply::Integer(1_700_000));
    });
}

#[test]
fn deep_or_hostile_input_gives_errors_not_crashes() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let deep = |open: &str, close: &str, n: usize| {
            format!("return {}1{}", open.repeat(n), close.repeat(n))
        };
        let cases = [
            deep("(", ")", 100_000),
            deep("{", "}", 100_000),
            format!("return {}1", "not ".repeat(100_000)),
            format!("return 2{}", "^2".repeat(100_000)),
            format!("{} end", "do ".repeat(100_000)),
            format!("return {}", "function() return ".repeat(50_000) + "1" + &" end".repeat(50_000)),
            format!("local x = {}", "1 .. ".repeat(100_000) + "1"),
            "local function f() return f() + 1 end return f()".to_string(),
            "local function f() pcall(f) end f() return 1".to_string(),
            "local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x".to_string(),
            "local t = setmetatable({}, {}) getmetatable(t).__add = function(a, b) return a + b end return t + 1".to_string(),
            "local function f(s) return (string.gsub(s, '.', f)) end return f('abc')".to_string(),
            "local t = setmetatable({}, {}) getmetatable(t).__tostring = function(a) return tostring(a) end return tostring(t)".to_string(),
            "local t = {3, 2, 1} local function c(a, b) table.sort({3, 2, 1}, c) return a < b end table.sort(t, c) return 1".to_string(),
            "local t = {} t.__index = t setmetatable(t, t) return t.x".to_string(),
            "return string.find(string.rep('a', 100000), string.rep('a?', 100000) .. string.rep('a', 100000))".to_string(),
            "return string.match('x', string.rep('(', 300) .. 'x' .. string.rep(')', 300))".to_string(),
            "return string.format('%099999d', 1)".to_string(),
            "return unpack({}, 1, 1e8)".to_string(),
            "return string.byte(string.rep('x', 1e6), 1, -1)".to_string(),
            "local t = {} t[1] = t return t".to_string(),
            "return redis.call('eval', 'return 1', 0)".to_string(),
            "error({})".to_string(),
            "error({err = {}})".to_string(),
            "error(setmetatable({}, {__index = function() error('inner') end}))".to_string(),
            "return loadstring(string.rep('(', 1e5))".to_string(),
            "return tostring(setmetatable({}, {__tostring = function() return {} end}))".to_string(),
            "local co = coroutine.create(function() error('x') end) return {coroutine.resume(co)}".to_string(),
            "return {string.rep('x', 10), nil, redis.call('ping')}".to_string(),
            "return string.char(0, 255) .. '\\0'".to_string(),
            "return collectgarbage('count') > 0".to_string(),
            "return gcinfo()".to_string(),
            "return cjson.decode(string.rep('[', 100000))".to_string(),
            "return cjson.decode(string.rep('{\"a\":', 100000))".to_string(),
            "local t = {} t[1] = t return cjson.encode(t)".to_string(),
            "local t = {} t.a = t return cjson.encode(t)".to_string(),
            "return cjson.decode(string.rep('\"\\\\u', 1000))".to_string(),
        ];
        for script in &cases {
            eprintln!("case: {script:.100}");
            let reply = eval(&mut engine, script);
            // Any reply will do, as long as the engine is alive and well (checked in `eval`).
            let _ = reply;
        }
    });
}

#[test]
fn a_script_that_recurses_returns_a_bounded_reply() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let reply = eval(&mut engine, "local t = {} t[1] = t return t");
        // Nested arrays down to the depth limit, then an error reply.
        let mut depth = 0;
        let mut node = &reply;
        while let Reply::Array(items) = node {
            depth += 1;
            node = &items[0];
        }
        assert!(depth > 50, "{depth}");
        assert!(matches!(node, Reply::Error(_)));
    });
}

#[test]
fn random_bytes_as_scripts_never_crash() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let client = engine.connect();
        let pieces: &[&str] = &[
            "return",
            " ",
            "(",
            ")",
            "{",
            "}",
            "[",
            "]",
            "=",
            "==",
            "..",
            "...",
            "local",
            "function",
            "end",
            "if",
            "then",
            "else",
            "for",
            "in",
            "do",
            "while",
            "repeat",
            "until",
            "x",
            "1",
            "'s'",
            "nil",
            "true",
            "#",
            "-",
            "+",
            "*",
            "/",
            "%",
            "^",
            ",",
            ";",
            ":",
            ".",
            "redis.call",
            "('get', 'k')",
            "KEYS",
            "ARGV",
            "[1]",
            "string.rep",
            "pcall",
            "error",
            "\n",
            "\"",
            "--",
            "[[",
            "]]",
            "not",
            "and",
            "or",
            "break",
            "return 1",
            "t",
            "f",
            "=function() end",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = next() % 24;
            let mut script = String::new();
            for _ in 0..len {
                script.push_str(pieces[(next() % pieces.len() as u64) as usize]);
            }
            let _ = engine.exec(
                client,
                &argv(&[b"EVAL", script.as_bytes(), b"1", b"k", b"a"]),
            );
        }
        for _ in 0..2000 {
            let len = next() % 64;
            let bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let _ = engine.exec(client, &argv(&[b"EVAL", &bytes, b"0"]));
            let _ = engine.exec(client, &argv(&[b"SCRIPT", b"LOAD", &bytes]));
        }
        assert_eq!(
            engine.exec(client, &argv(&[b"EVAL", b"return 'alive'", b"0"])),
            Reply::bulk(b"alive")
        );
    });
}

#[test]
fn a_script_appends_its_writes_to_the_aof_not_itself() {
    let mut engine = Engine::new();
    let client = engine.connect();
    assert_eq!(
        engine.exec(client, &argv(&[b"CONFIG", b"SET", b"appendonly", b"yes"])),
        Reply::ok()
    );
    assert_eq!(
        engine.exec(
            client,
            &argv(&[b"CONFIG", b"SET", b"appendfsync", b"always"])
        ),
        Reply::ok()
    );
    // The first rewrite writes the file's base; then the file is appended to.
    engine.advance(1_000);
    assert_eq!(
        engine.exec(client, &argv(&[b"PING"])),
        Reply::status("PONG")
    );
    let script: &[u8] =
        b"redis.call('incr', KEYS[1]) redis.call('select', 2) redis.call('set', 'x', 'y') return 1";
    assert_eq!(
        engine.exec(client, &argv(&[b"EVAL", script, b"1", b"n"])),
        Reply::Integer(1)
    );
    assert_eq!(
        engine.exec(
            client,
            &argv(&[b"EVAL", b"return redis.call('incr', KEYS[1])", b"1", b"n"])
        ),
        Reply::Integer(2)
    );
    assert_eq!(
        engine.exec(client, &argv(&[b"SCRIPT", b"LOAD", b"return 1"])),
        Reply::bulk(b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    );
    let (_, incr, _) = engine.aof_file();
    let text = String::from_utf8_lossy(incr).to_string();
    assert!(!text.to_ascii_lowercase().contains("eval"), "{text}");
    assert!(text.contains("MULTI"), "{text}");
    // Replayed after a crash, each write happens once.
    engine.crash_restart();
    let client = engine.connect();
    assert_eq!(
        engine.exec(client, &argv(&[b"GET", b"n"])),
        Reply::bulk(b"2")
    );
    assert_eq!(engine.exec(client, &argv(&[b"SELECT", b"2"])), Reply::ok());
    assert_eq!(
        engine.exec(client, &argv(&[b"GET", b"x"])),
        Reply::bulk(b"y")
    );
    // The scripts cache does not survive a restart.
    assert_eq!(
        engine.exec(
            client,
            &argv(&[
                b"EVALSHA",
                b"e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
                b"0"
            ])
        ),
        Reply::Error("NOSCRIPT No matching script. Please use EVAL.".into())
    );
}

/// Scripts share one Lua state per thread (as Redis's one state): a script run thousands of
/// times keeps answering the same, its garbage is collected, nothing it does is seen by the
/// next run, and a state stopped halfway is replaced.
#[test]
fn scripts_share_a_kept_state_that_nothing_leaks_into() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let client = engine.connect();
        let script = "local t = {} for i = 1, 200 do t[i] = ARGV[1] .. i end \
                      redis.call('INCR', KEYS[1]) \
                      return {#table.concat(t), math.random(1000), collectgarbage('count')}";
        let sha = match engine.exec(client, &argv(&[b"SCRIPT", b"LOAD", script.as_bytes()])) {
            Reply::Bulk(sha) => sha.to_vec(),
            other => panic!("SCRIPT LOAD answered {other:?}"),
        };
        let mut first_random = None;
        for run in 0..3000 {
            let reply = engine.exec(client, &argv(&[b"EVALSHA", &sha, b"1", b"n", b"abc"]));
            let Reply::Array(items) = reply else {
                panic!("run {run}: {reply:?}");
            };
            assert_eq!(items[0], Reply::Integer(1092), "run {run}");
            // Every run draws the same numbers, as Redis reseeds before each script.
            let random = items[1].clone();
            assert_eq!(
                first_random.get_or_insert(random.clone()),
                &random,
                "run {run}"
            );
            let Reply::Integer(kb) = items[2] else {
                panic!("run {run}: {:?}", items[2]);
            };
            assert!(kb < 6 * 1024, "run {run}: the state holds {kb} KB");
        }
        assert_eq!(
            engine.exec(client, &argv(&[b"GET", b"n"])),
            Reply::bulk(b"3000")
        );
        // Nothing a script tries to leave behind is there for the next one.
        for script in [
            "x = 1",
            "rawset(_G, 'x', 1)",
            "KEYS.extra = 1 ARGV.extra = 1",
            "string.extra = 1",
            "redis.extra = 1",
        ] {
            let _ = engine.exec(client, &argv(&[b"EVAL", script.as_bytes(), b"0"]));
        }
        let check = "return {type(rawget(_G, 'x')), type(KEYS.extra), type(ARGV.extra), \
                     type(string.extra), type(redis.extra), type(redis.call)}";
        assert_eq!(
            engine.exec(client, &argv(&[b"EVAL", check.as_bytes(), b"0"])),
            Reply::Array(
                ["nil", "nil", "nil", "nil", "nil", "function"]
                    .map(|t| Reply::bulk(t.as_bytes()))
                    .into()
            )
        );
        // A script stopped by its budget leaves a state that is replaced: the next runs work.
        let stopped = engine.exec(client, &argv(&[b"EVAL", b"while true do end", b"0"]));
        assert!(error_text(&stopped).contains("Script stopped by the playground"));
        let reply = engine.exec(client, &argv(&[b"EVALSHA", &sha, b"1", b"n", b"abc"]));
        assert!(matches!(reply, Reply::Array(_)), "{reply:?}");
    });
}

fn exec(engine: &mut Engine, client: engine::ClientId, args: &[&[u8]]) -> Reply {
    engine.exec(client, &argv(args))
}

const LIB: &[u8] = b"#!lua name=lib\nredis.register_function('incr2', function(keys, args) return redis.call('incr', keys[1]) end)";

/// Hostile library code: a runaway or memory-hungry load, huge names, recursion, registering
/// from a call. Each is refused with an error, nothing is loaded, and the engine keeps working.
#[test]
fn hostile_libraries_give_errors_and_load_nothing() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        let client = engine.connect();
        let huge_name = format!(
            "#!lua name={}\nredis.register_function('f', function() return 1 end)",
            "n".repeat(100_000)
        );
        let huge_function = format!(
            "#!lua name=big\nredis.register_function('{}', function() return 1 end)",
            "f".repeat(100_000)
        );
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (
                b"#!lua name=a\nwhile true do end".to_vec(),
                "ERR Error registering functions: ERR FUNCTION LOAD timeout",
            ),
            (
                b"#!lua name=a\nlocal t = {} for i = 1, 1e9 do t[i] = i end".to_vec(),
                "ERR Error registering functions: ",
            ),
            (
                b"#!lua name=a\nlocal function f() return f() end f()".to_vec(),
                "ERR Error registering functions: ",
            ),
            (
                b"#!lua name=a\nlocal function f(n) return 1 + f(n + 1) end f(1)".to_vec(),
                "ERR Error registering functions: ",
            ),
            (
                b"#!lua name=a\nredis.register_function('f', function() end) while true do end"
                    .to_vec(),
                "ERR Error registering functions: ERR FUNCTION LOAD timeout",
            ),
            (
                format!("#!lua name=a\nreturn {}", "(".repeat(100_000)).into_bytes(),
                "ERR Error compiling function: ",
            ),
            (b"#!lua name=a\n\xff\xfe\x00\x01".to_vec(), "ERR "),
            (
                b"#!lua name=a\0\nx".to_vec(),
                "ERR Invalid library metadata",
            ),
        ];
        for (code, expected) in cases {
            let started = Instant::now();
            let reply = exec(&mut engine, client, &[b"FUNCTION", b"LOAD", &code]);
            assert!(started.elapsed() < Duration::from_secs(60));
            let text = error_text(&reply);
            assert!(text.starts_with(expected), "{text:.200}");
            assert_eq!(
                exec(&mut engine, client, &[b"FUNCTION", b"LIST"]),
                Reply::Array(vec![])
            );
        }
        // Huge names are fine when valid.
        assert_eq!(
            exec(
                &mut engine,
                client,
                &[b"FUNCTION", b"LOAD", huge_name.as_bytes()]
            ),
            Reply::bulk("n".repeat(100_000).as_bytes())
        );
        assert_eq!(
            exec(
                &mut engine,
                client,
                &[b"FUNCTION", b"LOAD", huge_function.as_bytes()]
            ),
            Reply::bulk(b"big")
        );
        let name = "F".repeat(100_000);
        assert_eq!(
            exec(&mut engine, client, &[b"FCALL", name.as_bytes(), b"0"]),
            Reply::Integer(1)
        );
        // A function that runs away is stopped like a script; the library stays.
        let code = b"#!lua name=loop\nredis.register_function('spin', function() while true do end end)\nredis.register_function('deep', function() local function f() return 1 + f() end return f() end)";
        assert_eq!(
            exec(&mut engine, client, &[b"FUNCTION", b"LOAD", code]),
            Reply::bulk(b"loop")
        );
        let text = error_text(&exec(&mut engine, client, &[b"FCALL", b"spin", b"0"]));
        assert!(
            text.starts_with("ERR Script stopped by the playground"),
            "{text}"
        );
        assert!(text.ends_with("script: spin"), "{text}");
        let text = error_text(&exec(&mut engine, client, &[b"FCALL", b"deep", b"0"]));
        assert!(text.starts_with("ERR "), "{text}");
        // The state was replaced: the library is loaded again on its next call.
        assert_eq!(
            exec(&mut engine, client, &[b"FUNCTION", b"LOAD", LIB]),
            Reply::bulk(b"lib")
        );
        assert_eq!(
            exec(&mut engine, client, &[b"FCALL", b"incr2", b"1", b"n"]),
            Reply::Integer(1)
        );
        let _ = exec(&mut engine, client, &[b"FCALL", b"spin", b"0"]);
        assert_eq!(
            exec(&mut engine, client, &[b"FCALL", b"incr2", b"1", b"n"]),
            Reply::Integer(2)
        );
    });
}

/// Two engines on one thread share its Lua state: libraries of the same name and different
/// code stay apart (the state keeps them by the SHA-1 of their code).
#[test]
fn engines_sharing_a_thread_keep_their_own_cjson_settings() {
    // Found by make fuzz: the settings lived in the thread's Lua state, so one engine's
    // `cjson.encode_sparse_array(…)` changed what another's scripts saw.
    let mut a = Engine::new();
    let mut b = Engine::new();
    let (ca, cb) = (a.connect(), b.connect());
    let read: &[u8] = b"return {cjson.encode_sparse_array()}";
    // Lua's true is 1 in a reply, its false nil.
    let settings = |convert: bool, ratio: i64, safe: i64| {
        Reply::Array(vec![
            if convert {
                Reply::Integer(1)
            } else {
                Reply::Nil
            },
            Reply::Integer(ratio),
            Reply::Integer(safe),
        ])
    };
    exec(
        &mut a,
        ca,
        &[b"EVAL", b"cjson.encode_sparse_array(true, 3, 5)", b"0"],
    );
    assert_eq!(
        exec(&mut a, ca, &[b"EVAL", read, b"0"]),
        settings(true, 3, 5)
    );
    assert_eq!(
        exec(&mut b, cb, &[b"EVAL", read, b"0"]),
        settings(false, 2, 10)
    );
    assert_eq!(
        exec(&mut a, ca, &[b"EVAL", read, b"0"]),
        settings(true, 3, 5)
    );
    // SCRIPT FLUSH resets them, as Redis's new Lua state does.
    assert_eq!(exec(&mut a, ca, &[b"SCRIPT", b"FLUSH"]), Reply::ok());
    assert_eq!(
        exec(&mut a, ca, &[b"EVAL", read, b"0"]),
        settings(false, 2, 10)
    );
}

#[test]
fn engines_sharing_a_thread_keep_their_own_libraries() {
    let mut a = Engine::new();
    let mut b = Engine::new();
    let (ca, cb) = (a.connect(), b.connect());
    let code_a = b"#!lua name=lib\nredis.register_function('who', function() return 'a' end)";
    let code_b = b"#!lua name=lib\nredis.register_function('who', function() return 'b' end)";
    assert_eq!(
        exec(&mut a, ca, &[b"FUNCTION", b"LOAD", code_a]),
        Reply::bulk(b"lib")
    );
    assert_eq!(
        exec(&mut b, cb, &[b"FUNCTION", b"LOAD", code_b]),
        Reply::bulk(b"lib")
    );
    for _ in 0..3 {
        assert_eq!(
            exec(&mut a, ca, &[b"FCALL", b"who", b"0"]),
            Reply::bulk(b"a")
        );
        assert_eq!(
            exec(&mut b, cb, &[b"FCALL", b"who", b"0"]),
            Reply::bulk(b"b")
        );
    }
    assert_eq!(exec(&mut b, cb, &[b"FUNCTION", b"FLUSH"]), Reply::ok());
    assert_eq!(
        exec(&mut a, ca, &[b"FCALL", b"who", b"0"]),
        Reply::bulk(b"a")
    );
}

/// Functions are server state: they survive a restart from the RDB file or the AOF (appended
/// as FUNCTION LOAD, kept by a rewrite's RDB preamble), a snapshot, and DUMP/RESTORE between
/// engines.
#[test]
fn functions_survive_restarts_snapshots_and_dumps() {
    // The AOF: appended, replayed after a crash, rewritten into the base.
    let mut engine = Engine::new();
    let client = engine.connect();
    assert_eq!(
        exec(
            &mut engine,
            client,
            &[b"CONFIG", b"SET", b"appendonly", b"yes"]
        ),
        Reply::ok()
    );
    assert_eq!(
        exec(
            &mut engine,
            client,
            &[b"CONFIG", b"SET", b"appendfsync", b"always"]
        ),
        Reply::ok()
    );
    engine.advance(1_000);
    assert_eq!(
        exec(&mut engine, client, &[b"FUNCTION", b"LOAD", LIB]),
        Reply::bulk(b"lib")
    );
    assert_eq!(
        exec(&mut engine, client, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(1)
    );
    let (_, incr, _) = engine.aof_file();
    let text = String::from_utf8_lossy(incr).to_string();
    assert!(text.contains("FUNCTION"), "{text}");
    assert!(!text.contains("FCALL"), "{text}");
    engine.crash_restart();
    let client = engine.connect();
    assert_eq!(
        exec(&mut engine, client, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(2)
    );
    assert_eq!(
        exec(&mut engine, client, &[b"BGREWRITEAOF"]),
        Reply::status("Background append only file rewriting started")
    );
    engine.advance(5_000);
    engine.crash_restart();
    let client = engine.connect();
    assert_eq!(
        exec(&mut engine, client, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(3)
    );
    // FUNCTION FLUSH and DELETE are appended too.
    assert_eq!(
        exec(&mut engine, client, &[b"FUNCTION", b"DELETE", b"lib"]),
        Reply::ok()
    );
    engine.crash_restart();
    let client = engine.connect();
    assert_eq!(
        exec(&mut engine, client, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Error("ERR Function not found".into())
    );

    // The RDB file, through a snapshot.
    let mut engine = Engine::new();
    let client = engine.connect();
    assert_eq!(
        exec(&mut engine, client, &[b"FUNCTION", b"LOAD", LIB]),
        Reply::bulk(b"lib")
    );
    let snapshot = engine.snapshot();
    let mut other = Engine::new();
    other.restore_snapshot(&snapshot).expect("restores");
    let c = other.connect();
    assert_eq!(
        exec(&mut other, c, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(1)
    );
    let Reply::Bulk(listed) = exec(&mut other, c, &[b"FUNCTION", b"DUMP"]) else {
        panic!("a payload");
    };
    // DUMP on one engine, RESTORE on another.
    let mut third = Engine::new();
    let c3 = third.connect();
    assert_eq!(
        exec(&mut third, c3, &[b"FUNCTION", b"RESTORE", &listed]),
        Reply::ok()
    );
    assert_eq!(
        exec(&mut third, c3, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(1)
    );
    // SAVE, then SHUTDOWN: loaded back from the file.
    assert_eq!(exec(&mut third, c3, &[b"SAVE"]), Reply::ok());
    let _ = exec(&mut third, c3, &[b"SHUTDOWN"]);
    let c3 = third.connect();
    assert_eq!(
        exec(&mut third, c3, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(2)
    );
}

/// MONITOR: a script's command first, from its client; then the commands it runs, from `lua`.
#[test]
fn monitors_see_scripts_then_their_commands_from_lua() {
    let mut engine = Engine::new();
    engine.set_time(1_767_225_600_000);
    let (m, c) = (engine.connect(), engine.connect());
    assert_eq!(exec(&mut engine, m, &[b"MONITOR"]), Reply::ok());
    assert_eq!(
        exec(&mut engine, c, &[b"FUNCTION", b"LOAD", LIB]),
        Reply::bulk(b"lib")
    );
    assert_eq!(
        exec(&mut engine, c, &[b"FCALL", b"incr2", b"1", b"n"]),
        Reply::Integer(1)
    );
    assert_eq!(
        exec(
            &mut engine,
            c,
            &[b"EVAL", b"return redis.call('get', KEYS[1])", b"1", b"n"]
        ),
        Reply::bulk(b"1")
    );
    let lines: Vec<String> = engine
        .take_output(m)
        .iter()
        .map(|r| match r {
            Reply::Status(s) => s
                .split_once(' ')
                .map_or(String::new(), |(_, l)| l.to_string()),
            other => panic!("{other:?}"),
        })
        .collect();
    let client = lines
        .first()
        .and_then(|l| l.split(']').next())
        .unwrap_or_default()
        .to_string();
    assert!(
        lines[0].starts_with(&format!("{client}] \"FUNCTION\" \"LOAD\"")),
        "{lines:?}"
    );
    assert_eq!(
        &lines[1..],
        [
            format!("{client}] \"FCALL\" \"incr2\" \"1\" \"n\""),
            "[0 lua] \"incr\" \"n\"".to_string(),
            format!("{client}] \"EVAL\" \"return redis.call('get', KEYS[1])\" \"1\" \"n\""),
            "[0 lua] \"get\" \"n\"".to_string(),
        ]
    );
}

#[test]
fn cmsgpack_and_struct_on_hostile_input_fail_with_errors_in_bounded_time() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        // (script, what its error says)
        let cases = [
            // A table met over and over: 100^16 values if packed to the nesting limit.
            (
                "local t = {} for i = 1, 100 do t[i] = t end return cmsgpack.pack(t)",
                "not enough memory",
            ),
            (
                "local t = {} for i = 1, 100 do t['k' .. i] = t end return cmsgpack.pack(t)",
                "not enough memory",
            ),
            // Packing past the memory budget.
            (
                "local big = string.rep('x', 5e6) return cmsgpack.pack(big, big, big, big)",
                "not enough memory",
            ),
            // Nesting a million deep: the library's own stack limit, no native recursion.
            (
                "return cmsgpack.unpack(string.rep(string.char(0x91), 1e6))",
                "stack overflow (in function mp_decode_to_lua_array)",
            ),
            (
                "return cmsgpack.unpack(string.rep(string.char(0x81, 1), 1e6))",
                "stack overflow (too many return values",
            ),
            // Counts far past the data.
            (
                "return cmsgpack.unpack(string.char(0xdd, 0xff, 0xff, 0xff, 0xff))",
                "Missing bytes in input.",
            ),
            (
                "return cmsgpack.unpack(string.char(0xdf, 0xff, 0xff, 0xff, 0xff, 1))",
                "Missing bytes in input.",
            ),
            (
                "return cmsgpack.unpack(string.char(0xdb, 0xff, 0xff, 0xff, 0xff) .. 'abc')",
                "Missing bytes in input.",
            ),
            // A million tables built by one call: stopped by the memory budget.
            (
                "return cmsgpack.unpack(string.char(0xdd, 0, 0x0f, 0xff, 0xff) .. string.rep(string.char(0x90), 1e6))",
                "not enough memory",
            ),
            (
                "return cmsgpack.unpack(string.rep(string.char(1), 1e6))",
                "stack overflow (too many return values",
            ),
            // Offsets past the end.
            (
                "return cmsgpack.unpack_one('abc', 4)",
                "Start offset 4 greater than input length 3.",
            ),
            (
                "return cmsgpack.unpack_limit('abc', 1, 2^62)",
                "Start offset 0 greater than input length 3.",
            ),
            (
                "return cmsgpack.unpack_limit('abc', 2^63, -1)",
                "Invalid request to unpack with offset of -1",
            ),
            // struct: huge sizes and counts.
            (
                "return struct.unpack('c2147483647', 'abc')",
                "data string too short",
            ),
            (
                "return struct.unpack('b', 'abc', 2^62)",
                "data string too short",
            ),
            (
                "return struct.unpack('b', 'abc', -2^62)",
                "data string too short",
            ),
            (
                "return struct.pack('c2147483647', 'abc')",
                "string too short",
            ),
            (
                "return struct.size('i99999999999')",
                "integral size overflow",
            ),
            (
                "return struct.size('!99999999999')",
                "integral size overflow",
            ),
            (
                "local s = string.rep('x', 1e6) local t = {} for i = 1, 100 do t[i] = s end return struct.pack(string.rep('s', 100), unpack(t))",
                "not enough memory",
            ),
            (
                "return struct.unpack(string.rep('b', 1e5), string.rep('a', 1e5))",
                "stack overflow (too many results)",
            ),
        ];
        for (script, expected) in cases {
            let started = Instant::now();
            let text = error_text(&eval(&mut engine, script));
            assert!(text.contains(expected), "{script:.80}: {text}");
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{script:.80} took {:?}",
                started.elapsed()
            );
        }
        // Padding takes no stack: a million of it is fine.
        assert_eq!(
            eval(
                &mut engine,
                "return struct.unpack(string.rep('x', 1e6), string.rep('a', 1e6))"
            ),
            Reply::Integer(1_000_001)
        );
        // Sizes that are only arithmetic are fine.
        assert_eq!(
            eval(
                &mut engine,
                "return struct.size(string.rep('c2147483647', 100000))"
            ),
            Reply::Integer(214_748_364_700_000)
        );
    });
}

#[test]
fn random_cmsgpack_and_struct_input_never_crashes_and_values_round_trip() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        // Random bytes, weighted towards the bytes that start msgpack values, unpacked every way.
        let unpack = "
            local bytes = {0x00, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x91, 0x9f, 0xa0, 0xa3, 0xbf, 0xc0,
              0xc1, 0xc2, 0xc3, 0xc4, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3,
              0xd4, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff, 0x01, 0x41}
            local ok_count = 0
            for round = 1, 3000 do
              local t = {}
              for i = 1, math.random(0, 24) do
                t[i] = string.char(bytes[math.random(#bytes)])
              end
              local s = table.concat(t)
              local r = {pcall(cmsgpack.unpack, s)}
              if r[1] then ok_count = ok_count + 1 end
              pcall(cmsgpack.unpack_one, s, math.random(-2, #s + 2))
              pcall(cmsgpack.unpack_limit, s, math.random(-1, 3), math.random(-2, #s + 2))
            end
            return ok_count";
        assert!(matches!(eval(&mut engine, unpack), Reply::Integer(n) if n > 0));
        // Random formats with random data and arguments.
        let formats = "
            local opts = {'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'i3', 'I9', 'i32', 'f',
              'd', 'x', 'c', 'c0', 'c3', 's', '!', '!2', '!3', '<', '>', ' ', 'z', '0', 'i0'}
            local args = {0, -1, 1.5, 2^63, -2^70, 0/0, 'abc', '', '12', {}, true}
            local ok_count = 0
            for round = 1, 3000 do
              local f = {}
              for i = 1, math.random(0, 8) do f[i] = opts[math.random(#opts)] end
              local fmt = table.concat(f)
              local a = {}
              for i = 1, math.random(0, 6) do a[i] = args[math.random(#args)] end
              local ok, packed = pcall(struct.pack, fmt, unpack(a))
              if ok then
                ok_count = ok_count + 1
                pcall(struct.unpack, fmt, packed)
              end
              pcall(struct.unpack, fmt, string.rep('\\1', math.random(0, 40)), math.random(-3, 10))
              pcall(struct.size, fmt)
            end
            return ok_count";
        assert!(matches!(eval(&mut engine, formats), Reply::Integer(n) if n > 0));
        // Numbers and strings come back as they were packed.
        let round_trip = "
            local bad = 0
            for round = 1, 3000 do
              local k = math.random(1, 4)
              local v
              if k == 1 then v = math.random(-2^31, 2^31)
              elseif k == 2 then v = math.floor((math.random() - 0.5) * 2^math.random(1, 62))
              elseif k == 3 then v = (math.random() - 0.5) * 10^math.random(-30, 30)
              else v = string.rep('x', math.random(0, 70000)) end
              local back = cmsgpack.unpack(cmsgpack.pack(v))
              if back ~= v then bad = bad + 1 end
              if type(v) == 'number' and v == math.floor(v) and math.abs(v) < 2^53 then
                local s = struct.pack('>l', v)
                if struct.unpack('>l', s) ~= v then bad = bad + 1 end
              end
            end
            return bad";
        assert_eq!(eval(&mut engine, round_trip), Reply::Integer(0));
    });
}

#[test]
fn cjson_depth_settings_stay_within_the_native_stack() {
    with_big_stack(|| {
        let mut engine = Engine::new();
        for (script, expected) in [
            (
                "cjson.encode_max_depth(2147483647) local t = {} t[1] = t return cjson.encode(t)",
                "Cannot serialise, excessive nesting (201)",
            ),
            (
                "cjson.decode_max_depth(2147483647) return cjson.decode(string.rep('[', 100000))",
                "Found too many nested data structures (201)",
            ),
            // Sparse arrays allowed: as long as their largest index, within the memory budget.
            (
                "cjson.encode_sparse_array(false, 0) return cjson.encode({[2147483647] = 1})",
                "not enough memory",
            ),
            (
                "cjson.encode_sparse_array(false, 0) return cjson.encode({[4e6] = 1, [1] = 1})",
                "not enough memory",
            ),
        ] {
            let text = error_text(&eval(&mut engine, script));
            assert!(text.contains(expected), "{script}: {text}");
        }
        // The settings last until SCRIPT FLUSH.
        assert_eq!(
            eval(&mut engine, "return cjson.encode_max_depth()"),
            Reply::Integer(2_147_483_647)
        );
        let client = engine.connect();
        assert_eq!(
            engine.exec(client, &argv(&[b"SCRIPT", b"FLUSH"])),
            Reply::ok()
        );
        assert_eq!(
            eval(&mut engine, "return cjson.encode_max_depth()"),
            Reply::Integer(1000)
        );
    });
}
