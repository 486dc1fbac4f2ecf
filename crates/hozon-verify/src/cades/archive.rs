//! CAdES archive time stamps: which tokens there are (archive-time-stamp-v3
//! of EN 319 122-1, the older archive-time-stamp v2 (id-aa-48) of TS 101
//! 733 and JIS X 5092, the obsolete v1 (id-aa-27), never validated) and
//! what each one's message imprint must match: the v3 input built with its
//! ats-hash-index, the v2 input in both published forms. The engine
//! validates the tokens themselves.

use hozon_cms::archive_timestamp::{current_hashes_in, imprint_input, read_hash_index};
use hozon_cms::asn1::der::Encode;
use hozon_cms::attributes::all_values;
use hozon_cms::oid::etsi_en_319_122::ID_AA_ETS_ARCHIVE_TIMESTAMP_V3;
use hozon_cms::oid::rfc5126::{ID_AA_ETS_ARCHIVE_TIMESTAMP_V1, ID_AA_ETS_ARCHIVE_TIMESTAMP_V2};
use hozon_pki::UnixTime;
use hozon_tsp::Token;

use super::signature::CadesSignature;
use crate::codes::Code;
use crate::findings::Findings;
use crate::format::{ExpectedImprint, TimeStamp};
use crate::report::SubIndication as S;
use crate::timestamp::parse_token;
use crate::vocabulary::TimestampKind;

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
    const ALL: [ArchiveVersion; 3] = [ArchiveVersion::V1, ArchiveVersion::V2, ArchiveVersion::V3];

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

    /// The version of a stamp listed by [`CadesSignature::archive_stamps`].
    fn of(stamp: &TimeStamp) -> Option<ArchiveVersion> {
        Self::ALL
            .into_iter()
            .find(|v| stamp.attribute.as_deref() == Some(v.attribute()))
    }

    fn stamp(self, der: Vec<u8>, handle: usize) -> TimeStamp {
        let label = self.label();
        let token = parse_token(&der, "archive time stamp");
        // Stamps made within the same second are ordered by what they
        // cover: a later v3 covers the earlier one's attribute, so its
        // index lists more unsigned attribute values.
        let coverage = token
            .as_ref()
            .ok()
            .and_then(|t| t.signer_unsigned_attrs())
            .and_then(|a| read_hash_index(a).ok().flatten())
            .map_or(0, |(_, i)| i.unsigned_attr_values_hash_index.len());
        TimeStamp {
            kind: TimestampKind::Archive,
            label: label.to_owned(),
            attribute: Some(self.attribute().to_owned()),
            der,
            token,
            coverage,
            handle,
        }
    }
}

/// The message a v2 stamp's mismatch is reported with.
const V2_MISMATCH: &str = "its message imprint does not match the content, certificates, CRLs and signer information it covers (archive-time-stamp-v2): something was altered or removed after it was made";

impl CadesSignature<'_, '_> {
    /// Whether the SignerInfo holds a v1 or v2 archive time stamp (the
    /// common v3-only signature pays nothing for reading the unsigned
    /// attributes in file order).
    fn has_old_archive_stamps(&self) -> bool {
        self.si
            .unsigned_attrs
            .iter()
            .flat_map(|a| a.iter())
            .any(|a| {
                a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 || a.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V1
            })
    }

    /// The unsigned attributes in file order (v2 hashes them as they are),
    /// with the genTime of each archive attribute's token.
    fn unsigned_in_file_order(
        &self,
    ) -> Result<
        Vec<(
            hozon_cms::asn1::x509_cert::attr::Attribute,
            Option<UnixTime>,
        )>,
        String,
    > {
        let ordered = hozon_cms::archive_timestamp_v2::unsigned_attributes(self.file.file, self.si)
            .map_err(|e| e.to_string())?;
        let archive_oids = [
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V1,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V2,
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
        ];
        Ok(ordered
            .into_iter()
            .map(|(attr, _)| {
                let gen = archive_oids
                    .contains(&attr.oid)
                    .then(|| attr.values.get(0))
                    .flatten()
                    .and_then(|any| any.to_der().ok())
                    .and_then(|der| Token::parse(&der, "archive time stamp").ok())
                    .map(|t| t.gen_time());
                (attr, gen)
            })
            .collect())
    }

