//! endesive 3.0.1 (PyPI, `$HOZON_TOOLS/endesive-3.0.1`, installed by
//! scripts/setup for PAdES) as a XAdES oracle. endesive has a XAdES-BES
//! signer (`endesive.xades.BES`) and no XAdES verifier, so the direction is
//! endesive signs, hozon verifies — with the verdict each file deserves:
//!
//! - enveloping (the data base64 in a `ds:Object`, Canonical XML 1.0,
//!   SigningCertificate v1): TOTAL_PASSED once its `X509IssuerName` is in
//!   the RFC 4514 order; a changed data byte is HASH_FAILURE;
//! - as endesive writes it, the issuer's RDNs in ASN.1 order (`C=JP,O=…,
//!   CN=…`): another name than the certificate's issuer, so the
//!   SigningCertificate matches no certificate (NO_SIGNING_CERTIFICATE_FOUND);
//! - enveloped: its reference selects the document with an XPath 1.0
//!   transform, which hozon does not run (FORMAT_FAILURE naming it).
//!
//! Without endesive the tests say "skipped", unless HOZON_REQUIRE_TOOLS is
//! set (scripts/test), where a missing tool fails.

use std::path::PathBuf;
use std::process::Command;

use hozon_cms::Cert;
use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
use hozon_testkit::tools_required;
use hozon_verify::{
    AlgorithmPolicy, Indication, SignatureReport, SubIndication, Verifier, VerifierConfig,
};
use hozon_xades::XmlInput;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn pki(name: &str) -> PathBuf {
    testdata().join("pki").join(name)
}

/// endesive's python: HOZON_ENDESIVE, or
/// `$HOZON_TOOLS/endesive-3.0.1/bin/python` (default HOZON_TOOLS
/// ~/.cache/hozon-tools).
fn endesive() -> Option<PathBuf> {
    let python = match std::env::var_os("HOZON_ENDESIVE") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("HOZON_TOOLS")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/hozon-tools"))
            })?
            .join("endesive-3.0.1/bin/python"),
    };
    if python.is_file() {
        return Some(python);
    }
    assert!(
        !tools_required(),
        "HOZON_REQUIRE_TOOLS is set but endesive 3.0.1 is missing ({}): run scripts/setup",
        python.display()
    );
    eprintln!(
        "skipped: endesive 3.0.1 missing ({}; scripts/setup installs it)",
        python.display()
    );
    None
}

/// endesive's signature of `testdata/xml/prescription.xml` in `mode`.
fn endesive_sign(python: &PathBuf, mode: &str, rfc4514_issuer: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("signed.xml");
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oracles/xades-endesive.py");
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .args(["sign", mode])
        .arg(testdata().join("xml/prescription.xml"))
        .arg(&out)
        .arg("--key")
        .arg(pki("signer-doctor.key"))
        .arg("--cert")
        .arg(pki("signer-doctor.crt"));
    if rfc4514_issuer {
        cmd.arg("--rfc4514-issuer");
    }
    let run = cmd.output().unwrap();
    assert!(
        run.status.success(),
        "endesive failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read(&out).unwrap()
}

fn verifier() -> Verifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_file(&pki("trust.pem")).unwrap();
    let mut crls = CrlSet::new();
    for crl in Crl::read_file(&pki("crls.pem")).unwrap() {
        crls.add(std::sync::Arc::new(crl));
    }
    let now = UnixTime::now();
    let chains = ChainValidator::new(anchors, crls, RevocationPolicy::Require, now);
    Verifier::new(
        chains,
        VerifierConfig {
            validation_time: now,
            algorithms: AlgorithmPolicy::default(),
            accept_expired_tsa: false,
            extra_certs: Cert::read_bundle(&std::fs::read(pki("chain.pem")).unwrap()).unwrap(),
        },
    )
}

fn hozon_verify(bytes: &[u8]) -> SignatureReport {
    let mut r = hozon_xades::verify(
        &verifier(),
        XmlInput {
            label: "endesive.xml",
            bytes,
            base_dir: None,
        },
    );
    assert_eq!(r.len(), 1, "{r:#?}");
    r.remove(0)
}

#[test]
fn endesive_enveloping_xades_bes_verifies_total_passed() {
    let Some(python) = endesive() else { return };
    let signed = endesive_sign(&python, "enveloping", true);
    let r = hozon_verify(&signed);
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(
        (r.format.as_str(), r.level.map(|l| l.as_str())),
        ("XAdES", Some("B-B"))
    );
}

#[test]
fn endesive_enveloping_with_a_changed_data_byte_is_hash_failure() {
    let Some(python) = endesive() else { return };
    let signed = String::from_utf8(endesive_sign(&python, "enveloping", true)).unwrap();
    // The first base64 character of the enveloped data ("PD94" is "<?x").
    let at = signed.find(">PD94").expect("the data object") + 1;
    let mut tampered = signed.into_bytes();
    tampered[at] = b'Q';
    let r = hozon_verify(&tampered);
    assert_eq!(
        (r.indication, r.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::HashFailure)),
        "{r:#?}"
    );
}

#[test]
fn endesive_issuer_name_in_asn1_order_matches_no_certificate() {
    let Some(python) = endesive() else { return };
    let signed = endesive_sign(&python, "enveloping", false);
    let text = String::from_utf8_lossy(&signed);
    assert!(
        text.contains("<ds:X509IssuerName>C=JP,O=hozon Test,CN=hozon Test HPKI Signing CA<"),
        "endesive changed its issuer names: {text}"
    );
    let r = hozon_verify(&signed);
    assert_eq!(
        (r.indication, r.sub_indication),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoSigningCertificateFound)
        ),
        "{r:#?}"
    );
}

#[test]
fn endesive_enveloped_xpath_transform_is_a_format_failure() {
    let Some(python) = endesive() else { return };
    let signed = endesive_sign(&python, "enveloped", true);
    let r = hozon_verify(&signed);
    assert_eq!(
        (r.indication, r.sub_indication),
        (Indication::TotalFailed, Some(SubIndication::FormatFailure)),
        "{r:#?}"
    );
    assert!(
        r.errors
            .iter()
            .any(|e| e.contains("XPath transforms are not supported")),
        "{r:#?}"
    );
}
