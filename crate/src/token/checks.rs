//! Step 2 of the guide for one token: would the backend take it, judged at the moment it was sent.
//!
//! The rules mirror the backend, read from get-convex/convex-backend (commit 94a42c3, Aug 2026):
//! - `crates/authentication/src/lib.rs` `validate_id_token`: every token is first parsed by biscuit
//!   (`unverified_payload`) to route it; a payload whose `iss`/`sub` are not strings, whose `aud` is not a string
//!   or array of strings, or whose `exp`/`iat`/`nbf` are not non-negative numbers fails there ("Could not parse
//!   JWT payload", biscuit's `Timestamp`/`numeric_type`). No `iss` fails there too.
//! - OIDC path: openidconnect-rs (get-convex fork, `src/verification/mod.rs`) with `set_allowed_algs([RS256,
//!   EdDSA])`, `require_audience_match(true)`; `typ` must normalise to `application/jwt` or `application/jose`;
//!   more than one audience fails unless the others equal the client id; expired when `now >= exp` (no leeway,
//!   `now` in whole seconds); `iat` and `nbf` are never compared with the clock. `src/id_token/mod.rs`:
//!   `IdTokenClaims` needs `exp`, `iat` and `sub` to parse at all ("Could not parse as OIDC ID token").
//! - customJwt path: biscuit `decode_with_jwks(jwks, Some(algorithm))` (`alg` must equal the configured
//!   algorithm, `kid` required) and `validate` with `epsilon: 5 s` (get-convex/biscuit `src/lib.rs`
//!   `validate_exp`: expired when `now - exp > 5`; `validate_nbf`/`validate_iat`: refused when `claim - now > 5`);
//!   `keybroker/src/broker.rs` `from_custom_jwt`: "Missing subject" / "Missing issuer" / "Missing expiry".
//!   `common/src/auth.rs`: the configured algorithm is RS256 or ES256.
//! - The client (`convex` npm, `src/browser/sync/authentication_manager.ts` `scheduleTokenRefetch`) needs `iat`
//!   and `exp` to schedule refreshes.

use super::decode::{Audience, DecodedToken};
use super::time::{human_duration, iso_utc, plain_number};
use crate::findings::{Code, Finding, Severity};
use serde_json::Value;

/// Which backend path the token takes, as far as it is known (decides algorithms, leeways, `kid`, `aud`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenPath {
    /// No provider known to match: judge by what every path requires.
    Unknown,
    /// An OIDC provider (`domain` + `applicationID`).
    Oidc { application_id: Option<String> },
    /// A customJwt provider with its configured algorithm.
    CustomJwt {
        algorithm: String,
        application_id: Option<String>,
    },
}

impl TokenPath {
    /// The name evidence and messages use.
    pub fn name(&self) -> &'static str {
        match self {
            TokenPath::Unknown => "unknown",
            TokenPath::Oidc { .. } => "oidc",
            TokenPath::CustomJwt { .. } => "customJwt",
        }
    }
}

/// Algorithms an OIDC provider accepts (`set_allowed_algs` in `crates/authentication/src/lib.rs`).
pub const OIDC_ALGS: &[&str] = &["RS256", "EdDSA"];
/// Algorithms a customJwt provider can be configured with (`SignatureAlgorithm` in `common/src/auth.rs`).
pub const CUSTOM_JWT_ALGS: &[&str] = &["RS256", "ES256"];
/// The customJwt path's clock leeway (`epsilon: chrono::Duration::seconds(5)` in `validate_id_token`).
pub const CUSTOM_JWT_LEEWAY_S: f64 = 5.0;
/// Above this, a time claim is taken for milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.
pub const MS_THRESHOLD: f64 = 1e11;

