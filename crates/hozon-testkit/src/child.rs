//! Running `openssl` as a child process and measuring its CPU time.
//!
//! The child is reaped with `wait4(2)`, which returns that one child's
//! resource usage; `getrusage(RUSAGE_CHILDREN)` would mix in every other
//! child of the test process (other servers, other tests' commands).

use std::ffi::OsStr;
use std::io::{self, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

/// How an `openssl` run ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// True if it exited with status 0.
    pub success: bool,
    /// What it printed on standard error (for error messages).
    pub stderr: Vec<u8>,
    /// User plus system CPU time of the child.
    pub cpu: Duration,
}

impl Outcome {
    /// The last non-empty line of standard error, for a short message.
    pub fn last_error_line(&self) -> String {
        String::from_utf8_lossy(&self.stderr)
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(no message)")
            .to_string()
    }
}

/// Runs `openssl ARGS…` with the extra environment `envs`, standard input
/// closed and standard output discarded, and waits for it.
pub(crate) fn openssl<I, S>(args: I, envs: &[(&str, &OsStr)]) -> io::Result<Outcome>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut command = Command::new("openssl");
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (key, value) in envs {
        command.env(key, value);
    }
    let mut child = command
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run openssl: {e}")))?;
    let mut stderr = Vec::new();
    if let Some(mut pipe) = child.stderr.take() {
        // Reads until the child closes its end, normally when it exits.
        let _ = pipe.read_to_end(&mut stderr);
    }
    let pid = libc::pid_t::try_from(child.id())
        .map_err(|_| io::Error::other("child process id out of range"))?;
    let (status, usage) = wait4(pid)?;
    // `child` is dropped without `wait`: wait4 has reaped it already.
    let success = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok(Outcome {
        success,
        stderr,
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
    })
}

/// Fails with a clear message unless `openssl version` runs, so that a
/// missing `openssl` shows when a server starts, not as HTTP 500 later.
pub(crate) fn check_openssl() -> io::Result<()> {
    let outcome = openssl(["version"], &[])?;
    if outcome.success {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "openssl version failed: {}",
            outcome.last_error_line()
        )))
    }
}

fn wait4(pid: libc::pid_t) -> io::Result<(libc::c_int, libc::rusage)> {
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: both pointers point to live, writable locals of the right
        // types; `pid` is our own unreaped child.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            return Ok((status, usage));
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

fn timeval(tv: libc::timeval) -> Duration {
    let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
    let micros = u32::try_from(tv.tv_usec).unwrap_or(0).min(999_999);
    Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
}
