//! Time-stamp requests (RFC 3161 §2.4.1) and checking the responses to them
//! (§2.4.2).

use der::asn1::{Int, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use hozon_cms::{Cert, DigestAlgorithm, KeyCache};
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use crate::asn1::{fail_info_names, TimeStampResp};
use crate::{Error, Token};

/// A request, kept so that the response can be checked against it.
#[derive(Clone, Debug)]
pub struct Request {
    /// DER of the TimeStampReq, as sent.
    pub der: Vec<u8>,
    /// The imprint's algorithm.
    pub digest: DigestAlgorithm,
    /// The imprint.
    pub imprint: Vec<u8>,
    /// The nonce (positive INTEGER content octets).
    pub nonce: Vec<u8>,
    /// The requested policy.
    pub policy: Option<ObjectIdentifier>,
}

impl Request {
    /// A request over `imprint` (a `digest` digest), with a fresh 64-bit
    /// random nonce and certReq set (the TSA certificate is needed to verify
    /// the token later, possibly decades from now).
    ///
    /// The imprint's AlgorithmIdentifier has its parameters **absent**, as
    /// RFC 5754 §2 says to generate for SHA-2 (and RFC 3370 §2.1 for
    /// SHA-1). A TSA echoes the request's form into the token's TSTInfo, so
    /// this is also the form every evidence record chain hozon builds uses
    /// (`DigestAlgorithm::identifier`): verifiers that compare the
    /// encodings of a chain's algorithms (Bouncy Castle's
    /// `ERSEvidenceRecord`) then accept time-stamp-renewed records.
    pub fn new(
        digest: DigestAlgorithm,
        imprint: &[u8],
        policy: Option<ObjectIdentifier>,
    ) -> Result<Request, Error> {
        let config = |e: der::Error| Error::Config(format!("cannot encode the request: {e}"));
        if imprint.len() != digest.output_len() {
            return Err(Error::Config(format!(
                "a {digest} imprint is {} bytes, not {}",
                digest.output_len(),
                imprint.len()
            )));
        }
        let mut nonce = random_nonce().map_err(|e| Error::Config(e.to_string()))?;
        // Positive and minimal: clear the top bit, avoid a leading zero byte.
        nonce[0] = (nonce[0] & 0x7f) | 0x40;
        let req = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: digest.identifier(),
                hashed_message: OctetString::new(imprint).map_err(config)?,
            },
            req_policy: policy,
            nonce: Some(Int::new(&nonce).map_err(config)?),
            cert_req: true,
            extensions: None,
        };
        Ok(Request {
            der: req.to_der().map_err(config)?,
            digest,
            imprint: imprint.to_vec(),
            nonce: nonce.to_vec(),
            policy,
        })
    }
}

/// Eight random bytes from a per-thread pool that OpenSSL's generator
/// refills 64 nonces at a time: one `RAND_bytes` call (with its locks and
/// its fork check, a `getpid` system call) per 64 requests rather than per
/// request. hozon never forks without exec, so no two processes share a
/// pool.
fn random_nonce() -> Result<[u8; 8], openssl::error::ErrorStack> {
    use std::cell::RefCell;
    const POOL: usize = 64 * 8;
    thread_local! {
        static RANDOM: RefCell<(usize, [u8; POOL])> = const { RefCell::new((POOL, [0; POOL])) };
    }
    RANDOM.with_borrow_mut(|(used, pool)| {
        if *used + 8 > POOL {
            openssl::rand::rand_bytes(pool)?;
            *used = 0;
        }
        let mut nonce = [0u8; 8];
        nonce.copy_from_slice(&pool[*used..*used + 8]);
        // Each nonce is handed out once.
        pool[*used..*used + 8].fill(0);
        *used += 8;
        Ok(nonce)
    })
}

/// Reads a TimeStampResp: the token when the status is granted (or
/// grantedWithMods), a [`Error::Rejected`] otherwise. Does not check the
/// token against a request (see [`check_response`]) nor verify it.
pub fn parse_response(body: &[u8], origin: &str) -> Result<Token, Error> {
    let malformed = |reason: String| Error::Malformed {
        origin: origin.to_owned(),
        reason,
    };
    if body.is_empty() {
        return Err(malformed("empty response".into()));
    }
    let resp = TimeStampResp::from_der(body)
        .map_err(|e| malformed(format!("not a TimeStampResp: {e}")))?;
    let status = resp.status.status;
    if status > 1 {
        let status_name = match status {
            2 => "rejection",
            3 => "waiting",
            4 => "revocationWarning",
            5 => "revocationNotification",
            _ => "unknown",
        };
        let text = resp
            .status
            .status_string
            .as_ref()
            .map(|v| {
                format!(
                    ": {}",
                    v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")
                )
            })
            .unwrap_or_default();
        let fail_info = resp
            .status
            .fail_info
            .as_ref()
            .map(fail_info_names)
            .filter(|n| !n.is_empty())
            .map(|n| format!("; failInfo: {}", n.join(", ")))
            .unwrap_or_default();
        return Err(Error::Rejected {
            url: origin.to_owned(),
            status,
            status_name: status_name.to_owned(),
            text,
            fail_info,
        });
    }
    let token = resp
        .time_stamp_token
        .ok_or_else(|| malformed("status granted but no timeStampToken".into()))?;
    // The token is the response's last element, and DER left nothing after
    // the response: its encoding is the body's tail, read without a copy.
    let len = token
        .encoded_len()
        .and_then(usize::try_from)
        .map_err(|e| malformed(e.to_string()))?;
    let der = body
        .get(body.len().saturating_sub(len)..)
        .filter(|tail| tail.len() == len)
        .ok_or_else(|| malformed("the timeStampToken's length is inconsistent".into()))?;
    Token::parse(der, origin)
}

