//! Certificate revocation lists: decoding, scope, signature, and the status
//! of a certificate **at a given time** (RFC 5280 §5 and §6.3, ETSI EN 319
//! 102-1 §5.2.5 / §5.6.2.3).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use hozon_cms::asn1::const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS, ID_CE_DELTA_CRL_INDICATOR,
    ID_CE_ISSUING_DISTRIBUTION_POINT, ID_CE_KEY_USAGE,
};
use hozon_cms::asn1::der::{Decode, Encode};
use hozon_cms::asn1::x509_cert::crl::CertificateList;
use hozon_cms::asn1::x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use hozon_cms::asn1::x509_cert::ext::pkix::{CrlReason, KeyUsage};
use hozon_cms::asn1::x509_cert::ext::Extension;
use hozon_cms::asn1::x509_cert::name::Name;
use hozon_cms::Cert;

use crate::revocation::reason_name;
use crate::{Error, OcspResponse, RevocationStatus, UnixTime};

pub use crate::revocation::CLOCK_SKEW_SECS;

/// The largest CRL accepted, so a hostile file cannot exhaust memory.
pub const MAX_CRL_SIZE: usize = 64 << 20;

/// A decoded CRL.
pub struct Crl {
    origin: String,
    /// "CRL of ISSUER issued TIME (ORIGIN)", made once: formatting a name
    /// looks its attribute OIDs up by name, which showed in batch profiles.
    description: String,
    embedded: bool,
    der: Vec<u8>,
    sha256: [u8; 32],
    issuer: Name,
    this_update: UnixTime,
    next_update: Option<UnixTime>,
    entries: HashMap<Vec<u8>, (UnixTime, Option<CrlReason>)>,
    scope: Scope,
    openssl: openssl::x509::X509Crl,
    /// Signature check results per issuer certificate (SHA-256).
    verified: Mutex<HashMap<[u8; 32], bool>>,
}

crate::revocation::carried_accessors!(Crl, "CRL");

#[derive(Clone, Debug, Default)]
struct Scope {
    only_user_certs: bool,
    only_ca_certs: bool,
    /// Why the CRL cannot be a complete source (partial reasons, indirect,
    /// delta, unknown critical extension); `None` when it can.
    unusable: Option<String>,
}

impl std::fmt::Debug for Crl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crl")
            .field("origin", &self.origin)
            .field("issuer", &self.issuer.to_string())
            .field("this_update", &self.this_update)
            .field("entries", &self.entries.len())
            .finish_non_exhaustive()
    }
}

impl Crl {
    /// Decodes a DER CRL; `origin` names it in messages.
    pub fn from_der(der: &[u8], origin: &str) -> Result<Crl, Error> {
        let bad = |reason: String| Error::BadCrl {
            origin: origin.to_owned(),
            reason,
        };
        if der.len() > MAX_CRL_SIZE {
            return Err(bad(format!(
                "{} bytes is over the {MAX_CRL_SIZE}-byte limit",
                der.len()
            )));
        }
        let list = decode_certificate_list(der).map_err(|e| bad(e.to_string()))?;
        let openssl = openssl::x509::X509Crl::from_der(der).map_err(|e| bad(e.to_string()))?;
        let tbs = &list.tbs_cert_list;
        let mut entries = HashMap::new();
        for entry in tbs.revoked_certificates.iter().flatten() {
            let mut reason = None;
            for ext in entry.crl_entry_extensions.iter().flatten() {
                if ext.extn_id == ID_CE_CRL_REASONS {
                    reason = CrlReason::from_der(ext.extn_value.as_bytes()).ok();
                } else if ext.critical {
                    // An unknown critical entry extension (e.g. certificateIssuer
                    // of an indirect CRL) changes the entry's meaning.
                    return Err(bad(format!(
                        "unsupported critical CRL entry extension {}",
                        ext.extn_id
                    )));
                }
            }
            entries.insert(
                entry.serial_number.as_bytes().to_vec(),
                (UnixTime::from_x509(&entry.revocation_date), reason),
            );
        }
        let scope = scope(tbs.crl_extensions.iter().flatten());
        let this_update = UnixTime::from_x509(&tbs.this_update);
        Ok(Crl {
            description: format!("CRL of {} issued {this_update} ({origin})", tbs.issuer),
            origin: origin.to_owned(),
            embedded: false,
            sha256: openssl::sha::sha256(der),
            der: der.to_vec(),
            issuer: tbs.issuer.clone(),
            this_update,
            next_update: tbs.next_update.as_ref().map(UnixTime::from_x509),
            entries,
            scope,
            openssl,
            verified: Mutex::new(HashMap::new()),
        })
    }

