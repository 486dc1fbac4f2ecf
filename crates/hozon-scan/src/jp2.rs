//! JPEG 2000 (ISO/IEC 15444-1): the header only — image size, components,
//! bit depth and capture resolution — so that a JPEG 2000 scan's report
//! says what it is. Its pixels are not decoded (no JPEG 2000 decoder is in
//! the dependency set), so such a file never passes: what was not decoded
//! was not checked.

/// What a JPEG 2000 header says.
#[derive(Clone, Debug, PartialEq)]
pub struct Jp2Header {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Number of components (1 grey, 3 colour, ...).
    pub components: u16,
    /// Bits per component, when all components have the same depth.
    pub bits: Option<u8>,
    /// Capture resolution (else display resolution) in dpi, horizontal
    /// and vertical, from the `res ` box; `None` for a bare codestream or
    /// a file without one.
    pub dpi: Option<(f64, f64)>,
}

impl std::fmt::Display for Jp2Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}x{} px, {} component(s)",
            self.width, self.height, self.components
        )?;
        if let Some(bits) = self.bits {
            write!(f, " of {bits} bit(s)")?;
        }
        match self.dpi {
            Some((h, v)) => write!(f, ", {h:.0}x{v:.0} dpi"),
            None => write!(f, ", resolution not recorded"),
        }
    }
}

/// Reads the header from the first bytes of a JP2 file or a bare
/// codestream; `None` when they are not a well-formed one.
pub fn header(head: &[u8]) -> Option<Jp2Header> {
    if head.starts_with(&[0xff, 0x4f, 0xff, 0x51]) {
        return siz(head.get(4..)?);
    }
    let mut found: Option<Jp2Header> = None;
    let mut dpi = None;
    for (kind, body) in boxes(head) {
        if kind == *b"jp2h" {
            for (kind, body) in boxes(body) {
                match &kind {
                    b"ihdr" => found = ihdr(body),
                    b"res " => {
                        let mut capture = None;
                        let mut display = None;
                        for (kind, body) in boxes(body) {
                            match &kind {
                                b"resc" => capture = resolution(body),
                                b"resd" => display = resolution(body),
                                _ => {}
                            }
                        }
                        dpi = capture.or(display);
                    }
                    _ => {}
                }
            }
        }
    }
    found.map(|h| Jp2Header { dpi, ..h })
}

/// The boxes in `data` (ISO/IEC 15444-1 Annex I.4): (type, contents).
/// Stops at the first box that does not fit.
fn boxes(data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut rest = data;
    while rest.len() >= 8 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = [rest[4], rest[5], rest[6], rest[7]];
        let (header_len, total) = match len {
            0 => (8, rest.len()),
            1 => {
                let Some(xl) = rest.get(8..16) else { break };
                let mut b = [0u8; 8];
                b.copy_from_slice(xl);
                (
                    16,
                    usize::try_from(u64::from_be_bytes(b)).unwrap_or(usize::MAX),
                )
            }
            n => (8, n),
        };
        if total < header_len || total > rest.len() {
            break;
        }
        out.push((kind, &rest[header_len..total]));
        rest = &rest[total..];
    }
    out
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// Bit depth from a BPC/Ssiz byte: low 7 bits are depth − 1; 255 means
/// "varies by component".
fn depth(byte: u8) -> Option<u8> {
    (byte != 0xff).then_some((byte & 0x7f) + 1)
}

fn ihdr(b: &[u8]) -> Option<Jp2Header> {
    Some(Jp2Header {
        height: be32(b, 0)?,
        width: be32(b, 4)?,
        components: be16(b, 8)?,
        bits: depth(*b.get(10)?),
        dpi: None,
    })
}

/// A `resc`/`resd` box: grid points per metre as N/D × 10^E, vertical
/// first; returned as (horizontal, vertical) dpi.
fn resolution(b: &[u8]) -> Option<(f64, f64)> {
    let vn = f64::from(be16(b, 0)?);
    let vd = f64::from(be16(b, 2)?);
    let hn = f64::from(be16(b, 4)?);
    let hd = f64::from(be16(b, 6)?);
    let ve = i32::from(*b.get(8)? as i8);
    let he = i32::from(*b.get(9)? as i8);
    if vd == 0.0 || hd == 0.0 {
        return None;
    }
    let per_metre = |n: f64, d: f64, e: i32| n / d * 10f64.powi(e);
    Some((
        per_metre(hn, hd, he) * 0.0254,
        per_metre(vn, vd, ve) * 0.0254,
    ))
}

