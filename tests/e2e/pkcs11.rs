//! Signing with a key on a PKCS#11 token, end to end, against SoftHSM2.
//!
//! Every test makes its own token directory (`SOFTHSM2_CONF` in the test's
//! temporary directory, so tests run in parallel), imports the test doctor's
//! RSA key, the EC signer's key, their certificates and the CA certificates
//! with `softhsm2-util` and `pkcs11-tool`, and drives `hozon` with
//! `--pkcs11-module`. OpenSSL (`openssl cms -verify -cades`, with only the
//! root as trust anchor, so the intermediate must come from the token) and
//! `hozon verify` judge the signatures. The wrong-PIN test counts `C_Login`
//! calls through OpenSC's PKCS#11 spy module: a card locks after a few
//! wrong PINs, so hozon must try exactly once.
//!
//! Without SoftHSM or OpenSC (scripts/setup installs both) a test says
//! "skipped" when run alone and fails under scripts/test (`HOZON_REQUIRE_TOOLS`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, load_sd, stderr, stdout, Env, CRLS};

const DOCTOR: &str = "CN=山田 太郎,O=hozon Test Hospital,C=JP";
const EC_SIGNER: &str = "CN=佐藤 花子,O=hozon Test Hospital,C=JP";
const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
const ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";

/// A distinctive PIN, so that any leak into output is found by a search.
const PIN: &str = "pin-7f3a9c-never-printed";
const SO_PIN: &str = "so-pin-51e2";
pub(crate) const PIN_VAR: &str = "HOZON_TEST_TOKEN_PIN";
const TOKEN: &str = "hozon-doctor";

/// SoftHSM's module, where Debian puts it.
pub(crate) const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";

/// A SoftHSM token in the test's directory, with the doctor's RSA key
/// (label `doctor-key`, id 01), the EC signer's key (`ec-key`, id 02),
/// their certificates under the same ids, and the signing CA and root
/// certificates (ids 10, 11).
pub(crate) struct Token {
    conf: PathBuf,
}

impl Token {
    /// `None` (with the reason printed) when SoftHSM is not installed.
    pub(crate) fn new(env: &Env) -> Option<Token> {
        // Skipped when run alone without SoftHSM or OpenSC; a failure under scripts/test
        // (HOZON_REQUIRE_TOOLS).
        hozon_testkit::tool_file(Path::new(MODULE), "softhsm2")?;
        hozon_testkit::tool("softhsm2-util", "softhsm2")?;
        hozon_testkit::tool("pkcs11-tool", "opensc")?;
        let dir = env.path("softhsm");
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.join("tokens").display()
            ),
        )
        .unwrap();
        let token = Token { conf };
        token.run(
            env,
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                TOKEN,
                "--pin",
                PIN,
                "--so-pin",
                SO_PIN,
            ],
        );
        for (name, label, id) in [
            ("signer-doctor", "doctor-key", "01"),
            ("signer-ec", "ec-key", "02"),
        ] {
            token.run(
                env,
                "softhsm2-util",
                &[
                    "--import",
                    &format!("pki/{name}.key"),
                    "--token",
                    TOKEN,
                    "--label",
                    label,
                    "--id",
                    id,
                    "--pin",
                    PIN,
                ],
            );
            token.write_cert(env, name, label, id);
        }
        token.write_cert(env, "signing-ca", "signing-ca", "10");
        token.write_cert(env, "root-ca", "root-ca", "11");
        Some(token)
    }

    /// Stores `pki/NAME.crt` on the token as a certificate object.
    fn write_cert(&self, env: &Env, name: &str, label: &str, id: &str) {
        let der = format!("softhsm/{name}.der");
        env.openssl_ok(&[
            "x509",
            "-in",
            &format!("pki/{name}.crt"),
            "-outform",
            "DER",
            "-out",
            &der,
        ]);
        self.run(
            env,
            "pkcs11-tool",
            &[
                "--module",
                MODULE,
                "--token-label",
                TOKEN,
                "--login",
                "--pin",
                PIN,
                "--write-object",
                &der,
                "--type",
                "cert",
                "--id",
                id,
                "--label",
                label,
            ],
        );
    }

    /// Runs a SoftHSM/OpenSC tool on this token; asserts success.
    fn run(&self, env: &Env, tool: &str, args: &[&str]) -> Output {
        let out = Command::new(tool)
            .args(args)
            .current_dir(env.dir())
            .env("SOFTHSM2_CONF", &self.conf)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{tool} {args:?}: {}", describe(&out));
        out
    }

    /// `hozon ARGS` with this token's configuration, the PIN in `PIN_VAR`
    /// and `extra_env`.
    pub(crate) fn hozon(&self, env: &Env, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let conf = self.conf.display().to_string();
        let mut envs = vec![("SOFTHSM2_CONF", conf.as_str()), (PIN_VAR, PIN)];
        envs.extend_from_slice(extra_env);
        let out = env.hozon_env(args, &envs);
        assert!(!stderr(&out).contains("panicked"), "{}", describe(&out));
        assert_no_pin(&out);
        out
    }

    /// `hozon pkcs11 list --json` (logged in when `login`), parsed.
    fn list(&self, env: &Env, login: bool) -> Value {
        let mut args = vec!["pkcs11", "list", "--pkcs11-module", MODULE, "--json"];
        if login {
            args.extend_from_slice(&["--pin-env", PIN_VAR]);
        }
        let out = self.hozon(env, &args, &[]);
        assert_eq!(code(&out), 0, "{}", describe(&out));
        serde_json::from_str(&stdout(&out)).unwrap()
    }

    /// The token's entry in `pkcs11 list --json`.
    fn listed_token(&self, env: &Env, login: bool) -> Value {
        let listing = self.list(env, login);
        listing["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["token"]["label"] == TOKEN)
            .map(|s| s["token"].clone())
            .unwrap_or_else(|| panic!("token {TOKEN} not listed: {listing}"))
    }
}
/// No output of hozon may contain the PIN.
fn assert_no_pin(out: &Output) {
    for (name, text) in [("stdout", stdout(out)), ("stderr", stderr(out))] {
        assert!(!text.contains(PIN), "the PIN appears on {name}: {text}");
    }
}

