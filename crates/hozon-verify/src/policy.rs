//! The dated cryptographic constraints of EN 319 102-1 §5.2.8: each digest
//! and each key size has a date from which it is no longer reliable. An
//! object made with an algorithm is acceptable when it is proven (a time
//! stamp, an evidence record) to have existed before that date; without
//! such proof it is judged at the validation time.
//!
//! The default table and the source of every date are in
//! docs/crypto-policy.md; a TOML policy (`--crypto-policy FILE`) overrides
//! any entry.

use std::collections::BTreeMap;

use hozon_cms::DigestAlgorithm;
use hozon_pki::UnixTime;

/// A date from which an algorithm is no longer reliable, and where the date
/// comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sunset {
    /// The first instant the algorithm is no longer reliable.
    pub from: UnixTime,
    /// The source of the date (shown in reports).
    pub source: String,
}

/// One key-size band: keys of at least `min_bits` (and fewer than the next
/// band's) are reliable until `sunset` (`None`: no end date known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBand {
    /// The smallest key size of the band, in bits.
    pub min_bits: u32,
    /// When keys of the band stop being reliable.
    pub sunset: Option<Sunset>,
}

/// Acceptable algorithms and key sizes over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlgorithmPolicy {
    /// Digests with an end date; a digest not listed has none. MD5 ends
    /// before any signature hozon meets.
    pub digests: BTreeMap<DigestAlgorithm, Sunset>,
    /// RSA modulus bands, smallest first; a key below the first band is
    /// never acceptable.
    pub rsa: Vec<KeyBand>,
    /// EC field-size bands, smallest first, as for RSA.
    pub ec: Vec<KeyBand>,
}

/// Errors reading a TOML crypto policy.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file is not valid TOML or not in the policy's shape.
    #[error("{file}: {reason}")]
    Invalid {
        /// The policy file.
        file: String,
        /// What is wrong.
        reason: String,
    },
}

const CRYPTREC: &str = "CRYPTREC LS-0001-2012R8 (security strength requirements: 80-bit until FY2013, 112-bit until 2030)";
const NIST_131A: &str = "NIST SP 800-131A Rev. 2 (80-bit security disallowed after 2013)";
const SHA1_SOURCE: &str = "ETSI TS 119 312 V1.4.3 §5 (SHA-1 not for new signatures) and CA/Browser Forum (no SHA-1 certificates after 2015)";
const MD5_SOURCE: &str =
    "ETSI TS 119 312 V1.4.3 §5 (MD5 not acceptable; collisions published 2004)";

fn date(s: &str) -> UnixTime {
    // The table's literals are valid; a typo shows in the unit tests.
    UnixTime::parse_rfc3339(s).unwrap_or(UnixTime(0))
}

fn sunset(at: &str, source: &str) -> Option<Sunset> {
    Some(Sunset {
        from: date(at),
        source: source.to_owned(),
    })
}

impl Default for AlgorithmPolicy {
    fn default() -> Self {
        let mut digests = BTreeMap::new();
        digests.insert(
            DigestAlgorithm::Md5,
            Sunset {
                from: date("2005-01-01T00:00:00Z"),
                source: MD5_SOURCE.to_owned(),
            },
        );
        digests.insert(
            DigestAlgorithm::Sha1,
            Sunset {
                from: date("2016-01-01T00:00:00Z"),
                source: SHA1_SOURCE.to_owned(),
            },
        );
        for d in [DigestAlgorithm::Sha224, DigestAlgorithm::Sha3_224] {
            digests.insert(
                d,
                Sunset {
                    from: date("2031-01-01T00:00:00Z"),
                    source: format!("{CRYPTREC}: {d} gives 112-bit collision resistance"),
                },
            );
        }
        AlgorithmPolicy {
            digests,
            rsa: vec![
                KeyBand {
                    min_bits: 1024,
                    sunset: sunset("2014-01-01T00:00:00Z", &format!("{CRYPTREC}; {NIST_131A}")),
                },
                KeyBand {
                    min_bits: 2048,
                    sunset: sunset(
                        "2031-01-01T00:00:00Z",
                        &format!("{CRYPTREC}; ETSI TS 119 312 V1.4.3 Table 6"),
                    ),
                },
                KeyBand {
                    min_bits: 3072,
                    sunset: None,
                },
            ],
            ec: vec![
                KeyBand {
                    min_bits: 160,
                    sunset: sunset("2014-01-01T00:00:00Z", &format!("{CRYPTREC}; {NIST_131A}")),
                },
                KeyBand {
                    min_bits: 224,
                    sunset: sunset("2031-01-01T00:00:00Z", CRYPTREC),
                },
                KeyBand {
                    min_bits: 256,
                    sunset: None,
                },
            ],
        }
    }
}

/// Why an algorithm is not reliable at a time.
fn unreliable(what: &str, s: &Sunset, at: UnixTime) -> Option<String> {
    (at >= s.from).then(|| {
        format!(
            "{what} is reliable only before {} ({}); the time that matters is {at}",
            s.from, s.source
        )
    })
}

