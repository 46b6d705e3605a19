//! Stage 5: links -> [`ArgumentMap`], the graph the renderers draw.
//!
//! Nodes are the essay's **issue** (its question), **thesis**, **claims** and
//! **evidence**; edges say what supports, attacks or answers what:
//!
//! - evidence -> claim/evidence: `supports` | `attacks` (from the linker);
//! - claim -> main thesis: `supports` (for) | `attacks` (counter-argument);
//!   restatements of the thesis `support` the main one;
//! - main thesis -> issue: `answers`.
//!
//! Node ids are sentence indices, so `source`/`target` in JSON point straight
//! into `sentences`. The issue is the title (prompt) when one is given, with the
//! id [`ISSUE_ID`] (`-1`, never a sentence index) and the title as its `text`;
//! otherwise it is the first question sentence of the introduction (its own
//! index); otherwise there is none. Ids stay numeric so consumers need no
//! special casing beyond "negative means not a sentence".
//!
//! A node's kind is its sentence's label (a thesis sentence is labelled
//! claim), so the map, the labels and the metrics agree by construction: the
//! link stage relabels as claims the sentences it treats as claims
//! (counter-arguments, the claim of a body paragraph the classifier left
//! without one, and sentences labelled `other` that evidence hangs on).
//!
//! Building is a plain function ([`ArgumentMap::build`]) over the document and
//! the links: it never re-runs a model.

use crate::argument::{ArgumentMap, Edge, Node, NodeKind, Stance, ISSUE_ID};
use crate::argument::{Link, Relation};
use crate::document::{Document, Label};
use crate::link::{main_thesis, stated_thesis};
use std::collections::HashSet;

impl ArgumentMap {
    /// Builds the map of `doc` from its `links`. Links whose ends are not
    /// thesis/claim/evidence sentences of `doc` are dropped.
    pub fn build(doc: &Document, links: &[Link]) -> ArgumentMap {
        let thesis = main_thesis(doc);
        let kind_of = |i: usize| -> Option<NodeKind> {
            let s = doc.sentences.get(i)?;
            // Only a sentence that states the thesis is drawn as one: when none
            // does, the first claim is the root the other claims hang on, but
            // stays a claim (the feedback reports the thesis as missing).
            if s.thesis == Some(true) {
                Some(NodeKind::Thesis)
            } else {
                match s.label {
                    Some(Label::Claim) => Some(NodeKind::Claim),
                    Some(Label::Evidence) => Some(NodeKind::Evidence),
                    _ => None,
                }
            }
        };
        let mut nodes = Vec::new();
        let issue: Option<(i64, f32)> = match doc.title.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => {
                nodes.push(Node {
                    id: ISSUE_ID,
                    kind: NodeKind::Issue,
                    text: Some(t.to_string()),
                    stance: None,
                });
                Some((ISSUE_ID, 1.0))
            }
            _ => doc
                .sentences
                .iter()
                .take_while(|s| s.paragraph == 0)
                .find(|s| s.label == Some(Label::Question))
                .map(|s| (s.index as i64, s.confidence.unwrap_or(1.0))),
        };
        let mut edges: Vec<Edge> = Vec::new();
        for l in links {
            let (Some(sk), Some(_)) = (kind_of(l.source), kind_of(l.target)) else {
                continue;
            };
            if sk == NodeKind::Issue || l.relation == Relation::Answers {
                continue;
            }
            edges.push(Edge {
                source: l.source as i64,
                target: l.target as i64,
                relation: l.relation,
                confidence: l.confidence,
            });
        }
        let against_thesis: HashSet<i64> = edges
            .iter()
            .filter(|e| {
                thesis.is_some_and(|t| e.target == t as i64) && e.relation == Relation::Attacks
            })
            .map(|e| e.source)
            .collect();
        for s in &doc.sentences {
            let id = s.index as i64;
            if let Some((issue_id, _)) = issue.filter(|(iid, _)| *iid == id) {
                nodes.push(Node {
                    id: issue_id,
                    kind: NodeKind::Issue,
                    text: None,
                    stance: None,
                });
                continue;
            }
            let Some(kind) = kind_of(s.index) else {
                continue;
            };
            let stance = (kind == NodeKind::Claim).then(|| {
                if against_thesis.contains(&id) {
                    Stance::Against
                } else {
                    Stance::For
                }
            });
            nodes.push(Node {
                id,
                kind,
                text: None,
                stance,
            });
        }
        if let (Some((issue_id, _)), Some(t)) = (issue, stated_thesis(doc)) {
            let confidence = doc
                .sentences
                .get(t)
                .and_then(|s| s.confidence)
                .unwrap_or(1.0);
            edges.push(Edge {
                source: t as i64,
                target: issue_id,
                relation: Relation::Answers,
                confidence,
            });
        }
        edges.sort_by_key(|e| e.source);
        ArgumentMap { nodes, edges }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{Linker, NearestClaimLinker};
    use crate::segment::{self, RuleSegmenter};

