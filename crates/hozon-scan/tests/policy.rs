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

// ---------------------------------------------------------------------------------------------
// The class root: globs match the path relative to one root, whatever folder is named.

const RULES: &str = "[classes.consent-form]\nrequire_signature = true\n\
                     [[class_rules]]\nglob = \"film/**\"\nclass = \"default\"\n\
                     [[class_rules]]\nglob = \"consent/**\"\nclass = \"consent-form\"\n";

/// `scans/consent/c.tif` and `scans/film/f.tif` under a temporary folder.
fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "scans/consent/c.tif",
        "scans/film/f.tif",
        "elsewhere/consent/c.tif",
    ] {
        let p = d.path().join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }
    d
}

#[test]
fn the_root_is_the_policy_s_root_key_relative_to_its_folder() {
    let d = tree();
    let p = d.path().join("policy/p.toml");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, format!("root = \"../scans\"\n{RULES}")).unwrap();
    let policy = Policy::load(&p).unwrap();
    let scans = std::fs::canonicalize(d.path().join("scans")).unwrap();
    assert_eq!(policy.root.as_deref(), Some(scans.as_path()));
    let file = d.path().join("scans/consent/c.tif");
    // The folder the caller walked does not matter.
    for folder in [d.path().join("scans"), d.path().join("scans/consent")] {
        let m = policy.classify(&file, Some(&folder)).unwrap();
        assert_eq!(m.class, "consent-form");
        assert_eq!(m.by, "rule");
        assert_eq!(m.rule, Some(1));
        assert_eq!(m.glob.as_deref(), Some("consent/**"));
        assert_eq!(m.path.as_deref(), Some("consent/c.tif"));
        assert_eq!(m.root.as_deref(), Some(scans.to_str().unwrap()));
    }
    // A path with `..` in it names the same file.
    let roundabout = d.path().join("scans/film/../consent/c.tif");
    assert_eq!(
        policy.classify(&roundabout, None).unwrap().class,
        "consent-form"
    );
    let m = policy
        .classify(&d.path().join("scans/film/f.tif"), None)
        .unwrap();
    assert_eq!((m.class.as_str(), m.rule), ("default", Some(0)));
}

#[test]
fn without_a_root_key_the_root_is_the_policy_file_s_folder() {
    let d = tree();
    let p = d.path().join("scans/p.toml");
    std::fs::write(&p, RULES).unwrap();
    let policy = Policy::load(&p).unwrap();
    let m = policy
        .classify(&d.path().join("scans/consent/c.tif"), None)
        .unwrap();
    assert_eq!(m.class, "consent-form");
}

#[test]
fn a_file_outside_the_root_cannot_be_classed_by_the_rules() {
    let d = tree();
    let p = d.path().join("scans/p.toml");
    std::fs::write(&p, RULES).unwrap();
    let policy = Policy::load(&p).unwrap();
    let e = policy
        .classify(&d.path().join("elsewhere/consent/c.tif"), None)
        .unwrap_err();
    assert!(
        matches!(e, hozon_scan::ClassifyError::OutsideRoot { .. }),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("outside the scan policy's class root"),
        "{e}"
    );
    // Without rules there is nothing to match: every file is `default`, wherever it is.
    std::fs::write(&p, "").unwrap();
    let policy = Policy::load(&p).unwrap();
    let m = policy
        .classify(&d.path().join("elsewhere/consent/c.tif"), None)
        .unwrap();
    assert_eq!((m.class.as_str(), m.by.as_str()), ("default", "default"));
}

#[test]
fn without_a_policy_file_the_scan_folder_is_the_root() {
    let d = tree();
    let policy = Policy::parse(RULES).unwrap();
    assert_eq!(policy.root, None);
    let m = policy
        .classify(
            &d.path().join("scans/consent/c.tif"),
            Some(&d.path().join("scans")),
        )
        .unwrap();
    assert_eq!(m.class, "consent-form");
}

#[test]
fn a_root_that_does_not_exist_is_refused_naming_it() {
    let e = load_err("root = \"no-such-folder\"\n");
    assert!(e.contains("no-such-folder"), "{e}");
}
