//! B-LTA: archive time stamps keep a signature verifiable after its signer's
//! and its TSAs' certificates expire (ETSI EN 319 122-1 §5.5, EN 319 102-1
//! §5.6: past signature validation with proof of existence).
//!
//! Certificates that expire in 2030 are issued at test time with the openssl
//! CLI (by the committed test CAs); validation "in the future" uses --at.

use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, load_sd, save_sd, Env, CRLS, TRUST};

/// Issues `pki/NAME.{key,crt}` valid for about four years (until ~2030),
/// by `ca` (a name in pki/), with the given extensions.
pub(crate) fn issue_short_lived(env: &Env, name: &str, ca: &str, subject: &str, extensions: &str) {
    let key = format!("pki/{name}.key");
    let csr = format!("pki/{name}.csr");
    let crt = format!("pki/{name}.crt");
    let ext = format!("pki/{name}.ext");
    env.write(&ext, extensions);
    env.openssl_ok(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        &key,
    ]);
    env.openssl_ok(&["req", "-new", "-key", &key, "-subj", subject, "-out", &csr]);
    env.openssl_ok(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &format!("pki/{ca}.crt"),
        "-CAkey",
        &format!("pki/{ca}.key"),
        "-set_serial",
        "0x5150",
        "-days",
        "1460",
        "-sha256",
        "-extfile",
        &ext,
        "-out",
        &crt,
    ]);
}

/// A TSA whose certificate expires in about four years.
pub(crate) fn short_lived_tsa(env: &Env) -> TsaServer {
    Pki::copy_to(&env.path("pki")).unwrap();
    issue_short_lived(
        env,
        "tsa-short",
        "root-ca",
        "/C=JP/O=hozon Test TSA/CN=Short-lived TSA",
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\nbasicConstraints=critical,CA:FALSE\n",
    );
    let dir = env.path("pki-short");
    let pki = Pki::copy_to(&dir).unwrap();
    std::fs::copy(env.path("pki/tsa-short.crt"), dir.join("tsa.crt")).unwrap();
    std::fs::copy(env.path("pki/tsa-short.key"), dir.join("tsa.key")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

pub(crate) fn long_lived_tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

pub(crate) fn extend(env: &Env, sig: &str, level: &str, tsa: &str) {
    let out = env.hozon(&[
        "extend",
        sig,
        "--level",
        level,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--tsa",
        tsa,
        "--offline",
        // Renewal tests stamp again at once (a rerun skips stamps younger
        // than 24 h by default).
        "--restamp-after",
        "0",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// Verifies with nothing but the trust anchor, as of `at`.
pub(crate) fn verify_at(env: &Env, sig: &str, at: &str) -> crate::util::Verified {
    env.verify(&[sig], &["--offline", "--at", at])
}

/// [`verify_at`] with the test PKI's RSA-2048 keys given no end date, for
/// tests of expiry and proof of existence after the default table's 2031.
pub(crate) fn verify_at_no_sunset(env: &Env, sig: &str, at: &str) -> crate::util::Verified {
    env.verify(
        &[sig],
        &[
            "--offline",
            "--crypto-policy",
            crate::util::NO_RSA_SUNSET,
            "--at",
            at,
        ],
    )
}

#[test]
fn b_lta_validates_offline_and_openssl_still_accepts_it() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    extend(&env, "a.pdf.p7s", "lta", &tsa.url());
    let v = env.verify(&["a.pdf.p7s"], &["--offline"]);
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let kinds: Vec<_> = s
        .timestamps
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["signature", "archive"]);
    // renew_by: the archive TSA's certificate is valid until 2045, but its
    // RSA-2048 key gives 112-bit security, acceptable through 2030 (NIST
    // SP 800-57): 2031-01-01 minus 90 days.
    assert_eq!(
        s.renew_by.as_deref(),
        Some("2030-10-03T00:00:00Z"),
        "{}",
        v.stdout
    );
    let (ok, log) = env.openssl_verify("a.pdf.p7s", Some("a.pdf"));
    assert!(ok, "{log}");
}

#[test]
fn extending_a_b_lta_again_adds_a_second_archive_stamp() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    extend(&env, "a.txt.p7s", "lta", &tsa.url());
    extend(&env, "a.txt.p7s", "lta", &tsa.url());
    let v = env.verify(&["a.txt.p7s"], &["--offline"]);
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    let archive = s
        .timestamps
        .iter()
        .filter(|t| t["kind"] == "archive")
        .count();
    assert_eq!(archive, 2, "{}", v.stdout);
    assert!(
        s.timestamps.iter().all(|t| t["indication"] == "PASSED"),
        "{}",
        v.stdout
    );
}

#[test]
fn openssl_made_b_b_is_extended_to_b_lta() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("discharge-summary.xml", "a.xml");
    env.openssl_sign("a.xml", "signer-doctor", "a.xml.p7s", &["-cades"]);
    extend(&env, "a.xml.p7s", "lta", &tsa.url());
    let v = env.verify(&["a.xml.p7s"], &["--offline"]);
    let s = v.expect(0, "a.xml.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"));
    let (ok, log) = env.openssl_verify("a.xml.p7s", Some("a.xml"));
    assert!(ok, "{log}");
}

