//! XAdES in `hozon verify`: an `.xml` file whose content holds an XML-DSig
//! signature with XAdES qualifying properties is verified as XAdES (by
//! content, in directory walks too), through the same validation engine as
//! CAdES (hozon-xades is its format adapter). See docs/xades.md.

pub use hozon_batch::verify_any::{is_xades_file, read_limited};

/// Verifies the XAdES signatures of `path` (detached references resolve in
/// its directory); a problem is said in words.
pub fn verify(
    verifier: &hozon_verify::Verifier,
    path: &std::path::Path,
    contents: &[std::path::PathBuf],
) -> Result<Vec<hozon_verify::SignatureReport>, String> {
    hozon_batch::verify_any::verify_xades(verifier, path, contents).map_err(|e| e.to_string())
}
