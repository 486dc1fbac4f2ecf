//! XAdES in `hozon verify`: an `.xml` file whose content holds an XML-DSig
//! signature with XAdES qualifying properties is verified as XAdES (by
//! content, in directory walks too), through the same validation engine as
//! CAdES (hozon-xades is its format adapter). See docs/xades.md.

use std::io::Read;
use std::path::{Path, PathBuf};

use hozon_verify::{SignatureReport, Verifier};
use hozon_xades::xml::MAX_XML_SIZE;
use hozon_xades::{looks_like_xades, XmlInput};

/// Whether `path` is an `.xml` file holding a XAdES signature (by content).
pub fn is_xades_file(path: &Path) -> bool {
    read_if_xades(path).is_some()
}

/// The bytes of `path` when it is an `.xml` file holding a XAdES signature
/// (read once, for [`verify_bytes`]).
pub fn read_if_xades(path: &Path) -> Option<Vec<u8>> {
    let xml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if !xml {
        return None;
    }
    read_limited(path).ok().filter(|b| looks_like_xades(b))
}

/// The file's bytes, at most one byte more than an XML document may have.
pub fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_XML_SIZE as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Verifies the XAdES signatures of `path`; detached references resolve in
/// its directory. `--content` does not apply (the references name the data).
pub fn verify(
    verifier: &Verifier,
    path: &Path,
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, String> {
    let bytes = read_limited(path).map_err(|e| format!("{}: {e}", path.display()))?;
    verify_bytes(verifier, path, &bytes, contents)
}

/// [`verify`] of `path` whose `bytes` are already read.
pub fn verify_bytes(
    verifier: &Verifier,
    path: &Path,
    bytes: &[u8],
    contents: &[PathBuf],
) -> Result<Vec<SignatureReport>, String> {
    let label = path.display().to_string();
    if !contents.is_empty() {
        return Err(format!(
            "{label}: a XAdES signature names its data in its references; --content does not apply"
        ));
    }
    let input = XmlInput {
        label: &label,
        bytes,
        base_dir: Some(crate::xades_extend::base_dir(path)),
    };
    Ok(hozon_xades::verify(verifier, input))
}
