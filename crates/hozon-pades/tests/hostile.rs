//! The PDF signature parser on damaged input: every hostile PDF of the
//! adversarial corpus, truncated at many lengths and with bytes flipped
//! throughout, must give a result or an error — never a panic — and none
//! of the attacks may leave a signature whose byte range is sound with no
//! modification after it.

use std::path::PathBuf;

use hozon_pades::{diff, signature, Pdf};

fn cases() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/adversarial/cases");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("pdf-"))
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 25, "only {} PDF cases", out.len());
    out
}

/// Parses, finds the signatures, analyses every later update; returns
/// whether some signature has a sound byte range and nothing disallowed
/// after it.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(pdf) = Pdf::parse(bytes.to_vec()) else {
        return false;
    };
    let Ok(sigs) = signature::find(&pdf) else {
        return false;
    };
    sigs.iter().any(|s| {
        s.revision
            .is_some_and(|r| diff::analyse(&pdf, r, s.docmdp).iter().all(|c| c.allowed))
    })
}

#[test]
fn no_attack_leaves_a_sound_signature_over_the_whole_document() {
    for (name, bytes) in cases() {
        let whole = exercise(&bytes);
        if name.starts_with("pdf-control-") {
            assert!(whole, "{name}: the control must be sound");
        } else if name.starts_with("pdf-usf-")
            || name.contains("byterange")
            || name.contains("wrapping")
        {
            // Broken byte ranges: the signature is refused outright.
            let pdf = Pdf::parse(bytes.clone());
            if let Ok(pdf) = pdf {
                let sigs = signature::find(&pdf).unwrap_or_default();
                assert!(
                    sigs.iter()
                        .all(|s| s.revision.is_none() || name == "pdf-usf-contents-zero.pdf"),
                    "{name}: byte range accepted"
                );
            }
        } else {
            assert!(!whole, "{name}: passes as covering the whole document");
        }
    }
}

#[test]
fn truncated_and_flipped_pdfs_never_panic() {
    for (_, bytes) in cases() {
        let step = (bytes.len() / 61).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            exercise(&bytes[..cut]);
        }
        for at in (0..bytes.len()).step_by(step) {
            for flip in [0x01u8, 0x80] {
                let mut b = bytes.clone();
                b[at] ^= flip;
                exercise(&b);
            }
        }
    }
}
