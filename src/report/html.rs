//! The class page and the per-essay pages, as self-contained HTML strings.
//!
//! Everything is inline (CSS, SVG, one short script) so a teacher can open the
//! files from disk, mail them or put them on a share: no CDN, no network. The
//! class page's script only sorts the essay table; the page is complete
//! without it. When it has run it sets `data-ready="1"` on `<body>`, which
//! `scripts/ci/check_pages.sh` looks for in headless Chromium to prove the page
//! runs without a JavaScript error; the same script also checks that nothing
//! scrolls sideways on a 1280 px screen. An essay page is the page of
//! `analyze --format html` ([`crate::render::html`]) with a link back and the
//! metrics, so the two pages of one essay never disagree.

use super::svg::{bar_chart, hbar_rows, histogram, Bar, Binning};
use super::{ClassData, EssayEntry};
use crate::grade::metrics::METRIC_NAMES;
use crate::grade::{Severity, ThesisPosition};
use crate::render::html::PageParts;
use crate::render::panel::{escape, fmt_value, is_strength, plain_words};
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
h3{font-size:1em;margin:.4em 0}
a:focus-visible,th:focus-visible{outline:3px solid #e67e22}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:.8em}
figure.chart{margin:0;border:1px solid #e3e3e3;border-radius:4px;padding:.4em}
figure.chart figcaption{font-size:.85em;text-align:center;color:#333}
svg .bar{fill:#4a7fb5}svg .bar:hover{fill:#243b55}
svg .axis{stroke:#999;stroke-width:1}svg .grid{stroke:#eee;stroke-width:1}
svg .tick,svg .val,svg .xlabel{font-size:9px;fill:#555}
.fbcols{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1.2em}
.hrow{display:grid;grid-template-columns:minmax(0,46%) 1fr 6.5em;align-items:center;gap:.5em;margin:.15em 0;font-size:.9em}
.hsvg{width:100%;height:14px;background:#f2f2f2}
.hsvg .problem{fill:#c0392b}.hsvg .warning{fill:#d68910}.hsvg .info{fill:#2e86c1}.hsvg .strength{fill:#1e8449}
.hcount{text-align:right;color:#444}
table.essays{border-collapse:collapse;width:100%;font-size:.85em}
table.essays th,table.essays td{border-bottom:1px solid #e5e5e5;padding:.3em .35em;text-align:right;vertical-align:top}
table.essays td{white-space:nowrap}
table.essays th{background:#f4f6f8;cursor:pointer;position:sticky;top:0;user-select:none;vertical-align:bottom;font-weight:600;hyphens:manual}
table.essays .id{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:8em;max-width:16em}
table.essays .work{text-align:left;white-space:normal;min-width:16em}
table.essays th.crit,table.essays td.crit{background:#f3f7fc}
table.essays tr.groups th{text-align:center;font-weight:normal;font-size:.9em;color:#444;border-bottom:0;cursor:default;position:static}
table.essays tr.groups th.crit{border-bottom:2px solid #4a7fb5}table.essays tr.groups th.counts{border-bottom:2px solid #aaa}
table.essays th[aria-sort=ascending]::after{content:" ▲"}table.essays th[aria-sort=descending]::after{content:" ▼"}
table.essays tr:hover td{background:#fafcff}
.fb{display:inline-block;border-radius:8px;padding:0 .45em;margin:0 .25em .2em 0;font-size:.92em;background:#eef6fc}
.fb.problem{background:#fdecea;color:#922}.fb.warning{background:#fef5e7;color:#7a4a00}
.none{color:#1e8449}
.tablewrap{overflow-x:auto}
.errors td{text-align:left;white-space:normal;overflow-wrap:anywhere}
.note{font-style:italic;color:#555}
.pill{display:inline-block;border-radius:8px;padding:0 .45em;font-size:.8em;background:#eee}
.pill.problem{background:#fdecea;color:#922}.pill.warning{background:#fef5e7;color:#7a4a00}.pill.strength{background:#eafaf1;color:#1e6b3a}
nav.jump{font-size:.9em;margin:.6em 0}nav.jump a{margin-right:1em}
"#;

const SORT_JS: &str = r#"
(function(){
  var table=document.getElementById('essays');
  if(table){
    var ths=table.tHead.rows[table.tHead.rows.length-1].cells;
    Array.prototype.forEach.call(ths,function(th,col){
      th.tabIndex=0;
      th.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();th.click();}});
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
///
/// The students come first: the essay table (rubric suggestions and what
/// each essay should work on, in plain words), then the class's most frequent
/// strengths and problems, then the distributions.
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
    b.push_str("<nav class=\"jump\">Jump to: <a href=\"#table\">essays</a><a href=\"#feedback\">frequent feedback</a><a href=\"#rubric\">rubric scores</a><a href=\"#charts\">charts</a>");
    if !data.errors.is_empty() {
        b.push_str("<a href=\"#errors\">errors</a>");
    }
    b.push_str("</nav>");
    essay_table(&mut b, data, essay_hrefs);
    frequent_feedback(&mut b, data);
    rubric_charts(&mut b, data);
    metric_charts(&mut b, data);
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

/// Metric columns of the essay table: (metric, header, tooltip). The CSV and
/// the charts carry every metric; the table keeps what fits a laptop screen.
const TABLE_METRICS: [(&str, &str, &str); 5] = [
    ("claims", "Claims", "claims besides the thesis"),
    ("evidence", "Evid&shy;ence", "evidence sentences"),
    (
        "unsupported_claims",
        "Unsup&shy;ported",
        "claims with no evidence",
    ),
    (
        "counter_arguments",
        "Counter-args",
        "counter-arguments considered",
    ),
    ("depth", "Depth", "longest chain of reasoning, in links"),
];

/// The sortable essay table: one row per essay with its suggested rubric
/// scores and, in plain words, its problems and warnings.
fn essay_table(b: &mut String, data: &ClassData, essay_hrefs: &[String]) {
    let criteria = data.criteria();
    let scale = data
        .essays
        .first()
        .map(|e| {
            format!(
                " ({}–{})",
                e.assessment.rubric.scale_min, e.assessment.rubric.scale_max
            )
        })
        .unwrap_or_default();
    let _ = write!(
        b,
        "<h2 id=\"table\">Essays</h2><p class=\"note\">Suggested rubric scores{scale}, then what each essay should work on. Click a column heading to sort; click an essay to open its page with the argument map.</p><div class=\"tablewrap\"><table class=\"essays\" id=\"essays\"><thead><tr class=\"groups\"><th colspan=\"2\"></th><th colspan=\"{}\" class=\"crit\">Suggested scores</th><th></th><th colspan=\"{}\" class=\"counts\">Counted in the argument map</th></tr><tr><th class=\"id\">Essay</th><th title=\"where the thesis is\">Thesis</th>",
        criteria.len(),
        TABLE_METRICS.len() + 1
    );
    for (id, name) in &criteria {
        let _ = write!(
            b,
            "<th class=\"crit\" title=\"{}: suggested score\">{}</th>",
            escape(id),
            escape(name)
        );
    }
    b.push_str(
        "<th class=\"work\" title=\"problems and warnings, most severe first\">To work on</th>",
    );
    for (_, head, tip) in TABLE_METRICS {
        let _ = write!(b, "<th title=\"{tip}\">{head}</th>");
    }
    b.push_str(
        "<th title=\"share of sentences off the argument\">Off-arg. %</th></tr></thead><tbody>",
    );
    for (i, e) in data.essays.iter().enumerate() {
        let m = &e.assessment.metrics;
        let href = essay_hrefs.get(i).map(String::as_str).unwrap_or("#");
        let _ = write!(
            b,
            "<tr><td class=\"id\" data-v=\"{id}\"><a href=\"{href}\">{id}</a></td><td data-v=\"{pos}\">{pos}</td>",
            id = escape(&e.id),
            href = escape(href),
            pos = m.thesis.position.as_str()
        );
        let num = |v: Option<f64>| match v {
            Some(v) => format!("<td data-v=\"{v}\">{}</td>", fmt_value(v)),
            None => "<td data-v=\"\">–</td>".to_string(),
        };
        for (id, _) in &criteria {
            let score = num(e.assessment.rubric.score(id).map(|s| s as f64));
            b.push_str(&score.replacen("<td", "<td class=\"crit\"", 1));
        }
        // Each code once, most severe first (the feedback's own order).
        let mut seen = Vec::new();
        let (mut problems, mut warnings) = (0, 0);
        for f in &e.assessment.feedback {
            match f.severity {
                Severity::Problem => problems += 1,
                Severity::Warning => warnings += 1,
                Severity::Info => continue,
            }
            if !seen.contains(&f.code.as_str()) {
                seen.push(f.code.as_str());
            }
        }
        let _ = write!(
            b,
            "<td class=\"work\" data-v=\"{}\">",
            problems * 1000 + warnings
        );
        if seen.is_empty() {
            b.push_str("<span class=\"none\">nothing flagged</span>");
        }
        for code in seen {
            let sev = severity_of(data, code);
            let _ = write!(
                b,
                "<span class=\"fb {}\" data-code=\"{c}\" title=\"{c}\">{}</span>",
                sev.as_str(),
                escape(&plain_words(code)),
                c = escape(code)
            );
        }
        b.push_str("</td>");
        for (name, _, _) in TABLE_METRICS {
            b.push_str(&num(m.value(name)));
        }
        b.push_str(&num(Some((m.non_argumentative_share * 100.0).round())));
        b.push_str("</tr>");
    }
    b.push_str("</tbody></table></div>");
}

/// Most frequent feedback, strengths apart from problems: the share of essays
/// with at least one item of each code, named in plain words (the code is the
/// tooltip).
fn frequent_feedback(b: &mut String, data: &ClassData) {
    let n = data.essays.len();
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
    b.push_str("<h2 id=\"feedback\">Most frequent feedback</h2><p class=\"note\">Share of essays with at least one item of each kind; hover a line for its feedback code.</p><div class=\"fbcols\">");
    for (strengths, heading, none) in [
        (false, "Problems to work on", "No problems or remarks."),
        (true, "Strengths", "No strengths found."),
    ] {
        let rows: Vec<(String, usize, &str)> = freq
            .iter()
            .filter(|(code, _)| is_strength(code) == strengths)
            .take(12)
            .map(|(code, count)| {
                let sev = if strengths {
                    "strength"
                } else {
                    severity_of(data, code).as_str()
                };
                (
                    format!(
                        "<span class=\"pill {sev}\">{sev}</span> <span data-code=\"{c}\" title=\"{c}\">{}</span>",
                        escape(&plain_words(code)),
                        c = escape(code)
                    ),
                    *count,
                    sev,
                )
            })
            .collect();
        let _ = write!(b, "<section><h3>{heading}</h3>");
        if rows.is_empty() {
            let _ = write!(b, "<p>{none}</p>");
        } else {
            b.push_str(&hbar_rows(&rows, n));
        }
        b.push_str("</section>");
    }
    b.push_str("</div>");
}

/// One chart per rubric criterion: how many essays got each suggested score.
fn rubric_charts(b: &mut String, data: &ClassData) {
    let n = data.essays.len();
    let Some(first) = data.essays.first() else {
        return;
    };
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

/// Where the thesis is, the yes/no findings and the distribution of each
/// charted metric.
fn metric_charts(b: &mut String, data: &ClassData) {
    let n = data.essays.len();
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
            .filter(|m| among.is_none_or(|a| m.value(a) == Some(1.0)))
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
}

/// Anchor id of sentence `i` on an essay page.
pub fn sentence_anchor(i: usize) -> String {
    format!("s{i}")
}

/// One essay's page: the same page as `analyze --format html` (argument map,
/// essay highlighted by role, feedback panel and rubric suggestion, drawn by
/// one renderer so the two never disagree), headed by the essay's id, with a
/// link back to the class page and the essay's metrics.
pub fn essay_page(e: &EssayEntry, back_href: &str) -> String {
    let m = &e.assessment.metrics;
    let mut extra = String::from("<section id=\"metrics\"><h2>Metrics</h2><dl class=\"metrics\">");
    let _ = write!(
        extra,
        "<dt>thesis position</dt><dd>{}</dd>",
        m.thesis.position.as_str()
    );
    for name in METRIC_NAMES {
        let v = m.value(name).map_or_else(|| "n/a".to_string(), fmt_value);
        let _ = write!(extra, "<dt>{}</dt><dd>{v}</dd>", name.replace('_', " "));
    }
    extra.push_str("</dl></section>");
    crate::render::html::page(
        &e.analysis(),
        &PageParts {
            heading: Some(&e.id),
            back: Some((back_href, "class report")),
            extra: &extra,
        },
    )
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

    /// `(id, class)` of every sentence span of a page, in page order.
    pub(crate) fn span_classes(html: &str) -> Vec<(String, String)> {
        html.split("<span class=\"")
            .skip(1)
            .filter_map(|rest| {
                let (class, rest) = rest.split_once('"')?;
                let id = rest.strip_prefix(" id=\"")?.split('"').next()?;
                id.starts_with('s')
                    .then(|| (id.to_string(), class.to_string()))
            })
            .collect()
    }

    #[test]
    fn class_page_puts_the_students_first_and_names_feedback_in_plain_words() {
        let mut d = data();
        // A second essay whose counter-argument goes unanswered.
        let line = r#"{"id":"b","text":"x","sentences":[
          {"text":"Towns should plant trees.","paragraph":0,"label":"claim","thesis":true},
          {"text":"Trees cost money.","paragraph":1,"label":"claim"},
          {"text":"Shade cools streets.","paragraph":1,"label":"evidence"}],
          "map":{"edges":[{"source":1,"target":0,"relation":"attacks"},{"source":2,"target":0,"relation":"supports"}]}}"#;
        d.essays
            .push(parse_line(line, 2, &Grader::default(), false).unwrap());
        let html = class_page(&d, &["a.html".into(), "b.html".into()], "Class");
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("no {needle}"));
        assert!(at("id=\"essays\"") < at("id=\"feedback\""));
        assert!(at("id=\"feedback\"") < at("id=\"rubric\""));
        assert!(at("id=\"rubric\"") < at("id=\"charts\""));
        let (problems, strengths) = html[at("id=\"feedback\"")..at("id=\"rubric\"")]
            .split_once("<h3>Strengths</h3>")
            .unwrap();
        assert!(problems.contains("<h3>Problems to work on</h3>"));
        let codes: std::collections::BTreeSet<&str> = d
            .essays
            .iter()
            .flat_map(|e| e.assessment.feedback.iter().map(|f| f.code.as_str()))
            .collect();
        assert!(codes.iter().any(|c| is_strength(c)), "{codes:?}");
        assert!(codes.iter().any(|c| !is_strength(c)), "{codes:?}");
        for code in codes {
            let words = escape(&plain_words(code));
            assert_ne!(words, code);
            let line = format!("title=\"{code}\">{words}</span>");
            let (home, other) = if is_strength(code) {
                (strengths, problems)
            } else {
                (problems, strengths)
            };
            assert!(home.contains(&line), "{code} not in its list");
            assert!(!other.contains(&line), "{code} in the wrong list");
            // The code is a tooltip and data, never the words shown.
            assert!(!html.contains(&format!(">{code}<")), "{code} shown as text");
        }
        // The table names each essay's problems in words too.
        let table = &html[at("id=\"essays\"")..at("id=\"feedback\"")];
        assert!(table.contains(&escape(&plain_words("unrebutted_counter_argument"))));
    }

    #[test]
    fn essay_page_draws_the_map_and_highlights_as_analyze_html_does() {
        // Sentence 2 is labelled `other`, but the map made it a counter-claim.
        let line = r#"{"id":"c","title":"Should towns plant trees?","text":"x","sentences":[
          {"text":"Towns should plant trees.","paragraph":0,"label":"claim","thesis":true},
          {"text":"Some say trees cost too much.","paragraph":1,"label":"other"},
          {"text":"Yet shade saves <energy>.","paragraph":1,"label":"evidence"}],
          "map":{"nodes":[{"id":-1,"kind":"issue","text":"Should towns plant trees?"},
                          {"id":0,"kind":"thesis"},{"id":1,"kind":"claim","stance":"against"},
                          {"id":2,"kind":"evidence"}],
                 "edges":[{"source":0,"target":-1,"relation":"answers","confidence":1.0},
                          {"source":1,"target":0,"relation":"attacks","confidence":0.7},
                          {"source":2,"target":1,"relation":"attacks","confidence":0.8}]}}"#;
        let e = parse_line(line, 1, &Grader::default(), false).unwrap();
        assert_eq!(e.map.nodes.len(), 4);
        let page = essay_page(&e, "../class.html");
        let analyze = crate::render::to_string(&e.analysis(), crate::render::Format::Html).unwrap();
        assert_eq!(
            page.matches("<g class=\"node").count(),
            4,
            "the map is drawn"
        );
        assert_eq!(span_classes(&page), span_classes(&analyze));
        assert!(span_classes(&page).contains(&("s1".into(), "s other claim against".into())));
        assert!(page.contains("&lt;energy&gt;") && !page.contains("<energy>"));
        assert!(page.contains("href=\"../class.html\"") && page.contains("id=\"metrics\""));
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
