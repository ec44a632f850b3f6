//! Reads `convex/auth.config.ts` / `.js` without a JavaScript engine.
//!
//! People paste the file as they wrote it, so the reader accepts the object-literal subset those files use:
//! `export default {…}`, `const x = {…}; export default x`, `satisfies AuthConfig`, `as const`,
//! `module.exports = {…}`, comments, trailing commas, every quote style (template literals without `${}`), quoted
//! or bare keys, and `process.env.NAME` in its usual spellings (`process.env["NAME"]`, `process.env.NAME!`,
//! `process.env.NAME ?? "fallback"`). Anything it cannot evaluate (calls, spreads, imported constants) becomes a
//! clear error naming the line, never a guess and never a panic: the input is untrusted, so sizes and nesting are
//! capped and nothing is indexed blindly.
//!
//! The shape it produces follows the backend's `SerializedAuthInfo` (convex-backend `crates/common/src/auth.rs`):
//! a provider with `type: "customJwt"` has `issuer`, `jwks`, `algorithm`, optional `applicationID`; any other
//! provider is OIDC with `domain` and `applicationID`.

use super::{AuthConfig, ConfigSource, ConfigValue, Provider};

/// Environment values given by the user (`--env NAME=VALUE`): a name's latest value wins.
///
/// A short list with the few map methods callers use (`new`, `insert`, `get`, `collect`), not a `BTreeMap`: a
/// config reads a handful of variables, and a map type of its own cost about 6 KB of the wasm module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: Vec<(String, String)>,
}

impl Env {
    pub fn new() -> Self {
        Env::default()
    }

    /// Sets a value; returns the one it replaces, as `BTreeMap::insert` does.
    pub fn insert(&mut self, name: String, value: String) -> Option<String> {
        match self.vars.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.vars.push((name, value));
                None
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&String> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// `(name, value)` in the order first set.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.vars.iter().map(|(n, v)| (n, v))
    }
}

impl FromIterator<(String, String)> for Env {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut env = Env::new();
        for (n, v) in iter {
            env.insert(n, v);
        }
        env
    }
}

/// Why a configuration file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Largest file accepted. Real auth configs are under 2 KB; this leaves room for long comments while keeping
/// memory bounded for whatever gets pasted.
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// Deepest nesting of objects/arrays/parentheses accepted (real configs nest 3 deep).
pub const MAX_DEPTH: usize = 48;

/// How many `const a = b` hops are followed before giving up (guards against `a = b; b = a`).
const MAX_REF_HOPS: usize = 16;

fn err(line: usize, message: impl Into<String>) -> ConfigError {
    ConfigError {
        line,
        message: message.into(),
    }
}

