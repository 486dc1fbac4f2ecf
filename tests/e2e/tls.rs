//! Time stamps from an HTTPS TSA that authenticates its clients with TLS
//! client certificates, as Japanese commercial TSAs do: `--tsa https://…`
//! with `--tsa-ca CA.pem` (a private CA for the server) and
//! `--tsa-client-cert CLIENT.p12` with `--tsa-client-pass-env VAR` or
//! `--tsa-client-pass-file FILE`.
//!
//! The server is the loopback TSA of `hozon-testkit` over OpenSSL's TLS,
//! requiring a client certificate of its own throwaway CA; the TLS PKI is
//! made at test time (`make_tls_material`) under `tls/` of the [`Env`].
//! A client the server refuses never gets an HTTP exchange
//! (`requests()` stays 0), so every refusal below is the TLS layer's.

use hozon_testkit::{make_tls_material, Pki, TsaMode, TsaServer, TLS_CLIENT_PASSWORD};

use crate::tsa::{
    assert_b_t_passed, batch_json, expect_tsa_fault, hozon_expect, DOCTOR, FAST, TSA_SUBJECT,
};
use crate::util::{code, describe, stderr, stdout, Env};

/// The TLS CA (trusted for the server), relative to the [`Env`].
const TLS_CA: &str = "tls/tls-ca.pem";
/// The client certificate and key, PKCS#12.
const CLIENT_P12: &str = "tls/tls-client.p12";
/// A client certificate of another CA (same password).
const OTHER_CLIENT_P12: &str = "tls/tls-other-client.p12";
/// A file holding the client certificate's password.
const PASS_FILE: &str = "tls/client.pass";
/// The environment variable the password is passed in.
const PASS_VAR: &str = "TSA_CLIENT_PASS";

/// Makes the TLS material under `tls/` and starts the loopback TSA over
/// HTTPS, requiring a client certificate of `tls/tls-ca.pem`.
fn start_https_tsa(env: &Env) -> TsaServer {
    let tls = make_tls_material(&env.path("tls")).unwrap();
    env.write(PASS_FILE, format!("{TLS_CLIENT_PASSWORD}\n"));
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start_tls(&pki, TsaMode::Normal, tls.server_config()).unwrap();
    assert!(tsa.url().starts_with("https://127.0.0.1:"), "{}", tsa.url());
    tsa
}

/// The options for the TSA's CA and the client certificate, with its
/// password from [`PASS_VAR`].
const CLIENT: [&str; 6] = [
    "--tsa-ca",
    TLS_CA,
    "--tsa-client-cert",
    CLIENT_P12,
    "--tsa-client-pass-env",
    PASS_VAR,
];

/// Runs `hozon ARGS` with the right password in [`PASS_VAR`].
fn hozon_with_password(env: &Env, args: &[&str]) -> std::process::Output {
    env.hozon_env(args, &[(PASS_VAR, TLS_CLIENT_PASSWORD)])
}

/// Asserts that neither stdout nor stderr contains `secret`.
fn assert_no_leak(out: &std::process::Output, secret: &str) {
    assert!(
        !stdout(out).contains(secret) && !stderr(out).contains(secret),
        "the password is echoed: {}",
        describe(out)
    );
}

