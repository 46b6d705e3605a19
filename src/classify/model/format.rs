//! The role model's file format: [`Model::to_bytes`] writes it and
//! [`Model::from_bytes`] reads it back, validating everything before it is
//! used. It is apart from inference because the layout and the older
//! versions it still reads (2 to 5) change on their own schedule, and
//! loading is mostly checks.
//!
//! File layout (little-endian): magic `EMROLES\0`, format version,
//! feature-spec version and hash, hash bits, label list, decode settings
//! (from format 5 with the thesis restatement levels), transitions, biases,
//! the paragraph rescorer (a flag, then its weights, 18 per label from format
//! 4 and 15 in format 3, and biases), provenance (JSON text), the
//! `2^bits x 6` weight matrix as f32, and an FNV-1a checksum of everything
//! before it. A format, spec or label
//! mismatch is [`Error::ModelMismatch`]; truncation or corruption is
//! [`Error::Model`].

use super::{DecodeConfig, Model, NO_RESTATE, N_OUT};
use crate::classify::crf::L;
use crate::classify::rescore::{Rescorer, N_FEAT, N_FEAT_V3};
use crate::document::Label;
use crate::error::{Error, Result};
use crate::features::{FeatureSpec, SPEC_VERSION};
use crate::util::model_file::{finite_f32s, fnv1a};
use ndarray::Array2;

/// Version of the model file layout (3 added the paragraph rescorer, 4 its
/// inference-marker features, 5 the thesis restatement levels; older
/// versions still load, without a rescorer, with those features unweighted
/// or without restating the thesis).
pub const FORMAT_VERSION: u32 = 5;
const MAGIC: &[u8; 8] = b"EMROLES\0";

impl Model {
    /// Serialises the model into the file format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.weights.len() * 4 + 4096);
        b.extend_from_slice(MAGIC);
        put_u32(&mut b, FORMAT_VERSION);
        put_u32(&mut b, SPEC_VERSION);
        b.extend_from_slice(&self.spec.hash().to_le_bytes());
        put_u32(&mut b, self.spec.bits);
        put_u32(&mut b, L as u32);
        for l in Label::ALL {
            put_str(&mut b, l.as_str());
        }
        put_u32(
            &mut b,
            u32::from(self.decode.transitions) | u32::from(self.decode.registers) << 1,
        );
        for x in [
            self.decode.temperature,
            self.decode.thesis_threshold[0],
            self.decode.thesis_threshold[1],
            self.decode.thesis_fallback[0],
            self.decode.thesis_fallback[1],
            self.decode.thesis_claim_weight,
            self.decode.thesis_claim_boost,
            self.decode.claim_bonus[0],
            self.decode.claim_bonus[1],
            self.decode.thesis_restate[0],
            self.decode.thesis_restate[1],
        ] {
            put_f32(&mut b, x);
        }
        for row in &self.trans {
            for &x in row {
                put_f32(&mut b, x);
            }
        }
        for &x in &self.bias {
            put_f32(&mut b, x);
        }
        put_u32(&mut b, u32::from(self.rescorer.is_some()));
        if let Some(rs) = &self.rescorer {
            for &x in rs.weights.iter().flatten().chain(&rs.bias) {
                put_f32(&mut b, x);
            }
        }
        put_str(&mut b, &self.provenance);
        for &x in self.weights.iter() {
            put_f32(&mut b, x);
        }
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Parses a model file; `what` names it in errors.
    ///
    /// # Errors
    /// [`Error::ModelMismatch`] when the file is of another format version,
    /// feature spec or label set; [`Error::Model`] when it is truncated,
    /// corrupt or not a model file.
    pub fn from_bytes(what: &str, data: &[u8]) -> Result<Model> {
        Self::parse(what, data, true)
    }

    /// Parses the model compiled into the binary without recomputing its
    /// checksum: the byte-serial hash of 3 MB was half of what `analyze` spends
    /// on a whole essay, and a test checks the shipped file's checksum instead.
    /// Every other check still runs.
    ///
    /// # Errors
    /// As [`Model::from_bytes`], less the checksum.
    pub(crate) fn from_embedded_bytes(what: &str, data: &[u8]) -> Result<Model> {
        Self::parse(what, data, false)
    }

