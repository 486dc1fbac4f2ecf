//! What a signature format implements so that the one EN 319 102-1 engine
//! ([`crate::Verifier`]) validates it.
//!
//! A format adapter answers the questions only the format can answer —
//! where the signing certificate reference is, which bytes were signed,
//! what each time stamp must cover — in hozon's own vocabulary ([`Cert`],
//! [`DigestAlgorithm`], [`SignatureAlgorithm`], [`UnixTime`], DER bytes of
//! CRLs and OCSP responses). Everything else is the engine's, the same for
//! every format: X.509 validation at a time, revocation and its freshness,
//! the dated algorithm policy, time-stamp validation, proof of existence and
//! past-signature validation, levels and the report.
//!
//! Two traits: a [`SignatureContainer`] is one file (a CMS SignedData, an
//! XML document, a PDF) with the validation data its signatures share, and
//! yields a [`SignedObject`] per signature in it. CAdES is implemented in
//! this crate (`cades`); XAdES and PAdES adapters implement the same traits
//! in their crates and call [`crate::Verifier::verify_container`].

use hozon_cms::signing_certificate::CertReference;
use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm};
use hozon_pki::{CrlSet, UnixTime};
use hozon_tsp::Token;

use crate::evidence::Evidence;
use crate::findings::Findings;
use crate::report::CounterSignatureReport;
pub use crate::vocabulary::{SignatureFormat, TimestampKind};
use crate::Verifier;

/// One file of signatures and the validation data they share.
pub trait SignatureContainer {
    /// The signature file's name in reports.
    fn label(&self) -> &str;

    /// The signed content's name in reports (the detached file, or the
    /// signature file itself when it embeds its content).
    fn content_name(&self) -> Option<String>;

    /// Problems and warnings about the file as a whole (e.g. embedded
    /// content that differs from the file given as its content). Every
    /// signature's report starts with them.
    fn findings(&self) -> Findings;

    /// The certificates, CRLs and OCSP responses the file carries (and any
    /// the caller supplied for it), for every signature's validation.
    fn validation_data(&self) -> EmbeddedValidationData;

    /// The signatures, in file order.
    fn signatures(&self) -> Vec<Box<dyn SignedObject + '_>>;
}

/// Validation data carried by a signature file.
#[derive(Clone, Debug, Default)]
pub struct EmbeddedValidationData {
    /// Certificates (signer, intermediates, TSAs).
    pub certs: Vec<Cert>,
    /// DER CRLs, each with where it came from (for messages).
    pub crls: Vec<(String, Vec<u8>)>,
    /// DER OCSPResponses or BasicOCSPResponses, each with its origin.
    pub ocsp: Vec<(String, Vec<u8>)>,
}

/// The certificates and revocation data a validation draws on.
#[derive(Clone, Copy)]
pub struct ValidationPool<'a> {
    /// Certificates of the file (and supplied ones).
    pub certs: &'a [Cert],
    /// CRLs and OCSP responses.
    pub crls: &'a CrlSet,
}

/// The algorithms a signature names (EN 319 102-1 §5.2.2 format checking).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Algorithms {
    /// The digest algorithm of the signed data objects.
    pub digest: DigestAlgorithm,
    /// The signature algorithms to try, the named one first (a CMS
    /// signature whose signatureAlgorithm names another hash may verify
    /// with either).
    pub signature: Vec<SignatureAlgorithm>,
}

/// A signed reference to the signing certificate (ESS
/// signing-certificate(-v2), XAdES SigningCertificate(V2)).
#[derive(Clone, Debug)]
pub struct SigningCertificateRef {
    /// The property's name, for messages ("signing-certificate-v2").
    pub property: String,
    /// The reference (digest, issuer and serial). A reference that cannot
    /// be read is the adapter's `FORMAT_FAILURE`, not listed here.
    pub reference: CertReference,
}

/// The signed properties the engine uses (EN 319 102-1 §5.2.8 and §5.6).
#[derive(Clone, Debug, Default)]
pub struct SignedProperties {
    /// The claimed signing time (a claim, not evidence).
    pub claimed_signing_time: Option<UnixTime>,
    /// The signed references to the signing certificate. Empty means the
    /// signature is not bound to a certificate (plain CMS).
    pub signing_certificate_refs: Vec<SigningCertificateRef>,
}

