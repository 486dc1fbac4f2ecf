//! What X.690, RFC 5280 and RFC 5652 allow and other signers write, read
//! through the vendored ASN.1 crates (see docs/interoperability.md): version
//! 1 CRLs, attribute certificates among CertificateChoices, OIDs of short
//! arcs.

use cms::cert::CertificateChoices;
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode};
use x509_cert::crl::{CertificateList, TbsCertList};

/// A v2 CRL of the test PKI, as DER.
fn v2_crl() -> Vec<u8> {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/pki/crls.pem"
    ))
    .unwrap();
    let crl = openssl::x509::X509Crl::from_pem(&pem).unwrap();
    crl.to_der().unwrap()
}

#[test]
fn a_version_1_crl_is_read_and_written_back_as_received() {
    let mut list = CertificateList::from_der(&v2_crl()).unwrap();
    // A v1 TBSCertList: no version, no extensions.
    list.tbs_cert_list = TbsCertList {
        version: x509_cert::Version::V1,
        crl_extensions: None,
        ..list.tbs_cert_list
    };
    let v1 = list.to_der().unwrap();
    // The TBSCertList starts with the signature AlgorithmIdentifier (a
    // SEQUENCE), not an INTEGER version.
    let tbs = der::Any::from_der(&list.tbs_cert_list.to_der().unwrap()).unwrap();
    assert_eq!(tbs.value()[0], 0x30, "no version field");
    let back = CertificateList::from_der(&v1).unwrap();
    assert_eq!(back.tbs_cert_list.version, x509_cert::Version::V1);
    assert_eq!(back.to_der().unwrap(), v1);
}

#[test]
fn attribute_certificates_are_certificate_choices() {
    // v2AttrCert [2] IMPLICIT AttributeCertificateV2 (contents opaque here).
    let v2 = [0xa2, 0x03, 0x02, 0x01, 0x01];
    let choice = CertificateChoices::from_der(&v2).unwrap();
    assert!(matches!(choice, CertificateChoices::V2AttrCert(_)));
    assert_eq!(choice.to_der().unwrap(), v2);
    let v1 = [0xa1, 0x03, 0x02, 0x01, 0x00];
    let choice = CertificateChoices::from_der(&v1).unwrap();
    assert!(matches!(choice, CertificateChoices::V1AttrCert(_)));
    assert_eq!(choice.to_der().unwrap(), v1);
}

#[test]
fn an_oid_of_short_arcs_is_well_formed() {
    let oid = ObjectIdentifier::from_der(&[0x06, 0x02, 0x2a, 0x03]).unwrap();
    assert_eq!(oid.to_string(), "1.2.3");
    assert_eq!(oid.to_der().unwrap(), [0x06, 0x02, 0x2a, 0x03]);
    assert!(ObjectIdentifier::from_der(&[0x06, 0x00]).is_err(), "empty");
}