/// `hozon sign DIR --pkcs11-module … --pin-env … EXTRA --json`, asserting
/// exit 0 and that every file was signed.
fn sign_ok(env: &Env, token: &Token, paths: &[&str], extra: &[&str], files: usize) -> Value {
    let mut args = vec!["sign"];
    args.extend_from_slice(paths);
    args.extend_from_slice(&["--pkcs11-module", MODULE, "--pin-env", PIN_VAR, "--json"]);
    // What the signer's revocation pre-check checks against.
    args.extend_from_slice(&["--trust", "pki/trust.pem", "--crl", "pki/crls.pem"]);
    args.extend_from_slice(extra);
    let out = token.hozon(env, &args, &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["summary"]["signed"], files, "{report}");
    assert_eq!(report["summary"]["failed"], 0, "{report}");
    report
}

/// A directory `batch/` with `n` small distinct documents; their names.
fn batch(env: &Env, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let rel = format!("batch/record-{i}.txt");
            env.write(&rel, format!("診療記録 {i}\n").repeat(i + 1));
            rel
        })
        .collect()
}

/// The signatureAlgorithm OID of the only SignerInfo of `sig`.
fn signature_oid(env: &Env, sig: &str) -> String {
    let sd = load_sd(&env.path(sig));
    sd.signer_infos.0.as_slice()[0]
        .signature_algorithm
        .oid
        .to_string()
}

/// OpenSSL and hozon accept every signature of `files`, made by `subject`
/// with `oid`.
fn check_all(env: &Env, files: &[String], oid: &str, subject: &str) {
    for f in files {
        let sig = format!("{f}.p7s");
        let (ok, log) = env.openssl_verify(&sig, Some(f));
        assert!(ok, "openssl rejects {sig}: {log}");
        assert_eq!(signature_oid(env, &sig), oid, "{sig}");
    }
    let v = env.verify_crl(&["batch"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.report.summary.passed, files.len(), "{}", v.stdout);
    for s in &v.report.signatures {
        assert_eq!(s.indication, "TOTAL_PASSED", "{}", v.stdout);
        assert_eq!(s.signer.as_ref().map(|x| x.subject.as_str()), Some(subject));
    }
}

/// No signature files anywhere under `dir`.
fn no_signatures(env: &Env, dir: &str) {
    for entry in walkdir::WalkDir::new(env.path(dir)) {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            !name.ends_with(".p7s") && !name.contains("hozon-tmp"),
            "{} was written",
            entry.path().display()
        );
    }
}

