//! Rubric files and score suggestions.
//!
//! A [`Rubric`] is read from TOML (`--rubric rubric.toml`); the default,
//! `default_rubric.toml`, is compiled into the crate and documents the format.
//! Each criterion is a list of weighted checks on named metrics
//! ([`super::metrics::METRIC_NAMES`]); the share of weight an essay earns is
//! mapped linearly onto the rubric's scale. Checks rather than formulas keep
//! every point explainable: the suggestion lists each check with the metric
//! value and the sentences behind it, so the teacher sees *why* a criterion got
//! its score and can overrule it. The output is always labelled a suggestion.
//!
//! A rubric is validated when read (unknown metric, bad scale, empty criterion,
//! unknown field) so a typo fails loudly instead of silently scoring zero.

use super::metrics::{Metrics, DEFAULT_PROMPT_OVERLAP, METRIC_NAMES};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

/// The rubric shipped in the crate (TOML source).
pub const DEFAULT_RUBRIC: &str = include_str!("default_rubric.toml");

/// The points of the scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Lowest score.
    pub min: i64,
    /// Highest score.
    pub max: i64,
    /// A name per point, lowest first (optional).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

/// Feedback thresholds that belong to the rubric (a teacher may tune them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Share of the prompt's key words a thesis needs to answer the prompt.
    pub prompt_overlap_min: f64,
    /// Share of non-argumentative sentences above which feedback warns.
    pub non_argumentative_share_max: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            prompt_overlap_min: DEFAULT_PROMPT_OVERLAP,
            non_argumentative_share_max: 0.4,
        }
    }
}

/// What a check does when its metric cannot be computed for an essay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WhenMissing {
    /// The check fails (earns nothing, still counts in the total).
    #[default]
    Fail,
    /// The check is left out of the criterion.
    Skip,
}

/// One weighted test of a metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Metric name.
    pub metric: String,
    /// Passes when the value is at least this.
    #[serde(default)]
    pub min: Option<f64>,
    /// Passes when the value is at most this.
    #[serde(default)]
    pub max: Option<f64>,
    /// Weight earned when passing.
    #[serde(default = "one")]
    pub weight: f64,
    /// What passing means, in teacher language.
    pub describe: String,
    /// Behaviour when the metric is unavailable.
    #[serde(default)]
    pub when_missing: WhenMissing,
    /// A metric that must be above zero for the check to pass (e.g.
    /// `thesis_present`: "at most 1 unsupported claim" says nothing good about
    /// an essay with no thesis, or no text, to support).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// A rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id (CSV column `rubric_<id>`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the criterion rewards.
    #[serde(default)]
    pub description: String,
    /// Its checks.
    pub checks: Vec<Check>,
}

/// A rubric: a scale and criteria made of checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    /// Display name.
    pub name: String,
    /// Shown with every suggestion.
    #[serde(default)]
    pub note: String,
    /// The score scale.
    pub scale: Scale,
    /// Feedback thresholds.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// The criteria, in display order.
    pub criteria: Vec<Criterion>,
}

/// The default rubric, parsed once per process (batch runs grade thousands of essays).
static PARSED_DEFAULT: LazyLock<Rubric> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Rubric::from_toml(DEFAULT_RUBRIC, "default rubric")
        .expect("the embedded default rubric is valid (tested in rubric::tests)")
});

impl Default for Rubric {
    fn default() -> Self {
        PARSED_DEFAULT.clone()
    }
}

/// The largest weight of a check.
const MAX_WEIGHT: f64 = 1000.0;

fn bad(what: &str, message: String) -> Error {
    Error::Rubric {
        what: what.to_string(),
        message,
    }
}

impl Rubric {
    /// Parses and validates a rubric; `what` names it in errors.
    ///
    /// # Errors
    /// [`Error::Rubric`] on invalid TOML, an unknown field or metric, an empty
    /// criterion, a bad scale or a bad weight.
    pub fn from_toml(text: &str, what: &str) -> Result<Rubric> {
        let r: Rubric = toml::from_str(text).map_err(|e| bad(what, e.to_string()))?;
        r.validate(what)?;
        Ok(r)
    }

