//! No module circles inside a crate (issue 14: "no module circles inside a crate").
//!
//! Parses every crate's source (crates/*, cli/) and builds, for every module, the graph of its
//! child modules: an edge `a → b` under a parent `p` when code in `p::a` (or below it) names
//! `p::b` (or something below it) through `crate::`, `self::` or `super::` paths, in `use` trees
//! and in expressions and types alike. Names re-exported by the crate root (`pub use x::Y` in
//! lib.rs) count as the module they come from. A strongly connected set of two or more sibling
//! modules is a circle: the shared item belongs in a module of its own. `#[cfg(test)]` code is
//! left out (a test may reach anywhere).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

mod source;
use source::is_cfg_test;

type ModPath = Vec<String>;

/// The crates of the workspace: each `src/` directory with its root file.
fn crate_roots() -> Vec<(String, PathBuf)> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut roots = Vec::new();
    let crates = workspace.join("crates");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&crates)
        .expect("crates/")
        .map(|e| e.expect("crates/ entry").path())
        .collect();
    dirs.push(workspace.join("cli"));
    dirs.sort();
    for dir in dirs {
        let src = dir.join("src");
        for root in ["lib.rs", "main.rs"] {
            if src.join(root).is_file() {
                let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                roots.push((format!("{name} ({root})"), src.join(root)));
            }
        }
    }
    roots
}

/// One crate's module tree: every module's path, and the edges between sibling modules.
#[derive(Default)]
struct Crate {
    modules: BTreeSet<ModPath>,
    /// Names the crate root brings into scope (`use a::b::Name;`): `Name` → `[a, b]`.
    root_names: BTreeMap<String, ModPath>,
    /// (parent, from child, to child) → one place that makes the edge.
    edges: BTreeMap<(ModPath, String, String), String>,
}

/// The file of module `child` declared (without a body) in `file`, whose own module is `module`.
fn child_file(file: &Path, is_dir_owner: bool, child: &str, attrs: &[syn::Attribute]) -> PathBuf {
    for a in attrs {
        if a.path().is_ident("path") {
            if let syn::Meta::NameValue(nv) = &a.meta {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = &nv.value
                {
                    return file.parent().unwrap().join(s.value());
                }
            }
        }
    }
    let base = if is_dir_owner {
        file.parent().unwrap().to_path_buf()
    } else {
        file.with_extension("")
    };
    let flat = base.join(format!("{child}.rs"));
    if flat.is_file() {
        flat
    } else {
        base.join(child).join("mod.rs")
    }
}

/// First pass: every module of the crate, and the files that hold them.
fn discover(
    file: &Path,
    is_dir_owner: bool,
    module: &ModPath,
    items: &[syn::Item],
    krate: &mut Crate,
    files: &mut Vec<(PathBuf, ModPath, syn::File)>,
) {
    krate.modules.insert(module.clone());
    for item in items {
        if let syn::Item::Mod(m) = item {
            if is_cfg_test(&m.attrs) {
                continue;
            }
            let mut path = module.clone();
            path.push(m.ident.to_string());
            match &m.content {
                Some((_, inner)) => discover(file, is_dir_owner, &path, inner, krate, files),
                None => {
                    let child = child_file(file, is_dir_owner, &m.ident.to_string(), &m.attrs);
                    let parsed = source::parse(&child);
                    let owner = child.file_name().is_some_and(|n| n == "mod.rs");
                    discover(&child, owner, &path, &parsed.items, krate, files);
                    files.push((child, path, parsed));
                }
            }
        }
    }
}

/// The absolute module path a `crate::`/`self::`/`super::` path starts from, and the rest.
fn resolve(module: &ModPath, segments: &[String]) -> Option<ModPath> {
    let mut base: ModPath;
    let mut rest = segments;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base = Vec::new();
            rest = &rest[1..];
        }
        Some("self") => {
            base = module.clone();
            rest = &rest[1..];
        }
        Some("super") => {
            base = module.clone();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// Second pass: the edges that the paths in one module's code make.
struct Edges<'a> {
    krate: &'a mut Crate,
    /// The module whose code is being read (inline `mod x { }` pushes onto it).
    module: ModPath,
    file: String,
}

