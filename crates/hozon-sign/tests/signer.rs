//! Loading signing keys, and refusing keys and certificates that must not
//! sign. Uses the committed test PKI (testdata/pki).

use std::path::PathBuf;
use std::sync::Arc;

use hozon_sign::{AlgorithmChoice, CadesSigner, Error, SecretSource, Signer, SoftwareSigner};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/pki")).join(name)
}

fn pem_signer(name: &str) -> Result<SoftwareSigner, Error> {
    SoftwareSigner::from_pem_files(
        &pki(&format!("{name}.key")),
        &pki(&format!("{name}.crt")),
        Some(&pki("chain.pem")),
        &SecretSource::Env("HOZON_TEST_NO_PASSWORD_NEEDED".into()),
        AlgorithmChoice::default(),
    )
}

fn password_file() -> SecretSource {
    SecretSource::File(pki("signer-doctor.p12.pass"))
}

#[test]
fn pem_key_certificate_and_chain() {
    let s = pem_signer("signer-doctor").unwrap();
    assert!(s.certificate().subject().contains("山田 太郎"));
    // chain.pem holds the signing CA and the root.
    assert_eq!(s.chain().len(), 2);
    assert_eq!(s.algorithm().to_string(), "RSA PKCS#1 v1.5 with SHA-256");
}

#[test]
fn pkcs12_with_the_right_password() {
    let s = SoftwareSigner::from_pkcs12_file(
        &pki("signer-doctor.p12"),
        &password_file(),
        AlgorithmChoice::default(),
    )
    .unwrap();
    assert!(s.certificate().subject().contains("山田 太郎"));
    assert_eq!(s.chain().len(), 2);
}

#[test]
fn pkcs12_with_a_wrong_password() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.pass");
    std::fs::write(&wrong, "not-the-password\n").unwrap();
    let err = SoftwareSigner::from_pkcs12_file(
        &pki("signer-doctor.p12"),
        &SecretSource::File(wrong),
        AlgorithmChoice::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::WrongPassword { .. }), "{err:?}");
    assert!(err.to_string().contains("signer-doctor.p12"), "{err}");
}

#[test]
fn encrypted_pem_key_needs_and_checks_its_password() {
    let load = |source: SecretSource| {
        SoftwareSigner::from_pem_files(
            &pki("signer-doctor-pass.key"),
            &pki("signer-doctor.crt"),
            None,
            &source,
            AlgorithmChoice::default(),
        )
    };
    assert!(load(password_file()).is_ok());
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.pass");
    std::fs::write(&wrong, "nope").unwrap();
    let err = load(SecretSource::File(wrong)).unwrap_err();
    assert!(matches!(err, Error::WrongPassword { .. }), "{err:?}");
    // No terminal in tests: a prompt is refused with advice, never hangs.
    let err = load(SecretSource::prompt(
        "Password: ",
        "--pass-env VAR or --pass-file FILE",
    ))
    .unwrap_err();
    assert!(err.to_string().contains("--pass-env"), "{err}");
}

#[test]
fn key_of_another_certificate_is_refused() {
    let err = SoftwareSigner::from_pem_files(
        &pki("signer-ec.key"),
        &pki("signer-doctor.crt"),
        None,
        &password_file(),
        AlgorithmChoice::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::KeyCertificateMismatch { .. }),
        "{err:?}"
    );
}

#[test]
fn missing_and_malformed_files_name_the_file() {
    let err = SoftwareSigner::from_pem_files(
        &pki("no-such.key"),
        &pki("signer-doctor.crt"),
        None,
        &password_file(),
        AlgorithmChoice::default(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::Io { .. }) && err.to_string().contains("no-such.key"),
        "{err}"
    );
    // A certificate where the key should be.
    let err = SoftwareSigner::from_pem_files(
        &pki("signer-doctor.crt"),
        &pki("signer-doctor.crt"),
        None,
        &password_file(),
        AlgorithmChoice::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadKey { .. }), "{err:?}");
    // A key where the certificate should be.
    let err = SoftwareSigner::from_pem_files(
        &pki("signer-doctor.key"),
        &pki("signer-doctor.key"),
        None,
        &password_file(),
        AlgorithmChoice::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::BadCertificate { .. }), "{err:?}");
}

#[test]
fn rsa_pss_needs_an_rsa_key() {
    let err = SoftwareSigner::from_pem_files(
        &pki("signer-ec.key"),
        &pki("signer-ec.crt"),
        None,
        &password_file(),
        AlgorithmChoice {
            digest: None,
            rsa_pss: true,
        },
    )
    .unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
}

#[test]
fn p384_defaults_to_sha384() {
    let s = pem_signer("signer-ec384").unwrap();
    assert_eq!(s.algorithm().to_string(), "ECDSA with SHA-384");
}

fn refused(name: &str, why: &str) {
    let signer = pem_signer(name).unwrap();
    let err = CadesSigner::new(Arc::new(signer))
        .err()
        .expect("must be refused");
    assert!(
        matches!(err, Error::CertificateNotUsable { .. }),
        "{name}: {err:?}"
    );
    assert!(err.to_string().contains(why), "{name}: {err}");
}

#[test]
fn certificates_that_must_not_sign_are_refused() {
    refused("signer-expired", "expired");
    refused("signer-notyet", "not valid before");
    refused("signer-rsa1024", "1024 bits");
    refused("signer-nokeyusage-wrong", "keyUsage");
}

#[test]
fn signatures_are_der_and_parse_back() {
    let cades = CadesSigner::new(Arc::new(pem_signer("signer-doctor").unwrap())).unwrap();
    let sig = cades.sign_detached(&b"content"[..]).unwrap();
    let parsed = hozon_cms::SignatureFile::parse(&sig).unwrap();
    assert_eq!(parsed.encoding, hozon_cms::Encoding::Der);
    assert_eq!(parsed.der, sig);
    assert_eq!(parsed.signer_infos().len(), 1);
    assert_eq!(parsed.certificates().len(), 3);
    assert!(parsed.econtent().unwrap().is_none());
    let env = cades.sign_enveloping(b"content").unwrap();
    let parsed = hozon_cms::SignatureFile::parse(&env).unwrap();
    assert_eq!(parsed.econtent().unwrap(), Some(&b"content"[..]));
}
