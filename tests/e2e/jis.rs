//! The JIS X 5092 / RFC 5126 ES-XL profile: `hozon extend --profile jis`
//! stores the validation data as the four CAdES-C/X-Long unsigned
//! attributes instead of the SignedData fields, and verification reads both
//! profiles alike.

use hozon_cms::asn1::der::asn1::SetOfVec;
use hozon_cms::asn1::der::{Any, Decode, Encode};
use hozon_cms::asn1::x509_cert::attr::Attribute;
use hozon_cms::es_c::{CompleteRevocationRefs, EsXlAttributes, OtherHash, RevocationValues};
use hozon_cms::oid::rfc5126::{ID_AA_ETS_REVOCATION_REFS, ID_AA_ETS_REVOCATION_VALUES};
use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, edit_signer_info, load_sd, save_sd, Env, CRLS, TRUST};

fn start_tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

fn extend_jis(env: &Env, sig: &str, level: &str, tsa: &str) -> std::process::Output {
    env.hozon(&[
        "extend",
        sig,
        "--level",
        level,
        "--profile",
        "jis",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--tsa",
        tsa,
        "--restamp-after",
        "0",
    ])
}

/// A B-T signature of `doc` (copied to `name`), extended to ES-XL.
fn es_xl(env: &Env, tsa: &TsaServer, doc: &str, name: &str) -> String {
    env.copy_doc(doc, name);
    env.sign_doc(
        name,
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    let sig = format!("{name}.p7s");
    let out = extend_jis(env, &sig, "lt", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    sig
}

/// Replaces the single value of attribute `oid` on the first SignerInfo.
fn replace_attribute(
    env: &Env,
    sig: &str,
    oid: hozon_cms::asn1::der::asn1::ObjectIdentifier,
    value: Any,
) {
    let mut sd = load_sd(&env.path(sig));
    edit_signer_info(&mut sd, |si| {
        let attrs = si.unsigned_attrs.take().unwrap().into_vec();
        let mut kept: Vec<Attribute> = attrs.into_iter().filter(|a| a.oid != oid).collect();
        kept.push(Attribute {
            oid,
            values: SetOfVec::try_from(vec![value]).unwrap(),
        });
        si.unsigned_attrs = Some(SetOfVec::try_from(kept).unwrap());
    });
    save_sd(&env.path(sig), &sd);
}

fn es_xl_attributes(env: &Env, sig: &str) -> EsXlAttributes {
    let sd = load_sd(&env.path(sig));
    let si = sd.signer_infos.0.get(0).unwrap();
    EsXlAttributes::read(si.unsigned_attrs.as_ref()).unwrap()
}

#[test]
fn b_t_extended_to_es_xl_validates_offline_as_b_lt() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "lab-report.pdf", "a.pdf");

    // The data is in the attributes, not in the SignedData fields.
    let sd = load_sd(&env.path(&sig));
    assert!(sd.crls.is_none(), "the CRLs belong in revocation-values");
    let xl = es_xl_attributes(&env, &sig);
    assert_eq!(
        xl.certificate_refs.as_ref().map(Vec::len),
        Some(2),
        "signing CA and root"
    );
    assert_eq!(
        xl.revocation_refs.as_ref().map(Vec::len),
        Some(2),
        "signer and signing CA"
    );
    assert!(!xl.certificate_values.unwrap().is_empty());
    assert!(!xl.revocation_values.unwrap().crl_der().unwrap().is_empty());

    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    assert!(
        !s.warnings.iter().any(|w| w.contains("references")),
        "consistent references give no warning: {:?}",
        s.warnings
    );

    // OpenSSL decodes the four attributes (by their OIDs) and still
    // accepts the signature as CAdES.
    let printed = env.openssl_ok(&["cms", "-cmsout", "-print", "-inform", "DER", "-in", &sig]);
    let text = String::from_utf8_lossy(&printed.stdout);
    for (name, oid) in [
        (
            "id-smime-aa-ets-certificateRefs",
            "1.2.840.113549.1.9.16.2.21",
        ),
        (
            "id-smime-aa-ets-revocationRefs",
            "1.2.840.113549.1.9.16.2.22",
        ),
        ("id-smime-aa-ets-certValues", "1.2.840.113549.1.9.16.2.23"),
        (
            "id-smime-aa-ets-revocationValues",
            "1.2.840.113549.1.9.16.2.24",
        ),
    ] {
        assert!(
            text.contains(name) || text.contains(oid),
            "{name} missing:\n{text}"
        );
    }
    let (ok, log) = env.openssl_verify(&sig, Some("a.pdf"));
    assert!(ok, "{log}");

    // Extending again changes nothing.
    let before = env.read(&sig);
    let out = extend_jis(&env, &sig, "lt", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(env.read(&sig), before);
}

#[test]
fn es_xl_extended_to_es_a_validates_offline_and_openssl_accepts_it() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "referral-letter.txt", "a.txt");
    let out = extend_jis(&env, &sig, "lta", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let (ok, log) = env.openssl_verify(&sig, Some("a.txt"));
    assert!(ok, "{log}");
}

