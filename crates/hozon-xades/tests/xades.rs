//! XAdES made by hozon, verified by hozon; one defect per negative test,
//! each asserting the sub-indication.

use std::path::{Path, PathBuf};

use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};
use hozon_pki::{ChainValidator, Crl, CrlSet, RevocationPolicy, TrustAnchors, UnixTime};
use hozon_verify::{
    AlgorithmPolicy, Indication, SignatureReport, SubIndication, Verifier, VerifierConfig,
};
use hozon_xades::sign::{finish, sign_enveloped, SignError, SignInput, DIGEST_HOLE, VALUE_HOLE};
use hozon_xades::XmlInput;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn verifier() -> Verifier {
    let pki = testdata().join("pki");
    let mut anchors = TrustAnchors::new();
    anchors.add_file(&pki.join("trust.pem")).unwrap();
    let mut crls = CrlSet::new();
    for crl in Crl::read_file(&pki.join("crls.pem")).unwrap() {
        crls.add(std::sync::Arc::new(crl));
    }
    let now = UnixTime::now();
    let chains = ChainValidator::new(anchors, crls, RevocationPolicy::Require, now);
    let extra = Cert::read_bundle(&std::fs::read(pki.join("chain.pem")).unwrap()).unwrap();
    Verifier::new(
        chains,
        VerifierConfig {
            validation_time: now,
            algorithms: AlgorithmPolicy::default(),
            accept_expired_tsa: false,
            extra_certs: extra,
        },
    )
}

struct Key {
    cert: Cert,
    key: openssl::pkey::PKey<openssl::pkey::Private>,
    alg: SignatureAlgorithm,
}

fn key(name: &str) -> Key {
    let pki = testdata().join("pki");
    let cert = Cert::read_bundle(&std::fs::read(pki.join(format!("{name}.crt"))).unwrap())
        .unwrap()
        .remove(0);
    let key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(pki.join(format!("{name}.key"))).unwrap(),
    )
    .unwrap();
    let alg = if key.id() == openssl::pkey::Id::EC {
        SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha256)
    } else {
        SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)
    };
    Key { cert, key, alg }
}

fn raw_sign(k: &Key, message: &[u8]) -> Result<Vec<u8>, SignError> {
    let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &k.key)
        .map_err(|e| SignError::Signer(e.to_string()))?;
    s.sign_oneshot_to_vec(message)
        .map_err(|e| SignError::Signer(e.to_string()))
}

fn prescription() -> Vec<u8> {
    std::fs::read(testdata().join("xml/prescription.xml")).unwrap()
}

fn sign_with(k: &Key, doc: &[u8]) -> Vec<u8> {
    let sign = |m: &[u8]| raw_sign(k, m);
    sign_enveloped(&SignInput {
        document: doc,
        certificate: &k.cert,
        chain: &[],
        algorithm: k.alg,
        signing_time: UnixTime::now(),
        sign: &sign,
    })
    .unwrap()
}

/// Edits a signed document into a template (holes for every digest and
/// the value), applies `edit`, and signs it again: a signature that is
/// valid except for the one defect `edit` makes.
fn resign(k: &Key, signed: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
    let text = String::from_utf8(signed.to_vec()).unwrap();
    let id = text
        .split("<ds:Signature ")
        .nth(1)
        .and_then(|s| s.split("Id=\"").nth(1))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let mut t = text.clone();
    // Every DigestValue of SignedInfo and the SignatureValue become holes.
    let si_end = t.find("</ds:SignedInfo>").unwrap();
    let (head, rest) = t.split_at(si_end);
    let mut head = head.to_owned();
    let mut out = String::new();
    while let Some(i) = head.find("<ds:DigestValue>") {
        let j = head[i..].find("</ds:DigestValue>").unwrap() + i;
        out.push_str(&head[..i]);
        out.push_str(&format!("<ds:DigestValue>{DIGEST_HOLE}"));
        head = head[j..].to_owned();
    }
    out.push_str(&head);
    t = out + rest;
    let v = t
        .find(&format!("<ds:SignatureValue Id=\"{id}-value\">"))
        .unwrap();
    let v_start = t[v..].find('>').unwrap() + v + 1;
    let v_end = t[v_start..].find('<').unwrap() + v_start;
    t.replace_range(v_start..v_end, VALUE_HOLE);
    let t = edit(t);
    let sign = |m: &[u8]| raw_sign(k, m);
    finish(
        t.as_bytes(),
        &id,
        &SignInput {
            document: t.as_bytes(),
            certificate: &k.cert,
            chain: &[],
            algorithm: k.alg,
            signing_time: UnixTime::now(),
            sign: &sign,
        },
    )
    .unwrap()
}

