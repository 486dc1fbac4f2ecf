//! The augmentation pipeline: a signature raised to a target level — B-T,
//! B-LT (or JIS ES-XL), B-LTA (or ES-A) — for any [`Augmentable`] format.
//! `hozon sign --level`, `hozon extend`, `archive ingest` and `archive
//! renew --mode cades` all go through [`Augmenter::augment`], so they
//! produce exactly the same files.
//!
//! Order matters and follows EN 319 122-1 §5.3–5.5: the signature time
//! stamp first (validation data must cover its TSA), then the validation
//! data of everything so far, then the archive time stamp over all of it.

use std::path::Path;

use hozon_tsp::TsaClient;
use hozon_verify::{Indication, Verifier};

use crate::augmentable::{Augmentable, Profile};
use crate::cades::CadesSignature;
use crate::Error;

/// The level an [`Augmenter`] raises signatures to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// B-T: a signature time stamp on every signature.
    T,
    /// B-LT / ES-XL: B-T plus the validation data.
    Lt,
    /// B-LTA / ES-A: B-LT plus an archive time stamp.
    Lta,
}

/// Adds what a target level needs to signatures, one at a time (share one
/// across a batch's threads).
pub struct Augmenter {
    target: Target,
    profile: Profile,
    tsa: Option<TsaClient>,
    verifier: Option<Verifier>,
}

impl Augmenter {
    /// An augmenter to `target`. `tsa` is needed for B-T and B-LTA (and
    /// used for B-LT when a signature has no time stamp yet); `verifier`
    /// validates each signature before its validation data is embedded
    /// (B-LT, B-LTA; not used for B-T); `profile` says where that data goes.
    pub fn new(
        target: Target,
        profile: Profile,
        tsa: Option<TsaClient>,
        verifier: Option<Verifier>,
    ) -> Result<Augmenter, Error> {
        let verifier = match target {
            Target::T => None,
            Target::Lt | Target::Lta => Some(verifier.ok_or(Error::NoVerifier)?),
        };
        Ok(Augmenter {
            target,
            profile,
            tsa,
            verifier,
        })
    }

    /// The target level.
    pub fn target(&self) -> Target {
        self.target
    }

    /// The TSA client, if any.
    pub fn tsa(&self) -> Option<&TsaClient> {
        self.tsa.as_ref()
    }

    /// The level's name as reports give it.
    pub fn level_name(&self) -> &'static str {
        match (self.target, self.profile) {
            (Target::T, _) => "B-T",
            (Target::Lt, Profile::Etsi) => "B-LT",
            (Target::Lt, Profile::Jis) => "ES-XL",
            (Target::Lta, Profile::Etsi) => "B-LTA",
            (Target::Lta, Profile::Jis) => "ES-A",
        }
    }

    /// The ETSI baseline level it raises to; `None` for the JIS profile's
    /// ES-XL and ES-A, which are not baseline levels.
    pub fn level(&self) -> Option<hozon_verify::Level> {
        match (self.target, self.profile) {
            (Target::T, _) => Some(hozon_verify::Level::BT),
            (Target::Lt, Profile::Etsi) => Some(hozon_verify::Level::BLt),
            (Target::Lta, Profile::Etsi) => Some(hozon_verify::Level::BLta),
            (_, Profile::Jis) => None,
        }
    }

    /// Raises `signature` (in memory) to the target level; `label` names
    /// it in validation reports.
    pub fn augment(&self, label: &str, signature: &mut dyn Augmentable) -> Result<(), Error> {
        if let Some(tsa) = &self.tsa {
            signature.timestamp_signatures(tsa)?;
        }
        if let Some(verifier) = &self.verifier {
            self.validation_data(verifier, label, signature)?;
        }
        if let (Target::Lta, Some(tsa)) = (self.target, &self.tsa) {
            // Both profiles use archive-time-stamp-v3 (EN 319 122-1
            // §5.5.3): it stays valid when later validation data is added,
            // which the older archive-time-stamp v2 of JIS X 5092:2008 does
            // not (verification reads v2 in other tools' signatures).
            signature.add_archive_timestamp(tsa)?;
        }
        Ok(())
    }

    /// The CAdES signature `signature` raised to the target level.
    /// `content` is the signed document of a detached signature (`None`
    /// when enveloping or unknown).
    pub fn apply(
        &self,
        label: &str,
        signature: &[u8],
        content: Option<&Path>,
    ) -> Result<Vec<u8>, Error> {
        let mut cades = CadesSignature::new(signature.to_vec(), content);
        self.augment(label, &mut cades)?;
        Ok(cades.into_der())
    }

    /// B-LT: validates the signature and embeds the certificates and
    /// revocation data that validation relied on. Refuses a signature that
    /// does not validate or has no signature time stamp, and one whose
    /// archive-time-stamp v2 would be broken by the addition.
    fn validation_data(
        &self,
        verifier: &Verifier,
        label: &str,
        signature: &mut dyn Augmentable,
    ) -> Result<(), Error> {
        let (reports, evidence) = signature.validate(verifier, label);
        for r in &reports {
            if r.indication != Indication::TotalPassed {
                return Err(Error::NotValid {
                    indication: r.indication,
                    sub_indication: r.sub_indication,
                    reason: r.errors.first().cloned().unwrap_or_default(),
                });
            }
            if r.timestamps.is_empty() {
                return Err(Error::NeedsSignatureTimestamp);
            }
        }
        // An archive-time-stamp v2 (or v1) hashes the certificates, CRLs and
        // unsigned attributes whole: anything added now would break it, and
        // with it the proof it carries. Refuse rather than damage the file.
        if signature.add_validation_data(&evidence, self.profile)?
            && signature.validation_data_sealed()?
        {
            return Err(Error::SealedByArchiveTimestamp);
        }
        Ok(())
    }
}
