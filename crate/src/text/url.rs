//! URLs as the doctor reads them: cut into parts, query values percent-decoded.

/// A URL cut into the parts the doctor reads. No percent-decoding: paths are compared as sent.
pub(crate) struct UrlParts<'a> {
    /// Lower-cased by the caller where it matters.
    pub scheme: &'a str,
    /// `host[:port]`, without user info.
    pub authority: &'a str,
    /// From the first `/` (or empty), without query and fragment.
    pub path: &'a str,
    /// After `?`, without the fragment.
    pub query: Option<&'a str>,
}

pub(crate) fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let rest = rest.split('#').next().unwrap_or("");
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    if authority.is_empty() {
        return None;
    }
    Some(UrlParts {
        scheme,
        authority,
        path,
        query,
    })
}

/// Decodes `%XX` escapes into bytes; malformed escapes are kept as they are.
pub(crate) fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}
