//! Verifying every signature of a PDF.

use std::cell::RefCell;
use std::io::Read;
use std::path::Path;

use hozon_cms::asn1::der::{Decode, Encode, Header, SliceReader};
use hozon_cms::oid::{ID_AA_SIGNING_CERTIFICATE_V_2, ID_SIGNING_TIME};
use hozon_cms::{DigestAlgorithm, SignatureFile, UnixTime};
use hozon_verify::{
    Code, DetachedContent, DocumentChange, Evidence, Indication, SignatureReport, SubIndication,
    ValidationData, Verifier,
};

use crate::diff::{self, Change};
use crate::pdf::Pdf;
use crate::signature::{self, Kind, Signature};
use crate::{date, dss, Error};

/// Whether the file at `path` starts like a PDF (reads its first 1024
/// bytes).
pub fn is_pdf_file(path: &Path) -> bool {
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)
        .and_then(|f| f.take(1024).read_to_end(&mut head))
        .is_ok_and(|_| crate::is_pdf(&head))
}

/// The result for one PDF.
#[derive(Debug)]
pub enum PdfVerification {
    /// The PDF has no signature dictionary.
    Unsigned,
    /// One report per signature and document time stamp, in object order.
    Signed(Vec<SignatureReport>),
}

/// What the validation of one signature or document time stamp relied on.
#[derive(Debug)]
pub struct SignatureEvidence {
    /// The signature dictionary's `/Contents` (with its padding).
    pub contents: Vec<u8>,
    /// The certificates and revocation data used.
    pub evidence: Evidence,
}

/// What every signature of one PDF is verified with.
struct Context<'a> {
    verifier: &'a Verifier,
    path: &'a Path,
    label: String,
    pdf: &'a Pdf,
    dss: ValidationData,
    dss_revision: Option<usize>,
    docmdp: Option<i64>,
    evidence: RefCell<Vec<SignatureEvidence>>,
}

/// Verifies every signature and document time stamp of the PDF at `path`.
/// A PDF that cannot be read but holds a `/ByteRange` is reported as a
/// signature with FORMAT_FAILURE; one without any is unsigned.
pub fn verify_pdf(verifier: &Verifier, path: &Path) -> Result<PdfVerification, Error> {
    verify_pdf_with_evidence(verifier, path).map(|(v, _)| v)
}

/// As [`verify_pdf`], also returning what the validation of each signature
/// and document time stamp relied on (what B-LT puts in the DSS).
pub fn verify_pdf_with_evidence(
    verifier: &Verifier,
    path: &Path,
) -> Result<(PdfVerification, Vec<SignatureEvidence>), Error> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        file: label.clone(),
        source,
    })?;
    let mentions_signature = bytes.windows(10).any(|w| w == b"/ByteRange");
    let broken = |e: Error| {
        if mentions_signature {
            let mut r = pades(Verifier::format_failure(
                &label,
                Some(label.clone()),
                &format!("the signed PDF cannot be read: {e}"),
            ));
            r.covers_whole_document = Some(false);
            PdfVerification::Signed(vec![r])
        } else {
            PdfVerification::Unsigned
        }
    };
    let pdf = match Pdf::parse(bytes) {
        Ok(p) => p,
        Err(e) => return Ok((broken(e), Vec::new())),
    };
    let sigs = match signature::find(&pdf) {
        Ok(s) => s,
        Err(e) => return Ok((broken(e), Vec::new())),
    };
    if sigs.is_empty() {
        let v = if mentions_signature {
            broken(Error::Unsupported(
                "it holds a /ByteRange, but no signature field refers to a signature dictionary"
                    .into(),
            ))
        } else {
            PdfVerification::Unsigned
        };
        return Ok((v, Vec::new()));
    }
    let last = pdf.revisions.len() - 1;
    let (dss, dss_problems) = dss::read(&pdf, last);
    let docmdp = sigs
        .iter()
        .filter(|s| s.revision.is_some())
        .filter_map(|s| s.docmdp)
        .min();
    let cx = Context {
        verifier,
        path,
        label,
        pdf: &pdf,
        dss,
        dss_revision: dss::first_revision(&pdf),
        docmdp,
        evidence: RefCell::new(Vec::new()),
    };
    // Document time stamps first: those that pass are proof of existence
    // of everything they cover.
    let mut stamps: Vec<(usize, SignatureReport)> = Vec::new();
    let mut reports = Vec::new();
    for (index, sig) in sigs.iter().enumerate() {
        if sig.kind == Kind::DocTimeStamp {
            let mut r = cx.document_timestamp(sig);
            r.signer_info = index;
            if let Some(rev) = sig.revision {
                stamps.push((rev, r.clone()));
            }
            reports.push((index, r));
        }
    }
    for (index, sig) in sigs.iter().enumerate() {
        if sig.kind == Kind::Signature {
            let mut r = cx.signature(sig, &stamps);
            r.signer_info = index;
            reports.push((index, r));
        }
    }
    reports.sort_by_key(|(i, _)| *i);
    let mut reports: Vec<SignatureReport> = reports.into_iter().map(|(_, r)| r).collect();
    for r in &mut reports {
        for p in &dss_problems {
            r.push_warning(
                Code::PdfDssUnreadable,
                format!("Document Security Store: {p}"),
            );
        }
    }
    Ok((PdfVerification::Signed(reports), cx.evidence.into_inner()))
}

