//! PAdES in the augmentation pipeline (`hozon_ltv::Augmenter` over a
//! `PadesDocument`): the EN 319 142-1 order (document time stamp for an
//! unstamped signature, then the DSS, then the document time stamp of
//! B-LTA), the refusal of a signature that does not pass, a B-LT that adds
//! nothing the second time, and renewal by another document time stamp.
//! Runs the testkit's loopback TSA (needs `openssl`).

use std::path::{Path, PathBuf};

use hozon_cms::UnixTime;
use hozon_ltv::{Augmentable, Augmenter, Profile, Target};
use hozon_pades::prepare::Original;
use hozon_pades::signature::{self, Kind};
use hozon_pades::{sign_pdf, verify_pdf, PadesDocument, Pdf, PdfVerification};
use hozon_sign::{CadesSigner, SignerSpec};
use hozon_testkit::{Pki, TsaMode, TsaServer};
use hozon_tsp::{TsaClient, TsaConfig};
use hozon_verify::{Indication, SubIndication, Verifier, VerifierSetup};

/// A one-page PDF with a classic cross-reference table.
fn pdf() -> Vec<u8> {
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
    out.extend_from_slice(b"xref\n0 5\n0000000000 65535 f\r\n");
    for off in &offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(b"trailer\n<< /Size 5 /Root 1 0 R >>\n");
    out.extend_from_slice(format!("startxref\n{xref}\n%%EOF\n").as_bytes());
    out
}

struct Setup {
    dir: tempfile::TempDir,
    pki: Pki,
    _tsa: TsaServer,
    tsa_url: String,
    signer: CadesSigner,
}

impl Setup {
    fn new() -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let pki = Pki::copy_to(&dir.path().join("pki")).expect("pki");
        let tsa = TsaServer::start(&pki, TsaMode::Normal).expect("tsa");
        let signer = SignerSpec {
            key: Some(pki.path("signer-doctor.key")),
            cert: Some(pki.path("signer-doctor.crt")),
            chain: Some(pki.path("chain.pem")),
            ..SignerSpec::default()
        }
        .load()
        .expect("signer");
        Setup {
            tsa_url: tsa.url(),
            dir,
            pki,
            _tsa: tsa,
            signer,
        }
    }

    fn tsa(&self) -> TsaClient {
        TsaClient::new(TsaConfig::new(vec![self.tsa_url.clone()])).expect("tsa client")
    }

    /// The strict verifier B-LT validates with (root, CRLs, offline).
    fn checked(&self) -> Verifier {
        VerifierSetup {
            trust: vec![self.pki.path("root-ca.crt")],
            crls: vec![self.pki.path("crls.pem")],
            offline: true,
            ..VerifierSetup::default()
        }
        .build()
        .expect("verifier")
    }

    /// Only the root, offline: what a B-LT PDF needs.
    fn root_only(&self) -> Verifier {
        VerifierSetup {
            trust: vec![self.pki.path("root-ca.crt")],
            offline: true,
            ..VerifierSetup::default()
        }
        .build()
        .expect("verifier")
    }

    fn augmenter(&self, target: Target) -> Augmenter {
        Augmenter::new(
            target,
            Profile::Etsi,
            Some(self.tsa()),
            Some(self.checked()),
        )
        .expect("augmenter")
    }

    /// `letter.pdf` signed, B-B or (with the TSA) B-T; returns its path
    /// and the bytes before signing.
    fn signed(&self, stamped: bool) -> (PathBuf, Vec<u8>) {
        let original = pdf();
        let parsed = Pdf::parse(original.clone()).expect("pdf");
        let tsa = stamped.then(|| self.tsa());
        let update = sign_pdf(
            &parsed,
            Original::Bytes(&original),
            &self.signer,
            tsa.as_ref(),
            UnixTime::now(),
        )
        .expect("signed");
        let path = self.dir.path().join("letter.pdf");
        std::fs::write(&path, [&original[..], &update[..]].concat()).expect("write");
        (path, original)
    }
}

