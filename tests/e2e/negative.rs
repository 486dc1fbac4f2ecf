//! Negative cases: every way a signature can be wrong must give exactly the
//! documented indication, sub-indication and exit status, never
//! TOTAL_PASSED. Also the signer's refusals (bad keys, passwords,
//! certificates).

use hozon_cms::asn1::der::asn1::{ObjectIdentifier, OctetString, UtcTime};
use hozon_cms::asn1::x509_cert::serial_number::SerialNumber;
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::attributes::single_valued;
use hozon_cms::oid::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_TIME,
};
use hozon_cms::signing_certificate::SigningCertificateV2;
use hozon_cms::DigestAlgorithm;

use crate::util::{
    code, describe, edit_signed_attrs, edit_signer_info, flip_byte, load_sd, read_cert, resign,
    save_sd, sign_in_process, stderr, substitute_certificate, system_time, Env, CRLS,
};

// ---------------------------------------------------------------------------
// Content and signature value tampering
// ---------------------------------------------------------------------------

#[test]
fn flipped_content_byte_is_hash_failure() {
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc("a.pdf", "signer-doctor", &[]);
    for offset in [0, 517, -1] {
        flip_byte(&env.path("a.pdf"), offset);
        let v = env.verify_crl(&["a.pdf.p7s"]);
        let s = v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
        assert_eq!(s.content.as_deref(), Some("a.pdf"));
        flip_byte(&env.path("a.pdf"), offset); // restore
    }
    // Restored: genuine again (proves the flips were the only change).
    env.verify_crl(&["a.pdf.p7s"])
        .expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
}

#[test]
fn appended_or_truncated_content_is_hash_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-ec", &[]);
    let original = env.read("a.txt");
    let mut longer = original.clone();
    longer.push(b'\n');
    env.write("a.txt", &longer);
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
    env.write("a.txt", &original[..original.len() - 1]);
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
    env.write("a.txt", b"");
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn other_document_given_with_content_is_hash_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.copy_doc("discharge-summary.xml", "b.xml");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let v = env.verify(&["a.txt.p7s"], &["--crl", CRLS, "--content", "b.xml"]);
    let s = v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert_eq!(s.content.as_deref(), Some("b.xml"));
    // The right one through --content passes.
    let v = env.verify(&["a.txt.p7s"], &["--crl", CRLS, "--content", "a.txt"]);
    v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn flipped_signature_value_is_sig_crypto_failure() {
    for signer in ["signer-doctor", "signer-ec"] {
        let env = Env::new();
        env.copy_doc("referral-letter.txt", "a.txt");
        env.sign_doc("a.txt", signer, &[]);
        let mut sd = load_sd(&env.path("a.txt.p7s"));
        edit_signer_info(&mut sd, |si| {
            let mut value = si.signature.as_bytes().to_vec();
            let mid = value.len() / 2;
            value[mid] ^= 0x01;
            si.signature = OctetString::new(value).unwrap();
        });
        save_sd(&env.path("a.txt.p7s"), &sd);
        let v = env.verify_crl(&["a.txt.p7s"]);
        v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
        let (ok, log) = env.openssl_verify("a.txt.p7s", Some("a.txt"));
        assert!(!ok, "{signer}: OpenSSL accepts it: {log}");
    }
}

/// Regression (adversarial corpus, flip-signerinfo-field-0): the SignerInfo
/// version is not signed, and a version that contradicts the signer
/// identifier (RFC 5652 5.3: 1 for issuerAndSerialNumber, 3 for
/// subjectKeyIdentifier) passed unnoticed.
#[test]
fn signer_info_version_contradicting_its_sid_is_format_failure() {
    use hozon_cms::asn1::cms::content_info::CmsVersion;
    for version in [CmsVersion::V0, CmsVersion::V3] {
        let env = Env::new();
        env.copy_doc("referral-letter.txt", "a.txt");
        env.sign_doc("a.txt", "signer-doctor", &[]);
        let mut sd = load_sd(&env.path("a.txt.p7s"));
        edit_signer_info(&mut sd, |si| si.version = version);
        save_sd(&env.path("a.txt.p7s"), &sd);
        let v = env.verify_crl(&["a.txt.p7s"]);
        v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
    }
    // A subjectKeyIdentifier signer (version 3) made by OpenSSL still passes.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-doctor", "a.txt.p7s", &["-keyid", "-cades"]);
    env.verify_crl(&["a.txt.p7s"])
        .expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn flipped_byte_in_the_signature_file_is_never_passed() {
    // Flip bytes in the SignerInfo signature value directly in the file
    // (last bytes of a DER signature file are the signature value).
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    for offset in [-1, -100] {
        let pristine = env.read("a.txt.p7s");
        flip_byte(&env.path("a.txt.p7s"), offset);
        let v = env.verify_crl(&["a.txt.p7s"]);
        v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
        env.write("a.txt.p7s", pristine);
    }
}

#[test]
fn altered_signed_attribute_is_sig_crypto_failure() {
    // Change the signing-time without re-signing: the signature value no
    // longer covers the signed attributes.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    edit_signer_info(&mut sd, |si| {
        edit_signed_attrs(si, |attrs| {
            let t = Time::UtcTime(
                UtcTime::from_system_time(system_time("2026-01-01T00:00:00Z")).unwrap(),
            );
            let i = attrs.iter().position(|a| a.oid == ID_SIGNING_TIME).unwrap();
            attrs[i] = single_valued(ID_SIGNING_TIME, &t).unwrap();
        });
    });
    save_sd(&env.path("a.txt.p7s"), &sd);
    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
    assert_eq!(
        s.claimed_signing_time.as_deref(),
        Some("2026-01-01T00:00:00Z")
    );
}

