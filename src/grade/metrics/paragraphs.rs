//! Paragraph counts: words per paragraph (which decide the substantive
//! paragraphs, hence the introduction and conclusion), paragraphs without a
//! claim, and the body paragraphs between introduction and conclusion.

use super::Metrics;
use crate::document::{Document, Label};
use crate::text::tokens::count_words;

/// Words of prose per paragraph (paragraphs without prose count zero).
pub(super) fn paragraph_words(doc: &Document) -> Vec<usize> {
    let np = doc.paragraphs.len().max(
        doc.sentences
            .iter()
            .map(|s| s.paragraph + 1)
            .max()
            .unwrap_or(0),
    );
    let mut words = vec![0; np];
    for s in doc.sentences.iter().filter(|s| s.kind.is_prose()) {
        if let Some(w) = words.get_mut(s.paragraph) {
            *w += count_words(&s.text);
        }
    }
    words
}

/// The `substantive` paragraphs (of `n_para`) with no claim or thesis sentence.
pub(super) fn paragraphs_without_claim(
    doc: &Document,
    n_para: usize,
    substantive: &[usize],
) -> Vec<usize> {
    let mut has_claim = vec![false; n_para];
    for s in &doc.sentences {
        if s.label == Some(Label::Claim) || s.thesis == Some(true) {
            if let Some(h) = has_claim.get_mut(s.paragraph) {
                *h = true;
            }
        }
    }
    substantive
        .iter()
        .copied()
        .filter(|&p| !has_claim[p])
        .collect()
}

impl Metrics {
    /// Body paragraphs: substantive paragraphs other than the introduction and conclusion.
    pub(super) fn body_paragraphs(&self) -> usize {
        let mut n = self.paragraphs_substantive();
        n = n.saturating_sub(usize::from(self.intro_paragraph.is_some()));
        n.saturating_sub(usize::from(self.conclusion_paragraph.is_some()))
    }

    /// Substantive paragraphs from the introduction to the conclusion.
    fn paragraphs_substantive(&self) -> usize {
        match (self.intro_paragraph, self.conclusion_paragraph) {
            (Some(a), Some(b)) => b.saturating_sub(a) + 1,
            (Some(_), None) => 1,
            _ => 0,
        }
    }
}