fn verify(bytes: &[u8]) -> SignatureReport {
    verify_in(bytes, None)
}

fn verify_in(bytes: &[u8], dir: Option<&Path>) -> SignatureReport {
    let v = verifier();
    let mut reports = hozon_xades::verify(
        &v,
        XmlInput {
            label: "test.xml",
            bytes,
            base_dir: dir,
        },
    );
    assert_eq!(reports.len(), 1, "{reports:#?}");
    reports.remove(0)
}

fn assert_sub(r: &SignatureReport, sub: SubIndication, needle: &str) {
    assert_eq!(r.sub_indication, Some(sub), "{r:#?}");
    assert!(
        r.errors.iter().any(|e| e.contains(needle)),
        "no error with {needle:?}: {r:#?}"
    );
}

#[test]
fn hozon_signed_rsa_prescription_passes_as_xades_b_b() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    let r = verify(&signed);
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert_eq!(r.format, "XAdES");
    assert_eq!(r.level.map(|l| l.as_str()), Some("B-B"));
    assert!(r.claimed_signing_time.is_some());
    assert!(r.signer.as_ref().is_some_and(|s| s.subject.contains("CN=")));
}

#[test]
fn hozon_signed_ecdsa_cda_passes() {
    let k = key("signer-ec");
    let cda = std::fs::read(testdata().join("xml/cda.xml")).unwrap();
    let r = verify(&sign_with(&k, &cda));
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
}

#[test]
fn rsa_pss_signatures_verify() {
    let mut k = key("signer-doctor");
    k.alg = SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha256);
    let pss = |m: &[u8]| -> Result<Vec<u8>, SignError> {
        let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &k.key)
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS)
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::custom(32))
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.set_rsa_mgf1_md(openssl::hash::MessageDigest::sha256())
            .map_err(|e| SignError::Signer(e.to_string()))?;
        s.sign_oneshot_to_vec(m)
            .map_err(|e| SignError::Signer(e.to_string()))
    };
    let signed = sign_enveloped(&SignInput {
        document: &prescription(),
        certificate: &k.cert,
        chain: &[],
        algorithm: k.alg,
        signing_time: UnixTime::now(),
        sign: &pss,
    })
    .unwrap();
    assert!(String::from_utf8_lossy(&signed).contains("sha256-rsa-MGF1"));
    let r = verify(&signed);
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
}

#[test]
fn tampered_data_is_a_hash_failure() {
    let k = key("signer-doctor");
    let signed = String::from_utf8(sign_with(&k, &prescription())).unwrap();
    let tampered = signed.replace("<Days>28</Days>", "<Days>90</Days>");
    assert_ne!(tampered, signed);
    assert_sub(
        &verify(tampered.as_bytes()),
        SubIndication::HashFailure,
        "the whole document",
    );
}

#[test]
fn a_comment_added_to_signed_data_does_not_matter_a_text_change_does() {
    // URI="" removes comments before canonicalisation (XML-DSig 4.4.3.3).
    let k = key("signer-doctor");
    let signed = String::from_utf8(sign_with(&k, &prescription())).unwrap();
    let commented = signed.replace("<Days>28</Days>", "<Days>28<!-- x --></Days>");
    assert_eq!(
        verify(commented.as_bytes()).indication,
        Indication::TotalPassed
    );
    let pi = signed.replace("<Days>28</Days>", "<Days>28<?x y?></Days>");
    assert_sub(&verify(pi.as_bytes()), SubIndication::HashFailure, "digest");
}

