//! Redis's geohash: how geo commands turn coordinates into sorted-set scores and back, which
//! cells of the grid a search visits, distances on the sphere, and the texts geo replies print.
//!
//! A position is stored as a 52-bit integer score: longitude and latitude are each cut into
//! 2^26 steps over Redis's ranges (longitude -180..180, latitude -85.05112878..85.05112878, the
//! limits of the Web Mercator projection, so the poles cannot be stored) and their bits are
//! interleaved, latitude in the even bits and longitude in the odd ones. Decoding answers the
//! centre of the cell, which is why `GEOPOS` prints coordinates slightly off the ones added.
//!
//! A search (radius or box) picks a precision ("step") from the radius, takes the cell holding
//! the centre and its eight neighbours at that precision, drops neighbours the search area
//! cannot reach, and reads each remaining cell as one score range of the sorted set. Every
//! candidate is then checked with the exact distance (haversine on a sphere of radius
//! [`EARTH_RADIUS_M`]).
//!
//! Everything here follows Redis 7.0's `geohash.c`, `geohash_helper.c` and `geo.c` operation for
//! operation (the same double arithmetic in the same order), so that scores, coordinates,
//! distances and which points fall inside a search are bit-for-bit Redis's.

/// Redis's latitude limits (`GEO_LAT_MIN`/`GEO_LAT_MAX`).
pub const LAT_MIN: f64 = -85.051_128_78;
/// See [`LAT_MIN`].
pub const LAT_MAX: f64 = 85.051_128_78;
/// Redis's longitude limits.
pub const LON_MIN: f64 = -180.0;
/// See [`LON_MIN`].
pub const LON_MAX: f64 = 180.0;
/// Bits per coordinate in a stored score (26 × 2 = 52 bits, exact in a double).
pub const STEP_MAX: u8 = 26;
/// The earth's radius Redis computes distances with, in meters.
pub const EARTH_RADIUS_M: f64 = 6_372_797.560_856;
/// Half the circumference of the Mercator projection, in meters: a search radius is doubled up
/// to it to pick the grid precision.
const MERCATOR_MAX: f64 = 20_037_726.37;
/// Degrees to radians, computed as Redis's `D_R` macro (`M_PI / 180.0`).
const D_R: f64 = std::f64::consts::PI / 180.0;

/// A cell of the grid: `step` bits per coordinate, interleaved in `bits`. The all-zero value
/// (`bits` 0 and `step` 0) means "no cell" (a neighbour excluded from a search).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hash {
    /// Interleaved bits: latitude in the even positions, longitude in the odd ones.
    pub bits: u64,
    /// Bits per coordinate.
    pub step: u8,
}

impl Hash {
    /// "No cell".
    pub const NONE: Hash = Hash { bits: 0, step: 0 };

    /// Whether this is [`Hash::NONE`] (Redis's `HASHISZERO`).
    pub fn is_none(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The 52-bit score of the cell's south-west corner (`geohashAlign52Bits`).
    pub fn align52(self) -> u64 {
        let shift = 52u32.saturating_sub(u32::from(self.step) * 2);
        self.bits.checked_shl(shift).unwrap_or(0)
    }

    /// The cell moved by `dx` columns east and `dy` rows north, wrapping around the grid, as
    /// `geohash_move_x`/`geohash_move_y` do.
    fn moved(self, dx: i8, dy: i8) -> Hash {
        let (lat, lon) = split(self.bits);
        let mask = if self.step >= 32 {
            u32::MAX
        } else {
            (1u32 << self.step) - 1
        };
        let shift = |v: u32, d: i8| match d {
            0 => v,
            d if d > 0 => v.wrapping_add(1) & mask,
            _ => v.wrapping_sub(1) & mask,
        };
        let lat = if dy == 0 { lat } else { shift(lat & mask, dy) };
        let lon = if dx == 0 { lon } else { shift(lon & mask, dx) };
        Hash {
            bits: interleave(lat, lon),
            step: self.step,
        }
    }
}

/// A closed interval of one coordinate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    /// Lower end.
    pub min: f64,
    /// Upper end.
    pub max: f64,
}

impl Range {
    /// Redis's `RANGEISZERO`.
    fn is_zero(self) -> bool {
        self.min == 0.0 && self.max == 0.0
    }
}

