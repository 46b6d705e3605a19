//! What the transformer reads for one sentence, as in the Python experiment the
//! issue reports: segment A is the sentence behind words that say where it stands
//! ("body paragraph, first sentence."), segment B is its neighbours in the
//! paragraph. The head pools segment A only and also sees the position as numbers.

use crate::document::{Document, Sentence};
use crate::error::{Error, Result};
use crate::text::plain_char;
use std::borrow::Cow;
use tch::Tensor;
use tokenizers::{Tokenizer, TruncationParams, TruncationStrategy};

/// Position features appended to the pooled sentence vector (see [`position`]).
pub const POS_FEATURES: usize = 8;

/// One tokenized sentence in context.
#[derive(Debug, Clone)]
pub struct Item {
    /// Token ids of `[CLS] A [SEP] B [SEP]`.
    pub ids: Vec<i64>,
    /// Segment of each token (0 for A, 1 for B).
    pub types: Vec<i64>,
    /// Position features (see [`position`]).
    pub pos: [f32; POS_FEATURES],
}

/// Loads a tokenizer.json and makes it truncate pairs at `max_tokens`, the
/// longer segment first (segment B, the neighbours, as a rule).
pub fn tokenizer(path: &std::path::Path, max_tokens: usize) -> Result<Tokenizer> {
    let err = |m: String| Error::Model {
        what: path.display().to_string(),
        message: m,
    };
    let mut t = Tokenizer::from_file(path).map_err(|e| err(e.to_string()))?;
    t.with_padding(None);
    t.with_truncation(Some(TruncationParams {
        max_length: max_tokens,
        strategy: TruncationStrategy::LongestFirst,
        ..Default::default()
    }))
    .map_err(|e| err(e.to_string()))?;
    Ok(t)
}

/// Position words and numbers of sentence `i` of `doc`: paragraph is the
/// introduction, a body paragraph or the conclusion; sentence is first, middle,
/// last or alone in it.
pub fn position(doc: &Document, i: usize) -> (String, [f32; POS_FEATURES]) {
    let s = &doc.sentences[i];
    let last_para = doc.sentences.last().map_or(0, |s| s.paragraph);
    let n = doc.paragraph_sentences(s.paragraph).len().max(1);
    let k = s.position_in_paragraph;
    let (intro, concl) = (s.paragraph == 0, s.paragraph == last_para && last_para > 0);
    let para = match (intro, concl) {
        (true, _) if last_para == 0 => "only",
        (true, _) => "introduction",
        (_, true) => "conclusion",
        _ => "body",
    };
    let sent = if n == 1 {
        "only"
    } else if k == 0 {
        "first"
    } else if k + 1 == n {
        "last"
    } else {
        "middle"
    };
    let f = |b: bool| f32::from(u8::from(b));
    let feats = [
        f(intro),
        f(!intro && !concl),
        f(concl),
        f(k == 0),
        f(k + 1 == n),
        if last_para > 0 {
            s.paragraph as f32 / last_para as f32
        } else {
            0.0
        },
        if n > 1 {
            k as f32 / (n - 1) as f32
        } else {
            0.0
        },
        n.min(10) as f32 / 10.0,
    ];
    (format!("{para} paragraph, {sent} sentence."), feats)
}

/// The text of `s` as the model reads it. Word-processor typography becomes
/// the plain text the model learnt on ([`plain_char`]): WordPiece gives "’"
/// another token than "'".
fn plain(s: &Sentence) -> Cow<'_, str> {
    let text = s.text.trim();
    if !text.chars().any(|c| plain_char(c).is_some()) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match plain_char(c) {
            Some(p) => out.push_str(p),
            None => out.push(c),
        }
    }
    out.into()
}

/// The two segments of every sentence of `doc`.
pub fn segments(doc: &Document) -> Vec<(String, String, [f32; POS_FEATURES])> {
    (0..doc.sentences.len())
        .map(|i| {
            let s = &doc.sentences[i];
            let (words, pos) = position(doc, i);
            let same = |j: usize| doc.sentences.get(j).filter(|t| t.paragraph == s.paragraph);
            let prev = i.checked_sub(1).and_then(same).map_or("".into(), plain);
            let next = same(i + 1).map_or("".into(), plain);
            (
                format!("{words} {}", plain(s)),
                format!("{prev} | {next}"),
                pos,
            )
        })
        .collect()
}

