//! The MiniLM encoder, assembled from rust-bert's BERT embeddings and our
//! [`Layer`]s so the bottom layers can run once (frozen, their outputs cached)
//! while the top layers train, and the role and thesis heads on top.

use super::input::{length_batches, POS_FEATURES};
use super::layer::Layer;
use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertEmbedding, BertEmbeddings};
use std::ops::Range;
use tch::{nn, Kind, Tensor};

/// Number of role classes the head predicts, in [`crate::document::Label::ALL`] order.
pub const CLASSES: i64 = 4;

/// Embeddings plus the stack of transformer layers. Layers below `split` live in
/// one variable store (frozen), the rest in another (fine-tuned), both under the
/// checkpoint's own variable names (`encoder.layer.5.attention.self.query.weight`).
pub struct Encoder {
    embeddings: BertEmbeddings,
    layers: Vec<Layer>,
    /// Index of the first trainable layer.
    pub split: usize,
    /// Width of the hidden states.
    pub hidden: i64,
}

impl Encoder {
    /// Declares the variables; their values come from `VarStore::load`.
    ///
    /// # Errors
    /// [`Error::Model`] when `config` describes layers [`Layer`] does not compute.
    pub fn new(
        low: &nn::Path,
        top: &nn::Path,
        config: &BertConfig,
        trainable: usize,
    ) -> Result<Encoder> {
        let n = usize::try_from(config.num_hidden_layers).unwrap_or(0);
        let split = n.saturating_sub(trainable);
        let layers = (0..n)
            .map(|i| {
                let root = if i < split { low } else { top };
                Layer::new(&(root / "encoder" / "layer" / i), config).map_err(|message| {
                    Error::Model {
                        what: "transformer config".into(),
                        message,
                    }
                })
            })
            .collect::<Result<_>>()?;
        Ok(Encoder {
            embeddings: BertEmbeddings::new(low / "embeddings", config),
            layers,
            split,
            hidden: config.hidden_size,
        })
    }

    /// Number of layers.
    pub fn depth(&self) -> usize {
        self.layers.len()
    }

    /// Token embeddings, `[batch, tokens, hidden]`.
    pub fn embed(&self, ids: &Tensor, types: &Tensor) -> Result<Tensor> {
        self.embeddings
            .forward_t(Some(ids), Some(types), None, None, false)
            .map_err(|e| Error::Model {
                what: "transformer".into(),
                message: e.to_string(),
            })
    }

    /// Runs `layers` over hidden states `h`; `mask` is `[batch, tokens]`, 1 for
    /// real tokens. With `keep`, the last of `layers` computes only the first
    /// `keep` tokens (the pooled prefix), so the result has `keep` tokens.
    pub fn run(
        &self,
        mut h: Tensor,
        mask: &Tensor,
        layers: Range<usize>,
        keep: Option<i64>,
        train: bool,
    ) -> Tensor {
        let m = mask.to_kind(Kind::Float);
        let additive = ((m.ones_like() - m) * -10000.0).unsqueeze(1).unsqueeze(1);
        let last = layers.end.saturating_sub(1);
        for i in layers {
            let t = h.size()[1];
            let k = if i == last { keep.unwrap_or(t) } else { t };
            h = self.layers[i].forward(&h, &additive, k, train);
        }
        h
    }
}

/// Mean of the hidden states where `weight` (`[batch, tokens]`) is 1.
pub fn mean_pool(h: &Tensor, weight: &Tensor) -> Tensor {
    let w = weight.to_kind(Kind::Float).unsqueeze(-1);
    let sum = (h * &w).sum_dim_intlist(1, false, Kind::Float);
    sum / w.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0)
}

/// The role head (4 logits), the thesis head and the register head (1 logit
/// each: university-level vs school writing) over the pooled sentence vector
/// and its position features.
pub struct Heads {
    role: nn::Linear,
    thesis: nn::Linear,
    register: nn::Linear,
}

impl Heads {
    /// Declares the heads under `p / "head"`.
    pub fn new(p: &nn::Path, hidden: i64) -> Heads {
        let inp = hidden + POS_FEATURES as i64;
        let p = p / "head";
        Heads {
            role: nn::linear(&p / "role", inp, CLASSES, Default::default()),
            thesis: nn::linear(&p / "thesis", inp, 1, Default::default()),
            register: nn::linear(&p / "register", inp, 1, Default::default()),
        }
    }

    /// Role logits `[batch, 4]`, thesis and register logits `[batch]`.
    pub fn forward(&self, pooled: &Tensor, pos: &Tensor, train: bool) -> Logits {
        let x = Tensor::cat(&[pooled, pos], 1).dropout(0.1, train);
        Logits {
            role: x.apply(&self.role),
            thesis: x.apply(&self.thesis).squeeze_dim(-1),
            register: x.apply(&self.register).squeeze_dim(-1),
        }
    }
}

/// What the heads output for a batch.
pub struct Logits {
    /// `[batch, 4]`.
    pub role: Tensor,
    /// `[batch]`.
    pub thesis: Tensor,
    /// `[batch]`, positive for university-level writing.
    pub register: Tensor,
}

impl Logits {
    /// Role log-probabilities, thesis and register logits as vectors.
    pub fn to_outputs(&self) -> Result<Outputs> {
        let err = |e: tch::TchError| Error::Model {
            what: "transformer".into(),
            message: e.to_string(),
        };
        // Results are read on the CPU, wherever the network ran.
        let cpu = |t: &Tensor| t.to_device(tch::Device::Cpu);
        let role =
            Vec::<f32>::try_from(cpu(&self.role.log_softmax(-1, Kind::Float)).flatten(0, -1))
                .map_err(err)?;
        Ok(Outputs {
            logp: role
                .chunks_exact(4)
                .map(|c| [c[0], c[1], c[2], c[3]])
                .collect(),
            thesis: Vec::<f32>::try_from(cpu(&self.thesis)).map_err(err)?,
            register: Vec::<f32>::try_from(cpu(&self.register)).map_err(err)?,
        })
    }
}

/// The network's outputs for a list of sentences.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outputs {
    /// Role log-probabilities.
    pub logp: Vec<[f32; 4]>,
    /// Thesis logits.
    pub thesis: Vec<f32>,
    /// Register logits.
    pub register: Vec<f32>,
}

impl Outputs {
    /// Outputs of `n` sentences, all zero.
    pub fn zeros(n: usize) -> Outputs {
        Outputs {
            logp: vec![[0.0; 4]; n],
            thesis: vec![0.0; n],
            register: vec![0.0; n],
        }
    }

    /// Runs `f` on length-sorted batches of at most `size` of the inputs whose
    /// token counts are `lens` (see [`length_batches`]) and
    /// gathers its rows back in input order.
    ///
    /// # Errors
    /// The first error of `f`.
    pub fn by_length(
        lens: &[usize],
        size: usize,
        mut f: impl FnMut(&[usize]) -> Result<Outputs>,
    ) -> Result<Outputs> {
        let mut out = Outputs::zeros(lens.len());
        for idx in length_batches(lens, size) {
            let got = f(&idx)?;
            for (r, &i) in idx.iter().enumerate() {
                out.logp[i] = got.logp[r];
                out.thesis[i] = got.thesis[r];
                out.register[i] = got.register[r];
            }
        }
        Ok(out)
    }

    /// Rows `range`.
    pub fn slice(&self, range: Range<usize>) -> Outputs {
        Outputs {
            logp: self.logp[range.clone()].to_vec(),
            thesis: self.thesis[range.clone()].to_vec(),
            register: self.register[range].to_vec(),
        }
    }
}
