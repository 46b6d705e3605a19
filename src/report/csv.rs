//! The gradebook CSV: one row per essay, for import into a spreadsheet, Canvas
//! or Google Classroom.
//!
//! Columns: `id`, `title`, `status` (`ok` / `error`), `error`,
//! `thesis_position`, every metric of [`METRIC_NAMES`] (yes/no as 1/0, blank
//! when it cannot be computed), `rubric_<criterion>` per rubric criterion (the
//! suggested score), `rubric_scale_min`, `rubric_scale_max`, `problems`,
//! `warnings`, `feedback_codes` (`;`-separated) and `feedback`: every feedback
//! message, one per line, ready to paste into an LMS comment. Plain UTF-8, a header row, RFC 4180
//! quoting, numbers without units, so importers need no mapping beyond
//! choosing columns. Error records get a row too (status `error`, the message,
//! empty scores), so the row count matches the class list. Text cells starting
//! with `=`, `+`, `-` or `@` get a leading `'` so a spreadsheet never runs them
//! as formulas.

use super::{ClassData, Slot};
use crate::error::{Error, Result};
use crate::grade::metrics::METRIC_NAMES;
use crate::grade::Severity;
use crate::render::panel::fmt_value;
use std::io::Write;

fn safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn csv_err(e: ::csv::Error) -> Error {
    match e.into_kind() {
        ::csv::ErrorKind::Io(io) => Error::io("<csv output>", io),
        other => Error::BadRecord {
            what: "csv".into(),
            message: format!("{other:?}"),
        },
    }
}

fn essay_row(e: &super::EssayEntry, criteria: &[String]) -> Vec<String> {
    let a = &e.assessment;
    let m = &a.metrics;
    let mut row = vec![
        safe(&e.id),
        safe(e.doc.title.as_deref().unwrap_or("")),
        "ok".to_string(),
        String::new(),
        m.thesis.position.as_str().to_string(),
    ];
    row.extend(
        METRIC_NAMES
            .iter()
            .map(|n| m.value(n).map(fmt_value).unwrap_or_default()),
    );
    row.extend(
        criteria
            .iter()
            .map(|c| a.rubric.score(c).map(|s| s.to_string()).unwrap_or_default()),
    );
    let count = |s: Severity| a.feedback.iter().filter(|f| f.severity == s).count();
    let mut codes: Vec<&str> = a.feedback.iter().map(|f| f.code.as_str()).collect();
    codes.dedup();
    row.push(a.rubric.scale_min.to_string());
    row.push(a.rubric.scale_max.to_string());
    row.push(count(Severity::Problem).to_string());
    row.push(count(Severity::Warning).to_string());
    row.push(codes.join(";"));
    let messages: Vec<&str> = a.feedback.iter().map(|f| f.message.as_str()).collect();
    row.push(safe(&messages.join("\n")));
    row
}

/// Writes the gradebook CSV of `data` to `w`, one row per record in input order.
///
/// # Errors
/// [`Error::Io`] when writing fails.
pub fn write_csv(data: &ClassData, w: impl Write) -> Result<()> {
    let mut out = ::csv::Writer::from_writer(w);
    let criteria: Vec<String> = data.criteria().into_iter().map(|(id, _)| id).collect();
    let mut header: Vec<String> = ["id", "title", "status", "error", "thesis_position"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(METRIC_NAMES.iter().map(|s| s.to_string()));
    header.extend(criteria.iter().map(|c| format!("rubric_{c}")));
    header.extend(
        [
            "rubric_scale_min",
            "rubric_scale_max",
            "problems",
            "warnings",
            "feedback_codes",
            "feedback",
        ]
        .map(String::from),
    );
    out.write_record(&header).map_err(csv_err)?;
    for slot in data.slots() {
        let row = match slot {
            Slot::Essay(i) => match data.essays.get(i) {
                Some(e) => essay_row(e, &criteria),
                None => continue,
            },
            Slot::Error(i) => match data.errors.get(i) {
                Some(e) => {
                    let mut row = vec![
                        safe(&e.id),
                        String::new(),
                        "error".into(),
                        safe(&format!("{}: {}", e.kind, e.message)),
                    ];
                    row.resize(header.len(), String::new());
                    row
                }
                None => continue,
            },
        };
        out.write_record(&row).map_err(csv_err)?;
    }
    out.flush().map_err(|e| Error::io("<csv output>", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{parse_line, ErrorEntry};
    use super::*;
    use crate::grade::Grader;

    #[test]
    fn one_row_per_essay_and_error_with_stable_columns() {
        let line = r#"{"id":"=cmd","title":"Trees, yes or no?","sentences":[{"text":"Towns should plant trees.","paragraph":0,"label":"claim","thesis":true}]}"#;
        let data = ClassData {
            essays: vec![parse_line(line, 1, &Grader::default(), false).unwrap()],
            errors: vec![ErrorEntry {
                id: "e2".into(),
                kind: "io".into(),
                message: "gone".into(),
            }],
            order: vec![],
        };
        let mut buf = Vec::new();
        write_csv(&data, &mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        let header = r.headers().unwrap().clone();
        assert_eq!(&header[0], "id");
        assert!(header.iter().any(|h| h == "rubric_counter_argument"));
        let rows: Vec<::csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][0], "'=cmd");
        assert_eq!(&rows[0][1], "Trees, yes or no?");
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!(&rows[0][col("thesis_present")], "1");
        assert_eq!(&rows[0][col("evidence_per_claim")], "");
        assert_eq!(
            (
                &rows[0][col("rubric_scale_min")],
                &rows[0][col("rubric_scale_max")]
            ),
            ("1", "4")
        );
        let messages = &data.essays[0].assessment.feedback;
        assert!(!messages.is_empty());
        assert_eq!(rows[0][col("feedback")].lines().count(), messages.len());
        assert!(rows[0][col("feedback")].starts_with(messages[0].message.as_str()));
        assert_eq!((&rows[1][2], &rows[1][3]), ("error", "io: gone"));
        assert_eq!(rows[1].len(), header.len());
    }
}
