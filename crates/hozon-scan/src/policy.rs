//! The scan policy: what the hospital's operations rules require of a scan, per document class.
//!
//! The guideline (Ver 6.0 企16 / シス16) leaves the resolution and colour standard to the hospital's
//! operations rules; historically 300 dpi and 8 bits per RGB channel, with the tax-law floor of
//! 200 dpi and 256 levels per channel (greyscale allowed for ordinary documents). Signing and
//! time-stamping must follow the scan "without delay" (one business day), so the policy carries the
//! delay and a holiday calendar too (used by the authenticity checks in a later increment).
//!
//! The policy is TOML; unknown keys are errors (a misspelt `min_dpi` must not silently fall back
//! to a default), and every error names the file and the offending key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::format::Format;
use crate::raster::ColourMode;

/// A policy error: the file and the reason (toml's message names the key and the line).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("{path}: cannot read policy: {source}")]
    Io {
        /// Policy file.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The TOML did not parse or did not match the schema.
    #[error("{path}: {reason}")]
    Invalid {
        /// Policy file.
        path: PathBuf,
        /// What is wrong, naming the key.
        reason: String,
    },
    /// The class root (`root = "…"`, else the policy file's folder) does not exist.
    #[error("{path}: root {root}: {source}")]
    Root {
        /// Policy file.
        path: PathBuf,
        /// The root as resolved.
        root: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// Why policy text is not a valid policy: toml's message (naming the key and
/// the line) or the key whose value cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidPolicy(pub String);

/// Why a file's class could not be chosen.
#[derive(Debug, thiserror::Error)]
pub enum ClassifyError {
    /// The file is not under the class root, so no class rule can be applied to it.
    #[error(
        "{file} is outside the scan policy's class root {root}: the class rules match paths relative to it; set `root = \"…\"` in the policy (see docs/scans.md) or choose the class with --class"
    )]
    OutsideRoot {
        /// File.
        file: PathBuf,
        /// Class root.
        root: PathBuf,
    },
    /// The file or the root could not be resolved.
    #[error("{path}: {source}")]
    Io {
        /// File or root.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
}

/// How a file's class was chosen, for the report.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClassMatch {
    /// The class.
    pub class: String,
    /// `rule` (a class rule's glob matched), `default` (no rule matched) or `option` (chosen
    /// by the caller, `--class`).
    pub by: String,
    /// Index of the matching rule in `class_rules`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<usize>,
    /// The matching rule's glob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glob: Option<String>,
    /// The path the globs were matched against ('/'-separated, relative to `root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The class root the path is relative to, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
}

impl ClassMatch {
    /// A class chosen by the caller (`--class`), not by the rules.
    pub fn chosen(class: &str) -> ClassMatch {
        ClassMatch {
            class: class.to_string(),
            by: "option".into(),
            rule: None,
            glob: None,
            path: None,
            root: None,
        }
    }
}

/// Which colour modes and bit depths pass the colour check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColourRequirement {
    /// Colour only: RGB (or CMYK) with at least 8 bits per channel.
    Rgb24,
    /// Colour with at least 8 bits per channel, or greyscale with at least 8 bits (256 levels):
    /// the built-in default and the tax-law floor.
    Rgb24OrGrey8,
    /// Anything decodable, including bilevel and palette scans.
    Any,
}

impl ColourRequirement {
    /// Whether a page with this mode and bit depth passes.
    pub fn allows(self, mode: ColourMode, bits: u8) -> bool {
        let colour = matches!(mode, ColourMode::Rgb | ColourMode::Rgba | ColourMode::Cmyk);
        let grey = matches!(mode, ColourMode::Grey | ColourMode::GreyAlpha);
        match self {
            ColourRequirement::Any => true,
            ColourRequirement::Rgb24 => colour && bits >= 8,
            ColourRequirement::Rgb24OrGrey8 => (colour || grey) && bits >= 8,
        }
    }

    /// The name used in policy files and report details.
    pub fn name(self) -> &'static str {
        match self {
            ColourRequirement::Rgb24 => "rgb24",
            ColourRequirement::Rgb24OrGrey8 => "rgb24-or-grey8",
            ColourRequirement::Any => "any",
        }
    }
}

