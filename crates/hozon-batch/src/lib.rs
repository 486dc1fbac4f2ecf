//! Runs one job over many files — the batch engine behind `hozon sign`,
//! `timestamp`, `extend`, `xades sign|extend` and `scan`.
//!
//! A batch is four steps, each a module:
//! - [`walk`]: PATH arguments to the files to work on (directories walked
//!   without following symbolic links; FIFOs, sockets and devices set aside
//!   with why; signature files and previous signatures kept by
//!   `sign --resign` recognised by name; hozon's temporaries found).
//! - [`plan()`]: each input's output named, two inputs with one output
//!   refused, outputs known absent when the walk listed their directory;
//!   [`prepare_output_dirs`] creates output directories and removes the
//!   temporaries of interrupted runs.
//! - [`run()`]: the work of every task in parallel, outputs published by
//!   group commit (`hozon_io::BatchWriter`), resumable: an output that exists
//!   is skipped (or checked with [`Settings::check_existing`]), an output
//!   another run wrote meanwhile is left to it.
//! - [`BatchReport`]: what was done, skipped, failed or changed, each problem
//!   with a stable [`code`], as data (and as the JSON document of the
//!   contract). Printing is the caller's; progress is reported to a
//!   [`Progress`] the caller implements.
//!
//! `hozon verify` is a batch too: [`verify_paths()`] verifies whatever is at
//! the PATH arguments ([`verify_any`] recognises each file's format by name
//! or content), and [`Coverage`] finds what `--require-signed` refuses.
//! `hozon scan` checks files in parallel with [`scan::check_paths`];
//! [`resign`] holds the rules of signing again (a signature that no longer
//! fits its document, the previous signature kept as `SIG.<n>`).
//!
//! # Example
//!
//! ```
//! use hozon_batch::{plan, run, walk, NoProgress, Produced, Settings};
//! use hozon_io::Overwrite;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("a.txt"), b"record")?;
//! std::fs::write(dir.path().join("b.txt"), b"record")?;
//!
//! let walked = walk::collect(&[dir.path().to_path_buf()], |p| !walk::is_signature(p));
//! let planned = plan(walked, |input| Ok(input.path.with_extension("txt.tsr")));
//! let settings = Settings {
//!     threads: 2,
//!     overwrite: Overwrite::Never,
//!     skip_existing: true,
//!     progress: &NoProgress,
//!     halt: None,
//!     check_existing: None,
//!     raced: "stamped by another run",
//! };
//! let report = run(planned, &settings, |task| {
//!     let bytes = std::fs::read(&task.input.path).map_err(|e| e.to_string())?;
//!     Ok(Produced::Write(bytes))
//! })?;
//! assert_eq!(report.done.len(), 2);
//! assert!(dir.path().join("a.txt.tsr").exists());
//! # Ok(())
//! # }
//! ```

use std::path::PathBuf;

pub mod coverage;
pub mod plan;
pub mod report;
pub mod resign;
pub mod run;
pub mod scan;
pub mod verify_any;
pub mod verify_paths;
pub mod walk;

pub use coverage::{Coverage, Uncovered};
pub use plan::{output_path, plan, prepare_output_dirs, Planned, Task};
pub use report::{code, BatchReport, Problem, Reason};
pub use run::{raced_reason, run, CheckExisting, Halt, NoProgress, Produced, Progress, Settings};
pub use verify_any::VerifyFileError;
pub use verify_paths::{verify_paths, Verification, VerifyError, VerifyRequest};

/// Why a batch could not run at all (a single file's problem is in the
/// [`BatchReport`] instead).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// An output directory could not be created.
    #[error("cannot create {}", dir.display())]
    CreateDir {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The temporaries of an interrupted run could not be removed.
    #[error("cannot clean up temporaries in {}", dir.display())]
    CleanTemporaries {
        /// The directory.
        dir: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The worker threads could not be started.
    #[error("cannot start worker threads")]
    Threads(#[source] rayon::ThreadPoolBuildError),
}
