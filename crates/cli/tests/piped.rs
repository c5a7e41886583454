//! `redis-playground` with commands piped in: like redis-cli, it waits for a blocking command's
//! reply (here its timeout, or the end of a `CLIENT PAUSE`) before it runs the next line.

use std::io::Write;
use std::process::{Command, Stdio};

const INPUT: &str = "FLUSHALL\nRPUSH q a\nBLPOP nokey 0.2\nLPUSH nokey x\nLRANGE nokey 0 -1\n\
XREAD BLOCK 100 STREAMS s $\nWAIT 0 100\nBRPOPLPUSH nokey2 dest 0.1\nCLIENT PAUSE 150 WRITE\n\
SET a 1\nGET a\nPING\n";

/// What `redis-cli --no-raw` printed for `INPUT` against Redis 7.0 (checked again against the
/// live server when `REDIS_SOCKET` is set, as under `scripts/with-redis.sh`).
const REDIS_CLI: &str = "OK\n(integer) 1\n(nil)\n(integer) 1\n1) \"x\"\n(nil)\n(integer) 0\n\
(nil)\nOK\nOK\n\"1\"\nPONG\n";

fn run(program: &str, args: &[&str], input: &str) -> String {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the program");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write the commands");
    let output = child.wait_with_output().expect("wait for the program");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn blocking_commands_answer_before_the_next_line_runs() {
    let ours = run(env!("CARGO_BIN_EXE_redis-playground"), &[], INPUT);
    assert_eq!(ours, REDIS_CLI);
    if let Ok(socket) = std::env::var("REDIS_SOCKET") {
        let real = run("redis-cli", &["--no-raw", "-s", &socket], INPUT);
        assert_eq!(
            real, REDIS_CLI,
            "redis-cli printed otherwise: update REDIS_CLI"
        );
    }
}

#[test]
fn a_command_that_would_block_for_ever_ends_the_session() {
    let ours = run(
        env!("CARGO_BIN_EXE_redis-playground"),
        &[],
        "BLPOP nothing 0\nPING\n",
    );
    assert_eq!(
        ours, "",
        "nothing can serve it, and redis-cli would wait for ever"
    );
}
