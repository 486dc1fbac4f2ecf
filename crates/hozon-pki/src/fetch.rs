//! Fetching revocation data over HTTP: CRLs from a certificate's CRL
//! distribution points, OCSP responses from its AIA OCSP responder.
//!
//! A batch validates thousands of signatures by the same few CAs on many
//! threads at once. Asking the CA once per signature would be slow and
//! impolite, so every fetch is **single-flight and remembered for the run**:
//! one GET per CRL URL, one POST per (responder URL, CertID); concurrent
//! callers wait for the one request in flight; failures are remembered too
//! (no retry storms), with a reason naming the URL. What was fetched is
//! trusted no more than a file: the caller judges it like any other CRL or
//! OCSP response (signature, issuer, times).

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use hozon_cms::asn1::const_oid::db::rfc5280::{
    ID_AD_OCSP, ID_CE_CRL_DISTRIBUTION_POINTS, ID_PE_AUTHORITY_INFO_ACCESS,
};
use hozon_cms::asn1::der::Decode;
use hozon_cms::asn1::x509_cert::ext::pkix::crl::dp::DistributionPoint;
use hozon_cms::asn1::x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use hozon_cms::asn1::x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, CrlDistributionPoints};
use hozon_cms::Cert;

use crate::crl::MAX_CRL_SIZE;
use crate::ocsp::{request_der, MAX_OCSP_SIZE};
use crate::{Crl, Error, OcspResponse};

/// Limits of the HTTP client.
#[derive(Clone, Debug)]
pub struct FetchConfig {
    /// Time allowed to connect.
    pub connect_timeout: Duration,
    /// Time allowed for a whole request, body included.
    pub timeout: Duration,
    /// The largest CRL read (bytes); larger answers are cut off and refused.
    pub max_crl_size: usize,
    /// The largest OCSP response read (bytes).
    pub max_ocsp_size: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
            max_crl_size: MAX_CRL_SIZE,
            max_ocsp_size: MAX_OCSP_SIZE,
        }
    }
}

type Slot<T> = Arc<OnceLock<Result<Arc<T>, String>>>;
/// An OCSP request: the responder URL and the DER OCSPRequest (its CertID).
type OcspKey = (String, Vec<u8>);

/// Fetches CRLs and OCSP responses, each at most once per run.
pub struct Fetcher {
    client: reqwest::blocking::Client,
    config: FetchConfig,
    crls: Mutex<HashMap<String, Slot<Crl>>>,
    ocsp: Mutex<HashMap<OcspKey, Slot<OcspResponse>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The `http`/`https` URIs among `names`.
fn uris<'a>(
    names: impl Iterator<Item = &'a GeneralName> + 'a,
) -> impl Iterator<Item = String> + 'a {
    names.filter_map(|n| match n {
        GeneralName::UniformResourceIdentifier(u) => {
            let s = u.as_str();
            let lower = s.to_ascii_lowercase();
            (lower.starts_with("http://") || lower.starts_with("https://")).then(|| s.to_owned())
        }
        _ => None,
    })
}

/// The OCSP responder URLs of `cert`'s authorityInfoAccess.
pub fn ocsp_urls(cert: &Cert) -> Vec<String> {
    let mut out = Vec::new();
    for ext in cert.parsed().tbs_certificate.extensions.iter().flatten() {
        if ext.extn_id != ID_PE_AUTHORITY_INFO_ACCESS {
            continue;
        }
        if let Ok(aia) = AuthorityInfoAccessSyntax::from_der(ext.extn_value.as_bytes()) {
            let ocsp = aia
                .0
                .iter()
                .filter(|ad| ad.access_method == ID_AD_OCSP)
                .map(|ad| &ad.access_location);
            out.extend(uris(ocsp));
        }
    }
    out
}

/// The full-name URLs of `cert`'s CRL distribution points.
pub fn crl_urls(cert: &Cert) -> Vec<String> {
    let mut out = Vec::new();
    for ext in cert.parsed().tbs_certificate.extensions.iter().flatten() {
        if ext.extn_id != ID_CE_CRL_DISTRIBUTION_POINTS {
            continue;
        }
        if let Ok(cdp) = CrlDistributionPoints::from_der(ext.extn_value.as_bytes()) {
            for dp in &cdp.0 {
                let DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(names)),
                    ..
                } = dp
                else {
                    continue;
                };
                out.extend(uris(names.iter()));
            }
        }
    }
    out
}

