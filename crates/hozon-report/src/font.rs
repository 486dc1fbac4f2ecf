//! The Japanese font of the PDF report, found at run time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ReportError;

/// Where the PDF report looks for a Japanese font, in order, after
/// `HOZON_FONT`: IPAex Gothic (Debian/Ubuntu `fonts-ipaexfont-gothic`),
/// then Noto Sans CJK (`fonts-noto-cjk`, the Japanese face of the
/// collection), then IPA Gothic (`fonts-ipafont-gothic`).
pub const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/ipafont-gothic/ipag.ttf",
];

/// A font file read into memory.
#[derive(Clone)]
pub struct ReportFont {
    pub(crate) data: Arc<Vec<u8>>,
    pub(crate) index: u32,
    path: PathBuf,
}

impl std::fmt::Debug for ReportFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportFont")
            .field("path", &self.path)
            .field("index", &self.index)
            .finish()
    }
}

impl ReportFont {
    /// `hozon_font` (the value of `HOZON_FONT`) when set, else the first
    /// of [`FONT_PATHS`] that exists.
    pub fn find(hozon_font: Option<&Path>) -> Result<ReportFont, ReportError> {
        if let Some(path) = hozon_font {
            return ReportFont::load(path);
        }
        match FONT_PATHS.iter().map(Path::new).find(|p| p.is_file()) {
            Some(path) => ReportFont::load(path),
            None => Err(ReportError::NoFont {
                searched: format!("HOZON_FONT, {}", FONT_PATHS.join(", ")),
            }),
        }
    }

    /// The font in `path` (the first face of a collection).
    pub fn load(path: &Path) -> Result<ReportFont, ReportError> {
        let bad = |reason: String| ReportError::BadFont {
            path: path.to_path_buf(),
            reason,
        };
        let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        skrifa::FontRef::from_index(&data, 0).map_err(|e| bad(e.to_string()))?;
        Ok(ReportFont {
            data: Arc::new(data),
            index: 0,
            path: path.to_path_buf(),
        })
    }

    /// The font file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
