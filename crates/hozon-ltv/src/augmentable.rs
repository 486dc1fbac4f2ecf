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
/// higher level. The file is augmented in memory; [`Augmentable::encode`]
/// gives the bytes to write (atomically, by the caller).
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
