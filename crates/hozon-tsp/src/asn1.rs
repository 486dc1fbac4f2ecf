//! RFC 3161 structures that `x509-tsp` 0.1 does not model usably.
//!
//! * `TSTInfo.genTime` may carry fractional seconds (RFC 3161 §2.4.2:
//!   "GeneralizedTime syntax can include fraction-of-second details"), which
//!   `der` 0.7's `GeneralizedTime` rejects; many commercial TSAs send
//!   milliseconds. [`GenTime`] reads them.
//! * `TSTInfo.ordering` is `DEFAULT FALSE`; some TSAs encode the default
//!   explicitly, which strict DER rejects. It is read as optional here.
//! * `PKIStatusInfo.failInfo` in `cmpv2` 0.2 cannot represent RFC 3161's
//!   bits (badTime and badRequest share a value there); here it is the raw
//!   BIT STRING, named by [`fail_info_names`].
//!
//! `TimeStampReq`, `MessageImprint` and `Accuracy` come from `x509-tsp`.

use der::asn1::{BitString, Int, ObjectIdentifier, Utf8StringRef};
use der::{
    Any, AnyRef, DateTime, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence,
    Tag, Writer,
};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;
use x509_tsp::{Accuracy, MessageImprint, TspVersion};

/// The `TimeStampResp` type is defined in [RFC 3161 Section 2.4.2].
///
/// ```text
/// TimeStampResp ::= SEQUENCE  {
///    status                  PKIStatusInfo,
///    timeStampToken          TimeStampToken     OPTIONAL  }
/// ```
///
/// [RFC 3161 Section 2.4.2]: https://datatracker.ietf.org/doc/html/rfc3161#section-2.4.2
#[derive(Clone, Debug, Sequence)]
pub struct TimeStampResp<'a> {
    /// The TSA's verdict on the request.
    pub status: PkiStatusInfo<'a>,
    /// The token (a CMS ContentInfo holding SignedData), when granted,
    /// as the response's own bytes.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<AnyRef<'a>>,
}

/// The `PKIStatusInfo` type is defined in [RFC 3161 Section 2.4.2] (from RFC 2510).
///
/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///    status        PKIStatus,
///    statusString  PKIFreeText     OPTIONAL,
///    failInfo      PKIFailureInfo  OPTIONAL  }
/// PKIStatus ::= INTEGER { granted (0), grantedWithMods (1), rejection (2),
///    waiting (3), revocationWarning (4), revocationNotification (5) }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
///
/// [RFC 3161 Section 2.4.2]: https://datatracker.ietf.org/doc/html/rfc3161#section-2.4.2
#[derive(Clone, Debug, Sequence)]
pub struct PkiStatusInfo<'a> {
    /// PKIStatus.
    pub status: u8,
    /// Free text from the TSA.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<Utf8StringRef<'a>>>,
    /// PKIFailureInfo bits.
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// Names of the PKIFailureInfo bits RFC 3161 §2.4.2 defines, for the bits
/// set in `bits`.
pub fn fail_info_names(bits: &BitString) -> Vec<&'static str> {
    const NAMES: [(usize, &str); 8] = [
        (0, "badAlg (unrecognized or unsupported algorithm)"),
        (2, "badRequest (transaction not permitted or supported)"),
        (5, "badDataFormat (the data submitted has the wrong format)"),
        (
            14,
            "timeNotAvailable (the TSA's time source is not available)",
        ),
        (
            15,
            "unacceptedPolicy (the requested policy is not supported)",
        ),
        (
            16,
            "unacceptedExtension (the requested extension is not supported)",
        ),
        (
            17,
            "addInfoNotAvailable (the additional information requested is not available)",
        ),
        (
            25,
            "systemFailure (the request cannot be handled due to system failure)",
        ),
    ];
    let set: Vec<usize> = bits
        .bits()
        .enumerate()
        .filter_map(|(i, b)| b.then_some(i))
        .collect();
    NAMES
        .iter()
        .filter(|(i, _)| set.contains(i))
        .map(|(_, n)| *n)
        .collect()
}

/// The `TSTInfo` type is defined in [RFC 3161 Section 2.4.2].
///
/// ```text
/// TSTInfo ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    policy                       TSAPolicyId,
///    messageImprint               MessageImprint,
///      -- MUST have the same value as the similar field in
///      -- TimeStampReq
///    serialNumber                 INTEGER,
///     -- Time-Stamping users MUST be ready to accommodate integers
///     -- up to 160 bits.
///    genTime                      GeneralizedTime,
///    accuracy                     Accuracy                 OPTIONAL,
///    ordering                     BOOLEAN             DEFAULT FALSE,
///    nonce                        INTEGER                  OPTIONAL,
///      -- MUST be present if the similar field was present
///      -- in TimeStampReq.  In that case it MUST have the same value.
///    tsa                          [0] GeneralName          OPTIONAL,
///    extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
/// ```
///
/// [RFC 3161 Section 2.4.2]: https://datatracker.ietf.org/doc/html/rfc3161#section-2.4.2
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    /// Always v1.
    pub version: TspVersion,
    /// The TSA policy under which the token was issued.
    pub policy: ObjectIdentifier,
    /// What was stamped.
    pub message_imprint: MessageImprint,
    /// Unique per TSA.
    pub serial_number: Int,
    /// The time.
    pub gen_time: GenTime,
    /// How precise the time is.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Whether tokens of this TSA can be ordered by genTime alone.
    #[asn1(optional = "true")]
    pub ordering: Option<bool>,
    /// The request's nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// The TSA's name.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// Extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// A GeneralizedTime in UTC with optional fractional seconds
