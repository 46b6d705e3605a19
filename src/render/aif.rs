//! xAIF: the Argument Interchange Format JSON read by arg-tech's tools
//! (AIFdb, OVA, AMF and the `xaif` Python package).
//!
//! Each map node becomes a locution (`L`, the sentence as written) anchored by
//! an illocution (`YA`: "Asserting", or "Pure Questioning" for the issue) to a
//! proposition (`I`). Support is `I -> RA -> I` ("Default Inference"), attack
//! `I -> CA -> I` ("Default Conflict"), the names the `xaif` package expects.
//! The thesis answering the issue is dialogical, not inferential, so it is a
//! transition between the two locutions (`L -> TA -> L`, "Default Transition").
//!
//! Node ids count from 1 (the `xaif` package treats id 0 as missing). The text
//! goes in `text.txt` with each locution wrapped in
//! `<span class="highlighted" id="NODEID">`, as OVA displays it. What AIF has
//! no slot for (roles, thesis, offsets, stance, confidences) goes under the
//! extension key `essaymap`.
//!
//! The document is built from typed structs that borrow the essay's text, not
//! as a `serde_json::Value` tree: on a 5 MB essay the tree took about 700 MB.
//! Fields are declared in sorted order, the order the tree printed them in.

use super::{out_err, Analysis, Renderer};
use crate::argument::Relation;
use crate::argument::{NodeKind, Stance};
use crate::document::Label;
use crate::error::Result;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

/// xAIF JSON renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct AifRenderer;

fn escape_html(s: &str) -> String {
    super::html::escape(s)
}

impl Renderer for AifRenderer {
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, &to_xaif(a))
            .map_err(|e| out_err(std::io::Error::other(e)))?;
        writeln!(out).map_err(out_err)
    }
}

/// An xAIF document, borrowing its texts from the [`Analysis`].
#[derive(Serialize)]
pub struct Xaif<'a> {
    #[serde(rename = "AIF")]
    aif: Aif<'a>,
    #[serde(rename = "OVA")]
    ova: Ova,
    dialog: bool,
    essaymap: Extension<'a>,
    text: Txt,
}

#[derive(Serialize)]
struct Aif<'a> {
    descriptorfulfillments: [(); 0],
    edges: Vec<AifEdge>,
    locutions: Vec<Locution>,
    nodes: Vec<AifNode<'a>>,
    participants: [Participant; 1],
    schemefulfillments: [(); 0],
}

#[derive(Serialize)]
struct AifNode<'a> {
    #[serde(rename = "nodeID")]
    node_id: u64,
    text: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct AifEdge {
    #[serde(rename = "edgeID")]
    edge_id: u64,
    #[serde(rename = "fromID")]
    from_id: u64,
    #[serde(rename = "toID")]
    to_id: u64,
}

#[derive(Serialize)]
struct Locution {
    #[serde(rename = "nodeID")]
    node_id: u64,
    #[serde(rename = "personID")]
    person_id: u64,
}

#[derive(Serialize)]
struct Participant {
    firstname: &'static str,
    #[serde(rename = "participantID")]
    participant_id: u64,
    surname: &'static str,
}

/// OVA's own layout block, left empty.
#[derive(Serialize)]
struct Ova {
    edges: [(); 0],
    firstname: &'static str,
    nodes: [(); 0],
    surname: &'static str,
    url: &'static str,
}

#[derive(Serialize)]
struct Txt {
    txt: String,
}

/// What xAIF has no slot for.
#[derive(Serialize)]
struct Extension<'a> {
    edges: Vec<ExtEdge>,
    id: &'a Option<String>,
    nodes: Vec<ExtNode>,
    title: &'a Option<String>,
}

/// A map node: its L and I node ids and, for a sentence, where it is and
/// how the classifier labelled it.
#[derive(Serialize)]
struct ExtNode {
    #[serde(rename = "I")]
    i: u64,
    #[serde(rename = "L")]
    l: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<usize>,
    id: i64,
    kind: NodeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paragraph: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sentence: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stance: Option<Stance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<usize>,
    thesis: bool,
}

/// A map edge and the RA / CA / TA node that carries it.
#[derive(Serialize)]
struct ExtEdge {
    confidence: f64,
    node: u64,
    relation: Relation,
    source: i64,
    target: i64,
}

