//! Runs the three loopback servers on a copy of the test PKI until Enter is
//! pressed (for trying clients by hand: `cargo run -p hozon-testkit
//! --example serve`).

use std::io::BufRead;

use hozon_testkit::{CrlServer, OcspServer, Pki, TsaMode, TsaServer};

fn main() -> std::io::Result<()> {
    let tmp = tempfile::tempdir()?;
    let pki = Pki::copy_to(&tmp.path().join("pki"))?;
    let tsa = TsaServer::start(&pki, TsaMode::Normal)?;
    let ocsp = OcspServer::start(&pki)?;
    let crl = CrlServer::start(&pki)?;
    println!("pki  {}", pki.dir.display());
    println!("tsa  {}", tsa.url());
    println!("ocsp {}", ocsp.url());
    println!("crl  {}/crl/signing-ca.crl", crl.url());
    println!("press Enter to stop");
    let _ = std::io::stdin().lock().lines().next();
    println!(
        "tsa: {} requests, {:?} openssl CPU, {:?} server CPU; ocsp: {} requests; crl: {} requests",
        tsa.requests(),
        tsa.cpu_time(),
        own_cpu(),
        ocsp.requests(),
        crl.requests()
    );
    Ok(())
}

/// This process's own CPU time (its threads, not its children): the HTTP
/// side of the servers, and starting and reaping each `openssl` process.
fn own_cpu() -> std::time::Duration {
    // SAFETY: rusage is plain old data; all-zero is a valid value, and
    // getrusage only writes to it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a rusage for the call's duration.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return std::time::Duration::ZERO;
    }
    let time = |t: libc::timeval| {
        std::time::Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + std::time::Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}
