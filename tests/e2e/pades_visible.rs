//! The visible signature stamp (issue 19, item 2): `hozon sign --format
//! pades --visible` draws the signer's name (山田 太郎, from the
//! certificate), the HPKI role, the signing time in JST and the reason on
//! the page, in IPAex Gothic embedded as a subset, as the signature
//! widget's appearance in the signed revision. Every file must pass `hozon
//! verify`, pyHanko (intact, valid, the whole file), `pdfsig`, and `qpdf
//! --check`; `pdffonts` must list the font embedded as a subset,
//! `pdftotext` find the name and the time on the page, and `pdftoppm` draw
//! ink where the stamp is (and none there in the unsigned file). B-LTA, a
//! SoftHSM key and a second visible signature keep every signature valid.
//! Options this document cannot have (no such page, a rectangle off the
//! page or too small) are usage errors (exit 2) that leave the file alone.
//!
//! The tools (poppler-utils, qpdf, img2pdf, pyHanko, SoftHSM, the IPAex
//! font) are installed by scripts/setup; without them a test says
//! "skipped", and fails under HOZON_REQUIRE_TOOLS.

use serde_json::Value;

use crate::lta::long_lived_tsa;
use crate::pades_levels::kit::{
    every_update_accepted, hozon_passes, make_pdf, pdfsig_passes, pyhanko_passes, run, sign_with,
    token_for, Expect, Key, Source, Tools,
};
use crate::util::{code, describe, stderr, stdout, unix_seconds, Env};

const IPAEX: &str = "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf";

const B_B: Expect = Expect {
    level: "B-B",
    documents: 0,
    signature_stamp: false,
};

/// The tools these tests need besides the signing oracles.
fn tools() -> Option<Tools> {
    let tools = Tools::find()?;
    hozon_testkit::tool("pdffonts", "poppler-utils")?;
    hozon_testkit::tool("pdftotext", "poppler-utils")?;
    hozon_testkit::tool("pdftoppm", "poppler-utils")?;
    hozon_testkit::tool_file(std::path::Path::new(IPAEX), "fonts-ipaexfont-gothic")?;
    Some(tools)
}

/// `pdffonts FILE`: the IPAex Gothic line is embedded and a subset.
fn font_embedded_as_subset(env: &Env, file: &str) {
    let out = run(env, "pdffonts", &[file]);
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.contains("IPAexGothic"))
        .unwrap_or_else(|| panic!("{file}: no IPAex Gothic font: {text}"));
    // name type encoding emb sub uni object-id
    let cols: Vec<&str> = line.split_whitespace().collect();
    let name = cols[0];
    let (tag, _) = name.split_once('+').expect("a subset tag");
    assert_eq!(tag.len(), 6, "{line}");
    let flags = &cols[cols.len() - 5..cols.len() - 2];
    assert_eq!(flags, ["yes", "yes", "yes"], "emb, sub, uni: {line}");
}

/// `pdftotext` of page `page`.
fn page_text(env: &Env, file: &str, page: usize) -> String {
    let p = page.to_string();
    stdout(&run(env, "pdftotext", &["-f", &p, "-l", &p, file, "-"]))
}

/// How many pixels of `rect` ([x1, y1, x2, y2] in points) on page `page`
/// of an A4 page `pdftoppm` draws darker than near-white at 72 dpi.
fn ink(env: &Env, file: &str, page: usize, rect: [u32; 4]) -> usize {
    let [x1, y1, x2, y2] = rect;
    ink_displayed(env, file, page, [x1, 842 - y2, x2 - x1, y2 - y1])
}

/// How many pixels of the area [x, y, w, h] (from the top left of the
/// page as displayed, in points) `pdftoppm` draws darker than near-white.
fn ink_displayed(env: &Env, file: &str, page: usize, area: [u32; 4]) -> usize {
    let [x, y, w, h] = area;
    let p = page.to_string();
    let args = [
        "-r",
        "72",
        "-gray",
        "-f",
        &p,
        "-l",
        &p,
        "-x",
        &x.to_string(),
        "-y",
        &y.to_string(),
        "-W",
        &w.to_string(),
        "-H",
        &h.to_string(),
        file,
    ];
    let out = run(env, "pdftoppm", &args);
    // A binary PGM: "P5", width, height, maximum, one white-space byte.
    let pgm = out.stdout;
    let mut fields = 0;
    let mut at = 0;
    while fields < 4 {
        while pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        assert!(pgm[at].is_ascii_alphanumeric(), "not a PGM");
        while !pgm[at].is_ascii_whitespace() {
            at += 1;
        }
        fields += 1;
    }
    let pixels = &pgm[at + 1..];
    assert_eq!(pixels.len(), (w * h) as usize, "{file}: crop size");
    pixels.iter().filter(|&&v| v < 200).count()
}