/// The kinds of the PDF's signature dictionaries, in revision order, and
/// the revision the DSS first appears in.
fn shape(path: &Path) -> (Vec<(Kind, usize)>, Option<usize>) {
    let pdf = Pdf::open(path).expect("pdf");
    let mut sigs: Vec<(Kind, usize)> = signature::find(&pdf)
        .expect("signatures")
        .into_iter()
        .map(|s| (s.kind, s.revision.expect("sound signature")))
        .collect();
    sigs.sort_by_key(|(_, rev)| *rev);
    let dss = (0..pdf.revisions.len()).find(|rev| {
        let root = pdf
            .trailer(*rev)
            .get(b"Root")
            .and_then(hozon_pades::lexer::Object::reference)
            .expect("root");
        matches!(
            pdf.object(*rev, root.0),
            Ok(Some(hozon_pades::lexer::Object::Dict(d))) if d.get(b"DSS").is_some()
        )
    });
    (sigs, dss)
}

fn reports(verifier: &Verifier, path: &Path) -> Vec<hozon_verify::SignatureReport> {
    match verify_pdf(verifier, path).expect("verify") {
        PdfVerification::Signed(r) => r,
        PdfVerification::Unsigned => panic!("unsigned"),
    }
}

#[test]
fn b_b_to_b_lta_stamps_then_stores_the_dss_then_stamps_the_document() {
    let s = Setup::new();
    let (path, original) = s.signed(false);
    let mut doc = PadesDocument::open(&path).expect("open");
    assert!(doc.needs_timestamp().expect("structure"));
    s.augmenter(Target::Lta)
        .augment("letter.pdf", &mut doc)
        .expect("B-LTA");
    assert_eq!(
        doc.updates(),
        3,
        "document time stamp, DSS, document time stamp"
    );
    doc.persist(&path).expect("persist");
    let bytes = std::fs::read(&path).expect("read");
    assert!(
        bytes.starts_with(&original),
        "incremental: the original is the prefix"
    );
    let (sigs, dss) = shape(&path);
    let kinds: Vec<Kind> = sigs.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        [Kind::Signature, Kind::DocTimeStamp, Kind::DocTimeStamp]
    );
    let dss = dss.expect("a DSS");
    assert!(
        sigs[1].1 < dss && dss < sigs[2].1,
        "the DSS lies between the B-T stamp and the B-LTA stamp: {sigs:?}, DSS {dss}"
    );
    // The signature verifies offline with only the root.
    let r = reports(&s.root_only(), &path);
    let sig = r
        .iter()
        .find(|r| r.level.is_some())
        .expect("signature report");
    assert_eq!(sig.indication, Indication::TotalPassed, "{:?}", sig.errors);
    assert_eq!(sig.level.map(|l| l.as_str()), Some("B-LTA"));
}

#[test]
fn a_b_t_signature_gets_no_document_timestamp_for_b_lt() {
    let s = Setup::new();
    let (path, _) = s.signed(true);
    let mut doc = PadesDocument::open(&path).expect("open");
    assert!(!doc.needs_timestamp().expect("structure"));
    s.augmenter(Target::Lt)
        .augment("letter.pdf", &mut doc)
        .expect("B-LT");
    assert_eq!(doc.updates(), 1, "only the DSS");
    doc.persist(&path).expect("persist");
    let (sigs, dss) = shape(&path);
    assert_eq!(sigs.len(), 1);
    assert!(dss.is_some());
    let r = reports(&s.root_only(), &path);
    assert_eq!(
        r[0].indication,
        Indication::TotalPassed,
        "{:?}",
        r[0].errors
    );
    assert_eq!(r[0].level.map(|l| l.as_str()), Some("B-LT"));
}

#[test]
fn b_lt_twice_adds_nothing_the_second_time() {
    let s = Setup::new();
    let (path, _) = s.signed(true);
    let lt = s.augmenter(Target::Lt);
    let first = hozon_pades::augment_in_place(&lt, &path).expect("first B-LT");
    assert_eq!(first.updates, 1);
    let before = std::fs::read(&path).expect("read");
    let second = hozon_pades::augment_in_place(&lt, &path).expect("second B-LT");
    assert_eq!(second.updates, 0, "the DSS holds everything already");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "file unchanged"
    );
}

