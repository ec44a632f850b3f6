//! The reader: tokens to JavaScript values as far as they can be known without running code (objects, lists,
//! strings, `process.env.NAME`), skipping TypeScript-only syntax (`as T`, `satisfies T`, `!`).

use super::lexer::{describe, Tok, Token, TplPart};
use super::{err, ConfigError, MAX_DEPTH};

/// A JavaScript value as far as this reader can know it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Js {
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
    /// A string built by a template literal or `+`: the parts, in order.
    Concat(Vec<Js>),
    /// `name(args…)`: evaluated only for the auth libraries' documented helpers (`helpers.rs`).
    Call {
        callee: String,
        args: Vec<(Js, usize)>,
    },
    /// A bare identifier: a `const` of this file, or something imported.
    Ref(String),
    /// `object.member` on a name: Convex's generated `env` (`env.NAME`), else unknowable.
    Member {
        object: String,
        member: String,
    },
    /// A binding made by `import`: `name` of module `source` (`default`, or `*` for a namespace).
    Import {
        source: String,
        name: String,
    },
    /// Something only running the code would tell (a call that is not a plain `name(values)`, a spread): the
    /// reason, in words.
    Opaque(String),
    /// A `const` whose value could not be read, with the reason.
    Broken(ConfigError),
}

/// A cursor over the tokens; each method reads one construct and leaves the cursor after it.
pub(super) struct Reader<'a> {
    pub(super) toks: &'a [Token],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    pub(super) fn peek_at(&self, n: usize) -> Option<&'a Tok> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }
    pub(super) fn line(&self) -> usize {
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
    pub(super) fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }
    pub(super) fn is_ident(&self, name: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == name)
    }
    pub(super) fn eat_punct(&mut self, p: &str) -> bool {
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
    pub(super) fn skip_type(&mut self) -> Result<(), ConfigError> {
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
    pub(super) fn expr(&mut self, depth: usize) -> Result<Js, ConfigError> {
        if depth > MAX_DEPTH {
            return Err(err(
                self.line(),
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        let mut value = self.additive(depth)?;
        while self.is_punct("??") || self.is_punct("||") {
            self.pos += 1;
            let right = self.additive(depth + 1)?;
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

    /// additive := postfix (`+` postfix)*: string concatenation (the only arithmetic configs use).
    fn additive(&mut self, depth: usize) -> Result<Js, ConfigError> {
        let first = self.postfix(depth)?;
        if !self.is_punct("+") {
            return Ok(first);
        }
        let mut parts = vec![first];
        while self.eat_punct("+") {
            parts.push(self.postfix(depth + 1)?);
        }
        Ok(Js::Concat(parts))
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
                value = self.call(value, depth)?;
            } else if self.is_punct(".") || self.is_punct("?.") {
                // `x.y` on something other than process.env: only running the code tells.
                self.pos += 1;
                let member = match self.bump() {
                    Some(Tok::Ident(m)) => m.clone(),
                    _ => return Err(err(self.line(), "expected a property name after `.`")),
                };
                value = match value {
                    // `env.NAME` of Convex's generated `env` is read by the evaluator; other objects' members
                    // only by running the code.
                    Js::Ref(object) => Js::Member { object, member },
                    _ => Js::Opaque(format!("a property access `.{member}`")),
                };
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
            Tok::Template(parts) => self.template(parts, depth),
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

    /// `name(…)` after `name`, at the `(`. The arguments are read as values where they can be (a helper such as
    /// `getAuthConfigProvider({ jwks: process.env.JWKS })`); anything else (a callback, say) is stepped over, and
    /// the call is only named for the error it leads to.
    fn call(&mut self, callee: Js, depth: usize) -> Result<Js, ConfigError> {
        let open = self.pos;
        if let (Js::Ref(name), Some(args)) = (&callee, self.call_args(depth)) {
            return Ok(Js::Call {
                callee: name.clone(),
                args,
            });
        }
        self.pos = open;
        self.skip_group("(", ")")?;
        Ok(Js::Opaque(match &callee {
            Js::Ref(name) => format!("a call to `{name}(…)`"),
            _ => "a function call".into(),
        }))
    }

    /// `( value, … )` as values, or `None` (cursor anywhere) when an argument is not a plain value.
    fn call_args(&mut self, depth: usize) -> Option<Vec<(Js, usize)>> {
        self.expect_punct("(", "").ok()?;
        let mut args = Vec::new();
        loop {
            if self.eat_punct(")") {
                return Some(args);
            }
            let line = self.line();
            args.push((self.expr(depth + 1).ok()?, line));
            if !self.eat_punct(",") && !self.is_punct(")") {
                return None;
            }
        }
    }

    /// A template literal with `${…}`: its text and the values of its expressions, in order.
    fn template(&mut self, parts: &'a [TplPart], depth: usize) -> Result<Js, ConfigError> {
        let mut out = Vec::new();
        for part in parts {
            match part {
                TplPart::Text(t) if t.is_empty() => {}
                TplPart::Text(t) => out.push(Js::Str(t.clone())),
                TplPart::Expr(tokens) => {
                    let mut inner = Reader {
                        toks: tokens,
                        pos: 0,
                    };
                    let line = inner.line();
                    let value = inner.expr(depth + 1)?;
                    if inner.peek().is_some() {
                        return Err(err(
                            line,
                            format!(
                                "expected `}}` to end the `${{…}}` of a template literal, found {}",
                                inner.found()
                            ),
                        ));
                    }
                    out.push(value);
                }
            }
        }
        Ok(Js::Concat(out))
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
