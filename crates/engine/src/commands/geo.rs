//! The geo group, as Redis's `geo.c`: GEOADD, GEODIST, GEOPOS, GEOHASH, and the searches
//! (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their `_RO` forms).
//!
//! A geo key is a plain sorted set whose scores are 52-bit geohashes (`geohash.rs`): GEOADD
//! hands ZADD the encoded scores, and every sorted-set command works on geo keys (ZRANGE shows
//! the geohash scores, ZREM removes places). The geo commands read any sorted set, decoding
//! whatever scores it holds.
//!
//! Searches read the sorted set cell by cell in Redis's order (the centre's cell, then its
//! neighbours), so results without ASC/DESC come in the order Redis gives them; with a sort,
//! ties keep Redis's order too (`qsort.rs`).
//!
//! Replies print coordinates as Redis does on RESP2 connections (`%.17Lf` with trailing zeros
//! removed) and distances with four decimals. On RESP3 connections coordinates are double
//! replies carrying that same 17-decimal text ([`Reply::HumanDouble`]), as Redis writes them.

use crate::command::{Command, Ctx};
use crate::commands::{args, sorted_set};
use crate::engine::Lookup;
use crate::errors::{CmdResult, RedisError};
use crate::geohash::{self, Shape, ShapeKind};
use crate::keyspace::Value;
use crate::keyspace::zset::{Limits, ScoreRange, ZSet};
use crate::num::{parse_f64, parse_i64};
use crate::pubsub::notify;
use crate::qsort::{pqsort, qsort};
use crate::reply::Reply;

// The geo group's registrations.
crate::lazy::commands! { Geo, geo;
    Command::new(
        "geoadd",
        geoadd_command,
        "Adds places by longitude and latitude to a geo sorted set, or moves existing ones.",
    ),
    Command::new(
        "geodist",
        geodist_command,
        "Answers the distance between two places, in meters or the unit given.",
    ),
    Command::new(
        "geohash",
        geohash_command,
        "Answers each place's position as an 11-character standard geohash.",
    ),
    Command::new(
        "geopos",
        geopos_command,
        "Answers each place's longitude and latitude, as stored (cell centres).",
    ),
    Command::new(
        "georadius",
        georadius_command,
        "Finds the places within a radius of a position; can store them in a sorted set.",
    ),
    Command::new(
        "georadius_ro",
        georadius_ro_command,
        "Finds the places within a radius of a position, without STORE.",
    ),
    Command::new(
        "georadiusbymember",
        georadiusbymember_command,
        "Finds the places within a radius of a place; can store them in a sorted set.",
    ),
    Command::new(
        "georadiusbymember_ro",
        georadiusbymember_ro_command,
        "Finds the places within a radius of a place, without STORE.",
    ),
    Command::new(
        "geosearch",
        geosearch_command,
        "Finds the places within a radius or a box around a place or a position.",
    ),
    Command::new(
        "geosearchstore",
        geosearchstore_command,
        "Finds places as GEOSEARCH does and stores them (or their distances) in a sorted set.",
    ),
}

/// The sorted set at `key`, read without side effects (after the command's own lookup).
fn peek_zset<'a>(ctx: &'a mut Ctx<'_>, key: &[u8]) -> Option<&'a ZSet> {
    match &ctx.db().peek(key)?.value {
        Value::ZSet(z) => Some(z),
        _ => None,
    }
}

/// A coordinate reply: the 17-decimal text on RESP2, a double on RESP3.
fn coordinate_reply(v: f64, resp3: bool) -> Reply {
    if resp3 {
        Reply::HumanDouble(v)
    } else {
        Reply::Bulk(geohash::format_coordinate(v).into())
    }
}

/// A unit's size in meters (`extractUnitOrReply`).
fn unit(arg: &[u8]) -> Result<f64, RedisError> {
    if args::is(arg, "m") {
        Ok(1.0)
    } else if args::is(arg, "km") {
        Ok(1000.0)
    } else if args::is(arg, "ft") {
        Ok(0.3048)
    } else if args::is(arg, "mi") {
        Ok(1609.34)
    } else {
        Err(RedisError::new(
            "ERR unsupported unit provided. please use M, KM, FT, MI",
        ))
    }
}