#[test]
fn a_signature_that_does_not_pass_is_refused_and_nothing_is_written() {
    let s = Setup::new();
    let (path, _) = s.signed(true);
    // One byte of the signed page content changed: HASH_FAILURE.
    let mut bytes = std::fs::read(&path).expect("read");
    let at = bytes
        .windows(4)
        .position(|w| w == b"(Hi)")
        .expect("content");
    bytes[at + 2] = b'o';
    std::fs::write(&path, &bytes).expect("write");
    let mut doc = PadesDocument::open(&path).expect("open");
    let err = s
        .augmenter(Target::Lt)
        .augment("letter.pdf", &mut doc)
        .expect_err("refused");
    match err {
        hozon_ltv::Error::NotValid {
            indication,
            sub_indication,
            ..
        } => {
            assert_eq!(indication, Indication::TotalFailed);
            assert_eq!(sub_indication, Some(SubIndication::HashFailure));
        }
        other => panic!("expected NotValid, got {other}"),
    }
    assert_eq!(doc.updates(), 0, "no DSS for a signature that fails");
    drop(doc);
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
}

#[test]
fn an_untrusted_signer_is_refused_as_indeterminate() {
    let s = Setup::new();
    let (path, _) = s.signed(true);
    // Trusting only an unrelated anchor: the chain does not validate.
    let other = tempfile::tempdir().expect("tempdir");
    let other_pki = Pki::copy_to(&other.path().join("pki")).expect("pki");
    let verifier = VerifierSetup {
        trust: vec![other_pki.path("signer-doctor.crt")],
        offline: true,
        ..VerifierSetup::default()
    }
    .build()
    .expect("verifier");
    let augmenter =
        Augmenter::new(Target::Lt, Profile::Etsi, None, Some(verifier)).expect("augmenter");
    let mut doc = PadesDocument::open(&path).expect("open");
    let err = augmenter
        .augment("letter.pdf", &mut doc)
        .expect_err("refused");
    assert!(
        matches!(err, hozon_ltv::Error::NotValid { indication, .. } if indication != Indication::TotalPassed),
        "{err}"
    );
    assert_eq!(doc.updates(), 0);
}

#[test]
fn renewal_adds_another_document_timestamp() {
    let s = Setup::new();
    let (path, _) = s.signed(true);
    let lta = s.augmenter(Target::Lta);
    hozon_pades::augment_in_place(&lta, &path).expect("B-LTA");
    let (before, _) = shape(&path);
    let renewed = hozon_pades::augment_in_place(&lta, &path).expect("renewal");
    assert!(renewed.updates >= 1);
    let (after, _) = shape(&path);
    let stamps = |v: &[(Kind, usize)]| v.iter().filter(|(k, _)| *k == Kind::DocTimeStamp).count();
    assert_eq!(stamps(&after), stamps(&before) + 1);
    assert!(hozon_pades::augment::newest_document_timestamp(&path).is_some());
    for r in reports(&s.root_only(), &path) {
        assert_eq!(r.indication, Indication::TotalPassed, "{:?}", r.errors);
    }
}

#[test]
fn a_document_time_stamp_cannot_go_inside_an_existing_signature() {
    let s = Setup::new();
    let (path, _) = s.signed(false);
    let mut doc = PadesDocument::open(&path).expect("open");
    let inputs = doc.signature_timestamp_inputs().expect("inputs");
    assert_eq!(inputs.len(), 1);
    assert!(inputs[0].is_some(), "the B-B signature has no time stamp");
    let stamp = s.tsa().stamp_data(b"x").expect("stamp");
    let err = doc
        .add_signature_timestamps(&[Some(&stamp)])
        .expect_err("a signed revision never changes");
    assert!(matches!(err, hozon_ltv::Error::Unsupported { .. }), "{err}");
    assert_eq!(doc.updates(), 0);
}

#[test]
fn a_broken_signature_still_claims_to_be_signed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = dir.path().join("plain.pdf");
    std::fs::write(&plain, pdf()).expect("write");
    assert!(!hozon_pades::augment::has_signatures(&plain));
    assert!(!hozon_pades::augment::claims_signatures(&plain));
    let broken = dir.path().join("broken.pdf");
    let mut bytes = pdf();
    bytes.extend_from_slice(b"% /ByteRange [0 10 20 30]\n");
    std::fs::write(&broken, bytes).expect("write");
    assert!(!hozon_pades::augment::has_signatures(&broken));
    assert!(hozon_pades::augment::claims_signatures(&broken));
}
