//! Where each element of a document libxml2 has accepted lies in its text,
//! so that unsigned properties can be added to a signature by inserting
//! text, leaving every byte that was signed exactly as it was.
//!
//! This is not a parser: it runs only over a document [`crate::xml::Document::parse`]
//! accepted (well-formed, no DTD, hence no entity that could hide markup),
//! and only tells tags apart from comments, CDATA sections, processing
//! instructions and attribute values. The element count is checked against
//! libxml2's tree before a span is used.

use crate::xml::{Document, Element};

/// The byte offsets of one element in the document text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Where its start tag begins (`<`).
    pub start: usize,
    /// Where its content begins (just after the start tag's `>`; for an
    /// empty-element tag, just after `/>`).
    pub content_start: usize,
    /// Where its end tag begins (`</`), or, for an empty-element tag, where
    /// that tag's `/>` begins.
    pub content_end: usize,
    /// Whether it was written as an empty-element tag (`<a/>`).
    pub empty: bool,
}

/// Why spans could not be found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cannot locate the element in the document text: {0}")]
pub struct SpanError(String);

fn err(msg: impl Into<String>) -> SpanError {
    SpanError(msg.into())
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Result<usize, SpanError> {
    hay.get(from..)
        .and_then(|h| h.windows(needle.len()).position(|w| w == needle))
        .map(|i| from + i)
        .ok_or_else(|| err("unterminated markup"))
}

/// The span of every element of `text`, in document order (the order of a
/// depth-first walk, as [`Element::walk`] visits them).
pub fn element_spans(text: &[u8]) -> Result<Vec<Span>, SpanError> {
    let mut spans: Vec<Span> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while let Some(lt) = text
        .get(i..)
        .and_then(|t| t.iter().position(|b| *b == b'<'))
    {
        let at = i + lt;
        let rest = &text[at..];
        if rest.starts_with(b"<!--") {
            i = find(text, at + 4, b"-->")? + 3;
        } else if rest.starts_with(b"<![CDATA[") {
            i = find(text, at + 9, b"]]>")? + 3;
        } else if rest.starts_with(b"<?") {
            i = find(text, at + 2, b"?>")? + 2;
        } else if rest.starts_with(b"<!") {
            return Err(err("a declaration in the document"));
        } else if rest.starts_with(b"</") {
            let index = open.pop().ok_or_else(|| err("an end tag without start"))?;
            spans[index].content_end = at;
            i = find(text, at, b">")? + 1;
        } else {
            // A start tag: skip attribute values, which may hold '>' or '/'.
            let mut j = at + 1;
            let mut quote: Option<u8> = None;
            loop {
                let b = *text
                    .get(j)
                    .ok_or_else(|| err("an unterminated start tag"))?;
                match (quote, b) {
                    (Some(q), _) if b == q => quote = None,
                    (Some(_), _) => {}
                    (None, b'"' | b'\'') => quote = Some(b),
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            let empty = text[..j].ends_with(b"/");
            spans.push(Span {
                start: at,
                content_start: j + 1,
                content_end: if empty { j - 1 } else { 0 },
                empty,
            });
            if !empty {
                open.push(spans.len() - 1);
            }
            i = j + 1;
        }
    }
    if !open.is_empty() {
        return Err(err("an element without end tag"));
    }
    Ok(spans)
}

/// The span of `target` in `text`, the text `doc` was parsed from.
pub fn span_of(doc: &Document, text: &[u8], target: Element<'_>) -> Result<Span, SpanError> {
    let root = doc.root().ok_or_else(|| err("no document element"))?;
    let mut order = Vec::new();
    root.walk(&mut |e| order.push(e));
    let spans = element_spans(text)?;
    if spans.len() != order.len() {
        return Err(err(format!(
            "{} elements in the text, {} in the parsed document",
            spans.len(),
            order.len()
        )));
    }
    let index = order
        .iter()
        .position(|e| *e == target)
        .ok_or_else(|| err("the element is not in the document"))?;
    Ok(spans[index])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_skip_comments_cdata_pis_and_attribute_values() {
        let text = br#"<?xml version="1.0"?><!-- <x> --><a k="1>2/"><b/><![CDATA[<c>]]><?p <d>?><e>t</e></a>"#;
        let spans = element_spans(text).unwrap();
        assert_eq!(spans.len(), 3);
        let s = |sp: &Span| &text[sp.start..sp.content_end];
        assert_eq!(
            s(&spans[0]),
            &br#"<a k="1>2/"><b/><![CDATA[<c>]]><?p <d>?><e>t</e>"#[..]
        );
        assert!(spans[1].empty);
        assert_eq!(s(&spans[1]), b"<b");
        assert_eq!(s(&spans[2]), b"<e>t");
    }

    #[test]
    fn the_span_of_an_element_matches_libxml2s_tree() {
        let text = br#"<r><a/><b x="/>"><c>1</c></b></r>"#;
        let doc = Document::parse(text).unwrap();
        let root = doc.root().unwrap();
        let b = root.children()[1];
        let sp = span_of(&doc, text, b).unwrap();
        assert_eq!(&text[sp.start..sp.content_end], br#"<b x="/>"><c>1</c>"#);
    }
}
