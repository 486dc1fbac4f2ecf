//! Signing PDFs as incremental updates: the original bytes stay the prefix,
//! the new revision is read back exactly by our own parser, the byte range
//! leaves out exactly `/Contents`, the CMS follows EN 319 142-1 §6.3, and
//! every change the signing (and a DSS) made is one PAdES permits.

use std::path::PathBuf;
use std::sync::Arc;

use hozon_cms::asn1::der::Encode;
use hozon_cms::oid::{ID_AA_SIGNING_CERTIFICATE_V_2, ID_MESSAGE_DIGEST, ID_SIGNING_TIME};
use hozon_cms::{DigestAlgorithm, SignatureFile, UnixTime};
use hozon_pades::lexer::Object;
use hozon_pades::prepare::{prepare, FieldRequest, Original};
use hozon_pades::signature::{self, Kind};
use hozon_pades::{diff, dss_update, sign_pdf, Error, Pdf, SignatureEvidence};
use hozon_sign::{AlgorithmChoice, CadesSigner, SecretSource, SoftwareSigner};

fn pki(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/pki")
        .join(name)
}

fn signer(key: &str, cert: &str) -> CadesSigner {
    let s = SoftwareSigner::from_pem_files(
        &pki(key),
        &pki(cert),
        Some(&pki("signing-ca.crt")),
        &SecretSource::Env("HOZON_TEST_NO_PASSWORD".into()),
        AlgorithmChoice::default(),
    )
    .expect("signer");
    CadesSigner::new(Arc::new(s)).expect("cades signer")
}