/// The SIZ marker segment that follows SOC in a bare codestream.
fn siz(b: &[u8]) -> Option<Jp2Header> {
    // Lsiz(2) Rsiz(2) Xsiz(4) Ysiz(4) XOsiz(4) YOsiz(4) XTsiz(4) YTsiz(4)
    // XTOsiz(4) YTOsiz(4) Csiz(2), then Ssiz/XRsiz/YRsiz per component.
    let x = be32(b, 4)?;
    let y = be32(b, 8)?;
    let xo = be32(b, 12)?;
    let yo = be32(b, 16)?;
    let components = be16(b, 36)?;
    let first = depth(*b.get(38)?);
    let same =
        (0..usize::from(components)).all(|i| b.get(38 + 3 * i).copied().and_then(depth) == first);
    Some(Jp2Header {
        width: x.checked_sub(xo)?,
        height: y.checked_sub(yo)?,
        components,
        bits: if same { first } else { None },
        dpi: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jp2_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn sample(res: Option<Vec<u8>>) -> Vec<u8> {
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&3508u32.to_be_bytes());
        ihdr.extend_from_slice(&2480u32.to_be_bytes());
        ihdr.extend_from_slice(&3u16.to_be_bytes());
        ihdr.extend_from_slice(&[7, 7, 0, 0]);
        let mut jp2h = jp2_box(b"ihdr", &ihdr);
        if let Some(res) = res {
            jp2h.extend(jp2_box(b"res ", &jp2_box(b"resc", &res)));
        }
        let mut file = jp2_box(b"jP  ", &[0x0d, 0x0a, 0x87, 0x0a]);
        file.extend(jp2_box(b"ftyp", b"jp2 \0\0\0\0jp2 "));
        file.extend(jp2_box(b"jp2h", &jp2h));
        file.extend(jp2_box(b"jp2c", &[0xff, 0x4f, 0xff, 0x51]));
        file
    }

    #[test]
    fn jp2_header_with_capture_resolution() {
        // 11811 grid points per metre = 300 dpi, in both directions.
        let mut res = Vec::new();
        for _ in 0..2 {
            res.extend_from_slice(&11811u16.to_be_bytes());
            res.extend_from_slice(&1u16.to_be_bytes());
        }
        res.extend_from_slice(&[0, 0]);
        let h = header(&sample(Some(res))).unwrap();
        assert_eq!(
            (h.width, h.height, h.components, h.bits),
            (2480, 3508, 3, Some(8))
        );
        let (x, y) = h.dpi.unwrap();
        assert!(
            (x - 300.0).abs() < 0.1 && (y - 300.0).abs() < 0.1,
            "{x} {y}"
        );
        assert_eq!(
            h.to_string(),
            "2480x3508 px, 3 component(s) of 8 bit(s), 300x300 dpi"
        );
    }

    #[test]
    fn jp2_without_resolution_and_bare_codestream() {
        let h = header(&sample(None)).unwrap();
        assert_eq!(h.dpi, None);
        assert!(h.to_string().ends_with("resolution not recorded"));
        // SOC, SIZ: Lsiz=41 (one component), Rsiz=0, 1000x800, no offsets.
        let mut cs = vec![0xff, 0x4f, 0xff, 0x51, 0, 41, 0, 0];
        for v in [1000u32, 800, 0, 0, 1000, 800, 0, 0] {
            cs.extend_from_slice(&v.to_be_bytes());
        }
        cs.extend_from_slice(&1u16.to_be_bytes());
        cs.extend_from_slice(&[7, 1, 1]);
        let h = header(&cs).unwrap();
        assert_eq!(
            (h.width, h.height, h.components, h.bits),
            (1000, 800, 1, Some(8))
        );
    }

    #[test]
    fn malformed_headers_are_none_never_a_panic() {
        let good = sample(None);
        for cut in 0..good.len() {
            let _ = header(&good[..cut]);
        }
        assert_eq!(header(b""), None);
        assert_eq!(header(&[0xff, 0x4f, 0xff, 0x51, 0, 1]), None);
        // A box claiming more than there is, and a zero denominator.
        assert_eq!(header(&[0, 0, 0, 200, b'j', b'p', b'2', b'h', 1, 2]), None);
        assert_eq!(resolution(&[0, 1, 0, 0, 0, 1, 0, 0, 0, 0]), None);
    }
}
