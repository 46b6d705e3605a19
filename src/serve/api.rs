//! The routes. Each handler reads its request (bounded), does its work on the
//! analysis pool, and answers with what the matching command writes. The
//! OpenAPI document at `/v1/openapi.json` is generated from the annotations
//! here.

use super::error::ApiError;
use super::{app, upload, Shared};
use crate::batch::read::{self, Item, ReadOptions};
use crate::batch::runner::Processor;
use crate::batch::{error_line, BatchProcessor};
use crate::document::Essay;
use crate::grade::{Grader, Rubric};
use crate::render::{self, Format};
use crate::report::{self, ClassData};
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;

type Shared_ = Arc<Shared>;

/// The OpenAPI 3 document of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "essaymap",
        description = "Reads argumentative essays and maps how they argue. Every answer is what \
                       the matching `essaymap` command writes; see docs/serve.md and \
                       docs/output-contract.md."
    ),
    paths(analyze, batch, report_route, extract, health, version, metrics),
    components(schemas(AnalyzeRequest, ExtractResponse, Health, Version, super::error::ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The whole application: API, web app, middleware.
pub(crate) fn router(shared: Shared_) -> Router {
    let api = Router::new()
        .route("/v1/analyze", post(analyze))
        .route("/v1/batch", post(batch))
        .route("/v1/report", post(report_route))
        .route("/v1/extract", post(extract))
        .route("/v1/version", get(version))
        .route("/v1/openapi.json", get(openapi))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(shared.clone(), auth));
    let mut router = Router::new()
        .merge(api)
        .route("/v1/health", get(health))
        .merge(app::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(shared.clone(), timeout))
        .layer(middleware::from_fn_with_state(shared.clone(), count));
    if let Some(origin) = &shared.config.cors {
        if let Ok(origin) = HeaderValue::from_str(origin) {
            router = router.layer(
                CorsLayer::new()
                    .allow_origin(origin)
                    .allow_methods([Method::GET, Method::POST])
                    .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
            );
        }
    }
    // The streamed batch stays uncompressed: a gzip encoder holds lines back
    // until its buffer fills, and the client wants them as they come.
    let compress = DefaultPredicate::new().and(NotForContentType::const_new(NDJSON));
    router
        .layer(CompressionLayer::new().compress_when(compress))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // Logs carry method, route, status and timing; never bodies or
        // query strings (a title or rubric may be personal).
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("-", |p| p.as_str())
                        .to_string();
                    tracing::info_span!("request", method = %req.method(), route = %route)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .with_state(shared)
}

const NDJSON: &str = "application/x-ndjson";

/// Counts every request by route and status, with its latency.
async fn count(State(s): State<Shared_>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_string(), |p| p.as_str().to_string());
    let start = Instant::now();
    let res = next.run(req).await;
    let took = start.elapsed();
    s.metrics.request(&route, res.status().as_u16(), took);
    match res.status() {
        StatusCode::SERVICE_UNAVAILABLE => s.metrics.rejected("overloaded"),
        StatusCode::UNAUTHORIZED => s.metrics.rejected("unauthorized"),
        StatusCode::PAYLOAD_TOO_LARGE => s.metrics.rejected("too_large"),
        StatusCode::REQUEST_TIMEOUT => s.metrics.rejected("timeout"),
        _ => {}
    }
    res
}

/// Bounds the time to read a request and produce the response head.
async fn timeout(State(s): State<Shared_>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(s.config.timeout, next.run(req)).await {
        Ok(res) => res,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request took longer than {} s to send or answer",
                s.config.timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// With a token configured, every API call must carry it.
async fn auth(State(s): State<Shared_>, req: Request, next: Next) -> Response {
    if let Some(token) = &s.config.token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "this server needs `Authorization: Bearer TOKEN` (the token it was started with)",
            )
            .into_response();
        }
    }
    next.run(req).await
}

/// Compares without an early exit, so timing does not reveal the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route; see /v1/openapi.json",
    )
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method; see /v1/openapi.json",
    )
}

