//! A small pull scanner for JSON over any `Read`, made for the HAR reader.
//!
//! Why not serde_json: its reader copies every string it hands out into a scratch buffer byte by byte (through
//! `Read::bytes`-style access), and skips the rest at about the same pace; a HAR of a busy Convex app is almost
//! all frame strings. This scanner works on a large buffer of its own: skipping a string is a table scan, reading
//! one copies whole runs between escapes. It only knows what the HAR walker asks for (objects, arrays, strings,
//! numbers, skipping a value); it is still strict JSON (grammar, escapes, control characters, UTF-8 of the strings
//! it returns), so a broken file is an error, never a guess.
//!
//! Bounded: the buffer is fixed; a string read is as large as that string (the caller's budget decides whether it
//! is kept); skipping keeps one byte per open container, up to [`MAX_DEPTH`]. No recursion.

use std::io::{ErrorKind, Read};

/// Deepest nesting accepted (serde_json's default limit is 128; HAR files nest about 6 deep).
pub(super) const MAX_DEPTH: usize = 512;
/// Longest number accepted (digits, sign, exponent): no real HAR number is near it.
const MAX_NUMBER: usize = 512;
const BUF_SIZE: usize = 256 * 1024;

/// Length of the run of ordinary string bytes at the start of `s`: up to the first `"`, `\\` or control
/// character (which JSON forbids unescaped). Eight bytes at a time (SWAR): string text is nearly all of a HAR.
#[inline]
fn special_run(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.chunks_exact(8);
    let mut done = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        // Per byte, the high bit is set for a zero byte (of `quote`/`backslash`) or a byte below 0x20; only the
        // lowest flag is exact (borrows may flag bytes above it), and only the lowest is used.
        let flags = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if flags != 0 {
            return done + (flags.trailing_zeros() / 8) as usize;
        }
        done += 8;
    }
    let rest = chunks.remainder();
    done + rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(rest.len())
}

/// Why scanning stopped.
#[derive(Debug)]
pub(super) enum ScanError {
    /// The input ended inside the document.
    Eof { at: u64 },
    /// Reading failed.
    Io(std::io::Error),
    /// Not JSON.
    Syntax { at: u64, what: String },
    /// JSON, but not the shape of a HAR file.
    Data { at: u64, what: String },
}

impl ScanError {
    /// The user-facing message (the HAR reader's error strings).
    pub(super) fn describe(&self) -> String {
        match self {
            ScanError::Eof { at } => {
                format!("HAR file is truncated: the JSON ends early (at byte {at})")
            }
            ScanError::Io(e) => format!("could not read the HAR file: {e}"),
            ScanError::Syntax { at, what } => {
                format!("not a HAR file (invalid JSON): {what} at byte {at}")
            }
            ScanError::Data { at, what } => format!("not a HAR file: {what} at byte {at}"),
        }
    }
}

pub(super) type Result<T> = std::result::Result<T, ScanError>;

/// What kind of value comes next (its first byte, whitespace skipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl Next {
    pub(super) fn name(self) -> &'static str {
        match self {
            Next::Object => "an object",
            Next::Array => "an array",
            Next::String => "a string",
            Next::Number => "a number",
            Next::Bool => "a boolean",
            Next::Null => "null",
        }
    }
}

/// Not generic over the reader: all of it is compiled once, in this crate (a virtual call per 256 KiB read).
pub(super) struct Scanner<'r> {
    reader: &'r mut dyn Read,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// Bytes of the input before `buf[0]` (for error positions).
    base: u64,
    eof: bool,
    /// Reused for numbers.
    num: Vec<u8>,
    /// Longest string (unescaped) [`Self::opt_string`], [`Self::string`] and keys accept: longer is an error,
    /// so that a hostile file cannot make a field take all memory. `usize::MAX` unless set.
    pub(super) max_string: usize,
}

impl<'r> Scanner<'r> {
    pub(super) fn new(reader: &'r mut dyn Read) -> Self {
        Scanner {
            reader,
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            end: 0,
            base: 0,
            eof: false,
            num: Vec::new(),
            max_string: usize::MAX,
        }
    }

    /// Position of the next byte in the input.
    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    pub(super) fn data_error<T>(&self, what: impl Into<String>) -> Result<T> {
        Err(ScanError::Data {
            at: self.offset(),
            what: what.into(),
        })
    }

    fn syntax<T>(&self, what: impl Into<String>) -> Result<T> {
        Err(ScanError::Syntax {
            at: self.offset(),
            what: what.into(),
        })
    }

