//! Stable machine codes for every error and warning of a validation report
//! (`findings[].code` in `hozon verify --json`).
//!
//! A message is for a reader and may be reworded; its code is a contract:
//! programs group, count and translate findings by it. Codes are never
//! renamed or reused; new ones are added. [`Code::all`] lists them, each
//! with a one-line description ([`Code::description`]).

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal; )*) => {
        /// What a finding (error or warning) is about, independently of its
        /// wording. Serialised as its SCREAMING_SNAKE name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Code {
            $( #[doc = $doc] #[serde(rename = $name)] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub fn all() -> &'static [Code] {
                &[$( Code::$variant, )*]
            }

            /// The name used in reports (`SIGNING_CERTIFICATE_DIGEST_MISMATCH`).
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// One line saying what the code means.
            pub fn description(self) -> &'static str {
                match self { $( Code::$variant => $doc.trim(), )* }
            }
        }
    };
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

codes! {
    // --- Format checking (EN 319 102-1 §5.2.2) -----------------------------
    /// The file is not a readable signature of the expected format at all.
    SignatureUnreadable = "SIGNATURE_UNREADABLE";
    /// The structure of the signature violates its format's rules (e.g. a CMS SignerInfo version that does not match its signer identifier).
    StructureInvalid = "STRUCTURE_INVALID";
    /// The digest algorithm is not supported.
    UnsupportedDigestAlgorithm = "UNSUPPORTED_DIGEST_ALGORITHM";
    /// The signature algorithm is not supported.
    UnsupportedSignatureAlgorithm = "UNSUPPORTED_SIGNATURE_ALGORITHM";
    /// An algorithm identifier is malformed.
    AlgorithmIdentifierMalformed = "ALGORITHM_IDENTIFIER_MALFORMED";
    /// The signed content-type attribute differs from the type of the signed content.
    ContentTypeMismatch = "CONTENT_TYPE_MISMATCH";
    /// A signed attribute (property) is malformed or repeated.
    SignedAttributeMalformed = "SIGNED_ATTRIBUTE_MALFORMED";
    /// A mandatory signed attribute (content-type, message-digest) is missing.
    SignedAttributeMissing = "SIGNED_ATTRIBUTE_MISSING";
    /// The signed attributes cannot be re-encoded for verification.
    SignedAttributesNotReencodable = "SIGNED_ATTRIBUTES_NOT_REENCODABLE";
    /// The signed attributes are not DER-sorted (accepted; the warning says how the value verified).
    SignedAttributesNotDer = "SIGNED_ATTRIBUTES_NOT_DER";
    /// No signed attributes: a plain PKCS#7/CMS signature, not an AdES one.
    NoSignedAttributes = "NO_SIGNED_ATTRIBUTES";
    /// The CMSAlgorithmProtection attribute does not name the algorithms used (algorithm substitution, RFC 6211).
    AlgorithmProtectionMismatch = "ALGORITHM_PROTECTION_MISMATCH";
    /// The CMSAlgorithmProtection attribute is malformed.
    AlgorithmProtectionMalformed = "ALGORITHM_PROTECTION_MALFORMED";
    /// The signatureAlgorithm names another hash than the digest algorithm (accepted as OpenSSL and DSS do).
    SignatureAlgorithmHashMismatch = "SIGNATURE_ALGORITHM_HASH_MISMATCH";
    /// The signature has no claimed signing time.
    SigningTimeMissing = "SIGNING_TIME_MISSING";
    /// The claimed signing time lies after the validation time.
    SigningTimeInFuture = "SIGNING_TIME_IN_FUTURE";
    /// The claimed signing time lies outside the signing certificate's validity.
    SigningTimeOutsideValidity = "SIGNING_TIME_OUTSIDE_VALIDITY";
    /// A signed attribute was found among the unsigned ones and is ignored.
    SignedAttributeUnsigned = "SIGNED_ATTRIBUTE_UNSIGNED";
    /// An unsigned attribute is present that this version does not validate.
    UnsignedAttributeNotValidated = "UNSIGNED_ATTRIBUTE_NOT_VALIDATED";
    /// An unsigned attribute cannot be read and is ignored.
    UnsignedAttributeUnreadable = "UNSIGNED_ATTRIBUTE_UNREADABLE";
    /// Embedded validation data (a CRL or OCSP response) cannot be read and is not used.
    ValidationDataUnreadable = "VALIDATION_DATA_UNREADABLE";

    // --- Signed data objects ------------------------------------------------
    /// The signed content is not available (no --content, missing or unreadable file).
    SignedDataNotFound = "SIGNED_DATA_NOT_FOUND";
    /// The signature embeds content that differs from the file given as its content.
    EmbeddedContentMismatch = "EMBEDDED_CONTENT_MISMATCH";
    /// The content's digest differs from the signed one: the content was altered.
    MessageDigestMismatch = "MESSAGE_DIGEST_MISMATCH";

    // --- Identification of the signing certificate (§5.2.3) -----------------
    /// The signer's certificate is neither in the signature nor supplied.
    SigningCertificateNotFound = "SIGNING_CERTIFICATE_NOT_FOUND";
    /// The signer's certificate was supplied from outside the signature.
    SigningCertificateFromOutside = "SIGNING_CERTIFICATE_FROM_OUTSIDE";
    /// No signed signing-certificate reference binds the certificate to the signature.
    SigningCertificateNotBound = "SIGNING_CERTIFICATE_NOT_BOUND";
    /// The signed signing-certificate reference names another certificate (certificate substitution?).
    SigningCertificateDigestMismatch = "SIGNING_CERTIFICATE_DIGEST_MISMATCH";
    /// The signed signing-certificate reference is malformed or cannot be checked.
    SigningCertificateReferenceInvalid = "SIGNING_CERTIFICATE_REFERENCE_INVALID";

    // --- Cryptographic verification (§5.2.7) --------------------------------
    /// The signature value does not verify with the signer's key.
    SignatureValueInvalid = "SIGNATURE_VALUE_INVALID";
    /// The signature form is not supported (e.g. Ed25519 without signed attributes).
    SignatureFormUnsupported = "SIGNATURE_FORM_UNSUPPORTED";

    // --- X.509 certificate validation (§5.2.6) ------------------------------
    /// The certificate's keyUsage does not allow signing.
    KeyUsageNotSigning = "KEY_USAGE_NOT_SIGNING";
    /// The certificate's keyUsage extension is malformed.
    KeyUsageMalformed = "KEY_USAGE_MALFORMED";
    /// No path to a trust anchor.
    NoCertificateChain = "NO_CERTIFICATE_CHAIN";
    /// The certificate was not yet valid when the signature was made.
    CertificateNotYetValid = "CERTIFICATE_NOT_YET_VALID";
    /// A certificate of the path is broken (bad signature, not yet valid CA, internal error).
    CertificateChainBroken = "CERTIFICATE_CHAIN_BROKEN";
    /// RFC 5280 constraints on the path fail.
    ChainConstraints = "CHAIN_CONSTRAINTS";
    /// The certificate has expired and there is no proof the signature existed before.
    CertificateExpiredNoPoe = "CERTIFICATE_EXPIRED_NO_POE";
    /// The signing certificate was revoked before the signature was made.
    CertificateRevoked = "CERTIFICATE_REVOKED";
    /// The signing certificate is revoked and there is no proof the signature existed before.
    CertificateRevokedNoPoe = "CERTIFICATE_REVOKED_NO_POE";
    /// A CA certificate of the path is revoked and there is no proof of existence before.
    CaCertificateRevokedNoPoe = "CA_CERTIFICATE_REVOKED_NO_POE";
    /// A certificate was revoked after the time it was validated for (informational).
    RevokedLater = "REVOKED_LATER";
    /// The revocation status is unknown (no usable CRL or OCSP response).
    RevocationUnknown = "REVOCATION_UNKNOWN";
    /// Revocation was not checked (--revocation skip).
    RevocationNotChecked = "REVOCATION_NOT_CHECKED";
    /// A problem at the validation time is cured by a proof of existence from when it did not hold.
    CuredByProofOfExistence = "CURED_BY_PROOF_OF_EXISTENCE";

    // --- Signature acceptance (§5.2.8) --------------------------------------
    /// An algorithm or key is not acceptable at the time it is relied on.
    AlgorithmNotAcceptable = "ALGORITHM_NOT_ACCEPTABLE";

    // --- Time stamps (§5.4, §5.5) and proof of existence (§5.6) -------------
    /// A time-stamp token cannot be read.
    TimestampUnreadable = "TIMESTAMP_UNREADABLE";
    /// The same time-stamp token appears twice.
    TimestampDuplicate = "TIMESTAMP_DUPLICATE";
    /// A time stamp's message imprint does not match what it should cover.
    TimestampImprintMismatch = "TIMESTAMP_IMPRINT_MISMATCH";
    /// What a time stamp covers cannot be read to check its imprint.
    TimestampInputUnavailable = "TIMESTAMP_INPUT_UNAVAILABLE";
    /// A time-stamp token fails its own checks (signature, TSA binding, TSA certificate).
    TimestampTokenInvalid = "TIMESTAMP_TOKEN_INVALID";
    /// The TSA certificate expired before the stamp is relied on, with no later archive time stamp.
    TimestampTsaExpired = "TIMESTAMP_TSA_EXPIRED";
    /// The TSA's key was compromised: none of its stamps can be trusted (RFC 3161 §4).
    TimestampTsaCompromised = "TIMESTAMP_TSA_COMPROMISED";
    /// The time stamp was made after the validation time and is not used.
    TimestampAfterValidationTime = "TIMESTAMP_AFTER_VALIDATION_TIME";
    /// A content time stamp failed without proving the signature invalid: it proves nothing.
    ContentTimestampNotUsed = "CONTENT_TIMESTAMP_NOT_USED";
    /// Time stamps or claims are in an impossible order (content stamp after signature stamp, signing time after a proof of existence).
    TimestampOrder = "TIMESTAMP_ORDER";
    /// An archive time stamp of an obsolete version is not validated.
    ArchiveTimestampNotValidated = "ARCHIVE_TIMESTAMP_NOT_VALIDATED";
    /// An archive time stamp's hash index (or its input structure) is missing or malformed.
    ArchiveTimestampMalformed = "ARCHIVE_TIMESTAMP_MALFORMED";
    /// Something an archive time stamp covers was removed or altered after it was made.
    ArchiveTimestampCoveredDataAltered = "ARCHIVE_TIMESTAMP_COVERED_DATA_ALTERED";
    /// A proof of existence from outside the signature (an evidence record) is used.
    ExternalProofOfExistence = "EXTERNAL_PROOF_OF_EXISTENCE";
    /// Nothing is proven as of the validation time.
    NoProofOfExistence = "NO_PROOF_OF_EXISTENCE";

    // --- Validation data references (ES-C / ES-XL) --------------------------
    /// A complete-certificate- or complete-revocation-reference cannot be checked.
    ReferenceUncheckable = "REFERENCE_UNCHECKABLE";
    /// A validation-data reference matches nothing available.
    ReferenceUnmatched = "REFERENCE_UNMATCHED";
    /// A validation-data reference names data the validation did not use.
    ReferenceUnused = "REFERENCE_UNUSED";
    /// A CRL reference's identifier differs from the CRL its hash names.
    ReferenceIdentifierMismatch = "REFERENCE_IDENTIFIER_MISMATCH";

    // --- Evidence records (RFC 4998) ----------------------------------------
    /// The evidence record cannot be read or its hash tree does not check.
    EvidenceRecordInvalid = "EVIDENCE_RECORD_INVALID";
    /// An evidence record attribute is not understood and not used.
    EvidenceRecordAttributeIgnored = "EVIDENCE_RECORD_ATTRIBUTE_IGNORED";

    // --- Counter-signatures (RFC 5652 §11.4) ----------------------------------
    /// A counter-signature is not readable or nested too deep.
    CounterSignatureUnreadable = "COUNTER_SIGNATURE_UNREADABLE";

    // --- PDF signatures (PAdES, ISO 32000 §12.8) ----------------------------
    /// Which signature field of the PDF this report is about (a note, not a problem).
    PdfSignatureField = "PDF_SIGNATURE_FIELD";
    /// The document was changed after this signature in a way PAdES does not allow: the signature does not cover the document as it is now.
    PdfModifiedAfterSigning = "PDF_MODIFIED_AFTER_SIGNING";
    /// A PDF signature dictionary breaks its SubFilter's rules (EN 319 142-1 §6.3, ISO 32000 §12.8.3).
    PdfSubFilterRules = "PDF_SUBFILTER_RULES";
    /// The digest a PAdES-Basic adbe.pkcs7.sha1 signature encapsulates is not that of its byte ranges.
    PdfByteRangeDigestMismatch = "PDF_BYTE_RANGE_DIGEST_MISMATCH";
    /// The Document Security Store cannot be read completely.
    PdfDssUnreadable = "PDF_DSS_UNREADABLE";

    // --- XML signatures (XAdES, XML-DSig) ------------------------------------
    /// A finding of the XAdES adapter (XML-DSig core validation or a qualifying property); the message says which.
    XadesFinding = "XADES_FINDING";

    // --- The engine itself --------------------------------------------------
    /// A check did not complete although nothing was reported (never expected).
    ChecksIncomplete = "CHECKS_INCOMPLETE";
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn every_code_is_unique_screaming_snake_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::all() {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                "{name} is not SCREAMING_SNAKE"
            );
            assert!(!code.description().is_empty(), "{name} undocumented");
            let json = serde_json::to_string(code).expect("serialise");
            assert_eq!(json, format!("\"{name}\""));
            let back: Code = serde_json::from_str(&json).expect("deserialise");
            assert_eq!(back, *code);
        }
        assert!(seen.len() > 50);
    }

    #[test]
    fn every_code_is_listed_in_the_user_guide() {
        let guide =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/verifying.md");
        let text = std::fs::read_to_string(guide).expect("docs/verifying.md");
        for code in Code::all() {
            assert!(
                text.contains(&format!("| `{code}` | {} |", code.description())),
                "docs/verifying.md does not list {code} with its description"
            );
        }
    }
}
