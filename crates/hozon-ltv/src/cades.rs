//! CAdES ([`Augmentable`] for CMS signatures, EN 319 122-1): each step on
//! the DER of the signature, through this crate's CMS functions.

use std::path::{Path, PathBuf};

use hozon_cms::asn1::der::Encode;
use hozon_cms::attributes::all_values;
use hozon_cms::oid::etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
use hozon_cms::{SignatureFile, UnixTime};
use hozon_tsp::{Stamp, TsaClient};
use hozon_verify::{Evidence, SignatureReport, Verifier};

use crate::augmentable::{Augmentable, Profile};
use crate::Error;

/// A CAdES signature file (detached `.p7s` with its document, or
/// enveloping `.p7m`) being augmented.
#[derive(Clone, Debug)]
pub struct CadesSignature {
    der: Vec<u8>,
    content: Option<PathBuf>,
}

impl CadesSignature {
    /// The signature `der`; `content` is the signed document of a detached
    /// signature (`None` when enveloping or unknown).
    pub fn new(der: Vec<u8>, content: Option<&Path>) -> CadesSignature {
        CadesSignature {
            der,
            content: content.map(Path::to_path_buf),
        }
    }

    /// The signature's bytes as they are now.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The bytes, consuming the value.
    pub fn into_der(self) -> Vec<u8> {
        self.der
    }
}

impl Augmentable for CadesSignature {
    fn format(&self) -> &'static str {
        "CAdES"
    }

    fn signature_timestamp_inputs(&self) -> Result<Vec<Option<Vec<u8>>>, Error> {
        crate::signature_timestamp::signature_timestamp_inputs(&self.der)
    }

    fn add_signature_timestamps(&mut self, stamps: &[Option<&Stamp>]) -> Result<(), Error> {
        self.der = crate::signature_timestamp::put_signature_timestamps(&self.der, stamps)?;
        Ok(())
    }

    fn validate(&self, verifier: &Verifier, label: &str) -> (Vec<SignatureReport>, Evidence) {
        verifier.verify_with_evidence(label, &self.der, self.content.as_deref())
    }

    fn add_validation_data(
        &mut self,
        evidence: &Evidence,
        profile: Profile,
    ) -> Result<bool, Error> {
        let der = match profile {
            Profile::Etsi => {
                crate::add_validation_data(
                    &self.der,
                    &evidence.certs,
                    &evidence.crls,
                    &evidence.ocsp,
                )?
                .der
            }
            // revocation-values carries BasicOCSPResponses.
            Profile::Jis => {
                let basic: Vec<Vec<u8>> =
                    evidence.ocsp.iter().filter_map(|r| r.basic_der()).collect();
                crate::add_validation_data_jis(&self.der, &evidence.certs, &evidence.crls, &basic)?
                    .der
            }
        };
        let added = der != self.der;
        self.der = der;
        Ok(added)
    }

    fn validation_data_sealed(&self) -> Result<bool, Error> {
        crate::has_archive_timestamp_v1_or_v2(&self.der)
    }

    fn add_archive_timestamp(&mut self, tsa: &TsaClient) -> Result<Vec<Stamp>, Error> {
        let (der, stamps) = crate::add_archive_timestamp(&self.der, tsa, self.content.as_deref())?;
        self.der = der;
        Ok(stamps)
    }

    fn encode(&self) -> Result<Vec<u8>, Error> {
        Ok(self.der.clone())
    }
}

/// The oldest, across SignerInfos, of each one's newest archive time stamp
/// (archive-time-stamp-v3) genTime; `None` when a SignerInfo has none (or
/// the signature cannot be read: the augmentation will say why). `extend
/// --restamp-after` leaves a signature alone when this is recent.
pub fn newest_archive_stamp(signature: &[u8]) -> Option<UnixTime> {
    let file = SignatureFile::parse(signature).ok()?;
    let mut oldest: Option<UnixTime> = None;
    for si in file.signer_infos() {
        let newest = all_values(si.unsigned_attrs.as_ref(), ID_AA_ETS_ARCHIVE_TIMESTAMP_V3)
            .filter_map(|any| any.to_der().ok())
            .filter_map(|der| hozon_tsp::Token::parse(&der, "archive time stamp").ok())
            .map(|t| t.gen_time())
            .max()?;
        oldest = Some(oldest.map_or(newest, |o| o.min(newest)));
    }
    oldest
}
