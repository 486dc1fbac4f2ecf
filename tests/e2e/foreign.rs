//! Signatures as other tools make them (issue 15), each class pinned with a
//! file of its own made by OpenSSL or edited here, so that the behaviour
//! does not depend on the interoperability corpus: unreadable unsigned
//! attributes, SHA-3, the signer's certificate from outside the signature,
//! misplaced signed attributes, equal elements in a SET OF (two identical
//! signature time stamps among them), counter-signatures (nested, in the
//! JSON and the human report), content time stamps, the dated
//! algorithm policy with its TOML override and POE by a time stamp.

use hozon_cms::asn1::der::asn1::OctetString;
use hozon_cms::asn1::der::{Any, Decode, Encode};
use hozon_cms::attributes::push;

use hozon_cms::asn1::x509_cert::attr::{Attribute, Attributes};
use hozon_testkit::{Pki, TsaMode, TsaServer};

use crate::util::{code, describe, edit_signer_info, load_sd, save_sd, Env, CRLS, TRUST};

const SIGNATURE_TIME_STAMP: &str = "1.2.840.113549.1.9.16.2.14";

/// A plain OpenSSL CAdES signature (`-cades`) of a copy of the summary.
fn openssl_cades(env: &Env, extra: &[&str]) -> (String, String) {
    let doc = env.copy_doc("discharge-summary.xml", "summary.xml");
    let mut args = vec!["-cades"];
    args.extend_from_slice(extra);
    env.openssl_sign(&doc, "signer-doctor", "summary.xml.p7s", &args);
    (doc, "summary.xml.p7s".to_owned())
}

/// Appends an unsigned attribute `oid` with `value` to the only SignerInfo.
fn append_unsigned(env: &Env, sig: &str, oid: &str, value: &[u8]) {
    let mut sd = load_sd(&env.path(sig));
    edit_signer_info(&mut sd, |si| {
        let any = Any::from_der(value).unwrap();
        push(&mut si.unsigned_attrs, oid.parse().unwrap(), any).unwrap();
    });
    save_sd(&env.path(sig), &sd);
}

/// A signature time stamp wrapped in an OCTET STRING, as an old tool wrote
/// one: not a token.
fn wrapped_token() -> Vec<u8> {
    OctetString::new(vec![0x30, 0x03, 0x02, 0x01, 0x01])
        .unwrap()
        .to_der()
        .unwrap()
}

#[test]
fn an_unreadable_unsigned_attribute_is_a_warning_not_a_failure() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    append_unsigned(&env, &sig, SIGNATURE_TIME_STAMP, &wrapped_token());
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("signature time stamp cannot be read and is ignored")),
        "{:?}",
        s.warnings
    );
    assert!(s.timestamps.is_empty(), "{:?}", s.timestamps);
}

#[test]
fn an_unreadable_unsigned_attribute_cannot_hide_a_broken_signature() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| {
        let mut value = si.signature.as_bytes().to_vec();
        value[10] ^= 0x01;
        si.signature = OctetString::new(value).unwrap();
        let any = Any::from_der(&wrapped_token()).unwrap();
        push(
            &mut si.unsigned_attrs,
            SIGNATURE_TIME_STAMP.parse().unwrap(),
            any,
        )
        .unwrap();
    });
    save_sd(&env.path(&sig), &sd);
    let v = env.verify_crl(&[&sig]);
    v.expect(1, &sig, "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
}

#[test]
fn signing_time_among_unsigned_attributes_is_named() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    // UTCTime 2020-01-01T00:00:00Z.
    let time = [
        0x17, 0x0d, b'2', b'0', b'0', b'1', b'0', b'1', b'0', b'0', b'0', b'0', b'0', b'0', b'Z',
    ];
    append_unsigned(&env, &sig, "1.2.840.113549.1.9.5", &time);
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.starts_with("signing-time (1.2.840.113549.1.9.5) is among the unsigned")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn sha3_signatures_made_by_openssl_pass() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &["-md", "sha3-256"]);
    let sd = load_sd(&env.path(&sig));
    let si = &sd.signer_infos.0.as_slice()[0];
    assert_eq!(si.digest_alg.oid.to_string(), "2.16.840.1.101.3.4.2.8");
    let v = env.verify_crl(&[&sig]);
    v.expect(0, &sig, "TOTAL_PASSED", None);
}