#[test]
fn expired_signer_passes_with_proof_and_not_without() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    issue_short_lived(
        &env,
        "signer-short",
        "signing-ca",
        "/C=JP/O=hozon Test Hospital/CN=Short-lived Doctor",
        "keyUsage=critical,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n",
    );
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.copy_doc("lab-report.pdf", "b.pdf");
    let signer = [
        "--key",
        "pki/signer-short.key",
        "--cert",
        "pki/signer-short.crt",
        "--chain",
        "pki/chain.pem",
        "--crl",
        "pki/crls.pem",
    ];
    let sign = |file: &str, extra: &[&str]| {
        let mut args = vec!["sign", file];
        args.extend_from_slice(&signer);
        args.extend_from_slice(extra);
        let out = env.hozon(&args);
        assert_eq!(code(&out), 0, "{}", describe(&out));
    };
    sign("a.pdf", &["--level", "t", "--tsa", &tsa.url()]);
    extend(&env, "a.pdf.p7s", "lta", &tsa.url());
    sign("b.pdf", &[]);
    // 2032: the signer's certificate expired in 2030; the TSA's is valid to 2045.
    let v = crate::lta::verify_at_no_sunset(&env, "a.pdf.p7s", "2032-01-01T00:00:00Z");
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("expired") && w.contains("proven")),
        "{:?}",
        s.warnings
    );
    // The B-B signature has no proof it existed before the expiry.
    let v = env.verify(
        &["b.pdf.p7s"],
        &[
            "--crl",
            CRLS,
            "--crypto-policy",
            crate::util::NO_RSA_SUNSET,
            "--at",
            "2032-01-01T00:00:00Z",
        ],
    );
    v.expect(
        3,
        "b.pdf.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
}

#[test]
fn an_archive_stamp_keeps_an_expired_tsa_s_stamps_valid() {
    let env = Env::new();
    let short = short_lived_tsa(&env);
    let long = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &short.url()],
    );
    extend(&env, "a.pdf.p7s", "lta", &short.url());
    let first = env.read("a.pdf.p7s");
    // 2035: the short-lived TSA's certificate expired in 2030. With only its
    // own archive stamp, nothing proves the stamps were made before that.
    let v = crate::lta::verify_at_no_sunset(&env, "a.pdf.p7s", "2035-01-01T00:00:00Z");
    let s = v.expect(
        3,
        "a.pdf.p7s",
        "INDETERMINATE",
        Some("OUT_OF_BOUNDS_NO_POE"),
    );
    assert!(
        s.errors.iter().any(|e| e.contains("Short-lived TSA")),
        "{:?}",
        s.errors
    );
    // Renewed in time with a longer-lived TSA: everything before is covered.
    extend(&env, "a.pdf.p7s", "lta", &long.url());
    let v = crate::lta::verify_at_no_sunset(&env, "a.pdf.p7s", "2035-01-01T00:00:00Z");
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(
        s.timestamps
            .iter()
            .filter(|t| t["kind"] == "archive")
            .count(),
        2
    );
    assert_ne!(env.read("a.pdf.p7s"), first);
}

