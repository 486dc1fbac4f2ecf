//! Object identifiers that `const-oid` 0.9 does not define, grouped by the
//! document that defines them. Everything else comes from [`const_oid::db`].

use der::asn1::ObjectIdentifier;

/// RFC 3161 (Time-Stamp Protocol) and RFC 5911 (S/MIME ASN.1 modules).
pub mod rfc3161 {
    use super::ObjectIdentifier;
    /// `id-ct-TSTInfo`: the eContentType of a time-stamp token.
    pub const ID_CT_TST_INFO: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");
    /// `id-aa-signatureTimeStampToken` (RFC 3161 Appendix A): the unsigned
    /// attribute holding a time stamp over the SignerInfo signature value.
    pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");
}

/// RFC 5940 (additional CMS revocation information choices).
pub mod rfc5940 {
    use super::ObjectIdentifier;
    /// `id-ri-ocsp-response`: an OCSPResponse (RFC 6960) carried in
    /// SignedData `crls` as `other [1] OtherRevocationInfoFormat`.
    pub const ID_RI_OCSP_RESPONSE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.16.2");
}

/// RFC 5126 / ETSI TS 101 733 (CAdES) attributes.
pub mod rfc5126 {
    use super::ObjectIdentifier;
    /// `id-aa-ets-contentTimestamp`.
    pub const ID_AA_ETS_CONTENT_TIMESTAMP: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.20");
    /// `id-aa-ets-certificateRefs` (complete-certificate-references).
    pub const ID_AA_ETS_CERTIFICATE_REFS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.21");
    /// `id-aa-ets-revocationRefs` (complete-revocation-references).
    pub const ID_AA_ETS_REVOCATION_REFS: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.22");
    /// `id-aa-ets-certValues` (certificate-values).
    pub const ID_AA_ETS_CERT_VALUES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.23");
    /// `id-aa-ets-revocationValues` (revocation-values).
    pub const ID_AA_ETS_REVOCATION_VALUES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.24");
    /// `id-aa-ets-archiveTimestampV2` (CAdES ES-A, JIS X 5092:2008).
    pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V2: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.48");
    /// `id-aa-ets-archiveTimestamp` (v1, TS 101 733 before V1.7): a
    /// different imprint input, recognised but not validated.
    pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V1: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.27");
}

/// ETSI EN 319 122-1 (CAdES baseline) attributes.
pub mod etsi_en_319_122 {
    use super::ObjectIdentifier;
    /// `id-aa-ets-archiveTimestampV3`.
    pub const ID_AA_ETS_ARCHIVE_TIMESTAMP_V3: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("0.4.0.1733.2.4");
    /// `id-aa-ATSHashIndex-v3`.
    pub const ID_AA_ATS_HASH_INDEX_V3: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("0.4.0.19122.1.5");
    /// `id-aa-ATSHashIndex` of ETSI TS 101 733 V2.2.1 §6.4.2, the first
    /// form, whose unsignedAttrsHashIndex hashes whole attributes.
    pub const ID_AA_ATS_HASH_INDEX: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("0.4.0.1733.2.5");
}

/// RFC 5652 §11.4 countersignature and other signed attributes hozon names.
pub mod rfc5652 {
    use super::ObjectIdentifier;
    /// `id-countersignature`: an unsigned attribute holding SignerInfos over
    /// the signature value of the SignerInfo it is attached to.
    pub const ID_COUNTERSIGNATURE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.6");
    /// `id-aa-ets-sigPolicyId` (RFC 5126 §5.8.1): signature-policy-identifier.
    pub const ID_AA_ETS_SIG_POLICY_ID: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.15");
}

/// ISO 17090 (health informatics PKI) as profiled by Japan's HPKI.
pub mod iso17090 {
    use super::ObjectIdentifier;
    /// `id-hcpki-at-healthcareactor`: the hcRole attribute carried in
    /// subjectDirectoryAttributes.
    pub const ID_HCPKI_AT_HEALTHCARE_ACTOR: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.0.17090.0.1");
    /// The Japanese HPKI coding scheme for hcRole values
    /// (JAHIS HPKI certificate policy).
    pub const HPKI_JP_HC_ROLE_CODING_SCHEME: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.392.100495.1.6.1.1");
    /// Arc of the Japanese HPKI certificate policies.
    pub const HPKI_JP_POLICY_ARC: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.392.100495.1.5");
}

/// OIDs of RFC 5911 / 5912 that hozon uses, re-exported under one roof.
pub use const_oid::db::rfc5911::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V_2, ID_CONTENT_TYPE, ID_DATA,
    ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME,
};
