//! The accurate mode (Cargo feature `transformer`): a fine-tuned MiniLM
//! (all-MiniLM-L6-v2) through rust-bert and libtorch that re-labels the
//! sentences after the embedded model and fuses the two.
//!
//! - [`input`]: what the network reads per sentence (position words, the
//!   sentence, its neighbours) and length-sorted batching.
//! - [`encoder`]: rust-bert's BERT embeddings and our [`layer`]s (fused GELU;
//!   the top layer computes only the pooled tokens), split into frozen and
//!   fine-tuned layers, plus the role and thesis heads.
//!
//! Fine-tuning (the frozen layers' outputs are cached, so a CPU run takes
//! minutes per epoch) and the fusion weights tuned on dev are in the training
//! tree, `train::transformer`.
//!
//! The base model comes from `scripts/setup-transformer.sh`
//! (`.transformer/minilm`, or `ESSAYMAP_TRANSFORMER_DIR`); what ships in
//! `models/roles-transformer.safetensors` is only what fine-tuning changed (the
//! top layers and the heads, in fp16) plus the decoding settings as metadata.

pub(crate) mod encoder;
pub(crate) mod input;
pub(crate) mod layer;

use crate::classify::model::decode_thesis;
use crate::classify::Refiner;
use crate::document::{Document, Label, Scores};
use crate::error::{Error, Result};
use crate::util::math::sigmoid;
use encoder::{mean_pool, Encoder, Heads, Outputs};
use rayon::prelude::*;
use rust_bert::bert::BertConfig;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tch::{nn, Device, Kind, Tensor};
use tokenizers::Tokenizer;

/// Version of the fine-tuned weights file; bumped when its meaning changes.
pub const FORMAT_VERSION: u32 = 1;

/// sha256 of the base model's `model.safetensors` the weights were trained on.
pub const BASE_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// The fine-tuned weights shipped in the binary
/// (`models/roles-transformer.safetensors`, found by `build.rs`).
pub static EMBEDDED_WEIGHTS: &[u8] = include_bytes!(env!("ESSAYMAP_TRANSFORMER_WEIGHTS_FILE"));

/// Optimiser parameter group of the heads (the encoder's is 0).
pub(crate) const HEAD_GROUP: usize = 1;

/// Sentences per forward pass at inference. On CPU 16 ran 5-10% faster than
/// 32 (smaller activations stay in cache); length sorting keeps padding low.
const BATCH: usize = 16;

/// Where the base model is: `ESSAYMAP_TRANSFORMER_DIR`, else the set-up
/// script's folder in this checkout.
pub fn base_dir() -> PathBuf {
    std::env::var_os("ESSAYMAP_TRANSFORMER_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.transformer/minilm")),
        PathBuf::from,
    )
}

/// How the network's output becomes labels; tuned on dev by fine-tuning.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Decode {
    /// Weight of the transformer's log-probabilities against the embedded
    /// model's (1 = transformer only), for university-level and for school
    /// writing; an essay's weight mixes the two by its register probability.
    pub fusion: [f32; 2],
    /// Added to the thesis logit of sentences the embedded model flags as thesis.
    pub thesis_prior: f32,
    /// Thesis probability above which a sentence is a thesis.
    pub thesis_threshold: f32,
    /// If none passes, the best sentence still is when at least this likely.
    pub thesis_fallback: f32,
}

impl Default for Decode {
    fn default() -> Self {
        Decode {
            fusion: [1.0; 2],
            thesis_prior: 0.0,
            thesis_threshold: 0.5,
            thesis_fallback: 0.0,
        }
    }
}

/// Settings stored with the fine-tuned weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// [`FORMAT_VERSION`].
    pub format: u32,
    /// sha256 of the base `model.safetensors`.
    pub base_sha256: String,
    /// Number of top layers that were fine-tuned (and are in the file).
    pub trainable_layers: usize,
    /// Truncation length of an input pair.
    pub max_tokens: usize,
    /// Decoding settings.
    pub decode: Decode,
    /// How the weights were trained (data, settings, dev scores).
    #[serde(default)]
    pub provenance: serde_json::Value,
}