#[test]
fn equal_digest_algorithms_in_a_set_of_are_read() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    let mut sd = load_sd(&env.path(&sig));
    let mut list = sd.digest_algorithms.clone().into_vec();
    list.push(list[0].clone());
    let der = {
        let mut body = Vec::new();
        for a in &list {
            body.extend(a.to_der().unwrap());
        }
        let len = u8::try_from(body.len()).unwrap();
        assert!(len < 0x80, "short form");
        let mut set = vec![0x31, len];
        set.extend(body);
        set
    };
    sd.digest_algorithms = Decode::from_der(&der).expect("a SET OF with equal elements");
    assert_eq!(sd.digest_algorithms.len(), 2);
    save_sd(&env.path(&sig), &sd);
    let v = env.verify_crl(&[&sig]);
    v.expect(0, &sig, "TOTAL_PASSED", None);
}

#[test]
fn the_signer_certificate_may_come_from_outside() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &["-nocerts"]);
    let v = env.verify(&[&sig], &["--crl", CRLS]);
    v.expect(
        3,
        &sig,
        "INDETERMINATE",
        Some("NO_SIGNING_CERTIFICATE_FOUND"),
    );
    let v = env.verify(
        &[&sig],
        &[
            "--crl",
            CRLS,
            "--certs",
            "pki/signer-doctor.crt",
            "--certs",
            "pki/chain.pem",
        ],
    );
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("was supplied from outside it")),
        "{:?}",
        s.warnings
    );
}

#[test]
fn sha1_signature_is_judged_by_the_crypto_policy_file() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &["-md", "sha1"]);
    // Default table: SHA-1 ends 2016-01-01; no time stamp, so now fails.
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(
        3,
        &sig,
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
    );
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("SHA-1 is reliable only before 2016-01-01")),
        "{:?}",
        s.errors
    );
    env.write("policy.toml", "[crypto.digest]\nSHA-1 = \"none\"\n");
    let v = env.verify(&[&sig], &["--crl", CRLS, "--crypto-policy", "policy.toml"]);
    v.expect(0, &sig, "TOTAL_PASSED", None);
}

#[test]
fn a_bad_crypto_policy_file_is_a_configuration_error() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    env.write("policy.toml", "[crypto.rsa]\nbig = \"none\"\n");
    let out = env.hozon(&[
        "verify",
        &sig,
        "--trust",
        "pki/trust.pem",
        "--crypto-policy",
        "policy.toml",
    ]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("policy.toml") && err.contains("crypto.rsa.big"),
        "{err}"
    );
}

#[test]
fn two_identical_signature_time_stamps_pass_with_a_warning() {
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    env.copy_doc("discharge-summary.xml", "summary.xml");
    env.sign_doc(
        "summary.xml",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    let sig = "summary.xml.p7s";
    let mut sd = load_sd(&env.path(sig));
    edit_signer_info(&mut sd, |si| {
        // The stamp attribute once more, in a SET OF that holds it twice
        // (X.690 allows equal elements; DER encoders refuse to make one).
        let attrs = si.unsigned_attrs.as_ref().unwrap();
        let stamp: &Attribute = attrs
            .iter()
            .find(|a| a.oid.to_string() == SIGNATURE_TIME_STAMP)
            .unwrap();
        let mut body: Vec<u8> = attrs.iter().flat_map(|a| a.to_der().unwrap()).collect();
        body.extend(stamp.to_der().unwrap());
        let mut set = vec![0x31];
        set.extend(
            hozon_cms::asn1::der::Length::try_from(body.len())
                .unwrap()
                .to_der()
                .unwrap(),
        );
        set.extend(body);
        let twice = Attributes::from_der(&set).unwrap();
        assert_eq!(twice.len(), attrs.len() + 1);
        si.unsigned_attrs = Some(twice);
    });
    save_sd(&env.path(sig), &sd);
    let v = env.verify_crl(&[sig]);
    let s = v.expect(0, sig, "TOTAL_PASSED", None);
    assert_eq!(s.timestamps.len(), 2, "{}", v.stdout);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("signature time stamp 2 is identical to signature time stamp 1")),
        "{:?}",
        s.warnings
    );
}

