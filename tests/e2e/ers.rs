//! RFC 4998 evidence records through `hozon verify`: records built with
//! `hozon-ers` over a loopback TSA, each verified on its own against its
//! files; negatives; renewal keeping records valid after the first TSA's
//! certificate has expired.

use hozon_cms::DigestAlgorithm;
use hozon_ers::asn1::EvidenceRecord;
use hozon_ers::renew::{HashTreeRenewal, TimestampRenewal};
use hozon_ers::EvidenceBatch;
use hozon_testkit::TsaServer;
use hozon_tsp::{TsaClient, TsaConfig};

use crate::lta::{long_lived_tsa, short_lived_tsa};
use crate::util::{Env, Verified, CRLS};

fn stamp(tsa: &TsaServer, alg: DigestAlgorithm, digest: &[u8]) -> Vec<u8> {
    let mut config = TsaConfig::new(vec![tsa.url()]);
    config.digest = alg;
    TsaClient::new(config)
        .unwrap()
        .stamp_digest(digest)
        .unwrap()
        .token
        .der()
        .to_vec()
}

/// Writes `rec{i}.xml` and `rec{i}.xml.p7s` (stand-ins: any bytes are data
/// objects) for `n` records and returns their SHA-256 data groups.
fn write_records(env: &Env, n: usize) -> Vec<Vec<Vec<u8>>> {
    (0..n)
        .map(|i| {
            let doc = format!("<record id=\"{i}\">discharge summary {i}</record>\n");
            let sig = format!("signature bytes of record {i}");
            env.write(&format!("rec{i}.xml"), &doc);
            env.write(&format!("rec{i}.xml.p7s"), &sig);
            vec![
                DigestAlgorithm::Sha256.digest(doc.as_bytes()).unwrap(),
                DigestAlgorithm::Sha256.digest(sig.as_bytes()).unwrap(),
            ]
        })
        .collect()
}

/// Builds the batch's records and writes `rec{i}.ers`.
fn write_evidence(env: &Env, tsa: &TsaServer, groups: &[Vec<Vec<u8>>]) -> Vec<EvidenceRecord> {
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, groups).unwrap();
    let token = stamp(tsa, DigestAlgorithm::Sha256, batch.root());
    let stamped = batch.finish(&token).unwrap();
    (0..groups.len())
        .map(|i| {
            let der = stamped.record_der(i).unwrap();
            env.write(&format!("rec{i}.ers"), &der);
            EvidenceRecord::parse(&der).unwrap()
        })
        .collect()
}

fn verify_record(env: &Env, ers: &str, files: &[&str], extra: &[&str]) -> Verified {
    let mut args: Vec<&str> = Vec::new();
    for f in files {
        args.push("--content");
        args.push(f);
    }
    args.extend_from_slice(extra);
    env.verify(&[ers], &args)
}

fn record_files(i: usize) -> [String; 2] {
    [format!("rec{i}.xml"), format!("rec{i}.xml.p7s")]
}

fn verify_i(env: &Env, i: usize, extra: &[&str]) -> Verified {
    let files = record_files(i);
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    verify_record(env, &format!("rec{i}.ers"), &files, extra)
}