/// A double argument, or the error `msg` (`getDoubleFromObjectOrReply` with a message).
fn double_or(arg: &[u8], msg: &'static str) -> Result<f64, RedisError> {
    parse_f64(arg).ok_or(RedisError::new(msg))
}

/// A longitude and a latitude (`extractLongLatOrReply`): each a valid float, then both within
/// Redis's limits, printed with `%f` when they are not.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), RedisError> {
    let lon = parse_f64(lon).ok_or(RedisError::not_float())?;
    let lat = parse_f64(lat).ok_or(RedisError::not_float())?;
    #[allow(clippy::manual_range_contains)] // as Redis compares
    if lon < geohash::LON_MIN
        || lon > geohash::LON_MAX
        || lat < geohash::LAT_MIN
        || lat > geohash::LAT_MAX
    {
        return Err(RedisError::owned(format!(
            "ERR invalid longitude,latitude pair {lon:.6},{lat:.6}"
        )));
    }
    Ok((lon, lat))
}

/// A radius and its unit (`extractDistanceOrReply`): (radius, meters per unit).
fn radius(value: &[u8], unit_arg: &[u8]) -> Result<(f64, f64), RedisError> {
    let r = double_or(value, "ERR need numeric radius")?;
    if r < 0.0 {
        return Err(RedisError::new("ERR radius cannot be negative"));
    }
    Ok((r, unit(unit_arg)?))
}

/// A box's width, height and unit (`extractBoxOrReply`): (width, height, meters per unit).
fn box_size(width: &[u8], height: &[u8], unit_arg: &[u8]) -> Result<(f64, f64, f64), RedisError> {
    let w = double_or(width, "ERR need numeric width")?;
    let h = double_or(height, "ERR need numeric height")?;
    if h < 0.0 || w < 0.0 {
        return Err(RedisError::new("ERR height or width cannot be negative"));
    }
    Ok((w, h, unit(unit_arg)?))
}

/// The position of a member, decoded from its score (`longLatFromMember`).
fn member_position(zset: &ZSet, member: &[u8]) -> Option<(f64, f64)> {
    zset.score(member).map(geohash::decode_score)
}

// ---------------------------------------------------------------------------------------------
// GEOADD, GEODIST, GEOPOS, GEOHASH

/// Adds places (longitude, latitude, name) to a sorted set, their positions encoded as
/// geohash scores, as ZADD would add them: NX only adds new places, XX only moves existing
/// ones, CH counts moved places too. Every position is checked before anything changes.
///
/// `GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]`
pub fn geoadd_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let (mut nx, mut xx) = (false, false);
    let mut first = 2;
    while let Some(arg) = argv.get(first) {
        if args::is(arg, "nx") {
            nx = true;
        } else if args::is(arg, "xx") {
            xx = true;
        } else if !args::is(arg, "ch") {
            break;
        }
        first += 1;
    }
    let places = argv.get(first..).unwrap_or_default();
    if places.len() % 3 != 0 || (xx && nx) {
        return Err(RedisError::syntax());
    }
    // Redis rewrites the command as ZADD with the options and (score, member) pairs, and runs
    // ZADD: the same checks, counts and `zadd` notification.
    let mut zadd = Vec::with_capacity(first + places.len() / 3 * 2);
    zadd.push(b"zadd".to_vec());
    zadd.extend(argv.get(1..first).unwrap_or_default().iter().cloned());
    for place in places.chunks_exact(3) {
        if let [lon, lat, member] = place {
            let (lon, lat) = lon_lat(lon, lat)?;
            zadd.push(geohash::score_of(lon, lat).to_string().into_bytes());
            zadd.push(member.clone());
        }
    }
    sorted_set::zadd_command(ctx, &zadd)
}

/// Answers the distance between two places with four decimals, in meters or in the unit given
/// (M, KM, FT, MI); nil when the key or either place is missing.
///
/// `GEODIST key member1 member2 [M|KM|FT|MI]`
pub fn geodist_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let to_meters = match argv.len() {
        5 => unit(&argv[4])?,
        n if n > 5 => return Err(RedisError::syntax()),
        _ => 1.0,
    };
    let Some(zset) = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)? else {
        return Ok(Reply::Nil);
    };
    let (Some(a), Some(b)) = (zset.score(&argv[2]), zset.score(&argv[3])) else {
        return Ok(Reply::Nil);
    };
    let (lon1, lat1) = geohash::decode_score(a);
    let (lon2, lat2) = geohash::decode_score(b);
    let d = geohash::distance(lon1, lat1, lon2, lat2) / to_meters;
    Ok(Reply::Bulk(geohash::format_distance(d).into()))
}

