//! XAdES against independent implementations, both directions:
//! - xmlsec1 (Debian `xmlsec1`, libxmlsec1 on OpenSSL) verifies the XML-DSig
//!   core of hozon's signatures;
//! - signxml 5.2 (PyPI, in `$HOZON_TOOLS/signxml-5.2`, installed by
//!   scripts/setup) signs XAdES-BES that hozon must verify, and verifies
//!   hozon's XAdES.
//!
//! Without the tools the tests say "skipped", unless HOZON_REQUIRE_TOOLS is
//! set (scripts/test), where a missing tool fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};
use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
use hozon_testkit::{tool, tools_required};
use hozon_verify::{
    AlgorithmPolicy, Indication, SignatureReport, SubIndication, Verifier, VerifierConfig,
};
use hozon_xades::sign::{sign_enveloped, SignError, SignInput};
use hozon_xades::XmlInput;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn pki(name: &str) -> PathBuf {
    testdata().join("pki").join(name)
}

/// The signxml virtualenv's python: HOZON_SIGNXML, or
/// `$HOZON_TOOLS/signxml-5.2/bin/python` (default HOZON_TOOLS
/// ~/.cache/hozon-tools).
fn signxml() -> Option<PathBuf> {
    let python = match std::env::var_os("HOZON_SIGNXML") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("HOZON_TOOLS")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/hozon-tools"))
            })?
            .join("signxml-5.2/bin/python"),
    };
    if python.is_file() {
        return Some(python);
    }
    assert!(
        !tools_required(),
        "HOZON_REQUIRE_TOOLS is set but signxml 5.2 is missing ({}): run scripts/setup",
        python.display()
    );
    eprintln!(
        "skipped: signxml 5.2 missing ({}; scripts/setup installs it)",
        python.display()
    );
    None
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/oracles/xades-signxml.py")
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
    let v = verifier();
    let mut r = hozon_xades::verify(
        &v,
        XmlInput {
            label: "oracle.xml",
            bytes,
            base_dir: None,
        },
    );
    assert_eq!(r.len(), 1, "{r:#?}");
    r.remove(0)
}

fn hozon_sign(name: &str, doc: &Path) -> Vec<u8> {
    let cert = Cert::read_bundle(&std::fs::read(pki(&format!("{name}.crt"))).unwrap())
        .unwrap()
        .remove(0);
    let key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(pki(&format!("{name}.key"))).unwrap(),
    )
    .unwrap();
    let algorithm = if key.id() == openssl::pkey::Id::EC {
        SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)
    } else {
        SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)
    };
    let sign = |m: &[u8]| -> Result<Vec<u8>, SignError> {
        let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key)
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.sign_oneshot_to_vec(m)
            .map_err(|e| SignError::Signer(e.to_string()))
    };
    sign_enveloped(&SignInput {
        document: &std::fs::read(doc).unwrap(),
        certificate: &cert,
        chain: &[],
        algorithm,
        signing_time: UnixTime::now(),
        sign: &sign,
    })
    .unwrap()
}

