//! Raising a signature in memory to a target level — B-T, B-LT (or JIS
//! ES-XL), B-LTA (or ES-A) — the one pipeline behind `extend` (signatures
//! already on disk) and `sign --level lt|lta` (signatures just made), so
//! both produce exactly the same files.
//!
//! Order matters and follows EN 319 122-1 §5.3-5.5: the signature time
//! stamp first (validation data must cover its TSA), then the validation
//! data of everything so far, then the archive time stamp over all of it.

use std::path::Path;

use hozon_tsp::TsaClient;
use hozon_verify::{Indication, Verifier};

use crate::args::{ProfileArg, RevocationArg, ValidationDataArgs};
use crate::verify::{build_verifier, VerifierSetup};

/// The level an [`Augmenter`] raises signatures to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// B-T.
    T,
    /// B-LT / ES-XL.
    Lt,
    /// B-LTA / ES-A.
    Lta,
}

/// Adds what a target level needs to signatures, one at a time (shared by
/// a batch's threads).
pub struct Augmenter {
    target: Target,
    profile: ProfileArg,
    tsa: Option<TsaClient>,
    verifier: Option<Verifier>,
}

impl Augmenter {
    /// An augmenter to `target`; `tsa` is needed for B-T and B-LTA (and
    /// used for B-LT when a signature has no time stamp yet).
    pub fn new(
        target: Target,
        tsa: Option<TsaClient>,
        validation: &ValidationDataArgs,
    ) -> anyhow::Result<Augmenter> {
        let verifier = match target {
            Target::T => None,
            Target::Lt | Target::Lta => Some(build_verifier(&VerifierSetup {
                trust: &validation.trust,
                crls: &validation.crl,
                ocsp: &validation.ocsp,
                offline: validation.offline,
                certs: &validation.certs,
                revocation: RevocationArg::Require,
                at: None,
                accept_expired_tsa: false,
            })?),
        };
        Ok(Augmenter {
            target,
            profile: validation.profile,
            tsa,
            verifier,
        })
    }

    /// The TSA client, if any.
    pub fn tsa(&self) -> Option<&TsaClient> {
        self.tsa.as_ref()
    }