/// The longitudes geo scores cover.
pub const LON_RANGE: Range = Range {
    min: LON_MIN,
    max: LON_MAX,
};
/// The latitudes geo scores cover.
pub const LAT_RANGE: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// The rectangle a cell covers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// West and east edges.
    pub lon: Range,
    /// South and north edges.
    pub lat: Range,
}

/// Spreads the 32 bits of `lat` over the even positions and those of `lon` over the odd ones.
fn interleave(lat: u32, lon: u32) -> u64 {
    let spread = |v: u32| {
        let mut out = 0u64;
        for i in 0..32 {
            out |= u64::from((v >> i) & 1) << (2 * i);
        }
        out
    };
    spread(lat) | (spread(lon) << 1)
}

/// The inverse of [`interleave`]: (even bits, odd bits).
fn split(bits: u64) -> (u32, u32) {
    let gather = |v: u64| {
        let mut out = 0u32;
        for i in 0..32 {
            out |= u32::from(((v >> (2 * i)) & 1) == 1) << i;
        }
        out
    };
    (gather(bits), gather(bits >> 1))
}

/// C's conversion of a non-negative double below 2^32 to `uint32_t` (truncation). Callers only
/// pass offsets within `0..=2^step`, step at most 32; a larger value keeps its low 32 bits, as
/// the 64-bit conversion the compiler emits does.
fn to_u32(v: f64) -> u32 {
    // Truncation toward zero is the point; the range is checked by the callers.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let wide = v as u64;
    // Keeping the low 32 bits is the intended wrap.
    #[allow(clippy::cast_possible_truncation)]
    let low = wide as u32;
    low
}

/// `2^step` as a double.
fn pow2(step: u8) -> f64 {
    // step <= 32 for every caller: exact.
    #[allow(clippy::cast_precision_loss)]
    let p = (1u64 << step.min(63)) as f64;
    p
}

/// Encodes a position in the grid of `step` bits per coordinate over the given ranges
/// (`geohashEncode`); `None` outside Redis's limits or the ranges, or for a step of 0 or
/// above 32.
pub fn encode(lon_range: Range, lat_range: Range, lon: f64, lat: f64, step: u8) -> Option<Hash> {
    if step > 32 || step == 0 || lat_range.is_zero() || lon_range.is_zero() {
        return None;
    }
    // Written as Redis compares (NaN, refused earlier, would pass).
    #[allow(clippy::manual_range_contains)]
    if lon > LON_MAX || lon < LON_MIN || lat > LAT_MAX || lat < LAT_MIN {
        return None;
    }
    if lat < lat_range.min || lat > lat_range.max || lon < lon_range.min || lon > lon_range.max {
        return None;
    }
    let lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min) * pow2(step);
    let lon_offset = (lon - lon_range.min) / (lon_range.max - lon_range.min) * pow2(step);
    Some(Hash {
        bits: interleave(to_u32(lat_offset), to_u32(lon_offset)),
        step,
    })
}

/// The cell of a position at full precision in Redis's ranges.
pub fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<Hash> {
    encode(LON_RANGE, LAT_RANGE, lon, lat, step)
}

/// The rectangle of a cell (`geohashDecode`); `None` for [`Hash::NONE`].
pub fn decode(lon_range: Range, lat_range: Range, hash: Hash) -> Option<Area> {
    if hash.is_none() || lat_range.is_zero() || lon_range.is_zero() {
        return None;
    }
    let (ilat, ilon) = split(hash.bits);
    let cells = pow2(hash.step);
    let lat_scale = lat_range.max - lat_range.min;
    let lon_scale = lon_range.max - lon_range.min;
    // `index + 1` is computed in 32 bits in C: the last index wraps to 0.
    let edge = |min: f64, index: u32, scale: f64| min + (f64::from(index) * 1.0 / cells) * scale;
    Some(Area {
        lat: Range {
            min: edge(lat_range.min, ilat, lat_scale),
            max: edge(lat_range.min, ilat.wrapping_add(1), lat_scale),
        },
        lon: Range {
            min: edge(lon_range.min, ilon, lon_scale),
            max: edge(lon_range.min, ilon.wrapping_add(1), lon_scale),
        },
    })
}