/// The outcome of the signed data objects' digest check (§5.2.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataObjects {
    /// Every data object's digest matches the signed one.
    Intact,
    /// A problem was recorded (altered, missing or unreadable content).
    Failed,
    /// The signature value covers the content directly (CMS without signed
    /// attributes): the digest holds when the signature value verifies.
    CoveredBySignatureValue,
}

/// One time-stamp token in a signature.
#[derive(Clone, Debug)]
pub struct TimeStamp {
    /// What it stamps.
    pub kind: TimestampKind,
    /// Its name in messages ("signature time stamp 2").
    pub label: String,
    /// For archive stamps, the attribute or element that holds it
    /// (reported as `attribute`).
    pub attribute: Option<String>,
    /// The token (DER ContentInfo).
    pub der: Vec<u8>,
    /// The token parsed, or why it cannot be.
    pub token: Result<Token, hozon_tsp::Error>,
    /// For archive stamps of the same second, how much each covers (a
    /// later stamp covers more): the engine validates newest first.
    pub coverage: usize,
    /// The adapter's own index for the stamp, handed back to
    /// [`SignedObject::expected_imprint`].
    pub handle: usize,
}

/// What a time stamp's message imprint must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectedImprint {
    /// The digest (with the token's algorithm) of these bytes: a signature
    /// time stamp's signature value, or an archive time stamp's input.
    Bytes(Vec<u8>),
    /// This digest of the signed content (a content time stamp): the
    /// imprint must use this algorithm and equal this value.
    ContentDigest(DigestAlgorithm, Vec<u8>),
    /// The adapter has compared the imprint already (several accepted
    /// readings of the input, streamed): whether one matched, and what to
    /// say when none did.
    Compared {
        /// Whether an accepted reading matched.
        matched: bool,
        /// The message when none did.
        mismatch: String,
    },
    /// A stamp this version does not validate (it proves nothing); the
    /// reason is reported as a warning.
    NotValidated(String),
}

/// A format's view of one signature: what the engine asks it.
///
/// The engine calls, in this order: [`check_format`](Self::check_format),
/// [`signed_properties`](Self::signed_properties),
/// [`format`](Self::format), [`identifies`](Self::identifies) (over the
/// candidate certificates), [`check_data_objects`](Self::check_data_objects),
/// [`verify_signature_value`](Self::verify_signature_value),
/// [`time_stamps`](Self::time_stamps) and
/// [`expected_imprint`](Self::expected_imprint) for each,
/// [`check_validation_data_references`](Self::check_validation_data_references),
/// [`counter_signatures`](Self::counter_signatures). Problems go into the
/// [`Findings`] with their sub-indication and [`crate::codes::Code`].
///
/// # Example
///
/// A toy format: a signature value over a content held in memory, signed
/// with SHA-256 and a certificate carried beside it.
///
/// ```
/// use hozon_cms::{Cert, DigestAlgorithm, KeyCache, SignatureAlgorithm};
/// use hozon_verify::codes::Code;
/// use hozon_verify::format::*;
/// use hozon_verify::{Findings, SubIndication};
///
/// struct Toy {
///     content: Vec<u8>,
///     signed_digest: Vec<u8>,
///     value: Vec<u8>,
///     cert: Cert,
/// }
///
/// impl SignedObject for Toy {
///     fn index(&self) -> usize { 0 }
///     fn format(&self) -> SignatureFormat { SignatureFormat::Cms }
///     fn check_format(&self, _f: &mut Findings) -> Option<Algorithms> {
///         Some(Algorithms {
///             digest: DigestAlgorithm::Sha256,
///             signature: vec![SignatureAlgorithm::RsaPkcs1v15(DigestAlgorithm::Sha256)],
///         })
///     }
///     fn signed_properties(&self, _f: &mut Findings) -> SignedProperties {
///         SignedProperties::default()
///     }
///     fn identifies(&self, cert: &Cert) -> bool { *cert == self.cert }
///     fn describe_signer(&self) -> String { self.cert.subject() }
///     fn check_data_objects(&self, _: &Algorithms, f: &mut Findings) -> DataObjects {
///         match DigestAlgorithm::Sha256.digest(&self.content) {
///             Ok(d) if d == self.signed_digest => DataObjects::Intact,
///             _ => {
///                 f.fail(SubIndication::HashFailure, Code::MessageDigestMismatch, "altered");
///                 DataObjects::Failed
///             }
///         }
///     }
///     fn verify_signature_value(
///         &self,
///         cert: &Cert,
///         algorithms: &Algorithms,
///         keys: &KeyCache,
///         f: &mut Findings,
///     ) -> Option<SignatureAlgorithm> {
///         let alg = algorithms.signature[0];
///         match keys.get(cert).and_then(|k| k.verify(alg, &self.signed_digest, &self.value)) {
///             Ok(true) => Some(alg),
///             _ => {
///                 f.fail(SubIndication::SigCryptoFailure, Code::SignatureValueInvalid, "no");
///                 None
///             }
///         }
///     }
///     fn time_stamps(&self, _f: &mut Findings) -> Vec<TimeStamp> { Vec::new() }
///     fn expected_imprint(&self, _: &TimeStamp, _: &mut Findings) -> Option<ExpectedImprint> {
///         None
///     }
/// }
/// ```
pub trait SignedObject {
    /// The signature's position in its file (reported as `signer_info`).
    fn index(&self) -> usize;