// ---------------------------------------------------------------------------
// Signing-certificate binding
// ---------------------------------------------------------------------------

/// A second certificate for the doctor's key, issued by signing-ca at test
/// time with the openssl CLI: `pki/substitute.crt`.
fn make_substitute_certificate(env: &Env) {
    env.write(
        "pki/substitute.ext",
        "keyUsage=critical,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n",
    );
    env.openssl_ok(&[
        "req",
        "-new",
        "-key",
        "pki/signer-doctor.key",
        "-subj",
        "/C=JP/O=Evil/CN=Substitute",
        "-out",
        "pki/substitute.csr",
    ]);
    env.openssl_ok(&[
        "x509",
        "-req",
        "-in",
        "pki/substitute.csr",
        "-CA",
        "pki/signing-ca.crt",
        "-CAkey",
        "pki/signing-ca.key",
        "-set_serial",
        "0x7777",
        "-days",
        "365",
        "-extfile",
        "pki/substitute.ext",
        "-out",
        "pki/substitute.crt",
    ]);
}

#[test]
fn certificate_substitution_is_no_signing_certificate_found() {
    let env = Env::new();
    make_substitute_certificate(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let substitute = read_cert(&env.path("pki/substitute.crt"));
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    substitute_certificate(&mut sd, &substitute, false);
    save_sd(&env.path("a.txt.p7s"), &sd);

    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    // The verifier found the substitute (same key: the value verifies), and
    // only the signing-certificate-v2 binding caught it.
    let who = s.signer.as_ref().unwrap();
    assert_eq!(who.subject, "CN=Substitute,O=Evil,C=JP");
    assert_eq!(who.serial, "7777");
    assert_eq!(s.errors.len(), 1, "{:?}", s.errors);
}

#[test]
fn certificate_substitution_with_original_still_embedded() {
    let env = Env::new();
    make_substitute_certificate(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let substitute = read_cert(&env.path("pki/substitute.crt"));
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    substitute_certificate(&mut sd, &substitute, true);
    save_sd(&env.path("a.txt.p7s"), &sd);
    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    assert_eq!(
        s.signer.as_ref().unwrap().subject,
        "CN=Substitute,O=Evil,C=JP"
    );
}

#[test]
fn certificate_with_another_key_is_sig_crypto_failure() {
    // The SignerInfo is made to name signer-ec's certificate: the signature
    // value cannot verify with that key.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let other = read_cert(&env.path("pki/signer-ec.crt"));
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    substitute_certificate(&mut sd, &other, false);
    save_sd(&env.path("a.txt.p7s"), &sd);
    env.verify_crl(&["a.txt.p7s"]).expect(
        1,
        "a.txt.p7s",
        "TOTAL_FAILED",
        Some("SIG_CRYPTO_FAILURE"),
    );
}

/// Signs a.txt with hozon, then replaces the signed attributes with
/// `edit`'s result and re-signs them correctly with the doctor's key.
fn resigned(env: &Env, edit: impl FnOnce(&mut Vec<hozon_cms::asn1::x509_cert::attr::Attribute>)) {
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    edit_signer_info(&mut sd, |si| {
        edit_signed_attrs(si, edit);
        resign(si, &env.path("pki/signer-doctor.key"));
    });
    save_sd(&env.path("a.txt.p7s"), &sd);
}

fn replace_attr(
    attrs: &mut [hozon_cms::asn1::x509_cert::attr::Attribute],
    attr: hozon_cms::asn1::x509_cert::attr::Attribute,
) {
    let i = attrs
        .iter()
        .position(|a| a.oid == attr.oid)
        .expect("attribute to replace");
    attrs[i] = attr;
}

#[test]
fn resigning_unchanged_attributes_passes() {
    // Control for the crafted cases below: the re-signing itself is sound.
    let env = Env::new();
    resigned(&env, |_| {});
    let (ok, log) = env.openssl_verify("a.txt.p7s", Some("a.txt"));
    assert!(ok, "{log}");
    env.verify_crl(&["a.txt.p7s"])
        .expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn ess_cert_hash_of_another_certificate_is_no_signing_certificate_found() {
    let env = Env::new();
    let other = read_cert(&env.path("pki/signer-ec.crt"));
    let wrong =
        SigningCertificateV2::for_certificate(other.parsed(), other.der(), DigestAlgorithm::Sha256)
            .unwrap();
    resigned(&env, |attrs| {
        replace_attr(
            attrs,
            single_valued(ID_AA_SIGNING_CERTIFICATE_V_2, &wrong).unwrap(),
        );
    });
    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    assert_eq!(
        s.signer.as_ref().unwrap().subject,
        "CN=山田 太郎,O=hozon Test Hospital,C=JP"
    );
}

#[test]
fn ess_wrong_issuer_serial_is_no_signing_certificate_found() {
    // certHash right, issuerSerial naming another serial.
    let env = Env::new();
    let doctor = read_cert(&env.path("pki/signer-doctor.crt"));
    let mut sc = SigningCertificateV2::for_certificate(
        doctor.parsed(),
        doctor.der(),
        DigestAlgorithm::Sha256,
    )
    .unwrap();
    sc.certs[0].issuer_serial.as_mut().unwrap().serial_number =
        SerialNumber::new(&[0x12, 0x34]).unwrap();
    resigned(&env, |attrs| {
        replace_attr(
            attrs,
            single_valued(ID_AA_SIGNING_CERTIFICATE_V_2, &sc).unwrap(),
        );
    });
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
}

#[test]
fn ess_with_sha512_cert_hash_passes() {
    // Positive control: a non-default hashAlgorithm in ESSCertIDv2.
    let env = Env::new();
    let doctor = read_cert(&env.path("pki/signer-doctor.crt"));
    let sc = SigningCertificateV2::for_certificate(
        doctor.parsed(),
        doctor.der(),
        DigestAlgorithm::Sha512,
    )
    .unwrap();
    assert!(sc.certs[0].hash_algorithm.is_some());
    resigned(&env, |attrs| {
        replace_attr(
            attrs,
            single_valued(ID_AA_SIGNING_CERTIFICATE_V_2, &sc).unwrap(),
        );
    });
    env.verify_crl(&["a.txt.p7s"])
        .expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn removed_ess_attribute_is_cms_without_signing_certificate() {
    let env = Env::new();
    resigned(&env, |attrs| {
        attrs.retain(|a| a.oid != ID_AA_SIGNING_CERTIFICATE_V_2);
    });
    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    assert_eq!(s.format, "CMS");
}

#[test]
fn signer_certificate_missing_from_signature() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign(
        "a.txt",
        "signer-doctor",
        "a.txt.p7s",
        &["-cades", "-nocerts"],
    );
    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    assert!(s.signer.is_none(), "{s:?}");
}

// ---------------------------------------------------------------------------
// Structure of the signed attributes
// ---------------------------------------------------------------------------

#[test]
fn content_type_attribute_mismatch_is_format_failure() {
    let env = Env::new();
    resigned(&env, |attrs| {
        replace_attr(
            attrs,
            single_valued(ID_CONTENT_TYPE, &ID_SIGNED_DATA).unwrap(),
        );
    });
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
}

#[test]
fn missing_message_digest_is_format_failure() {
    let env = Env::new();
    resigned(&env, |attrs| attrs.retain(|a| a.oid != ID_MESSAGE_DIGEST));
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
}

#[test]
fn duplicate_message_digest_is_format_failure() {
    // A second message-digest attribute (over other content): a verifier
    // must not pick whichever matches.
    let env = Env::new();
    let other = OctetString::new(vec![0xAB; 32]).unwrap();
    resigned(&env, |attrs| {
        attrs.push(single_valued(ID_MESSAGE_DIGEST, &other).unwrap());
    });
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
}

#[test]
fn signed_but_wrong_message_digest_is_hash_failure() {
    let env = Env::new();
    let zeros = OctetString::new(vec![0u8; 32]).unwrap();
    resigned(&env, |attrs| {
        replace_attr(attrs, single_valued(ID_MESSAGE_DIGEST, &zeros).unwrap());
    });
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn no_signer_info_is_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    sd.signer_infos = hozon_cms::asn1::cms::signed_data::SignerInfos::try_from(Vec::new()).unwrap();
    save_sd(&env.path("a.txt.p7s"), &sd);
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("FORMAT_FAILURE"));
}

#[test]
fn unknown_digest_algorithm_is_crypto_constraints_failure() {
    // GOST R 34.11-2012 (256) is not an algorithm hozon implements: it
    // cannot be checked against the algorithm constraints (EN 319 102-1
    // §5.2.8). (SHA3-256 is known since issue 15.)
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    edit_signer_info(&mut sd, |si| {
        si.digest_alg.oid = ObjectIdentifier::new_unwrap("1.2.643.7.1.1.2.2");
    });
    save_sd(&env.path("a.txt.p7s"), &sd);
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE"),
    );
}

// ---------------------------------------------------------------------------
// Malformed files
// ---------------------------------------------------------------------------

fn format_failure(env: &Env, file: &str, bytes: &[u8]) {
    env.write(file, bytes);
    let v = env.verify_crl(&[file]);
    let s = v.expect(1, file, "TOTAL_FAILED", Some("FORMAT_FAILURE"));
    assert!(s.signer.is_none());
}

#[test]
fn truncated_signature_is_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let full = env.read("a.txt.p7s");
    for len in [full.len() - 1, full.len() / 2, 10] {
        format_failure(&env, "a.txt.p7s", &full[..len]);
    }
}

