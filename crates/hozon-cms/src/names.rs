//! Distinguished names compared as RFC 5280 §7.1 says: after the
//! string-type, case and white-space normalisation of RFC 4518 (a
//! UTF8String issuer in an ESS IssuerSerial matches the certificate's
//! PrintableString), not byte by byte. OpenSSL's `X509_NAME_cmp` compares
//! the canonical encodings it builds for exactly this (the `openssl`
//! crate's [`X509NameRef::try_cmp`]).

use der::Encode;
use openssl::x509::{X509Name, X509NameRef};
use x509_cert::name::Name;

/// Whether `a` and `b` are the same name (RFC 5280 §7.1). Equal encodings
/// match at once; otherwise both are compared in OpenSSL's canonical form.
/// A name that cannot be encoded or read matches nothing.
pub fn names_match(a: &Name, b: &Name) -> bool {
    let (Ok(a), Ok(b)) = (a.to_der(), b.to_der()) else {
        return false;
    };
    if a == b {
        return true;
    }
    let (Ok(a), Ok(b)) = (X509Name::from_der(&a), X509Name::from_der(&b)) else {
        return false;
    };
    canonical_eq(&a, &b)
}

fn canonical_eq(a: &X509NameRef, b: &X509NameRef) -> bool {
    a.try_cmp(b).is_ok_and(|o| o == std::cmp::Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Decode;

    /// `CN=<cn>, O=<o>` with both values as the string type `tag`.
    fn name(tag: u8, o: &str, cn: &str) -> Name {
        let rdn = |oid: &[u8], v: &str| {
            let mut atv = vec![0x06, u8::try_from(oid.len()).unwrap()];
            atv.extend(oid);
            atv.extend([tag, u8::try_from(v.len()).unwrap()]);
            atv.extend(v.as_bytes());
            let mut seq = vec![0x30, u8::try_from(atv.len()).unwrap()];
            seq.extend(atv);
            let mut set = vec![0x31, u8::try_from(seq.len()).unwrap()];
            set.extend(seq);
            set
        };
        let mut body = rdn(&[0x55, 0x04, 0x0a], o);
        body.extend(rdn(&[0x55, 0x04, 0x03], cn));
        let mut der = vec![0x30, u8::try_from(body.len()).unwrap()];
        der.extend(body);
        Name::from_der(&der).unwrap()
    }

    const UTF8: u8 = 0x0c;
    const PRINTABLE: u8 = 0x13;

    #[test]
    fn utf8string_matches_printablestring() {
        let printable = name(PRINTABLE, "Hozon Hospital", "Signing CA");
        let utf8 = name(UTF8, "Hozon Hospital", "Signing CA");
        assert_ne!(printable.to_der().unwrap(), utf8.to_der().unwrap());
        assert!(names_match(&utf8, &printable));
    }

    #[test]
    fn case_and_white_space_are_folded() {
        let printable = name(PRINTABLE, "Hozon Hospital", "Signing CA");
        assert!(names_match(
            &name(UTF8, "  hozon   HOSPITAL ", "signing ca"),
            &printable
        ));
    }

    #[test]
    fn another_name_does_not_match() {
        let printable = name(PRINTABLE, "Hozon Hospital", "Signing CA");
        assert!(!names_match(
            &name(UTF8, "Hozon Hospital", "Signing CB"),
            &printable
        ));
        assert!(!names_match(
            &name(UTF8, "Hozon Hospital", "SigningCA"),
            &printable
        ));
    }

    /// A certificate (made here with OpenSSL) whose issuer is in
    /// PrintableString, and an ESS IssuerSerial naming it in UTF8String.
    #[test]
    fn ess_issuer_serial_in_utf8string_matches_a_printablestring_certificate() {
        use crate::signing_certificate::IssuerSerial;
        use openssl::asn1::{Asn1Integer, Asn1Time, Asn1Type};
        use openssl::bn::BigNum;
        use openssl::hash::MessageDigest;
        use openssl::nid::Nid;
        use openssl::pkey::PKey;
        use openssl::x509::{X509NameBuilder, X509};
        use x509_cert::ext::pkix::name::GeneralName;

        let key = PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
        let mut nb = X509NameBuilder::new().unwrap();
        nb.append_entry_by_nid_with_type(
            Nid::ORGANIZATIONNAME,
            "Hozon Hospital",
            Asn1Type::PRINTABLESTRING,
        )
        .unwrap();
        nb.append_entry_by_nid_with_type(Nid::COMMONNAME, "Signing CA", Asn1Type::PRINTABLESTRING)
            .unwrap();
        let issuer = nb.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        let serial = Asn1Integer::from_bn(&BigNum::from_u32(4242).unwrap()).unwrap();
        b.set_serial_number(&serial).unwrap();
        b.set_issuer_name(&issuer).unwrap();
        b.set_subject_name(&issuer).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        let cert = x509_cert::Certificate::from_der(&b.build().to_der().unwrap()).unwrap();
        assert_eq!(
            cert.tbs_certificate.issuer.to_der().unwrap(),
            name(PRINTABLE, "Hozon Hospital", "Signing CA")
                .to_der()
                .unwrap()
        );

        let reference = |n: Name| IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(n)],
            serial_number: cert.tbs_certificate.serial_number.clone(),
        };
        assert!(reference(name(UTF8, "Hozon Hospital", "Signing CA")).matches(&cert));
        assert!(!reference(name(UTF8, "Hozon Hospital", "Other CA")).matches(&cert));
    }
}
