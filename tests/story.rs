//! One story per essay: the labels, the thesis flags, the argument map and the
//! metrics agree on every essay, and the text of a file is read the way its
//! options would be.
//!
//! The agreement is checked on a corpus generated from our example essays
//! (always) and on AAE and PERSUADE dev (when `../shared/data` is present; CI
//! has it, a fresh clone skips them and says so).

use essaymap::argument::NodeKind;
use essaymap::{Analysis, Analyzer, Essay, Label};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every way the views of `a` could disagree, as messages (empty: one story).
fn disagreements(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    let id = a.doc.id.as_deref().unwrap_or("?");
    let s = &a.doc.sentences;
    let metrics = &a.assessment.as_ref().expect("graded").metrics;
    let claims: BTreeSet<usize> = metrics.claim_sentences.iter().copied().collect();
    let evidence: BTreeSet<usize> = metrics.evidence_sentences.iter().copied().collect();
    let flagged: Vec<usize> = s
        .iter()
        .filter(|x| x.thesis == Some(true))
        .map(|x| x.index)
        .collect();
    if metrics.thesis.sentences != flagged {
        out.push(format!(
            "{id}: metrics' thesis {:?} != flagged {flagged:?}",
            metrics.thesis.sentences
        ));
    }
    for x in s {
        let i = x.index;
        let thesis = x.thesis == Some(true);
        if thesis && x.label != Some(Label::Claim) {
            out.push(format!("{id}: thesis sentence {i} labelled {:?}", x.label));
        }
        let node = a.map.node(i as i64).map(|n| n.kind);
        let want = if thesis {
            Some(NodeKind::Thesis)
        } else {
            match x.label {
                Some(Label::Claim) => Some(NodeKind::Claim),
                Some(Label::Evidence) => Some(NodeKind::Evidence),
                _ => None,
            }
        };
        // The intro question may be the issue node.
        if node != want && node != Some(NodeKind::Issue) {
            out.push(format!(
                "{id}: sentence {i} ({:?}, thesis {thesis}) is a {node:?} node",
                x.label
            ));
        }
        let is_claim = x.label == Some(Label::Claim) && !thesis;
        if claims.contains(&i) != is_claim {
            out.push(format!(
                "{id}: sentence {i} claim {is_claim}, in claim_sentences {}",
                !is_claim
            ));
        }
        let is_evidence = x.label == Some(Label::Evidence) && !thesis;
        if evidence.contains(&i) != is_evidence {
            out.push(format!(
                "{id}: sentence {i} evidence {is_evidence} vs evidence_sentences"
            ));
        }
    }
    for e in &a.map.edges {
        for end in [e.source, e.target] {
            if a.map.node(end).is_none() {
                out.push(format!("{id}: edge end {end} is no node"));
            }
        }
    }
    out
}

fn assert_one_story(what: &str, essays: Vec<Essay>) {
    assert!(!essays.is_empty(), "{what}: no essays");
    let analyzer = Analyzer::embedded().unwrap();
    let n = essays.len();
    let mut bad = Vec::new();
    for a in analyzer.analyze_many(essays) {
        bad.extend(disagreements(&a.unwrap()));
    }
    assert!(
        bad.is_empty(),
        "{what} ({n} essays): {} disagreements:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

/// A small deterministic generator (an LCG): the corpus is the same every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % n
    }
}

/// Essays built from the example essays as `scripts/bench/gen_corpus.py`
/// builds them (an example's introduction and conclusion around body
/// paragraphs drawn from all examples), with and without their title line,
/// with and without a prompt, and some cut short.
fn generated(n: usize) -> Vec<Essay> {
    let mut examples = Vec::new();
    for entry in std::fs::read_dir(manifest().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            let paras: Vec<String> = text
                .split("\n\n")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect();
            examples.push(paras);
        }
    }
    examples.sort();
    let bodies: Vec<&String> = examples.iter().flat_map(|p| &p[2..p.len() - 1]).collect();
    let mut rng = Lcg(7);
    (0..n)
        .map(|i| {
            let ex = &examples[i % examples.len()];
            let (title, intro, end) = (&ex[0], &ex[1], &ex[ex.len() - 1]);
            let mut paras = vec![intro.clone()];
            for _ in 0..rng.below(5) {
                paras.push(bodies[rng.below(bodies.len())].clone());
            }
            if rng.below(4) > 0 {
                paras.push(end.clone());
            }
            let body = paras.join("\n\n");
            let essay = match rng.below(3) {
                0 => Essay::new(format!("{title}\n\n{body}")),
                1 => Essay::new(body).prompt(title.clone()),
                _ => Essay::new(body),
            };
            essay.id(format!("gen-{i}"))
        })
        .collect()
}

