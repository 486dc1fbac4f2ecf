//! The Document Security Store (ETSI EN 319 142-1 §5.4.2): certificates,
//! CRLs and OCSP responses, also those under `/VRI`, as validation data.

use hozon_verify::ValidationData;

use crate::lexer::Object;
use crate::pdf::{decode_stream, Pdf};

/// Most streams read from a DSS.
const MAX_ITEMS: usize = 10_000;

/// The validation data of revision `rev`'s DSS, and problems with it.
pub fn read(pdf: &Pdf, rev: usize) -> (ValidationData, Vec<String>) {
    let mut data = ValidationData::default();
    let mut problems = Vec::new();
    let Some(dss) = dss_dict(pdf, rev) else {
        return (data, problems);
    };
    let mut lists: Vec<(&str, Object)> = Vec::new();
    for (key, kind) in [
        (&b"Certs"[..], "cert"),
        (b"CRLs", "crl"),
        (b"OCSPs", "ocsp"),
    ] {
        if let Some(v) = dss.get(key) {
            lists.push((kind, v.clone()));
        }
    }
    if let Some(Ok(Some(Object::Dict(vri)))) = dss.get(b"VRI").map(|v| pdf.resolve(rev, v)) {
        for (_, entry, _) in vri.entries.iter().take(MAX_ITEMS) {
            if let Ok(Some(Object::Dict(e))) = pdf.resolve(rev, entry) {
                for (key, kind) in [(&b"Cert"[..], "cert"), (b"CRL", "crl"), (b"OCSP", "ocsp")] {
                    if let Some(v) = e.get(key) {
                        lists.push((kind, v.clone()));
                    }
                }
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (kind, list) in lists {
        let Ok(Some(Object::Array(items))) = pdf.resolve(rev, &list) else {
            problems.push(format!("the DSS {kind} list is not an array"));
            continue;
        };
        for item in items.into_iter().take(MAX_ITEMS) {
            if let Some((n, _)) = item.reference() {
                if !seen.insert(n) {
                    continue;
                }
            }
            let bytes = match pdf.resolve(rev, &item) {
                Ok(Some(Object::Stream(d, raw))) => decode_stream(&d, &raw),
                Ok(_) => {
                    problems.push(format!("a DSS {kind} entry is not a stream"));
                    continue;
                }
                Err(e) => Err(e),
            };
            let bytes = match bytes {
                Ok(b) => b,
                Err(e) => {
                    problems.push(format!("a DSS {kind} entry cannot be read: {e}"));
                    continue;
                }
            };
            match kind {
                "cert" => match hozon_cms::Cert::from_der(&bytes) {
                    Ok(c) => {
                        if !data.certs.contains(&c) {
                            data.certs.push(c);
                        }
                    }
                    Err(e) => problems.push(format!("a DSS certificate cannot be decoded: {e}")),
                },
                "crl" => data.crls.push(bytes),
                _ => data.ocsp_responses.push(bytes),
            }
        }
    }
    (data, problems)
}

/// The DSS dictionary of revision `rev`'s catalog.
fn dss_dict(pdf: &Pdf, rev: usize) -> Option<crate::lexer::Dict> {
    let root = pdf.trailer(rev).get(b"Root")?.clone();
    let catalog = pdf.resolve(rev, &root).ok()??;
    let dss = catalog.dict()?.get(b"DSS")?.clone();
    match pdf.resolve(rev, &dss).ok()?? {
        Object::Dict(d) => Some(d),
        _ => None,
    }
}

/// The first revision (0-based) whose catalog has a DSS.
pub fn first_revision(pdf: &Pdf) -> Option<usize> {
    (0..pdf.revisions.len()).find(|r| dss_dict(pdf, *r).is_some())
}