#[test]
fn tampering_after_the_archive_stamp_is_detected() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    extend(&env, "a.pdf.p7s", "lta", &tsa.url());
    let pristine = load_sd(&env.path("a.pdf.p7s"));

    // An embedded CRL replaced by another (valid, signed) CRL of the same CA:
    // not covered any more.
    let mut sd = pristine.clone();
    let crls = sd.crls.take().unwrap();
    let mut list = crls.0.into_vec();
    list.pop();
    sd.crls = Some(hozon_cms::asn1::cms::revocation::RevocationInfoChoices(
        hozon_cms::asn1::der::asn1::SetOfVec::try_from(list).unwrap(),
    ));
    save_sd(&env.path("a.pdf.p7s"), &sd);
    let v = env.verify(&["a.pdf.p7s"], &["--crl", CRLS]);
    let s = v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("archive time stamp") && e.contains("removed or altered")),
        "{:?}",
        s.errors
    );

    // The signature time stamp taken out.
    let mut sd = pristine.clone();
    crate::util::edit_signer_info(&mut sd, |si| {
        let attrs = si.unsigned_attrs.take().unwrap().into_vec();
        let kept: Vec<_> = attrs
            .into_iter()
            .filter(|a| a.oid != hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
            .collect();
        si.unsigned_attrs = Some(hozon_cms::asn1::der::asn1::SetOfVec::try_from(kept).unwrap());
    });
    save_sd(&env.path("a.pdf.p7s"), &sd);
    let v = env.verify(&["a.pdf.p7s"], &["--crl", CRLS]);
    v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));

    // The document itself: the archive stamp covers its hash too.
    save_sd(&env.path("a.pdf.p7s"), &pristine);
    crate::util::flip_byte(&env.path("a.pdf"), 100);
    let v = env.verify(&["a.pdf.p7s"], &["--crl", CRLS]);
    v.expect(1, "a.pdf.p7s", "TOTAL_FAILED", Some("HASH_FAILURE"));
}