/// What a blank or near-blank page does to the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlankAction {
    /// The page fails legibility.
    Fail,
    /// The page gets a warning.
    Warn,
}

/// The blank-page rule.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlankRule {
    /// A page whose ink share (0..=1, see `raster::ink_share`) is below this is blank.
    pub max_ink: f64,
    /// What a blank page does.
    pub action: BlankAction,
}

/// A signer the class accepts (parsed now; enforced by the authenticity checks later).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedSigner {
    /// Substring the certificate subject must contain.
    pub subject_contains: Option<String>,
    /// Certificate policy OID the certificate must carry.
    pub policy_oid: Option<String>,
    /// HPKI hcRole the certificate must carry.
    pub hc_role: Option<String>,
}

/// One document class. A field left out of a policy file takes the
/// built-in default's value ([`Class::builtin`]), so a class states only
/// what differs.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default = "Class::builtin")]
pub struct Class {
    /// Minimum resolution in dpi, both directions.
    pub min_dpi: u32,
    /// Colour requirement.
    pub colour: ColourRequirement,
    /// Allowed formats (policy names: tiff, png, jpeg, jpeg2000, pdf).
    #[serde(deserialize_with = "de_formats")]
    pub formats: Vec<Format>,
    /// Blank-page rule.
    pub blank_page: BlankRule,
    /// A JPEG page whose estimated quality is below this gets a warning.
    pub jpeg_min_quality: u8,
    /// Maximum business days between the scan and its signature time stamp.
    pub max_scan_to_stamp_business_days: u32,
    /// Signers accepted for this class (empty: any signer that verifies).
    #[serde(default)]
    pub allowed_signers: Vec<AllowedSigner>,
    /// Whether a scan without a `.p7s` next to it fails authenticity.
    pub require_signature: bool,
}

fn de_formats<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Format>, D::Error> {
    let names = Vec::<String>::deserialize(d)?;
    names
        .iter()
        .map(|n| {
            Format::from_policy_name(n).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown format {n:?} (expected tiff, png, jpeg, jpeg2000 or pdf)"
                ))
            })
        })
        .collect()
}

/// A class chosen by a glob on the path relative to the scanned root.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    /// Glob: `*` and `?` within one path segment, `**` across segments.
    pub glob: String,
    /// Class name.
    pub class: String,
}

/// A whole policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The folder class rules match paths relative to: the policy's `root = "…"` (relative to
    /// the policy file's folder), else the policy file's folder; none for the built-in policy
    /// and for text parsed without a file (the caller's scan folder is then used).
    pub root: Option<PathBuf>,
    /// Classes by name; always has `default`.
    pub classes: BTreeMap<String, Class>,
    /// Rules, first match wins; no match means `default`.
    pub class_rules: Vec<ClassRule>,
    /// Non-business days besides Saturdays and Sundays, as (year, month, day).
    pub holidays: Vec<(i32, u8, u8)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    root: Option<PathBuf>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    classes: BTreeMap<String, Class>,
    #[serde(default)]
    class_rules: Vec<ClassRule>,
}

impl Class {
    /// The built-in default class: 300 dpi, 24-bit colour or 8-bit grey, TIFF/PNG/JPEG/PDF,
    /// blank pages warned below 0.2 % ink, JPEG quality below 75 warned, one business day.
    pub fn builtin() -> Class {
        Class {
            min_dpi: 300,
            colour: ColourRequirement::Rgb24OrGrey8,
            formats: vec![Format::Tiff, Format::Png, Format::Jpeg, Format::Pdf],
            blank_page: BlankRule {
                max_ink: 0.002,
                action: BlankAction::Warn,
            },
            jpeg_min_quality: 75,
            max_scan_to_stamp_business_days: 1,
            allowed_signers: Vec::new(),
            require_signature: false,
        }
    }
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            root: None,
            classes: BTreeMap::from([("default".to_string(), Class::builtin())]),
            class_rules: Vec::new(),
            holidays: Vec::new(),
        }
    }
}