#[test]
fn b_t_goes_straight_to_es_a_with_the_jis_profile() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("discharge-summary.xml", "a.xml");
    env.sign_doc(
        "a.xml",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    let out = extend_jis(&env, "a.xml.p7s", "lta", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(es_xl_attributes(&env, "a.xml.p7s")
        .revocation_values
        .is_some());
    let v = env.verify(&["a.xml.p7s"], &["--offline"]);
    let s = v.expect(0, "a.xml.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
}

#[test]
fn tampering_with_revocation_values_after_the_archive_stamp_is_detected() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "lab-report.pdf", "a.pdf");
    let out = extend_jis(&env, &sig, "lta", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let pristine = env.read(&sig);

    // One CRL taken out of revocation-values: still well-formed, but no
    // longer what the archive stamp covers.
    let mut values = es_xl_attributes(&env, &sig).revocation_values.unwrap();
    let mut crls = values.crl_vals.take().unwrap();
    assert!(crls.len() >= 2, "signer and TSA paths need two CRLs");
    crls.pop();
    values.crl_vals = Some(crls);
    replace_attribute(
        &env,
        &sig,
        ID_AA_ETS_REVOCATION_VALUES,
        Any::encode_from(&values).unwrap(),
    );
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(1, &sig, "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert!(
        s.errors.iter().any(|e| e.contains("archive time stamp")),
        "{:?}",
        s.errors
    );

    // The same with a CRL supplied from outside: the archive stamp still fails.
    let v = env.verify(&[&sig], &["--crl", CRLS]);
    v.expect(1, &sig, "TOTAL_FAILED", Some("HASH_FAILURE"));

    // And the untouched file still passes.
    env.write(&sig, &pristine);
    env.verify(&[&sig], &["--offline"])
        .expect(0, &sig, "TOTAL_PASSED", None);
}

#[test]
fn a_crl_reference_that_matches_nothing_is_reported() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "referral-letter.txt", "a.txt");
    let mut refs: CompleteRevocationRefs = es_xl_attributes(&env, &sig).revocation_refs.unwrap();
    let crl_ref = &mut refs[0].crlids.as_mut().unwrap().crls[0];
    crl_ref.crl_hash = OtherHash::sha256(b"not the CRL that was used").unwrap();
    replace_attribute(
        &env,
        &sig,
        ID_AA_ETS_REVOCATION_REFS,
        Any::encode_from(&refs).unwrap(),
    );
    // The validation does not rely on the (unsigned) references: it still
    // passes on the data itself, with the inconsistency reported.
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("complete-revocation-references")
                && w.contains("matches no available CRL")),
        "{:?}",
        s.warnings
    );
}

