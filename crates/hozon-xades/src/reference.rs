//! Reference processing (XML-DSig 1.1 §4.4.3, §6.6): dereferencing a
//! `URI`, applying the transforms, digesting. Only what can be done without
//! the network and without running code from the document: same-document
//! references (`""`, `#id`, `#xpointer(/)`, `#xpointer(id('id'))`) and
//! detached files named by a relative path under the signature's directory.
//! XSLT and XPath transforms are refused, never run.

use std::path::{Component, Path};

use crate::c14n::{canonicalize, C14nMethod, C14nMode, NodeSet};
use crate::dsig::{decode_base64, Reference, Transform, XPATH, XPATH_FILTER2, XSLT};
use crate::xml::{Document, Element};

/// The largest detached file a reference may name (bytes).
pub const MAX_DETACHED_SIZE: u64 = 1 << 30;

/// What kind of problem a reference has (mapped to ETSI sub-indications by
/// the validation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The referenced data is not available (a missing `#id`, a missing
    /// detached file, a URI that would need the network).
    NotFound,
    /// The reference is ambiguous or points where it must not (an `Id` on
    /// more than one element: signature wrapping; `..` in a path).
    Ambiguous,
    /// A transform that is never run (XSLT, XPath) or not supported.
    Refused,
    /// The digest over the data differs from the signed DigestValue.
    DigestMismatch,
    /// The data could not be processed (not XML where XML is needed, bad
    /// base64, canonicalisation failure).
    Malformed,
}

/// A problem with one reference.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ReferenceProblem {
    /// Its kind.
    pub kind: ProblemKind,
    /// What, for a person.
    pub message: String,
}

fn problem(kind: ProblemKind, message: impl Into<String>) -> ReferenceProblem {
    ReferenceProblem {
        kind,
        message: message.into(),
    }
}

/// What a reference covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target<'d> {
    /// The whole document (`URI=""`, `#xpointer(/)`).
    Document,
    /// One element, found by its Id.
    Element(Element<'d>),
    /// A detached file (its path relative to the signature's directory).
    File(String),
}

/// Where same-document and detached references are resolved.
pub struct Resolver<'a, 'd> {
    /// The document holding the signature.
    pub doc: &'d Document,
    /// The signature the references belong to (the enveloped-signature
    /// transform removes it).
    pub signature: Element<'d>,
    /// The directory detached files are looked up in; `None` refuses every
    /// detached reference.
    pub base_dir: Option<&'a Path>,
}

enum Data<'d> {
    Nodes(NodeSet<'d>),
    Octets(Vec<u8>),
}

/// The element an `Id` names: exactly one, or a problem.
pub fn element_by_id<'d>(doc: &'d Document, id: &str) -> Result<Element<'d>, ReferenceProblem> {
    let found = doc.elements_with_id(id);
    match found.len() {
        1 => Ok(found[0]),
        0 => Err(problem(
            ProblemKind::NotFound,
            format!("no element has the Id \"{id}\""),
        )),
        n => Err(problem(
            ProblemKind::Ambiguous,
            format!(
                "{n} elements have the Id \"{id}\": a reference must resolve to exactly one (signature wrapping?)"
            ),
        )),
    }
}

fn xpointer_id(fragment: &str) -> Option<&str> {
    let inner = fragment.strip_prefix("xpointer(id(")?.strip_suffix("))")?;
    inner
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
}

/// A relative path under the base directory, or why it is refused.
fn detached_path(uri: &str) -> Result<&Path, ReferenceProblem> {
    let refused = |why: &str| {
        problem(
            ProblemKind::NotFound,
            format!(
                "the reference URI \"{uri}\" is refused: {why} (hozon never fetches signed data)"
            ),
        )
    };
    let scheme = uri
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|first| first.contains(':'));
    if scheme {
        return Err(refused(
            "not a same-document reference or a relative file path",
        ));
    }
    if uri.contains(['?', '#', '\\', '%']) || uri.is_empty() {
        return Err(refused("only a plain relative file path is accepted"));
    }
    let path = Path::new(uri);
    if !path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(refused("the path leaves the signature's directory"));
    }
    Ok(path)
}

