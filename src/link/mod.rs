//! Stage 4: who backs whom. Labelled sentences -> [`Link`]s.
//!
//! Input is a [`Document`] whose sentences carry roles (`label`) and the thesis
//! flag; output is one [`Link`] per linked sentence:
//!
//! - every **evidence** sentence gets at most one link, to a claim or evidence
//!   sentence of its own paragraph, `supports` or `attacks`;
//! - every **claim** that is not the main thesis gets a link to the main thesis,
//!   `supports` when it argues for the essay's position and `attacks` when it is a
//!   counter-argument (its stance); restatements of the thesis support it.
//!
//! [`LearnedLinker`] is the product: three small linear models over hashed
//! features (`features`) trained on gold relations (`train::links`): a pairwise
//! attachment model (softmax over the candidate targets of a source, plus a
//! "no target" option), a support/attack classifier for each chosen link, and a
//! stance classifier for claims. Decoding is per paragraph and keeps the links a
//! forest: candidate links are taken greedily by probability (those of "no
//! target" and of claim targets scaled by factors tuned on dev; a link's
//! confidence stays the unscaled probability) and one that would close a cycle
//! is skipped, so each source has one target and following targets always ends
//! at a claim. [`NearestClaimLinker`] is the rule baseline (each
//! evidence sentence supports the nearest claim of its paragraph, every claim
//! supports the thesis) that the learned model is measured against (`train::links_eval`).
//!
//! The stance classifier also screens sentences the role classifier called
//! evidence or other: one clearly against the thesis is a counter-argument, a
//! claim attacking the thesis. A body paragraph holding evidence but no claim
//! gets its most claim-like sentence as its claim (when its P(claim) reaches
//! [`PARAGRAPH_CLAIM_MIN`]): the evidence backs something the classifier
//! missed, and the claim count would miss it too. [`Linker::link`] only reads the document;
//! [`Linker::link_labelled`] also relabels as claims such sentences, those
//! paragraph claims, and those labelled other that evidence was linked to (the
//! attachment model may pick a sentence with a fair P(claim)), so that every later stage sees the
//! claims the links treat as claims. The [`crate::map`] stage turns links into
//! the argument map with its issue node.

pub(crate) mod features;
pub(crate) mod model;
mod rules;
mod text;

pub use model::{LearnedLinker, LinkModel, ModelInfo, PARAGRAPH_CLAIM_MIN};
pub use rules::NearestClaimLinker;

use crate::argument::Link;
use crate::document::Document;

/// Finds the links of a labelled document.
pub trait Linker: Send + Sync {
    /// Links of `doc`, at most one per source sentence, forming a forest.
    fn link(&self, doc: &Document) -> Vec<Link>;

    /// Links of `doc`, relabelling as claims the sentences this linker treats
    /// as claims although the role classifier did not (counter-arguments it
    /// missed, targets of evidence); their scores stay the classifier's. The
    /// default finds none.
    fn link_labelled(&self, doc: &mut Document) -> Vec<Link> {
        self.link(doc)
    }
}

/// The first sentence of `doc` flagged as stating the thesis, if any.
pub fn stated_thesis(doc: &Document) -> Option<usize> {
    doc.sentences
        .iter()
        .find(|s| s.thesis == Some(true))
        .map(|s| s.index)
}

/// The sentence the claims of `doc` point at: the [`stated_thesis`], else the
/// first claim (an essay without a detected thesis still gets a root), else
/// none.
pub fn main_thesis(doc: &Document) -> Option<usize> {
    use crate::document::Label;
    stated_thesis(doc).or_else(|| {
        doc.sentences
            .iter()
            .find(|s| s.label == Some(Label::Claim))
            .map(|s| s.index)
    })
}

/// Keeps a set of links a forest: every sentence has at most one target and
/// no link closes a cycle.
///
/// A sentence without a target is the root of its tree, so `s -> t` closes a
/// cycle exactly when `t`'s tree is rooted at `s`. Trees are kept as
/// union-find sets that know their root, so the check costs near-constant time
/// however long the chains grow (a text with thousands of sentences).
pub(crate) struct Forest {
    /// Union-find parent; a representative maps to itself.
    set: Vec<usize>,
    /// For a representative: the root sentence of its tree.
    root: Vec<usize>,
}

impl Forest {
    pub(crate) fn new(n: usize) -> Self {
        Forest {
            set: (0..n).collect(),
            root: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.set[x] != x {
            self.set[x] = self.set[self.set[x]];
            x = self.set[x];
        }
        x
    }

    /// Sets `s -> t` unless `s` already has a target or the link would close a cycle.
    pub(crate) fn try_link(&mut self, s: usize, t: usize) -> bool {
        let n = self.set.len();
        if s == t || s >= n || t >= n {
            return false;
        }
        let (rs, rt) = (self.find(s), self.find(t));
        // `s` has a target unless it roots its tree; a cycle if it roots `t`'s.
        if self.root[rs] != s || self.root[rt] == s {
            return false;
        }
        // `s`'s tree now hangs under `t`'s root.
        self.set[rs] = rt;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forest_refuses_cycles_and_second_parents() {
        let mut f = Forest::new(4);
        assert!(f.try_link(1, 0));
        assert!(f.try_link(2, 1));
        assert!(!f.try_link(0, 2), "0 -> 2 -> 1 -> 0 is a cycle");
        assert!(!f.try_link(1, 3), "1 already has a target");
        assert!(!f.try_link(3, 3));
        assert!(!f.try_link(3, 9));
        assert!(f.try_link(3, 2));
    }

    #[test]
    fn forest_agrees_with_walking_up_the_chain() {
        // Reference: follow targets from `t`; reaching `s` means a cycle.
        let n = 30;
        let mut x: u64 = 7;
        let mut f = Forest::new(n);
        let mut parent: Vec<Option<usize>> = vec![None; n];
        for _ in 0..2000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let (s, t) = ((x >> 33) as usize % n, (x >> 17) as usize % n);
            let mut ok = s != t && parent[s].is_none();
            let mut cur = Some(t);
            while let (true, Some(c)) = (ok, cur) {
                ok = c != s;
                cur = parent[c];
            }
            if ok {
                parent[s] = Some(t);
            }
            assert_eq!(f.try_link(s, t), ok, "{s} -> {t}");
        }
        assert!(parent.iter().filter(|p| p.is_some()).count() > n / 2);
    }
}
