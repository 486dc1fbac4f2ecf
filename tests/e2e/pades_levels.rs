//! hozon-made PAdES at every level, proved by the oracles (issue 19, "Done
//! when" 1): `hozon sign --format pades` at B-B, B-T, B-LT and B-LTA, with
//! RSA and ECDSA keys from a PEM file, a PKCS#12 file and a SoftHSM token,
//! on a born-digital PDF, a scanned one (img2pdf) and one with object and
//! cross-reference streams (qpdf) — a covering set, not the cross product —
//! then `hozon extend` to B-LTA and again. Every file must pass `hozon
//! verify` at its level, pyHanko's validation (intact, valid, trusted, whole
//! file or revision with only LTA updates after it; its AdES long-term
//! validation with only the root for B-LT and B-LTA), `pdfsig` (every
//! signature valid, the last covering the whole file), and `qpdf --check`
//! for every state each incremental update left; the original bytes stay
//! the exact prefix. An encrypted PDF is refused and left alone.
//!
//! The oracles (pyHanko 0.38.0, poppler's pdfsig, qpdf, img2pdf, SoftHSM)
//! are installed by scripts/setup; without them a test says "skipped", and
//! fails under HOZON_REQUIRE_TOOLS.

pub(crate) mod kit;
mod large;

use hozon_testkit::TsaServer;

use crate::lta::{issue_short_lived, long_lived_tsa};
use crate::util::{code, describe, stderr, Env, CHAIN, CRLS, TRUST};
use kit::{
    every_update_accepted, extend, hozon_passes, make_pdf, pdfsig_passes, pyhanko, pyhanko_passes,
    sign, token_for, Expect, Key, Source, Tools,
};

const B_B: Expect = Expect {
    level: "B-B",
    documents: 0,
    signature_stamp: false,
};
const B_T: Expect = Expect {
    level: "B-T",
    documents: 0,
    signature_stamp: true,
};
const B_LT: Expect = Expect {
    level: "B-LT",
    documents: 0,
    signature_stamp: true,
};
const B_LTA: Expect = Expect {
    level: "B-LTA",
    documents: 1,
    signature_stamp: true,
};

/// The signer's subject as hozon reports it.
fn subject(key: Key) -> &'static str {
    match key {
        Key::RsaPem | Key::RsaP12 | Key::RsaToken => "CN=山田 太郎,O=hozon Test Hospital,C=JP",
        Key::EcPem | Key::EcToken => "CN=佐藤 花子,O=hozon Test Hospital,C=JP",
    }
}

/// Signs a fresh PDF of kind `source` with `key` at `level` (b, t, lt,
/// lta) and checks it against every oracle.
fn case(source: Source, key: Key, level: &str, expect: Expect) {
    let Some(tools) = Tools::find() else { return };
    let env = Env::new();
    let Some(token) = token_for(&env, key) else {
        return;
    };
    let tsa = long_lived_tsa(&env);
    make_pdf(&env, source, "a.pdf");
    let original = env.read("a.pdf");
    let out = sign(&env, token.as_ref(), "a.pdf", key, level, &tsa.url());
    assert_eq!(
        code(&out),
        0,
        "{source:?} {key:?} {level}: {}",
        describe(&out)
    );

    // One update for the signature, one for the DSS, one per document time
    // stamp; each state accepted by qpdf, the original always the prefix.
    let dss = usize::from(matches!(level, "lt" | "lta"));
    assert_eq!(
        every_update_accepted(&env, "a.pdf", &original),
        1 + dss + expect.documents
    );
    let report = hozon_passes(&env, "a.pdf", expect.level);
    assert_eq!(
        report["signatures"][0]["signer"]["subject"],
        subject(key),
        "{report}"
    );
    assert_eq!(report["signatures"][0]["revision"], 2, "{report}");
    pyhanko_passes(&tools, &env, "a.pdf", &expect);
    pdfsig_passes(&env, "a.pdf", 1 + expect.documents, level != "lt");
    if matches!(level, "lt" | "lta") {
        // The DSS is enough: nothing but the root, no CRL given.
        let v = env.verify(&["a.pdf"], &["--offline"]);
        assert_eq!(v.code, 0, "{}", v.stdout);
    }
}

#[test]
fn born_digital_rsa_pkcs12_b_b() {
    case(Source::BornDigital, Key::RsaP12, "b", B_B);
}

#[test]
fn born_digital_ecdsa_b_t() {
    case(Source::BornDigital, Key::EcPem, "t", B_T);
}

#[test]
fn born_digital_rsa_b_lt() {
    case(Source::BornDigital, Key::RsaPem, "lt", B_LT);
}

