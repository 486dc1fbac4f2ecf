//! The `ds:Signature` element (W3C XML Signature Syntax and Processing 1.1
//! §4) read into types: SignedInfo with its canonicalisation and signature
//! method, the References with their transforms and digests, the
//! SignatureValue and the certificates of KeyInfo/X509Data.

use base64::Engine as _;
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};

use crate::c14n::C14nMethod;
use crate::error::DsigError;
use crate::xml::Element;

/// The XML-DSig namespace.
pub const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The enveloped-signature transform.
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// The base64 transform.
pub const BASE64: &str = "http://www.w3.org/2000/09/xmldsig#base64";
/// XSLT (never run).
pub const XSLT: &str = "http://www.w3.org/TR/1999/REC-xslt-19991116";
/// XPath filtering (not supported).
pub const XPATH: &str = "http://www.w3.org/TR/1999/REC-xpath-19991116";
/// XPath Filter 2.0 (not supported).
pub const XPATH_FILTER2: &str = "http://www.w3.org/2002/06/xmldsig-filter2";

/// A transform of a Reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transform {
    /// Removes the signature that contains the reference.
    Enveloped,
    /// Canonicalises the node set.
    C14n(C14nMethod),
    /// Decodes the text of the node set (or the octets) from base64.
    Base64,
    /// Any other algorithm: refused when the reference is processed.
    Unsupported(String),
}

/// One `ds:Reference`.
#[derive(Clone, Debug)]
pub struct Reference<'d> {
    /// The element.
    pub element: Element<'d>,
    /// Its `Id`.
    pub id: Option<String>,
    /// Its `URI` (`None` when absent).
    pub uri: Option<String>,
    /// Its `Type`.
    pub type_: Option<String>,
    /// The transforms, in order.
    pub transforms: Vec<Transform>,
    /// The digest algorithm.
    pub digest_method: DigestAlgorithm,
    /// The signed digest.
    pub digest_value: Vec<u8>,
}

/// `ds:SignedInfo`.
#[derive(Clone, Debug)]
pub struct SignedInfo<'d> {
    /// The element.
    pub element: Element<'d>,
    /// How it is canonicalised before signing.
    pub c14n: C14nMethod,
    /// The signature algorithm URI.
    pub signature_method: String,
    /// The references.
    pub references: Vec<Reference<'d>>,
}

/// A `ds:Signature`.
#[derive(Clone, Debug)]
pub struct Signature<'d> {
    /// The element.
    pub element: Element<'d>,
    /// Its `Id`.
    pub id: Option<String>,
    /// SignedInfo.
    pub signed_info: SignedInfo<'d>,
    /// The SignatureValue element.
    pub signature_value_element: Element<'d>,
    /// The decoded signature value.
    pub signature_value: Vec<u8>,
    /// The KeyInfo element, if any.
    pub key_info: Option<Element<'d>>,
    /// The certificates of KeyInfo/X509Data, in order.
    pub certificates: Vec<Cert>,
}

/// Decodes base64 text as XML-DSig writes it (line breaks and other white
/// space allowed between characters).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact.as_bytes())
}

/// The digest algorithm a DigestMethod URI names.
pub fn digest_from_uri(uri: &str) -> Option<DigestAlgorithm> {
    Some(match uri {
        "http://www.w3.org/2000/09/xmldsig#sha1" => DigestAlgorithm::Sha1,
        "http://www.w3.org/2001/04/xmldsig-more#sha224" => DigestAlgorithm::Sha224,
        "http://www.w3.org/2001/04/xmlenc#sha256" => DigestAlgorithm::Sha256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => DigestAlgorithm::Sha384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => DigestAlgorithm::Sha512,
        _ => return None,
    })
}

/// The DigestMethod URI of `alg`.
pub fn digest_uri(alg: DigestAlgorithm) -> &'static str {
    match alg {
        DigestAlgorithm::Sha1 => "http://www.w3.org/2000/09/xmldsig#sha1",
        DigestAlgorithm::Sha224 => "http://www.w3.org/2001/04/xmldsig-more#sha224",
        DigestAlgorithm::Sha384 => "http://www.w3.org/2001/04/xmldsig-more#sha384",
        DigestAlgorithm::Sha512 => "http://www.w3.org/2001/04/xmlenc#sha512",
        _ => "http://www.w3.org/2001/04/xmlenc#sha256",
    }
}

