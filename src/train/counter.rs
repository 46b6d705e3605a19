//! Trains the essay-level counter-argument decision ([`CounterModel`]).
//!
//! Its inputs are the role model's labels and the stance model's scores, which
//! are sharper on the essays those models trained on than on new ones, so it
//! is trained on essays they did not see: in `essaymap cv` a fold's inner dev
//! set, for the shipped model the dev splits (the shipped role and link models
//! train on the train splits). The gold answer is the one `validate-grading`
//! scores: the gold map ([`validity::gold_map`]) holds a counter-argument.
//!
//! A logistic regression (Newton's method, L2 [`L2`] on every weight but the
//! bias, each essay counted once), decided at P = 0.5. The accuracy of that decision and of the sentence-level one on the
//! out-of-fold probabilities of a 5-fold cross-validation over the same
//! essays goes in the provenance. (Choosing a band of two thresholds there,
//! inside which the sentence-level answer stands, did worse in
//! `essaymap cv`: a few hundred essays choose it noisily. So did weighing
//! AAE essays 10 to 1 as the role model does: the 33 AAE dev essays then
//! swung the shipped fit to "no" on nearly every dev essay.)

use super::corpus::AnnotatedEssay;
use super::validity::{self, Findings};
use crate::document::Document;
use crate::error::Result;
use crate::grade::metrics::Metrics;
use crate::link::counter::{CounterModel, DIM, FEATURES};
use crate::link::LearnedLinker;
use crate::pipeline::Pipeline;

/// L2 strength on the non-bias weights.
pub const L2: f64 = 1.0;

/// One essay: its features and the gold answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// [`crate::link::counter`] features.
    pub features: [f32; DIM],
    /// The gold map holds a counter-argument.
    pub gold: bool,
}

/// The examples of `essays` labelled by the role model (`predicted`,
/// parallel) as `linker` sees them; essays where the linker does not decide
/// (no stated thesis, a short text) are left out.
pub fn examples(
    linker: &LearnedLinker<'_>,
    essays: &[&AnnotatedEssay],
    predicted: &[Document],
) -> Vec<Example> {
    essays
        .iter()
        .zip(predicted)
        .filter_map(|(e, d)| {
            let features = linker.counter_features(d)?;
            let (gdoc, gedges) = validity::gold_map(e);
            let gold = Findings::from(&Metrics::compute(&gdoc, &gedges)).counter_argument;
            Some(Example { features, gold })
        })
        .collect()
}

/// Labels `essays` with `pipeline` and trains the decision on them as
/// `linker` sees them (see [`examples`], [`train`]).
///
/// # Errors
/// When the role pipeline fails.
pub fn train_on(
    pipeline: &Pipeline,
    linker: &LearnedLinker<'_>,
    essays: &[&AnnotatedEssay],
    provenance: serde_json::Value,
) -> Result<CounterModel> {
    let mut docs: Vec<Document> = essays.iter().map(|e| e.doc.clone()).collect();
    pipeline.annotate_many(&mut docs)?;
    Ok(train(&examples(linker, essays, &docs), provenance))
}

/// Logistic regression by Newton's method.
pub fn fit(rows: &[&Example]) -> Vec<f32> {
    let mut w = [0.0f64; DIM];
    for _ in 0..30 {
        let mut grad = [0.0f64; DIM];
        let mut hess = vec![[0.0f64; DIM]; DIM];
        for e in rows {
            let f: Vec<f64> = e.features.iter().map(|&x| f64::from(x)).collect();
            let z: f64 = w.iter().zip(&f).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - if e.gold { 1.0 } else { 0.0 };
            let h = (p * (1.0 - p)).max(1e-9);
            for a in 0..DIM {
                grad[a] += r * f[a];
                for b in 0..DIM {
                    hess[a][b] += h * f[a] * f[b];
                }
            }
        }
        for a in 1..DIM {
            grad[a] += L2 * w[a];
            hess[a][a] += L2;
        }
        hess[0][0] += 1e-6;
        let Some(step) = super::short::solve(hess, grad) else {
            break;
        };
        let mut moved = 0.0f64;
        for a in 0..DIM {
            w[a] -= step[a];
            moved = moved.max(step[a].abs());
        }
        if moved < 1e-7 {
            break;
        }
    }
    w.iter().map(|&x| x as f32).collect()
}