    /// Reads every CRL in a file (PEM with one or more `X509 CRL` blocks, or DER).
    pub fn read_file(path: &Path) -> Result<Vec<Crl>, Error> {
        let bytes = crate::read_limited(path, crate::MAX_CRL_FILE_SIZE)?;
        let origin = path.display().to_string();
        let blocks = hozon_cms::pem::blocks(&bytes, "X509 CRL").map_err(|e| Error::BadCrl {
            origin: origin.clone(),
            reason: e.to_string(),
        })?;
        match blocks {
            Some(blocks) if blocks.is_empty() => Err(Error::BadCrl {
                origin,
                reason: "no X509 CRL block in the PEM file".into(),
            }),
            Some(blocks) => blocks.iter().map(|b| Crl::from_der(b, &origin)).collect(),
            None => Ok(vec![Crl::from_der(&bytes, &origin)?]),
        }
    }

    /// thisUpdate.
    pub fn this_update(&self) -> UnixTime {
        self.this_update
    }

    /// nextUpdate, if any.
    pub fn next_update(&self) -> Option<UnixTime> {
        self.next_update
    }

    /// The issuer name as RFC 4514.
    pub fn issuer(&self) -> String {
        self.issuer.to_string()
    }

    fn describe(&self) -> String {
        self.description.clone()
    }

    /// Whether `issuer` signed this CRL and may sign CRLs (cached).
    fn signed_by(&self, issuer: &Cert) -> bool {
        let mut cache = self.verified.lock().unwrap_or_else(|p| p.into_inner());
        *cache.entry(*issuer.sha256()).or_insert_with(|| {
            let ku_ok = issuer
                .parsed()
                .tbs_certificate
                .extensions
                .iter()
                .flatten()
                .filter(|e| e.extn_id == ID_CE_KEY_USAGE)
                .all(|e| KeyUsage::from_der(e.extn_value.as_bytes()).is_ok_and(|ku| ku.crl_sign()));
            ku_ok
                && issuer
                    .to_openssl()
                    .and_then(|x| x.public_key())
                    .and_then(|k| self.openssl.verify(&k))
                    .unwrap_or(false)
        })
    }
}

/// Decodes a CRL's structure. x509-cert 0.2 requires the `version` field,
/// which RFC 5280 §5.1.2.1 leaves out of version 1 CRLs (still issued by old
/// CAs); for those, a copy with an explicit v1 is decoded instead. Only the
/// structure is read from the copy: the signature is verified by OpenSSL on
/// the original bytes.
fn decode_certificate_list(der: &[u8]) -> Result<CertificateList, hozon_cms::asn1::der::Error> {
    use hozon_cms::asn1::der::{Any, Tag, Tagged};
    let first = match CertificateList::from_der(der) {
        Ok(list) => return Ok(list),
        Err(e) => e,
    };
    let outer = Vec::<Any>::from_der(der).map_err(|_| first)?;
    let [tbs, algorithm, signature] = outer.as_slice() else {
        return Err(first);
    };
    let mut fields: Vec<Any> = tbs.decode_as().map_err(|_| first)?;
    if fields.first().map(Tagged::tag) != Some(Tag::Sequence) {
        // The first field is a version or garbage, not the signature
        // AlgorithmIdentifier that follows an omitted version.
        return Err(first);
    }
    fields.insert(0, Any::encode_from(&0u8)?);
    let patched = vec![
        Any::encode_from(&fields)?,
        algorithm.clone(),
        signature.clone(),
    ]
    .to_der()?;
    CertificateList::from_der(&patched)
}

