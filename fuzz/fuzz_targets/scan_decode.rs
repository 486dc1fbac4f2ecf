//! Scanned records (TIFF, PNG, JPEG, JPEG 2000 headers, PDF): the bytes are
//! written to a file (the decoders read files, page by page) and checked
//! against the built-in policy, which identifies the format by its bytes
//! and runs our decoding paths.
#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use hozon_scan::Policy;
use libfuzzer_sys::fuzz_target;

fn scratch() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("hozon-fuzz-scan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        dir.join("page")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    let mut f = std::fs::File::create(path).expect("scratch file");
    f.write_all(data).expect("write");
    drop(f);
    let policy = Policy::default();
    let _ = hozon_scan::check_file(path, &policy, "default");
});