    /// The level's name as reports give it.
    pub fn level_name(&self) -> &'static str {
        match (self.target, self.profile) {
            (Target::T, _) => "B-T",
            (Target::Lt, ProfileArg::Etsi) => "B-LT",
            (Target::Lt, ProfileArg::Jis) => "ES-XL",
            (Target::Lta, ProfileArg::Etsi) => "B-LTA",
            (Target::Lta, ProfileArg::Jis) => "ES-A",
        }
    }

    /// `signature` raised to the target level. `content` is the signed
    /// document of a detached signature (`None` when enveloping or
    /// unknown); `label` names the signature in messages.
    pub fn apply(
        &self,
        label: &str,
        signature: &[u8],
        content: Option<&Path>,
    ) -> Result<Vec<u8>, String> {
        let mut bytes = signature.to_vec();
        if let Some(tsa) = &self.tsa {
            bytes = hozon_ltv::add_signature_timestamps(&bytes, tsa)
                .map_err(ltv_error)?
                .der;
        }
        if let Some(verifier) = &self.verifier {
            bytes = self.with_validation_data(verifier, label, &bytes, content)?;
        }
        if let (Target::Lta, Some(tsa)) = (self.target, &self.tsa) {
            let digest = |alg: hozon_cms::DigestAlgorithm| -> Result<Vec<u8>, String> {
                let content = content.ok_or("a detached signature needs its document beside it")?;
                std::fs::File::open(content)
                    .and_then(|f| alg.digest_reader(f))
                    .map_err(|e| format!("{}: {e}", content.display()))
            };
            bytes = self.archive_timestamp(&bytes, tsa, &digest)?;
        }
        Ok(bytes)
    }

    /// The archive time stamp each profile adds: the one place that
    /// chooses. Both use archive-time-stamp-v3 (EN 319 122-1 §5.5.3): it
    /// stays valid when later validation data is added, which the older
    /// archive-time-stamp v2 of JIS X 5092:2008 does not (verification
    /// reads v2 in other tools' signatures).
    fn archive_timestamp(
        &self,
        bytes: &[u8],
        tsa: &TsaClient,
        digest: &dyn Fn(hozon_cms::DigestAlgorithm) -> Result<Vec<u8>, String>,
    ) -> Result<Vec<u8>, String> {
        match self.profile {
            ProfileArg::Etsi | ProfileArg::Jis => {
                hozon_ltv::add_archive_timestamp(bytes, tsa, digest)
                    .map(|(der, _)| der)
                    .map_err(ltv_error)
            }
        }
    }

    /// B-LT: validates `bytes` and embeds the certificates and revocation
    /// data that validation relied on, in the SignedData fields (`etsi`)
    /// or as ES-XL attributes (`jis`). Refuses a signature that does not
    /// validate or has no signature time stamp.
    fn with_validation_data(
        &self,
        verifier: &Verifier,
        label: &str,
        bytes: &[u8],
        content: Option<&Path>,
    ) -> Result<Vec<u8>, String> {
        let (reports, evidence) = verifier.verify_with_evidence(label, bytes, content);
        for r in &reports {
            if r.indication != Indication::TotalPassed {
                return Err(format!(
                    "it does not validate ({}{}), so there is no validation data to embed: {}",
                    r.indication,
                    r.sub_indication
                        .map(|s| format!("/{s}"))
                        .unwrap_or_default(),
                    r.errors.first().cloned().unwrap_or_default()
                ));
            }
            if r.timestamps.is_empty() {
                return Err("B-LT needs a signature time stamp first: add --tsa URL".into());
            }
        }
        let augmented = match self.profile {
            ProfileArg::Etsi => hozon_ltv::add_validation_data(
                bytes,
                &evidence.certs,
                &evidence.crls,
                &evidence.ocsp,
            )
            .map(|w| w.der)
            .map_err(|e| e.to_string())?,
            // revocation-values carries BasicOCSPResponses.
            ProfileArg::Jis => {
                let basic: Vec<Vec<u8>> =
                    evidence.ocsp.iter().filter_map(|r| r.basic_der()).collect();
                hozon_ltv::add_validation_data_jis(bytes, &evidence.certs, &evidence.crls, &basic)
                    .map(|w| w.der)
                    .map_err(|e| e.to_string())?
            }
        };
        // An archive-time-stamp v2 (or v1) hashes the certificates, CRLs and
        // unsigned attributes whole: anything added now would break it, and
        // with it the proof it carries. Refuse rather than damage the file.
        if augmented != bytes
            && hozon_ltv::has_archive_timestamp_v1_or_v2(bytes).map_err(|e| e.to_string())?
        {
            return Err("it carries an archive-time-stamp v2 (JIS X 5092:2008 / TS 101 733 ES-A) that covers its certificates, CRLs and unsigned attributes as they are now, and validation data is missing (for the time stamps' TSAs, or revocation data); adding it would invalidate that archive stamp, so the file was left unchanged".into());
        }
        Ok(augmented)
    }
}

/// An augmentation error as a batch reports it; "no TSA left" is given in
/// the words the batch stops with, so that it is reported once.
fn ltv_error(e: hozon_ltv::Error) -> String {
    match e {
        hozon_ltv::Error::Tsp(t @ hozon_tsp::Error::NoTsaLeft(_)) => t.to_string(),
        other => other.to_string(),
    }
}

/// The oldest, across SignerInfos, of each one's newest archive time stamp
/// (archive-time-stamp-v3) genTime; `None` when a SignerInfo has none (or
/// the signature cannot be read: the augmentation will say why).
pub fn newest_archive_stamp(signature: &[u8]) -> Option<hozon_cms::UnixTime> {
    use hozon_cms::asn1::der::Encode;
    use hozon_cms::attributes::all_values;
    use hozon_cms::oid::etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
    let file = hozon_cms::SignatureFile::parse(signature).ok()?;
    let mut oldest: Option<hozon_cms::UnixTime> = None;
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
