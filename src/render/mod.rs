//! The leaf after the stages: an [`Analysis`] -> bytes, in one of several
//! [`Format`]s.
//!
//! Every renderer implements [`Renderer`]: it reads the analysis and writes to a
//! `&mut dyn Write`. Renderers never call the pipeline or a model, so they can
//! be tested on hand-built fixtures and reused on analyses read back from JSON.
//!
//! | format | what |
//! |---|---|
//! | `json` / `jsonl` | the contract object, pretty / on one line |
//! | `aif` | xAIF JSON for arg-tech's tools (AIFdb, OVA, AMF) |
//! | `dot` | Graphviz digraph |
//! | `mermaid` | Mermaid flowchart |
//! | `html` | one self-contained page: essay highlighted by role + map as inline SVG |
//! | `text` | the essay, one `[label p]`-tagged sentence per line |

mod aif;
pub(crate) mod compact;
mod dot;
pub(crate) mod html;
mod mermaid;
pub(crate) mod panel;
mod text;

pub use aif::AifRenderer;
pub use dot::DotRenderer;
pub use html::HtmlRenderer;
pub use mermaid::MermaidRenderer;
pub use text::TextRenderer;

use crate::analysis::Analysis;
use crate::argument::{Node, NodeKind};
use crate::error::{Error, Result};
use std::fmt;
use std::io::Write;
use std::str::FromStr;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Pretty-printed JSON object.
    Json,
    /// Compact JSON object on one line.
    Jsonl,
    /// xAIF JSON (Argument Interchange Format).
    Aif,
    /// Graphviz DOT.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
    /// Self-contained HTML page.
    Html,
    /// One tagged sentence per line, no colour ([`TextRenderer`]).
    Text,
}

impl Format {
    /// All formats, in help order.
    pub const ALL: [Format; 7] = [
        Format::Json,
        Format::Jsonl,
        Format::Aif,
        Format::Dot,
        Format::Mermaid,
        Format::Html,
        Format::Text,
    ];

    /// The format's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Aif => "aif",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Html => "html",
            Format::Text => "text",
        }
    }

    /// The renderer for this format.
    pub fn renderer(self) -> Box<dyn Renderer> {
        match self {
            Format::Json => Box::new(JsonRenderer { pretty: true }),
            Format::Jsonl => Box::new(JsonRenderer { pretty: false }),
            Format::Aif => Box::new(AifRenderer),
            Format::Dot => Box::new(DotRenderer),
            Format::Mermaid => Box::new(MermaidRenderer),
            Format::Html => Box::new(HtmlRenderer),
            Format::Text => Box::new(TextRenderer::default()),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.to_ascii_lowercase();
        let s = if s == "xaif" { "aif" } else { s.as_str() };
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown format {s:?} (json, jsonl, aif, dot, mermaid, html, text)")
            })
    }
}

/// Writes an analysis in one format.
pub trait Renderer {
    /// Writes `a` to `out`.
    ///
    /// # Errors
    /// [`Error::Io`] when writing fails.
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()>;
}

/// Renders `a` as `format` to `out`.
///
/// # Errors
/// [`Error::Io`] when writing fails.
pub fn render(a: &Analysis, format: Format, out: &mut dyn Write) -> Result<()> {
    format.renderer().render(a, out)
}

/// `a` rendered as `format`, as a string (every format is UTF-8 text).
///
/// # Errors
/// As [`render`].
pub fn to_string(a: &Analysis, format: Format) -> Result<String> {
    let mut out = Vec::new();
    render(a, format, &mut out)?;
    String::from_utf8(out).map_err(|e| out_err(std::io::Error::other(e)))
}

/// An output error (the path is a placeholder: renderers write to any stream).
pub(crate) fn out_err(e: std::io::Error) -> Error {
    Error::io("<output>", e)
}

/// The contract JSON object.
#[derive(Debug, Clone, Copy)]
pub struct JsonRenderer {
    /// Indented (`json`) rather than one line (`jsonl`).
    pub pretty: bool,
}

impl Renderer for JsonRenderer {
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()> {
        if self.pretty {
            serde_json::to_writer_pretty(&mut *out, a)
                .map_err(|e| out_err(std::io::Error::other(e)))?;
        } else {
            let line = compact::to_string(a).map_err(|e| out_err(std::io::Error::other(e)))?;
            out.write_all(line.as_bytes()).map_err(out_err)?;
        }
        writeln!(out).map_err(out_err)
    }
}

