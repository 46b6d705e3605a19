//! Trains the link model on AAE + PERSUADE train, tunes on dev, writes it, and
//! prints dev numbers for the rule baseline and the model with gold roles.
//!
//! `cargo run --release --example train_links -- ../shared/data [models/links.bin] [roles.bin]`
//!
//! The library's `link::trainer` and `link::eval` do the work; this program
//! only reads the corpora and prints, so the numbers are reproducible without
//! the CLI.

use essaymap::corpus::annotated::{self, AnnotatedEssay};
use essaymap::link::eval::{self, LinkReport};
use essaymap::link::trainer::{self, TrainConfig, TrainData};
use essaymap::link::{LearnedLinker, Linker, NearestClaimLinker};
use essaymap::segment::RuleSegmenter;
use std::path::PathBuf;
use std::time::Instant;

fn read(dir: &std::path::Path, file: &str) -> essaymap::Result<Vec<AnnotatedEssay>> {
    annotated::read_file(&dir.join(file), &RuleSegmenter::default())
}

fn row(name: &str, r: &LinkReport) {
    println!(
        "{name:<34} rel P/R/F1 {:.3}/{:.3}/{:.3}  unlab F1 {:.3}  attack F1 {:.3}  stance acc {:.3} (n={})  counter F1 {:.3}",
        r.relation.precision(),
        r.relation.recall(),
        r.relation.f1(),
        r.unlabelled.f1(),
        r.attack.f1(),
        r.stance_accuracy(),
        r.stance_total,
        r.counter.f1()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let data = PathBuf::from(args.get(1).map_or("../shared/data", String::as_str));
    let out = PathBuf::from(args.get(2).map_or("models/links.bin", String::as_str));
    let t0 = Instant::now();
    let aae = data.join("aae");
    let per = data.join("persuade");
    let aae_train = read(&aae, "train.jsonl")?;
    let aae_dev = read(&aae, "dev.jsonl")?;
    let per_train = read(&per, "train.jsonl")?;
    let per_dev = read(&per, "dev.jsonl")?;
    eprintln!("read corpora in {:.1}s", t0.elapsed().as_secs_f32());
    let mut stance_train = aae_train.clone();
    stance_train.extend(per_train.iter().cloned());
    let mut stance_dev = aae_dev.clone();
    stance_dev.extend(per_dev.iter().cloned());
    let pipeline = match args.get(3) {
        Some(p) => essaymap::Pipeline::from_model_file(std::path::Path::new(p))?,
        None => essaymap::Pipeline::embedded()?,
    };
    let predicted_train: Vec<essaymap::Document> = aae_train
        .iter()
        .map(|e| {
            let mut d = e.doc.clone();
            let _ = pipeline.annotate(&mut d);
            d
        })
        .collect();
    let td = TrainData {
        link_train: &aae_train,
        link_train_predicted: &predicted_train,
        stance_train: &stance_train,
        link_dev: &aae_dev,
        stance_dev: &stance_dev,
    };
    let mut cfg = TrainConfig::default();
    if std::env::var_os("PAIR_PREDICTED_ONLY").is_some() {
        cfg.pair_on_gold_roles = false;
    }
    eprintln!("{}", trainer::describe(td, &cfg));
    let t1 = Instant::now();
    let model = trainer::train(
        td,
        &cfg,
        "AAE v2 train (relations, stance) + PERSUADE 1.0 train (Counterclaim/Claim/Rebuttal stance); thresholds tuned on their dev splits",
    );
    eprintln!(
        "trained in {:.1}s; thresholds attack {:.2} against {:.2}",
        t1.elapsed().as_secs_f32(),
        model.info.attack_threshold,
        model.info.against_threshold
    );
    model.save(&out)?;
    let learned = LearnedLinker::new(&model);
    let gold = |e: &AnnotatedEssay| trainer::gold_document(e);
    let predicted = |e: &AnnotatedEssay| {
        let mut d = e.doc.clone();
        // annotate() cannot fail today; keep gold-free output if it ever does.
        let _ = pipeline.annotate(&mut d);
        d
    };
    let dd = eval::dedup(&aae_dev);
    for (name, set) in [
        ("AAE dev", &aae_dev),
        ("AAE dev dedup", &dd),
        ("PERSUADE dev", &per_dev),
    ] {
        for (roles, label) in [
            (
                "gold",
                &gold as &dyn Fn(&AnnotatedEssay) -> essaymap::Document,
            ),
            ("predicted", &predicted),
        ] {
            println!("== {name} ({} essays), {roles} roles", set.len());
            for (lname, l) in [
                ("rule: nearest claim", &NearestClaimLinker as &dyn Linker),
                ("model", &learned as &dyn Linker),
            ] {
                row(lname, &eval::evaluate(l, set, label));
            }
        }
    }
    Ok(())
}
