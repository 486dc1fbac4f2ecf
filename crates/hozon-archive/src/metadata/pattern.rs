//! File name patterns (`[metadata] pattern` in `hozon.toml`), such as
//! `{patient_id}_{document_type}_{document_date}.pdf`: literal text and
//! placeholders, each placeholder one of the field names or `{_}` (any
//! text, ignored), matched against the whole file name. Every placeholder
//! matches one or more characters; two placeholders must be separated by
//! literal text (otherwise where one ends is a guess). A name that does
//! not match gives nothing; the first way of matching from the left wins
//! (`{a}_{b}` on `x_y_z` gives `a = x`, `b = y_z`).

use super::Fields;

/// Placeholder names.
const NAMES: [&str; 7] = [
    "patient_id",
    "document_type",
    "department",
    "author",
    "document_date",
    "tags",
    "_",
];

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Field(String),
}

/// What is wrong with a filename pattern (`[metadata] pattern`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A `}` with no `{` before it.
    #[error("pattern {0:?}: `}}` without `{{`")]
    CloseWithoutOpen(String),
    /// A `{` never closed.
    #[error("pattern {0:?}: `{{` without `}}`")]
    OpenWithoutClose(String),
    /// A placeholder that names no known field.
    #[error("pattern {pattern:?}: unknown placeholder {{{name}}} (known: {})", NAMES.map(|n| format!("{{{n}}}")).join(", "))]
    UnknownPlaceholder {
        /// The pattern.
        pattern: String,
        /// The placeholder's name.
        name: String,
    },
    /// Two placeholders with nothing between them (ambiguous).
    #[error("pattern {0:?}: placeholders must be separated by literal text")]
    Adjacent(String),
    /// A field named twice.
    #[error("pattern {pattern:?}: {{{name}}} appears twice")]
    Repeated {
        /// The pattern.
        pattern: String,
        /// The field.
        name: String,
    },
    /// Only `{_}` placeholders, or none.
    #[error("pattern {0:?}: names no field")]
    NoField(String),
}

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
}

impl Pattern {
    /// Parses `text`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                Some(i) if rest.as_bytes()[i] == b'}' => {
                    return Err(PatternError::CloseWithoutOpen(text.to_owned()));
                }
                Some(i) => {
                    if i > 0 {
                        parts.push(Part::Literal(rest[..i].to_string()));
                    }
                    let after = &rest[i + 1..];
                    let end = after
                        .find('}')
                        .ok_or_else(|| PatternError::OpenWithoutClose(text.to_owned()))?;
                    let name = &after[..end];
                    if !NAMES.contains(&name) {
                        return Err(PatternError::UnknownPlaceholder {
                            pattern: text.to_owned(),
                            name: name.to_owned(),
                        });
                    }
                    if matches!(parts.last(), Some(Part::Field(_))) {
                        return Err(PatternError::Adjacent(text.to_owned()));
                    }
                    if name != "_"
                        && parts
                            .iter()
                            .any(|p| matches!(p, Part::Field(f) if f == name))
                    {
                        return Err(PatternError::Repeated {
                            pattern: text.to_owned(),
                            name: name.to_owned(),
                        });
                    }
                    parts.push(Part::Field(name.to_string()));
                    rest = &after[end + 1..];
                }
                None => {
                    parts.push(Part::Literal(rest.to_string()));
                    rest = "";
                }
            }
        }
        if !parts
            .iter()
            .any(|p| matches!(p, Part::Field(f) if f != "_"))
        {
            return Err(PatternError::NoField(text.to_owned()));
        }
        Ok(Pattern { parts })
    }

    /// The fields `name` gives, if it matches (values not yet checked).
    pub fn extract(&self, name: &str) -> Option<Fields> {
        let mut values = Vec::new();
        if !match_parts(&self.parts, name, &mut values) {
            return None;
        }
        let mut f = Fields::default();
        for (field, value) in values {
            let v = Some(value);
            match field.as_str() {
                "patient_id" => f.patient_id = v,
                "document_type" => f.document_type = v,
                "department" => f.department = v,
                "author" => f.author = v,
                "document_date" => f.document_date = v,
                "tags" => f.tags = v.map(|t| t.split(['+', ';']).map(str::to_string).collect()),
                _ => {}
            }
        }
        Some(f)
    }
}

fn match_parts(parts: &[Part], text: &str, out: &mut Vec<(String, String)>) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Literal(l), rest)) => text
            .strip_prefix(l.as_str())
            .is_some_and(|t| match_parts(rest, t, out)),
        Some((Part::Field(_), _)) if text.is_empty() => false,
        Some((Part::Field(f), rest)) => {
            // Try each end, shortest first (leftmost match).
            for (i, _) in text.char_indices().skip(1).chain([(text.len(), ' ')]) {
                let n = out.len();
                out.push((f.clone(), text[..i].to_string()));
                if match_parts(rest, &text[i..], out) {
                    return true;
                }
                out.truncate(n);
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_pattern_extracts_its_fields() {
        let p = Pattern::parse("{patient_id}_{document_type}_{document_date}.pdf").unwrap();
        let f = p.extract("12345_discharge_20260401.pdf").unwrap();
        assert_eq!(f.patient_id.as_deref(), Some("12345"));
        assert_eq!(f.document_type.as_deref(), Some("discharge"));
        assert_eq!(f.document_date.as_deref(), Some("20260401"));
        assert!(p.extract("12345_discharge.pdf").is_none());
        assert!(p.extract("12345_discharge_20260401.tif").is_none());
        assert!(p.extract("_discharge_20260401.pdf").is_none());
    }

    #[test]
    fn the_leftmost_match_wins_and_wildcards_are_ignored() {
        let p = Pattern::parse("{patient_id}_{_}_{document_type}.pdf").unwrap();
        let f = p.extract("1_a_b_c.pdf").unwrap();
        assert_eq!(f.patient_id.as_deref(), Some("1"));
        assert_eq!(f.document_type.as_deref(), Some("b_c"));
    }

    #[test]
    fn multibyte_names_match() {
        let p = Pattern::parse("{department}-{patient_id}.pdf").unwrap();
        let f = p.extract("内科-9.pdf").unwrap();
        assert_eq!(f.department.as_deref(), Some("内科"));
    }

    #[test]
    fn bad_patterns_are_refused() {
        for (bad, why) in [
            ("{patient}.pdf", "unknown placeholder {patient}"),
            (
                "{patient_id}{document_type}.pdf",
                "separated by literal text",
            ),
            ("{patient_id.pdf", "without `}`"),
            ("x}.pdf", "without `{`"),
            ("{_}.pdf", "names no field"),
            ("{author}_{author}", "appears twice"),
        ] {
            let e = Pattern::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
