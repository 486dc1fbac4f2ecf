//! ES-XL (CAdES-X Long, RFC 5126 §4.4.3; JIS X 5092): the validation data
//! as four unsigned attributes of each SignerInfo — the JIS profile of
//! `extend --profile jis` — instead of the SignedData `certificates` and
//! `crls` fields that ETSI EN 319 122-1 B-LT uses ([`crate::add_validation_data`]).
//!
//! * complete-certificate-references: every CA certificate of the signer's
//!   path (not the signer's own certificate, which signing-certificate-v2
//!   already references), SHA-256 `OtherHashAlgAndValue` plus issuerSerial;
//! * complete-revocation-references: one `CrlOcspRef` per certificate of
//!   the signer's path that has an issuer (the self-signed anchor has no
//!   revocation data), in path order from the signer up, naming the CRLs
//!   (hash, issuer, thisUpdate, cRLNumber) and OCSP responses (responder,
//!   producedAt, hash) that gave its status;
//! * certificate-values and revocation-values: the data itself, for the
//!   signer's path **and** every TSA path, so that validation needs nothing
//!   from outside (`verify --offline`).
//!
//! Like every augmentation this only adds unsigned attributes; the signed
//! part is never touched. The attributes are written once: an archive time
//! stamp made later covers them (its hash index lists them), so they are
//! never rewritten afterwards. Data that is missing from them later (a
//! renewed TSA's path) goes into the SignedData fields, which the archive
//! time stamp's index allows to grow and the verifier reads as well.

use std::sync::Arc;

use cms::signed_data::{SignerIdentifier, SignerInfo, SignerInfos};
use der::asn1::SetOfVec;
use der::{Decode, Encode};
use hozon_cms::asn1::x509_cert::crl::CertificateList;
use hozon_cms::asn1::x509_cert::Certificate;
use hozon_cms::attributes::{all_values, single_valued};
use hozon_cms::es_c::{
    CertificateValues, CompleteCertificateRefs, CompleteRevocationRefs, CrlListId, CrlOcspRef,
    CrlValidatedId, EsXlAttributes, OcspListId, OcspResponsesId, OtherCertId, RevocationValues,
};
use hozon_cms::oid::etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
use hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use hozon_cms::oid::rfc5126::{
    ID_AA_ETS_ARCHIVE_TIMESTAMP_V2, ID_AA_ETS_CERTIFICATE_REFS, ID_AA_ETS_CERT_VALUES,
    ID_AA_ETS_REVOCATION_REFS, ID_AA_ETS_REVOCATION_VALUES,
};
use hozon_cms::{Cert, DigestAlgorithm, SignatureFile};
use hozon_pki::Crl;

use crate::Error;

/// What adding ES-XL validation data did.
#[derive(Debug)]
pub struct WithEsXlData {
    /// The new signature (DER); the input itself when nothing was missing.
    pub der: Vec<u8>,
    /// Certificates added (to certificate-values or, after an archive
    /// stamp, to SignedData `certificates`).
    pub certs_added: usize,
    /// CRLs added.
    pub crls_added: usize,
    /// BasicOCSPResponses added.
    pub ocsp_added: usize,
}