    /// Reads a rubric file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, else as [`Rubric::from_toml`].
    pub fn from_file(path: &Path) -> Result<Rubric> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Rubric::from_toml(&text, &path.display().to_string())
    }

    fn validate(&self, what: &str) -> Result<()> {
        let s = &self.scale;
        if s.min < 0 {
            return Err(bad(
                what,
                format!("scale.min ({}) must be 0 or more", s.min),
            ));
        }
        if s.min >= s.max {
            return Err(bad(
                what,
                format!("scale.min ({}) must be below scale.max ({})", s.min, s.max),
            ));
        }
        if s.max - s.min > 100 {
            return Err(bad(
                what,
                "a scale of more than 101 points is not supported".into(),
            ));
        }
        let points = s.max - s.min + 1;
        if !s.labels.is_empty() && s.labels.len() as i64 != points {
            return Err(bad(
                what,
                format!(
                    "scale.labels has {} names for {points} points",
                    s.labels.len()
                ),
            ));
        }
        let t = &self.thresholds;
        for (name, v) in [
            ("prompt_overlap_min", t.prompt_overlap_min),
            ("non_argumentative_share_max", t.non_argumentative_share_max),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(bad(
                    what,
                    format!("thresholds.{name} must be between 0 and 1, not {v}"),
                ));
            }
        }
        if self.criteria.is_empty() {
            return Err(bad(what, "no [[criteria]]".into()));
        }
        let mut ids = HashSet::new();
        for c in &self.criteria {
            if !ids.insert(c.id.as_str()) {
                return Err(bad(what, format!("criterion id {:?} is used twice", c.id)));
            }
            if c.id.is_empty()
                || !c
                    .id
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                return Err(bad(
                    what,
                    format!("criterion id {:?} must be letters, digits or _", c.id),
                ));
            }
            if c.checks.is_empty() {
                return Err(bad(what, format!("criterion {:?} has no checks", c.id)));
            }
            for k in &c.checks {
                let here = format!("criterion {:?}, check on {:?}", c.id, k.metric);
                if let Some(n) = k.needs.as_deref().filter(|n| !METRIC_NAMES.contains(n)) {
                    return Err(bad(
                        what,
                        format!(
                            "{here}: needs an unknown metric {n:?} (known: {})",
                            METRIC_NAMES.join(", ")
                        ),
                    ));
                }
                if !METRIC_NAMES.contains(&k.metric.as_str()) {
                    return Err(bad(
                        what,
                        format!(
                            "{here}: unknown metric (known: {})",
                            METRIC_NAMES.join(", ")
                        ),
                    ));
                }
                // Weights are relative; a cap keeps their sum finite (1e308
                // twice is infinity, and the score then null).
                if !(k.weight > 0.0 && k.weight <= MAX_WEIGHT) {
                    return Err(bad(
                        what,
                        format!(
                            "{here}: weight must be above 0 and at most {MAX_WEIGHT}, not {}",
                            k.weight
                        ),
                    ));
                }
                for (name, v) in [("min", k.min), ("max", k.max)] {
                    if v.is_some_and(|v| !v.is_finite()) {
                        return Err(bad(what, format!("{here}: {name} must be a finite number")));
                    }
                }
                match (k.min, k.max) {
                    (None, None) => {
                        return Err(bad(what, format!("{here}: give min, max or both")))
                    }
                    (Some(a), Some(b)) if a > b => {
                        return Err(bad(what, format!("{here}: min {a} is above max {b}")))
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Suggests a score per criterion for an essay with metrics `m`.
    pub fn suggest(&self, m: &Metrics) -> RubricSuggestion {
        let criteria = self
            .criteria
            .iter()
            .map(|c| {
                let mut earned = 0.0;
                let mut total = 0.0;
                let points: Vec<CheckResult> = c
                    .checks
                    .iter()
                    .map(|k| {
                        let value = m.value(&k.metric);
                        let skipped = value.is_none() && k.when_missing == WhenMissing::Skip;
                        let needs_met = k
                            .needs
                            .as_deref()
                            .is_none_or(|n| m.value(n).is_some_and(|v| v > 0.0));
                        let passed = needs_met
                            && value.is_some_and(|v| {
                                k.min.is_none_or(|a| v >= a) && k.max.is_none_or(|b| v <= b)
                            });
                        if !skipped {
                            total += k.weight;
                            if passed {
                                earned += k.weight;
                            }
                        }
                        CheckResult {
                            metric: k.metric.clone(),
                            describe: k.describe.clone(),
                            value,
                            passed,
                            skipped,
                            weight: k.weight,
                            sentences: m.sentences_for(&k.metric),
                        }
                    })
                    .collect();
                let score = (total > 0.0).then(|| {
                    let span = (self.scale.max - self.scale.min) as f64;
                    self.scale.min + (earned / total * span).round() as i64
                });
                let level = score.and_then(|s| {
                    usize::try_from(s - self.scale.min)
                        .ok()
                        .and_then(|i| self.scale.labels.get(i).cloned())
                });
                CriterionSuggestion {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    score,
                    level,
                    earned,
                    total,
                    points,
                }
            })
            .collect();
        RubricSuggestion {
            kind: "suggestion".into(),
            note: self.note.clone(),
            rubric: self.name.clone(),
            scale_min: self.scale.min,
            scale_max: self.scale.max,
            criteria,
        }
    }
}

/// How one check went for one essay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The metric tested.
    pub metric: String,
    /// What passing means.
    pub describe: String,
    /// The essay's value (null when it cannot be computed).
    pub value: Option<f64>,
    /// Whether the check passed.
    pub passed: bool,
    /// Whether it was left out (metric unavailable, `when_missing = "skip"`).
    pub skipped: bool,
    /// Its weight.
    pub weight: f64,
    /// The sentences behind the metric.
    pub sentences: Vec<usize>,
}

/// The suggested score of one criterion, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionSuggestion {
    /// Criterion id.
    pub id: String,
    /// Criterion name.
    pub name: String,
    /// Suggested score on the scale (null when no check applied).
    pub score: Option<i64>,
    /// The scale label of that score, when the rubric names its points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Weight earned.
    pub earned: f64,
    /// Weight of the checks that applied.
    pub total: f64,
    /// Every check, passed or not: the explanation of the score.
    pub points: Vec<CheckResult>,
}