/// Whether a `typ` passes openidconnect's check: lower-cased, `application/` added when there is no `/`,
/// then it must be `application/jwt` or `application/jose` (`NormalizedJsonWebTokenType` in
/// openidconnect-rs `src/jwt/mod.rs`, allowed set in `src/verification/mod.rs`). So `JWT`, `jwt`,
/// `application/JWT`, `JOSE` pass; `at+jwt`, `application/at+jwt`, `JWT;x=y` fail.
///
/// Compared ASCII-case-insensitively rather than through a Unicode `to_lowercase` (which costs 4 KB of wasm):
/// the same answers, because the targets are ASCII and the only non-ASCII character whose lower case is ASCII,
/// the Kelvin sign (→ `k`), lowers to a letter neither target holds.
pub fn typ_is_jwt_like(typ: &str) -> bool {
    let is = |target: &str| typ.eq_ignore_ascii_case(target);
    if typ.contains('/') {
        is("application/jwt") || is("application/jose")
    } else {
        // openidconnect prefixes `application/`; comparing the bare subtype is the same test.
        is("jwt") || is("jose")
    }
}

/// The step-2 findings for one decoded token sent at `sent_at` (Unix seconds).
pub fn check_token(token: &DecodedToken, sent_at: f64, path: &TokenPath) -> Vec<Finding> {
    let mut out = Vec::new();
    encoding_as_sent(token, &mut out);
    let bad_types = claim_types(token, &mut out);
    algorithm(token, path, &mut out);
    typ(token, path, &mut out);
    missing_claims(token, path, &bad_types, &mut out);
    well_formed(token, &mut out);
    expiry(token, sent_at, path, &mut out);
    not_yet_valid(token, sent_at, path, &mut out);
    in_milliseconds(token, &mut out);
    multiple_audiences(token, path, &mut out);
    super::oidc::check_oidc(token, path, &mut out);
    out
}

/// A number as JSON, whole numbers without a `.0` so evidence reads like the token.
fn num(v: f64) -> Value {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 9e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}

/// A number for a sentence: plain digits up to 1e16, past that the short exponent form (`1e308`, not 309 digits).
fn short_number(v: f64) -> String {
    if v.abs() < 1e16 {
        plain_number(v)
    } else {
        num(v).to_string().replace("e+", "e")
    }
}

/// `None`, or the claim's value when present and not `null` (serde reads `null` as absent).
fn present<'a>(token: &'a DecodedToken, name: &str) -> Option<&'a Value> {
    token.payload.get(name).filter(|v| !v.is_null())
}

/// Padding, the standard alphabet or an empty signature in the token *as sent*: `decode` read past them, the
/// backend does not (biscuit and openidconnect decode unpadded base64url only).
fn encoding_as_sent(token: &DecodedToken, out: &mut Vec<Finding>) {
    let mut segments = token.signing_input.split('.');
    let header = segments.next().unwrap_or("");
    let payload = segments.next().unwrap_or("");
    for (part, text) in [
        ("header", header),
        ("payload", payload),
        ("signature", token.signature.as_str()),
    ] {
        let padded = text.contains('=');
        let standard = text.contains('+') || text.contains('/');
        if padded || standard {
            let what = match (padded, standard) {
                (true, true) => "standard base64 with `=` padding",
                (true, false) => "`=` padding",
                _ => "standard base64 (`+` `/`)",
            };
            out.push(
                Finding::new(
                    Code::TokenMalformed,
                    format!(
                        "The token's {part} uses {what}; the backend reads unpadded base64url only and refuses it."
                    ),
                )
                .with("part", part)
                .with("padding", padded)
                .with("standard_base64", standard)
                .causes(["Something re-encoded the token (a custom token builder or proxy)."]),
            );
        }
    }
    if token.signature.is_empty() && token.alg() != Some("none") {
        out.push(
            Finding::new(
                Code::TokenMalformed,
                "The token's signature part is empty: it is unsigned and no provider accepts it.",
            )
            .with("part", "signature")
            .with("empty", true),
        );
    }
}

