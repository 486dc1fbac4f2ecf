//! Making an enveloped XAdES B-B signature (EN 319 132-1 §6.3) inside an
//! XML document, with the layout e-prescriptions use: three references —
//! the document (`URI=""`, enveloped-signature, Exclusive C14N), the
//! `ds:KeyInfo` with the signer's certificate, and the `SignedProperties`
//! (with its `Type`) — SigningCertificateV2, SigningTime and
//! DataObjectFormat; Exclusive C14N and SHA-256 throughout. B-T, B-LT and
//! B-LTA are added by [`crate::augment`].
//!
//! The signature element is written as text into the document and every
//! digest and the signature value are computed over the document *as it is
//! parsed back*, with libxml2's canonicaliser, so that what is signed is
//! exactly what a verifier canonicalises.

use base64::Engine as _;
use hozon_cms::asn1::der::Encode;
use hozon_cms::signing_certificate::IssuerSerial;
use hozon_cms::{Cert, DigestAlgorithm, SignatureAlgorithm};
use hozon_pki::UnixTime;

use crate::c14n::{canonicalize, NodeSet, EXC_C14N};
use crate::dsig::{digest_uri, signature_uri, Signature, DS, ENVELOPED};
use crate::properties::{SIGNED_PROPERTIES_TYPE, XADES};
use crate::reference::{element_by_id, Resolver};
use crate::xml::Document;

/// Why a document could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The document is not XML hozon can sign into.
    #[error(transparent)]
    Xml(#[from] crate::XmlError),
    /// The document cannot take an enveloped signature as it is.
    #[error("cannot sign this document: {0}")]
    Document(String),
    /// The key could not sign.
    #[error("signing failed: {0}")]
    Signer(String),
    /// An algorithm XML-DSig has no identifier for here.
    #[error("{0} has no XML-DSig algorithm identifier hozon writes")]
    Algorithm(String),
}

/// A raw signer: the signature value over a message (the key hashes it).
pub type RawSign<'a> = dyn Fn(&[u8]) -> Result<Vec<u8>, SignError> + 'a;

