//! `hozon scan` authenticity (FILE.p7s verified, allowed signers, scan-to-stamp delay in business
//! days) and `hozon scan --sign`, against the loopback TSA. Scans carry their scan time in the PNG
//! tIME chunk (UTC) or the TIFF DateTime tag (Japan time); the stamps are made now, so a scan
//! time three business days ago must fail a one-business-day policy.

use std::process::Output;

use hozon_cms::UnixTime;
use hozon_scan::authenticity::{is_business_day, jst_day};
use hozon_testkit::{Pki, TsaMode, TsaServer};
use serde_json::Value;

use crate::tsa::DOCTOR;
use crate::util::{code, describe, Env, CRLS, TRUST};

/// A4 at 300 dpi scaled down to 248x351 px: 300 dpi in pHYs, grey text bars, RGB8, with a tIME
/// chunk at `scanned` (UTC) when given.
pub(crate) fn png_scan(scanned: Option<UnixTime>) -> Vec<u8> {
    let (w, h) = (248u32, 351u32);
    let mut rgb = vec![250u8; (w * h * 3) as usize];
    for y in (h / 8..h * 7 / 8).step_by(8) {
        for x in w / 10..w * 9 / 10 {
            let i = ((y * w + x) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&[20, 20, 30]);
        }
    }
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 11811,
            yppu: 11811,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().unwrap();
        if let Some(t) = scanned {
            writer
                .write_chunk(png::chunk::ChunkType(*b"tIME"), &time_chunk(t))
                .unwrap();
        }
        writer.write_image_data(&rgb).unwrap();
    }
    out
}

fn civil(t: UnixTime) -> (i64, i64, i64, i64, i64, i64) {
    let (days, secs) = (t.0.div_euclid(86_400), t.0.rem_euclid(86_400));
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
}

fn time_chunk(t: UnixTime) -> Vec<u8> {
    let (y, m, d, h, mi, s) = civil(t);
    let mut c = u16::try_from(y).unwrap().to_be_bytes().to_vec();
    c.extend([m, d, h, mi, s].map(|v| u8::try_from(v).unwrap()));
    c
}

/// The same page as an RGB8 TIFF at 300 dpi with DateTime `scanned` written in Japan time.
fn tiff_scan(scanned: UnixTime) -> Vec<u8> {
    use tiff::encoder::{colortype, Rational, TiffEncoder};
    use tiff::tags::{ResolutionUnit, Tag};
    let (w, h) = (248u32, 351u32);
    let mut rgb = vec![250u8; (w * h * 3) as usize];
    for y in (h / 8..h * 7 / 8).step_by(8) {
        for x in w / 10..w * 9 / 10 {
            let i = ((y * w + x) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&[20, 20, 30]);
        }
    }
    let (y, m, d, hh, mi, s) = civil(UnixTime(scanned.0 + 9 * 3600));
    let stamp = format!("{y:04}:{m:02}:{d:02} {hh:02}:{mi:02}:{s:02}");
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut out).unwrap();
        let mut image = enc.new_image::<colortype::RGB8>(w, h).unwrap();
        image.resolution(ResolutionUnit::Inch, Rational { n: 300, d: 1 });
        image
            .encoder()
            .write_tag(Tag::DateTime, stamp.as_str())
            .unwrap();
        image.write_data(&rgb).unwrap();
    }
    out.into_inner()
}

/// Noon (Japan time) of the calendar day `n` business days before today in Japan: a stamp made
/// now is then exactly `n` business days after the scan.
fn business_days_ago(n: u32) -> UnixTime {
    let today = jst_day(UnixTime::now());
    let mut day = today;
    let mut counted = 0;
    while counted < n {
        if is_business_day(day, &[]) {
            counted += 1;
        }
        day -= 1;
    }
    UnixTime(day * 86_400 + 3 * 3600)
}

fn start_tsa(env: &Env) -> TsaServer {
    let pki = Pki::copy_to(&env.path("pki")).unwrap();
    TsaServer::start(&pki, TsaMode::Normal).unwrap()
}

fn run(env: &Env, args: &[&str], exit: i32) -> Output {
    let out = env.hozon(args);
    assert_eq!(code(&out), exit, "hozon {args:?}: {}", describe(&out));
    assert!(!describe(&out).contains("panicked"), "{}", describe(&out));
    out
}

fn sign(env: &Env, file: &str, level: Option<(&str, &str)>) {
    let mut args = vec!["sign", file];
    if let Some((level, url)) = level {
        args.extend(["--level", level, "--tsa", url]);
    }
    args.extend(DOCTOR);
    run(env, &args, 0);
}