/// Claims present with a type the backend cannot parse. Returns their names so they are not also reported
/// missing.
fn claim_types(token: &DecodedToken, out: &mut Vec<Finding>) -> Vec<&'static str> {
    let mut bad = Vec::new();
    // `jti` too: biscuit's `RegisteredClaims.id` is a string, read by the routing parse on every path.
    for name in ["iss", "sub", "jti"] {
        if let Some(v) = present(token, name) {
            if !v.is_string() {
                bad.push(name);
                out.push(bad_claim(name, v, "a string"));
            }
        }
    }
    header_types(token, out);
    duplicates(token, out);
    if let Audience::Invalid(v) = token.aud() {
        bad.push("aud");
        out.push(bad_claim("aud", &v, "a string or an array of strings"));
    }
    for name in ["exp", "iat", "nbf"] {
        if let Some(v) = present(token, name) {
            let ok = v.as_f64().is_some_and(|n| n.is_finite() && n >= 0.0);
            if !ok {
                bad.push(name);
                out.push(bad_claim(name, v, "a non-negative number of seconds"));
            }
        }
    }
    bad
}

/// Header fields both libraries type (openidconnect-rs `src/jwt/mod.rs:195-215`: `kid`, `cty` strings, `crit` a
/// list of strings; biscuit `src/jws.rs:266-332`: the same): another JSON type makes the header unreadable on
/// every path ("Could not parse as OIDC ID token" / "Could not decode token"). `typ` is `token.typ`'s.
fn header_types(token: &DecodedToken, out: &mut Vec<Finding>) {
    for (name, wanted) in [
        ("kid", "a string"),
        ("cty", "a string"),
        ("crit", "a list of strings"),
    ] {
        let Some(v) = token.header.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        let ok = match name {
            "crit" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            _ => v.is_string(),
        };
        if !ok {
            out.push(
                Finding::new(
                    Code::TokenMalformed,
                    format!("The header's `{name}` is {v}, not {wanted}: the backend cannot parse the header."),
                )
                .with("part", "header")
                .with("field", name)
                .with("value", v.clone())
                .with("expected", wanted),
            );
        }
    }
}

/// A typed header member or registered claim given twice: the backend's struct deserializers refuse it
/// (`token/duplicates.rs`).
fn duplicates(token: &DecodedToken, out: &mut Vec<Finding>) {
    let (header, payload) = super::duplicates::duplicate_members(token);
    for (part, names) in [("header", header), ("payload", payload)] {
        for name in names {
            out.push(
                Finding::new(
                    Code::TokenMalformed,
                    format!("The {part} has `{name}` twice: the backend refuses a JSON object with a duplicated `{name}` (the doctor shows the last one)."),
                )
                .with("part", part)
                .with("duplicate", name),
            );
        }
    }
}

fn bad_claim(name: &str, value: &Value, wanted: &str) -> Finding {
    Finding::new(
        Code::TokenMalformed,
        format!(
            "`{name}` is {value}, not {wanted}: the backend cannot parse the payload (\"Could not parse JWT payload\")."
        ),
    )
    .with("part", "payload")
    .with("claim", name)
    .with("value", value.clone())
    .with("expected", wanted)
}

fn algorithm(token: &DecodedToken, path: &TokenPath, out: &mut Vec<Finding>) {
    let Some(alg) = token.alg() else {
        let value = token.header.get("alg").cloned().unwrap_or(Value::Null);
        out.push(
            Finding::new(
                Code::TokenAlgUnsupported,
                "The header has no `alg` string: no provider can verify the token.",
            )
            .with("alg", value)
            .with("path", path.name()),
        );
        return;
    };
    if alg.eq_ignore_ascii_case("none") {
        out.push(
            Finding::new(
                Code::TokenAlgNone,
                "The header's `alg` is `none`: the token is unsigned and never accepted.",
            )
            .with("alg", alg)
            .with("header", Value::Object(token.header.clone())),
        );
        return;
    }
    let accepted: Vec<&str> = match path {
        TokenPath::Oidc { .. } => OIDC_ALGS.to_vec(),
        // The server's provider list names customJwt providers without their algorithm (empty): then either
        // algorithm the backend allows for customJwt may be configured.
        TokenPath::CustomJwt { algorithm, .. } if algorithm.is_empty() => CUSTOM_JWT_ALGS.to_vec(),
        TokenPath::CustomJwt { algorithm, .. } => vec![algorithm.as_str()],
        TokenPath::Unknown => vec!["RS256", "ES256", "EdDSA"],
    };
    let base = |f: Finding| {
        f.with("alg", alg)
            .with("path", path.name())
            .with("accepted", accepted.clone())
    };
    if !accepted.contains(&alg) {
        let message = match path {
            TokenPath::Oidc { .. } => format!(
                "`alg` is {alg}; an OIDC provider accepts RS256 and EdDSA only."
            ),
            TokenPath::CustomJwt { algorithm, .. } => format!(
                "`alg` is {alg} but the customJwt provider is configured with algorithm {algorithm}."
            ),
            TokenPath::Unknown => format!(
                "`alg` is {alg}: no Convex provider accepts it (OIDC: RS256, EdDSA; customJwt: RS256, ES256)."
            ),
        };
        out.push(base(Finding::new(Code::TokenAlgUnsupported, message)));
        return;
    }
    if matches!(path, TokenPath::Unknown) {
        let only = match alg {
            "ES256" => {
                Some("a customJwt provider (with algorithm ES256); OIDC providers refuse it")
            }
            "EdDSA" => Some("an OIDC provider; customJwt providers refuse it"),
            _ => None,
        };
        if let Some(only) = only {
            out.push(base(
                Finding::new(
                    Code::TokenAlgUnsupported,
                    format!("`alg` is {alg}: only {only}."),
                )
                .severity(Severity::Info),
            ));
        }
    }
}