/// The centre of an area, held within Redis's limits (`geohashDecodeAreaToLongLat`).
// Written as Redis computes it: `f64::midpoint` may round differently near the extremes.
#[allow(clippy::manual_midpoint)]
pub fn area_center(area: &Area) -> (f64, f64) {
    let lon = ((area.lon.min + area.lon.max) / 2.0).clamp(LON_MIN, LON_MAX);
    let lat = ((area.lat.min + area.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (lon, lat)
}

/// C's `(uint64_t)` of a double as GCC compiles it for x86-64: below 2^63 (or NaN) a signed
/// truncation, whose out-of-range result is `0x8000000000000000`; from 2^63 on, the truncation
/// of the value less 2^63 with the top bit flipped (so 2^64 and above give 0).
fn score_to_u64(score: f64) -> u64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    let signed = |v: f64| -> u64 {
        // Out of range (and NaN) the CPU answers its "integer indefinite" value, where Rust's
        // cast would saturate.
        if (-TWO_63..TWO_63).contains(&v) {
            // In range: the truncation is exact; the sign is reinterpreted, as C does.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let bits = v as i64 as u64;
            bits
        } else {
            1 << 63
        }
    };
    if score >= TWO_63 {
        signed(score - TWO_63) ^ (1 << 63)
    } else {
        signed(score)
    }
}

/// The position a stored score stands for: the centre of its full-precision cell
/// (`decodeGeohash`). Any double decodes; scores that are not geohashes (a plain sorted set's)
/// give positions clamped to the limits.
pub fn decode_score(score: f64) -> (f64, f64) {
    let hash = Hash {
        bits: score_to_u64(score),
        step: STEP_MAX,
    };
    // A hash of step 26 is never NONE and the ranges are not zero: decoding cannot fail.
    decode(LON_RANGE, LAT_RANGE, hash).map_or((0.0, 0.0), |area| area_center(&area))
}

/// The score GEOADD stores for a position already checked against the limits.
pub fn score_of(lon: f64, lat: f64) -> u64 {
    encode_wgs84(lon, lat, STEP_MAX).map_or(0, Hash::align52)
}

/// The 11-character standard geohash `GEOHASH` answers for a stored score: the decoded position
/// encoded again over latitudes -90..90, its 52 bits as ten base-32 characters, and a final
/// `0` (the standard's eleventh character would need 55 bits).
pub fn geohash_string(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score);
    let standard_lat = Range {
        min: -90.0,
        max: 90.0,
    };
    // The decoded position is within the limits, so this encodes.
    let bits = encode(LON_RANGE, standard_lat, lon, lat, STEP_MAX).map_or(0, |h| h.bits);
    let mut out = [b'0'; 11];
    for (i, slot) in out.iter_mut().take(10).enumerate() {
        let shift = 52 - (i + 1) * 5;
        let index = usize::try_from((bits >> shift) & 0x1f).unwrap_or(0);
        *slot = ALPHABET.get(index).copied().unwrap_or(b'0');
    }
    out
}

/// What a search covers, as Redis's `GeoShape`: a centre, a radius or a box, and the unit's
/// size in meters (sizes are in that unit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    /// Centre longitude.
    pub lon: f64,
    /// Centre latitude.
    pub lat: f64,
    /// Radius or box.
    pub kind: ShapeKind,
    /// Meters per unit.
    pub conversion: f64,
}

/// A search area's form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShapeKind {
    /// A circle of this radius.
    Radius(f64),
    /// A box this wide (east-west) and high (north-south), centred on the centre.
    Box {
        /// East-west size.
        width: f64,
        /// North-south size.
        height: f64,
    },
}

fn deg_rad(angle: f64) -> f64 {
    angle * D_R
}

fn rad_deg(angle: f64) -> f64 {
    angle / D_R
}

/// The precision whose cells are about as large as a search radius (`geohashEstimateStepsByRadius`):
/// one step less towards the poles, within 1..=26.
pub fn estimate_step(range_meters: f64, lat: f64) -> u8 {
    if range_meters == 0.0 {
        return STEP_MAX;
    }
    let mut range = range_meters;
    let mut step: i32 = 1;
    // Doubling reaches the bound within about 1100 rounds even from the smallest double.
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    // Written as Redis compares, so that a NaN latitude changes nothing.
    #[allow(clippy::manual_range_contains)]
    if lat > 66.0 || lat < -66.0 {
        step -= 1;
        #[allow(clippy::manual_range_contains)]
        if lat > 80.0 || lat < -80.0 {
            step -= 1;
        }
    }
    u8::try_from(step.clamp(1, i32::from(STEP_MAX))).unwrap_or(1)
}