    /// Every archive time stamp of the SignerInfo (v3, then v2 and v1 by
    /// file position, the handle being that position).
    pub(super) fn archive_stamps(&self, f: &mut Findings) -> Vec<TimeStamp> {
        let mut stamps: Vec<TimeStamp> = all_values(
            self.si.unsigned_attrs.as_ref(),
            ID_AA_ETS_ARCHIVE_TIMESTAMP_V3,
        )
        .enumerate()
        .map(|(i, any)| ArchiveVersion::V3.stamp(any.to_der().unwrap_or_default(), i))
        .collect();
        if !self.has_old_archive_stamps() {
            return stamps;
        }
        let ordered = match self.unsigned_in_file_order() {
            Ok(list) => list,
            Err(e) => {
                f.fail(
                    S::FormatFailure,
                    Code::ArchiveTimestampMalformed,
                    format!("archive time stamp v2: {e}"),
                );
                return stamps;
            }
        };
        for (position, (attr, _)) in ordered.iter().enumerate() {
            let version = if attr.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V2 {
                ArchiveVersion::V2
            } else if attr.oid == ID_AA_ETS_ARCHIVE_TIMESTAMP_V1 {
                ArchiveVersion::V1
            } else {
                continue;
            };
            for any in attr.values.iter() {
                stamps.push(version.stamp(any.to_der().unwrap_or_default(), position));
            }
        }
        stamps
    }

    /// What the archive time stamp `stamp` must cover.
    pub(super) fn archive_imprint(
        &self,
        stamp: &TimeStamp,
        f: &mut Findings,
    ) -> Option<ExpectedImprint> {
        let token = stamp.token.as_ref().ok()?;
        let label = &stamp.label;
        let gen = token.gen_time();
        match ArchiveVersion::of(stamp)? {
            // A different, ambiguous imprint input (TS 101 733 before
            // V1.5.1): never validated, never proof.
            ArchiveVersion::V1 => Some(ExpectedImprint::NotValidated(format!(
                "{label} ({gen}) is not validated: its message imprint is defined by obsolete versions of ETSI TS 101 733 and proves nothing here"
            ))),
            ArchiveVersion::V2 => match self.archive_v2_matches(token, stamp.handle) {
                Ok(matched) => Some(ExpectedImprint::Compared {
                    matched,
                    mismatch: V2_MISMATCH.to_owned(),
                }),
                Err(e) => {
                    f.fail(
                        S::SignedDataNotFound,
                        Code::TimestampInputUnavailable,
                        format!("{label} ({gen}): {e}"),
                    );
                    None
                }
            },
            ArchiveVersion::V3 => self.archive_v3_input(token, label, f),
        }
    }

    /// The v3 imprint input (EN 319 122-1 §5.5.3) from the token's
    /// ats-hash-index; what the index lists but the signature no longer
    /// holds was removed or altered after the stamp.
    fn archive_v3_input(
        &self,
        token: &Token,
        label: &str,
        f: &mut Findings,
    ) -> Option<ExpectedImprint> {
        let gen = token.gen_time();
        let signed_data = &self.file.file.signed_data;
        let index = token
            .signer_unsigned_attrs()
            .and_then(|attrs| read_hash_index(attrs).ok().flatten());
        let Some((form, index)) = index else {
            f.fail(
                S::FormatFailure,
                Code::ArchiveTimestampMalformed,
                format!(
                    "{label} ({gen}): its ats-hash-index(-v3) attribute is missing or malformed"
                ),
            );
            return None;
        };
        let mut af = Findings::default();
        let now = index
            .digest()
            .and_then(|d| current_hashes_in(signed_data, self.si, d, form));
        match now {
            Ok(now) => {
                for what in index.missing_from(&now) {
                    // Removing or altering what an archive stamp covers is
                    // tampering with what it protects (DSS only warns for a
                    // removed certificate or CRL: see
                    // docs/interoperability.md).
                    af.fail(
                        S::HashFailure,
                        Code::ArchiveTimestampCoveredDataAltered,
                        format!("{what} it covers was removed or altered after it was made"),
                    );
                }
            }
            Err(e) => af.fail(
                S::FormatFailure,
                Code::ArchiveTimestampMalformed,
                e.to_string(),
            ),
        }
        let (alg, _) = token.imprint();
        let input = self
            .file
            .digests
            .borrow_mut()
            .get(alg)
            .map_err(|e| e.message().to_owned())
            .and_then(|content| {
                imprint_input(signed_data, self.si, &content, &index).map_err(|e| e.to_string())
            });
        let input = match input {
            Ok(i) => Some(ExpectedImprint::Bytes(i)),
            Err(e) => {
                af.fail(S::SignedDataNotFound, Code::TimestampInputUnavailable, e);
                None
            }
        };
        f.absorb(af, &format!("{label} ({gen}): "));
        input
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
    fn archive_v2_matches(&self, token: &Token, own: usize) -> Result<bool, String> {
        use hozon_cms::archive_timestamp_v2::{imprint_input, UnsignedAttrsForm};
        let gen_times: Vec<Option<UnixTime>> = self
            .unsigned_in_file_order()?
            .into_iter()
            .map(|(_, gen)| gen)
            .collect();
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
        let digests = self.file.digests.borrow();
        for same_second_covered in readings {
            let excluded = excluded(*same_second_covered);
            for form in [UnsignedAttrsForm::Tagged, UnsignedAttrsForm::Untagged] {
                let input = imprint_input(self.file.file, self.si, &excluded, form)
                    .map_err(|e| e.to_string())?;
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
}
