//! `essaymap serve`: the HTTP API and web app (`essaymap::serve`).

use anyhow::Result;
use essaymap::serve::{self, Config};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Serve the API and the web app: analyse, batch and report over HTTP.
///
/// Binds 127.0.0.1:8080 by default and prints the URL to open. Any other
/// address needs --token (every API call then carries `Authorization: Bearer
/// TOKEN`; the page asks for it once). Essays stay in memory; logs carry
/// routes, statuses, sizes and timings, never text. Ctrl-C (or SIGTERM)
/// lets requests in flight finish.
///
/// Example: essaymap serve --addr 127.0.0.1:8080 --threads 4
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Analysis threads (default, or 0: all cores).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Bearer token required on every API call (at least 16 characters;
    /// required off loopback). Also read from ESSAYMAP_TOKEN.
    #[arg(long, env = "ESSAYMAP_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Largest essay (and batch record), in bytes.
    #[arg(long, default_value_t = 5 * 1024 * 1024)]
    max_body: usize,
    /// Largest batch or report body, in bytes.
    #[arg(long, default_value_t = 256 * 1024 * 1024)]
    max_batch: usize,
    /// Analysis requests running or waiting at once; more get 503 + Retry-After.
    #[arg(long, default_value_t = 256)]
    queue: usize,
    /// Batch and report requests running at once; more get 503 + Retry-After.
    #[arg(long, default_value_t = 4)]
    batch_jobs: usize,
    /// Seconds to receive a request and start answering it.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Allow this origin to call the API from its pages (CORS; off by default).
    #[arg(long, value_name = "ORIGIN")]
    cors: Option<String>,
    #[command(flatten)]
    models: super::ModelArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let start = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ESSAYMAP_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let analyzer = args.models.analyzer()?;
    let config = Config {
        addr: args.addr,
        token: args.token,
        max_body: args.max_body,
        max_batch: args.max_batch,
        queue: args.queue,
        batch_jobs: args.batch_jobs,
        timeout: Duration::from_secs(args.timeout.max(1)),
        threads: args.threads,
        cors: args.cors,
        signals: true,
    };
    let handle = serve::start(config, analyzer)?;
    eprintln!(
        "essaymap serve: listening on {} (ready in {} ms; Ctrl-C to stop)",
        handle.url(),
        start.elapsed().as_millis()
    );
    println!("{}", handle.url());
    handle.wait()?;
    eprintln!("essaymap serve: stopped");
    Ok(ExitCode::SUCCESS)
}