fn typ(token: &DecodedToken, path: &TokenPath, out: &mut Vec<Finding>) {
    let Some(value) = token.header.get("typ") else {
        return;
    };
    let Some(typ) = value.as_str() else {
        out.push(
            Finding::new(
                Code::TokenTyp,
                format!("The header's `typ` is {value}, not a string: the backend cannot parse the header."),
            )
            .with("typ", value.clone())
            .with("path", path.name())
            .severity(Severity::Fail),
        );
        return;
    };
    if typ_is_jwt_like(typ) {
        return;
    }
    let finding = |message: String, severity: Severity| {
        Finding::new(Code::TokenTyp, message)
            .with("typ", typ)
            .with("path", path.name())
            .severity(severity)
            .causes([
                "The client sends an access token where an ID token is needed.",
                "The provider issues typed tokens (RFC 9068 `at+jwt`).",
            ])
    };
    match path {
        // openidconnect-rs `src/verification/mod.rs:231-251`: "Could not verify OIDC token claim".
        TokenPath::Oidc { .. } => out.push(finding(
            format!("The header's `typ` is `{typ}`, not JWT: the OIDC provider refuses the token (\"Could not verify OIDC token claim\")."),
            Severity::Fail,
        )),
        TokenPath::Unknown => out.push(finding(
            format!(
                "The header's `typ` is `{typ}`, not JWT: an OIDC provider would refuse it (customJwt providers ignore `typ`)."
            ),
            Severity::Warn,
        )),
        // biscuit does not look at `typ`: worth knowing, not a refusal.
        TokenPath::CustomJwt { .. } => out.push(finding(
            format!("The header's `typ` is `{typ}`, not JWT: the customJwt provider ignores `typ` and accepts it (an OIDC provider would refuse it)."),
            Severity::Info,
        )),
    }
}

