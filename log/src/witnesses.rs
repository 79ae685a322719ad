//! The log's side of C2SP tlog-witness: each new checkpoint goes to every
//! witness with a consistency proof from the size that witness last
//! cosigned; a 409 tells that size, and the request is made again from
//! it. A witness that is down or refuses costs its cosignature on this
//! checkpoint, never the checkpoint.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use ledger_core::tlog::{AddCheckpoint, Checkpoint, Hash, Note, NoteVerifier, Policy};

/// One witness: where to send checkpoints, and its key.
#[derive(Debug, Clone)]
pub struct WitnessTarget {
    /// Its submission prefix (`http://host:port/prefix`).
    pub url: String,
    /// Its cosignature key.
    pub verifier: NoteVerifier,
}

/// The witnesses of one log, and what each last cosigned.
#[derive(Clone)]
pub struct Witnesses {
    targets: Arc<Vec<WitnessTarget>>,
    policy: Option<Arc<Policy>>,
    sizes: Arc<Mutex<Vec<u64>>>,
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl std::fmt::Debug for Witnesses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witnesses")
            .field("targets", &self.targets)
            .finish()
    }
}

/// What one witness answered.
enum Reply {
    Cosigned(String),
    Conflict(u64),
    Refused(u16, String),
}

impl Witnesses {
    /// These witnesses, each asked for at most `timeout`.
    pub fn new(targets: Vec<WitnessTarget>, timeout: Duration) -> Witnesses {
        let count = targets.len();
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        connector.set_nodelay(true);
        Witnesses {
            targets: Arc::new(targets),
            policy: None,
            sizes: Arc::new(Mutex::new(vec![0; count])),
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }

    /// The witnesses of a C2SP tlog-policy that have a URL, its quorum
    /// deciding when a checkpoint is witnessed.
    pub fn from_policy(policy: Policy, timeout: Duration) -> Witnesses {
        let targets = policy
            .witnesses()
            .iter()
            .filter_map(|w| {
                Some(WitnessTarget {
                    url: w.url.clone()?,
                    verifier: w.verifier.clone(),
                })
            })
            .collect();
        Witnesses {
            policy: Some(Arc::new(policy)),
            ..Witnesses::new(targets, timeout)
        }
    }

    /// Whether a note's cosignatures make the policy's quorum (without a
    /// policy: whether every witness cosigned).
    pub fn witnessed(&self, note: &[u8]) -> bool {
        match &self.policy {
            Some(policy) => policy.check(note).is_ok_and(|seen| seen.quorum),
            None => self.count_cosigned(note) == self.targets.len(),
        }
    }

    /// How many witnesses.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// How many of these witnesses validly cosigned a note.
    pub fn count_cosigned(&self, note: &[u8]) -> usize {
        let Ok(note) = Note::parse(note) else {
            return 0;
        };
        self.targets
            .iter()
            .filter(|t| note.verify(&[&t.verifier]).is_ok())
            .count()
    }

    /// The checkpoint's note with every cosignature the witnesses gave;
    /// `proof(old, new)` is the log's consistency proof between two sizes.
    pub async fn cosign(
        &self,
        proof: &(dyn Fn(u64, u64) -> Option<Vec<Hash>> + Sync),
        checkpoint: &Checkpoint,
        mut note: Note,
    ) -> Note {
        let asks = (0..self.targets.len()).map(|i| self.ask(proof, checkpoint, &note, i));
        let lines = futures_util::future::join_all(asks).await;
        for (line, target) in lines.into_iter().zip(self.targets.iter()) {
            let Some(line) = line else { continue };
            // The witness's lines checked as the specification says: the
            // response appended to the checkpoint, verified with its key.
            let joined = format!("{}{line}", note.to_text());
            let Ok(answered) = Note::parse(joined.as_bytes()) else {
                continue;
            };
            if answered.verify(&[&target.verifier]).is_err() {
                continue;
            }
            for signature in answered.signatures() {
                if signature.name == target.verifier.name()
                    && signature.id == target.verifier.id()
                    && !note.signatures().contains(signature)
                {
                    note.push(signature.clone());
                }
            }
        }
        note
    }

    async fn ask(
        &self,
        proof: &(dyn Fn(u64, u64) -> Option<Vec<Hash>> + Sync),
        checkpoint: &Checkpoint,
        note: &Note,
        at: usize,
    ) -> Option<String> {
        let target = &self.targets[at];
        let mut old = self.sizes.lock().map(|s| s[at]).unwrap_or(0);
        for _ in 0..2 {
            if old > checkpoint.size {
                tracing::error!(witness = %target.url, old, size = checkpoint.size, "the witness cosigned a larger tree than this log has");
                return None;
            }
            let proof = proof(old, checkpoint.size).unwrap_or_default();
            let body = AddCheckpoint {
                old,
                proof,
                checkpoint: note.to_text().into_bytes(),
            }
            .to_text();
            match self.post(&target.url, body).await {
                Ok(Reply::Cosigned(lines)) => {
                    if let Ok(mut sizes) = self.sizes.lock() {
                        sizes[at] = checkpoint.size;
                    }
                    return Some(lines);
                }
                Ok(Reply::Conflict(size)) => {
                    if let Ok(mut sizes) = self.sizes.lock() {
                        sizes[at] = size;
                    }
                    old = size;
                }
                Ok(Reply::Refused(status, why)) => {
                    tracing::warn!(witness = %target.url, status, %why, "the witness refused the checkpoint");
                    return None;
                }
                Err(why) => {
                    tracing::warn!(witness = %target.url, %why, "the witness cannot be reached");
                    return None;
                }
            }
        }
        None
    }

    async fn post(&self, url: &str, body: Vec<u8>) -> Result<Reply, String> {
        let uri = format!("{}/add-checkpoint", url.trim_end_matches('/'));
        let request = hyper::Request::post(uri)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            let text = String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned();
            Ok::<_, String>(match status {
                200 => Reply::Cosigned(text),
                409 => match text.trim_end_matches('\n').parse() {
                    Ok(size) => Reply::Conflict(size),
                    Err(_) => Reply::Refused(409, text),
                },
                _ => Reply::Refused(status, text),
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| "no answer in time".to_owned())?
    }
}
