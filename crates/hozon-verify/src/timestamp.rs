//! Time stamps inside signatures (EN 319 102-1 §5.4, time-stamp validation
//! building block): each token must cover what it claims to cover, be
//! signed by a TSA certificate bound to it, and that certificate must have
//! had a valid, unrevoked path **at the token's genTime**. A token that
//! passes is proof of existence (POE) of the signature at genTime.

use hozon_cms::asn1::cms::signed_data::SignerInfo;
use std::path::Path;

use hozon_cms::asn1::der::{Any, Encode};
use hozon_cms::attributes::all_values;
use hozon_cms::oid::rfc3161::ID_AA_SIGNATURE_TIME_STAMP_TOKEN;
use hozon_cms::{Cert, UnixTime};
use hozon_pki::CrlSet;
use hozon_tsp::Token;

use crate::engine::{blank_report, conclude};
use crate::findings::Findings;
use crate::report::{Indication, SignatureReport, SubIndication, TimestampReport};
use crate::Verifier;

/// How much later than the signature time stamp a claimed signing time may
/// be (signers' clocks are not synchronised; the stamp is the evidence).
pub(crate) const SIGNING_TIME_TOLERANCE_SECS: i64 = 300;

/// What a time stamp must cover.
#[derive(Clone, Copy)]
pub(crate) enum Covered<'a> {
    /// Bytes in memory (a signature value).
    Bytes(&'a [u8]),
    /// A file (a stand-alone time stamp), digested as a stream.
    File(&'a Path),
    /// Byte ranges of a file (a PDF document time stamp's `/ByteRange`).
    Ranges(&'a Path, &'a [(u64, u64)]),
    /// A digest already computed (an evidence record's hash-tree root):
    /// the imprint must use this algorithm and equal this value.
    Digest(hozon_cms::DigestAlgorithm, &'a [u8]),
    /// The signed content's digest (a content time stamp), compared as
    /// [`Covered::Digest`].
    Content(hozon_cms::DigestAlgorithm, &'a [u8]),
    /// An archive-time-stamp-v2 input, already compared with the token's
    /// imprint (the input holds the content and is streamed).
    ArchiveV2 {
        /// Whether an accepted reading of the input matched.
        matched: bool,
    },
}

impl Covered<'_> {
    fn matches(&self, token: &Token) -> Result<bool, String> {
        match self {
            Covered::ArchiveV2 { matched } => Ok(*matched),
            Covered::Bytes(b) => Ok(token.covers(b)),
            Covered::Digest(alg, value) | Covered::Content(alg, value) => {
                let (imprint_alg, imprint) = token.imprint();
                Ok(imprint_alg == *alg && imprint == *value)
            }
            Covered::File(path) => {
                let (alg, imprint) = token.imprint();
                let digest = std::fs::File::open(path)
                    .and_then(|f| alg.digest_reader(f))
                    .map_err(|e| {
                        format!("cannot read the time-stamped file {}: {e}", path.display())
                    })?;
                Ok(digest == imprint)
            }
            Covered::Ranges(path, ranges) => {
                let (alg, imprint) = token.imprint();
                Ok(
                    crate::content::digest_ranges(alg, path, ranges).map_err(|e| e.to_string())?
                        == imprint,
                )
            }
        }
    }

    fn mismatch(&self) -> String {
        match self {
            Covered::ArchiveV2 { .. } => "its message imprint does not match the content, certificates, CRLs and signer information it covers (archive-time-stamp-v2): something was altered or removed after it was made".into(),
            Covered::Bytes(_) => "its message imprint does not match the signature value: it stamps something else".into(),
            Covered::Digest(alg, _) => format!("its message imprint is not the {} root of the hash tree it should stamp", alg.name()),
            Covered::Content(alg, _) => format!(
                "its message imprint is not the {} digest of the signed content: it stamps other data",
                alg.name()
            ),
            Covered::File(path) => format!(
                "its message imprint does not match {}: the file was altered, or the stamp is for another file",
                path.display()
            ),
            Covered::Ranges(path, _) => format!(
                "its message imprint does not match the byte ranges of {} it covers: they were altered",
                path.display()
            ),
        }
    }
}

/// A token, from a bare token or from a TimeStampResp (as `.tsr` files
/// hold).
fn parse_token(der: &[u8], label: &str) -> Result<Token, String> {
    match Token::parse(der, label) {
        Ok(t) => Ok(t),
        Err(token_error) => hozon_tsp::parse_response(der, label).map_err(|e| match e {
            hozon_tsp::Error::Malformed { .. } => token_error.to_string(),
            other => other.to_string(),
        }),
    }
}

/// Which archive time-stamp attribute a token came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ArchiveVersion {
    /// archiveTimestamp (id-aa-27), TS 101 733 before V1.7: not validated.
    V1,
    /// archive-time-stamp (id-aa-48), TS 101 733 V1.7.4+, JIS X 5092:2008.
    V2,
    /// archive-time-stamp-v3, EN 319 122-1.
    V3,
}

impl ArchiveVersion {
    fn label(self) -> &'static str {
        match self {
            ArchiveVersion::V1 => "archive time stamp v1",
            ArchiveVersion::V2 => "archive time stamp v2",
            ArchiveVersion::V3 => "archive time stamp",
        }
    }

    fn attribute(self) -> &'static str {
        match self {
            ArchiveVersion::V1 => "archive-time-stamp v1 (id-aa-27)",
            ArchiveVersion::V2 => "archive-time-stamp-v2 (id-aa-48)",
            ArchiveVersion::V3 => "archive-time-stamp-v3",
        }
    }
}