fn missing_claims(
    token: &DecodedToken,
    path: &TokenPath,
    bad_types: &[&str],
    out: &mut Vec<Finding>,
) {
    let mut missing = |claim: &str, severity: Severity, message: String| {
        if bad_types.contains(&claim) || present(token, claim).is_some() {
            return;
        }
        out.push(
            Finding::new(Code::TokenClaimMissing, message)
                .with("claim", claim)
                .with("path", path.name())
                .severity(severity),
        );
    };
    missing(
        "iss",
        Severity::Fail,
        "The token has no `iss` (issuer): the backend cannot match it to a provider.".to_owned(),
    );
    // What the backend answers, per path: openidconnect cannot parse an ID token without them; biscuit's
    // path reaches `from_custom_jwt` ("Missing subject" / "Missing expiry", keybroker/src/broker.rs:512-524),
    // whose text the caller replaces with its own (authentication/src/lib.rs:379-385: the outer
    // `ErrorMetadata` context wins), so the client reads "Could not verify token claim…" without the name.
    for (claim, name) in [("sub", "subject"), ("exp", "expiry")] {
        let answer = match path {
            TokenPath::Oidc { .. } => {
                "the OIDC provider refuses it (\"Could not parse as OIDC ID token\")".to_owned()
            }
            TokenPath::CustomJwt { .. } => {
                "the customJwt provider refuses it with \"Could not verify token claim. Check that the JWT contains valid claims…\", which does not name the claim".to_owned()
            }
            TokenPath::Unknown => "every provider refuses it".to_owned(),
        };
        missing(
            claim,
            Severity::Fail,
            format!("The token has no `{claim}` ({name}): {answer}."),
        );
    }
    let (aud_sev, aud_msg) = match path {
        TokenPath::Oidc { .. } => (
            Severity::Fail,
            "The token has no `aud` (audience): the OIDC provider needs it to contain its applicationID.",
        ),
        TokenPath::CustomJwt {
            application_id: Some(_),
            ..
        } => (
            Severity::Fail,
            "The token has no `aud` (audience): the customJwt provider has an applicationID, so it is refused.",
        ),
        TokenPath::CustomJwt { .. } => (
            Severity::Warn,
            "The token has no `aud` (audience): accepted only because the customJwt provider has no applicationID.",
        ),
        TokenPath::Unknown => (
            Severity::Warn,
            "The token has no `aud` (audience): OIDC providers and customJwt providers with an applicationID refuse it.",
        ),
    };
    missing("aud", aud_sev, aud_msg.to_owned());
    let (iat_sev, iat_msg) = match path {
        TokenPath::Oidc { .. } => (
            Severity::Fail,
            "The token has no `iat` (issued at): the OIDC provider cannot parse it as an ID token.",
        ),
        TokenPath::CustomJwt { .. } => (
            Severity::Warn,
            "The token has no `iat` (issued at): the Convex client cannot schedule its refresh.",
        ),
        TokenPath::Unknown => (
            Severity::Warn,
            "The token has no `iat` (issued at): the Convex client cannot schedule its refresh, and an OIDC provider refuses it.",
        ),
    };
    missing("iat", iat_sev, iat_msg.to_owned());
}

fn well_formed(token: &DecodedToken, out: &mut Vec<Finding>) {
    let (Some(iss), Some(sub)) = (token.iss(), token.sub()) else {
        return;
    };
    let aud = match token.aud() {
        Audience::One(a) => Value::from(a),
        Audience::Many(list) => Value::from(list),
        Audience::Absent | Audience::Invalid(_) => return,
    };
    let mut f = Finding::new(
        Code::TokenWellFormed,
        format!(
            "A JWT from {iss} for subject {sub}: header and payload decode, with iss, sub and aud."
        ),
    )
    .with("iss", iss)
    .with("sub", sub)
    .with("aud", aud);
    for name in ["alg", "typ", "kid"] {
        if let Some(v) = token.header.get(name) {
            f = f.with(name, v.clone());
        }
    }
    out.push(f);
}

/// A valid, non-negative number claim (bad types are reported by [`claim_types`]).
fn time_claim(token: &DecodedToken, name: &str) -> Option<f64> {
    token.claim_num(name).filter(|n| n.is_finite() && *n >= 0.0)
}

fn time_evidence(f: Finding, claim: &str, value: f64, sent_at: f64) -> Finding {
    let f = f.with(claim, num(value)).with("sent_at", num(sent_at));
    let f = match iso_utc(value) {
        Some(d) => f.with(&format!("{claim}_utc"), d),
        None => f,
    };
    match iso_utc(sent_at) {
        Some(d) => f.with("sent_at_utc", d),
        None => f,
    }
}

