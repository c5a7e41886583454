//! What redis-cli does for a user typing: completion of command names, the greyed hint of the
//! remaining arguments, and `HELP`. Built on the command table, so it covers exactly the
//! implemented commands. Shared by the page's console and the native CLI.

use std::fmt::Write as _;

use crate::command::{CommandSpec, Registry};

use super::split::split_args;

/// Completions of the word being typed: command names for the first word, subcommand names for
/// the second word of a container command (`OBJECT ENC` → `OBJECT ENCODING`). Each completion
/// is the whole line as it would read, uppercase as redis-cli completes; sorted.
pub fn complete(line: &str) -> Vec<String> {
    let ends_with_space = line.ends_with(char::is_whitespace);
    let words: Vec<&str> = line.split_whitespace().collect();
    let registry = Registry::get();
    match (words.as_slice(), ends_with_space) {
        ([partial], false) => {
            let lower = partial.to_ascii_lowercase();
            registry
                .commands()
                .into_iter()
                .filter(|c| c.name.starts_with(&lower))
                .map(|c| c.name.to_ascii_uppercase())
                .collect()
        }
        ([command], true) | ([command, _], false) => {
            let Some(spec) = registry
                .lookup(command.as_bytes())
                .filter(|s| s.is_container())
            else {
                return Vec::new();
            };
            let partial = if ends_with_space {
                String::new()
            } else {
                words[1].to_ascii_lowercase()
            };
            let mut out: Vec<String> = spec
                .subcommands
                .iter()
                .filter_map(|s| s.name.split_once('|').map(|(_, sub)| sub))
                .filter(|sub| sub.starts_with(&partial))
                .map(|sub| format!("{command} {}", sub.to_ascii_uppercase()))
                .collect();
            crate::qsort::sort(&mut out);
            out
        }
        _ => Vec::new(),
    }
}

/// The longest common prefix of completions (case-insensitively extended), what Tab inserts.
pub fn common_prefix(completions: &[String]) -> Option<String> {
    let first = completions.first()?;
    let mut len = first.len();
    for other in &completions[1..] {
        len = first
            .bytes()
            .zip(other.bytes())
            .take(len)
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .count();
    }
    first.get(..len).map(str::to_string)
}

/// The command (or container subcommand) a line starts with.
fn spec_for<'a>(registry: &'a Registry, argv: &[Vec<u8>]) -> Option<(&'a CommandSpec, usize)> {
    let base = registry.lookup(argv.first()?)?;
    if base.is_container()
        && let Some(sub) = argv.get(1).and_then(|s| base.subcommand(s))
    {
        return Some((sub, 2));
    }
    Some((base, 1))
}

/// The hint redis-cli greys after the cursor: the command's argument syntax without the
/// arguments already typed (as `hintsCallback`: one leading token dropped per typed argument,
/// stopping at the first optional part), preceded by a space unless the line ends with one.
pub fn hint(line: &str) -> Option<String> {
    let argv = split_args(line.as_bytes()).ok()?;
    let registry = Registry::get();
    let (spec, consumed) = spec_for(registry, &argv)?;
    let typed = argv.len().saturating_sub(consumed);
    let mut rest = spec.syntax.as_str();
    let mut to_remove = typed;
    while to_remove > 0 && !rest.is_empty() {
        if rest.starts_with('[') {
            break;
        }
        if rest.starts_with(' ') {
            to_remove -= 1;
        }
        rest = &rest[1..];
    }
    if rest.is_empty() {
        return None;
    }
    let space = if line.ends_with(char::is_whitespace) {
        ""
    } else {
        " "
    };
    Some(format!("{space}{rest}"))
}

/// One command's entry in `HELP`'s output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    /// The name, uppercase (`OBJECT ENCODING` for a subcommand).
    pub name: String,
    /// The argument syntax.
    pub syntax: String,
    /// What it does.
    pub summary: String,
    /// The Redis version that introduced it.
    pub since: String,
    /// Its documentation group.
    pub group: String,
}

/// What `HELP` shows for a typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Help {
    /// `HELP` alone: how to use help.
    Usage,
    /// `HELP <command>` or `HELP @<group>`: the matching entries (none if nothing matches).
    Entries(Vec<HelpEntry>),
}