/// The threshold of the decision: P(yes) = 0.5.
pub const THRESHOLD: f32 = 0.5;

/// Whether the sentence-level decisions found a counter-argument (feature 1).
fn found(e: &Example) -> bool {
    e.features[1] > 0.5
}

/// Accuracy of `said` (per example) on the examples.
fn accuracy<'e>(pairs: impl Iterator<Item = (bool, &'e Example)>) -> f64 {
    let (mut ok, mut all) = (0usize, 0usize);
    for (said, e) in pairs {
        all += 1;
        ok += usize::from(said == e.gold);
    }
    if all > 0 {
        ok as f64 / all as f64
    } else {
        0.0
    }
}

/// Trains the decision on `examples` (all of them), with the out-of-fold
/// accuracy of a 5-fold cross-validation (essay `i` in fold `i % 5`) and that
/// of the sentence-level decisions in the provenance.
pub fn train(examples: &[Example], provenance: serde_json::Value) -> CounterModel {
    let k = 5;
    let mut scored: Vec<(f32, &Example)> = Vec::with_capacity(examples.len());
    for f in 0..k {
        let rows: Vec<&Example> = examples
            .iter()
            .enumerate()
            .filter(|(i, _)| i % k != f)
            .map(|(_, e)| e)
            .collect();
        let m = CounterModel {
            features: FEATURES.into(),
            weights: fit(&rows),
            threshold: THRESHOLD,
            provenance: serde_json::Value::Null,
        };
        scored.extend(
            examples
                .iter()
                .enumerate()
                .filter(|(i, _)| i % k == f)
                .map(|(_, e)| (m.prob(&e.features), e)),
        );
    }
    let acc = accuracy(scored.iter().map(|(p, e)| (*p >= THRESHOLD, *e)));
    let base = accuracy(examples.iter().map(|e| (found(e), e)));
    let all: Vec<&Example> = examples.iter().collect();
    let mut provenance = provenance;
    if let Some(o) = provenance.as_object_mut() {
        o.insert("essays".into(), examples.len().into());
        o.insert(
            "out_of_fold_accuracy".into(),
            serde_json::json!({ "sentence_level": base, "with_decision": acc }),
        );
    }
    CounterModel {
        features: FEATURES.into(),
        weights: fit(&all),
        threshold: THRESHOLD,
        provenance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An essay whose feature 2 is `x` and feature 1 says the sentence-level
    /// decisions found a counter-argument.
    fn ex(x: f32, found: bool, gold: bool) -> Example {
        let mut features = [0.0; DIM];
        features[0] = 1.0;
        features[1] = if found { 1.0 } else { 0.0 };
        features[2] = x;
        Example { features, gold }
    }

    #[test]
    fn fit_learns_the_direction_of_a_separating_feature() {
        let rows: Vec<Example> = (0..40)
            .map(|i| ex(i as f32 / 40.0, false, i >= 20))
            .collect();
        let refs: Vec<&Example> = rows.iter().collect();
        let w = fit(&refs);
        assert!(w[2] > 1.0, "{w:?}");
        assert!(w[0] < 0.0, "{w:?}");
    }

    #[test]
    fn accuracy_counts_agreements_with_gold() {
        let rows = [
            ex(0.0, true, true),
            ex(0.0, true, false),
            ex(0.0, false, false),
        ];
        let acc = accuracy(rows.iter().map(|e| (found(e), e)));
        assert!((acc - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(accuracy(std::iter::empty()), 0.0);
    }

    #[test]
    fn trained_model_keeps_its_layout_and_reports_its_out_of_fold_accuracy() {
        let rows: Vec<Example> = (0..50)
            .map(|i| ex(i as f32 / 50.0, i % 3 == 0, i >= 25))
            .collect();
        let m = train(&rows, serde_json::json!({}));
        assert_eq!(m.weights.len(), DIM);
        assert_eq!(m.threshold, THRESHOLD);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(CounterModel::from_json(&json).unwrap(), m);
        assert_eq!(m.provenance["essays"], 50);
        let acc = &m.provenance["out_of_fold_accuracy"];
        assert!(acc["with_decision"].as_f64() >= acc["sentence_level"].as_f64());
    }
}