/// Reads a body of at most `limit` bytes (413 past it, before reading it all
/// when the length is announced).
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let mut buf = Vec::with_capacity(announced.map_or(0, |n| n as usize));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("reading the body: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// The media type of the request, lower case, without parameters.
fn media_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Runs `work` on the analysis pool, holding a queue permit (503 when none).
async fn on_pool<T: Send + 'static>(
    s: &Shared_,
    work: impl FnOnce(&Shared) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = s
        .queue
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::overloaded("the analysis queue is full"))?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let shared = s.clone();
    s.pool.spawn(move || {
        let _permit = permit;
        let _ = tx.send(work(&shared));
    });
    rx.await
        .map_err(|_| ApiError::internal("the analysis stopped unexpectedly"))?
}

/// A rubric given in a request, parsed.
fn rubric(text: Option<&str>) -> Result<Option<Rubric>, ApiError> {
    match text {
        Some(t) if !t.trim().is_empty() => Rubric::from_toml(t, "in the request")
            .map(Some)
            .map_err(|e| ApiError::from_essaymap(&e)),
        _ => Ok(None),
    }
}

/// One essay to analyse (`application/json`).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AnalyzeRequest {
    /// The essay.
    text: String,
    /// Its title or prompt (improves thesis detection), as `analyze --title`.
    title: Option<String>,
    /// Its id, echoed in the output (`analyze FILE` uses the file's path).
    id: Option<String>,
    /// A rubric (TOML text), as `--rubric`.
    rubric: Option<String>,
}

/// The query of `POST /v1/analyze`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AnalyzeQuery {
    /// Output format: json (default), jsonl, aif (xAIF), dot, mermaid, html, text.
    format: Option<String>,
    /// Title or prompt, for text, markdown and .docx bodies.
    title: Option<String>,
    /// Id, for text, markdown and .docx bodies.
    id: Option<String>,
    /// Replace invalid UTF-8 bytes with U+FFFD instead of failing (422).
    lossy: Option<bool>,
    /// Rubric (TOML text), for text, markdown and .docx bodies.
    rubric: Option<String>,
}