/// The network: frozen bottom, fine-tuned top, heads. The bottom's variable
/// store is dropped after loading (its modules keep the tensors); the top's is
/// kept for the optimiser and for saving.
pub(crate) struct Net {
    /// A CUDA GPU when libtorch has one, else the CPU.
    pub(crate) device: Device,
    pub(crate) top: nn::VarStore,
    pub(crate) encoder: Encoder,
    pub(crate) heads: Heads,
}

// Tensors are Send but not Sync; the network is only used behind a Mutex.
impl Net {
    /// Declares the network and loads the base weights from `dir`.
    pub(crate) fn load_base(dir: &Path, trainable: usize) -> Result<Net> {
        let err = |what: &Path, m: String| Error::Model {
            what: what.display().to_string(),
            message: m,
        };
        let model = dir.join("model.safetensors");
        let cfg_path = dir.join("config.json");
        if !model.is_file() || !cfg_path.is_file() {
            return Err(err(
                dir,
                "the transformer base model is missing: run scripts/setup-transformer.sh \
                 (or set ESSAYMAP_TRANSFORMER_DIR to its folder)"
                    .into(),
            ));
        }
        let raw = std::fs::read(&cfg_path).map_err(|e| Error::io(&cfg_path, e))?;
        let config: BertConfig =
            serde_json::from_slice(&raw).map_err(|e| err(&cfg_path, e.to_string()))?;
        let device = Device::cuda_if_available();
        let mut low = nn::VarStore::new(device);
        let mut top = nn::VarStore::new(device);
        let encoder = Encoder::new(&low.root(), &top.root(), &config, trainable)?;
        let heads = Heads::new(&top.root().set_group(HEAD_GROUP), encoder.hidden);
        low.load(&model).map_err(|e| err(&model, e.to_string()))?;
        // The heads are new; everything else of the top must be in the file.
        let missing = top
            .load_partial(&model)
            .map_err(|e| err(&model, e.to_string()))?;
        if let Some(m) = missing.iter().find(|m| !m.starts_with("head.")) {
            return Err(err(&model, format!("no tensor {m}")));
        }
        low.freeze();
        Ok(Net {
            device,
            top,
            encoder,
            heads,
        })
    }

    /// Copies named tensors (fp16 or fp32) into the fine-tuned variables; every
    /// one of them must be given.
    pub(crate) fn set_top(&mut self, tensors: &HashMap<String, Tensor>) -> Result<()> {
        let mut vars = self.top.variables();
        for (name, var) in &mut vars {
            let src = tensors.get(name).ok_or_else(|| Error::Model {
                what: "transformer weights".into(),
                message: format!("no tensor {name}"),
            })?;
            if src.size() != var.size() {
                return Err(Error::Model {
                    what: "transformer weights".into(),
                    message: format!(
                        "{name} has shape {:?}, expected {:?}",
                        src.size(),
                        var.size()
                    ),
                });
            }
            tch::no_grad(|| var.copy_(&src.to_kind(Kind::Float)));
        }
        Ok(())
    }

    /// The heads' outputs for `items`.
    fn infer(&self, items: &[input::Item]) -> Result<Outputs> {
        let lens: Vec<usize> = items.iter().map(|x| x.ids.len()).collect();
        Outputs::by_length(&lens, BATCH, |idx| {
            let refs: Vec<&input::Item> = idx.iter().map(|&i| &items[i]).collect();
            let b = input::batch(&refs).to(self.device);
            tch::no_grad(|| {
                let h = self.encoder.embed(&b.ids, &b.types)?;
                let h =
                    self.encoder
                        .run(h, &b.mask, 0..self.encoder.depth(), Some(b.prefix()), false);
                let pooled = mean_pool(&h, &b.pool);
                self.heads.forward(&pooled, &b.pos, false).to_outputs()
            })
        })
    }
}

pub(crate) fn tch_err(e: tch::TchError) -> Error {
    Error::Model {
        what: "transformer".into(),
        message: e.to_string(),
    }
}