/// `report` as a PAdES one.
fn pades(mut report: SignatureReport) -> SignatureReport {
    report.format = hozon_verify::SignatureFormat::Pades;
    report
}

/// Makes `report` fail with `sub` unless it already fails for a more
/// serious reason, with `message` (and its code) as its first error.
fn fail(report: &mut SignatureReport, sub: SubIndication, code: Code, message: String) {
    report.fail_with(sub, code, &message);
}

/// The DER SignedData at the start of a zero-padded `/Contents`.
pub(crate) fn trim_contents(contents: &[u8]) -> Result<&[u8], String> {
    let mut reader =
        SliceReader::new(contents).map_err(|e| format!("/Contents is not DER: {e}"))?;
    let header = Header::decode(&mut reader)
        .map_err(|e| format!("/Contents does not start with a DER structure: {e}"))?;
    let total = header
        .encoded_len()
        .and_then(|h| h + header.length)
        .map_err(|e| format!("/Contents: {e}"))?;
    let total = usize::try_from(total).map_err(|_| "/Contents: length".to_owned())?;
    let (body, padding) = contents
        .split_at_checked(total)
        .ok_or("/Contents is shorter than the structure it starts")?;
    if padding.iter().any(|b| *b != 0) {
        return Err(
            "/Contents holds data after its signature (only zero padding may follow)".into(),
        );
    }
    Ok(body)
}

fn changes(report: &mut SignatureReport, changes: Vec<Change>) {
    let mut modified = Vec::new();
    for c in changes {
        let entry = DocumentChange {
            revision: c.revision,
            description: c.description,
        };
        if c.allowed {
            report.permitted_changes.push(entry);
        } else {
            modified.push(entry);
        }
    }
    report.covers_whole_document = Some(modified.is_empty());
    if !modified.is_empty() {
        let list: Vec<String> = modified
            .iter()
            .map(|m| format!("revision {}: {}", m.revision, m.description))
            .collect();
        fail(
            report,
            SubIndication::HashFailure,
            Code::PdfModifiedAfterSigning,
            format!(
                "the document was modified after this signature, which does not cover it as it is now ({})",
                list.join("; ")
            ),
        );
    }
    report.modifications = modified;
}

