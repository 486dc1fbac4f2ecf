//! Is an existing detached signature still about its document? The cheap
//! check a rerun of `sign` makes before it leaves a signature alone: the
//! message-digest signed attribute (RFC 5652 §11.2) of every SignerInfo
//! against the document's digest under that SignerInfo's digest algorithm.
//! Nothing else is checked (no signature value, no certificate): that is
//! `verify`'s job; this only tells a document edited after signing from one
//! that is not.

use std::io::Read;

use der::asn1::OctetString;
use hozon_cms::oid::ID_MESSAGE_DIGEST;
use hozon_cms::{attributes, DigestAlgorithm, SignatureFile};

use crate::Error;

/// What the check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DigestCheck {
    /// Every SignerInfo's message digest is the document's.
    Matches,
    /// The document's digest differs: it was changed after signing.
    Changed {
        /// The algorithm compared with.
        algorithm: DigestAlgorithm,
    },
    /// The signature cannot be compared with a document: enveloping (the
    /// content is inside), or a SignerInfo without signed attributes.
    NotComparable(String),
}

/// Compares the detached `signature` with `content` (read once, whatever
/// the number of SignerInfos, when they share an algorithm).
pub fn check_detached_digest(signature: &[u8], content: impl Read) -> Result<DigestCheck, Error> {
    let file = SignatureFile::parse(signature)?;
    if file.signed_data.encap_content_info.econtent.is_some() {
        return Ok(DigestCheck::NotComparable(
            "an enveloping signature carries its content".into(),
        ));
    }
    let mut expected: Vec<(DigestAlgorithm, Vec<u8>)> = Vec::new();
    for si in file.signer_infos() {
        let algorithm = DigestAlgorithm::from_identifier(&si.digest_alg)?;
        let Some(md) =
            attributes::decode_unique::<OctetString>(si.signed_attrs.as_ref(), ID_MESSAGE_DIGEST)?
        else {
            return Ok(DigestCheck::NotComparable(
                "a SignerInfo has no message-digest attribute".into(),
            ));
        };
        expected.push((algorithm, md.as_bytes().to_vec()));
    }
    let Some(&(first, _)) = expected.first() else {
        return Ok(DigestCheck::NotComparable("no SignerInfo".into()));
    };
    if expected.iter().any(|(a, _)| *a != first) {
        // Rare (counter-signers with another digest): read the content
        // into each algorithm's digester in one pass.
        let mut digesters = Vec::new();
        for (a, _) in &expected {
            digesters.push(hozon_cms::Digester::new(*a).map_err(|e| Error::Crypto(e.to_string()))?);
        }
        let mut content = content;
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = content.read(&mut buf).map_err(Error::ReadContent)?;
            if n == 0 {
                break;
            }
            for d in &mut digesters {
                d.update(&buf[..n])
                    .map_err(|e| Error::Crypto(e.to_string()))?;
            }
        }
        for (d, (algorithm, md)) in digesters.into_iter().zip(&expected) {
            if d.finish().map_err(|e| Error::Crypto(e.to_string()))? != *md {
                return Ok(DigestCheck::Changed {
                    algorithm: *algorithm,
                });
            }
        }
        return Ok(DigestCheck::Matches);
    }
    let actual = first.digest_reader(content).map_err(Error::ReadContent)?;
    if expected.iter().all(|(_, md)| *md == actual) {
        Ok(DigestCheck::Matches)
    } else {
        Ok(DigestCheck::Changed { algorithm: first })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlgorithmChoice, CadesSigner, SecretSource, SoftwareSigner};
    use std::sync::Arc;

    fn signer() -> CadesSigner {
        let pki = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/pki");
        let soft = SoftwareSigner::from_pem_files(
            &pki.join("signer-doctor.key"),
            &pki.join("signer-doctor.crt"),
            Some(&pki.join("chain.pem")),
            &SecretSource::Env("HOZON_TEST_UNUSED_PASSWORD".into()),
            AlgorithmChoice::default(),
        )
        .unwrap();
        CadesSigner::new(Arc::new(soft)).unwrap()
    }

    #[test]
    fn the_signed_document_matches_an_edited_one_does_not() {
        let cades = signer();
        let sig = cades.sign_detached(&b"chart v1"[..]).unwrap();
        assert_eq!(
            check_detached_digest(&sig, &b"chart v1"[..]).unwrap(),
            DigestCheck::Matches
        );
        assert_eq!(
            check_detached_digest(&sig, &b"chart v2"[..]).unwrap(),
            DigestCheck::Changed {
                algorithm: DigestAlgorithm::Sha256
            }
        );
    }

    #[test]
    fn an_enveloping_signature_is_not_comparable() {
        let sig = signer().sign_enveloping(b"inside").unwrap();
        assert!(matches!(
            check_detached_digest(&sig, &b"x"[..]).unwrap(),
            DigestCheck::NotComparable(_)
        ));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(check_detached_digest(b"not cms", &b"x"[..]).is_err());
    }
}
