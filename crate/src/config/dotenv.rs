//! `.env.local` and the output of `npx convex env list`, read as the `convex` CLI reads them.
//!
//! The CLI loads `.env.local` with dotenv 16 (node_modules/convex `package.json`: `"dotenv": "^16.4.7"`;
//! convex-backend `npm-packages/convex/src/cli/lib/deploymentSelection.ts:573`), and `npx convex env list` prints
//! one `NAME=value` line per variable, quoting a value the way a dotenv file needs
//! (`npm-packages/convex/src/cli/lib/env.ts:174-195`, `formatEnvValueForDotfile.ts`), so one reader serves both.
//! It follows dotenv's `parse` for the forms people write: `NAME=value`, `export NAME=value`, `NAME: value`,
//! comments (`#` ends an unquoted value), values in `'…'`, `"…"` (where `\n` and `\r` become line breaks) or
//! `` `…` ``, which may span lines; a later line wins. Lines that are not assignments are passed over, as dotenv
//! does.
//!
//! Untrusted text: its size is capped and nothing is indexed blindly.

/// Largest file read. Real `.env.local` files are a few hundred bytes; `env list` output with a Convex Auth
/// private key a few KB.
pub const MAX_DOTENV_BYTES: usize = 256 * 1024;

/// Most variables kept (a later duplicate replaces an earlier one and does not count twice).
pub const MAX_DOTENV_VARS: usize = 1000;

/// The assignments of a dotenv text, in the order first set, a later assignment replacing an earlier one.
/// `Err` when the text is too large or is not text at all (a NUL byte: a binary file given by mistake).
pub fn parse_dotenv(text: &str) -> Result<Vec<(String, String)>, String> {
    if text.len() > MAX_DOTENV_BYTES {
        return Err(format!(
            "it is {} bytes, larger than {MAX_DOTENV_BYTES}",
            text.len()
        ));
    }
    if text.contains('\0') {
        return Err("it holds NUL bytes: not a text file".to_owned());
    }
    // dotenv normalises line ends first.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let quotes = Quotes::of(&text);
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let next = match assignment(&text, at, &quotes) {
            Some((name, value, end)) => {
                if let Some(slot) = vars.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = value;
                } else if vars.len() < MAX_DOTENV_VARS {
                    vars.push((name, value));
                } else {
                    return Err(format!("it sets more than {MAX_DOTENV_VARS} variables"));
                }
                end.max(line_end)
            }
            None => line_end,
        };
        at = next + 1;
    }
    Ok(vars)
}

/// Where each quote character stands unescaped (not right after a backslash), in order: a value's closing quote is
/// found by a binary search, so a file of unclosed quotes costs `n log n`, not a scan to the end per line.
struct Quotes {
    single: Vec<usize>,
    double: Vec<usize>,
    back: Vec<usize>,
}

impl Quotes {
    fn of(text: &str) -> Quotes {
        let mut q = Quotes {
            single: Vec::new(),
            double: Vec::new(),
            back: Vec::new(),
        };
        let bytes = text.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let escaped = i > 0 && bytes.get(i - 1) == Some(&b'\\');
            match b {
                b'\'' if !escaped => q.single.push(i),
                b'"' if !escaped => q.double.push(i),
                b'`' if !escaped => q.back.push(i),
                _ => {}
            }
        }
        q
    }

    /// The first unescaped `q` after byte offset `open`.
    fn closing(&self, q: char, open: usize) -> Option<usize> {
        let list = match q {
            '\'' => &self.single,
            '"' => &self.double,
            _ => &self.back,
        };
        let i = list.partition_point(|&p| p <= open);
        list.get(i).copied()
    }
}

