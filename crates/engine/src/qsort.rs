//! The two sorts Redis's `SORT` and geo searches rely on, reproduced so that elements that
//! compare equal come out in Redis's order:
//!
//! - [`qsort`]: glibc's `qsort`, which (for the arrays Redis hands it) is a top-down merge sort:
//!   stable, and defined for any comparator, consistent or not.
//! - [`pqsort`]: Redis's `pqsort`, a Bentley–McIlroy quicksort that only sorts the partitions
//!   overlapping a range of positions (`SORT … BY … LIMIT`, geo `COUNT`). It is not stable: the
//!   order it leaves equal elements in depends on its pivots and swaps, which are followed
//!   exactly here.
//!
//! Comparators answer an [`Ordering`]; neither sort panics whatever they answer.
//!
//! [`sort`], [`sort_by`] and [`sort_by_key`] are the engine's (and the page's) other sorts:
//! stable, as the standard library's `sort_by`, through the same merge sort of positions, which
//! is compiled once. Each call of the standard library's sorts instantiates a few kilobytes of
//! sorting code per element type and comparator, which the page's wasm would carry a dozen
//! times over.

use std::cmp::Ordering;

/// Sorts `items` as glibc's `qsort` does: split in halves (the first one the smaller), sort
/// each, merge taking from the left half while its element is not greater. Like glibc with
/// elements this large, it sorts positions and then moves each element once.
pub fn qsort<T>(items: &mut Vec<T>, cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    if items.len() <= 1 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    let mut scratch = order.clone();
    {
        let elements: &[T] = items;
        let mut by_position = |a: &usize, b: &usize| match (elements.get(*a), elements.get(*b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        };
        merge_sort(&mut order, &mut scratch, &mut by_position);
    }
    apply_order(items, order);
}

/// Sorts `items` stably by `cmp`: the result of `slice::sort_by`.
pub fn sort_by<T>(items: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    qsort(items, &mut cmp);
}

/// Sorts `items` stably by a key: the result of `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    qsort(items, &mut |a: &T, b: &T| key(a).cmp(&key(b)));
}

/// Sorts `items` in ascending order, stably: the result of `slice::sort` (and of
/// `sort_unstable` for elements that are equal only when identical).
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    qsort(items, &mut T::cmp);
}

