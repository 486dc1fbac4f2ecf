//! Replicates every file of a directory (sorted, sequentially) with
//! `ensure`, printing `uploaded KEY` or `present KEY` after each: the
//! process the replica tests kill with SIGKILL in the middle of a batch.
//!
//! ```text
//! replica_batch dir REPLICA_DIR FILES_DIR RETAIN_UNTIL_UNIX
//! replica_batch s3 ENDPOINT BUCKET PREFIX FILES_DIR RETAIN_UNTIL_UNIX
//! ```
//! S3 credentials come from the environment (AWS conventions), never argv.

use std::io::Write;
use std::path::PathBuf;

use hozon_replica::{
    DirReplica, Ensured, Replica, Retention, RetentionMode, S3Config, S3Credentials, S3Replica,
    Sha256,
};

fn main() {
    if let Err(e) = run() {
        eprintln!("replica_batch: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (replica, files, until): (Box<dyn Replica>, &str, &str) =
        match args.as_slice() {
            [kind, root, files, until] if kind == "dir" => {
                (Box::new(DirReplica::new(root)), files, until)
            }
            [kind, endpoint, bucket, prefix, files, until] if kind == "s3" => {
                let config = S3Config {
                    endpoint: endpoint.clone(),
                    region: "us-east-1".into(),
                    bucket: bucket.clone(),
                    prefix: prefix.clone(),
                    path_style: true,
                };
                (
                    Box::new(S3Replica::new(config, S3Credentials::from_environment()?)?),
                    files,
                    until,
                )
            }
            _ => return Err(
                "usage: replica_batch dir ROOT FILES UNTIL | s3 ENDPOINT BUCKET PREFIX FILES UNTIL"
                    .into(),
            ),
        };
    let retention = Retention::new(
        RetentionMode::Compliance,
        time::OffsetDateTime::from_unix_timestamp(until.parse()?)?,
    );
    replica.check()?;
    let mut names: Vec<PathBuf> = std::fs::read_dir(files)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    names.sort();
    let mut out = std::io::stdout().lock();
    for path in names {
        let key = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("file name is not UTF-8")?
            .to_string();
        let sha = Sha256::of_file(&path)?;
        match replica.ensure(&key, &path, &sha, &retention)? {
            Ensured::Uploaded(_) => writeln!(out, "uploaded {key}")?,
            Ensured::Present(_) => writeln!(out, "present {key}")?,
        }
        out.flush()?;
    }
    Ok(())
}
