//! Authenticity (真正性) of a scan: the `.p7s` next to it verifies, its signer is one the class
//! allows, and its signature time stamp follows the scan "without delay".
//!
//! The guideline (Ver 6.0 企16 / シス16, Q&A 企Q-58/59) asks that each scanned file be signed by
//! the responsible operator and time-stamped within the policy's delay (by default one business
//! day) of the scan. The scan time is read from the file's own metadata (TIFF DateTime, EXIF
//! DateTimeOriginal, PNG tIME), else its modification time, and the report says which. Business
//! days are counted on the Japanese calendar day (UTC+9): Saturdays, Sundays and the policy's
//! holidays do not count.
//!
//! Nothing here ever PASSES a signature that was not verified: without a verifier (no trust
//! anchors) the result is a WARNING.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use hozon_cms::asn1::der::Decode;
use hozon_cms::asn1::x509_cert::ext::pkix::CertificatePolicies;
use hozon_cms::{SignatureFile, UnixTime, MAX_SIGNATURE_FILE_SIZE};
use hozon_verify::{Indication, Level, SignatureReport, TimestampIndication, TimestampKind};

use crate::exif::Tiff;
use crate::format::Format;
use crate::policy::{AllowedSigner, Class};
use crate::report::{Check, CheckName, Standard, Status};
use crate::{CheckOptions, SignatureSource};

/// Seconds east of UTC of Japan time, which decides the calendar day.
const JST: i64 = 9 * 3600;
/// Bytes of a JPEG read to find its EXIF segment (APP1 comes before the image data).
const JPEG_HEAD: u64 = 256 * 1024;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Japanese calendar day (days since 1970-01-01) of a Unix time.
pub fn jst_day(t: UnixTime) -> i64 {
    (t.0 + JST).div_euclid(86_400)
}

/// Whether a day (days since 1970-01-01) is a business day: not Saturday, Sunday or a holiday.
pub fn is_business_day(day: i64, holidays: &[i64]) -> bool {
    // 1970-01-01 was a Thursday: (day + 4) mod 7 is 0 on Sundays, 6 on Saturdays.
    let weekday = (day + 4).rem_euclid(7);
    weekday != 0 && weekday != 6 && !holidays.contains(&day)
}

/// Business days after `from` up to and including `to` (0 when `to` is not after `from`): the
/// delay between a scan on day `from` and a stamp on day `to`. A Friday scan stamped on Monday is
/// one business day late; a Saturday scan stamped on Monday also one.
pub fn business_days_between(from: i64, to: i64, holidays: &[i64]) -> i64 {
    ((from + 1)..=to)
        .filter(|&d| is_business_day(d, holidays))
        .count() as i64
}

/// Where the scan time was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanTimeSource {
    /// TIFF tag 306 DateTime (local time; taken as Japan time).
    TiffDateTime,
    /// EXIF DateTimeOriginal in the JPEG APP1 segment (local time; taken as Japan time).
    ExifDateTimeOriginal,
    /// PNG tIME chunk (UTC by the PNG specification).
    PngTime,
    /// PDF CreationDate (Info dictionary, else XMP xmp:CreateDate); a date
    /// without a time zone is taken as Japan time.
    PdfCreationDate,
    /// The file's modification time.
    Mtime,
}

impl ScanTimeSource {
    /// How the report names it.
    pub fn describe(self) -> &'static str {
        match self {
            ScanTimeSource::TiffDateTime => "TIFF DateTime (tag 306, taken as Japan time)",
            ScanTimeSource::ExifDateTimeOriginal => "EXIF DateTimeOriginal (taken as Japan time)",
            ScanTimeSource::PngTime => "PNG tIME (UTC)",
            ScanTimeSource::PdfCreationDate => {
                "PDF CreationDate (without a time zone taken as Japan time)"
            }
            ScanTimeSource::Mtime => "file modification time",
        }
    }
}

