//! The TIFF structure inside a JPEG's EXIF segment (TIFF 6.0 §2, CIPA DC-008
//! §4.6): the byte order, image file directories (IFDs) and their 12-byte
//! entries, read from bytes with every offset checked. One reader for the
//! resolution of a JPEG ([`crate::raster::jpeg_header`]) and for its
//! DateTimeOriginal ([`crate::authenticity::exif_datetime_original`]).
//!
//! Nothing here panics or reads out of bounds on hostile bytes: an offset or
//! count that points outside the data reads as absent.

/// TIFF field type RATIONAL: two LONGs, numerator and denominator.
pub(crate) const RATIONAL: u16 = 5;
/// TIFF field type ASCII: NUL-terminated 7-bit text.
pub(crate) const ASCII: u16 = 2;

/// A TIFF structure (the bytes after `Exif\0\0`) in its byte order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tiff<'a> {
    bytes: &'a [u8],
    little: bool,
}

/// One IFD entry: its tag, field type, count and where its value (or the
/// offset of its value) sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub tag: u16,
    pub kind: u16,
    pub count: u32,
    /// Position of the 4-byte value-or-offset field in the TIFF bytes.
    pub field: usize,
}

/// Why bytes are not a TIFF structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NotTiff {
    /// Fewer than the 4 bytes of a byte-order mark and magic number.
    Short,
    /// Neither `II*\0` nor `MM\0*`.
    BadHeader,
}

