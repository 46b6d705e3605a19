//! One BERT encoder layer (self-attention, then the feed-forward block), under
//! the checkpoint's variable names, as rust-bert's `BertLayer` computes it but
//! with libtorch's fused GELU: rust-bert composes `x * 0.5 * (1 + erf(x / √2))`
//! from five element-wise passes over the widest tensor of the layer, which
//! cost a tenth of inference time on CPU (perf on `essaymap batch`).

use rust_bert::bert::BertConfig;
use rust_bert::Activation;
use tch::{nn, Tensor};

/// rust-bert's (and Hugging Face's) BERT layer-norm epsilon.
const LAYER_NORM_EPS: f64 = 1e-12;

/// A BERT encoder layer.
#[derive(Debug)]
pub struct Layer {
    query: nn::Linear,
    key: nn::Linear,
    value: nn::Linear,
    attention_out: nn::Linear,
    attention_norm: nn::LayerNorm,
    intermediate: nn::Linear,
    out: nn::Linear,
    out_norm: nn::LayerNorm,
    heads: i64,
    dropout: f64,
    attention_dropout: f64,
}

impl Layer {
    /// Declares the layer's variables under `p` (`.../encoder/layer/N`).
    ///
    /// # Errors
    /// A checkpoint whose activation is not the exact GELU, or whose hidden
    /// size is not a multiple of its head count, is not one this layer computes.
    pub fn new(p: &nn::Path, config: &BertConfig) -> Result<Layer, String> {
        if !matches!(config.hidden_act, Activation::gelu) {
            return Err(format!(
                "unsupported activation {:?} (the encoder computes gelu)",
                config.hidden_act
            ));
        }
        let (d, heads) = (config.hidden_size, config.num_attention_heads);
        if heads <= 0 || d % heads != 0 {
            return Err(format!(
                "hidden size {d} is not a multiple of {heads} heads"
            ));
        }
        let lin = |p: nn::Path, i, o| nn::linear(p, i, o, Default::default());
        let norm = |p: nn::Path| {
            nn::layer_norm(
                p,
                vec![d],
                nn::LayerNormConfig {
                    eps: LAYER_NORM_EPS,
                    ..Default::default()
                },
            )
        };
        let attention = p / "attention";
        let self_attention = &attention / "self";
        Ok(Layer {
            query: lin(&self_attention / "query", d, d),
            key: lin(&self_attention / "key", d, d),
            value: lin(&self_attention / "value", d, d),
            attention_out: lin(&attention / "output" / "dense", d, d),
            attention_norm: norm(&attention / "output" / "LayerNorm"),
            intermediate: lin(p / "intermediate" / "dense", d, config.intermediate_size),
            out: lin(p / "output" / "dense", config.intermediate_size, d),
            out_norm: norm(p / "output" / "LayerNorm"),
            heads,
            dropout: config.hidden_dropout_prob,
            attention_dropout: config.attention_probs_dropout_prob,
        })
    }

    /// The layer's output for hidden states `h` (`[batch, tokens, hidden]`);
    /// `mask` is additive, `[batch, 1, 1, tokens]` (0 for tokens, large
    /// negative for padding). Only the first `keep` tokens are computed (they
    /// still attend to all): the top layer need not compute tokens that are
    /// not pooled, which saves a tenth of its work per token left out.
    pub fn forward(&self, h: &Tensor, mask: &Tensor, keep: i64, train: bool) -> Tensor {
        let size = h.size();
        let (b, t, d) = (size[0], size[1], size[2]);
        let keep = keep.clamp(1, t);
        let dh = d / self.heads;
        let split = |x: Tensor, n: i64| x.view([b, n, self.heads, dh]).transpose(1, 2);
        let hq = h.narrow(1, 0, keep);
        let q = split(hq.apply(&self.query), keep) / (dh as f64).sqrt();
        let k = split(h.apply(&self.key), t);
        let v = split(h.apply(&self.value), t);
        let weights = (q.matmul(&k.transpose(-1, -2)) + mask)
            .softmax(-1, q.kind())
            .dropout(self.attention_dropout, train);
        let context = weights
            .matmul(&v)
            .transpose(1, 2)
            .contiguous()
            .view([b, keep, d]);
        let a = (context
            .apply(&self.attention_out)
            .dropout(self.dropout, train)
            + hq)
            .apply(&self.attention_norm);
        let ff = a
            .apply(&self.intermediate)
            .gelu("none")
            .apply(&self.out)
            .dropout(self.dropout, train);
        (ff + a).apply(&self.out_norm)
    }
}