/// `hozon scan FILES --json --trust --crl --offline EXTRA`, exit checked.
fn scan(env: &Env, files: &[&str], extra: &[&str], exit: i32) -> Value {
    let mut args = vec!["scan"];
    args.extend_from_slice(files);
    args.extend(["--json", "--trust", TRUST, "--crl", CRLS, "--offline"]);
    args.extend_from_slice(extra);
    let out = run(env, &args, exit);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(&out)))
}

fn file<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in {v:#}"))
}

/// The authenticity check `name` of a file report: (status, detail).
fn auth(f: &Value, name: &str) -> (String, String) {
    let c = f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name && c["standard"] == "authenticity")
        .unwrap_or_else(|| panic!("no authenticity/{name} in {f:#}"));
    (
        c["status"].as_str().unwrap().to_owned(),
        c["detail"].as_str().unwrap().to_owned(),
    )
}

fn authenticity(f: &Value) -> Vec<&Value> {
    f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["standard"] == "authenticity")
        .collect()
}

#[test]
fn a_stamp_three_business_days_after_the_scan_fails() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let url = tsa.url();
    env.write("late.png", png_scan(Some(business_days_ago(3))));
    env.write("late.tif", tiff_scan(business_days_ago(3)));
    env.write("fresh.png", png_scan(Some(UnixTime::now())));
    for f in ["late.png", "late.tif", "fresh.png"] {
        sign(&env, f, Some(("t", &url)));
    }
    let v = scan(&env, &["late.png", "late.tif", "fresh.png"], &[], 1);

    for (name, source) in [
        ("late.png", "PNG tIME (UTC)"),
        ("late.tif", "TIFF DateTime"),
    ] {
        let f = file(&v, name);
        assert_eq!(f["verdict"], "FAILED", "{f:#}");
        assert_eq!(auth(f, "signature").0, "PASSED", "{f:#}");
        let (status, detail) = auth(f, "scan-to-stamp");
        assert_eq!(status, "FAILED", "{detail}");
        assert!(
            detail.contains("3 business day(s) later, policy maximum 1"),
            "{detail}"
        );
        assert!(detail.contains(source), "{detail}");
        // Everything else about the page passes: the failure is the delay alone.
        let failed: Vec<_> = f["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "FAILED")
            .collect();
        assert_eq!(failed.len(), 1, "{f:#}");
    }
    let f = file(&v, "fresh.png");
    assert_eq!(f["verdict"], "PASSED", "{f:#}");
    let (status, detail) = auth(f, "scan-to-stamp");
    assert_eq!(status, "PASSED", "{detail}");
    assert!(detail.contains("0 business day(s) later"), "{detail}");
    let (status, detail) = auth(f, "signer");
    assert_eq!(status, "PASSED", "{detail}");
    assert!(detail.contains("hozon Test Hospital"), "{detail}");

    // Two business days with a two-day policy passes; the limit is the policy's.
    env.write("two.png", png_scan(Some(business_days_ago(2))));
    sign(&env, "two.png", Some(("t", &url)));
    env.write(
        "policy.toml",
        "[classes.default]\nmax_scan_to_stamp_business_days = 2\n",
    );
    let v = scan(&env, &["two.png"], &["--policy", "policy.toml"], 0);
    let (status, detail) = auth(file(&v, "two.png"), "scan-to-stamp");
    assert_eq!(status, "PASSED", "{detail}");
    let v = scan(&env, &["two.png"], &[], 1);
    assert_eq!(auth(file(&v, "two.png"), "scan-to-stamp").0, "FAILED");
}

#[test]
fn no_time_stamp_tampering_and_missing_signatures_fail() {
    let env = Env::new();
    env.write("bb.png", png_scan(Some(UnixTime::now())));
    sign(&env, "bb.png", None);
    env.write("unsigned.png", png_scan(Some(UnixTime::now())));
    env.write("tampered.png", png_scan(Some(UnixTime::now())));
    sign(&env, "tampered.png", None);
    let mut bytes = env.read("tampered.png");
    let last = bytes.len() - 20;
    bytes[last] ^= 1;
    env.write("tampered.png", bytes);

    let v = scan(&env, &["bb.png", "unsigned.png"], &[], 1);
    let f = file(&v, "bb.png");
    assert_eq!(f["verdict"], "FAILED");
    assert_eq!(
        auth(f, "scan-to-stamp"),
        (
            "FAILED".to_owned(),
            "B-B signature: no time stamp".to_owned()
        )
    );
    // No .p7s and no requirement: no authenticity claim at all, neither PASSED nor FAILED.
    let f = file(&v, "unsigned.png");
    assert_eq!(f["verdict"], "PASSED");
    assert!(authenticity(f).is_empty(), "{f:#}");

    // The class requires a signature: a missing .p7s fails.
    env.write(
        "policy.toml",
        "[classes.default]\nrequire_signature = true\n",
    );
    let v = scan(&env, &["unsigned.png"], &["--policy", "policy.toml"], 1);
    let (status, detail) = auth(file(&v, "unsigned.png"), "signature");
    assert_eq!(status, "FAILED");
    assert!(detail.contains("no signature unsigned.png.p7s"), "{detail}");

    // The scan changed after signing: the signature does not verify, nor does the signer pass.
    let v = scan(&env, &["tampered.png"], &[], 1);
    let f = file(&v, "tampered.png");
    let (status, detail) = auth(f, "signature");
    assert_eq!(status, "FAILED");
    assert!(detail.contains("HASH_FAILURE"), "{detail}");
    assert_eq!(auth(f, "signer").0, "FAILED");
}

