//! XAdES B-T, B-LT and B-LTA through the library: hozon-ltv's pipeline over
//! [`hozon_xades::augment::XadesDocument`], validated by the engine through
//! the XAdES adapter. A TSA of the test kit on 127.0.0.1.

use std::path::PathBuf;

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};
use hozon_ltv::{Augmentable, Augmenter, Profile, Target};
use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};
use hozon_verify::{
    AlgorithmPolicy, Code, Indication, SignatureReport, SubIndication, Verifier, VerifierConfig,
};
use hozon_xades::augment::XadesDocument;
use hozon_xades::sign::{sign_detached, sign_enveloped, SignError, SignInput};
use hozon_xades::XmlInput;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

/// Trust anchors and CRLs of the test PKI; `crls` false: none (offline,
/// only what a document carries).
fn verifier(crls: bool) -> Verifier {
    let pki = testdata().join("pki");
    let mut anchors = TrustAnchors::new();
    anchors.add_file(&pki.join("trust.pem")).unwrap();
    let mut set = CrlSet::new();
    if crls {
        for crl in Crl::read_file(&pki.join("crls.pem")).unwrap() {
            set.add(std::sync::Arc::new(crl));
        }
    }
    let now = UnixTime::now();
    Verifier::new(
        ChainValidator::new(anchors, set, RevocationPolicy::Require, now),
        VerifierConfig {
            validation_time: now,
            algorithms: AlgorithmPolicy::default(),
            accept_expired_tsa: false,
            extra_certs: Vec::new(),
        },
    )
}

fn signed_b_b() -> Vec<u8> {
    let pki = testdata().join("pki");
    let cert = Cert::read_bundle(&std::fs::read(pki.join("signer-doctor.crt")).unwrap())
        .unwrap()
        .remove(0);
    let chain = Cert::read_bundle(&std::fs::read(pki.join("chain.pem")).unwrap()).unwrap();
    let key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(pki.join("signer-doctor.key")).unwrap(),
    )
    .unwrap();
    let sign = |m: &[u8]| -> Result<Vec<u8>, SignError> {
        let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key)
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.sign_oneshot_to_vec(m)
            .map_err(|e| SignError::Signer(e.to_string()))
    };
    sign_enveloped(&SignInput {
        document: &std::fs::read(testdata().join("xml/prescription.xml")).unwrap(),
        certificate: &cert,
        chain: &chain,
        algorithm: SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
        signing_time: UnixTime::now(),
        sign: &sign,
    })
    .unwrap()
}

fn tsa() -> (tempfile::TempDir, TsaServer) {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::copy_to(&dir.path().join("pki")).unwrap();
    let server = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    (dir, server)
}

fn raise(doc: Vec<u8>, target: Target, url: &str) -> Vec<u8> {
    let client = TsaClient::new(TsaConfig::new(vec![url.to_owned()])).unwrap();
    let augmenter =
        Augmenter::new(target, Profile::Etsi, Some(client), Some(verifier(true))).unwrap();
    let mut xades = XadesDocument::new("rx.xml", doc, None);
    augmenter.augment("rx.xml", &mut xades).unwrap();
    xades.into_bytes()
}

fn verify_offline(bytes: &[u8]) -> SignatureReport {
    let mut r = hozon_xades::verify(
        &verifier(false),
        XmlInput {
            label: "rx.xml",
            bytes,
            base_dir: None,
        },
    );
    assert_eq!(r.len(), 1, "{r:#?}");
    r.remove(0)
}

#[test]
fn b_t_b_lt_and_b_lta_verify_offline_with_only_the_root() {
    let (_dir, server) = tsa();
    for (target, level, stamps) in [
        (Target::T, "B-T", 1),
        (Target::Lt, "B-LT", 1),
        (Target::Lta, "B-LTA", 2),
    ] {
        let doc = raise(signed_b_b(), target, &server.url());
        let r = if target == Target::T {
            // B-T carries no revocation data: verified with the CRLs.
            hozon_xades::verify(
                &verifier(true),
                XmlInput {
                    label: "rx.xml",
                    bytes: &doc,
                    base_dir: None,
                },
            )
            .remove(0)
        } else {
            verify_offline(&doc)
        };
        assert_eq!(r.indication, Indication::TotalPassed, "{level}: {r:#?}");
        assert_eq!(r.level.map(|l| l.as_str()), Some(level), "{r:#?}");
        assert_eq!(r.timestamps.len(), stamps, "{r:#?}");
    }
}

