//! The class page and the per-essay pages, as self-contained HTML strings.
//!
//! Everything is inline (CSS, SVG, one short script) so a teacher can open the
//! files from disk, mail them or put them on a share: no CDN, no network. The
//! script only sorts the essay table; the page is complete without it. When it
//! has run it sets `data-ready="1"` on `<body>`, which `scripts/ci/check_pages.sh`
//! looks for in headless Chromium to prove the page runs without a JavaScript
//! error. Layout is one column up to ~900px wide and a two-column grid beyond,
//! so it reads on a laptop and on a tablet.

use super::svg::{bar_chart, hbar_rows, histogram, Bar, Binning};
use super::{ClassData, EssayEntry};
use crate::grade::metrics::METRIC_NAMES;
use crate::grade::{Severity, ThesisPosition};
use crate::render::panel::{escape, feedback_panel, fmt_value, rubric_table, PANEL_CSS};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

const BASE_CSS: &str = r#"
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fff;line-height:1.45}
header{background:#243b55;color:#fff;padding:.8em 1.2em}
header h1{margin:0;font-size:1.35em}
header p{margin:.2em 0 0;opacity:.9}
header a{color:#cfe3ff}
main{padding:1em 1.2em;max-width:1400px;margin:0 auto}
h2{font-size:1.1em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.4em}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:.8em}
figure.chart{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:.4em}
figure.chart figcaption{font-size:.85em;text-align:center;color:#333}
svg .bar{fill:#4a7fb5}svg .bar:hover{fill:#243b55}
svg .axis{stroke:#999;stroke-width:1}svg .grid{stroke:#eee;stroke-width:1}
svg .tick,svg .val,svg .xlabel{font-size:9px;fill:#555}
.hbars{max-width:900px}
.hrow{display:grid;grid-template-columns:minmax(180px,38%) 1fr 8.5em;align-items:center;gap:.5em;margin:.15em 0;font-size:.9em}
.hsvg{width:100%;height:14px;background:#f2f2f2}
.hsvg .problem{fill:#c0392b}.hsvg .warning{fill:#d68910}.hsvg .info{fill:#2e86c1}
.hcount{text-align:right;color:#444}
table.essays{border-collapse:collapse;width:100%;font-size:.88em}
table.essays th,table.essays td{border-bottom:1px solid #e5e5e5;padding:.3em .45em;text-align:right;white-space:nowrap}
table.essays th:first-child,table.essays td:first-child{text-align:left;white-space:normal}
table.essays th{background:#f4f6f8;cursor:pointer;position:sticky;top:0;user-select:none}
table.essays th[aria-sort=ascending]::after{content:" ▲"}table.essays th[aria-sort=descending]::after{content:" ▼"}
table.essays tr:hover td{background:#fafcff}
.tablewrap{overflow-x:auto}
.errors td{text-align:left}
.note{font-style:italic;color:#555}
.pill{display:inline-block;border-radius:8px;padding:0 .45em;font-size:.8em;background:#eee}
.pill.problem{background:#fdecea;color:#922}.pill.warning{background:#fef5e7;color:#7a4a00}
.layout{display:grid;grid-template-columns:1fr;gap:1.2em}
@media (min-width:900px){.layout{grid-template-columns:minmax(0,1.25fr) minmax(0,1fr)}.layout>.essaycol{align-self:start;position:sticky;top:0;max-height:100vh;overflow-y:auto;padding-right:.5em}}
.essay sup.n{color:#888;font-size:.7em;margin-right:.15em;font-weight:normal}
nav.jump{font-size:.9em;margin:.6em 0}nav.jump a{margin-right:1em}
.essay p{margin:0 0 .9em}
.essay .s{padding:1px 0;border-radius:2px}
.essay .claim{background:#dbe9f7}.essay .evidence{background:#e2f4df}.essay .question{background:#f4e9f7}
.essay .thesis{background:#b9d3f0;font-weight:600;outline:1px solid #6d9ccc}
.essay .s:target{outline:3px solid #e67e22;background:#fff1d6}
.legend span{margin-right:.8em;padding:0 .3em;border-radius:2px;font-size:.85em}
dl.metrics{display:grid;grid-template-columns:max-content auto;gap:.1em .8em;font-size:.9em}
dl.metrics dt{color:#555}dl.metrics dd{margin:0}
"#;

const SORT_JS: &str = r#"
(function(){
  var table=document.getElementById('essays');
  if(table){
    var ths=table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths,function(th,col){
      th.addEventListener('click',function(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(ths,function(o){o.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var body=table.tBodies[0];
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){
          var x=a.cells[col].getAttribute('data-v'),y=b.cells[col].getAttribute('data-v');
          var nx=parseFloat(x),ny=parseFloat(y);
          var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:String(x).localeCompare(String(y));
          if(isNaN(nx)!==isNaN(ny)){c=isNaN(nx)?1:-1;return c;}
          return asc?c:-c;
        });
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  }
  document.body.setAttribute('data-ready','1');
})();
"#;

fn page(title: &str, extra_css: &str, body: &str, script: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{BASE_CSS}{extra_css}</style></head><body>{body}<script>{script}</script></body></html>\n",
        escape(title)
    )
}

/// Metrics charted on the class page, with their axis label and binning.
const CHARTED: &[(&str, &str, Binning)] = &[
    ("claims", "claims per essay", Binning::Counts),
    ("evidence", "evidence sentences per essay", Binning::Counts),
    (
        "evidence_per_claim",
        "evidence per claim",
        Binning::Continuous,
    ),
    ("unsupported_claims", "unsupported claims", Binning::Counts),
    (
        "orphan_evidence",
        "evidence tied to no claim",
        Binning::Counts,
    ),
    ("counter_arguments", "counter-arguments", Binning::Counts),
    (
        "unrebutted_counter_arguments",
        "unanswered counter-arguments",
        Binning::Counts,
    ),
    ("depth", "longest reasoning chain (links)", Binning::Counts),
    (
        "non_argumentative_share",
        "% sentences off the argument",
        Binning::Share,
    ),
    (
        "paragraphs_without_claim",
        "paragraphs without a claim",
        Binning::Counts,
    ),
    ("paragraphs", "paragraphs", Binning::Counts),
    ("words", "words", Binning::Counts),
];

fn severity_of(data: &ClassData, code: &str) -> Severity {
    data.essays
        .iter()
        .flat_map(|e| &e.assessment.feedback)
        .find(|f| f.code == code)
        .map_or(Severity::Info, |f| f.severity)
}

/// The class summary page. `essay_hrefs[i]` links essay `i`'s page.
pub fn class_page(data: &ClassData, essay_hrefs: &[String], title: &str) -> String {
    let n = data.essays.len();
    let mut b = String::new();
    let _ = write!(
        b,
        "<header><h1>{}</h1><p>{n} essays analysed{}. Scores are <b>suggestions</b> from the argument map to speed up grading, not grades.</p></header><main>",
        escape(title),
        if data.errors.is_empty() {
            String::new()
        } else {
            format!(", {} could not be read (<a href=\"#errors\">listed below</a>)", data.errors.len())
        }
    );

    b.push_str("<nav class=\"jump\">Jump to: <a href=\"#charts\">charts</a><a href=\"#rubric\">rubric scores</a><a href=\"#feedback\">frequent feedback</a><a href=\"#table\">essays</a>");
    if !data.errors.is_empty() {
        b.push_str("<a href=\"#errors\">errors</a>");
    }
    b.push_str("</nav>");
    // Thesis and yes/no findings.
    b.push_str("<h2 id=\"charts\">How the class argues</h2><div class=\"charts\">");
    let mut positions: BTreeMap<usize, usize> = BTreeMap::new();
    let order = [
        ThesisPosition::Intro,
        ThesisPosition::Both,
        ThesisPosition::Conclusion,
        ThesisPosition::Body,
        ThesisPosition::Missing,
    ];
    for e in &data.essays {
        let p = e.assessment.metrics.thesis.position;
        if let Some(i) = order.iter().position(|o| *o == p) {
            *positions.entry(i).or_default() += 1;
        }
    }
    let bars: Vec<Bar> = order
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let count = positions.get(&i).copied().unwrap_or(0);
            Bar {
                label: p.as_str().to_string(),
                count,
                tooltip: format!("thesis {}: {count} of {n} essays", p.as_str()),
            }
        })
        .collect();
    b.push_str(&bar_chart("Where the thesis is", "thesis position", &bars));
    // (metric, caption, only essays where this other metric is 1)
    let yes_no = [
        (
            "counter_argument_considered",
            "Considers a counter-argument",
            None,
        ),
        (
            "all_counter_arguments_rebutted",
            "Answers every counter-argument (essays with one)",
            Some("counter_argument_considered"),
        ),
        ("answers_prompt", "Thesis answers the prompt", None),
    ];
    for (name, caption, among) in yes_no {
        let vals: Vec<f64> = data
            .essays
            .iter()
            .map(|e| &e.assessment.metrics)
            .filter(|m| among.map_or(true, |a| m.value(a) == Some(1.0)))
            .filter_map(|m| m.value(name))
            .collect();
        if vals.is_empty() {
            continue;
        }
        let yes = vals.iter().filter(|v| **v >= 0.5).count();
        let bars = [("yes", yes), ("no", vals.len() - yes)]
            .into_iter()
            .map(|(l, c)| Bar {
                label: l.into(),
                count: c,
                tooltip: format!("{l}: {c} of {} essays", vals.len()),
            })
            .collect::<Vec<_>>();
        b.push_str(&bar_chart(caption, "", &bars));
    }
    for (name, label, binning) in CHARTED {
        let vals: Vec<f64> = data
            .essays
            .iter()
            .filter_map(|e| e.assessment.metrics.value(name))
            .collect();
        let caption = format!("{label} (n = {})", vals.len());
        b.push_str(&bar_chart(&caption, label, &histogram(&vals, *binning)));
    }
    b.push_str("</div>");

    // Rubric suggestions per criterion.
    if let Some(first) = data.essays.first() {
        let r = &first.assessment.rubric;
        let _ = write!(
            b,
            "<h2 id=\"rubric\">Suggested rubric scores</h2><p class=\"note\">{} — {} (scale {}–{}).</p><div class=\"charts\">",
            escape(&r.rubric),
            escape(&r.note),
            r.scale_min,
            r.scale_max
        );
        for c in &r.criteria {
            let bars: Vec<Bar> = (r.scale_min..=r.scale_max)
                .map(|s| {
                    let count = data
                        .essays
                        .iter()
                        .filter(|e| e.assessment.rubric.score(&c.id) == Some(s))
                        .count();
                    Bar {
                        label: s.to_string(),
                        count,
                        tooltip: format!("{}: {s}: {count} of {n} essays", c.name),
                    }
                })
                .collect();
            b.push_str(&bar_chart(&c.name, "suggested score", &bars));
        }
        b.push_str("</div>");
    }

    // Most frequent feedback: essays with at least one item of each code.
    let mut freq: HashMap<&str, usize> = HashMap::new();
    for e in &data.essays {
        let mut codes: Vec<&str> = e
            .assessment
            .feedback
            .iter()
            .map(|f| f.code.as_str())
            .collect();
        codes.sort_unstable();
        codes.dedup();
        for c in codes {
            *freq.entry(c).or_default() += 1;
        }
    }
    let mut freq: Vec<(&str, usize)> = freq.into_iter().collect();
    freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    b.push_str("<h2 id=\"feedback\">Most frequent feedback</h2><p class=\"note\">Share of essays with at least one item of each kind.</p>");
    let rows: Vec<(String, usize, &str)> = freq
        .iter()
        .take(15)
        .map(|(code, count)| {
            let sev = severity_of(data, code);
            (
                format!(
                    "<span class=\"pill {}\">{}</span> <code>{}</code>",
                    sev.as_str(),
                    sev.as_str(),
                    escape(code)
                ),
                *count,
                sev.as_str(),
            )
        })
        .collect();
    if rows.is_empty() {
        b.push_str("<p>No feedback items.</p>");
    } else {
        b.push_str(&hbar_rows(&rows, n));
    }

    // The essay table.
    let criteria = data.criteria();
    b.push_str("<h2 id=\"table\">Essays</h2><p class=\"note\">Click a column to sort; click an essay to open its page.</p><div class=\"tablewrap\"><table class=\"essays\" id=\"essays\"><thead><tr><th>Essay</th><th>Thesis</th><th>Claims</th><th>Evidence</th><th>Evidence/claim</th><th>Unsupported</th><th>Orphan evidence</th><th>Counter-args</th><th>Depth</th><th>Off-argument %</th>");
    for (_, name) in &criteria {
        let _ = write!(b, "<th>{}</th>", escape(name));
    }
    b.push_str("<th>Problems</th><th>Warnings</th></tr></thead><tbody>");
    for (i, e) in data.essays.iter().enumerate() {
        let m = &e.assessment.metrics;
        let href = essay_hrefs.get(i).map(String::as_str).unwrap_or("#");
        let _ = write!(
            b,
            "<tr><td data-v=\"{id}\"><a href=\"{href}\">{id}</a></td><td data-v=\"{pos}\">{pos}</td>",
            id = escape(&e.id),
            href = escape(href),
            pos = m.thesis.position.as_str()
        );
        let num = |v: Option<f64>| match v {
            Some(v) => format!("<td data-v=\"{v}\">{}</td>", fmt_value(v)),
            None => "<td data-v=\"\">–</td>".to_string(),
        };
        for name in [
            "claims",
            "evidence",
            "evidence_per_claim",
            "unsupported_claims",
            "orphan_evidence",
            "counter_arguments",
            "depth",
        ] {
            b.push_str(&num(m.value(name)));
        }
        b.push_str(&num(Some((m.non_argumentative_share * 100.0).round())));
        for (id, _) in &criteria {
            b.push_str(&num(e.assessment.rubric.score(id).map(|s| s as f64)));
        }
        let count = |s: Severity| {
            e.assessment
                .feedback
                .iter()
                .filter(|f| f.severity == s)
                .count()
        };
        b.push_str(&num(Some(count(Severity::Problem) as f64)));
        b.push_str(&num(Some(count(Severity::Warning) as f64)));
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div>");

    if !data.errors.is_empty() {
        b.push_str("<h2 id=\"errors\">Essays that could not be read</h2><table class=\"essays errors\"><thead><tr><th>Essay</th><th>Kind</th><th>Message</th></tr></thead><tbody>");
        for e in &data.errors {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.id),
                escape(&e.kind),
                escape(&e.message)
            );
        }
        b.push_str("</tbody></table>");
    }
    b.push_str("</main>");
    page(title, "", &b, SORT_JS)
}

/// Anchor id of sentence `i` on an essay page.
pub fn sentence_anchor(i: usize) -> String {
    format!("s{i}")
}

/// One essay's page: the highlighted essay, its metrics, the feedback panel
/// (each item linking to its sentences) and the rubric suggestion.
pub fn essay_page(e: &EssayEntry, back_href: &str) -> String {
    let d = &e.doc;
    let a = &e.assessment;
    let m = &a.metrics;
    let mut b = String::new();
    let _ = write!(
        b,
        "<header><h1>{}</h1><p>{}<a href=\"{}\">← class report</a></p></header><main><div class=\"layout\"><div class=\"essaycol\">",
        escape(&e.id),
        d.title
            .as_deref()
            .map(|t| format!("Prompt: {} · ", escape(t)))
            .unwrap_or_default(),
        escape(back_href)
    );
    b.push_str("<h2>Essay</h2><p class=\"legend\"><span class=\"thesis\">thesis</span><span class=\"claim\">claim</span><span class=\"evidence\">evidence</span><span class=\"question\">question</span>other</p><div class=\"essay\">");
    let mut open: Option<usize> = None;
    for s in &d.sentences {
        if open != Some(s.paragraph) {
            if open.is_some() {
                b.push_str("</p>");
            }
            b.push_str("<p>");
            open = Some(s.paragraph);
        }
        let mut class = String::from("s");
        if let Some(l) = s.label {
            class.push(' ');
            class.push_str(l.as_str());
        }
        if s.thesis == Some(true) {
            class.push_str(" thesis");
        }
        let tip = match (s.label, s.confidence) {
            (Some(l), Some(c)) => format!("{} · {l} ({c:.2})", s.index + 1),
            (Some(l), None) => format!("{} · {l}", s.index + 1),
            _ => format!("{}", s.index + 1),
        };
        let _ = write!(
            b,
            "<span class=\"{class}\" id=\"{}\" title=\"{}\"><sup class=\"n\">{}</sup>{}</span> ",
            sentence_anchor(s.index),
            escape(&tip),
            s.index + 1,
            escape(&s.text)
        );
    }
    if open.is_some() {
        b.push_str("</p>");
    }
    b.push_str("</div></div><div>");
    b.push_str(&feedback_panel(a, &sentence_anchor));
    b.push_str(&rubric_table(a, &sentence_anchor));
    b.push_str("<h2>Metrics</h2><dl class=\"metrics\">");
    let _ = write!(
        b,
        "<dt>thesis position</dt><dd>{}</dd>",
        m.thesis.position.as_str()
    );
    for name in METRIC_NAMES {
        let v = m.value(name).map_or_else(|| "n/a".to_string(), fmt_value);
        let _ = write!(b, "<dt>{name}</dt><dd>{v}</dd>");
    }
    b.push_str("</dl></div></div></main>");
    page(&e.id, PANEL_CSS, &b, SORT_JS)
}

#[cfg(test)]
mod tests {
    use super::super::{parse_line, ClassData, ErrorEntry};
    use super::*;
    use crate::grade::Grader;

    fn data() -> ClassData {
        let line = r#"{"id":"e<1>","text":"Towns should plant trees. Shade cools streets.",
          "sentences":[{"text":"Towns should plant trees.","paragraph":0,"label":"claim","thesis":true},
                       {"text":"Shade cools streets.","paragraph":0,"label":"evidence"}],
          "map":{"edges":[{"source":1,"target":0,"relation":"supports"}]}}"#;
        ClassData {
            essays: vec![parse_line(line, 1, &Grader::default(), false).unwrap()],
            errors: vec![ErrorEntry {
                id: "bad".into(),
                kind: "io".into(),
                message: "<gone>".into(),
            }],
            order: vec![],
        }
    }

    #[test]
    fn class_page_links_essays_lists_errors_and_escapes() {
        let html = class_page(&data(), &["essays/e_1_.html".into()], "Class 9B");
        assert!(html.contains("<a href=\"essays/e_1_.html\">e&lt;1&gt;</a>"));
        assert!(html.contains("id=\"errors\"") && html.contains("&lt;gone&gt;"));
        assert!(
            html.contains("<svg") && !html.contains("http://cdn") && !html.contains("<script src")
        );
        assert!(html.contains("data-ready"));
    }

    #[test]
    fn charted_metrics_exist() {
        assert!(CHARTED.iter().all(|(m, _, _)| METRIC_NAMES.contains(m)));
    }

    #[test]
    fn essay_page_has_anchors_for_feedback_links() {
        let d = data();
        let html = essay_page(&d.essays[0], "../class.html");
        assert!(html.contains("id=\"s0\"") && html.contains("id=\"s1\""));
        assert!(html.contains("class=\"s claim thesis\""));
        assert!(html.contains("href=\"../class.html\""));
        assert!(html.contains("Rubric suggestion"));
    }
}
