//! Chain validation with revocation, cached across a batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use hozon_cms::Cert;

use crate::fetch::{crl_urls, ocsp_urls, Fetcher};
use crate::{
    path, CrlSet, PathError, RevocationEvidence, RevocationPolicy, RevocationStatus, TrustAnchors,
    UnixTime,
};

/// Entries kept before the cache is emptied (a batch over many signers must
/// not grow without bound).
const CACHE_LIMIT: usize = 100_000;

/// The revocation status of one certificate of a path.
#[derive(Clone, Debug)]
pub struct CertStatus {
    /// The certificate.
    pub cert: Cert,
    /// Its status at the validation time.
    pub status: RevocationStatus,
    /// The CRL or OCSP response the status was read from.
    pub evidence: Option<crate::RevocationEvidence>,
}

/// The outcome of validating one certificate at one time.
#[derive(Clone, Debug)]
pub struct ChainReport {
    /// The path (end entity first, anchor last), or why there is none.
    pub path: Result<Vec<Cert>, PathError>,
    /// Revocation status of each certificate of the path except the anchor,
    /// end entity first. Empty when there is no path.
    pub revocation: Vec<CertStatus>,
}

/// Validates certification paths against fixed anchors, CRLs and policy,
/// remembering every result for the rest of the run.
pub struct ChainValidator {
    anchors: TrustAnchors,
    crls: CrlSet,
    policy: RevocationPolicy,
    now: UnixTime,
    cache: Mutex<HashMap<[u8; 32], Arc<ChainReport>>>,
    /// Paths found valid, per (leaf, intermediates) whatever the time: a
    /// path valid at one time is valid at any other time inside every one
    /// of its certificates' validity periods (nothing else in RFC 5280 path
    /// validation depends on the time). Signatures validated at their own
    /// time-stamp times would otherwise rebuild the same path every time.
    paths: Mutex<HashMap<[u8; 32], Vec<Cert>>>,
    fetcher: Option<Arc<Fetcher>>,
    /// What the fetcher brought this run, shared by every validation (a
    /// CRL fetched once serves every certificate of its issuer; each is
    /// held once, behind an `Arc`).
    fetched: RwLock<CrlSet>,
}

impl ChainValidator {
    /// A validator; `now` is the current time, used to reject CRLs from
    /// the future.
    pub fn new(
        anchors: TrustAnchors,
        crls: CrlSet,
        policy: RevocationPolicy,
        now: UnixTime,
    ) -> ChainValidator {
        ChainValidator {
            anchors,
            crls,
            policy,
            now,
            cache: Mutex::new(HashMap::new()),
            paths: Mutex::new(HashMap::new()),
            fetcher: None,
            fetched: RwLock::new(CrlSet::new()),
        }
    }

    /// Fetches revocation data (AIA OCSP, then CRL distribution points)
    /// for certificates the configured and embedded data leave Unknown.
    /// Without a fetcher (offline) nothing is fetched.
    pub fn with_fetcher(mut self, fetcher: Arc<Fetcher>) -> ChainValidator {
        self.fetcher = Some(fetcher);
        self
    }

    /// The trust anchors.
    pub fn anchors(&self) -> &TrustAnchors {
        &self.anchors
    }

    /// The revocation policy.
    pub fn policy(&self) -> RevocationPolicy {
        self.policy
    }