    /// Refills the buffer when it is used up; false at the end of the input.
    #[inline]
    fn fill(&mut self) -> Result<bool> {
        if self.pos < self.end {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.base += self.end as u64;
        self.pos = 0;
        self.end = 0;
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end = n.min(self.buf.len());
                    return Ok(true);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(ScanError::Io(e)),
            }
        }
    }

    /// The next byte, not consumed; `None` at the end of the input.
    #[inline]
    fn peek(&mut self) -> Result<Option<u8>> {
        if !self.fill()? {
            return Ok(None);
        }
        Ok(self.buf.get(self.pos).copied())
    }

    /// The next byte, consumed; the end of the input is an error.
    #[inline]
    fn next_byte(&mut self) -> Result<u8> {
        match self.peek()? {
            Some(b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(ScanError::Eof { at: self.offset() }),
        }
    }

    /// The next byte that is not whitespace, not consumed; `None` at the end of the input.
    fn peek_token(&mut self) -> Result<Option<u8>> {
        loop {
            match self.peek()? {
                Some(b' ' | b'\n' | b'\r' | b'\t') => self.pos += 1,
                other => return Ok(other),
            }
        }
    }

    /// Like [`Self::peek_token`], the end of the input being an error.
    fn token(&mut self) -> Result<u8> {
        match self.peek_token()? {
            Some(b) => Ok(b),
            None => Err(ScanError::Eof { at: self.offset() }),
        }
    }

    /// What the next value is, without consuming it.
    pub(super) fn next_kind(&mut self) -> Result<Next> {
        match self.token()? {
            b'{' => Ok(Next::Object),
            b'[' => Ok(Next::Array),
            b'"' => Ok(Next::String),
            b'-' | b'0'..=b'9' => Ok(Next::Number),
            b't' | b'f' => Ok(Next::Bool),
            b'n' => Ok(Next::Null),
            b => self.syntax(format!("unexpected {}", show(b))),
        }
    }

    /// Nothing but whitespace is left.
    pub(super) fn at_end(&mut self) -> Result<bool> {
        Ok(self.peek_token()?.is_none())
    }

    /// Consumes `{`, the next value being an object (else a data error naming `expected`).
    pub(super) fn begin_object(&mut self, expected: &str) -> Result<()> {
        match self.next_kind()? {
            Next::Object => {
                self.pos += 1;
                Ok(())
            }
            other => self.data_error(format!(
                "invalid type: {}, expected {expected}",
                other.name()
            )),
        }
    }

    /// Consumes `[`, the next value being an array (else a data error naming `expected`).
    pub(super) fn begin_array(&mut self, expected: &str) -> Result<()> {
        match self.next_kind()? {
            Next::Array => {
                self.pos += 1;
                Ok(())
            }
            other => self.data_error(format!(
                "invalid type: {}, expected {expected}",
                other.name()
            )),
        }
    }

    /// The next key of an object opened with [`Self::begin_object`], unescaped into `key` (cleared first), with
    /// its `:` consumed; false (and the `}` consumed) when the object ends. `first` tracks the comma.
    pub(super) fn next_key(&mut self, first: &mut bool, key: &mut Vec<u8>) -> Result<bool> {
        let b = self.token()?;
        if b == b'}' {
            self.pos += 1;
            return Ok(false);
        }
        if !*first {
            if b != b',' {
                return self.syntax(format!("expected `,` or `}}`, found {}", show(b)));
            }
            self.pos += 1;
        }
        *first = false;
        let b = self.token()?;
        if b != b'"' {
            return self.syntax(format!("expected a key, found {}", show(b)));
        }
        self.pos += 1;
        key.clear();
        let start = self.offset();
        if !self.string_body(Some(&mut *key), self.max_string)? {
            return self.too_long(start);
        }
        check_utf8(key, start)?;
        let b = self.token()?;
        if b != b':' {
            return self.syntax(format!("expected `:`, found {}", show(b)));
        }
        self.pos += 1;
        Ok(true)
    }

    /// Whether an array opened with [`Self::begin_array`] has another element (its comma consumed); false (and
    /// the `]` consumed) when it ends.
    pub(super) fn next_element(&mut self, first: &mut bool) -> Result<bool> {
        let b = self.token()?;
        if b == b']' {
            self.pos += 1;
            return Ok(false);
        }
        if !*first {
            if b != b',' {
                return self.syntax(format!("expected `,` or `]`, found {}", show(b)));
            }
            self.pos += 1;
        }
        *first = false;
        Ok(true)
    }

    /// A string value, unescaped into `out` (cleared first) and checked to be UTF-8; the next value being a
    /// string is the caller's check ([`Self::next_kind`]). `None` (the string consumed, `out` holding a part of
    /// it) when it is longer than `limit` bytes.
    pub(super) fn read_string_into<'o>(
        &mut self,
        out: &'o mut Vec<u8>,
        limit: usize,
    ) -> Result<Option<&'o str>> {
        if self.token()? != b'"' {
            return self.data_error("expected a string");
        }
        self.pos += 1;
        out.clear();
        let start = self.offset();
        if !self.string_body(Some(&mut *out), limit)? {
            return Ok(None);
        }
        check_utf8(out, start).map(Some)
    }

    /// A string value within [`Self::max_string`], else an error.
    fn bounded_string(&mut self) -> Result<String> {
        let mut out = Vec::new();
        let start = self.offset();
        match self.read_string_into(&mut out, self.max_string)? {
            // Checked as UTF-8 already.
            Some(_) => Ok(String::from_utf8(out).unwrap_or_default()),
            None => self.too_long(start),
        }
    }

    fn too_long<T>(&self, start: u64) -> Result<T> {
        Err(ScanError::Data {
            at: start,
            what: format!("a string longer than {} bytes", self.max_string),
        })
    }

    /// `null` (consumed) as `None`, a string as `Some`, anything else a data error naming `expected`.
    pub(super) fn opt_string(&mut self, expected: &str) -> Result<Option<String>> {
        match self.next_kind()? {
            Next::Null => {
                self.literal(b"null")?;
                Ok(None)
            }
            Next::String => self.bounded_string().map(Some),
            other => self.data_error(format!(
                "invalid type: {}, expected {expected}",
                other.name()
            )),
        }
    }

    /// A string value, checked as UTF-8: a string, or anything else as a data error naming `expected`.
    pub(super) fn string(&mut self, expected: &str) -> Result<String> {
        match self.next_kind()? {
            Next::String => self.bounded_string(),
            other => self.data_error(format!(
                "invalid type: {}, expected {expected}",
                other.name()
            )),
        }
    }

    /// `null` as `None`, a number as `Some(f64)`, anything else a data error.
    pub(super) fn opt_f64(&mut self, expected: &str) -> Result<Option<f64>> {
        match self.next_kind()? {
            Next::Null => {
                self.literal(b"null")?;
                Ok(None)
            }
            Next::Number => {
                self.number(true)?;
                let text = std::str::from_utf8(&self.num).unwrap_or("");
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(Some(v)),
                    _ => self.data_error(format!("number out of range, expected {expected}")),
                }
            }
            other => self.data_error(format!(
                "invalid type: {}, expected {expected}",
                other.name()
            )),
        }
    }

    /// Consumes exactly `word` (`true`, `false`, `null`).
    fn literal(&mut self, word: &[u8]) -> Result<()> {
        for &want in word {
            let got = self.next_byte()?;
            if got != want {
                return self.syntax(format!("unexpected {}", show(got)));
            }
        }
        Ok(())
    }

    /// Consumes a number (JSON grammar), keeping its text in `self.num` when `keep`.
    fn number(&mut self, keep: bool) -> Result<()> {
        self.num.clear();
        let mut len = 0usize;
        let mut take = |s: &mut Self, b: u8| -> Result<()> {
            s.pos += 1;
            len += 1;
            if len > MAX_NUMBER {
                return s.syntax("number too long");
            }
            if keep {
                s.num.push(b);
            }
            Ok(())
        };
        let mut b = self.peek()?;
        if b == Some(b'-') {
            take(self, b'-')?;
            b = self.peek()?;
        }
        match b {
            Some(b'0') => {
                take(self, b'0')?;
                b = self.peek()?;
            }
            Some(d @ b'1'..=b'9') => {
                take(self, d)?;
                loop {
                    b = self.peek()?;
                    match b {
                        Some(d @ b'0'..=b'9') => take(self, d)?,
                        _ => break,
                    }
                }
            }
            Some(x) => return self.syntax(format!("invalid number: unexpected {}", show(x))),
            None => return Err(ScanError::Eof { at: self.offset() }),
        }
        if b == Some(b'.') {
            take(self, b'.')?;
            let mut digits = 0;
            loop {
                b = self.peek()?;
                match b {
                    Some(d @ b'0'..=b'9') => {
                        take(self, d)?;
                        digits += 1;
                    }
                    _ => break,
                }
            }
            if digits == 0 {
                return self.syntax("invalid number: no digit after `.`");
            }
        }
        if let Some(e @ (b'e' | b'E')) = b {
            take(self, e)?;
            b = self.peek()?;
            if let Some(s @ (b'+' | b'-')) = b {
                take(self, s)?;
            }
            let mut digits = 0;
            loop {
                b = self.peek()?;
                match b {
                    Some(d @ b'0'..=b'9') => {
                        take(self, d)?;
                        digits += 1;
                    }
                    _ => break,
                }
            }
            if digits == 0 {
                return self.syntax("invalid number: no digit in the exponent");
            }
        }
        Ok(())
    }

    /// The rest of a string whose opening quote is consumed, up to and including its closing quote: unescaped
    /// into `out` when given, else only checked. Runs between escapes are found eight bytes at a time and
    /// copied whole. Past `limit` bytes of `out` the rest is only checked, and the answer is false.
    fn string_body(&mut self, mut out: Option<&mut Vec<u8>>, limit: usize) -> Result<bool> {
        let mut complete = true;
        loop {
            if !self.fill()? {
                return Err(ScanError::Eof { at: self.offset() });
            }
            let avail = self.buf.get(self.pos..self.end).unwrap_or(&[]);
            let run = special_run(avail);
            if let Some(o) = out.as_deref_mut() {
                o.extend_from_slice(avail.get(..run).unwrap_or(&[]));
                if o.len() > limit {
                    complete = false;
                    out = None;
                }
            }
            let special = avail.get(run).copied();
            let escaped = avail.get(run + 1).copied();
            self.pos += run;
            match special {
                None => continue, // buffer used up inside the string
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(complete);
                }
                // The common escapes (`\"` on every key of a frame's JSON text), when both bytes are at hand.
                Some(b'\\') if matches!(escaped, Some(b'"' | b'\\' | b'/')) => {
                    self.pos += 2;
                    if let (Some(o), Some(e)) = (out.as_deref_mut(), escaped) {
                        o.push(e);
                    }
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(out.as_deref_mut())?;
                }
                Some(c) => {
                    return self.syntax(format!("control character {} inside a string", show(c)))
                }
            }
        }
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: Option<&mut Vec<u8>>) -> Result<()> {
        let e = self.next_byte()?;
        let simple = match e {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                match out {
                    Some(o) => {
                        let c = self.unicode_escape()?;
                        let mut tmp = [0u8; 4];
                        o.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                    }
                    // Skipped text: only the four hex digits are checked (surrogate pairs are not), as serde_json.
                    None => {
                        self.hex4()?;
                    }
                }
                return Ok(());
            }
            other => return self.syntax(format!("invalid escape \\{}", show(other))),
        };
        if let Some(o) = out {
            o.push(simple);
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let b = self.next_byte()?;
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return self.syntax(format!("invalid \\u escape: {}", show(b))),
            };
            v = v * 16 + u32::from(d);
        }
        Ok(v)
    }

    /// A `\uXXXX` escape (its `\u` consumed), with a following low surrogate when it is a high one.
    fn unicode_escape(&mut self) -> Result<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.next_byte()? != b'\\' || self.next_byte()? != b'u' {
                    return self.syntax("lone leading surrogate in a \\u escape");
                }
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return self.syntax("invalid low surrogate in a \\u escape");
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return self.syntax("lone trailing surrogate in a \\u escape"),
            c => c,
        };
        match char::from_u32(code) {
            Some(c) => Ok(c),
            None => self.syntax("invalid \\u escape"),
        }
    }

    /// Skips one value of any kind, checking its syntax. Iterative: one byte per open container.
    pub(super) fn skip_value(&mut self) -> Result<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value starts here.
            match self.token()? {
                b'{' => {
                    self.pos += 1;
                    if self.token()? == b'}' {
                        self.pos += 1;
                    } else {
                        if open.len() >= MAX_DEPTH {
                            return self.data_error("JSON nested too deeply");
                        }
                        open.push(b'}');
                        self.skip_key()?;
                        continue;
                    }
                }
                b'[' => {
                    self.pos += 1;
                    if self.token()? == b']' {
                        self.pos += 1;
                    } else {
                        if open.len() >= MAX_DEPTH {
                            return self.data_error("JSON nested too deeply");
                        }
                        open.push(b']');
                        continue;
                    }
                }
                b'"' => {
                    self.pos += 1;
                    self.string_body(None, 0)?;
                }
                b'-' | b'0'..=b'9' => self.number(false)?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b => return self.syntax(format!("unexpected {}", show(b))),
            }
            // A value ended: close what ends with it, up to the next sibling.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                let b = self.token()?;
                if b == close {
                    self.pos += 1;
                    open.pop();
                } else if b == b',' {
                    self.pos += 1;
                    if close == b'}' {
                        self.skip_key()?;
                    }
                    break;
                } else {
                    return self.syntax(format!(
                        "expected `,` or `{}`, found {}",
                        char::from(close),
                        show(b)
                    ));
                }
            }
        }
    }

    /// A key and its colon, inside an object being skipped.
    fn skip_key(&mut self) -> Result<()> {
        let b = self.token()?;
        if b != b'"' {
            return self.syntax(format!("expected a key, found {}", show(b)));
        }
        self.pos += 1;
        self.string_body(None, 0)?;
        let b = self.token()?;
        if b != b':' {
            return self.syntax(format!("expected `:`, found {}", show(b)));
        }
        self.pos += 1;
        Ok(())
    }
}