/// Puts `items` in the order of `order`, a permutation of their positions.
fn apply_order<T>(items: &mut Vec<T>, order: Vec<usize>) {
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    // `order` is a permutation of the positions: each slot is taken exactly once.
    items.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

fn merge_sort(
    items: &mut [usize],
    scratch: &mut [usize],
    cmp: &mut dyn FnMut(&usize, &usize) -> Ordering,
) {
    let len = items.len();
    if len <= 1 {
        return;
    }
    let half = len / 2;
    {
        let (left, right) = items.split_at_mut(half);
        let (scratch_left, scratch_right) = scratch.split_at_mut(half);
        merge_sort(left, scratch_left, cmp);
        merge_sort(right, scratch_right, cmp);
    }
    let (mut left, mut right, mut out) = (0, half, 0);
    while left < half && right < len {
        let take_left = match (items.get(left), items.get(right)) {
            (Some(x), Some(y)) => cmp(x, y) != Ordering::Greater,
            _ => true,
        };
        let from = if take_left { &mut left } else { &mut right };
        if let (Some(slot), Some(item)) = (scratch.get_mut(out), items.get(*from)) {
            *slot = *item;
        }
        *from += 1;
        out += 1;
    }
    // What is left of the left half goes before the right half's rest, already in place.
    while left < half {
        if let (Some(slot), Some(item)) = (scratch.get_mut(out), items.get(left)) {
            *slot = *item;
        }
        left += 1;
        out += 1;
    }
    for (dst, src) in items.iter_mut().zip(scratch.iter()).take(out) {
        *dst = *src;
    }
}

/// Partially sorts `v` as Redis's `pqsort(v, n, size, cmp, lrange, rrange)`: afterwards the
/// positions `lrange..=rrange` hold what a full sort would put there (the rest is partitioned
/// around them but unsorted). Redis passes `rrange` one below `lrange` for an empty range
/// (possibly -1), hence the signed bounds.
pub fn pqsort<T>(v: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering, lrange: i64, rrange: i64) {
    // Redis compares byte addresses: the range is [lrange*size, (rrange+1)*size - 1] and a
    // segment [start*size, (start+len)*size - 1]. Any element size of at least two gives the
    // same answers, so positions are doubled here.
    let low = lrange.saturating_mul(2);
    let high = rrange.saturating_add(1).saturating_mul(2).saturating_sub(1);
    let reaches = |start: usize, len: usize| {
        let first = i64::try_from(start).unwrap_or(i64::MAX).saturating_mul(2);
        let last = i64::try_from(start.saturating_add(len))
            .unwrap_or(i64::MAX)
            .saturating_mul(2)
            .saturating_sub(1);
        !((low < first && high < first) || (low > last && high > last))
    };
    // Segments still to sort; Redis recurses into the left part and loops on the right one.
    // The parts are disjoint, so the order they are sorted in does not change the result.
    let mut pending = vec![(0usize, v.len())];
    while let Some((start, len)) = pending.pop() {
        let Some(segment) = v.get_mut(start..start.saturating_add(len)) else {
            continue;
        };
        for (s, l) in partition(segment, cmp) {
            if l > 1 && reaches(start + s, l) {
                pending.push((start + s, l));
            }
        }
    }
}

/// Swaps two elements; positions out of the slice (never passed) are ignored.
fn swap<T>(v: &mut [T], a: usize, b: usize) {
    if a < v.len() && b < v.len() {
        v.swap(a, b);
    }
}

/// Compares two elements by position; positions out of the slice (never passed) compare equal.
fn compare<T>(
    items: &[T],
    first: usize,
    second: usize,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) -> Ordering {
    match (items.get(first), items.get(second)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    }
}

/// The median of three positions, as Bentley–McIlroy's `med3`.
fn median_of_three<T>(
    v: &[T],
    a: usize,
    b: usize,
    c: usize,
    cmp: &mut impl FnMut(&T, &T) -> Ordering,
) -> usize {
    if compare(v, a, b, cmp) == Ordering::Less {
        if compare(v, b, c, cmp) == Ordering::Less {
            b
        } else if compare(v, a, c, cmp) == Ordering::Less {
            c
        } else {
            a
        }
    } else if compare(v, b, c, cmp) == Ordering::Greater {
        b
    } else if compare(v, a, c, cmp) == Ordering::Less {
        a
    } else {
        c
    }
}

/// Swaps the `n` elements from `a` with the `n` from `b` (`vecswap`; the blocks never overlap).
fn swap_blocks<T>(v: &mut [T], a: usize, b: usize, n: usize) {
    for i in 0..n {
        swap(v, a + i, b + i);
    }
}

/// One round of `_pqsort` on a whole slice: small slices are insertion-sorted (no parts left);
/// larger ones are split around a pivot into "less" and "greater" parts, returned as
/// (start, len), equal elements gathered in the middle.
fn partition<T>(v: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering) -> Vec<(usize, usize)> {
    let n = v.len();
    if n < 7 {
        for m in 1..n {
            let mut l = m;
            while l > 0 && compare(v, l - 1, l, cmp) == Ordering::Greater {
                swap(v, l, l - 1);
                l -= 1;
            }
        }
        return Vec::new();
    }
    let mut pm = n / 2;
    if n > 7 {
        let mut pl = 0;
        let mut pn = n - 1;
        if n > 40 {
            let d = n / 8;
            pl = median_of_three(v, pl, pl + d, pl + 2 * d, cmp);
            pm = median_of_three(v, pm - d, pm, pm + d, cmp);
            pn = median_of_three(v, pn - 2 * d, pn - d, pn, cmp);
        }
        pm = median_of_three(v, pl, pm, pn, cmp);
    }
    swap(v, 0, pm);
    // The pivot is at 0. [1, pa) and (pd, n) gather elements equal to it, [pa, pb) the smaller
    // ones, (pc, pd] the greater ones.
    let (mut pa, mut pb) = (1usize, 1usize);
    let (mut pc, mut pd) = (n - 1, n - 1);
    loop {
        while pb <= pc {
            let r = compare(v, pb, 0, cmp);
            if r == Ordering::Greater {
                break;
            }
            if r == Ordering::Equal {
                swap(v, pa, pb);
                pa += 1;
            }
            pb += 1;
        }
        while pb <= pc {
            let r = compare(v, pc, 0, cmp);
            if r == Ordering::Less {
                break;
            }
            if r == Ordering::Equal {
                swap(v, pc, pd);
                pd -= 1;
            }
            // pc >= pb >= 1 here.
            pc -= 1;
        }
        if pb > pc {
            break;
        }
        swap(v, pb, pc);
        pb += 1;
        // pc >= pb - 1 >= 1 before this step.
        pc -= 1;
    }
    let r = pa.min(pb - pa);
    swap_blocks(v, 0, pb - r, r);
    let r = (pd - pc).min(n - pd - 1);
    swap_blocks(v, pb, n - r, r);
    let less = pb - pa;
    let greater = pd - pc;
    vec![(0, less), (n - greater, greater)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_key(a: &(i32, usize), b: &(i32, usize)) -> Ordering {
        a.0.cmp(&b.0)
    }

    #[test]
    fn qsort_is_stable_and_sorted() {
        let mut v: Vec<(i32, usize)> = [3, 1, 2, 1, 3, 0, 2]
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i))
            .collect();
        qsort(&mut v, &mut by_key);
        assert_eq!(v, [(0, 5), (1, 1), (1, 3), (2, 2), (2, 6), (3, 0), (3, 4)]);
    }

    #[test]
    fn sort_helpers_give_the_standard_librarys_stable_results() {
        let mut seed = 99u64;
        for len in [0usize, 1, 2, 7, 64, 333] {
            let base: Vec<(i32, usize)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    (i32::try_from(seed >> 59).unwrap_or(0), i)
                })
                .collect();
            let mut ours = base.clone();
            sort_by(&mut ours, by_key);
            let mut theirs = base.clone();
            theirs.sort_by(by_key);
            assert_eq!(ours, theirs);
            let mut ours = base.clone();
            sort_by_key(&mut ours, |e| std::cmp::Reverse(e.0));
            let mut theirs = base.clone();
            theirs.sort_by_key(|e| std::cmp::Reverse(e.0));
            assert_eq!(ours, theirs);
            let mut ours = base.clone();
            sort(&mut ours);
            let mut theirs = base;
            theirs.sort_unstable();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn pqsort_sorts_the_requested_range() {
        // A deterministic shuffle of 0..500 with duplicates.
        let mut seed = 12345u64;
        let base: Vec<(i32, usize)> = (0..500)
            .map(|i| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (i32::try_from(seed >> 56).unwrap_or(0), i)
            })
            .collect();
        let mut full = base.clone();
        full.sort_by(by_key);
        for (lo, hi) in [(0, 9), (100, 150), (490, 499), (0, 499), (250, 249)] {
            let mut v = base.clone();
            pqsort(&mut v, &mut by_key, lo, hi);
            for i in usize::try_from(lo).unwrap_or(0)..=usize::try_from(hi).unwrap_or(0) {
                if lo <= hi {
                    assert_eq!(v[i].0, full[i].0, "position {i} of {lo}..={hi}");
                }
            }
            let mut sorted = v.clone();
            sorted.sort_unstable();
            let mut expected = base.clone();
            expected.sort_unstable();
            assert_eq!(sorted, expected, "a permutation");
        }
    }

    #[test]
    fn inconsistent_comparators_do_not_panic() {
        let mut v: Vec<u32> = (0..200).collect();
        let mut flip = 0u32;
        let mut cmp = |_: &u32, _: &u32| {
            flip = flip.wrapping_mul(1_103_515_245).wrapping_add(12345);
            match flip >> 30 {
                0 => Ordering::Less,
                1 => Ordering::Equal,
                _ => Ordering::Greater,
            }
        };
        qsort(&mut v, &mut cmp);
        pqsort(&mut v, &mut cmp, 0, 10);
        assert_eq!(v.len(), 200);
    }
}
