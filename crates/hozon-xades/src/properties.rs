//! The XAdES qualifying properties (ETSI EN 319 132-1 §5, TS 101 903
//! 1.3.2/1.4.1 §7) of one signature, read into types.

use hozon_cms::signing_certificate::{CertReference, IssuerSerial};
use hozon_cms::{Cert, DigestAlgorithm};
use hozon_pki::UnixTime;

use crate::c14n::C14nMethod;
use crate::dsig::{c14n_method, decode_base64, digest_from_uri, Signature, DS};
use crate::xml::Element;

/// The XAdES namespace (TS 101 903 v1.3.2, used by EN 319 132-1 too).
pub const XADES: &str = "http://uri.etsi.org/01903/v1.3.2#";
/// The XAdES v1.4.1 namespace (ArchiveTimeStamp, TimeStampValidationData).
pub const XADES141: &str = "http://uri.etsi.org/01903/v1.4.1#";
/// The Type of the Reference to SignedProperties.
pub const SIGNED_PROPERTIES_TYPE: &str = "http://uri.etsi.org/01903#SignedProperties";

/// Why the qualifying properties cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PropertiesError(pub String);

fn bad(msg: impl Into<String>) -> PropertiesError {
    PropertiesError(msg.into())
}

/// The reference to the signing certificate (SigningCertificate or
/// SigningCertificateV2).
#[derive(Clone, Debug)]
pub struct SigningCertificateRef {
    /// `true` for SigningCertificateV2.
    pub v2: bool,
    /// The digest of the certificate.
    pub digest: DigestAlgorithm,
    /// Its value.
    pub cert_hash: Vec<u8>,
    /// SigningCertificate's IssuerSerial: the issuer as an RFC 4514 string
    /// and the decimal serial number.
    pub issuer_serial_v1: Option<(String, String)>,
    /// SigningCertificateV2's IssuerSerialV2 (DER of RFC 5035 IssuerSerial).
    pub issuer_serial_v2: Option<IssuerSerial>,
}

impl SigningCertificateRef {
    /// Whether `cert` is the referenced certificate: its digest, and the
    /// issuer and serial when present (names compared per RFC 5280 §7.1).
    pub fn matches(&self, cert: &Cert) -> Result<bool, PropertiesError> {
        let reference = CertReference {
            digest: self.digest,
            cert_hash: self.cert_hash.clone(),
            issuer_serial: self.issuer_serial_v2.clone(),
            v2: self.v2,
        };
        if !reference.matches(cert).map_err(|e| bad(e.to_string()))? {
            return Ok(false);
        }
        let Some((issuer, serial)) = &self.issuer_serial_v1 else {
            return Ok(true);
        };
        let name: hozon_cms::asn1::x509_cert::name::Name = issuer.parse().map_err(|e| {
            bad(format!(
                "X509IssuerName \"{issuer}\" is not an RFC 4514 name: {e}"
            ))
        })?;
        let claimed = openssl::bn::BigNum::from_dec_str(serial.trim()).map_err(|_| {
            bad(format!(
                "X509SerialNumber \"{serial}\" is not a decimal integer"
            ))
        })?;
        let actual =
            openssl::bn::BigNum::from_slice(cert.parsed().tbs_certificate.serial_number.as_bytes())
                .map_err(|e| bad(e.to_string()))?;
        Ok(claimed == actual
            && hozon_cms::names::names_match(&name, &cert.parsed().tbs_certificate.issuer))
    }
}

/// A time stamp property (SignatureTimeStamp, SigAndRefsTimeStamp,
/// ArchiveTimeStamp).
#[derive(Clone, Debug)]
pub struct TimeStampProperty<'d> {
    /// The element.
    pub element: Element<'d>,
    /// Its local name.
    pub name: &'d str,
    /// The canonicalisation its input uses (Canonical XML 1.0 when absent).
    pub c14n: C14nMethod,
    /// The DER time-stamp tokens (EncapsulatedTimeStamp).
    pub tokens: Vec<Vec<u8>>,
}

/// Validation data carried in the signature.
#[derive(Clone, Debug, Default)]
pub struct ValidationValues {
    /// CertificateValues (and TimeStampValidationData) certificates.
    pub certs: Vec<Cert>,
    /// CRLs (DER).
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER OCSPResponse).
    pub ocsp: Vec<Vec<u8>>,
}