    fn labelled(title: Option<&str>, text: &str, labels: &[Label], thesis: usize) -> Document {
        let mut d = segment::document(
            &RuleSegmenter::default(),
            None,
            title.map(str::to_string),
            text.to_string(),
        );
        for (s, l) in d.sentences.iter_mut().zip(labels) {
            s.label = Some(*l);
        }
        d.sentences[thesis].thesis = Some(true);
        d
    }

    #[test]
    fn title_is_the_issue_with_a_negative_id() {
        let d = labelled(
            Some("Should homework be banned?"),
            "Homework should stay. It builds habits.\n\nIt teaches planning. Pupils who plan \
             do better.",
            &[Label::Claim, Label::Evidence, Label::Claim, Label::Evidence],
            0,
        );
        let m = ArgumentMap::build(&d, &NearestClaimLinker.link(&d));
        assert_eq!(m.nodes[0].id, ISSUE_ID);
        assert_eq!(
            m.nodes[0].text.as_deref(),
            Some("Should homework be banned?")
        );
        assert_eq!(m.node(0).unwrap().kind, NodeKind::Thesis);
        assert_eq!(m.node(2).unwrap().stance, Some(Stance::For));
        let answers = m.parent(0).unwrap();
        assert_eq!(
            (answers.target, answers.relation),
            (ISSUE_ID, Relation::Answers)
        );
        assert_eq!(m.children(0), [1, 2]);
        assert_eq!(m.roots(), [ISSUE_ID]);
        // The index answers as the map does, for every id and one that is absent.
        let ix = m.index();
        for id in m.nodes.iter().map(|n| n.id).chain([99]) {
            assert_eq!(ix.node(id), m.node(id));
            assert_eq!(ix.parent(id), m.parent(id));
            assert_eq!(ix.children(id), m.children(id));
        }
    }

    #[test]
    fn intro_question_is_the_issue_without_a_title() {
        let d = labelled(
            None,
            "Is homework useful? I think it is.\n\nIt builds habits.",
            &[Label::Question, Label::Claim, Label::Evidence],
            1,
        );
        let m = ArgumentMap::build(&d, &NearestClaimLinker.link(&d));
        assert_eq!(m.node(0).unwrap().kind, NodeKind::Issue);
        assert!(m
            .edges
            .iter()
            .any(|e| e.source == 1 && e.target == 0 && e.relation == Relation::Answers));
        // Evidence alone in its paragraph has no claim to back: no edge.
        assert!(m.parent(2).is_none());
    }

    #[test]
    fn unlabelled_document_gives_empty_map() {
        let d = segment::document(&RuleSegmenter::default(), None, None, "Just text.".into());
        let m = ArgumentMap::build(&d, &[]);
        assert!(m.nodes.is_empty() && m.edges.is_empty());
    }
}