#[test]
fn born_digital_ecdsa_b_lta() {
    case(Source::BornDigital, Key::EcPem, "lta", B_LTA);
}

#[test]
fn scanned_rsa_pkcs12_b_lta() {
    case(Source::Scanned, Key::RsaP12, "lta", B_LTA);
}

#[test]
fn scanned_ecdsa_softhsm_b_t() {
    case(Source::Scanned, Key::EcToken, "t", B_T);
}

#[test]
fn scanned_rsa_softhsm_b_b() {
    case(Source::Scanned, Key::RsaToken, "b", B_B);
}

#[test]
fn object_streams_rsa_softhsm_b_lta() {
    case(Source::ObjectStreams, Key::RsaToken, "lta", B_LTA);
}

#[test]
fn object_streams_ecdsa_softhsm_b_lt() {
    case(Source::ObjectStreams, Key::EcToken, "lt", B_LT);
}

#[test]
fn object_streams_rsa_pkcs12_b_b() {
    case(Source::ObjectStreams, Key::RsaP12, "b", B_B);
}

/// `hozon extend` on `rel` at `level`: exit 0, the file before it is the
/// exact prefix of the file after it, and every state is accepted by qpdf.
fn extend_ok(env: &Env, rel: &str, level: &str, tsa: &TsaServer) {
    let before = env.read(rel);
    let out = extend(env, rel, level, &tsa.url());
    assert_eq!(code(&out), 0, "extend {level}: {}", describe(&out));
    assert!(every_update_accepted(env, rel, &before) >= 1);
}