/// Answers each place's longitude and latitude (the centre of its geohash cell, so slightly
/// off the position added); nil for a missing place.
///
/// `GEOPOS key [member [member ...]]`
pub fn geopos_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let resp3 = ctx.resp3();
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    let zset = zset.as_deref();
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(
                |member| match zset.and_then(|z| member_position(z, member)) {
                    Some((lon, lat)) => Reply::Array(vec![
                        coordinate_reply(lon, resp3),
                        coordinate_reply(lat, resp3),
                    ]),
                    None => Reply::NilArray,
                },
            )
            .collect(),
    ))
}

/// Answers each place's position as an 11-character geohash string in the standard form
/// (latitudes over -90..90, unlike the scores); nil for a missing place.
///
/// `GEOHASH key [member [member ...]]`
pub fn geohash_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    let zset = ctx.lookup_typed::<ZSet>(&argv[1], Lookup::READ)?;
    let zset = zset.as_deref();
    Ok(Reply::Array(
        argv[2..]
            .iter()
            .map(|member| match zset.and_then(|z| z.score(member)) {
                Some(score) => Reply::bulk(&geohash::geohash_string(score)),
                None => Reply::Nil,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Searches

/// Which search command runs (Redis's `RADIUS_*`/`GEOSEARCH*` flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    /// `GEORADIUS` (`store`) or `GEORADIUS_RO`: centre given as longitude and latitude.
    Radius { store: bool },
    /// `GEORADIUSBYMEMBER` (`store`) or `GEORADIUSBYMEMBER_RO`: centre given as a member.
    ByMember { store: bool },
    /// `GEOSEARCH`.
    Geosearch,
    /// `GEOSEARCHSTORE`.
    Geosearchstore,
}

impl Search {
    /// Whether STORE and STOREDIST (with a key) are options.
    fn store_options(self) -> bool {
        matches!(
            self,
            Search::Radius { store: true } | Search::ByMember { store: true }
        )
    }

    /// Whether this is GEOSEARCH or GEOSEARCHSTORE.
    fn is_geosearch(self) -> bool {
        matches!(self, Search::Geosearch | Search::Geosearchstore)
    }
}

/// The order results are sorted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// A point found by a search.
#[derive(Debug, Clone)]
struct Point {
    lon: f64,
    lat: f64,
    /// Meters from the centre (in the command's unit once the results are final).
    dist: f64,
    score: f64,
    member: Vec<u8>,
}

/// Finds the places within a radius of a position, with their distances, hashes or
/// coordinates if asked, sorted by distance if asked, at most COUNT of them (ANY: the first
/// ones found); STORE keeps them in a sorted set with their geohash scores, STOREDIST with
/// their distances, and answers how many.
///
/// `GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]`
pub fn georadius_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    search_generic(ctx, argv, 1, Search::Radius { store: true })
}

/// GEORADIUS without the STORE options.
///
/// `GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]`
pub fn georadius_ro_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    search_generic(ctx, argv, 1, Search::Radius { store: false })
}

/// GEORADIUS around a member of the set.
///
/// `GEORADIUSBYMEMBER key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]`
pub fn georadiusbymember_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    search_generic(ctx, argv, 1, Search::ByMember { store: true })
}

/// GEORADIUSBYMEMBER without the STORE options.
///
/// `GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH] [COUNT count [ANY]] [ASC|DESC]`
pub fn georadiusbymember_ro_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    search_generic(ctx, argv, 1, Search::ByMember { store: false })
}

/// Finds the places within a radius (BYRADIUS) or an axis-aligned box (BYBOX) around a member
/// (FROMMEMBER) or a position (FROMLONLAT), with the options of GEORADIUS but no STORE.
///
/// `GEOSEARCH key FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`
pub fn geosearch_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    search_generic(ctx, argv, 1, Search::Geosearch)
}

