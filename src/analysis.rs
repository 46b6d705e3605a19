//! [`Analysis`]: what the pipeline says about one essay, the root of the JSON
//! contract (`docs/output-contract.md`).
//!
//! The document's fields are flattened into it, so the JSON has `id`, `title`,
//! `paragraphs`, `sentences` and `map` side by side, and `assessment` beside
//! them. It is plain data: the [`crate::Analyzer`] builds it, the renderers
//! draw it, and it reads back from the JSON it writes.

use crate::argument::{ArgumentMap, Node};
use crate::document::Document;
use crate::grade::Assessment;
use serde::{Deserialize, Serialize};

/// A labelled document with its argument map and assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// The labelled document (flattened into the JSON object).
    #[serde(flatten)]
    pub doc: Document,
    /// The language of the essay's prose (ISO 639-1, e.g. `en`, `fr`), when
    /// there is enough of it to tell ([`crate::segment::language`]). The
    /// models read English: on another language their labels are not to be
    /// trusted, and the feedback says so.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub language: Option<String>,
    /// The argument map.
    pub map: ArgumentMap,
    /// Grading assistance (metrics, feedback, rubric suggestion), when graded.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub assessment: Option<Assessment>,
}

impl Analysis {
    /// Pairs a document with its map, not graded.
    pub fn new(doc: Document, map: ArgumentMap) -> Self {
        Analysis {
            doc,
            language: None,
            map,
            assessment: None,
        }
    }

    /// The text a node stands for: the title for the issue, else its sentence.
    pub fn node_text<'a>(&'a self, n: &'a Node) -> &'a str {
        match &n.text {
            Some(t) => t,
            None => usize::try_from(n.id)
                .ok()
                .and_then(|i| self.doc.sentences.get(i))
                .map_or("", |s| s.text.as_str()),
        }
    }
}