fn scope<'a>(extensions: impl Iterator<Item = &'a Extension>) -> Scope {
    let mut scope = Scope::default();
    for ext in extensions {
        match ext.extn_id {
            id if id == ID_CE_ISSUING_DISTRIBUTION_POINT => {
                match IssuingDistributionPoint::from_der(ext.extn_value.as_bytes()) {
                    Ok(idp) => {
                        scope.only_user_certs = idp.only_contains_user_certs;
                        scope.only_ca_certs = idp.only_contains_ca_certs;
                        if idp.only_some_reasons.is_some() {
                            scope.unusable = Some("it covers only some revocation reasons".into());
                        }
                        if idp.indirect_crl {
                            scope.unusable = Some("indirect CRLs are not supported".into());
                        }
                    }
                    Err(e) => {
                        scope.unusable = Some(format!("malformed issuingDistributionPoint: {e}"))
                    }
                }
            }
            id if id == ID_CE_DELTA_CRL_INDICATOR => {
                scope.unusable = Some("delta CRLs are not supported".into());
            }
            id if id == ID_CE_CRL_NUMBER || id == ID_CE_AUTHORITY_KEY_IDENTIFIER => {}
            id if ext.critical => {
                scope.unusable = Some(format!("unsupported critical CRL extension {id}"));
            }
            _ => {}
        }
    }
    scope
}

fn is_ca(cert: &Cert) -> bool {
    use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS;
    use hozon_cms::asn1::x509_cert::ext::pkix::BasicConstraints;
    cert.parsed()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == ID_CE_BASIC_CONSTRAINTS)
        .any(|e| BasicConstraints::from_der(e.extn_value.as_bytes()).is_ok_and(|bc| bc.ca))
}

/// The revocation data a status was read from: what a B-LT signature must
/// carry.
#[derive(Clone, Debug)]
pub enum RevocationEvidence {
    /// A CRL.
    Crl(Arc<Crl>),
    /// An OCSP response.
    Ocsp(Arc<OcspResponse>),
}

impl RevocationEvidence {
    /// Whether it came from inside the signature being validated.
    pub fn is_embedded(&self) -> bool {
        match self {
            RevocationEvidence::Crl(c) => c.is_embedded(),
            RevocationEvidence::Ocsp(o) => o.is_embedded(),
        }
    }
}

/// Revocation data available for a validation: CRLs indexed by issuer
/// name, and OCSP responses indexed by the serial numbers they answer for.
#[derive(Clone, Debug, Default)]
pub struct CrlSet {
    by_issuer: HashMap<Vec<u8>, Vec<Arc<Crl>>>,
    ocsp_by_serial: HashMap<Vec<u8>, Vec<Arc<OcspResponse>>>,
    ocsp_count: usize,
}

impl CrlSet {
    /// An empty set.
    pub fn new() -> CrlSet {
        CrlSet::default()
    }

    /// Adds a CRL (an identical one already present is ignored).
    pub fn add(&mut self, crl: Arc<Crl>) {
        let key = crl.issuer.to_der().unwrap_or_default();
        let list = self.by_issuer.entry(key).or_default();
        if !list.iter().any(|c| c.sha256 == crl.sha256) {
            list.push(crl);
        }
    }

    /// Adds an OCSP response (an identical one already present is ignored).
    pub fn add_ocsp(&mut self, resp: Arc<OcspResponse>) {
        let mut added = false;
        for serial in resp.serials() {
            let list = self.ocsp_by_serial.entry(serial).or_default();
            if !list.iter().any(|r| r.sha256() == resp.sha256()) {
                list.push(resp.clone());
                added = true;
            }
        }
        if added {
            self.ocsp_count += 1;
        }
    }

