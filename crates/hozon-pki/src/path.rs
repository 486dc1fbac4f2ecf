//! RFC 5280 path building and validation at a given time, by OpenSSL.
//!
//! Configured anchors are trust anchors in the RFC 5280 sense whether or not
//! they are self-signed (`X509_V_FLAG_PARTIAL_CHAIN`), so a hospital may
//! trust exactly one HPKI signing CA instead of its whole root.

use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509StoreContext, X509};
use openssl_sys as ffi;

use hozon_cms::Cert;

use crate::{PathError, TrustAnchors, UnixTime};

/// Longest path accepted (intermediates between the end entity and the
/// anchor). HPKI paths have one; public PKIs rarely exceed four. The cap
/// bounds the work a hostile bag of certificates can cause.
pub const MAX_INTERMEDIATES: i32 = 6;

/// Validates `leaf` at time `at` against `anchors`, using `intermediates` as
/// candidate issuers. Returns the path, end entity first, anchor last.
pub fn validate(
    anchors: &TrustAnchors,
    leaf: &Cert,
    intermediates: &[Cert],
    at: UnixTime,
) -> Result<Vec<Cert>, PathError> {
    let internal = |e: openssl::error::ErrorStack| PathError::Internal(e.to_string());
    let mut builder = X509StoreBuilder::new().map_err(internal)?;
    for anchor in anchors.certs() {
        builder
            .add_cert(anchor.to_openssl().map_err(internal)?)
            .map_err(internal)?;
    }
    let mut param = X509VerifyParam::new().map_err(internal)?;
    param.set_time(at.0 as _);
    param.set_depth(MAX_INTERMEDIATES + 1);
    param
        .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
        .map_err(internal)?;
    builder.set_param(&param).map_err(internal)?;
    let store = builder.build();

    let leaf_x509 = leaf.to_openssl().map_err(internal)?;
    let mut untrusted = Stack::<X509>::new().map_err(internal)?;
    for c in intermediates {
        untrusted
            .push(c.to_openssl().map_err(internal)?)
            .map_err(internal)?;
    }
    let mut ctx = X509StoreContext::new().map_err(internal)?;
    let outcome = ctx
        .init(&store, &leaf_x509, &untrusted, |c| {
            if c.verify_cert()? {
                let chain = c
                    .chain()
                    .map(|s| s.iter().map(|x| x.to_der()).collect::<Result<Vec<_>, _>>())
                    .transpose()?
                    .unwrap_or_default();
                Ok(Ok(chain))
            } else {
                let subject = c.current_cert().and_then(|x| x.to_der().ok());
                Ok(Err((c.error(), c.error_depth(), subject)))
            }
        })
        .map_err(internal)?;
    match outcome {
        Ok(chain_der) => {
            let chain = chain_der
                .iter()
                .map(|der| Cert::from_der(der).map_err(|e| PathError::Internal(e.to_string())))
                .collect::<Result<Vec<_>, _>>()?;
            match chain.iter().find_map(version_violation) {
                Some(err) => Err(err),
                None => Ok(chain),
            }
        }
        Err((error, depth, current)) => {
            let current = current
                .and_then(|d| Cert::from_der(&d).ok())
                .unwrap_or_else(|| leaf.clone());
            Err(classify(
                error.as_raw(),
                error.error_string(),
                depth,
                &current,
                at,
            ))
        }
    }
}

/// RFC 5280 §4.1.2.9: extensions only in a v3 certificate (§4.1.2.8: unique
/// identifiers only in v2 or v3). OpenSSL checks this only in its
/// `X509_STRICT` mode, whose other checks would refuse certificates that
/// are merely unusual; a v1 certificate carrying extensions is malformed
/// (a v1-only reader would skip its constraints), so it never validates.
fn version_violation(cert: &Cert) -> Option<PathError> {
    use hozon_cms::asn1::x509_cert::certificate::Version;
    let tbs = &cert.parsed().tbs_certificate;
    let reason = if tbs.extensions.is_some() && tbs.version != Version::V3 {
        "a certificate with extensions that is not X.509 v3 (RFC 5280 4.1.2.9)"
    } else if (tbs.issuer_unique_id.is_some() || tbs.subject_unique_id.is_some())
        && tbs.version == Version::V1
    {
        "an X.509 v1 certificate with unique identifiers (RFC 5280 4.1.2.8)"
    } else {
        return None;
    };
    Some(PathError::Constraints {
        reason: reason.to_owned(),
        subject: cert.subject(),
    })
}

fn classify(code: i32, reason: &str, depth: u32, cert: &Cert, at: UnixTime) -> PathError {
    let subject = cert.subject();
    let (not_before, not_after) = cert.validity_unix();
    let to_time = |s: u64| UnixTime(i64::try_from(s).unwrap_or(i64::MAX));
    match code {
        ffi::X509_V_ERR_CERT_HAS_EXPIRED => PathError::Expired {
            subject,
            not_after: to_time(not_after),
            at,
            depth,
        },
        ffi::X509_V_ERR_CERT_NOT_YET_VALID => PathError::NotYetValid {
            subject,
            not_before: to_time(not_before),
            at,
            depth,
        },
        ffi::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT
        | ffi::X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
        | ffi::X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
        | ffi::X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN
        | ffi::X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE
        | ffi::X509_V_ERR_CERT_UNTRUSTED
        | ffi::X509_V_ERR_CERT_CHAIN_TOO_LONG => PathError::NoPath {
            reason: reason.to_owned(),
            subject,
        },
        ffi::X509_V_ERR_CERT_SIGNATURE_FAILURE
        | ffi::X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE
        | ffi::X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY => PathError::BadSignature {
            reason: reason.to_owned(),
            subject,
        },
        _ => PathError::Constraints {
            reason: reason.to_owned(),
            subject,
        },
    }
}
