//! The cluster group: CLUSTER and its subcommands, READONLY, READWRITE and ASKING. The engine is
//! one standalone server (`cluster-enabled no`), so each of them answers what Redis 7.0 answers
//! then: `ERR This instance has cluster support disabled`. They are registered all the same, so
//! that everything before the handler behaves as in Redis: the arity of each subcommand, an
//! unknown subcommand's error, `noscript` (CLUSTER RESET) in scripts, MULTI queueing, MONITOR
//! (which leaves out the `admin` subcommands), COMMAND INFO and the statistics.

use crate::command::{Command, Ctx};
use crate::errors::{CmdResult, RedisError};

/// The cluster group's registrations: every subcommand Redis 7.0 has, all run by
/// [`cluster_command`], as in Redis (whose subcommands all run `clusterCommand`).
pub static COMMANDS: &[Command] = &[
    Command::new(
        "cluster",
        cluster_command,
        "Manages a Redis Cluster node; this standalone server answers that cluster support is disabled.",
    ),
    Command::new(
        "cluster|addslots",
        cluster_command,
        "Cluster only: assigns hash slots to this node.",
    ),
    Command::new(
        "cluster|addslotsrange",
        cluster_command,
        "Cluster only: assigns ranges of hash slots to this node.",
    ),
    Command::new(
        "cluster|bumpepoch",
        cluster_command,
        "Cluster only: moves this node's configuration epoch forward.",
    ),
    Command::new(
        "cluster|count-failure-reports",
        cluster_command,
        "Cluster only: counts the live reports that a node has failed.",
    ),
    Command::new(
        "cluster|countkeysinslot",
        cluster_command,
        "Cluster only: counts the keys of a hash slot.",
    ),
    Command::new(
        "cluster|delslots",
        cluster_command,
        "Cluster only: stops this node serving the hash slots given.",
    ),
    Command::new(
        "cluster|delslotsrange",
        cluster_command,
        "Cluster only: stops this node serving the ranges of hash slots given.",
    ),
    Command::new(
        "cluster|failover",
        cluster_command,
        "Cluster only: makes this replica take over from its master.",
    ),
    Command::new(
        "cluster|flushslots",
        cluster_command,
        "Cluster only: leaves this node serving no hash slot.",
    ),
    Command::new(
        "cluster|forget",
        cluster_command,
        "Cluster only: drops a node from this node's view of the cluster.",
    ),
    Command::new(
        "cluster|getkeysinslot",
        cluster_command,
        "Cluster only: lists up to count key names of a hash slot.",
    ),
    Command::new(
        "cluster|help",
        cluster_command,
        "Cluster only: describes the CLUSTER subcommands.",
    ),
    Command::new(
        "cluster|info",
        cluster_command,
        "Cluster only: reports the cluster's state, slot counts and size.",
    ),
    Command::new(
        "cluster|keyslot",
        cluster_command,
        "Cluster only: answers the hash slot a key name maps to.",
    ),
    Command::new(
        "cluster|links",
        cluster_command,
        "Cluster only: describes this node's connections to the other nodes.",
    ),
    Command::new(
        "cluster|meet",
        cluster_command,
        "Cluster only: introduces another node, joining it to the cluster.",
    ),
    Command::new(
        "cluster|myid",
        cluster_command,
        "Cluster only: answers this node's id.",
    ),
    Command::new(
        "cluster|nodes",
        cluster_command,
        "Cluster only: describes every node known, one line each.",
    ),
    Command::new(
        "cluster|replicas",
        cluster_command,
        "Cluster only: describes the replicas of a master node.",
    ),
    Command::new(
        "cluster|replicate",
        cluster_command,
        "Cluster only: turns this node into a replica of a master node.",
    ),
    Command::new(
        "cluster|reset",
        cluster_command,
        "Cluster only: makes this node forget the cluster (HARD also gives it a new id).",
    ),
    Command::new(
        "cluster|saveconfig",
        cluster_command,
        "Cluster only: writes the node's cluster configuration file to disk.",
    ),
    Command::new(
        "cluster|set-config-epoch",
        cluster_command,
        "Cluster only: gives a fresh node its configuration epoch.",
    ),
    Command::new(
        "cluster|setslot",
        cluster_command,
        "Cluster only: marks a hash slot importing, migrating, stable or owned by a node.",
    ),
    Command::new(
        "cluster|shards",
        cluster_command,
        "Cluster only: describes each shard: its slot ranges and its nodes.",
    ),
    Command::new(
        "cluster|slaves",
        cluster_command,
        "Cluster only: describes the replicas of a master node (the old name of REPLICAS).",
    ),
    Command::new(
        "cluster|slots",
        cluster_command,
        "Cluster only: maps ranges of hash slots to the nodes serving them.",
    ),
    Command::new(
        "readonly",
        cluster_command,
        "Cluster only: lets this connection read keys from a replica node.",
    ),
    Command::new(
        "readwrite",
        cluster_command,
        "Cluster only: ends READONLY for this connection.",
    ),
    Command::new(
        "asking",
        cluster_command,
        "Cluster only: lets the next command reach a slot being imported, after an ASK redirect.",
    ),
];

