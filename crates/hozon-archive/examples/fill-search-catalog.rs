//! Fills an archive's catalog with N synthetic rows carrying record
//! metadata (no record directories), then times the search queries
//! themselves, for the search benchmark (bench/search.sh):
//!
//!     cargo run --release -p hozon-archive --example fill-search-catalog -- DIR 1000000
//!
//! Prints one line per query: `query <name> <matches> <best ms of 20>`,
//! and `patient <ID> <from> <to>` for the CLI part of the benchmark.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Instant;

use hozon_archive::catalog::Catalog;
use hozon_archive::search::{find, synthetic, Query};
use hozon_archive::{Config, Layout};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: fill-search-catalog DIR N"));
    let n: u64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let layout = Layout::new(&dir);
    if !layout.config().exists() {
        hozon_archive::session::init(&dir, &Config::default()).expect("init");
    }
    let mut catalog = Catalog::open(&layout.catalog()).expect("catalog");
    let t = Instant::now();
    synthetic::fill(&mut catalog, n).expect("fill");
    eprintln!(
        "{n} rows in {} ({:.1} s)",
        layout.catalog().display(),
        t.elapsed().as_secs_f64()
    );
    let patient = synthetic::record(12_345, n)
        .metadata
        .unwrap()
        .patient_id
        .unwrap();
    let queries = [
        (
            "patient",
            Query {
                patient: Some(patient.clone()),
                ..Query::default()
            },
        ),
        (
            "patient+dates",
            Query {
                patient: Some(patient.clone()),
                from: Some("2021-01-01".into()),
                to: Some("2024-12-31".into()),
                ..Query::default()
            },
        ),
        (
            "type+dates(limit 1000)",
            Query {
                document_type: Some("referral".into()),
                from: Some("2023-04-01".into()),
                to: Some("2023-06-30".into()),
                ..Query::default()
            },
        ),
        (
            "signer(limit 1000)",
            Query {
                signer: Some("Sato Taro".into()),
                ..Query::default()
            },
        ),
    ];
    for (name, q) in queries {
        let mut best = f64::MAX;
        let mut count = 0;
        for _ in 0..20 {
            let t = Instant::now();
            count = find(&catalog, &q).unwrap().records.len();
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!("query {name} {count} {best:.2}");
    }
    println!("patient {patient} 2021-01-01 2024-12-31");
}
