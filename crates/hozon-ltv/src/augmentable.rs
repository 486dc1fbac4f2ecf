//! What a signature format gives the augmentation pipeline
//! ([`crate::Augmenter`]): the format-specific steps of B-T, B-LT and B-LTA
//! (ETSI EN 319 122-1 §5.3–5.5 for CAdES; EN 319 132-1 for XAdES and
//! EN 319 142-1 for PAdES have the same three steps). The pipeline owns
//! the order, the TSA requests and the rules ("refuse unless
//! TOTAL_PASSED", never break an archive-time-stamp v2); a format only
//! says what is covered and where things go.

use hozon_tsp::{Stamp, TsaClient};
use hozon_verify::{Evidence, SignatureReport, Verifier};

use crate::Error;

/// How validation data is stored (B-LT): the two long-term forms that
/// verification reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// The ETSI baseline form (EN 319 122-1 B-LT: SignedData
    /// `certificates` and `crls`; XAdES `xades:CertificateValues` and
    /// `xades:RevocationValues`; PAdES the DSS dictionary).
    #[default]
    Etsi,
    /// JIS X 5092 / RFC 5126 CAdES-X Long (ES-XL): complete references and
    /// values as unsigned attributes of each signature. A format without
    /// such a form stores the data as with [`Profile::Etsi`].
    Jis,
}

/// A signature file (one or more signatures) the pipeline can raise to a
/// higher level. [`Augmentable::encode`] gives the bytes to write
/// (atomically, by the caller).
///
/// Two shapes of format implement it. CAdES and XAdES keep the file in
/// memory and add each signature time stamp inside its signature (the
/// pair [`Augmentable::signature_timestamp_inputs`] /
/// [`Augmentable::add_signature_timestamps`], which the provided
/// [`Augmentable::timestamp_signatures`] drives). PAdES grows by
/// incremental updates: a signed revision's bytes never change, so a
/// signature without a time stamp gets its B-T from a document time stamp
/// over the whole file (EN 319 142-1 §5.4, one TSA request whose imprint
/// is a digest of the new revision's byte ranges, not octets the pipeline
/// could hold), and the format overrides
/// [`Augmentable::timestamp_signatures`].
pub trait Augmentable {
    /// The format's name in messages ("CAdES", "XAdES", "PAdES").
    fn format(&self) -> &'static str;

    /// B-T, what each signature time stamp covers: one entry per
    /// signature in the file's order, the octets whose digest is the time
    /// stamp's message imprint (CAdES: the SignerInfo's signature value;
    /// XAdES: the canonicalised `ds:SignatureValue` element), or `None`
    /// for a signature that carries a signature time stamp already.
    fn signature_timestamp_inputs(&self) -> Result<Vec<Option<Vec<u8>>>, Error>;

    /// B-T: adds `stamps[i]` as the signature time stamp of the i-th
    /// signature (the order of [`Augmentable::signature_timestamp_inputs`];
    /// `None` leaves that signature alone).
    fn add_signature_timestamps(&mut self, stamps: &[Option<&Stamp>]) -> Result<(), Error>;

    /// B-T: gives every signature without a time stamp one from `tsa`.
    /// The default makes one TSA request per entry of
    /// [`Augmentable::signature_timestamp_inputs`] and adds the stamps with
    /// [`Augmentable::add_signature_timestamps`]; a format whose signed
    /// bytes cannot change after signing (PAdES) overrides it.
    fn timestamp_signatures(&mut self, tsa: &TsaClient) -> Result<(), Error> {
        let inputs = self.signature_timestamp_inputs()?;
        let mut stamps = Vec::with_capacity(inputs.len());
        for input in &inputs {
            stamps.push(match input {
                Some(bytes) => Some(tsa.stamp_data(bytes)?),
                None => None,
            });
        }
        self.add_signature_timestamps(&stamps.iter().map(Option::as_ref).collect::<Vec<_>>())
    }

    /// Validates every signature of the file as it is now with `verifier`
    /// (`label` names the file in reports): the reports, and the
    /// certificates and revocation data the validation relied on.
    fn validate(&self, verifier: &Verifier, label: &str) -> (Vec<SignatureReport>, Evidence);

    /// B-LT: embeds what `evidence` holds and the file does not, in the
    /// form `profile` names. Returns whether anything was added.
    fn add_validation_data(&mut self, evidence: &Evidence, profile: Profile)
        -> Result<bool, Error>;

    /// Whether the file carries an archive time stamp that covers its
    /// validation data whole (CAdES archive-time-stamp v1 or v2), so that
    /// adding validation data would invalidate it.
    fn validation_data_sealed(&self) -> Result<bool, Error>;

    /// B-LTA: computes an archive time stamp over each signature with all
    /// its validation data (CAdES: archive-time-stamp-v3 with its
    /// ats-hash-index-v3), obtains it from `tsa` and adds it. Returns the
    /// stamps.
    fn add_archive_timestamp(&mut self, tsa: &TsaClient) -> Result<Vec<Stamp>, Error>;

    /// The file's encoding as it is now.
    fn encode(&self) -> Result<Vec<u8>, Error>;
}