/// Analyse one essay.
///
/// The body is JSON `{"text", "title"?, "id"?, "rubric"?}`, or the essay
/// itself as `text/plain`, `text/markdown` or a `.docx` document (title, id
/// and rubric then in the query). The answer is byte for byte what
/// `essaymap analyze --format FORMAT` writes for the same essay.
#[utoipa::path(
    post,
    path = "/v1/analyze",
    params(AnalyzeQuery),
    request_body(content(
        (AnalyzeRequest = "application/json"),
        (String = "text/plain"),
        (String = "text/markdown"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    )),
    responses(
        (status = 200, description = "The analysis in the asked format (JSON as docs/output-contract.md)"),
        (status = 400, description = "Malformed JSON or query", body = super::error::ErrorBody),
        (status = 401, description = "Missing or wrong token", body = super::error::ErrorBody),
        (status = 413, description = "Body over --max-body", body = super::error::ErrorBody),
        (status = 415, description = "Unsupported content type", body = super::error::ErrorBody),
        (status = 422, description = "Empty or non-UTF-8 text, bad rubric or document", body = super::error::ErrorBody),
        (status = 503, description = "Queue full; retry after Retry-After seconds", body = super::error::ErrorBody),
    )
)]
async fn analyze(
    State(s): State<Shared_>,
    query: Result<Query<AnalyzeQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let format: Format = match q.format.as_deref() {
        None => Format::Json,
        Some(f) => f.parse().map_err(ApiError::bad_request)?,
    };
    let media = media_type(&headers);
    if !matches!(
        media.as_str(),
        "application/json" | "text/plain" | "text/markdown" | DOCX
    ) {
        return Err(ApiError::unsupported(format!(
            "send the essay as application/json ({{\"text\", \"title\"?}}), text/plain, \
             text/markdown or a .docx document, not {:?}",
            media
        )));
    }
    let bytes = read_body(&headers, body, s.config.max_body).await?;
    let lossy = q.lossy.unwrap_or(false);
    let (text, title, id, rubric_text) = match media.as_str() {
        "application/json" => {
            let text = std::str::from_utf8(&bytes).map_err(|e| {
                ApiError::unprocessable(
                    "invalid_utf8",
                    format!("the body is not UTF-8 (at byte {})", e.valid_up_to()),
                )
            })?;
            let req: AnalyzeRequest = serde_json::from_str(text).map_err(|e| {
                if e.is_data() {
                    ApiError::unprocessable("bad_request", format!("the JSON body: {e}"))
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_json",
                        format!("the body is not valid JSON: {e}"),
                    )
                }
            })?;
            (req.text, req.title, req.id, req.rubric)
        }
        DOCX => {
            let bytes = bytes.to_vec();
            let max = s.config.max_body;
            let text = tokio::task::spawn_blocking(move || upload::docx_text(&bytes, max))
                .await
                .map_err(|_| ApiError::internal("reading the document stopped"))?
                .map_err(|e| match e {
                    crate::Error::BadRecord { message, .. } => {
                        ApiError::unprocessable("bad_document", message)
                    }
                    other => ApiError::from_essaymap(&other),
                })?;
            (text, q.title, q.id, q.rubric)
        }
        _ => {
            let text = crate::io::decode("the body", bytes.to_vec(), lossy)
                .map_err(|e| ApiError::from_essaymap(&e))?;
            (text, q.title, q.id, q.rubric)
        }
    };
    if text.trim().is_empty() {
        return Err(ApiError::unprocessable("empty", "the essay is empty"));
    }
    if text.len() > s.config.max_body {
        return Err(ApiError::too_large(s.config.max_body));
    }
    let rubric = rubric(rubric_text.as_deref())?;
    let size = text.len();
    let rendered = on_pool(&s, move |sh| {
        let analyzer = match rubric {
            Some(r) => sh.analyzer.clone().with_rubric(r),
            None => sh.analyzer.clone(),
        };
        let essay = Essay {
            text,
            id,
            prompt: title,
        };
        let analysis = analyzer
            .analyze(essay)
            .map_err(|e| ApiError::from_essaymap(&e))?;
        sh.metrics.records(1, 0);
        render::to_string(&analysis, format).map_err(|e| ApiError::from_essaymap(&e))
    })
    .await?;
    tracing::debug!(bytes = size, format = %format, "analysed one essay");
    let content_type = match format {
        Format::Json | Format::Jsonl | Format::Aif => "application/json",
        Format::Dot => "text/vnd.graphviz; charset=utf-8",
        Format::Html => "text/html; charset=utf-8",
        Format::Mermaid | Format::Text => "text/plain; charset=utf-8",
    };
    let mut res = ([(header::CONTENT_TYPE, content_type)], rendered).into_response();
    if format == Format::Html {
        set_csp(&mut res, &s.csp.page);
    }
    Ok(res)
}