/// The fine-tuned role model: a [`Refiner`] over the embedded model's output.
pub struct Transformer {
    pub(crate) net: Mutex<Net>,
    pub(crate) tokenizer: Tokenizer,
    /// Settings and provenance.
    pub meta: Meta,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transformer")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl Transformer {
    /// The base model in `dir` with the fine-tuned weights shipped in the binary.
    ///
    /// # Errors
    /// [`Error::Model`] when the base model is missing (the message says how
    /// to set it up) or does not match the weights.
    pub fn embedded(dir: &Path) -> Result<Transformer> {
        Transformer::from_bytes(
            dir,
            "<embedded roles-transformer.safetensors>",
            EMBEDDED_WEIGHTS,
        )
    }

    /// The base model in `dir` with the fine-tuned weights in file `path`.
    ///
    /// # Errors
    /// As [`Transformer::embedded`], plus [`Error::Io`].
    pub fn from_file(dir: &Path, path: &Path) -> Result<Transformer> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Transformer::from_bytes(dir, &path.display().to_string(), &bytes)
    }

    /// The base model in `dir` with fine-tuned weights from safetensors `bytes`.
    ///
    /// # Errors
    /// As [`Transformer::embedded`].
    pub fn from_bytes(dir: &Path, what: &str, bytes: &[u8]) -> Result<Transformer> {
        let err = |m: String| Error::Model {
            what: what.into(),
            message: m,
        };
        let (_, header) =
            safetensors::SafeTensors::read_metadata(bytes).map_err(|e| err(e.to_string()))?;
        let meta: Meta = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get("essaymap"))
            .ok_or_else(|| err("not an essaymap transformer weights file".into()))
            .and_then(|s| serde_json::from_str(s).map_err(|e| err(e.to_string())))?;
        if meta.format != FORMAT_VERSION {
            return Err(Error::ModelMismatch {
                what: what.into(),
                field: "format version",
                found: meta.format.to_string(),
                expected: FORMAT_VERSION.to_string(),
            });
        }
        let st = safetensors::SafeTensors::deserialize(bytes).map_err(|e| err(e.to_string()))?;
        let mut tensors = HashMap::new();
        for (name, view) in st.tensors() {
            let kind = match view.dtype() {
                safetensors::Dtype::F16 => Kind::Half,
                safetensors::Dtype::F32 => Kind::Float,
                d => return Err(err(format!("{name}: unexpected dtype {d:?}"))),
            };
            let shape: Vec<i64> = view.shape().iter().map(|&x| x as i64).collect();
            tensors.insert(name, Tensor::from_data_size(view.data(), &shape, kind));
        }
        let mut net = Net::load_base(dir, meta.trainable_layers)?;
        net.set_top(&tensors)?;
        let tokenizer = input::tokenizer(&dir.join("tokenizer.json"), meta.max_tokens)?;
        Ok(Transformer {
            net: Mutex::new(net),
            tokenizer,
            meta,
        })
    }

    /// Serialises the fine-tuned weights (fp16) and the settings.
    ///
    /// # Errors
    /// [`Error::Model`] if a tensor cannot be read back.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let net = self
            .net
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut vars: Vec<(String, Tensor)> = net.top.variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        let mut data = Vec::new();
        for (name, t) in &vars {
            let half = t.to_kind(Kind::Half).to_device(Device::Cpu).contiguous();
            let n = half.numel();
            let mut buf = vec![0u8; n * 2];
            half.copy_data_u8(&mut buf, n);
            data.push((name.clone(), half.size(), buf));
        }
        let views: Vec<(String, safetensors::tensor::TensorView)> = data
            .iter()
            .map(|(name, shape, buf)| {
                let shape: Vec<usize> = shape.iter().map(|&x| x as usize).collect();
                safetensors::tensor::TensorView::new(safetensors::Dtype::F16, shape, buf)
                    .map(|v| (name.clone(), v))
                    .map_err(|e| Error::Model {
                        what: name.clone(),
                        message: format!("{e:?}"),
                    })
            })
            .collect::<Result<_>>()?;
        let meta = HashMap::from([(
            "essaymap".to_string(),
            serde_json::to_string(&self.meta).unwrap_or_default(),
        )]);
        safetensors::serialize(views, &Some(meta)).map_err(|e| Error::Model {
            what: "transformer weights".into(),
            message: format!("{e:?}"),
        })
    }

    /// Writes [`Transformer::to_bytes`] to `path`.
    ///
    /// # Errors
    /// [`Error::Io`] on a write failure.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
    }

    /// The network's outputs for every sentence of `docs`, concatenated in order.
    pub(crate) fn outputs(&self, docs: &[&Document]) -> Result<Outputs> {
        let per_doc: Vec<Vec<input::Item>> = docs
            .par_iter()
            .map(|d| input::items(&self.tokenizer, d))
            .collect::<Result<_>>()?;
        let items: Vec<input::Item> = per_doc.into_iter().flatten().collect();
        let net = self
            .net
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        net.infer(&items)
    }
}

