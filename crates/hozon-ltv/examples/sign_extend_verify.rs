//! Sign a document with a software key, raise the signature to B-LTA
//! against the test PKI's loopback TSA, and verify it offline with only the
//! root certificate: hozon's long-term pipeline from the library crates.
//!
//! `cargo run -p hozon-ltv --example sign_extend_verify` (needs `openssl`,
//! which the loopback TSA runs; `tests/example.rs` runs it in CI).

use hozon_ltv::{Augmenter, Profile, Target};
use hozon_sign::SignerSpec;
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};
use hozon_verify::{Indication, VerifierSetup};

/// The whole round: Ok with the level reached, or why not.
pub fn run() -> Result<String, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let pki = Pki::copy_to(&dir.path().join("pki"))?;
    let tsa = TsaServer::start(&pki, TsaMode::Normal)?;
    let document = dir.path().join("discharge-summary.txt");
    std::fs::write(&document, "退院時サマリー: 経過良好、外来フォロー")?;

    // 1. Sign (CAdES B-B, detached) with the doctor's key.
    let signer = SignerSpec {
        key: Some(pki.path("signer-doctor.key")),
        cert: Some(pki.path("signer-doctor.crt")),
        chain: Some(pki.path("chain.pem")),
        ..SignerSpec::default()
    }
    .load()?;
    let b_b = signer.sign_detached(std::fs::File::open(&document)?)?;

    // 2. B-LTA: signature time stamp, validated chain and CRLs embedded,
    //    archive time stamp over all of it.
    let checked = VerifierSetup {
        trust: vec![pki.path("root-ca.crt")],
        crls: vec![pki.path("crls.pem")],
        offline: true,
        ..VerifierSetup::default()
    };
    let tsa_client = TsaClient::new(TsaConfig::new(vec![tsa.url()]))?;
    let augmenter = Augmenter::new(
        Target::Lta,
        Profile::Etsi,
        Some(tsa_client),
        Some(checked.build()?),
    )?;
    let b_lta = augmenter.apply("discharge-summary.txt.p7s", &b_b, Some(&document))?;

    // 3. Verify with nothing but the root: the rest is inside the signature.
    let root_only = VerifierSetup {
        trust: vec![pki.path("root-ca.crt")],
        offline: true,
        ..VerifierSetup::default()
    }
    .build()?;
    let reports = root_only.verify("discharge-summary.txt.p7s", &b_lta, Some(&document));
    match reports.as_slice() {
        [r] if r.indication == Indication::TotalPassed => {
            Ok(r.level.map(|l| l.to_string()).unwrap_or_default())
        }
        other => Err(format!("expected one TOTAL_PASSED signature, got {other:?}").into()),
    }
}

#[allow(dead_code)] // `tests/example.rs` includes this file and calls `run`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("discharge-summary.txt.p7s: TOTAL_PASSED at {}", run()?);
    Ok(())
}