fn set_csp(res: &mut Response, policy: &str) {
    if let Ok(v) = HeaderValue::from_str(policy) {
        res.headers_mut().insert(header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The query of `POST /v1/batch`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct BatchQuery {
    /// Replace invalid UTF-8 bytes with U+FFFD instead of failing the record.
    lossy: Option<bool>,
    /// Rubric (TOML text), as `--rubric`.
    rubric: Option<String>,
}

/// Analyse many essays, streamed.
///
/// The body is JSONL (`{"id", "text", "title"?}` per line; `application/x-ndjson`),
/// CSV with a header (`text/csv`), or a `.zip` of `.txt`/`.md`/`.docx` files
/// (`application/zip`; ids are the file names). The answer is a stream of
/// JSONL lines in input order, one per record, error records included:
/// exactly the lines `essaymap batch` writes. A record that fails is a line
/// `{"id", "error": {"kind", "message"}}`; the stream goes on.
#[utoipa::path(
    post,
    path = "/v1/batch",
    params(BatchQuery),
    request_body(content(
        (String = "application/x-ndjson"),
        (String = "text/csv"),
        (Vec<u8> = "application/zip")
    )),
    responses(
        (status = 200, description = "JSONL, one line per input record, in input order", content_type = "application/x-ndjson"),
        (status = 400, description = "Malformed query", body = super::error::ErrorBody),
        (status = 401, description = "Missing or wrong token", body = super::error::ErrorBody),
        (status = 413, description = "Body over --max-batch", body = super::error::ErrorBody),
        (status = 415, description = "Unsupported content type", body = super::error::ErrorBody),
        (status = 422, description = "Empty body, CSV without a text column, bad zip or rubric", body = super::error::ErrorBody),
        (status = 503, description = "Too many batches at once; retry after Retry-After seconds", body = super::error::ErrorBody),
    )
)]
async fn batch(
    State(s): State<Shared_>,
    query: Result<Query<BatchQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let media = media_type(&headers);
    let kind = match media.as_str() {
        "application/x-ndjson"
        | "application/jsonl"
        | "application/json"
        | "application/jsonlines" => Upload::Jsonl,
        "text/csv" => Upload::Csv,
        "application/zip" | "application/x-zip-compressed" => Upload::Zip,
        _ => {
            return Err(ApiError::unsupported(format!(
                "send the essays as JSONL (application/x-ndjson), CSV (text/csv) or a .zip \
                 (application/zip), not {media:?}"
            )))
        }
    };
    let rubric = rubric(q.rubric.as_deref())?;
    let permit = s
        .batches
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::overloaded("too many batches at once"))?;
    let bytes = read_body(&headers, body, s.config.max_batch).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::unprocessable(
            "empty",
            "the body holds no records",
        ));
    }
    let opts = ReadOptions {
        max_bytes: s.config.max_body,
        lossy: q.lossy.unwrap_or(false),
    };
    let items: Box<dyn Iterator<Item = Item> + Send> = match kind {
        Upload::Jsonl => {
            let first = bytes
                .strip_prefix(b"\xef\xbb\xbf".as_slice())
                .unwrap_or(&bytes)
                .iter()
                .find(|b| !b.is_ascii_whitespace());
            if first != Some(&b'{') {
                return Err(ApiError::unprocessable(
                    "bad_request",
                    "the body is not JSONL (one {\"id\", \"text\"} object per line)",
                ));
            }
            Box::new(read::jsonl_reader(
                std::io::Cursor::new(bytes),
                "body.jsonl",
                opts,
            ))
        }
        Upload::Csv => Box::new(
            read::csv_bytes(bytes, "body.csv", opts).map_err(|e| ApiError::from_essaymap(&e))?,
        ),
        Upload::Zip => Box::new(upload::zip_records(bytes, opts)?),
    };
    let processor = BatchProcessor::new(match rubric {
        Some(r) => s.analyzer.clone().with_rubric(r),
        None => s.analyzer.clone(),
    });
    // A few chunks of lines in flight: a client that reads slowly stops the
    // analysis here instead of making the server hold its whole output.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(256);
    let shared = s.clone();
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        stream_batch(&shared, &processor, items, &tx, &rt);
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|line| (Ok::<_, std::convert::Infallible>(line), rx))
    });
    Ok(([(header::CONTENT_TYPE, NDJSON)], Body::from_stream(stream)).into_response())
}

enum Upload {
    Jsonl,
    Csv,
    Zip,
}

