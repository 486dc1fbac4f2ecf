//! ES-A with the older archive-time-stamp (v2, id-aa-48) that JIS X
//! 5092:2008 signatures carry: made in process with
//! `hozon_ltv::add_archive_timestamp_v2` against the loopback TSA (as other
//! tools make them), then verified by the `hozon` binary as strictly as
//! archive-time-stamp-v3 — and its imprint checked once against an
//! independent computation with the openssl CLI.

use hozon_cms::archive_timestamp_v2::ContentError;
use hozon_cms::asn1::cms::cert::CertificateChoices;
use hozon_cms::asn1::cms::signed_data::CertificateSet;
use hozon_cms::asn1::der::asn1::SetOfVec;
use hozon_cms::asn1::der::{Any, Decode, Encode};
use hozon_cms::oid::rfc5126::{ID_AA_ETS_ARCHIVE_TIMESTAMP_V1, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2};
use hozon_cms::Digester;
use hozon_tsp::{TsaClient, TsaConfig};

use crate::lta::{extend, issue_short_lived, long_lived_tsa, short_lived_tsa};
use crate::util::{
    code, describe, edit_signed_attrs, edit_signer_info, flip_byte, load_sd, read_cert, resign,
    save_sd, Env, CRLS,
};

const V2: &str = "archive-time-stamp-v2 (id-aa-48)";

/// Adds an archive-time-stamp-v2 to `sig` (detached, over `doc`) in place.
fn add_v2(env: &Env, sig: &str, doc: &str, tsa_url: &str) {
    let tsa = TsaClient::new(TsaConfig::new(vec![tsa_url.to_owned()])).unwrap();
    let path = env.path(doc);
    let mut feed = |d: &mut Digester| -> Result<(), ContentError> {
        let buf = std::fs::read(&path).map_err(|source| ContentError::Read {
            path: path.clone(),
            source,
        })?;
        Ok(d.update(&buf)?)
    };
    let (der, stamps) =
        hozon_ltv::add_archive_timestamp_v2(&env.read(sig), &tsa, &mut feed).unwrap();
    assert_eq!(stamps.len(), 1);
    env.write(sig, der);
}

/// A B-LT signature of `doc` by signer-doctor, its time stamps from `tsa`.
fn b_lt(env: &Env, doc: &str, tsa: &str) -> String {
    let sig = env.sign_doc(doc, "signer-doctor", &["--level", "t", "--tsa", tsa]);
    extend(env, &sig, "lt", tsa);
    sig
}

fn archive_entries(s: &crate::report::Signature) -> Vec<&serde_json::Value> {
    s.timestamps
        .iter()
        .filter(|t| t["kind"] == "archive")
        .collect()
}

#[test]
fn b_lt_with_an_archive_time_stamp_v2_is_b_lta_offline_and_openssl_accepts_it() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    let sig = b_lt(&env, "a.pdf", &tsa.url());
    let v = env.verify(&[&sig], &["--offline"]);
    assert_eq!(
        v.expect(0, &sig, "TOTAL_PASSED", None).level.as_deref(),
        Some("B-LT")
    );

    add_v2(&env, &sig, "a.pdf", &tsa.url());
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let archive = archive_entries(s);
    assert_eq!(archive.len(), 1, "{}", v.stdout);
    assert_eq!(archive[0]["indication"], "PASSED");
    assert_eq!(archive[0]["attribute"], V2);
    assert!(
        !s.warnings.iter().any(|w| w.contains("not used")),
        "{:?}",
        s.warnings
    );
    let (ok, log) = env.openssl_verify(&sig, Some("a.pdf"));
    assert!(ok, "{log}");
}

