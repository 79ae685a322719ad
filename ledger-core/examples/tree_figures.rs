//! Figures of the log's tree for `cargo xtask bench`: the root of every
//! line of a file as a leaf, inclusion and consistency proofs made and
//! checked, and the size of the hash tiles. Prints `name value` lines.

use std::time::Instant;

use ledger_core::tlog::{Tree, leaf_hash, tiles_between, verify_consistency, verify_inclusion};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: tree_figures FILE");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("{path}: {error}");
            std::process::exit(2);
        }
    };
    let lines: Vec<&[u8]> = bytes
        .strip_suffix(b"\n")
        .unwrap_or(&bytes)
        .split(|&b| b == b'\n')
        .collect();
    let start = Instant::now();
    let mut tree = Tree::new();
    for line in &lines {
        tree.push(line);
    }
    let root = tree.root();
    println!("leaves {}", lines.len());
    println!("root_seconds {:.4}", start.elapsed().as_secs_f64());
    let size = tree.len();
    // Indexes spread over the tree by a fixed stride, the same every run.
    let indexes: Vec<u64> = (0..10_000u64).map(|i| i * 7_919 % size).collect();
    let start = Instant::now();
    let proofs: Vec<_> = indexes
        .iter()
        .map(|&i| tree.inclusion_proof(i, size).unwrap_or_default())
        .collect();
    println!(
        "inclusion_make_us {:.2}",
        start.elapsed().as_secs_f64() * 1e6 / 10_000.0
    );
    let start = Instant::now();
    let held = indexes
        .iter()
        .zip(&proofs)
        .filter(|&(&i, proof)| {
            let leaf = leaf_hash(lines[i as usize]);
            verify_inclusion(i, size, &leaf, proof, &root).is_ok()
        })
        .count();
    println!(
        "inclusion_check_us {:.2}",
        start.elapsed().as_secs_f64() * 1e6 / 10_000.0
    );
    let olds: Vec<u64> = (1..=1_000u64).map(|i| i * 997 % size + 1).collect();
    let start = Instant::now();
    let consistent = olds
        .iter()
        .filter(|&&old| {
            let proof = tree.consistency_proof(old, size).unwrap_or_default();
            let old_root = tree.root_at(old).unwrap_or_default();
            verify_consistency(old, size, &old_root, &root, &proof).is_ok()
        })
        .count();
    println!(
        "consistency_make_and_check_us {:.2}",
        start.elapsed().as_secs_f64() * 1e6 / 1_000.0
    );
    let tile_bytes: u64 = tiles_between(0, size)
        .iter()
        .map(|t| u64::from(t.width) * 32)
        .sum();
    println!("tile_bytes {tile_bytes}");
    println!("all_held {}", held == 10_000 && consistent == 1_000);
}
