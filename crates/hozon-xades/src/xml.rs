//! Parsing XML that others made, safely, into libxml2's tree.
//!
//! What a signature verifier must never do with an XML document: load a DTD,
//! expand an entity, fetch anything from the network or the file system
//! because the document says so. So a document type declaration (internal or
//! external subset) is refused before the parser sees it and again after
//! parsing, whatever the encoding; the parser runs without entity
//! substitution, without DTD loading or attribute defaulting, with the
//! network off and without recovery (a malformed document is an error, never
//! repaired). libxml2's own limits stay on (no `XML_PARSE_HUGE`): element depth
//! 256, text nodes of 10 MB.
//!
//! This is the one module, with [`crate::c14n`], that touches libxml2's raw
//! tree; everything else reads it through [`Element`].

use std::ffi::{c_char, c_int, CStr};
use std::marker::PhantomData;
use std::sync::Once;

use crate::ffi;

use crate::error::XmlError;

/// The largest XML document accepted (bytes): e-prescriptions and CDA
/// documents are kilobytes to a few megabytes.
pub const MAX_XML_SIZE: usize = 64 * 1024 * 1024;

/// A parsed XML document (libxml2's tree), freed on drop.
pub struct Document {
    ptr: *mut ffi::xmlDoc,
}

// SAFETY: a libxml2 document is a plain tree; it may move to another thread
// as long as only one thread uses it at a time, which `&mut`/ownership
// ensures (it is not `Sync`).
unsafe impl Send for Document {}

impl Drop for Document {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from xmlCtxtReadMemory and is freed once.
        unsafe { ffi::xmlFreeDoc(self.ptr) }
    }
}

fn init() {
    static INIT: Once = Once::new();
    // SAFETY: xmlInitParser is meant to be called once before any thread
    // parses; `Once` ensures that.
    INIT.call_once(|| unsafe { ffi::xmlInitParser() });
}

/// Refuses a document type declaration in the prolog, before parsing, so that
/// not even an internal subset (entity declarations: "billion laughs") is
/// read. Documents in UTF-16 are checked after parsing ([`Document::parse`]).
fn refuse_doctype(bytes: &[u8]) -> Result<(), XmlError> {
    let mut rest = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    loop {
        let trimmed = rest
            .iter()
            .position(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .map_or(&rest[rest.len()..], |i| &rest[i..]);
        if trimmed.starts_with(b"<?") {
            let Some(end) = find(trimmed, b"?>") else {
                return Ok(()); // malformed: the parser says so
            };
            rest = &trimmed[end + 2..];
        } else if trimmed.starts_with(b"<!--") {
            let Some(end) = find(trimmed, b"-->") else {
                return Ok(());
            };
            rest = &trimmed[end + 3..];
        } else if trimmed.len() >= 9 && trimmed[..9].eq_ignore_ascii_case(b"<!DOCTYPE") {
            return Err(XmlError::Doctype);
        } else {
            return Ok(());
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Document {
    /// Parses `bytes` as described in the module documentation.
    pub fn parse(bytes: &[u8]) -> Result<Document, XmlError> {
        if bytes.len() > MAX_XML_SIZE {
            return Err(XmlError::TooLarge(bytes.len()));
        }
        refuse_doctype(bytes)?;
        init();
        let len = c_int::try_from(bytes.len()).map_err(|_| XmlError::TooLarge(bytes.len()))?;
        let options = ffi::XML_PARSE_NONET | ffi::XML_PARSE_NOERROR | ffi::XML_PARSE_NOWARNING;
        // SAFETY: the context is created, used with a buffer that outlives
        // the call, and freed here; the document it returns is owned by the
        // `Document`.
        let doc = unsafe {
            let ctxt = ffi::xmlNewParserCtxt();
            if ctxt.is_null() {
                return Err(XmlError::Parse("out of memory".into()));
            }
            let doc = ffi::xmlCtxtReadMemory(
                ctxt,
                bytes.as_ptr().cast::<c_char>(),
                len,
                std::ptr::null(),
                std::ptr::null(),
                options,
            );
            let message = if doc.is_null() {
                let err = ffi::xmlCtxtGetLastError(ctxt);
                if err.is_null() || (*err).message.is_null() {
                    Some("not well-formed XML".to_owned())
                } else {
                    let text = CStr::from_ptr((*err).message).to_string_lossy();
                    Some(format!("line {}: {}", (*err).line, text.trim()))
                }
            } else {
                None
            };
            ffi::xmlFreeParserCtxt(ctxt);
            if let Some(m) = message {
                return Err(XmlError::Parse(m));
            }
            doc
        };
        let doc = Document { ptr: doc };
        // SAFETY: reading two pointer fields of a live document.
        let has_dtd =
            unsafe { !(*doc.ptr).int_subset.is_null() || !(*doc.ptr).ext_subset.is_null() };
        if has_dtd {
            return Err(XmlError::Doctype);
        }
        if doc.root().is_none() {
            return Err(XmlError::Parse("no document element".into()));
        }
        Ok(doc)
    }

    /// The document element.
    pub fn root(&self) -> Option<Element<'_>> {
        // SAFETY: the document is alive for 'self.
        let p = unsafe { ffi::xmlDocGetRootElement(self.ptr) };
        Element::from_ptr(p)
    }

    pub(crate) fn ptr(&self) -> *mut ffi::xmlDoc {
        self.ptr
    }

    /// Every element with an `Id`, `ID` or `id` attribute (no namespace)
    /// equal to `id`, in document order. XML-DSig references name elements
    /// this way without a DTD; a reference that finds more than one is
    /// refused by the caller (signature wrapping).
    pub fn elements_with_id(&self, id: &str) -> Vec<Element<'_>> {
        let mut found = Vec::new();
        if let Some(root) = self.root() {
            root.walk(&mut |e| {
                if ["Id", "ID", "id"]
                    .iter()
                    .any(|n| e.attribute(n).as_deref() == Some(id))
                {
                    found.push(e);
                }
            });
        }
        found
    }
}

/// An element of a [`Document`].
#[derive(Clone, Copy)]
pub struct Element<'d> {
    ptr: *mut ffi::xmlNode,
    _doc: PhantomData<&'d Document>,
}

impl PartialEq for Element<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }
}

