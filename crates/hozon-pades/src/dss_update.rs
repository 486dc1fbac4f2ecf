//! Adding validation data to the Document Security Store as an incremental
//! update (ETSI EN 319 142-1 §5.4.2, B-LT): certificates, CRLs and OCSP
//! responses as streams listed in the DSS's `/Certs`, `/CRLs` and
//! `/OCSPs`, and for each signature a `/VRI` entry, keyed by the uppercase
//! hexadecimal SHA-1 of its `/Contents`, naming what its validation used.
//! What the DSS already holds is kept and not stored twice.

use std::collections::HashMap;

use hozon_cms::DigestAlgorithm;

use crate::lexer::{Dict, Object};
use crate::pdf::{decode_stream, Pdf};
use crate::verify::SignatureEvidence;
use crate::writer::Update;
use crate::Error;

/// The three kinds of validation data.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Cert,
    Crl,
    Ocsp,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Cert, Kind::Crl, Kind::Ocsp];

    fn list_key(self) -> &'static [u8] {
        match self {
            Kind::Cert => b"Certs",
            Kind::Crl => b"CRLs",
            Kind::Ocsp => b"OCSPs",
        }
    }

    fn vri_key(self) -> &'static [u8] {
        match self {
            Kind::Cert => b"Cert",
            Kind::Crl => b"CRL",
            Kind::Ocsp => b"OCSP",
        }
    }
}

/// The DSS being built: existing entries, then the new streams.
struct Store<'u, 'a> {
    update: &'u mut Update<'a>,
    lists: HashMap<Kind, Vec<Object>>,
    known: HashMap<(Kind, Vec<u8>), Object>,
}

impl Store<'_, '_> {
    /// The reference to a stream holding `der`, added when new.
    fn item(&mut self, kind: Kind, der: &[u8]) -> Object {
        if let Some(r) = self.known.get(&(kind, der.to_vec())) {
            return r.clone();
        }
        let n = self.update.allocate();
        self.update
            .set(n, &Object::Stream(Dict::default(), der.to_vec()));
        let r = Object::Ref(n, 0);
        self.lists.entry(kind).or_default().push(r.clone());
        self.known.insert((kind, der.to_vec()), r.clone());
        r
    }
}

fn put(d: &mut Dict, key: &[u8], value: Object) {
    if let Some(e) = d.entries.iter_mut().find(|(k, _, _)| k == key) {
        e.1 = value;
    } else {
        d.entries.push((key.to_vec(), value, 0..0));
    }
}

/// The VRI key of a signature: the uppercase hexadecimal SHA-1 of its
/// `/Contents`.
pub fn vri_key(contents: &[u8]) -> Result<Vec<u8>, Error> {
    let digest = DigestAlgorithm::Sha1
        .digest(contents)
        .map_err(|e| Error::Unsupported(format!("SHA-1: {e}")))?;
    Ok(digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<String>()
        .into_bytes())
}

/// `pdf`'s DSS extended by `evidence`: the incremental update to append.
pub fn add_dss(pdf: &Pdf, evidence: &[SignatureEvidence]) -> Result<Vec<u8>, Error> {
    let last = pdf.revisions.len() - 1;
    let mut update = Update::new(pdf)?;
    let (root, _) = pdf
        .trailer(last)
        .get(b"Root")
        .and_then(Object::reference)
        .ok_or_else(|| Error::Unsupported("the trailer has no /Root reference".into()))?;
    let Some(Object::Dict(mut catalog)) = pdf.object(last, root)? else {
        return Err(Error::Unsupported(
            "the document catalog is not a dictionary".into(),
        ));
    };
    let dss_ref = catalog.get(b"DSS").and_then(Object::reference);
    let mut dss = match catalog.get(b"DSS") {
        None => Dict::default(),
        Some(o) => match pdf.resolve(last, o)? {
            Some(Object::Dict(d)) => d,
            _ => {
                return Err(Error::Unsupported(
                    "the Document Security Store is not a dictionary".into(),
                ))
            }
        },
    };
    let mut store = Store {
        update: &mut update,
        lists: HashMap::new(),
        known: HashMap::new(),
    };
    // What the DSS holds already.
    for kind in Kind::ALL {
        let items = match dss.get(kind.list_key()) {
            None => Vec::new(),
            Some(o) => match pdf.resolve(last, o)? {
                Some(Object::Array(items)) => items,
                _ => {
                    return Err(Error::Unsupported(format!(
                        "the DSS /{} is not an array",
                        String::from_utf8_lossy(kind.list_key())
                    )))
                }
            },
        };
        for item in &items {
            if let Ok(Some(Object::Stream(d, raw))) = pdf.resolve(last, item) {
                if let Ok(der) = decode_stream(&d, &raw) {
                    store.known.insert((kind, der), item.clone());
                }
            }
        }
        store.lists.insert(kind, items);
    }
    let mut vri = match dss.get(b"VRI") {
        None => Dict::default(),
        Some(o) => match pdf.resolve(last, o)? {
            Some(Object::Dict(d)) => d,
            _ => {
                return Err(Error::Unsupported(
                    "the DSS /VRI is not a dictionary".into(),
                ))
            }
        },
    };
    for sig in evidence {
        let e = &sig.evidence;
        let mut entry = Dict::default();
        let certs: Vec<Object> = e
            .certs
            .iter()
            .map(|c| store.item(Kind::Cert, c.der()))
            .collect();
        let crls: Vec<Object> = e
            .crls
            .iter()
            .map(|c| store.item(Kind::Crl, c.der()))
            .collect();
        let ocsps: Vec<Object> = e
            .ocsp
            .iter()
            .map(|o| store.item(Kind::Ocsp, o.der()))
            .collect();
        for (kind, list) in [(Kind::Cert, certs), (Kind::Crl, crls), (Kind::Ocsp, ocsps)] {
            if !list.is_empty() {
                put(&mut entry, kind.vri_key(), Object::Array(list));
            }
        }
        put(&mut vri, &vri_key(&sig.contents)?, Object::Dict(entry));
    }
    for kind in Kind::ALL {
        let list = store.lists.remove(&kind).unwrap_or_default();
        if !list.is_empty() {
            put(&mut dss, kind.list_key(), Object::Array(list));
        }
    }
    put(&mut dss, b"VRI", Object::Dict(vri));
    put(&mut dss, b"Type", Object::Name(b"DSS".to_vec()));
    match dss_ref {
        Some((n, _)) => update.set(n, &Object::Dict(dss)),
        None => {
            let n = update.allocate();
            update.set(n, &Object::Dict(dss));
            put(&mut catalog, b"DSS", Object::Ref(n, 0));
            update.set(root, &Object::Dict(catalog));
        }
    }
    Ok(update.finish()?.update)
}