/// Adds the ES-XL attributes to every SignerInfo of `signature`.
///
/// `certs` and `crls` are what validation relied on (signer and TSA paths,
/// as [`hozon_verify`]'s evidence gives them); `ocsp_basic` are DER
/// BasicOCSPResponses the validation relied on (each must decode as one).
/// Every SignerInfo must carry a signature time stamp already (ES-T): the
/// validation data is only meaningful for a signature whose time is proven.
///
/// [`hozon_verify`]: ../hozon_verify/index.html
pub fn add_validation_data_jis(
    signature: &[u8],
    certs: &[Cert],
    crls: &[Arc<Crl>],
    ocsp_basic: &[Vec<u8>],
) -> Result<WithEsXlData, Error> {
    let encode = |e: der::Error| Error::Encode(e.to_string());
    let file = SignatureFile::parse(signature)?;
    let mut pool: Vec<Cert> = file.certificates();
    for c in certs {
        if !pool.contains(c) {
            pool.push(c.clone());
        }
    }
    // Checked on the way in, so that nothing malformed is ever written.
    RevocationValues::ocsp_values(ocsp_basic)?;
    let mut signed_data = file.signed_data.clone();
    let mut infos = signed_data.signer_infos.0.clone().into_vec();
    let mut result = WithEsXlData {
        der: Vec::new(),
        certs_added: 0,
        crls_added: 0,
        ocsp_added: 0,
    };
    let mut late_certs: Vec<Cert> = Vec::new();
    let mut late_crls: Vec<Arc<Crl>> = Vec::new();
    let mut changed = false;
    for (index, si) in infos.iter_mut().enumerate() {
        if all_values(si.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
            .next()
            .is_none()
        {
            return Err(Error::NotTimestamped { signer_info: index });
        }
        let existing = EsXlAttributes::read(si.unsigned_attrs.as_ref())?;
        // What the four attributes will hold: everything given, plus (when
        // rewriting) everything they already held.
        let mut all_certs: Vec<Cert> = certs.to_vec();
        let mut all_crls: Vec<Arc<Crl>> = crls.to_vec();
        let mut all_ocsp: Vec<Vec<u8>> = ocsp_basic.to_vec();
        let added;
        if existing.any() {
            // Already ES-XL: add only what is missing.
            let (c, r, o) = missing(&existing, certs, crls, ocsp_basic)?;
            if c.is_empty() && r.is_empty() && o.is_empty() {
                continue;
            }
            if archived(si) || !complete(&existing) {
                // Stamped (or foreign, incomplete) attributes stay as they
                // are; OCSP responses have no SignedData field this crate
                // writes yet.
                if !o.is_empty() {
                    return Err(Error::Encode(format!(
                        "SignerInfo {index} is already ES-XL and {} OCSP response(s) are missing from its revocation-values, which cannot be rewritten",
                        o.len()
                    )));
                }
                late_certs.extend(c);
                late_crls.extend(r);
                continue;
            }
            // Not stamped yet: rewrite the four attributes whole, keeping
            // what they held.
            added = (c.len(), r.len(), o.len());
            let kept = existing_values(&existing)?;
            all_certs = kept.0;
            all_certs.extend(c);
            all_crls = kept.1;
            all_crls.extend(r);
            all_ocsp = kept.2;
            all_ocsp.extend(o);
            let attrs = si.unsigned_attrs.take().map(SetOfVec::into_vec);
            si.unsigned_attrs = match attrs {
                Some(list) => Some(
                    SetOfVec::try_from(
                        list.into_iter()
                            .filter(|a| !is_es_xl(a.oid))
                            .collect::<Vec<_>>(),
                    )
                    .map_err(encode)?,
                ),
                None => None,
            };
        } else {
            added = (certs.len(), crls.len(), ocsp_basic.len());
        }
        let mut pool = pool.clone();
        for c in &all_certs {
            if !pool.contains(c) {
                pool.push(c.clone());
            }
        }
        let signer = find_signer(&si.sid, &pool).ok_or_else(|| {
            Error::Encode(format!(
                "SignerInfo {index}: the signer's certificate is neither in the signature nor among the validation data"
            ))
        })?;
        let path = signer_path(&signer, &pool);
        let cert_refs: CompleteCertificateRefs = path
            .iter()
            .skip(1)
            .map(|c| OtherCertId::for_certificate(c.parsed(), c.der()))
            .collect::<Result<_, _>>()?;
        let mut revocation_refs: CompleteRevocationRefs = Vec::new();
        for cert in path.iter().filter(|c| !self_issued(c)) {
            revocation_refs.push(crl_ocsp_ref(cert.parsed(), &all_crls, &all_ocsp)?);
        }
        let cert_values: CertificateValues = all_certs.iter().map(|c| c.parsed().clone()).collect();
        let crl_vals: Vec<CertificateList> = all_crls
            .iter()
            .map(|c| CertificateList::from_der(c.der()).map_err(encode))
            .collect::<Result<_, _>>()?;
        let ocsp_vals = RevocationValues::ocsp_values(&all_ocsp)?;
        let revocation_values = RevocationValues {
            crl_vals: (!crl_vals.is_empty()).then_some(crl_vals),
            ocsp_vals: (!ocsp_vals.is_empty()).then_some(ocsp_vals),
            other_rev_vals: None,
        };
        let mut list = si
            .unsigned_attrs
            .take()
            .map(SetOfVec::into_vec)
            .unwrap_or_default();
        list.push(single_valued(ID_AA_ETS_CERTIFICATE_REFS, &cert_refs)?);
        list.push(single_valued(ID_AA_ETS_REVOCATION_REFS, &revocation_refs)?);
        list.push(single_valued(ID_AA_ETS_CERT_VALUES, &cert_values)?);
        list.push(single_valued(
            ID_AA_ETS_REVOCATION_VALUES,
            &revocation_values,
        )?);
        si.unsigned_attrs = Some(SetOfVec::try_from(list).map_err(encode)?);
        result.certs_added += added.0;
        result.crls_added += added.1;
        result.ocsp_added += added.2;
        changed = true;
    }
    if changed {
        signed_data.signer_infos = SignerInfos::try_from(infos).map_err(encode)?;
    }
    let mut der = if changed {
        SignatureFile::encode_signed_data(&signed_data)?
    } else {
        file.der
    };
    if !late_certs.is_empty() || !late_crls.is_empty() {
        let with = crate::add_validation_data(&der, &late_certs, &late_crls, &[])?;
        result.certs_added += with.certs_added;
        result.crls_added += with.crls_added;
        der = with.der;
    }
    result.der = der;
    Ok(result)
}

/// The certificates, CRLs and OCSP responses the ES-XL values hold.
fn existing_values(existing: &EsXlAttributes) -> Result<Missing, Error> {
    let certs = existing
        .certificate_values
        .iter()
        .flatten()
        .map(|c| Cert::from_parsed(c.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let values = existing.revocation_values.clone().unwrap_or_default();
    let crls = values
        .crl_der()?
        .iter()
        .map(|der| {
            Crl::from_der(der, "revocation-values")
                .map(Arc::new)
                .map_err(|e| Error::Encode(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((certs, crls, values.ocsp_basic_der()?))
}

fn is_es_xl(oid: der::asn1::ObjectIdentifier) -> bool {
    [
        ID_AA_ETS_CERTIFICATE_REFS,
        ID_AA_ETS_REVOCATION_REFS,
        ID_AA_ETS_CERT_VALUES,
        ID_AA_ETS_REVOCATION_VALUES,
    ]
    .contains(&oid)
}

fn complete(a: &EsXlAttributes) -> bool {
    a.certificate_refs.is_some()
        && a.revocation_refs.is_some()
        && a.certificate_values.is_some()
        && a.revocation_values.is_some()
}

/// Whether an archive time stamp (v2 or v3) covers this SignerInfo's
/// unsigned attributes.
fn archived(si: &SignerInfo) -> bool {
    si.unsigned_attrs
        .iter()
        .flat_map(|a| a.iter())
        .any(|a| a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V3 || a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2)
}

type Missing = (Vec<Cert>, Vec<Arc<Crl>>, Vec<Vec<u8>>);

/// The certificates, CRLs and OCSP responses not yet in the ES-XL values.
fn missing(
    existing: &EsXlAttributes,
    certs: &[Cert],
    crls: &[Arc<Crl>],
    ocsp_basic: &[Vec<u8>],
) -> Result<Missing, Error> {
    let have_certs: Vec<&Certificate> = existing.certificate_values.iter().flatten().collect();
    let values = existing.revocation_values.clone().unwrap_or_default();
    let have_crls = values.crl_der()?;
    let have_ocsp = values.ocsp_basic_der()?;
    Ok((
        certs
            .iter()
            .filter(|c| !have_certs.contains(&c.parsed()))
            .cloned()
            .collect(),
        crls.iter()
            .filter(|c| !have_crls.iter().any(|d| d == c.der()))
            .cloned()
            .collect(),
        ocsp_basic
            .iter()
            .filter(|o| !have_ocsp.contains(o))
            .cloned()
            .collect(),
    ))
}

fn find_signer(sid: &SignerIdentifier, pool: &[Cert]) -> Option<Cert> {
    pool.iter()
        .find(|c| {
            let tbs = &c.parsed().tbs_certificate;
            match sid {
                SignerIdentifier::IssuerAndSerialNumber(is) => {
                    tbs.issuer == is.issuer && tbs.serial_number == is.serial_number
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER;
                    use hozon_cms::asn1::x509_cert::ext::pkix::SubjectKeyIdentifier;
                    tbs.extensions
                        .iter()
                        .flatten()
                        .filter(|e| e.extn_id == ID_CE_SUBJECT_KEY_IDENTIFIER)
                        .any(|e| {
                            SubjectKeyIdentifier::from_der(e.extn_value.as_bytes())
                                .is_ok_and(|k| k == *ski)
                        })
                }
            }
        })
        .cloned()
}

fn self_issued(cert: &Cert) -> bool {
    let tbs = &cert.parsed().tbs_certificate;
    tbs.issuer == tbs.subject
}

/// The signer's path, signer first, as far as `pool` (the certificates the
/// validation used) reaches: each next certificate is the one whose subject
/// is the current issuer and whose key verifies the current signature. The
/// validation already proved a path; this only puts it in order.
fn signer_path(signer: &Cert, pool: &[Cert]) -> Vec<Cert> {
    let mut path = vec![signer.clone()];
    while path.len() < 16 {
        let Some(current) = path.last() else { break };
        if self_issued(current) {
            break;
        }
        let issuer = &current.parsed().tbs_certificate.issuer;
        let Ok(child) = current.to_openssl() else {
            break;
        };
        let next = pool.iter().find(|c| {
            &c.parsed().tbs_certificate.subject == issuer
                && !path.contains(c)
                && c.to_openssl()
                    .and_then(|x| x.public_key())
                    .and_then(|k| child.verify(&k))
                    .unwrap_or(false)
        });
        match next {
            Some(c) => path.push(c.clone()),
            None => break,
        }
    }
    path
}

/// The revocation references for `cert`: the CRLs issued by its issuer and
/// the OCSP responses about its serial number under its issuer's name.
fn crl_ocsp_ref(
    cert: &Certificate,
    crls: &[Arc<Crl>],
    ocsp_basic: &[Vec<u8>],
) -> Result<CrlOcspRef, Error> {
    let issuer = &cert.tbs_certificate.issuer;
    let issuer_der = issuer.to_der().map_err(|e| Error::Encode(e.to_string()))?;
    let mut crl_ids = Vec::new();
    for crl in crls {
        let list =
            CertificateList::from_der(crl.der()).map_err(|e| Error::Encode(e.to_string()))?;
        if &list.tbs_cert_list.issuer == issuer {
            crl_ids.push(CrlValidatedId::for_crl(crl.der())?);
        }
    }
    let mut ocsp_ids = Vec::new();
    for der in ocsp_basic {
        let basic = hozon_cms::asn1::x509_ocsp::BasicOcspResponse::from_der(der)
            .map_err(|e| Error::Encode(format!("BasicOCSPResponse: {e}")))?;
        let about = basic.tbs_response_data.responses.iter().any(|r| {
            r.cert_id.serial_number == cert.tbs_certificate.serial_number
                && DigestAlgorithm::from_identifier(&r.cert_id.hash_algorithm)
                    .ok()
                    .and_then(|alg| alg.digest(&issuer_der).ok())
                    .is_some_and(|h| h.as_slice() == r.cert_id.issuer_name_hash.as_bytes())
        });
        if about {
            ocsp_ids.push(OcspResponsesId::for_basic_response(der)?);
        }
    }
    Ok(CrlOcspRef {
        crlids: (!crl_ids.is_empty()).then_some(CrlListId { crls: crl_ids }),
        ocspids: (!ocsp_ids.is_empty()).then_some(OcspListId {
            ocsp_responses: ocsp_ids,
        }),
        other_rev: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hozon_testkit::{Pki, TsaMode, TsaServer};
    use hozon_tsp::{TsaClient, TsaConfig};
    use std::path::Path;
    use std::process::Command;

    fn openssl(args: &[&str], dir: &Path) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn cert(pki: &Pki, name: &str) -> Cert {
        let pem = std::fs::read(pki.path(name)).unwrap();
        Cert::read_bundle(&pem).unwrap().remove(0)
    }

    fn crl(pki: &Pki, name: &str) -> Arc<Crl> {
        Arc::new(Crl::from_der(&std::fs::read(pki.path(name)).unwrap(), name).unwrap())
    }

    /// A CAdES B-B made by `openssl cms -sign -cades` over a small file.
    fn openssl_signature(pki: &Pki) -> Vec<u8> {
        std::fs::write(pki.path("doc.txt"), b"clinical note").unwrap();
        openssl(
            &[
                "cms",
                "-sign",
                "-binary",
                "-cades",
                "-in",
                "doc.txt",
                "-signer",
                "signer-doctor.crt",
                "-inkey",
                "signer-doctor.key",
                "-certfile",
                "signing-ca.crt",
                "-outform",
                "DER",
                "-out",
                "doc.txt.p7s",
            ],
            &pki.dir,
        );
        std::fs::read(pki.path("doc.txt.p7s")).unwrap()
    }

    /// A BasicOCSPResponse for signer-doctor made by `openssl ocsp` acting
    /// as the responder (index file, ocsp.crt delegated by signing-ca).
    fn openssl_ocsp_basic(pki: &Pki) -> Vec<u8> {
        let out = Command::new("openssl")
            .args([
                "x509",
                "-in",
                "signer-doctor.crt",
                "-noout",
                "-serial",
                "-subject",
                "-nameopt",
                "compat",
            ])
            .current_dir(&pki.dir)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let serial = text
            .lines()
            .find_map(|l| l.strip_prefix("serial="))
            .unwrap()
            .trim()
            .to_owned();
        let subject = text
            .lines()
            .find_map(|l| l.strip_prefix("subject="))
            .unwrap()
            .trim()
            .to_owned();
        std::fs::write(
            pki.path("index.txt"),
            format!("V\t491231235959Z\t\t{serial}\tunknown\t{subject}\n"),
        )
        .unwrap();
        openssl(
            &[
                "ocsp",
                "-issuer",
                "signing-ca.crt",
                "-cert",
                "signer-doctor.crt",
                "-no_nonce",
                "-reqout",
                "req.der",
            ],
            &pki.dir,
        );
        openssl(
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-rsigner",
                "ocsp.crt",
                "-rkey",
                "ocsp.key",
                "-CA",
                "signing-ca.crt",
                "-reqin",
                "req.der",
                "-respout",
                "resp.der",
                "-ndays",
                "1",
            ],
            &pki.dir,
        );
        let resp = hozon_cms::asn1::x509_ocsp::OcspResponse::from_der(
            &std::fs::read(pki.path("resp.der")).unwrap(),
        )
        .unwrap();
        resp.response_bytes.unwrap().response.as_bytes().to_vec()
    }

    #[test]
    fn es_xl_attributes_reference_the_path_and_carry_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let pki = Pki::copy_to(dir.path()).unwrap();
        let bare = openssl_signature(&pki);
        let certs = [
            cert(&pki, "signer-doctor.crt"),
            cert(&pki, "signing-ca.crt"),
            cert(&pki, "root-ca.crt"),
        ];
        let crls = [crl(&pki, "signing-ca.crl"), crl(&pki, "root-ca.crl")];
        let basic = openssl_ocsp_basic(&pki);

        // ES-XL needs ES-T first.
        assert_eq!(
            add_validation_data_jis(&bare, &certs, &crls, &[]).unwrap_err(),
            Error::NotTimestamped { signer_info: 0 }
        );
        let tsa = TsaServer::start(&pki, TsaMode::Normal).unwrap();
        let client = TsaClient::new(TsaConfig::new(vec![tsa.url()])).unwrap();
        let es_t = crate::add_signature_timestamps(&bare, &client).unwrap().der;

        // Something that is not a BasicOCSPResponse is never written.
        let junk = vec![0x30, 0x03, 0x02, 0x01, 0x01];
        assert!(add_validation_data_jis(&es_t, &certs, &crls, &[junk]).is_err());

        let with =
            add_validation_data_jis(&es_t, &certs, &crls, std::slice::from_ref(&basic)).unwrap();
        assert_eq!(
            (with.certs_added, with.crls_added, with.ocsp_added),
            (3, 2, 1)
        );
        let file = SignatureFile::parse(&with.der).unwrap();
        let si = &file.signer_infos()[0];
        // The signed part is untouched.
        let before = SignatureFile::parse(&es_t).unwrap();
        assert_eq!(si.signed_attrs, before.signer_infos()[0].signed_attrs);
        assert_eq!(si.signature, before.signer_infos()[0].signature);

        let xl = EsXlAttributes::read(si.unsigned_attrs.as_ref()).unwrap();
        // Certificate references: the CAs, signer excluded, in path order.
        let refs = xl.certificate_refs.unwrap();
        assert_eq!(refs.len(), 2);
        assert!(refs[0].matches(certs[1].parsed(), certs[1].der()).unwrap());
        assert!(refs[1].matches(certs[2].parsed(), certs[2].der()).unwrap());
        assert!(!refs[0].matches(certs[0].parsed(), certs[0].der()).unwrap());
        // Revocation references: signer (CRL of signing-ca + the OCSP
        // response), then signing-ca (root's CRL); none for the anchor.
        let rrefs = xl.revocation_refs.unwrap();
        assert_eq!(rrefs.len(), 2);
        let signer_crls = &rrefs[0].crlids.as_ref().unwrap().crls;
        assert_eq!(signer_crls.len(), 1);
        assert!(signer_crls[0].crl_hash.matches(crls[0].der()).unwrap());
        let id = signer_crls[0].crl_identifier.as_ref().unwrap();
        assert_eq!(id.crlissuer, certs[1].parsed().tbs_certificate.subject);
        let ocsp = &rrefs[0].ocspids.as_ref().unwrap().ocsp_responses;
        assert_eq!(ocsp.len(), 1);
        assert!(ocsp[0]
            .ocsp_rep_hash
            .as_ref()
            .unwrap()
            .matches(&basic)
            .unwrap());
        assert!(matches!(
            ocsp[0].ocsp_identifier.ocsp_responder_id,
            hozon_cms::asn1::x509_ocsp::ResponderId::ByName(_)
        ));
        assert!(rrefs[1].ocspids.is_none());
        assert!(rrefs[1].crlids.as_ref().unwrap().crls[0]
            .crl_hash
            .matches(crls[1].der())
            .unwrap());
        // Values: the data itself, OCSP byte for byte.
        assert_eq!(xl.certificate_values.unwrap().len(), 3);
        let values = xl.revocation_values.unwrap();
        assert_eq!(values.crl_der().unwrap().len(), 2);
        assert_eq!(values.ocsp_basic_der().unwrap(), vec![basic.clone()]);

        // Running again adds nothing and changes nothing.
        let again = add_validation_data_jis(&with.der, &certs, &crls, std::slice::from_ref(&basic))
            .unwrap();
        assert_eq!(again.der, with.der);
        assert_eq!(
            (again.certs_added, again.crls_added, again.ocsp_added),
            (0, 0, 0)
        );

        // After an archive time stamp the attributes are frozen: a new
        // certificate goes into SignedData `certificates`, the ES-XL
        // attributes stay byte for byte, and a new OCSP response is refused.
        let mut stamped = SignatureFile::parse(&with.der).unwrap().signed_data;
        let mut infos = stamped.signer_infos.0.clone().into_vec();
        hozon_cms::attributes::push(
            &mut infos[0].unsigned_attrs,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
            der::Any::from_der(&[0x05, 0x00]).unwrap(),
        )
        .unwrap();
        stamped.signer_infos = SignerInfos::try_from(infos).unwrap();
        let stamped = SignatureFile::encode_signed_data(&stamped).unwrap();
        let tsa_cert = cert(&pki, "tsa.crt");
        let mut more = certs.to_vec();
        more.push(tsa_cert.clone());
        let late =
            add_validation_data_jis(&stamped, &more, &crls, std::slice::from_ref(&basic)).unwrap();
        assert_eq!((late.certs_added, late.crls_added), (1, 0));
        let late_file = SignatureFile::parse(&late.der).unwrap();
        assert!(late_file.certificates().contains(&tsa_cert));
        let stamped_file = SignatureFile::parse(&stamped).unwrap();
        assert_eq!(
            late_file.signer_infos()[0].unsigned_attrs,
            stamped_file.signer_infos()[0].unsigned_attrs
        );
        // Another valid BasicOCSPResponse: the same one re-made a second later.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let other_ocsp = openssl_ocsp_basic(&pki);
        assert_ne!(other_ocsp, basic);
        assert!(add_validation_data_jis(
            &stamped,
            &certs,
            &crls,
            std::slice::from_ref(&other_ocsp)
        )
        .is_err());
        // Before any archive stamp, the attributes are rewritten whole, with
        // what they held plus what is new (a later validation's OCSP
        // response), and the references follow.
        let grown = add_validation_data_jis(&with.der, &certs[..1], &[], &[other_ocsp]).unwrap();
        assert_eq!(
            (grown.certs_added, grown.crls_added, grown.ocsp_added),
            (0, 0, 1)
        );
        let grown_file = SignatureFile::parse(&grown.der).unwrap();
        let xl =
            EsXlAttributes::read(grown_file.signer_infos()[0].unsigned_attrs.as_ref()).unwrap();
        assert_eq!(xl.certificate_values.unwrap().len(), 3);
        let values = xl.revocation_values.unwrap();
        assert_eq!(values.crl_der().unwrap().len(), 2);
        assert_eq!(values.ocsp_basic_der().unwrap().len(), 2);
        let rrefs = xl.revocation_refs.unwrap();
        assert_eq!(rrefs[0].ocspids.as_ref().unwrap().ocsp_responses.len(), 2);
        assert_eq!(xl.certificate_refs.unwrap().len(), 2);
    }
}
