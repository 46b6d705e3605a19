//! Class reports from batch output: `essaymap report OUT.jsonl`.
//!
//! Input is the JSONL that `essaymap batch` writes: one analysis object per
//! essay (`id`, `title`, `text`, `paragraphs`, `sentences`, `map`,
//! `assessment`) or an error line `{"id", "error": {"kind", "message"}}`.
//! [`read_batch`] reads it leniently: error lines, malformed lines and records
//! without sentences become [`ErrorEntry`]s that the report lists, never a
//! fatal error, because one bad essay must not cost a teacher the class report.
//! When a record has no `assessment`, or the caller passes a [`Grader`] (a
//! different `--rubric`), the assessment is recomputed from the record's
//! labelled sentences and map edges with the same code `analyze` uses.
//!
//! It reads lines into its own lenient types rather than into
//! [`crate::Analysis`]: every field defaults, so output of older builds, of
//! other tools, or trimmed by a user (no `text`, no `scores`, no byte
//! offsets) still makes a report, where the strict contract type would refuse
//! the whole line.
//!
//! Outputs:
//! - [`html::class_page`]: one self-contained page (inline CSS, SVG charts and a
//!   small sorting script, no CDN): a sortable table of the essays linking to
//!   their pages, the most frequent feedback (problems apart from strengths),
//!   then the distribution of each metric;
//! - [`html::essay_page`]: the essay's `analyze --format html` page (map,
//!   highlighted essay, feedback panel, rubric suggestion) with a link back and
//!   its metrics ([`write_site`] writes them all);
//! - [`csv::write_csv`]: one row per essay for gradebook import.

pub mod csv;
pub mod html;
mod svg;

use crate::analysis::Analysis;
use crate::argument::{ArgumentMap, Edge, Link, Node, NodeKind, Relation, Stance, ISSUE_ID};
use crate::document::{Citation, Document, Kind, Label, Paragraph, Sentence};
use crate::error::{Error, Result};
use crate::grade::{Assessment, Grader};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// One successfully analysed essay of the batch output.
#[derive(Debug, Clone)]
pub struct EssayEntry {
    /// Record id (or `line N` when the record had none).
    pub id: String,
    /// The essay, with the labels and thesis flags of the record.
    pub doc: Document,
    /// Its assessment.
    pub assessment: Assessment,
    /// Its argument map: the record's nodes and edges, or, for a record
    /// without nodes, one node per claim, evidence and thesis sentence.
    pub map: ArgumentMap,
}

impl EssayEntry {
    /// The essay as an [`Analysis`] (graded), for the renderers.
    pub fn analysis(&self) -> Analysis {
        let mut a = Analysis::new(self.doc.clone(), self.map.clone());
        a.assessment = Some(self.assessment.clone());
        a
    }
}

/// A record that could not be analysed or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    /// Record id (or `line N`).
    pub id: String,
    /// Stable error kind (as in batch error lines, or `invalid_json` /
    /// `bad_record` for lines the report could not read).
    pub kind: String,
    /// What went wrong.
    pub message: String,
}

/// Where a record of the input went, in input order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// `essays[i]`.
    Essay(usize),
    /// `errors[i]`.
    Error(usize),
}

/// Everything a class report shows.
#[derive(Debug, Clone, Default)]
pub struct ClassData {
    /// Analysed essays, in input order.
    pub essays: Vec<EssayEntry>,
    /// Records that failed, in input order.
    pub errors: Vec<ErrorEntry>,
    /// Input order of all records (empty: essays, then errors), so the CSV
    /// rows follow the class list the batch was run on.
    pub order: Vec<Slot>,
}