/// One assignment starting at line start `at`: its name, value and where its line ends.
fn assignment(text: &str, at: usize, quotes: &Quotes) -> Option<(String, String, usize)> {
    let mut rest = text[at..].trim_start_matches([' ', '\t']);
    if let Some(r) = rest.strip_prefix("export") {
        if r.starts_with([' ', '\t']) {
            rest = r.trim_start_matches([' ', '\t']);
        }
    }
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let name = &rest[..name_len];
    let after = rest[name_len..].trim_start_matches([' ', '\t']);
    let value_text = if let Some(v) = after.strip_prefix('=') {
        v
    } else if let Some(v) = after.strip_prefix(':') {
        // `NAME: value` needs the space.
        if !v.starts_with([' ', '\t']) {
            return None;
        }
        v
    } else {
        return None;
    };
    let value_start = text.len() - value_text.len();
    let lead = value_text.len() - value_text.trim_start_matches([' ', '\t']).len();
    let body = &value_text[lead..];
    if let Some(q) = body
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))
    {
        let open = value_start + lead;
        if let Some(close_at) = quotes.closing(q, open) {
            let inner = &text[open + 1..close_at];
            let after_quote = close_at + 1;
            // Only whitespace or a comment may follow the closing quote on its line.
            let tail_end = text[after_quote..]
                .find('\n')
                .map_or(text.len(), |i| after_quote + i);
            let tail = text[after_quote..tail_end].trim_start_matches([' ', '\t']);
            if tail.is_empty() || tail.starts_with('#') {
                let value = if q == '"' {
                    inner.replace("\\n", "\n").replace("\\r", "\r")
                } else {
                    inner.to_owned()
                };
                return Some((name.to_owned(), value, tail_end));
            }
        }
    }
    // Unquoted: up to a `#` or the line's end, trimmed.
    let line = body.split('\n').next().unwrap_or_default();
    let value = line.split('#').next().unwrap_or_default().trim();
    // dotenv strips a pair of matching quotes left around what remains.
    let value = strip_matching_quotes(value);
    let end = value_start + lead + line.len();
    Some((name.to_owned(), value.to_owned(), end))
}

fn strip_matching_quotes(v: &str) -> &str {
    for q in ['\'', '"', '`'] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::parse_dotenv;

    fn get(text: &str, name: &str) -> Option<String> {
        parse_dotenv(text)
            .expect("parses")
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn reads_what_npx_convex_dev_writes() {
        let text = "# Deployment used by `npx convex dev`\nCONVEX_DEPLOYMENT=dev:happy-otter-123 # team: me, project: app\n\nVITE_CONVEX_URL=https://happy-otter-123.convex.cloud\n";
        assert_eq!(
            get(text, "CONVEX_DEPLOYMENT").as_deref(),
            Some("dev:happy-otter-123")
        );
        assert_eq!(
            get(text, "VITE_CONVEX_URL").as_deref(),
            Some("https://happy-otter-123.convex.cloud")
        );
    }

    #[test]
    fn quotes_exports_comments_and_later_lines() {
        let text = "export A='x # not a comment'\nB=\"line1\\nline2\"\nC = spaced  \nD=1\nD=2\nE:  colon\nnot an assignment\nF=`tick`\nG=\nH='multi\nline'\r\nI=\"unterminated\n";
        assert_eq!(get(text, "A").as_deref(), Some("x # not a comment"));
        assert_eq!(get(text, "B").as_deref(), Some("line1\nline2"));
        assert_eq!(get(text, "C").as_deref(), Some("spaced"));
        assert_eq!(get(text, "D").as_deref(), Some("2"));
        assert_eq!(get(text, "E").as_deref(), Some("colon"));
        assert_eq!(get(text, "F").as_deref(), Some("tick"));
        assert_eq!(get(text, "G").as_deref(), Some(""));
        assert_eq!(get(text, "H").as_deref(), Some("multi\nline"));
        assert_eq!(get(text, "I").as_deref(), Some("\"unterminated"));
        assert_eq!(get(text, "not"), None);
    }

    #[test]
    fn env_list_keeps_a_quoted_value_s_own_quotes() {
        // `formatEnvValueForDotfile` wraps a value that starts and ends with `"` in single quotes.
        let text = "ISSUER='\"https://x.example.com\"'\n";
        assert_eq!(
            get(text, "ISSUER").as_deref(),
            Some("\"https://x.example.com\"")
        );
    }

    #[test]
    fn unclosed_quotes_on_every_line_cost_no_scan_to_the_end() {
        // 40,000 lines, each opening a quote never closed: read as unquoted values, in n log n.
        let text = "A=\"x\n".repeat(40_000);
        assert_eq!(get(&text, "A").as_deref(), Some("\"x"));
        let text = "A=\"a \\\" b\"\n";
        assert_eq!(get(text, "A").as_deref(), Some("a \\\" b"));
    }

    #[test]
    fn binary_and_huge_input_are_refused() {
        assert!(parse_dotenv("A=1\0\u{1}").is_err());
        assert!(parse_dotenv(&"A".repeat(super::MAX_DOTENV_BYTES + 1)).is_err());
        let many: String = (0..=super::MAX_DOTENV_VARS)
            .map(|i| format!("V{i}=1\n"))
            .collect();
        assert!(parse_dotenv(&many).is_err());
        assert_eq!(parse_dotenv("").expect("empty").len(), 0);
    }
}
