//! PDF objects (ISO 32000-1 §7.2, §7.3) read from exact byte offsets: no
//! repair, no guessing. Every dictionary entry keeps the span of its value,
//! so that a signature's `/Contents` can be located byte for byte.

use std::ops::Range;

use crate::Error;

/// Deepest nesting of arrays and dictionaries accepted.
const MAX_DEPTH: usize = 64;

/// A PDF object.
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number, as written.
    Real(Vec<u8>),
    /// A name, `#xx` escapes decoded, without the `/`.
    Name(Vec<u8>),
    /// A string (literal or hexadecimal), decoded.
    Str(Vec<u8>),
    /// An array.
    Array(Vec<Object>),
    /// A dictionary.
    Dict(Dict),
    /// An indirect reference.
    Ref(u32, u16),
    /// A stream: its dictionary and its raw (still encoded) data.
    Stream(Dict, Vec<u8>),
}

/// A dictionary, entries in file order, each with its value's byte span.
#[derive(Clone, Debug, Default)]
pub struct Dict {
    /// (key, value, span of the value in the buffer it was read from).
    pub entries: Vec<(Vec<u8>, Object, Range<usize>)>,
}

impl PartialEq for Dict {
    /// Same keys with the same values, whatever the order and spans.
    fn eq(&self, other: &Dict) -> bool {
        self.entries.len() == other.entries.len()
            && self.entries.iter().all(|(k, v, _)| other.get(k) == Some(v))
    }
}

impl Dict {
    /// The value of `key` (the first, if repeated).
    pub fn get(&self, key: &[u8]) -> Option<&Object> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v)
    }

    /// The value of `key` with its span.
    pub fn get_spanned(&self, key: &[u8]) -> Option<(&Object, &Range<usize>)> {
        self.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, s)| (v, s))
    }

    /// How many times `key` occurs.
    pub fn count(&self, key: &[u8]) -> usize {
        self.entries.iter().filter(|(k, _, _)| k == key).count()
    }

    /// The name value of `key`.
    pub fn name(&self, key: &[u8]) -> Option<&[u8]> {
        match self.get(key) {
            Some(Object::Name(n)) => Some(n),
            _ => None,
        }
    }

    /// The integer value of `key`.
    pub fn int(&self, key: &[u8]) -> Option<i64> {
        match self.get(key) {
            Some(Object::Int(i)) => Some(*i),
            _ => None,
        }
    }

    /// The keys whose values differ between `self` and `other` (present in
    /// one only, or different), sorted.
    pub fn changed_keys(&self, other: &Dict) -> Vec<Vec<u8>> {
        let mut keys: Vec<Vec<u8>> = self
            .entries
            .iter()
            .chain(&other.entries)
            .map(|(k, _, _)| k.clone())
            .filter(|k| self.get(k) != other.get(k))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }
}

impl Object {
    /// The dictionary of a dictionary or stream.
    pub fn dict(&self) -> Option<&Dict> {
        match self {
            Object::Dict(d) | Object::Stream(d, _) => Some(d),
            _ => None,
        }
    }

    /// The reference, if this is one.
    pub fn reference(&self) -> Option<(u32, u16)> {
        match self {
            Object::Ref(n, g) => Some((*n, *g)),
            _ => None,
        }
    }
}

/// A text string's characters (ISO 32000-2 §7.9.2.2: UTF-16BE or UTF-8
/// after their byte order marks, else PDFDocEncoding), decoded by lopdf;
/// what cannot be decoded is shown as UTF-8 with replacement characters.
pub fn text_string(bytes: &[u8]) -> String {
    lopdf::decode_text_string(&lopdf::Object::String(
        bytes.to_vec(),
        lopdf::StringFormat::Literal,
    ))
    .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned())
}

/// Resolves an indirect `/Length` of a stream.
pub type LengthResolver<'r> = &'r dyn Fn(u32, u16) -> Option<i64>;

/// A reader over a buffer.
pub struct Lexer<'a> {
    buf: &'a [u8],
    /// The current position.
    pub pos: usize,
}

