//! The helpers of `pades_levels.rs`: the three kinds of PDF signed (born
//! digital, scanned, object and cross-reference streams), the five kinds of
//! key (RSA and ECDSA; PEM, PKCS#12 and a SoftHSM token), `hozon sign
//! --format pades`, and the oracles each written file must satisfy:
//! `hozon verify`, pyHanko (its validation with difference analysis, and
//! its AdES long-term validation), `pdfsig` and `qpdf --check`.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::pkcs11::{Token, MODULE, PIN_VAR};
use crate::util::{code, describe, stdout, testdata, Env, CHAIN, CRLS, TRUST};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/oracles/pades-pyhanko.py"
);

/// The PDF being signed.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    /// A born-digital PDF (text, fonts; a cross-reference table).
    BornDigital,
    /// A scanned page: a PNG put into a PDF by img2pdf.
    Scanned,
    /// The born-digital PDF rewritten by qpdf with object streams and a
    /// cross-reference stream.
    ObjectStreams,
}

/// The signer's key.
#[derive(Clone, Copy, Debug)]
pub enum Key {
    /// RSA-2048, PEM key and certificate.
    RsaPem,
    /// RSA-2048 in a PKCS#12 file.
    RsaP12,
    /// ECDSA P-256, PEM key and certificate.
    EcPem,
    /// RSA-2048 on a SoftHSM token.
    RsaToken,
    /// ECDSA P-256 on a SoftHSM token.
    EcToken,
}

/// The external programs the tests need, or `None` (skipped, or a failure
/// under HOZON_REQUIRE_TOOLS) when one is missing.
pub struct Tools {
    /// pyHanko's virtualenv python.
    pub python: std::path::PathBuf,
}

impl Tools {
    pub fn find() -> Option<Tools> {
        hozon_testkit::tool("pdfsig", "poppler-utils")?;
        hozon_testkit::tool("qpdf", "qpdf")?;
        hozon_testkit::tool("img2pdf", "img2pdf")?;
        let Some(python) = crate::pades::pyhanko() else {
            crate::pades::tool_missing("pyHanko 0.38.0 (HOZON_TOOLS/pyhanko-0.38.0)");
            return None;
        };
        Some(Tools { python })
    }
}

/// Runs `program ARGS` in `env`; asserts success.
pub fn run(env: &Env, program: &str, args: &[&str]) -> Output {
    let out = Command::new(program)
        .args(args)
        .current_dir(env.dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        describe(&out)
    );
    out
}

