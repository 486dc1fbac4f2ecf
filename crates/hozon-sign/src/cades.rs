//! CAdES B-B (CAdES-BES) creation, ETSI EN 319 122-1 §5.2 / §6.3.
//!
//! Signed attributes: content-type, message-digest, signing-time and
//! signing-certificate-v2 (RFC 5035, with issuerSerial). Everything that does
//! not depend on the content (certificate set, signer identifier, the ESS
//! attribute) is prepared once per signer, so a batch pays only for the
//! digest, the signature and the encoding of each file.

use std::io::Read;
use std::sync::Arc;
use std::time::SystemTime;

use hozon_cms::asn1::cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use hozon_cms::asn1::cms::content_info::CmsVersion;
use hozon_cms::asn1::cms::content_info::ContentInfo;
use hozon_cms::asn1::cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignerIdentifier, SignerInfo, SignerInfos,
};
use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_KEY_USAGE;
use hozon_cms::asn1::der::asn1::{GeneralizedTime, OctetString, SetOfVec, UtcTime};
use hozon_cms::asn1::der::{
    self as der, Any, Decode, DecodeValue, Encode, EncodeValue, FixedTag, Header, Length, Reader,
    Sequence, Tag, Writer,
};
use hozon_cms::asn1::spki::AlgorithmIdentifierOwned;
use hozon_cms::asn1::x509_cert::attr::Attribute;
use hozon_cms::asn1::x509_cert::ext::pkix::KeyUsage;
use hozon_cms::asn1::x509_cert::time::Time;
use hozon_cms::attributes::single_valued;
use hozon_cms::oid::{
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA,
    ID_SIGNING_TIME,
};
use hozon_cms::signing_certificate::SigningCertificateV2;
use hozon_cms::{Cert, DigestAlgorithm};

use crate::{Error, Signer};

/// The largest content `--enveloping` embeds; larger files must be signed
/// detached (which streams and has no limit).
pub const MAX_ENVELOPING_CONTENT: u64 = 512 << 20;

/// Makes CAdES B-B signatures with one [`Signer`].
pub struct CadesSigner {
    signer: Arc<dyn Signer>,
    digest: DigestAlgorithm,
    signature_algorithm: hozon_cms::asn1::spki::AlgorithmIdentifierOwned,
    certificates: EncodedSet,
    sid: SignerIdentifier,
    signing_certificate: Attribute,
    signing_time: Option<SystemTime>,
}

