//! The document catalog and its page tree (ISO 32000-1 §7.7.2, §7.7.3):
//! which objects are the pages, in order.

use std::collections::HashSet;

use crate::lexer::{Dict, Object};
use crate::pdf::Pdf;
use crate::Error;

/// Deepest page tree walked.
const MAX_PAGE_DEPTH: usize = 64;

/// The references of an array given directly or through one reference.
pub(crate) fn ref_array(pdf: &Pdf, rev: usize, o: Option<&Object>) -> Result<Vec<Object>, Error> {
    match o {
        None => Ok(Vec::new()),
        Some(o) => match pdf.resolve(rev, o)? {
            Some(Object::Array(items)) => Ok(items),
            Some(Object::Null) | None => Ok(Vec::new()),
            Some(_) => Err(Error::Unsupported("an array was expected".into())),
        },
    }
}

/// Page `index` (0-based) of the document: its object number.
pub fn page(pdf: &Pdf, index: usize) -> Result<u32, Error> {
    first_pages(pdf, index + 1)?
        .get(index)
        .copied()
        .ok_or_else(|| Error::Unsupported(format!("the document has no page {}", index + 1)))
}

/// Every page of the document, in order: their object numbers.
pub fn pages(pdf: &Pdf) -> Result<Vec<u32>, Error> {
    first_pages(pdf, usize::MAX)
}

/// The first `wanted` pages of the document (fewer if it has fewer).
fn first_pages(pdf: &Pdf, wanted: usize) -> Result<Vec<u32>, Error> {
    let last = pdf.revisions.len() - 1;
    let catalog = catalog(pdf)?.1;
    let pages = catalog
        .get(b"Pages")
        .and_then(Object::reference)
        .ok_or_else(|| Error::Unsupported("the catalog has no /Pages reference".into()))?;
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    collect_pages(pdf, last, pages.0, &mut found, &mut seen, 0, wanted)?;
    Ok(found)
}

fn collect_pages(
    pdf: &Pdf,
    rev: usize,
    num: u32,
    found: &mut Vec<u32>,
    seen: &mut HashSet<u32>,
    depth: usize,
    wanted: usize,
) -> Result<(), Error> {
    if depth > MAX_PAGE_DEPTH || !seen.insert(num) {
        return Err(Error::Unsupported("the page tree has a cycle".into()));
    }
    let node = pdf
        .object(rev, num)?
        .ok_or_else(|| Error::Unsupported(format!("page tree node {num} is missing")))?;
    let d = node
        .dict()
        .ok_or_else(|| Error::Unsupported(format!("page tree node {num} is not a dictionary")))?;
    match d.name(b"Type") {
        Some(b"Page") => found.push(num),
        _ => {
            for kid in ref_array(pdf, rev, d.get(b"Kids"))? {
                if found.len() >= wanted {
                    break;
                }
                if let Some((k, _)) = kid.reference() {
                    collect_pages(pdf, rev, k, found, seen, depth + 1, wanted)?;
                }
            }
        }
    }
    Ok(())
}

/// The catalog's object number and dictionary in the last revision.
pub(crate) fn catalog(pdf: &Pdf) -> Result<(u32, Dict), Error> {
    let last = pdf.revisions.len() - 1;
    let (root, _) = pdf
        .trailer(last)
        .get(b"Root")
        .and_then(Object::reference)
        .ok_or_else(|| Error::Unsupported("the trailer has no /Root reference".into()))?;
    match pdf.object(last, root)? {
        Some(Object::Dict(d)) => Ok((root, d)),
        _ => Err(Error::Unsupported(
            "the document catalog is not a dictionary".into(),
        )),
    }
}
