//! OCSP responses (RFC 6960) as revocation evidence, judged **at a given
//! time** with the same semantics as CRLs ([`crate::crl`]).
//!
//! Why not OpenSSL's `OCSP_check_validity`: it compares with *now*, and a
//! response embedded in a B-LT signature is checked again decades after it
//! was produced. So the structure and times are read with `x509-ocsp`, and
//! OpenSSL does only what it is good at: the signature and the responder
//! authorisation of RFC 6960 §4.2.2.2 (`OCSP_basic_verify`: the issuer
//! itself, or a certificate issued directly by it with id-kp-OCSPSigning),
//! with the store's verification time set to producedAt, so an expired
//! responder certificate does not spoil an old, once-valid response.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use hozon_cms::asn1::const_oid::db::rfc5912::{ID_SHA_1, ID_SHA_256};
use hozon_cms::asn1::const_oid::db::rfc6960::ID_PKIX_OCSP_BASIC;
use hozon_cms::asn1::der::asn1::OctetString;
use hozon_cms::asn1::der::{Decode, Encode};
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::Cert;
use openssl::hash::MessageDigest;
use openssl::ocsp::OcspFlag;
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use x509_ocsp::{
    BasicOcspResponse, CertId, CertStatus, OcspResponse as OcspResponseAsn1, OcspResponseStatus,
    ResponseBytes, SingleResponse,
};

use crate::revocation::{reason_name, CLOCK_SKEW_SECS};
use crate::{Error, RevocationStatus, UnixTime};

/// The largest OCSP response accepted (a response for one certificate is a
/// few kilobytes).
pub const MAX_OCSP_SIZE: usize = 1 << 20;

/// A decoded OCSP response.
pub struct OcspResponse {
    origin: String,
    embedded: bool,
    /// The complete OCSPResponse (a bare BasicOCSPResponse is wrapped), as
    /// RFC 5940 id-ri-ocsp-response carries it.
    der: Vec<u8>,
    sha256: [u8; 32],
    status: OcspResponseStatus,
    basic: Option<BasicOcspResponse>,
    produced_at: Option<UnixTime>,
    /// Responder checks per issuer certificate (SHA-256): `Err(reason)` when
    /// the response is not signed by a responder authorised by it.
    verified: Mutex<HashMap<[u8; 32], Result<(), String>>>,
}

crate::revocation::carried_accessors!(OcspResponse, "OCSP response");

impl std::fmt::Debug for OcspResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OcspResponse")
            .field("origin", &self.origin)
            .field("status", &self.status)
            .field("produced_at", &self.produced_at)
            .finish_non_exhaustive()
    }
}

fn gtime(t: &x509_ocsp::OcspGeneralizedTime) -> UnixTime {
    UnixTime::from_x509(&Time::GeneralTime(t.0))
}

fn status_name(s: OcspResponseStatus) -> &'static str {
    match s {
        OcspResponseStatus::Successful => "successful",
        OcspResponseStatus::MalformedRequest => "malformedRequest",
        OcspResponseStatus::InternalError => "internalError",
        OcspResponseStatus::TryLater => "tryLater",
        OcspResponseStatus::SigRequired => "sigRequired",
        OcspResponseStatus::Unauthorized => "unauthorized",
    }
}

