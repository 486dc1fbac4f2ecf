//! Benchmark for `bench/ers.sh`: evidence records for N synthetic archive
//! records (document + signature hash each) with one loopback TSA request,
//! every record written durably to a directory. Prints CPU seconds (user +
//! system of this process, from /proc/self/stat) per phase.
//!
//! Usage: ers_bench N OUT_DIR [WRITE_N]   (writes the first WRITE_N records,
//! default N; 0 builds only)

use std::path::Path;
use std::time::Instant;

use hozon_cms::DigestAlgorithm;
use hozon_ers::EvidenceBatch;
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};
use rayon::prelude::*;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(") ").map_or("", |(_, s)| s);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 here.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).map_or(Ok(1_000_000), |a| a.parse())?;
    let out = Path::new(args.get(2).ok_or("usage: ers_bench N OUT_DIR")?);
    let write_n: usize = args.get(3).map_or(Ok(n), |a| a.parse())?.min(n);
    std::fs::create_dir_all(out)?;
    let pki_dir = tempfile::tempdir()?;
    let pki = Pki::copy_to(pki_dir.path())?;
    let tsa = TsaServer::start(&pki, TsaMode::Normal)?;
    let client = TsaClient::new(TsaConfig::new(vec![tsa.url()]))?;

    // Synthetic hashes (not timed: the archive has them from signing).
    let groups: Vec<[[u8; 32]; 2]> = (0..n as u64)
        .into_par_iter()
        .map(|i| {
            let doc = openssl::sha::sha256(&i.to_le_bytes());
            let sig = openssl::sha::sha256(&doc);
            [doc, sig]
        })
        .collect();

    let cpu0 = cpu_seconds();
    let wall0 = Instant::now();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups)?;
    let cpu_tree = cpu_seconds() - cpu0;
    let stamp = client.stamp_digest(batch.root())?;
    let stamped = batch.finish(stamp.token.der())?;
    let cpu1 = cpu_seconds();
    let total_bytes: usize = (0..n)
        .into_par_iter()
        .map_init(
            || (hozon_ers::tree::Reduced::default(), Vec::new()),
            |(reduced, buf), i| {
                stamped
                    .record_der_into(i, reduced, buf)
                    .map(|_| buf.len())
                    .unwrap_or(0)
            },
        )
        .sum();
    let cpu_records = cpu_seconds() - cpu1;
    let wall_build = wall0.elapsed().as_secs_f64();

    let cpu2 = cpu_seconds();
    let wall2 = Instant::now();
    let writer = hozon_io::BatchWriter::new(256);
    let failures: usize = (0..write_n)
        .into_par_iter()
        .map_init(
            || (hozon_ers::tree::Reduced::default(), Vec::new()),
            |(reduced, buf), i| {
                let path = out.join(format!("{i:07}.ers"));
                let ok = stamped.record_der_into(i, reduced, buf).is_ok()
                    && writer
                        .write(&path, buf, hozon_io::Overwrite::Replace)
                        .is_ok();
                usize::from(!ok)
            },
        )
        .sum();
    let failures = failures + writer.finish().len();
    let cpu_write = cpu_seconds() - cpu2;
    let wall_write = wall2.elapsed().as_secs_f64();

    println!("records            {n}");
    println!(
        "record bytes       {total_bytes} ({} per record)",
        total_bytes / n.max(1)
    );
    println!("tree cpu s         {cpu_tree:.2}");
    println!("records cpu s      {cpu_records:.2}");
    println!("tree+records cpu s {:.2}", cpu_tree + cpu_records);
    println!("tree+records wall  {wall_build:.2}");
    println!("write cpu s        {cpu_write:.2} (build again + durable write)");
    println!("write wall s       {wall_write:.2}");
    println!("files written      {write_n}");
    println!(
        "files/s            {:.0}",
        write_n as f64 / wall_write.max(1e-9)
    );
    println!("write failures     {failures}");
    println!("total_bytes        {total_bytes}");
    Ok(())
}
