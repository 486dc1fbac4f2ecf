//! Which file format a scan really is, decided by its leading bytes (magic numbers).
//!
//! Why by bytes: the guideline (Ver 6.0 企16, preservability) asks for open, long-lived formats, and a
//! file's name is only a claim. A `.tif` that is really a PNG is still checked as the PNG it is; the
//! mismatch is reported as a warning because downstream systems that trust the extension may fail.

use std::fmt;
use std::path::Path;

/// How many leading bytes [`identify`] needs at most.
pub const MAGIC_LEN: usize = 16;

/// A file format as identified from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// TIFF, little-endian (`II*\0`) or big-endian (`MM\0*`), classic or BigTIFF.
    Tiff,
    /// PNG (`\x89PNG\r\n\x1a\n`).
    Png,
    /// JPEG (SOI marker `FF D8 FF`).
    Jpeg,
    /// JPEG 2000, either the JP2 signature box or a bare codestream (SOC+SIZ). Identified only.
    Jpeg2000,
    /// PDF (`%PDF-`). Identified only.
    Pdf,
    /// Anything else.
    Unknown,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 6] = [
        Format::Tiff,
        Format::Png,
        Format::Jpeg,
        Format::Jpeg2000,
        Format::Pdf,
        Format::Unknown,
    ];

    /// The name in a scan report's `format` ("TIFF", "JPEG 2000", …).
    pub fn report_name(self) -> &'static str {
        match self {
            Format::Tiff => "TIFF",
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Jpeg2000 => "JPEG 2000",
            Format::Pdf => "PDF",
            Format::Unknown => "unknown",
        }
    }

    /// The name used in reports and in policy files (`formats = ["tiff", ...]`).
    pub fn policy_name(self) -> &'static str {
        match self {
            Format::Tiff => "tiff",
            Format::Png => "png",
            Format::Jpeg => "jpeg",
            Format::Jpeg2000 => "jpeg2000",
            Format::Pdf => "pdf",
            Format::Unknown => "unknown",
        }
    }

    /// Parses a policy name; `None` if it names no format.
    pub fn from_policy_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "tiff" | "tif" => Some(Format::Tiff),
            "png" => Some(Format::Png),
            "jpeg" | "jpg" => Some(Format::Jpeg),
            "jpeg2000" | "jp2" => Some(Format::Jpeg2000),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The format a file name's extension claims, if it claims one.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "tif" | "tiff" => Some(Format::Tiff),
            "png" => Some(Format::Png),
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(Format::Jpeg),
            "jp2" | "j2k" | "j2c" | "jpx" | "jpf" => Some(Format::Jpeg2000),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    /// The report name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.report_name())
    }
}

impl std::str::FromStr for Format {
    type Err = hozon_verify::vocabulary::UnknownName;
    /// Parses a report name ([`Format::report_name`]; policy files use
    /// [`Format::from_policy_name`]).
    fn from_str(s: &str) -> Result<Format, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.report_name() == s)
            .ok_or_else(|| hozon_verify::vocabulary::UnknownName {
                kind: "scan format",
                name: s.to_owned(),
            })
    }
}

impl serde::Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.report_name())
    }
}

impl<'de> serde::Deserialize<'de> for Format {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Format, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Identifies the format from the first bytes of a file (at most [`MAGIC_LEN`] are looked at).
pub fn identify(head: &[u8]) -> Format {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JP2_BOX: &[u8] = b"\x00\x00\x00\x0cjP  \r\n\x87\n";
    const J2K_CODESTREAM: &[u8] = b"\xff\x4f\xff\x51";
    if head.starts_with(b"II*\0")
        || head.starts_with(b"MM\0*")
        || head.starts_with(b"II+\0")
        || head.starts_with(b"MM\0+")
    {
        Format::Tiff
    } else if head.starts_with(PNG) {
        Format::Png
    } else if head.starts_with(b"\xff\xd8\xff") {
        Format::Jpeg
    } else if head.starts_with(JP2_BOX) || head.starts_with(J2K_CODESTREAM) {
        Format::Jpeg2000
    } else if head.starts_with(b"%PDF-") {
        Format::Pdf
    } else {
        Format::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_round_trip_through_their_report_names() {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.report_name()).collect();
        assert_eq!(
            names,
            ["TIFF", "PNG", "JPEG", "JPEG 2000", "PDF", "unknown"]
        );
        for f in Format::ALL {
            assert_eq!(f.to_string(), f.report_name());
            assert_eq!(f.report_name().parse::<Format>(), Ok(f));
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.report_name()));
            assert_eq!(serde_json::from_str::<Format>(&json).unwrap(), f);
        }
        assert_eq!("tiff".parse::<Format>().unwrap_err().name, "tiff");
        assert!(serde_json::from_str::<Format>("\"GIF\"")
            .unwrap_err()
            .to_string()
            .contains("\"GIF\" is not a known scan format"));
    }

    #[test]
    fn magic_numbers() {
        assert_eq!(identify(b"II*\0\x08\0\0\0"), Format::Tiff);
        assert_eq!(identify(b"MM\0*\0\0\0\x08"), Format::Tiff);
        assert_eq!(identify(b"II+\0\x08\0\0\0"), Format::Tiff);
        assert_eq!(identify(b"\x89PNG\r\n\x1a\n\0\0"), Format::Png);
        assert_eq!(identify(b"\xff\xd8\xff\xe0"), Format::Jpeg);
        assert_eq!(
            identify(b"\x00\x00\x00\x0cjP  \r\n\x87\n"),
            Format::Jpeg2000
        );
        assert_eq!(identify(b"\xff\x4f\xff\x51\0"), Format::Jpeg2000);
        assert_eq!(identify(b"%PDF-1.7\n"), Format::Pdf);
        assert_eq!(identify(b""), Format::Unknown);
        assert_eq!(identify(b"II"), Format::Unknown);
        assert_eq!(identify(b"\x89PNG"), Format::Unknown);
        assert_eq!(identify(b"GIF89a"), Format::Unknown);
    }

    #[test]
    fn extensions_and_policy_names() {
        assert_eq!(
            Format::from_extension(Path::new("a/b.TIF")),
            Some(Format::Tiff)
        );
        assert_eq!(
            Format::from_extension(Path::new("a.jpeg")),
            Some(Format::Jpeg)
        );
        assert_eq!(Format::from_extension(Path::new("a")), None);
        assert_eq!(Format::from_extension(Path::new("a.txt")), None);
        assert_eq!(Format::from_policy_name("JPG"), Some(Format::Jpeg));
        assert_eq!(Format::from_policy_name("gif"), None);
    }
}