/// The longitude and latitude bounds of a search area (`geohashBoundingBox`):
/// `[min_lon, min_lat, max_lon, max_lat]`. The east-west extent is taken at the edge nearer
/// the pole, where degrees of longitude are shortest.
pub fn bounding_box(shape: &Shape) -> [f64; 4] {
    let (half_height, half_width) = match shape.kind {
        ShapeKind::Radius(r) => (r, r),
        ShapeKind::Box { width, height } => (height / 2.0, width / 2.0),
    };
    let height = shape.conversion * half_height;
    let width = shape.conversion * half_width;
    let lat_delta = rad_deg(height / EARTH_RADIUS_M);
    let lon_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(shape.lat + lat_delta).cos());
    let lon_delta_bottom = rad_deg(width / EARTH_RADIUS_M / deg_rad(shape.lat - lat_delta).cos());
    let lon_delta = if shape.lat < 0.0 {
        lon_delta_bottom
    } else {
        lon_delta_top
    };
    [
        shape.lon - lon_delta,
        shape.lat - lat_delta,
        shape.lon + lon_delta,
        shape.lat + lat_delta,
    ]
}

/// The cells a search reads, in the order Redis reads them: the centre's cell, then its
/// neighbours north, south, east, west, north-east, north-west, south-east and south-west
/// ([`Hash::NONE`] for those the search area cannot reach).
pub fn search_cells(shape: &Shape) -> [Hash; 9] {
    let [min_lon, min_lat, max_lon, max_lat] = bounding_box(shape);
    let radius = match shape.kind {
        ShapeKind::Radius(r) => r,
        ShapeKind::Box { width, height } => {
            ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
        }
    } * shape.conversion;
    let mut step = estimate_step(radius, shape.lat);
    let cells_at = |step: u8| {
        let hash = encode_wgs84(shape.lon, shape.lat, step).unwrap_or(Hash { bits: 0, step });
        [
            hash,
            hash.moved(0, 1),
            hash.moved(0, -1),
            hash.moved(1, 0),
            hash.moved(-1, 0),
            hash.moved(1, 1),
            hash.moved(-1, 1),
            hash.moved(1, -1),
            hash.moved(-1, -1),
        ]
    };
    let area = |hash: Hash| decode(LON_RANGE, LAT_RANGE, hash);
    let mut cells = cells_at(step);
    // When the area reaches past a neighbour (the centre lies near an edge of its cell), use
    // cells twice as large.
    let [_, north, south, east, west, ..] = cells.map(area);
    let too_small = north.is_some_and(|a| a.lat.max < max_lat)
        || south.is_some_and(|a| a.lat.min > min_lat)
        || east.is_some_and(|a| a.lon.max < max_lon)
        || west.is_some_and(|a| a.lon.min > min_lon);
    if step > 1 && too_small {
        step -= 1;
        cells = cells_at(step);
    }
    if step >= 2
        && let Some(centre) = area(cells[0])
    {
        let [_, n, s, e, w, ne, nw, se, sw] = &mut cells;
        if centre.lat.min < min_lat {
            for c in [&mut *s, &mut *sw, &mut *se] {
                *c = Hash::NONE;
            }
        }
        if centre.lat.max > max_lat {
            for c in [&mut *n, &mut *ne, &mut *nw] {
                *c = Hash::NONE;
            }
        }
        if centre.lon.min < min_lon {
            for c in [&mut *w, &mut *sw, &mut *nw] {
                *c = Hash::NONE;
            }
        }
        if centre.lon.max > max_lon {
            for c in [&mut *e, &mut *se, &mut *ne] {
                *c = Hash::NONE;
            }
        }
    }
    cells
}

/// The scores of the points in a cell: from its corner's score (included) to the next cell's
/// (excluded).
pub fn cell_scores(hash: Hash) -> (u64, u64) {
    let next = Hash {
        bits: hash.bits.wrapping_add(1),
        step: hash.step,
    };
    (hash.align52(), next.align52())
}