/// What to sign with.
pub struct SignInput<'a> {
    /// The XML document (UTF-8).
    pub document: &'a [u8],
    /// The signer's certificate.
    pub certificate: &'a Cert,
    /// Its issuers (intermediate CAs; the root may be left out), carried
    /// in `ds:KeyInfo` after it so that a verifier can build the path.
    pub chain: &'a [Cert],
    /// The signature algorithm of the key.
    pub algorithm: SignatureAlgorithm,
    /// The claimed signing time (SigningTime).
    pub signing_time: UnixTime,
    /// The signature: the raw value over the message (DER for ECDSA, as
    /// OpenSSL and PKCS#11 wrappers return it).
    pub sign: &'a RawSign<'a>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn fresh_id(doc: &Document) -> Result<String, SignError> {
    for _ in 0..8 {
        let mut r = [0u8; 8];
        openssl::rand::rand_bytes(&mut r).map_err(|e| SignError::Signer(e.to_string()))?;
        let id = format!("hozon-sig-{}", hex_lower(&r));
        if doc.elements_with_id(&id).is_empty() {
            return Ok(id);
        }
    }
    Err(SignError::Document("no unused Id could be chosen".into()))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The byte offset where the signature goes: just before the document
/// element's end tag.
fn insertion_point(text: &str, doc: &Document) -> Result<usize, SignError> {
    let root = doc
        .root()
        .ok_or_else(|| SignError::Document("no document element".into()))?;
    let qname = match root.prefix() {
        Some(p) => format!("</{p}:{}", root.local_name()),
        None => format!("</{}", root.local_name()),
    };
    text.rfind(&qname).ok_or_else(|| {
        SignError::Document(format!(
            "the document element <{}> has no end tag to sign before (an empty element)",
            root.local_name()
        ))
    })
}

fn check_encoding(text: &str) -> Result<(), SignError> {
    if let Some(decl) = text
        .strip_prefix("<?xml")
        .and_then(|d| d.split("?>").next())
    {
        if let Some(enc) = decl.split("encoding").nth(1) {
            let value: String = enc
                .chars()
                .skip_while(|c| *c != '"' && *c != '\'')
                .skip(1)
                .take_while(|c| *c != '"' && *c != '\'')
                .collect();
            if !value.eq_ignore_ascii_case("utf-8") && !value.eq_ignore_ascii_case("us-ascii") {
                return Err(SignError::Document(format!(
                    "the document is encoded in {value}; hozon signs UTF-8 documents"
                )));
            }
        }
    }
    Ok(())
}

/// The DigestValue a template leaves for [`finish`] to compute (valid
/// base64 of "hozon-digest-hole", so that the template parses).
pub const DIGEST_HOLE: &str = "aG96b24tZGlnZXN0LWhvbGU=";
/// The SignatureValue a template leaves for [`finish`] (base64 of
/// "hozon-signature-value-hole").
pub const VALUE_HOLE: &str = "aG96b24tc2lnbmF0dXJlLXZhbHVlLWhvbGU=";

/// The data object a signature's first reference covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataObject<'a> {
    /// The whole document the signature is enveloped in (`URI=""`, with
    /// the enveloped-signature transform).
    Document,
    /// The one element of the document whose `Id` is this (`URI="#id"`,
    /// with the enveloped-signature transform should it hold the
    /// signature): the layout of e-prescriptions, whose first reference
    /// names the prescription data element.
    Element(&'a str),
}

/// The first reference of a template and its DataObjectFormat.
struct DataReference {
    /// The Reference's `URI` attribute value (escaped).
    uri: String,
    /// Its Transforms element (or nothing).
    transforms: String,
    /// Its DigestValue, or `None` for [`finish`] to compute.
    digest: Option<Vec<u8>>,
    /// The MIME type DataObjectFormat names.
    mime: &'static str,
}

fn escape_attribute(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

/// The `ds:Signature` template with Id `id`: the data reference, then the
/// KeyInfo and SignedProperties references (digests and value left as
/// holes for [`finish`]).
fn template(id: &str, input: &SignInput<'_>, data: &DataReference) -> Result<String, SignError> {
    let alg_uri = signature_uri(input.algorithm)
        .ok_or_else(|| SignError::Algorithm(input.algorithm.name()))?;
    let sha256 = digest_uri(DigestAlgorithm::Sha256);
    let cert = input.certificate;
    let issuer_serial = IssuerSerial::of(cert.parsed())
        .to_der()
        .map_err(|e| SignError::Document(e.to_string()))?;
    let signing_time = time::OffsetDateTime::from_unix_timestamp(input.signing_time.0)
        .map_err(|e| SignError::Document(e.to_string()))?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| SignError::Document(e.to_string()))?;
    let exc = format!("<ds:Transforms><ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>");
    let reference = |attrs: &str, transforms: &str, digest: &str| {
        format!(
            "<ds:Reference {attrs}>{transforms}<ds:DigestMethod Algorithm=\"{sha256}\"/><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference>"
        )
    };
    let data_digest = data.digest.as_deref().map_or(DIGEST_HOLE.to_owned(), b64);
    Ok(format!(
        concat!(
            "<ds:Signature xmlns:ds=\"{ds}\" Id=\"{id}\">",
            "<ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{exc}\"/>",
            "<ds:SignatureMethod Algorithm=\"{alg}\"/>{r1}{r2}{r3}</ds:SignedInfo>",
            "<ds:SignatureValue Id=\"{id}-value\">{value}</ds:SignatureValue>",
            "<ds:KeyInfo Id=\"{id}-keyinfo\"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate>{chain}</ds:X509Data></ds:KeyInfo>",
            "<ds:Object><xades:QualifyingProperties xmlns:xades=\"{xades}\" Target=\"#{id}\">",
            "<xades:SignedProperties Id=\"{id}-signedprops\"><xades:SignedSignatureProperties>",
            "<xades:SigningTime>{time}</xades:SigningTime>",
            "<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>",
            "<ds:DigestMethod Algorithm=\"{sha256}\"/><ds:DigestValue>{cert_hash}</ds:DigestValue>",
            "</xades:CertDigest><xades:IssuerSerialV2>{issuer_serial}</xades:IssuerSerialV2></xades:Cert>",
            "</xades:SigningCertificateV2></xades:SignedSignatureProperties>",
            "<xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference=\"#{id}-ref-data\">",
            "<xades:MimeType>{mime}</xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties>",
            "</xades:SignedProperties></xades:QualifyingProperties></ds:Object></ds:Signature>"
        ),
        ds = DS,
        id = id,
        exc = EXC_C14N,
        alg = alg_uri,
        r1 = reference(
            &format!("Id=\"{id}-ref-data\" URI=\"{}\"", data.uri),
            &data.transforms,
            &data_digest
        ),
        r2 = reference(&format!("URI=\"#{id}-keyinfo\""), &exc, DIGEST_HOLE),
        r3 = reference(
            &format!("Type=\"{SIGNED_PROPERTIES_TYPE}\" URI=\"#{id}-signedprops\""),
            &exc,
            DIGEST_HOLE
        ),
        value = VALUE_HOLE,
        cert = b64(cert.der()),
        chain = input
            .chain
            .iter()
            .filter(|c| *c != cert)
            .map(|c| format!("<ds:X509Certificate>{}</ds:X509Certificate>", b64(c.der())))
            .collect::<String>(),
        xades = XADES,
        time = escape(&signing_time),
        sha256 = sha256,
        cert_hash = b64(cert.sha256()),
        issuer_serial = b64(&issuer_serial),
        mime = data.mime,
    ))
}

/// Signs `input.document` with an enveloped XAdES B-B signature over the
/// whole document; returns the signed document.
pub fn sign_enveloped(input: &SignInput<'_>) -> Result<Vec<u8>, SignError> {
    sign_enveloped_over(input, DataObject::Document)
}

/// Signs `input.document` with an enveloped XAdES B-B signature whose first
/// reference covers `data` (the whole document, or one element by its Id:
/// the e-prescription layout); returns the signed document.
pub fn sign_enveloped_over(
    input: &SignInput<'_>,
    data: DataObject<'_>,
) -> Result<Vec<u8>, SignError> {
    let text = std::str::from_utf8(input.document)
        .map_err(|_| SignError::Document("the document is not UTF-8".into()))?;
    check_encoding(text)?;
    let doc = Document::parse(input.document)?;
    let at = insertion_point(text, &doc)?;
    let id = fresh_id(&doc)?;
    let uri = match data {
        DataObject::Document => String::new(),
        DataObject::Element(data_id) => {
            element_by_id(&doc, data_id).map_err(|e| SignError::Document(e.to_string()))?;
            format!("#{}", escape_attribute(data_id))
        }
    };
    drop(doc);
    let transforms = format!(
        "<ds:Transforms><ds:Transform Algorithm=\"{ENVELOPED}\"/><ds:Transform Algorithm=\"{EXC_C14N}\"/></ds:Transforms>"
    );
    let signature = template(
        &id,
        input,
        &DataReference {
            uri,
            transforms,
            digest: None,
            mime: "text/xml",
        },
    )?;
    let mut signed = String::with_capacity(text.len() + signature.len() + 1024);
    signed.push_str(&text[..at]);
    signed.push_str(&signature);
    signed.push_str(&text[at..]);

    finish(signed.as_bytes(), &id, input)
}

/// The MIME type DataObjectFormat gives a detached file, by its extension.
fn mime_of(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "xml" => "text/xml",
        "txt" => "text/plain",
        "tif" | "tiff" => "image/tiff",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        _ => "application/octet-stream",
    }
}