#[test]
fn every_record_of_a_batch_verifies_alone() {
    for n in [1, 2, 3, 7] {
        let env = Env::new();
        let tsa = long_lived_tsa(&env);
        let groups = write_records(&env, n);
        write_evidence(&env, &tsa, &groups);
        for i in 0..n {
            let v = verify_i(&env, i, &["--crl", CRLS]);
            let s = v.expect(0, &format!("rec{i}.ers"), "TOTAL_PASSED", None);
            assert_eq!(s.format, "ERS");
            assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
            assert_eq!(s.timestamps[0]["kind"], "archive");
            assert_eq!(s.timestamps[0]["indication"], "PASSED");
            let gen = s.timestamps[0]["gen_time"].as_str().unwrap();
            assert_eq!(s.best_signature_time.as_deref(), Some(gen));
            let records = v.json["signatures"][0]["evidence_records"]
                .as_array()
                .unwrap();
            assert_eq!(records.len(), 2, "{}", v.stdout);
            for (r, file) in records.iter().zip(record_files(i)) {
                assert_eq!(r["data_object"], file.as_str());
                assert_eq!(r["proven_time"], gen);
                assert_eq!(r["digest_algorithms"][0], "SHA-256");
            }
            // renew_by: before the TSA certificate (2045) or its key's
            // algorithm sunset, minus the margin.
            let renew_by = s.renew_by.as_deref().unwrap();
            assert!(renew_by > gen && renew_by < "2045", "{s:?}");
            if n == 1 {
                // The human report says what is proven.
                let out = env.hozon(&[
                    "verify",
                    "rec0.ers",
                    "--content",
                    "rec0.xml",
                    "--content",
                    "rec0.xml.p7s",
                    "--trust",
                    crate::util::TRUST,
                    "--crl",
                    CRLS,
                    "--offline",
                ]);
                let text = crate::util::stdout(&out);
                assert!(
                    text.contains(
                        "TOTAL_PASSED  rec0.ers  ERS  evidence record over rec0.xml, rec0.xml.p7s"
                    ),
                    "{text}"
                );
                assert!(
                    text.contains(&format!("rec0.xml.p7s existed at {gen}")),
                    "{text}"
                );
            }
        }
    }
}

#[test]
fn a_directory_of_records_each_verifies_against_its_file() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let n = 1000;
    let groups: Vec<Vec<Vec<u8>>> = (0..n)
        .map(|i| {
            let doc = format!("scan {i}\n");
            env.write(&format!("dir/{i:04}.txt"), &doc);
            vec![DigestAlgorithm::Sha256.digest(doc.as_bytes()).unwrap()]
        })
        .collect();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups).unwrap();
    let token = stamp(&tsa, DigestAlgorithm::Sha256, batch.root());
    let stamped = batch.finish(&token).unwrap();
    for i in 0..n {
        env.write(
            &format!("dir/{i:04}.txt.ers"),
            stamped.record_der(i).unwrap(),
        );
    }
    // One altered file among them.
    env.write("dir/0500.txt", "scan 500, altered\n");
    let v = env.verify(&["dir"], &["--crl", CRLS]);
    assert_eq!(v.code, 1, "{}", v.stderr);
    assert_eq!(v.report.summary.total, n);
    assert_eq!(v.report.summary.passed, n - 1);
    let bad = v.entry("dir/0500.txt.ers", 0);
    assert_eq!(bad.sub_indication.as_deref(), Some("HASH_FAILURE"));
    assert_eq!(bad.content.as_deref(), Some("dir/0500.txt"));
}