impl Context<'_> {
    fn content<'s>(&'s self, sig: &'s Signature) -> DetachedContent<'s> {
        DetachedContent::ByteRanges {
            path: self.path,
            ranges: &sig.ranges,
        }
    }

    /// A report for a signature dictionary whose structure is broken.
    fn broken(&self, sig: &Signature) -> SignatureReport {
        let mut r = pades(Verifier::format_failure(
            &self.label,
            Some(self.label.clone()),
            &format!(
                "signature field {:?} (object {}): {}",
                sig.field,
                sig.object,
                sig.problems.join("; ")
            ),
        ));
        r.covers_whole_document = Some(false);
        r
    }

    fn document_timestamp(&self, sig: &Signature) -> SignatureReport {
        let Some(rev) = sig.revision.filter(|_| sig.problems.is_empty()) else {
            return self.broken(sig);
        };
        let token = match trim_contents(&sig.contents) {
            Ok(t) => t,
            Err(e) => {
                let mut s = sig.clone();
                s.problems.push(e);
                return self.broken(&s);
            }
        };
        let (r, evidence) = self.verifier.verify_timestamp_detached_with_evidence(
            &self.label,
            token,
            self.content(sig),
            &self.dss,
            hozon_verify::TimestampKind::Document,
        );
        self.evidence.borrow_mut().push(SignatureEvidence {
            contents: sig.contents.clone(),
            evidence,
        });
        let mut r = pades(r);
        r.level = None;
        r.revision = Some(rev + 1);
        if sig.sub_filter != "ETSI.RFC3161" {
            fail(
                &mut r,
                SubIndication::FormatFailure,
                Code::PdfSubFilterRules,
                format!(
                    "a document time stamp must have /SubFilter /ETSI.RFC3161, not /{}",
                    sig.sub_filter
                ),
            );
        }
        changes(&mut r, diff::analyse(self.pdf, rev, self.docmdp));
        r
    }

    fn signature(&self, sig: &Signature, stamps: &[(usize, SignatureReport)]) -> SignatureReport {
        let Some(rev) = sig.revision.filter(|_| sig.problems.is_empty()) else {
            return self.broken(sig);
        };
        let cms = match trim_contents(&sig.contents) {
            Ok(c) => c,
            Err(e) => {
                let mut s = sig.clone();
                s.problems.push(e);
                return self.broken(&s);
            }
        };
        // Document time stamps of later revisions that passed: proof of
        // existence of this signature.
        let covering: Vec<(usize, &SignatureReport)> = stamps
            .iter()
            .filter(|(r, _)| *r > rev)
            .map(|(r, s)| (*r, s))
            .collect();
        let poe = covering
            .iter()
            .map(|(_, s)| s)
            .filter(|s| s.indication == Indication::TotalPassed)
            .filter_map(|s| s.best_signature_time.as_deref())
            .filter_map(|t| UnixTime::parse_rfc3339(t).ok())
            .min();
        let mut reports = match sig.sub_filter.as_str() {
            "ETSI.CAdES.detached" | "adbe.pkcs7.detached" => {
                let (reports, evidence) = self.verifier.verify_detached_with_evidence(
                    &self.label,
                    cms,
                    self.content(sig),
                    &self.dss,
                    poe,
                );
                self.evidence.borrow_mut().push(SignatureEvidence {
                    contents: sig.contents.clone(),
                    evidence,
                });
                reports
            }
            "adbe.pkcs7.sha1" => self.sha1(sig, cms, poe),
            other => vec![Verifier::format_failure(
                &self.label,
                Some(self.label.clone()),
                &format!("unsupported /SubFilter /{other}"),
            )],
        };
        if reports.len() != 1 {
            let mut r = pades(Verifier::format_failure(
                &self.label,
                Some(self.label.clone()),
                &format!(
                    "signature field {:?}: a PDF signature must hold exactly one SignerInfo, not {}",
                    sig.field,
                    reports.len()
                ),
            ));
            r.covers_whole_document = Some(false);
            return r;
        }
        let mut r = pades(reports.remove(0));
        r.revision = Some(rev + 1);
        // The engine's CAdES wording, put in PAdES terms: the claimed time
        // is /M (EN 319 142-1 forbids signing-time), and the proof of
        // existence comes from a document time stamp.
        r.retain_warnings(|w| {
            !(sig.sub_filter == "ETSI.CAdES.detached" && w.starts_with("no signing-time attribute"))
        });
        r.reword_warnings(|w| {
            w.ends_with("from an evidence record over the signature file is used")
                .then(|| {
                    w.replace(
                        "from an evidence record over the signature file",
                        "from a document time stamp of a later revision",
                    )
                })
        });
        r.insert_warning(
            0,
            Code::PdfSignatureField,
            format!(
                "signature field {:?} (object {}), /SubFilter /{}",
                sig.field, sig.object, sig.sub_filter
            ),
        );
        if sig.sub_filter == "ETSI.CAdES.detached" {
            self.cades_rules(cms, &mut r);
        }
        if r.claimed_signing_time.is_none() {
            if let Some(m) = sig.m.as_deref().and_then(date::parse) {
                r.claimed_signing_time = Some(m.rfc3339());
            }
        }
        for (_, s) in &covering {
            r.timestamps.extend(s.timestamps.iter().cloned());
        }
        r.level = self.level(rev, &r, &covering).parse().ok();
        changes(&mut r, diff::analyse(self.pdf, rev, self.docmdp));
        r
    }

    /// EN 319 142-1 §6.3 (SubFilter ETSI.CAdES.detached): the ESS
    /// signing-certificate-v2 attribute is required, the signing-time
    /// attribute forbidden (`/M` holds the claimed time).
    fn cades_rules(&self, cms: &[u8], r: &mut SignatureReport) {
        let Ok(file) = SignatureFile::parse(cms) else {
            return;
        };
        for si in file.signer_infos() {
            let has = |oid| {
                si.signed_attrs
                    .as_ref()
                    .is_some_and(|a| a.iter().any(|attr| attr.oid == oid))
            };
            if !has(ID_AA_SIGNING_CERTIFICATE_V_2) {
                fail(
                    r,
                    SubIndication::FormatFailure,
                    Code::PdfSubFilterRules,
                    "ETSI.CAdES.detached requires the signing-certificate-v2 signed attribute (EN 319 142-1 §6.3)".into(),
                );
            }
            if has(ID_SIGNING_TIME) {
                fail(
                    r,
                    SubIndication::FormatFailure,
                    Code::PdfSubFilterRules,
                    "ETSI.CAdES.detached forbids the signing-time attribute; the claimed time is /M (EN 319 142-1 §6.3)".into(),
                );
            }
        }
    }

    /// adbe.pkcs7.sha1 (ISO 32000-1 §12.8.3.3.1): the SignedData
    /// encapsulates the SHA-1 digest of the byte ranges.
    fn sha1(&self, sig: &Signature, cms: &[u8], poe: Option<UnixTime>) -> Vec<SignatureReport> {
        let mut reports = match poe {
            Some(poe) => self.verifier.verify_with_poe(&self.label, cms, None, poe),
            None => self.verifier.verify(&self.label, cms, None),
        };
        let digest = hozon_verify::digest_ranges(DigestAlgorithm::Sha1, self.path, &sig.ranges);
        let econtent = SignatureFile::parse(cms)
            .ok()
            .and_then(|f| f.econtent().ok().flatten().map(<[u8]>::to_vec));
        for r in &mut reports {
            r.content = Some(self.label.clone());
            match (&digest, &econtent) {
                (Ok(d), Some(e)) if d == e => {}
                (Err(e), _) => fail(
                    r,
                    SubIndication::SignedDataNotFound,
                    Code::SignedDataNotFound,
                    e.to_string(),
                ),
                _ => fail(
                    r,
                    SubIndication::HashFailure,
                    Code::PdfByteRangeDigestMismatch,
                    "the SHA-1 digest the signature encapsulates is not that of its /ByteRange"
                        .into(),
                ),
            }
        }
        reports
    }

    /// The PAdES level reached (EN 319 142-1 §6): B-T with a signature or
    /// document time stamp, B-LT with a DSS after it, B-LTA with a document
    /// time stamp over the DSS.
    fn level(
        &self,
        rev: usize,
        r: &SignatureReport,
        covering: &[(usize, &SignatureReport)],
    ) -> &'static str {
        let stamped = r
            .timestamps
            .iter()
            .any(|t| t.kind == hozon_verify::TimestampKind::Signature)
            || !covering.is_empty();
        if !stamped {
            return "B-B";
        }
        // The DSS as it stands after the signature was made.
        let Some(dss) = self.dss_revision.map(|d| d.max(rev + 1)) else {
            return "B-T";
        };
        // A document time stamp covers its own revision, DSS included.
        let over_dss = covering.iter().any(|(t, _)| *t >= dss);
        if over_dss {
            "B-LTA"
        } else {
            "B-LT"
        }
    }
}