#[test]
fn a_b_lt_without_its_revocation_values_is_not_b_lt() {
    let (_dir, server) = tsa();
    let doc = String::from_utf8(raise(signed_b_b(), Target::Lt, &server.url())).unwrap();
    let i = doc.find("<xades:RevocationValues").unwrap();
    let j = doc.find("</xades:RevocationValues>").unwrap() + "</xades:RevocationValues>".len();
    let mut stripped = doc.clone();
    stripped.replace_range(i..j, "");
    let r = verify_offline(stripped.as_bytes());
    assert_eq!(r.indication, Indication::Indeterminate, "{r:#?}");
    assert_eq!(r.sub_indication, Some(SubIndication::TryLater), "{r:#?}");
}

#[test]
fn a_second_archive_stamp_covers_the_first_and_both_pass() {
    let (_dir, server) = tsa();
    let once = raise(signed_b_b(), Target::Lta, &server.url());
    let twice = raise(once, Target::Lta, &server.url());
    let r = verify_offline(&twice);
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    let archives: Vec<_> = r
        .timestamps
        .iter()
        .filter(|t| t.kind == "archive")
        .collect();
    assert_eq!(archives.len(), 2, "{r:#?}");
    assert!(archives.iter().all(|t| t.indication == "PASSED"), "{r:#?}");
    // Removing the newer stamp leaves a valid B-LTA; altering what the
    // older one covers (the signature time stamp) breaks both.
    let text = String::from_utf8(twice).unwrap();
    let open = "<xadesv141:ArchiveTimeStamp";
    let last = text.rfind(open).unwrap();
    let end = text[last..].find("</xadesv141:ArchiveTimeStamp>").unwrap()
        + last
        + "</xadesv141:ArchiveTimeStamp>".len();
    let mut first_only = text.clone();
    first_only.replace_range(last..end, "");
    let r = verify_offline(first_only.as_bytes());
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(r.level.map(|l| l.as_str()), Some("B-LTA"));
}

#[test]
fn a_changed_signature_time_stamp_breaks_the_archive_stamp() {
    let (_dir, server) = tsa();
    let doc = String::from_utf8(raise(signed_b_b(), Target::Lta, &server.url())).unwrap();
    // The CanonicalizationMethod of the SignatureTimeStamp changes (its
    // token stays valid over the same SignatureValue).
    let sts = doc.find("<xades:SignatureTimeStamp").unwrap();
    let tampered = format!(
        "{}{}",
        &doc[..sts],
        doc[sts..].replacen(
            "xml-exc-c14n#\"/>",
            "xml-exc-c14n#\"></ds:CanonicalizationMethod>",
            1
        )
    );
    assert_ne!(tampered, doc);
    // An empty element written in two ways is the same XML: no change.
    assert_eq!(
        verify_offline(tampered.as_bytes()).indication,
        Indication::TotalPassed
    );
    let removed = doc
        .replacen("<xades:SignatureTimeStamp", "<xades:SignatureTimeStampX", 1)
        .replacen(
            "</xades:SignatureTimeStamp>",
            "</xades:SignatureTimeStampX>",
            1,
        );
    let r = verify_offline(removed.as_bytes());
    assert_eq!(r.indication, Indication::TotalFailed, "{r:#?}");
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure), "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::TimestampImprintMismatch),
        "{r:#?}"
    );
}

/// `doc` (B-LTA, one archive time stamp) with its
/// `xadesv141:ArchiveTimeStamp` rewritten as the `xades:ArchiveTimeStamp`
/// of TS 101 903 v1.3.2 (XAdES-A): same token, same input, since the
/// signature has no ds:Object but the QualifyingProperties' one.
fn as_v132(doc: &str) -> String {
    let v141 = "<xadesv141:ArchiveTimeStamp xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\" xmlns:xadesv141=\"http://uri.etsi.org/01903/v1.4.1#\"";
    assert_eq!(doc.matches(v141).count(), 1, "{doc}");
    doc.replacen(
        v141,
        "<xades:ArchiveTimeStamp xmlns:xades=\"http://uri.etsi.org/01903/v1.3.2#\"",
        1,
    )
    .replacen(
        "</xadesv141:ArchiveTimeStamp>",
        "</xades:ArchiveTimeStamp>",
        1,
    )
}

