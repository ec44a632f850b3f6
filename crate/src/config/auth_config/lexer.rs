//! The lexer: `auth.config.ts` text to tokens (identifiers, strings, numbers, punctuation), with line numbers for
//! errors. Comments are dropped; strings are unescaped here.

use super::{err, ConfigError};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    /// A template literal containing `${…}`: its text and the tokens of each `${…}`, in order.
    Template(Vec<TplPart>),
    Num(String),
    /// Punctuation, one or more characters (`{`, `??`, `...`, `=>`).
    Punct(&'static str),
    /// Any other character (kept so that statements we skip can contain anything).
    Other(char),
}

/// One piece of a template literal.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TplPart {
    Text(String),
    /// The tokens between `${` and `}`.
    Expr(Vec<Token>),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
}

const PUNCTS: &[&str] = &[
    "...", "??", "||", "&&", "=>", "==", "!=", "?.", "{", "}", "[", "]", "(", ")", ",", ":", ";",
    "=", ".", "!", "?", "<", ">", "|", "&", "-", "+", "*", "/", "@",
];

pub(super) fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Template(_) => "a template literal".into(),
        Tok::Num(n) => format!("`{n}`"),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::Other(c) => format!("{:?}", c),
    }
}

/// Deepest nesting of template literals inside `${…}` (real configs have none inside another).
const MAX_TEMPLATE_NESTING: usize = 4;

pub(super) fn tokenize(src: &str) -> Result<Vec<Token>, ConfigError> {
    tokenize_from(src, 1, 0)
}

/// Tokenizes `src` whose first line is `first_line` of the file; `nesting` counts enclosing `${…}`.
fn tokenize_from(src: &str, first_line: usize, nesting: usize) -> Result<Vec<Token>, ConfigError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    let mut line = first_line;
    while let Some(&(i, c)) = chars.peek() {
        if c == '\n' {
            line += 1;
            chars.next();
            continue;
        }
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let rest = src.get(i..).unwrap_or("");
        if rest.starts_with("//") {
            while let Some(&(_, c)) = chars.peek() {
                if c == '\n' {
                    break;
                }
                chars.next();
            }
            continue;
        }
        if rest.starts_with("/*") {
            let start = line;
            chars.next();
            chars.next();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                if c == '\n' {
                    line += 1;
                } else if c == '*' && chars.peek().map(|p| p.1) == Some('/') {
                    chars.next();
                    closed = true;
                    break;
                }
            }
            if !closed {
                return Err(err(start, "a `/*` comment is never closed with `*/`"));
            }
            continue;
        }
        if c == '"' || c == '\'' || c == '`' {
            let start = line;
            chars.next();
            let (tok, lines) = read_string(&mut chars, c, start, nesting)?;
            out.push(Token { tok, line: start });
            line += lines;
            continue;
        }
        if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '.' || d == '_' {
                    n.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Num(n),
                line,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' || c == '$' {
            let mut s = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '$' {
                    s.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Ident(s),
                line,
            });
            continue;
        }
        if let Some(p) = PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            for _ in 0..p.chars().count() {
                chars.next();
            }
            out.push(Token {
                tok: Tok::Punct(p),
                line,
            });
            continue;
        }
        chars.next();
        out.push(Token {
            tok: Tok::Other(c),
            line,
        });
    }
    Ok(out)
}

