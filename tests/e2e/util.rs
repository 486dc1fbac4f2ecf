//! Helpers shared by the end-to-end tests.
//!
//! Every test builds an [`Env`]: a fresh temporary directory holding a copy
//! of `testdata/pki` under `pki/`. Commands (`hozon`, `openssl`) run with
//! that directory as their working directory, so tests pass relative paths
//! and can compare the `file` fields of reports exactly.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::SystemTime;

use hozon_cms::asn1::cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use hozon_cms::asn1::cms::signed_data::{
    CertificateSet, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use hozon_cms::asn1::der::asn1::{OctetString, SetOfVec};
use hozon_cms::asn1::der::Encode;
use hozon_cms::asn1::x509_cert::attr::Attribute;
use hozon_cms::{Cert, SignatureFile};
use hozon_sign::{AlgorithmChoice, CadesSigner, SoftwareSigner};

use crate::report::{Report, Signature};

/// The hozon binary under test.
pub const HOZON: &str = env!("CARGO_BIN_EXE_hozon");
/// Trust store with the test root only (relative to an [`Env`]).
pub const TRUST: &str = "pki/trust.pem";
/// signing-ca and root CRLs (PEM), relative to an [`Env`].
pub const CRLS: &str = "pki/crls.pem";
/// A crypto policy giving RSA-2048 no end date (relative to an [`Env`]).
pub const NO_RSA_SUNSET: &str = "pki/no-rsa-2048-sunset.toml";
/// signing-ca + root, relative to an [`Env`].
pub const CHAIN: &str = "pki/chain.pem";

/// `testdata/` of the repository (read only).
pub fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../testdata"))
}