fn xmlsec1_verifies(file: &Path) -> (bool, String) {
    let xmlsec1 = tool("xmlsec1", "xmlsec1").expect("checked by the caller");
    let out = Command::new(xmlsec1)
        .arg("--verify")
        .arg("--trusted-pem")
        .arg(pki("root-ca.crt"))
        .arg("--untrusted-pem")
        .arg(pki("signing-ca.crt"))
        .args([
            "--id-attr:Id",
            "SignedProperties",
            "--id-attr:Id",
            "KeyInfo",
        ])
        .arg(file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn xmlsec1_verifies_hozons_xml_dsig_core() {
    if tool("xmlsec1", "xmlsec1").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (signer, doc) in [
        ("signer-doctor", "prescription.xml"),
        ("signer-ec", "prescription.xml"),
        ("signer-doctor", "cda.xml"),
    ] {
        let signed = hozon_sign(signer, &testdata().join("xml").join(doc));
        let file = dir.path().join(format!("{signer}-{doc}"));
        std::fs::write(&file, &signed).unwrap();
        let (ok, text) = xmlsec1_verifies(&file);
        assert!(ok, "xmlsec1 rejects hozon's {signer} {doc}: {text}");
        assert!(
            text.contains("SignedInfo References (ok/all): 3/3"),
            "{text}"
        );
        // And xmlsec1 is a real oracle: it rejects a tampered copy.
        let tampered = String::from_utf8(signed)
            .unwrap()
            .replacen("山田", "田中", 1);
        std::fs::write(&file, tampered).unwrap();
        let (ok, text) = xmlsec1_verifies(&file);
        assert!(!ok, "xmlsec1 accepts tampered data: {text}");
    }
}

#[test]
fn hozon_verifies_signxml_xades_and_its_tampered_copies_fail() {
    let Some(python) = signxml() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (signer, doc) in [
        ("signer-doctor", "prescription.xml"),
        ("signer-ec", "cda.xml"),
    ] {
        let out_file = dir.path().join(format!("signxml-{signer}-{doc}"));
        let status = Command::new(&python)
            .arg(script())
            .arg("sign")
            .arg(testdata().join("xml").join(doc))
            .arg(&out_file)
            .arg(pki(&format!("{signer}.key")))
            .arg(pki(&format!("{signer}.crt")))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "signxml: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        let signed = std::fs::read(&out_file).unwrap();
        let r = hozon_verify(&signed);
        assert_eq!(
            r.indication,
            Indication::TotalPassed,
            "signxml {signer} {doc}: {r:#?}"
        );
        assert_eq!(r.format, "XAdES");
        assert_eq!(r.level.map(|l| l.as_str()), Some("B-B"));

        let text = String::from_utf8(signed).unwrap();
        // Content.
        let content = text.replacen("山田", "田中", 1);
        assert_eq!(
            hozon_verify(content.as_bytes()).sub_indication,
            Some(SubIndication::HashFailure)
        );
        // SignedProperties (the signing time).
        let i = text.find("<xades:SigningTime>").unwrap() + "<xades:SigningTime>".len();
        let mut props = text.clone();
        props.replace_range(i..i + 4, "1999");
        assert_eq!(
            hozon_verify(props.as_bytes()).sub_indication,
            Some(SubIndication::HashFailure)
        );
        // Certificate: KeyInfo's certificate replaced by another one.
        let other = Cert::read_bundle(&std::fs::read(pki("signer-ec384.crt")).unwrap())
            .unwrap()
            .remove(0);
        let s = text.find("<ds:X509Certificate>").unwrap() + "<ds:X509Certificate>".len();
        let e = text[s..].find("</ds:X509Certificate>").unwrap() + s;
        let mut cert = text.clone();
        use base64::Engine as _;
        cert.replace_range(
            s..e,
            &base64::engine::general_purpose::STANDARD.encode(other.der()),
        );
        let r = hozon_verify(cert.as_bytes());
        assert_ne!(r.indication, Indication::TotalPassed, "{r:#?}");
    }
}

#[test]
fn signxml_verifies_hozons_xades() {
    let Some(python) = signxml() else { return };
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let mut pem = std::fs::read(pki("signing-ca.crt")).unwrap();
    pem.extend(std::fs::read(pki("root-ca.crt")).unwrap());
    std::fs::write(&ca, pem).unwrap();
    // signxml insists on the digitalSignature key usage, which signer-ec has.
    for doc in ["prescription.xml", "cda.xml"] {
        let signed = hozon_sign("signer-ec", &testdata().join("xml").join(doc));
        let file = dir.path().join(format!("hozon-{doc}"));
        std::fs::write(&file, &signed).unwrap();
        let out = Command::new(&python)
            .arg(script())
            .arg("verify")
            .arg(&file)
            .arg(&ca)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success() && text.starts_with("OK 3"),
            "signxml on hozon's {doc}: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tampered = String::from_utf8(signed)
            .unwrap()
            .replacen("山田", "田中", 1);
        std::fs::write(&file, tampered).unwrap();
        let out = Command::new(&python)
            .arg(script())
            .arg("verify")
            .arg(&file)
            .arg(&ca)
            .output()
            .unwrap();
        assert!(!out.status.success(), "signxml accepts tampered data");
    }
}

/// hozon's XAdES raised to B-LT and B-LTA through hozon-ltv's pipeline (a
/// TSA of the test kit on 127.0.0.1).
fn raised(signed: Vec<u8>, target: hozon_ltv::Target, tsa_url: &str) -> Vec<u8> {
    use hozon_ltv::{Augmenter, Profile};
    use hozon_tsp::{TsaClient, TsaConfig};
    let tsa = TsaClient::new(TsaConfig::new(vec![tsa_url.to_owned()])).unwrap();
    let augmenter = Augmenter::new(target, Profile::Etsi, Some(tsa), Some(verifier())).unwrap();
    let mut doc = hozon_xades::augment::XadesDocument::new("oracle.xml", signed, None);
    augmenter.augment("oracle.xml", &mut doc).unwrap();
    doc.into_bytes()
}

#[test]
fn xmlsec1_and_signxml_accept_hozons_b_lt_and_b_lta() {
    let xmlsec1 = tool("xmlsec1", "xmlsec1").is_some();
    let python = signxml();
    if !xmlsec1 && python.is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki_dir = dir.path().join("pki");
    let kit = hozon_testkit::Pki::copy_to(&pki_dir).unwrap();
    let tsa = hozon_testkit::TsaServer::start(&kit, hozon_testkit::TsaMode::Normal).unwrap();
    let ca = dir.path().join("ca.pem");
    let mut pem = std::fs::read(pki("signing-ca.crt")).unwrap();
    pem.extend(std::fs::read(pki("root-ca.crt")).unwrap());
    std::fs::write(&ca, pem).unwrap();
    for (target, level) in [
        (hozon_ltv::Target::Lt, "B-LT"),
        (hozon_ltv::Target::Lta, "B-LTA"),
    ] {
        // signxml insists on the digitalSignature key usage, which signer-ec has.
        let signed = hozon_sign("signer-ec", &testdata().join("xml/prescription.xml"));
        let signed = raised(signed, target, &tsa.url());
        let r = hozon_verify(&signed);
        assert_eq!(r.indication, Indication::TotalPassed, "{level}: {r:#?}");
        // (The levels themselves are checked offline in tests/levels.rs;
        // this verifier brings CRLs from outside the document.)
        let archived = r.timestamps.iter().any(|t| t.kind == "archive");
        assert_eq!(archived, level == "B-LTA", "{r:#?}");
        let file = dir.path().join(format!("hozon-{level}.xml"));
        std::fs::write(&file, &signed).unwrap();
        if xmlsec1 {
            let (ok, text) = xmlsec1_verifies(&file);
            assert!(ok, "xmlsec1 rejects hozon's {level}: {text}");
        }
        if let Some(python) = &python {
            let out = Command::new(python)
                .arg(script())
                .arg("verify")
                .arg(&file)
                .arg(&ca)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                out.status.success() && text.starts_with("OK 3"),
                "signxml on hozon's {level}: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