#[test]
fn an_archive_time_stamp_v2_proves_existence_after_the_signer_and_the_first_tsa_expired() {
    let env = Env::new();
    let short = short_lived_tsa(&env);
    let long = long_lived_tsa(&env);
    issue_short_lived(
        &env,
        "signer-short",
        "signing-ca",
        "/C=JP/O=hozon Test Hospital/CN=Short-lived Doctor",
        "keyUsage=critical,nonRepudiation\nbasicConstraints=critical,CA:FALSE\n",
    );
    env.copy_doc("lab-report.pdf", "a.pdf");
    let out = env.hozon(&[
        "sign",
        "a.pdf",
        "--key",
        "pki/signer-short.key",
        "--cert",
        "pki/signer-short.crt",
        "--chain",
        "pki/chain.pem",
        "--crl",
        "pki/crls.pem",
        "--level",
        "t",
        "--tsa",
        &short.url(),
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    extend(&env, "a.pdf.p7s", "lt", &short.url());
    std::fs::copy(env.path("a.pdf.p7s"), env.path("b-lt.p7s")).unwrap();
    add_v2(&env, "a.pdf.p7s", "a.pdf", &long.url());

    // 2035: the signer's certificate (2030) and the signature time stamp's
    // TSA certificate (2030) have expired; only the v2 archive stamp (TSA
    // valid to 2045) proves the signature and its time stamp existed before.
    let v = crate::lta::verify_at_no_sunset(&env, "a.pdf.p7s", "2035-01-01T00:00:00Z");
    let s = v.expect(0, "a.pdf.p7s", "TOTAL_PASSED", None);
    assert_eq!(archive_entries(s)[0]["attribute"], V2);
    // Without it, nothing does.
    let v = env.verify(
        &["b-lt.p7s"],
        &[
            "--offline",
            "--crypto-policy",
            crate::util::NO_RSA_SUNSET,
            "--at",
            "2035-01-01T00:00:00Z",
            "--content",
            "a.pdf",
        ],
    );
    v.expect(3, "b-lt.p7s", "INDETERMINATE", Some("OUT_OF_BOUNDS_NO_POE"));
}

/// Verifies `sig` and asserts it fails with its archive stamp v2 FAILED.
fn assert_archive_v2_fails(env: &Env, sig: &str, sub: Option<&str>, what: &str) {
    let v = env.verify(&[sig], &["--crl", CRLS]);
    let s = v.expect(1, sig, "TOTAL_FAILED", sub);
    let archive = archive_entries(s);
    assert_eq!(archive.len(), 1, "{what}: {}", v.stdout);
    assert_eq!(archive[0]["indication"], "FAILED", "{what}: {}", v.stdout);
    assert!(
        s.errors
            .iter()
            .any(|e| e.contains("archive time stamp v2") && e.contains("archive-time-stamp-v2")),
        "{what}: {:?}",
        s.errors
    );
}

#[test]
fn tampering_with_anything_an_archive_time_stamp_v2_covers_is_detected() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    let sig = b_lt(&env, "a.pdf", &tsa.url());
    add_v2(&env, &sig, "a.pdf", &tsa.url());
    let pristine = load_sd(&env.path(&sig));
    let v = env.verify(&[&sig], &["--crl", CRLS]);
    v.expect(0, &sig, "TOTAL_PASSED", None);

    // A certificate added to SignedData.certificates: v2 covers the field
    // whole (v3 would not mind).
    let mut sd = pristine.clone();
    let mut certs = sd.certificates.take().unwrap().0.into_vec();
    let extra = read_cert(&env.path("pki/signer-ec.crt"));
    certs.push(CertificateChoices::Certificate(extra.parsed().clone()));
    sd.certificates = Some(CertificateSet::try_from(certs).unwrap());
    save_sd(&env.path(&sig), &sd);
    assert_archive_v2_fails(&env, &sig, Some("HASH_FAILURE"), "certificate added");

    // An embedded CRL removed.
    let mut sd = pristine.clone();
    let mut list = sd.crls.take().unwrap().0.into_vec();
    list.pop();
    sd.crls = (!list.is_empty()).then(|| {
        hozon_cms::asn1::cms::revocation::RevocationInfoChoices(SetOfVec::try_from(list).unwrap())
    });
    save_sd(&env.path(&sig), &sd);
    assert_archive_v2_fails(&env, &sig, Some("HASH_FAILURE"), "CRL removed");

    // The earlier unsigned attribute (the signature time stamp) replaced by
    // a fresh, valid one from the same TSA.
    let mut sd = pristine.clone();
    let other = TsaClient::new(TsaConfig::new(vec![tsa.url()]))
        .unwrap()
        .stamp_data(pristine.signer_infos.0.as_slice()[0].signature.as_bytes())
        .unwrap();
    edit_signer_info(&mut sd, |si| {
        let attrs: Vec<_> = si
            .unsigned_attrs
            .take()
            .unwrap()
            .into_vec()
            .into_iter()
            .map(|mut a| {
                if a.oid == hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN {
                    a.values = SetOfVec::try_from(vec![other.token.to_any().unwrap()]).unwrap();
                }
                a
            })
            .collect();
        si.unsigned_attrs = Some(SetOfVec::try_from(attrs).unwrap());
    });
    save_sd(&env.path(&sig), &sd);
    assert_archive_v2_fails(
        &env,
        &sig,
        Some("HASH_FAILURE"),
        "signature time stamp replaced",
    );

    // A signed attribute changed and the signature made again with the
    // signer's key: the signature is valid, but not the one archived.
    let mut sd = pristine.clone();
    edit_signer_info(&mut sd, |si| {
        edit_signed_attrs(si, |attrs| {
            let earlier = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                - std::time::Duration::from_secs(60);
            let time = hozon_cms::asn1::der::asn1::UtcTime::from_unix_duration(earlier).unwrap();
            for a in attrs.iter_mut() {
                if a.oid == hozon_cms::oid::ID_SIGNING_TIME {
                    a.values = SetOfVec::try_from(vec![Any::encode_from(&time).unwrap()]).unwrap();
                }
            }
        });
        resign(si, &env.path("pki/signer-doctor.key"));
    });
    save_sd(&env.path(&sig), &sd);
    assert_archive_v2_fails(&env, &sig, Some("HASH_FAILURE"), "signed attribute changed");

    // The content.
    save_sd(&env.path(&sig), &pristine);
    flip_byte(&env.path("a.pdf"), 100);
    assert_archive_v2_fails(&env, &sig, Some("HASH_FAILURE"), "content changed");
}

/// An archive-time-stamp-v2 whose TSA's validation data is not in the
/// signature: `extend` would have to add it to SignedData certificates
/// and crls, which the v2 stamp hashes whole. It refuses, and the file and
/// its verdict stay as they were.
#[test]
fn extend_refuses_to_add_validation_data_that_would_break_an_archive_time_stamp_v2() {
    let env = Env::new();
    let first = short_lived_tsa(&env);
    let second = long_lived_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = b_lt(&env, "a.txt", &first.url());
    add_v2(&env, &sig, "a.txt", &second.url());
    let before = env.read(&sig);
    let verdict = |env: &Env| {
        let v = env.verify(&[&sig], &["--crl", CRLS]);
        v.expect(0, &sig, "TOTAL_PASSED", None).level.clone()
    };
    let level = verdict(&env);
    for level_arg in ["lt", "lta"] {
        let out = env.hozon(&[
            "extend",
            &sig,
            "--level",
            level_arg,
            "--trust",
            "pki/root-ca.crt",
            "--crl",
            CRLS,
            "--tsa",
            &second.url(),
        ]);
        assert_eq!(code(&out), 4, "{}", describe(&out));
        assert!(
            crate::util::stderr(&out).contains("archive-time-stamp v2"),
            "{}",
            describe(&out)
        );
        assert_eq!(env.read(&sig), before, "the file was changed");
    }
    assert_eq!(verdict(&env), level);
}

#[test]
fn an_archive_time_stamp_v2_then_v3_passes() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = b_lt(&env, "a.txt", &tsa.url());
    add_v2(&env, &sig, "a.txt", &tsa.url());
    extend(&env, &sig, "lta", &tsa.url());
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"));
    let archive = archive_entries(s);
    let attributes: Vec<_> = archive.iter().map(|t| t["attribute"].clone()).collect();
    assert_eq!(
        attributes,
        [
            serde_json::json!(V2),
            serde_json::json!("archive-time-stamp-v3")
        ],
        "{}",
        v.stdout
    );
    assert!(archive.iter().all(|t| t["indication"] == "PASSED"));
    let (ok, log) = env.openssl_verify(&sig, Some("a.txt"));
    assert!(ok, "{log}");
}

