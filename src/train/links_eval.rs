//! Scores a [`Linker`] against gold annotation.
//!
//! The caller decides where roles come from (gold, or a classifier) by passing
//! the labelled documents, so the same code reports "gold roles" and "end to
//! end" numbers. Measures, all at sentence level:
//!
//! - **relation F1**: links out of evidence sentences, where source, target and
//!   relation must all match a gold link (AAE);
//! - **unlabelled F1**: the same ignoring the relation;
//! - **attack F1**: only `attacks` links;
//! - **stance accuracy**: over gold claims (not thesis) with a known stance that
//!   the linker linked to the thesis, whether `attacks` matches "against";
//! - **counter-argument F1**: sentences with an `attacks` link from a claim to
//!   the main thesis against gold Counterclaim sentences (PERSUADE).

use super::corpus::{gold_document, AnnotatedEssay, ComponentType, GoldRelation, Stance};
use crate::argument::{Link, Relation};
use crate::document::Document;
use crate::link::features::Role;
use crate::link::{main_thesis, Linker, NearestClaimLinker};
use serde::Serialize;
use std::collections::HashSet;

/// True/false positive and false negative counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Predicted and gold.
    pub tp: usize,
    /// Predicted, not gold.
    pub fp: usize,
    /// Gold, not predicted.
    pub fn_: usize,
}

impl Counts {
    /// Precision (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    /// Recall (0 when there is no gold).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }

    fn add_sets<T: Eq + std::hash::Hash>(&mut self, pred: &HashSet<T>, gold: &HashSet<T>) {
        let tp = pred.intersection(gold).count();
        self.tp += tp;
        self.fp += pred.len() - tp;
        self.fn_ += gold.len() - tp;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// All link measures over a set of essays.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkReport {
    /// Essays scored.
    pub essays: usize,
    /// Evidence links, (source, target, relation) must match.
    pub relation: Counts,
    /// Evidence links, (source, target) must match.
    pub unlabelled: Counts,
    /// Evidence links with relation `attacks`.
    pub attack: Counts,
    /// Gold claims with a known stance that were linked to the thesis.
    pub stance_total: usize,
    /// Of those, how many got the right relation.
    pub stance_correct: usize,
    /// Claim -> thesis `attacks` links against gold Counterclaim sentences.
    pub counter: Counts,
}

impl LinkReport {
    /// Stance accuracy (0 when no claim was scored).
    pub fn stance_accuracy(&self) -> f64 {
        ratio(self.stance_correct, self.stance_total)
    }
}

/// Scores `linker` on `essays`, each labelled as in `docs` (gold or predicted
/// roles; `docs[i]` is `essays[i]`'s document).
pub fn evaluate(linker: &dyn Linker, essays: &[AnnotatedEssay], docs: &[Document]) -> LinkReport {
    let mut r = LinkReport::default();
    for (e, doc) in essays.iter().zip(docs) {
        let mut doc = doc.clone();
        let links = linker.link_labelled(&mut doc);
        score_one(&mut r, e, &doc, &links);
    }
    r
}

/// Adds one essay's predicted `links` (on its labelled `doc`) to `r`.
pub fn score_one(r: &mut LinkReport, e: &AnnotatedEssay, doc: &Document, links: &[Link]) {
    r.essays += 1;
    let rel = |g: GoldRelation| match g {
        GoldRelation::Supports => Relation::Supports,
        GoldRelation::Attacks => Relation::Attacks,
    };
    let gold: HashSet<(usize, usize, Relation)> = e
        .links
        .iter()
        .map(|l| (l.source, l.target, rel(l.relation)))
        .collect();
    let pred: HashSet<(usize, usize, Relation)> = links
        .iter()
        .filter(|l| Role::of(doc, l.source) == Role::Evidence)
        .map(|l| (l.source, l.target, l.relation))
        .collect();
    r.relation.add_sets(&pred, &gold);
    let unl = |s: &HashSet<(usize, usize, Relation)>| -> HashSet<(usize, usize)> {
        s.iter().map(|&(a, b, _)| (a, b)).collect()
    };
    r.unlabelled.add_sets(&unl(&pred), &unl(&gold));
    let att = |s: &HashSet<(usize, usize, Relation)>| -> HashSet<(usize, usize, Relation)> {
        s.iter()
            .filter(|x| x.2 == Relation::Attacks)
            .copied()
            .collect()
    };
    r.attack.add_sets(&att(&pred), &att(&gold));

    let thesis = main_thesis(doc);
    let to_thesis = |c: usize| {
        links
            .iter()
            .find(|l| l.source == c && Some(l.target) == thesis && Role::of(doc, c) == Role::Claim)
    };
    for (c, g) in e.gold.iter().enumerate() {
        if g.thesis {
            continue;
        }
        let (Some(stance), Some(link)) = (g.stance, to_thesis(c)) else {
            continue;
        };
        r.stance_total += 1;
        if (link.relation == Relation::Attacks) == (stance == Stance::Against) {
            r.stance_correct += 1;
        }
    }
    let pred_counter: HashSet<usize> = links
        .iter()
        .filter(|l| l.relation == Relation::Attacks && Some(l.target) == thesis)
        .filter(|l| Role::of(doc, l.source) == Role::Claim)
        .map(|l| l.source)
        .collect();
    let gold_counter: HashSet<usize> = e
        .gold
        .iter()
        .enumerate()
        .filter(|(_, g)| g.component == Some(ComponentType::Counterclaim))
        .map(|(i, _)| i)
        .collect();
    r.counter.add_sets(&pred_counter, &gold_counter);
}

/// One line of a comparison: which roles, which linker, its scores.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    /// `gold` or `predicted`.
    pub roles: String,
    /// `rule` (nearest claim) or `model`.
    pub linker: String,
    /// The scores.
    pub report: LinkReport,
}

