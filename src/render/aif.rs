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

use super::{out_err, Analysis, Renderer};
use crate::error::Result;
use crate::link::Relation;
use crate::map::NodeKind;
use serde_json::{json, Value};
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
        let v = to_xaif(a);
        serde_json::to_writer_pretty(&mut *out, &v)
            .map_err(|e| out_err(std::io::Error::other(e)))?;
        writeln!(out).map_err(out_err)
    }
}

/// The xAIF document of `a`.
pub fn to_xaif(a: &Analysis) -> Value {
    let mut nodes: Vec<Value> = Vec::new();
    let mut edges: Vec<Value> = Vec::new();
    let mut locutions: Vec<Value> = Vec::new();
    let mut ext_nodes: Vec<Value> = Vec::new();
    let mut next_id: u64 = 1;
    let mut new_id = || {
        let id = next_id;
        next_id += 1;
        id
    };
    let mut edge_id: u64 = 1;
    let mut edge = |edges: &mut Vec<Value>, from: u64, to: u64| {
        edges.push(json!({"edgeID": edge_id, "fromID": from, "toID": to}));
        edge_id += 1;
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
        nodes.push(json!({"nodeID": l, "text": text, "type": "L"}));
        nodes.push(json!({"nodeID": ya, "text": illocution, "type": "YA"}));
        nodes.push(json!({"nodeID": i, "text": text, "type": "I"}));
        edge(&mut edges, l, ya);
        edge(&mut edges, ya, i);
        locutions.push(json!({"nodeID": l, "personID": 1}));
        ids.insert(n.id, (l, i));
        let sentence = usize::try_from(n.id)
            .ok()
            .and_then(|k| a.doc.sentences.get(k));
        let mut x = json!({
            "L": l, "I": i, "id": n.id, "kind": n.kind,
            "thesis": n.kind == NodeKind::Thesis,
        });
        if let Some(s) = sentence {
            x["sentence"] = json!(s.index);
            x["start"] = json!(s.start);
            x["end"] = json!(s.end);
            x["paragraph"] = json!(s.paragraph);
            if let Some(l) = s.label {
                x["label"] = json!(l);
            }
            if let Some(c) = s.confidence {
                x["confidence"] = json!(c);
            }
        }
        if let Some(st) = n.stance {
            x["stance"] = json!(st);
        }
        ext_nodes.push(x);
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
        nodes.push(json!({"nodeID": s_node, "text": text, "type": kind}));
        edge(&mut edges, from, s_node);
        edge(&mut edges, s_node, to);
        ext_edges.push(json!({
            "node": s_node, "source": e.source, "target": e.target,
            "relation": e.relation, "confidence": e.confidence,
        }));
    }
    json!({
        "AIF": {
            "nodes": nodes,
            "edges": edges,
            "locutions": locutions,
            "participants": [{"participantID": 1, "firstname": "Essay", "surname": "Author"}],
            "schemefulfillments": [],
            "descriptorfulfillments": [],
        },
        "text": {"txt": span_text(a, &ids)},
        "dialog": false,
        "OVA": {"firstname": "", "surname": "", "url": "", "nodes": [], "edges": []},
        "essaymap": {
            "id": a.doc.id,
            "title": a.doc.title,
            "nodes": ext_nodes,
            "edges": ext_edges,
        },
    })
}

/// The essay as OVA shows it: HTML-escaped, locutions wrapped in spans carrying
/// their L node id, paragraphs separated by `<br><br>`.
fn span_text(a: &Analysis, ids: &HashMap<i64, (u64, u64)>) -> String {
    let mut t = String::new();
    if let (Some(title), Some(&(l, _))) = (&a.doc.title, ids.get(&crate::map::ISSUE_ID)) {
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

    #[test]
    fn relations_go_through_ra_and_ca_nodes() {
        let a = fixture::analysis();
        let v = to_xaif(&a);
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