fn expiry(token: &DecodedToken, sent_at: f64, path: &TokenPath, out: &mut Vec<Finding>) {
    let Some(exp) = time_claim(token, "exp") else {
        return;
    };
    // Two checks, per path. Validation: OIDC refuses when `now >= exp` with `now` in whole seconds
    // (`as_secs()` in `validate_id_token`); biscuit when `now - round(exp) > 5` (the fork rounds fractional
    // times half away from zero, `serde_custom/numeric_type.rs`). Then the identity it builds expires at `exp`
    // (customJwt: `round(exp)`), and the sync state refuses an expired identity at once
    // (`sync/src/state.rs:297-303`, `keybroker/src/broker.rs` `is_expired`: `now >= expiration`, full precision):
    // AuthError{authUpdateAttempted: false}, no confirmation (backend-fidelity B3).
    let oidc_refuses = sent_at >= exp;
    let custom_refuses = sent_at >= exp.round();
    let beyond_leeway = sent_at.floor() - exp.round() > CUSTOM_JWT_LEEWAY_S;
    let before = sent_at - exp;
    let when = if before == 0.0 {
        "The token expired the moment it was sent".to_owned()
    } else if before < 0.0 {
        "The token expires within the second it was sent".to_owned()
    } else {
        format!(
            "The token expired {} before it was sent",
            human_duration(before)
        )
    };
    let custom_text = |when: &str| {
        if beyond_leeway {
            format!("{when}, beyond the customJwt provider's 5 s leeway.")
        } else {
            format!("{when}: the customJwt provider's 5 s leeway lets it through validation, but the identity is already expired, so the backend answers an expiry AuthError at once and never confirms it (the client reconnects and sends the same token again).")
        }
    };
    let (severity, message) = match path {
        TokenPath::Oidc { .. } if oidc_refuses => (
            Severity::Fail,
            format!("{when}; the OIDC provider allows no leeway."),
        ),
        TokenPath::CustomJwt { .. } if custom_refuses => (Severity::Fail, custom_text(&when)),
        TokenPath::Unknown if oidc_refuses && custom_refuses => (Severity::Fail, format!("{when}.")),
        TokenPath::Unknown if oidc_refuses || custom_refuses => (
            Severity::Warn,
            format!("{when}: one kind of provider refuses it (fractional `exp`: an OIDC provider compares it as sent, a customJwt provider rounds it)."),
        ),
        _ => return,
    };
    let leeway = if matches!(path, TokenPath::CustomJwt { .. }) {
        CUSTOM_JWT_LEEWAY_S
    } else {
        0.0
    };
    out.push(
        time_evidence(Finding::new(Code::TokenExpired, message), "exp", exp, sent_at)
            .with("seconds_before_sent", num(before))
            .with("leeway_s", num(leeway))
            .with("path", path.name())
            .severity(severity)
            .causes([
                "The token fetcher returns a cached token instead of a fresh one (it ignores `forceRefreshToken`).",
                "This computer's clock is behind or ahead.",
            ]),
    );
}

fn not_yet_valid(token: &DecodedToken, sent_at: f64, path: &TokenPath, out: &mut Vec<Finding>) {
    let now = sent_at.floor();
    for claim in ["nbf", "iat"] {
        let Some(value) = time_claim(token, claim) else {
            continue;
        };
        let ahead = value - sent_at;
        let (severity, tail) = match path {
            TokenPath::CustomJwt { .. } => {
                // biscuit: refused when `claim - now > epsilon`, claim rounded, now in whole seconds.
                if value.round() - now <= CUSTOM_JWT_LEEWAY_S {
                    continue;
                }
                (
                    Severity::Fail,
                    "the customJwt provider refuses it (5 s leeway).",
                )
            }
            TokenPath::Oidc { .. } => {
                if ahead <= CUSTOM_JWT_LEEWAY_S {
                    continue;
                }
                (
                    Severity::Warn,
                    "the backend would not refuse it on the OIDC path, which checks neither nbf nor iat, but a clock is off.",
                )
            }
            TokenPath::Unknown => {
                if ahead <= CUSTOM_JWT_LEEWAY_S {
                    continue;
                }
                (
                    Severity::Warn,
                    "a customJwt provider refuses it; an OIDC provider does not check it.",
                )
            }
        };
        let what = if claim == "nbf" {
            "is not valid until"
        } else {
            "was issued"
        };
        let message = format!(
            "The token {what} {} after it was sent (`{claim}`): {tail}",
            human_duration(ahead)
        );
        out.push(
            time_evidence(
                Finding::new(Code::TokenNotYetValid, message),
                claim,
                value,
                sent_at,
            )
            .with("claim", claim)
            .with("seconds_after_sent", num(ahead))
            .with("path", path.name())
            .severity(severity)
            .causes([
                "The clock of this computer or of the token's issuer is off.",
                "The token's times are in milliseconds.",
            ]),
        );
    }
}

