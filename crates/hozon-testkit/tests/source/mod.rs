//! What the source-reading tests (api_errors, vocabulary_fields, module_cycles) share: the
//! library crates' files, parsing one, and the attribute and visibility tests they all apply.

use std::path::{Path, PathBuf};

/// `crates/` and every `.rs` file under each crate's `src/`, sorted.
#[allow(dead_code)] // module_cycles walks from each crate root instead
pub fn library_files() -> (PathBuf, Vec<PathBuf>) {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates).expect("crates/") {
        let src = entry.expect("crates/ entry").path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    files.sort();
    assert!(
        files.len() > 100,
        "only {} source files found under {}",
        files.len(),
        crates.display()
    );
    (crates, files)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// `file` parsed; a file that does not read or parse fails the test, naming it.
pub fn parse(file: &Path) -> syn::File {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Whether an item is `#[cfg(test)]` (not API, not part of the module graph).
pub fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

/// Whether `vis` is plain `pub` (`pub(crate)` and `pub(super)` are not API).
#[allow(dead_code)] // module_cycles does not look at visibility
pub fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}
