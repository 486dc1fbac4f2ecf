//! Linearized PDFs (ISO 32000-1 Annex F), as img2pdf writes scans: the
//! first-page cross-reference section names the main section, later in the
//! file, as `/Prev`; the two together are the first revision, which a
//! signature is appended to like any other. Anything else with a later
//! `/Prev` is refused.

use hozon_pades::Pdf;

/// A one-page linearized PDF: the linearization dictionary (object 1), the
/// first-page section (objects 1-4) with `/Prev` naming the main section
/// (object 5, the document information, and `also` extra entries), after
/// the objects. Without `linearized`, object 1 is an ordinary dictionary.
fn linearized(linearized: bool, also: &[u32]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![out.len()];
    let first = if linearized {
        "<< /Linearized 1 >>"
    } else {
        "<< /Ordinary 1 >>"
    };
    out.extend_from_slice(format!("1 0 obj\n{first}\nendobj\n").as_bytes());
    let first_page = out.len();
    // The first-page section, its /Prev padded to be filled in later.
    let section_len = "xref\n1 4\n".len() + 4 * 20;
    let trailer_at = first_page + section_len;
    let prev_placeholder = "/Prev 0000000000";
    let objects = [
        "<< /Type /Catalog /Pages 3 0 R >>",
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] >>",
    ];
    let trailer = format!(
        "trailer\n<< /Size 6 /Root 2 0 R /Info 5 0 R {prev_placeholder} >>\nstartxref\n0\n%%EOF\n"
    );
    let mut at = trailer_at + trailer.len();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(at);
        at += format!("{} 0 obj\n{o}\nendobj\n", i + 2).len();
    }
    out.extend_from_slice(b"xref\n1 4\n");
    for off in &offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    assert_eq!(out.len(), trailer_at);
    let prev_at = out.len() + trailer.find(prev_placeholder).unwrap() + "/Prev ".len();
    out.extend_from_slice(trailer.as_bytes());
    for (i, o) in objects.iter().enumerate() {
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 2).as_bytes());
    }
    let info = out.len();
    out.extend_from_slice(b"5 0 obj\n<< /Producer (test) >>\nendobj\n");
    let main = out.len();
    out.extend_from_slice(b"xref\n0 1\n0000000000 65535 f\r\n5 1\n");
    out.extend_from_slice(format!("{info:010} 00000 n\r\n").as_bytes());
    for n in also {
        out.extend_from_slice(format!("{n} 1\n{:010} 00000 n\r\n", offsets[0]).as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 6 >>\nstartxref\n{first_page}\n%%EOF\n").as_bytes(),
    );
    out[prev_at..prev_at + 10].copy_from_slice(format!("{main:010}").as_bytes());
    out
}

#[test]
fn a_linearized_file_is_one_revision() {
    let bytes = linearized(true, &[]);
    let pdf = Pdf::parse(bytes.clone()).expect("a linearized file reads");
    assert_eq!(pdf.revisions.len(), 1);
    let rev = &pdf.revisions[0];
    assert_eq!(rev.end, bytes.len());
    assert_eq!(
        rev.entries.keys().copied().collect::<Vec<_>>(),
        [0, 1, 2, 3, 4, 5]
    );
    assert!(hozon_pades::prepare::page(&pdf, 0).is_ok());
}

#[test]
fn an_object_in_both_sections_is_refused() {
    let err = Pdf::parse(linearized(true, &[1]))
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("object 1 is in both"), "{err}");
}

#[test]
fn a_later_prev_without_linearization_is_refused() {
    let err = Pdf::parse(linearized(false, &[]))
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("/Prev does not point to an earlier cross-reference section"),
        "{err}"
    );
}