impl CadesSigner {
    /// Prepares signing with `signer`. Refuses certificates that must not
    /// sign now: outside their validity period, without a signing key usage,
    /// or with an RSA key shorter than 2048 bits.
    pub fn new(signer: Arc<dyn Signer>) -> Result<CadesSigner, Error> {
        let cert = signer.certificate().clone();
        check_usable(&cert, SystemTime::now())?;
        let algorithm = signer.algorithm();
        // Ed25519 has no separate digest; RFC 8419 §3 uses SHA-512 for the
        // message-digest attribute.
        let digest = algorithm.digest().unwrap_or(DigestAlgorithm::Sha512);
        let signing_certificate = single_valued(
            ID_AA_SIGNING_CERTIFICATE_V_2,
            &SigningCertificateV2::for_certificate(
                cert.parsed(),
                cert.der(),
                DigestAlgorithm::Sha256,
            )?,
        )?;
        let mut choices = vec![CertificateChoices::Certificate(cert.parsed().clone())];
        choices.extend(
            signer
                .chain()
                .iter()
                .map(|c| CertificateChoices::Certificate(c.parsed().clone())),
        );
        let certificates =
            EncodedSet::of(&CertificateSet::try_from(choices).map_err(hozon_cms::Error::Encode)?)?;
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.parsed().tbs_certificate.issuer.clone(),
            serial_number: cert.parsed().tbs_certificate.serial_number.clone(),
        });
        Ok(CadesSigner {
            signature_algorithm: algorithm.identifier()?,
            signer,
            digest,
            certificates,
            sid,
            signing_certificate,
            signing_time: None,
        })
    }

    /// Uses a fixed signing-time instead of the clock (tests, reproducible
    /// output). The claimed signing time is never evidence on its own; time
    /// stamps are.
    pub fn with_signing_time(mut self, time: SystemTime) -> CadesSigner {
        self.signing_time = Some(time);
        self
    }

    /// The digest algorithm of the message-digest attribute.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest
    }

    /// The signer.
    pub fn signer(&self) -> &dyn Signer {
        self.signer.as_ref()
    }

    /// A detached signature over everything `content` yields, read in
    /// constant memory.
    pub fn sign_detached(&self, content: impl Read) -> Result<Vec<u8>, Error> {
        let digest = self
            .digest
            .digest_reader(content)
            .map_err(Error::ReadContent)?;
        self.sign_digest(&digest, None, true)
    }

    /// A detached signature given the content's digest (computed with
    /// [`CadesSigner::digest_algorithm`]).
    pub fn sign_detached_digest(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_digest(digest, None, true)
    }

    /// A detached signature for a PDF (PAdES, SubFilter
    /// `ETSI.CAdES.detached`) given the digest of its byte ranges: as
    /// [`CadesSigner::sign_detached_digest`] without the signing-time
    /// attribute, which EN 319 142-1 §6.3 forbids (the signature
    /// dictionary's `/M` holds the claimed time).
    pub fn sign_pades_digest(&self, digest: &[u8]) -> Result<Vec<u8>, Error> {
        self.sign_digest(digest, None, false)
    }

    /// An enveloping signature embedding `content` (at most
    /// [`MAX_ENVELOPING_CONTENT`] bytes).
    pub fn sign_enveloping(&self, content: &[u8]) -> Result<Vec<u8>, Error> {
        let len = u64::try_from(content.len()).unwrap_or(u64::MAX);
        if len > MAX_ENVELOPING_CONTENT {
            return Err(Error::Unsupported(format!(
                "content of {len} bytes is too large for an enveloping signature (limit {MAX_ENVELOPING_CONTENT}); sign it detached"
            )));
        }
        let digest = self.digest.digest(content)?;
        let econtent = OctetString::new(content).map_err(hozon_cms::Error::Encode)?;
        let econtent = Any::encode_from(&econtent).map_err(hozon_cms::Error::Encode)?;
        self.sign_digest(&digest, Some(econtent), true)
    }

    fn sign_digest(
        &self,
        digest: &[u8],
        econtent: Option<Any>,
        with_signing_time: bool,
    ) -> Result<Vec<u8>, Error> {
        if digest.len() != self.digest.output_len() {
            return Err(Error::Unsupported(format!(
                "a {} digest is {} bytes, got {}",
                self.digest,
                self.digest.output_len(),
                digest.len()
            )));
        }
        let enc = hozon_cms::Error::Encode;
        let now = self.signing_time.unwrap_or_else(SystemTime::now);
        let mut attrs = vec![single_valued(ID_CONTENT_TYPE, &ID_DATA)?];
        if with_signing_time {
            attrs.push(single_valued(ID_SIGNING_TIME, &signing_time(now)?)?);
        }
        attrs.push(single_valued(
            ID_MESSAGE_DIGEST,
            &OctetString::new(digest).map_err(enc)?,
        )?);
        attrs.push(self.signing_certificate.clone());
        let signed_attrs = SetOfVec::try_from(attrs).map_err(enc)?;
        // RFC 5652 §5.4: the signature covers the DER encoding of the SET OF
        // signed attributes (universal SET tag, not the [0] of the field).
        let to_be_signed = signed_attrs.to_der().map_err(enc)?;
        let signature = self.signer.sign(&to_be_signed)?;
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: self.sid.clone(),
            digest_alg: self.digest.identifier(),
            signed_attrs: Some(signed_attrs),
            signature_algorithm: self.signature_algorithm.clone(),
            signature: OctetString::new(signature).map_err(enc)?,
            unsigned_attrs: None,
        };
        let signed_data = SignedDataOut {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![self.digest.identifier()]).map_err(enc)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: ID_DATA,
                econtent,
            },
            certificates: Some(self.certificates.clone()),
            signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(enc)?,
        };
        let content = Any::encode_from(&signed_data).map_err(enc)?;
        ContentInfo {
            content_type: ID_SIGNED_DATA,
            content,
        }
        .to_der()
        .map_err(|e| Error::Cms(enc(e)))
    }
}

