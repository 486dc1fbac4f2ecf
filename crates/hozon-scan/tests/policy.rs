//! Policy parsing: errors name the file and the key; the sample policy parses.

use std::path::Path;

use hozon_scan::policy::{BlankAction, ColourRequirement};
use hozon_scan::{Format, Policy};

const CLASS: &str = "min_dpi = 300\ncolour = \"rgb24-or-grey8\"\nformats = [\"tiff\"]\njpeg_min_quality = 75\n\
                     max_scan_to_stamp_business_days = 1\nblank_page = { max_ink = 0.002, action = \"warn\" }\n";

fn load_err(text: &str) -> String {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("bad-policy.toml");
    std::fs::write(&p, text).unwrap();
    let e = Policy::load(&p).unwrap_err().to_string();
    assert!(
        e.contains("bad-policy.toml"),
        "error does not name the file: {e}"
    );
    e
}

#[test]
fn sample_policy_parses() {
    let p = Policy::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/scan-policy.toml"
    )))
    .unwrap();
    let film = p.class("film").unwrap();
    assert_eq!(film.min_dpi, 600);
    assert_eq!(film.colour, ColourRequirement::Rgb24);
    assert_eq!(film.formats, vec![Format::Tiff, Format::Png]);
    assert_eq!(film.blank_page.action, BlankAction::Fail);
    let consent = p.class("consent-form").unwrap();
    assert_eq!(consent.min_dpi, 200);
    assert_eq!(consent.allowed_signers.len(), 1);
    assert_eq!(
        consent.allowed_signers[0].hc_role.as_deref(),
        Some("Medical Records Officer")
    );
    assert!(p.holidays.contains(&(2026, 11, 23)));
    assert_eq!(p.class("default").unwrap(), &hozon_scan::Class::builtin());
}

#[test]
fn builtin_default() {
    let p = Policy::default();
    let c = p.class("default").unwrap();
    assert_eq!(c.min_dpi, 300);
    assert_eq!(c.colour, ColourRequirement::Rgb24OrGrey8);
    assert_eq!(
        c.formats,
        vec![Format::Tiff, Format::Png, Format::Jpeg, Format::Pdf]
    );
    assert_eq!(c.max_scan_to_stamp_business_days, 1);
    // An empty file means the built-in default too.
    assert_eq!(Policy::parse("").unwrap(), p);
}

#[test]
fn unknown_key_is_named() {
    let e = load_err(&format!("[classes.default]\n{CLASS}min_dpii = 300\n"));
    assert!(e.contains("min_dpii"), "{e}");
    let e = load_err("colour_mode = 1\n");
    assert!(e.contains("colour_mode"), "{e}");
}

#[test]
fn bad_values_are_named() {
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("300", "\"300\"")
    ));
    assert!(e.contains("min_dpi"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("rgb24-or-grey8", "rgb48")
    ));
    assert!(e.contains("colour") && e.contains("rgb48"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("\"tiff\"", "\"gif\"")
    ));
    assert!(e.contains("formats") && e.contains("gif"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("0.002", "2.5")
    ));
    assert!(e.contains("classes.default.blank_page.max_ink"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("\"warn\"", "\"ignore\"")
    ));
    assert!(e.contains("action") && e.contains("ignore"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("min_dpi = 300", "min_dpi = 0")
    ));
    assert!(e.contains("classes.default.min_dpi"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{}",
        CLASS.replace("= 75", "= 101")
    ));
    assert!(e.contains("classes.default.jpeg_min_quality"), "{e}");
    let e = load_err(&format!(
        "holidays = [\"2026-02-30\"]\n[classes.default]\n{CLASS}"
    ));
    assert!(e.contains("holidays") && e.contains("2026-02-30"), "{e}");
    let e = load_err(&format!(
        "[classes.default]\n{CLASS}\n[[class_rules]]\nglob = \"film/**\"\nclass = \"film\"\n"
    ));
    assert!(
        e.contains("class_rules[0].class") && e.contains("film"),
        "{e}"
    );
    let e = load_err("[classes.default\n");
    assert!(e.contains("line 1") || e.contains("TOML"), "{e}");
}

/// A class states only what differs from the built-in default.
#[test]
fn fields_left_out_take_the_built_in_values() {
    let p = Policy::parse("[classes.consent-form]\nmin_dpi = 200\nformats = [\"tiff\", \"pdf\"]\n")
        .unwrap();
    let c = p.class("consent-form").unwrap();
    let builtin = hozon_scan::Class::builtin();
    assert_eq!(c.min_dpi, 200);
    assert_eq!(c.formats, vec![Format::Tiff, Format::Pdf]);
    assert_eq!(c.colour, builtin.colour);
    assert_eq!(c.blank_page, builtin.blank_page);
    assert_eq!(c.jpeg_min_quality, builtin.jpeg_min_quality);
    assert_eq!(
        c.max_scan_to_stamp_business_days,
        builtin.max_scan_to_stamp_business_days
    );
    assert_eq!(p.class("default").unwrap(), &builtin);
}

#[test]
fn missing_policy_file_names_it() {
    let e = Policy::load(Path::new("/nonexistent/scan-policy.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("/nonexistent/scan-policy.toml") && e.contains("cannot read"),
        "{e}"
    );
}
