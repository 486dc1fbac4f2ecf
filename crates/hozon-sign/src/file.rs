//! Signing one file: opened, streamed for a detached signature or read (up to
//! [`MAX_ENVELOPING_CONTENT`]) for an enveloping one.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::cades::{CadesSigner, MAX_ENVELOPING_CONTENT};
use crate::error::Error;

/// Where the signed content goes (EN 319 122-1 §4.1): beside the signature,
/// or inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Packaging {
    /// The signature names the content by its digest only (`FILE.p7s` beside `FILE`).
    Detached,
    /// The signature embeds the content (`eContent`).
    Enveloping,
}

/// Why one file could not be signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignFileError {
    /// The file could not be opened.
    #[error("cannot open: {0}")]
    Open(std::io::Error),
    /// The file is larger than an enveloping signature may embed.
    #[error("{len} bytes is too large for an enveloping signature (limit {MAX_ENVELOPING_CONTENT}); sign it detached")]
    TooLarge {
        /// The file's length.
        len: u64,
    },
    /// The file could not be read for an enveloping signature.
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    /// The signature could not be made.
    #[error(transparent)]
    Sign(#[from] Error),
}

impl CadesSigner {
    /// The CAdES B-B signature of the file at `path`, not yet written: the
    /// content streamed in constant memory ([`Packaging::Detached`]) or read
    /// and embedded ([`Packaging::Enveloping`], refused above
    /// [`MAX_ENVELOPING_CONTENT`] bytes before anything is read).
    pub fn sign_file(&self, path: &Path, packaging: Packaging) -> Result<Vec<u8>, SignFileError> {
        let file = File::open(path).map_err(SignFileError::Open)?;
        match packaging {
            Packaging::Detached => Ok(self.sign_detached(file)?),
            Packaging::Enveloping => {
                let len = file.metadata().map(|m| m.len()).unwrap_or(0);
                if len > MAX_ENVELOPING_CONTENT {
                    return Err(SignFileError::TooLarge { len });
                }
                let mut content = Vec::new();
                file.take(MAX_ENVELOPING_CONTENT + 1)
                    .read_to_end(&mut content)
                    .map_err(SignFileError::Read)?;
                Ok(self.sign_enveloping(&content)?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{AlgorithmChoice, SecretSource, SoftwareSigner};

    fn cades() -> CadesSigner {
        let pki = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pki");
        let signer = SoftwareSigner::from_pem_files(
            &pki.join("signer-doctor.key"),
            &pki.join("signer-doctor.crt"),
            Some(&pki.join("chain.pem")),
            &SecretSource::Env("HOZON_TEST_NO_SUCH_PASSWORD".into()),
            AlgorithmChoice::default(),
        )
        .unwrap();
        CadesSigner::new(Arc::new(signer)).unwrap()
    }

    fn file_with(content: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, content).unwrap();
        f
    }

    #[test]
    fn a_detached_signature_embeds_no_content() {
        let f = file_with(b"discharge summary");
        let p7s = cades().sign_file(f.path(), Packaging::Detached).unwrap();
        let parsed = hozon_cms::SignatureFile::parse(&p7s).unwrap();
        assert_eq!(parsed.econtent().unwrap(), None);
    }

    #[test]
    fn an_enveloping_signature_embeds_the_file() {
        let f = file_with(b"discharge summary");
        let p7s = cades().sign_file(f.path(), Packaging::Enveloping).unwrap();
        let parsed = hozon_cms::SignatureFile::parse(&p7s).unwrap();
        assert_eq!(parsed.econtent().unwrap(), Some(&b"discharge summary"[..]));
    }

    #[test]
    fn a_missing_file_is_an_open_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = cades()
            .sign_file(&dir.path().join("absent.txt"), Packaging::Detached)
            .unwrap_err();
        assert!(matches!(e, SignFileError::Open(_)), "{e:?}");
        assert!(e.to_string().starts_with("cannot open: "), "{e}");
    }

    #[test]
    fn an_oversized_file_is_refused_for_enveloping_before_reading() {
        // Sparse: its length is past the limit without the bytes being written.
        let f = tempfile::NamedTempFile::new().unwrap();
        f.as_file().set_len(MAX_ENVELOPING_CONTENT + 1).unwrap();
        let e = cades()
            .sign_file(f.path(), Packaging::Enveloping)
            .unwrap_err();
        assert!(
            matches!(e, SignFileError::TooLarge { len } if len == MAX_ENVELOPING_CONTENT + 1),
            "{e:?}"
        );
    }
}
