//! `essaymap serve`: the HTTP API and the web app, from the same binary.
//!
//! A thin caller of [`crate::Analyzer`], [`crate::render`], [`crate::batch`]
//! and [`crate::report`]: every route answers with exactly what the matching
//! command writes. axum on tokio carries the requests; analysis runs on a
//! rayon pool of its own, never on the async workers, behind a bounded queue
//! that answers 503 with `Retry-After` when full.
//!
//! Routes (see `docs/serve.md`; the OpenAPI document is generated from
//! [`api`] at `/v1/openapi.json`): `POST /v1/analyze`, `POST /v1/batch`
//! (streamed JSONL), `POST /v1/report`, `POST /v1/extract`, `GET /v1/health`,
//! `GET /v1/version`, `GET /metrics`, and the web app at `/`.
//!
//! Students' essays are personal data: the server binds loopback unless given
//! a token, keeps essays in memory only, logs ids, sizes, timings and
//! statuses (never text), and sends a strict Content-Security-Policy with
//! every page.

pub mod api;
mod app;
mod csp;
mod error;
mod metrics;
mod upload;

pub use error::ApiError;

use crate::analyzer::Analyzer;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (port 0: any free port).
    pub addr: SocketAddr,
    /// Bearer token every API call must carry; required off loopback.
    pub token: Option<String>,
    /// Largest body of one essay (`/v1/analyze`, `/v1/extract`), and of one
    /// record of a batch, in bytes.
    pub max_body: usize,
    /// Largest body of `/v1/batch` and `/v1/report`, in bytes.
    pub max_batch: usize,
    /// Analysis requests running or waiting at once; more get 503.
    pub queue: usize,
    /// Batch and report requests running at once; more get 503.
    pub batch_jobs: usize,
    /// Time to receive a request and produce its response head (a streaming
    /// batch's body is not bounded by it, but each line must be taken by the
    /// client within it).
    pub timeout: Duration,
    /// Analysis threads (0: all cores).
    pub threads: usize,
    /// Origin allowed to call the API from another site (CORS off when `None`).
    pub cors: Option<String>,
    /// Stop on SIGINT / SIGTERM (the command does; tests stop through [`Handle`]).
    pub signals: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            token: None,
            max_body: 5 * 1024 * 1024,
            max_batch: 256 * 1024 * 1024,
            queue: 256,
            batch_jobs: 4,
            timeout: Duration::from_secs(60),
            threads: 0,
            cors: None,
            signals: false,
        }
    }
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A configuration that would be unsafe or cannot work.
    #[error("{0}")]
    Config(String),
    /// The address could not be bound, or threads could not start.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The model or rubric did not load.
    #[error(transparent)]
    Essaymap(#[from] crate::Error),
}

/// Shared by every request.
pub(crate) struct Shared {
    pub analyzer: Analyzer,
    pub pool: rayon::ThreadPool,
    pub config: Config,
    /// One permit per analysis request running or waiting.
    pub queue: Arc<Semaphore>,
    /// One permit per batch or report request running.
    pub batches: Arc<Semaphore>,
    pub metrics: metrics::Metrics,
    pub csp: csp::Policies,
    /// Set when shutdown starts: streaming batches stop at the next record.
    pub stopping: AtomicBool,
}

impl Shared {
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Relaxed)
    }
}

/// A running server.
pub struct Handle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Handle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the web app.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Starts a graceful shutdown (requests in flight finish, streaming
    /// batches end on a record boundary) and waits for it.
    ///
    /// # Errors
    /// When serving failed.
    pub fn shutdown(mut self) -> std::io::Result<()> {
        self.shared.stopping.store(true, Ordering::Relaxed);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join_thread()
    }

    /// Waits until the server stops (on SIGINT / SIGTERM with
    /// [`Config::signals`]).
    ///
    /// # Errors
    /// When serving failed.
    pub fn wait(mut self) -> std::io::Result<()> {
        self.join_thread()
    }

    fn join_thread(&mut self) -> std::io::Result<()> {
        match self.thread.take() {
            Some(t) => t
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the server thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            self.shared.stopping.store(true, Ordering::Relaxed);
            let _ = stop.send(());
        }
        let _ = self.join_thread();
    }
}