#[test]
fn random_bytes_are_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    // Deterministic pseudo-random bytes (xorshift), 4 KiB.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect();
    format_failure(&env, "a.txt.p7s", &bytes);
    // Starting like a SEQUENCE does not help.
    let mut seq = bytes.clone();
    seq[0] = 0x30;
    seq[1] = 0x82;
    format_failure(&env, "a.txt.p7s", &seq);
}

#[test]
fn zero_length_signature_is_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    format_failure(&env, "a.txt.p7s", b"");
}

#[test]
fn one_byte_signature_is_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    format_failure(&env, "a.txt.p7s", b"\x30");
}

#[test]
fn pem_armour_with_garbage_is_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    format_failure(
        &env,
        "a.txt.p7s",
        b"-----BEGIN CMS-----\n!!!not base64!!!\n-----END CMS-----\n",
    );
}

#[test]
fn certificate_instead_of_signature_is_format_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let der = read_cert(&env.path("pki/signer-doctor.crt")).der().to_vec();
    format_failure(&env, "a.txt.p7s", &der);
}

#[test]
fn missing_detached_content_is_signed_data_not_found() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    std::fs::remove_file(env.path("a.txt")).unwrap();
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("SIGNED_DATA_NOT_FOUND"),
    );
}

#[test]
fn detached_signature_named_p7m_is_signed_data_not_found() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    std::fs::rename(env.path("a.txt.p7s"), env.path("a.txt.p7m")).unwrap();
    env.verify_crl(&["a.txt.p7m"]).expect(
        3,
        "a.txt.p7m",
        "INDETERMINATE",
        Some("SIGNED_DATA_NOT_FOUND"),
    );
}