/// Reads the response to `request` and checks it answers it: status
/// granted, imprint and nonce equal to the request's, policy as requested,
/// and the token valid apart from the TSA's certificate path (which the
/// caller validates at genTime). Returns the token and the TSA's
/// certificate.
pub fn check_response(
    body: &[u8],
    request: &Request,
    origin: &str,
    keys: &KeyCache,
) -> Result<(Token, Cert), Error> {
    let token = parse_response(body, origin)?;
    let mismatch = |reason: String| Error::Mismatch {
        origin: origin.to_owned(),
        reason,
    };
    let (digest, imprint) = token.imprint();
    if digest != request.digest || imprint != request.imprint.as_slice() {
        return Err(mismatch(format!(
            "the token stamps a different {digest} imprint than was requested (a reply to another request?)"
        )));
    }
    match &token.info().nonce {
        Some(n) if n.as_bytes() == request.nonce.as_slice() => {}
        Some(_) => {
            return Err(mismatch(
                "the nonce differs from the request's (a replayed or misrouted reply?)".into(),
            ))
        }
        None => {
            return Err(mismatch(
                "the nonce of the request is missing (RFC 3161 §2.4.2 requires it)".into(),
            ))
        }
    }
    if let Some(policy) = request.policy {
        if token.info().policy != policy {
            return Err(mismatch(format!(
                "the token's policy {} is not the requested {policy}",
                token.info().policy
            )));
        }
    }
    let tsa = token.verify(&[], keys)?;
    Ok((token, tsa))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_a_positive_nonce_and_cert_req() {
        let r = Request::new(DigestAlgorithm::Sha256, &[7u8; 32], None).unwrap();
        let req = TimeStampReq::from_der(&r.der).unwrap();
        assert!(req.cert_req);
        assert_eq!(req.nonce.unwrap().as_bytes(), r.nonce.as_slice());
        assert_eq!(r.nonce[0] & 0x80, 0);
        let r2 = Request::new(DigestAlgorithm::Sha256, &[7u8; 32], None).unwrap();
        assert_ne!(r.nonce, r2.nonce);
    }

    #[test]
    fn nonces_stay_distinct_across_pool_refills() {
        // Three refills of the per-thread pool, and across threads.
        let here: Vec<[u8; 8]> = (0..200).map(|_| random_nonce().unwrap()).collect();
        let there = std::thread::spawn(|| {
            (0..200)
                .map(|_| random_nonce().unwrap())
                .collect::<Vec<_>>()
        })
        .join()
        .unwrap();
        let all: std::collections::HashSet<[u8; 8]> = here.iter().chain(&there).copied().collect();
        assert_eq!(all.len(), 400);
        assert!(!all.contains(&[0u8; 8]));
    }

    #[test]
    fn sha2_imprint_algorithms_have_absent_parameters() {
        // RFC 5754 §2: generate SHA-2 AlgorithmIdentifiers without
        // parameters (not NULL).
        for (alg, oid_der) in [
            (
                DigestAlgorithm::Sha256,
                &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01][..],
            ),
            (
                DigestAlgorithm::Sha384,
                &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02][..],
            ),
            (
                DigestAlgorithm::Sha512,
                &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03][..],
            ),
        ] {
            let r = Request::new(alg, &vec![7u8; alg.output_len()], None).unwrap();
            let req = TimeStampReq::from_der(&r.der).unwrap();
            assert_eq!(req.message_imprint.hash_algorithm.parameters, None, "{alg}");
            // The encoded AlgorithmIdentifier is exactly SEQUENCE { OID }.
            let mut want = vec![0x30, 2 + oid_der.len() as u8, 0x06, oid_der.len() as u8];
            want.extend_from_slice(oid_der);
            assert_eq!(
                req.message_imprint.hash_algorithm.to_der().unwrap(),
                want,
                "{alg}"
            );
            assert!(r.der.windows(want.len()).any(|w| w == want), "{alg}");
        }
    }

    #[test]
    fn imprint_length_must_fit_the_digest() {
        assert!(Request::new(DigestAlgorithm::Sha256, &[7u8; 20], None).is_err());
    }

    #[test]
    fn garbage_and_empty_responses_are_malformed() {
        for body in [&b""[..], b"\x30\x03\x02\x01", b"<html>busy</html>"] {
            assert!(
                matches!(parse_response(body, "t"), Err(Error::Malformed { .. })),
                "{body:?}"
            );
        }
    }

    #[test]
    fn rejection_is_reported_with_its_reasons() {
        // TimeStampResp { PKIStatusInfo { rejection, ["no"], failInfo badAlg } }
        let body = [
            0x30, 0x0f, 0x30, 0x0d, 0x02, 0x01, 0x02, 0x30, 0x04, 0x0c, 0x02, b'n', b'o', 0x03,
            0x02, 0x07, 0x80,
        ];
        match parse_response(&body, "http://tsa") {
            Err(Error::Rejected {
                status,
                status_name,
                text,
                fail_info,
                ..
            }) => {
                assert_eq!(status, 2);
                assert_eq!(status_name, "rejection");
                assert_eq!(text, ": no");
                assert!(fail_info.contains("badAlg"), "{fail_info}");
            }
            other => panic!("{other:?}"),
        }
    }
}
