//! Typed errors of the XML and XML-DSig layers.

/// Why an XML document could not be read or canonicalised.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// The document has a document type declaration.
    #[error("a document type declaration (DTD) is not allowed: DTDs and entities are never loaded or expanded")]
    Doctype,
    /// The document is larger than [`crate::xml::MAX_XML_SIZE`].
    #[error("{0} bytes is more than the {max}-byte limit for an XML document", max = crate::xml::MAX_XML_SIZE)]
    TooLarge(usize),
    /// Not well-formed XML (libxml2's message).
    #[error("not well-formed XML: {0}")]
    Parse(String),
    /// libxml2's canonicaliser failed.
    #[error("canonicalisation failed: {0}")]
    C14n(String),
}

/// Why an XML signature cannot be processed at all (its structure), as
/// opposed to a check that fails ([`crate::reference::ReferenceProblem`],
/// [`crate::core::SignatureValueProblem`]).
#[derive(Debug, thiserror::Error)]
pub enum DsigError {
    /// The document could not be parsed.
    #[error(transparent)]
    Xml(#[from] XmlError),
    /// The document holds no `ds:Signature`.
    #[error("no ds:Signature element")]
    NoSignature,
    /// A required element is missing or malformed.
    #[error("malformed ds:Signature: {0}")]
    Format(String),
}
