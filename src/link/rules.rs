//! The rule baseline: each evidence sentence supports the nearest claim of its
//! paragraph (the preceding one on a tie, as claims usually come first), and
//! every other claim supports the main thesis.
//!
//! It exists to be measured against: the learned linker must beat it (see
//! `train::links_eval`). It never predicts `attacks`.

use super::features::Role;
use super::{main_thesis, Linker};
use crate::argument::{Link, Relation};
use crate::document::Document;

/// Nearest-claim-in-paragraph rule linker.
#[derive(Debug, Clone, Copy, Default)]
pub struct NearestClaimLinker;

impl Linker for NearestClaimLinker {
    fn link(&self, doc: &Document) -> Vec<Link> {
        let n = doc.sentences.len();
        let roles: Vec<Role> = (0..n).map(|i| Role::of(doc, i)).collect();
        let thesis = main_thesis(doc);
        let mut out = Vec::new();
        for s in &doc.sentences {
            let i = s.index;
            match roles[i] {
                Role::Evidence => {
                    let nearest = doc
                        .sentences
                        .iter()
                        .filter(|t| t.paragraph == s.paragraph && roles[t.index].is_claim())
                        .min_by_key(|t| (t.index.abs_diff(i), t.index > i))
                        .map(|t| t.index);
                    if let Some(t) = nearest {
                        out.push(Link {
                            source: i,
                            target: t,
                            relation: Relation::Supports,
                            confidence: 1.0,
                        });
                    }
                }
                Role::Claim | Role::Thesis => {
                    if let Some(t) = thesis.filter(|&t| t != i) {
                        out.push(Link {
                            source: i,
                            target: t,
                            relation: Relation::Supports,
                            confidence: 1.0,
                        });
                    }
                }
                Role::None => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Label;
    use crate::segment::{self, RuleSegmenter};

    #[test]
    fn evidence_supports_nearest_claim_and_claims_support_thesis() {
        let mut d = segment::document(
            &RuleSegmenter::default(),
            None,
            None,
            "Uniforms help. They cut costs.\n\nThey save time. Mornings are calm. Less choice \
             helps. Focus is key."
                .to_string(),
        );
        let labels = [
            Label::Claim,
            Label::Evidence,
            Label::Evidence,
            Label::Claim,
            Label::Evidence,
            Label::Claim,
        ];
        for (s, l) in d.sentences.iter_mut().zip(labels) {
            s.label = Some(l);
        }
        d.sentences[0].thesis = Some(true);
        let got: Vec<(usize, usize)> = NearestClaimLinker
            .link(&d)
            .iter()
            .map(|l| (l.source, l.target))
            .collect();
        // Sentence 2 has no claim before it in its paragraph but one after.
        assert_eq!(got, [(1, 0), (2, 3), (3, 0), (4, 3), (5, 0)]);
    }
}
