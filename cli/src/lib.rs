//! The library half of the `jifen` command: ledger files on disk (locks,
//! crash-safe appends, streaming verification on every core), errors with
//! their exit codes, and text tables. The binary (`main.rs`) parses
//! arguments and prints; benchmarks and tests use these modules directly.

pub mod error;
pub mod logdir;
pub mod output;
pub mod store;
pub mod table;
