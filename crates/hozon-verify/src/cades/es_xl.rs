//! The JIS X 5092 / RFC 5126 ES-XL profile on the verifying side.
//!
//! certificate-values and revocation-values are validation data carried in
//! the signature, exactly like the SignedData `certificates` and `crls` of
//! ETSI B-LT: they join the pools as *embedded* data (so an ES-XL signature
//! validates `--offline`, and is reported as level B-LT when the data is
//! complete; the report contract of DESIGN.md §4 has no profile field, and
//! the level names the same guarantee).
//!
//! The references (complete-certificate-references and
//! complete-revocation-references) are then compared with what is
//! available and what the validation used. A reference that matches
//! nothing is a **warning**, not a failure: the references are unsigned
//! (unless an archive time stamp covers them, and then any change to them
//! already fails the archive stamp's hash index), the validation never
//! relies on them — every certificate and CRL it uses is checked on its own
//! signatures — so a stale or wrong reference cannot make a bad signature
//! pass, and anyone able to edit the file could add one to make a good
//! signature fail. It is still reported, because it means the ES-C form is
//! inconsistent (the file was altered or written by a faulty tool).
//!
//! A malformed, duplicated or multi-valued ES-XL attribute is a
//! FORMAT_FAILURE: the signature does not conform to the format it claims
//! (EN 319 102-1 §5.2.2), and silently skipping validation data would hide
//! corruption of an archive copy.

use hozon_cms::es_c::{CrlValidatedId, EsXlAttributes};
use hozon_cms::Cert;

use crate::codes::Code;
use crate::evidence::Evidence;
use crate::findings::Findings;

/// The ES-XL data of one SignerInfo, read once per file.
pub(crate) struct EsXl {
    pub(crate) attributes: EsXlAttributes,
    /// Certificates from certificate-values.
    pub(crate) certs: Vec<Cert>,
    /// DER CRLs from revocation-values.
    pub(crate) crls: Vec<Vec<u8>>,
    /// DER BasicOCSPResponses from revocation-values (not used for
    /// revocation status by this version; checked to decode, and matched
    /// against the OCSP references).
    pub(crate) ocsp: Vec<Vec<u8>>,
}

impl EsXl {
    /// Reads and decodes the ES-XL attributes of `unsigned_attrs`; the
    /// error says which attribute is malformed and why.
    pub(crate) fn read(
        unsigned_attrs: Option<&hozon_cms::asn1::x509_cert::attr::Attributes>,
    ) -> Result<EsXl, String> {
        let attributes = EsXlAttributes::read(unsigned_attrs).map_err(|e| e.to_string())?;
        let certs = attributes
            .certificate_values
            .iter()
            .flatten()
            .map(|c| Cert::from_parsed(c.clone()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("certificate-values: {e}"))?;
        let (crls, ocsp) = match &attributes.revocation_values {
            None => (Vec::new(), Vec::new()),
            Some(v) => (
                v.crl_der().map_err(|e| format!("revocation-values: {e}"))?,
                v.ocsp_basic_der()
                    .map_err(|e| format!("revocation-values: {e}"))?,
            ),
        };
        Ok(EsXl {
            attributes,
            certs,
            crls,
            ocsp,
        })
    }
}

/// Compares the references with the available data (`certs`, `crls`:
/// everything in the signature and given to the verifier) and with
/// `evidence` (what the validation used); mismatches become warnings.
pub(crate) fn check_references(
    xl: &EsXl,
    available_data: &super::Available,
    evidence: &Evidence,
    f: &mut Findings,
) {
    let certs = &available_data.certs;
    let crls: Vec<&[u8]> = available_data.crls.iter().map(Vec::as_slice).collect();
    let ocsp = &available_data.ocsp;
    for (i, r) in xl.attributes.certificate_refs.iter().flatten().enumerate() {
        let mut available = certs.iter().chain(&evidence.certs);
        match available.try_fold(false, |found, c| {
            r.matches(c.parsed(), c.der()).map(|m| found || m)
        }) {
            Err(e) => f.warn(Code::ReferenceUncheckable, format!(
                "complete-certificate-references: reference {i} cannot be checked: {e}"
            )),
            Ok(false) => f.warn(Code::ReferenceUnmatched, format!(
                "complete-certificate-references: reference {i} matches no available certificate (the ES-C references are inconsistent with the data)"
            )),
            Ok(true) if evidence.certs.is_empty() => {}
            Ok(true) => {
                let used = evidence
                    .certs
                    .iter()
                    .any(|c| r.matches(c.parsed(), c.der()).unwrap_or(false));
                if !used {
                    f.warn(Code::ReferenceUnused, format!(
                        "complete-certificate-references: reference {i} names a certificate the validation did not use"
                    ));
                }
            }
        }
    }
    for (i, r) in xl.attributes.revocation_refs.iter().flatten().enumerate() {
        for (j, crl_ref) in r.crlids.iter().flat_map(|l| l.crls.iter()).enumerate() {
            let mut available = crls
                .iter()
                .copied()
                .chain(evidence.crls.iter().map(|c| c.der()));
            match available.try_fold(false, |found, der| {
                crl_ref.crl_hash.matches(der).map(|m| found || m)
            }) {
                Err(e) => f.warn(Code::ReferenceUncheckable, format!(
                    "complete-revocation-references: entry {i}, CRL {j} cannot be checked: {e}"
                )),
                Ok(false) => f.warn(Code::ReferenceUnmatched, format!(
                    "complete-revocation-references: entry {i}, CRL {j}{} matches no available CRL (the ES-C references are inconsistent with the data)",
                    crl_ref
                        .crl_identifier
                        .as_ref()
                        .map(|id| format!(" ({})", id.crlissuer))
                        .unwrap_or_default()
                )),
                Ok(true) => {
                    if let Some(id) = &crl_ref.crl_identifier {
                        let consistent = crls
                            .iter()
                            .copied()
                            .chain(evidence.crls.iter().map(|c| c.der()))
                            .filter(|der| crl_ref.crl_hash.matches(der).unwrap_or(false))
                            .any(|der| {
                                CrlValidatedId::for_crl(der).is_ok_and(|own| {
                                    own.crl_identifier.is_some_and(|own| {
                                        hozon_cms::names::names_match(&own.crlissuer, &id.crlissuer)
                                            && own.crl_issued_time == id.crl_issued_time
                                            && (id.crl_number.is_none()
                                                || own.crl_number == id.crl_number)
                                    })
                                })
                            });
                        if !consistent {
                            f.warn(Code::ReferenceIdentifierMismatch, format!(
                                "complete-revocation-references: entry {i}, CRL {j}: the crlIdentifier (issuer, issue time, number) differs from the CRL its hash names"
                            ));
                        }
                    }
                }
            }
        }
        for (j, ocsp_ref) in r
            .ocspids
            .iter()
            .flat_map(|l| l.ocsp_responses.iter())
            .enumerate()
        {
            let Some(hash) = &ocsp_ref.ocsp_rep_hash else {
                continue;
            };
            match ocsp.iter().try_fold(false, |found, der| {
                hash.matches(der).map(|m| found || m)
            }) {
                Err(e) => f.warn(Code::ReferenceUncheckable, format!(
                    "complete-revocation-references: entry {i}, OCSP response {j} cannot be checked: {e}"
                )),
                Ok(false) => f.warn(Code::ReferenceUnmatched, format!(
                    "complete-revocation-references: entry {i}, OCSP response {j} matches no OCSP response in the signature"
                )),
                Ok(true) => {}
            }
        }
    }
}