/// A signed CMSAlgorithmProtection attribute (RFC 6211, as Bouncy Castle,
/// DSS and OpenSSL 3.2+ write one) protects the SignerInfo's algorithms. A
/// signatureAlgorithm changed afterwards — here rsaEncryption to
/// sha256WithRSAEncryption, under which the value still verifies — is an
/// algorithm substitution: not intact (SIG_CRYPTO_FAILURE).
#[test]
fn a_signature_algorithm_other_than_the_protected_one_fails() {
    use hozon_cms::algorithm_protection::{CmsAlgorithmProtection, ID_AA_CMS_ALGORITHM_PROTECT};
    use hozon_cms::asn1::der::asn1::SetOfVec;

    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| {
        let protection = CmsAlgorithmProtection {
            digest_algorithm: si.digest_alg.clone(),
            signature_algorithm: Some(si.signature_algorithm.clone()),
            mac_algorithm: None,
        };
        let value = Any::from_der(&protection.to_der().unwrap()).unwrap();
        crate::util::edit_signed_attrs(si, |attrs| {
            attrs.push(Attribute {
                oid: ID_AA_CMS_ALGORITHM_PROTECT,
                values: SetOfVec::try_from(vec![value]).unwrap(),
            });
        });
        crate::util::resign(si, &env.path("pki/signer-doctor.key"));
    });
    save_sd(&env.path(&sig), &sd);
    env.verify_crl(&[&sig])
        .expect(0, &sig, "TOTAL_PASSED", None);

    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| {
        assert_eq!(
            si.signature_algorithm.oid.to_string(),
            "1.2.840.113549.1.1.1"
        );
        si.signature_algorithm.oid = "1.2.840.113549.1.1.11".parse().unwrap();
    });
    save_sd(&env.path(&sig), &sd);
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(1, &sig, "TOTAL_FAILED", Some("SIG_CRYPTO_FAILURE"));
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("CMSAlgorithmProtection")),
        "{:?}",
        s.errors
    );
}

/// EN 319 102-1 §5.2.8 with POE (issue 15, Done-when): a policy file ends
/// the RSA-1024 band between now and a later `--at`. An RSA-1024 signature
/// whose signature time stamp (EC P-256 TSA, reliable then) was made before
/// that date passes at `--at`; the same signature without a stamp has no
/// proof that it existed before the date.
#[test]
fn an_rsa_1024_signature_under_a_timely_time_stamp_passes_after_its_date() {
    let env = Env::new();
    let tsa = crate::evidence_lt::strong_tsa(&env, "tsa-ec", 3650, "0x1515");
    env.copy_doc("referral-letter.txt", "a.txt");
    env.copy_doc("referral-letter.txt", "b.txt");
    env.openssl_sign("a.txt", "signer-rsa1024", "a.txt.p7s", &["-cades"]);
    env.openssl_sign("b.txt", "signer-rsa1024", "b.txt.p7s", &["-cades"]);
    let out = env.hozon(&[
        "extend",
        "a.txt.p7s",
        "--level",
        "t",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--tsa",
        &tsa.url(),
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    env.write(
        "policy.toml",
        "[crypto.rsa]\n1024 = \"2030-01-01T00:00:00Z\"\n2048 = \"none\"\n",
    );
    let policy = ["--crl", CRLS, "--crypto-policy", "policy.toml"];
    // Now, before the date: both pass.
    for sig in ["a.txt.p7s", "b.txt.p7s"] {
        env.verify(&[sig], &policy)
            .expect(0, sig, "TOTAL_PASSED", None);
    }
    let mut later = policy.to_vec();
    later.extend_from_slice(&["--at", "2031-01-01T00:00:00Z"]);
    let v = env.verify(&["a.txt.p7s"], &later);
    let s = v.expect(0, "a.txt.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    let v = env.verify(&["b.txt.p7s"], &later);
    let s = v.expect(
        3,
        "b.txt.p7s",
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
    );
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("RSA-1024") && e.contains("2030-01-01")),
        "{:?}",
        s.errors
    );
    // A stamp made after the date proves nothing about the time before it.
    env.write(
        "late.toml",
        "[crypto.rsa]\n1024 = \"2026-01-01T00:00:00Z\"\n2048 = \"none\"\n",
    );
    env.verify(
        &["a.txt.p7s"],
        &["--crl", CRLS, "--crypto-policy", "late.toml"],
    )
    .expect(
        3,
        "a.txt.p7s",
        "INDETERMINATE",
        Some("CRYPTO_CONSTRAINTS_FAILURE_NO_POE"),
    );
}

/// A counter-signature (RFC 5652 §11.4) by `signer` over `signature`: a
/// SignerInfo whose message-digest is the SHA-256 of that signature value,
/// without content-type, signed with the signer's key.
fn counter_signature(
    env: &Env,
    signer: &str,
    signature: &[u8],
) -> hozon_cms::asn1::cms::signed_data::SignerInfo {
    use hozon_cms::asn1::cms::cert::IssuerAndSerialNumber;
    use hozon_cms::asn1::cms::content_info::CmsVersion;
    use hozon_cms::asn1::cms::signed_data::{SignerIdentifier, SignerInfo};
    use hozon_cms::asn1::der::asn1::{ObjectIdentifier, SetOfVec};
    use hozon_cms::asn1::spki::AlgorithmIdentifierOwned;
    use hozon_cms::oid::ID_MESSAGE_DIGEST;

    let cert = crate::util::read_cert(&env.path(&format!("pki/{signer}.crt")));
    let digest = openssl::sha::sha256(signature);
    let md = Any::from_der(&OctetString::new(digest.to_vec()).unwrap().to_der().unwrap()).unwrap();
    let attrs = SetOfVec::try_from(vec![Attribute {
        oid: ID_MESSAGE_DIGEST,
        values: SetOfVec::try_from(vec![md]).unwrap(),
    }])
    .unwrap();
    let alg = |oid: &str| AlgorithmIdentifierOwned {
        oid: ObjectIdentifier::new_unwrap(oid),
        parameters: Some(Any::null()),
    };
    let mut si = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.parsed().tbs_certificate.issuer.clone(),
            serial_number: cert.parsed().tbs_certificate.serial_number.clone(),
        }),
        digest_alg: alg("2.16.840.1.101.3.4.2.1"),
        signed_attrs: Some(attrs),
        signature_algorithm: alg("1.2.840.113549.1.1.1"),
        signature: OctetString::new(vec![0]).unwrap(),
        unsigned_attrs: None,
    };
    crate::util::resign(&mut si, &env.path(&format!("pki/{signer}.key")));
    si
}

