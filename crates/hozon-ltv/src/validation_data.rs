//! B-LT: the validation data in the signature (ETSI EN 319 122-1 §5.4.2,
//! CAdES baseline): every certificate of every path — the signer's and each
//! TSA's — in SignedData `certificates`, and the revocation data the
//! validation relied on in SignedData `crls`, so that the signature can be
//! validated decades later without reaching any outside service.
//!
//! Neither field is covered by the signature; adding to them does not change
//! what was signed.

use std::sync::Arc;

use cms::cert::CertificateChoices;
use cms::revocation::{OtherRevocationInfoFormat, RevocationInfoChoice, RevocationInfoChoices};
use cms::signed_data::CertificateSet;
use der::Decode;
use hozon_cms::asn1::x509_cert::crl::CertificateList;
use hozon_cms::oid::rfc5940::ID_RI_OCSP_RESPONSE;
use hozon_cms::{Cert, SignatureFile};
use hozon_pki::{Crl, OcspResponse};

use crate::Error;

/// What adding validation data did.
#[derive(Debug)]
pub struct WithValidationData {
    /// The new signature (DER).
    pub der: Vec<u8>,
    /// Certificates added.
    pub certs_added: usize,
    /// CRLs added.
    pub crls_added: usize,
    /// OCSP responses added.
    pub ocsp_added: usize,
}

/// Adds to `signature` the certificates, CRLs and OCSP responses it does
/// not carry yet. OCSP responses go into SignedData `crls` as RFC 5940
/// id-ri-ocsp-response (the whole OCSPResponse), the form ETSI EN 319 122-1
/// B-LT names.
pub fn add_validation_data(
    signature: &[u8],
    certs: &[Cert],
    crls: &[Arc<Crl>],
    ocsp: &[Arc<OcspResponse>],
) -> Result<WithValidationData, Error> {
    let encode = |e: der::Error| Error::Encode(e.to_string());
    let file = SignatureFile::parse(signature)?;
    let present_certs = file.certificates();
    let present_crls = file.crls();
    let mut present_ocsp = file.ocsp_responses();
    let mut signed_data = file.signed_data;

    let mut cert_choices: Vec<CertificateChoices> = signed_data
        .certificates
        .take()
        .map(|set| set.0.into_vec())
        .unwrap_or_default();
    let mut certs_added = 0;
    for cert in certs {
        if !present_certs.contains(cert)
            && !cert_choices
                .iter()
                .any(|c| matches!(c, CertificateChoices::Certificate(x) if x == cert.parsed()))
        {
            cert_choices.push(CertificateChoices::Certificate(cert.parsed().clone()));
            certs_added += 1;
        }
    }
    signed_data.certificates = Some(CertificateSet::try_from(cert_choices).map_err(encode)?);

    let mut crl_choices: Vec<RevocationInfoChoice> = signed_data
        .crls
        .take()
        .map(|set| set.0.into_vec())
        .unwrap_or_default();
    let mut crls_added = 0;
    for crl in crls {
        if present_crls.iter().any(|der| der == crl.der()) {
            continue;
        }
        let list = CertificateList::from_der(crl.der()).map_err(encode)?;
        crl_choices.push(RevocationInfoChoice::Crl(list));
        crls_added += 1;
    }
    let mut ocsp_added = 0;
    for resp in ocsp {
        if present_ocsp.iter().any(|der| der == resp.der()) {
            continue;
        }
        crl_choices.push(RevocationInfoChoice::Other(OtherRevocationInfoFormat {
            other_format: ID_RI_OCSP_RESPONSE,
            other: der::Any::from_der(resp.der()).map_err(encode)?,
        }));
        present_ocsp.push(resp.der().to_vec());
        ocsp_added += 1;
    }
    if !crl_choices.is_empty() {
        signed_data.crls = Some(RevocationInfoChoices(
            der::asn1::SetOfVec::try_from(crl_choices).map_err(encode)?,
        ));
    }
    if certs_added == 0 && crls_added == 0 && ocsp_added == 0 {
        return Ok(WithValidationData {
            der: file.der,
            certs_added,
            crls_added,
            ocsp_added,
        });
    }
    Ok(WithValidationData {
        der: SignatureFile::encode_signed_data(&signed_data)?,
        certs_added,
        crls_added,
        ocsp_added,
    })
}
