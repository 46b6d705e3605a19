//! FNV-1a, the hash of the link features' names and word views.
//!
//! Stable across runs and platforms, fast on short words, and `const`, so
//! feature names are hashed at compile time and their varying parts with the
//! same hash at run time. (The role features hash with `util::hash`
//! instead: their shipped weights are indexed by that one.)

/// FNV-1a of `s`. The link features' names are hashed with it at compile
/// time, the stems and the names' varying parts with the same hash at run
/// time ([`fnv_run`]).
pub(crate) const fn fnv(s: &str) -> u64 {
    fnv_from(FNV_OFFSET, s.as_bytes())
}

/// The FNV-1a state of the empty input.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over `b`, continuing from the state `h` (a hash of what came before).
/// `const`, for the feature names hashed at compile time; [`fnv_run`] is the
/// same hash for run time.
pub(crate) const fn fnv_from(mut h: u64, b: &[u8]) -> u64 {
    let mut i = 0;
    while i < b.len() {
        h = (h ^ b[i] as u64).wrapping_mul(FNV_PRIME);
        i += 1;
    }
    h
}

/// [`fnv_from`], four bytes per loop step: the link features hash every word
/// of every sentence several times, and the loop's own work was most of it.
#[inline]
pub(crate) fn fnv_run(mut h: u64, b: &[u8]) -> u64 {
    let step = |h: u64, x: u8| (h ^ u64::from(x)).wrapping_mul(FNV_PRIME);
    let mut quads = b.chunks_exact(4);
    for q in &mut quads {
        h = step(step(step(step(h, q[0]), q[1]), q[2]), q[3]);
    }
    quads.remainder().iter().fold(h, |h, &x| step(h, x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_time_fnv_is_the_const_one() {
        let text = b"the quick brown fox\xe2\x80\x99s";
        for n in 0..=text.len() {
            assert_eq!(fnv_run(7, &text[..n]), fnv_from(7, &text[..n]));
        }
    }
}
