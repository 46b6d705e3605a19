//! The essay as text, one tagged sentence per line: `[claim* 0.96] ...`.

use super::{out_err, Analysis, Renderer};
use crate::document::Label;
use crate::error::Result;
use std::io::Write;

/// One `[label p] sentence` line per sentence (`[heading]`, `[reference]`, ...
/// for units that are not prose), `*` marking the thesis, a blank line between
/// paragraphs.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextRenderer {
    /// ANSI colours by role, for a terminal.
    pub colour: bool,
}

impl Renderer for TextRenderer {
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()> {
        for s in &a.doc.sentences {
            if s.index > 0 && s.position_in_paragraph == 0 {
                writeln!(out).map_err(out_err)?;
            }
            let label = s.label.unwrap_or(Label::Other);
            let thesis = s.thesis.unwrap_or(false);
            // Units the models do not read say what they are instead.
            let tag = if s.kind.is_prose() {
                format!(
                    "[{}{} {:.2}]",
                    label,
                    if thesis { "*" } else { "" },
                    s.confidence.unwrap_or(0.0)
                )
            } else {
                format!("[{}]", s.kind.as_str())
            };
            let text = s.text.replace('\n', " ");
            if self.colour {
                let code = match label {
                    Label::Claim => "34",
                    Label::Evidence => "32",
                    Label::Question => "33",
                    Label::Other => "2",
                };
                let bold = if thesis { "1;" } else { "" };
                writeln!(out, "\x1b[{bold}{code}m{tag:<18}\x1b[0m {text}").map_err(out_err)?;
            } else {
                writeln!(out, "{tag:<18} {text}").map_err(out_err)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture;

    #[test]
    fn one_tagged_line_per_sentence_and_a_blank_line_between_paragraphs() {
        let mut out = Vec::new();
        TextRenderer::default()
            .render(&fixture::analysis(), &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6 + 2);
        assert!(lines[0].starts_with("[claim* 0.90]"), "{}", lines[0]);
        assert!(lines[0].ends_with("Schools should start later."));
        assert_eq!(lines[2], "");
        assert!(!text.contains('\x1b'));
        let mut coloured = Vec::new();
        TextRenderer { colour: true }
            .render(&fixture::analysis(), &mut coloured)
            .unwrap();
        assert!(String::from_utf8(coloured)
            .unwrap()
            .starts_with("\x1b[1;34m"));
    }
}