#[test]
fn rsa_pkcs1_batch_chain_from_token_interop() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let files = batch(&env, 6);
    sign_ok(
        &env,
        &token,
        &["batch"],
        &[
            "--pkcs11-token",
            TOKEN,
            "--pkcs11-key",
            "doctor-key",
            "-j",
            "3",
        ],
        files.len(),
    );
    // openssl_verify trusts the root only: passing proves the signing CA
    // certificate was read from the token and embedded.
    check_all(&env, &files, SHA256_WITH_RSA, DOCTOR);
}

#[test]
fn rsa_pss_by_serial_and_key_id_with_cert_override() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let serial = token.listed_token(&env, false)["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    let files = batch(&env, 3);
    sign_ok(
        &env,
        &token,
        &["batch"],
        &[
            "--pkcs11-token",
            &serial,
            "--pkcs11-key",
            "id:01",
            "--rsa-pss",
            "--cert",
            "pki/signer-doctor.crt",
            "--chain",
            "pki/chain.pem",
        ],
        files.len(),
    );
    check_all(&env, &files, RSASSA_PSS, DOCTOR);
}

#[test]
fn ecdsa_serial_session_and_module_from_env() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let files = batch(&env, 5);
    // The module comes from HOZON_PKCS11_MODULE; one session drives the
    // token serially although four workers sign.
    let args = [
        "sign",
        "batch",
        "--pkcs11-key",
        "ec-key",
        "--pin-env",
        PIN_VAR,
        "--pkcs11-sessions",
        "1",
        "-j",
        "4",
        "--json",
        "--trust",
        "pki/trust.pem",
        "--crl",
        "pki/crls.pem",
    ];
    let out = token.hozon(&env, &args, &[("HOZON_PKCS11_MODULE", MODULE)]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    check_all(&env, &files, ECDSA_SHA256, EC_SIGNER);
}

#[test]
fn level_t_with_loopback_tsa() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    let files = batch(&env, 2);
    let url = tsa.url();
    sign_ok(
        &env,
        &token,
        &["batch"],
        &["--pkcs11-key", "doctor-key", "--level", "t", "--tsa", &url],
        files.len(),
    );
    assert_eq!(tsa.requests(), 2);
    for f in &files {
        let (ok, log) = env.openssl_verify(&format!("{f}.p7s"), Some(f));
        assert!(ok, "{log}");
    }
    let v = env.verify(&["batch"], &["--crl", CRLS]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    for s in &v.report.signatures {
        assert_eq!(s.indication, "TOTAL_PASSED", "{}", v.stdout);
        assert_eq!(s.level.as_deref(), Some("B-T"), "{}", v.stdout);
        assert_eq!(s.timestamps.len(), 1, "{}", v.stdout);
    }
}

/// The PKCS#11 spy module of OpenSC, which logs every call to the real module.
fn spy_module() -> Option<PathBuf> {
    let candidates = std::fs::read_dir("/usr/lib")
        .ok()?
        .filter_map(Result::ok)
        .flat_map(|d| {
            [
                d.path().join("pkcs11-spy.so"),
                d.path().join("pkcs11/pkcs11-spy.so"),
            ]
        })
        .collect::<Vec<_>>();
    candidates.into_iter().find(|p| p.is_file())
}

