//! Chain validation with revocation, cached across a batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hozon_cms::Cert;

use crate::{path, CrlSet, PathError, RevocationPolicy, RevocationStatus, TrustAnchors, UnixTime};

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
    /// The CRL the status was read from.
    pub crl: Option<Arc<crate::Crl>>,
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
        }
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
        if extra_crls.is_empty() {
            self.crls.status(cert, issuer, at, self.now)
        } else {
            let mut all = self.crls.clone();
            all.extend(extra_crls);
            all.status(cert, issuer, at, self.now)
        }
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
        let crls = if extra_crls.is_empty() {
            std::borrow::Cow::Borrowed(&self.crls)
        } else {
            let mut all = self.crls.clone();
            all.extend(extra_crls);
            std::borrow::Cow::Owned(all)
        };
        let revocation = certs
            .windows(2)
            .map(|pair| {
                let (status, crl) = match self.policy {
                    RevocationPolicy::Skip => (RevocationStatus::NotChecked, None),
                    _ => crls.status_with_evidence(&pair[0], &pair[1], at, self.now),
                };
                CertStatus {
                    cert: pair[0].clone(),
                    status,
                    crl,
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