/// Tokenizes the sentences of `doc`.
pub fn items(tokenizer: &Tokenizer, doc: &Document) -> Result<Vec<Item>> {
    segments(doc)
        .into_iter()
        .map(|(a, b, pos)| {
            let enc = tokenizer.encode((a, b), true).map_err(|e| Error::Model {
                what: "tokenizer".into(),
                message: e.to_string(),
            })?;
            Ok(Item {
                ids: enc.get_ids().iter().map(|&x| i64::from(x)).collect(),
                types: enc.get_type_ids().iter().map(|&x| i64::from(x)).collect(),
                pos,
            })
        })
        .collect()
}

/// A padded batch: ids, segment ids and mask `[batch, tokens]`, positions `[batch, 8]`.
pub struct Batch {
    /// Token ids (0 = padding).
    pub ids: Tensor,
    /// Segment ids.
    pub types: Tensor,
    /// 1 for real tokens.
    pub mask: Tensor,
    /// 1 for segment A's real tokens: what the head pools. Segment A comes
    /// first, so this is `[batch, prefix]`, as wide as the longest segment A.
    pub pool: Tensor,
    /// Position features.
    pub pos: Tensor,
}

impl Batch {
    /// Width of [`Batch::pool`]: the top layer need compute no more tokens.
    pub fn prefix(&self) -> i64 {
        self.pool.size()[1]
    }

    /// The batch on `device`.
    pub fn to(self, device: tch::Device) -> Batch {
        Batch {
            ids: self.ids.to_device(device),
            types: self.types.to_device(device),
            mask: self.mask.to_device(device),
            pool: self.pool.to_device(device),
            pos: self.pos.to_device(device),
        }
    }
}

/// Pads `items` to the longest of them.
pub fn batch(items: &[&Item]) -> Batch {
    let b = items.len();
    let t = items.iter().map(|x| x.ids.len()).max().unwrap_or(0);
    let mut ids = vec![0i64; b * t];
    let mut types = vec![0i64; b * t];
    let mut mask = vec![0i64; b * t];
    let mut pool = vec![0i64; b * t];
    let mut pos = Vec::with_capacity(b * POS_FEATURES);
    for (r, x) in items.iter().enumerate() {
        for (c, (&id, &ty)) in x.ids.iter().zip(&x.types).enumerate() {
            ids[r * t + c] = id;
            types[r * t + c] = ty;
            mask[r * t + c] = 1;
            pool[r * t + c] = i64::from(ty == 0);
        }
        pos.extend_from_slice(&x.pos);
    }
    let shape = [b as i64, t as i64];
    let prefix = items
        .iter()
        .map(|x| x.types.iter().take_while(|&&ty| ty == 0).count())
        .max()
        .unwrap_or(0)
        .max(1);
    Batch {
        ids: Tensor::from_slice(&ids).view(shape),
        types: Tensor::from_slice(&types).view(shape),
        mask: Tensor::from_slice(&mask).view(shape),
        pool: Tensor::from_slice(&pool)
            .view(shape)
            .narrow(1, 0, prefix.min(t) as i64),
        pos: Tensor::from_slice(&pos).view([b as i64, POS_FEATURES as i64]),
    }
}

/// Index batches of at most `size` over `lens`, longest first, so each batch
/// holds inputs of similar length and pads little.
pub fn length_batches(lens: &[usize], size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lens.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(lens[i]));
    order.chunks(size.max(1)).map(<[usize]>::to_vec).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::{self, RuleSegmenter};

    #[test]
    fn positions_name_paragraph_and_sentence() {
        let text = "Intro one. Intro two.\n\nBody one. Body two. Body three.\n\nEnd.";
        let doc = segment::document(&RuleSegmenter::default(), None, None, text.into());
        let segs = segments(&doc);
        assert_eq!(
            segs[0].0,
            "introduction paragraph, first sentence. Intro one."
        );
        assert_eq!(segs[0].1, " | Intro two.");
        assert_eq!(segs[3].0, "body paragraph, middle sentence. Body two.");
        assert_eq!(segs[3].1, "Body one. | Body three.");
        assert_eq!(segs[5].0, "conclusion paragraph, only sentence. End.");
        assert_eq!(segs[3].2[..3], [0.0, 1.0, 0.0]);
    }

    #[test]
    fn length_batches_cover_every_index_once() {
        let lens = [5, 9, 1, 7, 7];
        let b = length_batches(&lens, 2);
        assert_eq!(b, vec![vec![1, 3], vec![4, 0], vec![2]]);
    }
}