impl Eq for Element<'_> {}

impl std::fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}>", self.local_name())
    }
}

/// The text of a libxml2 string (`None` for a null pointer).
///
/// # Safety
/// `p` is null or a NUL-terminated string alive for the returned lifetime.
unsafe fn text<'a>(p: *const ffi::xmlChar) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        CStr::from_ptr(p.cast::<c_char>()).to_str().ok()
    }
}

impl<'d> Element<'d> {
    fn from_ptr(p: *mut ffi::xmlNode) -> Option<Element<'d>> {
        // SAFETY: `p` is null or a node of a live document.
        (!p.is_null() && unsafe { (*p).type_ } == ffi::XML_ELEMENT_NODE).then_some(Element {
            ptr: p,
            _doc: PhantomData,
        })
    }

    pub(crate) fn ptr(&self) -> *mut ffi::xmlNode {
        self.ptr
    }

    /// The local name.
    pub fn local_name(&self) -> &'d str {
        // SAFETY: element names live as long as the document.
        unsafe { text((*self.ptr).name) }.unwrap_or("")
    }

    /// The namespace URI (`None` when the element has no namespace).
    pub fn namespace(&self) -> Option<&'d str> {
        // SAFETY: as above; `ns` is null or a live namespace.
        unsafe {
            let ns = (*self.ptr).ns;
            if ns.is_null() {
                None
            } else {
                text((*ns).href)
            }
        }
    }

    /// The namespace prefix of the element's name (`None` for the default
    /// namespace or none).
    pub fn prefix(&self) -> Option<&'d str> {
        // SAFETY: as above.
        unsafe {
            let ns = (*self.ptr).ns;
            if ns.is_null() {
                None
            } else {
                text((*ns).prefix)
            }
        }
    }

    /// Whether this is the element `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local_name() == local && self.namespace() == Some(ns)
    }

    /// The parent element, if any.
    pub fn parent(&self) -> Option<Element<'d>> {
        // SAFETY: the parent pointer of a live node.
        Element::from_ptr(unsafe { (*self.ptr).parent })
    }

    /// The child elements, in order.
    pub fn children(&self) -> Vec<Element<'d>> {
        let mut out = Vec::new();
        // SAFETY: walking the sibling list of a live node.
        let mut p = unsafe { (*self.ptr).children };
        while !p.is_null() {
            if let Some(e) = Element::from_ptr(p) {
                out.push(e);
            }
            // SAFETY: as above.
            p = unsafe { (*p).next };
        }
        out
    }

    /// The child elements `{ns}local`.
    pub fn children_named(&self, ns: &str, local: &str) -> Vec<Element<'d>> {
        self.children()
            .into_iter()
            .filter(|c| c.is(ns, local))
            .collect()
    }

    /// The first child element `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<Element<'d>> {
        self.children().into_iter().find(|c| c.is(ns, local))
    }

    /// The attribute `name` without a namespace.
    pub fn attribute(&self, name: &str) -> Option<String> {
        // SAFETY: walking the attribute list of a live element; attribute
        // values are lists of text nodes (no entity references: no DTD).
        unsafe {
            let mut a = (*self.ptr).properties;
            while !a.is_null() {
                if (*a).ns.is_null() && text((*a).name) == Some(name) {
                    let mut value = String::new();
                    let mut c = (*a).children;
                    while !c.is_null() {
                        if let Some(t) = text((*c).content) {
                            value.push_str(t);
                        }
                        c = (*c).next;
                    }
                    return Some(value);
                }
                a = (*a).next;
            }
        }
        None
    }

    /// The concatenated text of the element's descendants (its XPath string
    /// value).
    pub fn text(&self) -> String {
        fn collect(p: *mut ffi::xmlNode, out: &mut String) {
            let mut c = p;
            while !c.is_null() {
                // SAFETY: nodes of a live document.
                unsafe {
                    let t = (*c).type_;
                    if t == ffi::XML_TEXT_NODE || t == ffi::XML_CDATA_SECTION_NODE {
                        if let Some(s) = text((*c).content) {
                            out.push_str(s);
                        }
                    } else if t == ffi::XML_ELEMENT_NODE {
                        collect((*c).children, out);
                    }
                    c = (*c).next;
                }
            }
        }
        let mut out = String::new();
        // SAFETY: a live node.
        collect(unsafe { (*self.ptr).children }, &mut out);
        out
    }

    /// Calls `f` on this element and every descendant element, in document
    /// order.
    pub fn walk(&self, f: &mut impl FnMut(Element<'d>)) {
        f(*self);
        for c in self.children() {
            c.walk(f);
        }
    }

    /// Whether `self` is `other` or one of its descendants.
    pub fn is_within(&self, other: &Element<'_>) -> bool {
        let mut p = Some(*self);
        while let Some(e) = p {
            if e.ptr == other.ptr {
                return true;
            }
            p = e.parent();
        }
        false
    }

    /// The first line of the element in its document (for messages).
    pub fn line(&self) -> u32 {
        // SAFETY: a live node.
        u32::from(unsafe { (*self.ptr).line })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doctype_is_refused_before_parsing() {
        let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
        assert!(matches!(Document::parse(laughs), Err(XmlError::Doctype)));
        let xxe = b"<!-- c --><?pi x?>\n<!doctype r SYSTEM \"file:///etc/passwd\"><r/>";
        assert!(matches!(Document::parse(xxe), Err(XmlError::Doctype)));
    }

    #[test]
    fn a_doctype_in_utf16_is_refused_after_parsing() {
        let text = "<!DOCTYPE r [<!ENTITY e \"x\">]><r>&e;</r>";
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert!(matches!(Document::parse(&bytes), Err(XmlError::Doctype)));
    }

    #[test]
    fn malformed_xml_is_an_error_not_repaired() {
        let e = Document::parse(b"<a><b></a>").err().map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("line 1")), "no error");
        assert!(Document::parse(b"").is_err());
    }

    #[test]
    fn an_undeclared_entity_is_an_error() {
        assert!(Document::parse(b"<a>&ext;</a>").is_err());
    }

    #[test]
    fn ids_are_found_in_any_of_the_three_spellings() {
        let doc = Document::parse(br#"<a><b Id="x"/><c ID="y"/><d id="x"/></a>"#).unwrap();
        let names: Vec<&str> = doc
            .elements_with_id("x")
            .iter()
            .map(|e| e.local_name())
            .collect();
        assert_eq!(names, ["b", "d"]);
        assert_eq!(doc.elements_with_id("y").len(), 1);
        assert!(doc.elements_with_id("z").is_empty());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut s = String::new();
        for _ in 0..10_000 {
            s.push_str("<a>");
        }
        for _ in 0..10_000 {
            s.push_str("</a>");
        }
        assert!(Document::parse(s.as_bytes()).is_err());
    }
}
