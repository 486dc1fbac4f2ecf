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
        "tsa: {} requests, {:?} openssl CPU; ocsp: {} requests; crl: {} requests",
        tsa.requests(),
        tsa.cpu_time(),
        ocsp.requests(),
        crl.requests()
    );
    Ok(())
}