fn entry(spec: &CommandSpec) -> HelpEntry {
    HelpEntry {
        name: spec.name.replace('|', " ").to_ascii_uppercase(),
        syntax: spec.syntax.clone(),
        summary: spec.summary.to_string(),
        since: spec.since.clone(),
        group: spec.group.clone(),
    }
}

/// The groups commands belong to, sorted (`HELP @<group>` topics).
pub fn help_groups() -> Vec<String> {
    let mut groups: Vec<String> = Registry::get()
        .commands()
        .into_iter()
        .map(|c| c.group.clone())
        .collect();
    crate::qsort::sort(&mut groups);
    groups.dedup();
    groups
}

/// `HELP`, `HELP <command> [<subcommand>]` or `HELP @<group>`.
pub fn help(args: &[Vec<u8>]) -> Help {
    let registry = Registry::get();
    let Some(topic) = args.first() else {
        return Help::Usage;
    };
    if let Some(group) = topic.strip_prefix(b"@") {
        let group = String::from_utf8_lossy(group).to_ascii_lowercase();
        let mut entries = Vec::new();
        for spec in registry.commands() {
            if spec.group == group {
                entries.push(entry(spec));
            }
            entries.extend(
                spec.subcommands
                    .iter()
                    .filter(|s| s.group == group)
                    .map(entry),
            );
        }
        return Help::Entries(entries);
    }
    let Some((spec, _)) = spec_for(registry, args) else {
        return Help::Entries(Vec::new());
    };
    let mut entries = vec![entry(spec)];
    // Help on a container lists its subcommands too, as redis-cli does.
    if args.len() == 1 {
        entries.extend(spec.subcommands.iter().map(entry));
    }
    Help::Entries(entries)
}

/// `HELP` as plain text, in redis-cli's layout (the native CLI adds its colours).
pub fn help_text(help: &Help) -> String {
    match help {
        Help::Usage => format!(
            "Redis Playground (redis-cli compatible, Redis {})\nTo get help about Redis commands type:\n      \"help @<group>\" to get a list of commands in <group>\n      \"help <command>\" for help on <command>\n      \"help <tab>\" to get a list of possible help topics\n      \"quit\" to exit\n\nGroups: {}\n",
            crate::command::REDIS_VERSION,
            help_groups().join(", ")
        ),
        Help::Entries(entries) => {
            let mut out = String::new();
            for e in entries {
                // Writing into a String cannot fail.
                let _ = write!(
                    out,
                    "\n  {} {}\n  summary: {}\n  since: {}\n  group: {}\n",
                    e.name, e.syntax, e.summary, e.since, e.group
                );
            }
            if !entries.is_empty() {
                out.push('\n');
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_and_subcommands() {
        assert!(complete("HGETA").contains(&"HGETALL".to_string()));
        assert!(complete("obj").contains(&"OBJECT".to_string()));
        assert_eq!(complete("object enc"), ["object ENCODING"]);
        assert!(complete("OBJECT ").contains(&"OBJECT FREQ".to_string()));
        assert!(complete("GET key ").is_empty());
        assert_eq!(
            common_prefix(&["HGET".into(), "HGETALL".into()]),
            Some("HGET".into())
        );
    }

    #[test]
    fn hints_drop_typed_arguments_as_redis_cli() {
        let full = "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]";
        assert_eq!(hint("SET").as_deref(), Some(format!(" {full}").as_str()));
        assert_eq!(hint("set ").as_deref(), Some(full));
        assert_eq!(
            hint("SET k").as_deref(),
            Some(format!(" {}", &full["key ".len()..]).as_str())
        );
        assert_eq!(
            hint("SET k v ").as_deref(),
            Some(
                "[NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
            )
        );
        assert_eq!(hint("OBJECT ENCODING").as_deref(), Some(" key"));
        assert_eq!(hint("NOPE"), None);
    }

    #[test]
    fn help_finds_commands_and_groups() {
        let Help::Entries(entries) = help(&[b"get".to_vec()]) else {
            panic!("entries")
        };
        assert_eq!(entries[0].name, "GET");
        assert_eq!(entries[0].group, "string");
        let Help::Entries(strings) = help(&[b"@string".to_vec()]) else {
            panic!("entries")
        };
        assert!(strings.len() > 10 && strings.iter().all(|e| e.group == "string"));
        assert_eq!(help(&[]), Help::Usage);
        assert!(help_text(&help(&[b"set".to_vec()])).contains("  SET key value"));
    }
}