/// The qualifying properties of one signature.
#[derive(Clone, Debug, Default)]
pub struct QualifyingProperties<'d> {
    /// The QualifyingProperties element.
    pub element: Option<Element<'d>>,
    /// SignedProperties.
    pub signed_properties: Option<Element<'d>>,
    /// SigningTime.
    pub signing_time: Option<UnixTime>,
    /// SigningCertificate(V2).
    pub signing_certificate: Option<SigningCertificateRef>,
    /// SignaturePolicyIdentifier's policy identifier (or "implied").
    pub policy: Option<String>,
    /// DataObjectFormat: (ObjectReference, MimeType).
    pub data_object_formats: Vec<(String, Option<String>)>,
    /// CommitmentTypeIndication identifiers.
    pub commitment_types: Vec<String>,
    /// SignatureTimeStamp properties.
    pub signature_time_stamps: Vec<TimeStampProperty<'d>>,
    /// SigAndRefsTimeStamp properties.
    pub sig_and_refs_time_stamps: Vec<TimeStampProperty<'d>>,
    /// ArchiveTimeStamp properties (1.4.1 and 1.3.2 namespaces).
    pub archive_time_stamps: Vec<TimeStampProperty<'d>>,
    /// CompleteCertificateRefs(V2) present.
    pub complete_certificate_refs: bool,
    /// CompleteRevocationRefs present.
    pub complete_revocation_refs: bool,
    /// CertificateValues, RevocationValues and TimeStampValidationData.
    pub values: ValidationValues,
    /// Whether CertificateValues or RevocationValues are present.
    pub has_values: bool,
    /// Counter-signatures (CounterSignature/ds:Signature).
    pub counter_signatures: Vec<Element<'d>>,
}

/// Parses an xsd:dateTime as XAdES writes it (with a time zone).
pub fn parse_date_time(text: &str) -> Result<UnixTime, PropertiesError> {
    let t = text.trim();
    let parsed = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
        .map_err(|e| {
            bad(format!(
                "SigningTime \"{t}\" is not an xsd:dateTime with a time zone: {e}"
            ))
        })?;
    Ok(UnixTime(parsed.unix_timestamp()))
}

fn xades_child<'d>(e: &Element<'d>, local: &str) -> Option<Element<'d>> {
    e.children()
        .into_iter()
        .find(|c| c.local_name() == local && matches!(c.namespace(), Some(XADES | XADES141)))
}

fn xades_children<'d>(e: &Element<'d>, local: &str) -> Vec<Element<'d>> {
    e.children()
        .into_iter()
        .filter(|c| c.local_name() == local && matches!(c.namespace(), Some(XADES | XADES141)))
        .collect()
}

fn signing_certificate(
    e: &Element<'_>,
    v2: bool,
) -> Result<SigningCertificateRef, PropertiesError> {
    let name = e.local_name();
    let cert = xades_child(e, "Cert").ok_or_else(|| bad(format!("{name} has no Cert")))?;
    let digest = xades_child(&cert, "CertDigest")
        .ok_or_else(|| bad(format!("{name}/Cert has no CertDigest")))?;
    let method = digest
        .child(DS, "DigestMethod")
        .and_then(|m| m.attribute("Algorithm"))
        .ok_or_else(|| bad(format!("{name}: CertDigest has no DigestMethod")))?;
    let alg = digest_from_uri(&method)
        .ok_or_else(|| bad(format!("{name}: unsupported DigestMethod {method}")))?;
    let cert_hash = digest
        .child(DS, "DigestValue")
        .map(|v| decode_base64(&v.text()))
        .ok_or_else(|| bad(format!("{name}: CertDigest has no DigestValue")))?
        .map_err(|m| bad(format!("{name}: DigestValue: {m}")))?;
    let mut r = SigningCertificateRef {
        v2,
        digest: alg,
        cert_hash,
        issuer_serial_v1: None,
        issuer_serial_v2: None,
    };
    if v2 {
        if let Some(is) = xades_child(&cert, "IssuerSerialV2") {
            use hozon_cms::asn1::der::Decode;
            let der = decode_base64(&is.text())
                .map_err(|m| bad(format!("{name}: IssuerSerialV2: {m}")))?;
            r.issuer_serial_v2 = Some(IssuerSerial::from_der(&der).map_err(|e| {
                bad(format!(
                    "{name}: IssuerSerialV2 is not an IssuerSerial: {e}"
                ))
            })?);
        }
    } else {
        let is = xades_child(&cert, "IssuerSerial")
            .ok_or_else(|| bad(format!("{name}/Cert has no IssuerSerial")))?;
        let issuer = is
            .child(DS, "X509IssuerName")
            .ok_or_else(|| bad(format!("{name}: IssuerSerial has no X509IssuerName")))?;
        let serial = is
            .child(DS, "X509SerialNumber")
            .ok_or_else(|| bad(format!("{name}: IssuerSerial has no X509SerialNumber")))?;
        r.issuer_serial_v1 = Some((issuer.text().trim().to_owned(), serial.text()));
    }
    Ok(r)
}

