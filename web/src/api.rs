//! The one module that talks to the core and to IndexedDB. Screens call
//! these functions and never reach into the ledger's internals or the
//! store; every entry is checked by `ledger-core` before it is stored.

use std::sync::Arc;

use ledger_core::Ledger;

use crate::store::{Store, StoreError};

/// The name of the app's IndexedDB database.
pub const DATABASE: &str = "jifen";

/// Why the app cannot show a ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The browser's storage failed.
    Store(StoreError),
    /// The stored ledger does not verify: the first bad entry.
    Invalid(ledger_core::VerifyError),
}

impl LoadError {
    /// The message in `lang`.
    pub fn message(&self, lang: ledger_core::Lang) -> String {
        match self {
            LoadError::Store(error) => error.message(lang),
            LoadError::Invalid(error) => error.message(lang),
        }
    }
}

fn verify_lines(lines: &[String]) -> Result<Ledger, LoadError> {
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    ledger_core::verify::verify_jsonl(text.as_bytes()).map_err(LoadError::Invalid)
}

/// Opens the stored ledger and verifies it; `None` when there is none yet.
pub async fn load() -> Result<Option<Arc<Ledger>>, LoadError> {
    let store = Store::open(DATABASE).await.map_err(LoadError::Store)?;
    let lines = store.load().await.map_err(LoadError::Store)?;
    store.close();
    if lines.is_empty() {
        return Ok(None);
    }
    verify_lines(&lines).map(|ledger| Some(Arc::new(ledger)))
}

/// Generates the demo community, stores it, and returns it verified.
pub async fn load_demo() -> Result<Arc<Ledger>, LoadError> {
    let config = ledger_core::demo::DemoConfig {
        residents: 200,
        entries: 5_000,
        seed: 1,
        ..Default::default()
    };
    let demo = ledger_core::demo::generate(&config);
    let lines: Vec<String> = demo.ledger.to_jsonl().lines().map(str::to_owned).collect();
    let store = Store::open(DATABASE).await.map_err(LoadError::Store)?;
    store
        .replace_all(lines.clone())
        .await
        .map_err(LoadError::Store)?;
    store.close();
    verify_lines(&lines).map(Arc::new)
}