#[test]
fn negatives_fail_with_the_right_sub_indication() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let groups = write_records(&env, 7);
    write_evidence(&env, &tsa, &groups);
    let crl = ["--crl", CRLS];
    // A byte of a document flipped.
    let mut doc = env.read("rec3.xml");
    doc[5] ^= 1;
    env.write("rec3.xml", &doc);
    verify_i(&env, 3, &crl).expect(1, "rec3.ers", "TOTAL_FAILED", Some("HASH_FAILURE"));
    // The signature file altered.
    env.write("rec4.xml.p7s", "another signature");
    verify_i(&env, 4, &crl).expect(1, "rec4.ers", "TOTAL_FAILED", Some("HASH_FAILURE"));
    // Record 1's evidence with record 2's files.
    verify_record(&env, "rec1.ers", &["rec2.xml", "rec2.xml.p7s"], &crl).expect(
        1,
        "rec1.ers",
        "TOTAL_FAILED",
        Some("HASH_FAILURE"),
    );
    // Garbage and truncated records.
    env.write("garbage.ers", b"\x30\x03\x02\x01\x01 not DER at all");
    verify_record(&env, "garbage.ers", &["rec0.xml"], &crl).expect(
        1,
        "garbage.ers",
        "TOTAL_FAILED",
        Some("FORMAT_FAILURE"),
    );
    let whole = env.read("rec0.ers");
    env.write("cut.ers", &whole[..whole.len() - 40]);
    verify_record(&env, "cut.ers", &["rec0.xml"], &crl).expect(
        1,
        "cut.ers",
        "TOTAL_FAILED",
        Some("FORMAT_FAILURE"),
    );
    // Validated as of a time before the record was stamped: nothing proven.
    let v = verify_i(&env, 0, &["--crl", CRLS, "--at", "2026-01-01T00:00:00Z"]);
    let s = v.expect(3, "rec0.ers", "INDETERMINATE", Some("NO_POE"));
    assert!(s.best_signature_time.is_none(), "{s:?}");
    // No data object.
    env.verify(&["rec0.ers"], &crl).expect(
        3,
        "rec0.ers",
        "INDETERMINATE",
        Some("SIGNED_DATA_NOT_FOUND"),
    );
    // A reduced tree with a sibling altered.
    let mut er = EvidenceRecord::parse(&env.read("rec5.ers")).unwrap();
    let tree = er.archive_time_stamp_sequence[0][0]
        .reduced_hashtree
        .as_mut()
        .unwrap();
    let mut sibling = tree[1][0].as_bytes().to_vec();
    sibling[0] ^= 0xff;
    tree[1][0] = hozon_cms::asn1::der::asn1::OctetString::new(sibling).unwrap();
    env.write(
        "rec5.ers",
        hozon_cms::asn1::der::Encode::to_der(&er).unwrap(),
    );
    verify_i(&env, 5, &crl).expect(1, "rec5.ers", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn a_token_from_a_non_tsa_certificate_is_not_accepted() {
    let env = Env::new();
    let tsa = TsaServer::start(
        &hozon_testkit::Pki::copy_to(&env.path("pki")).unwrap(),
        hozon_testkit::TsaMode::NonTsaSigner,
    )
    .unwrap();
    let groups = write_records(&env, 3);
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups).unwrap();
    // hozon's client refuses such a token; ask as another client would.
    env.openssl_ok(&[
        "ts",
        "-query",
        "-digest",
        &hex::encode(batch.root()),
        "-sha256",
        "-cert",
        "-out",
        "q.tsq",
    ]);
    let response = crate::tsa::post_query(&tsa.url(), &env.read("q.tsq"));
    env.write("r.tsr", response);
    env.openssl_ok(&[
        "ts",
        "-reply",
        "-in",
        "r.tsr",
        "-token_out",
        "-out",
        "t.der",
    ]);
    let stamped = batch.finish(&env.read("t.der")).unwrap();
    env.write("rec0.ers", stamped.record_der(0).unwrap());
    let v = verify_i(&env, 0, &["--crl", CRLS]);
    v.expect(
        3,
        "rec0.ers",
        "INDETERMINATE",
        Some("CHAIN_CONSTRAINTS_FAILURE"),
    );
}

#[test]
fn openssl_ts_verify_accepts_the_token_of_a_written_record() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let groups = write_records(&env, 3);
    let records = write_evidence(&env, &tsa, &groups);
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups).unwrap();
    let tst = records[2].archive_time_stamp_sequence[0][0]
        .time_stamp_der()
        .unwrap();
    env.write("token.tst", tst);
    env.openssl_ok(&[
        "ts",
        "-verify",
        "-token_in",
        "-digest",
        &hex::encode(batch.root()),
        "-in",
        "token.tst",
        "-CAfile",
        "pki/root-ca.crt",
        "-untrusted",
        "pki/tsa.crt",
    ]);
}