/// Parses an EXIF/TIFF `YYYY:MM:DD HH:MM:SS` time as Japan time.
pub fn parse_exif_time(s: &str) -> Option<UnixTime> {
    let s = s.trim_end_matches('\0').trim();
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b':'
        || b[7] != b':'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    utc_seconds(y, mo, d, h, mi, se).map(|t| UnixTime(t - JST))
}

/// Seconds since the epoch of a UTC civil time, `None` when a field is out of range.
fn utc_seconds(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> Option<i64> {
    let month = time::Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let days_in = i64::from(month.length(i32::try_from(y).ok()?));
    if !(1..=9999).contains(&y)
        || !(1..=days_in).contains(&d)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    let day = days_from_civil(
        i32::try_from(y).ok()?,
        u8::try_from(mo).ok()?,
        u8::try_from(d).ok()?,
    );
    Some(day * 86_400 + h * 3600 + mi * 60 + s)
}

/// Why a scan's time is unknown: none in its metadata, and its modification
/// time could not be read.
#[derive(Debug, thiserror::Error)]
#[error("no scan time in the metadata and no modification time: {source}")]
pub struct NoScanTime {
    /// Why the modification time could not be read.
    pub source: std::io::Error,
}

/// The scan time from the file's metadata, else its modification time; `Err` names why neither
/// could be read.
pub fn scan_time(path: &Path, format: Format) -> Result<(UnixTime, ScanTimeSource), NoScanTime> {
    let embedded = match format {
        Format::Tiff => tiff_datetime(path).map(|t| (t, ScanTimeSource::TiffDateTime)),
        Format::Jpeg => read_prefix(path, JPEG_HEAD)
            .ok()
            .and_then(|b| exif_datetime_original(&b))
            .map(|t| (t, ScanTimeSource::ExifDateTimeOriginal)),
        Format::Png => File::open(path)
            .ok()
            .and_then(|f| png_time(std::io::BufReader::new(f)))
            .map(|t| (t, ScanTimeSource::PngTime)),
        Format::Pdf => crate::pdf::creation_date(path).ok().flatten().map(|d| {
            let mut t = d.at.unix_timestamp();
            if d.zone_assumed {
                // The PDF creation tool wrote local (Japan) time.
                t -= 9 * 3600;
            }
            (UnixTime(t), ScanTimeSource::PdfCreationDate)
        }),
        _ => None,
    };
    if let Some(found) = embedded {
        return Ok(found);
    }
    let mtime = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map_err(|source| NoScanTime { source })?;
    Ok((UnixTime::from(mtime), ScanTimeSource::Mtime))
}

fn read_prefix(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    File::open(path)?.take(max).read_to_end(&mut out)?;
    Ok(out)
}

fn tiff_datetime(path: &Path) -> Option<UnixTime> {
    let file = File::open(path).ok()?;
    let mut dec = tiff::decoder::Decoder::new(std::io::BufReader::new(file)).ok()?;
    let s = dec.get_tag_ascii_string(tiff::tags::Tag::DateTime).ok()?;
    parse_exif_time(&s)
}

/// PNG tIME: year (2 bytes), month, day, hour, minute, second, in UTC. The chunks are walked by
/// their headers, seeking over the data, so a large PNG is not read into memory.
pub fn png_time<R: Read + Seek>(mut r: R) -> Option<UnixTime> {
    let mut signature = [0u8; 8];
    r.read_exact(&mut signature).ok()?;
    if &signature != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    loop {
        let mut head = [0u8; 8];
        r.read_exact(&mut head).ok()?;
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        match &head[4..8] {
            b"tIME" if len == 7 => {
                let mut d = [0u8; 7];
                r.read_exact(&mut d).ok()?;
                let y = i64::from(u16::from_be_bytes([d[0], d[1]]));
                let t = utc_seconds(
                    y,
                    d[2].into(),
                    d[3].into(),
                    d[4].into(),
                    d[5].into(),
                    d[6].into(),
                )?;
                return Some(UnixTime(t));
            }
            b"IEND" => return None,
            _ => {
                r.seek(SeekFrom::Current(i64::from(len) + 4)).ok()?;
            }
        }
    }
}

/// EXIF DateTimeOriginal (tag 0x9003 of the EXIF sub-IFD) from a JPEG's APP1 segment.
pub fn exif_datetime_original(b: &[u8]) -> Option<UnixTime> {
    if b.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut at = 2usize;
    loop {
        let marker = *b.get(at + 1)?;
        if *b.get(at)? != 0xFF || marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([*b.get(at + 2)?, *b.get(at + 3)?]));
        let seg = b.get(at + 4..at + 2 + len)?;
        if marker == 0xE1 && seg.starts_with(b"Exif\0\0") {
            if let Some(t) = exif_tiff_datetime(&seg[6..]) {
                return Some(t);
            }
        }
        at += 2 + len;
    }
}