/// A malformed ES-XL attribute is an unsigned attribute anyone could have
/// altered (issue 15): it is ignored with a warning naming it, and the
/// signature is judged without the validation data it should have held
/// (here: no revocation data offline, so INDETERMINATE, never TOTAL_PASSED).
#[test]
fn a_malformed_es_xl_attribute_is_ignored_with_a_warning() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "referral-letter.txt", "a.txt");
    // revocation-values holding an INTEGER instead of a SEQUENCE.
    let bogus = Any::from_der(&5u8.to_der().unwrap()).unwrap();
    replace_attribute(&env, &sig, ID_AA_ETS_REVOCATION_VALUES, bogus);
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.entry(&sig, 0);
    assert_eq!(s.indication, "INDETERMINATE", "{}", v.stdout);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("ES-XL validation data cannot be read")
                && w.contains("1.2.840.113549.1.9.16.2.24")),
        "the warning names the attribute: {:?}",
        s.warnings
    );
    // An OCSP value that is not a BasicOCSPResponse is malformed too.
    let values = RevocationValues {
        ocsp_vals: Some(vec![Any::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]).unwrap()]),
        ..Default::default()
    };
    replace_attribute(
        &env,
        &sig,
        ID_AA_ETS_REVOCATION_VALUES,
        Any::encode_from(&values).unwrap(),
    );
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.entry(&sig, 0);
    assert_eq!(s.indication, "INDETERMINATE", "{}", v.stdout);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("ES-XL validation data cannot be read")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn es_xl_needs_a_signature_time_stamp() {
    let env = Env::new();
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc("a.txt", "signer-doctor", &[]);
    let before = env.read("a.txt.p7s");
    let out = env.hozon(&[
        "extend",
        "a.txt.p7s",
        "--level",
        "lt",
        "--profile",
        "jis",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert_eq!(
        env.read("a.txt.p7s"),
        before,
        "never a partial or changed file"
    );
}

#[test]
fn extend_help_documents_the_profiles() {
    let env = Env::new();
    let out = env.hozon(&["extend", "--help"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("--profile"), "{text}");
    assert!(text.contains("etsi") && text.contains("jis"), "{text}");
    let out = env.hozon(&["extend", "x.p7s", "--level", "lt", "--profile", "cades"]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
}

/// A BasicOCSPResponse about pki/signer-doctor.crt, made by `openssl ocsp`
/// acting as the responder (ocsp.crt, delegated by signing-ca).
fn openssl_ocsp_basic(env: &Env) -> Vec<u8> {
    let out = env.openssl_ok(&[
        "x509",
        "-in",
        "pki/signer-doctor.crt",
        "-noout",
        "-serial",
        "-subject",
        "-nameopt",
        "compat",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap()
            .trim()
            .to_owned()
    };
    env.write(
        "pki/index.txt",
        format!(
            "V\t491231235959Z\t\t{}\tunknown\t{}\n",
            field("serial="),
            field("subject=")
        ),
    );
    env.openssl_ok(&[
        "ocsp",
        "-issuer",
        "pki/signing-ca.crt",
        "-cert",
        "pki/signer-doctor.crt",
        "-no_nonce",
        "-reqout",
        "req.der",
    ]);
    env.openssl_ok(&[
        "ocsp",
        "-index",
        "pki/index.txt",
        "-rsigner",
        "pki/ocsp.crt",
        "-rkey",
        "pki/ocsp.key",
        "-CA",
        "pki/signing-ca.crt",
        "-reqin",
        "req.der",
        "-respout",
        "resp.der",
        "-ndays",
        "1",
    ]);
    let resp = hozon_cms::asn1::x509_ocsp::OcspResponse::from_der(&env.read("resp.der")).unwrap();
    resp.response_bytes.unwrap().response.as_bytes().to_vec()
}

#[test]
fn ocsp_responses_in_revocation_values_are_read_and_their_references_checked() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    // The library hook: ES-XL data with an OCSP response besides the CRLs.
    let certs: Vec<hozon_cms::Cert> = ["signer-doctor", "signing-ca", "root-ca", "tsa"]
        .iter()
        .map(|n| crate::util::read_cert(&env.path(&format!("pki/{n}.crt"))))
        .collect();
    let crls: Vec<std::sync::Arc<hozon_pki::Crl>> = hozon_pki::Crl::read_file(&env.path(CRLS))
        .unwrap()
        .into_iter()
        .map(std::sync::Arc::new)
        .collect();
    let basic = openssl_ocsp_basic(&env);
    let with = hozon_ltv::add_validation_data_jis(
        &env.read("a.txt.p7s"),
        &certs,
        &crls,
        std::slice::from_ref(&basic),
    )
    .unwrap();
    assert_eq!(with.ocsp_added, 1);
    env.write("a.txt.p7s", &with.der);

    let v = env.verify(&["a.txt.p7s"], &["--offline"]);
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    // The OCSP response is validation data like the CRLs (verified,
    // responder authorised), so nothing is said about it.
    assert!(
        !s.warnings.iter().any(|w| w.contains("OCSP")),
        "{:?}",
        s.warnings
    );
    assert!(
        !s.warnings.iter().any(|w| w.contains("references")),
        "{:?}",
        s.warnings
    );
    let (ok, log) = env.openssl_verify("a.txt.p7s", Some("a.txt"));
    assert!(ok, "{log}");

    // An OCSP reference whose hash names no response in the signature.
    let mut refs = es_xl_attributes(&env, "a.txt.p7s").revocation_refs.unwrap();
    let ocsp_ref = &mut refs[0].ocspids.as_mut().unwrap().ocsp_responses[0];
    ocsp_ref.ocsp_rep_hash = Some(OtherHash::sha256(b"another response").unwrap());
    replace_attribute(
        &env,
        "a.txt.p7s",
        ID_AA_ETS_REVOCATION_REFS,
        Any::encode_from(&refs).unwrap(),
    );
    let v = env.verify(&["a.txt.p7s"], &["--offline"]);
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("OCSP response 0 matches no OCSP response")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn a_certificate_reference_that_matches_nothing_is_reported() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "referral-letter.txt", "a.txt");
    let mut refs = es_xl_attributes(&env, &sig).certificate_refs.unwrap();
    refs[0].other_cert_hash = OtherHash::sha256(b"a certificate nobody has").unwrap();
    replace_attribute(
        &env,
        &sig,
        hozon_cms::oid::rfc5126::ID_AA_ETS_CERTIFICATE_REFS,
        Any::encode_from(&refs).unwrap(),
    );
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert!(
        s.warnings.iter().any(|w| w.contains(
            "complete-certificate-references: reference 0 matches no available certificate"
        )),
        "{:?}",
        s.warnings
    );
}

#[test]
fn extending_an_es_a_again_adds_an_archive_stamp_and_leaves_the_es_xl_data_alone() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let sig = es_xl(&env, &tsa, "lab-report.pdf", "a.pdf");
    for _ in 0..2 {
        let out = extend_jis(&env, &sig, "lta", &tsa.url());
        assert_eq!(code(&out), 0, "{}", describe(&out));
    }
    let first = es_xl_attributes(&env, &sig);
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let archive = s
        .timestamps
        .iter()
        .filter(|t| t["kind"] == "archive")
        .count();
    assert_eq!(archive, 2, "{}", v.stdout);
    // Still one of each ES-XL attribute, unchanged by the second run.
    let out = extend_jis(&env, &sig, "lt", &tsa.url());
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(es_xl_attributes(&env, &sig), first);
}
