//! A [`Verifier`] from validation settings (the command line's, or
//! `hozon.toml`'s `[validation]` and `[crypto]`): trust anchor files, CRL
//! and OCSP response files, extra certificates, whether revocation data may
//! be fetched, the revocation policy, the validation time and the dated
//! crypto policy. One builder for `verify`, `extend`, `sign --level`,
//! `scan --sign` and the archive, so that each reads the files the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hozon_pki::{
    ChainValidator, Crl, CrlSet, FetchConfig, Fetcher, OcspResponse, RevocationPolicy,
    TrustAnchors, UnixTime,
};

use crate::policy::PolicyError;
use crate::{AlgorithmPolicy, Verifier, VerifierConfig};

/// Why a verifier could not be built (a file named in the settings).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A trust anchor, CRL, OCSP or certificate file could not be read, or
    /// the revocation fetcher could not start.
    #[error(transparent)]
    Pki(#[from] hozon_pki::Error),
    /// An OCSP response file holds an unsuccessful response (no status).
    #[error("{}: the OCSP responseStatus is {status}, not successful", path.display())]
    OcspUnsuccessful {
        /// The file.
        path: PathBuf,
        /// Its responseStatus.
        status: String,
    },
    /// A `certs` file holds no readable certificate.
    #[error("{}: not a certificate file: {reason}", path.display())]
    NotCertificates {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: hozon_cms::Error,
    },
    /// A crypto policy file could not be read.
    #[error("--crypto-policy {}: {reason}", path.display())]
    CryptoPolicyFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        reason: std::io::Error,
    },
    /// A crypto policy is not valid.
    #[error(transparent)]
    CryptoPolicy(#[from] PolicyError),
}

/// What a verifier is built from.
#[derive(Clone, Debug, Default)]
pub struct VerifierSetup {
    /// Trust anchor files (PEM).
    pub trust: Vec<PathBuf>,
    /// CRL files.
    pub crls: Vec<PathBuf>,
    /// OCSP response files (DER OCSPResponse).
    pub ocsp: Vec<PathBuf>,
    /// Extra certificate files (intermediates, TSA certificates).
    pub certs: Vec<PathBuf>,
    /// Fetch no revocation data.
    pub offline: bool,
    /// What a missing revocation status means.
    pub revocation: RevocationPolicy,
    /// The validation time (`None`: now).
    pub at: Option<UnixTime>,
    /// Accept a signature time stamp whose TSA certificate has expired
    /// since (see [`VerifierConfig::accept_expired_tsa`]).
    pub accept_expired_tsa: bool,
    /// The dated algorithm policy.
    pub algorithms: AlgorithmPolicy,
}

impl VerifierSetup {
    /// The verifier these settings describe (every file read now).
    pub fn build(&self) -> Result<Verifier, BuildError> {
        let mut anchors = TrustAnchors::new();
        for t in &self.trust {
            anchors.add_file(t)?;
        }
        let crls = read_revocation_files(&self.crls, &self.ocsp)?;
        let extra_certs = read_cert_files(&self.certs)?;
        let chains = chain_validator(anchors, crls, self.revocation, self.offline)?;
        Ok(Verifier::new(
            chains,
            VerifierConfig {
                validation_time: self.at.unwrap_or_else(UnixTime::now),
                algorithms: self.algorithms.clone(),
                accept_expired_tsa: self.accept_expired_tsa,
                extra_certs,
            },
        ))
    }
}

/// A chain validator at the current time, fetching missing revocation
/// data unless `offline`.
pub fn chain_validator(
    anchors: TrustAnchors,
    crls: CrlSet,
    policy: RevocationPolicy,
    offline: bool,
) -> Result<ChainValidator, BuildError> {
    let mut chains = ChainValidator::new(anchors, crls, policy, UnixTime::now());
    if !offline {
        chains = chains.with_fetcher(Arc::new(Fetcher::new(FetchConfig::default())?));
    }
    Ok(chains)
}

/// The CRLs and OCSP responses of these files; an unsuccessful OCSP
/// response is refused.
pub fn read_revocation_files(crl: &[PathBuf], ocsp: &[PathBuf]) -> Result<CrlSet, BuildError> {
    let mut crls = CrlSet::new();
    for path in crl {
        for crl in Crl::read_file(path)? {
            crls.add(Arc::new(crl));
        }
    }
    for path in ocsp {
        let resp = OcspResponse::read_file(path)?;
        if !resp.is_successful() {
            return Err(BuildError::OcspUnsuccessful {
                path: path.clone(),
                status: resp.response_status().to_string(),
            });
        }
        crls.add_ocsp(Arc::new(resp));
    }
    Ok(crls)
}

/// The certificates of these files (PEM or DER bundles).
pub fn read_cert_files(paths: &[PathBuf]) -> Result<Vec<hozon_cms::Cert>, BuildError> {
    let mut certs = Vec::new();
    for path in paths {
        let bytes = hozon_pki::read_limited(path, hozon_pki::MAX_CERT_FILE_SIZE)?;
        certs.extend(hozon_cms::Cert::read_bundle(&bytes).map_err(|reason| {
            BuildError::NotCertificates {
                path: path.clone(),
                reason,
            }
        })?);
    }
    Ok(certs)
}

/// The algorithm policy of a crypto policy file (TOML with a `[crypto]`
/// table overriding entries of the built-in table).
pub fn read_crypto_policy(path: &Path) -> Result<AlgorithmPolicy, BuildError> {
    let text = std::fs::read_to_string(path).map_err(|reason| BuildError::CryptoPolicyFile {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok(AlgorithmPolicy::from_toml(
        &text,
        &path.display().to_string(),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_trust_file_is_named() {
        let setup = VerifierSetup {
            trust: vec![PathBuf::from("/nonexistent/roots.pem")],
            offline: true,
            ..VerifierSetup::default()
        };
        let e = setup
            .build()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("/nonexistent/roots.pem"), "{e}");
    }

    #[test]
    fn a_file_without_certificates_is_refused_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("certs.pem");
        std::fs::write(&path, b"not a certificate").unwrap();
        match read_cert_files(std::slice::from_ref(&path)) {
            Err(BuildError::NotCertificates { path: p, .. }) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_crypto_policy_file_names_the_flag() {
        let e = read_crypto_policy(Path::new("/nonexistent/policy.toml")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("--crypto-policy /nonexistent/policy.toml: "),
            "{e}"
        );
    }

    #[test]
    fn the_validation_time_is_the_one_given() {
        let at = UnixTime(1_700_000_000);
        let v = VerifierSetup {
            offline: true,
            at: Some(at),
            ..VerifierSetup::default()
        }
        .build()
        .unwrap();
        assert_eq!(v.validation_time(), at);
    }
}