#[test]
fn an_archive_time_stamp_v1_is_reported_and_never_passes() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    let sig = b_lt(&env, "a.pdf", &tsa.url());
    add_v2(&env, &sig, "a.pdf", &tsa.url());
    // The same token under the v1 attribute (id-aa-27).
    let mut sd = load_sd(&env.path(&sig));
    edit_signer_info(&mut sd, |si| {
        let attrs: Vec<_> = si
            .unsigned_attrs
            .take()
            .unwrap()
            .into_vec()
            .into_iter()
            .map(|mut a| {
                if a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 {
                    a.oid = ID_AA_ETS_ARCHIVE_TIMESTAMP_V1;
                }
                a
            })
            .collect();
        si.unsigned_attrs = Some(SetOfVec::try_from(attrs).unwrap());
    });
    save_sd(&env.path(&sig), &sd);
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    let archive = archive_entries(s);
    assert_eq!(archive.len(), 1, "{}", v.stdout);
    assert_eq!(archive[0]["indication"], "INDETERMINATE");
    assert_eq!(archive[0]["attribute"], "archive-time-stamp v1 (id-aa-27)");
    assert!(
        s.warnings.iter().any(|w| w.contains("is not validated")),
        "{:?}",
        s.warnings
    );
}

/// One line of `openssl asn1parse`: offset, depth, header and value length.
struct Node {
    offset: usize,
    depth: usize,
    header: usize,
    len: usize,
    text: String,
}