#[test]
fn labels_thesis_map_and_metrics_agree_on_a_generated_corpus() {
    assert_one_story("generated", generated(300));
}

/// The essays of a corpus JSONL file (id, title as the prompt, text).
fn corpus(name: &str) -> Option<Vec<Essay>> {
    let path = manifest().join("../shared/data").join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return None;
    };
    let essays = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let mut e = Essay::new(v["text"].as_str().unwrap()).id(v["id"].as_str().unwrap());
            if let Some(t) = v["title"].as_str() {
                e = e.prompt(t);
            }
            e
        })
        .collect();
    Some(essays)
}

#[test]
fn labels_thesis_map_and_metrics_agree_on_aae_and_persuade_dev() {
    for name in ["aae/dev.jsonl", "persuade/dev.jsonl"] {
        if let Some(essays) = corpus(name) {
            assert_one_story(name, essays);
        }
    }
}

const BODY: &str = "Many pupils bring phones to school every day. I believe that schools \
    should ban phones during lessons.\n\nPhones distract pupils. For example, a survey \
    found that most teachers lose ten minutes a lesson to phones.\n\nIn conclusion, \
    phones should stay in lockers during lessons.";

#[test]
fn a_title_line_is_read_as_the_title_option() {
    let analyzer = Analyzer::embedded().unwrap();
    let prompt = "Should schools ban phones?";
    let line = analyzer
        .analyze(Essay::new(format!("{prompt}\n\n{BODY}")))
        .unwrap();
    let given = analyzer.analyze(Essay::new(BODY).prompt(prompt)).unwrap();
    assert_eq!(line.doc.title.as_deref(), Some(prompt));
    let json = essaymap::render::to_string(&line, essaymap::Format::Json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["title"], prompt);
    let (a, b) = (
        &line.assessment.as_ref().unwrap().metrics.thesis,
        &given.assessment.as_ref().unwrap().metrics.thesis,
    );
    assert_eq!(a.answers_prompt, Some(true));
    assert_eq!(
        (a.answers_prompt, a.prompt_overlap),
        (b.answers_prompt, b.prompt_overlap)
    );
    // The rubric checks it: the point is not skipped.
    let rubric = &line.assessment.as_ref().unwrap().rubric;
    let point = rubric
        .criteria
        .iter()
        .flat_map(|c| &c.points)
        .find(|p| p.metric == "answers_prompt")
        .unwrap();
    assert!(!point.skipped && point.passed);
    // The title is the issue the thesis answers, as with the option.
    assert_eq!(line.map.nodes[0].text.as_deref(), Some(prompt));
    // A given title wins over the line.
    let both = analyzer
        .analyze(Essay::new(format!("{prompt}\n\n{BODY}")).prompt("Phones in school"))
        .unwrap();
    assert_eq!(both.doc.title.as_deref(), Some("Phones in school"));
}

#[test]
fn an_empty_or_title_only_essay_scores_lowest_on_every_criterion() {
    let analyzer = Analyzer::embedded().unwrap();
    let min = analyzer.rubric().scale.min;
    for text in [
        "",
        "  \n\n ",
        "Should cities ban cars?",
        "Should cities ban cars?\n\n",
    ] {
        let a = analyzer.analyze(Essay::new(text)).unwrap();
        let rubric = &a.assessment.as_ref().unwrap().rubric;
        for c in &rubric.criteria {
            assert_eq!(c.score, Some(min), "{text:?}: {} {:?}", c.id, c.points);
        }
    }
}

#[test]
fn the_map_holds_prose_alone() {
    // Headings, page furniture and references are no part of the argument:
    // no node or chain runs through them.
    let text = "Inside the Regime: Key Features\n\n1656 Words 7 Pages\n\n\
        Cities should close their centres to cars. Cars poison the air.\n\n\
        For example, Madrid cut pollution by a fifth when it closed its centre. \
        This shows that bans work.\n\n... middle of paper ...\n\n\
        Smith, J. 2019. \"Air in Cities.\" Journal of Air 4: 1-9.\n\nOpen Document";
    let a = Analyzer::embedded()
        .unwrap()
        .analyze(Essay::new(text))
        .unwrap();
    for n in a.map.nodes.iter().filter(|n| n.id >= 0) {
        let s = &a.doc.sentences[n.id as usize];
        assert!(s.kind.is_prose(), "{:?} node on {:?}", n.kind, s.text);
    }
    let chain = &a.assessment.as_ref().unwrap().metrics.depth_chain;
    assert!(chain.iter().all(|&i| a.doc.sentences[i].kind.is_prose()));
}