/// The document time stamps hozon reports for `rel`, all passed.
fn document_stamps(env: &Env, rel: &str) -> usize {
    let v = env.verify_crl(&[rel]);
    let sigs = v.json["signatures"].as_array().unwrap();
    assert!(
        sigs.iter().all(|s| s["indication"] == "TOTAL_PASSED"),
        "{}",
        v.stdout
    );
    sigs[0]["timestamps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "document" && t["indication"] == "PASSED")
        .count()
}

#[test]
fn extend_raises_b_b_to_b_lta_and_renews_it() {
    let Some(tools) = Tools::find() else { return };
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    make_pdf(&env, Source::ObjectStreams, "a.pdf");
    let out = sign(&env, None, "a.pdf", Key::RsaPem, "b", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    hozon_passes(&env, "a.pdf", "B-B");

    // B-T by a document time stamp (the signature has none of its own).
    extend_ok(&env, "a.pdf", "t", &tsa);
    hozon_passes(&env, "a.pdf", "B-T");
    assert_eq!(document_stamps(&env, "a.pdf"), 1);
    let t = Expect {
        level: "B-T",
        documents: 1,
        signature_stamp: false,
    };
    pyhanko_passes(&tools, &env, "a.pdf", &t);

    // B-LTA: the DSS and a second document time stamp over it.
    extend_ok(&env, "a.pdf", "lta", &tsa);
    hozon_passes(&env, "a.pdf", "B-LTA");
    assert_eq!(document_stamps(&env, "a.pdf"), 2);

    // Renewal: validation data for what is there, and a third stamp.
    extend_ok(&env, "a.pdf", "lta", &tsa);
    let report = hozon_passes(&env, "a.pdf", "B-LTA");
    assert_eq!(document_stamps(&env, "a.pdf"), 3, "{report}");
    let lta = Expect {
        level: "B-LTA",
        documents: 3,
        signature_stamp: false,
    };
    pyhanko_passes(&tools, &env, "a.pdf", &lta);
    pdfsig_passes(&env, "a.pdf", 4, true);
}

#[test]
fn extending_a_b_lta_adds_a_second_document_time_stamp() {
    let Some(tools) = Tools::find() else { return };
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    make_pdf(&env, Source::BornDigital, "a.pdf");
    let out = sign(&env, None, "a.pdf", Key::EcPem, "lta", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(document_stamps(&env, "a.pdf"), 1);
    extend_ok(&env, "a.pdf", "lta", &tsa);
    let report = hozon_passes(&env, "a.pdf", "B-LTA");
    assert_eq!(document_stamps(&env, "a.pdf"), 2, "{report}");
    // Both document time stamps are entries of their own, and pass.
    let stamps: Vec<_> = report["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["timestamps"][0]["kind"] == "document" && s["signer_info"] != 0)
        .collect();
    assert_eq!(stamps.len(), 2, "{report}");
    let expect = Expect {
        level: "B-LTA",
        documents: 2,
        signature_stamp: true,
    };
    pyhanko_passes(&tools, &env, "a.pdf", &expect);
    pdfsig_passes(&env, "a.pdf", 3, true);
    // A rerun within --restamp-after hours has nothing to do.
    let before = env.read("a.pdf");
    let out = env.hozon(&[
        "extend",
        "a.pdf",
        "--level",
        "lta",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--tsa",
        &tsa.url(),
        "--offline",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(env.read("a.pdf"), before);
}

#[test]
fn b_lta_verifies_with_only_the_root_after_the_signer_expired() {
    let Some(tools) = Tools::find() else { return };
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    issue_short_lived(
        &env,
        "signer-short",
        "signing-ca",
        "/C=JP/O=hozon Test Hospital/CN=Short-lived Doctor",
        "keyUsage=critical,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n",
    );
    make_pdf(&env, Source::BornDigital, "lta.pdf");
    make_pdf(&env, Source::BornDigital, "bb.pdf");
    let sign_short = |file: &str, level: &str| {
        let mut args = vec![
            "sign",
            "--format",
            "pades",
            file,
            "--key",
            "pki/signer-short.key",
            "--cert",
            "pki/signer-short.crt",
            "--chain",
            CHAIN,
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
            "--level",
            level,
        ];
        let url = tsa.url();
        if level != "b" {
            args.extend_from_slice(&["--tsa", &url]);
        }
        let out = env.hozon(&args);
        assert_eq!(code(&out), 0, "{}", describe(&out));
    };
    sign_short("lta.pdf", "lta");
    sign_short("bb.pdf", "b");

    // Now, with nothing but the root (no CRL, no chain): the DSS suffices.
    let v = env.verify(&["lta.pdf"], &["--offline"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-LTA", "{}", v.stdout);

    // 2032: the signer's certificate expired in 2030; the document time
    // stamp proves the signature and its validation data existed before.
    let at = "2032-01-01T00:00:00Z";
    let v = crate::lta::verify_at_no_sunset(&env, "lta.pdf", at);
    assert_eq!(v.code, 0, "{}", v.stdout);
    for s in v.json["signatures"].as_array().unwrap() {
        assert_eq!(s["indication"], "TOTAL_PASSED", "{}", v.stdout);
    }
    let warnings = v.json["signatures"][0]["warnings"].to_string();
    assert!(
        warnings.contains("expired") && warnings.contains("proven"),
        "{}",
        v.stdout
    );
    // Without proof of existence (B-B), the same expiry is not passed.
    let v = crate::lta::verify_at_no_sunset(&env, "bb.pdf", at);
    assert_eq!(v.code, 3, "{}", v.stdout);
    assert_eq!(
        v.json["signatures"][0]["sub_indication"], "OUT_OF_BOUNDS_NO_POE",
        "{}",
        v.stdout
    );

    // pyHanko's long-term validation agrees, as of 2032.
    let lta = pyhanko(
        &tools,
        &env,
        "validate-lta",
        &["lta.pdf", "bb.pdf"],
        &["--at", at],
    );
    assert_eq!(lta["lta.pdf"][0]["status"], "PASSED", "{lta}");
    assert_ne!(lta["bb.pdf"][0]["status"], "PASSED", "{lta}");
}

#[test]
fn an_encrypted_pdf_is_refused_and_left_alone() {
    if hozon_testkit::tool("qpdf", "qpdf").is_none() {
        return;
    }
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "plain.pdf");
    kit::run(
        &env,
        "qpdf",
        &[
            "--encrypt",
            "",
            "owner-secret",
            "256",
            "--",
            "plain.pdf",
            "enc.pdf",
        ],
    );
    let before = env.read("enc.pdf");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(env.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let files = listing();
    let out = sign(&env, None, "enc.pdf", Key::RsaPem, "b", "");
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("enc.pdf") && err.contains("encrypted"),
        "{}",
        describe(&out)
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(env.read("enc.pdf"), before, "the file was changed");
    assert_eq!(listing(), files, "something was left behind");
}

#[test]
fn endesive_made_pades_bes_verifies() {
    let Some(python) = kit::endesive() else {
        return;
    };
    let Some(tools) = Tools::find() else { return };
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "a.pdf");
    kit::endesive_sign(&python, &env, "a.pdf", "signed.pdf", "signer-doctor");
    assert!(env.read("signed.pdf").starts_with(&env.read("a.pdf")));
    let report = hozon_passes(&env, "signed.pdf", "B-B");
    let sig = &report["signatures"][0];
    assert_eq!(sig["signer"]["subject"], subject(Key::RsaPem), "{report}");
    assert_eq!(sig["revision"], 2, "{report}");
    pyhanko_passes(&tools, &env, "signed.pdf", &B_B);
    pdfsig_passes(&env, "signed.pdf", 1, true);
    // Then hozon raises it to B-LTA.
    let tsa = long_lived_tsa(&env);
    extend_ok(&env, "signed.pdf", "lta", &tsa);
    hozon_passes(&env, "signed.pdf", "B-LTA");
}

/// The DER at the start of `/Contents`, without its zero padding.
fn der_prefix(contents: &[u8]) -> &[u8] {
    let first = contents[1];
    let (header, len) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let n = usize::from(first & 0x7f);
        let len = contents[2..2 + n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (2 + n, len)
    };
    &contents[..header + len]
}

/// endesive 3.0.1 signs with an ECDSA key but labels the SignerInfo's
/// signatureAlgorithm `rsaEncryption` (its signer.py writes
/// `rsassa_pkcs1v15` whatever the key), so the file is defective (RFC 5652
/// §5.3, RFC 5753 §2.1.1: an ECDSA signature is identified as
/// ecdsa-with-SHA*), though the value itself is a valid ECDSA signature
/// over the signed attributes. hozon refuses it (SIG_CRYPTO_FAILURE: the
/// algorithm does not fit the key), and so does pdfsig 22.12 (NSS:
/// "Unknown Validation Failure"); pyHanko 0.38.0 gives no verdict at all
/// (an assertion in its RSA verification path). Only a reader that ignores
/// the algorithm identifier (OpenSSL's `cms -verify`) would pass it.
#[test]
fn endesive_ecdsa_labelled_rsa_fails_as_pdfsig_says() {
    let Some(python) = kit::endesive() else {
        return;
    };
    let Some(tools) = Tools::find() else { return };
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "a.pdf");
    kit::endesive_sign(&python, &env, "a.pdf", "signed.pdf", "signer-ec");

    // The defect: an ECDSA value under an RSA label.
    let pdf = hozon_pades::Pdf::parse(env.read("signed.pdf")).unwrap();
    let sig = hozon_pades::signature::find(&pdf).unwrap().remove(0);
    let file = hozon_cms::SignatureFile::parse(der_prefix(&sig.contents)).unwrap();
    let si = file.signed_data.signer_infos.0.get(0).unwrap().clone();
    assert_eq!(
        si.signature_algorithm.oid.to_string(),
        "1.2.840.113549.1.1.1",
        "endesive labels the signature rsaEncryption (fixed upstream? then this finding is obsolete)"
    );
    let cert = openssl::x509::X509::from_pem(&env.read("pki/signer-ec.crt")).unwrap();
    let key = cert.public_key().unwrap();
    let tbs = {
        use hozon_cms::asn1::der::Encode;
        si.signed_attrs.as_ref().unwrap().to_der().unwrap()
    };
    let mut verifier =
        openssl::sign::Verifier::new(openssl::hash::MessageDigest::sha256(), &key).unwrap();
    assert!(
        verifier
            .verify_oneshot(si.signature.as_bytes(), &tbs)
            .unwrap(),
        "the value is an ECDSA signature over the signed attributes"
    );

    // hozon: failed, for that reason.
    let v = env.verify_crl(&["signed.pdf"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    let s = &v.json["signatures"][0];
    assert_eq!(s["indication"], "TOTAL_FAILED", "{}", v.stdout);
    assert_eq!(s["sub_indication"], "SIG_CRYPTO_FAILURE", "{}", v.stdout);
    let errors = s["errors"].to_string();
    assert!(
        errors.contains("RSA PKCS#1 v1.5") && errors.contains("does not fit"),
        "{errors}"
    );
    // The field's name, a UTF-16BE text string, is shown decoded.
    assert!(
        s["warnings"]
            .to_string()
            .contains("signature field \\\"Signature1\\\""),
        "{}",
        s["warnings"]
    );

    // pdfsig agrees.
    let out = std::process::Command::new("pdfsig")
        .arg("signed.pdf")
        .current_dir(env.dir())
        .output()
        .unwrap();
    let text = crate::util::stdout(&out);
    assert!(
        text.contains("Signature Validation: Unknown Validation Failure."),
        "{text}"
    );
    assert!(!text.contains("Signature is Valid"), "{text}");

    // pyHanko does not pass it (it stops with an error).
    let out = std::process::Command::new(&tools.python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/oracles/pades-pyhanko.py"
        ))
        .args(["validate", "signed.pdf", "--pki", "pki"])
        .current_dir(env.dir())
        .output()
        .unwrap();
    let passed = out.status.success()
        && serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .map(|v| v["signed.pdf"][0]["bottom_line"] == true)
            .unwrap_or(false);
    assert!(!passed, "pyHanko passed it: {}", describe(&out));
}
