//! Canonical XML 1.0 and 1.1 and Exclusive XML Canonicalization 1.0, with
//! and without comments, over the node sets XML-DSig works with — by
//! libxml2's C14N (`xmlC14NExecute`), the implementation xmlsec1 and lxml
//! use. Nothing is canonicalised here by our own code: this module only
//! tells libxml2 which nodes are in the set.
//!
//! Tested against the W3C test vectors in `testdata/xml/c14n/` (see the
//! tests at the end and `tests/c14n_vectors.rs`).

use std::ffi::{c_char, c_int, c_void, CString};

use crate::ffi;

use crate::error::XmlError;
use crate::xml::{Document, Element};

/// A canonicalisation algorithm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct C14nMethod {
    /// Which specification.
    pub mode: C14nMode,
    /// Whether comments are kept (the `#WithComments` variants).
    pub with_comments: bool,
    /// Exclusive C14N's InclusiveNamespaces PrefixList (`#default` for the
    /// default namespace); empty for the other modes.
    pub inclusive_prefixes: Vec<String>,
}

/// The canonicalisation specifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum C14nMode {
    /// Canonical XML 1.0 (W3C REC 2001-03-15).
    Inclusive10,
    /// Canonical XML 1.1 (W3C REC 2008-05-02).
    Inclusive11,
    /// Exclusive XML Canonicalization 1.0 (W3C REC 2002-07-18).
    Exclusive10,
}

/// Canonical XML 1.0.
pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// Canonical XML 1.0 with comments.
pub const C14N_10_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// Canonical XML 1.1.
pub const C14N_11: &str = "http://www.w3.org/2006/12/xml-c14n11";
/// Canonical XML 1.1 with comments.
pub const C14N_11_COMMENTS: &str = "http://www.w3.org/2006/12/xml-c14n11#WithComments";
/// Exclusive XML Canonicalization 1.0.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Exclusive XML Canonicalization 1.0 with comments.
pub const EXC_C14N_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

impl C14nMethod {
    /// The method an algorithm URI names, or `None` when it is not a
    /// canonicalisation algorithm.
    pub fn from_uri(uri: &str) -> Option<C14nMethod> {
        let (mode, with_comments) = match uri {
            C14N_10 => (C14nMode::Inclusive10, false),
            C14N_10_COMMENTS => (C14nMode::Inclusive10, true),
            C14N_11 => (C14nMode::Inclusive11, false),
            C14N_11_COMMENTS => (C14nMode::Inclusive11, true),
            EXC_C14N => (C14nMode::Exclusive10, false),
            EXC_C14N_COMMENTS => (C14nMode::Exclusive10, true),
            _ => return None,
        };
        Some(C14nMethod {
            mode,
            with_comments,
            inclusive_prefixes: Vec::new(),
        })
    }

    /// The algorithm URI.
    pub fn uri(&self) -> &'static str {
        match (self.mode, self.with_comments) {
            (C14nMode::Inclusive10, false) => C14N_10,
            (C14nMode::Inclusive10, true) => C14N_10_COMMENTS,
            (C14nMode::Inclusive11, false) => C14N_11,
            (C14nMode::Inclusive11, true) => C14N_11_COMMENTS,
            (C14nMode::Exclusive10, false) => EXC_C14N,
            (C14nMode::Exclusive10, true) => EXC_C14N_COMMENTS,
        }
    }

    /// Exclusive C14N without comments: what hozon signs with.
    pub fn exclusive() -> C14nMethod {
        C14nMethod {
            mode: C14nMode::Exclusive10,
            with_comments: false,
            inclusive_prefixes: Vec::new(),
        }
    }
}

/// Which nodes of a document are canonicalised (an XPath node set as
/// XML-DSig's reference processing makes it).
#[derive(Clone, Copy, Debug)]
pub struct NodeSet<'d> {
    /// The subtree (the element, its attributes and namespace nodes, and its
    /// descendants); `None` for the whole document.
    pub apex: Option<Element<'d>>,
    /// A subtree left out (the enveloped signature).
    pub exclude: Option<Element<'d>>,
    /// Whether comment nodes are in the set (a same-document reference by
    /// `#id` or `""` removes them; `#xpointer(...)` keeps them).
    pub comments: bool,
}