impl Policy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut policy = Policy::parse(&text).map_err(|e| PolicyError::Invalid {
            path: path.to_path_buf(),
            reason: e.0,
        })?;
        // The policy file's folder; `root` is relative to it unless absolute.
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let root = match &policy.root {
            Some(r) => folder.join(r),
            None => folder.to_path_buf(),
        };
        let resolved = std::fs::canonicalize(&root).map_err(|source| PolicyError::Root {
            path: path.to_path_buf(),
            root: root.clone(),
            source,
        })?;
        if !resolved.is_dir() {
            return Err(PolicyError::Root {
                path: path.to_path_buf(),
                root,
                source: std::io::Error::other("not a folder"),
            });
        }
        policy.root = Some(resolved);
        Ok(policy)
    }

    /// Parses and validates policy text; the error names the key.
    pub fn parse(text: &str) -> Result<Policy, InvalidPolicy> {
        Policy::parse_text(text).map_err(InvalidPolicy)
    }

    fn parse_text(text: &str) -> Result<Policy, String> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut classes = raw.classes;
        classes
            .entry("default".to_string())
            .or_insert_with(Class::builtin);
        for (name, class) in &classes {
            if class.min_dpi == 0 {
                return Err(format!("classes.{name}.min_dpi: must be at least 1"));
            }
            if !(0.0..=1.0).contains(&class.blank_page.max_ink) {
                return Err(format!(
                    "classes.{name}.blank_page.max_ink: {} is not between 0 and 1",
                    class.blank_page.max_ink
                ));
            }
            if class.jpeg_min_quality > 100 {
                return Err(format!(
                    "classes.{name}.jpeg_min_quality: {} is above 100",
                    class.jpeg_min_quality
                ));
            }
            if let Some(i) = class.allowed_signers.iter().position(|s| {
                s.subject_contains.is_none() && s.policy_oid.is_none() && s.hc_role.is_none()
            }) {
                return Err(format!(
                    "classes.{name}.allowed_signers[{i}]: names no subject_contains, policy_oid or hc_role"
                ));
            }
            if class.formats.is_empty() {
                return Err(format!("classes.{name}.formats: no format allowed"));
            }
        }
        for (i, rule) in raw.class_rules.iter().enumerate() {
            if !classes.contains_key(&rule.class) {
                return Err(format!(
                    "class_rules[{i}].class: no class named {:?}",
                    rule.class
                ));
            }
        }
        let holidays = raw
            .holidays
            .iter()
            .map(|h| {
                parse_date(h).ok_or_else(|| format!("holidays: {h:?} is not a YYYY-MM-DD date"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            root: raw.root,
            classes,
            class_rules: raw.class_rules,
            holidays,
        })
    }

    /// The class for a path relative to the class root ('/'-separated): first matching rule,
    /// else `default`.
    pub fn class_for(&self, relative: &str) -> &str {
        self.class_rules
            .iter()
            .find(|r| glob_match(&r.glob, relative))
            .map_or("default", |r| r.class.as_str())
    }

    /// The class for a path relative to `root` ('/'-separated), with the rule that chose it.
    pub fn match_relative(&self, relative: &str, root: Option<&Path>) -> ClassMatch {
        let found = self
            .class_rules
            .iter()
            .enumerate()
            .find(|(_, r)| glob_match(&r.glob, relative));
        ClassMatch {
            class: found
                .map_or("default", |(_, r)| r.class.as_str())
                .to_string(),
            by: if found.is_some() { "rule" } else { "default" }.into(),
            rule: found.map(|(i, _)| i),
            glob: found.map(|(_, r)| r.glob.clone()),
            path: Some(relative.to_string()),
            root: root.map(|r| r.display().to_string()),
        }
    }

    /// The class of `file` by the class rules, matched against its path relative to the class
    /// root: the policy's [`Policy::root`], else `scan_folder` (the folder the caller was
    /// given, e.g. an archive's scan folder), else the file's own folder. The same file gets
    /// the same class whichever folder above it was named. A file outside the policy's root
    /// is an error when the policy has class rules: none of them can apply to it, and falling
    /// back to `default` would check a consent form as an ordinary scan.
    pub fn classify(
        &self,
        file: &Path,
        scan_folder: Option<&Path>,
    ) -> Result<ClassMatch, ClassifyError> {
        let name = || {
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let Some(root) = self.root.as_deref().or(scan_folder) else {
            return Ok(self.match_relative(&name(), None));
        };
        let canonical = |p: &Path| {
            std::fs::canonicalize(p).map_err(|source| ClassifyError::Io {
                path: p.to_path_buf(),
                source,
            })
        };
        let root = canonical(root)?;
        // The file's folder is resolved, not the file: a symlinked scan keeps its own name.
        let folder = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let full = canonical(folder)?.join(file.file_name().unwrap_or_default());
        match full.strip_prefix(&root) {
            Ok(relative) => {
                let relative: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                Ok(self.match_relative(&relative.join("/"), Some(&root)))
            }
            Err(_) if self.class_rules.is_empty() => Ok(self.match_relative(&name(), None)),
            Err(_) => Err(ClassifyError::OutsideRoot {
                file: file.to_path_buf(),
                root,
            }),
        }
    }

    /// A class by name.
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.classes.get(name)
    }
}