/// The signature algorithm a SignatureMethod URI names (RFC 6931): RSA
/// PKCS#1 v1.5, RSA-PSS with MGF1 (salt as long as the digest) and ECDSA.
pub fn signature_from_uri(uri: &str) -> Option<SignatureAlgorithm> {
    use DigestAlgorithm as D;
    use SignatureAlgorithm as S;
    Some(match uri {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1" => S::RsaPkcs1v15(D::Sha1),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224" => S::RsaPkcs1v15(D::Sha224),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" => S::RsaPkcs1v15(D::Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => S::RsaPkcs1v15(D::Sha384),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => S::RsaPkcs1v15(D::Sha512),
        "http://www.w3.org/2007/05/xmldsig-more#sha224-rsa-MGF1" => S::rsa_pss(D::Sha224),
        "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1" => S::rsa_pss(D::Sha256),
        "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1" => S::rsa_pss(D::Sha384),
        "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1" => S::rsa_pss(D::Sha512),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1" => S::Ecdsa(D::Sha1),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224" => S::Ecdsa(D::Sha224),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => S::Ecdsa(D::Sha256),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => S::Ecdsa(D::Sha384),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => S::Ecdsa(D::Sha512),
        _ => return None,
    })
}

/// The SignatureMethod URI of `alg` (`None` for algorithms XML-DSig has no
/// URI for here).
pub fn signature_uri(alg: SignatureAlgorithm) -> Option<&'static str> {
    use DigestAlgorithm as D;
    use SignatureAlgorithm as S;
    Some(match alg {
        S::RsaPkcs1v15(D::Sha256) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        S::RsaPkcs1v15(D::Sha384) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        S::RsaPkcs1v15(D::Sha512) => "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        S::Ecdsa(D::Sha256) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        S::Ecdsa(D::Sha384) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384",
        S::Ecdsa(D::Sha512) => "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
        S::RsaPss {
            digest: D::Sha256, ..
        } => "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
        S::RsaPss {
            digest: D::Sha384, ..
        } => "http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1",
        S::RsaPss {
            digest: D::Sha512, ..
        } => "http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1",
        _ => return None,
    })
}

fn format(msg: impl Into<String>) -> DsigError {
    DsigError::Format(msg.into())
}

fn required<'d>(parent: &Element<'d>, local: &str) -> Result<Element<'d>, DsigError> {
    let all = parent.children_named(DS, local);
    match all.len() {
        1 => Ok(all[0]),
        0 => Err(format(format!("{} has no ds:{local}", parent.local_name()))),
        n => Err(format(format!(
            "{} has {n} ds:{local} elements",
            parent.local_name()
        ))),
    }
}

fn algorithm(e: &Element<'_>) -> Result<String, DsigError> {
    e.attribute("Algorithm")
        .ok_or_else(|| format(format!("ds:{} has no Algorithm", e.local_name())))
}

/// The canonicalisation method of a CanonicalizationMethod or Transform
/// element with algorithm `uri`, with its InclusiveNamespaces PrefixList.
pub fn c14n_method(e: &Element<'_>, uri: &str) -> Option<C14nMethod> {
    let mut m = C14nMethod::from_uri(uri)?;
    if m.mode == crate::c14n::C14nMode::Exclusive10 {
        if let Some(list) = e
            .children()
            .into_iter()
            .find(|c| {
                c.is(
                    "http://www.w3.org/2001/10/xml-exc-c14n#",
                    "InclusiveNamespaces",
                )
            })
            .and_then(|c| c.attribute("PrefixList"))
        {
            m.inclusive_prefixes = list.split_ascii_whitespace().map(str::to_owned).collect();
        }
    }
    Some(m)
}