/// GEOSEARCH whose results are stored in a sorted set (with their geohash scores, or their
/// distances with STOREDIST); answers how many were stored.
///
/// `GEOSEARCHSTORE destination source FROMMEMBER member|FROMLONLAT longitude latitude BYRADIUS radius M|KM|FT|MI|BYBOX width height M|KM|FT|MI [ASC|DESC] [COUNT count [ANY]] [STOREDIST]`
pub fn geosearchstore_command(ctx: &mut Ctx<'_>, argv: &[Vec<u8>]) -> CmdResult {
    search_generic(ctx, argv, 2, Search::Geosearchstore)
}

/// Everything a search was asked for.
// Independent switches, as Redis's option variables.
#[allow(clippy::struct_excessive_bools)]
struct Options {
    withdist: bool,
    withhash: bool,
    withcoord: bool,
    sort: Sort,
    count: i64,
    any: bool,
    store: Option<Vec<u8>>,
    storedist: bool,
}

/// `georadiusGeneric`: arguments are checked in Redis's order (the source key's type first, the
/// centre and size, then the options one by one, then their combinations), so that of two
/// mistakes the same one is reported.
#[allow(clippy::too_many_lines)] // one pass over the arguments, as Redis's
fn search_generic(ctx: &mut Ctx<'_>, argv: &[Vec<u8>], src: usize, kind: Search) -> CmdResult {
    let key = &argv[src];
    let exists = ctx.lookup_typed::<ZSet>(key, Lookup::READ)?.is_some();
    let mut centre: Option<(f64, f64)> = None;
    let mut size: Option<(ShapeKind, f64)> = None;
    let base = match kind {
        Search::Radius { .. } => {
            centre = Some(lon_lat(&argv[2], &argv[3])?);
            let (r, conversion) = radius(&argv[4], &argv[5])?;
            size = Some((ShapeKind::Radius(r), conversion));
            6
        }
        Search::ByMember { .. } => {
            if exists {
                let position = peek_zset(ctx, key).and_then(|z| member_position(z, &argv[2]));
                centre = Some(position.ok_or(RedisError::new(
                    "ERR could not decode requested zset member",
                ))?);
                let (r, conversion) = radius(&argv[3], &argv[4])?;
                size = Some((ShapeKind::Radius(r), conversion));
            }
            5
        }
        Search::Geosearch => 2,
        Search::Geosearchstore => 3,
    };
    let mut opts = Options {
        withdist: false,
        withhash: false,
        withcoord: false,
        sort: Sort::None,
        count: 0,
        any: false,
        store: (kind == Search::Geosearchstore).then(|| argv[1].clone()),
        storedist: false,
    };
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let rest = argv.get(base..).unwrap_or_default();
    let mut i = 0;
    while let Some(arg) = rest.get(i) {
        let left = rest.len() - i - 1;
        if args::is(arg, "withdist") {
            opts.withdist = true;
        } else if args::is(arg, "withhash") {
            opts.withhash = true;
        } else if args::is(arg, "withcoord") {
            opts.withcoord = true;
        } else if args::is(arg, "any") {
            opts.any = true;
        } else if args::is(arg, "asc") {
            opts.sort = Sort::Asc;
        } else if args::is(arg, "desc") {
            opts.sort = Sort::Desc;
        } else if args::is(arg, "count") && left >= 1 {
            let count = parse_i64(&rest[i + 1]).ok_or(RedisError::not_integer())?;
            if count <= 0 {
                return Err(RedisError::new("ERR COUNT must be > 0"));
            }
            opts.count = count;
            i += 1;
        } else if (args::is(arg, "store") || args::is(arg, "storedist"))
            && left >= 1
            && kind.store_options()
        {
            opts.store = Some(rest[i + 1].clone());
            opts.storedist = args::is(arg, "storedist");
            i += 1;
        } else if args::is(arg, "storedist") && kind == Search::Geosearchstore {
            opts.storedist = true;
        } else if args::is(arg, "frommember") && left >= 1 && kind.is_geosearch() && !fromloc {
            // Without a source key the member cannot be read; parsing goes on and the missing
            // key is answered at the end.
            if exists {
                let position = peek_zset(ctx, key).and_then(|z| member_position(z, &rest[i + 1]));
                centre = Some(position.ok_or(RedisError::new(
                    "ERR could not decode requested zset member",
                ))?);
            }
            frommember = true;
            i += 1;
        } else if args::is(arg, "fromlonlat") && left >= 2 && kind.is_geosearch() && !frommember {
            centre = Some(lon_lat(&rest[i + 1], &rest[i + 2])?);
            fromloc = true;
            i += 2;
        } else if args::is(arg, "byradius") && left >= 2 && kind.is_geosearch() && !bybox {
            let (r, conversion) = radius(&rest[i + 1], &rest[i + 2])?;
            size = Some((ShapeKind::Radius(r), conversion));
            byradius = true;
            i += 2;
        } else if args::is(arg, "bybox") && left >= 3 && kind.is_geosearch() && !byradius {
            let (width, height, conversion) = box_size(&rest[i + 1], &rest[i + 2], &rest[i + 3])?;
            size = Some((ShapeKind::Box { width, height }, conversion));
            bybox = true;
            i += 3;
        } else {
            return Err(RedisError::syntax());
        }
        i += 1;
    }
    if opts.store.is_some() && (opts.withdist || opts.withhash || opts.withcoord) {
        return Err(RedisError::new(if kind == Search::Geosearchstore {
            "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        } else {
            "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        }));
    }
    if kind.is_geosearch() && !(frommember || fromloc) {
        return Err(RedisError::owned(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {}",
            String::from_utf8_lossy(args::c_str(&argv[0]))
        )));
    }
    if kind.is_geosearch() && !(byradius || bybox) {
        return Err(RedisError::owned(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {}",
            String::from_utf8_lossy(args::c_str(&argv[0]))
        )));
    }
    if opts.any && opts.count == 0 {
        return Err(RedisError::new(
            "ERR the ANY argument requires COUNT argument",
        ));
    }
    let (Some((lon, lat)), Some((shape_kind, conversion)), true) = (centre, size, exists) else {
        // Without a source key there is nothing to find.
        return Ok(match &opts.store {
            Some(dst) => {
                if ctx.delete(dst) {
                    ctx.notify(notify::GENERIC, "del", dst);
                }
                Reply::Integer(0)
            }
            None => Reply::Array(Vec::new()),
        });
    };
    // COUNT alone keeps the nearest places: it implies ASC (ANY takes the first ones found).
    if opts.count != 0 && opts.sort == Sort::None && !opts.any {
        opts.sort = Sort::Asc;
    }
    let shape = Shape {
        lon,
        lat,
        kind: shape_kind,
        conversion,
    };
    let limit = if opts.any {
        usize::try_from(opts.count).unwrap_or(usize::MAX)
    } else {
        0
    };
    let mut points = match peek_zset(ctx, key) {
        Some(zset) => points_in_cells(zset, &shape, limit),
        None => Vec::new(),
    };
    if points.is_empty() && opts.store.is_none() {
        return Ok(Reply::Array(Vec::new()));
    }
    let found = points.len();
    let returned = match usize::try_from(opts.count) {
        Ok(count) if count > 0 && count < found => count,
        _ => found,
    };
    if opts.sort != Sort::None {
        let desc = opts.sort == Sort::Desc;
        // Redis's comparator: greater, equal, or anything else (NaN) less.
        #[allow(clippy::float_cmp)] // Redis compares distances exactly
        let mut by_distance = |a: &Point, b: &Point| {
            let asc = if a.dist > b.dist {
                std::cmp::Ordering::Greater
            } else if a.dist == b.dist {
                std::cmp::Ordering::Equal
            } else {
                std::cmp::Ordering::Less
            };
            if desc { asc.reverse() } else { asc }
        };
        if returned == found {
            qsort(&mut points, &mut by_distance);
        } else {
            let last = i64::try_from(returned).unwrap_or(i64::MAX) - 1;
            pqsort(&mut points, &mut by_distance, 0, last);
        }
    }
    points.truncate(returned);
    for p in &mut points {
        p.dist /= conversion;
    }
    match &opts.store {
        None => Ok(search_reply(points, &opts, ctx.resp3())),
        Some(dst) => Ok(store_points(ctx, dst, points, &opts, kind)),
    }
}

/// The points of `zset` inside the search area, reading the cells in Redis's order
/// (`membersOfAllNeighbors`): a cell equal to the last one read is skipped (large radii make
/// neighbours coincide), and with a `limit` (COUNT … ANY) reading stops once that many were
/// found.
fn points_in_cells(zset: &ZSet, shape: &Shape, limit: usize) -> Vec<Point> {
    let cells = geohash::search_cells(shape);
    let mut points = Vec::new();
    let mut last: Option<usize> = None;
    for (i, &cell) in cells.iter().enumerate() {
        if cell.is_none() {
            continue;
        }
        // Redis's "last processed" index starts at 0, which also names the centre cell: a
        // repeat of the centre is never skipped.
        if let Some(prev) = last.filter(|&p| p != 0).and_then(|p| cells.get(p))
            && *prev == cell
        {
            continue;
        }
        if limit > 0 && points.len() >= limit {
            break;
        }
        let (min, max) = geohash::cell_scores(cell);
        // Scores are below 2^53: exact as doubles.
        #[allow(clippy::cast_precision_loss)]
        let range = ScoreRange {
            min: min as f64,
            max: max as f64,
            min_ex: false,
            max_ex: true,
        };
        for (member, score) in zset.score_range(&range) {
            let (lon, lat) = geohash::decode_score(score);
            if let Some(dist) = geohash::within(shape, lon, lat) {
                points.push(Point {
                    lon,
                    lat,
                    dist,
                    score,
                    member: member.to_vec(),
                });
            }
            if limit > 0 && points.len() >= limit {
                break;
            }
        }
        last = Some(i);
    }
    points
}

/// The reply of a search without STORE: members, or arrays of the member and what was asked
/// (distance, hash, coordinates, in that order).
fn search_reply(points: Vec<Point>, opts: &Options, resp3: bool) -> Reply {
    let extras = opts.withdist || opts.withhash || opts.withcoord;
    Reply::Array(
        points
            .into_iter()
            .map(|p| {
                if !extras {
                    return Reply::from(p.member);
                }
                let mut item = vec![Reply::from(p.member)];
                if opts.withdist {
                    item.push(Reply::Bulk(geohash::format_distance(p.dist).into()));
                }
                if opts.withhash {
                    // Redis converts the score with C's cast; in-cell scores are 52-bit integers.
                    #[allow(clippy::cast_possible_truncation)]
                    item.push(Reply::Integer(p.score as i64));
                }
                if opts.withcoord {
                    item.push(Reply::Array(vec![
                        coordinate_reply(p.lon, resp3),
                        coordinate_reply(p.lat, resp3),
                    ]));
                }
                Reply::Array(item)
            })
            .collect(),
    )
}

/// Stores the results at `dst` (scores: geohashes, or distances with STOREDIST), as Redis
/// does: a sorted set encoded for its size, replacing what was there and announced as
/// `geosearchstore`/`georadiusstore`; no result deletes `dst` instead. Answers the count.
fn store_points(
    ctx: &mut Ctx<'_>,
    dst: &[u8],
    points: Vec<Point>,
    opts: &Options,
    kind: Search,
) -> Reply {
    let count = i64::try_from(points.len()).unwrap_or(i64::MAX);
    if points.is_empty() {
        if ctx.delete(dst) {
            ctx.notify(notify::GENERIC, "del", dst);
        }
        return Reply::Integer(0);
    }
    let mut seen = std::collections::HashSet::new();
    let items: Vec<(Vec<u8>, f64)> = points
        .into_iter()
        // Cells never overlap, so members are distinct; a repeat would be kept once.
        .filter(|p| seen.insert(p.member.clone()))
        .map(|p| {
            let score = if opts.storedist { p.dist } else { p.score };
            // A NaN distance (never seen in practice) cannot be a score.
            (p.member, if score.is_nan() { 0.0 } else { score })
        })
        .collect();
    let zset = ZSet::from_items(items, Limits::of(&ctx.engine.config));
    ctx.set_key(dst, Value::ZSet(zset), false);
    let event = if kind.is_geosearch() {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    ctx.notify(notify::ZSET, event, dst);
    Reply::Integer(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|w| w.as_bytes().to_vec()).collect()
    }

    fn run(engine: &mut Engine, client: u64, line: &str) -> Reply {
        engine.exec(client, &argv(line))
    }

    #[test]
    fn keyspace_notifications_match_redis() {
        let mut e = Engine::new();
        let c = e.connect();
        let sub = e.connect();
        e.config.notify_keyspace_events =
            notify::KEYEVENT | notify::GENERIC | notify::STRING | notify::ZSET | notify::NEW;
        e.pubsub.add_pattern(b"__keyevent@0__:*", sub);
        let script = [
            "GEOADD g 1 1 a 2 2 b",
            "GEOADD g 1 1 a",
            "GEOADD g CH 1.5 1 a",
            "GEOADD g XX 3 3 c",
            "GEOADD g2 XX 3 3 c",
            "GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 500 km",
            "GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 500 km STOREDIST",
            "GEOSEARCHSTORE d g FROMLONLAT 50 50 BYRADIUS 1 km",
            "GEOSEARCHSTORE d g FROMLONLAT 50 50 BYRADIUS 1 km",
            "GEORADIUS g 1 1 500 km STORE e",
            "GEORADIUSBYMEMBER g a 500 km STOREDIST e",
            "GEORADIUS g 50 50 1 km STORE e",
            "GEORADIUS nokey 50 50 1 km STORE d",
            "SET d x",
            "GEOSEARCHSTORE d nokey FROMLONLAT 1 1 BYRADIUS 1 km",
            "GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 500 km",
            "GEOPOS nokey a",
        ];
        for line in script {
            run(&mut e, c, line);
        }
        let events = crate::pubsub::keyevents_received(&mut e, sub);
        // Read from redis-server 7.0.15 with `notify-keyspace-events EAn`.
        let want = [
            "new g",
            "zadd g",
            "zadd g",
            "new d",
            "geosearchstore d",
            "geosearchstore d",
            "del d",
            "new e",
            "georadiusstore e",
            "georadiusstore e",
            "del e",
            "new d",
            "set d",
            "del d",
        ];
        assert_eq!(events, want);
    }

    #[test]
    fn hits_and_misses_match_info_stats() {
        let mut e = Engine::new();
        let c = e.connect();
        // Each command's keyspace_hits and keyspace_misses, read from redis-server 7.0.15 after
        // CONFIG RESETSTAT (7 hits and 4 misses in all), running the commands in this order.
        let cases = [
            ("GEOADD g 1 1 a 2 2 b", 0, 0),
            ("GEOPOS g a", 1, 0),
            ("GEOPOS nokey a", 0, 1),
            ("GEOHASH g a", 1, 0),
            ("GEODIST g a b", 1, 0),
            ("GEODIST nokey a b", 0, 1),
            ("GEOSEARCH g FROMLONLAT 1 1 BYRADIUS 500 km", 1, 0),
            ("GEOSEARCH nokey FROMLONLAT 1 1 BYRADIUS 500 km", 0, 1),
            ("GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 500 km", 1, 0),
            ("GEORADIUS g 1 1 500 km STORE e", 1, 0),
            ("GEORADIUSBYMEMBER_RO g a 500 km", 1, 0),
            ("GEORADIUS_RO nokey 1 1 500 km", 0, 1),
        ];
        for (line, hits, misses) in cases {
            let before = (e.stats().keyspace_hits, e.stats().keyspace_misses);
            run(&mut e, c, line);
            let after = (e.stats().keyspace_hits, e.stats().keyspace_misses);
            assert_eq!(
                (after.0 - before.0, after.1 - before.1),
                (hits, misses),
                "{line}"
            );
        }
    }

    #[test]
    fn resp3_coordinates_are_doubles() {
        let mut e = Engine::new();
        let c = e.connect();
        run(&mut e, c, "HELLO 3");
        run(&mut e, c, "GEOADD g 13.361389 38.115556 Palermo");
        let reply = run(&mut e, c, "GEOPOS g Palermo nope");
        let Reply::Array(items) = reply else {
            panic!("not an array: {reply:?}");
        };
        assert!(matches!(
            items.as_slice(),
            [Reply::Array(pair), Reply::NilArray]
                if matches!(pair.as_slice(), [Reply::HumanDouble(_), Reply::HumanDouble(_)])
        ));
    }
}