/// Whether the server may listen on `addr` with `token`: off loopback, only
/// with a token.
fn check_addr(addr: &SocketAddr, token: Option<&str>) -> Result<(), StartError> {
    if let Some(t) = token {
        if t.len() < 16 {
            return Err(StartError::Config(
                "--token must be at least 16 characters (e.g. `openssl rand -hex 24`)".into(),
            ));
        }
    }
    if !addr.ip().is_loopback() && token.is_none() {
        return Err(StartError::Config(format!(
            "{addr} is reachable from other machines and essays are personal data: \
             give --token TOKEN (every API call then needs `Authorization: Bearer TOKEN`), \
             or bind 127.0.0.1"
        )));
    }
    Ok(())
}

/// Binds `config.addr` and starts serving on a thread of its own.
///
/// # Errors
/// [`StartError`] when the configuration is unsafe, the address cannot be
/// bound or threads cannot start.
pub fn start(config: Config, analyzer: Analyzer) -> Result<Handle, StartError> {
    check_addr(&config.addr, config.token.as_deref())?;
    if config.queue == 0 || config.batch_jobs == 0 {
        return Err(StartError::Config(
            "--queue and --batch-jobs must be at least 1".into(),
        ));
    }
    let io = |what: &str| {
        let what = what.to_string();
        move |source| StartError::Io { what, source }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .thread_name(|i| format!("essaymap-analysis-{i}"))
        .build()
        .map_err(|e| StartError::Io {
            what: "starting analysis threads".into(),
            source: std::io::Error::other(e),
        })?;
    let csp = csp::Policies::new(&analyzer)?;
    let shared = Arc::new(Shared {
        queue: Arc::new(Semaphore::new(config.queue)),
        batches: Arc::new(Semaphore::new(config.batch_jobs)),
        metrics: metrics::Metrics::default(),
        analyzer,
        pool,
        csp,
        stopping: AtomicBool::new(false),
        config,
    });
    // A few async workers: they only move bytes; analysis has its own pool.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("essaymap-http")
        .enable_all()
        .build()
        .map_err(io("starting the HTTP runtime"))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(shared.config.addr))
        .map_err(io(&format!("binding {}", shared.config.addr)))?;
    let addr = listener
        .local_addr()
        .map_err(io("reading the bound address"))?;
    let router = api::router(shared.clone());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let signals = shared.config.signals;
    let header_timeout = shared.config.timeout;
    let stopping = shared.clone();
    let thread = std::thread::Builder::new()
        .name("essaymap-serve".into())
        .spawn(move || {
            runtime.block_on(async move {
                let stop = async move {
                    tokio::select! {
                        _ = stop_rx => {}
                        _ = shutdown_signal(signals) => {
                            tracing::info!("shutting down: finishing requests in flight");
                        }
                    }
                    stopping.stopping.store(true, Ordering::Relaxed);
                };
                serve_loop(listener, router, stop, header_timeout).await;
                Ok(())
            })
        })
        .map_err(io("starting the server thread"))?;
    Ok(Handle {
        addr,
        shared,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

/// Connections served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 4096;

/// Accepts connections until `stop`, then lets those in flight finish.
/// Not `axum::serve`: it gives hyper no timer, so hyper's header-read timeout
/// never fires and a client trickling its headers would hold a connection
/// for ever.
async fn serve_loop(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    stop: impl std::future::Future<Output = ()>,
    header_timeout: Duration,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = connections.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let stream = tokio::select! {
            c = listener.accept() => match c {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, usually: wait rather than spin.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout);
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Resolves on SIGINT or SIGTERM when `enabled`, never otherwise.
async fn shutdown_signal(enabled: bool) {
    if !enabled {
        return std::future::pending().await;
    }
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_loopback_needs_a_long_token() {
        let lan: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert!(check_addr(&lan, None).is_err());
        assert!(check_addr(&lan, Some("short")).is_err());
        assert!(check_addr(&lan, Some("0123456789abcdef0123")).is_ok());
        assert!(check_addr(&local, None).is_ok());
        let v6: SocketAddr = "[::1]:8080".parse().unwrap();
        assert!(check_addr(&v6, None).is_ok());
    }
}