/// Sentence embeddings of the base model, as sentence-transformers computes
/// them for all-MiniLM-L6-v2: the last layer's mean over the tokens (at most
/// 256), L2-normalised. Checks the set-up against Python's numbers.
///
/// # Errors
/// As [`Transformer::embedded`].
pub fn embed_sentences(dir: &Path, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    let net = Net::load_base(dir, 0)?;
    let tok = input::tokenizer(&dir.join("tokenizer.json"), 256)?;
    texts
        .iter()
        .map(|t| {
            let enc = tok.encode(*t, true).map_err(|e| Error::Model {
                what: "tokenizer".into(),
                message: e.to_string(),
            })?;
            let ids: Vec<i64> = enc.get_ids().iter().map(|&x| i64::from(x)).collect();
            let ids = Tensor::from_slice(&ids).unsqueeze(0).to_device(net.device);
            let mask = ids.ones_like();
            let v = tch::no_grad(|| -> Result<Tensor> {
                let h = net.encoder.embed(&ids, &ids.zeros_like())?;
                let h = net
                    .encoder
                    .run(h, &mask, 0..net.encoder.depth(), None, false);
                let v = mean_pool(&h, &mask).squeeze_dim(0);
                Ok(&v / v.norm())
            })?;
            Vec::<f32>::try_from(v.to_device(Device::Cpu)).map_err(tch_err)
        })
        .collect()
}

/// Fuses the network's outputs with the embedded model's labels already in
/// `doc` and writes labels, probabilities and thesis flags.
pub fn decode(doc: &mut Document, out: &Outputs, d: &Decode) {
    let n = out.logp.len().max(1) as f32;
    let r = sigmoid(out.register.iter().sum::<f32>() / n);
    let w = r * d.fusion[0] + (1.0 - r) * d.fusion[1];
    let mut thesis_p = Vec::with_capacity(out.logp.len());
    let mut labels = Vec::with_capacity(out.logp.len());
    for ((s, lp), &tl) in doc.sentences.iter_mut().zip(&out.logp).zip(&out.thesis) {
        let prior = s.scores.map_or([0.25; 4], Scores::to_array);
        let mut z = [0.0f32; 4];
        for k in 0..4 {
            z[k] = w * lp[k] + (1.0 - w) * prior[k].max(1e-6).ln();
        }
        let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|x| (x - m).exp()).sum();
        let p = z.map(|x| (x - m).exp() / sum);
        let k = crate::classify::crf::argmax(&p);
        s.label = Label::from_index(k);
        s.confidence = Some(p[k]);
        s.scores = Some(Scores::from_array(p));
        labels.push(s.label);
        let flagged = f32::from(u8::from(s.thesis == Some(true)));
        thesis_p.push(sigmoid(tl + d.thesis_prior * flagged));
    }
    let flags = decode_thesis(&thesis_p, &labels, d.thesis_threshold, d.thesis_fallback);
    for (s, t) in doc.sentences.iter_mut().zip(flags) {
        s.thesis = Some(t);
    }
}

impl Refiner for Transformer {
    fn refine(&self, doc: &mut Document) -> Result<()> {
        self.refine_many(&mut [doc])
    }

    /// Runs the network once over the sentences of all `docs`, so its
    /// length-sorted batches pad little (per essay they would pad about twice
    /// as much: essays are shorter than a batch and mix sentence lengths).
    fn refine_many(&self, docs: &mut [&mut Document]) -> Result<()> {
        let out = self.outputs(&docs.iter().map(|d| &**d).collect::<Vec<_>>())?;
        let mut start = 0;
        for doc in docs.iter_mut() {
            let n = doc.sentences.len();
            if n > 0 {
                decode(doc, &out.slice(start..start + n), &self.meta.decode);
            }
            start += n;
        }
        Ok(())
    }
}