#[test]
fn wrong_pin_one_login_attempt_nothing_written() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let spy = spy_module()
        .expect("OpenSC's pkcs11-spy.so is missing: install opensc (scripts/setup does)");
    let before = token.listed_token(&env, false);
    assert!(
        !before["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "CKF_USER_PIN_COUNT_LOW"),
        "{before}"
    );
    let files = batch(&env, 4);
    let log = env.path("spy.log");
    let spy_text = spy.display().to_string();
    let log_text = log.display().to_string();
    let out = token.hozon(
        &env,
        &[
            "sign",
            "batch",
            "--pkcs11-module",
            &spy_text,
            "--pkcs11-token",
            TOKEN,
            "--pin-env",
            "WRONG_PIN",
            "-j",
            "4",
        ],
        &[
            ("WRONG_PIN", "000000"),
            ("PKCS11SPY", MODULE),
            ("PKCS11SPY_OUTPUT", &log_text),
        ],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("wrong PIN") && err.contains(TOKEN), "{err}");
    assert!(!err.contains("000000"), "{err}");
    no_signatures(&env, "batch");
    assert_eq!(files.len(), 4);
    // Exactly one C_Login reached the module.
    let calls = std::fs::read_to_string(&log).unwrap();
    let logins = calls.lines().filter(|l| l.contains("C_Login")).count();
    assert_eq!(logins, 1, "C_Login calls in the spy log:\n{calls}");
    // And SoftHSM counted a failed login.
    let after = token.listed_token(&env, false);
    assert!(
        after["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "CKF_USER_PIN_COUNT_LOW"),
        "{after}"
    );
}

/// `hozon sign batch --pkcs11-module … EXTRA` must fail with exit 4, write
/// nothing, and say `expected` on stderr.
fn sign_fails(env: &Env, token: &Token, extra: &[&str], expected: &[&str]) -> String {
    batch(env, 2);
    let mut args = vec![
        "sign",
        "batch",
        "--pkcs11-module",
        MODULE,
        "--pin-env",
        PIN_VAR,
    ];
    args.extend_from_slice(extra);
    let out = token.hozon(env, &args, &[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let err = stderr(&out);
    for e in expected {
        assert!(err.contains(e), "stderr lacks {e:?}: {err}");
    }
    no_signatures(env, "batch");
    err
}

#[test]
fn missing_token_names_the_present_ones() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    sign_fails(
        &env,
        &token,
        &["--pkcs11-token", "no-such-card"],
        &["no-such-card", "not found", TOKEN],
    );
}

#[test]
fn missing_key_names_the_present_ones() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    sign_fails(
        &env,
        &token,
        &["--pkcs11-key", "no-such-key"],
        &["no-such-key", "not found", "doctor-key", "ec-key"],
    );
    // Two keys and no --pkcs11-key: ambiguous, never a guess.
    sign_fails(&env, &token, &[], &["more than one key matches"]);
}

#[test]
fn certificate_not_matching_the_key_is_refused() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    sign_fails(
        &env,
        &token,
        &[
            "--pkcs11-key",
            "doctor-key",
            "--cert",
            "pki/signer-untrusted.crt",
        ],
        &["does not match the certificate", "doctor-key"],
    );
    // An RSA key with an EC certificate.
    sign_fails(
        &env,
        &token,
        &["--pkcs11-key", "doctor-key", "--cert", "pki/signer-ec.crt"],
        &["doctor-key"],
    );
}

#[test]
fn pkcs11_list_json_shows_objects_and_no_secrets() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    // Without a login the private keys are hidden, certificates are not.
    let public = token.listed_token(&env, false);
    assert_eq!(public["logged_in"], false);
    assert_eq!(public["model"], "SoftHSM v2", "{public}");
    let objects = public["objects"].as_array().unwrap();
    assert!(
        !objects.iter().any(|o| o["class"] == "private-key"),
        "{public}"
    );
    let doctor_cert = objects
        .iter()
        .find(|o| o["class"] == "certificate" && o["id"] == "01")
        .unwrap_or_else(|| panic!("{public}"));
    assert_eq!(doctor_cert["subject"], DOCTOR);
    assert_eq!(doctor_cert["label"], "doctor-key");
    assert_eq!(doctor_cert["bits"], 2048);

    let listed = token.listed_token(&env, true);
    assert_eq!(listed["logged_in"], true);
    let objects = listed["objects"].as_array().unwrap();
    let key = |label: &str| {
        objects
            .iter()
            .find(|o| o["class"] == "private-key" && o["label"] == label)
            .unwrap_or_else(|| panic!("no private key {label}: {listed}"))
            .clone()
    };
    let rsa = key("doctor-key");
    assert_eq!(
        (rsa["type"].as_str(), rsa["bits"].as_u64()),
        (Some("RSA"), Some(2048))
    );
    assert_eq!(
        (rsa["id"].as_str(), rsa["can_sign"].as_bool()),
        (Some("01"), Some(true))
    );
    let ec = key("ec-key");
    assert_eq!(
        (ec["type"].as_str(), ec["bits"].as_u64()),
        (Some("EC"), Some(256))
    );
    let subjects: Vec<&str> = objects
        .iter()
        .filter_map(|o| o["subject"].as_str())
        .collect();
    assert!(subjects.contains(&EC_SIGNER), "{listed}");
    // The listing never carries key material: no field holds more than a
    // subject's worth of text, and the doctor's modulus is nowhere.
    let text = listed.to_string();
    let modulus = env.openssl_ok(&["x509", "-in", "pki/signer-doctor.crt", "-noout", "-modulus"]);
    let modulus = stdout(&modulus)
        .trim()
        .trim_start_matches("Modulus=")
        .to_lowercase();
    assert!(!text.to_lowercase().contains(&modulus[..64]), "{text}");

    // Text output names the token and the keys too, and a wrong module path is an error naming it.
    let out = token.hozon(&env, &["pkcs11", "list", "--pkcs11-module", MODULE], &[]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(stdout(&out).contains(TOKEN), "{}", describe(&out));
    let out = token.hozon(
        &env,
        &["pkcs11", "list", "--pkcs11-module", "/nonexistent/lib.so"],
        &[],
    );
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("/nonexistent/lib.so"),
        "{}",
        describe(&out)
    );
}

