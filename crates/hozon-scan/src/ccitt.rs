//! CCITT Group 3 and Group 4 fax-coded images (ITU-T T.4 and T.6), as a PDF's `CCITTFaxDecode`
//! filter holds them (ISO 32000-1 §7.4.6): the usual output of office scanners for
//! black-and-white pages.
//!
//! The codes are decoded by the `hayro-ccitt` crate in its strict mode (data that violates the
//! recommendations is an error, not guessed at); this module maps the filter's parameters onto
//! it and requires every row of the image to be there: a stream that ends early is truncated,
//! whatever the decoder managed before the end.

use hayro_ccitt::{DecodeError, DecodeSettings, Decoder, DecoderContext, EncodingMode};

/// The `CCITTFaxDecode` parameters (`/DecodeParms`), with the defaults of ISO 32000-1 Table 11.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// `/K`: below 0 pure two-dimensional (Group 4), 0 one-dimensional (Group 3 1-D), above 0
    /// mixed (Group 3 2-D).
    pub k: i64,
    /// `/EndOfLine`: end-of-line bit patterns are present.
    pub end_of_line: bool,
    /// `/EncodedByteAlign`: each row starts on a byte boundary.
    pub encoded_byte_align: bool,
    /// `/Columns`: pixels per row.
    pub columns: u32,
    /// `/Rows`: rows, 0 when unstated.
    pub rows: u32,
    /// `/EndOfBlock`: the data may end with an end-of-block pattern.
    pub end_of_block: bool,
    /// `/BlackIs1`: 1 bits are black in the decoded samples (else 0 bits are).
    pub black_is_1: bool,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            k: 0,
            end_of_line: false,
            encoded_byte_align: false,
            columns: 1728,
            rows: 0,
            end_of_block: true,
            black_is_1: false,
        }
    }
}

impl Params {
    /// The coding scheme's name, for reports.
    pub fn scheme(&self) -> &'static str {
        match self.k {
            k if k < 0 => "CCITT Group 4",
            0 => "CCITT Group 3 (1-D)",
            _ => "CCITT Group 3 (2-D)",
        }
    }
}

/// Why a CCITT image does not decode.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CcittError {
    /// `/Columns` and the image's `/Width` disagree.
    #[error("/DecodeParms /Columns {columns} differs from the image /Width {width}")]
    Columns {
        /// `/Columns`.
        columns: u32,
        /// `/Width`.
        width: u32,
    },
    /// `/Rows` and the image's `/Height` disagree.
    #[error("/DecodeParms /Rows {rows} differs from the image /Height {height}")]
    Rows {
        /// `/Rows`.
        rows: u32,
        /// `/Height`.
        height: u32,
    },
    /// The data ends before the last row.
    #[error("{scheme} data ends after {rows} of {height} rows (truncated)")]
    Truncated {
        /// Coding scheme.
        scheme: &'static str,
        /// Rows decoded.
        rows: u32,
        /// Rows the image has.
        height: u32,
    },
    /// The codes are invalid.
    #[error("{scheme} data does not decode at row {row} of {height}: {reason}")]
    Invalid {
        /// Coding scheme.
        scheme: &'static str,
        /// 1-based row where decoding failed.
        row: u32,
        /// Rows the image has.
        height: u32,
        /// The decoder's reason.
        reason: String,
    },
}

/// The decoded image: one byte per pixel, 1 where the fax coding says black, row by row.
struct Rows {
    width: usize,
    height: u32,
    rows: u32,
    black: Vec<u8>,
}

impl Decoder for Rows {
    fn push_row(&mut self, changes: &[u32]) {
        if self.rows >= self.height {
            return;
        }
        let start = self.black.len();
        self.black.resize(start + self.width, 0);
        let row = &mut self.black[start..];
        // Each row starts white; runs between changes 0-1, 2-3, ... are black.
        for pair in changes.chunks(2) {
            let from = (pair[0] as usize).min(self.width);
            let to = pair
                .get(1)
                .map_or(self.width, |&e| (e as usize).min(self.width));
            if from < to {
                row[from..to].fill(1);
            }
        }
        self.rows += 1;
    }
}

/// Decodes `data` as a `width` x `height` image with `params`; the result has one byte per
/// pixel, 1 for black as the fax coding has it (before `/BlackIs1` and `/Decode`).
pub fn decode(
    data: &[u8],
    params: &Params,
    width: u32,
    height: u32,
) -> Result<Vec<u8>, CcittError> {
    if params.columns != width {
        return Err(CcittError::Columns {
            columns: params.columns,
            width,
        });
    }
    if params.rows != 0 && params.rows != height {
        return Err(CcittError::Rows {
            rows: params.rows,
            height,
        });
    }
    let settings = DecodeSettings {
        columns: width,
        rows: height,
        end_of_block: params.end_of_block,
        end_of_line: params.end_of_line,
        rows_are_byte_aligned: params.encoded_byte_align,
        encoding: match params.k {
            k if k < 0 => EncodingMode::Group4,
            0 => EncodingMode::Group3_1D,
            _ => EncodingMode::Group3_2D,
        },
        strict: true,
    };
    let mut rows = Rows {
        width: width as usize,
        height,
        rows: 0,
        black: Vec::with_capacity(width as usize * height as usize),
    };
    let scheme = params.scheme();
    match hayro_ccitt::decode(data, &mut rows, &mut DecoderContext::new(settings)) {
        Err(DecodeError::UnexpectedEof) => Err(CcittError::Truncated {
            scheme,
            rows: rows.rows,
            height,
        }),
        Err(e) => Err(CcittError::Invalid {
            scheme,
            row: rows.rows + 1,
            height,
            reason: e.to_string(),
        }),
        Ok(_) if rows.rows < height => Err(CcittError::Truncated {
            scheme,
            rows: rows.rows,
            height,
        }),
        Ok(_) => Ok(rows.black),
    }
}
