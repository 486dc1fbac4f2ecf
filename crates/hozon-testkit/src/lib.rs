//! Loopback test servers for hozon: an RFC 3161 time-stamping authority, an
//! OCSP responder and a CRL/certificate endpoint, started and stopped inside
//! a test (or `hozon demo`), plus the committed test PKI they sign with.
//!
//! # Why OpenSSL's own TSA and OCSP responder
//!
//! A client tested only against a server written by the same people shares
//! their misreadings of the RFCs: both sides agree, and both are wrong. So
//! the answers here are not made by hozon code. Every time-stamp request is
//! handed to `openssl ts -reply` and every OCSP request to
//! `openssl ocsp -index …`, run as a child process per request; this crate
//! only moves bytes between HTTP and those commands. The few faults OpenSSL
//! cannot be told to commit (a reply for another imprint or nonce, a token
//! signed by a certificate without the timeStamping EKU, a rejection) are
//! made by feeding OpenSSL an altered query or by re-signing OpenSSL's own
//! TSTInfo with `openssl cms -sign`; only the outermost few DER bytes of a
//! `TimeStampResp` are assembled here (see [`TsaMode`]).
//!
//! # Why loopback only
//!
//! The keys of the test PKI are public. A server that signs time stamps or
//! revocation answers with them must never be reachable from another
//! machine, and tests must not depend on, or collide over, fixed ports.
//! Every server therefore binds `127.0.0.1:0` (an OS-chosen port on the IPv4
//! loopback address) and nothing else; in particular `openssl ocsp -port`,
//! which listens on all interfaces, is never used. Dropping a server stops
//! its threads and closes its listening socket before `drop` returns, so a
//! connection attempt afterwards is refused.
//!
//! # Threads and limits
//!
//! Each server is a small HTTP/1.1 server of this crate (a thread per
//! connection, keep-alive, Content-Length bodies); request bodies are capped
//! at [`MAX_BODY`] bytes and read completely. Nothing a client sends makes a
//! server panic: HTTP-level problems get a 4xx answer (400 malformed, 401,
//! 404, 405, 411, 413, 415). `requests()` counts every well-formed request,
//! whatever its path and outcome; bytes that are not HTTP are answered 400
//! and not counted.
//!
//! # HTTPS
//!
//! [`TsaServer::start_tls`] serves the TSA over TLS (OpenSSL through the
//! `openssl` crate), optionally requiring a client certificate as Japanese
//! commercial TSAs do; [`make_tls_material`] makes the certificates for it
//! at test time. See [`TlsConfig`]. A client refused in the TLS handshake
//! never makes an HTTP request: it is not counted by `requests()`.
//!
//! The `openssl` command is taken from `PATH`.
//!
//! # Object storage
//!
//! [`Seaweed`] runs a loopback SeaweedFS (`weed mini`), an S3 server that
//! enforces Object Lock, for the replica tests.
//!
//! # Example
//!
//! A loopback TSA signing with the test PKI, for a test of a time-stamp client:
//!
//! ```
//! use hozon_testkit::{Pki, TsaMode, TsaServer};
//!
//! # fn main() -> std::io::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let pki = Pki::copy_to(&dir.path().join("pki"))?; // a copy the test may alter
//! let tsa = TsaServer::start(&pki, TsaMode::Normal)?;
//! assert!(tsa.url().starts_with("http://127.0.0.1:"));
//! // ... point the client under test at tsa.url() ...
//! assert_eq!(tsa.requests(), 0);
//! drop(tsa); // stops the server; its port refuses connections from now on
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]
#![deny(unsafe_op_in_unsafe_fn)]

mod asn1;
mod child;
mod crl;
mod http;
mod ocsp;
mod seaweed;
mod tls;
mod tools;
mod tsa;

use std::fs;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};

pub use crl::CrlServer;
pub use ocsp::OcspServer;
pub use seaweed::{find_weed, s3_required, Seaweed, SEAWEED_ACCESS_KEY, SEAWEED_SECRET_KEY};
pub use tls::{make_tls_material, TlsConfig, TlsMaterial, TLS_CLIENT_PASSWORD};
pub use tools::{tool, tool_file, tools_required, which};
pub use tsa::{TsaMode, TsaServer, TSA_POLICY_OID};

/// Largest request body a server accepts (64 KiB); larger ones get 413.
pub const MAX_BODY: usize = 64 * 1024;