fn parse_date(s: &str) -> Option<(i32, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u8 = s.get(5..7)?.parse().ok()?;
    let d: u8 = s.get(8..10)?.parse().ok()?;
    let month = time::Month::try_from(m).ok()?;
    (1..=month.length(y)).contains(&d).then_some((y, m, d))
}

/// Matches a '/'-separated path against a glob: `*` matches any run of characters within a
/// segment, `?` one character within a segment, `**` as a whole segment any number of segments
/// (including none). Everything else matches literally.
pub fn glob_match(glob: &str, path: &str) -> bool {
    let g: Vec<&str> = glob.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    match_segments(&g, &p)
}

fn match_segments(g: &[&str], p: &[&str]) -> bool {
    match g.split_first() {
        None => p.is_empty(),
        Some((&"**", rest)) => (0..=p.len()).any(|i| match_segments(rest, &p[i..])),
        Some((first, rest)) => match p.split_first() {
            Some((seg, prest)) => {
                match_segment(first.as_bytes(), seg.as_bytes()) && match_segments(rest, prest)
            }
            None => false,
        },
    }
}

fn match_segment(g: &[u8], s: &[u8]) -> bool {
    match g.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| match_segment(rest, &s[i..])),
        Some((b'?', rest)) => !s.is_empty() && match_segment(rest, &s[1..]),
        Some((c, rest)) => s.first() == Some(c) && match_segment(rest, &s[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("film/**", "film/a.tif"));
        assert!(glob_match("film/**", "film/x/y/a.tif"));
        assert!(glob_match("film/**", "film"));
        assert!(!glob_match("film/**", "films/a.tif"));
        assert!(!glob_match("film/**", "x/film/a.tif"));
        assert!(glob_match("**/consent-*.pdf", "ward3/2026/consent-01.pdf"));
        assert!(glob_match("**/consent-*.pdf", "consent-01.pdf"));
        assert!(!glob_match("**/consent-*.pdf", "ward3/consent-01.tif"));
        assert!(glob_match("*.tif", "a.tif"));
        assert!(!glob_match("*.tif", "d/a.tif"));
        assert!(glob_match("chart-??.tif", "chart-01.tif"));
        assert!(!glob_match("chart-??.tif", "chart-1.tif"));
        assert!(glob_match("a/*/c", "a/b/c"));
        assert!(!glob_match("a/*/c", "a/b/x/c"));
        assert!(glob_match("", ""));
        assert!(!glob_match("a", ""));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-01-01"), Some((2026, 1, 1)));
        assert_eq!(parse_date("2024-02-29"), Some((2024, 2, 29)));
        assert_eq!(parse_date("2026-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-1-01"), None);
        assert_eq!(parse_date("２０２６-01-01"), None);
    }
}