/// Fill colour, border colour and display name of a node kind, shared by the
/// graph renderers so the formats look alike.
pub(crate) fn palette(k: NodeKind) -> (&'static str, &'static str, &'static str) {
    match k {
        NodeKind::Issue => ("#ede7f6", "#5e35b1", "Issue"),
        NodeKind::Thesis => ("#fff3e0", "#e65100", "Thesis"),
        NodeKind::Claim => ("#e3f2fd", "#1565c0", "Claim"),
        NodeKind::Evidence => ("#e8f5e9", "#2e7d32", "Evidence"),
    }
}

/// Colour of an edge relation.
pub(crate) fn relation_colour(r: crate::argument::Relation) -> &'static str {
    match r {
        crate::argument::Relation::Supports => "#2e7d32",
        crate::argument::Relation::Attacks => "#c62828",
        crate::argument::Relation::Answers => "#5e35b1",
    }
}

/// `s` cut to at most `max` characters on a word boundary, with "…" when cut;
/// whitespace runs (line breaks included) become one space.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    let flat: Vec<&str> = s.split_whitespace().collect();
    let flat = flat.join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut out = String::new();
    for w in flat.split(' ') {
        if out.chars().count() + w.chars().count() + 1 > max.saturating_sub(1) {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    if out.is_empty() {
        out = flat.chars().take(max.saturating_sub(1)).collect();
    }
    out.push('…');
    out
}

/// `s` split into lines of at most about `width` characters at spaces.
pub(crate) fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A short label for a node: "S3 claim" (sentences counted from 1, as in the
/// feedback messages) or "Issue".
pub(crate) fn node_name(n: &Node) -> String {
    if n.id < 0 {
        "Issue".to_string()
    } else {
        let kind = match (n.kind, n.stance) {
            (NodeKind::Claim, Some(crate::argument::Stance::Against)) => "counter-claim",
            (k, _) => k.as_str(),
        };
        format!("S{} {kind}", n.id + 1)
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A hand-written analysed essay shared by the renderer tests.
    use super::Analysis;
    use crate::argument::ArgumentMap;
    use crate::argument::Relation;
    use crate::document::Label;
    use crate::link::{Linker, NearestClaimLinker};
    use crate::segment::{self, RuleSegmenter};

    pub(crate) fn analysis() -> Analysis {
        let text = "Schools should start later. Teenagers sleep badly before eight.\n\n\
                    Some say \"early starts\" build discipline & habits. Yet tired pupils \
                    learn <less>.\n\nA later bell lets pupils rest. One district saw grades \
                    rise."
            .to_string();
        let mut d = segment::document(
            &RuleSegmenter::default(),
            Some("late-start.txt".into()),
            Some("Should school start later?".into()),
            text,
        );
        let labels = [
            Label::Claim,
            Label::Evidence,
            Label::Claim,
            Label::Evidence,
            Label::Claim,
            Label::Evidence,
        ];
        for (s, l) in d.sentences.iter_mut().zip(labels) {
            s.label = Some(l);
            s.confidence = Some(0.9);
        }
        d.sentences[0].thesis = Some(true);
        let mut links = NearestClaimLinker.link(&d);
        for l in &mut links {
            if l.source == 2 {
                l.relation = Relation::Attacks;
            }
            if l.source == 3 {
                l.relation = Relation::Attacks;
            }
        }
        let map = ArgumentMap::build(&d, &links);
        Analysis::new(d, map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_document_fields_and_map_side_by_side() {
        let a = fixture::analysis();
        let mut out = Vec::new();
        render(&a, Format::Json, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        for key in ["id", "title", "text", "paragraphs", "sentences", "map"] {
            assert!(v.get(key).is_some(), "missing {key}");
        }
        let e = &v["map"]["edges"][0];
        assert!(e["source"].is_i64() && e["target"].is_i64());
        assert!(e["confidence"].is_f64());
        assert_eq!(v["map"]["nodes"][0]["id"], -1);
        let back: Analysis = serde_json::from_slice(&out).unwrap();
        assert_eq!(back.map, a.map);
    }

    #[test]
    fn jsonl_is_one_line() {
        let mut out = Vec::new();
        render(&fixture::analysis(), Format::Jsonl, &mut out).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s.lines().count(), 1);
    }

    #[test]
    fn formats_parse_and_print() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>().unwrap(), f);
        }
        assert_eq!("xAIF".parse::<Format>().unwrap(), Format::Aif);
        assert!("svg".parse::<Format>().is_err());
    }

    #[test]
    fn shorten_and_wrap_respect_widths() {
        assert_eq!(shorten("a  b\nc", 10), "a b c");
        let s = shorten("one two three four five", 12);
        assert!(s.ends_with('…') && s.chars().count() <= 12, "{s}");
        assert_eq!(wrap("aa bb cc dd", 5), ["aa bb", "cc dd"]);
    }
}