fn time_stamp<'d>(e: Element<'d>) -> Result<TimeStampProperty<'d>, PropertiesError> {
    let name = e.local_name();
    let c14n = match e.child(DS, "CanonicalizationMethod") {
        Some(m) => {
            let uri = m
                .attribute("Algorithm")
                .ok_or_else(|| bad(format!("{name}: CanonicalizationMethod has no Algorithm")))?;
            c14n_method(&m, &uri)
                .ok_or_else(|| bad(format!("{name}: unsupported CanonicalizationMethod {uri}")))?
        }
        None => C14nMethod::from_uri(crate::c14n::C14N_10).unwrap_or_else(C14nMethod::exclusive),
    };
    let mut tokens = Vec::new();
    for t in xades_children(&e, "EncapsulatedTimeStamp") {
        tokens.push(
            decode_base64(&t.text())
                .map_err(|m| bad(format!("{name}: EncapsulatedTimeStamp: {m}")))?,
        );
    }
    if tokens.is_empty() {
        return Err(bad(format!("{name} has no EncapsulatedTimeStamp")));
    }
    Ok(TimeStampProperty {
        element: e,
        name,
        c14n,
        tokens,
    })
}

fn read_values(e: &Element<'_>, values: &mut ValidationValues) -> Result<(), PropertiesError> {
    let name = e.local_name();
    let decode = |v: &Element<'_>| {
        decode_base64(&v.text()).map_err(|m| bad(format!("{name}/{}: {m}", v.local_name())))
    };
    let certs = if name == "CertificateValues" {
        vec![*e]
    } else {
        xades_children(e, "CertificateValues")
    };
    for cv in certs {
        for c in xades_children(&cv, "EncapsulatedX509Certificate") {
            let cert = Cert::from_der(&decode(&c)?)
                .map_err(|err| bad(format!("{name}: EncapsulatedX509Certificate: {err}")))?;
            if !values.certs.contains(&cert) {
                values.certs.push(cert);
            }
        }
    }
    let revs = if name == "RevocationValues" {
        vec![*e]
    } else {
        xades_children(e, "RevocationValues")
    };
    for rv in revs {
        for crls in xades_children(&rv, "CRLValues") {
            for c in xades_children(&crls, "EncapsulatedCRLValue") {
                values.crls.push(decode(&c)?);
            }
        }
        for ocsp in xades_children(&rv, "OCSPValues") {
            for o in xades_children(&ocsp, "EncapsulatedOCSPValue") {
                values.ocsp.push(decode(&o)?);
            }
        }
    }
    Ok(())
}

