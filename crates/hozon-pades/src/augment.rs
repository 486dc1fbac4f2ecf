//! PAdES in the augmentation pipeline ([`hozon_ltv::Augmentable`],
//! ETSI EN 319 142-1 §5.4–5.5): a signed PDF raised to B-T, B-LT and B-LTA,
//! each step one incremental update appended to a working copy, so that
//! `hozon sign --format pades --level`, `hozon extend FILE.pdf`, `archive
//! ingest` and `archive renew --mode pades` make the same files through
//! [`hozon_ltv::Augmenter`].
//!
//! - B-T: a signature made with a TSA carries its signature time stamp
//!   inside the CMS ([`crate::sign_pdf`]); a signature already in the file
//!   cannot be changed (its revision is signed), so one without a time
//!   stamp gets a document time stamp (`ETSI.RFC3161`) over the whole file;
//! - B-LT: the DSS with the certificates and revocation data that
//!   validated every signature and document time stamp, one `/VRI` entry
//!   each ([`crate::dss_update`]); nothing is written when the DSS holds
//!   all of it already;
//! - B-LTA, and each renewal: a document time stamp over everything.
//!
//! A PDF has no archive-time-stamp v2 that later validation data could
//! break: a DSS added after a document time stamp is a permitted change
//! of a later revision.
//!
//! The working copy lies beside the file it was made from (or in a
//! directory given), named as hozon-io names its temporaries so that walks
//! skip it; it is removed unless [`PadesDocument::persist`] puts it in
//! place.

use std::cell::RefCell;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use hozon_cms::UnixTime;
use hozon_ltv::{Augmentable, Profile};
use hozon_tsp::{Stamp, TsaClient};
use hozon_verify::{Evidence, SignatureReport, Verifier};

use crate::lexer::Object;
use crate::pdf::Pdf;
use crate::prepare::{prepare, FieldRequest, Original};
use crate::signature::{self, Kind};
use crate::verify::{trim_contents, verify_pdf_with_evidence, PdfVerification, SignatureEvidence};
use crate::Error;

/// The format's name in the pipeline's messages.
const FORMAT: &str = "PAdES";

fn ltv(e: impl std::fmt::Display) -> hozon_ltv::Error {
    hozon_ltv::Error::Format {
        format: FORMAT,
        reason: e.to_string(),
    }
}

/// A document time stamp from `tsa` over all of `pdf` (whose bytes are
/// read from `original`): the incremental update to append, and the stamp.
pub fn document_timestamp(
    pdf: &Pdf,
    original: Original<'_>,
    tsa: &TsaClient,
) -> Result<(Vec<u8>, Stamp), Error> {
    let mut room = crate::room::TIMESTAMP_ROOM;
    for _ in 0..2 {
        let prepared = prepare(
            pdf,
            &FieldRequest {
                kind: Kind::DocTimeStamp,
                reserve: room,
                time: UnixTime::now(),
                reason: None,
                appearance: None,
            },
        )?;
        let digest = prepared.digest(tsa.digest(), original)?;
        let stamp = tsa.stamp_digest(&digest)?;
        match prepared.fill(stamp.token.der()) {
            Err(Error::ContentsTooSmall { needed, .. }) => {
                room = needed + crate::room::SIGNATURE_ROOM
            }
            Err(e) => return Err(e),
            Ok(update) => return Ok((update, stamp)),
        }
    }
    Err(Error::Unsupported(
        "the time stamp did not fit the room reserved for it twice".into(),
    ))
}

/// The newest genTime of the document time stamps of the PDF at `path`
/// (read structurally, not validated); `None` when it has none or cannot
/// be read. `extend --restamp-after` leaves a PDF alone when this is
/// recent, as [`hozon_ltv::newest_archive_stamp`] does for CAdES.
pub fn newest_document_timestamp(path: &Path) -> Option<UnixTime> {
    let pdf = Pdf::open(path).ok()?;
    signature::find(&pdf)
        .ok()?
        .iter()
        .filter(|s| s.kind == Kind::DocTimeStamp && s.revision.is_some())
        .filter_map(|s| trim_contents(&s.contents).ok())
        .filter_map(|der| hozon_tsp::Token::parse(der, "document time stamp").ok())
        .map(|t| t.gen_time())
        .max()
}