fn is_white(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

impl<'a> Lexer<'a> {
    /// A lexer at `pos` of `buf`.
    pub fn new(buf: &'a [u8], pos: usize) -> Lexer<'a> {
        Lexer { buf, pos }
    }

    fn err(&self, what: impl Into<String>) -> Error {
        Error::Syntax {
            offset: self.pos,
            reason: what.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Skips white space and comments.
    pub fn skip_white(&mut self) {
        while let Some(b) = self.peek() {
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// A run of regular characters (a keyword or number) without moving
    /// past white space first.
    fn regular_run(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.peek().is_some_and(is_regular) {
            self.pos += 1;
        }
        &self.buf[start..self.pos]
    }

    /// Consumes the keyword `kw` (after white space) or fails.
    pub fn expect_keyword(&mut self, kw: &[u8]) -> Result<(), Error> {
        self.skip_white();
        let save = self.pos;
        let run = self.regular_run();
        if run == kw {
            Ok(())
        } else {
            self.pos = save;
            Err(self.err(format!("expected `{}`", String::from_utf8_lossy(kw))))
        }
    }

    /// Whether the keyword `kw` comes next (consumed if so).
    pub fn eat_keyword(&mut self, kw: &[u8]) -> bool {
        let save = self.pos;
        if self.expect_keyword(kw).is_ok() {
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// An unsigned integer (digits only), after white space.
    pub fn unsigned(&mut self) -> Result<u64, Error> {
        self.skip_white();
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits = &self.buf[start..self.pos];
        if digits.is_empty() || digits.len() > 18 || self.peek().is_some_and(is_regular) {
            self.pos = start;
            return Err(self.err("expected an unsigned integer"));
        }
        Ok(digits
            .iter()
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
    }

    /// The header `N G obj` of an indirect object.
    pub fn object_header(&mut self) -> Result<(u32, u16), Error> {
        let num = self.unsigned()?;
        let gen = self.unsigned()?;
        self.expect_keyword(b"obj")?;
        let num = u32::try_from(num).map_err(|_| self.err("object number out of range"))?;
        let gen = u16::try_from(gen).map_err(|_| self.err("generation out of range"))?;
        Ok((num, gen))
    }

    /// One object (not a stream: see [`Lexer::indirect_body`]).
    pub fn object(&mut self, depth: usize) -> Result<Object, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err("objects nested too deeply"));
        }
        self.skip_white();
        let Some(b) = self.peek() else {
            return Err(self.err("unexpected end of file"));
        };
        match b {
            b'/' => {
                self.pos += 1;
                Ok(Object::Name(self.name_body()?))
            }
            b'(' => Ok(Object::Str(self.literal_string()?)),
            b'<' if self.buf.get(self.pos + 1) == Some(&b'<') => {
                Ok(Object::Dict(self.dict(depth)?))
            }
            b'<' => Ok(Object::Str(self.hex_string()?)),
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_white();
                    match self.peek() {
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Object::Array(items));
                        }
                        None => return Err(self.err("unterminated array")),
                        _ => items.push(self.object(depth + 1)?),
                    }
                }
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number_or_ref(),
            _ if is_regular(b) => {
                let start = self.pos;
                match self.regular_run() {
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    b"null" => Ok(Object::Null),
                    _ => {
                        self.pos = start;
                        Err(self.err("unexpected keyword"))
                    }
                }
            }
            _ => Err(self.err(format!("unexpected character 0x{b:02x}"))),
        }
    }

    fn dict(&mut self, depth: usize) -> Result<Dict, Error> {
        self.pos += 2;
        let mut dict = Dict::default();
        loop {
            self.skip_white();
            match self.peek() {
                Some(b'>') if self.buf.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    return Ok(dict);
                }
                Some(b'/') => {
                    self.pos += 1;
                    let key = self.name_body()?;
                    self.skip_white();
                    let start = self.pos;
                    let value = self.object(depth + 1)?;
                    dict.entries.push((key, value, start..self.pos));
                }
                None => return Err(self.err("unterminated dictionary")),
                _ => return Err(self.err("a dictionary key must be a name")),
            }
        }
    }

    fn name_body(&mut self) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        while let Some(b) = self.peek().filter(|b| is_regular(*b)) {
            self.pos += 1;
            if b == b'#' {
                let hex = self
                    .buf
                    .get(self.pos..self.pos + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| self.err("bad #xx escape in a name"))?;
                out.push(hex);
                self.pos += 2;
            } else {
                out.push(b);
            }
        }
        Ok(out)
    }

    fn literal_string(&mut self) -> Result<Vec<u8>, Error> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 1usize;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(out);
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.err("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
    }

    fn hex_string(&mut self) -> Result<Vec<u8>, Error> {
        self.pos += 1;
        let mut nibbles = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.err("unterminated hexadecimal string"));
            };
            self.pos += 1;
            match b {
                b'>' => break,
                _ if is_white(b) => {}
                _ => nibbles.push(
                    char::from(b)
                        .to_digit(16)
                        .ok_or_else(|| self.err("bad character in a hexadecimal string"))?
                        as u8,
                ),
            }
        }
        if !nibbles.len().is_multiple_of(2) {
            nibbles.push(0);
        }
        Ok(nibbles.chunks(2).map(|p| p[0] << 4 | p[1]).collect())
    }

    fn number_or_ref(&mut self) -> Result<Object, Error> {
        let start = self.pos;
        let run = self.regular_run();
        let is_int = !run.is_empty()
            && run
                .iter()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || (i == 0 && (*b == b'+' || *b == b'-')))
            && run.iter().any(u8::is_ascii_digit);
        if !is_int {
            let valid = run.iter().filter(|b| **b == b'.').count() <= 1
                && run.iter().any(u8::is_ascii_digit)
                && run.iter().enumerate().all(|(i, b)| {
                    b.is_ascii_digit() || *b == b'.' || (i == 0 && (*b == b'+' || *b == b'-'))
                });
            if !valid {
                self.pos = start;
                return Err(self.err("malformed number"));
            }
            return Ok(Object::Real(run.to_vec()));
        }
        let text = std::str::from_utf8(run).map_err(|_| self.err("malformed number"))?;
        let value: i64 = text.parse().map_err(|_| self.err("integer out of range"))?;
        // `N G R`: look ahead without committing.
        if run[0].is_ascii_digit() {
            let save = self.pos;
            if let Ok(gen) = self.unsigned() {
                if self.eat_keyword(b"R") {
                    if let (Ok(n), Ok(g)) = (u32::try_from(value), u16::try_from(gen)) {
                        return Ok(Object::Ref(n, g));
                    }
                    return Err(self.err("reference out of range"));
                }
            }
            self.pos = save;
        }
        Ok(Object::Int(value))
    }

    /// The body of an indirect object after its header: the object, its
    /// stream data if any, and `endobj`. `length` resolves an indirect
    /// `/Length`.
    pub fn indirect_body(&mut self, length: LengthResolver<'_>) -> Result<Object, Error> {
        let object = self.object(0)?;
        let save = self.pos;
        let Object::Dict(dict) = object else {
            self.expect_keyword(b"endobj")?;
            return Ok(object);
        };
        if !self.eat_keyword(b"stream") {
            self.pos = save;
            self.expect_keyword(b"endobj")?;
            return Ok(Object::Dict(dict));
        }
        // ISO 32000-1 §7.3.8.1: `stream` is followed by CRLF or LF.
        match (self.peek(), self.buf.get(self.pos + 1)) {
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            (Some(b'\n'), _) => self.pos += 1,
            _ => return Err(self.err("`stream` must be followed by an end of line")),
        }
        let len = match dict.get(b"Length") {
            Some(Object::Int(n)) => Some(*n),
            Some(Object::Ref(n, g)) => length(*n, *g),
            _ => None,
        }
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| self.err("a stream without a usable /Length"))?;
        let end = self
            .pos
            .checked_add(len)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| self.err("stream /Length goes past the end of the file"))?;
        let data = self.buf[self.pos..end].to_vec();
        self.pos = end;
        self.expect_keyword(b"endstream")?;
        self.expect_keyword(b"endobj")?;
        Ok(Object::Stream(dict, data))
    }
}

impl Lexer<'_> {
    /// Skips white space only (not comments).
    pub fn skip_white_no_comment(&mut self) {
        while self.peek().is_some_and(is_white) {
            self.pos += 1;
        }
    }
}