// ---------------------------------------------------------------------------
// Certificates and trust
// ---------------------------------------------------------------------------

#[test]
fn untrusted_signer_is_no_certificate_chain_found() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-untrusted", "a.txt.p7s", &["-cades"]);
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_CERTIFICATE_CHAIN_FOUND"),
    );
    // Embedding its own root in the signature does not make it trusted.
    env.openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "a.txt",
        "-signer",
        "pki/signer-untrusted.crt",
        "-inkey",
        "pki/signer-untrusted.key",
        "-certfile",
        "pki/untrusted-root.crt",
        "-outform",
        "DER",
        "-out",
        "a.txt.p7s",
    ]);
    env.verify(
        &["a.txt.p7s"],
        &["--crl", CRLS, "--crl", "pki/untrusted-root.crl.pem"],
    )
    .expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_CERTIFICATE_CHAIN_FOUND"),
    );
}

#[test]
fn missing_intermediate_is_no_certificate_chain_found() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        // Without its chain the signer's revocation cannot be checked.
        "--revocation",
        "best-effort",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_CERTIFICATE_CHAIN_FOUND"),
    );
}

#[test]
fn expired_signer_is_out_of_bounds_no_poe() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-expired", "a.txt.p7s", &["-cades"]);
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
}

#[test]
fn expired_signer_passes_when_validated_inside_its_validity() {
    // Same key and certificate, signing-time 2024-10-01, validated at
    // 2024-10-02 (inside 2024-07-01..2025-01-01).
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-expired", "a.txt.p7s", &["-cades"]);
    let mut sd = load_sd(&env.path("a.txt.p7s"));
    edit_signer_info(&mut sd, |si| {
        edit_signed_attrs(si, |attrs| {
            let t = Time::UtcTime(
                UtcTime::from_system_time(system_time("2024-10-01T00:00:00Z")).unwrap(),
            );
            replace_attr(attrs, single_valued(ID_SIGNING_TIME, &t).unwrap());
        });
        resign(si, &env.path("pki/signer-expired.key"));
    });
    save_sd(&env.path("a.txt.p7s"), &sd);
    let v = env.verify(
        &["a.txt.p7s"],
        &["--crl", CRLS, "--at", "2024-10-02T00:00:00Z"],
    );
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(
        s.claimed_signing_time.as_deref(),
        Some("2024-10-01T00:00:00Z")
    );
    // And at the current time it is still OUT_OF_BOUNDS_NO_POE.
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
}

