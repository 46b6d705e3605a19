//! Graphviz DOT: `essaymap analyze essay.txt --format dot | dot -Tsvg > map.svg`.
//!
//! Drawn bottom-up (`rankdir=BT`) so arrows point from evidence up to claims,
//! the thesis and the issue at the top. Nodes are filled by kind (the same
//! palette as the HTML view) and labelled "S3 claim" plus the sentence wrapped
//! at ~40 characters; edges are green solid (supports), red dashed (attacks) or
//! purple bold (answers). Labels are DOT quoted strings, so only `"`, `\` and
//! line breaks need escaping; the sentence text is never emitted unquoted.

use super::{node_name, out_err, palette, relation_colour, shorten, wrap, Analysis, Renderer};
use crate::argument::Relation;
use crate::error::Result;
use std::io::Write;

/// Graphviz DOT renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct DotRenderer;

/// `s` as the inside of a DOT quoted string.
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => {}
            c => o.push(c),
        }
    }
    o
}

fn dot_id(id: i64) -> String {
    if id < 0 {
        "issue".to_string()
    } else {
        format!("s{id}")
    }
}

impl Renderer for DotRenderer {
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()> {
        let mut s = String::new();
        let name = a.doc.id.as_deref().unwrap_or("essay");
        s.push_str(&format!("digraph \"{}\" {{\n", escape(name)));
        s.push_str("  rankdir=BT;\n  nodesep=0.3;\n  ranksep=0.5;\n");
        s.push_str(
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, \
             margin=\"0.15,0.08\"];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
        );
        for n in &a.map.nodes {
            let (fill, border, _) = palette(n.kind);
            let mut label = escape(&node_name(n));
            for line in wrap(&shorten(a.node_text(n), 160), 40) {
                label.push_str("\\n");
                label.push_str(&escape(&line));
            }
            s.push_str(&format!(
                "  {} [label=\"{label}\", fillcolor=\"{fill}\", color=\"{border}\"];\n",
                dot_id(n.id)
            ));
        }
        for e in &a.map.edges {
            let style = match e.relation {
                Relation::Supports => "solid",
                Relation::Attacks => "dashed",
                Relation::Answers => "bold",
            };
            let c = relation_colour(e.relation);
            s.push_str(&format!(
                "  {} -> {} [label=\"{} {:.2}\", color=\"{c}\", fontcolor=\"{c}\", style={style}];\n",
                dot_id(e.source),
                dot_id(e.target),
                e.relation,
                e.confidence
            ));
        }
        s.push_str("}\n");
        out.write_all(s.as_bytes()).map_err(out_err)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(escape(r#"say "hi" \o/"#), r#"say \"hi\" \\o/"#);
    }

    #[test]
    fn every_node_and_edge_is_drawn() {
        let a = fixture::analysis();
        let mut out = Vec::new();
        DotRenderer.render(&a, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("digraph \"late-start.txt\" {"));
        assert!(s.contains("issue [label=\"Issue\\nShould school start later?\""));
        assert!(s.contains("Some say \\\"early starts\\\""));
        assert!(s.contains("s2 -> s0 [label=\"attacks"));
        assert!(s.contains("s0 -> issue [label=\"answers"));
        assert_eq!(s.matches(" -> ").count(), a.map.edges.len());
        // Balanced quotes on every line: nothing leaks out of a string.
        for line in s.lines() {
            assert_eq!(
                line.replace("\\\"", "").matches('"').count() % 2,
                0,
                "{line}"
            );
        }
    }
}