#[test]
fn tampered_signed_properties_are_a_hash_failure() {
    let k = key("signer-doctor");
    let signed = String::from_utf8(sign_with(&k, &prescription())).unwrap();
    let t = signed.replace("<xades:MimeType>text/xml<", "<xades:MimeType>text/plain<");
    assert_ne!(t, signed);
    assert_sub(
        &verify(t.as_bytes()),
        SubIndication::HashFailure,
        "SignedProperties",
    );
}

#[test]
fn a_wrong_signing_certificate_digest_finds_no_signing_certificate() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    let other = key("signer-ec").cert;
    let wrong = base64_of(other.sha256());
    let right = base64_of(k.cert.sha256());
    let t = resign(&k, &signed, |t| t.replace(&right, &wrong));
    assert_sub(
        &verify(&t),
        SubIndication::NoSigningCertificateFound,
        "SigningCertificateV2",
    );
}

#[test]
fn a_signed_properties_reference_without_type_is_a_format_failure() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    let t = resign(&k, &signed, |t| {
        t.replace("Type=\"http://uri.etsi.org/01903#SignedProperties\" ", "")
    });
    assert_sub(&verify(&t), SubIndication::FormatFailure, "Type");
}

#[test]
fn an_xslt_transform_is_refused_never_run() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    let t = resign(&k, &signed, |t| {
        // The data reference's c14n transform becomes XSLT, with a digest
        // nobody computed (hozon cannot, and must not).
        let i = t.find("enveloped-signature\"/>").unwrap();
        let mut t = t.clone();
        t.replace_range(
            i..i + "enveloped-signature\"/>".len(),
            "enveloped-signature\"/><ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"><xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\"/></ds:Transform>",
        );
        t.replacen(DIGEST_HOLE, "AAAA", 1)
    });
    assert_sub(
        &verify(&t),
        SubIndication::FormatFailure,
        "XSLT transforms are never run",
    );
}

#[test]
fn an_external_uri_is_refused() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    for uri in [
        "http://127.0.0.1:9/x.xml",
        "file:///etc/passwd",
        "../prescription.xml",
    ] {
        let t = resign(&k, &signed, |t| {
            let t = t.replacen("URI=\"\"", &format!("URI=\"{uri}\""), 1);
            // No transforms on a detached reference; the digest is never computed.
            let i = t.find("<ds:Transforms>").unwrap();
            let j = t.find("</ds:Transforms>").unwrap() + "</ds:Transforms>".len();
            let mut t = t.clone();
            t.replace_range(i..j, "");
            t.replacen(DIGEST_HOLE, "AAAA", 1)
        });
        let dir = testdata().join("xml");
        assert_sub(
            &verify_in(&t, Some(&dir)),
            SubIndication::SignedDataNotFound,
            "refused",
        );
    }
}

#[test]
fn a_detached_file_reference_resolves_under_the_signatures_directory() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scan.pdf"), b"%PDF-1.4 not really").unwrap();
    let t = resign(&k, &signed, |t| {
        let t = t.replacen("URI=\"\"", "URI=\"scan.pdf\"", 1);
        let i = t.find("<ds:Transforms>").unwrap();
        let j = t.find("</ds:Transforms>").unwrap() + "</ds:Transforms>".len();
        let mut t = t.clone();
        t.replace_range(i..j, "");
        let digest = base64_of(&openssl::sha::sha256(b"%PDF-1.4 not really"));
        t.replacen(DIGEST_HOLE, &digest, 1)
    });
    let r = verify_in(&t, Some(dir.path()));
    assert_eq!(r.indication, Indication::TotalPassed, "{r:#?}");
    std::fs::write(dir.path().join("scan.pdf"), b"%PDF-1.4 altered").unwrap();
    assert_sub(
        &verify_in(&t, Some(dir.path())),
        SubIndication::HashFailure,
        "scan.pdf",
    );
    std::fs::remove_file(dir.path().join("scan.pdf")).unwrap();
    assert_sub(
        &verify_in(&t, Some(dir.path())),
        SubIndication::SignedDataNotFound,
        "scan.pdf",
    );
}

