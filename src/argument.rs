//! The argument's data model, shared by the stages after segmentation: what
//! the linker finds ([`Link`]s between sentences, each a [`Relation`]), what
//! the grader reads (the same links), and the [`ArgumentMap`] the map stage
//! builds and the renderers draw ([`Node`]s of a [`NodeKind`], a claim's
//! [`Stance`], [`Edge`]s between node ids).
//!
//! Two edge types, because they join different things: a [`Link`] joins two
//! sentences (indices); a map [`Edge`] joins two nodes, and one node, the
//! issue, may be the title rather than a sentence (id [`ISSUE_ID`]).

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// What an edge of the argument map says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// The source backs the target.
    Supports,
    /// The source argues against the target.
    Attacks,
    /// The thesis answers the issue (the essay's question).
    Answers,
}

impl Relation {
    /// The relation's name as written in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Supports => "supports",
            Relation::Attacks => "attacks",
            Relation::Answers => "answers",
        }
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A link between two sentences of one document: what the linker finds and
/// the grader reads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Index of the source sentence.
    pub source: usize,
    /// Index of the target sentence.
    pub target: usize,
    /// What the source does to the target.
    pub relation: Relation,
    /// The model's probability for this link and relation (1.0 for rules).
    pub confidence: f32,
}

impl Link {
    /// A link given by rule or gold annotation (confidence 1).
    pub fn new(source: usize, target: usize, relation: Relation) -> Self {
        Link {
            source,
            target,
            relation,
            confidence: 1.0,
        }
    }

    /// The sentence-to-sentence edges of an argument map as links (edges to
    /// or from the issue node, which is not a sentence, are left out).
    pub fn from_map(map: &ArgumentMap) -> Vec<Link> {
        map.edges
            .iter()
            .filter_map(|e| {
                let source = usize::try_from(e.source).ok()?;
                let target = usize::try_from(e.target).ok()?;
                Some(Link {
                    source,
                    target,
                    relation: e.relation,
                    confidence: e.confidence,
                })
            })
            .collect()
    }
}

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

    #[test]
    fn relation_names_match_json() {
        for r in [Relation::Supports, Relation::Attacks, Relation::Answers] {
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{r}\""));
        }
    }

    #[test]
    fn map_links_keep_sentence_ends_and_confidence() {
        let map = ArgumentMap {
            nodes: Vec::new(),
            edges: vec![
                Edge {
                    source: 2,
                    target: 1,
                    relation: Relation::Attacks,
                    confidence: 0.7,
                },
                Edge {
                    source: 1,
                    target: ISSUE_ID,
                    relation: Relation::Answers,
                    confidence: 1.0,
                },
            ],
        };
        let links = Link::from_map(&map);
        assert_eq!(links.len(), 1);
        assert_eq!((links[0].source, links[0].target), (2, 1));
        assert_eq!(links[0].relation, Relation::Attacks);
        assert_eq!(links[0].confidence, 0.7);
        assert_eq!(Link::new(3, 0, Relation::Supports).confidence, 1.0);
    }
}