/// `sign --level lta` (and `lt`) makes in one step what `sign --level t`
/// then `extend` make: the same levels, valid offline, accepted by OpenSSL.
#[test]
fn sign_straight_to_b_lt_and_b_lta() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.copy_doc("referral-letter.txt", "b.txt");
    let url = tsa.url();
    for (doc, level, expected) in [("a.pdf", "lta", "B-LTA"), ("b.txt", "lt", "B-LT")] {
        let sig = env.sign_doc(
            doc,
            "signer-doctor",
            &[
                "--level", level, "--tsa", &url, "--trust", TRUST, "--crl", CRLS,
            ],
        );
        let v = env.verify(&[&sig], &["--offline"]);
        let s = v.expect(0, &sig, "TOTAL_PASSED", None);
        assert_eq!(s.level.as_deref(), Some(expected), "{}", v.stdout);
        let (ok, log) = env.openssl_verify(&sig, Some(doc));
        assert!(ok, "{log}");
    }
    // The JIS profile, enveloping: ES-XL attributes, the same verdict.
    env.copy_doc("referral-letter.txt", "c.txt");
    let out = env.hozon(&[
        "sign",
        "c.txt",
        "--enveloping",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        "pki/chain.pem",
        "--level",
        "lta",
        "--profile",
        "jis",
        "--tsa",
        &url,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(&["c.txt.p7m"], &["--offline"]);
    let s = v.expect(0, "c.txt.p7m", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let sd = load_sd(&env.path("c.txt.p7m"));
    assert!(sd.crls.is_none(), "JIS keeps the CRLs in revocation-values");
}

/// B-LT and B-LTA need trust anchors (they validate before embedding), and
/// a signer that does not validate gets no signature at all.
#[test]
fn sign_at_b_lta_needs_trust_and_a_valid_signer() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    let url = tsa.url();
    let out = env.hozon(&[
        "sign",
        "a.pdf",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        "pki/chain.pem",
        "--level",
        "lta",
        "--tsa",
        &url,
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(
        crate::util::stderr(&out).contains("--trust"),
        "{}",
        describe(&out)
    );
    assert!(!env.exists("a.pdf.p7s"));

    let out = env.hozon(&[
        "sign",
        "a.pdf",
        "--key",
        "pki/signer-revoked.key",
        "--cert",
        "pki/signer-revoked.crt",
        "--chain",
        "pki/chain.pem",
        "--level",
        "lta",
        "--tsa",
        &url,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
    ]);
    // The signer's revocation pre-check refuses before anything is signed.
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let err = crate::util::stderr(&out);
    assert!(
        err.contains("revoked") && err.contains("REVOKED"),
        "{}",
        describe(&out)
    );
    assert!(
        !env.exists("a.pdf.p7s"),
        "a signature of a revoked signer was written"
    );
}

/// When the archive TSA's certificate expires before its key's sunset,
/// the expiry sets `renew_by` (90 days before it).
#[test]
fn renew_by_follows_the_archive_tsa_s_certificate_expiry() {
    let env = Env::new();
    let tsa = short_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    extend(&env, "a.pdf.p7s", "lta", &tsa.url());
    let v = env.verify(&["a.pdf.p7s"], &["--offline"]);
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    let cert = crate::util::read_cert(&env.path("pki/tsa-short.crt"));
    let (_, not_after) = cert.validity_unix();
    assert!(
        not_after < 1_924_992_000,
        "the short-lived TSA outlives 2030"
    );
    let due = hozon_pki::UnixTime(not_after as i64 - 90 * 24 * 3600);
    assert_eq!(
        s.renew_by.as_deref(),
        Some(due.rfc3339().as_str()),
        "{}",
        v.stdout
    );
}

/// The newest archive time stamp must itself be reliable at the validation
/// time: its RSA-2048 TSA key is past its date (2031-01-01 in the default
/// crypto policy) in 2045, so the B-LTA is not TOTAL_PASSED then, and
/// `renew_by_reason` says which date drives the renewal.
#[test]
fn an_archive_stamp_past_its_algorithm_date_is_not_trusted() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    env.sign_doc(
        "a.pdf",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    extend(&env, "a.pdf.p7s", "lta", &tsa.url());
    let now = env.verify(&["a.pdf.p7s"], &["--crl", CRLS]);
    now.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    let reason = now.json["signatures"][0]["renew_by_reason"]
        .as_str()
        .unwrap_or_else(|| panic!("no renew_by_reason: {}", now.stdout));
    assert!(
        reason.starts_with("algorithm date: RSA-2048 reliable until 2031-01-01")
            || reason.starts_with("the TSA certificate"),
        "{reason}"
    );
    let v = verify_at(&env, "a.pdf.p7s", "2045-01-01T00:00:00Z");
    let s = v.entry("a.pdf.p7s", 0);
    assert_eq!(s.indication, "INDETERMINATE", "{}", v.stdout);
    assert!(
        s.errors.iter().any(|e| e.starts_with("archive time stamp")
            && e.contains("RSA-2048 key is reliable only before 2031-01-01")
            && e.ends_with("[CRYPTO_CONSTRAINTS_FAILURE_NO_POE]")),
        "{:?}",
        s.errors
    );
}