#[test]
fn renewal_keeps_records_valid_after_the_first_tsa_expires() {
    let env = Env::new();
    let short = short_lived_tsa(&env);
    let long = long_lived_tsa(&env);
    let groups = write_records(&env, 3);
    let records = write_evidence(&env, &short, &groups);
    let later = [
        "--crypto-policy",
        crate::util::NO_RSA_SUNSET,
        "--at",
        "2035-01-01T00:00:00Z",
        "--crl",
        CRLS,
    ];
    // Today it is fine.
    verify_i(&env, 1, &["--crl", CRLS]).expect(0, "rec1.ers", "TOTAL_PASSED", None);
    // 2035: the short-lived TSA's certificate expired in 2030; nothing
    // proves its stamp was made while it was valid.
    let v = verify_i(&env, 1, &later);
    let s = v.expect(3, "rec1.ers", "INDETERMINATE", Some("OUT_OF_BOUNDS_NO_POE"));
    assert!(s.best_signature_time.is_none(), "{s:?}");
    // Time-stamp renewal by the long-lived TSA, one token for the batch.
    let renewal = TimestampRenewal::build(&records).unwrap();
    let token = stamp(&long, renewal.algorithm(), renewal.root());
    let renewal = renewal.finish(&token).unwrap();
    let renewed: Vec<EvidenceRecord> = records
        .iter()
        .enumerate()
        .map(|(i, er)| renewal.renew(i, er).unwrap())
        .collect();
    for (i, er) in renewed.iter().enumerate() {
        env.write(
            &format!("rec{i}.ers"),
            hozon_cms::asn1::der::Encode::to_der(er).unwrap(),
        );
    }
    let v = verify_i(&env, 1, &later);
    let s = v.expect(0, "rec1.ers", "TOTAL_PASSED", None);
    assert_eq!(s.timestamps.len(), 2);
    // The proof of existence is still the first stamp's time.
    assert_eq!(
        s.best_signature_time.as_deref(),
        s.timestamps[0]["gen_time"].as_str()
    );
    assert!(s.renew_by.is_some(), "{s:?}");

    // Hash-tree renewal to SHA-512, again by the long-lived TSA.
    let with_hashes: Vec<(&EvidenceRecord, Vec<Vec<u8>>)> = renewed
        .iter()
        .enumerate()
        .map(|(i, er)| {
            let h = record_files(i)
                .iter()
                .map(|f| DigestAlgorithm::Sha512.digest(&env.read(f)).unwrap())
                .collect();
            (er, h)
        })
        .collect();
    let renewal = HashTreeRenewal::build(DigestAlgorithm::Sha512, &with_hashes).unwrap();
    let token = stamp(&long, DigestAlgorithm::Sha512, renewal.root());
    let renewal = renewal.finish(&token).unwrap();
    for (i, er) in renewed.iter().enumerate() {
        let er = renewal.renew(i, er).unwrap();
        env.write(
            &format!("rec{i}.ers"),
            hozon_cms::asn1::der::Encode::to_der(&er).unwrap(),
        );
    }
    let v = verify_i(&env, 2, &later);
    let s = v.expect(0, "rec2.ers", "TOTAL_PASSED", None);
    assert_eq!(s.timestamps.len(), 3);
    let records = v.json["signatures"][0]["evidence_records"]
        .as_array()
        .unwrap();
    assert_eq!(records[0]["digest_algorithms"][1], "SHA-512");
    // Still bound to the data.
    env.write("rec2.xml", "altered");
    verify_i(&env, 2, &later).expect(1, "rec2.ers", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn an_evidence_record_over_a_b_b_signature_keeps_it_valid_after_the_signer_expires() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    crate::lta::issue_short_lived(
        &env,
        "signer-short",
        "signing-ca",
        "/C=JP/O=hozon Test Hospital/CN=Short-lived Doctor",
        "keyUsage=critical,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n",
    );
    for f in ["a.pdf", "b.pdf"] {
        env.copy_doc("lab-report.pdf", f);
        let out = env.hozon(&[
            "sign",
            f,
            "--key",
            "pki/signer-short.key",
            "--cert",
            "pki/signer-short.crt",
            "--chain",
            "pki/chain.pem",
            "--crl",
            "pki/crls.pem",
        ]);
        assert_eq!(
            crate::util::code(&out),
            0,
            "{}",
            crate::util::describe(&out)
        );
    }
    // Evidence over both signature files (archived now, one batch); only
    // a.pdf.p7s gets its record next to it.
    let groups: Vec<Vec<Vec<u8>>> = ["a.pdf.p7s", "b.pdf.p7s"]
        .iter()
        .map(|f| vec![DigestAlgorithm::Sha256.digest(&env.read(f)).unwrap()])
        .collect();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups).unwrap();
    let token = stamp(&tsa, DigestAlgorithm::Sha256, batch.root());
    let stamped = batch.finish(&token).unwrap();
    env.write("a.pdf.p7s.ers", stamped.record_der(0).unwrap());
    let later = [
        "--crl",
        CRLS,
        "--crypto-policy",
        crate::util::NO_RSA_SUNSET,
        "--at",
        "2032-01-01T00:00:00Z",
    ];
    // 2032: the signer's certificate expired in 2030. With the evidence
    // record, the signature is judged when it provably existed.
    let v = env.verify(&["a.pdf.p7s"], &later);
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    let proven = s.best_signature_time.clone().unwrap();
    assert!(proven.as_str() < "2030", "{s:?}");
    assert!(
        s.warnings.iter().any(|w| w.contains("a.pdf.p7s.ers")),
        "{:?}",
        s.warnings
    );
    // Without one, no proof of existence.
    env.verify(&["b.pdf.p7s"], &later).expect(
        3,
        "b.pdf.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
    // An evidence record that does not cover the signature (another
    // batch's) proves nothing.
    let other: Vec<Vec<Vec<u8>>> = (0..3u8)
        .map(|i| vec![DigestAlgorithm::Sha256.digest(&[i]).unwrap()])
        .collect();
    let other = EvidenceBatch::build(DigestAlgorithm::Sha256, &other).unwrap();
    let token = stamp(&tsa, DigestAlgorithm::Sha256, other.root());
    let other = other.finish(&token).unwrap();
    env.write("b.pdf.p7s.ers", other.record_der(0).unwrap());
    let v = env.verify(&["b.pdf.p7s"], &later);
    let s = v.expect(
        3,
        "b.pdf.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("not used as proof of existence")),
        "{:?}",
        s.warnings
    );
    // The directory run reports the evidence record too.
    env.write("b.pdf.p7s.ers", stamped.record_der(1).unwrap());
    let v = env.verify(&["."], &later);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.summary.passed, 4, "{}", v.stdout);
}

