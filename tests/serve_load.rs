//! Load benchmark and soak of `essaymap serve`, against the release binary on
//! loopback, with a bounded number of requests. Ignored by default (they
//! measure, they do not check speed); they need the PERSUADE essays in
//! ../shared/data and skip themselves without them. Commands and figures are
//! in docs/serve.md:
//!
//!   cargo test --release --test serve_load -- --ignored --nocapture --test-threads 1
//!
//! Environment: REQUESTS (default 1000), CLIENTS (64), THREADS (analysis
//! threads of server and batch; default all cores), LONG (the multiple of
//! REQUESTS of the long run that checks memory; default 10).
//!
//! Every 200 answer is compared byte for byte with the library's own
//! rendering of the same essay, so a wrong answer under load fails the run.
#![cfg(feature = "serve")]

use essaymap::{render, Analyzer, Essay, Format};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The PERSUADE dev essays (id, text), or `None` when ../shared is absent.
fn essays() -> Option<Vec<(String, String)>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/persuade/dev.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("serve_load: skipped, {} is absent", path.display());
        return None;
    };
    Some(
        text.lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| {
                Some((
                    v["id"].as_str()?.to_string(),
                    v["text"].as_str()?.to_string(),
                ))
            })
            .collect(),
    )
}

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_essaymap"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("ESSAYMAP_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut url = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut url)
            .unwrap();
        let addr = url
            .trim()
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Server { child, addr }
    }

    /// (VmHWM, VmRSS) of the server process, in MB.
    fn rss_mb(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .map_or(0, |kb| kb / 1024)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a request sends and what a correct answer is.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Good,
    /// Body sent in pieces with pauses, well within the timeout.
    Trickle,
    Malformed,
    Oversized,
    /// Stops sending half-way: the server must time it out.
    Stalled,
}

struct Client {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Client {
    fn conn(&mut self) -> std::io::Result<&mut BufReader<TcpStream>> {
        if self.conn.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_read_timeout(Some(Duration::from_secs(120)))?;
            s.set_nodelay(true)?;
            self.conn = Some(BufReader::new(s));
        }
        Ok(self.conn.as_mut().unwrap())
    }

    /// Sends one request (keep-alive), returns status and body.
    fn send(&mut self, body: &[u8], kind: Kind) -> std::io::Result<(u16, Vec<u8>)> {
        let r = self.exchange(body, kind);
        // A connection that failed is not reused.
        if r.is_err() {
            self.conn = None;
        }
        r
    }

