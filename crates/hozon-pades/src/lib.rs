//! PAdES (ETSI EN 319 142-1) for hozon: a PDF's revisions, signature
//! dictionaries and byte ranges, the Document Security Store, document time
//! stamps, and what changed after each signature.
//!
//! [`verify_pdf`] verifies every signature of a PDF: the `/ByteRange` must
//! cover its revision except exactly its `/Contents` ([`signature`]), the
//! CMS inside is verified by hozon-verify's CAdES engine over those byte
//! ranges with the DSS as validation data and passing document time stamps
//! as proof of existence, and every later incremental update is classified
//! ([`diff`]): anything PAdES does not allow makes the signature not cover
//! the whole document, and the signature fails.
//!
//! The PDF is read by our own exact parser ([`pdf`], [`lexer`]): offsets
//! must point where they say, nothing is repaired.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Which revision each signature signs, and what changed after it.
//! let pdf = hozon_pades::Pdf::parse(std::fs::read("letter.pdf")?)?;
//! for sig in hozon_pades::signature::find(&pdf)? {
//!     match sig.revision {
//!         Some(rev) => {
//!             for change in hozon_pades::diff::analyse(&pdf, rev, sig.docmdp) {
//!                 println!("{}: {} (allowed: {})", sig.field, change.description, change.allowed);
//!             }
//!         }
//!         None => println!("{}: refused: {}", sig.field, sig.problems.join("; ")),
//!     }
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod appearance;
pub mod augment;
mod date;
pub mod diff;
mod dss;
pub mod dss_update;
pub mod lexer;
mod page_tree;
pub mod pdf;
pub mod prepare;
mod room;
pub mod sign;
mod sign_in_place;
pub mod signature;
mod verify;
pub mod writer;

pub use augment::{augment_in_place, PadesDocument};
pub use pdf::{is_pdf, Pdf};
pub use sign::{add_document_timestamp, add_validation_data, sign_pdf, sign_pdf_with, Signing};
pub use sign_in_place::{sign_in_place, SignInPlaceError};
pub use verify::{
    is_pdf_file, verify_pdf, verify_pdf_with_evidence, PdfVerification, SignatureEvidence,
};

/// Why a PDF could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No `%PDF-` header.
    #[error("not a PDF (no %PDF- header)")]
    NotPdf,
    /// A syntax error at a byte offset.
    #[error("PDF syntax error at byte {offset}: {reason}")]
    Syntax {
        /// Where.
        offset: usize,
        /// What.
        reason: String,
    },
    /// A stream could not be decoded.
    #[error("a PDF stream cannot be decoded: {0}")]
    Stream(String),
    /// A structure hozon does not read.
    #[error("unsupported PDF structure: {0}")]
    Unsupported(String),
    /// The PDF is encrypted.
    #[error("the PDF is encrypted (/Encrypt): hozon does not sign or extend encrypted PDFs; decrypt it first (e.g. qpdf --decrypt)")]
    Encrypted,
    /// The signature or time stamp is larger than the room reserved for it.
    #[error("the signature needs {needed} bytes, but /Contents holds only {reserved}")]
    ContentsTooSmall {
        /// Bytes of DER to be written.
        needed: usize,
        /// Bytes of DER /Contents can hold.
        reserved: usize,
    },
    /// The visible signature stamp cannot be made.
    #[error(transparent)]
    Stamp(#[from] appearance::StampError),
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] hozon_sign::Error),
    /// Adding a signature time stamp failed.
    #[error(transparent)]
    Ltv(#[from] hozon_ltv::Error),
    /// The time-stamp authority failed.
    #[error(transparent)]
    Tsp(#[from] hozon_tsp::Error),
    /// The signatures do not validate, so no validation data is added.
    #[error("{0}")]
    NotValidated(String),
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The error.
        source: std::io::Error,
    },
}