/// Whether the PDF at `path` holds a signature dictionary (`false` also
/// when it cannot be read as a PDF).
pub fn has_signatures(path: &Path) -> bool {
    Pdf::open(path)
        .ok()
        .and_then(|pdf| signature::find(&pdf).ok())
        .is_some_and(|s| !s.is_empty())
}

/// Whether a signature of the PDF at `path` lacks a time stamp: its CMS
/// has no signature time stamp and no document time stamp of a later
/// revision covers it (read structurally; validation says whether the
/// stamps pass).
pub fn needs_timestamp(path: &Path) -> Result<bool, Error> {
    let pdf = Pdf::open(path)?;
    let sigs = signature::find(&pdf)?;
    let stamped_after: Vec<usize> = sigs
        .iter()
        .filter(|s| s.kind == Kind::DocTimeStamp)
        .filter_map(|s| s.revision)
        .collect();
    for sig in sigs.iter().filter(|s| s.kind == Kind::Signature) {
        let Some(rev) = sig.revision else { continue };
        if stamped_after.iter().any(|t| *t > rev) {
            continue;
        }
        let cms = trim_contents(&sig.contents).map_err(Error::Unsupported)?;
        if hozon_ltv::signature_timestamp_inputs(cms)?
            .iter()
            .any(Option::is_some)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the PDF at `path` holds a signature dictionary, or mentions a
/// `/ByteRange` at all (a signed PDF whose structure is broken, which
/// [`crate::verify_pdf`] reports as a failed signature). Reads the file in
/// chunks (constant memory).
pub fn claims_signatures(path: &Path) -> bool {
    if has_signatures(path) {
        return true;
    }
    const NEEDLE: &[u8] = b"/ByteRange";
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = match std::io::Read::read(&mut file, &mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buf[..n]);
        if carry.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
            return true;
        }
        let keep = carry.len().saturating_sub(NEEDLE.len() - 1);
        carry.drain(..keep);
    }
}

/// A signed PDF being augmented: a working copy that receives the
/// incremental updates.
pub struct PadesDocument {
    work: tempfile::NamedTempFile,
    /// What the last [`Augmentable::validate`] relied on, per signature
    /// and document time stamp (the `/VRI` entries of B-LT).
    validated: RefCell<Option<Vec<SignatureEvidence>>>,
    updates: usize,
}

impl std::fmt::Debug for PadesDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PadesDocument")
            .field("work", &self.work.path())
            .field("updates", &self.updates)
            .finish()
    }
}

impl PadesDocument {
    /// A working copy of the PDF at `path`, beside it (streamed: constant
    /// memory).
    pub fn open(path: &Path) -> Result<PadesDocument, Error> {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        PadesDocument::open_in(path, dir)
    }

    /// A working copy of the PDF at `path` in the directory `dir` (on the
    /// file system where the result will be put, so that
    /// [`PadesDocument::persist`] is a rename).
    pub fn open_in(path: &Path, dir: &Path) -> Result<PadesDocument, Error> {
        let io = |file: &Path| {
            let file = file.display().to_string();
            move |source| Error::Io { file, source }
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut work = tempfile::Builder::new()
            .prefix(&format!(".{name}.{}.", std::process::id()))
            .suffix(hozon_io::TEMP_SUFFIX)
            .tempfile_in(dir)
            .map_err(io(dir))?;
        let mut from = std::fs::File::open(path).map_err(io(path))?;
        // The replacement keeps the original's permissions.
        from.metadata()
            .and_then(|m| work.as_file().set_permissions(m.permissions()))
            .map_err(io(work.path()))?;
        std::io::copy(&mut from, work.as_file_mut()).map_err(io(work.path()))?;
        Ok(PadesDocument {
            work,
            validated: RefCell::new(None),
            updates: 0,
        })
    }

    /// The working copy as it stands.
    pub fn path(&self) -> &Path {
        self.work.path()
    }

    /// How many incremental updates were appended so far.
    pub fn updates(&self) -> usize {
        self.updates
    }

    /// The working copy, parsed (in constant memory when large).
    pub fn pdf(&self) -> Result<Pdf, Error> {
        Pdf::open(self.path())
    }

    /// Appends an incremental update.
    pub fn append(&mut self, update: &[u8]) -> Result<(), Error> {
        let file = self.work.path().display().to_string();
        let f = self.work.as_file_mut();
        f.seek(SeekFrom::End(0))
            .and_then(|_| f.write_all(update))
            .map_err(|source| Error::Io { file, source })?;
        self.updates += 1;
        // What was validated is no longer the file.
        self.validated.replace(None);
        Ok(())
    }

    /// Puts the working copy at `dest` (replacing it), durably: the file
    /// and its directory are flushed.
    pub fn persist(self, dest: &Path) -> Result<(), Error> {
        let io = |source| Error::Io {
            file: dest.display().to_string(),
            source,
        };
        self.work.as_file().sync_all().map_err(io)?;
        self.work.persist(dest).map_err(|e| io(e.error))?;
        let dir = dest
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io)
    }

