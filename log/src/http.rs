//! The HTTP face of the service: device submissions, the C2SP tlog-tiles
//! read API with the cache headers it asks for, receipts, and the web
//! app; and, for a witness, the tlog-witness `add-checkpoint` endpoint.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ledger_core::Lang;
use ledger_core::tlog::{TILE_WIDTH, TileRef, entry_bundle};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::community::{Community, Refusal};
use crate::witness::Witness;

/// The most entries one request may carry (a device's offline queue is
/// sent in requests of this many).
pub const MAX_ENTRIES_PER_REQUEST: usize = 1000;
/// The largest request body.
pub const MAX_BODY_BYTES: usize = 2 << 20;
/// The longest a receipt request may wait for a checkpoint.
const MAX_RECEIPT_WAIT: Duration = Duration::from_secs(10);

/// What the handlers share: the logs by name, and the web app's files.
#[derive(Debug)]
pub struct Logs {
    /// The communities, by name.
    pub communities: HashMap<String, Arc<Community>>,
    /// The witness policy (C2SP tlog-policy) the service follows, served
    /// at `/policy` for the notice board and phones.
    pub policy: Option<Vec<u8>>,
    /// Full `entries` ranges, gzipped once: every phone's first visit asks
    /// for the same ones, and they never change.
    pub bulk: BulkCache,
}

type Shared = Arc<Logs>;

/// Gzipped bodies of full `entries` ranges, by log and first leaf, up to
/// [`BULK_CACHE_BYTES`] in all (then the oldest go).
#[derive(Debug, Default)]
pub struct BulkCache(std::sync::Mutex<Vec<((String, u64), Bytes)>>);

/// What the bulk cache holds at most.
const BULK_CACHE_BYTES: usize = 256 << 20;

impl BulkCache {
    fn get(&self, name: &str, start: u64) -> Option<Bytes> {
        let cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .iter()
            .find(|((n, s), _)| n == name && *s == start)
            .map(|(_, body)| body.clone())
    }

    fn put(&self, name: &str, start: u64, body: Bytes) {
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cache.push(((name.to_owned(), start), body));
        while cache.iter().map(|(_, b)| b.len()).sum::<usize>() > BULK_CACHE_BYTES
            && cache.len() > 1
        {
            cache.remove(0);
        }
    }
}

/// The language a request asks for: `?lang=en` or an `Accept-Language`
/// that prefers English; Chinese otherwise.
fn lang(headers: &HeaderMap, query: &HashMap<String, String>) -> Lang {
    if let Some(lang) = query.get("lang") {
        return if lang.starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        };
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().starts_with("en") {
        Lang::En
    } else {
        Lang::Zh
    }
}