/// Analyses `items` chunk by chunk on the pool and sends each line, in
/// input order, as `batch` writes it. Stops at a record boundary when the
/// client goes away, stops reading for longer than the timeout, or the
/// server shuts down.
fn stream_batch(
    s: &Shared,
    processor: &BatchProcessor,
    items: Box<dyn Iterator<Item = Item> + Send>,
    tx: &tokio::sync::mpsc::Sender<Bytes>,
    rt: &tokio::runtime::Handle,
) {
    let chunk_size = (s.pool.current_num_threads() * 4).max(8);
    let mut items = items.fuse();
    let (mut analysed, mut failed) = (0u64, 0u64);
    let start = Instant::now();
    loop {
        if s.stopping() {
            break;
        }
        let chunk: Vec<Item> = items.by_ref().take(chunk_size).collect();
        if chunk.is_empty() {
            break;
        }
        let lines = s.pool.install(|| process_chunk(processor, chunk));
        let n = lines.len();
        let mut sent = 0;
        for (mut line, ok) in lines {
            line.push('\n');
            let send = tokio::time::timeout(s.config.timeout, tx.send(Bytes::from(line)));
            if !matches!(rt.block_on(send), Ok(Ok(()))) {
                break;
            }
            sent += 1;
            // Counted as sent, so /metrics shows a batch's progress.
            if ok {
                analysed += 1;
                s.metrics.records(1, 0);
            } else {
                failed += 1;
                s.metrics.records(0, 1);
            }
        }
        if sent < n {
            tracing::info!("batch client stopped reading; stopping the batch");
            break;
        }
    }
    tracing::info!(
        analysed,
        failed,
        ms = start.elapsed().as_millis() as u64,
        "batch done"
    );
}

/// The output lines of a chunk, in order, each with whether it succeeded:
/// the processor's line, or `batch`'s error line.
fn process_chunk(processor: &BatchProcessor, chunk: Vec<Item>) -> Vec<(String, bool)> {
    let mut out: Vec<Option<(String, bool)>> = Vec::with_capacity(chunk.len());
    let mut records = Vec::new();
    let mut ids = Vec::new();
    for item in chunk {
        match item {
            Ok(r) => {
                ids.push(r.id.clone());
                records.push(r);
                out.push(None);
            }
            Err(f) => out.push(Some((error_line(&f.id, &f.error), false))),
        }
    }
    let mut results = processor.process_many(records).into_iter().zip(ids);
    out.into_iter()
        .map(|slot| match slot {
            Some(line) => line,
            None => match results.next() {
                Some((Ok((json, _)), _)) => (json, true),
                Some((Err(e), id)) => (error_line(&id, &e), false),
                None => (
                    error_line(
                        "",
                        &crate::Error::BadRecord {
                            what: String::new(),
                            message: "no result for this record".into(),
                        },
                    ),
                    false,
                ),
            },
        })
        .collect()
}

/// The query of `POST /v1/report`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// `html` (default): a .zip of the class page and the essay pages, as
    /// `report -o class.html` writes them; `csv`: the gradebook CSV, as
    /// `report --format csv`; `json`: `{"title", "class_page", "essays":
    /// [{"id", "href", "html"}]}`, the same pages for a page that shows them.
    format: Option<String>,
    /// Heading of the class page (default "Class report").
    title: Option<String>,
    /// Re-grade every essay with this rubric (TOML text), as `report --rubric`.
    rubric: Option<String>,
}