/// The xAIF document of `a`.
pub fn to_xaif(a: &Analysis) -> Xaif<'_> {
    let mut nodes: Vec<AifNode<'_>> = Vec::new();
    let mut edges: Vec<AifEdge> = Vec::new();
    let mut locutions: Vec<Locution> = Vec::new();
    let mut ext_nodes: Vec<ExtNode> = Vec::new();
    let mut next_id: u64 = 1;
    let mut new_id = || {
        let id = next_id;
        next_id += 1;
        id
    };
    let edge = |edges: &mut Vec<AifEdge>, from_id: u64, to_id: u64| {
        edges.push(AifEdge {
            edge_id: edges.len() as u64 + 1,
            from_id,
            to_id,
        });
    };
    let node = |node_id: u64, text, kind| AifNode {
        node_id,
        text,
        kind,
    };
    // map node id -> (L node id, I node id)
    let mut ids: HashMap<i64, (u64, u64)> = HashMap::new();
    for n in &a.map.nodes {
        let text = a.node_text(n);
        let (l, ya, i) = (new_id(), new_id(), new_id());
        let illocution = if n.kind == NodeKind::Issue {
            "Pure Questioning"
        } else {
            "Asserting"
        };
        nodes.push(node(l, text, "L"));
        nodes.push(node(ya, illocution, "YA"));
        nodes.push(node(i, text, "I"));
        edge(&mut edges, l, ya);
        edge(&mut edges, ya, i);
        locutions.push(Locution {
            node_id: l,
            person_id: 1,
        });
        ids.insert(n.id, (l, i));
        let sentence = usize::try_from(n.id)
            .ok()
            .and_then(|k| a.doc.sentences.get(k));
        ext_nodes.push(ExtNode {
            i,
            l,
            confidence: sentence.and_then(|s| s.confidence).map(f64::from),
            end: sentence.map(|s| s.end),
            id: n.id,
            kind: n.kind,
            label: sentence.and_then(|s| s.label),
            paragraph: sentence.map(|s| s.paragraph),
            sentence: sentence.map(|s| s.index),
            stance: n.stance,
            start: sentence.map(|s| s.start),
            thesis: n.kind == NodeKind::Thesis,
        });
    }
    let mut ext_edges = Vec::new();
    for e in &a.map.edges {
        let (Some(&(sl, si)), Some(&(tl, ti))) = (ids.get(&e.source), ids.get(&e.target)) else {
            continue;
        };
        let s_node = new_id();
        let (kind, text, from, to) = match e.relation {
            Relation::Supports => ("RA", "Default Inference", si, ti),
            Relation::Attacks => ("CA", "Default Conflict", si, ti),
            // Answering is a dialogue move between locutions, target first.
            Relation::Answers => ("TA", "Default Transition", tl, sl),
        };
        nodes.push(node(s_node, text, kind));
        edge(&mut edges, from, s_node);
        edge(&mut edges, s_node, to);
        ext_edges.push(ExtEdge {
            confidence: f64::from(e.confidence),
            node: s_node,
            relation: e.relation,
            source: e.source,
            target: e.target,
        });
    }
    Xaif {
        aif: Aif {
            descriptorfulfillments: [],
            edges,
            locutions,
            nodes,
            participants: [Participant {
                firstname: "Essay",
                participant_id: 1,
                surname: "Author",
            }],
            schemefulfillments: [],
        },
        ova: Ova {
            edges: [],
            firstname: "",
            nodes: [],
            surname: "",
            url: "",
        },
        dialog: false,
        essaymap: Extension {
            edges: ext_edges,
            id: &a.doc.id,
            nodes: ext_nodes,
            title: &a.doc.title,
        },
        text: Txt {
            txt: span_text(a, &ids),
        },
    }
}

/// The essay as OVA shows it: HTML-escaped, locutions wrapped in spans carrying
/// their L node id, paragraphs separated by `<br><br>`.
fn span_text(a: &Analysis, ids: &HashMap<i64, (u64, u64)>) -> String {
    let mut t = String::new();
    if let (Some(title), Some(&(l, _))) = (&a.doc.title, ids.get(&crate::argument::ISSUE_ID)) {
        t.push_str(&format!(
            "<span class=\"highlighted\" id=\"{l}\">{}</span><br><br>",
            escape_html(title)
        ));
    }
    for s in &a.doc.sentences {
        if s.index > 0 && s.position_in_paragraph == 0 {
            t.push_str("<br><br>");
        } else if s.index > 0 {
            t.push(' ');
        }
        match ids.get(&(s.index as i64)) {
            Some(&(l, _)) => t.push_str(&format!(
                "<span class=\"highlighted\" id=\"{l}\">{}</span>",
                escape_html(&s.text)
            )),
            None => t.push_str(&escape_html(&s.text)),
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn relations_go_through_ra_and_ca_nodes() {
        let a = fixture::analysis();
        let v = serde_json::to_value(to_xaif(&a)).unwrap();
        let nodes = v["AIF"]["nodes"].as_array().unwrap();
        let edges = v["AIF"]["edges"].as_array().unwrap();
        let ty = |id: &Value| {
            nodes
                .iter()
                .find(|n| &n["nodeID"] == id)
                .map(|n| n["type"].as_str().unwrap().to_string())
                .unwrap()
        };
        let count = |t: &str| nodes.iter().filter(|n| n["type"] == t).count();
        let supports = a
            .map
            .edges
            .iter()
            .filter(|e| e.relation == Relation::Supports)
            .count();
        let attacks = a
            .map
            .edges
            .iter()
            .filter(|e| e.relation == Relation::Attacks)
            .count();
        assert_eq!(count("RA"), supports);
        assert_eq!(count("CA"), attacks);
        assert_eq!(count("TA"), 1);
        assert_eq!(count("L"), a.map.nodes.len());
        assert_eq!(count("YA"), a.map.nodes.len());
        // Every RA/CA has one I in and one I out.
        for n in nodes
            .iter()
            .filter(|n| n["type"] == "RA" || n["type"] == "CA")
        {
            let ins: Vec<String> = edges
                .iter()
                .filter(|e| e["toID"] == n["nodeID"])
                .map(|e| ty(&e["fromID"]))
                .collect();
            let outs: Vec<String> = edges
                .iter()
                .filter(|e| e["fromID"] == n["nodeID"])
                .map(|e| ty(&e["toID"]))
                .collect();
            assert_eq!((ins, outs), (vec!["I".to_string()], vec!["I".to_string()]));
        }
        assert!(nodes.iter().all(|n| n["nodeID"].as_u64().unwrap() >= 1));
        let txt = v["text"]["txt"].as_str().unwrap();
        assert!(
            txt.contains("<span class=\"highlighted\" id=\"1\">Should school start later?</span>")
        );
        assert!(txt.contains("&lt;less&gt;") && txt.contains("&amp;"));
        assert_eq!(v["AIF"]["schemefulfillments"], json!([]));
    }
}