/// The rule baseline and `model` on `essays`, with gold roles and with the
/// role classifier's (`predicted[i]` is `essays[i]`'s document labelled by it).
pub fn compare(
    essays: &[AnnotatedEssay],
    model: &dyn Linker,
    predicted: &[Document],
) -> Vec<ReportRow> {
    let gold: Vec<Document> = essays.iter().map(gold_document).collect();
    let mut rows = Vec::new();
    for (roles, docs) in [("gold", &gold[..]), ("predicted", predicted)] {
        for (name, linker) in [
            ("rule", &NearestClaimLinker as &dyn Linker),
            ("model", model),
        ] {
            rows.push(ReportRow {
                roles: roles.into(),
                linker: name.into(),
                report: evaluate(linker, essays, docs),
            });
        }
    }
    rows
}

/// `rows` as an aligned text table.
pub fn table(rows: &[ReportRow]) -> String {
    let mut s = format!(
        "{:<10} {:<6} {:>6} {:>6} {:>6} {:>8} {:>8} {:>8} {:>9} {:>10}\n",
        "roles",
        "linker",
        "rel-P",
        "rel-R",
        "rel-F1",
        "unl-F1",
        "att-F1",
        "stance",
        "(claims)",
        "counter-F1"
    );
    for r in rows {
        let x = &r.report;
        s.push_str(&format!(
            "{:<10} {:<6} {:>6.3} {:>6.3} {:>6.3} {:>8.3} {:>8.3} {:>8.3} {:>9} {:>10.3}\n",
            r.roles,
            r.linker,
            x.relation.precision(),
            x.relation.recall(),
            x.relation.f1(),
            x.unlabelled.f1(),
            x.attack.f1(),
            x.stance_accuracy(),
            x.stance_total,
            x.counter.f1()
        ));
    }
    s
}

/// `essays` without later copies of an essay text seen before (AAE dev holds the
/// same essay annotated up to three times; its README says to deduplicate).
pub fn dedup(essays: &[AnnotatedEssay]) -> Vec<AnnotatedEssay> {
    let mut seen = HashSet::new();
    essays
        .iter()
        .filter(|e| seen.insert(e.doc.text.as_str()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f1_of_counts() {
        let c = Counts {
            tp: 3,
            fp: 1,
            fn_: 2,
        };
        assert!((c.precision() - 0.75).abs() < 1e-9);
        assert!((c.recall() - 0.6).abs() < 1e-9);
        assert!((c.f1() - 6.0 / 9.0).abs() < 1e-9);
        assert_eq!(Counts::default().f1(), 0.0);
    }
}