#[test]
fn doctype_billion_laughs_and_xxe_are_format_failures() {
    let k = key("signer-doctor");
    let signed = String::from_utf8(sign_with(&k, &prescription())).unwrap();
    for dtd in [
        "<!DOCTYPE PrescriptionDocument [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>",
        "<!DOCTYPE PrescriptionDocument [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>",
        "<!DOCTYPE PrescriptionDocument SYSTEM \"http://127.0.0.1:9/x.dtd\">",
    ] {
        let t = signed.replacen("<PrescriptionDocument ", &format!("{dtd}\n<PrescriptionDocument "), 1);
        let r = verify(t.as_bytes());
        assert_sub(&r, SubIndication::FormatFailure, "document type declaration");
    }
}

#[test]
fn signature_wrapping_with_a_duplicate_id_is_refused() {
    let k = key("signer-doctor");
    let signed = sign_with(&k, &prescription());
    // Sign the prescription data by its Id rather than the whole document.
    let t = resign(&k, &signed, |t| {
        let t = t.replacen("URI=\"\"", "URI=\"#prescription-data\"", 1);
        t.replacen(
            "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>",
            "",
            1,
        )
    });
    assert_eq!(
        verify(&t).indication,
        Indication::TotalPassed,
        "{:#?}",
        verify(&t)
    );
    // The attacker puts a forged copy where the application reads, keeping
    // the signed original elsewhere under the same Id.
    let text = String::from_utf8(t).unwrap();
    let forged = text.replacen(
        "<PrescriptionData Id=\"prescription-data\">",
        "<PrescriptionData Id=\"prescription-data\"><Forged/></PrescriptionData><PrescriptionData Id=\"prescription-data\">",
        1,
    );
    assert_sub(
        &verify(forged.as_bytes()),
        SubIndication::FormatFailure,
        "exactly one",
    );
}

#[test]
fn a_second_signed_properties_with_the_same_id_is_refused() {
    let k = key("signer-doctor");
    let text = String::from_utf8(sign_with(&k, &prescription())).unwrap();
    let id = text
        .split("-signedprops\"")
        .next()
        .unwrap()
        .rsplit('"')
        .next()
        .unwrap()
        .trim_start_matches('#')
        .to_owned();
    let forged = text.replacen(
        "</PrescriptionData>",
        &format!("</PrescriptionData><x:SignedProperties xmlns:x=\"http://uri.etsi.org/01903/v1.3.2#\" Id=\"{id}-signedprops\"/>"),
        1,
    );
    assert_sub(
        &verify(forged.as_bytes()),
        SubIndication::FormatFailure,
        "exactly one",
    );
}

#[test]
fn an_untrusted_signer_has_no_chain() {
    let k = key("signer-untrusted");
    let r = verify(&sign_with(&k, &prescription()));
    assert_eq!(
        r.sub_indication,
        Some(SubIndication::NoCertificateChainFound),
        "{r:#?}"
    );
}

#[test]
fn a_revoked_signer_is_not_passed() {
    let k = key("signer-revoked");
    let r = verify(&sign_with(&k, &prescription()));
    assert_ne!(r.indication, Indication::TotalPassed, "{r:#?}");
    assert!(
        matches!(
            r.sub_indication,
            Some(SubIndication::Revoked | SubIndication::RevokedNoPoe)
        ),
        "{r:#?}"
    );
}

#[test]
fn the_signature_value_is_checked() {
    let k = key("signer-doctor");
    let signed = String::from_utf8(sign_with(&k, &prescription())).unwrap();
    let v = signed.find("-value\">").unwrap() + "-value\">".len();
    let mut t = signed.clone();
    let c = if &t[v + 3..v + 4] == "A" { "B" } else { "A" };
    t.replace_range(v + 3..v + 4, c);
    assert_sub(
        &verify(t.as_bytes()),
        SubIndication::SigCryptoFailure,
        "SignatureValue",
    );
}

#[test]
fn a_document_that_is_not_xml_is_a_format_failure() {
    let r = verify(b"<a><b></a>");
    assert_sub(&r, SubIndication::FormatFailure, "not well-formed");
    let r = verify(b"<a/>");
    assert_sub(&r, SubIndication::FormatFailure, "no ds:Signature");
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