impl OcspResponse {
    /// Decodes a DER OCSPResponse, or a bare BasicOCSPResponse (the form
    /// CAdES revocation-values carries); `origin` names it in messages. A
    /// response whose responseStatus is not successful decodes, and gives
    /// status Unknown for every certificate.
    pub fn from_der(der: &[u8], origin: &str) -> Result<OcspResponse, Error> {
        let bad = |reason: String| Error::BadOcsp {
            origin: origin.to_owned(),
            reason,
        };
        if der.len() > MAX_OCSP_SIZE {
            return Err(bad(format!(
                "{} bytes is over the {MAX_OCSP_SIZE}-byte limit",
                der.len()
            )));
        }
        let (full, status, basic) = match OcspResponseAsn1::from_der(der) {
            Ok(resp) => {
                let basic = match (&resp.response_status, &resp.response_bytes) {
                    (OcspResponseStatus::Successful, Some(bytes)) => {
                        if bytes.response_type != ID_PKIX_OCSP_BASIC {
                            return Err(bad(format!(
                                "unsupported response type {}",
                                bytes.response_type
                            )));
                        }
                        Some(
                            BasicOcspResponse::from_der(bytes.response.as_bytes())
                                .map_err(|e| bad(format!("BasicOCSPResponse: {e}")))?,
                        )
                    }
                    (OcspResponseStatus::Successful, None) => {
                        return Err(bad("a successful response without responseBytes".into()))
                    }
                    _ => None,
                };
                (der.to_vec(), resp.response_status, basic)
            }
            Err(outer) => {
                let basic = BasicOcspResponse::from_der(der).map_err(|e| {
                    bad(format!(
                        "neither an OCSPResponse ({outer}) nor a BasicOCSPResponse ({e})"
                    ))
                })?;
                let wrapped = OcspResponseAsn1 {
                    response_status: OcspResponseStatus::Successful,
                    response_bytes: Some(ResponseBytes {
                        response_type: ID_PKIX_OCSP_BASIC,
                        response: OctetString::new(der.to_vec()).map_err(|e| bad(e.to_string()))?,
                    }),
                }
                .to_der()
                .map_err(|e| bad(e.to_string()))?;
                (wrapped, OcspResponseStatus::Successful, Some(basic))
            }
        };
        let produced_at = basic
            .as_ref()
            .map(|b| gtime(&b.tbs_response_data.produced_at));
        Ok(OcspResponse {
            origin: origin.to_owned(),
            embedded: false,
            sha256: openssl::sha::sha256(&full),
            der: full,
            status,
            basic,
            produced_at,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// Reads a DER OCSPResponse (or BasicOCSPResponse) file.
    pub fn read_file(path: &Path) -> Result<OcspResponse, Error> {
        let bytes = crate::read_limited(path, MAX_OCSP_SIZE as u64)?;
        OcspResponse::from_der(&bytes, &path.display().to_string())
    }

    /// The BasicOCSPResponse inside, byte for byte (what CAdES
    /// revocation-values carries); `None` for an unsuccessful response,
    /// which has none.
    pub fn basic_der(&self) -> Option<Vec<u8>> {
        use hozon_cms::asn1::der::Decode;
        let full = OcspResponseAsn1::from_der(&self.der).ok()?;
        full.response_bytes
            .map(|bytes| bytes.response.as_bytes().to_vec())
    }

    /// Whether responseStatus is successful.
    pub fn is_successful(&self) -> bool {
        self.status == OcspResponseStatus::Successful
    }

    /// responseStatus as its RFC 6960 name.
    pub fn response_status(&self) -> &'static str {
        status_name(self.status)
    }

    /// producedAt (None when the response is not successful).
    pub fn produced_at(&self) -> Option<UnixTime> {
        self.produced_at
    }

    /// Who signed the response, as its responderID names it: a
    /// distinguished name, or `key SHA-1 HEX` (None when not successful).
    pub fn responder(&self) -> Option<String> {
        use x509_ocsp::ResponderId;
        let basic = self.basic.as_ref()?;
        Some(match &basic.tbs_response_data.responder_id {
            ResponderId::ByName(name) => name.to_string(),
            ResponderId::ByKey(hash) => format!(
                "key SHA-1 {}",
                hash.as_bytes()
                    .iter()
                    .map(|b| format!("{b:02X}"))
                    .collect::<String>()
            ),
        })
    }

    /// The serial numbers (content octets) the response answers for.
    pub fn serials(&self) -> Vec<Vec<u8>> {
        self.basic
            .iter()
            .flat_map(|b| b.tbs_response_data.responses.iter())
            .map(|r| r.cert_id.serial_number.as_bytes().to_vec())
            .collect()
    }

    /// Whether the response carries a SingleResponse for `cert` issued by
    /// `issuer` (SHA-1 or SHA-256 CertID).
    pub fn covers(&self, cert: &Cert, issuer: &Cert) -> bool {
        self.single(cert, issuer).is_some()
    }

    fn describe(&self) -> String {
        match self.produced_at {
            Some(p) => format!("OCSP response produced {p} ({})", self.origin),
            None => format!("OCSP response ({})", self.origin),
        }
    }

    fn single(&self, cert: &Cert, issuer: &Cert) -> Option<&SingleResponse> {
        let basic = self.basic.as_ref()?;
        basic
            .tbs_response_data
            .responses
            .iter()
            .find(|r| cert_id_matches(&r.cert_id, cert, issuer))
    }

    /// Whether a responder authorised by `issuer` signed the response,
    /// judged at producedAt (cached per issuer).
    fn authorised_by(&self, issuer: &Cert) -> Result<(), String> {
        let mut cache = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(*issuer.sha256())
            .or_insert_with(|| self.check_responder(issuer))
            .clone()
    }

    fn check_responder(&self, issuer: &Cert) -> Result<(), String> {
        let produced_at = self
            .produced_at
            .ok_or_else(|| "the response is not successful".to_owned())?;
        let ssl = |e: openssl::error::ErrorStack| e.to_string();
        let response = openssl::ocsp::OcspResponse::from_der(&self.der).map_err(ssl)?;
        let basic = response.basic().map_err(ssl)?;
        let issuer_x509 = issuer.to_openssl().map_err(ssl)?;
        let mut store = X509StoreBuilder::new().map_err(ssl)?;
        store.add_cert(issuer_x509.clone()).map_err(ssl)?;
        let mut param = X509VerifyParam::new().map_err(ssl)?;
        param.set_time(produced_at.0 as _);
        param
            .set_flags(X509VerifyFlags::PARTIAL_CHAIN)
            .map_err(ssl)?;
        store.set_param(&param).map_err(ssl)?;
        let store = store.build();
        let mut certs = Stack::new().map_err(ssl)?;
        certs.push(issuer_x509).map_err(ssl)?;
        // NO_EXPLICIT: authorisation only by RFC 6960 §4.2.2.2 (issuer or
        // its delegated OCSPSigning responder), never by a trust setting.
        basic
            .verify(&certs, &store, OcspFlag::NO_EXPLICIT)
            .map_err(|e| {
                let reasons: Vec<String> = e
                    .errors()
                    .iter()
                    .filter_map(|x| x.reason().map(str::to_owned))
                    .collect();
                if reasons.is_empty() {
                    e.to_string()
                } else {
                    reasons.join(", ")
                }
            })
    }

    /// The delegated responder that signed this response on behalf of
    /// `issuer` — the carried certificate its responderID names, when that
    /// is not the issuer itself — and whether it carries
    /// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1: without it, the
    /// responder's own certificate must be checked for revocation).
    pub fn delegated_responder(&self, issuer: &Cert) -> Option<(Cert, bool)> {
        use hozon_cms::asn1::const_oid::db::rfc6960::ID_PKIX_OCSP_NOCHECK;
        use x509_ocsp::ResponderId;
        let basic = self.basic.as_ref()?;
        let names = |c: &hozon_cms::asn1::x509_cert::Certificate| match &basic
            .tbs_response_data
            .responder_id
        {
            ResponderId::ByName(name) => c.tbs_certificate.subject == *name,
            ResponderId::ByKey(hash) => {
                let key = c
                    .tbs_certificate
                    .subject_public_key_info
                    .subject_public_key
                    .raw_bytes();
                openssl::sha::sha1(key).as_slice() == hash.as_bytes()
            }
        };
        if names(issuer.parsed()) {
            return None;
        }
        let responder = basic.certs.iter().flatten().find(|c| names(c))?;
        let nocheck = responder
            .tbs_certificate
            .extensions
            .iter()
            .flatten()
            .any(|e| e.extn_id == ID_PKIX_OCSP_NOCHECK);
        Cert::from_parsed(responder.clone())
            .ok()
            .map(|c| (c, nocheck))
    }

    /// The status of `cert` (issued by `issuer`) at `at` according to this
    /// response; `now` rejects responses from the future.
    pub fn status(
        &self,
        cert: &Cert,
        issuer: &Cert,
        at: UnixTime,
        now: UnixTime,
    ) -> RevocationStatus {
        let source = self.describe();
        let unknown = |why: String| RevocationStatus::Unknown {
            reason: format!("{source}: {why}"),
        };
        if !self.is_successful() {
            return unknown(format!("responseStatus is {}", status_name(self.status)));
        }
        let Some(single) = self.single(cert, issuer) else {
            return unknown(format!(
                "it does not cover {} (serial {})",
                cert.subject(),
                cert.serial_hex()
            ));
        };
        if let Err(why) = self.authorised_by(issuer) {
            return unknown(format!(
                "not signed by a responder authorised by {}: {why}",
                issuer.subject()
            ));
        }
        let this_update = gtime(&single.this_update);
        if this_update.0 > now.0 + CLOCK_SKEW_SECS {
            return unknown(format!("its thisUpdate {this_update} is in the future"));
        }
        let next_update = single.next_update.as_ref().map(gtime);
        match &single.cert_status {
            CertStatus::Good(_) => {
                if this_update >= at || next_update.is_none_or(|n| n >= at) {
                    RevocationStatus::Good {
                        source,
                        revoked_later: None,
                    }
                } else {
                    unknown(format!(
                        "it expired at its nextUpdate {}, before the validation time {at}; a newer response is needed",
                        next_update.map(|n| n.to_string()).unwrap_or_default()
                    ))
                }
            }
            CertStatus::Revoked(info) => {
                let revoked_at = gtime(&info.revocation_time);
                if revoked_at <= at {
                    RevocationStatus::Revoked {
                        revoked_at,
                        reason: info.revocation_reason.map(reason_name),
                        source,
                    }
                } else {
                    RevocationStatus::Good {
                        source,
                        revoked_later: Some(revoked_at),
                    }
                }
            }
            CertStatus::Unknown(_) => unknown("the responder says the status is unknown".into()),
        }
    }
}

/// Whether `id` names `cert` issued by `issuer` (RFC 6960 §4.1.1: hashes of
/// the issuer's name and public key, and the serial number).
fn cert_id_matches(id: &CertId, cert: &Cert, issuer: &Cert) -> bool {
    let digest = if id.hash_algorithm.oid == ID_SHA_1 {
        MessageDigest::sha1()
    } else if id.hash_algorithm.oid == ID_SHA_256 {
        MessageDigest::sha256()
    } else {
        return false;
    };
    if id.serial_number != cert.parsed().tbs_certificate.serial_number {
        return false;
    }
    let issuer_tbs = &issuer.parsed().tbs_certificate;
    if cert.parsed().tbs_certificate.issuer != issuer_tbs.subject {
        return false;
    }
    let Ok(name) = issuer_tbs.subject.to_der() else {
        return false;
    };
    let key = issuer_tbs
        .subject_public_key_info
        .subject_public_key
        .raw_bytes();
    let hash = |data: &[u8]| openssl::hash::hash(digest, data).map(|d| d.to_vec());
    matches!((hash(&name), hash(key)), (Ok(n), Ok(k))
        if n == id.issuer_name_hash.as_bytes() && k == id.issuer_key_hash.as_bytes())
}

/// The DER OCSPRequest for `cert` (issued by `issuer`), with a SHA-1 CertID
/// (RFC 5019 §2.1.1: what every responder understands).
pub fn request_der(cert: &Cert, issuer: &Cert) -> Result<Vec<u8>, openssl::error::ErrorStack> {
    let cert = cert.to_openssl()?;
    let issuer = issuer.to_openssl()?;
    let id = openssl::ocsp::OcspCertId::from_cert(MessageDigest::sha1(), &cert, &issuer)?;
    let mut req = openssl::ocsp::OcspRequest::new()?;
    req.add_id(id)?;
    req.to_der()
}
