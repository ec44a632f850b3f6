//! The program walker: steps through the file's statements, remembering `const` bindings and finding the export.

use super::lexer::{Tok, Token};
use super::reader::{Js, Reader};
use super::{err, ConfigError};

/// `const` bindings in file order; a later one of the same name shadows the earlier (looked up from the end).
/// A list, not a map: a config has a handful, and a map type of its own cost about 5 KB of wasm.
pub(super) type Bindings = Vec<(String, (Js, usize))>;

pub(super) struct Program {
    pub(super) bindings: Bindings,
    pub(super) export: (Js, usize),
}

/// Scans the statements: remembers `const/let/var NAME = value` and finds the exported value. Statements it does
/// not understand (imports, functions, types) are stepped over token by token.
pub(super) fn read_program(tokens: &[Token]) -> Result<Program, ConfigError> {
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