/// One archive time-stamp attribute value.
struct Archive {
    version: ArchiveVersion,
    /// Position of its attribute among the unsigned attributes in file
    /// order (v1 and v2 only).
    position: Option<usize>,
    der: Vec<u8>,
    token: Option<Token>,
}

/// What an archive stamp's imprint is checked against.
enum V2OrBytes {
    /// v2: already compared.
    V2(bool),
    /// v3: the hash input.
    Bytes(Vec<u8>),
}

/// Safety margin before a TSA certificate's expiry by which the next archive
/// time stamp should be added (`renew_by`).
pub(crate) const RENEWAL_MARGIN_SECS: i64 = 90 * 24 * 3600;

/// Lowers `report.renew_by` to the end of what a stamp by `tsa` (imprint
/// `digest`) protects — the TSA certificate's expiry or, earlier, its
/// algorithms' sunset under `policy` — minus the margin: the next archive
/// time stamp must be added while every stamp it protects can still be
/// validated.
pub(crate) fn report_expiry(
    report: &mut SignatureReport,
    tsa: &Cert,
    digest: Option<hozon_cms::DigestAlgorithm>,
    policy: &crate::AlgorithmPolicy,
) {
    let (_, not_after) = tsa.validity_unix();
    let mut end = UnixTime(i64::try_from(not_after).unwrap_or(i64::MAX));
    let mut reason = format!("the TSA certificate {} expires at {end}", tsa.subject());
    if let Some((sunset, why)) = tsa
        .to_openssl()
        .and_then(|x| x.public_key())
        .ok()
        .and_then(|key| policy.sunset_with_reason(&key, digest))
    {
        if sunset < end {
            end = sunset;
            reason = format!("algorithm date: {why}");
        }
    }
    let due = UnixTime(end.0.saturating_sub(RENEWAL_MARGIN_SECS));
    let earlier = report
        .renew_by
        .as_deref()
        .and_then(|r| UnixTime::parse_rfc3339(r).ok())
        .is_none_or(|current| due < current);
    if earlier {
        report.renew_by = Some(due.rfc3339());
        report.renew_by_reason = Some(reason);
    }
}

