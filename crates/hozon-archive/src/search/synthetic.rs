//! Synthetic catalog rows with metadata, for the search benchmark
//! (`bench/search.sh`, the `fill-search-catalog` example) and the tests
//! that check search answers against a brute-force filter over the same
//! rows. Deterministic: row `i` is always the same record.

use time::{Date, Duration, Month};

use crate::catalog::Catalog;
use crate::record_metadata::Metadata;
use hozon_verify::Level;

use crate::record::{FileEntry, Kind, RecordFormat, RecordMeta, Role, State};
use crate::Result;

/// Distinct patients among `n` rows: one per 20 rows.
pub fn patients(n: u64) -> u64 {
    (n / 20).max(1)
}

/// The document types rows cycle through.
pub const TYPES: [&str; 8] = [
    "discharge-summary",
    "referral",
    "lab-report",
    "radiology-report",
    "operation-record",
    "consent",
    "prescription",
    "nursing-record",
];

const SIGNERS: [&str; 5] = [
    "CN=Yamada Hanako,O=Example Hospital,C=JP",
    "CN=Sato Taro,O=Example Hospital,C=JP",
    "CN=Suzuki Ichiro,O=Example Hospital,C=JP",
    "CN=Tanaka Yuki,O=Example Clinic,C=JP",
    "CN=Kobayashi Ken,O=Example Clinic,C=JP",
];

/// Row `i` of a catalog of `n` rows.
pub fn record(i: u64, n: u64) -> RecordMeta {
    let id = format!(
        "{:032x}",
        u128::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835)
    );
    let start = Date::from_calendar_date(2020, Month::January, 1).unwrap_or(Date::MIN);
    // Spread over about seven years, independently of the patient.
    let day = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 2500;
    let date = start + Duration::days(i64::try_from(day).unwrap_or(0));
    let (kind, level) = match i % 10 {
        0..=5 => (Kind::Document, Level::BB),
        6 | 7 => (Kind::Scan, Level::BB),
        _ => (Kind::Signed, Level::BLt),
    };
    let state = if i % 1000 == 7 {
        State::AcceptedFailed
    } else {
        State::Archived
    };
    let sha = format!("{i:064x}");
    let metadata = Metadata {
        patient_id: Some(format!("P{:07}", (i * 31) % patients(n))),
        document_type: Some(TYPES[(i % 8) as usize].to_string()),
        department: Some(["内科", "外科", "小児科"][(i % 3) as usize].to_string()),
        author: Some(format!("author-{}", i % 400)),
        document_date: Some(date.to_string()),
        tags: if i.is_multiple_of(4) {
            vec!["urgent".into()]
        } else {
            Vec::new()
        },
        signer: Some(SIGNERS[(i % 5) as usize].to_string()),
        sources: Default::default(),
    };
    RecordMeta {
        format: RecordFormat::V1,
        id: id.clone(),
        source: format!("/records/in/{:04}/{i}.pdf", i / 1000),
        sha256: sha.clone(),
        kind,
        class: None,
        level: Some(level),
        state,
        failure: None,
        ingested: "2026-11-26T00:00:00Z".into(),
        retain_until: None,
        dir: format!("2026/{:02}/{id}", 1 + i % 12),
        files: vec![FileEntry {
            name: format!("{i}.pdf"),
            role: Role::Document,
            sha256: sha,
            size: 1024,
        }],
        history: Vec::new(),
        metadata: Some(metadata),
    }
}

/// Inserts rows `0..n` through [`Catalog::insert`] (10,000 per
/// transaction), marks them logged, then has SQLite analyse the indexes.
pub fn fill(catalog: &mut Catalog, n: u64) -> Result<()> {
    let mut start = 0;
    while start < n {
        let end = (start + 10_000).min(n);
        let rows: Vec<RecordMeta> = (start..end).map(|i| record(i, n)).collect();
        let refs: Vec<&RecordMeta> = rows.iter().collect();
        catalog.insert(&refs)?;
        start = end;
    }
    // Their `archived` lines are not written: counted as logged, so that
    // opening the archive does not take them for an interrupted ingest.
    catalog.mark_all_audited()?;
    catalog
        .connection()
        .execute_batch("ANALYZE")
        .map_err(|source| crate::Error::Catalog {
            path: std::path::PathBuf::from(catalog.connection().path().unwrap_or_default()),
            source,
        })
}