#[test]
fn without_trust_a_signature_is_never_passed() {
    let env = Env::new();
    env.write("a.png", png_scan(Some(UnixTime::now())));
    sign(&env, "a.png", None);
    let out = run(&env, &["scan", "a.png", "--json"], 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = file(&v, "a.png");
    let checks = authenticity(f);
    assert_eq!(checks.len(), 1, "{f:#}");
    assert_eq!(checks[0]["status"], "WARNING");
    assert!(checks[0]["detail"]
        .as_str()
        .unwrap()
        .ends_with("not verified: no --trust"));
}

#[test]
fn allowed_signers_by_subject_policy_oid_and_hc_role() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    env.write("a.png", png_scan(Some(UnixTime::now())));
    sign(&env, "a.png", Some(("t", &tsa.url())));
    let cases = [
        ("{ subject_contains = \"O=hozon Test Hospital\" }", "PASSED"),
        ("{ policy_oid = \"1.2.392.100495.1.5.1.1.1.1\" }", "PASSED"),
        ("{ hc_role = \"Medical Doctor\" }", "PASSED"),
        (
            "{ hc_role = \"Medical Doctor\", subject_contains = \"O=Other Hospital\" }",
            "FAILED",
        ),
        ("{ policy_oid = \"1.2.392.100495.1.5.1.1.1.2\" }", "FAILED"),
        ("{ hc_role = \"Pharmacist\" }", "FAILED"),
    ];
    for (rule, expected) in cases {
        env.write(
            "policy.toml",
            format!("[classes.default]\nallowed_signers = [ {rule} ]\n"),
        );
        let exit = if expected == "PASSED" { 0 } else { 1 };
        let v = scan(&env, &["a.png"], &["--policy", "policy.toml"], exit);
        let (status, detail) = auth(file(&v, "a.png"), "signer");
        assert_eq!(status, expected, "{rule}: {detail}");
        if expected == "FAILED" {
            assert!(detail.contains("matches none"), "{detail}");
        } else {
            assert!(detail.contains("allowed_signers[0]"), "{detail}");
        }
    }
    // A rule naming nothing would match everyone: the policy is refused.
    env.write(
        "policy.toml",
        "[classes.default]\nallowed_signers = [ {} ]\n",
    );
    let out = run(&env, &["scan", "a.png", "--policy", "policy.toml"], 4);
    assert!(
        describe(&out).contains("allowed_signers[0]"),
        "{}",
        describe(&out)
    );
}

