//! The signer of a record: the subject (RFC 4514) of the certificate the
//! first SignerInfo of the record's signature identifies (RFC 5652 §5.3
//! `sid`: issuer and serial number, or subject key identifier), found
//! among the signature's own certificates. Only a search key: who signed
//! validly is what verification says.

use std::path::Path;

use hozon_cms::asn1::cms::signed_data::SignerIdentifier;
use hozon_cms::asn1::x509_cert::ext::pkix::SubjectKeyIdentifier;
use hozon_cms::{Cert, SignatureFile};

/// The signer's subject of the signature file at `path`, if it can be told.
pub fn subject(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    subject_of(&bytes)
}

/// The signer's subject of the signature `bytes`.
pub fn subject_of(bytes: &[u8]) -> Option<String> {
    let sig = SignatureFile::parse(bytes).ok()?;
    let si = sig.signer_infos().first()?;
    let certs = sig.certificates();
    certs
        .iter()
        .find(|c| identifies(&si.sid, c))
        .map(Cert::subject)
}

fn identifies(sid: &SignerIdentifier, cert: &Cert) -> bool {
    let tbs = &cert.parsed().tbs_certificate;
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            tbs.issuer == ias.issuer && tbs.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => matches!(
            tbs.get::<SubjectKeyIdentifier>(),
            Ok(Some((_, own))) if own == *ski
        ),
    }
}
