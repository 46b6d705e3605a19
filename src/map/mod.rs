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
//! A sentence labelled `other` that the linker chose as the target of evidence
//! (it does so only when the classifier gave it a fair P(claim)) is shown as a
//! claim, so no link is lost from the map.
//!
//! Building is a plain function ([`ArgumentMap::build`]) over the document and
//! the links: it never re-runs a model.

use crate::document::{Document, Label};
use crate::link::{main_thesis, stated_thesis, Link, Relation};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Node id of the issue when it is the title rather than a sentence.
pub const ISSUE_ID: i64 = -1;

/// What a node of the map is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// The question the essay answers.
    Issue,
    /// The essay's position.
    Thesis,
    /// A claim backing or attacking the thesis.
    Claim,
    /// Evidence backing or attacking a claim or other evidence.
    Evidence,
}

impl NodeKind {
    /// The kind's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Issue => "issue",
            NodeKind::Thesis => "thesis",
            NodeKind::Claim => "claim",
            NodeKind::Evidence => "evidence",
        }
    }
}

/// A claim's stance towards the thesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    /// Argues for the thesis.
    For,
    /// A counter-argument.
    Against,
}

/// A node: a sentence, or the title as issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Sentence index, or [`ISSUE_ID`] for the title.
    pub id: i64,
    /// What the node is.
    pub kind: NodeKind,
    /// The node's text when it is not a sentence (the title).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// Stance of a claim towards the thesis.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stance: Option<Stance>,
}

/// A directed edge.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Source node id.
    pub source: i64,
    /// Target node id.
    pub target: i64,
    /// What the source does to the target.
    pub relation: Relation,
    /// Probability of the edge (1.0 when given by rule).
    pub confidence: f32,
}

/// The argument map of one essay.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArgumentMap {
    /// Issue first, then sentences in text order.
    pub nodes: Vec<Node>,
    /// Edges ordered by source.
    pub edges: Vec<Edge>,
}

impl ArgumentMap {
    /// Builds the map of `doc` from its `links`. Links whose ends are not
    /// thesis/claim/evidence sentences of `doc` are dropped.
    pub fn build(doc: &Document, links: &[Link]) -> ArgumentMap {
        let thesis = main_thesis(doc);
        // Indexed once: an essay without paragraphs can have thousands of links.
        let mut evidence_targets = vec![false; doc.sentences.len()];
        for l in links {
            if doc.sentences.get(l.source).and_then(|s| s.label) == Some(Label::Evidence) {
                if let Some(t) = evidence_targets.get_mut(l.target) {
                    *t = true;
                }
            }
        }
        let evidence_target = |i: usize| evidence_targets.get(i).copied().unwrap_or(false);
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
                    // The linker may hang evidence on a sentence the classifier
                    // labelled other but found claim-like: it acts as a claim.
                    Some(Label::Other) if evidence_target(i) => Some(NodeKind::Claim),
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

    /// The node with id `id`.
    pub fn node(&self, id: i64) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The edge leaving `id`, if any (each node has at most one).
    pub fn parent(&self, id: i64) -> Option<&Edge> {
        self.edges.iter().find(|e| e.source == id)
    }

    /// Ids of the nodes with an edge into `id`, in text order.
    pub fn children(&self, id: i64) -> Vec<i64> {
        let mut c: Vec<i64> = self
            .edges
            .iter()
            .filter(|e| e.target == id)
            .map(|e| e.source)
            .collect();
        c.sort_unstable();
        c
    }

    /// Ids of nodes without an outgoing edge: the tops of the forest.
    pub fn roots(&self) -> Vec<i64> {
        let sources: HashSet<i64> = self.edges.iter().map(|e| e.source).collect();
        self.nodes
            .iter()
            .map(|n| n.id)
            .filter(|id| !sources.contains(id))
            .collect()
    }

    /// Constant-time lookups by node id, for walking the whole map.
    pub fn index(&self) -> MapIndex<'_> {
        let mut parents = HashMap::new();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        for e in &self.edges {
            parents.entry(e.source).or_insert(e);
            children.entry(e.target).or_default().push(e.source);
        }
        for c in children.values_mut() {
            c.sort_unstable();
        }
        MapIndex {
            nodes: self.nodes.iter().map(|n| (n.id, n)).collect(),
            parents,
            children,
        }
    }
}

/// An [`ArgumentMap`] with its nodes, parents and children indexed by id
/// ([`ArgumentMap::index`]). The map's own lookups scan it, which is fine for
/// one question but quadratic for a renderer that asks about every node of a
/// map of thousands (a long text without paragraphs).
#[derive(Debug)]
pub struct MapIndex<'a> {
    nodes: HashMap<i64, &'a Node>,
    parents: HashMap<i64, &'a Edge>,
    children: HashMap<i64, Vec<i64>>,
}

impl<'a> MapIndex<'a> {
    /// As [`ArgumentMap::node`].
    pub fn node(&self, id: i64) -> Option<&'a Node> {
        self.nodes.get(&id).copied()
    }

    /// As [`ArgumentMap::parent`].
    pub fn parent(&self, id: i64) -> Option<&'a Edge> {
        self.parents.get(&id).copied()
    }

    /// As [`ArgumentMap::children`].
    pub fn children(&self, id: i64) -> &[i64] {
        self.children.get(&id).map_or(&[], Vec::as_slice)
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