/// Reads a string body after its opening quote; returns the token and how many newlines it spanned.
fn read_string(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    quote: char,
    start: usize,
    nesting: usize,
) -> Result<(Tok, usize), ConfigError> {
    let mut s = String::new();
    let mut lines = 0usize;
    let mut parts: Vec<TplPart> = Vec::new();
    loop {
        let Some((_, c)) = chars.next() else {
            let what = if quote == '`' {
                "template literal"
            } else {
                "string"
            };
            return Err(err(
                start,
                format!("this {what} is never closed (missing {quote})"),
            ));
        };
        match c {
            c if c == quote => break,
            '\n' if quote != '`' => {
                return Err(err(
                    start,
                    format!(
                        "this string is never closed (missing {quote} before the end of the line)"
                    ),
                ));
            }
            '\n' => {
                lines += 1;
                s.push('\n');
            }
            '$' if quote == '`' && chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                if nesting >= MAX_TEMPLATE_NESTING {
                    return Err(err(
                        start,
                        "template literals nested too deep inside `${…}`",
                    ));
                }
                let at = start + lines;
                let (expr_src, expr_lines) = interpolation_source(chars, at)?;
                parts.push(TplPart::Text(std::mem::take(&mut s)));
                parts.push(TplPart::Expr(tokenize_from(&expr_src, at, nesting + 1)?));
                lines += expr_lines;
            }
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    return Err(err(
                        start,
                        "this string ends in the middle of an escape (`\\`)",
                    ));
                };
                match e {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    '0' => s.push('\0'),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    'v' => s.push('\u{b}'),
                    '\n' => lines += 1,
                    'x' => {
                        let hex: String =
                            (0..2).filter_map(|_| chars.next().map(|p| p.1)).collect();
                        s.push(
                            hex_char(&hex)
                                .ok_or_else(|| err(start, "bad `\\x` escape in a string"))?,
                        );
                    }
                    'u' => {
                        let hex: String = if chars.peek().map(|p| p.1) == Some('{') {
                            chars.next();
                            let mut h = String::new();
                            for (_, d) in chars.by_ref() {
                                if d == '}' || h.len() > 8 {
                                    break;
                                }
                                h.push(d);
                            }
                            h
                        } else {
                            (0..4).filter_map(|_| chars.next().map(|p| p.1)).collect()
                        };
                        // Lone surrogates cannot be represented; they become U+FFFD rather than an error.
                        let ch = u32::from_str_radix(&hex, 16)
                            .map_err(|_| err(start, "bad `\\u` escape in a string"))?;
                        s.push(char::from_u32(ch).unwrap_or('\u{fffd}'));
                    }
                    other => s.push(other),
                }
            }
            other => s.push(other),
        }
    }
    if parts.is_empty() {
        return Ok((Tok::Str(s), lines));
    }
    parts.push(TplPart::Text(s));
    Ok((Tok::Template(parts), lines))
}

/// Where [`interpolation_source`] is: in code (with its count of open `{`), a quoted string, or a template.
enum Ctx {
    Code(usize),
    Quoted(char),
    Template,
}

/// The source text of a `${…}` after its `${`, up to the matching `}` (consumed), and how many newlines it spans.
/// Braces inside strings and templates do not count; templates inside it, with their own `${…}`, are followed to
/// their end (up to [`MAX_TEMPLATE_NESTING`] contexts deep, which the tokenizer then refuses with a clear error).
fn interpolation_source(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    line: usize,
) -> Result<(String, usize), ConfigError> {
    let mut out = String::new();
    let mut lines = 0usize;
    let mut stack = vec![Ctx::Code(0)];
    while let Some((_, c)) = chars.next() {
        if c == '\n' {
            lines += 1;
        }
        match stack.last_mut() {
            Some(Ctx::Quoted(_)) | Some(Ctx::Template) if c == '\\' => {
                out.push(c);
                if let Some((_, e)) = chars.next() {
                    out.push(e);
                }
                continue;
            }
            Some(Ctx::Quoted(q)) if c == *q => {
                stack.pop();
            }
            Some(Ctx::Template) if c == '`' => {
                stack.pop();
            }
            Some(Ctx::Template) if c == '$' && chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                out.push_str("${");
                stack.push(Ctx::Code(0));
                continue;
            }
            Some(Ctx::Code(_)) if c == '"' || c == '\'' => stack.push(Ctx::Quoted(c)),
            Some(Ctx::Code(_)) if c == '`' => stack.push(Ctx::Template),
            Some(Ctx::Code(depth)) if c == '{' => *depth += 1,
            Some(Ctx::Code(0)) if c == '}' => {
                stack.pop();
                if stack.is_empty() {
                    return Ok((out, lines));
                }
            }
            Some(Ctx::Code(depth)) if c == '}' => *depth -= 1,
            _ => {}
        }
        if stack.len() > 4 * MAX_TEMPLATE_NESTING {
            return Err(err(line, "template literals nested too deep inside `${…}`"));
        }
        out.push(c);
    }
    Err(err(
        line,
        "a `${` in a template literal is never closed with `}`",
    ))
}

fn hex_char(hex: &str) -> Option<char> {
    if hex.len() != 2 {
        return None;
    }
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}