#[test]
fn an_archive_stamp_of_the_1_3_2_namespace_is_validated() {
    let (_dir, server) = tsa();
    let doc = String::from_utf8(raise(signed_b_b(), Target::Lta, &server.url())).unwrap();
    let old = as_v132(&doc);
    let r = verify_offline(old.as_bytes());
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    let archive: Vec<_> = r
        .timestamps
        .iter()
        .filter(|t| t.attribute.as_deref() == Some("xades:ArchiveTimeStamp (XAdES 1.3.2)"))
        .collect();
    assert_eq!(archive.len(), 1, "{r:#?}");
    assert_eq!(archive[0].indication, "PASSED", "{r:#?}");
    assert!(
        !r.findings
            .iter()
            .any(|f| f.code == Code::ArchiveTimestampNotValidated),
        "{r:#?}"
    );
}

#[test]
fn a_1_3_2_archive_stamp_over_other_content_is_an_imprint_mismatch() {
    let (_dir, server) = tsa();
    let doc = String::from_utf8(raise(signed_b_b(), Target::Lta, &server.url())).unwrap();
    // An attribute added to the RevocationValues before the stamp: the
    // validation data are the same, the stamped input is not.
    let rv = "<xades:RevocationValues xmlns:xades=";
    assert!(doc.contains(rv), "{doc}");
    let changed = as_v132(&doc).replacen(rv, "<xades:RevocationValues Id=\"rv\" xmlns:xades=", 1);
    let r = verify_offline(changed.as_bytes());
    assert_ne!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::TimestampImprintMismatch),
        "{r:#?}"
    );
}

#[test]
fn a_plain_xml_dsig_signature_is_not_raised() {
    let doc = signed_b_b();
    let text = String::from_utf8(doc).unwrap();
    let i = text.find("<ds:Object>").unwrap();
    let j = text.find("</ds:Object>").unwrap() + "</ds:Object>".len();
    let mut plain = text.clone();
    plain.replace_range(i..j, "");
    let xades = XadesDocument::new("rx.xml", plain.into_bytes(), None);
    let e = xades.signature_timestamp_inputs().unwrap_err();
    assert!(e.to_string().contains("plain XML-DSig"), "{e}");
}

#[test]
fn a_detached_signature_verifies_against_the_file_in_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let content = b"%PDF-1.7 a scan".to_vec();
    std::fs::write(dir.path().join("scan.pdf"), &content).unwrap();
    let pki = testdata().join("pki");
    let cert = Cert::read_bundle(&std::fs::read(pki.join("signer-ec.crt")).unwrap())
        .unwrap()
        .remove(0);
    let chain = Cert::read_bundle(&std::fs::read(pki.join("chain.pem")).unwrap()).unwrap();
    let key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(pki.join("signer-ec.key")).unwrap(),
    )
    .unwrap();
    let sign = |m: &[u8]| -> Result<Vec<u8>, SignError> {
        let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &key)
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.sign_oneshot_to_vec(m)
            .map_err(|e| SignError::Signer(e.to_string()))
    };
    let input = SignInput {
        document: &content,
        certificate: &cert,
        chain: &chain,
        algorithm: SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256),
        signing_time: UnixTime::now(),
        sign: &sign,
    };
    let sig = sign_detached(&input, "scan.pdf", &content).unwrap();
    let verify = |base: Option<&std::path::Path>| {
        hozon_xades::verify(
            &verifier(true),
            XmlInput {
                label: "scan.pdf.xades.xml",
                bytes: &sig,
                base_dir: base,
            },
        )
        .remove(0)
    };
    let r = verify(Some(dir.path()));
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(r.level.map(|l| l.as_str()), Some("B-B"));
    let r = verify(None);
    assert_eq!(
        r.sub_indication,
        Some(SubIndication::SignedDataNotFound),
        "{r:#?}"
    );
    for bad in ["a/b.pdf", "50%.pdf", "x#y", "c:d", ""] {
        assert!(sign_detached(&input, bad, &content).is_err(), "{bad}");
    }
}
