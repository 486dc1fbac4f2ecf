//! Revocation data fetched over HTTP (OCSP from AIA, CRLs from CDP)
//! against the loopback servers on the ports the test certificates name
//! (127.0.0.1:18080 CRLs, 127.0.0.1:18081 OCSP). Every test here holds
//! `fixed_ports()` so that none overlaps another.

use std::path::Path;

use hozon_testkit::{
    fixed_ports, CrlServer, OcspServer, Pki, TsaMode, TsaServer, CRL_PORT, OCSP_PORT,
};

use crate::util::{code, describe, stderr, Env, CHAIN, CRLS, TRUST};

struct Servers {
    crl: CrlServer,
    ocsp: OcspServer,
    tsa: TsaServer,
}

fn servers(env: &Env) -> Servers {
    let pki = Pki::copy_to(&env.path("server-pki")).unwrap();
    Servers {
        crl: CrlServer::start_on(&pki, CRL_PORT).unwrap(),
        ocsp: OcspServer::start_on(&pki, OCSP_PORT).unwrap(),
        tsa: TsaServer::start(&pki, TsaMode::Normal).unwrap(),
    }
}

/// Writes `n` small files under `dir` and signs them at B-T with `signer`.
fn sign_many(env: &Env, dir: &str, n: usize, signer: &str, tsa: &str) {
    let root = env.path(dir);
    std::fs::create_dir_all(&root).unwrap();
    for i in 0..n {
        std::fs::write(
            root.join(format!("r{i:04}.txt")),
            format!("record {i} of {dir}\n"),
        )
        .unwrap();
    }
    let key = format!("pki/{signer}.key");
    let cert = format!("pki/{signer}.crt");
    let out = env.hozon(&[
        "sign", dir, "--key", &key, "--cert", &cert, "--chain", CHAIN, "--crl", CRLS, "--level",
        "t", "--tsa", tsa,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

fn count_signatures(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "p7s")
        })
        .count()
}