/// A detached XAdES B-B signature over `content`, the bytes of the file
/// named `file_name` that will lie beside the signature (its reference is
/// that relative name; `hozon verify` resolves it in the signature's
/// directory). Returns the signature document (`ds:Signature` as the
/// document element).
pub fn sign_detached(
    input: &SignInput<'_>,
    file_name: &str,
    content: &[u8],
) -> Result<Vec<u8>, SignError> {
    let plain = !file_name.is_empty()
        && !file_name.contains(['/', '\\', '?', '#', '%', ':', '<', '>', '"', '&'])
        && file_name != "."
        && file_name != "..";
    if !plain {
        return Err(SignError::Document(format!(
            "the file name \"{file_name}\" cannot be a detached reference (it holds a character a relative URI would need escaped)"
        )));
    }
    let mut r = [0u8; 8];
    openssl::rand::rand_bytes(&mut r).map_err(|e| SignError::Signer(e.to_string()))?;
    let id = format!("hozon-sig-{}", hex_lower(&r));
    let digest = DigestAlgorithm::Sha256
        .digest(content)
        .map_err(|e| SignError::Signer(e.to_string()))?;
    let signature = template(
        &id,
        input,
        &DataReference {
            uri: file_name.to_owned(),
            transforms: String::new(),
            digest: Some(digest),
            mime: mime_of(file_name),
        },
    )?;
    let document = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{signature}\n");
    finish(document.as_bytes(), &id, input)
}

