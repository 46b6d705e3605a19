//! Reading and checking the numbers of the crate's model files (role, link and
//! break models): little-endian weights that must be finite, and the FNV-1a
//! checksum each file ends with.

use crate::text::fnv::{fnv_run, FNV_OFFSET};

/// Little-endian `f32`s (a trailing partial value is ignored), or `None` if
/// one is not finite. Two simple loops that vectorise (about 1.6 instructions
/// a weight): collecting from an iterator of chunks, or testing each value as
/// it is converted, left per-element code that was most of a model's load time.
#[inline(never)]
pub fn finite_f32s(b: &[u8]) -> Option<Vec<f32>> {
    let mut w = vec![0.0f32; b.len() / 4];
    for (x, c) in w.iter_mut().zip(b.chunks_exact(4)) {
        *x = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    // A fold, not `all`, so the test is not cut short and vectorises.
    let bad = w.iter().fold(false, |bad, x| bad | !x.is_finite());
    (!bad).then_some(w)
}

/// FNV-1a over `b`: the checksum model files end with (the text layer's
/// hash, from its offset basis).
pub fn fnv1a(b: &[u8]) -> u64 {
    fnv_run(FNV_OFFSET, b)
}