/// `SignedData` as hozon writes it: the same ASN.1 as
/// [`SignedData`](hozon_cms::asn1::cms::signed_data::SignedData) (RFC 5652
/// §5.1), except that the certificate set is encoded once per signer rather
/// than once per signature. Re-encoding three certificates for every file
/// cost 3% of batch signing time; `encodes_like_cms_signed_data` pins the
/// output to the `cms` crate's byte for byte.
#[derive(Clone, Debug, Sequence)]
struct SignedDataOut {
    version: CmsVersion,
    digest_algorithms: SetOfVec<AlgorithmIdentifierOwned>,
    encap_content_info: EncapsulatedContentInfo,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<EncodedSet>,
    signer_infos: SignerInfos,
}

/// The DER contents of a SET OF, already encoded and sorted.
#[derive(Clone, Debug, PartialEq, Eq)]
struct EncodedSet(Vec<u8>);

impl EncodedSet {
    fn of(set: &CertificateSet) -> Result<EncodedSet, Error> {
        let der = set.to_der().map_err(hozon_cms::Error::Encode)?;
        let any = Any::from_der(&der).map_err(hozon_cms::Error::Encode)?;
        Ok(EncodedSet(any.value().to_vec()))
    }
}

impl FixedTag for EncodedSet {
    const TAG: Tag = Tag::Set;
}

impl EncodeValue for EncodedSet {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.0.len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(&self.0)
    }
}

impl<'a> DecodeValue<'a> for EncodedSet {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        Ok(EncodedSet(reader.read_vec(header.length)?))
    }
}

/// signing-time: UTCTime until 2049, GeneralizedTime after (RFC 5652 §11.3).
fn signing_time(t: SystemTime) -> Result<Time, Error> {
    match UtcTime::from_system_time(t) {
        Ok(utc) => Ok(Time::UtcTime(utc)),
        Err(_) => Ok(Time::GeneralTime(
            GeneralizedTime::from_system_time(t).map_err(hozon_cms::Error::Encode)?,
        )),
    }
}

fn check_usable(cert: &Cert, now: SystemTime) -> Result<(), Error> {
    let refuse = |reason: String| Error::CertificateNotUsable {
        subject: cert.subject(),
        reason,
    };
    let now_unix = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let (not_before, not_after) = cert.validity_unix();
    let validity = &cert.parsed().tbs_certificate.validity;
    if now_unix < not_before {
        return Err(refuse(format!(
            "it is not valid before {}",
            validity.not_before
        )));
    }
    if now_unix > not_after {
        return Err(refuse(format!("it expired at {}", validity.not_after)));
    }
    let extensions = cert.parsed().tbs_certificate.extensions.iter().flatten();
    for ext in extensions.filter(|e| e.extn_id == ID_CE_KEY_USAGE) {
        let ku = KeyUsage::from_der(ext.extn_value.as_bytes())
            .map_err(|e| refuse(format!("its keyUsage extension is malformed: {e}")))?;
        if !ku.digital_signature() && !ku.non_repudiation() {
            return Err(refuse(
                "its keyUsage allows neither nonRepudiation nor digitalSignature".to_owned(),
            ));
        }
    }
    let public = cert.to_openssl()?.public_key()?;
    if public.id() == openssl::pkey::Id::RSA && public.bits() < 2048 {
        return Err(refuse(format!(
            "its RSA key has {} bits; at least 2048 are required",
            public.bits()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hozon_cms::asn1::cms::signed_data::SignedData;

    fn some_certs() -> Vec<CertificateChoices> {
        let pem = include_bytes!("../../../testdata/pki/chain.pem");
        Cert::read_bundle(pem)
            .unwrap()
            .into_iter()
            .map(|c| CertificateChoices::Certificate(c.parsed().clone()))
            .collect()
    }

    #[test]
    fn encodes_like_cms_signed_data() {
        let certs = CertificateSet::try_from(some_certs()).unwrap();
        let digest_algorithms =
            SetOfVec::try_from(vec![DigestAlgorithm::Sha256.identifier()]).unwrap();
        let encap_content_info = EncapsulatedContentInfo {
            econtent_type: ID_DATA,
            econtent: None,
        };
        let signer_infos = SignerInfos::try_from(vec![]).unwrap();
        let reference = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: digest_algorithms.clone(),
            encap_content_info: encap_content_info.clone(),
            certificates: Some(certs.clone()),
            crls: None,
            signer_infos: signer_infos.clone(),
        };
        let ours = SignedDataOut {
            version: CmsVersion::V1,
            digest_algorithms,
            encap_content_info,
            certificates: Some(EncodedSet::of(&certs).unwrap()),
            signer_infos,
        };
        assert_eq!(ours.to_der().unwrap(), reference.to_der().unwrap());
    }
}
