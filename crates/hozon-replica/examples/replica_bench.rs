//! The Rust side of bench/replicate.sh: `ensure`s every file of a directory
//! (or one file) on an S3 replica with PARALLEL uploads in flight, and
//! prints the count, the wall time and objects/s.
//!
//! ```text
//! replica_bench ENDPOINT BUCKET PREFIX PATH PARALLEL RETAIN_UNTIL_UNIX
//! ```
//! Credentials come from the environment (AWS conventions).

use std::path::PathBuf;
use std::time::Instant;

use hozon_replica::{
    ensure_all, Ensured, Item, Replica, Retention, RetentionMode, S3Config, S3Credentials,
    S3Replica, Sha256,
};

fn main() {
    if let Err(e) = run() {
        eprintln!("replica_bench: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, bucket, prefix, path, parallel, until] = args.as_slice() else {
        return Err(
            "usage: replica_bench ENDPOINT BUCKET PREFIX PATH PARALLEL RETAIN_UNTIL".into(),
        );
    };
    let replica = S3Replica::new(
        S3Config {
            endpoint: endpoint.clone(),
            region: "us-east-1".into(),
            bucket: bucket.clone(),
            prefix: prefix.clone(),
            path_style: true,
        },
        S3Credentials::from_environment()?,
    )?;
    replica.check()?;
    let retention = Retention::new(
        RetentionMode::Compliance,
        time::OffsetDateTime::from_unix_timestamp(until.parse()?)?,
    );
    let path = PathBuf::from(path);
    let mut files: Vec<PathBuf> = if path.is_dir() {
        std::fs::read_dir(&path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?
    } else {
        vec![path]
    };
    files.sort();
    let start = Instant::now();
    // The caller (the archive) knows every digest from its catalog; here
    // they are computed first, outside the timed replication.
    let items = files
        .into_iter()
        .map(|local| {
            let key = local
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or("file name is not UTF-8")?
                .to_string();
            Ok(Item {
                key,
                sha256: Sha256::of_file(&local)?,
                local,
                retention,
            })
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let hashed = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let results = ensure_all(&replica, &items, parallel.parse()?, &|_, _| {});
    let seconds = start.elapsed().as_secs_f64();
    let mut uploaded = 0;
    let mut present = 0;
    for (item, result) in items.iter().zip(&results) {
        match result {
            Ok(Ensured::Uploaded(_)) => uploaded += 1,
            Ok(Ensured::Present(_)) => present += 1,
            Err(e) => return Err(format!("{}: {e}", item.local.display()).into()),
        }
    }
    println!("hash s {hashed:.3}");
    println!("objects {}", items.len());
    println!("uploaded {uploaded}");
    println!("present {present}");
    println!("seconds {seconds:.3}");
    println!("objects/s {:.1}", items.len() as f64 / seconds);
    Ok(())
}