/// Copies every regular file of `from` into `to` (not recursive).
pub fn copy_testdata(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// XORs the byte at `offset` of `path` with 0x01. Negative offsets count
/// from the end (-1 is the last byte).
pub fn flip_byte(path: &Path, offset: isize) {
    let mut bytes = std::fs::read(path).unwrap();
    assert!(!bytes.is_empty(), "{} is empty", path.display());
    let i = if offset < 0 {
        bytes.len() - offset.unsigned_abs()
    } else {
        offset.unsigned_abs()
    };
    bytes[i] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

/// The exit status of a finished process (panics if it was killed).
pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {out:?}"))
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Describes a finished process for assertion messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

/// One test's working directory.
pub struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    /// A fresh temporary directory with `pki/` copied from testdata.
    pub fn new() -> Env {
        let tmp = tempfile::tempdir().unwrap();
        copy_testdata(&testdata().join("pki"), &tmp.path().join("pki"));
        Env { tmp }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// `rel` inside the directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir().join(rel)
    }

    /// Copies `testdata/docs/doc` to `rel` (parents created); returns `rel`.
    pub fn copy_doc(&self, doc: &str, rel: &str) -> String {
        let target = self.path(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(testdata().join("docs").join(doc), &target).unwrap();
        rel.to_owned()
    }

    /// Reads `rel`.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        std::fs::read(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Writes `rel` (parents created).
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let target = self.path(rel);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }

    /// Whether `rel` exists (without following a final symlink).
    pub fn exists(&self, rel: &str) -> bool {
        self.path(rel).symlink_metadata().is_ok()
    }

    /// Runs `hozon ARGS` in the directory, stdin closed.
    pub fn hozon<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        self.hozon_env(args, &[])
    }

    /// Runs `hozon ARGS` with extra environment variables.
    pub fn hozon_env<S: AsRef<OsStr>>(&self, args: &[S], envs: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(HOZON);
        cmd.args(args)
            .current_dir(self.dir())
            .stdin(std::process::Stdio::null())
            // English human output whatever the developer's locale (`envs` may override).
            .env("HOZON_LANG", "en");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// Runs the system `openssl ARGS` in the directory.
    pub fn openssl<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        Command::new("openssl")
            .args(args)
            .current_dir(self.dir())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs `openssl ARGS` and asserts that it succeeded.
    pub fn openssl_ok<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        let out = self.openssl(args);
        assert!(out.status.success(), "openssl failed: {}", describe(&out));
        out
    }

    /// `hozon sign FILE` with `pki/SIGNER.key`, `pki/SIGNER.crt`, the chain
    /// and `extra`; asserts success and returns the signature's path
    /// (`FILE.p7s`, or `FILE.p7m` with `--enveloping`).
    pub fn sign_doc(&self, file: &str, signer: &str, extra: &[&str]) -> String {
        let key = format!("pki/{signer}.key");
        let cert = format!("pki/{signer}.crt");
        let mut args = vec![
            "sign", file, "--key", &key, "--cert", &cert, "--chain", CHAIN, "--crl", CRLS,
        ];
        args.extend_from_slice(extra);
        let out = self.hozon(&args);
        assert_eq!(code(&out), 0, "hozon sign failed: {}", describe(&out));
        let ext = if extra.contains(&"--enveloping") {
            "p7m"
        } else {
            "p7s"
        };
        let sig = format!("{file}.{ext}");
        assert!(self.exists(&sig), "{sig} was not written");
        sig
    }

    /// `openssl cms -sign -binary -in FILE -signer pki/SIGNER.crt -inkey
    /// pki/SIGNER.key -certfile pki/chain.pem -outform DER -out OUT EXTRA`.
    pub fn openssl_sign(&self, file: &str, signer: &str, out: &str, extra: &[&str]) {
        let key = format!("pki/{signer}.key");
        let cert = format!("pki/{signer}.crt");
        let mut args = vec![
            "cms",
            "-sign",
            "-binary",
            "-in",
            file,
            "-signer",
            &cert,
            "-inkey",
            &key,
            "-certfile",
            CHAIN,
            "-outform",
            "DER",
            "-out",
            out,
        ];
        args.extend_from_slice(extra);
        self.openssl_ok(&args);
    }

    /// `openssl cms -verify -cades -binary` of a hozon signature against
    /// root-ca; `content` for detached signatures. Returns whether OpenSSL
    /// accepted it, and what it printed.
    pub fn openssl_verify(&self, sig: &str, content: Option<&str>) -> (bool, String) {
        let mut args = vec![
            "cms",
            "-verify",
            "-cades",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig,
            "-CAfile",
            "pki/root-ca.crt",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ];
        if let Some(c) = content {
            args.extend_from_slice(&["-content", c]);
        }
        let out = self.openssl(&args);
        (out.status.success(), describe(&out))
    }

    /// `hozon verify PATHS --trust pki/trust.pem --json --offline EXTRA`,
    /// parsed. Offline, so that what a test expects never depends on
    /// whether another test runs the loopback CRL/OCSP servers on the
    /// ports the test certificates name; see [`Env::verify_online`].
    pub fn verify(&self, paths: &[&str], extra: &[&str]) -> Verified {
        let mut args: Vec<&str> = vec!["verify"];
        args.extend_from_slice(paths);
        args.extend_from_slice(&["--trust", TRUST, "--json"]);
        if !extra.contains(&"--offline") {
            args.push("--offline");
        }
        args.extend_from_slice(extra);
        let out = self.hozon(&args);
        Verified::from_output(&out)
    }

    /// Like [`Env::verify`], but fetching what revocation data is missing
    /// (hold `hozon_testkit::fixed_ports()`).
    pub fn verify_online(&self, paths: &[&str], extra: &[&str]) -> Verified {
        let mut args: Vec<&str> = vec!["verify"];
        args.extend_from_slice(paths);
        args.extend_from_slice(&["--trust", TRUST, "--json"]);
        args.extend_from_slice(extra);
        let out = self.hozon(&args);
        Verified::from_output(&out)
    }

    /// Like [`Env::verify`] with `--crl pki/crls.pem`.
    pub fn verify_crl(&self, paths: &[&str]) -> Verified {
        self.verify(paths, &["--crl", CRLS])
    }
}

/// A parsed `hozon verify --json` run.
#[derive(Debug)]
pub struct Verified {
    /// Exit status.
    pub code: i32,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
    /// The JSON document, untyped.
    pub json: serde_json::Value,
    /// The JSON document, typed.
    pub report: Report,
}

impl Verified {
    /// Parses a finished `hozon verify --json`.
    pub fn from_output(out: &Output) -> Verified {
        let text = stdout(out);
        let json: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)));
        let report: Report = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("stdout breaks the report contract ({e}): {text}"));
        Verified {
            code: code(out),
            stdout: text,
            stderr: stderr(out),
            json,
            report,
        }
    }

    /// The signature entry for `file` and SignerInfo `index`.
    pub fn entry(&self, file: &str, index: usize) -> &Signature {
        self.report
            .signatures
            .iter()
            .find(|s| s.file == file && s.signer_info == index)
            .unwrap_or_else(|| panic!("no entry for {file} #{index}: {}", self.stdout))
    }

    /// Asserts the run's exit status and that it reported exactly one
    /// signature, of `file`, with this verdict; returns the entry.
    pub fn expect(&self, exit: i32, file: &str, indication: &str, sub: Option<&str>) -> &Signature {
        assert_eq!(
            self.report.signatures.len(),
            1,
            "expected one report entry: {}",
            self.stdout
        );
        let s = &self.report.signatures[0];
        assert_eq!(s.file, file, "{}", self.stdout);
        assert_verdict(s, indication, sub, &self.stdout);
        assert_eq!(
            self.code, exit,
            "exit status\n{}\n{}",
            self.stdout, self.stderr
        );
        check_summary(&self.report);
        s
    }
}

