//! The essay as text, one tagged sentence per line: `[claim* 0.96] ...`,
//! then, for a graded analysis, the feedback and the rubric suggestion, so a
//! reader of the terminal gets the whole story without the JSON.

use super::{out_err, Analysis, Renderer};
use crate::document::Label;
use crate::error::Result;
use crate::grade::Assessment;
use std::io::Write;

/// One `[label p] sentence` line per sentence (`[heading]`, `[reference]`, ...
/// for units that are not prose), `*` marking the thesis, a blank line between
/// paragraphs; then the feedback and the rubric suggestion when the analysis
/// is graded. A text with no sentence of prose says so on the output itself,
/// not only in a warning on stderr.
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
        if let Some(why) = nothing_to_analyse(a) {
            writeln!(out, "{why}").map_err(out_err)?;
        }
        if let Some(asmt) = &a.assessment {
            write_assessment(asmt, out).map_err(out_err)?;
        }
        Ok(())
    }
}

/// Why there is no argument to read, when the text holds no sentence of prose.
fn nothing_to_analyse(a: &Analysis) -> Option<String> {
    if a.doc.sentences.iter().any(|s| s.kind.is_prose()) {
        return None;
    }
    let what = match (&a.doc.title, a.doc.sentences.is_empty()) {
        (Some(t), true) => format!(
            "holds only a title (\"{}\") and no sentences",
            super::shorten(t, 60)
        ),
        (None, true) => "is empty: it has no sentences".to_string(),
        (_, false) => {
            "holds only headings, list items or page furniture, no sentence of prose".to_string()
        }
    };
    Some(format!(
        "No essay to analyse: the text {what}. There is no argument to map, so every finding below is a gap."
    ))
}

/// The feedback items and the rubric suggestion, after the essay.
fn write_assessment(asmt: &Assessment, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "\nFeedback")?;
    if asmt.feedback.is_empty() {
        writeln!(out, "  No findings.")?;
    }
    for f in &asmt.feedback {
        let kind = if super::panel::is_strength(&f.code) {
            "strength"
        } else {
            f.severity.as_str()
        };
        // Most messages name their sentences already.
        let refs = match f.sentences.as_slice() {
            _ if f.message.contains("sentence") => String::new(),
            [] => String::new(),
            [one] => format!(" (sentence {})", one + 1),
            many => format!(
                " (sentences {})",
                many.iter()
                    .map(|i| (i + 1).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let message = f.message.strip_prefix("Strength: ").unwrap_or(&f.message);
        writeln!(out, "  [{kind}] {}{refs}", message.replace('\n', " "))?;
    }
    let r = &asmt.rubric;
    writeln!(
        out,
        "\nRubric suggestion: {} (scale {}-{}). {}",
        r.rubric, r.scale_min, r.scale_max, r.note
    )?;
    let width = r
        .criteria
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0);
    for c in &r.criteria {
        let score = c
            .score
            .map_or_else(|| "-".to_string(), |s| format!("{s}/{}", r.scale_max));
        let level = c
            .level
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        writeln!(out, "  {:<width$}  {score}{level}", c.name)?;
    }
    Ok(())
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

    fn text_of(a: &Analysis) -> String {
        let mut out = Vec::new();
        TextRenderer::default().render(a, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_graded_analysis_ends_with_its_feedback_and_rubric_suggestion() {
        let mut a = fixture::analysis();
        let asmt = crate::grade::Grader::default().grade_map(&a.doc, &a.map);
        assert!(!asmt.feedback.is_empty());
        a.assessment = Some(asmt.clone());
        let text = text_of(&a);
        let (essay, tail) = text.split_once("\nFeedback\n").unwrap();
        assert_eq!(essay.lines().count(), 8, "the essay comes first");
        let (feedback, rubric) = tail.split_once("\nRubric suggestion: ").unwrap();
        for f in &asmt.feedback {
            let message = f.message.strip_prefix("Strength: ").unwrap_or(&f.message);
            assert!(feedback.contains(message), "{f:?}");
        }
        assert!(rubric.contains(&asmt.rubric.note));
        for c in &asmt.rubric.criteria {
            let line = rubric
                .lines()
                .find(|l| l.trim_start().starts_with(&c.name))
                .unwrap_or_else(|| panic!("no line for {}", c.name));
            let score = c
                .score
                .map_or("-".into(), |s| format!("{s}/{}", asmt.rubric.scale_max));
            assert!(line.contains(&score), "{line}");
        }
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn an_essay_without_prose_says_why_on_the_output() {
        let empty = |title: Option<&str>, text: &str| {
            let d = crate::segment::document(
                &crate::segment::RuleSegmenter::default(),
                None,
                title.map(str::to_string),
                text.to_string(),
            );
            let mut a = Analysis::new(d, crate::argument::ArgumentMap::default());
            a.assessment = Some(crate::grade::Grader::default().grade_map(&a.doc, &a.map));
            text_of(&a)
        };
        let none = empty(None, "");
        assert!(
            none.starts_with("No essay to analyse: the text is empty"),
            "{none}"
        );
        assert!(none.contains("\nRubric suggestion: "));
        let titled = empty(Some("Should towns <ban> cars?"), "");
        assert!(
            titled.starts_with(
                "No essay to analyse: the text holds only a title (\"Should towns <ban> cars?\")"
            ),
            "{titled}"
        );
        // An essay with prose says nothing of the kind.
        let mut a = fixture::analysis();
        a.assessment = Some(crate::grade::Grader::default().grade_map(&a.doc, &a.map));
        assert!(!text_of(&a).contains("No essay to analyse"));
    }
}