/// Attaches `cs` to `si` as an id-countersignature unsigned attribute.
fn attach_counter_signature(
    si: &mut hozon_cms::asn1::cms::signed_data::SignerInfo,
    cs: &hozon_cms::asn1::cms::signed_data::SignerInfo,
) {
    let any = Any::from_der(&cs.to_der().unwrap()).unwrap();
    push(
        &mut si.unsigned_attrs,
        hozon_cms::oid::rfc5652::ID_COUNTERSIGNATURE,
        any,
    )
    .unwrap();
}

/// Gives the signature `sig` a counter-signature by the doctor, itself
/// counter-signed, in place of any unsigned attributes; with `break_nested`
/// the nested one's signature value has a flipped bit.
fn counter_sign_twice(env: &Env, sig: &str, break_nested: bool) {
    let mut sd = load_sd(&env.path(sig));
    edit_signer_info(&mut sd, |si| {
        let mut first = counter_signature(env, "signer-doctor", si.signature.as_bytes());
        let mut second = counter_signature(env, "signer-doctor", first.signature.as_bytes());
        if break_nested {
            let mut value = second.signature.as_bytes().to_vec();
            value[10] ^= 0x01;
            second.signature = OctetString::new(value).unwrap();
        }
        attach_counter_signature(&mut first, &second);
        si.unsigned_attrs = None;
        attach_counter_signature(si, &first);
    });
    save_sd(&env.path(sig), &sd);
}

/// Counter-signatures, and a counter-signature of a counter-signature, are
/// validated and reported under their parent with their own indication; a
/// broken one (a flipped signature byte) is named as such while the parent
/// stays TOTAL_PASSED.
#[test]
fn counter_signatures_are_reported_under_their_parent() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    counter_sign_twice(&env, &sig, false);
    let v = env.verify_crl(&[&sig]);
    v.expect(0, &sig, "TOTAL_PASSED", None);
    let cs = &v.json["signatures"][0]["counter_signatures"];
    assert_eq!(cs.as_array().map(Vec::len), Some(1), "{}", v.stdout);
    assert_eq!(cs[0]["indication"], "TOTAL_PASSED", "{}", v.stdout);
    assert!(
        cs[0]["signer"]["subject"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{}",
        v.stdout
    );
    let nested = &cs[0]["counter_signatures"];
    assert_eq!(nested.as_array().map(Vec::len), Some(1), "{}", v.stdout);
    assert_eq!(nested[0]["indication"], "TOTAL_PASSED", "{}", v.stdout);

    // The nested counter-signature's value broken: it fails, named under
    // its parent; the counter-signature above it and the signature pass.
    counter_sign_twice(&env, &sig, true);
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    let cs = &v.json["signatures"][0]["counter_signatures"];
    assert_eq!(cs[0]["indication"], "TOTAL_PASSED", "{}", v.stdout);
    let nested = &cs[0]["counter_signatures"][0];
    assert_eq!(nested["indication"], "TOTAL_FAILED", "{}", v.stdout);
    assert_eq!(
        nested["sub_indication"], "SIG_CRYPTO_FAILURE",
        "{}",
        v.stdout
    );
}

