//! The service over real HTTP on 127.0.0.1, on real files and a real
//! PostgreSQL: what a device, a phone and a witness see.

mod common;
mod files;
mod follow;
mod pg;
mod witness;
