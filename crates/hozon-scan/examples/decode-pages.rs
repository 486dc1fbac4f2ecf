//! The baseline of `bench/scan.sh`: decodes every file given with the `image` crate alone (no
//! checks, no hashing), on `THREADS` threads (default: the number of cores), one page per thread
//! at a time, and prints how many decoded.
//!
//!     cargo run --release -p hozon-scan --example decode-pages -- FILE...

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

fn main() {
    let files: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let threads = std::env::var("THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let next = AtomicUsize::new(0);
    let decoded = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                match image::open(path) {
                    Ok(img) => {
                        std::hint::black_box(img);
                        decoded.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => eprintln!("decode-pages: {}: {e}", path.display()),
                }
            });
        }
    });
    println!(
        "{} of {} decoded",
        decoded.load(Ordering::Relaxed),
        files.len()
    );
}