/// The north-south distance between two latitudes, in meters.
fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// The great-circle distance between two positions, in meters (haversine; along a meridian
/// when the longitudes are the same).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// The distance in meters from a search's centre to a point, when the point is inside the
/// search area (`geoWithinShape`).
pub fn within(shape: &Shape, lon: f64, lat: f64) -> Option<f64> {
    match shape.kind {
        ShapeKind::Radius(r) => {
            let d = distance(shape.lon, shape.lat, lon, lat);
            // NaN is inside, as `d > radius` is false for it in Redis too.
            #[allow(clippy::neg_cmp_op_on_partial_ord)]
            let outside = d > r * shape.conversion;
            (!outside).then_some(d)
        }
        ShapeKind::Box { width, height } => {
            if lat_distance(lat, shape.lat) > height * shape.conversion / 2.0 {
                return None;
            }
            if distance(lon, lat, shape.lon, lat) > width * shape.conversion / 2.0 {
                return None;
            }
            Some(distance(shape.lon, shape.lat, lon, lat))
        }
    }
}

/// A distance as geo replies print it (`fixedpoint_d2string` with 4 decimals): the value times
/// 10^4 rounded to an integer (half to even, as `llrint`; a result outside 64 bits or NaN gives
/// the smallest integer, as the CPU does), written with four decimals.
pub fn format_distance(d: f64) -> String {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if d == 0.0 {
        return "0.0000".to_string();
    }
    let scaled = (d * 10_000.0).round_ties_even();
    let n = if (-LIMIT..LIMIT).contains(&scaled) {
        // Integral and in range: exact.
        #[allow(clippy::cast_possible_truncation)]
        let n = scaled as i64;
        n
    } else {
        i64::MIN
    };
    let magnitude = n.unsigned_abs();
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}.{:04}", magnitude / 10_000, magnitude % 10_000)
}