impl Verifier {
    /// Validates the archive time stamps of `si` — archive-time-stamp-v3
    /// and the older archive-time-stamp (v2, id-aa-48), equally strictly —
    /// newest first: the newest must hold at the validation time, each
    /// older one until the next newer one was made. Records them in the
    /// report and returns the genTime of the oldest one that passed — the
    /// time until which everything they cover (signature time stamps,
    /// validation data) has to be trustworthy. A v1 archiveTimestamp
    /// (id-aa-27) is reported as not validated and proves nothing.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn archive_timestamps(
        &self,
        file: &hozon_cms::SignatureFile,
        si: &SignerInfo,
        certs: &[Cert],
        crls: &CrlSet,
        digests: &mut crate::content::DigestCache<'_>,
        report: &mut SignatureReport,
        f: &mut Findings,
    ) -> Option<UnixTime> {
        use hozon_cms::archive_timestamp::{current_hashes_in, imprint_input, read_hash_index};
        use hozon_cms::oid::etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
        use hozon_cms::oid::rfc5126::{
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V1, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2,
        };
        use SubIndication as S;
        let signed_data = &file.signed_data;
        // The unsigned attributes in file order (v2 hashes them as they
        // are), read only when there is a v1 or v2 stamp (the common v3-only
        // signature pays nothing for them).
        let old_stamps = si.unsigned_attrs.iter().flat_map(|a| a.iter()).any(|a| {
            a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 || a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V1
        });
        let ordered = if old_stamps {
            match hozon_cms::archive_timestamp_v2::unsigned_attributes(file, si) {
                Ok(list) => list,
                Err(e) => {
                    f.fail(S::FormatFailure, format!("archive time stamp v2: {e}"));
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let archive_oids = [
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V1,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V2,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
        ];
        // genTime of every archive attribute's token, by file position.
        let gen_times: Vec<Option<UnixTime>> = ordered
            .iter()
            .map(|(attr, _)| {
                if !archive_oids.contains(&attr.oid) {
                    return None;
                }
                let any = attr.values.get(0)?;
                let der = any.to_der().ok()?;
                Token::parse(&der, "archive time stamp")
                    .ok()
                    .map(|t| t.gen_time())
            })
            .collect();
        let mut tokens: Vec<Archive> = Vec::new();
        for any in all_values(si.unsigned_attrs.as_ref(), ID_AA_ETS_ARCHIVE_TIMESTAMP_V3) {
            let der = any.to_der().unwrap_or_default();
            let token = parse_token(&der, "archive time stamp").ok();
            tokens.push(Archive {
                version: ArchiveVersion::V3,
                position: None,
                der,
                token,
            });
        }
        for (position, (attr, _)) in ordered.iter().enumerate() {
            let version = if attr.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 {
                ArchiveVersion::V2
            } else if attr.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V1 {
                ArchiveVersion::V1
            } else {
                continue;
            };
            for any in attr.values.iter() {
                let der = any.to_der().unwrap_or_default();
                let token = parse_token(&der, "archive time stamp").ok();
                tokens.push(Archive {
                    version,
                    position: Some(position),
                    der,
                    token,
                });
            }
        }
        // Newest first. Stamps made within the same second are ordered by
        // what they cover: a later v3 covers the earlier one's attribute,
        // so its index lists more unsigned attribute values.
        let covered = |a: &Archive| {
            a.token
                .as_ref()
                .and_then(|t| t.signer_unsigned_attrs())
                .and_then(|a| read_hash_index(a).ok().flatten())
                .map_or(0, |(_, i)| i.unsigned_attr_values_hash_index.len())
        };
        tokens.sort_by_key(|a| {
            std::cmp::Reverse((a.token.as_ref().map(|t| t.gen_time()), covered(a)))
        });
        let mut trust_until = self.config.validation_time;
        let mut oldest_passed = None;
        let mut entries = Vec::new();
        for archive in &tokens {
            let label = archive.version.label();
            let Some(token) = &archive.token else {
                crate::unsigned::unreadable(f, label, "not a time-stamp token");
                continue;
            };
            let gen = token.gen_time();
            let covered = match archive.version {
                ArchiveVersion::V1 => {
                    // A different, ambiguous imprint input (TS 101 733
                    // before V1.5.1): never validated, never proof.
                    f.warn(format!(
                        "{label} ({gen}) is not validated: its message imprint is defined by obsolete versions of ETSI TS 101 733 and proves nothing here"
                    ));
                    entries.push(TimestampReport {
                        kind: "archive".to_owned(),
                        gen_time: gen.rfc3339(),
                        tsa: String::new(),
                        indication: "INDETERMINATE".to_owned(),
                        serial: Some(token.serial_hex()),
                        policy: Some(token.policy()),
                        attribute: Some(archive.version.attribute().to_owned()),
                    });
                    continue;
                }
                ArchiveVersion::V2 => {
                    let Some(own) = archive.position else {
                        continue;
                    };
                    match self.archive_v2_matches(file, si, token, own, &gen_times, digests) {
                        Ok(matched) => V2OrBytes::V2(matched),
                        Err(e) => {
                            f.fail(S::SignedDataNotFound, format!("{label} ({gen}): {e}"));
                            continue;
                        }
                    }
                }
                ArchiveVersion::V3 => {
                    let index = token
                        .signer_unsigned_attrs()
                        .and_then(|attrs| read_hash_index(attrs).ok().flatten());
                    let Some((form, index)) = index else {
                        f.fail(
                            S::FormatFailure,
                            format!(
                                "{label} ({gen}): its ats-hash-index(-v3) attribute is missing or malformed"
                            ),
                        );
                        continue;
                    };
                    let mut af = Findings::default();
                    let now = index
                        .digest()
                        .and_then(|d| current_hashes_in(signed_data, si, d, form));
                    match now {
                        Ok(now) => {
                            for what in index.missing_from(&now) {
                                // Removing or altering what an archive
                                // stamp covers is tampering with what it
                                // protects (DSS only warns for a removed
                                // certificate or CRL: see
                                // docs/interoperability.md).
                                af.fail(
                                    S::HashFailure,
                                    format!(
                                        "{what} it covers was removed or altered after it was made"
                                    ),
                                );
                            }
                        }
                        Err(e) => af.fail(S::FormatFailure, e.to_string()),
                    }
                    let (alg, _) = token.imprint();
                    let input = digests
                        .get(alg)
                        .map_err(|e| e.message().to_owned())
                        .and_then(|content| {
                            imprint_input(signed_data, si, &content, &index)
                                .map_err(|e| e.to_string())
                        });
                    let input = match input {
                        Ok(i) => i,
                        Err(e) => {
                            af.fail(S::SignedDataNotFound, e);
                            f.absorb(af, &format!("{label} ({gen}): "));
                            continue;
                        }
                    };
                    f.absorb(af, &format!("{label} ({gen}): "));
                    V2OrBytes::Bytes(input)
                }
            };
            let covered = match &covered {
                V2OrBytes::V2(matched) => Covered::ArchiveV2 { matched: *matched },
                V2OrBytes::Bytes(input) => Covered::Bytes(input),
            };
            let (mut entry, passed, tsa) = self.check_timestamp(
                "archive",
                label,
                &archive.der,
                covered,
                certs,
                crls,
                trust_until,
                f,
            );
            entry.attribute = Some(archive.version.attribute().to_owned());
            entries.push(entry);
            if let Some(gen) = passed {
                if let Some(tsa) = &tsa {
                    if oldest_passed.is_none() {
                        // The newest archive stamp sets the renewal date.
                        let digest = archive.token.as_ref().map(|t| t.imprint().0);
                        report_expiry(report, tsa, digest, &self.config.algorithms);
                    }
                }
                trust_until = gen;
                oldest_passed = Some(gen);
            }
        }
        // Oldest first in the report, as they were added.
        entries.reverse();
        report.timestamps.extend(entries);
        oldest_passed
    }

    /// Whether the archive-time-stamp-v2 `token` (the attribute at file
    /// position `own`) matches what it covers. It covers the unsigned
    /// attributes present when it was made: all but itself and the archive
    /// time stamps made later (DER sorting of the SET means position is no
    /// evidence of age; genTime is). Both published forms of the unsigned
    /// attributes are accepted (TS 101 733 V2.2.1 Annex K note 3); each
    /// covers the same data. An archive stamp of the same second may or may
    /// not have existed before it: both are tried, either way every byte
    /// that is hashed is checked.
    fn archive_v2_matches(
        &self,
        file: &hozon_cms::SignatureFile,
        si: &SignerInfo,
        token: &Token,
        own: usize,
        gen_times: &[Option<UnixTime>],
        digests: &crate::content::DigestCache<'_>,
    ) -> Result<bool, String> {
        use hozon_cms::archive_timestamp_v2::{imprint_input, UnsignedAttrsForm};
        let gen = token.gen_time();
        let (alg, imprint) = token.imprint();
        let excluded = |same_second_covered: bool| -> Vec<usize> {
            gen_times
                .iter()
                .enumerate()
                .filter(|(i, t)| {
                    *i == own || t.is_some_and(|t| t > gen || (t == gen && !same_second_covered))
                })
                .map(|(i, _)| i)
                .collect()
        };
        let ties = gen_times
            .iter()
            .enumerate()
            .any(|(i, t)| i != own && *t == Some(gen));
        let readings: &[bool] = if ties { &[false, true] } else { &[false] };
        for same_second_covered in readings {
            let excluded = excluded(*same_second_covered);
            for form in [UnsignedAttrsForm::Tagged, UnsignedAttrsForm::Untagged] {
                let input = imprint_input(file, si, &excluded, form).map_err(|e| e.to_string())?;
                let digest = input
                    .digest(alg, &mut |d| digests.feed(d))
                    .map_err(|e| e.to_string())?;
                if digest == imprint {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Verifies a stand-alone time stamp (`FILE.tsr`: a TimeStampResp, or a
    /// bare token) over the file `content`.
    pub fn verify_timestamp_file(
        &self,
        label: &str,
        bytes: &[u8],
        content: Option<&Path>,
    ) -> SignatureReport {
        let mut report = blank_report(label, content.map(|c| c.display().to_string()));
        report.format = "RFC3161".to_owned();
        let mut f = Findings::default();
        // A file that is no time stamp at all is a format failure, whatever
        // the content.
        if let Err(e) = parse_token(bytes, label) {
            f.fail(SubIndication::FormatFailure, e);
            conclude(&mut report, f, &[]);
            return report;
        }
        let Some(content) = content.filter(|c| c.is_file()) else {
            f.fail(
                SubIndication::SignedDataNotFound,
                match content {
                    Some(c) => format!("the time-stamped file {} does not exist", c.display()),
                    None => "no time-stamped file given (use --content FILE)".to_owned(),
                },
            );
            conclude(&mut report, f, &[]);
            return report;
        };
        let (entry, passed, tsa) = self.check_timestamp(
            "content",
            "time stamp",
            bytes,
            Covered::File(content),
            &[],
            &CrlSet::new(),
            self.config.validation_time,
            &mut f,
        );
        if let Some(gen) = passed {
            report.best_signature_time = Some(gen.rfc3339());
        }
        if let Some(tsa) = tsa {
            report.signer = Some(crate::report::SignerReport {
                subject: tsa.subject(),
                issuer: tsa.issuer(),
                serial: tsa.serial_hex(),
                hc_role: None,
            });
        }
        let ok = entry.indication == "PASSED";
        report.timestamps.push(entry);
        conclude(&mut report, f, &[(ok, "time stamp")]);
        report
    }

    /// Verifies a time-stamp token `bytes` over detached `content` (a PDF
    /// document time stamp over its `/ByteRange`), with `external`
    /// validation data (the PDF's Document Security Store) for the TSA's
    /// path. The report's time stamp entry has kind `kind`; when it passes,
    /// `best_signature_time` is its genTime (proof of existence of the
    /// content).
    pub fn verify_timestamp_detached(
        &self,
        label: &str,
        bytes: &[u8],
        content: crate::DetachedContent<'_>,
        external: &crate::ValidationData,
        kind: &str,
    ) -> SignatureReport {
        self.verify_timestamp_detached_with_evidence(label, bytes, content, external, kind)
            .0
    }

    /// As [`Verifier::verify_timestamp_detached`], also returning the
    /// certificates and revocation data the validation of the TSA's path
    /// relied on (what a PDF's Document Security Store receives).
    pub fn verify_timestamp_detached_with_evidence(
        &self,
        label: &str,
        bytes: &[u8],
        content: crate::DetachedContent<'_>,
        external: &crate::ValidationData,
        kind: &str,
    ) -> (SignatureReport, crate::Evidence) {
        let (path, covered) = match content {
            crate::DetachedContent::File(p) => (p, Covered::File(p)),
            crate::DetachedContent::ByteRanges { path, ranges } => {
                (path, Covered::Ranges(path, ranges))
            }
        };
        let mut report = blank_report(label, Some(path.display().to_string()));
        report.format = "RFC3161".to_owned();
        let mut f = Findings::default();
        let mut crls = CrlSet::new();
        for (i, der) in external.crls.iter().enumerate() {
            match hozon_pki::Crl::from_der(der, &format!("{label} (external CRL {i})")) {
                Ok(crl) => crls.add(std::sync::Arc::new(crl.embedded())),
                Err(e) => f.warn(e.to_string()),
            }
        }
        for (i, der) in external.ocsp_responses.iter().enumerate() {
            match hozon_pki::OcspResponse::from_der(der, &format!("{label} (external OCSP {i})")) {
                Ok(resp) => crls.add_ocsp(std::sync::Arc::new(resp.embedded())),
                Err(e) => f.warn(e.to_string()),
            }
        }
        let (entry, passed, tsa) = self.check_timestamp(
            kind,
            "time stamp",
            bytes,
            covered,
            &external.certs,
            &crls,
            self.config.validation_time,
            &mut f,
        );
        if let Some(gen) = passed {
            report.best_signature_time = Some(gen.rfc3339());
        }
        if let Some(tsa) = tsa {
            if passed.is_some() {
                report_expiry(&mut report, &tsa, None, &self.config.algorithms);
            }
            report.signer = Some(crate::report::SignerReport {
                subject: tsa.subject(),
                issuer: tsa.issuer(),
                serial: tsa.serial_hex(),
                hc_role: None,
            });
        }
        let ok = entry.indication == "PASSED";
        report.timestamps.push(entry);
        let evidence = std::mem::take(&mut f.evidence);
        conclude(&mut report, f, &[(ok, "time stamp")]);
        (report, evidence)
    }

    /// Validates the signature time stamps (id-aa-signatureTimeStampToken)
    /// of `si`, records them in the report, and returns the earliest genTime
    /// among those that passed: the signature's best signature time.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn signature_timestamps(
        &self,
        si: &SignerInfo,
        certs: &[Cert],
        crls: &CrlSet,
        claimed: Option<UnixTime>,
        trust_until: UnixTime,
        report: &mut SignatureReport,
        f: &mut Findings,
    ) -> Option<UnixTime> {
        let mut best: Option<UnixTime> = None;
        let tokens: Vec<&Any> =
            all_values(si.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN).collect();
        for (i, token) in tokens.iter().enumerate() {
            let label = if tokens.len() > 1 {
                format!("signature time stamp {}", i + 1)
            } else {
                "signature time stamp".to_owned()
            };
            let der = token.to_der().unwrap_or_default();
            // X.690 allows equal elements in a SET OF (and an attribute may
            // be repeated): accepted, but a copy proves nothing more.
            if let Some(j) = tokens[..i].iter().position(|t| *t == *token) {
                f.warn(format!(
                    "{label} is identical to signature time stamp {}: the same token twice adds no proof",
                    j + 1
                ));
            }
            if let Err(e) = parse_token(&der, &label) {
                // An unsigned attribute anyone could have added: it proves
                // nothing, and must not fail a signature that is valid
                // without it.
                crate::unsigned::unreadable(f, &label, &e);
                continue;
            }
            let covered = Covered::Bytes(si.signature.as_bytes());
            let (entry, passed, tsa) = self.check_timestamp(
                "signature",
                &label,
                &der,
                covered,
                certs,
                crls,
                trust_until,
                f,
            );
            if let (Some(_), Some(tsa)) = (passed, &tsa) {
                report_expiry(report, tsa, None, &self.config.algorithms);
            }
            report.timestamps.push(entry);
            if let Some(gen) = passed {
                best = Some(best.map_or(gen, |b| b.min(gen)));
            }
        }
        if let (Some(best), Some(claimed)) = (best, claimed) {
            if claimed.0 > best.0 + SIGNING_TIME_TOLERANCE_SECS {
                f.fail(
                    SubIndication::TimestampOrderFailure,
                    format!(
                        "the claimed signing time {claimed} is later than the signature time stamp {best}: a signature cannot be signed after it was stamped"
                    ),
                );
            }
        }
        best
    }

    /// Validates one time-stamp token over `covered`. Problems are recorded
    /// in `f` prefixed with `label`; returns the report entry and, when the
    /// token passed, its genTime.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn check_timestamp(
        &self,
        kind: &str,
        label: &str,
        token_der: &[u8],
        covered: Covered<'_>,
        certs: &[Cert],
        crls: &CrlSet,
        trust_until: UnixTime,
        f: &mut Findings,
    ) -> (TimestampReport, Option<UnixTime>, Option<Cert>) {
        use SubIndication as S;
        let at = self.config.validation_time;
        let mut entry = TimestampReport {
            kind: kind.to_owned(),
            gen_time: String::new(),
            tsa: String::new(),
            indication: "FAILED".to_owned(),
            serial: None,
            policy: None,
            attribute: None,
        };
        let mut tf = Findings::default();
        let token = match parse_token(token_der, label) {
            Ok(t) => t,
            Err(e) => {
                f.fail(S::FormatFailure, e);
                return (entry, None, None);
            }
        };
        let gen = token.gen_time();
        entry.gen_time = gen.rfc3339();
        entry.serial = Some(token.serial_hex());
        entry.policy = Some(token.policy());
        match covered.matches(&token) {
            Ok(true) => {}
            Ok(false) => tf.fail(S::HashFailure, covered.mismatch()),
            Err(e) => tf.fail(S::SignedDataNotFound, e),
        }
        let mut tsa_cert = None;
        let pool_in: Vec<Cert> = certs
            .iter()
            .chain(&self.config.extra_certs)
            .cloned()
            .collect();
        match token.verify(&pool_in, &self.keys) {
            Err(hozon_tsp::Error::BadToken { reason, fault, .. }) => {
                use hozon_tsp::TokenFault as T;
                let sub = match fault {
                    T::Format => S::FormatFailure,
                    T::MissingCertificate | T::Binding => S::NoSigningCertificateFound,
                    T::NotTsaCertificate => S::ChainConstraintsFailure,
                    T::Digest => S::HashFailure,
                    _ => S::SigCryptoFailure,
                };
                tf.fail(sub, reason);
            }
            Err(e) => tf.fail(S::FormatFailure, e.to_string()),
            Ok(tsa) => {
                entry.tsa = tsa.subject();
                let pool: Vec<Cert> = token
                    .certificates()
                    .iter()
                    .chain(&pool_in)
                    .filter(|c| **c != tsa)
                    .cloned()
                    .collect();
                // The TSA's path at genTime; a revocation at or before genTime
                // is proven to precede the stamp.
                let out = self.validate_certificate(&tsa, &pool, crls, gen, Some(gen), &mut tf);
                if let Some(path) = &out.path {
                    let (_, not_after) = tsa.validity_unix();
                    let not_after = UnixTime(i64::try_from(not_after).unwrap_or(i64::MAX));
                    if not_after < trust_until && !self.config.accept_expired_tsa {
                        tf.fail(
                            S::OutOfBoundsNoPoe,
                            format!(
                                "the TSA certificate {} expired at {not_after}; without an archive time stamp made before then the stamp cannot be relied on (use --accept-expired-tsa if your policy allows it)",
                                tsa.subject()
                            ),
                        );
                    }
                    if let Some(issuer) = path.get(1) {
                        self.tsa_key_compromise(&tsa, issuer, crls, gen, trust_until, &mut tf);
                    }
                    // The stamp must still be strong when it is relied on:
                    // now, or when a later archive time stamp covered it.
                    let (imprint_alg, _) = token.imprint();
                    let _ = self.algorithm_problems(imprint_alg, None, path, trust_until, &mut tf);
                }
                tsa_cert = Some(tsa);
            }
        }
        if gen.0 > at.0 + SIGNING_TIME_TOLERANCE_SECS {
            // Validating as of a time before the stamp existed: it proves
            // nothing about that time.
            f.warn(format!(
                "{label} ({gen}) was made after the validation time {at} and is not used"
            ));
            entry.indication = "INDETERMINATE".to_owned();
            return (entry, None, tsa_cert);
        }
        let passed = tf.problems.is_empty();
        entry.indication = if passed {
            "PASSED"
        } else if tf
            .problems
            .iter()
            .any(|(s, _)| s.indication() == Indication::TotalFailed)
        {
            "FAILED"
        } else {
            "INDETERMINATE"
        }
        .to_owned();
        f.absorb(tf, &format!("{label} ({gen}): "));
        (entry, passed.then_some(gen), tsa_cert)
    }

    /// RFC 3161 §4: when a TSA's key is compromised (revocation reason
    /// keyCompromise, or no reason), none of its tokens can be trusted any
    /// more, including those made before the revocation — unless a later
    /// archive time stamp protects them.
    fn tsa_key_compromise(
        &self,
        tsa: &Cert,
        issuer: &Cert,
        crls: &CrlSet,
        gen: UnixTime,
        now: UnixTime,
        tf: &mut Findings,
    ) {
        if now <= gen {
            return;
        }
        if let hozon_pki::RevocationStatus::Revoked {
            revoked_at, reason, ..
        } = self.chains.revocation_status(tsa, issuer, crls, now)
        {
            let compromise = matches!(
                reason.as_deref(),
                None | Some("unspecified" | "keyCompromise" | "cACompromise")
            );
            if compromise {
                tf.fail(
                    SubIndication::RevokedNoPoe,
                    format!(
                        "the TSA certificate {} was revoked at {revoked_at} ({}): after a key compromise none of its time stamps can be trusted (RFC 3161 §4)",
                        tsa.subject(),
                        reason.as_deref().unwrap_or("no reason given")
                    ),
                );
            }
        }
    }
}