/// `ERR This instance has cluster support disabled`: what a server started without
/// `cluster-enabled yes` answers to every cluster command.
pub const CLUSTER_DISABLED: &str = "ERR This instance has cluster support disabled";

/// Answers that cluster support is disabled, whatever the subcommand and its arguments: Redis
/// checks `cluster-enabled` before it looks at them (even for HELP). Also READONLY, READWRITE
/// and ASKING, which check it first too. The arity and the subcommand's name were checked
/// before this runs, as for every command.
///
/// `CLUSTER subcommand [argument ...]`, `READONLY`, `READWRITE`, `ASKING`
pub fn cluster_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::new(CLUSTER_DISABLED))
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Reply};

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    /// The 27 subcommands of Redis 7.0.15's CLUSTER.
    const SUBCOMMANDS: [&str; 27] = [
        "addslots",
        "addslotsrange",
        "bumpepoch",
        "count-failure-reports",
        "countkeysinslot",
        "delslots",
        "delslotsrange",
        "failover",
        "flushslots",
        "forget",
        "getkeysinslot",
        "help",
        "info",
        "keyslot",
        "links",
        "meet",
        "myid",
        "nodes",
        "replicas",
        "replicate",
        "reset",
        "saveconfig",
        "set-config-epoch",
        "setslot",
        "shards",
        "slaves",
        "slots",
    ];

    // The container's COMMAND INFO entry lists its subcommands in an order Redis draws at
    // startup, so the conformance scripts compare the subcommands' entries one by one and this
    // checks the container's own fields and that none is missing.
    #[test]
    fn the_container_entry_is_redis_with_every_subcommand() {
        let mut e = Engine::new();
        let c = e.connect();
        // RESP3, to see flags and categories as sets.
        e.exec(c, &argv("HELLO 3"));
        let Reply::Array(entries) = e.exec(c, &argv("COMMAND INFO cluster")) else {
            panic!("an array");
        };
        let Some(Reply::Array(entry)) = entries.first() else {
            panic!("an entry");
        };
        assert_eq!(entry[0], Reply::bulk(b"cluster"));
        assert_eq!(entry[1], Reply::Integer(-2));
        assert_eq!(entry[2], Reply::Set(Vec::new()));
        assert_eq!(
            &entry[3..6],
            &[Reply::Integer(0), Reply::Integer(0), Reply::Integer(0)]
        );
        assert_eq!(entry[6], Reply::Set(vec![Reply::status("@slow")]));
        let Reply::Array(subs) = &entry[9] else {
            panic!("subcommands");
        };
        let mut names: Vec<String> = subs
            .iter()
            .filter_map(|s| match s {
                Reply::Array(items) => match items.first() {
                    Some(Reply::Bulk(name)) => Some(String::from_utf8_lossy(name).into_owned()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        names.sort();
        let want: Vec<String> = SUBCOMMANDS.iter().map(|s| format!("cluster|{s}")).collect();
        assert_eq!(names, want);
    }

    #[test]
    fn every_cluster_command_answers_that_cluster_support_is_disabled() {
        let mut e = Engine::new();
        let c = e.connect();
        let disabled = Reply::Error(super::CLUSTER_DISABLED.into());
        for line in [
            "READONLY",
            "READWRITE",
            "ASKING",
            "CLUSTER HELP",
            "cluster keyslot k",
        ] {
            assert_eq!(e.exec(c, &argv(line)), disabled, "{line}");
        }
        assert_eq!(
            e.exec(c, &argv("CLUSTER")),
            Reply::Error("ERR wrong number of arguments for 'cluster' command".into())
        );
        assert_eq!(
            e.exec(c, &argv("CLUSTER nope")),
            Reply::Error("ERR unknown subcommand 'nope'. Try CLUSTER HELP.".into())
        );
    }

    #[test]
    fn docs_give_redis_group_version_and_subcommands() {
        let mut e = Engine::new();
        let c = e.connect();
        e.exec(c, &argv("HELLO 3"));
        let Reply::Map(docs) = e.exec(c, &argv("COMMAND DOCS cluster readonly")) else {
            panic!("a map");
        };
        let field = |name: &str, key: &str| {
            docs.iter()
                .find(|(k, _)| *k == Reply::bulk(name.as_bytes()))
                .and_then(|(_, v)| match v {
                    Reply::Map(fields) => fields
                        .iter()
                        .find(|(k, _)| *k == Reply::bulk(key.as_bytes()))
                        .map(|(_, v)| v.clone()),
                    _ => None,
                })
        };
        assert_eq!(field("cluster", "group"), Some(Reply::bulk(b"cluster")));
        assert_eq!(field("cluster", "since"), Some(Reply::bulk(b"3.0.0")));
        assert_eq!(field("readonly", "group"), Some(Reply::bulk(b"cluster")));
        let Some(Reply::Map(subs)) = field("cluster", "subcommands") else {
            panic!("subcommands");
        };
        assert_eq!(subs.len(), SUBCOMMANDS.len());
    }
}