/// A coordinate as geo replies print it (`addReplyHumanLongDouble`): `%.17Lf` of the value,
/// exact with ties to even, trailing zeros and a trailing point removed, `-0` as `0`.
pub fn format_coordinate(v: f64) -> String {
    if !v.is_finite() {
        return crate::num::format_double(v);
    }
    let text = format!("{v:.17}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // positions are compared exactly on purpose
mod tests {
    use super::*;

    #[test]
    fn interleaving_round_trips() {
        for (lat, lon) in [
            (0, 0),
            (1, 0),
            (0, 1),
            (u32::MAX, 0),
            (0x1234_5678, 0x9abc_def0),
        ] {
            assert_eq!(split(interleave(lat, lon)), (lat, lon));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    /// Positions added with GEOADD, the scores redis-server 7.0.15 stored for them, what its
    /// GEOPOS and GEOHASH answered.
    const RECORDED: &[(f64, f64, u64, &str, &str, &str)] = &[
        (
            13.361_389,
            38.115_556,
            3_479_099_956_230_698,
            "13.36138933897018433",
            "38.11555639549629859",
            "sqc8b49rny0",
        ),
        (
            15.087_269,
            37.502_669,
            3_479_447_370_796_909,
            "15.08726745843887329",
            "37.50266842333162032",
            "sqdtr74hyu0",
        ),
        (
            180.0,
            85.051_128_78,
            13_510_798_882_111_488,
            "180",
            "85.0511287799999991",
            "bp05b5048p0",
        ),
        (
            -180.0,
            -85.051_128_78,
            0,
            "-179.99999731779098511",
            "-85.05112751263942528",
            "00bh0hbj200",
        ),
        (
            -0.0,
            -0.0,
            3_377_699_720_527_872,
            "0.00000268220901489",
            "0.00000126736058093",
            "s0000000000",
        ),
        (
            1e-7,
            -1e-7,
            2_627_099_782_632_789,
            "0.00000268220901489",
            "-0.00000126736058093",
            "kpbpbpbpbp0",
        ),
        (
            -179.9,
            0.0,
            1_125_900_452_143_618,
            "-179.89999920129776001",
            "0.00000126736058093",
            "8000420b400",
        ),
    ];

    #[test]
    fn scores_and_positions_match_redis() {
        for &(lon, lat, score, lon_text, lat_text, hash) in RECORDED {
            assert_eq!(score_of(lon, lat), score, "score of {lon},{lat}");
            #[allow(clippy::cast_precision_loss)] // 52-bit scores are exact
            let (dlon, dlat) = decode_score(score as f64);
            assert_eq!(format_coordinate(dlon), lon_text);
            assert_eq!(format_coordinate(dlat), lat_text);
            #[allow(clippy::cast_precision_loss)]
            let text = geohash_string(score as f64);
            assert_eq!(std::str::from_utf8(&text), Ok(hash));
        }
    }

    #[test]
    fn any_double_decodes_as_redis_casts_it() {
        // Scores of a plain sorted set, and what GEOPOS answered for them.
        let cases: &[(f64, &str, &str)] = &[
            (1.0, "-179.99999731779098511", "-85.05112497791824921"),
            (1.5, "-179.99999731779098511", "-85.05112497791824921"),
            (3.0, "-179.99999195337295532", "-85.05112497791824921"),
            (1e18, "180", "85.0511287799999991"),
            (9_223_372_036_854_775_807.0, "180", "-85.05112751263942528"),
            (
                18_446_744_073_709_551_616.0,
                "-179.99999731779098511",
                "-85.05112751263942528",
            ),
            (-1.0, "180", "85.0511287799999991"),
            (
                f64::INFINITY,
                "-179.99999731779098511",
                "-85.05112751263942528",
            ),
            (f64::NEG_INFINITY, "180", "-85.05112751263942528"),
        ];
        for &(score, lon, lat) in cases {
            let (dlon, dlat) = decode_score(score);
            assert_eq!(
                (
                    format_coordinate(dlon).as_str(),
                    format_coordinate(dlat).as_str()
                ),
                (lon, lat),
                "score {score}"
            );
        }
    }

    #[test]
    fn distances_print_as_redis_prints_them() {
        let (plon, plat) = decode_score(3_479_099_956_230_698.0);
        let (clon, clat) = decode_score(3_479_447_370_796_909.0);
        let d = distance(plon, plat, clon, clat);
        assert_eq!(format_distance(d), "166274.1516");
        assert_eq!(format_distance(d / 1000.0), "166.2742");
        assert_eq!(format_distance(d / 1609.34), "103.3182");
        assert_eq!(format_distance(d / 0.3048), "545518.8700");
        assert_eq!(format_distance(0.0), "0.0000");
        assert_eq!(format_distance(-0.0), "0.0000");
        assert_eq!(format_distance(0.00004), "0.0000");
        assert_eq!(format_distance(1.234_56), "1.2346");
        assert_eq!(format_distance(12.5), "12.5000");
        assert_eq!(format_distance(f64::NAN), "-922337203685477.5808");
    }

    #[test]
    fn steps_follow_the_radius_and_the_latitude() {
        assert_eq!(estimate_step(0.0, 0.0), 26);
        // 1 m doubles 25 times to pass 20037726.37 m: step 1 + 25 - 2.
        assert_eq!(estimate_step(1.0, 0.0), 24);
        assert_eq!(estimate_step(1000.0, 0.0), 14);
        assert_eq!(estimate_step(1000.0, 70.0), 13);
        assert_eq!(estimate_step(1000.0, -81.0), 12);
        assert_eq!(estimate_step(5e6, 0.0), 2);
        assert_eq!(estimate_step(2e7, 0.0), 1);
        assert_eq!(estimate_step(f64::INFINITY, 0.0), 1);
        assert_eq!(estimate_step(f64::from_bits(1), 0.0), 26);
    }

    #[test]
    fn neighbours_wrap_around_the_grid() {
        let corner = Hash { bits: 0, step: 2 };
        // West of column 0 is column 3; south of row 0 is row 3.
        assert_eq!(split(corner.moved(-1, 0).bits), (0, 3));
        assert_eq!(split(corner.moved(0, -1).bits), (3, 0));
        assert_eq!(split(corner.moved(1, 1).bits), (1, 1));
        let cell = Hash {
            bits: interleave(3, 3),
            step: 2,
        };
        assert_eq!(split(cell.moved(1, 1).bits), (0, 0));
        assert_eq!(cell_scores(cell), (interleave(3, 3) << 48, 1 << 52));
    }
}
