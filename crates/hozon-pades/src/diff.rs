//! What changed after a signed revision (ETSI EN 319 142-1 §5.4 and
//! ISO 32000-1 §12.8.2.2, in the manner of pyHanko's difference analysis):
//! every object that a later incremental update added, replaced or deleted
//! is compared with the signed revision's and classified. Only additions
//! PAdES allows are permitted — the Document Security Store and its VRI,
//! document time stamps, further signatures with their fields and widgets
//! (not under `/DocMDP` P=1), and annotations under P=3; anything else, or
//! anything not understood, is a modification.

use std::collections::{BTreeSet, HashSet};

use crate::lexer::{Dict, Object};
use crate::pdf::{Entry, Pdf};

/// A change made after the signed revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The revision (1-based) that made it.
    pub revision: usize,
    /// What changed.
    pub description: String,
    /// Whether PAdES allows it.
    pub allowed: bool,
}

/// Annotation subtypes that are not markup a reader adds to a page
/// (widgets belong to form fields; the others draw or act).
const NON_MARKUP: &[&[u8]] = &[
    b"Widget",
    b"Link",
    b"Movie",
    b"Screen",
    b"PrinterMark",
    b"TrapNet",
    b"Watermark",
    b"3D",
    b"RichMedia",
    b"Popup",
];

/// Deepest reference chain followed.
const MAX_OBJECTS: usize = 2_000_000;

struct Analysis<'a> {
    pdf: &'a Pdf,
    old: usize,
    new: usize,
    docmdp: Option<i64>,
    changes: Vec<Change>,
    /// Objects reachable from what the later revisions were allowed to add.
    roots: Vec<u32>,
}

fn refs(o: &Object, out: &mut Vec<u32>) {
    match o {
        Object::Ref(n, _) => out.push(*n),
        Object::Array(items) => items.iter().for_each(|i| refs(i, out)),
        Object::Dict(d) | Object::Stream(d, _) => {
            d.entries.iter().for_each(|(_, v, _)| refs(v, out))
        }
        _ => {}
    }
}

fn name(o: &Object, key: &[u8]) -> String {
    o.dict()
        .and_then(|d| d.name(key))
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default()
}

fn describe(num: u32, o: &Object) -> String {
    let ty = name(o, b"Type");
    let sub = name(o, b"Subtype");
    match (ty.is_empty(), sub.is_empty()) {
        (false, false) => format!("object {num} (/{ty} /{sub})"),
        (false, true) => format!("object {num} (/{ty})"),
        (true, false) => format!("object {num} (/{sub})"),
        (true, true) => format!("object {num}"),
    }
}

fn ref_list(o: Option<&Object>) -> Vec<u32> {
    match o {
        Some(Object::Array(items)) => items
            .iter()
            .filter_map(Object::reference)
            .map(|r| r.0)
            .collect(),
        _ => Vec::new(),
    }
}

/// The changes after revision `old` (0-based) up to the last revision.
/// `docmdp` is the P of a certification signature signed at or before it.
pub fn analyse(pdf: &Pdf, old: usize, docmdp: Option<i64>) -> Vec<Change> {
    let new = pdf.revisions.len() - 1;
    let mut a = Analysis {
        pdf,
        old,
        new,
        docmdp,
        changes: Vec::new(),
        roots: Vec::new(),
    };
    if old < new {
        a.run();
    }
    a.changes
}