/// Completes a signature template inside `document`: computes, in order,
/// the DigestValue of every Reference of the signature with Id `id` that
/// holds [`DIGEST_HOLE`] (over the document as it is, signature in place),
/// then signs the canonical SignedInfo and writes the SignatureValue over
/// [`VALUE_HOLE`]. A profile that needs another layout writes its own
/// template and calls this.
pub fn finish(document: &[u8], id: &str, input: &SignInput<'_>) -> Result<Vec<u8>, SignError> {
    let mut signed = std::str::from_utf8(document)
        .map_err(|_| SignError::Document("the document is not UTF-8".into()))?
        .to_owned();
    let digests = {
        let doc = Document::parse(signed.as_bytes())?;
        let sig_el = element_by_id(&doc, id).map_err(|e| SignError::Document(e.to_string()))?;
        let sig = Signature::read(sig_el).map_err(|e| SignError::Document(e.to_string()))?;
        let resolver = Resolver {
            doc: &doc,
            signature: sig_el,
            base_dir: None,
        };
        let hole = crate::dsig::decode_base64(DIGEST_HOLE).unwrap_or_default();
        let mut out = Vec::new();
        for r in sig
            .signed_info
            .references
            .iter()
            .filter(|r| r.digest_value == hole)
        {
            let (octets, _) = resolver
                .octets(r)
                .map_err(|e| SignError::Document(e.to_string()))?;
            let digest = r
                .digest_method
                .digest(&octets)
                .map_err(|e| SignError::Signer(e.to_string()))?;
            out.push(b64(&digest));
        }
        out
    };
    for d in digests {
        signed = signed.replacen(&format!(">{DIGEST_HOLE}<"), &format!(">{d}<"), 1);
    }
    // SignedInfo, canonicalised in place, is what the key signs.
    let value = {
        let doc = Document::parse(signed.as_bytes())?;
        let sig_el = element_by_id(&doc, id).map_err(|e| SignError::Document(e.to_string()))?;
        let sig = Signature::read(sig_el).map_err(|e| SignError::Document(e.to_string()))?;
        let set = NodeSet::subtree(sig.signed_info.element);
        let message = canonicalize(&doc, &set, &sig.signed_info.c14n)?;
        let raw = (input.sign)(&message)?;
        match input.algorithm {
            SignatureAlgorithm::Ecdsa(_) => {
                let field = ec_field_len(input.certificate)?;
                crate::core::ecdsa_from_der(&raw, field)
                    .map_err(|e| SignError::Signer(format!("not a DER ECDSA value: {e}")))?
            }
            _ => raw,
        }
    };
    let signed = signed.replacen(&format!(">{VALUE_HOLE}<"), &format!(">{}<", b64(&value)), 1);
    Ok(signed.into_bytes())
}

fn ec_field_len(cert: &Cert) -> Result<usize, SignError> {
    let bits = cert
        .to_openssl()
        .and_then(|c| c.public_key())
        .and_then(|k| k.ec_key())
        .map(|k| k.group().degree())
        .map_err(|e| SignError::Signer(format!("not an EC certificate: {e}")))?;
    Ok(usize::try_from(bits.div_ceil(8)).unwrap_or(0))
}