    fn parse(what: &str, data: &[u8], verify: bool) -> Result<Model> {
        let bad = |m: &str| Error::Model {
            what: what.to_string(),
            message: m.to_string(),
        };
        let mismatch =
            |field: &'static str, expected: String, found: String| Error::ModelMismatch {
                what: what.to_string(),
                field,
                expected,
                found,
            };
        if data.len() < 8 + 8 || &data[..8] != MAGIC {
            return Err(bad("not an essaymap role model (bad magic)"));
        }
        let mut r = Reader { data, pos: 8 };
        let fv = r.u32().ok_or_else(|| bad("truncated"))?;
        if !(2..=FORMAT_VERSION).contains(&fv) {
            return Err(mismatch(
                "format version",
                FORMAT_VERSION.to_string(),
                fv.to_string(),
            ));
        }
        let (body, sum) = data.split_at(data.len() - 8);
        let mut sb = [0u8; 8];
        sb.copy_from_slice(sum);
        if verify && fnv1a(body) != u64::from_le_bytes(sb) {
            return Err(bad("checksum mismatch (file corrupt or truncated)"));
        }
        let r_body = &mut Reader {
            data: body,
            pos: r.pos,
        };
        let r = r_body;
        let sv = r.u32().ok_or_else(|| bad("truncated"))?;
        if sv != SPEC_VERSION {
            return Err(mismatch(
                "feature spec version",
                SPEC_VERSION.to_string(),
                sv.to_string(),
            ));
        }
        let hash = r.u64().ok_or_else(|| bad("truncated"))?;
        let bits = r.u32().ok_or_else(|| bad("truncated"))?;
        if !(8..=24).contains(&bits) {
            return Err(bad(&format!("hash bits {bits} out of range")));
        }
        let spec = FeatureSpec { bits };
        if spec.hash() != hash {
            return Err(mismatch(
                "feature spec hash",
                format!("{:016x}", spec.hash()),
                format!("{hash:016x}"),
            ));
        }
        let nl = r.u32().ok_or_else(|| bad("truncated"))? as usize;
        let mut labels = Vec::new();
        for _ in 0..nl.min(64) {
            labels.push(r.string().ok_or_else(|| bad("truncated"))?);
        }
        let want: Vec<&str> = Label::ALL.iter().map(|l| l.as_str()).collect();
        if labels != want {
            return Err(mismatch("labels", want.join(","), labels.join(",")));
        }
        let flags = r.u32().ok_or_else(|| bad("truncated"))?;
        let mut f = || r.f32().ok_or_else(|| bad("truncated"));
        let decode = DecodeConfig {
            transitions: flags & 1 != 0,
            registers: flags & 2 != 0,
            temperature: f()?,
            thesis_threshold: [f()?, f()?],
            thesis_fallback: [f()?, f()?],
            thesis_claim_weight: f()?,
            thesis_claim_boost: f()?,
            claim_bonus: [f()?, f()?],
            thesis_restate: if fv >= 5 {
                [f()?, f()?]
            } else {
                [NO_RESTATE; 2]
            },
        };
        let mut trans = [[0.0; L]; L + 1];
        for row in trans.iter_mut() {
            for x in row.iter_mut() {
                *x = f()?;
            }
        }
        let mut bias = [0.0; N_OUT];
        for x in bias.iter_mut() {
            *x = f()?;
        }
        let has_rescorer = fv >= 3 && r.u32().ok_or_else(|| bad("truncated"))? != 0;
        let rescorer = if has_rescorer {
            let mut rs = Rescorer {
                weights: [[0.0; N_FEAT]; L],
                bias: [0.0; L],
            };
            let saved = if fv == 3 { N_FEAT_V3 } else { N_FEAT };
            let weights = rs.weights.iter_mut().flat_map(|w| &mut w[..saved]);
            for x in weights.chain(rs.bias.iter_mut()) {
                *x = r
                    .f32()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| bad("truncated or non-finite rescorer"))?;
            }
            Some(rs)
        } else {
            None
        };
        let provenance = r.string().ok_or_else(|| bad("truncated"))?;
        let n = spec.dim() * N_OUT;
        if r.data.len() - r.pos != n * 4 {
            return Err(bad(&format!(
                "weight block is {} bytes, expected {}",
                r.data.len() - r.pos,
                n * 4
            )));
        }
        let w = finite_f32s(&r.data[r.pos..]).ok_or_else(|| bad("non-finite weight"))?;
        let weights = Array2::from_shape_vec((spec.dim(), N_OUT), w)
            .map_err(|e| bad(&format!("weight shape: {e}")))?;
        Ok(Model {
            spec,
            weights,
            bias,
            trans,
            decode,
            rescorer,
            provenance,
        })
    }
}