#[test]
fn timestamp_over_https_with_a_client_certificate() {
    let env = Env::new();
    let tsa = start_https_tsa(&env);
    let url = tsa.url();
    env.copy_doc("lab-report.pdf", "a.pdf");

    let mut args = vec!["timestamp", "a.pdf", "--tsa", &url, "--json"];
    args.extend_from_slice(&CLIENT);
    let out = hozon_with_password(&env, &args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_leak(&out, TLS_CLIENT_PASSWORD);
    let json = batch_json(&out);
    assert_eq!(json["stamped"][0]["file"], "a.pdf", "{json}");
    assert_eq!(json["stamped"][0]["timestamp"], "a.pdf.tsr", "{json}");
    assert_eq!(json["summary"]["failed"], 0, "{json}");
    assert_eq!(tsa.requests(), 1);

    // OpenSSL accepts the .tsr over a.pdf …
    let out = env.openssl(&[
        "ts",
        "-verify",
        "-data",
        "a.pdf",
        "-in",
        "a.pdf.tsr",
        "-CAfile",
        "pki/root-ca.crt",
    ]);
    assert!(
        out.status.success() && stdout(&out).contains("Verification: OK"),
        "{}",
        describe(&out)
    );
    // … and so does hozon.
    let v = env.verify_crl(&["a.pdf.tsr"]);
    let s = v.expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
    assert_eq!(s.format, "RFC3161");
    assert_eq!(s.content.as_deref(), Some("a.pdf"));
    assert_eq!(s.timestamps[0]["tsa"], TSA_SUBJECT, "{}", v.stdout);

    // The password from a file works the same.
    let stamp = env.read("a.pdf.tsr");
    let out = hozon_expect(
        &env,
        &[
            "timestamp",
            "a.pdf",
            "--tsa",
            &url,
            "--force",
            "--tsa-ca",
            TLS_CA,
            "--tsa-client-cert",
            CLIENT_P12,
            "--tsa-client-pass-file",
            PASS_FILE,
        ],
        0,
    );
    assert_no_leak(&out, TLS_CLIENT_PASSWORD);
    assert_ne!(env.read("a.pdf.tsr"), stamp, "not stamped again");
    assert_eq!(tsa.requests(), 2);
    env.verify_crl(&["a.pdf.tsr"])
        .expect(0, "a.pdf.tsr", "TOTAL_PASSED", None);
}

#[test]
fn sign_and_extend_level_t_over_https_with_a_client_certificate() {
    let env = Env::new();
    let tsa = start_https_tsa(&env);
    let url = tsa.url();

    // sign --level t
    env.copy_doc("lab-report.pdf", "a.pdf");
    let mut args = vec!["sign", "a.pdf", "--level", "t", "--tsa", &url];
    args.extend_from_slice(&DOCTOR);
    args.extend_from_slice(&CLIENT);
    let out = hozon_with_password(&env, &args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_leak(&out, TLS_CLIENT_PASSWORD);
    assert_eq!(tsa.requests(), 1);
    assert_b_t_passed(&env.verify_crl(&["a.pdf.p7s"]), "a.pdf.p7s");
    let (ok, text) = env.openssl_verify("a.pdf.p7s", Some("a.pdf"));
    assert!(ok, "{text}");

    // extend --level t of a B-B signature
    env.copy_doc("referral-letter.txt", "b.txt");
    let sig = env.sign_doc("b.txt", "signer-doctor", &[]);
    let mut args = vec!["extend", &sig, "--level", "t", "--tsa", &url];
    args.extend_from_slice(&CLIENT);
    let out = hozon_with_password(&env, &args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_no_leak(&out, TLS_CLIENT_PASSWORD);
    assert_eq!(tsa.requests(), 2);
    assert_b_t_passed(&env.verify_crl(&[&sig]), &sig);
}

#[test]
fn https_tsa_without_a_client_certificate_is_refused() {
    // Server trusted, but no client certificate: the TSA's TLS layer
    // refuses (TLS 1.3 "certificate required" alert), for timestamp, sign
    // and extend alike; nothing is written.
    let env = Env::new();
    let tsa = start_https_tsa(&env);
    let mut extra = FAST.to_vec();
    extra.extend_from_slice(&["--tsa-ca", TLS_CA]);
    expect_tsa_fault(
        &env,
        &tsa.url(),
        &extra,
        &[
            "TLS handshake failed",
            "certificate required",
            "--tsa-client-cert",
        ],
    );
    assert_eq!(tsa.requests(), 0, "an HTTP request got through");
}

#[test]
fn https_tsa_refuses_a_client_certificate_of_another_ca() {
    let env = Env::new();
    let tsa = start_https_tsa(&env);
    let mut extra = FAST.to_vec();
    extra.extend_from_slice(&[
        "--tsa-ca",
        TLS_CA,
        "--tsa-client-cert",
        OTHER_CLIENT_P12,
        "--tsa-client-pass-file",
        PASS_FILE,
    ]);
    let outputs = expect_tsa_fault(
        &env,
        &tsa.url(),
        &extra,
        &["TLS handshake failed", "unknown ca"],
    );
    for out in &outputs {
        assert_no_leak(out, TLS_CLIENT_PASSWORD);
    }
    assert_eq!(tsa.requests(), 0, "an HTTP request got through");
}

#[test]
fn https_tsa_with_a_private_ca_needs_tsa_ca() {
    // A good client certificate, but the server's certificate is issued by
    // a CA the system store does not know: the client refuses the server.
    let env = Env::new();
    let tsa = start_https_tsa(&env);
    let mut extra = FAST.to_vec();
    extra.extend_from_slice(&[
        "--tsa-client-cert",
        CLIENT_P12,
        "--tsa-client-pass-file",
        PASS_FILE,
    ]);
    let outputs = expect_tsa_fault(
        &env,
        &tsa.url(),
        &extra,
        &[
            "TLS handshake failed",
            "certificate verify failed",
            "--tsa-ca",
        ],
    );
    for out in &outputs {
        assert_no_leak(out, TLS_CLIENT_PASSWORD);
    }
    assert_eq!(tsa.requests(), 0, "an HTTP request got through");
}

#[test]
fn wrong_client_certificate_password_is_named_and_never_shown() {
    const WRONG: &str = "Wr0ng-p12-Pass";
    let env = Env::new();
    let tsa = start_https_tsa(&env);
    let url = tsa.url();
    env.copy_doc("lab-report.pdf", "a.pdf");

    let mut stamp = vec!["timestamp", "a.pdf", "--tsa", &url];
    stamp.extend_from_slice(&CLIENT);
    let mut sign = vec!["sign", "a.pdf", "--level", "t", "--tsa", &url];
    sign.extend_from_slice(&DOCTOR);
    sign.extend_from_slice(&CLIENT);
    for args in [&stamp, &sign] {
        let out = env.hozon_env(args, &[(PASS_VAR, WRONG)]);
        assert_eq!(code(&out), 4, "{}", describe(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
        assert!(
            stderr(&out).contains("client certificate"),
            "the client certificate is not named: {}",
            describe(&out)
        );
        assert!(
            stderr(&out).contains("wrong password") && !stderr(&out).contains("builder error"),
            "the reason is not given: {}",
            describe(&out)
        );
        assert_no_leak(&out, WRONG);
        assert_no_leak(&out, TLS_CLIENT_PASSWORD);
    }
    assert!(!env.exists("a.pdf.tsr"), "a.pdf.tsr was written");
    assert!(!env.exists("a.pdf.p7s"), "a.pdf.p7s was written");
    assert_eq!(tsa.requests(), 0);
}