impl ClassData {
    /// `(id, name)` of each rubric criterion, from the first essay (every essay
    /// of a report is graded with the same rubric).
    pub fn criteria(&self) -> Vec<(String, String)> {
        self.essays
            .first()
            .map(|e| {
                e.assessment
                    .rubric
                    .criteria
                    .iter()
                    .map(|c| (c.id.clone(), c.name.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// All records in input order.
    pub fn slots(&self) -> Vec<Slot> {
        if self.order.len() == self.essays.len() + self.errors.len() {
            return self.order.clone();
        }
        (0..self.essays.len())
            .map(Slot::Essay)
            .chain((0..self.errors.len()).map(Slot::Error))
            .collect()
    }
}

#[derive(Deserialize)]
struct RecordIn {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    paragraphs: Vec<ParagraphIn>,
    #[serde(default)]
    sentences: Vec<SentenceIn>,
    #[serde(default)]
    map: Option<MapIn>,
    #[serde(default)]
    assessment: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ParagraphIn {
    start: usize,
    end: usize,
}

#[derive(Deserialize)]
struct SentenceIn {
    #[serde(default)]
    start: usize,
    #[serde(default)]
    end: usize,
    #[serde(default)]
    text: String,
    #[serde(default)]
    paragraph: usize,
    #[serde(default)]
    label: Option<Label>,
    #[serde(default)]
    confidence: Option<f32>,
    #[serde(default)]
    thesis: Option<bool>,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    citations: Vec<Citation>,
}

#[derive(Deserialize)]
struct MapIn {
    // Read one by one, so one odd node loses only itself.
    #[serde(default)]
    nodes: Vec<serde_json::Value>,
    #[serde(default)]
    edges: Vec<EdgeIn>,
}

#[derive(Deserialize)]
struct EdgeIn {
    // Integers for sentences; the issue node may have another id, which the
    // grader does not need.
    source: serde_json::Value,
    target: serde_json::Value,
    relation: String,
    #[serde(default)]
    confidence: Option<f32>,
}

fn edge(e: &EdgeIn) -> Option<Link> {
    let relation = relation(&e.relation)?;
    let idx = |v: &serde_json::Value| v.as_u64().and_then(|n| usize::try_from(n).ok());
    Some(Link::new(idx(&e.source)?, idx(&e.target)?, relation))
}

fn relation(name: &str) -> Option<Relation> {
    match name {
        "supports" => Some(Relation::Supports),
        "attacks" => Some(Relation::Attacks),
        "answers" => Some(Relation::Answers),
        _ => None,
    }
}

/// The record's map as the renderers draw it: its nodes and edges that name
/// a sentence of the record (or the issue, `-1` or `"issue"`); without nodes
/// (older or trimmed output), nodes from the sentence labels and edges.
fn to_map(r: &RecordIn, doc: &Document) -> ArgumentMap {
    let n = doc.sentences.len() as i64;
    let node_id = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if s == "issue" => Some(ISSUE_ID),
        v => v.as_i64().filter(|&i| i == ISSUE_ID || (0..n).contains(&i)),
    };
    let Some(m) = &r.map else {
        return ArgumentMap::default();
    };
    let mut edges: Vec<Edge> = m
        .edges
        .iter()
        .filter_map(|e| {
            Some(Edge {
                source: node_id(&e.source)?,
                target: node_id(&e.target)?,
                relation: relation(&e.relation)?,
                confidence: e.confidence.unwrap_or(1.0),
            })
        })
        .collect();
    let mut nodes: Vec<Node> = m
        .nodes
        .iter()
        .filter_map(|v| serde_json::from_value::<Node>(v.clone()).ok())
        .filter(|nd| nd.id == ISSUE_ID || (0..n).contains(&nd.id))
        .collect();
    if nodes.is_empty() {
        nodes = derived_nodes(doc, &edges);
    }
    if let Some(issue) = nodes.iter_mut().find(|nd| nd.id == ISSUE_ID) {
        if issue.text.is_none() {
            issue.text.clone_from(&doc.title);
        }
    }
    let ids: std::collections::HashSet<i64> = nodes.iter().map(|nd| nd.id).collect();
    // One edge leaves a node (the contract's tree); keep the first.
    let mut sources = std::collections::HashSet::new();
    edges.retain(|e| {
        e.source != e.target
            && ids.contains(&e.source)
            && ids.contains(&e.target)
            && sources.insert(e.source)
    });
    ArgumentMap { nodes, edges }
}

/// Nodes for a record that lists none: the issue when an edge answers it,
/// then each sentence that is the thesis, a claim, evidence or an end of an
/// edge; claims attacking the thesis are counter-claims.
fn derived_nodes(doc: &Document, edges: &[Edge]) -> Vec<Node> {
    let mut nodes = Vec::new();
    if doc.title.is_some() && edges.iter().any(|e| e.target == ISSUE_ID) {
        nodes.push(Node {
            id: ISSUE_ID,
            kind: NodeKind::Issue,
            text: doc.title.clone(),
            stance: None,
        });
    }
    let thesis: Vec<i64> = doc
        .sentences
        .iter()
        .filter(|s| s.thesis == Some(true))
        .map(|s| s.index as i64)
        .collect();
    for s in &doc.sentences {
        let id = s.index as i64;
        let out = edges.iter().find(|e| e.source == id);
        let linked = out.is_some() || edges.iter().any(|e| e.target == id);
        let kind = match s.label {
            _ if s.thesis == Some(true) => NodeKind::Thesis,
            Some(Label::Claim) => NodeKind::Claim,
            Some(Label::Evidence) => NodeKind::Evidence,
            _ if !linked => continue,
            _ if out.is_some_and(|e| e.target == ISSUE_ID || thesis.contains(&e.target)) => {
                NodeKind::Claim
            }
            _ => NodeKind::Evidence,
        };
        let against = kind == NodeKind::Claim
            && out.is_some_and(|e| e.relation == Relation::Attacks && thesis.contains(&e.target));
        nodes.push(Node {
            id,
            kind,
            text: None,
            stance: (kind == NodeKind::Claim).then_some(if against {
                Stance::Against
            } else {
                Stance::For
            }),
        });
    }
    nodes
}

fn to_document(r: &RecordIn, id: &str) -> Document {
    let mut sentences: Vec<Sentence> = Vec::with_capacity(r.sentences.len());
    let mut last_para = None;
    let mut pos = 0;
    for (i, s) in r.sentences.iter().enumerate() {
        if last_para != Some(s.paragraph) {
            pos = 0;
            last_para = Some(s.paragraph);
        }
        sentences.push(Sentence {
            index: i,
            start: s.start,
            end: s.end,
            text: s.text.clone(),
            paragraph: s.paragraph,
            position_in_paragraph: pos,
            bytes: 0..0,
            label: s.label,
            confidence: s.confidence,
            scores: None,
            thesis: s.thesis,
            kind: s.kind,
            citations: s.citations.clone(),
        });
        pos += 1;
    }
    let n_par = sentences.iter().map(|s| s.paragraph + 1).max().unwrap_or(0);
    let paragraphs = if r.paragraphs.is_empty() {
        (0..n_par)
            .map(|index| Paragraph {
                index,
                start: 0,
                end: 0,
                bytes: 0..0,
            })
            .collect()
    } else {
        r.paragraphs
            .iter()
            .enumerate()
            .map(|(index, p)| Paragraph {
                index,
                start: p.start,
                end: p.end,
                bytes: 0..0,
            })
            .collect()
    };
    let text = r.text.clone().unwrap_or_else(|| {
        sentences
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    Document {
        id: Some(id.to_string()),
        title: r.title.clone(),
        text,
        paragraphs,
        sentences,
    }
}

fn error_entry(id: &str, e: &serde_json::Value) -> ErrorEntry {
    let (kind, message) = match e {
        serde_json::Value::Object(o) => (
            o.get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("error")
                .to_string(),
            o.get("message")
                .and_then(|k| k.as_str())
                .map_or_else(|| e.to_string(), str::to_string),
        ),
        serde_json::Value::String(s) => ("error".to_string(), s.clone()),
        other => ("error".to_string(), other.to_string()),
    };
    ErrorEntry {
        id: id.to_string(),
        kind,
        message,
    }
}

/// Parses one batch output line (`line_no` is 1-based, for messages).
/// `regrade` recomputes the assessment even when the record has one.
pub fn parse_line(
    line: &str,
    line_no: usize,
    grader: &Grader,
    regrade: bool,
) -> std::result::Result<EssayEntry, ErrorEntry> {
    let fallback_id = format!("line {line_no}");
    let rec: RecordIn = serde_json::from_str(line).map_err(|e| {
        // Keep the id if the line is JSON with an id but an unexpected shape.
        let id = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
            .unwrap_or_else(|| fallback_id.clone());
        ErrorEntry {
            id,
            kind: if e.is_data() {
                "bad_record"
            } else {
                "invalid_json"
            }
            .into(),
            message: format!("line {line_no}: {e}"),
        }
    })?;
    let id = rec.id.clone().unwrap_or(fallback_id);
    if let Some(e) = &rec.error {
        return Err(error_entry(&id, e));
    }
    let stored = if regrade {
        None
    } else {
        rec.assessment
            .as_ref()
            .and_then(|a| serde_json::from_value::<Assessment>(a.clone()).ok())
    };
    if stored.is_none() && rec.sentences.is_empty() {
        return Err(ErrorEntry {
            id,
            kind: "bad_record".into(),
            message: format!("line {line_no}: no sentences and no readable assessment"),
        });
    }
    let doc = to_document(&rec, &id);
    let assessment = stored.unwrap_or_else(|| {
        let edges: Vec<Link> = rec
            .map
            .as_ref()
            .map(|m| m.edges.iter().filter_map(edge).collect())
            .unwrap_or_default();
        grader.grade(&doc, &edges)
    });
    let map = to_map(&rec, &doc);
    Ok(EssayEntry {
        id,
        doc,
        assessment,
        map,
    })
}

/// Reads batch output JSONL. A `grader` given means "recompute every
/// assessment with this rubric"; without one, stored assessments are used and
/// missing ones are computed with the default rubric.
///
/// # Errors
/// When the file cannot be read, or when no line of it is batch output (an
/// analysis or an error line), as with `analyze`'s pretty JSON or the batch
/// input: a report listing every line as failed would only hide the mistake.
/// Bad lines of batch output become [`ErrorEntry`]s.
pub fn read_batch(path: &Path, grader: Option<&Grader>) -> Result<ClassData> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_batch_from(std::io::BufReader::new(f), path, grader)
}

/// [`read_batch`] from any reader (the server reads a request body); `path`
/// names it in errors.
///
/// # Errors
/// As [`read_batch`].
pub fn read_batch_from(
    reader: impl BufRead,
    path: &Path,
    grader: Option<&Grader>,
) -> Result<ClassData> {
    let default = Grader::default();
    let (g, regrade) = match grader {
        Some(g) => (g, true),
        None => (&default, false),
    };
    let mut data = ClassData::default();
    let mut batch_output = false;
    let mut first_line = None;
    for (i, line) in reader.lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                data.order.push(Slot::Error(data.errors.len()));
                data.errors.push(ErrorEntry {
                    id: format!("line {}", i + 1),
                    kind: "invalid_utf8".into(),
                    message: format!("line {}: not UTF-8", i + 1),
                });
                continue;
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(&line, i + 1, g, regrade) {
            Ok(e) => {
                batch_output = true;
                data.order.push(Slot::Essay(data.essays.len()));
                data.essays.push(e);
            }
            Err(e) => {
                batch_output = batch_output || is_error_line(&line);
                first_line.get_or_insert(line);
                data.order.push(Slot::Error(data.errors.len()));
                data.errors.push(e);
            }
        }
    }
    match first_line {
        Some(line) if !batch_output => Err(Error::BadRecord {
            what: path.display().to_string(),
            message: not_batch_output_hint(&line),
        }),
        _ => Ok(data),
    }
}

/// Whether `line` is a batch error line, `{"id", "error": ...}`.
fn is_error_line(line: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(line)
        .is_ok_and(|v| v.get("error").is_some() && v.get("id").is_some())
}

/// What a file that is not batch output probably is, from its first line.
fn not_batch_output_hint(first: &str) -> String {
    let what = match serde_json::from_str::<serde_json::Value>(first) {
        Ok(v) if v.get("text").is_some() => "it looks like batch input, essays not yet analysed",
        Ok(_) => "its lines are JSON, but neither analyses nor error lines",
        Err(_) if first.trim() == "{" => {
            "it looks like pretty-printed JSON, as `analyze --format json` writes"
        }
        Err(_) => "its lines are not JSON",
    };
    format!(
        "not `essaymap batch` output: {what}; make that with `essaymap batch ESSAYS -o out.jsonl`"
    )
}

/// A file name for each essay page: the id made safe (letters, digits, `.`,
/// `_`, `-`), shortened, and made unique with a `-N` suffix.
pub fn page_names(data: &ClassData) -> Vec<String> {
    let mut used: HashMap<String, usize> = HashMap::new();
    data.essays
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let mut base: String =
                e.id.chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "._-".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .take(80)
                    .collect();
            if base.trim_matches(|c| c == '.' || c == '_').is_empty() {
                base = format!("essay-{}", k + 1);
            }
            let n = used.entry(base.to_lowercase()).or_insert(0);
            *n += 1;
            if *n > 1 {
                format!("{base}-{n}.html")
            } else {
                format!("{base}.html")
            }
        })
        .collect()
}

/// What [`write_site`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The class page.
    pub class_page: PathBuf,
    /// The folder of per-essay pages.
    pub essays_dir: PathBuf,
    /// Number of essay pages written.
    pub pages: usize,
}

/// Writes the class page to `out` and one page per essay into `essays_dir`
/// (relative paths are taken relative to the folder of `out`; default:
/// `<out stem>_essays` next to it). `title` heads the class page.
///
/// # Errors
/// [`Error::Io`] when a file or folder cannot be written.
pub fn write_site(
    data: &ClassData,
    out: &Path,
    essays_dir: Option<&Path>,
    title: &str,
) -> Result<Site> {
    let parent = out.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = out
        .file_stem()
        .map_or_else(|| "class".to_string(), |s| s.to_string_lossy().into_owned());
    let rel_dir: PathBuf = match essays_dir {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from(format!("{stem}_essays")),
    };
    let abs_dir = if rel_dir.is_absolute() {
        rel_dir.clone()
    } else {
        parent.join(&rel_dir)
    };
    std::fs::create_dir_all(&abs_dir).map_err(|e| Error::io(&abs_dir, e))?;
    let names = page_names(data);
    // Links: relative when the essay folder is a plain subfolder of the report's
    // folder (the site can be zipped and moved), absolute file URLs otherwise.
    let simple = !rel_dir.is_absolute()
        && rel_dir
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    let out_name = out.file_name().map_or_else(
        || "class.html".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let (essay_href_base, back_href) = if simple {
        let depth = rel_dir.components().count();
        (
            format!("{}/", url_path(&rel_dir)),
            format!("{}{}", "../".repeat(depth), url_escape(&out_name)),
        )
    } else {
        let abs_out = absolute(out);
        (
            format!("{}/", file_url(&absolute(&abs_dir))),
            file_url(&abs_out),
        )
    };
    let hrefs: Vec<String> = names
        .iter()
        .map(|n| format!("{essay_href_base}{}", url_escape(n)))
        .collect();
    let page = html::class_page(data, &hrefs, title);
    std::fs::write(out, page).map_err(|e| Error::io(out, e))?;
    for (e, name) in data.essays.iter().zip(&names) {
        let p = abs_dir.join(name);
        std::fs::write(&p, html::essay_page(e, &back_href)).map_err(|err| Error::io(&p, err))?;
    }
    Ok(Site {
        class_page: out.to_path_buf(),
        essays_dir: abs_dir,
        pages: names.len(),
    })
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url_path(p: &Path) -> String {
    let parts: Vec<String> = p
        .components()
        .map(|c| url_escape(&c.as_os_str().to_string_lossy()))
        .collect();
    parts.join("/")
}

fn file_url(p: &Path) -> String {
    format!(
        "file://{}",
        url_escape(&p.to_string_lossy().replace('\\', "/"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"id":"a/b 1.txt","title":"Should towns plant trees?","text":"Towns should plant trees. Shade cools streets.","paragraphs":[{"index":0,"start":0,"end":46}],
      "sentences":[{"index":0,"start":0,"end":25,"text":"Towns should plant trees.","paragraph":0,"label":"claim","thesis":true},
                   {"index":1,"start":26,"end":46,"text":"Shade cools streets.","paragraph":0,"label":"evidence","thesis":false}],
      "map":{"nodes":[],"edges":[{"source":1,"target":0,"relation":"supports","confidence":0.9},{"source":0,"target":"issue","relation":"answers","confidence":1.0}]}}"#;

    #[test]
    fn record_without_assessment_is_graded_from_its_map() {
        let e = parse_line(LINE, 1, &Grader::default(), false).unwrap();
        assert_eq!(e.id, "a/b 1.txt");
        assert_eq!(e.assessment.metrics.evidence, 1);
        assert!(e.assessment.metrics.orphan_evidence.is_empty());
        assert_eq!(e.assessment.metrics.thesis.answers_prompt, Some(true));
    }

    #[test]
    fn a_record_without_nodes_gets_them_from_its_labels_and_edges() {
        let e = parse_line(LINE, 1, &Grader::default(), false).unwrap();
        let kinds: Vec<(i64, NodeKind)> = e.map.nodes.iter().map(|n| (n.id, n.kind)).collect();
        assert_eq!(
            kinds,
            [
                (ISSUE_ID, NodeKind::Issue),
                (0, NodeKind::Thesis),
                (1, NodeKind::Evidence)
            ]
        );
        assert_eq!(
            e.map.node(ISSUE_ID).unwrap().text.as_deref(),
            Some("Should towns plant trees?")
        );
        assert_eq!(e.map.edges.len(), 2);
        assert_eq!(e.map.edges[0].confidence, 0.9);
        // Edges to sentences the record does not have are dropped, not drawn.
        let odd = LINE.replace(r#""source":1,"target":0"#, r#""source":1,"target":7"#);
        let e = parse_line(&odd, 1, &Grader::default(), false).unwrap();
        assert_eq!(e.map.edges.len(), 1);
    }

    #[test]
    fn error_and_broken_lines_become_entries() {
        let g = Grader::default();
        let e = parse_line(
            r#"{"id":"x","error":{"kind":"io","message":"gone"}}"#,
            3,
            &g,
            false,
        )
        .unwrap_err();
        assert_eq!(
            (e.id.as_str(), e.kind.as_str(), e.message.as_str()),
            ("x", "io", "gone")
        );
        let e = parse_line("{not json", 4, &g, false).unwrap_err();
        assert_eq!((e.id.as_str(), e.kind.as_str()), ("line 4", "invalid_json"));
        let e = parse_line(r#"{"id":"y","sentences":"nope"}"#, 5, &g, false).unwrap_err();
        assert_eq!((e.id.as_str(), e.kind.as_str()), ("y", "bad_record"));
        let e = parse_line(r#"{"id":"z"}"#, 6, &g, false).unwrap_err();
        assert_eq!(e.kind, "bad_record");
    }

    #[test]
    fn page_names_are_safe_and_unique() {
        let g = Grader::default();
        let e = parse_line(LINE, 1, &g, false).unwrap();
        let data = ClassData {
            essays: vec![
                e.clone(),
                e.clone(),
                EssayEntry {
                    id: "..".into(),
                    ..e
                },
            ],
            ..ClassData::default()
        };
        assert_eq!(
            page_names(&data),
            ["a_b_1.txt.html", "a_b_1.txt-2.html", "essay-3.html"]
        );
    }

    proptest::proptest! {
        /// No input line makes the reader panic: it is an essay or an error entry.
        #[test]
        fn any_line_is_an_essay_or_an_error(line in ".{0,200}") {
            let _ = parse_line(&line, 1, &Grader::default(), false);
        }

        /// Records with arbitrary sentence labels, paragraphs and edge ids grade without panicking.
        #[test]
        fn arbitrary_records_grade(
            paras in proptest::collection::vec(0usize..6, 0..8),
            edges in proptest::collection::vec((-2i64..10, -2i64..10), 0..10),
        ) {
            const LABELS: [&str; 4] = ["claim", "evidence", "other", "question"];
            let sentences: Vec<serde_json::Value> = paras.iter().enumerate().map(|(i, p)| serde_json::json!({
                "text": format!("Sentence {i} is here."), "paragraph": p,
                "label": LABELS[i % 4], "thesis": i == 0
            })).collect();
            let edges: Vec<serde_json::Value> = edges.iter().map(|(a, b)| serde_json::json!({"source": a, "target": b, "relation": "supports"})).collect();
            let line = serde_json::json!({"id": "p", "sentences": sentences, "map": {"edges": edges}}).to_string();
            let r = parse_line(&line, 1, &Grader::default(), false);
            if !paras.is_empty() {
                proptest::prop_assert!(r.is_ok());
            }
            // Whatever the edges, the essay page (map included) renders.
            if let Ok(e) = r {
                proptest::prop_assert!(html::essay_page(&e, "c.html").contains("<svg id=\"map\""));
            }
        }
    }
}
