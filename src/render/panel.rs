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
.em-feedback li.strength{border-color:#1e8449;background:#eafaf1}
.em-feedback .sev{font-size:.75em;text-transform:uppercase;font-weight:bold;margin-right:.5em}
.em-feedback code{font-size:.8em;color:#555}
.em-feedback li{overflow-wrap:break-word}
.em-feedback .refs a{margin:0 .1em}
.em-rubric table{border-collapse:collapse;width:100%}
.em-rubric th,.em-rubric td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
.em-rubric .pass{color:#1e8449}.em-rubric .fail{color:#c0392b}.em-rubric .skip{color:#888}
.em-note{font-style:italic;color:#555}
"#;

/// Feedback codes that name a strength rather than a gap (all `info`).
const STRENGTHS: [&str; 4] = [
    "thesis_clear",
    "claims_supported",
    "counter_argument_rebutted",
    "reasoning_chain",
];

/// Whether a feedback code praises the essay.
pub fn is_strength(code: &str) -> bool {
    STRENGTHS.contains(&code)
}

/// A feedback code in plain words, as a class summary names it (the essay's
/// own messages say more). Codes this build does not know are spelled out.
pub fn plain_words(code: &str) -> String {
    let known = match code {
        "thesis_missing" => "No clear thesis",
        "no_claims" => "No claims besides the thesis",
        "no_evidence" => "No evidence given",
        "thesis_only_in_conclusion" => "Thesis only in the conclusion",
        "thesis_in_body_only" => "Thesis only in a body paragraph",
        "thesis_off_prompt" => "Thesis may not answer the prompt",
        "unsupported_claim" => "Claims without supporting evidence",
        "no_counter_argument" => "No counter-argument considered",
        "unrebutted_counter_argument" => "Counter-arguments left unanswered",
        "paragraph_without_claim" => "Body paragraphs without a claim",
        "orphan_evidence" => "Evidence not tied to a claim",
        "uncited_evidence" => "Evidence without a cited source",
        "mostly_non_argumentative" => "Much of the text is off the argument",
        "thesis_not_restated" => "Thesis not restated in the conclusion",
        "thesis_clear" => "Clear thesis in the introduction",
        "claims_supported" => "Every claim is supported",
        "counter_argument_rebutted" => "Answers a counter-argument",
        "reasoning_chain" => "Builds a chain of reasoning",
        other => {
            let words = other.replace('_', " ");
            let mut c = words.chars();
            return c
                .next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default();
        }
    };
    known.to_string()
}

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
            "<li class=\"{sev}{strong}\" data-code=\"{code}\" title=\"{code}\"><span class=\"sev\">{kind}</span>{msg}",
            sev = f.severity,
            kind = if is_strength(&f.code) { "strength" } else { f.severity.as_str() },
            strong = if is_strength(&f.code) { " strength" } else { "" },
            code = escape(&f.code),
            // The tag says "strength" already.
            msg = escape(f.message.strip_prefix("Strength: ").unwrap_or(&f.message))
        );
        if !f.sentences.is_empty() {
            // Links apart by spaces, so a long list wraps inside the item.
            h.push_str(" <span class=\"refs\">— see");
            for &i in &f.sentences {
                let _ = write!(h, " <a href=\"#{}\">{}</a>", escape(&anchor(i)), i + 1);
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
        // A long list of sentence links can wrap: links are apart by spaces.
        let mut long = a.clone();
        long.feedback[0].sentences = (0..60).collect();
        let html = feedback_panel(&long, &|i| format!("s{i}"));
        assert!(html.contains("<a href=\"#s0\">1</a> <a href=\"#s1\">2</a>"));
        assert!(!html.contains("</a><a"));
        assert!(PANEL_CSS.contains(".em-feedback li{overflow-wrap:break-word}"));
        // Codes are tooltips and data, the words are the message.
        let code = &a.feedback[0].code;
        assert!(html.contains(&format!("data-code=\"{code}\" title=\"{code}\"")));
        assert!(!html.contains(&format!("<code>{code}</code>")));
        let table = rubric_table(&a, &|i| format!("s{i}"));
        assert!(table.contains("Rubric suggestion") && table.contains("Not a grade"));
    }
}