fn text(status: StatusCode, cache: &'static str, body: impl Into<axum::body::Body>) -> Response {
    let mut response = (status, body.into()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// A JSON answer with its cache rule.
fn json_answer(status: StatusCode, cache: &'static str, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn problem(status: StatusCode, kind: &str, message: String) -> Response {
    json_answer(
        status,
        "no-store",
        json!({"error": kind, "message": message}),
    )
}

fn no_such_log(lang: Lang, name: &str) -> Response {
    let message = match lang {
        Lang::Zh => format!("没有名为 {name} 的社区日志"),
        Lang::En => format!("no community log named {name}"),
    };
    problem(StatusCode::NOT_FOUND, "no_such_log", message)
}

/// The router of a log service.
pub fn router(logs: Shared, web: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/logs", get(list))
        .route("/logs/{name}/checkpoint", get(checkpoint))
        .route("/logs/{name}/vkey", get(vkey))
        .route("/logs/{name}/tile/{*path}", get(tile))
        .route("/logs/{name}/entries", get(entries))
        .route("/logs/{name}/add", post(add))
        .route("/logs/{name}/receipt/{index}", get(receipt))
        .route("/logs/{name}/device/{actor}", get(device))
        .route("/policy", get(policy))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(logs);
    let app = match web {
        // The app's files change with each build: revalidated on every use.
        Some(dir) => api.fallback_service(
            tower::ServiceBuilder::new()
                .layer(
                    tower_http::set_header::SetResponseHeaderLayer::if_not_present(
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("no-cache"),
                    ),
                )
                .service(tower_http::services::ServeDir::new(dir).precompressed_gzip()),
        ),
        None => api,
    };
    layered(app)
}

/// The limits every service of ours puts around its routes: body size,
/// time, concurrency, compression, CORS (the web app may be served from
/// elsewhere), and a panic turned into a 500 rather than a lost task.
fn layered(app: Router) -> Router {
    use tower_http::compression::CompressionLayer;
    use tower_http::cors::CorsLayer;
    use tower_http::limit::RequestBodyLimitLayer;
    use tower_http::timeout::TimeoutLayer;
    app.layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(tower::limit::GlobalConcurrencyLimitLayer::new(512))
        .layer(CompressionLayer::new().gzip(true))
        .layer(CorsLayer::permissive())
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

fn community<'a>(logs: &'a Logs, name: &str) -> Option<&'a Arc<Community>> {
    logs.communities.get(name)
}

async fn list(State(logs): State<Shared>) -> Response {
    let mut names: Vec<&String> = logs.communities.keys().collect();
    names.sort();
    let rows: Vec<Value> = names
        .into_iter()
        .filter_map(|name| {
            let community = logs.communities.get(name)?;
            let (origin, vkey, ledger, title) = community.read(|log| {
                (
                    log.named().map(|n| n.origin.clone()),
                    log.verifier().map(|v| v.vkey()),
                    log.ledger().id().to_string(),
                    log.ledger().name().as_str().to_owned(),
                )
            });
            let published = community.published();
            Some(json!({
                "name": name,
                "origin": origin,
                "vkey": vkey,
                "ledger": ledger,
                "title": title,
                "size": community.durable(),
                "checkpoint_size": published.as_ref().map(|p| p.size),
                "cosigned": published.as_ref().map(|p| p.cosigned),
                "witnessed": published.as_ref().map(|p| p.witnessed),
            }))
        })
        .collect();
    json_answer(StatusCode::OK, "no-cache", Value::Array(rows))
}

async fn policy(State(logs): State<Shared>) -> Response {
    match &logs.policy {
        Some(policy) => text(StatusCode::OK, "max-age=60", policy.clone()),
        None => problem(
            StatusCode::NOT_FOUND,
            "no_policy",
            "this service follows no witness policy".to_owned(),
        ),
    }
}

async fn checkpoint(
    State(logs): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let lang = lang(&headers, &query);
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang, &name);
    };
    match community.published() {
        // The checkpoint changes: no cache beyond a couple of seconds.
        Some(published) => text(StatusCode::OK, "max-age=2", published.note.clone()),
        None => {
            let message = match lang {
                Lang::Zh => "日志还没有发布检查点".to_owned(),
                Lang::En => "the log has published no checkpoint yet".to_owned(),
            };
            problem(StatusCode::SERVICE_UNAVAILABLE, "no_checkpoint", message)
        }
    }
}

async fn vkey(
    State(logs): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang(&headers, &HashMap::new()), &name);
    };
    match community.read(|log| log.verifier().map(|v| v.vkey())) {
        Some(vkey) => text(StatusCode::OK, "max-age=60", format!("{vkey}\n")),
        None => problem(
            StatusCode::NOT_FOUND,
            "no_key",
            "the log is not named yet".to_owned(),
        ),
    }
}

/// A hash tile or an entry bundle, only if a published checkpoint needs
/// it: tiles are immutable, so they are cached for a year.
async fn tile(
    State(logs): State<Shared>,
    Path((name, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = lang(&headers, &HashMap::new());
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang, &name);
    };
    let not_found = || {
        let message = match lang {
            Lang::Zh => "没有这个瓦片".to_owned(),
            Lang::En => "no such tile".to_owned(),
        };
        problem(StatusCode::NOT_FOUND, "no_such_tile", message)
    };
    let Some((tile, entries)) = TileRef::parse_path(&format!("tile/{path}")) else {
        return not_found();
    };
    let published = community.published().map_or(0, |p| p.size);
    let shift = 8 * u32::from(tile.level);
    let end = tile
        .index
        .checked_mul(TILE_WIDTH)
        .and_then(|start| start.checked_add(u64::from(tile.width)))
        .and_then(|end| end.checked_mul(1u64.checked_shl(shift)?));
    if end.is_none_or(|end| end > published) {
        return not_found();
    }
    let bytes = community.read(|log| {
        if entries {
            let leaves: Option<Vec<Vec<u8>>> = tile.leaves().map(|i| log.leaf(i)).collect();
            entry_bundle(leaves?.iter().map(Vec::as_slice))
        } else {
            log.tree().tile(&tile)
        }
    });
    match bytes {
        Some(bytes) => immutable(Bytes::from(bytes), false),
        None => not_found(),
    }
}

/// Leaves at most per `entries` request: a few MB, so that a phone's first
/// visit takes a 100,000-leaf log in a handful of requests side by side.
pub const MOST_ENTRIES: u64 = 16 * 1024;

/// Leaves read under one lock of the log, so the sequencer never waits
/// for a long read.
const ENTRIES_PER_LOCK: u64 = 1024;