/// (`YYYYMMDDHHMMSS[.f...]Z`, RFC 3161 §2.4.2).
#[derive(Clone, Copy, Debug, Eq, PartialEq, PartialOrd, Ord)]
pub struct GenTime {
    /// Whole seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

impl<'a> DecodeValue<'a> for GenTime {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_vec(header.length)?;
        parse_generalized_time(&bytes).ok_or_else(|| Tag::GeneralizedTime.value_error())
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.to_string_value().len())
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.to_string_value().as_bytes())
    }
}

impl GenTime {
    /// The DER form: fraction without trailing zeros (X.690 §11.7).
    fn to_string_value(self) -> String {
        // Times before 1970 or after 9999 cannot come from decoding.
        let secs = u64::try_from(self.unix).unwrap_or(0);
        let Ok(dt) = DateTime::from_unix_duration(std::time::Duration::from_secs(secs)) else {
            return "19700101000000Z".to_owned();
        };
        let mut s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minutes(),
            dt.seconds()
        );
        if self.nanos > 0 {
            let frac = format!("{:09}", self.nanos);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push('Z');
        s
    }
}

fn parse_generalized_time(b: &[u8]) -> Option<GenTime> {
    let s = std::str::from_utf8(b).ok()?;
    let s = s.strip_suffix('Z')?;
    let (main, frac) = match s.split_once('.') {
        Some((m, f)) => (m, Some(f)),
        None => (s, None),
    };
    if main.len() != 14 || !main.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| main.get(r).and_then(|x| x.parse::<u16>().ok());
    let dt = DateTime::new(
        n(0..4)?,
        u8::try_from(n(4..6)?).ok()?,
        u8::try_from(n(6..8)?).ok()?,
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
    )
    .ok()?;
    let nanos = match frac {
        None => 0,
        Some(f) => {
            // At least one digit, only digits, no trailing zero (DER), and
            // at most nanosecond precision.
            if f.is_empty()
                || f.len() > 9
                || !f.bytes().all(|c| c.is_ascii_digit())
                || f.ends_with('0')
            {
                return None;
            }
            format!("{f:0<9}").parse::<u32>().ok()?
        }
    };
    Some(GenTime {
        unix: i64::try_from(dt.unix_duration().as_secs()).ok()?,
        nanos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    fn gt(s: &str) -> Vec<u8> {
        let mut v = vec![0x18, u8::try_from(s.len()).unwrap()];
        v.extend_from_slice(s.as_bytes());
        v
    }

    #[test]
    fn generalized_time_with_and_without_fractions() {
        let t = GenTime::from_der(&gt("20261126090000Z")).unwrap();
        assert_eq!(t.unix, 1_795_683_600);
        assert_eq!(t.nanos, 0);
        let t = GenTime::from_der(&gt("20261126090000.125Z")).unwrap();
        assert_eq!(t.nanos, 125_000_000);
        assert_eq!(t.to_der().unwrap(), gt("20261126090000.125Z"));
    }

    #[test]
    fn malformed_generalized_times_are_rejected() {
        for bad in [
            "20261126090000",      // no Z
            "20261126090000.Z",    // empty fraction
            "20261126090000.120Z", // trailing zero (not DER)
            "20261126090000+0900", // offset
            "2026112609000Z",      // short
            "20261326090000Z",     // month 13
            "20261126090000.1234567891Z",
        ] {
            assert!(GenTime::from_der(&gt(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn fail_info_bits_are_named() {
        // bits 0 (badAlg) and 14 (timeNotAvailable)
        let b = BitString::new(1, vec![0x80, 0x02]).unwrap();
        let names = fail_info_names(&b);
        assert_eq!(names.len(), 2);
        assert!(names[0].starts_with("badAlg"));
        assert!(names[1].starts_with("timeNotAvailable"));
    }
}

/// ContentInfo (RFC 5652 §3) with its content borrowed from the input, so
/// that reading a token does not copy it first.
///
/// ```text
/// ContentInfo ::= SEQUENCE {
///    contentType ContentType,
///    content [0] EXPLICIT ANY DEFINED BY contentType }
/// ```
#[derive(Clone, Debug, Sequence)]
pub struct ContentInfoRef<'a> {
    /// ContentType.
    pub content_type: ObjectIdentifier,
    /// The content, as encoded.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    pub content: AnyRef<'a>,
}

/// The token's SignedData (RFC 5652 §5.1) with its `certificates` and `crls`
/// kept as encoded elements.
///
/// ```text
/// SignedData ::= SEQUENCE {
///    version CMSVersion,
///    digestAlgorithms DigestAlgorithmIdentifiers,
///    encapContentInfo EncapsulatedContentInfo,
///    certificates [0] IMPLICIT CertificateSet OPTIONAL,
///    crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
///    signerInfos SignerInfos }
/// ```
///
/// Why not `cms::signed_data::SignedData`: that decodes every certificate in
/// full, and a batch receives the same TSA certificate in thousands of
/// tokens. Here each element stays encoded until [`hozon_cms::Cert::intern`]
/// decodes a certificate the first time the run sees it; the rest of the
/// structure is the `cms` crate's own types.
#[derive(Clone, Debug, Sequence)]
pub struct TokenSignedData {
    /// CMSVersion.
    pub version: cms::content_info::CmsVersion,
    /// DigestAlgorithmIdentifiers.
    pub digest_algorithms: cms::signed_data::DigestAlgorithmIdentifiers,
    /// The TSTInfo, as id-ct-TSTInfo content.
    pub encap_content_info: cms::signed_data::EncapsulatedContentInfo,
    /// CertificateChoices, each as encoded.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub certificates: Option<der::asn1::SetOfVec<Any>>,
    /// RevocationInfoChoice, each as encoded.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub crls: Option<der::asn1::SetOfVec<Any>>,
    /// SignerInfos.
    pub signer_infos: cms::signed_data::SignerInfos,
}