/// Parses `auth.config.ts` / `.js`, resolving `process.env.NAME` from `env` where given.
pub fn parse_auth_config(src: &str, env: &Env) -> Result<AuthConfig, ConfigError> {
    if src.len() > MAX_CONFIG_BYTES {
        return Err(err(
            0,
            format!(
                "the file is {} bytes; an auth config is a few hundred (the limit is {MAX_CONFIG_BYTES})",
                src.len()
            ),
        ));
    }
    let tokens = tokenize(src)?;
    let program = read_program(&tokens)?;
    let ctx = Eval {
        bindings: &program.bindings,
        env,
    };
    to_auth_config(&ctx, &program.export)
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    /// A template literal containing `${…}`: its value depends on code.
    Template,
    Num(String),
    /// Punctuation, one or more characters (`{`, `??`, `...`, `=>`).
    Punct(&'static str),
    /// Any other character (kept so that statements we skip can contain anything).
    Other(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

const PUNCTS: &[&str] = &[
    "...", "??", "||", "&&", "=>", "==", "!=", "?.", "{", "}", "[", "]", "(", ")", ",", ":", ";",
    "=", ".", "!", "?", "<", ">", "|", "&", "-", "+", "*", "/", "@",
];

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Str(_) => "a string".into(),
        Tok::Template => "a template literal".into(),
        Tok::Num(n) => format!("`{n}`"),
        Tok::Punct(p) => format!("`{p}`"),
        Tok::Other(c) => format!("{:?}", c),
    }
}

fn tokenize(src: &str) -> Result<Vec<Token>, ConfigError> {
    let mut out = Vec::new();
    let mut chars = src.char_indices().peekable();
    let mut line = 1usize;
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
            let (tok, lines) = read_string(&mut chars, c, start)?;
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
) -> Result<(Tok, usize), ConfigError> {
    let mut s = String::new();
    let mut lines = 0usize;
    let mut interpolated = false;
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
                interpolated = true;
                s.push('$');
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
    Ok((
        if interpolated {
            Tok::Template
        } else {
            Tok::Str(s)
        },
        lines,
    ))
}

fn hex_char(hex: &str) -> Option<char> {
    if hex.len() != 2 {
        return None;
    }
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

// ---------------------------------------------------------------------------------------------------------------
// Values and the reader

/// A JavaScript value as far as this reader can know it.
#[derive(Debug, Clone, PartialEq)]
enum Js {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
    Obj(Vec<(String, Js, usize)>),
    Arr(Vec<(Js, usize)>),
    /// `process.env.NAME`, with the literal after `??` / `||` if any.
    Env {
        name: String,
        fallback: Option<String>,
    },
    /// A bare identifier: a `const` of this file, or something imported.
    Ref(String),
    /// Something only running the code would tell (a call, a spread, `${}`): the reason, in words.
    Opaque(String),
    /// A `const` whose value could not be read, with the reason.
    Broken(ConfigError),
}

/// `const` bindings in file order; a later one of the same name shadows the earlier (looked up from the end).
/// A list, not a map: a config has a handful, and a map type of its own cost about 5 KB of wasm.
type Bindings = Vec<(String, (Js, usize))>;

struct Program {
    bindings: Bindings,
    export: (Js, usize),
}

struct Reader<'a> {
    toks: &'a [Token],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    fn peek_at(&self, n: usize) -> Option<&'a Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }
    fn line(&self) -> usize {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map_or(1, |t| t.line)
    }
    fn bump(&mut self) -> Option<&'a Tok> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    fn is_ident(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == name)
    }
    fn eat_punct(&mut self, p: &str) -> bool {
        if self.is_punct(p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the file".into(), describe)
    }
    fn expect_punct(&mut self, p: &str, context: &str) -> Result<(), ConfigError> {
        if self.eat_punct(p) {
            Ok(())
        } else {
            Err(err(
                self.line(),
                format!("expected `{p}` {context}, found {}", self.found()),
            ))
        }
    }

    /// Skips a balanced group starting at an opening bracket; used for calls and type arguments.
    fn skip_group(&mut self, open: &str, close: &str) -> Result<(), ConfigError> {
        let start = self.line();
        let mut depth = 0usize;
        while let Some(t) = self.bump() {
            if let Tok::Punct(p) = t {
                if *p == open {
                    depth += 1;
                } else if *p == close {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
            }
        }
        Err(err(
            start,
            format!("`{open}` is never closed with `{close}`"),
        ))
    }

    /// Skips a TypeScript type after `:`, `as` or `satisfies` (`AuthConfig`, `const`, `Foo<Bar>[]`, `A | B`).
    /// Only one type is consumed, so a statement on the next line (no `;`) is not swallowed.
    fn skip_type(&mut self) -> Result<(), ConfigError> {
        loop {
            match self.peek() {
                Some(Tok::Ident(k)) if k == "typeof" || k == "keyof" => {
                    self.pos += 1;
                    continue;
                }
                Some(Tok::Ident(_)) | Some(Tok::Str(_)) => self.pos += 1,
                Some(Tok::Punct("{")) => self.skip_group("{", "}")?,
                _ => {
                    return Err(err(
                        self.line(),
                        format!("expected a type, found {}", self.found()),
                    ))
                }
            }
            loop {
                if self.is_punct(".") && matches!(self.peek_at(1), Some(Tok::Ident(_))) {
                    self.pos += 2;
                } else if self.is_punct("<") {
                    self.skip_group("<", ">")?;
                } else if self.is_punct("[") && matches!(self.peek_at(1), Some(Tok::Punct("]"))) {
                    self.pos += 2;
                } else {
                    break;
                }
            }
            if !(self.eat_punct("|") || self.eat_punct("&")) {
                return Ok(());
            }
        }
    }

    /// expression := unary (( `??` | `||` ) unary)* postfix-types
    fn expr(&mut self, depth: usize) -> Result<Js, ConfigError> {
        if depth > MAX_DEPTH {
            return Err(err(
                self.line(),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut value = self.postfix(depth)?;
        while self.is_punct("??") || self.is_punct("||") {
            self.pos += 1;
            let right = self.postfix(depth + 1)?;
            value = match (value, right) {
                (
                    Js::Env {
                        name,
                        fallback: None,
                    },
                    Js::Str(s),
                ) => Js::Env {
                    name,
                    fallback: Some(s),
                },
                (Js::Env { name, fallback }, _) => Js::Env { name, fallback },
                (left, _) => left,
            };
        }
        Ok(value)
    }

    /// A primary followed by TypeScript-only suffixes (`!`, `as T`, `satisfies T`) that do not change the value.
    fn postfix(&mut self, depth: usize) -> Result<Js, ConfigError> {
        let mut value = self.primary(depth)?;
        loop {
            if self.is_punct("!") {
                self.pos += 1;
            } else if self.is_ident("as") || self.is_ident("satisfies") {
                self.pos += 1;
                self.skip_type()?;
            } else if self.is_punct("(") {
                let what = match &value {
                    Js::Ref(name) => format!("a call to `{name}(…)`"),
                    _ => "a function call".into(),
                };
                self.skip_group("(", ")")?;
                value = Js::Opaque(what);
            } else if self.is_punct(".") || self.is_punct("?.") {
                // `x.y` on something other than process.env: only running the code tells.
                self.pos += 1;
                let member = match self.bump() {
                    Some(Tok::Ident(m)) => m.clone(),
                    _ => return Err(err(self.line(), "expected a property name after `.`")),
                };
                value = Js::Opaque(match &value {
                    Js::Ref(name) => format!("`{name}.{member}`"),
                    _ => format!("a property access `.{member}`"),
                });
            } else {
                return Ok(value);
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Result<Js, ConfigError> {
        let line = self.line();
        let Some(tok) = self.bump() else {
            return Err(err(line, "expected a value, found the end of the file"));
        };
        match tok {
            Tok::Str(s) => Ok(Js::Str(s.clone())),
            Tok::Template => Ok(Js::Opaque("a template literal with `${…}`".into())),
            Tok::Num(n) => Ok(Js::Num(n.clone())),
            Tok::Punct("-") => match self.bump() {
                Some(Tok::Num(n)) => Ok(Js::Num(format!("-{n}"))),
                _ => Err(err(line, "expected a number after `-`")),
            },
            Tok::Punct("{") => self.object(line, depth + 1),
            Tok::Punct("[") => self.array(line, depth + 1),
            Tok::Punct("(") => {
                let v = self.expr(depth + 1)?;
                self.expect_punct(")", &format!("to close the `(` opened on line {line}"))?;
                Ok(v)
            }
            Tok::Ident(id) => match id.as_str() {
                "true" => Ok(Js::Bool(true)),
                "false" => Ok(Js::Bool(false)),
                "null" | "undefined" => Ok(Js::Null),
                "process" => self.process_env(line),
                "new" | "await" | "function" | "async" | "class" => Err(err(
                    line,
                    format!("`{id}` is code this reader does not run: write the value itself"),
                )),
                _ => Ok(Js::Ref(id.clone())),
            },
            other => Err(err(
                line,
                format!("expected a value, found {}", describe(other)),
            )),
        }
    }

    /// After `process`: `.env.NAME` or `.env["NAME"]`.
    fn process_env(&mut self, line: usize) -> Result<Js, ConfigError> {
        let is_env =
            self.is_punct(".") && matches!(self.peek_at(1), Some(Tok::Ident(e)) if e == "env");
        if !is_env {
            return Ok(Js::Ref("process".into()));
        }
        self.pos += 2;
        if self.eat_punct(".") {
            return match self.bump() {
                Some(Tok::Ident(name)) => Ok(Js::Env {
                    name: name.clone(),
                    fallback: None,
                }),
                _ => Err(err(line, "expected a variable name after `process.env.`")),
            };
        }
        if self.eat_punct("[") {
            let name =
                match self.bump() {
                    Some(Tok::Str(name)) => name.clone(),
                    _ => return Err(err(
                        line,
                        "`process.env[…]` with a computed name: write `process.env.NAME` instead",
                    )),
                };
            self.expect_punct("]", "after the variable name in `process.env[…]`")?;
            return Ok(Js::Env {
                name,
                fallback: None,
            });
        }
        Ok(Js::Opaque("the whole `process.env` object".into()))
    }

    /// The operand of a `...` spread, after the `...`: never evaluated, only named for the error it leads to.
    fn spread(&mut self, depth: usize) -> Result<Js, ConfigError> {
        let name = match self.expr(depth)? {
            Js::Ref(n) => format!("`...{n}`"),
            _ => "a spread `...`".into(),
        };
        Ok(Js::Opaque(name))
    }

    fn object(&mut self, open_line: usize, depth: usize) -> Result<Js, ConfigError> {
        if depth > MAX_DEPTH {
            return Err(err(
                open_line,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut entries = Vec::new();
        loop {
            if self.eat_punct("}") {
                return Ok(Js::Obj(entries));
            }
            let line = self.line();
            if self.eat_punct("...") {
                entries.push(("...".into(), self.spread(depth)?, line));
            } else {
                let key = match self.bump() {
                    Some(Tok::Ident(k)) | Some(Tok::Str(k)) | Some(Tok::Num(k)) => k.clone(),
                    Some(Tok::Punct("[")) => {
                        return Err(err(line, "a computed key `[…]`: write the key itself"));
                    }
                    Some(other) => {
                        return Err(err(
                            line,
                            format!(
                                "expected a key or `}}` to close the object opened on line {open_line}, found {}",
                                describe(other)
                            ),
                        ))
                    }
                    None => {
                        return Err(err(
                            line,
                            format!("expected `}}` to close the object opened on line {open_line}, found the end of the file"),
                        ))
                    }
                };
                if self.eat_punct(":") {
                    let v = self.expr(depth)?;
                    entries.push((key, v, line));
                } else if self.is_punct("(") {
                    return Err(err(
                        line,
                        format!("`{key}(…) {{…}}` is a method: this reader needs plain values"),
                    ));
                } else {
                    // Shorthand `{ providers }` names a binding of the same name.
                    entries.push((key.clone(), Js::Ref(key), line));
                }
            }
            if self.eat_punct(",") {
                continue;
            }
            if self.is_punct("}") {
                continue;
            }
            return Err(err(
                self.line(),
                format!(
                    "expected `,` or `}}` to close the object opened on line {open_line}, found {}",
                    self.found()
                ),
            ));
        }
    }

    fn array(&mut self, open_line: usize, depth: usize) -> Result<Js, ConfigError> {
        if depth > MAX_DEPTH {
            return Err(err(
                open_line,
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut items = Vec::new();
        loop {
            if self.eat_punct("]") {
                return Ok(Js::Arr(items));
            }
            let line = self.line();
            if self.eat_punct("...") {
                items.push((self.spread(depth)?, line));
            } else {
                items.push((self.expr(depth)?, line));
            }
            if self.eat_punct(",") || self.is_punct("]") {
                continue;
            }
            return Err(err(
                self.line(),
                format!(
                    "expected `,` or `]` to close the list opened on line {open_line}, found {}",
                    self.found()
                ),
            ));
        }
    }
}

/// Scans the statements: remembers `const/let/var NAME = value` and finds the exported value. Statements it does
/// not understand (imports, functions, types) are stepped over token by token.
fn read_program(tokens: &[Token]) -> Result<Program, ConfigError> {
    let mut r = Reader {
        toks: tokens,
        pos: 0,
    };
    let mut bindings = Bindings::new();
    let mut export: Option<(Js, usize)> = None;
    // A binding that could not be read: reported if the export uses it, or if no export is found (its error may
    // have swallowed the rest of the file, e.g. an unclosed `(`).
    let mut first_error: Option<ConfigError> = None;
    while let Some(tok) = r.peek() {
        let line = r.line();
        match tok {
            Tok::Ident(kw) if kw == "const" || kw == "let" || kw == "var" => {
                r.pos += 1;
                let Some(Tok::Ident(name)) = r.peek() else {
                    continue;
                };
                r.pos += 1;
                if r.eat_punct(":") {
                    r.skip_type()?;
                }
                if !r.eat_punct("=") {
                    continue;
                }
                // A binding we cannot read is only an error if the export uses it.
                let start = r.pos;
                let value = match r.expr(0) {
                    Ok(v) => v,
                    Err(e) => {
                        r.pos = start.max(r.pos);
                        first_error.get_or_insert_with(|| e.clone());
                        Js::Broken(e)
                    }
                };
                bindings.push((name.clone(), (value, line)));
            }
            Tok::Ident(kw)
                if kw == "export"
                    && matches!(r.peek_at(1), Some(Tok::Ident(d)) if d == "default") =>
            {
                r.pos += 2;
                let value = r.expr(0)?;
                export = Some((value, line));
            }
            Tok::Ident(m)
                if m == "module"
                    && matches!(r.peek_at(1), Some(Tok::Punct(".")))
                    && matches!(r.peek_at(2), Some(Tok::Ident(e)) if e == "exports")
                    && matches!(r.peek_at(3), Some(Tok::Punct("="))) =>
            {
                r.pos += 4;
                let value = r.expr(0)?;
                export = Some((value, line));
            }
            // `exports.default = {…}`, as compiled TypeScript writes it.
            Tok::Ident(m)
                if m == "exports"
                    && matches!(r.peek_at(1), Some(Tok::Punct(".")))
                    && matches!(r.peek_at(2), Some(Tok::Ident(d)) if d == "default")
                    && matches!(r.peek_at(3), Some(Tok::Punct("="))) =>
            {
                r.pos += 4;
                let value = r.expr(0)?;
                export = Some((value, line));
            }
            // `export { authConfig as default }`.
            Tok::Ident(kw)
                if kw == "export"
                    && matches!(r.peek_at(1), Some(Tok::Punct("{")))
                    && matches!(r.peek_at(2), Some(Tok::Ident(_)))
                    && matches!(r.peek_at(3), Some(Tok::Ident(a)) if a == "as")
                    && matches!(r.peek_at(4), Some(Tok::Ident(d)) if d == "default") =>
            {
                if let Some(Tok::Ident(name)) = r.peek_at(2) {
                    export = Some((Js::Ref(name.clone()), line));
                }
                r.pos += 5;
            }
            _ => r.pos += 1,
        }
    }
    match export {
        Some(export) => Ok(Program { bindings, export }),
        None => Err(first_error.unwrap_or_else(|| err(
            1,
            "no `export default …` or `module.exports = …` found: paste the whole convex/auth.config.ts",
        ))),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// From values to the configuration

struct Eval<'a> {
    bindings: &'a Bindings,
    env: &'a Env,
}

impl Eval<'_> {
    /// Follows `const` references to the value they name.
    fn resolve<'v>(&'v self, value: &'v Js, line: usize) -> Result<(&'v Js, usize), ConfigError> {
        let mut current = (value, line);
        for _ in 0..MAX_REF_HOPS {
            match current.0 {
                Js::Ref(name) => match self.bindings.iter().rev().find(|(n, _)| n == name).map(|(_, b)| b) {
                    Some((v, l)) => current = (v, *l),
                    None => {
                        return Err(err(
                            current.1,
                            format!("`{name}` is imported or defined elsewhere; paste its value in place of the name"),
                        ))
                    }
                },
                Js::Broken(e) => return Err(e.clone()),
                Js::Opaque(what) => {
                    return Err(err(current.1, format!("{what} can only be known by running the code; write the value itself")))
                }
                _ => return Ok(current),
            }
        }
        Err(err(line, "constants refer to each other in a loop"))
    }

    fn config_value(&self, value: &Js, line: usize, key: &str) -> Result<ConfigValue, ConfigError> {
        let (v, l) = self.resolve(value, line)?;
        match v {
            Js::Str(s) | Js::Num(s) => Ok(ConfigValue::Literal { value: s.clone() }),
            Js::Env { name, fallback } => {
                // The deployment's value wins; without one, a literal fallback is what the push evaluated.
                let value = self.env.get(name).cloned().or_else(|| fallback.clone());
                Ok(ConfigValue::Env {
                    name: name.clone(),
                    value,
                })
            }
            other => Err(err(
                l,
                format!("`{key}` should be a string, found {}", kind_name(other)),
            )),
        }
    }
}

fn kind_name(v: &Js) -> &'static str {
    match v {
        Js::Str(_) => "a string",
        Js::Num(_) => "a number",
        Js::Bool(_) => "a boolean",
        Js::Null => "null",
        Js::Obj(_) => "an object",
        Js::Arr(_) => "a list",
        Js::Env { .. } => "an environment variable",
        Js::Ref(_) => "a name",
        Js::Opaque(_) => "code",
        Js::Broken(_) => "an unreadable value",
    }
}

fn field<'v>(entries: &'v [(String, Js, usize)], key: &str) -> Option<(&'v Js, usize)> {
    // JavaScript keeps the last of duplicate keys.
    entries
        .iter()
        .rev()
        .find(|(k, _, _)| k == key)
        .map(|(_, v, l)| (v, *l))
}

fn to_auth_config(ctx: &Eval<'_>, export: &(Js, usize)) -> Result<AuthConfig, ConfigError> {
    let (top, top_line) = ctx.resolve(&export.0, export.1)?;
    let Js::Obj(entries) = top else {
        return Err(err(
            top_line,
            format!(
                "the export should be an object `{{ providers: [...] }}`, found {}",
                kind_name(top)
            ),
        ));
    };
    if let Some((_, Js::Opaque(what), line)) = entries.iter().find(|(k, _, _)| k == "...") {
        if field(entries, "providers").is_none() {
            return Err(err(
                *line,
                format!(
                    "{what} can only be known by running the code; write `providers: [...]` itself"
                ),
            ));
        }
    }
    let Some((providers, line)) = field(entries, "providers") else {
        return Err(err(top_line, "the exported object has no `providers` key"));
    };
    let (providers, line) = ctx.resolve(providers, line)?;
    let Js::Arr(items) = providers else {
        return Err(err(
            line,
            format!(
                "`providers` should be a list `[...]`, found {}",
                kind_name(providers)
            ),
        ));
    };
    let mut out = Vec::new();
    for (item, item_line) in items {
        out.push(to_provider(ctx, item, *item_line)?);
    }
    Ok(AuthConfig {
        providers: out,
        source: ConfigSource::User,
    })
}

fn to_provider(ctx: &Eval<'_>, item: &Js, line: usize) -> Result<Provider, ConfigError> {
    let (v, line) = ctx.resolve(item, line)?;
    let Js::Obj(entries) = v else {
        return Err(err(
            line,
            format!("a provider should be an object, found {}", kind_name(v)),
        ));
    };
    let get = |key: &str| -> Result<Option<ConfigValue>, ConfigError> {
        match field(entries, key) {
            None => Ok(None),
            Some((Js::Null, _)) => Ok(None),
            Some((v, l)) => ctx.config_value(v, l, key).map(Some),
        }
    };
    let need = |key: &str, what: &str| -> Result<ConfigValue, ConfigError> {
        get(key)?.ok_or_else(|| err(line, format!("this {what} provider has no `{key}`")))
    };
    let kind = get("type")?;
    let application_id = get("applicationID")?;
    match kind.as_ref().and_then(ConfigValue::resolved) {
        Some("customJwt") => Ok(Provider::CustomJwt {
            issuer: need("issuer", "customJwt")?,
            jwks: need("jwks", "customJwt")?,
            algorithm: need("algorithm", "customJwt")?,
            application_id,
        }),
        // The backend's `SerializedAuthInfo` makes OIDC the untagged fallback: any other `type` reads as OIDC.
        _ => Ok(Provider::Oidc {
            domain: need("domain", "OIDC")?,
            application_id,
        }),
    }
}