    fn exchange(&mut self, body: &[u8], kind: Kind) -> std::io::Result<(u16, Vec<u8>)> {
        let head = format!(
            "POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let conn = self.conn()?;
        let s = conn.get_mut();
        let sent = (|| {
            s.write_all(head.as_bytes())?;
            match kind {
                Kind::Trickle => {
                    for piece in body.chunks(body.len().div_ceil(8)) {
                        s.write_all(piece)?;
                        std::thread::sleep(Duration::from_millis(150));
                    }
                    Ok(())
                }
                Kind::Stalled => s.write_all(&body[..body.len() / 2]),
                _ => s.write_all(body),
            }
        })();
        // The server may answer (413) and close before the body is all sent:
        // its answer is still there to read.
        let mut status_line = String::new();
        if let Err(e) = conn.read_line(&mut status_line) {
            return Err(sent.err().unwrap_or(e));
        }
        if status_line.is_empty() {
            return Err(sent
                .err()
                .unwrap_or_else(|| std::io::ErrorKind::UnexpectedEof.into()));
        }
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut len = 0usize;
        let mut close = false;
        loop {
            let mut line = String::new();
            conn.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
            if lower == "connection: close" {
                close = true;
            }
        }
        let mut out = vec![0; len];
        conn.read_exact(&mut out)?;
        // Error answers to half-read bodies leave the connection unusable.
        if close || status != 200 {
            self.conn = None;
        }
        Ok((status, out))
    }
}

struct Outcome {
    latencies: Vec<Duration>,
    wrong: usize,
    rejected: usize,
    expected_errors: usize,
    elapsed: Duration,
}

/// `total` requests from `clients` threads, cycling through `bodies`; every
/// `bad_every`-th request (0: none) is a bad one of a rotating kind.
fn run(
    addr: SocketAddr,
    bodies: &Arc<Vec<(Vec<u8>, Vec<u8>)>>,
    clients: usize,
    total: usize,
    bad_every: usize,
    max_body: usize,
) -> Outcome {
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let next = next.clone();
            let bodies = bodies.clone();
            std::thread::spawn(move || {
                let mut c = Client { addr, conn: None };
                let mut o = Outcome {
                    latencies: Vec::new(),
                    wrong: 0,
                    rejected: 0,
                    expected_errors: 0,
                    elapsed: Duration::ZERO,
                };
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        return o;
                    }
                    let (body, expected) = &bodies[i % bodies.len()];
                    let kind = if bad_every > 0 && i % bad_every == bad_every - 1 {
                        [
                            Kind::Malformed,
                            Kind::Oversized,
                            Kind::Trickle,
                            Kind::Stalled,
                        ][(i / bad_every) % 4]
                    } else {
                        Kind::Good
                    };
                    let oversized;
                    let body: &[u8] = match kind {
                        Kind::Malformed => b"{\"text\": \"an essay with no end",
                        Kind::Oversized => {
                            oversized =
                                serde_json::json!({"text": "word ".repeat(max_body / 5 + 10)})
                                    .to_string();
                            oversized.as_bytes()
                        }
                        _ => body,
                    };
                    let t = Instant::now();
                    let r = c.send(body, kind);
                    let took = t.elapsed();
                    match (kind, r) {
                        (Kind::Good | Kind::Trickle, Ok((200, got))) => {
                            if kind == Kind::Good {
                                o.latencies.push(took);
                            }
                            if &got != expected {
                                o.wrong += 1;
                            }
                        }
                        (_, Ok((503, _))) => o.rejected += 1,
                        (Kind::Malformed, Ok((400, _)))
                        | (Kind::Oversized, Ok((413, _)))
                        | (Kind::Stalled, Ok((408, _))) => o.expected_errors += 1,
                        (k, r) => {
                            eprintln!(
                                "serve_load: {k:?} request: unexpected {:?}",
                                r.map(|(s, b)| (
                                    s,
                                    String::from_utf8_lossy(&b)
                                        .chars()
                                        .take(200)
                                        .collect::<String>()
                                ))
                            );
                            o.wrong += 1;
                        }
                    }
                }
            })
        })
        .collect();
    let mut all = Outcome {
        latencies: Vec::new(),
        wrong: 0,
        rejected: 0,
        expected_errors: 0,
        elapsed: Duration::ZERO,
    };
    for t in threads {
        let o = t.join().unwrap();
        all.latencies.extend(o.latencies);
        all.wrong += o.wrong;
        all.rejected += o.rejected;
        all.expected_errors += o.expected_errors;
    }
    all.elapsed = start.elapsed();
    all.latencies.sort();
    all
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Request bodies and the exact answers the library gives for them.
fn workload(essays: &[(String, String)], n: usize) -> Arc<Vec<(Vec<u8>, Vec<u8>)>> {
    let analyzer = Analyzer::embedded().unwrap();
    Arc::new(
        essays
            .iter()
            .take(n)
            .map(|(id, text)| {
                let body = serde_json::json!({"text": text, "id": id})
                    .to_string()
                    .into_bytes();
                let a = analyzer
                    .analyze(Essay::new(text.clone()).id(id.clone()))
                    .unwrap();
                (
                    body,
                    render::to_string(&a, Format::Json).unwrap().into_bytes(),
                )
            })
            .collect(),
    )
}

