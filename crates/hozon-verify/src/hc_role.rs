//! The healthcare role (ISO 17090 hcRole) of an HPKI certificate, shown in
//! reports so a reader sees "Medical Doctor" next to the signer's name.

use hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES;
use hozon_cms::asn1::der::asn1::{ObjectIdentifier, PrintableStringRef, SetOfVec, Utf8StringRef};
use hozon_cms::asn1::der::{Any, Decode, Sequence, Tag, Tagged};
use hozon_cms::asn1::x509_cert::attr::Attribute;
use hozon_cms::oid::iso17090::ID_HCPKI_AT_HEALTHCARE_ACTOR;
use hozon_cms::Cert;

/// The `CodedData` type is defined in ISO 17090-3 (and the JAHIS HPKI
/// certificate profile).
///
/// ```text
/// CodedData ::= SEQUENCE {
///     codingSchemeReference   OBJECT IDENTIFIER,
///     codeDataValue           PrintableString,
///     codeDataFreeText        DirectoryString OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
struct CodedData {
    coding_scheme_reference: ObjectIdentifier,
    code_data_value: Any,
    #[asn1(optional = "true")]
    code_data_free_text: Option<Any>,
}

/// The `HCActor` type is defined in ISO 17090-3.
///
/// ```text
/// HCActor ::= SEQUENCE {
///     codedData            [0] EXPLICIT CodedData OPTIONAL,
///     regionalHCActorData  [1] EXPLICIT SEQUENCE OF RegionalData OPTIONAL }
/// HCActorData ::= SET OF HCActor
/// ```
#[derive(Clone, Debug, Sequence)]
struct HcActor {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    coded_data: Option<CodedData>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    regional_hc_actor_data: Option<Any>,
}

fn string_of(any: &Any) -> Option<String> {
    match any.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(any)
            .ok()
            .map(|s| s.as_str().to_owned()),
        Tag::Utf8String => Utf8StringRef::try_from(any)
            .ok()
            .map(|s| s.as_str().to_owned()),
        _ => None,
    }
}

/// The hcRole values of `cert` joined with ", ", or `None` when it has none
/// (or the extension is malformed: the role is information, not evidence).
pub fn hc_role(cert: &Cert) -> Option<String> {
    let ext = cert
        .parsed()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == ID_CE_SUBJECT_DIRECTORY_ATTRIBUTES)?;
    let attrs = Vec::<Attribute>::from_der(ext.extn_value.as_bytes()).ok()?;
    let roles: Vec<String> = attrs
        .iter()
        .filter(|a| a.oid == ID_HCPKI_AT_HEALTHCARE_ACTOR)
        .flat_map(|a| a.values.iter())
        .filter_map(|v| v.decode_as::<SetOfVec<Any>>().ok())
        .flat_map(|set| set.into_vec())
        .filter_map(|actor| actor.decode_as::<HcActor>().ok())
        .filter_map(|actor| actor.coded_data)
        .filter_map(|coded| string_of(&coded.code_data_value))
        .collect();
    (!roles.is_empty()).then(|| roles.join(", "))
}