fn put_u32(b: &mut Vec<u8>, x: u32) {
    b.extend_from_slice(&x.to_le_bytes());
}
fn put_f32(b: &mut Vec<u8>, x: f32) {
    b.extend_from_slice(&x.to_le_bytes());
}
fn put_str(b: &mut Vec<u8>, s: &str) {
    put_u32(b, s.len() as u32);
    b.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let s = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        let s = self.take(4)?;
        Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f32(&mut self) -> Option<f32> {
        self.u32().map(f32::from_bits)
    }
    fn u64(&mut self) -> Option<u64> {
        let s = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        Some(u64::from_le_bytes(a))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        let s = self.take(n)?;
        String::from_utf8(s.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::model::tests::small;

    #[test]
    fn round_trips_through_bytes() {
        let m = small();
        let b = m.to_bytes();
        let m2 = Model::from_bytes("t", &b).unwrap();
        assert_eq!(m2.weights, m.weights);
        assert_eq!(m2.bias, m.bias);
        assert_eq!(m2.trans, m.trans);
        assert_eq!(m2.decode, m.decode);
        assert_eq!(m2.provenance, m.provenance);
        assert_eq!(m2.spec, m.spec);
        assert_eq!(m2.rescorer, m.rescorer);
    }

    #[test]
    fn shipped_model_passes_the_checksum_its_start_up_skips() {
        let data = crate::pipeline::EMBEDDED_MODEL;
        let checked = Model::from_bytes("roles.bin", data).unwrap();
        let trusted = Model::from_embedded_bytes("roles.bin", data).unwrap();
        assert_eq!(checked.weights, trusted.weights);
        assert_eq!(checked.decode, trusted.decode);
        // Only the checksum is skipped: a corrupt weight is still refused.
        let mut c = small().to_bytes();
        let at = c.len() - 12;
        c[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
        assert_eq!(
            Model::from_embedded_bytes("t", &c).unwrap_err().kind(),
            "model"
        );
    }

    #[test]
    fn rejects_corruption_and_version_mismatch() {
        let b = small().to_bytes();
        let mut c = b.clone();
        c[100] ^= 1;
        assert_eq!(Model::from_bytes("t", &c).unwrap_err().kind(), "model");
        assert_eq!(
            Model::from_bytes("t", &b[..50]).unwrap_err().kind(),
            "model"
        );
        assert_eq!(Model::from_bytes("t", b"junk").unwrap_err().kind(), "model");
        let mut v = b.clone();
        v[8] = 99; // format version
        let e = Model::from_bytes("t", &v).unwrap_err();
        assert_eq!(e.kind(), "model_mismatch", "{e}");
        // A spec-version change with a valid checksum.
        let mut s = b[..b.len() - 8].to_vec();
        s[12] = 99;
        let sum = fnv1a(&s);
        s.extend_from_slice(&sum.to_le_bytes());
        assert_eq!(
            Model::from_bytes("t", &s).unwrap_err().kind(),
            "model_mismatch"
        );
    }

    #[test]
    fn format_3_rescorers_load_without_the_inference_features() {
        let mut m = small();
        if let Some(rs) = &mut m.rescorer {
            rs.weights[1][N_FEAT_V3 - 1] = 0.25;
        }
        let b = bytes_before_format_5(&m);
        let mut none = m.clone();
        none.rescorer = None;
        // The rescorer flag is the first byte that differs (1 vs 0); the
        // weights follow it, a row of N_FEAT per label, then the biases.
        let flag = b
            .iter()
            .zip(bytes_before_format_5(&none))
            .position(|(x, y)| *x != y);
        let start = flag.unwrap() + 4;
        let mut v3 = b[..start].to_vec();
        v3[8..12].copy_from_slice(&3u32.to_le_bytes());
        for row in 0..L {
            let at = start + row * N_FEAT * 4;
            v3.extend_from_slice(&b[at..at + N_FEAT_V3 * 4]);
        }
        v3.extend_from_slice(&b[start + L * N_FEAT * 4..]);
        let sum = fnv1a(&v3);
        v3.extend_from_slice(&sum.to_le_bytes());
        let old = Model::from_bytes("t", &v3).unwrap();
        let (rs, rs3) = (m.rescorer.unwrap(), old.rescorer.unwrap());
        assert_eq!(rs3.bias, rs.bias);
        for (w3, w) in rs3.weights.iter().zip(&rs.weights) {
            assert_eq!(w3[..N_FEAT_V3], w[..N_FEAT_V3]);
            assert!(w3[N_FEAT_V3..].iter().all(|&x| x == 0.0));
        }
        assert_eq!(old.weights, m.weights);
    }

    /// The file bytes of `m` without the restatement levels, as formats
    /// before 5 wrote them, and without the checksum.
    fn bytes_before_format_5(m: &Model) -> Vec<u8> {
        let b = m.to_bytes();
        let mut other = m.clone();
        // Flipping the low byte makes the first byte of the levels differ.
        other.decode.thesis_restate[0] =
            f32::from_bits(m.decode.thesis_restate[0].to_bits() ^ 0xff);
        let at = b.iter().zip(other.to_bytes()).position(|(x, y)| *x != y);
        let at = at.unwrap();
        let mut v = b[..at].to_vec();
        v.extend_from_slice(&b[at + 8..b.len() - 8]);
        v
    }

    #[test]
    fn format_4_files_load_without_restating() {
        let m = small();
        let mut v4 = bytes_before_format_5(&m);
        v4[8..12].copy_from_slice(&4u32.to_le_bytes());
        let sum = fnv1a(&v4);
        v4.extend_from_slice(&sum.to_le_bytes());
        let old = Model::from_bytes("t", &v4).unwrap();
        assert_eq!(old.decode.thesis_restate, [NO_RESTATE; 2]);
        assert_eq!(old.decode.claim_bonus, m.decode.claim_bonus);
        assert_eq!(old.weights, m.weights);
        assert_eq!(old.rescorer, m.rescorer);
    }
}