impl Analysis<'_> {
    fn modified(&mut self, revision: usize, description: String) {
        self.changes.push(Change {
            revision,
            description,
            allowed: false,
        });
    }

    fn permitted(&mut self, revision: usize, description: String) {
        self.changes.push(Change {
            revision,
            description,
            allowed: true,
        });
    }

    /// The (1-based) revision that last wrote object `num`.
    fn writer(&self, num: u32) -> usize {
        self.pdf.entry(self.new, num).map_or(self.new, |(r, _)| r) + 1
    }

    fn run(&mut self) {
        let (pdf, old, new) = (self.pdf, self.old, self.new);
        let last = new + 1;
        let old_trailer = pdf.trailer(old);
        let new_trailer = pdf.trailer(new);
        let old_root = old_trailer.get(b"Root").and_then(Object::reference);
        let new_root = new_trailer.get(b"Root").and_then(Object::reference);
        if old_root != new_root || old_root.is_none() {
            self.modified(
                last,
                "the trailer's /Root names a different document catalog".into(),
            );
            return;
        }
        if old_trailer.get(b"Encrypt") != new_trailer.get(b"Encrypt") {
            self.modified(last, "the trailer's /Encrypt changed".into());
        }
        let root = old_root.map_or(0, |r| r.0);
        let old_info = old_trailer.get(b"Info").and_then(Object::reference);
        let new_info = new_trailer.get(b"Info").and_then(Object::reference);
        if let Some((n, _)) = new_info.filter(|_| new_info != old_info) {
            self.permitted(
                self.writer(n),
                "a new document information dictionary".into(),
            );
            self.roots.push(n);
        }
        let info: BTreeSet<u32> = [old_trailer, new_trailer]
            .iter()
            .filter_map(|t| t.get(b"Info").and_then(Object::reference))
            .map(|r| r.0)
            .collect();
        // Every object a later revision's cross-reference section names,
        // and every object read from an object stream (the stream itself
        // may have been replaced).
        let mut candidates = BTreeSet::new();
        for r in &pdf.revisions[old + 1..=new] {
            candidates.extend(r.entries.keys().copied());
        }
        for r in &pdf.revisions[..=new] {
            for (n, e) in &r.entries {
                if matches!(e, Entry::Compressed { .. }) {
                    candidates.insert(*n);
                }
            }
        }
        let (old_reachable, dangling) = match self.reachable(old, old_trailer) {
            Ok(v) => v,
            Err(why) => {
                self.modified(
                    last,
                    format!("the signed revision cannot be read completely: {why}"),
                );
                return;
            }
        };
        let old_catalog = pdf.object(old, root).ok().flatten();
        let old_dss: HashSet<u32> = match old_catalog
            .as_ref()
            .and_then(|c| c.dict())
            .and_then(|c| c.get(b"DSS"))
        {
            Some(dss) => self.closure(old, dss),
            None => HashSet::new(),
        };
        let old_acroform = old_catalog
            .as_ref()
            .and_then(|c| c.dict())
            .and_then(|c| c.get(b"AcroForm"))
            .and_then(Object::reference)
            .map(|r| r.0);
        let mut added = Vec::new();
        for num in candidates {
            let before = pdf.object(old, num);
            let after = pdf.object(new, num);
            let (before, after) = match (before, after) {
                (Ok(b), Ok(a)) => (b, a),
                (_, Err(e)) | (Err(e), _) => {
                    let w = self.writer(num);
                    self.modified(w, format!("object {num} cannot be read: {e}"));
                    continue;
                }
            };
            if before == after {
                continue;
            }
            let w = self.writer(num);
            match (before, after) {
                (None, None) => {}
                (Some(b), None) => {
                    if old_reachable.contains(&num) {
                        self.modified(w, format!("{} was deleted", describe(num, &b)));
                    }
                }
                (None, Some(a)) => {
                    if dangling.contains(&num) {
                        self.modified(
                            w,
                            format!("{} was added where the signed revision referred to a missing object: it changes what the signed revision showed", describe(num, &a)),
                        );
                    } else {
                        added.push(num);
                    }
                }
                (Some(b), Some(a)) => {
                    if num == root {
                        self.catalog(w, &b, &a);
                    } else if info.contains(&num) {
                        self.permitted(w, "the document information dictionary was updated".into());
                        self.roots.push(num);
                    } else if old_dss.contains(&num) {
                        self.permitted(
                            w,
                            format!(
                                "the Document Security Store's {} was updated",
                                describe(num, &a)
                            ),
                        );
                        self.roots.push(num);
                    } else if Some(num) == old_acroform {
                        self.acroform(w, b.dict(), &a);
                    } else if b.dict().and_then(|d| d.name(b"Type")) == Some(b"Page") {
                        self.page(w, num, &b, &a);
                    } else if b.dict().and_then(|d| d.name(b"FT")) == Some(b"Sig") {
                        self.signature_field(w, num, &b, &a);
                    } else if !old_reachable.contains(&num) {
                        // Replacing an object nothing used is harmless only
                        // while nothing uses it now: checked with the
                        // additions below.
                        added.push(num);
                    } else {
                        self.modified(w, format!("{} was replaced", describe(num, &b)));
                    }
                }
            }
        }
        self.additions(&added);
    }

    /// Objects reachable from `trailer` in revision `rev`, and the
    /// referenced numbers that do not exist there.
    fn reachable(
        &self,
        rev: usize,
        trailer: &Dict,
    ) -> Result<(HashSet<u32>, HashSet<u32>), String> {
        let mut seen = HashSet::new();
        let mut missing = HashSet::new();
        let mut todo = Vec::new();
        for key in [&b"Root"[..], b"Info"] {
            if let Some(o) = trailer.get(key) {
                refs(o, &mut todo);
            }
        }
        while let Some(n) = todo.pop() {
            if !seen.insert(n) {
                continue;
            }
            if seen.len() > MAX_OBJECTS {
                return Err("too many objects".into());
            }
            match self.pdf.object(rev, n).map_err(|e| e.to_string())? {
                Some(o) => refs(&o, &mut todo),
                None => {
                    missing.insert(n);
                }
            }
        }
        Ok((seen, missing))
    }

    /// Objects reachable from `o` in revision `rev` (unreadable ones left out).
    fn closure(&self, rev: usize, o: &Object) -> HashSet<u32> {
        let mut seen = HashSet::new();
        let mut todo = Vec::new();
        refs(o, &mut todo);
        while let Some(n) = todo.pop() {
            if seen.len() > MAX_OBJECTS || !seen.insert(n) {
                continue;
            }
            if let Ok(Some(o)) = self.pdf.object(rev, n) {
                refs(&o, &mut todo);
            }
        }
        seen
    }

    fn catalog(&mut self, w: usize, before: &Object, after: &Object) {
        let (Some(b), Some(a)) = (before.dict(), after.dict()) else {
            self.modified(w, "the document catalog is no longer a dictionary".into());
            return;
        };
        for key in b.changed_keys(a) {
            match key.as_slice() {
                b"DSS" => {
                    self.permitted(
                        w,
                        "a Document Security Store (/DSS) was added or updated".into(),
                    );
                    if let Some(dss) = a.get(b"DSS") {
                        refs(dss, &mut self.roots);
                    }
                }
                b"Extensions" => {
                    self.permitted(
                        w,
                        "the catalog's developer extensions (/Extensions) were updated".into(),
                    );
                    if let Some(e) = a.get(b"Extensions") {
                        refs(e, &mut self.roots);
                    }
                }
                b"AcroForm" => {
                    let before_af = b
                        .get(b"AcroForm")
                        .and_then(|o| self.pdf.resolve(self.old, o).ok().flatten());
                    match a
                        .get(b"AcroForm")
                        .and_then(|o| self.pdf.resolve(self.new, o).ok().flatten())
                    {
                        Some(af) => {
                            if let Some(Object::Ref(n, _)) = a.get(b"AcroForm") {
                                self.roots.push(*n);
                            }
                            self.acroform(w, before_af.as_ref().and_then(Object::dict), &af);
                        }
                        None => {
                            self.modified(w, "the interactive form (/AcroForm) was removed".into())
                        }
                    }
                }
                other => self.modified(
                    w,
                    format!(
                        "the document catalog's /{} changed",
                        String::from_utf8_lossy(other)
                    ),
                ),
            }
        }
    }

    fn acroform(&mut self, w: usize, before: Option<&Dict>, after: &Object) {
        let Some(a) = after.dict() else {
            self.modified(w, "the interactive form is no longer a dictionary".into());
            return;
        };
        let empty = Dict::default();
        let b = before.unwrap_or(&empty);
        for key in b.changed_keys(a) {
            match key.as_slice() {
                b"SigFlags" => self.permitted(w, "the form's /SigFlags were set".into()),
                b"Fields" => {
                    // An array given directly or through a reference.
                    let before_fields = b
                        .get(b"Fields")
                        .and_then(|o| self.pdf.resolve(self.old, o).ok().flatten());
                    let after_fields = a
                        .get(b"Fields")
                        .and_then(|o| self.pdf.resolve(self.new, o).ok().flatten());
                    let old_fields = ref_list(before_fields.as_ref());
                    let new_fields = ref_list(after_fields.as_ref());
                    if !matches!(after_fields, Some(Object::Array(_)))
                        || old_fields.iter().any(|f| !new_fields.contains(f))
                    {
                        self.modified(
                            w,
                            "form fields were removed from the interactive form".into(),
                        );
                        continue;
                    }
                    for f in new_fields.into_iter().filter(|f| !old_fields.contains(f)) {
                        self.new_field(w, f);
                    }
                }
                other => self.modified(
                    w,
                    format!(
                        "the interactive form's /{} changed",
                        String::from_utf8_lossy(other)
                    ),
                ),
            }
        }
    }

    /// A field added to the form: only signature fields are allowed.
    fn new_field(&mut self, w: usize, num: u32) {
        let Ok(Some(field)) = self.pdf.object(self.new, num) else {
            self.modified(w, format!("the added form field {num} cannot be read"));
            return;
        };
        if matches!(self.pdf.object(self.old, num), Ok(Some(_))) {
            self.modified(w, format!("an existing object {num} was made a form field"));
            return;
        }
        if field.dict().and_then(|d| d.name(b"FT")) != Some(b"Sig") {
            self.modified(
                w,
                format!(
                    "a form field that is not a signature field ({}) was added",
                    describe(num, &field)
                ),
            );
            return;
        }
        let value = field
            .dict()
            .and_then(|d| d.get(b"V"))
            .and_then(|v| self.pdf.resolve(self.new, v).ok().flatten());
        let is_timestamp = value
            .as_ref()
            .and_then(|v| v.dict())
            .and_then(|d| d.name(b"Type"))
            == Some(b"DocTimeStamp");
        match (&value, is_timestamp) {
            (Some(_), true) => {
                self.permitted(w, format!("a document time stamp was added (field {num})"))
            }
            (Some(_), false) if self.docmdp == Some(1) => {
                self.modified(w, format!("a signature was added (field {num}) although the certification signature allows no changes (/DocMDP P=1)"));
                return;
            }
            (Some(_), false) => self.permitted(w, format!("a signature was added (field {num})")),
            (None, _) if self.docmdp == Some(1) => {
                self.modified(w, format!("an empty signature field {num} was added although the certification signature allows no changes (/DocMDP P=1)"));
                return;
            }
            (None, _) => self.permitted(
                w,
                format!("an empty signature field was added (field {num})"),
            ),
        }
        self.roots.push(num);
    }

    fn page(&mut self, w: usize, num: u32, before: &Object, after: &Object) {
        let (Some(b), Some(a)) = (before.dict(), after.dict()) else {
            self.modified(w, format!("page object {num} is no longer a dictionary"));
            return;
        };
        for key in b.changed_keys(a) {
            if key != b"Annots" {
                self.modified(
                    w,
                    format!(
                        "page object {num}: /{} changed",
                        String::from_utf8_lossy(&key)
                    ),
                );
                continue;
            }
            // An array given directly or through a reference.
            let array = |rev: usize, d: &Dict| match d.get(b"Annots") {
                None => Some(Object::Array(Vec::new())),
                Some(o) => self.pdf.resolve(rev, o).ok().flatten(),
            };
            let (before_annots, after_annots) = (array(self.old, b), array(self.new, a));
            let old_annots = ref_list(before_annots.as_ref());
            let new_annots = ref_list(after_annots.as_ref());
            let direct = |o: &Option<Object>| match o {
                Some(Object::Array(items)) => items.iter().all(|i| i.reference().is_some()),
                _ => false,
            };
            if !direct(&before_annots)
                || !direct(&after_annots)
                || old_annots.iter().any(|x| !new_annots.contains(x))
            {
                self.modified(
                    w,
                    format!("page object {num}: annotations were removed or replaced"),
                );
                continue;
            }
            for annot in new_annots.into_iter().filter(|x| !old_annots.contains(x)) {
                self.new_annotation(w, num, annot);
            }
        }
    }

    fn new_annotation(&mut self, w: usize, page: u32, num: u32) {
        let Ok(Some(annot)) = self.pdf.object(self.new, num) else {
            self.modified(
                w,
                format!("page object {page}: the added annotation {num} cannot be read"),
            );
            return;
        };
        if matches!(self.pdf.object(self.old, num), Ok(Some(_))) {
            self.modified(
                w,
                format!("page object {page}: existing object {num} was made an annotation"),
            );
            return;
        }
        let d = annot.dict();
        let subtype = d.and_then(|d| d.name(b"Subtype")).unwrap_or_default();
        // A signature widget: the field itself (merged) or its kid.
        let sig_field = |o: &Object| o.dict().and_then(|d| d.name(b"FT")) == Some(b"Sig");
        let parent = d
            .and_then(|d| d.get(b"Parent"))
            .and_then(|p| self.pdf.resolve(self.new, p).ok().flatten());
        if subtype == b"Widget" && (sig_field(&annot) || parent.as_ref().is_some_and(sig_field)) {
            self.permitted(
                w,
                format!("page object {page}: a signature widget was added (object {num})"),
            );
            self.roots.push(num);
        } else if self.docmdp == Some(3) && !subtype.is_empty() && !NON_MARKUP.contains(&subtype) {
            self.permitted(
                w,
                format!(
                    "page object {page}: an annotation {} was added (/DocMDP P=3)",
                    describe(num, &annot)
                ),
            );
            self.roots.push(num);
        } else {
            self.modified(
                w,
                format!(
                    "page object {page}: an annotation {} was added",
                    describe(num, &annot)
                ),
            );
        }
    }

    fn signature_field(&mut self, w: usize, num: u32, before: &Object, after: &Object) {
        let (Some(b), Some(a)) = (before.dict(), after.dict()) else {
            self.modified(
                w,
                format!("signature field {num} is no longer a dictionary"),
            );
            return;
        };
        let signed = !matches!(b.get(b"V"), None | Some(Object::Null));
        let changed = b.changed_keys(a);
        if signed {
            self.modified(w, format!("the signed signature field {num} was redefined"));
        } else if changed.iter().all(|k| k == b"V" || k == b"AP") {
            if self.docmdp == Some(1) {
                self.modified(w, format!("the empty signature field {num} was signed although the certification signature allows no changes (/DocMDP P=1)"));
            } else {
                self.permitted(w, format!("the empty signature field {num} was signed"));
                self.roots.push(num);
            }
        } else {
            self.modified(w, format!("signature field {num} was changed"));
        }
    }

    /// Added objects must be reachable only through what was allowed.
    fn additions(&mut self, added: &[u32]) {
        let mut allowed: HashSet<u32> = HashSet::new();
        let mut todo = self.roots.clone();
        while let Some(n) = todo.pop() {
            if allowed.len() > MAX_OBJECTS || !allowed.insert(n) {
                continue;
            }
            if let Ok(Some(o)) = self.pdf.object(self.new, n) {
                refs(&o, &mut todo);
            }
        }
        let mut used: Option<HashSet<u32>> = None;
        for &num in added {
            let w = self.writer(num);
            let Ok(Some(o)) = self.pdf.object(self.new, num) else {
                continue;
            };
            let ty = o.dict().and_then(|d| d.name(b"Type"));
            if matches!(ty, Some(b"XRef" | b"ObjStm")) || allowed.contains(&num) {
                continue;
            }
            // Not reachable from anything allowed: harmless only if it is
            // reachable from nothing at all in the final revision.
            let used = used.get_or_insert_with(|| self.used_in_final());
            if used.contains(&num) {
                self.modified(w, format!("{} was added", describe(num, &o)));
            } else {
                self.permitted(
                    w,
                    format!("{} was added but is not used", describe(num, &o)),
                );
            }
        }
    }

    /// Objects reachable in the final revision (all of them, if it cannot
    /// be read completely: every addition then counts as used).
    fn used_in_final(&self) -> HashSet<u32> {
        match self.reachable(self.new, self.pdf.trailer(self.new)) {
            Ok((seen, _)) => seen,
            Err(_) => self
                .pdf
                .revisions
                .iter()
                .flat_map(|r| r.entries.keys().copied())
                .collect(),
        }
    }
}