/// Writes the unsigned PDF of kind `source` to `rel`.
pub fn make_pdf(env: &Env, source: Source, rel: &str) {
    match source {
        Source::BornDigital => {
            env.copy_doc("lab-report.pdf", rel);
        }
        Source::Scanned => {
            let png = testdata().join("docs/chart-scan-150dpi.png");
            run(env, "img2pdf", &[png.to_str().unwrap(), "-o", rel]);
        }
        Source::ObjectStreams => {
            let plain = testdata().join("docs/lab-report.pdf");
            run(
                env,
                "qpdf",
                &["--object-streams=generate", plain.to_str().unwrap(), rel],
            );
            let bytes = env.read(rel);
            assert!(
                find(&bytes, b"/ObjStm").is_some() && find(&bytes, b"/XRef").is_some(),
                "qpdf wrote no object or cross-reference stream"
            );
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A SoftHSM token in `env` when `key` is on one: `Some(None)` for a key
/// in a file, `None` when SoftHSM is missing (the test is skipped).
pub fn token_for(env: &Env, key: Key) -> Option<Option<Token>> {
    match key {
        Key::RsaToken | Key::EcToken => Token::new(env).map(Some),
        _ => Some(None),
    }
}

/// The `hozon sign` flags naming `key`.
fn signer_args(key: Key) -> Vec<&'static str> {
    match key {
        Key::RsaPem => vec![
            "--key",
            "pki/signer-doctor.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--chain",
            CHAIN,
        ],
        Key::EcPem => vec![
            "--key",
            "pki/signer-ec.key",
            "--cert",
            "pki/signer-ec.crt",
            "--chain",
            CHAIN,
        ],
        Key::RsaP12 => vec![
            "--pkcs12",
            "pki/signer-doctor.p12",
            "--pass-file",
            "pki/signer-doctor.p12.pass",
        ],
        Key::RsaToken => vec![
            "--pkcs11-module",
            MODULE,
            "--pin-env",
            PIN_VAR,
            "--pkcs11-key",
            "doctor-key",
        ],
        Key::EcToken => vec![
            "--pkcs11-module",
            MODULE,
            "--pin-env",
            PIN_VAR,
            "--pkcs11-key",
            "ec-key",
        ],
    }
}

/// `hozon sign --format pades FILE` with `key` at `level` (b, t, lt, lta),
/// time stamps from `tsa`: the finished process.
pub fn sign(
    env: &Env,
    token: Option<&Token>,
    file: &str,
    key: Key,
    level: &str,
    tsa: &str,
) -> Output {
    sign_with(env, token, file, key, level, tsa, &[])
}

/// [`sign`] with `extra` arguments (the visible stamp's).
pub fn sign_with(
    env: &Env,
    token: Option<&Token>,
    file: &str,
    key: Key,
    level: &str,
    tsa: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec!["sign", "--format", "pades", file];
    args.extend_from_slice(extra);
    args.extend(signer_args(key));
    args.extend_from_slice(&[
        "--level",
        level,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
    ]);
    if level != "b" {
        args.extend_from_slice(&["--tsa", tsa]);
    }
    match token {
        Some(t) => t.hozon(env, &args, &[]),
        None => env.hozon(&args),
    }
}

/// `hozon extend --level LEVEL FILE` with time stamps from `tsa`.
pub fn extend(env: &Env, file: &str, level: &str, tsa: &str) -> Output {
    env.hozon(&[
        "extend",
        file,
        "--level",
        level,
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--tsa",
        tsa,
        "--offline",
        "--restamp-after",
        "0",
    ])
}

/// `hozon verify FILE` (offline, with the CRLs): asserts every entry is
/// TOTAL_PASSED and the signature's level; returns the report.
pub fn hozon_passes(env: &Env, file: &str, level: &str) -> Value {
    let v = env.verify_crl(&[file]);
    assert_eq!(v.code, 0, "{file}: {}\n{}", v.stdout, v.stderr);
    let sigs = v.json["signatures"].as_array().unwrap();
    assert!(!sigs.is_empty(), "{file}: {}", v.stdout);
    for s in sigs {
        assert_eq!(s["indication"], "TOTAL_PASSED", "{file}: {}", v.stdout);
        assert_eq!(s["format"], "PAdES", "{file}: {}", v.stdout);
        assert_eq!(s["covers_whole_document"], true, "{file}: {}", v.stdout);
        assert_eq!(s["modifications"].as_array().map_or(0, Vec::len), 0);
    }
    assert_eq!(sigs[0]["level"], level, "{file}: {}", v.stdout);
    v.json
}

/// What a signed file must be found to be.
#[derive(Clone, Copy, Debug)]
pub struct Expect {
    /// The level hozon reports (B-B, B-T, B-LT, B-LTA).
    pub level: &'static str,
    /// How many document time stamps the file has.
    pub documents: usize,
    /// Whether the signature has a signature time stamp.
    pub signature_stamp: bool,
}

/// pyHanko's verdicts on `files` (`validate`, or `validate-lta` with `extra`).
pub fn pyhanko(tools: &Tools, env: &Env, command: &str, files: &[&str], extra: &[&str]) -> Value {
    let out = Command::new(&tools.python)
        .arg(SCRIPT)
        .arg(command)
        .args(files)
        .args(["--pki", "pki"])
        .args(extra)
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pyHanko {command}: {}",
        describe(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// pyHanko finds every signature and document time stamp of `file` intact,
/// valid and trusted, each covering the file or its revision with only
/// changes PAdES allows after it; signatures at B-T and above have a valid
/// signature time stamp when `signature_stamp`; `documents` document time
/// stamps. At B-LTA, its long-term validation passes with only the root.
pub fn pyhanko_passes(tools: &Tools, env: &Env, file: &str, expect: &Expect) {
    let Expect {
        level,
        documents,
        signature_stamp,
    } = *expect;
    let name = Path::new(file).file_name().unwrap().to_str().unwrap();
    let verdicts = pyhanko(tools, env, "validate", &[file], &[]);
    let entries = verdicts[name].as_array().unwrap();
    let stamps = entries
        .iter()
        .filter(|e| e["kind"] == "document-timestamp")
        .count();
    assert_eq!(stamps, documents, "{file}: {verdicts}");
    assert_eq!(entries.len(), documents + 1, "{file}: {verdicts}");
    for e in entries {
        for check in ["intact", "valid", "trusted"] {
            assert_eq!(e[check], true, "{file}: {check}: {e}");
        }
        let whole = e["coverage"] == "ENTIRE_FILE"
            || (e["coverage"] == "ENTIRE_REVISION"
                && matches!(e["modification_level"].as_str(), Some("LTA_UPDATES")));
        assert!(whole, "{file}: coverage: {e}");
        if e["kind"] == "signature" {
            assert_eq!(e["bottom_line"], true, "{file}: {e}");
            let stamped = e["signature_timestamp"].as_bool();
            assert_eq!(stamped, signature_stamp.then_some(true), "{file}: {e}");
        }
    }
    // pyHanko's long-term validation needs a signature time stamp ("No
    // signature timestamp present": SIG_CONSTRAINTS_FAILURE) and, for the
    // validation data, a document time stamp (NO_POE): B-LTA only.
    if level == "B-LTA" && signature_stamp {
        let lta = pyhanko(tools, env, "validate-lta", &[file], &[]);
        assert_eq!(lta[name][0]["status"], "PASSED", "{file}: {lta}");
    }
}

/// `pdfsig FILE`: `signatures` signature fields; every signature's CMS
/// valid over its byte ranges (poppler 22.12 cannot check a document time
/// stamp: "Signature Type: unknown", "not yet been verified"); and the last
/// one covering the whole file exactly when `last_is_whole` (not after a
/// DSS-only update, B-LT).
pub fn pdfsig_passes(env: &Env, file: &str, signatures: usize, last_is_whole: bool) {
    let out = Command::new("pdfsig")
        .arg(file)
        .current_dir(env.dir())
        .output()
        .unwrap();
    let text = stdout(&out);
    let blocks: Vec<&str> = text.split("Signature #").skip(1).collect();
    assert_eq!(blocks.len(), signatures, "{file}: {text}");
    let mut checked = 0;
    for b in &blocks {
        if b.contains("Signature Type: unknown") {
            assert!(b.contains("not yet been verified"), "{file}: {text}");
        } else {
            assert!(b.contains("Signature is Valid"), "{file}: {text}");
            checked += 1;
        }
    }
    assert!(checked >= 1, "{file}: no signature checked: {text}");
    let last = blocks.last().unwrap();
    let whole =
        last.contains("Total document signed") && !last.contains("Not total document signed");
    assert_eq!(whole, last_is_whole, "{file}: {text}");
}

/// `qpdf --check` accepts `rel`.
pub fn qpdf_accepts(env: &Env, rel: &str) {
    let out = Command::new("qpdf")
        .args(["--check", rel])
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "qpdf --check {rel}: {}", describe(&out));
}

/// Every state the file at `rel` went through since `original` (each
/// prefix ending in an `%%EOF` past the original, as each incremental
/// update left it) is accepted by `qpdf --check`; `original` is the exact
/// prefix of all of them. Returns how many updates there were.
pub fn every_update_accepted(env: &Env, rel: &str, original: &[u8]) -> usize {
    let bytes = env.read(rel);
    assert!(
        bytes.starts_with(original),
        "{rel}: the original is not the prefix"
    );
    let mut ends = Vec::new();
    let mut at = original.len();
    while let Some(i) = find(&bytes[at..], b"%%EOF") {
        let mut end = at + i + 5;
        while matches!(bytes.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        ends.push(end);
        at = end;
    }
    assert_eq!(
        ends.last(),
        Some(&bytes.len()),
        "{rel}: bytes after the last %%EOF"
    );
    for (i, end) in ends.iter().enumerate() {
        let step = format!("{rel}.update-{}", i + 1);
        env.write(&step, &bytes[..*end]);
        qpdf_accepts(env, &step);
    }
    ends.len()
}

/// endesive's virtualenv python (`$HOZON_TOOLS/endesive-3.0.1`), or `None`
/// (skipped, or a failure under HOZON_REQUIRE_TOOLS).
pub fn endesive() -> Option<std::path::PathBuf> {
    let tools = std::env::var_os("HOZON_TOOLS")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cache/hozon-tools"))
        })?;
    let python = tools.join("endesive-3.0.1/bin/python");
    if python.is_file() {
        return Some(python);
    }
    crate::pades::tool_missing("endesive 3.0.1 (HOZON_TOOLS/endesive-3.0.1)");
    None
}

/// `pades-endesive.py sign IN OUT` with `pki/SIGNER.{key,crt}`.
pub fn endesive_sign(python: &Path, env: &Env, input: &str, output: &str, signer: &str) {
    let out = Command::new(python)
        .arg(ENDESIVE_SCRIPT)
        .args(["sign", input, output])
        .args(["--key", &format!("pki/{signer}.key")])
        .args(["--cert", &format!("pki/{signer}.crt")])
        .args(["--chain", "pki/signing-ca.crt"])
        .current_dir(env.dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "endesive: {}", describe(&out));
}

const ENDESIVE_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/oracles/pades-endesive.py"
);