/// The signature's claimed signing time in JST as the stamp shows it.
fn jst(report: &Value) -> String {
    let utc = report["signatures"][0]["claimed_signing_time"]
        .as_str()
        .expect("claimed_signing_time");
    let t = unix_seconds(utc) + 9 * 3600;
    let shifted = hozon_cms::UnixTime(t).rfc3339();
    format!(
        "{} JST",
        shifted.trim_end_matches('Z').replacen('T', " ", 1)
    )
}

/// The default stamp: bottom right of page 1, 200 × 60 points half an inch
/// from the edges of an A4 page.
const BOTTOM_RIGHT: [u32; 4] = [359, 36, 559, 96];

#[test]
fn a_visible_stamp_passes_every_oracle_and_shows_the_signer() {
    let Some(tools) = tools() else { return };
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "a.pdf");
    let original = env.read("a.pdf");
    assert_eq!(
        ink(&env, "a.pdf", 1, BOTTOM_RIGHT),
        0,
        "the unsigned page is blank there"
    );
    let out = sign_with(
        &env,
        None,
        "a.pdf",
        Key::RsaPem,
        "b",
        "",
        &["--visible", "--reason", "退院時要約の確認"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // One update: the stamp is part of the signed revision.
    assert_eq!(every_update_accepted(&env, "a.pdf", &original), 1);
    let report = hozon_passes(&env, "a.pdf", "B-B");
    pyhanko_passes(&tools, &env, "a.pdf", &B_B);
    pdfsig_passes(&env, "a.pdf", 1, true);
    font_embedded_as_subset(&env, "a.pdf");
    let text = page_text(&env, "a.pdf", 1);
    assert!(text.contains("署名者: 山田 太郎"), "{text}");
    assert!(text.contains("資格: Medical Doctor"), "{text}");
    assert!(
        text.contains(&format!("署名日時: {}", jst(&report))),
        "{text}"
    );
    assert!(text.contains("理由: 退院時要約の確認"), "{text}");
    let dark = ink(&env, "a.pdf", 1, BOTTOM_RIGHT);
    assert!(dark > 500, "only {dark} dark pixels where the stamp is");
}

#[test]
fn a_stamp_on_the_last_page_at_a_rectangle() {
    let Some(tools) = tools() else { return };
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "one.pdf");
    run(
        &env,
        "qpdf",
        &["--empty", "--pages", "one.pdf", "one.pdf", "--", "a.pdf"],
    );
    let rect = [72, 300, 312, 380];
    let out = sign_with(
        &env,
        None,
        "a.pdf",
        Key::EcPem,
        "b",
        "",
        &[
            "--visible",
            "--visible-page",
            "last",
            "--visible-rect",
            "72,300,312,380",
            "--visible-lines",
            "time,name",
        ],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    hozon_passes(&env, "a.pdf", "B-B");
    pyhanko_passes(&tools, &env, "a.pdf", &B_B);
    pdfsig_passes(&env, "a.pdf", 1, true);
    // On page 2 only, in the order asked, without the role.
    let second = page_text(&env, "a.pdf", 2);
    let (time, name) = (
        second.find("署名日時: ").expect("the time"),
        second.find("署名者: 佐藤 花子").expect("the name"),
    );
    assert!(time < name, "{second}");
    assert!(!second.contains("資格"), "{second}");
    assert!(!page_text(&env, "a.pdf", 1).contains("署名者"));
    assert!(ink(&env, "a.pdf", 2, rect) > 500);
    assert_eq!(ink(&env, "a.pdf", 1, rect), 0);
}

#[test]
fn the_stamp_reads_upright_on_a_turned_page() {
    let Some(tools) = tools() else { return };
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "one.pdf");
    run(&env, "qpdf", &["--rotate=+90:1", "one.pdf", "a.pdf"]);
    // Displayed 842 wide and 595 high: the bottom-right corner's stamp.
    let area = [842 - 36 - 200, 595 - 36 - 60, 200, 60];
    assert_eq!(ink_displayed(&env, "a.pdf", 1, area), 0);
    let out = sign_with(&env, None, "a.pdf", Key::RsaPem, "b", "", &["--visible"]);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    hozon_passes(&env, "a.pdf", "B-B");
    pyhanko_passes(&tools, &env, "a.pdf", &B_B);
    assert!(ink_displayed(&env, "a.pdf", 1, area) > 500);
    // Upright: pdftotext reads the lines as lines.
    let text = page_text(&env, "a.pdf", 1);
    assert!(text.contains("署名者: 山田 太郎"), "{text}");
}