#[test]
fn scan_sign_signs_passing_files_only() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let url = tsa.url();
    env.write("in/good.png", png_scan(Some(UnixTime::now())));
    env.write("in/good.tif", tiff_scan(UnixTime::now()));
    // 300 dpi claimed over 248 px would pass; no pHYs fails (resolution unknown).
    let img = image::RgbImage::from_pixel(83, 117, image::Rgb([250, 250, 250]));
    let mut nodpi = std::io::Cursor::new(Vec::new());
    img.write_to(&mut nodpi, image::ImageFormat::Png).unwrap();
    env.write("in/nodpi.png", nodpi.into_inner());
    let before = env.read("in/nodpi.png");

    let mut args = vec!["scan", "in", "--sign", "--tsa", &url, "--json"];
    args.extend(DOCTOR);
    let out = run(&env, &args, 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["passed"], 2, "{v:#}");
    assert_eq!(v["signing"]["summary"]["signed"], 2, "{v:#}");
    assert_eq!(
        v["not_signed"],
        serde_json::json!(["in/nodpi.png"]),
        "{v:#}"
    );
    assert!(env.exists("in/good.png.p7s") && env.exists("in/good.tif.p7s"));
    assert!(!env.exists("in/nodpi.png.p7s"));
    assert_eq!(
        env.read("in/nodpi.png"),
        before,
        "a failing file is left untouched"
    );
    let listing: Vec<String> = std::fs::read_dir(env.path("in"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listing.len(), 5, "no temporaries left: {listing:?}");

    // What was written is B-T by the doctor, and passes the authenticity checks.
    let v = scan(&env, &["in/good.png", "in/good.tif"], &[], 0);
    for name in ["good.png", "good.tif"] {
        let f = file(&v, name);
        let (status, detail) = auth(f, "signature");
        assert_eq!(status, "PASSED", "{detail}");
        assert!(detail.contains("B-T"), "{detail}");
        assert_eq!(auth(f, "scan-to-stamp").0, "PASSED");
    }
    let (ok, text) = env.openssl_verify("in/good.png.p7s", Some("in/good.png"));
    assert!(ok, "openssl cms -verify: {text}");

    // A second run skips what is already signed and does not sign the failing file.
    let out = run(&env, &args, 1);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signing"]["summary"]["skipped"], 2, "{v:#}");
    assert!(!env.exists("in/nodpi.png.p7s"));

    // --sign without a TSA is refused before any work.
    let mut args = vec!["scan", "in", "--sign"];
    args.extend(DOCTOR);
    let out = run(&env, &args, 2);
    assert!(describe(&out).contains("--tsa URL"), "{}", describe(&out));
}

/// A class with `require_signature = true`: without --sign an unsigned scan fails it; with
/// --sign the requirement is met by the signature the run makes, and the check says so; when
/// that signing fails, the scan fails the requirement.
#[test]
fn scan_sign_meets_require_signature_with_the_signature_it_makes() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let url = tsa.url();
    env.write("in/consent-1.png", png_scan(Some(UnixTime::now())));
    env.write(
        "policy.toml",
        "[classes.default]\nrequire_signature = true\n",
    );
    let v = scan(&env, &["in"], &["--policy", "policy.toml"], 1);
    assert_eq!(auth(file(&v, "consent-1.png"), "signature").0, "FAILED");

    let mut args = vec![
        "scan",
        "in",
        "--policy",
        "policy.toml",
        "--sign",
        "--tsa",
        &url,
        "--json",
    ];
    args.extend(DOCTOR);
    let out = run(&env, &args, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["passed"], 1, "{v:#}");
    assert_eq!(v["signing"]["summary"]["signed"], 1, "{v:#}");
    let (status, detail) = auth(file(&v, "consent-1.png"), "signature");
    assert_eq!(status, "PASSED", "{v:#}");
    assert_eq!(
        detail,
        "the class requires a signature: signed by this run (in/consent-1.png.p7s)"
    );
    assert!(env.exists("in/consent-1.png.p7s"));
    // Now the signature is there, an ordinary check verifies it.
    let v = scan(&env, &["in"], &["--policy", "policy.toml"], 0);
    assert!(
        auth(file(&v, "consent-1.png"), "signature")
            .1
            .contains("TOTAL_PASSED"),
        "{v:#}"
    );

    // The signing fails (no TSA answers): the requirement is not met.
    env.write("in/consent-2.png", png_scan(Some(UnixTime::now())));
    let mut args = vec![
        "scan",
        "in/consent-2.png",
        "--policy",
        "policy.toml",
        "--sign",
        "--tsa",
        "http://127.0.0.1:1/tsa",
        "--json",
    ];
    args.extend(DOCTOR);
    let out = env.hozon(&args);
    assert_ne!(code(&out), 0, "{}", describe(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = file(&v, "consent-2.png");
    assert_eq!(f["verdict"], "FAILED", "{v:#}");
    let (status, detail) = auth(f, "signature");
    assert_eq!(status, "FAILED", "{v:#}");
    assert!(
        detail.starts_with("the class requires a signature, and signing failed: "),
        "{detail}"
    );
    assert_eq!(v["summary"]["failed"], 1, "{v:#}");
    assert!(!env.exists("in/consent-2.png.p7s"));
}

/// `scan --sign --level lta`: the passing scan gets a B-LTA signature
/// (validation data and an archive stamp inside) that verifies offline
/// with nothing but the root.
#[test]
fn scan_sign_at_b_lta() {
    let env = Env::new();
    let tsa = start_tsa(&env);
    let url = tsa.url();
    env.write("in/good.png", png_scan(Some(UnixTime::now())));
    let mut args = vec![
        "scan",
        "in",
        "--sign",
        "--tsa",
        &url,
        "--level",
        "lta",
        "--trust",
        TRUST,
        "--crl",
        CRLS,
        "--offline",
        "--json",
    ];
    args.extend(DOCTOR);
    let out = run(&env, &args, 0);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["signing"]["summary"]["signed"], 1, "{v:#}");
    let verified = env.verify(&["in/good.png.p7s"], &["--offline"]);
    let s = verified.expect(0, "in/good.png.p7s", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-LTA"), "{}", verified.stdout);
}