/// A directory holding the test PKI files under their `testdata/pki` names
/// (`root-ca.crt`, `signing-ca.crt`, `tsa.key`, `signing-ca.crl`, …).
///
/// The servers read what they need from here when they start (the CRL
/// server on every request), so tests can alter the copy without touching
/// the committed files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pki {
    /// The directory.
    pub dir: PathBuf,
}

impl Pki {
    /// The committed test PKI, `testdata/pki` of the source tree (found from
    /// this crate's `CARGO_MANIFEST_DIR` at build time).
    pub fn testdata_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pki")
    }

    /// Copies the committed test PKI ([`Pki::testdata_dir`]) into `dir`,
    /// creating it if needed, and returns a `Pki` for `dir`.
    ///
    /// Tests pass a fresh temporary directory (which they own and keep alive
    /// as long as the servers run). Files already present in `dir` are kept,
    /// not overwritten: `hozon demo` passes its own directory, already holding
    /// the same file names, and only missing files are filled in. When the
    /// source tree is not there (an installed binary), nothing is copied and
    /// `dir` is used as it is; a server that then misses a file fails to
    /// start with an error naming it.
    pub fn copy_to(dir: &Path) -> io::Result<Pki> {
        fs::create_dir_all(dir).map_err(|e| with_path(dir, e))?;
        let source = Self::testdata_dir();
        if source.is_dir() {
            for entry in fs::read_dir(&source).map_err(|e| with_path(&source, e))? {
                let entry = entry.map_err(|e| with_path(&source, e))?;
                if !entry.file_type()?.is_file() {
                    continue;
                }
                let target = dir.join(entry.file_name());
                if target.exists() {
                    continue;
                }
                fs::copy(entry.path(), &target).map_err(|e| with_path(&entry.path(), e))?;
            }
        }
        Ok(Pki {
            dir: dir.to_path_buf(),
        })
    }

    /// The path of the file `name` (for example `"root-ca.crt"`) in this PKI.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Reads the file `name`, with an error that names the path.
    pub(crate) fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        let path = self.path(name);
        fs::read(&path).map_err(|e| with_path(&path, e))
    }

    /// Fails, naming the path, unless every file of `names` exists.
    pub(crate) fn require(&self, names: &[&str]) -> io::Result<()> {
        for name in names {
            let path = self.path(name);
            if !path.is_file() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{}: test PKI file missing", path.display()),
                ));
            }
        }
        Ok(())
    }
}

/// A `http://127.0.0.1:PORT/` URL where nothing listens: a port is bound on
/// the loopback address and released again, so connecting is refused (unless
/// some other process takes the same port in between, which the kernel's
/// port allocation makes unlikely in a test's lifetime).
pub fn unreachable_url() -> String {
    match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).and_then(|l| l.local_addr()) {
        Ok(addr) => format!("http://127.0.0.1:{}/", addr.port()),
        // Port 9 (discard) on loopback: nothing listens there on test machines.
        Err(_) => "http://127.0.0.1:9/".to_string(),
    }
}

/// Adds the path to an I/O error's message.
pub(crate) fn with_path(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

/// The port the test certificates' CRL distribution points name
/// (`http://127.0.0.1:18080/crl/…`).
pub const CRL_PORT: u16 = 18080;
/// The port the test certificates' AIA OCSP entries name
/// (`http://127.0.0.1:18081/`).
pub const OCSP_PORT: u16 = 18081;

/// Held by every test that binds [`CRL_PORT`] or [`OCSP_PORT`] (or that
/// asserts nothing listens there), so that such tests never overlap: within
/// one test binary through a mutex, and across processes (two test binaries,
/// or two checkouts tested at once on one machine) through an exclusive
/// `flock` on `hozon-fixed-ports.lock` in the temporary directory.
pub fn fixed_ports() -> FixedPorts {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let path = std::env::temp_dir().join("hozon-fixed-ports.lock");
    // Without a lock file (read-only temp dir) the in-process mutex still
    // holds; the ports are then only shared with other processes by chance.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .and_then(|f| f.lock().map(|()| f))
        .ok();
    FixedPorts {
        _file: file,
        _guard: guard,
    }
}

/// The hold on the fixed test ports that [`fixed_ports`] returns; dropping
/// it releases them (the file lock first, then the mutex).
pub struct FixedPorts {
    _file: Option<std::fs::File>,
    _guard: std::sync::MutexGuard<'static, ()>,
}
