//! Fills an archive's catalog with N synthetic rows (no record
//! directories), for the `archive status` benchmark (bench/archive.sh):
//!
//!     cargo run --release -p hozon-archive --example fill-catalog -- DIR 1000000
//!
//! Rows are spread over kinds, levels and states as a hospital archive
//! would be, with renewal deadlines over five years and a few records
//! without evidence or failing their last verification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use hozon_archive::catalog::Catalog;
use hozon_archive::{Config, Layout};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: fill-catalog DIR N"));
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let layout = Layout::new(&dir);
    if !layout.config().exists() {
        hozon_archive::session::init(&dir, &Config::default()).expect("init");
    }
    let catalog = Catalog::open(&layout.catalog()).expect("catalog");
    let conn = catalog.connection();
    conn.execute_batch("BEGIN").unwrap();
    {
        let mut stmt = conn
            .prepare(
                "INSERT INTO records (id, source, sha256, kind, level, state, dir, ingested,
                     evidence, renew_by, verify_state, audit_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .unwrap();
        for i in 0..n {
            let id = format!(
                "{:032x}",
                u128::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
            );
            let (kind, level) = match i % 10 {
                0..=5 => ("document", "B-B"),
                6 | 7 => ("scan", "B-B"),
                8 => ("signed", "B-LT"),
                _ => ("signed", "B-B"),
            };
            let state = if i % 1000 == 7 {
                "accepted-failed"
            } else {
                "archived"
            };
            let month = 1 + (i % 60);
            let renew_by = format!(
                "{}-{:02}-15T00:00:00Z",
                2027 + (month - 1) / 12,
                1 + (month - 1) % 12
            );
            let evidence = i64::from(i % 5000 != 3);
            let verify = match i % 3000 {
                0 => Some("failed"),
                1..=1999 => Some("passed"),
                _ => None,
            };
            stmt.execute(rusqlite::params![
                id,
                format!("/records/in/{:04}/{i}.pdf", i / 1000),
                format!("{:064x}", i),
                kind,
                level,
                state,
                format!("2026/{:02}/{id}", 1 + i % 12),
                "2026-11-26T00:00:00Z",
                evidence,
                (evidence == 1).then_some(renew_by),
                verify,
                i64::try_from(i).unwrap(),
            ])
            .unwrap();
        }
    }
    conn.execute_batch("COMMIT; ANALYZE;").unwrap();
    println!("{n} rows in {}", layout.catalog().display());
}