    /// Adds every CRL and OCSP response of another set.
    pub fn extend(&mut self, other: &CrlSet) {
        for crl in other.by_issuer.values().flatten() {
            self.add(crl.clone());
        }
        for resp in other.ocsp_by_serial.values().flatten() {
            self.add_ocsp(resp.clone());
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.by_issuer.is_empty() && self.ocsp_by_serial.is_empty()
    }

    /// Every CRL of the set.
    pub fn crls(&self) -> impl Iterator<Item = &Arc<Crl>> {
        self.by_issuer.values().flatten()
    }

    /// SHA-256 fingerprints of all CRLs, sorted (for cache keys).
    pub fn fingerprints(&self) -> Vec<[u8; 32]> {
        let mut v: Vec<_> = self
            .by_issuer
            .values()
            .flatten()
            .map(|c| c.sha256)
            .chain(self.ocsp_by_serial.values().flatten().map(|r| *r.sha256()))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The revocation status of `cert` (issued by `issuer`) at `at`, judged
    /// from the newest usable CRL; `now` rejects CRLs from the future.
    pub fn status(
        &self,
        cert: &Cert,
        issuer: &Cert,
        at: UnixTime,
        now: UnixTime,
    ) -> RevocationStatus {
        self.status_with_evidence(cert, issuer, at, now).0
    }

    /// As [`CrlSet::status`], with the data the status was read from (the
    /// validation data a B-LT signature must carry).
    ///
    /// Every source is judged on its own: a usable "revoked at or before
    /// `at`" from any source wins (the earliest revocation); otherwise a
    /// Good from any source (embedded data preferred, so that a signature
    /// carrying its own data is recognised as B-LT); otherwise Unknown with
    /// the reasons of every source.
    pub fn status_with_evidence(
        &self,
        cert: &Cert,
        issuer: &Cert,
        at: UnixTime,
        now: UnixTime,
    ) -> (RevocationStatus, Option<RevocationEvidence>) {
        CrlSet::status_across(&[self], cert, issuer, at, now)
    }

    /// As [`CrlSet::status_with_evidence`], over the union of `sets`
    /// (without copying them).
    pub fn status_across(
        sets: &[&CrlSet],
        cert: &Cert,
        issuer: &Cert,
        at: UnixTime,
        now: UnixTime,
    ) -> (RevocationStatus, Option<RevocationEvidence>) {
        let (crl_status, crl) = crl_status(sets, cert, issuer, at, now);
        let serial = cert.parsed().tbs_certificate.serial_number.as_bytes();
        let mut results: Vec<(RevocationStatus, Option<RevocationEvidence>)> =
            vec![(crl_status, crl.map(RevocationEvidence::Crl))];
        let mut seen: Vec<&[u8; 32]> = Vec::new();
        for resp in sets
            .iter()
            .flat_map(|s| s.ocsp_by_serial.get(serial).into_iter().flatten())
        {
            if seen.contains(&resp.sha256()) {
                continue;
            }
            seen.push(resp.sha256());
            if resp.covers(cert, issuer) {
                let mut status = resp.status(cert, issuer, at, now);
                if !matches!(status, RevocationStatus::Unknown { .. }) {
                    if let Some(reason) = responder_problem(sets, resp, issuer, now) {
                        status = RevocationStatus::Unknown { reason };
                    }
                }
                results.push((status, Some(RevocationEvidence::Ocsp(resp.clone()))));
            }
        }
        if let Some(revoked) = results
            .iter()
            .filter_map(|(s, e)| match s {
                RevocationStatus::Revoked { revoked_at, .. } => Some((*revoked_at, s, e)),
                _ => None,
            })
            .min_by_key(|(t, _, _)| *t)
        {
            return (revoked.1.clone(), revoked.2.clone());
        }
        let embedded = |e: &Option<RevocationEvidence>| e.as_ref().is_some_and(|e| e.is_embedded());
        let mut goods: Vec<&(RevocationStatus, Option<RevocationEvidence>)> = results
            .iter()
            .filter(|(s, _)| matches!(s, RevocationStatus::Good { .. }))
            .collect();
        // Embedded first; then a status that knows of a later revocation
        // (so the warning is not lost).
        goods.sort_by_key(|(s, e)| {
            (
                !embedded(e),
                !matches!(
                    s,
                    RevocationStatus::Good {
                        revoked_later: Some(_),
                        ..
                    }
                ),
            )
        });
        if let Some(good) = goods.first() {
            return (good.0.clone(), good.1.clone());
        }
        let reasons: Vec<String> = results
            .into_iter()
            .filter_map(|(s, _)| match s {
                RevocationStatus::Unknown { reason } => Some(reason),
                _ => None,
            })
            .collect();
        (
            RevocationStatus::Unknown {
                reason: reasons.join("; "),
            },
            None,
        )
    }
}

/// Why `resp`, signed by a delegated responder of `issuer` without
/// id-pkix-ocsp-nocheck, cannot be relied on: the responder's own
/// certificate was revoked when the response was produced, or nothing says
/// whether it was (RFC 6960 §4.2.2.2.1). `None` when it can be relied on.
fn responder_problem(
    sets: &[&CrlSet],
    resp: &OcspResponse,
    issuer: &Cert,
    now: UnixTime,
) -> Option<String> {
    let (responder, nocheck) = resp.delegated_responder(issuer)?;
    if nocheck {
        return None;
    }
    let produced_at = resp.produced_at()?;
    let (status, _) = crl_status(sets, &responder, issuer, produced_at, now);
    match status {
        RevocationStatus::Good { .. } | RevocationStatus::NotChecked => None,
        RevocationStatus::Revoked { revoked_at, .. } => Some(format!(
            "OCSP response produced {produced_at}: its responder {} was revoked at {revoked_at}",
            responder.subject()
        )),
        RevocationStatus::Unknown { reason } => Some(format!(
            "OCSP response produced {produced_at}: its responder {} lacks id-pkix-ocsp-nocheck and its own revocation status is unknown ({reason})",
            responder.subject()
        )),
    }
}

/// The status from the CRLs of `sets` alone.
fn crl_status(
    sets: &[&CrlSet],
    cert: &Cert,
    issuer: &Cert,
    at: UnixTime,
    now: UnixTime,
) -> (RevocationStatus, Option<Arc<Crl>>) {
    {
        let issuer_name = &cert.parsed().tbs_certificate.issuer;
        let key = issuer_name.to_der().unwrap_or_default();
        let candidates: Vec<&Arc<Crl>> = sets
            .iter()
            .flat_map(|s| s.by_issuer.get(&key).into_iter().flatten())
            .collect();
        if candidates.is_empty() {
            return (
                RevocationStatus::Unknown {
                    reason: format!("no CRL from {issuer_name} is available (pass it with --crl, or an OCSP response with --ocsp)"),
                },
                None,
            );
        }
        let cert_is_ca = is_ca(cert);
        let mut rejected = Vec::new();
        let mut best: Option<&Arc<Crl>> = None;
        for crl in candidates {
            if best.is_some_and(|b| b.sha256 == crl.sha256) {
                continue;
            }
            let problem = if let Some(why) = &crl.scope.unusable {
                Some(why.clone())
            } else if crl.scope.only_user_certs && cert_is_ca {
                Some("it covers end-entity certificates only".to_owned())
            } else if crl.scope.only_ca_certs && !cert_is_ca {
                Some("it covers CA certificates only".to_owned())
            } else if crl.this_update.0 > now.0 + CLOCK_SKEW_SECS {
                Some(format!(
                    "its thisUpdate {} is in the future",
                    crl.this_update
                ))
            } else if !crl.signed_by(issuer) {
                Some(format!(
                    "its signature does not verify with the key of {}",
                    issuer.subject()
                ))
            } else {
                None
            };
            match problem {
                Some(p) => rejected.push(format!("{}: {p}", crl.describe())),
                None => {
                    if best.is_none_or(|b| crl.this_update > b.this_update) {
                        best = Some(crl);
                    }
                }
            }
        }
        let Some(crl) = best else {
            return (
                RevocationStatus::Unknown {
                    reason: format!("no usable CRL: {}", rejected.join("; ")),
                },
                None,
            );
        };
        let source = crl.describe();
        let evidence = Some(Arc::clone(crl));
        let serial = cert.parsed().tbs_certificate.serial_number.as_bytes();
        let status = match crl.entries.get(serial) {
            Some((_, Some(CrlReason::RemoveFromCRL))) | None => {
                let covers = crl.this_update >= at || crl.next_update.is_none_or(|n| n >= at);
                if covers {
                    RevocationStatus::Good {
                        source,
                        revoked_later: None,
                    }
                } else {
                    RevocationStatus::Unknown {
                        reason: format!(
                            "{source} expired at its nextUpdate {}, before the validation time {at}; a newer CRL is needed",
                            crl.next_update.map(|n| n.to_string()).unwrap_or_default()
                        ),
                    }
                }
            }
            Some((revoked_at, reason)) => {
                if *revoked_at <= at {
                    RevocationStatus::Revoked {
                        revoked_at: *revoked_at,
                        reason: reason.map(reason_name),
                        source,
                    }
                } else {
                    RevocationStatus::Good {
                        source,
                        revoked_later: Some(*revoked_at),
                    }
                }
            }
        };
        (status, evidence)
    }
}