impl<'a, 'd> Resolver<'a, 'd> {
    fn dereference(&self, uri: Option<&str>) -> Result<(Data<'d>, Target<'d>), ReferenceProblem> {
        let Some(uri) = uri else {
            return Err(problem(
                ProblemKind::NotFound,
                "a reference without URI names data only the signing application knows",
            ));
        };
        if uri.is_empty() {
            let set = NodeSet {
                apex: None,
                exclude: None,
                comments: false,
            };
            return Ok((Data::Nodes(set), Target::Document));
        }
        if let Some(fragment) = uri.strip_prefix('#') {
            if fragment == "xpointer(/)" {
                let set = NodeSet {
                    apex: None,
                    exclude: None,
                    comments: true,
                };
                return Ok((Data::Nodes(set), Target::Document));
            }
            let (id, comments) = match xpointer_id(fragment) {
                Some(id) => (id, true),
                None if fragment.starts_with("xpointer(") => {
                    return Err(problem(
                        ProblemKind::Refused,
                        format!("the XPointer \"{uri}\" is not supported"),
                    ))
                }
                None => (fragment, false),
            };
            let e = element_by_id(self.doc, id)?;
            let set = NodeSet {
                apex: Some(e),
                exclude: None,
                comments,
            };
            return Ok((Data::Nodes(set), Target::Element(e)));
        }
        let rel = detached_path(uri)?;
        let Some(base) = self.base_dir else {
            return Err(problem(
                ProblemKind::NotFound,
                format!("the detached file \"{uri}\" cannot be looked up"),
            ));
        };
        let path = base.join(rel);
        let meta = std::fs::symlink_metadata(&path).map_err(|e| {
            problem(
                ProblemKind::NotFound,
                format!("the detached file {}: {e}", path.display()),
            )
        })?;
        if !meta.is_file() {
            return Err(problem(
                ProblemKind::NotFound,
                format!("the detached file {} is not a regular file", path.display()),
            ));
        }
        if meta.len() > MAX_DETACHED_SIZE {
            return Err(problem(
                ProblemKind::Malformed,
                format!("the detached file {} is too large", path.display()),
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| {
            problem(
                ProblemKind::NotFound,
                format!("the detached file {}: {e}", path.display()),
            )
        })?;
        Ok((Data::Octets(bytes), Target::File(uri.to_owned())))
    }

    /// The octets the reference's digest is computed over, and what they
    /// cover.
    pub fn octets(&self, r: &Reference<'d>) -> Result<(Vec<u8>, Target<'d>), ReferenceProblem> {
        let (mut data, target) = self.dereference(r.uri.as_deref())?;
        for t in &r.transforms {
            data = match (t, data) {
                (Transform::Enveloped, Data::Nodes(mut set)) => {
                    set.exclude = Some(self.signature);
                    Data::Nodes(set)
                }
                (Transform::Enveloped, Data::Octets(_)) => {
                    return Err(problem(
                        ProblemKind::Malformed,
                        "the enveloped-signature transform applies to the signature's own document, not to a detached file",
                    ))
                }
                (Transform::C14n(m), Data::Nodes(set)) => Data::Octets(self.c14n(&set, m)?),
                (Transform::C14n(m), Data::Octets(bytes)) => {
                    let doc = Document::parse(&bytes).map_err(|e| {
                        problem(
                            ProblemKind::Malformed,
                            format!("the referenced data is not XML to canonicalise: {e}"),
                        )
                    })?;
                    let set = NodeSet {
                        apex: None,
                        exclude: None,
                        comments: true,
                    };
                    Data::Octets(
                        canonicalize(&doc, &set, m)
                            .map_err(|e| problem(ProblemKind::Malformed, e.to_string()))?,
                    )
                }
                (Transform::Base64, Data::Nodes(set)) => {
                    let text = match set.apex {
                        Some(e) => e.text(),
                        None => self.doc.root().map(|e| e.text()).unwrap_or_default(),
                    };
                    Data::Octets(decode_base64(&text).map_err(|m| problem(ProblemKind::Malformed, format!("invalid base64: {m}")))?)
                }
                (Transform::Base64, Data::Octets(bytes)) => {
                    let text = String::from_utf8(bytes).map_err(|_| {
                        problem(ProblemKind::Malformed, "base64 transform input is not text")
                    })?;
                    Data::Octets(decode_base64(&text).map_err(|m| problem(ProblemKind::Malformed, format!("invalid base64: {m}")))?)
                }
                (Transform::Unsupported(uri), _) => {
                    let why = match uri.as_str() {
                        XSLT => "XSLT transforms are never run",
                        XPATH | XPATH_FILTER2 => "XPath transforms are not supported",
                        _ => "unknown transform",
                    };
                    return Err(problem(ProblemKind::Refused, format!("{why}: {uri}")));
                }
            };
        }
        let octets = match data {
            Data::Octets(o) => o,
            // XML-DSig §4.4.3.2: a node set left at the end is canonicalised
            // with Canonical XML 1.0 (without comments).
            Data::Nodes(set) => self.c14n(
                &set,
                &C14nMethod {
                    mode: C14nMode::Inclusive10,
                    with_comments: false,
                    inclusive_prefixes: Vec::new(),
                },
            )?,
        };
        Ok((octets, target))
    }

    fn c14n(&self, set: &NodeSet<'_>, m: &C14nMethod) -> Result<Vec<u8>, ReferenceProblem> {
        canonicalize(self.doc, set, m).map_err(|e| problem(ProblemKind::Malformed, e.to_string()))
    }

    /// Checks the reference's digest; returns what it covers.
    pub fn check(&self, r: &Reference<'d>) -> Result<Target<'d>, ReferenceProblem> {
        let (octets, target) = self.octets(r)?;
        let digest = r
            .digest_method
            .digest(&octets)
            .map_err(|e| problem(ProblemKind::Malformed, e.to_string()))?;
        if digest != r.digest_value {
            return Err(problem(
                ProblemKind::DigestMismatch,
                format!(
                    "the {} digest of {} differs from its DigestValue: the signed data was altered",
                    r.digest_method,
                    describe(&target)
                ),
            ));
        }
        Ok(target)
    }
}

/// What a reference target is, for a person.
pub fn describe(t: &Target<'_>) -> String {
    match t {
        Target::Document => "the whole document".to_owned(),
        Target::Element(e) => format!("the element {} (line {})", e.local_name(), e.line()),
        Target::File(f) => format!("the detached file {f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_and_escaping_uris_are_refused() {
        for uri in [
            "http://example.com/x.xml",
            "file:///etc/passwd",
            "urn:x",
            "/etc/passwd",
            "../x.xml",
            "a/../../x",
            "a?b",
            "a%2F..",
        ] {
            let e = detached_path(uri).unwrap_err();
            assert_eq!(e.kind, ProblemKind::NotFound, "{uri}");
            assert!(e.message.contains("refused"), "{uri}: {}", e.message);
        }
        assert_eq!(detached_path("sub/a.txt").unwrap(), Path::new("sub/a.txt"));
    }

    #[test]
    fn xpointer_ids() {
        assert_eq!(xpointer_id("xpointer(id('a'))"), Some("a"));
        assert_eq!(xpointer_id("xpointer(id(\"b\"))"), Some("b"));
        assert_eq!(xpointer_id("xpointer(/)"), None);
    }
}
