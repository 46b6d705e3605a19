//! Thesis findings: where the thesis stands (introduction, conclusion, both,
//! body) and how much of the prompt it takes up (content words with endings
//! folded, the prompt's words remembered per thread since a cohort shares one).

use super::{ThesisPosition, RESTATE_OVERLAP};
use crate::document::{Document, Label};
use crate::text::tokens::each_content_word;
use std::cell::RefCell;

/// Whether the `thesis` sentences stand in the `intro` and/or `conclusion`
/// paragraph (in a one-paragraph essay: its first and last third).
pub(super) fn thesis_position(
    doc: &Document,
    thesis: &[usize],
    intro: Option<usize>,
    conclusion: Option<usize>,
) -> ThesisPosition {
    if thesis.is_empty() {
        return ThesisPosition::Missing;
    }
    let (in_intro, in_conclusion) = match (intro, conclusion) {
        (Some(i), Some(c)) => {
            let para = |t: &usize| doc.sentences.get(*t).map(|s| s.paragraph);
            (
                thesis.iter().any(|t| para(t) == Some(i)),
                thesis.iter().any(|t| para(t) == Some(c)),
            )
        }
        // One substantive paragraph: first and last third of its sentences.
        (Some(i), None) => {
            let idx: Vec<usize> = doc.paragraph_sentences(i).iter().map(|s| s.index).collect();
            let k = idx.len();
            let pos = |t: &usize| idx.binary_search(t).ok();
            (
                thesis.iter().any(|t| pos(t).is_some_and(|p| p * 3 < k)),
                thesis
                    .iter()
                    .any(|t| pos(t).is_some_and(|p| p * 3 >= 2 * k)),
            )
        }
        _ => (false, false),
    };
    match (in_intro, in_conclusion) {
        (true, true) => ThesisPosition::Both,
        (true, false) => ThesisPosition::Intro,
        (false, true) => ThesisPosition::Conclusion,
        (false, false) => ThesisPosition::Body,
    }
}

/// The sentences of paragraph `conclusion` that restate the `thesis` sentences
/// (none of them in it): claims or `other` prose holding at least
/// [`RESTATE_OVERLAP`] of the thesis's content words.
pub(super) fn restatements(doc: &Document, thesis: &[usize], conclusion: usize) -> Vec<usize> {
    let text: Vec<&str> = thesis
        .iter()
        .filter_map(|&t| doc.sentences.get(t))
        .map(|s| s.text.as_str())
        .collect();
    let words = content_words(&text.join(" "));
    if words.is_empty() {
        return Vec::new();
    }
    doc.paragraph_sentences(conclusion)
        .iter()
        .filter(|s| {
            s.kind.is_prose()
                && s.thesis != Some(true)
                && matches!(s.label, Some(Label::Claim | Label::Other))
                && share_in(&words, [s.text.as_str()]) >= RESTATE_OVERLAP
        })
        .map(|s| s.index)
        .collect()
}

/// Lower-cased content words, with a crude plural/verb-ending fold so "schools"
/// meets "school" and "banning" meets "ban": a set, sorted and deduplicated.
fn content_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    each_content_word(text, |w| words.push(w.to_string()));
    words.sort_unstable();
    words.dedup();
    words
}

/// Calls `f` with the content words of prompt `prompt`. A thread remembers the
/// last prompt's: the essays of a cohort answer the same one.
pub(super) fn with_prompt_words<R>(prompt: &str, f: impl FnOnce(&[String]) -> R) -> R {
    thread_local! {
        static LAST: RefCell<(String, Vec<String>)> = const { RefCell::new((String::new(), Vec::new())) };
    }
    LAST.with_borrow_mut(|(last, words)| {
        // The empty prompt's words are the empty set the cell starts with.
        if last != prompt {
            *words = content_words(prompt);
            last.clear();
            last.push_str(prompt);
        }
        f(words)
    })
}

/// Share of the prompt's content words that occur in `thesis`.
pub fn prompt_overlap(prompt: &str, thesis: &str) -> f64 {
    share_in(&content_words(prompt), [thesis])
}

/// Share of the words `p` (from [`content_words`]) that occur in the texts
/// `thesis` (its sentences: a word never spans two texts).
pub(super) fn share_in<'a>(p: &[String], thesis: impl IntoIterator<Item = &'a str>) -> f64 {
    if p.is_empty() {
        return 0.0;
    }
    let mut found = vec![false; p.len()];
    for t in thesis {
        each_content_word(t, |w| {
            if let Ok(i) = p.binary_search_by(|x| x.as_str().cmp(w)) {
                found[i] = true;
            }
        });
    }
    found.iter().filter(|&&f| f).count() as f64 / p.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_overlap_folds_endings() {
        assert_eq!(
            prompt_overlap(
                "Should schools ban phones?",
                "Banning phone use at school helps"
            ),
            1.0
        );
        assert_eq!(
            prompt_overlap("Should schools ban phones?", "Dogs are loyal pets"),
            0.0
        );
    }

    mod props {
        use super::*;
        use crate::text::stem::fold_endings;
        use crate::text::words::PROMPT_STOPWORDS;
        use proptest::prelude::*;

        proptest! {
            /// The buffered words are those of `str::to_lowercase` per word, and
            /// the overlap over several texts is the overlap of their join.
            #[test]
            fn content_words_are_lowercased_words(
                p in "[ a-eA-EσΣİé'.,1]{0,40}",
                t in proptest::collection::vec("[ a-eA-EσΣİé'.,1]{0,40}", 0..3),
            ) {
                let reference = |text: &str| {
                    let mut w: Vec<String> = text
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| w.chars().count() >= 3)
                        .map(str::to_lowercase)
                        .filter(|w| PROMPT_STOPWORDS.binary_search(&w.as_str()).is_err())
                        .map(|w| fold_endings(&w).to_string())
                        .collect();
                    w.sort_unstable();
                    w.dedup();
                    w
                };
                let words = content_words(&p);
                prop_assert_eq!(&words, &reference(&p));
                let joined = t.join(" ");
                let tw = reference(&joined);
                let want = if words.is_empty() {
                    0.0
                } else {
                    words.iter().filter(|w| tw.contains(w)).count() as f64 / words.len() as f64
                };
                prop_assert_eq!(share_in(&words, t.iter().map(String::as_str)), want);
                prop_assert_eq!(with_prompt_words(&p, |w| w.to_vec()), words);
            }
        }
    }
}