/// `entries?start=A&end=B`: leaves `A..B` of a published checkpoint in one
/// answer, laid out as an entry bundle (each leaf after its length as a
/// big-endian u16), for a first visit; a C2SP client reads the same
/// leaves from the bundles. Immutable, as the bundles are.
async fn entries(
    State(logs): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let lang = lang(&headers, &query);
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang, &name);
    };
    let published = community.published().map_or(0, |p| p.size);
    let number = |key: &str| query.get(key).and_then(|v| v.parse::<u64>().ok());
    let (Some(start), Some(end)) = (number("start"), number("end")) else {
        let message = match lang {
            Lang::Zh => "需要 start 和 end 两个整数参数".to_owned(),
            Lang::En => "start and end must be whole numbers".to_owned(),
        };
        return problem(StatusCode::BAD_REQUEST, "bad_range", message);
    };
    if start >= end || end > published || end - start > MOST_ENTRIES {
        let message = match lang {
            Lang::Zh => format!(
                "范围 {start}..{end} 不可用：已发布 {published} 条，每次最多 {MOST_ENTRIES} 条"
            ),
            Lang::En => format!(
                "range {start}..{end} is not available: {published} leaves published, at most {MOST_ENTRIES} at once"
            ),
        };
        return problem(StatusCode::NOT_FOUND, "bad_range", message);
    }
    // A full range, asked by a client that takes gzip: gzipped once.
    let full = start.is_multiple_of(MOST_ENTRIES) && end - start == MOST_ENTRIES;
    let gzip = full
        && headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("gzip"));
    if gzip && let Some(body) = logs.bulk.get(&name, start) {
        return immutable(body, true);
    }
    let mut body = Vec::new();
    let mut at = start;
    while at < end {
        let to = end.min(at + ENTRIES_PER_LOCK);
        let ok = community.read(|log| {
            (at..to).all(|i| match log.leaf(i) {
                Some(leaf) if u16::try_from(leaf.len()).is_ok() => {
                    body.extend_from_slice(&(leaf.len() as u16).to_be_bytes());
                    body.extend_from_slice(&leaf);
                    true
                }
                _ => false,
            })
        });
        if !ok {
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "unreadable",
                "a leaf could not be written".to_owned(),
            );
        }
        at = to;
    }
    if gzip {
        let body = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            encoder.write_all(&body).and_then(|()| encoder.finish())
        })
        .await;
        if let Ok(Ok(body)) = body {
            let body = Bytes::from(body);
            logs.bulk.put(&name, start, body.clone());
            return immutable(body, true);
        }
        return problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "unreadable",
            "the leaves could not be compressed".to_owned(),
        );
    }
    immutable(Bytes::from(body), false)
}

/// Bytes that never change (a tile, a bundle, leaves of a published
/// checkpoint), cached for a year; `gzipped` when the body is encoded
/// already (the compression layer leaves such a body as it is).
fn immutable(body: Bytes, gzipped: bool) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if gzipped {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}

/// Device entries, one per line: each answered with its index once
/// durable, or why not. The same entry sent again gets the same index.
async fn add(
    State(logs): State<Shared>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let lang = lang(&headers, &query);
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang, &name);
    };
    let entries = crate::community::split_entries(&body);
    if entries.is_empty() || entries.len() > MAX_ENTRIES_PER_REQUEST {
        let message = match lang {
            Lang::Zh => format!("每次提交 1 到 {MAX_ENTRIES_PER_REQUEST} 条，每行一条"),
            Lang::En => format!("send 1 to {MAX_ENTRIES_PER_REQUEST} entries, one per line"),
        };
        return problem(StatusCode::BAD_REQUEST, "batch_size", message);
    }
    let mut per_actor: HashMap<ledger_core::ActorId, usize> = HashMap::new();
    for entry in &entries {
        if let Some(actor) = crate::community::actor_of(entry) {
            *per_actor.entry(actor).or_default() += 1;
        }
    }
    if !per_actor
        .iter()
        .all(|(actor, &n)| community.allow(actor, n))
    {
        let mut response = problem(
            StatusCode::TOO_MANY_REQUESTS,
            Refusal::TooFast.kind(),
            Refusal::TooFast.message(lang),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return response;
    }
    let answers = community.submit(entries).await;
    let mut status = StatusCode::OK;
    let results: Vec<Value> = answers
        .iter()
        .map(|answer| match answer {
            Ok(done) => json!({"index": done.index, "new": done.new}),
            Err(refusal) => {
                status = match (status, refusal) {
                    (_, Refusal::Storage(_)) => StatusCode::SERVICE_UNAVAILABLE,
                    (StatusCode::OK, _) => StatusCode::UNPROCESSABLE_ENTITY,
                    (status, _) => status,
                };
                json!({"error": refusal.kind(), "message": refusal.message(lang), "retry": refusal.retry()})
            }
        })
        .collect();
    json_answer(
        status,
        "no-store",
        json!({"results": results, "size": community.durable()}),
    )
}