/// Strings handed out and keys read must be UTF-8 (as with serde_json; skipped text is not checked, as there).
fn check_utf8(bytes: &[u8], start: u64) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|e| ScanError::Syntax {
        at: start + e.valid_up_to() as u64,
        what: "invalid UTF-8 in a string".to_string(),
    })
}

/// A byte for an error message.
fn show(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", char::from(b))
    } else {
        format!("byte 0x{b:02x}")
    }
}

#[cfg(test)]
mod tests {
    use super::{special_run, Scanner};
    use serde::de::IgnoredAny;

    /// The scanner accepts exactly what serde_json accepts (skipping a value; reading a string, unescaped the
    /// same way), on hand-picked edge cases and on random mutations of them.
    #[test]
    fn agrees_with_serde_json() {
        let seeds: &[&str] = &[
            r#"{"a":[1,-2.5e+3,0,-0,1E5,true,false,null,"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00"],"b":{}}"#,
            r#"[[],[{}],{"":""},"\u0000",1.0e-7]"#,
            r#""plain é text with \"quotes\" and \\ slashes""#,
            r#""\ud800\udc00 \uDBFF\uDFFF \uFFFF""#,
            r#"{"data":"{\"type\":\"Transition\",\"modifications\":[]}"}"#,
            r#"[01, 1., .5, 1e, -, +1, 0x1, tru, nul, "a\u12", "\ud800", "\udc00", "\x"]"#,
        ];
        let skip = |bytes: &[u8]| {
            let mut r = bytes;
            let mut sc = Scanner::new(&mut r);
            sc.skip_value().is_ok() && sc.at_end().unwrap_or(false)
        };
        let string = |bytes: &[u8]| {
            let mut r = bytes;
            let mut sc = Scanner::new(&mut r);
            let mut out = Vec::new();
            let s = sc.read_string_into(&mut out, usize::MAX).ok()??.to_string();
            sc.at_end().ok()?.then_some(s)
        };
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut cases = 0;
        for seed in seeds {
            for round in 0..3000 {
                let mut bytes = seed.as_bytes().to_vec();
                for _ in 0..(round % 4) {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let i = (state as usize) % bytes.len().max(1);
                    let pool = b"{}[]\",:\\0 -+.eEuU1dD\x01\x80\xffnt";
                    if let Some(slot) = bytes.get_mut(i) {
                        *slot = pool[(state >> 40) as usize % pool.len()];
                    }
                }
                let serde_ok = serde_json::from_slice::<IgnoredAny>(&bytes).is_ok();
                assert_eq!(
                    skip(&bytes),
                    serde_ok,
                    "{}",
                    String::from_utf8_lossy(&bytes)
                );
                if bytes.first() == Some(&b'"') {
                    assert_eq!(
                        string(&bytes),
                        serde_json::from_slice::<String>(&bytes).ok(),
                        "{}",
                        String::from_utf8_lossy(&bytes)
                    );
                }
                cases += 1;
            }
        }
        assert!(cases > 10_000);
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let deep = "[".repeat(100_000);
        let mut r = deep.as_bytes();
        let err = Scanner::new(&mut r).skip_value().unwrap_err().describe();
        assert!(err.contains("nested too deeply"), "{err}");
    }

    /// The word-at-a-time scan must agree with the plain definition at every position and length.
    #[test]
    fn special_run_matches_a_byte_loop() {
        let plain = |s: &[u8]| {
            s.iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(s.len())
        };
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 0..40 {
            for _ in 0..500 {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        // Mostly ordinary bytes (ASCII and not), sometimes a special one.
                        match state % 16 {
                            0 => b'"',
                            1 => b'\\',
                            2 => (state >> 8) as u8 % 0x20,
                            _ => 0x20 + ((state >> 8) as u8 % 0xe0),
                        }
                    })
                    .collect();
                assert_eq!(special_run(&s), plain(&s), "{s:?}");
            }
        }
    }
}