/// A class report from batch output.
///
/// The body is the JSONL that `/v1/batch` (or `essaymap batch`) writes.
/// Error lines and unreadable lines are listed in the report, never fatal.
#[utoipa::path(
    post,
    path = "/v1/report",
    params(ReportQuery),
    request_body(content((String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "application/zip (html), text/csv (csv) or application/json (json)"),
        (status = 400, description = "Unknown format or malformed query", body = super::error::ErrorBody),
        (status = 401, description = "Missing or wrong token", body = super::error::ErrorBody),
        (status = 413, description = "Body over --max-batch", body = super::error::ErrorBody),
        (status = 415, description = "Unsupported content type", body = super::error::ErrorBody),
        (status = 422, description = "Not batch output, or a bad rubric", body = super::error::ErrorBody),
        (status = 503, description = "Too many reports at once; retry after Retry-After seconds", body = super::error::ErrorBody),
    )
)]
async fn report_route(
    State(s): State<Shared_>,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let format = match q.format.as_deref().unwrap_or("html") {
        f @ ("html" | "csv" | "json") => f.to_string(),
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown report format {other:?} (html, csv, json)"
            )))
        }
    };
    let media = media_type(&headers);
    if !matches!(
        media.as_str(),
        "application/x-ndjson" | "application/jsonl" | "application/json" | "application/jsonlines"
    ) {
        return Err(ApiError::unsupported(format!(
            "send batch output as JSONL (application/x-ndjson), not {media:?}"
        )));
    }
    let grader = rubric(q.rubric.as_deref())?.map(Grader::new);
    let permit = s
        .batches
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::overloaded("too many batches at once"))?;
    let bytes = read_body(&headers, body, s.config.max_batch).await?;
    let title = q.title.unwrap_or_else(|| "Class report".to_string());
    let (tx, rx) = tokio::sync::oneshot::channel();
    s.pool.spawn(move || {
        let _permit = permit;
        let out = class_data(&bytes, grader.as_ref()).and_then(|data| match format.as_str() {
            "csv" => {
                let mut out = Vec::new();
                report::csv::write_csv(&data, &mut out).map_err(|e| ApiError::from_essaymap(&e))?;
                Ok(("text/csv; charset=utf-8", out))
            }
            "json" => Ok(("application/json", site_json(&data, &title)?)),
            _ => Ok(("application/zip", site_zip(&data, &title)?)),
        });
        let _ = tx.send(out);
    });
    let (content_type, bytes) = rx
        .await
        .map_err(|_| ApiError::internal("the report stopped unexpectedly"))??;
    let mut res = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    let name = match content_type {
        "application/zip" => Some("class-report.zip"),
        "text/csv; charset=utf-8" => Some("gradebook.csv"),
        _ => None,
    };
    if let Some(name) = name {
        if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(res)
}

/// Batch output held in memory, read as `report` reads a file: error lines,
/// non-UTF-8 and malformed lines become error entries.
fn class_data(bytes: &[u8], grader: Option<&Grader>) -> Result<ClassData, ApiError> {
    if bytes
        .split(|&b| b == b'\n')
        .all(|l| l.trim_ascii().is_empty())
    {
        return Err(ApiError::unprocessable(
            "empty",
            "the body holds no batch output",
        ));
    }
    report::read_batch_from(bytes, std::path::Path::new("the body"), grader).map_err(|_| {
        ApiError::unprocessable(
            "bad_record",
            "the body is not batch output (the JSONL that /v1/batch answers); \
             analyse the essays with /v1/batch first",
        )
    })
}

/// Where the pages of a report go, as `report -o class.html` names them.
const ESSAYS_DIR: &str = "class_essays";

fn essay_pages(data: &ClassData) -> Vec<(String, String)> {
    report::page_names(data)
        .into_iter()
        .zip(&data.essays)
        .map(|(name, e)| {
            (
                format!("{ESSAYS_DIR}/{name}"),
                report::html::essay_page(e, "../class.html"),
            )
        })
        .collect()
}

fn site_zip(data: &ClassData, title: &str) -> Result<Vec<u8>, ApiError> {
    use std::io::Write;
    let pages = essay_pages(data);
    let hrefs: Vec<String> = pages.iter().map(|(p, _)| p.clone()).collect();
    let class = report::html::class_page(data, &hrefs, title);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::FileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let err = |e: &dyn std::fmt::Display| ApiError::internal(format!("writing the zip: {e}"));
    zip.start_file("class.html", opts).map_err(|e| err(&e))?;
    zip.write_all(class.as_bytes()).map_err(|e| err(&e))?;
    for (path, html) in &pages {
        zip.start_file(path.as_str(), opts).map_err(|e| err(&e))?;
        zip.write_all(html.as_bytes()).map_err(|e| err(&e))?;
    }
    Ok(zip.finish().map_err(|e| err(&e))?.into_inner())
}

#[derive(Serialize)]
struct SiteJson<'a> {
    title: &'a str,
    class_page: String,
    essays: Vec<PageJson<'a>>,
    errors: usize,
}

#[derive(Serialize)]
struct PageJson<'a> {
    id: &'a str,
    href: String,
    html: String,
}

