//! Signed PDFs in the archive: `archive ingest` keeps a PDF that carries
//! its own signature byte for byte (not signed again), verifies it and
//! extends it to B-LT as a new generation; a tampered one is refused with
//! the reason; `archive verify` and `hozon verify RECORD_DIR` (alone,
//! offline) check the PDF's own signatures and the evidence record;
//! `archive renew --mode cades` renews it by a document time stamp.

use std::path::{Path, PathBuf};
use std::process::Output;

use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::util::{code, describe, flip_byte, Env, CHAIN, CRLS};

pub(crate) const ARC: &str = "arc";

fn tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

/// `hozon sign --format pades REL --level t` by the test doctor.
fn sign_pdf(env: &Env, rel: &str, tsa_url: &str) {
    let out = env.hozon(&[
        "sign",
        "--format",
        "pades",
        rel,
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--crl",
        CRLS,
        "--level",
        "t",
        "--tsa",
        tsa_url,
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

pub(crate) fn init(env: &Env, tsa_url: &str) {
    let out = env.hozon(&[
        "archive",
        "init",
        ARC,
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--chain",
        CHAIN,
        "--tsa",
        tsa_url,
        "--trust",
        "pki/trust.pem",
        "--crl",
        CRLS,
        "--offline",
    ]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

pub(crate) fn archive(env: &Env, args: &[&str]) -> Output {
    let mut all = vec!["archive", "--archive", ARC];
    all.extend_from_slice(args);
    env.hozon(&all)
}

pub(crate) fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

/// The only record directory (shared with the XAdES archive tests).
pub(crate) fn record_dir(env: &Env) -> PathBuf {
    let records = env.path(ARC).join("records");
    let mut out = Vec::new();
    for year in std::fs::read_dir(&records).unwrap() {
        let year = year.unwrap().path();
        if year.file_name().unwrap().to_str().unwrap().starts_with('.') {
            continue;
        }
        for month in std::fs::read_dir(&year).unwrap() {
            for rec in std::fs::read_dir(month.unwrap().path()).unwrap() {
                out.push(rec.unwrap().path());
            }
        }
    }
    assert_eq!(out.len(), 1, "{out:?}");
    out.remove(0)
}

pub(crate) fn meta(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("record.json")).unwrap()).unwrap()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(openssl::sha::sha256(bytes))
}

/// The number of document time stamps (SubFilter ETSI.RFC3161) in `pdf`.
fn document_timestamps(pdf: &[u8]) -> usize {
    pdf.windows(b"/ETSI.RFC3161".len())
        .filter(|w| *w == b"/ETSI.RFC3161")
        .count()
}

/// A hozon-signed B-T PDF `in/letter.pdf` ingested; returns the TSA and the
/// PDF as it came in.
fn ingested(env: &Env) -> (TsaServer, Vec<u8>) {
    let tsa = tsa(env);
    env.copy_doc("lab-report.pdf", "in/letter.pdf");
    sign_pdf(env, "in/letter.pdf", &tsa.url());
    let original = env.read("in/letter.pdf");
    init(env, &tsa.url());
    let out = archive(env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let report = json(&out);
    let archived = report["archived"].as_array().unwrap();
    assert_eq!(archived.len(), 1, "{report:#}");
    assert_eq!(archived[0]["kind"], "pades", "{report:#}");
    assert_eq!(archived[0]["level"], "B-LT", "{report:#}");
    (tsa, original)
}

#[test]
fn a_signed_pdf_is_kept_byte_for_byte_extended_to_b_lt_and_not_signed_again() {
    let env = Env::new();
    let (_tsa, original) = ingested(&env);
    let dir = record_dir(&env);
    let m = meta(&dir);
    assert_eq!(m["kind"], "pades");
    assert_eq!(m["sha256"], sha256_hex(&original));
    // One file, the signed PDF; no detached signature was made.
    let files = m["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{m:#}");
    assert_eq!(files[0]["name"], "letter.pdf");
    assert_eq!(files[0]["role"], "signed-document");
    assert!(!dir.join("letter.pdf.p7s").exists());
    // The original is kept byte for byte as the first generation.
    let history = m["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{m:#}");
    assert_eq!(history[0]["name"], "history/letter.pdf.1");
    assert_eq!(
        std::fs::read(dir.join("history/letter.pdf.1")).unwrap(),
        original
    );
    // The new generation: the original with the DSS appended.
    let current = std::fs::read(dir.join("letter.pdf")).unwrap();
    assert!(current.len() > original.len() && current.starts_with(&original));
    assert_eq!(files[0]["sha256"], sha256_hex(&current));
    let v = env.verify(&[dir.join("letter.pdf").to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["format"], "PAdES", "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-LT", "{}", v.stdout);
    // Status and catalog show the kind.
    let out = archive(&env, &["status", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let status = json(&out);
    assert!(
        status["by_kind"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind"] == "pades" && g["level"] == "B-LT"),
        "{status:#}"
    );
    // archive verify: the PDF's own signature and the evidence record.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

#[test]
fn a_pades_record_verifies_alone_offline_and_a_flipped_byte_is_found() {
    let env = Env::new();
    let (_tsa, _) = ingested(&env);
    let dir = record_dir(&env);
    let alone = env.path("alone");
    for entry in walkdir::WalkDir::new(&dir) {
        let entry = entry.unwrap();
        let target = alone.join(entry.path().strip_prefix(&dir).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    std::fs::remove_dir_all(env.path(ARC)).unwrap();
    std::fs::remove_dir_all(env.path("in")).unwrap();
    let v = env.verify_crl(&["alone"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    let formats: Vec<&str> = v.json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["format"].as_str().unwrap())
        .collect();
    assert!(
        formats.contains(&"ERS") && formats.contains(&"PAdES"),
        "{formats:?}"
    );
    // One byte of the signed revision changed in the copy.
    flip_byte(&env.path("alone/letter.pdf"), 10);
    let v = env.verify_crl(&["alone"]);
    assert_eq!(v.code, 1, "{}", v.stdout);
}

#[test]
fn a_tampered_signed_pdf_is_refused_with_the_reason() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("lab-report.pdf", "in/letter.pdf");
    sign_pdf(&env, "in/letter.pdf", &tsa.url());
    // A byte of the header comment, inside the signed byte range.
    flip_byte(&env.path("in/letter.pdf"), 10);
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let report = json(&out);
    assert!(
        report["archived"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let refused = report["not_archived"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report:#}");
    let reason = refused[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("TOTAL_FAILED/HASH_FAILURE"),
        "the reason names the failure: {reason}"
    );
}

#[test]
fn renew_mode_cades_renews_a_pades_record_by_a_document_time_stamp() {
    let env = Env::new();
    let (tsa, original) = ingested(&env);
    let out = archive(
        &env,
        &[
            "renew",
            "--json",
            "--mode",
            "cades",
            "--before",
            "36500d",
            "--tsa",
            &tsa.url(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let r = json(&out);
    let extended = r["extended"].as_array().unwrap();
    assert_eq!(extended.len(), 1, "{r:#}");
    assert!(extended[0]["error"].is_null(), "{r:#}");
    let dir = record_dir(&env);
    let m = meta(&dir);
    let history = m["history"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{m:#}");
    assert_eq!(history[1]["name"], "history/letter.pdf.2");
    assert_eq!(history[1]["role"], "signed-document");
    let b_lt = std::fs::read(dir.join("history/letter.pdf.2")).unwrap();
    let current = std::fs::read(dir.join("letter.pdf")).unwrap();
    assert!(current.starts_with(&b_lt) && b_lt.starts_with(&original));
    assert_eq!(
        document_timestamps(&current),
        document_timestamps(&b_lt) + 1
    );
    let v = env.verify(&[dir.join("letter.pdf").to_str().unwrap()], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-LTA", "{}", v.stdout);
    // The evidence record (over the B-LT generation) still verifies.
    let out = archive(&env, &["verify", "--json"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
}

/// A scanned page as a PDF: a 248x351 px JPEG (RGB) drawn over a page of
/// 248/300 x 351/300 in, so 300 dpi.
fn scanned_pdf() -> Vec<u8> {
    let (w, h) = (248u32, 351u32);
    let mut rgb = vec![250u8; (w * h * 3) as usize];
    for y in (h / 8..h * 7 / 8).step_by(8) {
        for x in w / 10..w * 9 / 10 {
            let i = ((y * w + x) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&[20, 30, 110]);
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    let (pw, ph) = (f64::from(w) * 72.0 / 300.0, f64::from(h) * 72.0 / 300.0);
    let draw = format!("q {pw:.2} 0 0 {ph:.2} 0 0 cm /Im0 Do Q");
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2} {ph:.2}] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>"
        )
        .into_bytes(),
        format!("<< /Length {} >>\nstream\n{draw}\nendstream", draw.len()).into_bytes(),
    ];
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
        jpeg.len()
    )
    .into_bytes();
    image.extend_from_slice(&jpeg);
    image.extend_from_slice(b"\nendstream");
    objects.push(image);
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in &offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn scan_sign_format_pades_signs_passing_pdfs_inside_the_file() {
    let env = Env::new();
    let tsa = tsa(&env);
    let url = tsa.url();
    env.write("in/chart.pdf", scanned_pdf());
    env.copy_doc("chart-scan-300dpi.png", "in/chart.png");
    let before = env.read("in/chart.pdf");
    let mut args = vec![
        "scan", "in", "--sign", "--format", "pades", "--tsa", &url, "--json",
    ];
    args.extend(crate::tsa::DOCTOR);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = json(&out);
    assert_eq!(v["signing"]["summary"]["signed"], 2, "{v:#}");
    // The PDF is signed inside (an incremental update), no FILE.p7s.
    assert!(!env.exists("in/chart.pdf.p7s"));
    let signed = env.read("in/chart.pdf");
    assert!(signed.len() > before.len() && signed.starts_with(&before));
    let v = env.verify_crl(&["in/chart.pdf"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["format"], "PAdES", "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-T", "{}", v.stdout);
    // Another file type still gets its detached signature.
    assert!(env.exists("in/chart.png.p7s"));
    // A second run leaves the signed PDF alone.
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert_eq!(env.read("in/chart.pdf"), signed);
}

#[test]
fn a_pdf_with_a_broken_signature_is_refused_not_signed_again() {
    let env = Env::new();
    let tsa = tsa(&env);
    // A PDF whose only "signature" is a /ByteRange no signature field
    // refers to: a signed PDF that cannot be read as such.
    let mut bytes = std::fs::read(crate::util::testdata().join("docs/lab-report.pdf")).unwrap();
    bytes.extend_from_slice(b"% /ByteRange [0 10 20 30]\n");
    env.write("in/letter.pdf", &bytes);
    init(&env, &tsa.url());
    let out = archive(&env, &["ingest", "in", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let report = json(&out);
    assert!(
        report["archived"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let reason = report["not_archived"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("FORMAT_FAILURE"), "{reason}");
}

#[test]
fn extend_goes_through_the_pipeline_and_a_second_b_lt_adds_nothing() {
    let env = Env::new();
    let tsa = tsa(&env);
    env.copy_doc("lab-report.pdf", "letter.pdf");
    sign_pdf(&env, "letter.pdf", &tsa.url());
    let extend = |level: &str| {
        env.hozon(&[
            "extend",
            "--level",
            level,
            "letter.pdf",
            "--tsa",
            &tsa.url(),
            "--trust",
            "pki/trust.pem",
            "--crl",
            CRLS,
            "--offline",
            "--json",
        ])
    };
    let out = extend("lt");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let b_lt = env.read("letter.pdf");
    let out = extend("lt");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("already at the level"),
        "{}",
        describe(&out)
    );
    assert_eq!(env.read("letter.pdf"), b_lt, "nothing appended");
    let out = extend("lta");
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let b_lta = env.read("letter.pdf");
    assert!(b_lta.starts_with(&b_lt));
    assert_eq!(document_timestamps(&b_lta), 1);
    let v = env.verify(&["letter.pdf"], &[]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["level"], "B-LTA", "{}", v.stdout);
}