impl Node {
    fn whole<'a>(&self, der: &'a [u8]) -> &'a [u8] {
        &der[self.offset..self.offset + self.header + self.len]
    }
}

fn asn1parse(env: &Env, file: &str) -> Vec<Node> {
    let out = env.openssl_ok(&["asn1parse", "-inform", "DER", "-in", file]);
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(|line| {
            // "  123:d=3  hl=2 l=  45 cons: SEQUENCE"
            let (offset, rest) = line.split_once(":d=").unwrap();
            let (depth, rest) = rest.split_once("hl=").unwrap();
            let (header, rest) = rest.split_once("l=").unwrap();
            let len: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            Node {
                offset: offset.trim().parse().unwrap(),
                depth: depth.trim().parse().unwrap(),
                header: header.trim().parse().unwrap(),
                len: len.parse().unwrap(),
                text: line.to_owned(),
            }
        })
        .collect()
}

/// DER length octets.
fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![len as u8];
    }
    let bytes: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

#[test]
fn the_v2_imprint_matches_an_independent_computation_with_the_openssl_cli() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = b_lt(&env, "a.txt", &tsa.url());
    add_v2(&env, &sig, "a.txt", &tsa.url());

    // The elements, sliced at the offsets openssl asn1parse reports:
    // ContentInfo (d=0) > [0] (d=1) > SignedData (d=2) > fields (d=3) >
    // SignerInfo (d=4) > its fields (d=5) > unsigned attributes (d=6).
    let der = env.read(&sig);
    let nodes = asn1parse(&env, &sig);
    let sd_fields: Vec<&Node> = nodes.iter().filter(|n| n.depth == 3).collect();
    assert_eq!(
        sd_fields.len(),
        6,
        "version, digestAlgorithms, eContentInfo, certs, crls, signerInfos"
    );
    assert!(sd_fields[3].text.contains("cont [ 0 ]") && sd_fields[4].text.contains("cont [ 1 ]"));
    let infos = sd_fields[5];
    let in_infos =
        |n: &&Node| n.offset > infos.offset && n.offset < infos.offset + infos.header + infos.len;
    let si_fields: Vec<&Node> = nodes
        .iter()
        .filter(in_infos)
        .filter(|n| n.depth == 5)
        .collect();
    assert_eq!(
        si_fields.len(),
        7,
        "one SignerInfo with unsigned attributes"
    );
    let unsigned = si_fields[6];
    assert!(unsigned.text.contains("cont [ 1 ]"), "{}", unsigned.text);
    let attrs: Vec<&Node> = nodes
        .iter()
        .filter(|n| {
            n.depth == 6
                && n.offset > unsigned.offset
                && n.offset < unsigned.offset + unsigned.header + unsigned.len
        })
        .collect();
    // Each attribute's type is the next node; the v2 one is left out.
    let v2_oid = ID_AA_ETS_ARCHIVE_TIMESTAMP_V2.to_der().unwrap();
    let (ours, covered): (Vec<&Node>, Vec<&Node>) = attrs.iter().partition(|a| {
        let body = &a.whole(&der)[a.header..];
        body.starts_with(&v2_oid)
    });
    assert_eq!(ours.len(), 1);
    assert_eq!(covered.len(), 1, "the signature time stamp");

    let mut input = Vec::new();
    input.extend_from_slice(sd_fields[2].whole(&der));
    input.extend(env.read("a.txt"));
    input.extend_from_slice(sd_fields[3].whole(&der));
    input.extend_from_slice(sd_fields[4].whole(&der));
    for f in &si_fields[..6] {
        input.extend_from_slice(f.whole(&der));
    }
    let attr_bytes: Vec<u8> = covered
        .iter()
        .flat_map(|a| a.whole(&der).to_vec())
        .collect();
    input.push(0xa1);
    input.extend(der_length(attr_bytes.len()));
    input.extend(attr_bytes);
    env.write("input.bin", &input);
    let out = env.openssl_ok(&["dgst", "-sha256", "-r", "input.bin"]);
    let expected = String::from_utf8(out.stdout).unwrap();
    let expected = expected.split_whitespace().next().unwrap().to_owned();

    // The token's messageImprint, as openssl ts prints it.
    let ours = ours[0].whole(&der);
    let attr = hozon_cms::asn1::x509_cert::attr::Attribute::from_der(ours).unwrap();
    let token = attr.values.get(0).unwrap().to_der().unwrap();
    assert!(Any::from_der(&token).is_ok());
    env.write("token.der", &token);
    let out = env.openssl_ok(&["ts", "-reply", "-in", "token.der", "-token_in", "-text"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut imprint = String::new();
    let mut in_data = false;
    for line in text.lines() {
        if line.starts_with("Message data:") {
            in_data = true;
            continue;
        }
        if in_data {
            let Some((_, hex)) = line.split_once(" - ") else {
                break;
            };
            // 16 bytes "xx xx ... xx-xx ... xx", then the ASCII column.
            let hex: String = hex.chars().take(47).collect();
            imprint.extend(hex.split([' ', '-']).filter(|b| b.len() == 2));
        }
    }
    assert_eq!(imprint, expected, "{text}");
}

#[test]
fn an_enveloping_signature_with_an_archive_time_stamp_v2_passes_and_detects_tampering() {
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--enveloping", "--level", "t", "--tsa", &tsa.url()],
    );
    extend(&env, &sig, "lt", &tsa.url());
    let tsa_client = TsaClient::new(TsaConfig::new(vec![tsa.url()])).unwrap();
    let mut never = |_: &mut Digester| -> Result<(), ContentError> {
        panic!("the content is inside the signature")
    };
    let (der, _) =
        hozon_ltv::add_archive_timestamp_v2(&env.read(&sig), &tsa_client, &mut never).unwrap();
    env.write(&sig, der);
    std::fs::remove_file(env.path("a.txt")).unwrap();
    let v = env.verify(&[&sig], &["--offline"]);
    let s = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    assert_eq!(archive_entries(s)[0]["attribute"], V2);

    // A CRL taken out after the stamp.
    let mut sd = load_sd(&env.path(&sig));
    let mut list = sd.crls.take().unwrap().0.into_vec();
    list.pop();
    sd.crls = (!list.is_empty()).then(|| {
        hozon_cms::asn1::cms::revocation::RevocationInfoChoices(SetOfVec::try_from(list).unwrap())
    });
    save_sd(&env.path(&sig), &sd);
    assert_archive_v2_fails(&env, &sig, Some("HASH_FAILURE"), "CRL removed (enveloping)");
}
