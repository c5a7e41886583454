//! W3 through `call_into` with every command's replies encoded as the npm package's wire does
//! (`bindings::wire`, bulk strings as text), for a profiler: what `w1_profile -- w3 call`
//! measures plus the encoding. Its own binary, so that `w1_profile`'s code (and its callgrind
//! counts) stay as they were.
//!
//! ```sh
//! CARGO_PROFILE_BENCH_DEBUG=true cargo bench -p bench --bench wire_profile --no-run
//! valgrind --tool=callgrind --toggle-collect='*run_wire*' target/release/deps/wire_profile-<hash>
//! callgrind_annotate --inclusive=yes callgrind.out.<pid> | head -60
//! ```

use std::hint::black_box;

use bench::{W3, W3_OPS};
use bindings::wire::Wire;
use cpu_time::ThreadTime;
use engine::{ClientId, Engine};

/// Runs the commands, encoding each one's replies into the reused buffer; answers how many
/// replies were errors.
#[inline(never)]
fn run_wire(workload: &W3, engine: &mut Engine, client: ClientId, wire: &mut Wire) -> usize {
    let mut errors = 0;
    let mut replies = Vec::new();
    for argv in &workload.commands {
        engine.call_into(client, argv, &mut replies);
        errors += replies.iter().filter(|r| r.is_error()).count();
        black_box(wire.write_replies(&replies, true));
        replies.clear();
    }
    errors
}

fn main() {
    let workload = W3::new();
    let mut engine = Engine::new();
    let client = engine.connect();
    // The first command of the process builds the command table: no part of any command.
    black_box(engine.exec(client, &[b"PING".to_vec()]));
    let mut wire = Wire::default();
    let start = ThreadTime::now();
    let errors = run_wire(&workload, &mut engine, client, &mut wire);
    let took = start.elapsed();
    println!(
        "W3 (wire): {errors} errors in {:.1} ms of CPU time ({:.0} ns per command)",
        took.as_secs_f64() * 1e3,
        took.as_secs_f64() * 1e9 / W3_OPS as f64
    );
}