impl AlgorithmPolicy {
    /// Why `digest` is not reliable at `at`, or `None`.
    pub fn digest_problem(&self, digest: DigestAlgorithm, at: UnixTime) -> Option<String> {
        self.digests
            .get(&digest)
            .and_then(|s| unreliable(digest.name(), s, at))
    }

    /// The band of a key, or `Err` with why no band admits it.
    fn band(
        &self,
        key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
    ) -> Result<Option<(String, &KeyBand)>, String> {
        use openssl::pkey::Id;
        let bits = key.bits();
        let (name, bands) = match key.id() {
            Id::RSA | Id::RSA_PSS => (format!("RSA-{bits}"), &self.rsa),
            Id::EC => (format!("EC-{bits}"), &self.ec),
            Id::DSA => return Err("DSA keys are not accepted".to_owned()),
            _ => return Ok(None),
        };
        match bands.iter().rev().find(|b| b.min_bits <= bits) {
            Some(b) => Ok(Some((name, b))),
            None => Err(format!(
                "{name} key is too short; at least {} bits are required",
                bands.first().map_or(0, |b| b.min_bits)
            )),
        }
    }

    /// Why a public key of this type and size is not reliable at `at`, or
    /// `None`.
    pub fn key_problem(
        &self,
        key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
        at: UnixTime,
    ) -> Option<String> {
        match self.band(key) {
            Err(e) => Some(e),
            Ok(None) => None,
            Ok(Some((name, band))) => band
                .sunset
                .as_ref()
                .and_then(|s| unreliable(&format!("a {name} key"), s, at)),
        }
    }

    /// Until when a time stamp made with this TSA key and imprint digest
    /// still protects what it covers (its algorithms' sunset), if ever.
    pub fn sunset(
        &self,
        key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
        digest: Option<DigestAlgorithm>,
    ) -> Option<UnixTime> {
        self.sunset_with_reason(key, digest).map(|(t, _)| t)
    }

