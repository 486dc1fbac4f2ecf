//! A loopback SeaweedFS (`weed mini`) for the replica tests: an S3 server
//! that really enforces Object Lock (shared/notes/object-storage.md).
//!
//! Every instance binds 127.0.0.1 only, on ports chosen free for it (it
//! opens about eleven: master, volume, filer, S3, WebDAV, admin, each with
//! its gRPC port), keeps its data in its own temporary directory, takes its
//! S3 credentials from its environment, and is killed and removed on drop.
//! Its filer port has no authentication and could delete locked versions:
//! the lock holds at the S3 API only, which is what the tests exercise.
//!
//! Where `weed` comes from: `HOZON_WEED` (scripts/test sets it to the
//! hash-pinned install of scripts/setup), else `weed` on `PATH`, else the
//! default install place of scripts/setup. Without one, [`Seaweed::start`]
//! returns `Ok(None)` and tests skip with a printed reason, unless
//! `HOZON_REQUIRE_S3` is set (as in CI), where it is an error.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Access key id of the loopback server (public test value).
pub const SEAWEED_ACCESS_KEY: &str = "hozon-test-access";
/// Secret key of the loopback server (public test value; loopback only).
pub const SEAWEED_SECRET_KEY: &str = "hozon-test-secret-key";

/// A running loopback SeaweedFS.
pub struct Seaweed {
    child: Child,
    s3_port: u16,
    dir: tempfile::TempDir,
}

impl std::fmt::Debug for Seaweed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seaweed")
            .field("endpoint", &self.endpoint())
            .field("dir", &self.dir.path())
            .finish()
    }
}

/// Where the `weed` binary is, if anywhere.
pub fn find_weed() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("HOZON_WEED").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("weed");
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let home = std::env::var_os("HOZON_TOOLS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/hozon-tools")))?;
    let candidate = home.join("seaweedfs-4.48/bin/weed");
    candidate.is_file().then_some(candidate)
}

/// Whether the tests must not skip without a server (`HOZON_REQUIRE_S3`).
pub fn s3_required() -> bool {
    std::env::var_os("HOZON_REQUIRE_S3").is_some_and(|v| !v.is_empty() && v != "0")
}

impl Seaweed {
    /// Starts a server and waits until its S3 API answers. `Ok(None)` (and
    /// a line on standard error) when no `weed` is installed and
    /// `HOZON_REQUIRE_S3` is not set.
    pub fn start() -> io::Result<Option<Seaweed>> {
        let Some(weed) = find_weed() else {
            if s3_required() {
                return Err(io::Error::other(
                    "HOZON_REQUIRE_S3 is set but no `weed` was found (HOZON_WEED, PATH, ~/.cache/hozon-tools): run scripts/setup",
                ));
            }
            eprintln!("skipped: no SeaweedFS `weed` binary (run scripts/setup, or set HOZON_WEED)");
            return Ok(None);
        };
        // Ports are found free and released just before the start; another
        // process can take one in between, so a failed start is retried.
        let mut last = None;
        for _ in 0..3 {
            match Seaweed::try_start(&weed) {
                Ok(server) => return Ok(Some(server)),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("weed did not start")))
    }

    fn try_start(weed: &Path) -> io::Result<Seaweed> {
        let dir = tempfile::Builder::new().prefix("hozon-seaweed").tempdir()?;
        let listeners = (0..12)
            .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
            .collect::<io::Result<Vec<_>>>()?;
        let ports = listeners
            .iter()
            .map(|l| l.local_addr().map(|a| a.port()))
            .collect::<io::Result<Vec<_>>>()?;
        drop(listeners);
        let data = dir.path();
        let flag = |name: &str, i: usize| format!("-{name}={}", ports[i]);
        let log = std::fs::File::create(data.join("weed.log"))?;
        let mut command = Command::new(weed);
        command
            .arg("mini")
            .arg(format!("-dir={}", data.join("data").display()))
            .args([
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                "-admin.ui=false",
                "-master.telemetry=false",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
            ])
            .arg(format!(
                "-s3.localSocket={}",
                data.join("s3.sock").display()
            ))
            .arg(format!(
                "-filer.localSocket={}",
                data.join("filer.sock").display()
            ))
            .arg(flag("master.port", 0))
            .arg(flag("master.port.grpc", 1))
            .arg(flag("volume.port", 2))
            .arg(flag("volume.port.grpc", 3))
            .arg(flag("filer.port", 4))
            .arg(flag("filer.port.grpc", 5))
            .arg(flag("s3.port", 6))
            .arg(flag("s3.port.grpc", 7))
            .arg(flag("webdav.port", 8))
            .arg(flag("admin.port", 9))
            .arg(flag("admin.port.grpc", 10))
            .arg(flag("debug.port", 11))
            .current_dir(data)
            .env("AWS_ACCESS_KEY_ID", SEAWEED_ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", SEAWEED_SECRET_KEY)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        std::fs::create_dir_all(data.join("data"))?;
        let child = command
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot run {}: {e}", weed.display())))?;
        let mut server = Seaweed {
            child,
            s3_port: ports[6],
            dir,
        };
        server.wait_ready(Duration::from_secs(60))?;
        Ok(server)
    }

    fn wait_ready(&mut self, limit: Duration) -> io::Result<()> {
        let start = Instant::now();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.s3_port));
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!(
                    "weed mini exited ({status}) before S3 answered: {}",
                    self.log_tail()
                )));
            }
            if http_status(addr).is_some() {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err(io::Error::other(format!(
                    "weed mini's S3 did not answer on {addr} within {limit:?}: {}",
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The S3 endpoint URL (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.s3_port)
    }

    /// The S3 port.
    pub fn s3_port(&self) -> u16 {
        self.s3_port
    }

    /// The last lines of the server's log (for failure messages).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("weed.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// The status code of `GET /` at `addr`, if something answers HTTP there.
fn http_status(addr: SocketAddr) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    let text = std::str::from_utf8(&head).ok()?;
    text.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: signalling our own child process by its id.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
