//! Signing a PDF (PAdES B-B and B-T, ETSI EN 319 142-1 §6.2-6.3) and
//! raising signed PDFs to B-T, B-LT and B-LTA (§6.4-6.5), each step one
//! incremental update:
//!
//! - [`sign_pdf`]: a new signature field whose CMS (SubFilter
//!   `ETSI.CAdES.detached`: signing-certificate-v2, no signing-time, `/M`
//!   as the claimed time) is detached over the byte ranges, optionally with
//!   a signature time stamp inside it;
//! - [`add_document_timestamp`]: a document time stamp (`ETSI.RFC3161`);
//! - [`add_validation_data`]: the DSS with what validated every signature
//!   and time stamp — refused unless every one of them passes.

use std::path::Path;

use hozon_cms::UnixTime;
use hozon_sign::CadesSigner;
use hozon_tsp::TsaClient;
use hozon_verify::{Indication, Verifier};

use crate::appearance::Stamp;
use crate::pdf::Pdf;
use crate::prepare::{prepare, FieldRequest, Original};
use crate::room::{SIGNATURE_ROOM, TIMESTAMP_ROOM};
use crate::signature::Kind;
use crate::verify::{verify_pdf_with_evidence, PdfVerification};
use crate::Error;

/// How many bytes of DER to reserve for a signature by `cades`, with a
/// signature time stamp. The same room is reserved at B-B, so a PDF signed
/// at any level has the same shape; B-LT data goes into the DSS and never
/// needs a larger `/Contents`.
fn reserve(cades: &CadesSigner) -> usize {
    let signer = cades.signer();
    let certs: usize = std::iter::once(signer.certificate())
        .chain(signer.chain())
        .map(|c| c.der().len())
        .sum();
    certs + SIGNATURE_ROOM + TIMESTAMP_ROOM
}

/// A signature of `pdf` (whose bytes are read from `original`) by `cades`:
/// the incremental update to append to it. B-B, or B-T when `tsa` is given
/// (the signature time stamp is an unsigned attribute of the CMS). `time`
/// is the claimed signing time written as `/M`. The field is invisible.
pub fn sign_pdf(
    pdf: &Pdf,
    original: Original<'_>,
    cades: &CadesSigner,
    tsa: Option<&TsaClient>,
    time: UnixTime,
) -> Result<Vec<u8>, Error> {
    sign_pdf_with(
        pdf,
        original,
        &Signing {
            cades,
            tsa,
            time,
            reason: None,
            stamp: None,
        },
    )
}

/// How to sign a PDF.
pub struct Signing<'a> {
    /// The signer.
    pub cades: &'a CadesSigner,
    /// B-T: the signature time stamp's authority.
    pub tsa: Option<&'a TsaClient>,
    /// The claimed signing time (`/M`, and the stamp's time).
    pub time: UnixTime,
    /// The reason for signing (`/Reason`).
    pub reason: Option<&'a str>,
    /// A visible stamp, or `None` for an invisible signature.
    pub stamp: Option<&'a Stamp>,
}

/// A signature of `pdf` (whose bytes are read from `original`) as
/// `signing` says: the incremental update to append to it. A visible stamp
/// is drawn and placed first, and is part of the signed revision.
pub fn sign_pdf_with(
    pdf: &Pdf,
    original: Original<'_>,
    signing: &Signing<'_>,
) -> Result<Vec<u8>, Error> {
    let cades = signing.cades;
    let appearance = match signing.stamp {
        Some(stamp) => Some(stamp.appearance(pdf, cades.signer().certificate(), signing.time)?),
        None => None,
    };
    let mut room = reserve(cades);
    // A time stamp larger than foreseen: one more try with the room it
    // needs (the signature is made again over the new byte ranges).
    for _ in 0..2 {
        let prepared = prepare(
            pdf,
            &FieldRequest {
                kind: Kind::Signature,
                reserve: room,
                time: signing.time,
                reason: signing.reason,
                appearance: appearance.as_ref(),
            },
        )?;
        let digest = prepared.digest(cades.digest_algorithm(), original)?;
        let mut cms = cades.sign_pades_digest(&digest)?;
        if let Some(tsa) = signing.tsa {
            cms = hozon_ltv::add_signature_timestamps(&cms, tsa)?.der;
        }
        match prepared.fill(&cms) {
            Err(Error::ContentsTooSmall { needed, .. }) => room = needed + SIGNATURE_ROOM,
            other => return other,
        }
    }
    Err(Error::Unsupported(
        "the signature did not fit the room reserved for it twice".into(),
    ))
}

/// A document time stamp from `tsa` over all of `pdf` (whose bytes are read
/// from `original`): the incremental update to append to it.
pub fn add_document_timestamp(
    pdf: &Pdf,
    original: Original<'_>,
    tsa: &TsaClient,
) -> Result<Vec<u8>, Error> {
    crate::augment::document_timestamp(pdf, original, tsa).map(|(update, _)| update)
}

/// A DSS holding what validated each signature and document time stamp of
/// the signed PDF at `path` (B-LT): the incremental update to append to it.
/// Refused unless every one of them is TOTAL_PASSED and every signature
/// has a time stamp (a signature time stamp or a later document time
/// stamp): there would be no validation data to vouch for otherwise.
pub fn add_validation_data(verifier: &Verifier, path: &Path) -> Result<Vec<u8>, Error> {
    let (verification, evidence) = verify_pdf_with_evidence(verifier, path)?;
    let PdfVerification::Signed(reports) = verification else {
        return Err(Error::NotValidated(
            "the PDF has no signature to add validation data for".into(),
        ));
    };
    for r in &reports {
        if r.indication != Indication::TotalPassed {
            return Err(Error::NotValidated(format!(
                "a signature does not validate ({}{}), so there is no validation data to embed: {}",
                r.indication,
                r.sub_indication
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default(),
                r.errors.first().cloned().unwrap_or_default()
            )));
        }
        if r.level == Some(hozon_verify::Level::BB) {
            return Err(Error::NotValidated(
                "B-LT needs a time stamp first (a signature time stamp or a document time stamp)"
                    .into(),
            ));
        }
    }
    let pdf = Pdf::open(path)?;
    crate::dss_update::add_dss(&pdf, &evidence)
}
