//! What redis-cli does for a user typing: completion of command names, the greyed hint of the
//! remaining arguments, and `HELP`. Built on the command table, so it covers exactly the
//! implemented commands. Shared by the page's console and the native CLI.

use std::fmt::Write as _;

use crate::command::{CommandSpec, Registry};

use super::split::split_args;

/// What Tab offers for `line`, as redis-cli 7.0's completion callback: every command and
/// container subcommand whose full name (`CONFIG GET`) starts with the whole line, compared
/// case-insensitively and written as the command table writes it, uppercase. The whole line is
/// replaced, so `client k` offers `CLIENT KILL`; a line that already has arguments, or spaces
/// that no name has (leading, doubled), offers nothing; an empty line offers every name. After
/// `help ` (any case, any spaces after it, kept as typed) the `@group` topics are offered too.
/// Sorted by name in byte order, as redis-cli sorts its table, so `@groups` come first and a
/// container precedes its subcommands. No space is added after a completion.
pub fn complete(line: &str) -> Vec<String> {
    // C's isspace: what redis-cli skips after `help `.
    let is_space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r');
    let (head, typed, topics) = match line.get(..5) {
        Some(help) if help.eq_ignore_ascii_case("help ") => {
            let typed = line[5..].trim_start_matches(is_space);
            (&line[..line.len() - typed.len()], typed, true)
        }
        _ => ("", line, false),
    };
    let registry = Registry::get();
    let mut names: Vec<String> = Vec::new();
    for spec in registry.commands() {
        names.push(spec.name.to_ascii_uppercase());
        names.extend(
            spec.subcommands
                .iter()
                .map(|s| s.name.replace('|', " ").to_ascii_uppercase()),
        );
    }
    if topics {
        names.extend(help_groups().into_iter().map(|g| format!("@{g}")));
    }
    names.retain(|name| {
        name.as_bytes()
            .get(..typed.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(typed.as_bytes()))
    });
    crate::qsort::sort(&mut names);
    names
        .into_iter()
        .map(|name| format!("{head}{name}"))
        .collect()
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
    fn completes_the_whole_line_to_the_tables_names() {
        assert_eq!(
            complete("get"),
            ["GET", "GETBIT", "GETDEL", "GETEX", "GETRANGE", "GETSET"]
        );
        assert_eq!(complete("hgeta"), ["HGETALL"]);
        // The first word takes the table's case too: the whole line is replaced.
        assert_eq!(complete("object enc"), ["OBJECT ENCODING"]);
        assert_eq!(complete("CONFIG G"), ["CONFIG GET"]);
        let config = complete("config");
        assert_eq!(config[0], "CONFIG", "a container precedes its subcommands");
        assert!(config[1..].iter().all(|c| c.starts_with("CONFIG ")));
        assert_eq!(complete("CONFIG "), config[1..]);
    }

    #[test]
    fn completes_nothing_once_arguments_begin_or_spaces_do_not_fit() {
        assert!(complete("GET key").is_empty());
        assert!(complete("GET ").is_empty());
        assert!(complete("  get").is_empty());
        assert!(complete("CONFIG  G").is_empty());
        assert!(complete("nosuchcommand").is_empty());
        assert!(complete("help").is_empty(), "no command starts with HELP");
    }

    #[test]
    fn an_empty_line_completes_to_every_name_in_byte_order() {
        let all = complete("");
        let commands = Registry::get().commands();
        let subcommands: usize = commands.iter().map(|c| c.subcommands.len()).sum();
        assert_eq!(all.len(), commands.len() + subcommands);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert!(all.iter().all(|c| !c.starts_with('@')));
    }

    #[test]
    fn after_help_topics_include_groups_and_the_typed_head_stays() {
        let topics = complete("help ");
        assert!(topics[0].starts_with("help @"), "groups sort first");
        assert!(topics.contains(&"help @string".to_string()));
        assert!(topics.contains(&"help GET".to_string()));
        assert_eq!(complete("HELP  @stri"), ["HELP  @string"]);
        assert_eq!(complete("Help object enc"), ["Help OBJECT ENCODING"]);
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
