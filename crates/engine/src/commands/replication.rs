//! Replication, as far as a server without replicas shows it: ROLE (Redis's `server` group).
//! The engine is always a master with no replica; INFO replication says the same.

use crate::command::{Command, Ctx};
use crate::errors::CmdResult;
use crate::reply::Reply;

/// The replication registrations (Redis's `server` group).
pub static COMMANDS: &[Command] = &[Command::new(
    "role",
    role_command,
    "Answers this server's part in replication: master, its replication offset and its replicas.",
)];

/// Answers `master`, the replication offset and the list of replicas. The offset is 0: Redis
/// counts it in the replication backlog, which a master creates only once a replica connects
/// (writes alone leave it at 0, as INFO's `master_repl_offset` shows). No replica ever connects
/// here; MONITOR connections, which Redis treats as replicas in other ways, are not listed,
/// as in Redis.
///
/// `ROLE`
pub fn role_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Array(vec![
        Reply::bulk(b"master"),
        Reply::Integer(0),
        Reply::Array(Vec::new()),
    ]))
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    #[test]
    fn role_is_a_master_without_replicas_even_after_writes_and_with_a_monitor() {
        let mut e = Engine::new();
        let c = e.connect();
        let master = Reply::Array(vec![
            Reply::bulk(b"master"),
            Reply::Integer(0),
            Reply::Array(Vec::new()),
        ]);
        assert_eq!(e.exec(c, &argv("ROLE")), master);
        e.exec(c, &argv("SET k v"));
        let monitor = e.connect();
        e.exec(monitor, &argv("MONITOR"));
        assert_eq!(e.exec(c, &argv("role")), master);
        assert_eq!(
            e.exec(c, &argv("ROLE x")),
            Reply::Error("ERR wrong number of arguments for 'role' command".into())
        );
    }

    #[test]
    fn docs_give_redis_group_and_version() {
        let mut e = Engine::new();
        let c = e.connect();
        e.exec(c, &argv("HELLO 3"));
        let Reply::Map(docs) = e.exec(c, &argv("COMMAND DOCS role")) else {
            panic!("a map");
        };
        let Some((_, Reply::Map(fields))) = docs.first() else {
            panic!("role's docs");
        };
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == Reply::bulk(key.as_bytes()))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("group"), Some(Reply::bulk(b"server")));
        assert_eq!(get("since"), Some(Reply::bulk(b"2.8.12")));
    }
}