/// Suggested rubric scores for one essay: `"rubric"` in the JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricSuggestion {
    /// Always `"suggestion"`: this is not a grade.
    pub kind: String,
    /// The rubric's note (who decides the grade).
    pub note: String,
    /// The rubric's name.
    pub rubric: String,
    /// Lowest score of the scale.
    pub scale_min: i64,
    /// Highest score of the scale.
    pub scale_max: i64,
    /// One suggestion per criterion, in rubric order.
    pub criteria: Vec<CriterionSuggestion>,
}

impl RubricSuggestion {
    /// The suggested score of criterion `id`.
    pub fn score(&self, id: &str) -> Option<i64> {
        self.criteria
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::argument::{Link, Relation};
    use crate::segment::{self, RuleSegmenter};
    use crate::Label;

    #[test]
    fn default_rubric_parses_with_the_five_criteria() {
        let r = Rubric::default();
        let ids: Vec<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "claim",
                "evidence",
                "reasoning",
                "counter_argument",
                "organisation"
            ]
        );
        assert_eq!((r.scale.min, r.scale.max), (1, 4));
    }

    fn essay() -> Metrics {
        let mut d = segment::document(
            &RuleSegmenter::default(),
            None,
            None,
            "Homework should be limited. It crowds out sleep. Sleep helps memory.".into(),
        );
        for (s, l) in d
            .sentences
            .iter_mut()
            .zip([Label::Claim, Label::Claim, Label::Evidence])
        {
            s.label = Some(l);
        }
        d.sentences[0].thesis = Some(true);
        Metrics::compute(
            &d,
            &[
                Link::new(2, 1, Relation::Supports),
                Link::new(1, 0, Relation::Supports),
            ],
        )
    }

    #[test]
    fn scores_map_earned_share_onto_the_scale_and_explain_points() {
        let r = Rubric::from_toml(
            r#"name = "t"
               [scale]
               min = 0
               max = 10
               [[criteria]]
               id = "claim"
               name = "Claim"
               checks = [
                 { metric = "thesis_present", min = 1, weight = 3, describe = "thesis" },
                 { metric = "claims", min = 2, describe = "two claims" },
                 { metric = "answers_prompt", min = 1, when_missing = "skip", describe = "on prompt" },
               ]"#,
            "t",
        )
        .unwrap();
        let s = r.suggest(&essay());
        assert_eq!(s.kind, "suggestion");
        let c = &s.criteria[0];
        // 3 of 4 weight earned (answers_prompt skipped: no prompt): 0 + 0.75 * 10.
        assert_eq!((c.earned, c.total), (3.0, 4.0));
        assert_eq!(c.score, Some(8));
        assert!(c.points[0].passed && c.points[0].sentences == [0]);
        assert!(!c.points[1].passed && c.points[1].value == Some(1.0));
        assert!(c.points[2].skipped);
    }

    #[test]
    fn a_check_that_needs_a_thesis_fails_without_one() {
        let with = essay();
        let mut without = with.clone();
        without.thesis.present = false;
        let r = Rubric::default();
        let (a, b) = (r.suggest(&with), r.suggest(&without));
        let reasoning = |s: &RubricSuggestion| {
            let c = s.criteria.iter().find(|c| c.id == "reasoning").unwrap();
            (
                c.score,
                c.points.iter().map(|p| p.passed).collect::<Vec<_>>(),
            )
        };
        // The same chain and links: with a thesis most points pass, without
        // one none does, and the values are still shown.
        assert_eq!(reasoning(&a), (Some(3), vec![true, true, true, false]));
        assert_eq!(reasoning(&b), (Some(1), vec![false; 4]));
        let depth = b.criteria[2].points.iter().find(|p| p.metric == "depth");
        assert_eq!(depth.unwrap().value, Some(2.0));
    }

    #[test]
    fn default_rubric_suggests_every_criterion() {
        let s = Rubric::default().suggest(&essay());
        for c in &s.criteria {
            let score = c.score.unwrap();
            assert!((1..=4).contains(&score), "{}: {score}", c.id);
            assert!(c.level.is_some());
        }
        assert_eq!(s.score("counter_argument"), Some(1));
    }

    #[test]
    fn invalid_rubrics_are_rejected_with_a_reason() {
        let base = |checks: &str, scale: &str| {
            format!("name = \"x\"\n[scale]\n{scale}\n[[criteria]]\nid = \"c\"\nname = \"C\"\nchecks = [{checks}]\n")
        };
        let ok_scale = "min = 1\nmax = 4";
        for (checks, scale, needle) in [
            (
                r#"{ metric = "nope", min = 1, describe = "x" }"#,
                ok_scale,
                "unknown metric",
            ),
            (
                r#"{ metric = "claims", describe = "x" }"#,
                ok_scale,
                "give min, max",
            ),
            (
                r#"{ metric = "claims", min = 1, weight = 0, describe = "x" }"#,
                ok_scale,
                "weight",
            ),
            (
                r#"{ metric = "claims", min = 1, describe = "x" }"#,
                "min = 4\nmax = 1",
                "scale.min",
            ),
            (
                r#"{ metric = "claims", min = 1, describe = "x", colour = 1 }"#,
                ok_scale,
                "unknown field",
            ),
            ("", ok_scale, "no checks"),
            (
                r#"{ metric = "claims", min = 1, describe = "x" }"#,
                "min = -3\nmax = 1",
                "scale.min (-3) must be 0 or more",
            ),
            (
                r#"{ metric = "claims", min = 1, weight = 1e308, describe = "x" },
                   { metric = "words", min = 1, weight = 1e308, describe = "y" }"#,
                ok_scale,
                "weight must be above 0 and at most 1000",
            ),
            (
                r#"{ metric = "claims", min = nan, describe = "x" }"#,
                ok_scale,
                "min must be a finite number",
            ),
            (
                r#"{ metric = "claims", min = 1, needs = "thesis", describe = "x" }"#,
                ok_scale,
                "needs an unknown metric \"thesis\"",
            ),
        ] {
            let err = Rubric::from_toml(&base(checks, scale), "r.toml").unwrap_err();
            assert_eq!(err.kind(), "rubric");
            assert!(err.to_string().contains(needle), "{needle}: {err}");
        }
    }
}
