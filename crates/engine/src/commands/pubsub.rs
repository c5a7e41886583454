//! Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
//! SUNSUBSCRIBE, PUBLISH, SPUBLISH, PUBSUB.
//!
//! Confirmations are pushes (`>` with RESP3, plain arrays with RESP2), one per channel, as Redis
//! sends them.

use crate::command::{Command, Ctx};
use crate::commands::args;
use crate::errors::{CmdResult, RedisError};
use crate::glob::glob_match;
use crate::keyspace::Dict;
use crate::pubsub::Subscribers;
use crate::reply::Reply;

// The pub/sub group's registrations.
crate::lazy::commands! { Pubsub, pubsub;
    Command::new(
        "subscribe",
        subscribe_command,
        "Listens for messages published to channels.",
    ),
    Command::new(
        "unsubscribe",
        unsubscribe_command,
        "Stops listening to channels (all of them without arguments).",
    ),
    Command::new(
        "psubscribe",
        psubscribe_command,
        "Listens for messages on every channel matching glob patterns.",
    ),
    Command::new(
        "punsubscribe",
        punsubscribe_command,
        "Stops listening to patterns (all of them without arguments).",
    ),
    Command::new(
        "ssubscribe",
        ssubscribe_command,
        "Listens to shard channels.",
    ),
    Command::new(
        "sunsubscribe",
        sunsubscribe_command,
        "Stops listening to shard channels (all of them without arguments).",
    ),
    Command::new(
        "publish",
        publish_command,
        "Sends a message to a channel; answers how many clients received it.",
    ),
    Command::new(
        "spublish",
        spublish_command,
        "Sends a message to a shard channel.",
    ),
    Command::new("pubsub", pubsub_command, "Inspects the pub/sub state."),
    Command::new(
        "pubsub|channels",
        pubsub_channels_command,
        "Lists the channels with subscribers, optionally matching a pattern.",
    ),
    Command::new(
        "pubsub|numsub",
        pubsub_numsub_command,
        "Answers the number of subscribers of channels.",
    ),
    Command::new(
        "pubsub|numpat",
        pubsub_numpat_command,
        "Answers the number of pattern subscriptions.",
    ),
    Command::new(
        "pubsub|shardchannels",
        pubsub_shardchannels_command,
        "Lists the shard channels with subscribers.",
    ),
    Command::new(
        "pubsub|shardnumsub",
        pubsub_shardnumsub_command,
        "Answers the number of subscribers of shard channels.",
    ),
    Command::new(
        "pubsub|help",
        pubsub_help_command,
        "Describes the PUBSUB subcommands.",
    ),
}

/// Which kind of subscription a command manages.
#[derive(Clone, Copy)]
enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    fn subscribed(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"subscribe",
            Kind::Pattern => b"psubscribe",
            Kind::Shard => b"ssubscribe",
        }
    }

    fn unsubscribed(self) -> &'static [u8] {
        match self {
            Kind::Channel => b"unsubscribe",
            Kind::Pattern => b"punsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }
}

fn confirmation(kind: &[u8], name: Option<&[u8]>, count: usize) -> Reply {
    Reply::Push(vec![
        Reply::bulk(kind),
        name.map_or(Reply::Nil, Reply::bulk),
        Reply::Integer(count as i64),
    ])
}

/// Subscriptions the client now has of the counted kind (shard channels count alone).
fn count(ctx: &mut Ctx<'_>, kind: Kind) -> usize {
    ctx.client().map_or(0, |c| match kind {
        Kind::Shard => c.shard_channels.len(),
        _ => c.subscription_count(),
    })
}

fn subscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: Kind) -> CmdResult {
    let id = ctx.client;
    let mut last = None;
    for name in &argv[1..] {
        let added = ctx.client_mut().is_some_and(|c| match kind {
            Kind::Channel => c.channels.insert(name),
            Kind::Pattern => c.patterns.insert(name),
            Kind::Shard => c.shard_channels.insert(name),
        });
        if added {
            let registry = match kind {
                Kind::Channel => &mut ctx.engine.pubsub.channels,
                Kind::Pattern => &mut ctx.engine.pubsub.patterns,
                Kind::Shard => &mut ctx.engine.pubsub.shard_channels,
            };
            crate::pubsub::add(registry, name, id);
        }
        let reply = confirmation(kind.subscribed(), Some(name), count(ctx, kind));
        if let Some(previous) = last.replace(reply) {
            ctx.emit(previous);
        }
    }
    Ok(last.unwrap_or(Reply::Nil))
}

fn unsubscribe(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], kind: Kind) -> CmdResult {
    let id = ctx.client;
    let names: Vec<Vec<u8>> = if argv.len() > 1 {
        argv[1..].to_vec()
    } else {
        ctx.client()
            .map(|c| match kind {
                // The channels in their table's order, the patterns in subscription order,
                // as Redis goes through its dict and its list.
                Kind::Channel => c.channels.iter().map(<[u8]>::to_vec).collect(),
                Kind::Pattern => c.patterns.iter().map(<[u8]>::to_vec).collect(),
                Kind::Shard => c.shard_channels.iter().map(<[u8]>::to_vec).collect(),
            })
            .unwrap_or_default()
    };
    if names.is_empty() {
        return Ok(confirmation(kind.unsubscribed(), None, count(ctx, kind)));
    }
    let mut last = None;
    for name in &names {
        let removed = ctx.client_mut().is_some_and(|c| match kind {
            Kind::Channel => c.channels.remove(name),
            Kind::Pattern => c.patterns.remove(name),
            Kind::Shard => c.shard_channels.remove(name),
        });
        if removed {
            match kind {
                Kind::Channel => ctx.engine.pubsub.remove_channel(name, id),
                Kind::Pattern => ctx.engine.pubsub.remove_pattern(name, id),
                Kind::Shard => ctx.engine.pubsub.remove_shard_channel(name, id),
            }
        }
        let reply = confirmation(kind.unsubscribed(), Some(name), count(ctx, kind));
        if let Some(previous) = last.replace(reply) {
            ctx.emit(previous);
        }
    }
    Ok(last.unwrap_or(Reply::Nil))
}