#[test]
fn not_yet_valid_signer_is_not_yet_valid() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-notyet", "a.txt.p7s", &["-cades"]);
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("NOT_YET_VALID"));
}

#[test]
fn revoked_signer_with_crl_is_revoked() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-revoked", "a.txt.p7s", &["-cades"]);
    env.verify_crl(&["a.txt.p7s"])
        .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("REVOKED"));
    // A DER CRL file works the same.
    env.verify(
        &["a.txt.p7s"],
        &["--crl", "pki/signing-ca.crl", "--crl", "pki/root-ca.crl"],
    )
    .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("REVOKED"));
    // best-effort does not soften a known revocation.
    env.verify(
        &["a.txt.p7s"],
        &["--crl", CRLS, "--revocation", "best-effort"],
    )
    .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("REVOKED"));
}

#[test]
fn revoked_signer_without_crl_is_try_later() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-revoked", "a.txt.p7s", &["-cades"]);
    env.verify(&["a.txt.p7s"], &[])
        .expect(3, "a.txt.p7s", "INDETERMINATE", Some("TRY_LATER"));
}

#[test]
fn revoked_signer_with_revocation_skip_passes_with_a_warning() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-revoked", "a.txt.p7s", &["-cades"]);
    let v = env.verify(&["a.txt.p7s"], &["--revocation", "skip"]);
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.to_lowercase().contains("revocation")),
        "no warning about revocation: {:?}",
        s.warnings
    );
}

#[test]
fn revoked_signer_claiming_an_earlier_signing_time_is_revoked_no_poe() {
    // signing-time 2025-02-01, before the revocation (made when the test PKI
    // was generated): without proof of existence the verdict is open.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = sign_in_process(
        &env,
        "signer-revoked",
        "a.txt",
        None,
        Some(system_time("2025-02-01T00:00:00Z")),
    );
    env.write("a.txt.p7s", sig);
    env.verify_crl(&["a.txt.p7s"])
        .expect(3, "a.txt.p7s", "INDETERMINATE", Some("REVOKED_NO_POE"));
}

#[test]
fn stale_crl_is_try_later() {
    // The CRLs' nextUpdate is 2059-01-01; the doctor's certificate is valid
    // until 2060.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    env.verify(
        &["a.txt.p7s"],
        &[
            "--crl",
            CRLS,
            "--crypto-policy",
            crate::util::NO_RSA_SUNSET,
            "--at",
            "2059-06-01T00:00:00Z",
        ],
    )
    .expect(3, "a.txt.p7s", "INDETERMINATE", Some("TRY_LATER"));
}

#[test]
fn rsa1024_signer_is_crypto_constraints_failure_no_poe() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-rsa1024", "a.txt.p7s", &["-cades"]);
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
    );
}

#[test]
fn sha1_openssl_signature_is_crypto_constraints_failure_no_poe() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign(
        "a.txt",
        "signer-doctor",
        "a.txt.p7s",
        &["-cades", "-md", "sha1"],
    );
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
    );
}

#[test]
fn sha1_and_md5_in_process_signatures_are_crypto_constraints_failure_no_poe() {
    for digest in [DigestAlgorithm::Sha1, DigestAlgorithm::Md5] {
        let env = Env::new();
        env.copy_doc("referral-letter.txt", "a.txt");
        let sig = sign_in_process(&env, "signer-doctor", "a.txt", Some(digest), None);
        env.write("a.txt.p7s", sig);
        let sd = load_sd(&env.path("a.txt.p7s"));
        assert_eq!(sd.signer_infos.0.as_slice()[0].digest_alg.oid, digest.oid());
        env.verify_crl(&["a.txt.p7s"]).expect(
            3,
            "a.txt.p7s",
            "INDETERMINATE",
            Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
        );
    }
}

