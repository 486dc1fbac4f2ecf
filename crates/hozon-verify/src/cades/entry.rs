//! The CAdES entry points of the [`Verifier`]: a CMS signature file (with
//! its detached content, if any) in, one report per SignerInfo out.

use std::path::Path;

use hozon_pki::UnixTime;

use crate::content::{DetachedContent, ValidationData};
use crate::evidence::Evidence;
use crate::report::SignatureReport;
use crate::Verifier;

use super::Request;

/// What [`Verifier::verify_inner`] verifies against.
struct Input<'a> {
    detached: Option<DetachedContent<'a>>,
    external: &'a ValidationData,
}

/// No validation data from outside the signature.
static NO_EXTERNAL_DATA: std::sync::LazyLock<ValidationData> =
    std::sync::LazyLock::new(ValidationData::default);

impl<'a> Input<'a> {
    /// A detached content file, if any, and nothing else.
    fn path(detached: Option<&'a Path>) -> Input<'a> {
        Input {
            detached: detached.map(DetachedContent::File),
            external: &NO_EXTERNAL_DATA,
        }
    }
}

impl Verifier {
    /// Verifies the signature `bytes` (read from the file named `label`).
    /// `detached` is the content file: required for a detached signature;
    /// for a signature that embeds its content it must, if it exists, be
    /// identical to the embedded content (otherwise the signature would
    /// appear to vouch for a file it does not cover).
    pub fn verify(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> Vec<SignatureReport> {
        self.verify_with_evidence(label, bytes, detached).0
    }

    /// As [`Verifier::verify`], also returning the certificates and CRLs the
    /// validation relied on (what `extend --level lt` embeds).
    pub fn verify_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
    ) -> (Vec<SignatureReport>, Evidence) {
        let mut evidence = Evidence::default();
        let reports = self.verify_inner(label, bytes, Input::path(detached), None, &mut evidence);
        (reports, evidence)
    }

    /// As [`Verifier::verify`], with an external proof that the signature
    /// file `bytes` existed at `poe` — the proven time of an RFC 4998
    /// evidence record over it ([`Verifier::verify_evidence_record`]; only
    /// pass a time from a record that PASSED). The proof counts like a
    /// signature time stamp: the signer's certificate, its path and
    /// revocation are judged at `poe` when they fail now for reasons time
    /// cures (expiry, later revocation, missing current revocation data),
    /// the algorithms as of `poe`, and signature time stamps must be
    /// trustworthy only until `poe`. An archived B-B signature whose signer
    /// certificate has expired since thus stays valid.
    pub fn verify_with_poe(
        &self,
        label: &str,
        bytes: &[u8],
        detached: Option<&Path>,
        poe: UnixTime,
    ) -> Vec<SignatureReport> {
        let mut evidence = Evidence::default();
        self.verify_inner(
            label,
            bytes,
            Input::path(detached),
            Some(poe),
            &mut evidence,
        )
    }

    /// As [`Verifier::verify`] (or [`Verifier::verify_with_poe`] when
    /// `poe` is given) over detached `content` that may be byte ranges of a
    /// file (a PDF signature's `/ByteRange`), with validation data found
    /// outside the signature (`external`: a PDF's Document Security Store)
    /// used like the data embedded in it.
    pub fn verify_detached(
        &self,
        label: &str,
        bytes: &[u8],
        content: DetachedContent<'_>,
        external: &ValidationData,
        poe: Option<UnixTime>,
    ) -> Vec<SignatureReport> {
        self.verify_detached_with_evidence(label, bytes, content, external, poe)
            .0
    }

    /// As [`Verifier::verify_detached`], also returning the certificates
    /// and revocation data the validation relied on (what a PDF's Document
    /// Security Store receives at B-LT).
    pub fn verify_detached_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        content: DetachedContent<'_>,
        external: &ValidationData,
        poe: Option<UnixTime>,
    ) -> (Vec<SignatureReport>, Evidence) {
        let mut evidence = Evidence::default();
        let input = Input {
            detached: Some(content),
            external,
        };
        let reports = self.verify_inner(label, bytes, input, poe, &mut evidence);
        (reports, evidence)
    }

    fn verify_inner(
        &self,
        label: &str,
        bytes: &[u8],
        input: Input<'_>,
        external_poe: Option<UnixTime>,
        evidence: &mut Evidence,
    ) -> Vec<SignatureReport> {
        let request = Request {
            label,
            bytes,
            detached: input.detached,
            external: input.external,
        };
        super::verify(self, request, external_poe, evidence)
    }
}