/// A verifier as `hozon verify --trust pki/trust.pem --crl pki/crls.pem
/// --offline --at AT` builds it.
fn library_verifier(env: &Env, at: &str) -> hozon_verify::Verifier {
    let mut anchors = hozon_pki::TrustAnchors::new();
    anchors.add_file(&env.path(crate::util::TRUST)).unwrap();
    let mut crls = hozon_pki::CrlSet::new();
    for crl in hozon_pki::Crl::read_file(&env.path(CRLS)).unwrap() {
        crls.add(std::sync::Arc::new(crl));
    }
    let now = hozon_pki::UnixTime::now();
    let chains =
        hozon_pki::ChainValidator::new(anchors, crls, hozon_pki::RevocationPolicy::Require, now);
    hozon_verify::Verifier::new(
        chains,
        hozon_verify::VerifierConfig {
            validation_time: hozon_pki::UnixTime::parse_rfc3339(at).unwrap(),
            algorithms: hozon_verify::AlgorithmPolicy::default(),
            accept_expired_tsa: false,
            extra_certs: Vec::new(),
        },
    )
}

#[test]
fn verify_with_poe_rejects_a_proof_older_than_the_claimed_signing_time() {
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc("a.pdf", "signer-doctor", &[]);
    let sig = env.read("a.pdf.p7s");
    let content = env.path("a.pdf");
    let now = hozon_pki::UnixTime::now();
    let verifier = library_verifier(&env, &(hozon_pki::UnixTime(now.0 + 3600)).rfc3339());
    // A proof of existence an hour before the claimed signing time: the
    // signature cannot have been signed after it provably existed.
    let early = hozon_pki::UnixTime(now.0 - 3600);
    let r = verifier.verify_with_poe("a.pdf.p7s", &sig, Some(&content), early);
    assert_eq!(
        r[0].sub_indication,
        Some(hozon_verify::SubIndication::TimestampOrderFailure),
        "{r:?}"
    );
    // A proof in the future of the validation time is not used.
    let verifier = library_verifier(&env, &now.rfc3339());
    let late = hozon_pki::UnixTime(now.0 + 86_400);
    let r = verifier.verify_with_poe("a.pdf.p7s", &sig, Some(&content), late);
    assert_eq!(
        r[0].indication,
        hozon_verify::Indication::TotalPassed,
        "{r:?}"
    );
    assert!(
        !r[0]
            .warnings
            .iter()
            .any(|w| w.contains("proof of existence")),
        "{r:?}"
    );
}