#[test]
fn wrong_key_usage_is_chain_constraints_failure() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-nokeyusage-wrong", "a.txt.p7s", &["-cades"]);
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("CHAIN_CONSTRAINTS_FAILURE"),
    );
}

#[test]
fn two_signers_one_revoked() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "a.txt",
        "-signer",
        "pki/signer-doctor.crt",
        "-inkey",
        "pki/signer-doctor.key",
        "-signer",
        "pki/signer-revoked.crt",
        "-inkey",
        "pki/signer-revoked.key",
        "-certfile",
        "pki/chain.pem",
        "-outform",
        "DER",
        "-out",
        "a.txt.p7s",
    ]);
    let v = env.verify_crl(&["a.txt.p7s"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert_eq!(v.report.signatures.len(), 2);
    for s in &v.report.signatures {
        let subject = &s.signer.as_ref().unwrap().subject;
        if subject.starts_with("CN=Revoked Signer") {
            crate::util::assert_verdict(s, "TOTAL_FAILED", Some("REVOKED"), &v.stdout);
        } else {
            crate::util::assert_verdict(s, "TOTAL_PASSED", None, &v.stdout);
        }
    }
    crate::util::check_summary(&v.report);
}

// ---------------------------------------------------------------------------
// The signer's refusals
// ---------------------------------------------------------------------------

/// Asserts a refused `hozon sign`: exit 4, a `hozon: ` message naming
/// `names`, and no signature written.
fn assert_refused(env: &Env, out: &std::process::Output, names: &[&str]) {
    assert_eq!(code(out), 4, "{}", describe(out));
    let err = stderr(out);
    assert!(err.starts_with("hozon: "), "{err}");
    for n in names {
        assert!(err.contains(n), "stderr does not mention {n:?}: {err}");
    }
    let leftovers: Vec<_> = std::fs::read_dir(env.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".p7s") || n.ends_with(".p7m") || n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "files written: {leftovers:?}");
}

#[test]
fn pkcs12_with_wrong_password_file() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.write("wrong.pass", "not-the-password\n");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--pkcs12",
        "pki/signer-doctor.p12",
        "--pass-file",
        "wrong.pass",
    ]);
    assert_refused(&env, &out, &["pki/signer-doctor.p12", "wrong password"]);
}

#[test]
fn encrypted_pem_with_wrong_password_env() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon_env(
        &[
            "sign",
            "a.txt",
            "--key",
            "pki/signer-doctor-pass.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--pass-env",
            "HOZON_E2E_WRONG",
        ],
        &[("HOZON_E2E_WRONG", "hozon-test-pass-not")],
    );
    assert_refused(
        &env,
        &out,
        &["pki/signer-doctor-pass.key", "wrong password"],
    );
}

#[test]
fn encrypted_pem_without_any_password_source() {
    // stdin is not a terminal: no prompt, a clear error, exit 4.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-doctor-pass.key",
        "--cert",
        "pki/signer-doctor.crt",
    ]);
    assert_refused(&env, &out, &["password"]);
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-doctor-pass.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--pass-env",
        "HOZON_E2E_SURELY_UNSET",
    ]);
    assert_refused(&env, &out, &["HOZON_E2E_SURELY_UNSET"]);
}

#[test]
fn enveloping_signature_does_not_vouch_for_another_document() {
    // The doctor's enveloping signature over the referral letter, copied
    // beside a forged document as forged.txt.p7s. The contract makes
    // forged.txt the content of forged.txt.p7s; it is not what was signed,
    // so the verdict must not be TOTAL_PASSED (the message digest does not
    // match it).
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &["--enveloping"]);
    env.copy_doc("discharge-summary.xml", "forged.txt");
    std::fs::copy(env.path("a.txt.p7m"), env.path("forged.txt.p7s")).unwrap();
    // Control: as an enveloping .p7m it is genuine.
    env.verify_crl(&["a.txt.p7m"])
        .expect(0, "a.txt.p7m", "TOTAL_PASSED", None);
    env.verify_crl(&["forged.txt.p7s"]).expect(
        1,
        "forged.txt.p7s",
        "TOTAL_FAILED",
        Some("HASH_FAILURE"),
    );
    // Naming the forged document explicitly changes nothing.
    env.verify(
        &["forged.txt.p7s"],
        &["--crl", CRLS, "--content", "forged.txt"],
    )
    .expect(1, "forged.txt.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn missing_password_file_or_bad_certificate_file() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--pkcs12",
        "pki/signer-doctor.p12",
        "--pass-file",
        "pki/no-such.pass",
    ]);
    assert_refused(&env, &out, &["pki/no-such.pass"]);
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.key",
    ]);
    assert_refused(&env, &out, &["pki/signer-doctor.key"]);
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--pkcs12",
        "pki/signer-doctor.crt",
        "--pass-file",
        "pki/signer-doctor.p12.pass",
    ]);
    assert_refused(&env, &out, &["pki/signer-doctor.crt"]);
}

