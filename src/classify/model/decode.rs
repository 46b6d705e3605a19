//! Decoding settings and the per-essay thesis decisions: [`DecodeConfig`]
//! (tuned on dev data at training time and stored with the weights) and the
//! rules that turn per-sentence thesis probabilities into thesis flags
//! ([`decode_thesis`], [`restate_thesis`]). They are apart from the scoring
//! because they read probabilities, not weights: training tunes them on dev
//! predictions and the transformer backend applies [`decode_thesis`] to its
//! own probabilities.

use crate::document::Label;

/// A [`DecodeConfig::thesis_restate`] level no probability reaches: never
/// restate (the setting of files before format 5).
pub const NO_RESTATE: f32 = 1.1;

/// Decoding settings stored with the weights (tuned on dev data at training time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeConfig {
    /// Use forward-backward over label transitions; otherwise each
    /// sentence is decided alone.
    pub transitions: bool,
    /// Softmax temperature that calibrates the label probabilities.
    pub temperature: f32,
    /// A sentence is a thesis when its thesis probability reaches this; one
    /// value per register (university, school), as the corpora state theses
    /// differently (AAE restates it in the conclusion, PERSUADE rarely).
    pub thesis_threshold: [f32; 2],
    /// When no sentence reaches the threshold, the most likely one is still the
    /// thesis if its probability reaches this (essays almost always state one);
    /// per register.
    pub thesis_fallback: [f32; 2],
    /// Weight of the log probability of "claim" added to the thesis logit
    /// (a thesis is a claim).
    pub thesis_claim_weight: f32,
    /// Mix register-specific weights by the essay's predicted register
    /// (false: shared weights only).
    pub registers: bool,
    /// Added to the (temperature-scaled) claim score of thesis sentences before
    /// sequence decoding: a thesis is a claim, so the two decisions agree.
    pub thesis_claim_boost: f32,
    /// Log-factor favouring label sequences with at least one claim in a body
    /// paragraph (neither the first nor the last, two sentences or more), per
    /// register (university, school): university essays state one claim per
    /// body paragraph, school essays often none.
    pub claim_bonus: [f32; 2],
    /// An essay that states its thesis in only one of its first and last
    /// paragraphs often restates it in the other (AAE: introduction and
    /// conclusion): that paragraph's most thesis-like sentence is a thesis
    /// too when its probability reaches this level, below the threshold; per
    /// register (`NO_RESTATE`: never). See `restate_thesis`.
    pub thesis_restate: [f32; 2],
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            transitions: true,
            temperature: 1.0,
            thesis_threshold: [0.5; 2],
            thesis_fallback: [0.05; 2],
            thesis_claim_weight: 0.0,
            registers: false,
            thesis_claim_boost: 0.0,
            claim_bonus: [0.0; 2],
            thesis_restate: [NO_RESTATE; 2],
        }
    }
}

/// Per-essay thesis decision from per-sentence thesis probabilities: every
/// sentence at or above the threshold, or else the single most likely
/// sentence if it reaches the fallback level. Questions are never the thesis.
pub fn decode_thesis(
    p: &[f32],
    labels: &[Option<Label>],
    threshold: f32,
    fallback: f32,
) -> Vec<bool> {
    let ok = |i: usize| labels.get(i).copied().flatten() != Some(Label::Question);
    let mut out: Vec<bool> = (0..p.len()).map(|i| ok(i) && p[i] >= threshold).collect();
    if !out.iter().any(|&x| x) {
        let best = (0..p.len())
            .filter(|&i| ok(i))
            .max_by(|&a, &b| p[a].total_cmp(&p[b]));
        if let Some(b) = best {
            if p[b] >= fallback {
                out[b] = true;
            }
        }
    }
    out
}

/// Adds a restated thesis to the per-essay decision `thesis` (see
/// [`DecodeConfig::thesis_restate`]): when exactly one of the first and last
/// paragraphs (`paragraph` per sentence) holds a thesis sentence, the other's
/// most likely non-question sentence becomes one if its probability in `p`
/// reaches `level`.
pub fn restate_thesis(
    p: &[f32],
    labels: &[Option<Label>],
    paragraph: &[usize],
    level: f32,
    thesis: &mut [bool],
) {
    let n = p.len().min(paragraph.len()).min(thesis.len());
    if n == 0 || level > 1.0 {
        return;
    }
    let (first, last) = (paragraph[0], paragraph[n - 1]);
    let holds = |para: usize| (0..n).any(|i| paragraph[i] == para && thesis[i]);
    let other = match (holds(first), holds(last)) {
        (true, false) if first != last => last,
        (false, true) if first != last => first,
        _ => return,
    };
    let best = (0..n)
        .filter(|&i| {
            paragraph[i] == other && labels.get(i).copied().flatten() != Some(Label::Question)
        })
        .max_by(|&a, &b| p[a].total_cmp(&p[b]));
    if let Some(b) = best {
        if p[b] >= level {
            thesis[b] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thesis_stated_at_one_end_is_restated_at_the_other() {
        let c = Some(Label::Claim);
        let l = [c, c, Some(Label::Question), c, c];
        let para = [0, 0, 1, 2, 2];
        let p = [0.9, 0.1, 0.8, 0.05, 0.2];
        let run = |level: f32, mut t: Vec<bool>| {
            restate_thesis(&p, &l, &para, level, &mut t);
            t
        };
        let intro_only = vec![true, false, false, false, false];
        // The conclusion's best sentence (0.2) reaches 0.15, not 0.25 or "never".
        assert_eq!(
            run(0.15, intro_only.clone()),
            [true, false, false, false, true]
        );
        assert_eq!(run(0.25, intro_only.clone()), intro_only);
        assert_eq!(run(NO_RESTATE, intro_only.clone()), intro_only);
        // Nothing to restate when both or neither end holds the thesis.
        let both = vec![true, false, false, false, true];
        assert_eq!(run(0.01, both.clone()), both);
        let middle = vec![false, false, true, false, false];
        assert_eq!(run(0.01, middle.clone()), middle);
        // A question is never the restated thesis, however likely.
        let q = Some(Label::Question);
        let mut t = vec![false, false, false, true, false];
        restate_thesis(
            &[0.9, 0.3, 0.1, 0.9, 0.1],
            &[q, c, c, c, c],
            &para,
            0.2,
            &mut t,
        );
        assert_eq!(t, [false, true, false, true, false]);
        // One paragraph: no other end.
        let mut one = vec![true, false];
        restate_thesis(&[0.9, 0.5], &[c, c], &[0, 0], 0.1, &mut one);
        assert_eq!(one, [true, false]);
    }

    #[test]
    fn thesis_decoding_falls_back_to_best_non_question() {
        let l = [
            Some(Label::Question),
            Some(Label::Claim),
            Some(Label::Other),
        ];
        assert_eq!(
            decode_thesis(&[0.4, 0.3, 0.1], &l, 0.5, 0.05),
            [false, true, false]
        );
        assert_eq!(
            decode_thesis(&[0.9, 0.6, 0.7], &l, 0.5, 0.05),
            [false, true, true]
        );
        assert_eq!(
            decode_thesis(&[0.01, 0.01, 0.02], &l, 0.5, 0.05),
            [false, false, false]
        );
    }
}