/// Asserts one entry's indication and sub-indication exactly; a non-passed
/// entry must carry non-empty error texts, a passed one none.
pub fn assert_verdict(s: &Signature, indication: &str, sub: Option<&str>, context: &str) {
    assert_eq!(
        (s.indication.as_str(), s.sub_indication.as_deref()),
        (indication, sub),
        "verdict of {} #{}: errors {:?}\n{context}",
        s.file,
        s.signer_info,
        s.errors
    );
    if indication == "TOTAL_PASSED" {
        assert!(s.errors.is_empty(), "a passed entry has errors: {s:?}");
    } else {
        assert!(!s.errors.is_empty(), "no error text: {s:?}");
        assert!(
            s.errors.iter().all(|e| !e.trim().is_empty()),
            "blank error text: {s:?}"
        );
    }
}

/// The summary agrees with the entries.
pub fn check_summary(r: &Report) {
    let count = |ind: &str| r.signatures.iter().filter(|s| s.indication == ind).count();
    assert_eq!(r.summary.total, r.signatures.len(), "{r:?}");
    assert_eq!(r.summary.passed, count("TOTAL_PASSED"), "{r:?}");
    assert_eq!(r.summary.failed, count("TOTAL_FAILED"), "{r:?}");
    assert_eq!(r.summary.indeterminate, count("INDETERMINATE"), "{r:?}");
    assert_eq!(
        r.summary.total,
        r.summary.passed + r.summary.failed + r.summary.indeterminate
    );
}

// ---------------------------------------------------------------------------
// In-process crafting of signatures (hozon-cms structures + openssl crate).
// ---------------------------------------------------------------------------

/// The parsed SignedData of a signature file.
pub fn load_sd(path: &Path) -> SignedData {
    SignatureFile::parse(&std::fs::read(path).unwrap())
        .unwrap()
        .signed_data
}

/// Writes `sd` as a DER ContentInfo.
pub fn save_sd(path: &Path, sd: &SignedData) {
    std::fs::write(path, SignatureFile::encode_signed_data(sd).unwrap()).unwrap();
}

/// Applies `f` to the only SignerInfo of `sd`.
pub fn edit_signer_info(sd: &mut SignedData, f: impl FnOnce(&mut SignerInfo)) {
    let mut infos = sd.signer_infos.0.clone().into_vec();
    assert_eq!(infos.len(), 1, "expected one SignerInfo");
    f(&mut infos[0]);
    sd.signer_infos = SignerInfos::try_from(infos).unwrap();
}

/// Applies `f` to the signed attributes of `si` (order does not matter: the
/// SET is sorted again when rebuilt). Does not re-sign.
pub fn edit_signed_attrs(si: &mut SignerInfo, f: impl FnOnce(&mut Vec<Attribute>)) {
    let mut attrs = si
        .signed_attrs
        .take()
        .expect("signed attributes")
        .into_vec();
    f(&mut attrs);
    si.signed_attrs = Some(SetOfVec::try_from(attrs).unwrap());
}

/// Re-signs the signed attributes of `si` with the PEM private key at
/// `key` (SHA-256; PKCS#1 v1.5 for RSA keys, ECDSA for EC keys), so that
/// whatever was edited is covered by a valid signature value.
pub fn resign(si: &mut SignerInfo, key: &Path) {
    let pem = std::fs::read(key).unwrap();
    let pkey = openssl::pkey::PKey::private_key_from_pem(&pem).unwrap();
    let tbs = si.signed_attrs.as_ref().unwrap().to_der().unwrap();
    let mut signer =
        openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &pkey).unwrap();
    let value = signer.sign_oneshot_to_vec(&tbs).unwrap();
    si.signature = OctetString::new(value).unwrap();
}

/// Reads the first certificate of a PEM file.
pub fn read_cert(path: &Path) -> Cert {
    Cert::read_bundle(&std::fs::read(path).unwrap())
        .unwrap()
        .remove(0)
}

