//! Creating an archive (`hozon archive init`): the configuration is checked
//! before anything is written — a legal retention, a signer that loads and
//! is not revoked, trust anchors that read, a TSA that gives a test stamp —
//! and only then is the archive laid out ([`crate::session::init`]).

use std::path::Path;

use hozon_ltv::{Cleared, Refused, UnknownStatus};

use crate::config::{Config, RetentionConfig};
use crate::tools;

/// The shortest retention the law allows for medical records (医師法 §24:
/// five years).
pub const MIN_RETENTION_YEARS: u32 = 5;

/// The longest retention or lock margin an archive accepts.
pub const MAX_YEARS: u32 = 1000;

/// How an archive is created.
#[derive(Clone, Copy, Debug)]
pub struct CreateOptions {
    /// What an unknown revocation status of the signer means.
    pub unknown_status: UnknownStatus,
}

/// What [`create`] did.
#[derive(Debug)]
pub enum Created {
    /// The archive exists; the signer's status as checked.
    Created(Cleared),
    /// The signer is revoked, not valid, or (when refused) of unknown
    /// status: nothing was written.
    SignerRefused(Refused),
    /// The TSA gave no test stamp: nothing was written.
    TsaRefused {
        /// The signer's status as checked.
        signer: Cleared,
        /// Why the TSA gave no stamp.
        reason: hozon_tsp::Error,
    },
}

/// Why an archive could not be created (nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The retention is shorter than the law allows.
    #[error("--retention-years {0}: medical records must be kept at least {MIN_RETENTION_YEARS} years (医師法 §24)")]
    RetentionTooShort(u32),
    /// The retention or lock margin is beyond [`MAX_YEARS`].
    #[error("--retention-years and --lock-margin-years are at most {MAX_YEARS}")]
    YearsTooLarge,
    /// The current directory (relative paths are made absolute against it).
    #[error("the current directory")]
    CurrentDir(#[source] std::io::Error),
    /// The signer or TSA configuration is not usable.
    #[error(transparent)]
    Tools(#[from] tools::ToolsError),
    /// The signer does not load (boxed: a load error is large).
    #[error(transparent)]
    Signer(Box<hozon_sign::LoadError>),
    /// The trust anchors, certificates or revocation files do not read.
    #[error(transparent)]
    Verifier(#[from] hozon_verify::BuildError),
    /// The archive could not be laid out.
    #[error(transparent)]
    Archive(#[from] crate::Error),
}

/// Checks the retention bounds: at least [`MIN_RETENTION_YEARS`], and
/// neither the retention nor the lock margin over [`MAX_YEARS`].
pub fn check_retention(r: &RetentionConfig) -> Result<(), CreateError> {
    if r.retention_years < MIN_RETENTION_YEARS {
        return Err(CreateError::RetentionTooShort(r.retention_years));
    }
    if r.retention_years > MAX_YEARS || r.lock_margin_years > MAX_YEARS {
        return Err(CreateError::YearsTooLarge);
    }
    Ok(())
}

/// Creates the archive at `root` with `config` (relative paths in it made
/// absolute against the current directory) once every check passes.
pub fn create(
    root: &Path,
    mut config: Config,
    options: &CreateOptions,
) -> Result<Created, CreateError> {
    check_retention(&config.retention)?;
    let cwd = std::env::current_dir().map_err(CreateError::CurrentDir)?;
    config.absolutize(&cwd);
    // Check now that the signer loads and the trust anchors read, rather
    // than at the first ingest.
    let cades = tools::signer_spec(&config.signer)?
        .load()
        .map_err(|e| CreateError::Signer(Box::new(e)))?;
    tools::verifier_setup(&config, None).build()?;
    // The signer must not be revoked (every ingest would then refuse every
    // file), and the TSA must answer, before the archive exists.
    let check = tools::signer_check(&config, options.unknown_status);
    let signer = cades.signer();
    let cleared = match check.run(signer.certificate(), signer.chain())? {
        Ok(cleared) => cleared,
        Err(refused) => return Ok(Created::SignerRefused(refused)),
    };
    let tsa = tools::tsa_client(
        &config.tsa,
        Default::default(),
        hozon_cms::DigestAlgorithm::Sha256,
    )?;
    if let Some(client) = tsa {
        if let Err(reason) = client.stamp_data(b"hozon archive init: test stamp") {
            return Ok(Created::TsaRefused {
                signer: cleared,
                reason,
            });
        }
    }
    crate::session::init(root, &config)?;
    Ok(Created::Created(cleared))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retention(retention_years: u32, lock_margin_years: u32) -> RetentionConfig {
        RetentionConfig {
            retention_years,
            lock_margin_years,
        }
    }

    #[test]
    fn five_years_is_the_legal_minimum() {
        let err = check_retention(&retention(4, 1)).unwrap_err();
        assert!(matches!(err, CreateError::RetentionTooShort(4)));
        assert_eq!(
            err.to_string(),
            "--retention-years 4: medical records must be kept at least 5 years (医師法 §24)"
        );
        check_retention(&retention(5, 0)).unwrap();
    }

    #[test]
    fn a_thousand_years_is_the_most_for_retention_and_lock_margin() {
        check_retention(&retention(1000, 1000)).unwrap();
        assert!(matches!(
            check_retention(&retention(1001, 1)),
            Err(CreateError::YearsTooLarge)
        ));
        let err = check_retention(&retention(10, 1001)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--retention-years and --lock-margin-years are at most 1000"
        );
    }

    #[test]
    fn a_bad_retention_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("archive");
        let config = Config {
            retention: retention(1, 0),
            ..Config::default()
        };
        let options = CreateOptions {
            unknown_status: UnknownStatus::Refuse,
        };
        assert!(matches!(
            create(&root, config, &options),
            Err(CreateError::RetentionTooShort(1))
        ));
        assert!(!root.exists());
    }
}