#[test]
fn scan_sign_through_the_token() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    let url = tsa.url();
    env.write(
        "in/chart.png",
        crate::scan_auth::png_scan(Some(hozon_cms::UnixTime::now())),
    );
    let out = token.hozon(
        &env,
        &[
            "scan",
            "in",
            "--sign",
            "--tsa",
            &url,
            "--pkcs11-module",
            MODULE,
            "--pkcs11-key",
            "doctor-key",
            "--pin-env",
            PIN_VAR,
            "--json",
            "--trust",
            "pki/trust.pem",
            "--crl",
            "pki/crls.pem",
        ],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signing"]["summary"]["signed"], 1, "{v:#}");
    let (ok, log) = env.openssl_verify("in/chart.png.p7s", Some("in/chart.png"));
    assert!(ok, "{log}");
    let v = env.verify(&["in/chart.png.p7s"], &["--crl", CRLS]);
    let s = v.expect(0, "in/chart.png.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.signer.as_ref().map(|x| x.subject.as_str()), Some(DOCTOR));
}

#[test]
fn list_tries_the_pin_on_the_named_token_only() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    token.run(
        &env,
        "softhsm2-util",
        &[
            "--init-token",
            "--free",
            "--label",
            "other-card",
            "--pin",
            "0000-other",
            "--so-pin",
            SO_PIN,
        ],
    );
    let spy = spy_module().expect("OpenSC's pkcs11-spy.so is missing: install opensc");
    let spy_text = spy.display().to_string();
    let log = env.path("spy.log");
    let log_text = log.display().to_string();
    let spy_env = [
        ("PKCS11SPY", MODULE),
        ("PKCS11SPY_OUTPUT", log_text.as_str()),
    ];
    let list = |extra: &[&str]| {
        let mut args = vec![
            "pkcs11",
            "list",
            "--pkcs11-module",
            &spy_text,
            "--pin-env",
            PIN_VAR,
            "--json",
        ];
        args.extend_from_slice(extra);
        token.hozon(&env, &args, &spy_env)
    };
    let logins = || {
        let calls = std::fs::read_to_string(&log).unwrap_or_default();
        calls.lines().filter(|l| l.contains("C_Login")).count()
    };
    // Two tokens, a PIN and no --pkcs11-token: refused before any login.
    let out = list(&[]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("more than one token"),
        "{}",
        describe(&out)
    );
    assert_eq!(logins(), 0);
    // Named: one login, on that token only.
    std::fs::remove_file(&log).ok();
    let out = list(&["--pkcs11-token", TOKEN]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(logins(), 1);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let tokens: Vec<&Value> = v["slots"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["token"].as_object().map(|_| &s["token"]))
        .collect();
    assert_eq!(tokens.len(), 2, "{v}");
    for t in tokens {
        assert_eq!(t["logged_in"], t["label"] == TOKEN, "{t}");
    }
}

#[test]
fn token_removed_mid_batch_fails_the_rest_and_leaves_only_whole_signatures() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let total = 1000;
    for i in 0..total {
        env.write(&format!("batch/r{i:04}.txt"), format!("record {i}\n"));
    }
    let mut child = Command::new(crate::util::HOZON)
        .args([
            "sign",
            "batch",
            "--pkcs11-module",
            MODULE,
            "--pkcs11-key",
            "doctor-key",
            "--pin-env",
            PIN_VAR,
            "--pkcs11-sessions",
            "1",
            "-j",
            "1",
            "--json",
            "--trust",
            "pki/trust.pem",
            "--crl",
            "pki/crls.pem",
        ])
        .current_dir(env.dir())
        .env("SOFTHSM2_CONF", &token.conf)
        .env(PIN_VAR, PIN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // "Pull the card" once the first signatures are on disk: SoftHSM's
    // token directory goes away under the running batch.
    let signed = |env: &Env| {
        std::fs::read_dir(env.path("batch"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".p7s")
            })
            .count()
    };
    while signed(&env) == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "hozon ended before signing anything"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for entry in std::fs::read_dir(env.path("softhsm/tokens")).unwrap() {
        std::fs::remove_dir_all(entry.unwrap().path()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_no_pin(&out);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let summary = &report["summary"];
    let (done, failed) = (
        summary["signed"].as_u64().unwrap(),
        summary["failed"].as_u64().unwrap(),
    );
    assert!(done > 0 && failed > 0, "{summary}");
    assert_eq!(done + failed, total as u64, "{summary}");
    for f in report["failed"].as_array().unwrap() {
        let reason = f["reason"].as_str().unwrap();
        assert!(
            reason.contains("was removed or stopped answering") && reason.contains(TOKEN),
            "{f}"
        );
    }
    // Exactly the signed files have a signature, each whole and valid; no temporaries.
    assert_eq!(signed(&env) as u64, done);
    no_temporaries(&env, "batch");
    let v = env.verify_crl(&["batch"]);
    assert_eq!(v.report.summary.passed as u64, done, "{}", v.stdout);
    assert_eq!(v.report.summary.total as u64, done, "{}", v.stdout);
}

/// No temporaries of an interrupted write under `dir`.
fn no_temporaries(env: &Env, dir: &str) {
    for entry in walkdir::WalkDir::new(env.path(dir)) {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains("hozon-tmp"), "{name} was left behind");
    }
}

/// The archive signs through the token: `archive init` records the module,
/// token, key and the PIN's variable name (never the PIN) in `hozon.toml`;
/// `archive ingest` signs every document on the token; everything verifies.
#[test]
fn archive_ingest_signs_through_the_token() {
    let env = Env::new();
    let Some(token) = Token::new(&env) else {
        return;
    };
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    let url = tsa.url();
    let files = batch(&env, 3);
    let out = token.hozon(
        &env,
        &[
            "archive",
            "init",
            "arc",
            "--pkcs11-module",
            MODULE,
            "--pkcs11-token",
            TOKEN,
            "--pkcs11-key",
            "doctor-key",
            "--pin-env",
            PIN_VAR,
            "--tsa",
            &url,
            "--trust",
            "pki/trust.pem",
            "--crl",
            CRLS,
            "--offline",
        ],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let toml = std::fs::read_to_string(env.path("arc/hozon.toml")).unwrap();
    assert!(toml.contains("pkcs11_module"), "{toml}");
    assert!(toml.contains(PIN_VAR), "{toml}");
    assert!(!toml.contains(PIN), "the PIN was written to hozon.toml");

    let out = token.hozon(
        &env,
        &["archive", "--archive", "arc", "ingest", "batch", "--json"],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let out = token.hozon(
        &env,
        &["archive", "--archive", "arc", "verify", "--json"],
        &[],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["summary"]["total"], files.len(), "{report:#}");
    assert_eq!(
        report["audit"]["problems"].as_array().map(Vec::len),
        Some(0),
        "{report:#}"
    );
    // Every archived signature is the doctor's, made on the token, and
    // OpenSSL accepts it against the archived copy of its document.
    let mut signatures = 0;
    for entry in walkdir::WalkDir::new(env.path("arc/records")) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "p7s")
            && !path.to_string_lossy().contains("history")
        {
            let content = path.with_extension("");
            let (ok, log) =
                env.openssl_verify(path.to_str().unwrap(), Some(content.to_str().unwrap()));
            assert!(ok, "{}: {log}", path.display());
            signatures += 1;
        }
    }
    assert_eq!(signatures, files.len());
    assert_eq!(
        tsa.requests(),
        2,
        "init's test stamp, and one evidence-record batch for the whole ingest"
    );
}