impl Fetcher {
    /// A fetcher with the given limits.
    pub fn new(config: FetchConfig) -> Result<Fetcher, Error> {
        let client = reqwest::blocking::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("hozon/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Fetch {
                url: String::new(),
                reason: format!("cannot create the HTTP client: {e}"),
            })?;
        Ok(Fetcher {
            client,
            config,
            crls: Mutex::new(HashMap::new()),
            ocsp: Mutex::new(HashMap::new()),
        })
    }

    /// The CRL at `url`, fetched at most once per run (concurrent callers
    /// wait for the one request; a failure is remembered).
    pub fn crl(&self, url: &str) -> Result<Arc<Crl>, Error> {
        let slot = {
            let mut map = self.crls.lock().unwrap_or_else(|p| p.into_inner());
            map.entry(url.to_owned()).or_default().clone()
        };
        slot.get_or_init(|| self.fetch_crl(url).map(Arc::new))
            .clone()
            .map_err(|reason| Error::Fetch {
                url: url.to_owned(),
                reason,
            })
    }

    /// The OCSP response from `url` for `cert` (issued by `issuer`), asked
    /// at most once per run and CertID.
    pub fn ocsp(&self, url: &str, cert: &Cert, issuer: &Cert) -> Result<Arc<OcspResponse>, Error> {
        let fail = |reason: String| Error::Fetch {
            url: url.to_owned(),
            reason,
        };
        let request = request_der(cert, issuer).map_err(|e| fail(e.to_string()))?;
        let slot = {
            let mut map = self.ocsp.lock().unwrap_or_else(|p| p.into_inner());
            map.entry((url.to_owned(), request.clone()))
                .or_default()
                .clone()
        };
        slot.get_or_init(|| self.fetch_ocsp(url, &request).map(Arc::new))
            .clone()
            .map_err(fail)
    }

    fn fetch_crl(&self, url: &str) -> Result<Crl, String> {
        let body = self.read(
            self.client.get(check_scheme(url)?),
            self.config.max_crl_size,
        )?;
        // RFC 5280 §4.2.1.13: DER; a PEM file is accepted too.
        match hozon_cms::pem::blocks(&body, "X509 CRL") {
            Ok(Some(blocks)) => match blocks.first() {
                Some(first) => Crl::from_der(first, url),
                None => Crl::from_der(&body, url),
            },
            _ => Crl::from_der(&body, url),
        }
        .map_err(|e| match e {
            Error::BadCrl { reason, .. } => format!("not a CRL: {reason}"),
            other => other.to_string(),
        })
    }

    fn fetch_ocsp(&self, url: &str, request: &[u8]) -> Result<OcspResponse, String> {
        let body = self.read(
            self.client
                .post(check_scheme(url)?)
                .header(reqwest::header::CONTENT_TYPE, "application/ocsp-request")
                .body(request.to_vec()),
            self.config.max_ocsp_size,
        )?;
        let resp = OcspResponse::from_der(&body, url).map_err(|e| match e {
            Error::BadOcsp { reason, .. } => format!("not an OCSP response: {reason}"),
            other => other.to_string(),
        })?;
        if !resp.is_successful() {
            return Err(format!("the responder answered {}", resp.response_status()));
        }
        Ok(resp)
    }

    /// Sends `request` and reads at most `limit` bytes of a 2xx answer.
    fn read(
        &self,
        request: reqwest::blocking::RequestBuilder,
        limit: usize,
    ) -> Result<Vec<u8>, String> {
        let response = request.send().map_err(describe)?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP status {status}"));
        }
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(format!("the answer is larger than the {limit}-byte limit"));
        }
        let mut body = Vec::new();
        response
            .take(limit as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| format!("reading the answer: {e}"))?;
        if body.len() > limit {
            return Err(format!("the answer is larger than the {limit}-byte limit"));
        }
        Ok(body)
    }
}

fn check_scheme(url: &str) -> Result<&str, String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        Ok(url)
    } else {
        Err("only http and https URLs are fetched".into())
    }
}

/// reqwest's error with its causes (the top level alone says only "error
/// sending request").
fn describe(e: reqwest::Error) -> String {
    let mut msg = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}