fn in_milliseconds(token: &DecodedToken, out: &mut Vec<Finding>) {
    for claim in ["exp", "iat", "nbf"] {
        let Some(value) = time_claim(token, claim) else {
            continue;
        };
        if value <= MS_THRESHOLD {
            continue;
        }
        let as_seconds = value / 1000.0;
        let message = match (iso_utc(value), iso_utc(as_seconds)) {
            (Some(date), Some(shown)) => format!(
                "`{claim}` is {}, which looks like milliseconds: read as seconds it is in the year {}; as milliseconds it is {shown}.",
                plain_number(value),
                date.split('-').next().unwrap_or("?")
            ),
            (None, Some(shown)) => format!(
                "`{claim}` is {}, which looks like milliseconds: read as seconds it is past any calendar; as milliseconds it is {shown}.",
                plain_number(value)
            ),
            // Too large even as milliseconds (2^64, 1e308): not a time in either unit.
            (_, None) => format!(
                "`{claim}` is {}: too large to be a date, read as seconds or as milliseconds.",
                short_number(value)
            ),
        };
        let mut f = Finding::new(Code::TokenExpInMs, message)
            .with("claim", claim)
            .with("value", num(value))
            .with("as_seconds", num(as_seconds));
        if let Some(d) = iso_utc(as_seconds) {
            f = f.with("as_seconds_utc", d);
        }
        out.push(f);
    }
}

fn multiple_audiences(token: &DecodedToken, path: &TokenPath, out: &mut Vec<Finding>) {
    let Audience::Many(list) = token.aud() else {
        return;
    };
    let mut distinct: Vec<&str> = Vec::new();
    for a in &list {
        if !distinct.contains(&a.as_str()) {
            distinct.push(a);
        }
    }
    let finding = |message: String, severity: Severity| {
        Finding::new(Code::TokenAudMultiple, message)
            .with("aud", list.clone())
            .with("path", path.name())
            .severity(severity)
    };
    match path {
        TokenPath::Oidc { application_id } => {
            // openidconnect refuses any audience besides the client id (`other_aud_verifier_fn` rejects all).
            let refused = match application_id {
                Some(app) => list.len() > 1 && list.iter().any(|a| a != app),
                None => distinct.len() > 1,
            };
            if refused {
                out.push(finding(
                    format!(
                        "`aud` holds {} audiences: the OIDC provider refuses a token with more than one.",
                        distinct.len()
                    ),
                    Severity::Fail,
                ));
            }
        }
        TokenPath::Unknown if distinct.len() > 1 => out.push(finding(
            format!(
                "`aud` holds {} audiences: an OIDC provider would refuse it (customJwt providers accept it).",
                distinct.len()
            ),
            Severity::Warn,
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::typ_is_jwt_like;

    /// The ASCII comparison gives openidconnect's answers (Unicode lower-casing, `application/` prefix) also for
    /// non-ASCII look-alikes: the Kelvin sign, dotted capital I, fullwidth letters.
    #[test]
    fn ascii_comparison_agrees_with_unicode_lowercasing() {
        let reference = |typ: &str| {
            let lower = typ.to_lowercase();
            let n = if lower.contains('/') {
                lower
            } else {
                format!("application/{lower}")
            };
            n == "application/jwt" || n == "application/jose"
        };
        for typ in [
            "JWT",
            "jwt",
            "JoSe",
            "application/JWT",
            "APPLICATION/JOSE",
            "at+jwt",
            "application/at+jwt",
            "JWT;x=y",
            "",
            "/",
            "application/",
            "\u{212A}",
            "jwt\u{212A}",
            "J\u{0130}T",
            "ｊｗｔ",
            "application/ｊｗｔ",
            "JWT ",
            " application/jwt",
        ] {
            assert_eq!(typ_is_jwt_like(typ), reference(typ), "{typ:?}");
        }
    }
}