    /// The format as the signature's structure shows it (CAdES when a
    /// signing-certificate reference is signed, CMS otherwise, …). Called
    /// after [`SignedObject::signed_properties`].
    fn format(&self) -> SignatureFormat;

    /// Format checking (EN 319 102-1 §5.2.2): records structural problems
    /// (`FORMAT_FAILURE`) and returns the algorithms, or `None` when the
    /// signature cannot be validated any further (unsupported algorithm).
    fn check_format(&self, f: &mut Findings) -> Option<Algorithms>;

    /// The signed properties: claimed signing time and signing-certificate
    /// references. A malformed property is a `FORMAT_FAILURE`.
    fn signed_properties(&self, f: &mut Findings) -> SignedProperties;

    /// Whether `cert` is the one the signature names as its signer (CMS
    /// SignerIdentifier, XAdES KeyInfo); EN 319 102-1 §5.2.3.
    fn identifies(&self, cert: &Cert) -> bool;

    /// How the signature names its signer, for "not found" messages.
    fn describe_signer(&self) -> String;

    /// Checks the digests of the signed data objects (detached content,
    /// enveloped data, PDF byte ranges); §5.2.7.
    fn check_data_objects(&self, algorithms: &Algorithms, f: &mut Findings) -> DataObjects;

    /// Verifies the signature value with `cert`'s key over what the format
    /// signs (CMS signed attributes, XML SignedInfo), trying
    /// `algorithms.signature` in order; returns the one that verified or
    /// records `SIG_CRYPTO_FAILURE`. For [`DataObjects::CoveredBySignatureValue`]
    /// this also verifies the content.
    fn verify_signature_value(
        &self,
        cert: &Cert,
        algorithms: &Algorithms,
        keys: &KeyCache,
        f: &mut Findings,
    ) -> Option<SignatureAlgorithm>;

    /// Every time-stamp token of the signature, of every kind (§5.4).
    fn time_stamps(&self, f: &mut Findings) -> Vec<TimeStamp>;

    /// What `stamp`'s message imprint must match: over the signature value
    /// for a signature time stamp, over the content for a content time
    /// stamp, over the signature and its validation data for an archive
    /// time stamp. `None` when a problem was recorded instead.
    fn expected_imprint(&self, stamp: &TimeStamp, f: &mut Findings) -> Option<ExpectedImprint>;

    /// Checks references to validation data (CAdES ES-C / XAdES
    /// CompleteCertificateRefs) against what the validation `used`.
    fn check_validation_data_references(&self, used: &Evidence, f: &mut Findings) {
        let _ = (used, f);
    }

    /// The counter-signatures, each validated on its own.
    fn counter_signatures(
        &self,
        verifier: &Verifier,
        pool: ValidationPool<'_>,
    ) -> Vec<CounterSignatureReport> {
        let _ = (verifier, pool);
        Vec::new()
    }
}