impl<'a> Tiff<'a> {
    /// Reads the byte-order mark and magic number.
    pub fn new(bytes: &'a [u8]) -> Result<Tiff<'a>, NotTiff> {
        let little = match bytes.get(..4).ok_or(NotTiff::Short)? {
            b"II*\0" => true,
            b"MM\0*" => false,
            _ => return Err(NotTiff::BadHeader),
        };
        Ok(Tiff { bytes, little })
    }

    /// The SHORT at `at`.
    pub fn u16_at(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    /// The LONG at `at`.
    pub fn u32_at(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    /// The offset of IFD0, from the header.
    pub fn first_ifd(&self) -> Option<usize> {
        usize::try_from(self.u32_at(4)?).ok()
    }

    /// The entries of the IFD at `ifd`, in order, up to the first one that
    /// lies (even partly) outside the data.
    pub fn entries(&self, ifd: usize) -> impl Iterator<Item = Entry> + '_ {
        let count = self.u16_at(ifd).map_or(0, usize::from);
        (0..count).map_while(move |i| {
            let e = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
            Some(Entry {
                tag: self.u16_at(e)?,
                kind: self.u16_at(e.checked_add(2)?)?,
                count: self.u32_at(e.checked_add(4)?)?,
                field: e.checked_add(8)?,
            })
        })
    }

    /// The entry `tag` of the IFD at `ifd`.
    pub fn find(&self, ifd: usize, tag: u16) -> Option<Entry> {
        self.entries(ifd).find(|e| e.tag == tag)
    }

    /// The offset an entry's field holds (a sub-IFD pointer, or where a
    /// value longer than 4 bytes sits).
    pub fn offset(&self, entry: &Entry) -> Option<usize> {
        usize::try_from(self.u32_at(entry.field)?).ok()
    }

    /// A SHORT value (left-justified in the field, in either byte order).
    pub fn short(&self, entry: &Entry) -> Option<u16> {
        self.u16_at(entry.field)
    }

    /// A RATIONAL value as a number; `None` for another type or a zero
    /// denominator.
    pub fn rational(&self, entry: &Entry) -> Option<f64> {
        if entry.kind != RATIONAL {
            return None;
        }
        let off = self.offset(entry)?;
        let (n, d) = (self.u32_at(off)?, self.u32_at(off.checked_add(4)?)?);
        (d != 0).then(|| f64::from(n) / f64::from(d))
    }

    /// The first `len` bytes of an ASCII value of at least `len` characters
    /// stored at an offset (values longer than 4 bytes).
    pub fn ascii(&self, entry: &Entry, len: usize) -> Option<&'a [u8]> {
        if entry.kind != ASCII || usize::try_from(entry.count).ok()? < len || len <= 4 {
            return None;
        }
        let off = self.offset(entry)?;
        self.bytes.get(off..off.checked_add(len)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TIFF structure in `little` or big-endian order with IFD0 at 8
    /// holding `entries` (tag, type, count, value field), then `tail`.
    fn tiff(little: bool, entries: &[(u16, u16, u32, [u8; 4])], tail: &[u8]) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut t = if little {
            b"II*\0".to_vec()
        } else {
            b"MM\0*".to_vec()
        };
        t.extend(u32b(8));
        t.extend(u16b(u16::try_from(entries.len()).unwrap()));
        for (tag, kind, count, field) in entries {
            t.extend(u16b(*tag));
            t.extend(u16b(*kind));
            t.extend(u32b(*count));
            t.extend(field);
        }
        t.extend(u32b(0));
        t.extend(tail);
        t
    }

    fn at(little: bool, v: u32) -> [u8; 4] {
        if little {
            v.to_le_bytes()
        } else {
            v.to_be_bytes()
        }
    }

    #[test]
    fn headers() {
        assert_eq!(Tiff::new(b"II*").unwrap_err(), NotTiff::Short);
        assert_eq!(Tiff::new(b"JFIF").unwrap_err(), NotTiff::BadHeader);
        assert!(Tiff::new(b"II*\0").is_ok());
        assert!(Tiff::new(b"MM\0*").is_ok());
    }

    #[test]
    fn rationals_and_shorts_in_both_byte_orders() {
        // The resolution reader's case: XResolution 300/1, ResolutionUnit 2.
        for little in [true, false] {
            let data = 8 + 2 + 2 * 12 + 4;
            let unit = if little { [2, 0, 0, 0] } else { [0, 2, 0, 0] };
            let mut tail = at(little, 300).to_vec();
            tail.extend(at(little, 1));
            let t = tiff(
                little,
                &[
                    (0x011A, RATIONAL, 1, at(little, data)),
                    (0x0128, 3, 1, unit),
                ],
                &tail,
            );
            let t = Tiff::new(&t).unwrap();
            let ifd = t.first_ifd().unwrap();
            assert_eq!(t.entries(ifd).count(), 2);
            let x = t.find(ifd, 0x011A).unwrap();
            assert_eq!(t.rational(&x), Some(300.0));
            assert_eq!(t.short(&t.find(ifd, 0x0128).unwrap()), Some(2));
            assert!(t.find(ifd, 0x011B).is_none());
        }
    }

    #[test]
    fn sub_ifd_pointer_and_ascii() {
        // The DateTimeOriginal reader's case: IFD0's ExifIFD pointer (0x8769)
        // to an IFD whose 0x9003 is 20 ASCII characters at an offset.
        let exif_ifd = 8 + 2 + 12 + 4;
        let text_at = exif_ifd + 2 + 12 + 4;
        let mut tail = vec![1, 0];
        tail.extend([0x03, 0x90, 2, 0, 20, 0, 0, 0]);
        tail.extend(u32::try_from(text_at).unwrap().to_le_bytes());
        tail.extend([0, 0, 0, 0]);
        tail.extend(b"2027:01:04 10:30:00\0");
        let bytes = tiff(
            true,
            &[(0x8769, 4, 1, at(true, u32::try_from(exif_ifd).unwrap()))],
            &tail,
        );
        let t = Tiff::new(&bytes).unwrap();
        let ptr = t.find(t.first_ifd().unwrap(), 0x8769).unwrap();
        let sub = t.offset(&ptr).unwrap();
        let dto = t.find(sub, 0x9003).unwrap();
        assert_eq!(t.ascii(&dto, 19), Some(&b"2027:01:04 10:30:00"[..]));
        // Too short a count, or the wrong type, is no value.
        assert_eq!(t.ascii(&dto, 21), None);
        assert_eq!(t.rational(&dto), None);
    }

    #[test]
    fn hostile_offsets_read_as_absent() {
        // A RATIONAL pointing past the end, a zero denominator, an IFD
        // count larger than the data, an IFD offset near usize::MAX.
        let mut zero = 300u32.to_le_bytes().to_vec();
        zero.extend(0u32.to_le_bytes());
        let data = 8 + 2 + 2 * 12 + 4;
        let bytes = tiff(
            true,
            &[
                (0x011A, RATIONAL, 1, at(true, 0xFFFF_FFF0)),
                (0x011B, RATIONAL, 1, at(true, data)),
            ],
            &zero,
        );
        let t = Tiff::new(&bytes).unwrap();
        let ifd = t.first_ifd().unwrap();
        assert_eq!(t.rational(&t.find(ifd, 0x011A).unwrap()), None);
        assert_eq!(t.rational(&t.find(ifd, 0x011B).unwrap()), None);
        let mut truncated = bytes.clone();
        truncated[8] = 0xFF; // 255 entries announced; the data holds 3
        let t = Tiff::new(&truncated).unwrap();
        assert_eq!(t.entries(8).count(), 3);
        assert_eq!(t.entries(usize::MAX - 1).count(), 0);
        assert_eq!(t.u32_at(usize::MAX - 2), None);
    }
}
