//! HTML fragments for an [`Assessment`]: the feedback panel and the rubric
//! table, shared by every page that shows one essay (the per-essay pages of the
//! class report, and the `analyze --format html` page).
//!
//! Fragments, not pages: the caller owns the layout and the highlighted essay,
//! and tells the panel how a sentence is addressed (`anchor(i)` -> `"s12"`) so
//! each item's sentence numbers link to the sentences in the essay. The CSS the
//! fragments need is [`PANEL_CSS`]; no script is required.

use crate::grade::Assessment;
use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Styles for [`feedback_panel`] and [`rubric_table`].
pub const PANEL_CSS: &str = r#"
.em-feedback ul{list-style:none;padding:0;margin:0}
.em-feedback li{border-left:4px solid #888;background:#f7f7f7;margin:.4em 0;padding:.45em .6em;border-radius:3px}
.em-feedback li.problem{border-color:#c0392b;background:#fdecea}
.em-feedback li.warning{border-color:#d68910;background:#fef5e7}
.em-feedback li.info{border-color:#2e86c1;background:#eef6fc}
.em-feedback .sev{font-size:.75em;text-transform:uppercase;font-weight:bold;margin-right:.5em}
.em-feedback code{font-size:.8em;color:#555}
.em-feedback .refs a{margin-left:.3em}
.em-rubric table{border-collapse:collapse;width:100%}
.em-rubric th,.em-rubric td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.em-rubric .pass{color:#1e8449}.em-rubric .fail{color:#c0392b}.em-rubric .skip{color:#888}
.em-note{font-style:italic;color:#555}
"#;

/// The feedback panel: one list item per feedback entry, sentence numbers
/// (1-based, as in the messages) linking to `#anchor(i)`.
pub fn feedback_panel(a: &Assessment, anchor: &dyn Fn(usize) -> String) -> String {
    let mut h = String::from("<section class=\"em-feedback\" id=\"feedback\"><h2>Feedback</h2><p class=\"em-note\">Sentences are numbered from 1 (the first sentence is 1); each number links to its sentence.</p>");
    if a.feedback.is_empty() {
        h.push_str("<p>No findings.</p>");
    }
    h.push_str("<ul>");
    for f in &a.feedback {
        let _ = write!(
            h,
            "<li class=\"{sev}\" data-code=\"{code}\"><span class=\"sev\">{sev}</span>{msg} <code>{code}</code>",
            sev = f.severity,
            code = escape(&f.code),
            msg = escape(&f.message)
        );
        if !f.sentences.is_empty() {
            h.push_str("<span class=\"refs\"> — see");
            for &i in &f.sentences {
                let _ = write!(h, "<a href=\"#{}\">{}</a>", escape(&anchor(i)), i + 1);
            }
            h.push_str("</span>");
        }
        h.push_str("</li>");
    }
    h.push_str("</ul></section>");
    h
}

/// The rubric suggestion as a table: criterion, suggested score, and every
/// check with its value, outcome and sentences.
pub fn rubric_table(a: &Assessment, anchor: &dyn Fn(usize) -> String) -> String {
    let r = &a.rubric;
    let mut h =
        String::from("<section class=\"em-rubric\" id=\"rubric\"><h2>Rubric suggestion</h2>");
    let _ = write!(
        h,
        "<p class=\"em-note\">{} ({}, scale {}–{}).</p><table><thead><tr><th>Criterion</th><th>Suggested</th><th>Why</th></tr></thead><tbody>",
        escape(&r.note),
        escape(&r.rubric),
        r.scale_min,
        r.scale_max
    );
    for c in &r.criteria {
        let score = c.score.map_or_else(|| "–".to_string(), |s| s.to_string());
        let level = c
            .level
            .as_deref()
            .map(|l| format!(" ({})", escape(l)))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<tr><td>{}</td><td><b>{score}</b>/{}{level}</td><td><ul>",
            escape(&c.name),
            r.scale_max
        );
        for p in &c.points {
            let (class, mark) = if p.skipped {
                ("skip", "–")
            } else if p.passed {
                ("pass", "✓")
            } else {
                ("fail", "✗")
            };
            let value = p.value.map_or_else(|| "n/a".to_string(), fmt_value);
            let _ = write!(
                h,
                "<li class=\"{class}\">{mark} {} <small>({} = {value}, weight {})</small>",
                escape(&p.describe),
                escape(&p.metric),
                fmt_value(p.weight)
            );
            for &i in p.sentences.iter().take(12) {
                let _ = write!(h, " <a href=\"#{}\">{}</a>", escape(&anchor(i)), i + 1);
            }
            h.push_str("</li>");
        }
        h.push_str("</ul></td></tr>");
    }
    h.push_str("</tbody></table></section>");
    h
}

/// A number as a teacher reads it: integers bare, others with two decimals.
pub fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::Grader;
    use crate::segment::{self, RuleSegmenter};
    use crate::Label;

    #[test]
    fn panel_links_items_to_sentences_and_escapes_text() {
        let mut d = segment::document(
            &RuleSegmenter::default(),
            None,
            None,
            "Fees <b>must</b> fall. Many pay too much.".into(),
        );
        for s in &mut d.sentences {
            s.label = Some(Label::Claim);
        }
        let a = Grader::default().grade(&d, &[]);
        let html = feedback_panel(&a, &|i| format!("s{i}"));
        assert!(html.contains("<a href=\"#s0\">1</a>"));
        assert!(html.contains("&lt;b&gt;must&lt;/b&gt;"));
        assert!(!html.contains("<b>must"));
        let table = rubric_table(&a, &|i| format!("s{i}"));
        assert!(table.contains("Rubric suggestion") && table.contains("Not a grade"));
    }
}