/// A C2SP tlog-proof for a leaf under the published checkpoint; with
/// `?wait_ms=N` (up to 10 s), waits for a checkpoint to cover it.
async fn receipt(
    State(logs): State<Shared>,
    Path((name, index)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let lang = lang(&headers, &query);
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang, &name);
    };
    let Ok(index) = index.parse::<u64>() else {
        return problem(
            StatusCode::BAD_REQUEST,
            "index",
            "the index is a number".to_owned(),
        );
    };
    let wait = query
        .get("wait_ms")
        .and_then(|w| w.parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_millis)
        .min(MAX_RECEIPT_WAIT);
    match community.receipt(index, wait).await {
        Some(proof) => text(StatusCode::OK, "no-cache", proof.to_text()),
        None => {
            let message = match lang {
                Lang::Zh => format!("第 {index} 条还没有被已发布的检查点覆盖"),
                Lang::En => format!("no published checkpoint covers entry {index} yet"),
            };
            problem(StatusCode::NOT_FOUND, "not_yet", message)
        }
    }
}

/// Where a device's chain stands: the counter and previous hash its next
/// entry must carry (a device that lost its state learns them here).
async fn device(
    State(logs): State<Shared>,
    Path((name, actor)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let lang = lang(&headers, &HashMap::new());
    let Some(community) = community(&logs, &name) else {
        return no_such_log(lang, &name);
    };
    let Ok(actor) = actor.parse::<ledger_core::ActorId>() else {
        return problem(
            StatusCode::BAD_REQUEST,
            "actor",
            "not an actor id".to_owned(),
        );
    };
    let (dev_seq, dev_prev, known) = community.read(|log| {
        let (seq, prev) = log.device_next(&actor);
        (
            seq,
            prev,
            log.ledger().state().actor(actor.as_str()).is_some(),
        )
    });
    json_answer(
        StatusCode::OK,
        "no-store",
        json!({
            "actor": actor.as_str(),
            "registered": known,
            "dev_seq": dev_seq,
            "dev_prev": dev_prev.to_string(),
        }),
    )
}

/// The router of a witness: C2SP tlog-witness `add-checkpoint`.
pub fn witness_router(witness: Arc<Witness>) -> Router {
    let app = Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(witness);
    layered(app)
}

async fn add_checkpoint(
    State(witness): State<Arc<Witness>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = lang(&headers, &HashMap::new());
    let now = crate::community::now_ms() / 1000;
    let witness = witness.clone();
    let answer = tokio::task::spawn_blocking(move || witness.add_checkpoint(&body, now)).await;
    match answer {
        Ok(Ok(line)) => text(StatusCode::OK, "no-store", line),
        Ok(Err(crate::witness::WitnessError::Conflict { size })) => {
            let mut response = text(StatusCode::CONFLICT, "no-store", format!("{size}\n"));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/x.tlog.size"),
            );
            response
        }
        Ok(Err(error)) => {
            let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
            text(status, "no-store", format!("{}\n", error.message(lang)))
        }
        Err(_) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "no-store",
            "internal error\n",
        ),
    }
}

/// A listener that holds at most `max` connections open at once; the
/// next waits for one to close.
pub struct Limited {
    inner: TcpListener,
    permits: Arc<Semaphore>,
}

impl Limited {
    /// At most `max` connections of `inner`.
    pub fn new(inner: TcpListener, max: usize) -> Limited {
        Limited {
            inner,
            permits: Arc::new(Semaphore::new(max)),
        }
    }
}

/// A connection and its place under the limit.
pub struct Counted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl tokio::io::AsyncRead for Counted {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for Counted {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl axum::serve::Listener for Limited {
    type Io = Counted;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Counted, std::net::SocketAddr) {
        loop {
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                // The semaphore is never closed; wait rather than spin.
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            match self.inner.accept().await {
                Ok((stream, address)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        Counted {
                            stream,
                            _permit: permit,
                        },
                        address,
                    );
                }
                // Out of descriptors or a reset: wait a little, as axum does.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

pub use axum::Router;

/// Serves `app` on `listener` until `stop` completes, then lets the open
/// requests finish.
pub async fn serve(
    listener: Limited,
    app: Router,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await
}