impl<'d> NodeSet<'d> {
    /// The subtree of `e`, without comments (a `#id` reference).
    pub fn subtree(e: Element<'d>) -> NodeSet<'d> {
        NodeSet {
            apex: Some(e),
            exclude: None,
            comments: false,
        }
    }
}

struct Visibility {
    apex: *mut ffi::xmlNode,
    exclude: *mut ffi::xmlNode,
}

/// libxml2's visibility callback: a node is in the set when it lies in the
/// apex subtree (or the set is the whole document) and not in the excluded
/// subtree. Attributes and namespace nodes follow their element (`parent`).
unsafe extern "C" fn is_visible(
    user_data: *mut c_void,
    node: *mut ffi::xmlNode,
    parent: *mut ffi::xmlNode,
) -> c_int {
    // SAFETY: `user_data` is the `Visibility` passed to xmlC14NExecute,
    // alive for the call; `node` and `parent` are nodes of the document
    // being canonicalised. A namespace node (xmlNs) has its type at the same
    // offset as a node, which is how libxml2 itself tells them apart.
    let vis = &*(user_data as *const Visibility);
    if node.is_null() {
        return 0;
    }
    let t = (*node).type_;
    let mut p = if t == ffi::XML_NAMESPACE_DECL || t == ffi::XML_ATTRIBUTE_NODE {
        parent
    } else {
        node
    };
    if vis.apex.is_null() && vis.exclude.is_null() {
        return 1;
    }
    while !p.is_null() {
        if p == vis.exclude {
            return 0;
        }
        if p == vis.apex {
            return 1;
        }
        if (*p).type_ == ffi::XML_DOCUMENT_NODE {
            break;
        }
        p = (*p).parent;
    }
    c_int::from(vis.apex.is_null())
}

unsafe extern "C" fn write_to_vec(
    context: *mut c_void,
    buffer: *const c_char,
    len: c_int,
) -> c_int {
    // SAFETY: `context` is the Vec passed to xmlOutputBufferCreateIO, alive
    // until the buffer is closed; libxml2 passes `len` valid bytes.
    let out = &mut *(context as *mut Vec<u8>);
    let n = usize::try_from(len).unwrap_or(0);
    if n > 0 {
        out.extend_from_slice(std::slice::from_raw_parts(buffer.cast::<u8>(), n));
    }
    len
}

/// Canonicalises the node set `set` of `doc` with `method`.
pub fn canonicalize(
    doc: &Document,
    set: &NodeSet<'_>,
    method: &C14nMethod,
) -> Result<Vec<u8>, XmlError> {
    let mode = match method.mode {
        C14nMode::Inclusive10 => ffi::XML_C14N_1_0,
        C14nMode::Inclusive11 => ffi::XML_C14N_1_1,
        C14nMode::Exclusive10 => ffi::XML_C14N_EXCLUSIVE_1_0,
    };
    let prefixes: Vec<CString> = method
        .inclusive_prefixes
        .iter()
        .filter(|_| method.mode == C14nMode::Exclusive10)
        .map(|p| CString::new(p.as_str()))
        .collect::<Result<_, _>>()
        .map_err(|_| XmlError::C14n("a NUL in an inclusive namespace prefix".into()))?;
    let mut prefix_ptrs: Vec<*mut ffi::xmlChar> = prefixes
        .iter()
        .map(|p| p.as_ptr() as *mut ffi::xmlChar)
        .collect();
    prefix_ptrs.push(std::ptr::null_mut());
    let vis = Visibility {
        apex: set.apex.map_or(std::ptr::null_mut(), |e| e.ptr()),
        exclude: set.exclude.map_or(std::ptr::null_mut(), |e| e.ptr()),
    };
    let mut out: Vec<u8> = Vec::new();
    let with_comments = c_int::from(method.with_comments && set.comments);
    // SAFETY: the output buffer writes into `out`, which outlives it (it is
    // closed before `out` is read); `vis` and the prefix list outlive the
    // call; the document is alive.
    let written = unsafe {
        let buf = ffi::xmlOutputBufferCreateIO(
            Some(write_to_vec),
            None,
            (&mut out as *mut Vec<u8>).cast::<c_void>(),
            std::ptr::null_mut(),
        );
        if buf.is_null() {
            return Err(XmlError::C14n("out of memory".into()));
        }
        let n = ffi::xmlC14NExecute(
            doc.ptr(),
            Some(is_visible),
            (&vis as *const Visibility).cast_mut().cast::<c_void>(),
            mode,
            if method.inclusive_prefixes.is_empty() {
                std::ptr::null_mut()
            } else {
                prefix_ptrs.as_mut_ptr()
            },
            with_comments,
            buf,
        );
        let closed = ffi::xmlOutputBufferClose(buf);
        if closed < 0 {
            -1
        } else {
            n
        }
    };
    if written < 0 {
        return Err(XmlError::C14n(format!(
            "libxml2 could not canonicalise with {}",
            method.uri()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, uri: &str) -> String {
        let doc = Document::parse(xml.as_bytes()).unwrap();
        let set = NodeSet {
            apex: None,
            exclude: None,
            comments: true,
        };
        String::from_utf8(canonicalize(&doc, &set, &C14nMethod::from_uri(uri).unwrap()).unwrap())
            .unwrap()
    }

    #[test]
    fn attributes_are_sorted_and_empty_elements_expanded() {
        assert_eq!(
            c14n(r#"<a b='2' a="1"><c/></a>"#, C14N_10),
            r#"<a a="1" b="2"><c></c></a>"#
        );
    }

    #[test]
    fn comments_follow_the_method() {
        let xml = "<a><!--x--></a>";
        assert_eq!(c14n(xml, C14N_10), "<a></a>");
        assert_eq!(c14n(xml, C14N_10_COMMENTS), "<a><!--x--></a>");
        assert_eq!(c14n(xml, EXC_C14N_COMMENTS), "<a><!--x--></a>");
    }

    #[test]
    fn a_subtree_minus_an_excluded_element() {
        let doc = Document::parse(br#"<r xmlns:p="urn:p"><a><p:b/><s><t/></s></a></r>"#).unwrap();
        let a = doc.root().unwrap().children()[0];
        let s = a.children()[1];
        let set = NodeSet {
            apex: Some(a),
            exclude: Some(s),
            comments: false,
        };
        let inc = canonicalize(&doc, &set, &C14nMethod::from_uri(C14N_10).unwrap()).unwrap();
        assert_eq!(inc, br#"<a xmlns:p="urn:p"><p:b></p:b></a>"#);
        let exc = canonicalize(&doc, &set, &C14nMethod::exclusive()).unwrap();
        assert_eq!(exc, br#"<a><p:b xmlns:p="urn:p"></p:b></a>"#);
    }

    #[test]
    fn method_uris_round_trip() {
        for uri in [
            C14N_10,
            C14N_10_COMMENTS,
            C14N_11,
            C14N_11_COMMENTS,
            EXC_C14N,
            EXC_C14N_COMMENTS,
        ] {
            assert_eq!(C14nMethod::from_uri(uri).unwrap().uri(), uri);
        }
        assert!(C14nMethod::from_uri("http://www.w3.org/TR/1999/REC-xslt-19991116").is_none());
    }
}