/// A one-page PDF; with `xref_stream`, its cross-reference section is an
/// uncompressed stream, and `extra` is put in the trailer.
fn pdf(xref_stream: bool, extra: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        "<< /Length 33 >>\nstream\nBT /F1 12 Tf 72 712 Td (Hi) Tj ET\nendstream",
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    if xref_stream {
        offsets.push(xref);
        let mut data = vec![0u8, 0, 0, 0, 0, 0xff, 0xff];
        for off in &offsets {
            data.push(1);
            data.extend_from_slice(&(*off as u32).to_be_bytes());
            data.extend_from_slice(&[0, 0]);
        }
        out.extend_from_slice(
            format!(
                "5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R {extra} /Length {} >>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    } else {
        out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f\r\n");
        for off in &offsets {
            out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(format!("trailer\n<< /Size 5 /Root 1 0 R {extra} >>\n").as_bytes());
    }
    out.extend_from_slice(format!("startxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

/// `bytes` signed by `cades` (B-B): the original followed by the update.
fn signed_by(bytes: &[u8], cades: &CadesSigner) -> Vec<u8> {
    let pdf = Pdf::parse(bytes.to_vec()).expect("pdf");
    let update = sign_pdf(&pdf, Original::Bytes(bytes), cades, None, time()).expect("signed");
    [bytes, &update[..]].concat()
}

fn time() -> UnixTime {
    UnixTime::parse_rfc3339("2026-12-01T09:00:00Z").expect("time")
}

/// Checks a signed PDF: one more revision, the original its prefix, a
/// sound byte range, and nothing disallowed after the signed revision.
fn check_signed(original: &[u8], signed: &[u8]) -> Pdf {
    assert!(signed.starts_with(original), "the original is the prefix");
    let before = Pdf::parse(original.to_vec()).expect("original");
    let pdf = Pdf::parse(signed.to_vec()).expect("the signed PDF reads back exactly");
    assert_eq!(pdf.revisions.len(), before.revisions.len() + 1);
    let last = pdf.revisions.len() - 1;
    assert_eq!(
        pdf.revisions[last].xref_stream,
        before.revisions[before.revisions.len() - 1].xref_stream,
        "the update's cross-reference section is of the original's kind"
    );
    let sigs = signature::find(&pdf).expect("signatures");
    let sig = sigs.last().expect("a signature");
    assert!(sig.problems.is_empty(), "{:?}", sig.problems);
    assert_eq!(sig.revision, Some(last));
    pdf
}

#[test]
fn signing_appends_one_revision_and_keeps_the_original_bytes() {
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    for xref_stream in [false, true] {
        let original = pdf(xref_stream, "");
        let signed = signed_by(&original, &cades);
        let pdf = check_signed(&original, &signed);
        let sig = &signature::find(&pdf).expect("signatures")[0];
        assert_eq!(sig.kind, Kind::Signature);
        assert_eq!(sig.sub_filter, "ETSI.CAdES.detached");
        assert_eq!(sig.m.as_deref(), Some("D:20261201090000Z"));
        assert_eq!(sig.ranges[0].0, 0);
        let end = sig.ranges[1].0 + sig.ranges[1].1;
        assert_eq!(end as usize, signed.len(), "the byte range ends at the end");
    }
}

#[test]
fn the_cms_signs_the_byte_ranges_without_signing_time() {
    let cades = signer("signer-ec.key", "signer-ec.crt");
    let original = pdf(false, "");
    let signed = signed_by(&original, &cades);
    let pdf = check_signed(&original, &signed);
    let sig = &signature::find(&pdf).expect("signatures")[0];
    let mut covered = Vec::new();
    for (off, len) in &sig.ranges {
        covered.extend_from_slice(&signed[*off as usize..(*off + *len) as usize]);
    }
    let der_len = {
        // The CMS, without the zero padding.
        let file = SignatureFile::parse(trim(&sig.contents)).expect("CMS");
        let si = file.signer_infos().first().expect("signer info");
        let attrs = si.signed_attrs.as_ref().expect("signed attributes");
        let has = |oid| attrs.iter().any(|a| a.oid == oid);
        assert!(has(ID_AA_SIGNING_CERTIFICATE_V_2));
        assert!(!has(ID_SIGNING_TIME), "EN 319 142-1 forbids signing-time");
        let md = attrs
            .iter()
            .find(|a| a.oid == ID_MESSAGE_DIGEST)
            .expect("message digest");
        let value = md
            .values
            .iter()
            .next()
            .expect("value")
            .to_der()
            .expect("der");
        let digest = DigestAlgorithm::Sha256.digest(&covered).expect("digest");
        assert_eq!(
            &value[2..],
            &digest[..],
            "message-digest is that of the byte ranges"
        );
        trim(&sig.contents).len()
    };
    assert!(der_len < sig.contents.len(), "room left for a time stamp");
}

fn trim(contents: &[u8]) -> &[u8] {
    let end = contents.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    &contents[..end]
}

#[test]
fn a_second_signature_is_a_permitted_change_for_the_first() {
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    let original = pdf(true, "");
    let once = signed_by(&original, &cades);
    let twice = signed_by(&once, &cades);
    let pdf = check_signed(&once, &twice);
    let sigs = signature::find(&pdf).expect("signatures");
    assert_eq!(sigs.len(), 2);
    let first = sigs.iter().find(|s| s.revision == Some(1)).expect("first");
    let changes = diff::analyse(&pdf, 1, first.docmdp);
    assert!(!changes.is_empty());
    assert!(
        changes.iter().all(|c| c.allowed),
        "only permitted changes: {changes:?}"
    );
    assert!(changes
        .iter()
        .any(|c| c.description.contains("a signature was added")));
    // Distinct field names.
    assert_ne!(sigs[0].field, sigs[1].field);
}

#[test]
fn a_dss_and_a_document_time_stamp_field_are_permitted_changes() {
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    let original = pdf(false, "");
    let signed = signed_by(&original, &cades);
    let pdf = Pdf::parse(signed.clone()).expect("signed");
    let sig = signature::find(&pdf).expect("signatures").remove(0);
    let evidence = vec![SignatureEvidence {
        contents: sig.contents.clone(),
        evidence: hozon_verify::Evidence {
            certs: vec![cades.signer().certificate().clone()],
            crls: Vec::new(),
            ocsp: Vec::new(),
        },
    }];
    let with_dss = [
        &signed[..],
        &dss_update::add_dss(&pdf, &evidence).expect("dss"),
    ]
    .concat();
    let pdf = check_unsigned_update(&signed, &with_dss);
    let changes = diff::analyse(&pdf, 1, None);
    assert!(changes.iter().all(|c| c.allowed), "{changes:?}");
    // The DSS lists the certificate once, under /Certs and in the VRI.
    let last = pdf.revisions.len() - 1;
    let root = pdf
        .trailer(last)
        .get(b"Root")
        .and_then(Object::reference)
        .expect("root");
    let catalog = pdf.object(last, root.0).expect("catalog").expect("catalog");
    let dss = pdf
        .resolve(
            last,
            catalog.dict().and_then(|c| c.get(b"DSS")).expect("DSS"),
        )
        .expect("dss")
        .expect("dss");
    let dss = dss.dict().expect("dict");
    assert!(matches!(dss.get(b"Certs"), Some(Object::Array(a)) if a.len() == 1));
    let key = dss_update::vri_key(&sig.contents).expect("key");
    let Some(Object::Dict(vri)) = dss.get(b"VRI") else {
        panic!("no VRI")
    };
    assert!(
        vri.get(&key).is_some(),
        "VRI keyed by the SHA-1 of /Contents"
    );
    // Adding the same data again stores nothing twice.
    let again = [
        &with_dss[..],
        &dss_update::add_dss(&pdf, &evidence).expect("dss again"),
    ]
    .concat();
    let pdf = Pdf::parse(again).expect("again");
    let last = pdf.revisions.len() - 1;
    let dss_num = catalog
        .dict()
        .and_then(|c| c.get(b"DSS"))
        .and_then(Object::reference)
        .expect("indirect DSS")
        .0;
    let dss = pdf.object(last, dss_num).expect("dss").expect("dss");
    assert!(
        matches!(dss.dict().and_then(|d| d.get(b"Certs")), Some(Object::Array(a)) if a.len() == 1)
    );

    // A document time stamp field, with a token-sized placeholder.
    let prepared = prepare(
        &pdf,
        &FieldRequest {
            kind: Kind::DocTimeStamp,
            reserve: 64,
            time: time(),
            reason: None,
            appearance: None,
        },
    )
    .expect("prepared");
    let update = prepared
        .fill(&[0x30, 0x03, 0x02, 0x01, 0x01])
        .expect("filled");
    let stamped = Pdf::parse([&pdf.bytes[..], &update].concat()).expect("stamped");
    let sigs = signature::find(&stamped).expect("signatures");
    let ts = sigs
        .iter()
        .find(|s| s.kind == Kind::DocTimeStamp)
        .expect("ts");
    assert_eq!(ts.sub_filter, "ETSI.RFC3161");
    assert!(ts.problems.is_empty(), "{:?}", ts.problems);
    let changes = diff::analyse(&stamped, 1, None);
    assert!(changes.iter().all(|c| c.allowed), "{changes:?}");
    assert!(changes
        .iter()
        .any(|c| c.description.contains("document time stamp was added")));
}

fn check_unsigned_update(before: &[u8], after: &[u8]) -> Pdf {
    assert!(after.starts_with(before));
    Pdf::parse(after.to_vec()).expect("reads back")
}

#[test]
fn a_signature_larger_than_its_room_is_refused() {
    let pdf = Pdf::parse(pdf(false, "")).expect("pdf");
    let prepared = prepare(
        &pdf,
        &FieldRequest {
            kind: Kind::Signature,
            reserve: 4,
            time: time(),
            reason: None,
            appearance: None,
        },
    )
    .expect("prepared");
    assert_eq!(prepared.capacity(), 4);
    match prepared.fill(&[0u8; 5]) {
        Err(Error::ContentsTooSmall {
            needed: 5,
            reserved: 4,
        }) => {}
        other => panic!(
            "expected ContentsTooSmall, got {:?}",
            other.map(|b| b.len())
        ),
    }
}

#[test]
fn an_encrypted_pdf_is_refused() {
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    let bytes = pdf(false, "/Encrypt << /Filter /Standard >>");
    let pdf = Pdf::parse(bytes.clone()).expect("pdf");
    match sign_pdf(&pdf, Original::Bytes(&bytes), &cades, None, time()) {
        Err(Error::Encrypted) => {}
        other => panic!(
            "expected Error::Encrypted, got {:?}",
            other.map(|b| b.len())
        ),
    }
}

/// A one-page PDF with an unsigned signature field whose `/T` is the text
/// string "Signature1" in UTF-16BE (as endesive writes field names).
fn pdf_with_utf16_field() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /P 3 0 R \
         /T <FEFF005300690067006E006100740075007200650031> >>",
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f\r\n");
    for off in &offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn a_field_named_in_utf16_is_not_named_again() {
    // "Signature1" is taken once its /T is decoded: the new field is
    // Signature2 (fully qualified field names are unique, ISO 32000-1
    // §12.7.3.2).
    let original = pdf_with_utf16_field();
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    let signed = signed_by(&original, &cades);
    let pdf = check_signed(&original, &signed);
    let sigs = signature::find(&pdf).expect("signatures");
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].field, "Signature2");
}

/// A one-page PDF written to a fresh directory.
fn pdf_file(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("summary.pdf");
    std::fs::write(&path, bytes).expect("write");
    (dir, path)
}

fn signing(cades: &CadesSigner) -> hozon_pades::Signing<'_> {
    hozon_pades::Signing {
        cades,
        tsa: None,
        time: time(),
        reason: Some("discharge"),
        stamp: None,
    }
}

#[test]
fn signing_in_place_replaces_the_file_with_its_signed_revision() {
    let original = pdf(false, "");
    let (_dir, path) = pdf_file(&original);
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    hozon_pades::sign_in_place(&path, &signing(&cades), None).expect("signed");
    let signed = std::fs::read(&path).expect("read");
    check_signed(&original, &signed);
    let leftovers = std::fs::read_dir(path.parent().expect("dir"))
        .expect("dir")
        .count();
    assert_eq!(leftovers, 1, "no working copy is left beside the file");
}

#[test]
fn signing_in_place_refuses_a_file_that_is_no_pdf_and_leaves_it() {
    let (_dir, path) = pdf_file(b"plain text, not a PDF\n");
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    let e = hozon_pades::sign_in_place(&path, &signing(&cades), None).unwrap_err();
    assert!(
        matches!(e, hozon_pades::SignInPlaceError::NotReadable(Error::NotPdf)),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "cannot be read as a PDF: not a PDF (no %PDF- header)"
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        b"plain text, not a PDF\n"
    );
    assert_eq!(
        std::fs::read_dir(path.parent().expect("dir"))
            .expect("dir")
            .count(),
        1
    );
}

#[test]
fn signing_in_place_a_missing_file_is_an_open_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cades = signer("signer-doctor.key", "signer-doctor.crt");
    let e = hozon_pades::sign_in_place(&dir.path().join("absent.pdf"), &signing(&cades), None)
        .unwrap_err();
    assert!(
        matches!(e, hozon_pades::SignInPlaceError::Open(Error::Io { .. })),
        "{e:?}"
    );
}
