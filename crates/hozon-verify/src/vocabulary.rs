//! The fixed vocabularies of the report (DESIGN.md §4): signature format,
//! level, time-stamp kind and time-stamp indication, as enums serialised to
//! exactly the strings the JSON report has always carried.

use serde::{Deserialize, Serialize};

macro_rules! vocabulary {
    ($(#[doc = $tdoc:literal])* $name:ident { $( #[doc = $doc:literal] $variant:ident = $text:literal, )* }) => {
        $(#[doc = $tdoc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( #[doc = $doc] #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            /// The name used in reports.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text, )* }
            }

            /// Every value.
            pub fn all() -> &'static [$name] {
                &[$( $name::$variant, )*]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<$name, UnknownName> {
                match s {
                    $( $text => Ok($name::$variant), )*
                    _ => Err(UnknownName { kind: stringify!($name), name: s.to_owned() }),
                }
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

/// A name that is not part of a vocabulary.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a known {kind}")]
pub struct UnknownName {
    /// Which vocabulary.
    pub kind: &'static str,
    /// The name given.
    pub name: String,
}

vocabulary! {
    /// What kind of signature (or proof) a report is about.
    SignatureFormat {
        /// A CMS signature without a signing-certificate attribute (not AdES).
        Cms = "CMS",
        /// CAdES (ETSI EN 319 122-1).
        Cades = "CAdES",
        /// XAdES (ETSI EN 319 132-1).
        Xades = "XAdES",
        /// PAdES (ETSI EN 319 142-1).
        Pades = "PAdES",
        /// A plain XML signature (W3C XML-DSig) without XAdES properties.
        XmlDsig = "XML-DSig",
        /// An RFC 4998 evidence record.
        Ers = "ERS",
        /// A stand-alone RFC 3161 time stamp.
        Rfc3161 = "RFC3161",
    }
}

impl SignatureFormat {
    /// Whether the ETSI baseline levels (B-B … B-LTA) apply.
    pub fn has_levels(self) -> bool {
        matches!(
            self,
            SignatureFormat::Cades | SignatureFormat::Xades | SignatureFormat::Pades
        )
    }
}

vocabulary! {
    /// The ETSI baseline level a signature was validated at.
    Level {
        /// Basic signature.
        BB = "B-B",
        /// With a signature time stamp.
        BT = "B-T",
        /// With all validation data embedded.
        BLt = "B-LT",
        /// With an archive time stamp over it all.
        BLta = "B-LTA",
    }
}

vocabulary! {
    /// What a time stamp in a report stamps.
    TimestampKind {
        /// A signature time stamp (over the signature value).
        Signature = "signature",
        /// An archive time stamp (over the signature and its validation data).
        Archive = "archive",
        /// A content time stamp (over the signed content, made before signing).
        Content = "content",
        /// A PDF document time stamp.
        Document = "document",
    }
}

vocabulary! {
    /// The result of one time stamp's validation.
    TimestampIndication {
        /// It is valid proof of existence.
        Passed = "PASSED",
        /// It is proven invalid.
        Failed = "FAILED",
        /// Neither proven valid nor invalid.
        Indeterminate = "INDETERMINATE",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_serialise_to_the_report_strings() {
        for (value, text) in [
            (serde_json::to_string(&SignatureFormat::Cades), "\"CAdES\""),
            (serde_json::to_string(&SignatureFormat::Cms), "\"CMS\""),
            (serde_json::to_string(&SignatureFormat::Xades), "\"XAdES\""),
            (serde_json::to_string(&SignatureFormat::Pades), "\"PAdES\""),
            (serde_json::to_string(&Level::BLta), "\"B-LTA\""),
            (serde_json::to_string(&Level::BB), "\"B-B\""),
            (
                serde_json::to_string(&TimestampKind::Archive),
                "\"archive\"",
            ),
            (
                serde_json::to_string(&TimestampKind::Document),
                "\"document\"",
            ),
            (
                serde_json::to_string(&TimestampIndication::Indeterminate),
                "\"INDETERMINATE\"",
            ),
        ] {
            assert_eq!(value.expect("serialise"), text);
        }
        for level in Level::all() {
            assert_eq!(level.as_str().parse::<Level>(), Ok(*level));
        }
        assert!("B-X".parse::<Level>().is_err());
        assert!(SignatureFormat::Cades.has_levels() && !SignatureFormat::Cms.has_levels());
    }

    fn round_trips<T>(all: &[T])
    where
        T: Copy + std::fmt::Debug + PartialEq + Serialize + for<'de> Deserialize<'de>,
        T: std::str::FromStr<Err = UnknownName> + std::fmt::Display,
    {
        for v in all {
            let json = serde_json::to_string(v).expect("serialise");
            assert_eq!(json, format!("\"{v}\""));
            assert_eq!(serde_json::from_str::<T>(&json).expect("deserialise"), *v);
            assert_eq!(v.to_string().parse::<T>(), Ok(*v));
        }
    }

    #[test]
    fn every_variant_round_trips_through_its_report_string() {
        round_trips(SignatureFormat::all());
        round_trips(Level::all());
        round_trips(TimestampKind::all());
        round_trips(TimestampIndication::all());
        assert_eq!(SignatureFormat::all().len(), 7);
        assert_eq!(TimestampKind::all().len(), 4);
    }
}
