//! The program walker: steps through the file's statements, remembering `const` bindings and finding the export.

use super::lexer::{Tok, Token};
use super::reader::{Js, Reader};
use super::ConfigError;

/// `const` bindings in file order; a later one of the same name shadows the earlier (looked up from the end).
/// A list, not a map: a config has a handful, and a map type of its own cost about 5 KB of wasm.
pub(super) type Bindings = Vec<(String, (Js, usize))>;

pub(super) struct Program {
    pub(super) bindings: Bindings,
    /// `export default …` / `module.exports = …`; `None` for a module read only for its constants.
    pub(super) export: Option<(Js, usize)>,
    /// The first binding that could not be read (reported when nothing better explains a missing export).
    pub(super) first_error: Option<ConfigError>,
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
            Tok::Ident(kw) if kw == "import" => {
                r.pos += 1;
                let names = import_clause(&mut r, line);
                bindings.extend(names);
            }
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
    Ok(Program {
        bindings,
        export,
        first_error,
    })
}

/// After `import` (on `line`): the bindings it makes, each a [`Js::Import`] naming the imported name (`default` for
/// a default import, `*` for a namespace) and the source. Type-only imports bind nothing a value can use. The
/// cursor stops after the source string, or wherever the clause stops making sense (the walker steps over the
/// rest).
fn import_clause(r: &mut Reader<'_>, line: usize) -> Bindings {
    let mut names: Bindings = Vec::new();
    let import = |name: &str| {
        (
            Js::Import {
                source: String::new(),
                name: name.to_owned(),
            },
            line,
        )
    };
    let default_named_type = matches!(r.peek_at(1), Some(Tok::Punct(",")))
        || matches!(r.peek_at(1), Some(Tok::Ident(f)) if f == "from");
    if r.is_ident("type") && !default_named_type {
        return Vec::new();
    }
    if let Some(Tok::Ident(local)) = r.peek() {
        if local != "from" {
            names.push((local.clone(), import("default")));
            r.pos += 1;
            r.eat_punct(",");
        }
    }
    if r.eat_punct("*") {
        if !r.is_ident("as") {
            return Vec::new();
        }
        r.pos += 1;
        if let Some(Tok::Ident(local)) = r.peek() {
            names.push((local.clone(), import("*")));
            r.pos += 1;
        }
    } else if r.eat_punct("{") {
        loop {
            if r.eat_punct("}") {
                break;
            }
            let type_only =
                r.is_ident("type") && matches!(r.peek_at(1), Some(Tok::Ident(n)) if n != "as");
            if type_only {
                r.pos += 1;
            }
            let imported = match r.peek() {
                Some(Tok::Ident(n)) | Some(Tok::Str(n)) => n.clone(),
                _ => return Vec::new(),
            };
            r.pos += 1;
            let mut local = imported.clone();
            if r.is_ident("as") {
                r.pos += 1;
                match r.peek() {
                    Some(Tok::Ident(n)) => local = n.clone(),
                    _ => return Vec::new(),
                }
                r.pos += 1;
            }
            if !type_only {
                names.push((local, import(&imported)));
            }
            if !r.eat_punct(",") && !r.is_punct("}") {
                return Vec::new();
            }
        }
    }
    names_from(names, r)
}

/// `from "source"` after an import's names: the bindings, with their source filled in.
fn names_from(mut names: Bindings, r: &mut Reader<'_>) -> Bindings {
    if !r.is_ident("from") {
        return Vec::new();
    }
    r.pos += 1;
    let Some(Tok::Str(source)) = r.peek() else {
        return Vec::new();
    };
    r.pos += 1;
    for (_, (value, _)) in names.iter_mut() {
        if let Js::Import { source: s, .. } = value {
            s.clone_from(source);
        }
    }
    names
}