/// `batch`'s essays/s on `total` records cycling through `essays`.
fn batch_rate(essays: &[(String, String)], n: usize, total: usize, threads: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let input: PathBuf = dir.path().join("in.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    for i in 0..total {
        let (id, text) = &essays[i % n];
        writeln!(f, "{}", serde_json::json!({"id": id, "text": text})).unwrap();
    }
    drop(f);
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_essaymap"))
        .args([
            "batch",
            input.to_str().unwrap(),
            "-o",
            dir.path().join("out.jsonl").to_str().unwrap(),
            "--quiet",
            "--threads",
            &threads.to_string(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    total as f64 / t.elapsed().as_secs_f64()
}

#[test]
#[ignore = "benchmark: run by hand, see docs/serve.md"]
fn load() {
    let Some(essays) = essays() else { return };
    let (total, clients, threads, long) = (
        env("REQUESTS", 1000),
        env("CLIENTS", 64),
        env("THREADS", 0),
        env("LONG", 10),
    );
    let n = essays.len().min(200);
    let bodies = workload(&essays, n);
    let words: usize = essays
        .iter()
        .take(n)
        .map(|(_, t)| t.split_whitespace().count())
        .sum();
    let server = Server::start(&["--threads", &threads.to_string(), "--queue", "1024"]);
    run(server.addr, &bodies, clients, 2 * clients, 0, 0);
    // Interleaved: batch, server, batch; the batch figure is their mean.
    let b1 = batch_rate(&essays, n, total, threads);
    let o = run(server.addr, &bodies, clients, total, 0, 0);
    let b2 = batch_rate(&essays, n, total, threads);
    let (hwm_short, _) = server.rss_mb();
    let rps = (total - o.rejected) as f64 / o.elapsed.as_secs_f64();
    let batch = (b1 + b2) / 2.0;
    println!(
        "serve_load: {total} requests, {clients} clients, {} essays of {} words on average, threads {threads} (0 = all)",
        n,
        words / n
    );
    println!(
        "serve_load: {rps:.1} req/s, p50 {:.1} ms, p99 {:.1} ms, {} rejected (503), {} wrong; batch {b1:.1} / {b2:.1} essays/s; ratio {:.2}; peak RSS {hwm_short} MB",
        pct(&o.latencies, 0.5),
        pct(&o.latencies, 0.99),
        o.rejected,
        o.wrong,
        rps / batch
    );
    assert_eq!(o.wrong, 0);
    let o = run(server.addr, &bodies, clients, total * long, 0, 0);
    let (hwm_long, rss) = server.rss_mb();
    println!(
        "serve_load: long run {} requests: {:.1} req/s, p50 {:.1} ms, p99 {:.1} ms, {} wrong; peak RSS {hwm_short} MB after the short run, {hwm_long} MB after the long one (now {rss} MB)",
        total * long,
        (total * long - o.rejected) as f64 / o.elapsed.as_secs_f64(),
        pct(&o.latencies, 0.5),
        pct(&o.latencies, 0.99),
        o.wrong
    );
    assert_eq!(o.wrong, 0);
}

#[test]
#[ignore = "soak: run by hand, see docs/serve.md"]
fn soak() {
    let Some(essays) = essays() else { return };
    let (total, clients) = (env("REQUESTS", 1000), env("CLIENTS", 64));
    let max_body = 1 << 20;
    let bodies = workload(&essays, essays.len().min(200));
    let server = Server::start(&[
        "--max-body",
        &max_body.to_string(),
        "--timeout",
        "3",
        "--queue",
        "1024",
    ]);
    // One request in 20 (5%) is malformed, oversized, trickling or stalled.
    let o = run(server.addr, &bodies, clients, total, 20, max_body);
    let alive = TcpStream::connect(server.addr).is_ok();
    println!(
        "serve_load: soak {total} requests ({} bad ones answered as expected), {} good answered in {:.1} s, {} rejected (503), {} wrong; peak RSS {} MB; server alive: {alive}",
        o.expected_errors,
        o.latencies.len(),
        o.elapsed.as_secs_f64(),
        o.rejected,
        o.wrong,
        server.rss_mb().0
    );
    assert!(alive);
    assert_eq!(o.wrong, 0);
}