fn site_json(data: &ClassData, title: &str) -> Result<Vec<u8>, ApiError> {
    let pages = essay_pages(data);
    let hrefs: Vec<String> = pages.iter().map(|(p, _)| p.clone()).collect();
    let site = SiteJson {
        title,
        class_page: report::html::class_page(data, &hrefs, title),
        essays: pages
            .into_iter()
            .zip(&data.essays)
            .map(|((href, html), e)| PageJson {
                id: &e.id,
                href,
                html,
            })
            .collect(),
        errors: data.errors.len(),
    };
    serde_json::to_vec(&site).map_err(|e| ApiError::internal(e.to_string()))
}

/// The text of a document.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ExtractResponse {
    /// The document's paragraphs, separated by blank lines.
    text: String,
}

/// The text of a `.docx` document (for pages that gather a class's files).
#[utoipa::path(
    post,
    path = "/v1/extract",
    request_body(content((Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))),
    responses(
        (status = 200, description = "The text", body = ExtractResponse),
        (status = 401, description = "Missing or wrong token", body = super::error::ErrorBody),
        (status = 413, description = "Body over --max-body", body = super::error::ErrorBody),
        (status = 415, description = "Not a .docx content type", body = super::error::ErrorBody),
        (status = 422, description = "Not a readable .docx", body = super::error::ErrorBody),
    )
)]
async fn extract(
    State(s): State<Shared_>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ExtractResponse>, ApiError> {
    if media_type(&headers) != DOCX {
        return Err(ApiError::unsupported(format!(
            "send a .docx document ({DOCX})"
        )));
    }
    // A .docx is compressed XML: allow for its markup.
    let limit = s.config.max_body.saturating_mul(4);
    let bytes = read_body(&headers, body, limit).await?;
    let max = s.config.max_body;
    let text = tokio::task::spawn_blocking(move || upload::docx_text(&bytes, max))
        .await
        .map_err(|_| ApiError::internal("reading the document stopped"))?
        .map_err(|e| match e {
            crate::Error::BadRecord { message, .. } => {
                ApiError::unprocessable("bad_document", message)
            }
            other => ApiError::from_essaymap(&other),
        })?;
    Ok(Json(ExtractResponse { text }))
}

/// Liveness.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// Always "ok" while serving.
    status: &'static str,
    /// Whether API calls need a bearer token.
    token_required: bool,
}

/// Whether the server is up (no token needed).
#[utoipa::path(get, path = "/v1/health", security(()), responses((status = 200, body = Health)))]
async fn health(State(s): State<Shared_>) -> Json<Health> {
    Json(Health {
        status: "ok",
        token_required: s.config.token.is_some(),
    })
}

/// Version and model provenance.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Version {
    /// essaymap's version.
    version: &'static str,
    /// The role model: its provenance as stored with it.
    #[schema(value_type = Object)]
    model: serde_json::Value,
    /// The rubric scores are suggested with (default or the server's).
    rubric: String,
    /// Analysis threads.
    threads: usize,
    /// Limits of this server, in bytes and requests.
    limits: HashMap<&'static str, u64>,
}

/// Version, model provenance and limits.
#[utoipa::path(get, path = "/v1/version", responses((status = 200, body = Version)))]
async fn version(State(s): State<Shared_>) -> Json<Version> {
    let c = &s.config;
    Json(Version {
        version: env!("CARGO_PKG_VERSION"),
        model: {
            let p = &s.analyzer.roles().model().provenance;
            serde_json::from_str(p).unwrap_or_else(|_| serde_json::Value::String(p.clone()))
        },
        rubric: s.analyzer.rubric().name.clone(),
        threads: s.pool.current_num_threads(),
        limits: HashMap::from([
            ("max_body", c.max_body as u64),
            ("max_batch", c.max_batch as u64),
            ("queue", c.queue as u64),
            ("batch_jobs", c.batch_jobs as u64),
            ("timeout_s", c.timeout.as_secs()),
        ]),
    })
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
async fn metrics(State(s): State<Shared_>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        s.metrics.render(),
    )
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        ApiDoc::openapi().to_pretty_json().unwrap_or_default(),
    )
}