    /// Whether a signature lacks a time stamp ([`needs_timestamp`]).
    pub fn needs_timestamp(&self) -> Result<bool, Error> {
        needs_timestamp(self.path())
    }

    /// Appends a document time stamp from `tsa` over the whole file.
    pub fn add_document_timestamp(&mut self, tsa: &TsaClient) -> Result<Stamp, Error> {
        let pdf = self.pdf()?;
        let (update, stamp) = document_timestamp(&pdf, Original::File(self.path()), tsa)?;
        drop(pdf);
        self.append(&update)?;
        Ok(stamp)
    }

    /// Whether the DSS of the file holds every item of `evidence` and a
    /// `/VRI` entry for each signature it names.
    fn dss_holds(&self, evidence: &[SignatureEvidence]) -> Result<bool, Error> {
        let pdf = self.pdf()?;
        let last = pdf.revisions.len() - 1;
        let (data, _) = crate::dss::read(&pdf, last);
        let vri = vri_keys(&pdf, last)?;
        for sig in evidence {
            if !vri.contains(&crate::dss_update::vri_key(&sig.contents)?) {
                return Ok(false);
            }
            let e = &sig.evidence;
            let all = e.certs.iter().all(|c| data.certs.contains(c))
                && e.crls
                    .iter()
                    .all(|c| data.crls.iter().any(|d| d == c.der()))
                && e.ocsp
                    .iter()
                    .all(|o| data.ocsp_responses.iter().any(|d| d == o.der()));
            if !all {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The keys of the `/VRI` dictionary of revision `rev`'s DSS.
fn vri_keys(pdf: &Pdf, rev: usize) -> Result<Vec<Vec<u8>>, Error> {
    let Some((root, _)) = pdf.trailer(rev).get(b"Root").and_then(Object::reference) else {
        return Ok(Vec::new());
    };
    let Some(Object::Dict(catalog)) = pdf.object(rev, root)? else {
        return Ok(Vec::new());
    };
    let Some(Object::Dict(dss)) = catalog
        .get(b"DSS")
        .map(|d| pdf.resolve(rev, d))
        .transpose()?
        .flatten()
    else {
        return Ok(Vec::new());
    };
    let Some(Object::Dict(vri)) = dss
        .get(b"VRI")
        .map(|v| pdf.resolve(rev, v))
        .transpose()?
        .flatten()
    else {
        return Ok(Vec::new());
    };
    Ok(vri.entries.iter().map(|(k, _, _)| k.clone()).collect())
}

impl Augmentable for PadesDocument {
    fn format(&self) -> &'static str {
        FORMAT
    }

    /// One entry per signature (not document time stamp) in object order:
    /// the signature value its signature time stamp would cover, or `None`
    /// when it has a time stamp (its own or a later document time stamp).
    fn signature_timestamp_inputs(&self) -> Result<Vec<Option<Vec<u8>>>, hozon_ltv::Error> {
        let pdf = self.pdf().map_err(ltv)?;
        let sigs = signature::find(&pdf).map_err(ltv)?;
        let stamps: Vec<usize> = sigs
            .iter()
            .filter(|s| s.kind == Kind::DocTimeStamp)
            .filter_map(|s| s.revision)
            .collect();
        let mut out = Vec::new();
        for sig in sigs.iter().filter(|s| s.kind == Kind::Signature) {
            let covered = sig
                .revision
                .is_some_and(|rev| stamps.iter().any(|t| *t > rev));
            let cms = trim_contents(&sig.contents).map_err(ltv)?;
            let inputs = hozon_ltv::signature_timestamp_inputs(cms)?;
            out.push(if covered {
                None
            } else {
                inputs.into_iter().flatten().next()
            });
        }
        Ok(out)
    }

    /// Refused for a signature that needs one: its revision is signed and
    /// never changes; [`Augmentable::timestamp_signatures`] gives B-T by a
    /// document time stamp instead.
    fn add_signature_timestamps(
        &mut self,
        stamps: &[Option<&Stamp>],
    ) -> Result<(), hozon_ltv::Error> {
        if stamps.iter().all(Option::is_none) {
            return Ok(());
        }
        Err(hozon_ltv::Error::Unsupported {
            format: FORMAT,
            step: "a signature time stamp inside an existing signature (its revision is signed; B-T comes from a document time stamp)",
        })
    }

    fn timestamp_signatures(&mut self, tsa: &TsaClient) -> Result<(), hozon_ltv::Error> {
        if self.needs_timestamp().map_err(ltv)? {
            self.add_document_timestamp(tsa).map_err(ltv)?;
        }
        Ok(())
    }

    fn validate(&self, verifier: &Verifier, label: &str) -> (Vec<SignatureReport>, Evidence) {
        let (verification, per_signature) = match verify_pdf_with_evidence(verifier, self.path()) {
            Ok(v) => v,
            Err(e) => {
                let r = Verifier::format_failure(label, None, &format!("cannot be read: {e}"));
                return (vec![r], Evidence::default());
            }
        };
        let work = self.path().display().to_string();
        let mut reports = match verification {
            PdfVerification::Signed(r) => r,
            PdfVerification::Unsigned => vec![Verifier::format_failure(
                label,
                None,
                "the PDF has no signature to augment",
            )],
        };
        // The reports name the file, not its working copy.
        for r in &mut reports {
            r.file = label.to_owned();
            if r.content.as_deref() == Some(work.as_str()) {
                r.content = Some(label.to_owned());
            }
        }
        let mut evidence = Evidence::default();
        for sig in &per_signature {
            evidence.merge(sig.evidence.clone());
        }
        self.validated.replace(Some(per_signature));
        (reports, evidence)
    }

    /// The DSS from what the last [`Augmentable::validate`] relied on,
    /// one `/VRI` entry per signature and document time stamp (`profile`
    /// does not apply: a PDF keeps its validation data in the DSS).
    fn add_validation_data(
        &mut self,
        _evidence: &Evidence,
        _profile: Profile,
    ) -> Result<bool, hozon_ltv::Error> {
        let Some(per_signature) = self.validated.borrow_mut().take() else {
            return Err(ltv("the PDF must be validated before its DSS is written"));
        };
        if self.dss_holds(&per_signature).map_err(ltv)? {
            return Ok(false);
        }
        let pdf = self.pdf().map_err(ltv)?;
        let update = crate::dss_update::add_dss(&pdf, &per_signature).map_err(ltv)?;
        drop(pdf);
        self.append(&update).map_err(ltv)?;
        Ok(true)
    }

    fn validation_data_sealed(&self) -> Result<bool, hozon_ltv::Error> {
        Ok(false)
    }

    fn add_archive_timestamp(&mut self, tsa: &TsaClient) -> Result<Vec<Stamp>, hozon_ltv::Error> {
        Ok(vec![self.add_document_timestamp(tsa).map_err(ltv)?])
    }

    fn encode(&self) -> Result<Vec<u8>, hozon_ltv::Error> {
        std::fs::read(self.path()).map_err(ltv)
    }
}

/// Where a PDF is written by [`augment_in_place`].
#[derive(Clone, Debug)]
pub struct Augmented {
    /// The file.
    pub path: PathBuf,
    /// Incremental updates appended (0: nothing to do, the file is
    /// unchanged).
    pub updates: usize,
}

/// Raises the signed PDF at `path` to `augmenter`'s level and replaces it
/// atomically (unchanged when nothing was added).
pub fn augment_in_place(
    augmenter: &hozon_ltv::Augmenter,
    path: &Path,
) -> Result<Augmented, hozon_ltv::Error> {
    let mut doc = PadesDocument::open(path).map_err(ltv)?;
    augmenter.augment(&path.display().to_string(), &mut doc)?;
    let updates = doc.updates();
    if updates > 0 {
        doc.persist(path).map_err(ltv)?;
    }
    Ok(Augmented {
        path: path.to_path_buf(),
        updates,
    })
}