fn exif_tiff_datetime(t: &[u8]) -> Option<UnixTime> {
    let t = Tiff::new(t).ok()?;
    let ptr = t.find(t.first_ifd()?, 0x8769)?;
    let original = t.find(t.offset(&ptr)?, 0x9003)?;
    let text = t.ascii(&original, 19)?;
    parse_exif_time(std::str::from_utf8(text).ok()?)
}

fn auth(name: CheckName, status: Status, detail: impl Into<String>) -> Check {
    Check::new(Standard::Authenticity, name, status, None, detail)
}

/// `FILE.p7s` for `FILE`.
pub fn signature_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".p7s");
    PathBuf::from(s)
}

/// The detail of the `signature` check of a scan without `FILE.p7s` whose class requires a
/// signature, when the caller signs it ([`SignatureSource::ByCaller`]).
pub const SIGNED_BY_CALLER: &str =
    "the class requires a signature: met by the signature this run makes once the scan passes";

/// The authenticity checks of one scan. Nothing is added when there is no `.p7s` and the class
/// does not require a signature.
pub fn checks(
    path: &Path,
    format: Format,
    rules: &Class,
    holidays: &[(i32, u8, u8)],
    options: &CheckOptions<'_>,
) -> Vec<Check> {
    let verifier = options.verifier;
    let sig = signature_path(path);
    if !sig.is_file() {
        return if rules.require_signature && options.signature == SignatureSource::ByCaller {
            vec![auth(CheckName::Signature, Status::Passed, SIGNED_BY_CALLER)]
        } else if rules.require_signature {
            vec![auth(
                CheckName::Signature,
                Status::Failed,
                format!(
                    "no signature {} next to the scan; the class requires one",
                    sig.display()
                ),
            )]
        } else {
            Vec::new()
        };
    }
    let Some(verifier) = verifier else {
        return vec![auth(
            CheckName::Signature,
            Status::Warning,
            format!("{} not verified: no --trust", sig.display()),
        )];
    };
    let bytes = match read_signature(&sig) {
        Ok(b) => b,
        Err(e) => {
            return vec![auth(
                CheckName::Signature,
                Status::Failed,
                format!("{}: {e}", sig.display()),
            )]
        }
    };
    let reports = verifier.verify(&sig.display().to_string(), &bytes, Some(path));
    if reports.is_empty() {
        return vec![auth(
            CheckName::Signature,
            Status::Failed,
            format!("{}: no signature in the file", sig.display()),
        )];
    }
    let holidays: Vec<i64> = holidays
        .iter()
        .map(|&(y, m, d)| days_from_civil(y, m, d))
        .collect();
    let scan = scan_time(path, format);
    let many = reports.len() > 1;
    let mut out = Vec::new();
    for r in &reports {
        let which = if many {
            format!("signer info {}: ", r.signer_info)
        } else {
            String::new()
        };
        out.push(verification_check(&which, r));
        out.push(signer_check(&which, r, &bytes, &rules.allowed_signers));
        out.push(delay_check(&which, r, &scan, rules, &holidays));
    }
    out
}