fn reference<'d>(e: Element<'d>) -> Result<Reference<'d>, DsigError> {
    let mut transforms = Vec::new();
    if let Some(ts) = e.child(DS, "Transforms") {
        for t in ts.children_named(DS, "Transform") {
            let uri = algorithm(&t)?;
            transforms.push(match uri.as_str() {
                ENVELOPED => Transform::Enveloped,
                BASE64 => Transform::Base64,
                _ => match c14n_method(&t, &uri) {
                    Some(m) => Transform::C14n(m),
                    None => Transform::Unsupported(uri),
                },
            });
        }
    }
    let dm = required(&e, "DigestMethod")?;
    let dm_uri = algorithm(&dm)?;
    let digest_method = digest_from_uri(&dm_uri)
        .ok_or_else(|| format(format!("unsupported DigestMethod {dm_uri}")))?;
    let digest_value = decode_base64(&required(&e, "DigestValue")?.text())
        .map_err(|m| format(format!("DigestValue: {m}")))?;
    Ok(Reference {
        element: e,
        id: e.attribute("Id"),
        uri: e.attribute("URI"),
        type_: e.attribute("Type"),
        transforms,
        digest_method,
        digest_value,
    })
}

impl<'d> Signature<'d> {
    /// Reads the `ds:Signature` element `e`.
    pub fn read(e: Element<'d>) -> Result<Signature<'d>, DsigError> {
        if !e.is(DS, "Signature") {
            return Err(format("not a ds:Signature element"));
        }
        let si = required(&e, "SignedInfo")?;
        let cm = required(&si, "CanonicalizationMethod")?;
        let cm_uri = algorithm(&cm)?;
        let c14n = c14n_method(&cm, &cm_uri)
            .ok_or_else(|| format(format!("unsupported CanonicalizationMethod {cm_uri}")))?;
        let signature_method = algorithm(&required(&si, "SignatureMethod")?)?;
        let references = si
            .children_named(DS, "Reference")
            .into_iter()
            .map(reference)
            .collect::<Result<Vec<_>, _>>()?;
        if references.is_empty() {
            return Err(format("SignedInfo has no ds:Reference"));
        }
        let sv = required(&e, "SignatureValue")?;
        let signature_value =
            decode_base64(&sv.text()).map_err(|m| format(format!("SignatureValue: {m}")))?;
        let key_info = e.child(DS, "KeyInfo");
        let mut certificates = Vec::new();
        if let Some(ki) = key_info {
            for data in ki.children_named(DS, "X509Data") {
                for c in data.children_named(DS, "X509Certificate") {
                    let der = decode_base64(&c.text())
                        .map_err(|m| format(format!("X509Certificate: {m}")))?;
                    let cert = Cert::from_der(&der)
                        .map_err(|err| format(format!("X509Certificate: {err}")))?;
                    certificates.push(cert);
                }
            }
        }
        Ok(Signature {
            element: e,
            id: e.attribute("Id"),
            signed_info: SignedInfo {
                element: si,
                c14n,
                signature_method,
                references,
            },
            signature_value_element: sv,
            signature_value,
            key_info,
            certificates,
        })
    }
}

/// Every `ds:Signature` element of the document under `root`, in document
/// order (counter-signatures inside other signatures' properties included).
pub fn find_signatures<'d>(root: Element<'d>) -> Vec<Element<'d>> {
    let mut out = Vec::new();
    root.walk(&mut |e| {
        if e.is(DS, "Signature") {
            out.push(e);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_with_line_breaks() {
        assert_eq!(decode_base64("aGVs\n bG8=\r\n").unwrap(), b"hello");
        assert!(decode_base64("***").is_err());
    }

    #[test]
    fn algorithm_uris() {
        assert_eq!(
            digest_from_uri(digest_uri(DigestAlgorithm::Sha256)),
            Some(DigestAlgorithm::Sha256)
        );
        for alg in [
            SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256),
            SignatureAlgorithm::Ecdsa(DigestAlgorithm::Sha384),
            SignatureAlgorithm::rsa_pss(DigestAlgorithm::Sha256),
        ] {
            assert_eq!(signature_from_uri(signature_uri(alg).unwrap()), Some(alg));
        }
        assert!(signature_from_uri("http://www.w3.org/2000/09/xmldsig#dsa-sha1").is_none());
    }
}
