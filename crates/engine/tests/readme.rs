//! README.md's list of supported commands is generated from the command table, never written by
//! hand: this test renders it and fails when README.md differs. `UPDATE_README=1 cargo test -p
//! engine --test readme` (`make readme`) rewrites it instead.

use std::fmt::Write as _;
use std::path::PathBuf;

use engine::{CommandSpec, Registry};

const BEGIN: &str =
    "<!-- commands:begin (generated from the command table by `make readme`; do not edit) -->";
const END: &str = "<!-- commands:end -->";

/// Redis's documentation groups, in Redis's order, with their headings.
const GROUPS: &[(&str, &str)] = &[
    ("generic", "Keys"),
    ("string", "Strings"),
    ("list", "Lists"),
    ("set", "Sets"),
    ("sorted-set", "Sorted sets"),
    ("hash", "Hashes"),
    ("pubsub", "Pub/sub"),
    ("transactions", "Transactions"),
    ("connection", "Connection"),
    ("server", "Server"),
    ("scripting", "Scripting"),
    ("hyperloglog", "HyperLogLog"),
    ("cluster", "Cluster"),
    ("sentinel", "Sentinel"),
    ("geo", "Geospatial"),
    ("stream", "Streams"),
    ("bitmap", "Bitmaps"),
];

/// `NAME syntax` for a command or `CONTAINER SUB syntax` for a subcommand.
fn usage(spec: &CommandSpec) -> String {
    let name = spec.name.replace('|', " ").to_ascii_uppercase();
    if spec.syntax.is_empty() {
        name
    } else {
        format!("{name} {}", spec.syntax)
    }
}

/// The generated block, markers excluded.
fn render() -> String {
    let commands = Registry::get().commands();
    let mut groups: Vec<(String, String)> = GROUPS
        .iter()
        .map(|(g, title)| ((*g).to_string(), (*title).to_string()))
        .collect();
    let mut others: Vec<String> = commands
        .iter()
        .map(|c| c.group.clone())
        .filter(|g| !GROUPS.iter().any(|(known, _)| known == g))
        .collect();
    others.sort();
    others.dedup();
    groups.extend(others.into_iter().map(|g| (g.clone(), g)));

    let subcommands: usize = commands.iter().map(|c| c.subcommands.len()).sum();
    let mut out = format!(
        "{} commands and {} subcommands, each with its syntax as Redis documents it and what it does.\n",
        commands.len(),
        subcommands
    );
    for (group, title) in groups {
        let members: Vec<&&CommandSpec> = commands.iter().filter(|c| c.group == group).collect();
        if members.is_empty() {
            continue;
        }
        let _ = write!(out, "\n### {title} (`{group}`)\n\n");
        for spec in members {
            let _ = writeln!(out, "- `{}` — {}", usage(spec), spec.summary);
            let mut subs: Vec<&CommandSpec> = spec.subcommands.iter().collect();
            subs.sort_by(|a, b| a.name.cmp(&b.name));
            for sub in subs {
                let _ = writeln!(out, "  - `{}` — {}", usage(sub), sub.summary);
            }
        }
    }
    out
}

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")
}

#[test]
fn readme_lists_every_supported_command() {
    let path = readme_path();
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let (Some(begin), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the markers:\n{BEGIN}\n{END}");
    };
    assert!(begin < end, "README.md's markers are out of order");
    let current = &readme[begin + BEGIN.len()..end];
    let wanted = format!("\n{}", render());
    if current == wanted {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!(
            "{}{wanted}{}",
            &readme[..begin + BEGIN.len()],
            &readme[end..]
        );
        std::fs::write(&path, updated).expect("README.md is writable");
        eprintln!("README.md: the list of supported commands was rewritten");
        return;
    }
    panic!(
        "README.md's list of supported commands is out of date: run `make readme`.\n--- wanted\n{wanted}"
    );
}
