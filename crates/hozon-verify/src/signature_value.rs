//! Cryptographic verification (EN 319 102-1 §5.2.7): the signature value
//! over the DER encoding of the signed attributes
//! ([`hozon_cms::signed_attrs`]).

use hozon_cms::asn1::x509_cert::attr::Attributes;
use hozon_cms::signed_attrs::{signed_attrs_der, SignedAttrsOrder};
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use crate::findings::Findings;
use crate::report::SubIndication;
use crate::Verifier;

impl Verifier {
    /// Verifies `signature` by `cert` over the DER encoding of `attrs`
    /// (sorted when they arrived in another order, with a warning).
    /// Records a failure; returns whether it verified.
    pub(crate) fn verify_signed_attrs(
        &self,
        cert: &Cert,
        alg: SignatureAlgorithm,
        attrs: &Attributes,
        signature: &[u8],
        f: &mut Findings,
    ) -> bool {
        let (order, message) = match signed_attrs_der(attrs) {
            Ok(der) => der,
            Err(e) => {
                f.fail(
                    SubIndication::FormatFailure,
                    format!("signed attributes cannot be re-encoded: {e}"),
                );
                return false;
            }
        };
        if order == SignedAttrsOrder::NotDer {
            f.warn(
                "the signed attributes are not in DER order; the signature value is checked over their DER encoding (RFC 5652 5.4), which sorts them",
            );
        }
        match self.verify_value(cert, alg, &message, signature) {
            Ok(()) => true,
            Err(why) => {
                f.fail(
                    SubIndication::SigCryptoFailure,
                    format!("the signature value does not verify: {why}"),
                );
                false
            }
        }
    }
}

/// Warns when the signature algorithm names another hash than the
/// SignerInfo's digestAlgorithm (e.g. sha512WithRSAEncryption over a SHA-256
/// message digest). The message-digest attribute is checked with
/// digestAlgorithm; the signature value with the hash its
/// signatureAlgorithm names — the identifier says what the value is.
/// OpenSSL and DSS verify such a value with digestAlgorithm's hash instead
/// (see docs/interoperability.md).
pub(crate) fn warn_digest_mismatch(
    digest_alg: DigestAlgorithm,
    sig_alg: SignatureAlgorithm,
    f: &mut Findings,
) {
    if let Some(d) = sig_alg.digest() {
        if d != digest_alg {
            f.warn(format!(
                "the signatureAlgorithm ({sig_alg}) names another hash than the digestAlgorithm ({digest_alg}): the message digest is checked with {digest_alg}, the signature value with {d}"
            ));
        }
    }
}
