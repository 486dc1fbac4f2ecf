//! Writing a BagIt bag (RFC 8493, BagIt version 1.0) around a payload
//! already copied under `BAG/data/`: `bagit.txt` (§2.1.1), the payload
//! manifest `manifest-sha256.txt` (§2.1.3), `bag-info.txt` (§2.2.2) with
//! `Bagging-Date`, `Payload-Oxum` and `Bag-Software-Agent`, and the tag
//! manifest `tagmanifest-sha256.txt` (§2.2.1) over the other tag files.

use std::fmt::Write as _;
use std::path::Path;

/// `bagit.txt`: the bag declaration (§2.1.1).
pub const DECLARATION: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// One payload file: its path relative to the bag (`data/...`, `/`
/// separated), SHA-256 (hex) and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayloadFile {
    /// `data/...`.
    pub path: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// A file path as a manifest line writes it (§2.1.3): `%` as `%25`, CR
/// as `%0D`, LF as `%0A`; nothing else is encoded.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A manifest: one `CHECKSUM FILEPATH` line per file (§2.1.3), sorted by
/// path.
pub fn manifest(files: &[PayloadFile]) -> String {
    let mut sorted: Vec<&PayloadFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = String::new();
    for f in sorted {
        let _ = writeln!(out, "{}  {}", f.sha256, encode_path(&f.path));
    }
    out
}

/// `bag-info.txt` (§2.2.2): the reserved metadata elements this bag has.
/// `description` must be a single line.
pub fn bag_info(files: &[PayloadFile], bagging_date: &str, description: &str) -> String {
    let octets: u64 = files.iter().map(|f| f.size).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Bag-Software-Agent: hozon {}",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(out, "Bagging-Date: {bagging_date}");
    let _ = writeln!(out, "Payload-Oxum: {octets}.{}", files.len());
    let _ = writeln!(
        out,
        "External-Description: {}",
        description.replace(['\r', '\n'], " ")
    );
    out
}

/// Writes the tag files into `bag` for the payload `files` (already under
/// `bag/data/`): `bagit.txt`, `manifest-sha256.txt`, `bag-info.txt`, then
/// `tagmanifest-sha256.txt` over those three.
pub fn write_tag_files(
    bag: &Path,
    files: &[PayloadFile],
    bagging_date: &str,
    description: &str,
) -> std::io::Result<()> {
    let tags = [
        ("bagit.txt", DECLARATION.to_string()),
        ("manifest-sha256.txt", manifest(files)),
        ("bag-info.txt", bag_info(files, bagging_date, description)),
    ];
    let mut tag_files = Vec::new();
    for (name, text) in &tags {
        std::fs::write(bag.join(name), text.as_bytes())?;
        tag_files.push(PayloadFile {
            path: (*name).to_string(),
            sha256: crate::sha256_hex(text.as_bytes()),
            size: text.len() as u64,
        });
    }
    std::fs::write(bag.join("tagmanifest-sha256.txt"), manifest(&tag_files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_encode_percent_cr_and_lf_only() {
        assert_eq!(
            encode_path("data/a%b\nc\rd é.pdf"),
            "data/a%25b%0Ac%0Dd é.pdf"
        );
        let m = manifest(&[
            PayloadFile {
                path: "data/b".into(),
                sha256: "bb".into(),
                size: 2,
            },
            PayloadFile {
                path: "data/a".into(),
                sha256: "aa".into(),
                size: 1,
            },
        ]);
        assert_eq!(m, "aa  data/a\nbb  data/b\n");
    }

    #[test]
    fn bag_info_has_the_payload_oxum() {
        let files = [
            PayloadFile {
                path: "data/a".into(),
                sha256: "aa".into(),
                size: 10,
            },
            PayloadFile {
                path: "data/b".into(),
                sha256: "bb".into(),
                size: 5,
            },
        ];
        let info = bag_info(&files, "2026-12-07", "two\nlines");
        assert!(info.contains("Payload-Oxum: 15.2\n"), "{info}");
        assert!(info.contains("Bagging-Date: 2026-12-07\n"), "{info}");
        assert!(info.contains("External-Description: two lines\n"), "{info}");
    }
}
