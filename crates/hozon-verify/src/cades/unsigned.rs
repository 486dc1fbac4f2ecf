//! Unsigned attributes: what hozon does with those it cannot read or does
//! not validate. Unsigned attributes are not covered by the signature and
//! anyone can append one, so none of them can turn a signature that is
//! valid without it into TOTAL_FAILED; an unreadable one is a warning and
//! the signature is judged without it.

use hozon_cms::asn1::cms::signed_data::SignerInfo;
use hozon_cms::asn1::der::asn1::ObjectIdentifier;
use hozon_cms::oid::{
    etsi_en_319_122, rfc3161, rfc5126, rfc5652, ID_AA_SIGNING_CERTIFICATE,
    ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST, ID_SIGNING_TIME,
};

use crate::codes::Code;
use crate::findings::Findings;

/// The name of a signed attribute that has no business among the unsigned
/// ones (it is only meaningful when the signature covers it).
fn misplaced_signed_attribute(oid: &ObjectIdentifier) -> Option<&'static str> {
    [
        (ID_SIGNING_TIME, "signing-time"),
        (ID_CONTENT_TYPE, "content-type"),
        (ID_MESSAGE_DIGEST, "message-digest"),
        (ID_AA_SIGNING_CERTIFICATE, "signing-certificate"),
        (ID_AA_SIGNING_CERTIFICATE_V_2, "signing-certificate-v2"),
        (
            rfc5652::ID_AA_ETS_SIG_POLICY_ID,
            "signature-policy-identifier",
        ),
        (rfc5126::ID_AA_ETS_CONTENT_TIMESTAMP, "content-time-stamp"),
    ]
    .into_iter()
    .find(|(o, _)| o == oid)
    .map(|(_, name)| name)
}

/// Warns about unsigned attributes this version does not validate (ES-C
/// time stamps, other tools' private attributes) and, by name, about signed
/// attributes found among the unsigned ones: they change no verdict, and
/// the report must not suggest they were checked.
pub(crate) fn note_unvalidated(si: &SignerInfo, f: &mut Findings) {
    let validated = [
        rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
        rfc5126::ID_AA_ETS_CERTIFICATE_REFS,
        rfc5126::ID_AA_ETS_REVOCATION_REFS,
        rfc5126::ID_AA_ETS_CERT_VALUES,
        rfc5126::ID_AA_ETS_REVOCATION_VALUES,
        rfc5126::ID_AA_ETS_ARCHIVE_TIMESTAMP_V1,
        rfc5126::ID_AA_ETS_ARCHIVE_TIMESTAMP_V2,
        etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
        rfc5652::ID_COUNTERSIGNATURE,
    ];
    for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
        if let Some(name) = misplaced_signed_attribute(&attr.oid) {
            f.warn(
                Code::SignedAttributeUnsigned,
                format!(
                    "{name} ({}) is among the unsigned attributes, where the signature does not cover it: it is ignored",
                    attr.oid
                ),
            );
        } else if !validated.contains(&attr.oid) {
            f.warn(
                Code::UnsignedAttributeNotValidated,
                format!(
                    "unsigned attribute {} is present but not validated by this version",
                    attr.oid
                ),
            );
        }
    }
}