/// Adds a content time stamp (id-aa-ets-contentTimestamp, a signed
/// attribute) over `data`, from `tsa`, to the signature `sig` and signs
/// its signed attributes again with the doctor's key.
fn add_content_time_stamp(env: &Env, sig: &str, tsa: &TsaServer, data: &[u8]) {
    use hozon_cms::asn1::der::asn1::SetOfVec;
    use hozon_tsp::{TsaClient, TsaConfig};

    let client = TsaClient::new(TsaConfig::new(vec![tsa.url()])).unwrap();
    let token = client.stamp_data(data).unwrap().token;
    let value = Any::from_der(token.der()).unwrap();
    let mut sd = load_sd(&env.path(sig));
    edit_signer_info(&mut sd, |si| {
        crate::util::edit_signed_attrs(si, |attrs| {
            attrs.push(Attribute {
                oid: hozon_cms::oid::rfc5126::ID_AA_ETS_CONTENT_TIMESTAMP,
                values: SetOfVec::try_from(vec![value]).unwrap(),
            });
        });
        crate::util::resign(si, &env.path("pki/signer-doctor.key"));
    });
    save_sd(&env.path(sig), &sd);
}

/// A content time stamp over the signed content is validated and reported
/// (`kind: "content"`, PASSED); one over other data breaks the signature
/// as an altered signature time stamp does.
#[test]
fn content_time_stamps_are_validated() {
    let env = Env::new();
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    let (doc, sig) = openssl_cades(&env, &[]);
    add_content_time_stamp(&env, &sig, &tsa, &env.read(&doc));
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    let stamp = &v.json["signatures"][0]["timestamps"][0];
    assert_eq!(stamp["kind"], "content", "{}", v.stdout);
    assert_eq!(stamp["indication"], "PASSED", "{}", v.stdout);

    let (_, sig) = openssl_cades(&env, &[]);
    add_content_time_stamp(&env, &sig, &tsa, b"another document");
    let v = env.verify_crl(&[&sig]);
    let s = v.expect(1, &sig, "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert_eq!(
        v.json["signatures"][0]["timestamps"][0]["indication"], "FAILED",
        "{}",
        v.stdout
    );
    assert!(
        s.errors.iter().any(|e| e.starts_with("content time stamp")
            && e.contains("is not the SHA-256 digest of the signed content")),
        "{:?}",
        s.errors
    );
}

/// The human report shows counter-signatures indented under their parent,
/// each with its own verdict, a broken one with its error.
#[test]
fn counter_signatures_are_shown_under_their_parent_in_the_human_report() {
    let env = Env::new();
    let (_, sig) = openssl_cades(&env, &[]);
    counter_sign_twice(&env, &sig, true);
    let out = env.hozon(&["verify", &sig, "--trust", TRUST, "--crl", CRLS, "--offline"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let text = crate::util::stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let parent = lines
        .iter()
        .position(|l| l.starts_with("TOTAL_PASSED") && l.contains(&sig))
        .unwrap_or_else(|| panic!("{text}"));
    let first = &lines[parent + 1..]
        .iter()
        .position(|l| l.starts_with("    counter-signature by "))
        .map(|i| parent + 1 + i)
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        lines[*first].contains("CN=") && lines[*first].ends_with(": TOTAL_PASSED"),
        "{text}"
    );
    let nested = lines[first + 1];
    assert!(
        nested.starts_with("      counter-signature by ")
            && nested.ends_with(": TOTAL_FAILED (SIG_CRYPTO_FAILURE)"),
        "{text}"
    );
    assert!(
        lines[first + 2].starts_with("        error: ")
            && lines[first + 2].ends_with("[SIG_CRYPTO_FAILURE]"),
        "{text}"
    );
}
