//! A small HTTP/1.1 client of the service (keep-alive), for the fault
//! tests, the bench and a witness's tools.

use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::StatusCode;
use hyper_util::client::legacy::Client as Http;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A client of one service.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: Http<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

/// An answer: its status, `Retry-After` if any, and its body.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// Headers that tests look at: content type, cache control.
    pub content_type: String,
    /// See `content_type`.
    pub cache_control: String,
    /// The body, decoded.
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON, or null.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

impl Client {
    /// A client of `base` (`http://127.0.0.1:8080`), each request bounded
    /// by `timeout`.
    pub fn new(base: &str, timeout: Duration) -> Client {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(timeout));
        Client {
            base: base.trim_end_matches('/').to_owned(),
            http: Http::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }

    async fn send(&self, request: hyper::Request<Full<Bytes>>) -> Result<Reply, String> {
        let exchange = async {
            let response = self
                .http
                .request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned()
            };
            let content_type = header(hyper::header::CONTENT_TYPE);
            let cache_control = header(hyper::header::CACHE_CONTROL);
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes()
                .to_vec();
            Ok(Reply {
                status,
                content_type,
                cache_control,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| "no answer in time".to_owned())?
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Result<Reply, String> {
        let request = hyper::Request::get(format!("{}{path}", self.base))
            .body(Full::new(Bytes::new()))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }

    /// `POST path` with a body.
    pub async fn post(&self, path: &str, body: Vec<u8>) -> Result<Reply, String> {
        let request = hyper::Request::post(format!("{}{path}", self.base))
            .header(hyper::header::CONTENT_TYPE, "application/x-ndjson")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }

    /// Submits entries to a log: one request, entries one per line.
    pub async fn submit(&self, log: &str, entries: &[Vec<u8>]) -> Result<Reply, String> {
        self.post(&format!("/logs/{log}/add"), entries.join(&b'\n'))
            .await
    }
}