    /// Validates `leaf` at `at`, with `intermediates` as candidate issuers
    /// and `extra_crls` (e.g. embedded in the signature) besides the
    /// configured ones.
    pub fn validate(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        extra_crls: &CrlSet,
        at: UnixTime,
    ) -> Arc<ChainReport> {
        let key = cache_key(leaf, intermediates, extra_crls, at);
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return hit.clone();
        }
        let report = Arc::new(self.compute(leaf, intermediates, extra_crls, at));
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, report.clone());
        report
    }

    /// The revocation status of `cert` (issued by `issuer`) at `at` from the
    /// configured CRLs and `extra_crls`, not cached.
    pub fn revocation_status(
        &self,
        cert: &Cert,
        issuer: &Cert,
        extra_crls: &CrlSet,
        at: UnixTime,
    ) -> RevocationStatus {
        self.status_with_evidence(cert, issuer, extra_crls, at).0
    }

    /// The revocation status of `cert` (issued by `issuer`) at `at` from the
    /// configured data, `extra` and what was fetched; when that is Unknown
    /// and there is a fetcher, fetches (OCSP from AIA first, then the CRLs
    /// of the distribution points) and judges again.
    pub fn status_with_evidence(
        &self,
        cert: &Cert,
        issuer: &Cert,
        extra: &CrlSet,
        at: UnixTime,
    ) -> (RevocationStatus, Option<RevocationEvidence>) {
        let judge = || {
            let fetched = self.fetched.read().unwrap_or_else(|p| p.into_inner());
            CrlSet::status_across(&[&self.crls, extra, &fetched], cert, issuer, at, self.now)
        };
        let first = judge();
        let Some(fetcher) = &self.fetcher else {
            return first;
        };
        if !matches!(first.0, RevocationStatus::Unknown { .. }) {
            return first;
        }
        let mut failures = Vec::new();
        let mut result = first;
        let ocsp = ocsp_urls(cert);
        for url in &ocsp {
            match fetcher.ocsp(url, cert, issuer) {
                Ok(resp) => self.add_fetched(|set| set.add_ocsp(resp)),
                Err(e) => failures.push(e.to_string()),
            }
        }
        if !ocsp.is_empty() {
            result = judge();
            if !matches!(result.0, RevocationStatus::Unknown { .. }) {
                return result;
            }
        }
        let crls = crl_urls(cert);
        for url in &crls {
            match fetcher.crl(url) {
                Ok(crl) => self.add_fetched(|set| set.add(crl)),
                Err(e) => failures.push(e.to_string()),
            }
        }
        if !crls.is_empty() {
            result = judge();
        }
        if let (RevocationStatus::Unknown { reason }, false) = (&mut result.0, failures.is_empty())
        {
            reason.push_str("; fetching failed: ");
            reason.push_str(&failures.join("; "));
        }
        result
    }

    fn add_fetched(&self, f: impl FnOnce(&mut CrlSet)) {
        let mut set = self.fetched.write().unwrap_or_else(|p| p.into_inner());
        f(&mut set);
    }

    fn compute(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        extra_crls: &CrlSet,
        at: UnixTime,
    ) -> ChainReport {
        let path = self.path(leaf, intermediates, at);
        let Ok(certs) = &path else {
            return ChainReport {
                path,
                revocation: Vec::new(),
            };
        };
        let revocation = certs
            .windows(2)
            .map(|pair| {
                let (status, evidence) = match self.policy {
                    RevocationPolicy::Skip => (RevocationStatus::NotChecked, None),
                    _ => self.status_with_evidence(&pair[0], &pair[1], extra_crls, at),
                };
                CertStatus {
                    cert: pair[0].clone(),
                    status,
                    evidence,
                }
            })
            .collect();
        ChainReport { path, revocation }
    }
}

impl ChainValidator {
    /// A valid path for `leaf` at `at`: one found earlier whose validity
    /// periods all contain `at`, or OpenSSL's answer (remembered when valid).
    fn path(
        &self,
        leaf: &Cert,
        intermediates: &[Cert],
        at: UnixTime,
    ) -> Result<Vec<Cert>, PathError> {
        let key = cache_key(leaf, intermediates, &CrlSet::new(), UnixTime(0));
        let lock = || self.paths.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(path) = lock().get(&key).filter(|p| valid_throughout(p, at)) {
            return Ok(path.clone());
        }
        let path = path::validate(&self.anchors, leaf, intermediates, at)?;
        let mut paths = lock();
        if paths.len() >= CACHE_LIMIT {
            paths.clear();
        }
        paths.insert(key, path.clone());
        Ok(path)
    }
}

/// Whether `at` lies in the validity period of every certificate of `path`,
/// as OpenSSL judges it (`X509_cmp_time`: valid from notBefore inclusive,
/// expired from notAfter inclusive).
fn valid_throughout(path: &[Cert], at: UnixTime) -> bool {
    path.iter().all(|c| {
        let (not_before, not_after) = c.validity_unix();
        (not_before as i64) <= at.0 && at.0 < not_after as i64
    })
}

fn cache_key(leaf: &Cert, intermediates: &[Cert], extra_crls: &CrlSet, at: UnixTime) -> [u8; 32] {
    let mut ids: Vec<&[u8; 32]> = intermediates.iter().map(Cert::sha256).collect();
    ids.sort_unstable();
    let mut h = openssl::sha::Sha256::new();
    h.update(leaf.sha256());
    for id in ids {
        h.update(id);
    }
    h.update(b"|crls|");
    for fp in extra_crls.fingerprints() {
        h.update(&fp);
    }
    h.update(&at.0.to_be_bytes());
    h.finish()
}
