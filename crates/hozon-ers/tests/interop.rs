//! Interop: the tree rule recomputed by the `openssl` command and coreutils
//! (not our code), and the batch's token accepted by `openssl ts -verify`.

use std::path::Path;
use std::process::Command;

use hozon_cms::DigestAlgorithm;
use hozon_ers::asn1::EvidenceRecord;
use hozon_ers::EvidenceBatch;
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};

/// RFC 4998 §4.2 in shell: a node is the SHA-256 of its children's values
/// sorted in binary ascending order (hex sorts the same) and concatenated.
/// Values are files named by their hex. A lone node is carried up.
const TREE_SH: &str = r#"
set -eu
cd "$1"
node() {
  cat $(printf '%s\n' "$@" | LC_ALL=C sort) | openssl dgst -sha256 -binary > .tmp
  h=$(od -An -tx1 -v .tmp | tr -d ' \n')
  mv .tmp "$h"
  echo "$h"
}
leaf() {
  openssl dgst -sha256 -binary "$1" > .tmp
  h=$(od -An -tx1 -v .tmp | tr -d ' \n')
  mv .tmp "$h"
  echo "$h"
}
g0=$(node $(leaf doc0) $(leaf sig0))
g1=$(node $(leaf doc1) $(leaf sig1))
g2=$(node $(leaf doc2) $(leaf sig2))
n01=$(node "$g0" "$g1")
node "$n01" "$g2"
"#;

#[test]
fn a_three_record_root_matches_openssl_dgst_over_the_sorted_concatenations() {
    let dir = tempfile::tempdir().unwrap();
    let mut groups = Vec::new();
    for i in 0..3 {
        let doc = format!("clinical document {i}\n").repeat(i + 1);
        let sig = format!("signature {i}");
        std::fs::write(dir.path().join(format!("doc{i}")), &doc).unwrap();
        std::fs::write(dir.path().join(format!("sig{i}")), &sig).unwrap();
        groups.push(vec![
            DigestAlgorithm::Sha256.digest(doc.as_bytes()).unwrap(),
            DigestAlgorithm::Sha256.digest(sig.as_bytes()).unwrap(),
        ]);
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(TREE_SH)
        .arg("sh")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups).unwrap();
    assert_eq!(hex::encode(batch.root()), expected);
}

#[test]
fn openssl_ts_verify_accepts_the_token_over_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::copy_to(&dir.path().join("pki")).unwrap();
    let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
    let groups: Vec<Vec<Vec<u8>>> = (0..5u8)
        .map(|i| vec![DigestAlgorithm::Sha256.digest(&[i]).unwrap()])
        .collect();
    let batch = EvidenceBatch::build(DigestAlgorithm::Sha256, &groups).unwrap();
    let root = hex::encode(batch.root());
    let client = TsaClient::new(TsaConfig::new(vec![tsa.url()])).unwrap();
    let token = client
        .stamp_digest(batch.root())
        .unwrap()
        .token
        .der()
        .to_vec();
    let stamped = batch.finish(&token).unwrap();
    // The token as extracted from a written record, not the one we sent.
    let er = EvidenceRecord::parse(&stamped.record_der(3).unwrap()).unwrap();
    let tst = er.archive_time_stamp_sequence[0][0]
        .time_stamp_der()
        .unwrap();
    let tst_path = dir.path().join("token.tst");
    std::fs::write(&tst_path, &tst).unwrap();
    let verify = |digest: &str, path: &Path| {
        Command::new("openssl")
            .args(["ts", "-verify", "-token_in", "-digest", digest, "-in"])
            .arg(path)
            .arg("-CAfile")
            .arg(pki.path("root-ca.crt"))
            .arg("-untrusted")
            .arg(pki.path("tsa.crt"))
            .output()
            .unwrap()
    };
    let ok = verify(&root, &tst_path);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // And refuses another digest.
    let other = verify(&"00".repeat(32), &tst_path);
    assert!(!other.status.success());
}