/// Makes the SignerInfo name `cert` and puts `cert` in the certificate set
/// in place of the certificate the SignerInfo named before (keeping it as
/// well when `keep_old`).
pub fn substitute_certificate(sd: &mut SignedData, cert: &Cert, keep_old: bool) {
    let mut old_sid = None;
    edit_signer_info(sd, |si| {
        old_sid = Some(si.sid.clone());
        si.sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.parsed().tbs_certificate.issuer.clone(),
            serial_number: cert.parsed().tbs_certificate.serial_number.clone(),
        });
    });
    let Some(SignerIdentifier::IssuerAndSerialNumber(old)) = old_sid else {
        panic!("expected an IssuerAndSerialNumber signer identifier");
    };
    let mut choices: Vec<CertificateChoices> = sd
        .certificates
        .take()
        .map(|s| s.0.into_vec())
        .unwrap_or_default();
    let before = choices.len();
    if !keep_old {
        choices.retain(|c| match c {
            CertificateChoices::Certificate(c) => {
                !(c.tbs_certificate.issuer == old.issuer
                    && c.tbs_certificate.serial_number == old.serial_number)
            }
            _ => true,
        });
        assert_eq!(
            choices.len() + 1,
            before,
            "the old certificate was not found"
        );
    }
    choices.push(CertificateChoices::Certificate(cert.parsed().clone()));
    sd.certificates = Some(CertificateSet::try_from(choices).unwrap());
}

/// A detached CAdES signature made in-process by hozon-sign with the PEM
/// key and certificate of `signer`, forcing `digest` (e.g. MD5, SHA-1,
/// which the CLI does not offer) and optionally a fixed signing-time.
pub fn sign_in_process(
    env: &Env,
    signer: &str,
    content: &str,
    digest: Option<hozon_cms::DigestAlgorithm>,
    signing_time: Option<SystemTime>,
) -> Vec<u8> {
    let pem = env.read(&format!("pki/{signer}.key"));
    let pkey = openssl::pkey::PKey::private_key_from_pem(&pem).unwrap();
    let cert = read_cert(&env.path(&format!("pki/{signer}.crt")));
    let chain = Cert::read_bundle(&env.read(CHAIN)).unwrap();
    let soft = SoftwareSigner::new(
        pkey,
        cert,
        chain,
        AlgorithmChoice {
            digest,
            rsa_pss: false,
        },
    )
    .unwrap();
    let mut cades = CadesSigner::new(Arc::new(soft)).unwrap();
    if let Some(t) = signing_time {
        cades = cades.with_signing_time(t);
    }
    cades
        .sign_detached(std::fs::File::open(env.path(content)).unwrap())
        .unwrap()
}

/// Seconds since the epoch of an RFC 3339 UTC time like
/// `2025-02-01T00:00:00Z` (the form hozon reports).
pub fn unix_seconds(rfc3339: &str) -> i64 {
    let b = rfc3339.as_bytes();
    assert!(b.len() == 20 && b[19] == b'Z', "{rfc3339}");
    let num = |r: std::ops::Range<usize>| -> i64 { rfc3339[r].parse().unwrap() };
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + num(11..13) * 3600 + num(14..16) * 60 + num(17..19)
}

/// The `SystemTime` of an RFC 3339 UTC time (see [`unix_seconds`]).
pub fn system_time(rfc3339: &str) -> SystemTime {
    SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(u64::try_from(unix_seconds(rfc3339)).unwrap())
}

/// Re-encodes a DER TLV whose value is constructed with an indefinite
/// length (`tag 0x80 ... 00 00`): valid BER, as streaming encoders write.
/// `inner` does the same to the first element inside, recursively that
/// many levels.
pub fn to_indefinite(der: &[u8], inner: usize) -> Vec<u8> {
    let tag = der[0];
    assert!(tag & 0x20 != 0, "not constructed");
    let (len, header) = match der[1] {
        n if n < 0x80 => (usize::from(n), 2),
        0x81 => (usize::from(der[2]), 3),
        0x82 => (usize::from(der[2]) << 8 | usize::from(der[3]), 4),
        0x83 => (
            usize::from(der[2]) << 16 | usize::from(der[3]) << 8 | usize::from(der[4]),
            5,
        ),
        n => panic!("length form {n:#x}"),
    };
    let value = &der[header..header + len];
    let mut out = vec![tag, 0x80];
    if inner == 0 {
        out.extend_from_slice(value);
    } else {
        // ContentInfo: OID first, then [0] EXPLICIT: make the last
        // constructed element indefinite too.
        let oid_len = 2 + usize::from(value[1]);
        out.extend_from_slice(&value[..oid_len]);
        out.extend_from_slice(&to_indefinite(&value[oid_len..], inner - 1));
    }
    out.extend_from_slice(&[0, 0]);
    out
}
