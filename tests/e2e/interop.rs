//! Interoperability with OpenSSL in both directions: OpenSSL accepts what
//! `hozon sign` makes, and `hozon verify` accepts (or correctly rejects)
//! what `openssl cms -sign` makes in its various encodings.

use hozon_cms::SignatureFile;

use crate::util::{code, describe, flip_byte, load_sd, stderr, Env, CRLS};

const DOCTOR: &str = "CN=山田 太郎,O=hozon Test Hospital,C=JP";
const EC_SIGNER: &str = "CN=佐藤 花子,O=hozon Test Hospital,C=JP";

const SHA256: &str = "2.16.840.1.101.3.4.2.1";
const SHA384: &str = "2.16.840.1.101.3.4.2.2";
const SHA512: &str = "2.16.840.1.101.3.4.2.3";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";

/// (digestAlgorithm, signatureAlgorithm) OIDs of the only SignerInfo.
fn algorithms(env: &Env, sig: &str) -> (String, String) {
    let sd = load_sd(&env.path(sig));
    let si = &sd.signer_infos.0.as_slice()[0];
    (
        si.digest_alg.oid.to_string(),
        si.signature_algorithm.oid.to_string(),
    )
}

/// Signs a copy of the discharge summary with `signer` and `extra` flags,
/// then checks: the algorithm identifiers, OpenSSL accepts it, hozon says
/// TOTAL_PASSED with the right signer, and after one content byte is
/// flipped OpenSSL rejects it and hozon says TOTAL_FAILED HASH_FAILURE.
fn detached_round_trip(
    signer: &str,
    extra: &[&str],
    oids: (&str, &str),
    subject: &str,
    hc_role: Option<&str>,
) {
    let env = Env::new();
    let doc = env.copy_doc("discharge-summary.xml", "summary.xml");
    let sig = env.sign_doc(&doc, signer, extra);
    assert_eq!(
        algorithms(&env, &sig),
        (oids.0.to_owned(), oids.1.to_owned())
    );

    let (ok, log) = env.openssl_verify(&sig, Some(&doc));
    assert!(ok, "OpenSSL rejects hozon's signature: {log}");

    let v = env.verify_crl(&[&sig]);
    let s = v.expect(0, "summary.xml.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.content.as_deref(), Some("summary.xml"));
    assert_eq!(s.format, "CAdES");
    assert_eq!(s.level.as_deref(), Some("B-B"));
    let who = s.signer.as_ref().unwrap();
    assert_eq!(who.subject, subject);
    assert_eq!(who.hc_role.as_deref(), hc_role);

    flip_byte(&env.path(&doc), 1234);
    let (ok, log) = env.openssl_verify(&sig, Some(&doc));
    assert!(!ok, "OpenSSL accepts altered content: {log}");
    env.verify_crl(&[&sig])
        .expect(1, "summary.xml.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn rsa_pkcs1_default_interop() {
    detached_round_trip(
        "signer-doctor",
        &[],
        (SHA256, SHA256_WITH_RSA),
        DOCTOR,
        Some("Medical Doctor"),
    );
}

#[test]
fn rsa_pss_interop() {
    detached_round_trip(
        "signer-doctor",
        &["--rsa-pss"],
        (SHA256, RSASSA_PSS),
        DOCTOR,
        Some("Medical Doctor"),
    );
}

#[test]
fn rsa_pss_sha512_interop() {
    detached_round_trip(
        "signer-doctor",
        &["--rsa-pss", "--digest", "sha512"],
        (SHA512, RSASSA_PSS),
        DOCTOR,
        Some("Medical Doctor"),
    );
}

#[test]
fn rsa_sha512_interop() {
    detached_round_trip(
        "signer-doctor",
        &["--digest", "sha512"],
        (SHA512, SHA512_WITH_RSA),
        DOCTOR,
        Some("Medical Doctor"),
    );
}

#[test]
fn ecdsa_p256_interop() {
    detached_round_trip("signer-ec", &[], (SHA256, ECDSA_SHA256), EC_SIGNER, None);
}

#[test]
fn ecdsa_p384_defaults_to_sha384_interop() {
    detached_round_trip(
        "signer-ec384",
        &[],
        (SHA384, ECDSA_SHA384),
        "CN=EC384 Signer,O=hozon Test Hospital,C=JP",
        None,
    );
}

#[test]
fn enveloping_interop() {
    let env = Env::new();
    let doc = env.copy_doc("lab-report.pdf", "lab.pdf");
    let sig = env.sign_doc(&doc, "signer-doctor", &["--enveloping"]);
    assert_eq!(sig, "lab.pdf.p7m");
    assert!(!env.exists("lab.pdf.p7s"), "--enveloping wrote a .p7s");
    let original = env.read(&doc);
    let parsed = SignatureFile::parse(&env.read(&sig)).unwrap();
    assert_eq!(parsed.econtent().unwrap(), Some(&original[..]));

    // OpenSSL verifies without -content and recovers the same bytes.
    env.openssl_ok(&[
        "cms",
        "-verify",
        "-cades",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &sig,
        "-CAfile",
        "pki/root-ca.crt",
        "-purpose",
        "any",
        "-out",
        "recovered.pdf",
    ]);
    assert_eq!(env.read("recovered.pdf"), original);

    // hozon: the content is the signature file itself, even with the
    // original document deleted.
    std::fs::remove_file(env.path(&doc)).unwrap();
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(0, "lab.pdf.p7m", "TOTAL_PASSED", None);
    assert_eq!(s.content.as_deref(), Some("lab.pdf.p7m"));

    // Flip a byte of the embedded content (inside the PDF text).
    let bytes = env.read(&sig);
    let needle = b"Laboratory report";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("embedded content");
    flip_byte(&env.path(&sig), isize::try_from(at).unwrap());
    let (ok, log) = env.openssl_verify(&sig, None);
    assert!(!ok, "OpenSSL accepts altered embedded content: {log}");
    env.verify_crl(&[&sig])
        .expect(1, "lab.pdf.p7m", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn pkcs12_signer_interop() {
    let env = Env::new();
    let doc = env.copy_doc("referral-letter.txt", "letter.txt");
    let out = env.hozon(&[
        "sign",
        &doc,
        "--pkcs12",
        "pki/signer-doctor.p12",
        "--pass-file",
        "pki/signer-doctor.p12.pass",
        "--crl",
        "pki/crls.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let (ok, log) = env.openssl_verify("letter.txt.p7s", Some(&doc));
    assert!(ok, "{log}");
    let v = env.verify_crl(&["letter.txt.p7s"]);
    let s = v.expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.signer.as_ref().unwrap().subject, DOCTOR);
    // The PKCS#12 chain is embedded: the signature verifies with the root
    // alone, which needs the intermediate from the signature.
    let sd = load_sd(&env.path("letter.txt.p7s"));
    assert!(sd.certificates.as_ref().unwrap().0.len() >= 2);

    flip_byte(&env.path(&doc), 0);
    let (ok, log) = env.openssl_verify("letter.txt.p7s", Some(&doc));
    assert!(!ok, "{log}");
}

/// A PKCS#12 file as OpenSSL 1.x and older Windows tools write them
/// (RC2-40 for the certificates, 3DES for the key: `-legacy`), which
/// OpenSSL 3 only opens with its legacy provider.
#[test]
fn legacy_rc2_pkcs12_signer() {
    let env = Env::new();
    let doc = env.copy_doc("referral-letter.txt", "letter.txt");
    std::fs::write(env.path("p12.pass"), "legacy-pass\n").unwrap();
    let made = std::process::Command::new("openssl")
        .current_dir(env.dir())
        .args([
            "pkcs12",
            "-export",
            "-legacy",
            "-inkey",
            "pki/signer-doctor.key",
            "-in",
            "pki/signer-doctor.crt",
            "-certfile",
            "pki/chain.pem",
            "-out",
            "legacy.p12",
            "-passout",
            "file:p12.pass",
        ])
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let info = std::process::Command::new("openssl")
        .current_dir(env.dir())
        .args([
            "pkcs12",
            "-info",
            "-noout",
            "-legacy",
            "-in",
            "legacy.p12",
            "-passin",
            "file:p12.pass",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&info.stderr).contains("RC2"),
        "not an RC2 file: {}",
        String::from_utf8_lossy(&info.stderr)
    );

    let out = env.hozon(&[
        "sign",
        &doc,
        "--pkcs12",
        "legacy.p12",
        "--pass-file",
        "p12.pass",
        "--crl",
        "pki/crls.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let (ok, log) = env.openssl_verify("letter.txt.p7s", Some(&doc));
    assert!(ok, "{log}");
    env.verify_crl(&["letter.txt.p7s"])
        .expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);

    // The wrong password is still the wrong password.
    std::fs::write(env.path("wrong.pass"), "not-it\n").unwrap();
    let out = env.hozon(&[
        "sign",
        &doc,
        "--force",
        "--pkcs12",
        "legacy.p12",
        "--pass-file",
        "wrong.pass",
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("wrong password"),
        "{}",
        describe(&out)
    );
}

#[test]
fn encrypted_pem_key_with_pass_env() {
    let env = Env::new();
    let doc = env.copy_doc("referral-letter.txt", "letter.txt");
    let password = String::from_utf8(env.read("pki/signer-doctor.p12.pass")).unwrap();
    let out = env.hozon_env(
        &[
            "sign",
            &doc,
            "--key",
            "pki/signer-doctor-pass.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--chain",
            "pki/chain.pem",
            "--crl",
            "pki/crls.pem",
            "--pass-env",
            "HOZON_E2E_PASS",
        ],
        &[("HOZON_E2E_PASS", password.trim_end())],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let (ok, log) = env.openssl_verify("letter.txt.p7s", Some(&doc));
    assert!(ok, "{log}");
    env.verify_crl(&["letter.txt.p7s"])
        .expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn every_sample_document_round_trips() {
    let env = Env::new();
    let docs = [
        "discharge-summary.xml",
        "referral-letter.txt",
        "lab-report.pdf",
        "empty.txt",
    ];
    for d in docs {
        env.copy_doc(d, &format!("docs/{d}"));
    }
    let out = env.hozon(&[
        "sign",
        "docs",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        "pki/chain.pem",
        "--crl",
        "pki/crls.pem",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    for d in docs {
        let (ok, log) = env.openssl_verify(&format!("docs/{d}.p7s"), Some(&format!("docs/{d}")));
        assert!(ok, "{d}: {log}");
    }
    let v = env.verify_crl(&["docs"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.signatures.len(), 4);
    for d in docs {
        let s = v.entry(&format!("docs/{d}.p7s"), 0);
        assert_eq!(s.indication, "TOTAL_PASSED", "{s:?}");
        assert_eq!(s.content.as_deref(), Some(&format!("docs/{d}")[..]));
    }
}

/// `openssl cms -sign -cades` variants that hozon must accept.
fn openssl_made(env: &Env, out: &str, extra: &[&str]) {
    env.copy_doc("referral-letter.txt", "letter.txt");
    env.openssl_sign("letter.txt", "signer-doctor", out, extra);
}

#[test]
fn openssl_cades_detached_der_passes() {
    let env = Env::new();
    openssl_made(&env, "letter.txt.p7s", &["-cades"]);
    let parsed = SignatureFile::parse(&env.read("letter.txt.p7s")).unwrap();
    assert_eq!(parsed.encoding, hozon_cms::Encoding::Der);
    assert_eq!(parsed.econtent().unwrap(), None, "detached");
    let v = env.verify_crl(&["letter.txt.p7s"]);
    let s = v.expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.format, "CAdES");
    assert_eq!(s.content.as_deref(), Some("letter.txt"));
    assert_eq!(
        s.signer.as_ref().unwrap().hc_role.as_deref(),
        Some("Medical Doctor")
    );
}

#[test]
fn openssl_cades_pem_passes() {
    let env = Env::new();
    openssl_made(&env, "letter.txt.p7s", &["-cades", "-outform", "PEM"]);
    assert!(env
        .read("letter.txt.p7s")
        .starts_with(b"-----BEGIN CMS-----"));
    env.verify_crl(&["letter.txt.p7s"])
        .expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn openssl_streamed_ber_passes() {
    let env = Env::new();
    // `-stream` writes BER with indefinite lengths and, with DER output,
    // embeds the content: an enveloping signature, hence .p7m.
    openssl_made(&env, "letter.p7m", &["-cades", "-stream"]);
    let bytes = env.read("letter.p7m");
    assert_eq!(bytes[0], 0x30, "outer SEQUENCE");
    assert_eq!(bytes[1], 0x80, "indefinite length (BER)");
    let parsed = SignatureFile::parse(&bytes).unwrap();
    assert_eq!(parsed.encoding, hozon_cms::Encoding::Ber);
    let v = env.verify_crl(&["letter.p7m"]);
    let s = v.expect(0, "letter.p7m", "TOTAL_PASSED", None);
    assert_eq!(s.format, "CAdES");

    // Named like a detached signature beside the very same document.
    env.write("letter.txt.p7s", &bytes);
    env.verify_crl(&["letter.txt.p7s"])
        .expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);

    // And the same BER file is not fooled by altered embedded content.
    let at = bytes
        .windows(3)
        .position(|w| w == "診".as_bytes())
        .expect("embedded text");
    flip_byte(&env.path("letter.p7m"), isize::try_from(at + 2).unwrap());
    env.verify_crl(&["letter.p7m"])
        .expect(1, "letter.p7m", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn openssl_nodetach_p7m_passes() {
    let env = Env::new();
    openssl_made(&env, "letter.txt.p7m", &["-cades", "-nodetach"]);
    // The content is inside: the detached copy is not needed.
    std::fs::remove_file(env.path("letter.txt")).unwrap();
    let v = env.verify_crl(&["letter.txt.p7m"]);
    let s = v.expect(0, "letter.txt.p7m", "TOTAL_PASSED", None);
    assert_eq!(s.content.as_deref(), Some("letter.txt.p7m"));
}

#[test]
fn openssl_ecdsa_signature_passes() {
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "lab.pdf");
    env.openssl_sign("lab.pdf", "signer-ec", "lab.pdf.p7s", &["-cades"]);
    let v = env.verify_crl(&["lab.pdf.p7s"]);
    let s = v.expect(0, "lab.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.signer.as_ref().unwrap().subject, EC_SIGNER);
    assert_eq!(s.signer.as_ref().unwrap().hc_role, None);
}

#[test]
fn openssl_subject_key_identifier_passes() {
    let env = Env::new();
    openssl_made(&env, "letter.txt.p7s", &["-cades", "-keyid"]);
    let sd = load_sd(&env.path("letter.txt.p7s"));
    assert!(matches!(
        sd.signer_infos.0.as_slice()[0].sid,
        hozon_cms::asn1::cms::signed_data::SignerIdentifier::SubjectKeyIdentifier(_)
    ));
    env.verify_crl(&["letter.txt.p7s"])
        .expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn openssl_without_cades_is_cms_without_signing_certificate() {
    let env = Env::new();
    openssl_made(&env, "letter.txt.p7s", &[]);
    let v = env.verify_crl(&["letter.txt.p7s"]);
    let s = v.expect(
        3,
        "letter.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    assert_eq!(s.format, "CMS");
}

#[test]
fn openssl_noattr_is_cms_and_covers_the_content() {
    let env = Env::new();
    openssl_made(&env, "letter.txt.p7s", &["-noattr"]);
    let sd = load_sd(&env.path("letter.txt.p7s"));
    assert!(sd.signer_infos.0.as_slice()[0].signed_attrs.is_none());
    let v = env.verify_crl(&["letter.txt.p7s"]);
    let s = v.expect(
        3,
        "letter.txt.p7s",
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    assert_eq!(s.format, "CMS");

    // Without signed attributes the signature value covers the content.
    flip_byte(&env.path("letter.txt"), 7);
    let v = env.verify_crl(&["letter.txt.p7s"]);
    let s = v.expect(
        1,
        "letter.txt.p7s",
        "TOTAL_FAILED",
        Some("SIG_CRYPTO_FAILURE"),
    );
    assert_eq!(s.format, "CMS");
}

#[test]
fn openssl_two_signers_give_two_entries() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "letter.txt");
    env.openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "letter.txt",
        "-signer",
        "pki/signer-doctor.crt",
        "-inkey",
        "pki/signer-doctor.key",
        "-signer",
        "pki/signer-ec.crt",
        "-inkey",
        "pki/signer-ec.key",
        "-certfile",
        "pki/chain.pem",
        "-outform",
        "DER",
        "-out",
        "letter.txt.p7s",
    ]);
    let v = env.verify_crl(&["letter.txt.p7s"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.signatures.len(), 2, "{}", v.stdout);
    let mut subjects = Vec::new();
    for i in 0..2 {
        let s = v.entry("letter.txt.p7s", i);
        crate::util::assert_verdict(s, "TOTAL_PASSED", None, &v.stdout);
        assert_eq!(s.content.as_deref(), Some("letter.txt"));
        let who = s.signer.as_ref().unwrap();
        let expected_role = (who.subject == DOCTOR).then_some("Medical Doctor");
        assert_eq!(who.hc_role.as_deref(), expected_role);
        subjects.push(who.subject.clone());
    }
    subjects.sort();
    let mut expected = vec![DOCTOR.to_owned(), EC_SIGNER.to_owned()];
    expected.sort();
    assert_eq!(subjects, expected);
    let s = &v.report.summary;
    assert_eq!((s.total, s.passed, s.failed, s.indeterminate), (2, 2, 0, 0));
}

#[test]
fn untrusted_signer_passes_when_its_own_root_is_trusted() {
    // Control for the NO_CERTIFICATE_CHAIN_FOUND test: the signature itself
    // is sound; only the trust anchor decides.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "letter.txt");
    env.openssl_ok(&[
        "cms",
        "-sign",
        "-binary",
        "-cades",
        "-in",
        "letter.txt",
        "-signer",
        "pki/signer-untrusted.crt",
        "-inkey",
        "pki/signer-untrusted.key",
        "-outform",
        "DER",
        "-out",
        "letter.txt.p7s",
    ]);
    let out = env.hozon(&[
        "verify",
        "letter.txt.p7s",
        "--trust",
        "pki/untrusted-root.crt",
        "--crl",
        "pki/untrusted-root.crl.pem",
        "--json",
    ]);
    let v = crate::util::Verified::from_output(&out);
    v.expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn intermediate_ca_as_trust_anchor() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "letter.txt");
    env.sign_doc("letter.txt", "signer-doctor", &[]);
    let out = env.hozon(&[
        "verify",
        "letter.txt.p7s",
        "--trust",
        "pki/signing-ca.crt",
        "--crl",
        CRLS,
        "--json",
    ]);
    crate::util::Verified::from_output(&out).expect(0, "letter.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn version_1_crl_is_read() {
    // X.509 CRLs without extensions have no version field (v1). OpenSSL
    // makes them (`openssl ca -gencrl` without a crlnumber file) and reads
    // them; so must hozon. An empty, current signing-ca CRL: the doctor's
    // certificate is not revoked.
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    crate::negative::make_crl(
        &env,
        ("pki/signing-ca.crt", "pki/signing-ca.key"),
        &[],
        &[],
        "v1.crl",
        false,
    );
    let text = env.openssl_ok(&["crl", "-in", "v1.crl", "-noout", "-text"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("Version 1"),
        "fixture is not a v1 CRL"
    );
    env.verify(
        &["a.txt.p7s"],
        &["--crl", "v1.crl", "--crl", "pki/root-ca.crl"],
    )
    .expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
}

#[test]
fn detached_ber_signature_passes() {
    // hozon's own DER signature re-encoded with indefinite lengths on the
    // ContentInfo and its [0]: BER, still detached.
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "lab.pdf");
    env.sign_doc("lab.pdf", "signer-doctor", &[]);
    let ber = crate::util::to_indefinite(&env.read("lab.pdf.p7s"), 1);
    assert_eq!(&ber[..2], &[0x30, 0x80]);
    env.write("lab.pdf.p7s", &ber);
    let parsed = SignatureFile::parse(&ber).unwrap();
    assert_eq!(parsed.encoding, hozon_cms::Encoding::Ber);
    let (ok, log) = env.openssl_verify("lab.pdf.p7s", Some("lab.pdf"));
    assert!(ok, "OpenSSL rejects the BER fixture: {log}");
    let v = env.verify_crl(&["lab.pdf.p7s"]);
    let s = v.expect(0, "lab.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.content.as_deref(), Some("lab.pdf"));
    flip_byte(&env.path("lab.pdf"), 300);
    env.verify_crl(&["lab.pdf.p7s"])
        .expect(1, "lab.pdf.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

#[test]
fn several_trust_files() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.copy_doc("referral-letter.txt", "b.txt");
    env.sign_doc("a.txt", "signer-doctor", &["--level", "b"]);
    env.openssl_sign("b.txt", "signer-untrusted", "b.txt.p7s", &["-cades"]);
    let v = env.verify(
        &["a.txt.p7s", "b.txt.p7s"],
        &[
            "--trust",
            "pki/untrusted-root.crt",
            "--crl",
            CRLS,
            "--crl",
            "pki/untrusted-root.crl",
        ],
    );
    assert_eq!(v.code, 0, "{}", v.stdout);
    for f in ["a.txt.p7s", "b.txt.p7s"] {
        crate::util::assert_verdict(v.entry(f, 0), "TOTAL_PASSED", None, &v.stdout);
    }
}
