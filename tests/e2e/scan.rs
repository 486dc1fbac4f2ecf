//! `hozon scan`: exit status, JSON report (DESIGN.md §5), class selection by glob and `--class`,
//! policy and path errors. Scans are generated here with the `image` encoders.

use image::codecs::jpeg::{JpegEncoder, PixelDensity};

use crate::util::{code, describe, stderr, stdout, testdata, Env};

/// An A4 page a tenth of the size in each direction, "text" bars on white, as JPEG at `dpi`.
pub(crate) fn jpeg(dpi: u16, quality: u8) -> Vec<u8> {
    let (w, h) = (
        (827 * u32::from(dpi)).div_ceil(1000),
        (1169 * u32::from(dpi)).div_ceil(1000),
    );
    let mut rgb = vec![250u8; (w * h * 3) as usize];
    for y in (h / 8..h * 7 / 8).step_by(8) {
        for x in w / 10..w * 9 / 10 {
            let i = ((y * w + x) * 3) as usize;
            rgb[i..i + 3].copy_from_slice(&[20, 20, 30]);
        }
    }
    let mut out = Vec::new();
    let mut enc = JpegEncoder::new_with_quality(&mut out, quality);
    enc.set_pixel_density(PixelDensity::dpi(dpi));
    enc.encode(&rgb, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The same page as a PNG without pHYs (resolution unknown).
fn png_without_phys() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(83, 117, image::Rgb([250, 250, 250]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", describe(out)))
}

fn file<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in {v:#}"))
}

fn check<'a>(f: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    f["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("{name} not in {f:#}"))
}

#[test]
fn passing_scans_exit_0() {
    let env = Env::new();
    env.write("scans/chart-001.jpg", jpeg(300, 90));
    env.write("scans/chart-002.jpg", jpeg(600, 92));
    env.write("scans/chart-001.jpg.p7s", b"not looked at");
    let out = env.hozon(&["scan", "scans", "--json", "-j", "2"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    let v = json(&out);
    assert_eq!(v["summary"]["total"], 2, "{v:#}");
    assert_eq!(v["summary"]["passed"], 2);
    let f = file(&v, "chart-001.jpg");
    assert_eq!(f["format"], "JPEG");
    assert_eq!(f["pages"], 1);
    assert_eq!(f["verdict"], "PASSED");
    assert_eq!(f["class"], "default");
    let res = check(f, "resolution");
    assert_eq!(res["standard"], "legibility");
    assert_eq!(res["page"], 1);
    assert!(res["detail"]
        .as_str()
        .unwrap()
        .starts_with("300x300 dpi, policy minimum 300"));
    assert_eq!(f["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn a_failing_scan_exits_1_and_says_why() {
    let env = Env::new();
    env.write("scans/good.jpg", jpeg(300, 90));
    env.write("scans/low.jpg", jpeg(150, 90));
    env.write("scans/nodpi.png", png_without_phys());
    let out = env.hozon(&["scan", "scans"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("PASSED  scans/good.jpg"), "{text}");
    assert!(text.contains("FAILED  scans/low.jpg"), "{text}");
    assert!(
        text.contains("FAILED legibility/resolution page 1: 150x150 dpi, policy minimum 300"),
        "{text}"
    );
    assert!(
        text.contains("resolution unknown: PNG has no pHYs chunk"),
        "{text}"
    );
    assert!(text.contains("3 file(s): 1 passed, 2 failed"), "{text}");

    let v = json(&env.hozon(&["scan", "scans", "--json"]));
    assert_eq!(v["summary"]["failed"], 2);
    assert_eq!(check(file(&v, "low.jpg"), "resolution")["status"], "FAILED");
}

/// The sample policy (testdata/scan-policy.toml) with its class root set to the env's `scans/`.
fn sample_policy(env: &Env) -> String {
    let text = std::fs::read_to_string(testdata().join("scan-policy.toml")).unwrap();
    env.write("scan-policy.toml", format!("root = \"scans\"\n{text}"));
    env.path("scan-policy.toml").display().to_string()
}

#[test]
fn class_by_glob_and_by_flag() {
    let env = Env::new();
    let policy = sample_policy(&env);
    let policy = policy.as_str();
    env.write("scans/film/xray.jpg", jpeg(600, 95));
    env.write("scans/consent-7.jpg", jpeg(200, 90));
    let out = env.hozon(&["scan", "scans", "--policy", policy, "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let v = json(&out);
    let film = file(&v, "xray.jpg");
    assert_eq!(film["class"], "film");
    let format = check(film, "format");
    assert_eq!(format["status"], "FAILED");
    assert!(format["detail"]
        .as_str()
        .unwrap()
        .contains("not allowed by the policy (tiff, png)"));
    let consent = file(&v, "consent-7.jpg");
    assert_eq!(consent["class"], "consent-form");
    assert_eq!(check(consent, "resolution")["status"], "PASSED");

    // --class overrides the globs: the 200-dpi consent form now fails the default 300 dpi.
    let out = env.hozon(&[
        "scan",
        "scans/consent-7.jpg",
        "--policy",
        policy,
        "--class",
        "default",
        "--json",
    ]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let v = json(&out);
    assert_eq!(file(&v, "consent-7.jpg")["class"], "default");
    assert_eq!(
        check(file(&v, "consent-7.jpg"), "resolution")["status"],
        "FAILED"
    );
}

/// The class of a file depends on its path under the policy's class root, not on the folder
/// typed: `scans`, `scans/consent` or the file itself give the same class, and the report says
/// which rule matched which path.
#[test]
fn the_class_is_the_same_whatever_folder_is_typed() {
    let env = Env::new();
    let policy = sample_policy(&env);
    env.write("scans/consent/consent-01.jpg", jpeg(200, 90));
    env.write("scans/film/xray.jpg", jpeg(600, 95));
    let want = |v: &serde_json::Value| {
        let f = file(v, "consent-01.jpg");
        assert_eq!(f["class"], "consent-form", "{v:#}");
        let m = &f["class_match"];
        assert_eq!(m["by"], "rule", "{m:#}");
        assert_eq!(m["rule"], 1, "{m:#}");
        assert_eq!(m["glob"], "**/consent-*", "{m:#}");
        assert_eq!(m["path"], "consent/consent-01.jpg", "{m:#}");
        assert!(m["root"].as_str().unwrap().ends_with("scans"), "{m:#}");
    };
    for typed in ["scans", "scans/consent", "scans/consent/consent-01.jpg"] {
        let out = env.hozon(&["scan", typed, "--policy", &policy, "--json"]);
        want(&json(&out));
    }
    // From another working directory, by an absolute path: the same.
    let abs = env.path("scans/consent").display().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hozon"))
        .args(["scan", &abs, "--policy", &policy, "--json"])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    want(&json(&out));
    // A file no rule matches says so; --class says it was chosen.
    let v = json(&env.hozon(&["scan", "scans/film", "--policy", &policy, "--json"]));
    assert_eq!(
        file(&v, "xray.jpg")["class_match"]["glob"],
        "film/**",
        "{v:#}"
    );
    env.write("scans/other.jpg", jpeg(300, 90));
    let v = json(&env.hozon(&["scan", "scans/other.jpg", "--policy", &policy, "--json"]));
    let m = &file(&v, "other.jpg")["class_match"];
    assert_eq!(
        (m["by"].as_str(), m["path"].as_str()),
        (Some("default"), Some("other.jpg")),
        "{m:#}"
    );
    let out = env.hozon(&[
        "scan",
        "scans/other.jpg",
        "--policy",
        &policy,
        "--class",
        "film",
    ]);
    assert!(
        stdout(&out).contains("class film (--class)"),
        "{}",
        describe(&out)
    );
    // The human report names the rule.
    let out = env.hozon(&["scan", "scans/consent", "--policy", &policy]);
    assert!(
        stdout(&out).contains(
            "class consent-form (rule 2 \"**/consent-*\" matched consent/consent-01.jpg)"
        ),
        "{}",
        describe(&out)
    );
}

/// A file outside the policy's class root cannot be classed by its rules: a configuration
/// error (exit 4) naming the file and the root, before any work, not a silent `default`.
#[test]
fn a_file_outside_the_class_root_is_a_configuration_error() {
    let env = Env::new();
    let policy = sample_policy(&env);
    env.write("scans/chart.jpg", jpeg(300, 90));
    env.write("elsewhere/consent-01.jpg", jpeg(200, 90));
    let out = env.hozon(&["scan", "elsewhere", "--policy", &policy, "--json"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stdout(&out).is_empty(), "{}", describe(&out));
    let err = stderr(&out);
    assert!(
        err.contains("consent-01.jpg is outside the scan policy's class root")
            && err.contains("scans")
            && err.contains("root = "),
        "{}",
        describe(&out)
    );
    // A policy whose root does not exist is refused, naming it.
    env.write("bad-root.toml", "root = \"no-such-folder\"\n");
    let out = env.hozon(&["scan", "elsewhere", "--policy", "bad-root.toml"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("no-such-folder"),
        "{}",
        describe(&out)
    );
}

#[test]
fn configuration_and_io_errors_exit_4() {
    let env = Env::new();
    env.write("scans/a.jpg", jpeg(300, 90));
    env.write("bad.toml", "[classes.default]\nmin_dpii = 300\n");
    let out = env.hozon(&["scan", "scans", "--policy", "bad.toml"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(
        stderr(&out).contains("bad.toml") && stderr(&out).contains("min_dpii"),
        "{}",
        describe(&out)
    );

    let out = env.hozon(&["scan", "scans", "--class", "film"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("--class film"), "{}", describe(&out));

    let out = env.hozon(&["scan", "scans", "missing.tif"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("missing.tif"), "{}", describe(&out));

    let out = env.hozon(&["scan", "--policy", "nope.toml", "scans"]);
    assert_eq!(code(&out), 4, "{}", describe(&out));
    assert!(stderr(&out).contains("nope.toml"), "{}", describe(&out));
}

#[test]
fn malformed_files_fail_without_crashing() {
    let env = Env::new();
    let full = jpeg(300, 90);
    env.write("scans/truncated.jpg", &full[..full.len() / 2]);
    env.write("scans/empty.tif", b"");
    env.write(
        "scans/random.png",
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
            .collect::<Vec<u8>>(),
    );
    env.write("scans/liar.tif", png_without_phys());
    let out = env.hozon(&["scan", "scans", "--json"]);
    assert_eq!(code(&out), 1, "{}", describe(&out));
    let v = json(&out);
    assert_eq!(v["summary"]["failed"], 4, "{v:#}");
    assert_eq!(
        check(file(&v, "truncated.jpg"), "decode")["status"],
        "FAILED"
    );
    // Where the file was cut, not a bare "0 page(s)".
    let cut = full.len() / 2;
    assert_eq!(
        check(file(&v, "truncated.jpg"), "decode")["detail"],
        format!(
            "does not decode completely: truncated at byte {cut}: JPEG does not end with an EOI marker"
        )
    );
    let text = stdout(&env.hozon(&["scan", "scans/truncated.jpg"]));
    assert!(
        text.contains("JPEG, 0 page(s) decoded, page 1 does not, class default")
            && text.contains(&format!("truncated at byte {cut}")),
        "{text}"
    );
    assert_eq!(
        check(file(&v, "empty.tif"), "format")["detail"],
        "file is empty"
    );
    assert_eq!(file(&v, "random.png")["format"], "unknown");
    let liar = file(&v, "liar.tif");
    assert_eq!(liar["format"], "PNG");
    assert_eq!(check(liar, "file-name")["status"], "WARNING");
}