#[test]
fn extending_a_thousand_b_t_signatures_fetches_each_url_once() {
    let _ports = fixed_ports();
    let env = Env::new();
    let s = servers(&env);
    sign_many(&env, "doctor", 500, "signer-doctor", &s.tsa.url());
    sign_many(&env, "ec", 500, "signer-ec", &s.tsa.url());
    assert_eq!(
        s.crl.requests() + s.ocsp.requests(),
        0,
        "signing fetches nothing"
    );
    let out = env.hozon(&[
        "extend",
        "doctor",
        "ec",
        "--level",
        "lta",
        "--trust",
        TRUST,
        "--tsa",
        &s.tsa.url(),
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // signer-doctor and signer-ec: one OCSP request each (AIA). Their CA
    // and the TSA (no AIA) share root-ca.crl: one CRL request in all.
    assert_eq!(
        s.ocsp.requests(),
        2,
        "one OCSP request per certificate asked about"
    );
    assert_eq!(s.crl.requests(), 1, "one request per distinct CRL URL");
    assert_eq!(count_signatures(&env.path("doctor")), 500);
    let v = env.verify(&["doctor", "ec"], &["--offline"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.summary.total, 1000, "{}", v.stdout);
    assert_eq!(v.report.summary.passed, 1000);
    for sig in &v.report.signatures {
        assert_eq!(sig.indication, "TOTAL_PASSED", "{}", sig.file);
        assert_eq!(sig.level.as_deref(), Some("B-LTA"), "{}", sig.file);
    }
    assert_eq!(
        s.crl.requests() + s.ocsp.requests(),
        3,
        "verify --offline fetched"
    );
    // The OCSP response travels as id-ri-ocsp-response; OpenSSL still
    // accepts the signature (CAdES checks included).
    let (ok, log) = env.openssl_verify("doctor/r0000.txt.p7s", Some("doctor/r0000.txt"));
    assert!(ok, "{log}");
    let text = env.openssl_ok(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        "doctor/r0000.txt.p7s",
    ]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("1.3.6.1.5.5.7.16.2") || text.contains("id-ri-ocsp-response"),
        "{text}"
    );
}

#[test]
fn a_revoked_signer_is_found_through_ocsp_alone() {
    let _ports = fixed_ports();
    let env = Env::new();
    let s = servers(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    // hozon sign refuses a revoked signer: OpenSSL makes the signature.
    env.openssl_sign("a.txt", "signer-revoked", "a.txt.p7s", &["-cades"]);
    let sig = "a.txt.p7s".to_string();
    // No --crl: the only source is the OCSP responder of the AIA.
    let v = env.verify_online(&[&sig], &[]);
    let entry = v.expect(1, &sig, "TOTAL_FAILED", Some("REVOKED"));
    assert!(
        entry.errors.iter().any(|e| e.contains("keyCompromise")),
        "{}",
        v.stdout
    );
    assert_eq!(s.ocsp.requests(), 1);
}

#[test]
fn servers_down_give_indeterminate_naming_the_url_and_extend_writes_nothing() {
    let _ports = fixed_ports();
    let env = Env::new();
    let tsa = TsaServer::start(
        &Pki::copy_to(&env.path("server-pki")).unwrap(),
        TsaMode::Normal,
    )
    .unwrap();
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    let started = std::time::Instant::now();
    let v = env.verify_online(&[&sig], &[]);
    let entry = v.expect(3, &sig, "INDETERMINATE", Some("TRY_LATER"));
    let all = entry.errors.join("\n");
    assert!(all.contains("http://127.0.0.1:18081/"), "{all}");
    assert!(all.contains("http://127.0.0.1:18080/crl/"), "{all}");
    assert!(started.elapsed().as_secs() < 30, "no hang");
    let before = env.read(&sig);
    let out = env.hozon(&[
        "extend",
        &sig,
        "--level",
        "lt",
        "--trust",
        TRUST,
        "--tsa",
        &tsa.url(),
    ]);
    assert_ne!(code(&out), 0, "{}", describe(&out));
    assert!(
        stderr(&out).contains("127.0.0.1:1808"),
        "{}",
        describe(&out)
    );
    assert_eq!(env.read(&sig), before, "extend wrote nothing");
}

#[test]
fn offline_never_contacts_the_servers() {
    let _ports = fixed_ports();
    let env = Env::new();
    let s = servers(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &s.tsa.url()],
    );
    let v = env.verify(&[&sig], &["--offline"]);
    v.expect(3, &sig, "INDETERMINATE", Some("TRY_LATER"));
    let out = env.hozon(&[
        "extend",
        &sig,
        "--level",
        "lt",
        "--trust",
        TRUST,
        "--offline",
    ]);
    assert_ne!(code(&out), 0, "{}", describe(&out));
    assert_eq!(s.crl.requests() + s.ocsp.requests(), 0);
    // Online, the same signature validates from fetched data, and extend
    // embeds it: then it passes offline as B-LT.
    let v = env.verify_online(&[&sig], &[]);
    v.expect(0, &sig, "TOTAL_PASSED", None);
    let out = env.hozon(&["extend", &sig, "--level", "lt", "--trust", TRUST]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(&[&sig], &["--offline"]);
    let entry = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(entry.level.as_deref(), Some("B-LT"), "{}", v.stdout);
}

#[test]
fn ocsp_file_given_with_ocsp_is_used_and_embedded() {
    let _ports = fixed_ports();
    let env = Env::new();
    let tsa = TsaServer::start(
        &Pki::copy_to(&env.path("server-pki")).unwrap(),
        TsaMode::Normal,
    )
    .unwrap();
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    // An OCSP response made by the openssl CLI as the delegated responder.
    env.write("index.txt", ocsp_index(&env));
    env.write("index.txt.attr", "unique_subject = no\n");
    env.openssl_ok(&[
        "ocsp",
        "-index",
        "index.txt",
        "-CA",
        "pki/signing-ca.crt",
        "-rsigner",
        "pki/ocsp.crt",
        "-rkey",
        "pki/ocsp.key",
        "-issuer",
        "pki/signing-ca.crt",
        "-cert",
        "pki/signer-doctor.crt",
        "-ndays",
        "1",
        "-respout",
        "doctor.ocsp",
    ]);
    let out = env.hozon(&[
        "extend",
        &sig,
        "--level",
        "lt",
        "--trust",
        TRUST,
        "--offline",
        "--ocsp",
        "doctor.ocsp",
        "--crl",
        "pki/root-ca.crl",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(&[&sig], &["--offline"]);
    let entry = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(entry.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    let (ok, log) = env.openssl_verify(&sig, Some("a.txt"));
    assert!(ok, "{log}");
}

#[test]
fn replacing_the_embedded_ocsp_response_after_the_archive_stamp_is_detected() {
    let _ports = fixed_ports();
    let env = Env::new();
    let tsa = TsaServer::start(
        &Pki::copy_to(&env.path("server-pki")).unwrap(),
        TsaMode::Normal,
    )
    .unwrap();
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &tsa.url()],
    );
    env.write("index.txt", ocsp_index(&env));
    env.write("index.txt.attr", "unique_subject = no\n");
    for (days, out) in [("1", "one.ocsp"), ("2", "two.ocsp")] {
        env.openssl_ok(&[
            "ocsp",
            "-index",
            "index.txt",
            "-CA",
            "pki/signing-ca.crt",
            "-rsigner",
            "pki/ocsp.crt",
            "-rkey",
            "pki/ocsp.key",
            "-issuer",
            "pki/signing-ca.crt",
            "-cert",
            "pki/signer-doctor.crt",
            "-ndays",
            days,
            "-respout",
            out,
        ]);
    }
    let out = env.hozon(&[
        "extend",
        &sig,
        "--level",
        "lta",
        "--trust",
        TRUST,
        "--offline",
        "--ocsp",
        "one.ocsp",
        "--crl",
        "pki/root-ca.crl",
        "--tsa",
        &tsa.url(),
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = env.verify(&[&sig], &["--offline"]);
    let entry = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(entry.level.as_deref(), Some("B-LTA"), "{}", v.stdout);

    // Swap the embedded OCSP response for another valid one of the same
    // responder: the archive stamp's hash index no longer matches.
    use hozon_cms::asn1::cms::revocation::{RevocationInfoChoice, RevocationInfoChoices};
    use hozon_cms::asn1::der::{asn1::SetOfVec, Any, Decode};
    let mut sd = crate::util::load_sd(&env.path(&sig));
    let other = Any::from_der(&env.read("two.ocsp")).unwrap();
    let list: Vec<RevocationInfoChoice> = sd
        .crls
        .take()
        .unwrap()
        .0
        .into_vec()
        .into_iter()
        .map(|c| match c {
            RevocationInfoChoice::Other(mut o) => {
                o.other = other.clone();
                RevocationInfoChoice::Other(o)
            }
            crl => crl,
        })
        .collect();
    sd.crls = Some(RevocationInfoChoices(SetOfVec::try_from(list).unwrap()));
    crate::util::save_sd(&env.path(&sig), &sd);
    let v = env.verify(&[&sig], &["--offline"]);
    let entry = v.expect(1, &sig, "TOTAL_FAILED", Some("HASH_FAILURE"));
    assert!(
        entry
            .errors
            .iter()
            .any(|e| e.contains("archive time stamp")),
        "{:?}",
        entry.errors
    );
}

/// An `openssl ca` index listing signer-doctor as valid.
fn ocsp_index(env: &Env) -> String {
    let out = env.openssl_ok(&["x509", "-in", "pki/signer-doctor.crt", "-noout", "-serial"]);
    let serial = String::from_utf8_lossy(&out.stdout)
        .trim()
        .trim_start_matches("serial=")
        .to_owned();
    format!("V\t20600101000000Z\t\t{serial}\tunknown\t/CN=x\n")
}

/// The JIS profile with fetched data: the signer's OCSP response goes into
/// revocation-values (as a BasicOCSPResponse) next to the CRLs, and the
/// ES-XL signature then validates offline from those attributes alone.
#[test]
fn jis_profile_embeds_the_fetched_ocsp_response_in_revocation_values() {
    let _ports = fixed_ports();
    let env = Env::new();
    let s = servers(&env);
    env.copy_doc("referral-letter.txt", "a.txt");
    let sig = env.sign_doc(
        "a.txt",
        "signer-doctor",
        &["--level", "t", "--tsa", &s.tsa.url()],
    );
    let out = env.hozon(&[
        "extend",
        &sig,
        "--level",
        "lt",
        "--profile",
        "jis",
        "--trust",
        TRUST,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(s.ocsp.requests(), 1);
    let sd = crate::util::load_sd(&env.path(&sig));
    assert!(sd.crls.is_none(), "JIS keeps revocation data in attributes");
    let si = sd.signer_infos.0.iter().next().unwrap();
    let attrs = si.unsigned_attrs.as_ref().unwrap();
    let values = attrs
        .iter()
        .find(|a| a.oid == hozon_cms::oid::rfc5126::ID_AA_ETS_REVOCATION_VALUES)
        .expect("revocation-values");
    use hozon_cms::asn1::der::{Decode, Encode};
    let der = values.values.get(0).unwrap().to_der().unwrap();
    let rv = hozon_cms::es_c::RevocationValues::from_der(&der).unwrap();
    assert_eq!(rv.ocsp_basic_der().unwrap().len(), 1, "one OCSP response");

    // Offline, with the servers stopped: everything comes from the file.
    drop(s);
    let v = env.verify(&[&sig], &["--offline"]);
    let entry = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(entry.level.as_deref(), Some("B-LT"), "{}", v.stdout);
    let (ok, log) = env.openssl_verify(&sig, Some("a.txt"));
    assert!(ok, "{log}");
}

/// `sign --level lta` against the loopback TSA, OCSP responder and CRL
/// server, with no revocation data given: what it fetched is embedded, and
/// the signature then validates with the servers gone.
#[test]
fn signing_at_b_lta_fetches_embeds_and_validates_offline() {
    let _ports = fixed_ports();
    let env = Env::new();
    let s = servers(&env);
    env.copy_doc("lab-report.pdf", "a.pdf");
    // No --crl: the signer's revocation pre-check and the validation data
    // both come from the servers.
    let out = env.hozon(&[
        "sign",
        "a.pdf",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--level",
        "lta",
        "--tsa",
        &s.tsa.url(),
        "--trust",
        TRUST,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let sig = "a.pdf.p7s".to_string();
    // The pre-check before the first signature asks once, and the
    // validation data of the batch once more (each run fetches a URL once).
    assert_eq!(
        s.ocsp.requests(),
        2,
        "the signer's status: pre-check, then embedding"
    );
    assert_eq!(
        s.crl.requests(),
        2,
        "root-ca.crl: pre-check, then embedding"
    );
    drop(s);
    let v = env.verify(&[&sig], &["--offline"]);
    let entry = v.expect(0, &sig, "TOTAL_PASSED", None);
    assert_eq!(entry.level.as_deref(), Some("B-LTA"), "{}", v.stdout);
    let (ok, log) = env.openssl_verify(&sig, Some("a.pdf"));
    assert!(ok, "{log}");
}
