//! Signing one PDF file in place: a working copy beside it gets the
//! signature's incremental update (and, with a pipeline, the validation data
//! and archive time stamps up to its level), then replaces the file
//! atomically. On any failure the file is left as it was.

use std::path::Path;

use hozon_ltv::Augmenter;

use crate::augment::PadesDocument;
use crate::prepare::Original;
use crate::sign::{sign_pdf_with, Signing};
use crate::Error;

/// Why a PDF could not be signed in place (the file is unchanged).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignInPlaceError {
    /// The working copy could not be made.
    #[error(transparent)]
    Open(Error),
    /// The file is not a PDF hozon can read.
    #[error("cannot be read as a PDF: {0}")]
    NotReadable(Error),
    /// The signature could not be made (the stamp, the signer, the TSA).
    #[error(transparent)]
    Sign(Error),
    /// The update could not be written to the working copy.
    #[error(transparent)]
    Append(Error),
    /// The pipeline could not raise the signature to its level.
    #[error(transparent)]
    Augment(hozon_ltv::Error),
    /// The working copy could not replace the file.
    #[error(transparent)]
    Persist(Error),
}

/// Signs the PDF at `path` as `signing` says and, with `pipeline`, raises
/// the new signature to its level; the file is replaced atomically once
/// everything succeeded.
pub fn sign_in_place(
    path: &Path,
    signing: &Signing<'_>,
    pipeline: Option<&Augmenter>,
) -> Result<(), SignInPlaceError> {
    let mut doc = PadesDocument::open(path).map_err(SignInPlaceError::Open)?;
    let pdf = doc.pdf().map_err(SignInPlaceError::NotReadable)?;
    let update =
        sign_pdf_with(&pdf, Original::File(doc.path()), signing).map_err(SignInPlaceError::Sign)?;
    drop(pdf);
    doc.append(&update).map_err(SignInPlaceError::Append)?;
    if let Some(pipeline) = pipeline {
        pipeline
            .augment(&path.display().to_string(), &mut doc)
            .map_err(SignInPlaceError::Augment)?;
    }
    doc.persist(path).map_err(SignInPlaceError::Persist)
}