#[test]
fn missing_key_file() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/no-such.key",
        "--cert",
        "pki/signer-doctor.crt",
    ]);
    assert_refused(&env, &out, &["pki/no-such.key"]);
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--pkcs12",
        "pki/no-such.p12",
        "--pass-file",
        "pki/signer-doctor.p12.pass",
    ]);
    assert_refused(&env, &out, &["pki/no-such.p12"]);
}

#[test]
fn key_not_matching_certificate() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-ec.key",
        "--cert",
        "pki/signer-doctor.crt",
    ]);
    assert_refused(&env, &out, &["山田 太郎"]);
}

#[test]
fn signer_refuses_unusable_certificates() {
    for (signer, why) in [
        ("signer-expired", "expired"),
        ("signer-notyet", "not valid before"),
        ("signer-rsa1024", "1024"),
        ("signer-nokeyusage-wrong", "keyUsage"),
    ] {
        let env = Env::new();
        env.copy_doc("referral-letter.txt", "a.txt");
        let out = env.hozon(&[
            "sign",
            "a.txt",
            "--key",
            &format!("pki/{signer}.key"),
            "--cert",
            &format!("pki/{signer}.crt"),
            "--chain",
            "pki/chain.pem",
        ]);
        assert_refused(&env, &out, &[why]);
    }
}

// ---------------------------------------------------------------------------
// Revocation data crafted at test time (openssl ca -gencrl)
// ---------------------------------------------------------------------------

/// Issues a CRL signed by `cert`/`key` listing `revoked` (serial hex,
/// revocation date YYMMDDHHMMSSZ) into `out`; `extra` goes to `openssl ca`
/// (e.g. -crl_lastupdate). With `v2` the CRL carries a CRL number (and so
/// is version 2, as RFC 5280 requires); without, an empty list makes a
/// version 1 CRL.
pub fn make_crl(
    env: &Env,
    (cert, key): (&str, &str),
    revoked: &[(&str, &str)],
    extra: &[&str],
    out: &str,
    v2: bool,
) {
    let dir = format!("ca-{out}");
    let number = if v2 {
        format!("crlnumber = {dir}/crlnumber\n")
    } else {
        String::new()
    };
    env.write(
        &format!("{dir}/ca.cnf"),
        format!(
            "[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = {dir}/index.txt\n{number}default_md = sha256\ndefault_crl_days = 30\n"
        ),
    );
    env.write(&format!("{dir}/crlnumber"), "1000\n");
    let index: String = revoked
        .iter()
        .map(|(serial, date)| {
            format!("R\t491231235959Z\t{date},keyCompromise\t{serial}\tunknown\t/CN=revoked\n")
        })
        .collect();
    env.write(&format!("{dir}/index.txt"), index);
    let cnf = format!("{dir}/ca.cnf");
    let mut args = vec![
        "ca", "-gencrl", "-config", &cnf, "-cert", cert, "-keyfile", key, "-out", out,
    ];
    args.extend_from_slice(extra);
    env.openssl_ok(&args);
}