    /// [`AlgorithmPolicy::sunset`] with what drives it (the algorithm and
    /// the source of its date).
    pub fn sunset_with_reason(
        &self,
        key: &openssl::pkey::PKeyRef<openssl::pkey::Public>,
        digest: Option<DigestAlgorithm>,
    ) -> Option<(UnixTime, String)> {
        let key_sunset = match self.band(key) {
            Err(e) => Some((UnixTime(0), e)),
            Ok(None) => None,
            Ok(Some((name, band))) => band.sunset.as_ref().map(|s| {
                (
                    s.from,
                    format!("{name} reliable until {} ({})", s.from, s.source),
                )
            }),
        };
        let digest_sunset = digest.and_then(|d| {
            self.digests.get(&d).map(|s| {
                (
                    s.from,
                    format!("{d} reliable until {} ({})", s.from, s.source),
                )
            })
        });
        match (key_sunset, digest_sunset) {
            (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// Reads a TOML crypto policy over the defaults: the `[crypto]` table
    /// of `text`, see docs/crypto-policy.md. `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<AlgorithmPolicy, PolicyError> {
        let bad = |reason: String| PolicyError::Invalid {
            file: file.to_owned(),
            reason,
        };
        let doc: toml::Table = text.parse().map_err(|e| bad(format!("not TOML: {e}")))?;
        let mut policy = AlgorithmPolicy::default();
        let Some(crypto) = doc.get("crypto") else {
            return Err(bad("no [crypto] table".to_owned()));
        };
        let crypto = crypto
            .as_table()
            .ok_or_else(|| bad("crypto is not a table".to_owned()))?;
        let source = format!("crypto policy {file}");
        for (section, value) in crypto {
            let table = value
                .as_table()
                .ok_or_else(|| bad(format!("crypto.{section} is not a table")))?;
            for (name, v) in table {
                let until = parse_until(v)
                    .map_err(|e| bad(format!("crypto.{section}.{name}: {e}")))?
                    .map(|from| Sunset {
                        from,
                        source: source.clone(),
                    });
                match section.as_str() {
                    "digest" => {
                        let d: DigestAlgorithm = name
                            .parse()
                            .map_err(|e| bad(format!("crypto.digest.{name}: {e}")))?;
                        match until {
                            Some(s) => policy.digests.insert(d, s),
                            None => policy.digests.remove(&d),
                        };
                    }
                    "rsa" | "ec" => {
                        let min_bits: u32 = name.parse().map_err(|_| {
                            bad(format!(
                                "crypto.{section}.{name}: the key is a size in bits"
                            ))
                        })?;
                        let bands = if section == "rsa" {
                            &mut policy.rsa
                        } else {
                            &mut policy.ec
                        };
                        bands.retain(|b| b.min_bits != min_bits);
                        bands.push(KeyBand {
                            min_bits,
                            sunset: until,
                        });
                        bands.sort_by_key(|b| b.min_bits);
                    }
                    other => {
                        return Err(bad(format!(
                            "unknown table crypto.{other} (digest, rsa or ec)"
                        )))
                    }
                }
            }
        }
        Ok(policy)
    }
}

/// A policy date: an RFC 3339 time (string or TOML datetime), or "none"
/// for no end date.
fn parse_until(v: &toml::Value) -> Result<Option<UnixTime>, String> {
    let text = match v {
        toml::Value::String(s) if s == "none" => return Ok(None),
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => return Err("expected an RFC 3339 date or \"none\"".to_owned()),
    };
    UnixTime::parse_rfc3339(&text)
        .map(Some)
        .map_err(|e| format!("{text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa(bits: u32) -> openssl::pkey::PKey<openssl::pkey::Public> {
        let key = openssl::rsa::Rsa::generate(bits).unwrap();
        let public = openssl::rsa::Rsa::from_public_components(
            key.n().to_owned().unwrap(),
            key.e().to_owned().unwrap(),
        )
        .unwrap();
        openssl::pkey::PKey::from_rsa(public).unwrap()
    }

    fn t(s: &str) -> UnixTime {
        UnixTime::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn the_default_table_parses() {
        let p = AlgorithmPolicy::default();
        assert!(p.digests.values().all(|s| s.from.0 > 0));
        assert!(p
            .rsa
            .iter()
            .chain(&p.ec)
            .flat_map(|b| &b.sunset)
            .all(|s| s.from.0 > 0 && !s.source.is_empty()));
    }

    #[test]
    fn keys_are_judged_at_a_date() {
        let p = AlgorithmPolicy::default();
        let rsa1024 = rsa(1024);
        assert_eq!(p.key_problem(&rsa1024, t("2013-06-01T00:00:00Z")), None);
        let why = p.key_problem(&rsa1024, t("2015-06-01T00:00:00Z")).unwrap();
        assert!(
            why.contains("RSA-1024") && why.contains("2014-01-01"),
            "{why}"
        );
        let rsa2048 = rsa(2048);
        assert_eq!(p.key_problem(&rsa2048, t("2030-12-31T00:00:00Z")), None);
        assert!(p.key_problem(&rsa2048, t("2045-01-01T00:00:00Z")).is_some());
        assert_eq!(p.key_problem(&rsa(3072), t("2060-01-01T00:00:00Z")), None);
        assert!(p
            .key_problem(&rsa(512), t("2000-01-01T00:00:00Z"))
            .is_some());
    }

    #[test]
    fn digests_are_judged_at_a_date() {
        let p = AlgorithmPolicy::default();
        let d = DigestAlgorithm::Sha1;
        assert_eq!(p.digest_problem(d, t("2015-12-31T00:00:00Z")), None);
        assert!(p.digest_problem(d, t("2016-01-01T00:00:00Z")).is_some());
        assert!(p
            .digest_problem(DigestAlgorithm::Md5, t("2010-01-01T00:00:00Z"))
            .is_some());
        assert_eq!(
            p.digest_problem(DigestAlgorithm::Sha3_256, t("2099-01-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn sunsets_follow_key_size_and_digest() {
        let p = AlgorithmPolicy::default();
        let rsa2048 = rsa(2048);
        let rsa3072 = rsa(3072);
        let (at, why) = p
            .sunset_with_reason(&rsa2048, Some(DigestAlgorithm::Sha256))
            .unwrap();
        assert_eq!(at.rfc3339(), "2031-01-01T00:00:00Z");
        assert!(why.starts_with("RSA-2048 reliable until"), "{why}");
        assert_eq!(p.sunset(&rsa3072, Some(DigestAlgorithm::Sha256)), None);
        assert_eq!(
            p.sunset(&rsa3072, Some(DigestAlgorithm::Sha1)),
            Some(t("2016-01-01T00:00:00Z"))
        );
        assert_eq!(p.sunset(&rsa3072, None), None);
    }

    #[test]
    fn toml_overrides_entries() {
        let text = r#"
[crypto.digest]
SHA-1 = "2014-01-01T00:00:00Z"
SHA-224 = "none"
[crypto.rsa]
2048 = 2040-01-01T00:00:00Z
4096 = "none"
"#;
        let p = AlgorithmPolicy::from_toml(text, "p.toml").unwrap();
        assert_eq!(
            p.digests[&DigestAlgorithm::Sha1].from,
            t("2014-01-01T00:00:00Z")
        );
        assert!(!p.digests.contains_key(&DigestAlgorithm::Sha224));
        assert_eq!(p.key_problem(&rsa(2048), t("2035-01-01T00:00:00Z")), None);
        assert_eq!(
            p.rsa.iter().map(|b| b.min_bits).collect::<Vec<_>>(),
            [1024, 2048, 3072, 4096]
        );
    }

    #[test]
    fn bad_toml_names_the_file_and_entry() {
        for (text, needle) in [
            ("[crypto.rsa]\nabc = \"none\"\n", "crypto.rsa.abc"),
            (
                "[crypto.digest]\nSHA-1 = \"yesterday\"\n",
                "crypto.digest.SHA-1",
            ),
            ("[crypto.dsa]\n1024 = \"none\"\n", "crypto.dsa"),
            ("[other]\n", "no [crypto] table"),
            ("not toml = = 1", "not TOML"),
        ] {
            let e = AlgorithmPolicy::from_toml(text, "p.toml")
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("p.toml: ") && e.contains(needle), "{e}");
        }
    }
}
