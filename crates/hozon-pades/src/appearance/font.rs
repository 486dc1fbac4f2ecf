//! The Japanese font of the visible signature stamp, found at run time (as
//! the PDF report finds its font): `HOZON_FONT`, else IPAex Gothic from
//! Debian's `fonts-ipaexfont-gothic`, else IPA Gothic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::StampError;

/// Where the stamp looks for its font, in order, after `HOZON_FONT`.
pub const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
];

/// A font file read into memory (the first face of a collection).
#[derive(Clone)]
pub struct StampFont {
    pub(crate) data: Arc<Vec<u8>>,
    path: PathBuf,
}

impl std::fmt::Debug for StampFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StampFont")
            .field("path", &self.path)
            .finish()
    }
}

impl StampFont {
    /// `hozon_font` (the value of `HOZON_FONT`) when set, else the first of
    /// [`FONT_PATHS`] that exists.
    pub fn find(hozon_font: Option<&Path>) -> Result<StampFont, StampError> {
        if let Some(path) = hozon_font {
            return StampFont::load(path);
        }
        match FONT_PATHS.iter().map(Path::new).find(|p| p.is_file()) {
            Some(path) => StampFont::load(path),
            None => Err(StampError::NoFont {
                searched: format!("HOZON_FONT, {}", FONT_PATHS.join(", ")),
            }),
        }
    }

    /// The font in `path`.
    pub fn load(path: &Path) -> Result<StampFont, StampError> {
        let bad = |reason: String| StampError::BadFont {
            path: path.to_path_buf(),
            reason,
        };
        let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        skrifa::FontRef::from_index(&data, 0).map_err(|e| bad(e.to_string()))?;
        Ok(StampFont {
            data: Arc::new(data),
            path: path.to_path_buf(),
        })
    }

    /// The font file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The font as skrifa reads it.
    pub(crate) fn face(&self) -> Result<skrifa::FontRef<'_>, StampError> {
        skrifa::FontRef::from_index(&self.data, 0).map_err(|e| StampError::BadFont {
            path: self.path.clone(),
            reason: e.to_string(),
        })
    }
}