#[test]
fn feedback_on_the_cars_example_is_about_the_essay() {
    let text = std::fs::read_to_string(manifest().join("examples/cars.txt")).unwrap();
    let a = Analyzer::embedded()
        .unwrap()
        .analyze(Essay::new(text))
        .unwrap();
    let find = |start: &str| {
        a.doc
            .sentences
            .iter()
            .position(|s| s.text.starts_with(start))
            .unwrap()
    };
    let (conclusion, counter, rebuttal) = (
        find("To conclude, closing city centres"),
        find("Shop owners often say"),
        find("Yet studies"),
    );
    let assessment = a.assessment.as_ref().unwrap();
    let m = &assessment.metrics;
    // The conclusion restates the thesis: no unsupported claim, restated.
    assert!(!m.unsupported_claims.contains(&conclusion));
    assert!(m.thesis.restated_by.contains(&conclusion));
    let codes: Vec<&str> = assessment
        .feedback
        .iter()
        .map(|f| f.code.as_str())
        .collect();
    assert!(!codes.contains(&"thesis_not_restated"), "{codes:?}");
    // The counter-argument is answered by the rebuttal, which attacks it.
    let c = m
        .counter_arguments
        .iter()
        .find(|c| c.sentence == counter)
        .unwrap();
    assert!(c.rebutted && c.rebutted_by.contains(&rebuttal), "{c:?}");
    let edge = a.map.parent(rebuttal as i64).unwrap();
    assert_eq!(edge.target, counter as i64);
    assert_eq!(edge.relation, essaymap::argument::Relation::Attacks);
    assert!(!codes.contains(&"unrebutted_counter_argument"), "{codes:?}");
    // Paragraphs are counted from the introduction, not the title line.
    for f in &assessment.feedback {
        if f.code == "paragraph_without_claim" {
            let p = a.doc.sentences[f.sentences[0]].paragraph;
            assert!(
                f.message.starts_with(&format!("Paragraph {p} ")),
                "{}",
                f.message
            );
        }
    }
}

const FRENCH: &str = "Faut-il interdire les voitures dans les centres-villes ?\n\n\
    Les centres-villes sont aujourd'hui envahis par les voitures. Je pense que les villes \
    devraient fermer leur centre aux voitures privées, parce que l'air serait plus propre \
    et les rues plus sûres.\n\nD'abord, la pollution de l'air est un problème de santé. \
    Les enfants qui vivent près des grandes routes ont plus souvent de l'asthme.\n\n\
    En conclusion, il faut fermer les centres-villes aux voitures pour vivre mieux.";

#[test]
fn a_text_not_in_english_is_named_and_its_labels_flagged() {
    let analyzer = Analyzer::embedded().unwrap();
    let fr = analyzer.analyze(Essay::new(FRENCH)).unwrap();
    assert_eq!(fr.language.as_deref(), Some("fr"));
    let first = &fr.assessment.as_ref().unwrap().feedback[0];
    assert_eq!(first.code, "not_english");
    assert!(first.message.contains("French"), "{}", first.message);
    let json = essaymap::render::to_string(&fr, essaymap::Format::Json).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["language"], "fr");
    // English essays say so and get no such item; an empty one is undecided.
    let en = analyzer.analyze(Essay::new(BODY)).unwrap();
    assert_eq!(en.language.as_deref(), Some("en"));
    let codes = en
        .assessment
        .as_ref()
        .unwrap()
        .feedback
        .iter()
        .map(|f| f.code.as_str());
    assert!(!codes.collect::<Vec<_>>().contains(&"not_english"));
    assert_eq!(analyzer.analyze(Essay::new("")).unwrap().language, None);
}

#[test]
fn analyze_and_batch_warn_about_a_text_not_in_english() {
    use assert_cmd::Command;
    let dir = std::env::temp_dir().join(format!("essaymap-story-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let essay = dir.join("voitures.txt");
    std::fs::write(&essay, FRENCH).unwrap();
    let out = Command::cargo_bin("essaymap")
        .unwrap()
        .arg("analyze")
        .arg(&essay)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("looks French (fr), not English"), "{err}");
    let input = dir.join("in.jsonl");
    let lines = [
        serde_json::json!({"id": "fr", "text": FRENCH}).to_string(),
        serde_json::json!({"id": "en", "text": BODY}).to_string(),
    ];
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = Command::cargo_bin("essaymap")
        .unwrap()
        .args(["batch", "--quiet"])
        .arg(&input)
        .arg("-o")
        .arg(dir.join("out.jsonl"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 record looks not English"), "{err}");
    let written = std::fs::read_to_string(dir.join("out.jsonl")).unwrap();
    let langs: Vec<String> = written
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["language"].to_string())
        .collect();
    assert_eq!(langs, ["\"fr\"", "\"en\""]);
    std::fs::remove_dir_all(&dir).unwrap();
}