impl Edges<'_> {
    fn target(&mut self, absolute: ModPath) {
        // The longest prefix of `absolute` that is a module; a root-level name counts as
        // the module the root brought it from.
        let mut target = absolute;
        if target.len() == 1 {
            if let Some(from) = self.krate.root_names.get(&target[0]) {
                target = from.clone();
            }
        }
        while !target.is_empty() && !self.krate.modules.contains(&target) {
            target.pop();
        }
        let common = self
            .module
            .iter()
            .zip(&target)
            .take_while(|(a, b)| a == b)
            .count();
        if common < self.module.len() && common < target.len() {
            let parent = self.module[..common].to_vec();
            let key = (parent, self.module[common].clone(), target[common].clone());
            let place = format!("{} (module {})", self.file, self.module.join("::"));
            self.krate.edges.entry(key).or_insert(place);
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => self.use_path(prefix, Some(n.ident.to_string())),
            syn::UseTree::Rename(r) => self.use_path(prefix, Some(r.ident.to_string())),
            syn::UseTree::Glob(_) => self.use_path(prefix, None),
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(prefix, t);
                }
            }
        }
    }

    fn use_path(&mut self, prefix: &[String], last: Option<String>) {
        let mut segments = prefix.to_vec();
        if let Some(last) = last.filter(|l| l != "self") {
            segments.push(last);
        }
        if let Some(abs) = resolve(&self.module, &segments) {
            self.target(abs);
        }
    }
}

impl<'ast> Visit<'ast> for Edges<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if is_cfg_test(&m.attrs) {
            return;
        }
        if let Some((_, items)) = &m.content {
            self.module.push(m.ident.to_string());
            for item in items {
                self.visit_item(item);
            }
            self.module.pop();
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_cfg_test(&f.attrs) {
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if !is_cfg_test(&i.attrs) {
            syn::visit::visit_item_impl(self, i);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if !is_cfg_test(&u.attrs) {
            self.use_tree(&mut Vec::new(), &u.tree);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if let Some(abs) = resolve(&self.module, &segments) {
            self.target(abs);
        }
        syn::visit::visit_path(self, p);
    }
}

/// The names the crate root's `use` items bring into the root's scope.
fn root_names(root: &syn::File, krate: &mut Crate) {
    fn walk(prefix: &mut Vec<String>, tree: &syn::UseTree, out: &mut BTreeMap<String, ModPath>) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                walk(prefix, &p.tree, out);
                prefix.pop();
            }
            syn::UseTree::Name(_) | syn::UseTree::Rename(_) => {
                let name = match tree {
                    syn::UseTree::Rename(r) => r.rename.to_string(),
                    syn::UseTree::Name(n) => n.ident.to_string(),
                    _ => unreachable!("matched above"),
                };
                let from: ModPath = prefix
                    .iter()
                    .filter(|s| *s != "crate" && *s != "self")
                    .cloned()
                    .collect();
                out.insert(name, from);
            }
            syn::UseTree::Glob(_) => {}
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    walk(prefix, t, out);
                }
            }
        }
    }
    for item in &root.items {
        if let syn::Item::Use(u) = item {
            walk(&mut Vec::new(), &u.tree, &mut krate.root_names);
        }
    }
    // Only names that come from this crate's own modules.
    let modules = krate.modules.clone();
    krate
        .root_names
        .retain(|_, from| !from.is_empty() && modules.contains(&from[..1]));
}

/// The circles (strongly connected sets of two or more) of one parent's child graph.
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = edges
        .iter()
        .flat_map(|(a, bs)| std::iter::once(a).chain(bs))
        .collect();
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for next in edges.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for n in &nodes {
        let set: BTreeSet<String> = reaches[n]
            .iter()
            .filter(|m| reaches.get(m).is_some_and(|r| r.contains(*n)))
            .cloned()
            .chain(std::iter::once((*n).clone()))
            .collect();
        if set.len() > 1 && !found.contains(&set) {
            found.push(set);
        }
    }
    found
}

/// One circle: under which parent, which sibling modules, and the edges that make it.
struct Circle {
    parent: String,
    modules: BTreeSet<String>,
    text: String,
}