#[test]
fn a_visibly_signed_b_lta_still_verifies() {
    let Some(tools) = tools() else { return };
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    make_pdf(&env, Source::ObjectStreams, "a.pdf");
    let original = env.read("a.pdf");
    let out = sign_with(
        &env,
        None,
        "a.pdf",
        Key::RsaP12,
        "lta",
        &tsa.url(),
        &["--visible", "--visible-corner", "top-right"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    // The signature, the DSS, the document time stamp.
    assert_eq!(every_update_accepted(&env, "a.pdf", &original), 3);
    hozon_passes(&env, "a.pdf", "B-LTA");
    let b_lta = Expect {
        level: "B-LTA",
        documents: 1,
        signature_stamp: true,
    };
    pyhanko_passes(&tools, &env, "a.pdf", &b_lta);
    pdfsig_passes(&env, "a.pdf", 2, true);
    let v = env.verify(&["a.pdf"], &["--offline"]);
    assert_eq!(v.code, 0, "{}", v.stdout);
    assert!(ink(&env, "a.pdf", 1, [359, 746, 559, 806]) > 500);
}

#[test]
fn a_visible_stamp_signed_on_a_softhsm_token() {
    let Some(tools) = tools() else { return };
    let env = Env::new();
    let Some(token) = token_for(&env, Key::RsaToken) else {
        return;
    };
    let tsa = long_lived_tsa(&env);
    make_pdf(&env, Source::Scanned, "a.pdf");
    let out = sign_with(
        &env,
        token.as_ref(),
        "a.pdf",
        Key::RsaToken,
        "t",
        &tsa.url(),
        &["--visible", "--visible-corner", "bottom-left"],
    );
    assert_eq!(code(&out), 0, "{}", describe(&out));
    hozon_passes(&env, "a.pdf", "B-T");
    let b_t = Expect {
        level: "B-T",
        documents: 0,
        signature_stamp: true,
    };
    pyhanko_passes(&tools, &env, "a.pdf", &b_t);
    pdfsig_passes(&env, "a.pdf", 1, true);
    font_embedded_as_subset(&env, "a.pdf");
    assert!(page_text(&env, "a.pdf", 1).contains("山田 太郎"));
}

#[test]
fn a_second_visible_signature_leaves_the_first_valid() {
    let Some(tools) = tools() else { return };
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "a.pdf");
    for (key, corner) in [(Key::RsaPem, "bottom-right"), (Key::EcPem, "bottom-left")] {
        let out = sign_with(
            &env,
            None,
            "a.pdf",
            key,
            "b",
            "",
            &["--visible", "--visible-corner", corner],
        );
        assert_eq!(code(&out), 0, "{}", describe(&out));
    }
    let report = hozon_passes(&env, "a.pdf", "B-B");
    let first = &report["signatures"][0];
    assert_eq!(first["revision"], 2, "{report}");
    let permitted = first["permitted_changes"].to_string();
    assert!(permitted.contains("signature widget"), "{permitted}");
    let verdicts = crate::pades_levels::kit::pyhanko(&tools, &env, "validate", &["a.pdf"], &[]);
    let entries = verdicts["a.pdf"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{verdicts}");
    for e in entries {
        assert_eq!(e["bottom_line"], true, "{e}");
        assert_eq!(e["intact"], true, "{e}");
    }
    pdfsig_passes(&env, "a.pdf", 2, true);
    let text = page_text(&env, "a.pdf", 1);
    assert!(
        text.contains("山田 太郎") && text.contains("佐藤 花子"),
        "{text}"
    );
}

/// `sign --format pades a.pdf --visible EXTRA…` on a one-page PDF: exit 2,
/// the message has `needle`, the file is unchanged and nothing is left
/// beside it.
fn usage_error(extra: &[&str], needle: &str) {
    let env = Env::new();
    make_pdf(&env, Source::BornDigital, "a.pdf");
    let before = env.read("a.pdf");
    let listing = || {
        let mut names: Vec<String> = std::fs::read_dir(env.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let files = listing();
    let mut args = vec!["--visible"];
    args.extend_from_slice(extra);
    let out = sign_with(&env, None, "a.pdf", Key::RsaPem, "b", "", &args);
    assert_eq!(code(&out), 2, "{extra:?}: {}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains(needle), "{extra:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(env.read("a.pdf"), before, "the file was changed");
    assert_eq!(listing(), files, "something was left behind");
}

fn font_present() -> bool {
    hozon_testkit::tool_file(std::path::Path::new(IPAEX), "fonts-ipaexfont-gothic").is_some()
}

#[test]
fn a_page_out_of_range_is_a_usage_error() {
    if !font_present() {
        return;
    }
    usage_error(
        &["--visible-page", "3"],
        "a.pdf: the stamp cannot go on page 3: the document has 1 page(s)",
    );
    usage_error(&["--visible-page", "0"], "is not a page");
}

#[test]
fn a_rectangle_off_the_page_is_a_usage_error() {
    if !font_present() {
        return;
    }
    usage_error(
        &["--visible-rect", "500,700,700,900"],
        "a.pdf: the stamp rectangle [500 700 700 900] is off page 1, whose visible area is [0 0 595 842]",
    );
    usage_error(&["--visible-rect", "1,2,3"], "four numbers");
}

#[test]
fn a_rectangle_too_small_for_the_stamp_is_a_usage_error() {
    if !font_present() {
        return;
    }
    usage_error(
        &["--visible-rect", "100,100,150,110"],
        "do not fit a 50 × 10 point stamp",
    );
}

#[test]
fn visible_and_reason_apply_to_pades_only() {
    let env = Env::new();
    env.copy_doc("lab-report.pdf", "a.pdf");
    let before = env.read("a.pdf");
    for extra in [&["--visible"][..], &["--reason", "確認"]] {
        let mut args = vec![
            "sign",
            "a.pdf",
            "--key",
            "pki/signer-doctor.key",
            "--cert",
            "pki/signer-doctor.crt",
        ];
        args.extend_from_slice(extra);
        let out = env.hozon(&args);
        assert_eq!(code(&out), 2, "{}", describe(&out));
        assert!(
            stderr(&out).contains("apply to --format pades"),
            "{}",
            describe(&out)
        );
        assert!(!env.exists("a.pdf.p7s"));
    }
    assert_eq!(env.read("a.pdf"), before);
    // The stamp's options need --visible.
    let out = env.hozon(&[
        "sign",
        "--format",
        "pades",
        "a.pdf",
        "--key",
        "pki/signer-doctor.key",
        "--cert",
        "pki/signer-doctor.crt",
        "--visible-page",
        "2",
    ]);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert_eq!(env.read("a.pdf"), before);
}

#[test]
fn scan_sign_format_pades_draws_the_stamp_on_passing_pdfs() {
    let Some(_tools) = tools() else { return };
    let env = Env::new();
    let tsa = long_lived_tsa(&env);
    let url = tsa.url();
    std::fs::create_dir_all(env.path("in")).unwrap();
    let png = crate::util::testdata().join("docs/chart-scan-300dpi.png");
    run(
        &env,
        "img2pdf",
        &[png.to_str().unwrap(), "-o", "in/chart.pdf"],
    );
    let mut args = vec![
        "scan",
        "in",
        "--sign",
        "--format",
        "pades",
        "--visible",
        "--visible-corner",
        "top-left",
        "--tsa",
        &url,
        "--json",
    ];
    args.extend(crate::tsa::DOCTOR);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 0, "{}", describe(&out));
    hozon_passes(&env, "in/chart.pdf", "B-T");
    font_embedded_as_subset(&env, "in/chart.pdf");
    assert!(page_text(&env, "in/chart.pdf", 1).contains("署名者: 山田 太郎"));

    // Without --format pades there is no stamp to draw: a usage error.
    env.copy_doc("chart-scan-300dpi.png", "in2/chart.png");
    let mut args = vec!["scan", "in2", "--sign", "--visible", "--tsa", &url];
    args.extend(crate::tsa::DOCTOR);
    let out = env.hozon(&args);
    assert_eq!(code(&out), 2, "{}", describe(&out));
    assert!(stderr(&out).contains("apply to --sign --format pades"));
    assert!(!env.exists("in2/chart.png.p7s"));
}
