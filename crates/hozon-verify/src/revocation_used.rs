//! The revocation evidence a signature's validation relied on, as reports
//! for people list it (EN 319 102-1 §5.2.6: the CRLs and OCSP responses
//! used by the revocation freshness checker): kind, issuer or responder,
//! time, and where it came from. Recorded by the engine for every
//! signature it validates, whatever the format adapter (CAdES, PAdES,
//! XAdES), and carried in [`crate::SignatureReport::revocation_used`].

use crate::evidence::Evidence;

/// Whether a revocation item is a CRL or an OCSP response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationKind {
    /// A certificate revocation list (RFC 5280 §5).
    Crl,
    /// An OCSP response (RFC 6960).
    Ocsp,
}

impl RevocationKind {
    /// Every kind.
    pub const ALL: [RevocationKind; 2] = [RevocationKind::Crl, RevocationKind::Ocsp];

    /// `CRL` or `OCSP`.
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationKind::Crl => "CRL",
            RevocationKind::Ocsp => "OCSP",
        }
    }
}

impl std::fmt::Display for RevocationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for RevocationKind {
    type Err = crate::vocabulary::UnknownName;
    fn from_str(s: &str) -> Result<RevocationKind, crate::vocabulary::UnknownName> {
        RevocationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| crate::vocabulary::UnknownName {
                kind: "RevocationKind",
                name: s.to_owned(),
            })
    }
}

/// Where revocation data used in a validation came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RevocationSource {
    /// Carried inside the signature: CAdES revocationValues, a PDF's
    /// Document Security Store or CMS adbe-revocationInfoArchival, XAdES
    /// RevocationValues or TimeStampValidationData.
    Embedded,
    /// Fetched from this URL during the run.
    Fetched(String),
    /// Read from a file given on the command line or in the configuration
    /// (as it was named).
    File(String),
}

impl RevocationSource {
    /// The source of an item that is `embedded` or else came from
    /// `origin` (a URL when fetched, a file name otherwise).
    fn of(embedded: bool, origin: &str) -> RevocationSource {
        if embedded {
            RevocationSource::Embedded
        } else if origin.starts_with("http://") || origin.starts_with("https://") {
            RevocationSource::Fetched(origin.to_owned())
        } else {
            RevocationSource::File(origin.to_owned())
        }
    }
}

/// A CRL or OCSP response a validation relied on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationUsed {
    /// CRL or OCSP.
    pub kind: RevocationKind,
    /// The CRL's issuer, or the OCSP responder.
    pub issuer: String,
    /// thisUpdate of a CRL, producedAt of an OCSP response (RFC 3339).
    pub time: String,
    /// Where it came from.
    pub source: RevocationSource,
}

impl Evidence {
    /// The CRLs and OCSP responses relied on, CRLs first.
    pub fn revocation_used(&self) -> Vec<RevocationUsed> {
        let crls = self.crls.iter().map(|c| RevocationUsed {
            kind: RevocationKind::Crl,
            issuer: c.issuer(),
            time: c.this_update().rfc3339(),
            source: RevocationSource::of(c.is_embedded(), c.origin()),
        });
        let ocsp = self.ocsp.iter().map(|o| RevocationUsed {
            kind: RevocationKind::Ocsp,
            issuer: o.responder().unwrap_or_default(),
            time: o.produced_at().map(|t| t.rfc3339()).unwrap_or_default(),
            source: RevocationSource::of(o.is_embedded(), o.origin()),
        });
        crls.chain(ocsp).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocation_kinds_round_trip_through_their_report_names() {
        for (kind, text) in RevocationKind::ALL.into_iter().zip(["CRL", "OCSP"]) {
            assert_eq!(kind.to_string(), text);
            assert_eq!(text.parse::<RevocationKind>(), Ok(kind));
        }
        let e = "crl".parse::<RevocationKind>().unwrap_err();
        assert_eq!(e.name, "crl");
        assert!(e.to_string().contains("not a known RevocationKind"), "{e}");
    }

    #[test]
    fn the_source_is_embedded_fetched_or_a_file() {
        assert_eq!(
            RevocationSource::of(true, "http://crl.example/ca.crl"),
            RevocationSource::Embedded
        );
        assert_eq!(
            RevocationSource::of(false, "http://crl.example/ca.crl"),
            RevocationSource::Fetched("http://crl.example/ca.crl".into())
        );
        assert_eq!(
            RevocationSource::of(false, "https://ocsp.example/"),
            RevocationSource::Fetched("https://ocsp.example/".into())
        );
        assert_eq!(
            RevocationSource::of(false, "pki/crls.pem"),
            RevocationSource::File("pki/crls.pem".into())
        );
        assert_eq!(RevocationKind::Ocsp.as_str(), "OCSP");
        assert!(Evidence::default().revocation_used().is_empty());
    }
}
