//! Mermaid flowchart: paste into any Markdown viewer that renders ```mermaid
//! blocks (GitHub, GitLab, Obsidian) or the Mermaid live editor.
//!
//! `flowchart BT` so evidence sits at the bottom and the issue on top. Nodes get
//! a class per kind (the shared palette); supports are `-->`, attacks `-.->`
//! drawn red, answers `==>`. Labels are quoted strings in which Mermaid reads
//! `#name;` entities, so `"`, `#`, `<`, `>` and `&` are written as entities and
//! can neither end the label nor be taken as markup.

use super::{node_name, out_err, palette, relation_colour, shorten, wrap, Analysis, Renderer};
use crate::argument::NodeKind;
use crate::argument::Relation;
use crate::error::Result;
use std::io::Write;

/// Mermaid flowchart renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct MermaidRenderer;

/// `s` safe inside a quoted Mermaid label.
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("#quot;"),
            '#' => o.push_str("#35;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '&' => o.push_str("#amp;"),
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

fn mid(id: i64) -> String {
    if id < 0 {
        "issue".to_string()
    } else {
        format!("s{id}")
    }
}

impl Renderer for MermaidRenderer {
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()> {
        let mut s = String::from("flowchart BT\n");
        for n in &a.map.nodes {
            let lines: Vec<String> = wrap(&shorten(a.node_text(n), 120), 40)
                .iter()
                .map(|l| escape(l))
                .collect();
            s.push_str(&format!(
                "  {}[\"<b>{}</b><br/>{}\"]\n",
                mid(n.id),
                escape(&node_name(n)),
                lines.join("<br/>")
            ));
        }
        for e in &a.map.edges {
            let arrow = match e.relation {
                Relation::Supports => "-->",
                Relation::Attacks => "-.->",
                Relation::Answers => "==>",
            };
            s.push_str(&format!(
                "  {} {arrow}|{}| {}\n",
                mid(e.source),
                e.relation,
                mid(e.target)
            ));
        }
        for k in [
            NodeKind::Issue,
            NodeKind::Thesis,
            NodeKind::Claim,
            NodeKind::Evidence,
        ] {
            let (fill, border, _) = palette(k);
            s.push_str(&format!(
                "  classDef {} fill:{fill},stroke:{border},color:#212121\n",
                k.as_str()
            ));
            let ids: Vec<String> = a
                .map
                .nodes
                .iter()
                .filter(|n| n.kind == k)
                .map(|n| mid(n.id))
                .collect();
            if !ids.is_empty() {
                s.push_str(&format!("  class {} {};\n", ids.join(","), k.as_str()));
            }
        }
        // No `;` after a colour: Mermaid reads `#5e35b1;` as an entity code
        // and then fails to parse the style (checked by scripts/ci/check_mermaid.sh).
        for (i, e) in a.map.edges.iter().enumerate() {
            s.push_str(&format!(
                "  linkStyle {i} stroke:{},color:{}\n",
                relation_colour(e.relation),
                relation_colour(e.relation)
            ));
        }
        out.write_all(s.as_bytes()).map_err(out_err)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn labels_cannot_break_out() {
        assert_eq!(
            escape("a \"b\" <c> & #d"),
            "a #quot;b#quot; #lt;c#gt; #amp; #35;d"
        );
    }

    #[test]
    fn flowchart_has_nodes_edges_and_classes() {
        let a = fixture::analysis();
        let mut out = Vec::new();
        MermaidRenderer.render(&a, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("flowchart BT\n"));
        assert!(s.contains("s2 -.->|attacks| s0"));
        assert!(s.contains("s0 ==>|answers| issue"));
        assert!(s.contains("class s0 thesis;"));
        assert!(s.contains("#quot;early starts#quot;"));
        assert!(s.contains("#lt;less#gt;"));
        assert_eq!(s.matches("linkStyle").count(), a.map.edges.len());
        for line in s.lines().filter(|l| l.contains("[\"")) {
            assert_eq!(line.matches('"').count(), 2, "{line}");
        }
    }
}
