//! Signing a large PDF in constant memory (issue 19: peak RSS ≤ 64 MiB,
//! like the CAdES path): a one-page PDF whose page is one 96 MiB image (a
//! sparse file, so the test is quick), larger than what `Pdf::open` reads
//! whole, is signed at B-B by `hozon sign --format pades` in a child whose
//! peak RSS is measured as tests/e2e/large_file.rs measures it. The 500 MiB
//! figure of docs/performance.md is the same run by hand with a larger
//! `IMAGE_BYTES`.

use std::io::{Seek, SeekFrom, Write};

use crate::large_file::run_measured;
use crate::util::{Env, CHAIN, CRLS, TRUST};

/// Peak RSS allowed for signing.
const MAX_RSS_KIB: i64 = 64 * 1024;
/// The image: 8192 × 12288 grey pixels, 96 MiB.
const WIDTH: usize = 8192;
const HEIGHT: usize = 12288;
const IMAGE_BYTES: usize = WIDTH * HEIGHT;

/// Writes a one-page PDF showing a `WIDTH` × `HEIGHT` grey image whose
/// data is a hole in the file (zeros, black), with a classic
/// cross-reference table.
fn write_large_pdf(env: &Env, rel: &str) {
    let mut f = std::fs::File::create(env.path(rel)).unwrap();
    let mut offsets = Vec::new();
    let mut at = 0usize;
    let put = |f: &mut std::fs::File, at: &mut usize, bytes: &[u8]| {
        f.write_all(bytes).unwrap();
        *at += bytes.len();
    };
    put(&mut f, &mut at, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
    let content = b"q 595 0 0 842 0 0 cm /Im0 Do Q";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{}\nendstream",
            content.len(),
            String::from_utf8_lossy(content)
        ),
    ];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(at);
        put(
            &mut f,
            &mut at,
            format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes(),
        );
    }
    offsets.push(at);
    put(
        &mut f,
        &mut at,
        format!(
            "5 0 obj\n<< /Type /XObject /Subtype /Image /Width {WIDTH} /Height {HEIGHT} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Length {IMAGE_BYTES} >>\nstream\n"
        )
        .as_bytes(),
    );
    at += IMAGE_BYTES;
    f.set_len(at as u64).unwrap();
    f.seek(SeekFrom::End(0)).unwrap();
    put(&mut f, &mut at, b"\nendstream\nendobj\n");
    let xref = at;
    let mut table = String::from("xref\n0 6\n0000000000 65535 f\r\n");
    for off in &offsets {
        table.push_str(&format!("{off:010} 00000 n\r\n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ));
    put(&mut f, &mut at, table.as_bytes());
}

#[test]
fn a_large_pdf_is_signed_in_constant_memory() {
    let env = Env::new();
    write_large_pdf(&env, "big.pdf");
    let len = std::fs::metadata(env.path("big.pdf")).unwrap().len();
    assert!(len > 96 << 20, "{len}");
    let (code, out, err, rss) = run_measured(
        &env,
        &[
            "sign",
            "--format",
            "pades",
            "big.pdf",
            "--key",
            "pki/signer-doctor.key",
            "--cert",
            "pki/signer-doctor.crt",
            "--chain",
            CHAIN,
            "--trust",
            TRUST,
            "--crl",
            CRLS,
            "--offline",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(rss > 0, "no rusage");
    assert!(
        rss < MAX_RSS_KIB,
        "hozon sign --format pades peaked at {rss} KiB for a {len}-byte PDF"
    );
    let signed = std::fs::metadata(env.path("big.pdf")).unwrap().len();
    assert!(signed > len, "nothing appended");
    let v = env.verify_crl(&["big.pdf"]);
    let s = v.expect(0, "big.pdf", "TOTAL_PASSED", None);
    assert_eq!(s.level.as_deref(), Some("B-B"), "{}", v.stdout);
    assert_eq!(v.json["signatures"][0]["covers_whole_document"], true);
}