fn crate_circles(root_file: &Path) -> Vec<Circle> {
    let root = source::parse(root_file);
    let mut krate = Crate::default();
    let mut files = Vec::new();
    discover(
        root_file,
        true,
        &Vec::new(),
        &root.items,
        &mut krate,
        &mut files,
    );
    root_names(&root, &mut krate);
    files.push((root_file.to_path_buf(), Vec::new(), root));
    for (file, module, parsed) in &files {
        let mut v = Edges {
            krate: &mut krate,
            module: module.clone(),
            file: file.display().to_string(),
        };
        for item in &parsed.items {
            v.visit_item(item);
        }
    }
    let mut by_parent: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (parent, from, to) in krate.edges.keys() {
        by_parent
            .entry(parent.clone())
            .or_default()
            .entry(from.clone())
            .or_default()
            .insert(to.clone());
    }
    let mut out = Vec::new();
    for (parent, graph) in &by_parent {
        for circle in circles(graph) {
            let places: Vec<String> = krate
                .edges
                .iter()
                .filter(|((p, a, b), _)| p == parent && circle.contains(a) && circle.contains(b))
                .map(|((_, a, b), place)| format!("    {a} → {b}: {place}"))
                .collect();
            let parent = if parent.is_empty() {
                "crate".to_string()
            } else {
                parent.join("::")
            };
            let text = format!("circle under {parent}: {circle:?}\n{}", places.join("\n"));
            out.push(Circle {
                parent,
                modules: circle,
                text,
            });
        }
    }
    out
}

/// Circles still to be untied: (crate, parent module, the sibling modules in the circle). A
/// circle found is tolerated when its modules are all in a listed entry of its crate and parent
/// (it may shrink as modules are untied, never grow); a listed entry that matches no circle any
/// more fails the test, so the list is kept to what is left.
const KNOWN: &[(&str, &str, &[&str])] = &[];

#[test]
fn no_module_circles_inside_a_crate() {
    let roots = crate_roots();
    assert!(roots.len() >= 10, "found only {} crates", roots.len());
    let mut new = Vec::new();
    let mut matched = vec![false; KNOWN.len()];
    for (name, root) in &roots {
        for c in crate_circles(root) {
            let known = KNOWN.iter().position(|(k, parent, modules)| {
                name.starts_with(&format!("{k} ("))
                    && *parent == c.parent
                    && c.modules.iter().all(|m| modules.contains(&m.as_str()))
            });
            match known {
                Some(i) => matched[i] = true,
                None => new.push(format!("{name}: {}", c.text)),
            }
        }
    }
    assert!(new.is_empty(), "module circles:\n{}", new.join("\n"));
    let gone: Vec<_> = KNOWN
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(k, _)| k)
        .collect();
    assert!(
        gone.is_empty(),
        "circles no longer there, take them off KNOWN: {gone:?}"
    );
}

#[cfg(test)]
mod checks {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
        }
        g
    }

    #[test]
    fn a_chain_is_no_circle() {
        assert!(circles(&graph(&[("a", "b"), ("b", "c")])).is_empty());
    }

    #[test]
    fn two_modules_naming_each_other_are_a_circle() {
        let found = circles(&graph(&[("a", "b"), ("b", "a"), ("b", "c")]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0], ["a", "b"].iter().map(|s| s.to_string()).collect());
    }

    #[test]
    fn a_longer_circle_is_found_once() {
        let found = circles(&graph(&[("a", "b"), ("b", "c"), ("c", "a")]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), 3);
    }

    #[test]
    fn paths_resolve_from_the_module() {
        let m: ModPath = vec!["a".into(), "b".into()];
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(resolve(&m, &s(&["crate", "c", "X"])), Some(s(&["c", "X"])));
        assert_eq!(resolve(&m, &s(&["super", "d"])), Some(s(&["a", "d"])));
        assert_eq!(resolve(&m, &s(&["super", "super", "e"])), Some(s(&["e"])));
        assert_eq!(resolve(&m, &s(&["self", "f"])), Some(s(&["a", "b", "f"])));
        assert_eq!(resolve(&m, &s(&["std", "io"])), None);
        assert_eq!(resolve(&m, &s(&["super", "super", "super", "x"])), None);
    }

    #[test]
    fn a_crate_with_a_circle_is_caught() {
        let dir = std::env::temp_dir().join(format!("hozon-cycles-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("lib.rs"),
            "mod a;\nmod b;\nmod c;\npub use a::A;\n",
        )
        .unwrap();
        std::fs::write(dir.join("a.rs"), "pub struct A;\nuse crate::b::B;\n").unwrap();
        // b reaches a through the root's re-export; c is only a leaf.
        std::fs::write(dir.join("b.rs"), "pub struct B(crate::A);\nuse super::c;\n").unwrap();
        std::fs::write(dir.join("c.rs"), "pub struct C;\n").unwrap();
        let found = crate_circles(&dir.join("lib.rs"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].parent, "crate");
        assert_eq!(
            found[0].modules,
            ["a", "b"].iter().map(|s| s.to_string()).collect(),
            "{}",
            found[0].text
        );
    }
}