fn read_signature(sig: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(sig).map_err(|e| e.to_string())?;
    let size = file.metadata().map_err(|e| e.to_string())?.len();
    if size > MAX_SIGNATURE_FILE_SIZE {
        return Err(format!(
            "{size} bytes is more than the {MAX_SIGNATURE_FILE_SIZE}-byte limit for a signature file"
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SIGNATURE_FILE_SIZE)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    Ok(bytes)
}

fn verification_check(which: &str, r: &SignatureReport) -> Check {
    let level = r.level.map_or("no level", |l| l.as_str());
    if r.indication == Indication::TotalPassed {
        auth(
            CheckName::Signature,
            Status::Passed,
            format!("{which}{} {level} TOTAL_PASSED", r.format),
        )
    } else {
        let sub = r
            .sub_indication
            .map(|s| format!("/{s}"))
            .unwrap_or_default();
        auth(
            CheckName::Signature,
            Status::Failed,
            format!("{which}{}{sub}: {}", r.indication, r.errors.join("; ")),
        )
    }
}

/// The certificate policy OIDs of the signer's certificate, from the SignedData certificates.
fn signer_policies(bytes: &[u8], r: &SignatureReport) -> Vec<String> {
    let (Some(signer), Ok(file)) = (&r.signer, SignatureFile::parse(bytes)) else {
        return Vec::new();
    };
    let Some(cert) = file
        .certificates()
        .into_iter()
        .find(|c| c.serial_hex() == signer.serial && c.issuer() == signer.issuer)
    else {
        return Vec::new();
    };
    let policies_oid = hozon_cms::asn1::const_oid::db::rfc5280::ID_CE_CERTIFICATE_POLICIES;
    cert.parsed()
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == policies_oid)
        .filter_map(|e| CertificatePolicies::from_der(e.extn_value.as_bytes()).ok())
        .flat_map(|p| p.0.into_iter().map(|i| i.policy_identifier.to_string()))
        .collect()
}

fn signer_check(
    which: &str,
    r: &SignatureReport,
    bytes: &[u8],
    allowed: &[AllowedSigner],
) -> Check {
    let Some(signer) = &r.signer else {
        return auth(
            CheckName::Signer,
            Status::Failed,
            format!("{which}signer not identified"),
        );
    };
    if r.indication != Indication::TotalPassed {
        return auth(
            CheckName::Signer,
            Status::Failed,
            format!(
                "{which}{}: the signature does not verify, so the signer is not established",
                signer.subject
            ),
        );
    }
    if allowed.is_empty() {
        return auth(
            CheckName::Signer,
            Status::Passed,
            format!(
                "{which}{}: the class accepts any signer that verifies",
                signer.subject
            ),
        );
    }
    let policies = signer_policies(bytes, r);
    let roles: Vec<&str> = signer
        .hc_role
        .as_deref()
        .map(|s| s.split(", ").collect())
        .unwrap_or_default();
    for (i, rule) in allowed.iter().enumerate() {
        let mut matched = Vec::new();
        let mut ok =
            rule.subject_contains.is_some() || rule.policy_oid.is_some() || rule.hc_role.is_some();
        if let Some(s) = &rule.subject_contains {
            ok &= signer.subject.contains(s.as_str());
            matched.push(format!("subject contains {s:?}"));
        }
        if let Some(p) = &rule.policy_oid {
            ok &= policies.iter().any(|x| x == p);
            matched.push(format!("certificate policy {p}"));
        }
        if let Some(h) = &rule.hc_role {
            ok &= roles.contains(&h.as_str());
            matched.push(format!("hcRole {h:?}"));
        }
        if ok {
            return auth(
                CheckName::Signer,
                Status::Passed,
                format!(
                    "{which}{}: allowed_signers[{i}] ({})",
                    signer.subject,
                    matched.join(", ")
                ),
            );
        }
    }
    auth(
        CheckName::Signer,
        Status::Failed,
        format!(
            "{which}{} (hcRole {}, certificate policies [{}]) matches none of the class's {} allowed_signers",
            signer.subject,
            signer.hc_role.as_deref().unwrap_or("none"),
            policies.join(", "),
            allowed.len()
        ),
    )
}

fn delay_check(
    which: &str,
    r: &SignatureReport,
    scan: &Result<(UnixTime, ScanTimeSource), NoScanTime>,
    rules: &Class,
    holidays: &[i64],
) -> Check {
    let name = CheckName::ScanToStamp;
    let stamp = r
        .timestamps
        .iter()
        .filter(|t| {
            t.kind == TimestampKind::Signature && t.indication == TimestampIndication::Passed
        })
        .filter_map(|t| UnixTime::parse_rfc3339(&t.gen_time).ok())
        .min();
    let Some(stamp) = stamp else {
        let reason = if r
            .timestamps
            .iter()
            .any(|t| t.kind == TimestampKind::Signature)
        {
            format!("{which}no valid signature time stamp")
        } else if matches!(r.level, None | Some(Level::BB)) {
            format!("{which}B-B signature: no time stamp")
        } else {
            format!("{which}no signature time stamp")
        };
        return auth(name, Status::Failed, reason);
    };
    let (scanned, source) = match scan {
        Ok(s) => *s,
        Err(e) => {
            return auth(
                name,
                Status::Failed,
                format!("{which}scan time unknown: {e}"),
            )
        }
    };
    let max = i64::from(rules.max_scan_to_stamp_business_days);
    if r.indication != Indication::TotalPassed {
        return auth(
            name,
            Status::Failed,
            format!("{which}the signature does not verify, so its time stamp proves nothing"),
        );
    }
    if stamp < scanned {
        return auth(
            name,
            Status::Failed,
            format!(
                "{which}time stamp {stamp} precedes the scan time {scanned} from {}",
                source.describe()
            ),
        );
    }
    let days = business_days_between(jst_day(scanned), jst_day(stamp), holidays);
    let detail = format!(
        "{which}scanned {scanned} ({}), time-stamped {stamp}: {days} business day(s) later, policy maximum {max}",
        source.describe()
    );
    if days > max {
        auth(name, Status::Failed, detail)
    } else {
        auth(name, Status::Passed, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u8, d: u8) -> i64 {
        days_from_civil(y, m, d)
    }

    #[test]
    fn civil_days() {
        assert_eq!(day(1970, 1, 1), 0);
        assert_eq!(day(2000, 3, 1), 11_017);
        assert_eq!(day(1969, 12, 31), -1);
        // 2026-11-26 is a Thursday.
        assert_eq!((day(2026, 11, 26) + 4).rem_euclid(7), 4);
    }

    #[test]
    fn weekends_are_not_business_days() {
        let fri = day(2026, 11, 27);
        let (sat, sun, mon, tue) = (fri + 1, fri + 2, fri + 3, fri + 4);
        assert!(is_business_day(fri, &[]));
        assert!(!is_business_day(sat, &[]));
        assert!(!is_business_day(sun, &[]));
        assert_eq!(business_days_between(fri, fri, &[]), 0);
        assert_eq!(business_days_between(fri, sat, &[]), 0);
        assert_eq!(business_days_between(fri, mon, &[]), 1);
        assert_eq!(business_days_between(sat, mon, &[]), 1);
        assert_eq!(business_days_between(fri, tue, &[]), 2);
        assert_eq!(business_days_between(mon, fri + 7, &[]), 4);
        assert_eq!(business_days_between(tue, mon, &[]), 0);
    }

    #[test]
    fn holidays_are_skipped() {
        // Labour Thanksgiving Day 2026-11-23 is a Monday.
        let holidays = [day(2026, 11, 23)];
        let fri = day(2026, 11, 20);
        assert_eq!(business_days_between(fri, day(2026, 11, 23), &holidays), 0);
        assert_eq!(business_days_between(fri, day(2026, 11, 24), &holidays), 1);
        assert_eq!(business_days_between(fri, day(2026, 11, 25), &holidays), 2);
        assert_eq!(business_days_between(fri, day(2026, 11, 24), &[]), 2);
    }

    #[test]
    fn year_boundary() {
        // 2026-12-31 Thursday; 2027-01-01 Friday (holiday); 2027-01-04 Monday.
        let holidays = [day(2026, 12, 31), day(2027, 1, 1)];
        let wed = day(2026, 12, 30);
        assert_eq!(business_days_between(wed, day(2027, 1, 3), &holidays), 0);
        assert_eq!(business_days_between(wed, day(2027, 1, 4), &holidays), 1);
        assert_eq!(business_days_between(wed, day(2027, 1, 4), &[]), 3);
        // Leap day 2028-02-29 is a Tuesday.
        assert_eq!(
            business_days_between(day(2028, 2, 28), day(2028, 3, 1), &[]),
            2
        );
    }

    #[test]
    fn japan_time_decides_the_day() {
        // 2026-11-27T16:00Z is Saturday 01:00 in Japan: not a business day.
        let t = UnixTime::parse_rfc3339("2026-11-27T16:00:00Z").unwrap_or(UnixTime(0));
        assert_eq!(jst_day(t), day(2026, 11, 28));
        let t = UnixTime::parse_rfc3339("2026-11-27T14:59:59Z").unwrap_or(UnixTime(0));
        assert_eq!(jst_day(t), day(2026, 11, 27));
    }

    #[test]
    fn exif_times() {
        let t = parse_exif_time("2026:11:26 09:00:00").map(|t| t.rfc3339());
        assert_eq!(t.as_deref(), Some("2026-11-26T00:00:00Z"));
        assert!(parse_exif_time("2026:02:30 09:00:00").is_none());
        assert!(parse_exif_time("2026-11-26 09:00:00").is_none());
        assert!(parse_exif_time("    :  :     :  :  ").is_none());
        assert!(parse_exif_time("2026:11:26 24:00:00").is_none());
    }

    #[test]
    fn metadata_parsers_do_not_panic() {
        let cut = b"\x89PNG\r\n\x1a\n\0\0\0\x07tIME\x07";
        assert!(png_time(std::io::Cursor::new(&cut[..])).is_none());
        let huge = b"\x89PNG\r\n\x1a\n\xff\xff\xff\xffIDAT";
        assert!(png_time(std::io::Cursor::new(&huge[..])).is_none());
        let mut ok = b"\x89PNG\r\n\x1a\n\0\0\0\x02abcd\0\0\0\0\0\0".to_vec();
        ok.extend_from_slice(b"\0\0\0\x07tIME\x07\xea\x0b\x1a\x09\x00\x00");
        let found = png_time(std::io::Cursor::new(ok)).map(|t| t.rfc3339());
        assert_eq!(found.as_deref(), Some("2026-11-26T09:00:00Z"));
        assert!(exif_datetime_original(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]).is_none());
        assert!(exif_datetime_original(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]).is_none());
        let mut seg = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x69\x87\x04\0\x01\0\0\0\xff\xff\0\0".to_vec();
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&u16::try_from(seg.len() + 2).unwrap_or(0).to_be_bytes());
        jpeg.append(&mut seg);
        assert!(exif_datetime_original(&jpeg).is_none());
    }

    #[test]
    fn exif_date_time_original_is_found() {
        // IFD0 with one entry (ExifIFD pointer) at 8; EXIF IFD at 26 with DateTimeOriginal at 44.
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&[1, 0, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
        t.extend_from_slice(&[1, 0, 0x03, 0x90, 2, 0, 20, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0]);
        t.extend_from_slice(b"2027:01:04 10:30:00\0");
        let mut seg = b"Exif\0\0".to_vec();
        seg.extend_from_slice(&t);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend_from_slice(&u16::try_from(seg.len() + 2).unwrap_or(0).to_be_bytes());
        jpeg.extend_from_slice(&seg);
        jpeg.extend_from_slice(&[0xFF, 0xDA]);
        let found = exif_datetime_original(&jpeg).map(|t| t.rfc3339());
        assert_eq!(found.as_deref(), Some("2027-01-04T01:30:00Z"));
    }
}