/// Upper-case hex serial of a PEM certificate, as `openssl x509 -serial`.
fn serial_of(env: &Env, cert: &str) -> String {
    let out = env.openssl_ok(&["x509", "-in", cert, "-noout", "-serial"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .strip_prefix("serial=")
        .unwrap()
        .to_owned()
}

#[test]
fn revoked_intermediate_is_revoked_ca_no_poe() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let ca_serial = serial_of(&env, "pki/signing-ca.crt");
    make_crl(
        &env,
        ("pki/root-ca.crt", "pki/root-ca.key"),
        &[(&ca_serial, "260101000000Z")],
        &[],
        "root-revokes-ca.crl",
        true,
    );
    env.verify(
        &["a.txt.p7s"],
        &[
            "--crl",
            "pki/signing-ca.crl",
            "--crl",
            "root-revokes-ca.crl",
        ],
    )
    .expect(3, "a.txt.p7s", "INDETERMINATE", Some("REVOKED_CA_NO_POE"));
}

#[test]
fn forged_crl_is_not_trusted() {
    // A CRL with signing-ca's exact name, newer, listing nothing, but signed
    // by another key (a self-signed twin of signing-ca on the untrusted key).
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-revoked", "a.txt.p7s", &["-cades"]);
    env.openssl_ok(&[
        "x509",
        "-in",
        "pki/signing-ca.crt",
        "-signkey",
        "pki/untrusted-root.key",
        "-out",
        "twin-ca.crt",
    ]);
    make_crl(
        &env,
        ("twin-ca.crt", "pki/untrusted-root.key"),
        &[],
        &[],
        "forged.crl",
        true,
    );
    // With the genuine CRL as well, in either order: still REVOKED.
    for crls in [["forged.crl", CRLS], [CRLS, "forged.crl"]] {
        env.verify(&["a.txt.p7s"], &["--crl", crls[0], "--crl", crls[1]])
            .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("REVOKED"));
    }
    // With only the forged one for signing-ca: no usable CRL.
    env.verify(
        &["a.txt.p7s"],
        &["--crl", "forged.crl", "--crl", "pki/root-ca.crl"],
    )
    .expect(3, "a.txt.p7s", "INDETERMINATE", Some("TRY_LATER"));
}

#[test]
fn older_crl_does_not_hide_a_newer_revocation() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.openssl_sign("a.txt", "signer-revoked", "a.txt.p7s", &["-cades"]);
    // Genuine signing-ca CRL from before the revocation, still "fresh".
    make_crl(
        &env,
        ("pki/signing-ca.crt", "pki/signing-ca.key"),
        &[],
        &[
            "-crl_lastupdate",
            "20250601000000Z",
            "-crl_nextupdate",
            "20590101000000Z",
        ],
        "old.crl",
        true,
    );
    for crls in [["old.crl", CRLS], [CRLS, "old.crl"]] {
        env.verify(&["a.txt.p7s"], &["--crl", crls[0], "--crl", crls[1]])
            .expect(1, "a.txt.p7s", "TOTAL_FAILED", Some("REVOKED"));
    }
}

#[test]
fn certificate_problems_name_the_file() {
    // Contract: key/cert problems print "hozon: ..." naming the file, so a
    // batch operator knows which of several credentials to replace.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-expired.key",
        "--cert",
        "pki/signer-expired.crt",
    ]);
    assert_refused(&env, &out, &["pki/signer-expired.crt"]);
    let out = env.hozon(&[
        "sign",
        "a.txt",
        "--key",
        "pki/signer-ec.key",
        "--cert",
        "pki/signer-doctor.crt",
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("pki/signer-ec.key") || err.contains("pki/signer-doctor.crt"),
        "names neither the key nor the certificate file: {err}"
    );
}

/// ESS signing-certificate v1 (RFC 2634, SHA-1 certHash), as older signers
/// and TSAs write it, in place of v2.
fn ess_v1_for(
    cert: &hozon_cms::Cert,
    hash_of: &[u8],
) -> hozon_cms::signing_certificate::SigningCertificate {
    use hozon_cms::signing_certificate::{EssCertId, IssuerSerial, SigningCertificate};
    SigningCertificate {
        certs: vec![EssCertId {
            cert_hash: hozon_cms::asn1::der::asn1::OctetString::new(
                DigestAlgorithm::Sha1.digest(hash_of).unwrap(),
            )
            .unwrap(),
            issuer_serial: Some(IssuerSerial::of(cert.parsed())),
        }],
        policies: None,
    }
}

fn with_ess_v1_only(env: &Env, hash_of_other: bool) {
    let doctor = read_cert(&env.path("pki/signer-doctor.crt"));
    let other = read_cert(&env.path("pki/signer-ec.crt"));
    let hashed = if hash_of_other {
        other.der().to_vec()
    } else {
        doctor.der().to_vec()
    };
    let v1 = ess_v1_for(&doctor, &hashed);
    resigned(env, |attrs| {
        attrs.retain(|a| a.oid != ID_AA_SIGNING_CERTIFICATE_V_2);
        attrs.push(single_valued(hozon_cms::oid::ID_AA_SIGNING_CERTIFICATE, &v1).unwrap());
    });
}

#[test]
fn ess_signing_certificate_v1_is_accepted() {
    let env = Env::new();
    with_ess_v1_only(&env, false);
    let v = env.verify_crl(&["a.txt.p7s"]);
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.format, "CAdES");
}

#[test]
fn ess_signing_certificate_v1_of_another_certificate_is_no_signing_certificate_found() {
    let env = Env::new();
    with_ess_v1_only(&env, true);
    env.verify_crl(&["a.txt.p7s"]).expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
}