impl<'d> QualifyingProperties<'d> {
    /// The qualifying properties of `sig` (empty when it has none: a plain
    /// XML-DSig signature).
    pub fn read(sig: &Signature<'d>) -> Result<QualifyingProperties<'d>, PropertiesError> {
        let mut found = Vec::new();
        for object in sig.element.children_named(DS, "Object") {
            found.extend(xades_children(&object, "QualifyingProperties"));
        }
        let mut q = QualifyingProperties::default();
        let qp = match found.len() {
            0 => return Ok(q),
            1 => found[0],
            n => return Err(bad(format!("the signature has {n} QualifyingProperties"))),
        };
        q.element = Some(qp);
        let target = qp.attribute("Target").unwrap_or_default();
        if sig.id.as_deref().map(|id| format!("#{id}")) != Some(target.clone()) {
            return Err(bad(format!(
                "QualifyingProperties Target \"{target}\" does not name this signature's Id"
            )));
        }
        if let Some(sp) = xades_child(&qp, "SignedProperties") {
            q.signed_properties = Some(sp);
            if let Some(ssp) = xades_child(&sp, "SignedSignatureProperties") {
                if let Some(t) = xades_child(&ssp, "SigningTime") {
                    q.signing_time = Some(parse_date_time(&t.text())?);
                }
                let v2 = xades_child(&ssp, "SigningCertificateV2");
                let v1 = xades_child(&ssp, "SigningCertificate");
                q.signing_certificate = match (v2, v1) {
                    (Some(_), Some(_)) => {
                        return Err(bad(
                            "both SigningCertificate and SigningCertificateV2 are present (EN 319 132-1 5.2.2 allows one)",
                        ))
                    }
                    (Some(e), None) => Some(signing_certificate(&e, true)?),
                    (None, Some(e)) => Some(signing_certificate(&e, false)?),
                    (None, None) => None,
                };
                if let Some(p) = xades_child(&ssp, "SignaturePolicyIdentifier") {
                    q.policy = Some(
                        match xades_child(&p, "SignaturePolicyId")
                            .and_then(|id| xades_child(&id, "SigPolicyId"))
                            .and_then(|id| xades_child(&id, "Identifier"))
                        {
                            Some(id) => id.text().trim().to_owned(),
                            None => "implied".to_owned(),
                        },
                    );
                }
            }
            if let Some(sdop) = xades_child(&sp, "SignedDataObjectProperties") {
                for f in xades_children(&sdop, "DataObjectFormat") {
                    let r = f
                        .attribute("ObjectReference")
                        .ok_or_else(|| bad("DataObjectFormat has no ObjectReference"))?;
                    q.data_object_formats
                        .push((r, xades_child(&f, "MimeType").map(|m| m.text())));
                }
                for c in xades_children(&sdop, "CommitmentTypeIndication") {
                    if let Some(id) = xades_child(&c, "CommitmentTypeId")
                        .and_then(|i| xades_child(&i, "Identifier"))
                    {
                        q.commitment_types.push(id.text().trim().to_owned());
                    }
                }
            }
        }
        if let Some(up) = xades_child(&qp, "UnsignedProperties") {
            if let Some(usp) = xades_child(&up, "UnsignedSignatureProperties") {
                for p in usp.children() {
                    let known = matches!(p.namespace(), Some(XADES | XADES141));
                    if !known {
                        continue;
                    }
                    match p.local_name() {
                        "SignatureTimeStamp" => q.signature_time_stamps.push(time_stamp(p)?),
                        "SigAndRefsTimeStamp" | "SigAndRefsTimeStampV2" => {
                            q.sig_and_refs_time_stamps.push(time_stamp(p)?)
                        }
                        "ArchiveTimeStamp" => q.archive_time_stamps.push(time_stamp(p)?),
                        "CompleteCertificateRefs" | "CompleteCertificateRefsV2" => {
                            q.complete_certificate_refs = true
                        }
                        "CompleteRevocationRefs" => q.complete_revocation_refs = true,
                        "CertificateValues" | "RevocationValues" => {
                            q.has_values = true;
                            read_values(&p, &mut q.values)?
                        }
                        "TimeStampValidationData" => read_values(&p, &mut q.values)?,
                        "CounterSignature" => q
                            .counter_signatures
                            .extend(p.children_named(DS, "Signature")),
                        _ => {}
                    }
                }
            }
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_times_need_a_time_zone() {
        assert_eq!(
            parse_date_time("2026-12-07T05:00:00Z").unwrap(),
            UnixTime(1_796_619_600)
        );
        assert_eq!(
            parse_date_time(" 2026-12-07T14:00:00+09:00 ").unwrap(),
            UnixTime(1_796_619_600)
        );
        assert!(parse_date_time("2026-12-07T05:00:00").is_err());
    }
}
