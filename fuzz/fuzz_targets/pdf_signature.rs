//! PDF signatures (PAdES): revisions and cross-reference sections,
//! signature dictionaries and byte ranges, and the analysis of every
//! incremental update after each signed revision. Whatever the bytes, the
//! parser must return a result or an error, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pdf) = hozon_pades::Pdf::parse(data.to_vec()) else {
        return;
    };
    let Ok(signatures) = hozon_pades::signature::find(&pdf) else {
        return;
    };
    for s in signatures {
        if let Some(revision) = s.revision {
            let _ = hozon_pades::diff::analyse(&pdf, revision, s.docmdp);
        }
    }
});