/// Subscribes to channels.
///
/// `SUBSCRIBE channel [channel ...]`
pub fn subscribe_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    subscribe(ctx, argv, Kind::Channel)
}

/// Unsubscribes from channels.
///
/// `UNSUBSCRIBE [channel [channel ...]]`
pub fn unsubscribe_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    unsubscribe(ctx, argv, Kind::Channel)
}

/// Subscribes to patterns.
///
/// `PSUBSCRIBE pattern [pattern ...]`
pub fn psubscribe_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    subscribe(ctx, argv, Kind::Pattern)
}

/// Unsubscribes from patterns.
///
/// `PUNSUBSCRIBE [pattern [pattern ...]]`
pub fn punsubscribe_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    unsubscribe(ctx, argv, Kind::Pattern)
}

/// Subscribes to shard channels.
///
/// `SSUBSCRIBE shardchannel [shardchannel ...]`
pub fn ssubscribe_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // Inside EXEC a client may not block; SUBSCRIBE and PSUBSCRIBE are let through there for
    // old clients' sake, SSUBSCRIBE (new in 7.0) is not.
    if !ctx.can_block() {
        return Err(RedisError::new(
            "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client",
        ));
    }
    subscribe(ctx, argv, Kind::Shard)
}

/// Unsubscribes from shard channels.
///
/// `SUNSUBSCRIBE [shardchannel [shardchannel ...]]`
pub fn sunsubscribe_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    unsubscribe(ctx, argv, Kind::Shard)
}

/// Publishes a message; answers the number of deliveries.
///
/// `PUBLISH channel message`
pub fn publish_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(ctx.engine.publish(&argv[1], &argv[2]) as i64))
}

/// Publishes a message to a shard channel.
///
/// `SPUBLISH shardchannel message`
pub fn spublish_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(
        ctx.engine.publish_shard(&argv[1], &argv[2]) as i64
    ))
}

/// The container alone (`PUBSUB`) only reaches here with too few arguments, which dispatch
/// already refused; kept so the container is registered.
///
/// `PUBSUB <subcommand>`
pub fn pubsub_command(_ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Err(RedisError::wrong_arity("pubsub"))
}

/// The names of a pub/sub table matching `pattern` (all without one), in the table's order.
fn names_matching(names: &Dict<Subscribers>, pattern: Option<&[u8]>) -> Reply {
    Reply::Array(
        names
            .iter()
            .map(|(name, _)| name)
            .filter(|n| pattern.is_none_or(|p| glob_match(p, n, false)))
            .map(Reply::bulk)
            .collect(),
    )
}

/// Lists active channels.
///
/// `PUBSUB CHANNELS [pattern]`
pub fn pubsub_channels_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    // The table's arity lets any number through; Redis takes at most one pattern.
    if argv.len() > 3 {
        return Err(args::subcommand_syntax_error(argv));
    }
    Ok(names_matching(
        &ctx.engine.pubsub.channels,
        argv.get(2).map(Vec::as_slice),
    ))
}

/// Lists active shard channels.
///
/// `PUBSUB SHARDCHANNELS [pattern]`
pub fn pubsub_shardchannels_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    if argv.len() > 3 {
        return Err(args::subcommand_syntax_error(argv));
    }
    Ok(names_matching(
        &ctx.engine.pubsub.shard_channels,
        argv.get(2).map(Vec::as_slice),
    ))
}

/// Answers channel, subscriber-count pairs.
///
/// `PUBSUB NUMSUB [channel [channel ...]]`
pub fn pubsub_numsub_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let map = &ctx.engine.pubsub.channels;
    // A flat array even in RESP3, as Redis 7.0 answers it.
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .flat_map(|c| {
                [
                    Reply::bulk(c),
                    Reply::Integer(map.get(c).map_or(0, |s| s.len() as i64)),
                ]
            })
            .collect(),
    ))
}

/// Answers shard channel, subscriber-count pairs.
///
/// `PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]`
pub fn pubsub_shardnumsub_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let map = &ctx.engine.pubsub.shard_channels;
    // A flat array even in RESP3, as Redis 7.0 answers it.
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .flat_map(|c| {
                [
                    Reply::bulk(c),
                    Reply::Integer(map.get(c).map_or(0, |s| s.len() as i64)),
                ]
            })
            .collect(),
    ))
}

/// Answers the number of distinct subscribed patterns.
///
/// `PUBSUB NUMPAT`
pub fn pubsub_numpat_command(ctx: &mut Ctx<'_>, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Integer(ctx.engine.pubsub.patterns.len() as i64))
}

/// Describes the subcommands.
///
/// `PUBSUB HELP`
pub fn pubsub_help_command(_ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    Ok(args::help_reply(
        &argv[0],
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    ))
}
