//! Decoding: RFC 7515 Appendix A examples, real signed tokens from `fixtures/tokens.json`, what people paste,
//! and hostile inputs (which must give errors, never panics).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use convex_auth_doctor::token::{decode, Audience, Malformed, Part, MAX_INPUT_BYTES};
use serde_json::{json, Value};

// RFC 7515 Appendix A, compact serialisations (line breaks of the RFC removed).
const A1_HS256: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A2_RS256: &str = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
const A3_ES256: &str = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
const A4_ES512: &str = "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA.AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn";
const A5_NONE: &str = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.";

fn joe_payload() -> Value {
    json!({"iss": "joe", "exp": 1300819380, "http://example.com/is_root": true})
}

fn err(input: &str) -> Malformed {
    match decode(input) {
        Ok(t) => panic!("expected an error for {input:?}, decoded {:?}", t.payload),
        Err(m) => m,
    }
}

fn ev(m: &Malformed, key: &str) -> Option<Value> {
    m.evidence.get(key).cloned()
}

/// `header.payload.signature` from JSON values, base64url without padding.
fn make(header: &Value, payload: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

fn good() -> String {
    make(
        &json!({"alg": "RS256", "typ": "JWT"}),
        &json!({"iss": "https://a.example", "sub": "u1", "aud": "convex", "exp": 2000000000, "iat": 1999999000}),
        &[7u8; 256],
    )
}

#[test]
fn rfc7515_a1_hs256_decodes_to_documented_header_and_payload() {
    let t = decode(A1_HS256).expect("A.1 decodes");
    assert_eq!(
        Value::Object(t.header.clone()),
        json!({"typ": "JWT", "alg": "HS256"})
    );
    assert_eq!(Value::Object(t.payload.clone()), joe_payload());
    assert_eq!(t.signature, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    assert_eq!(
        t.signing_input,
        A1_HS256
            .rsplit_once('.')
            .map(|(a, _)| a)
            .unwrap_or_default()
    );
    assert!(t.notes.is_empty(), "nothing to clean: {:?}", t.notes);
    assert_eq!(t.alg(), Some("HS256"));
    assert_eq!(t.typ(), Some("JWT"));
    assert_eq!(t.iss(), Some("joe"));
    assert_eq!(t.exp(), Some(1300819380.0));
    assert_eq!(t.aud(), Audience::Absent);
}

#[test]
fn rfc7515_a2_rs256_decodes() {
    let t = decode(A2_RS256).expect("A.2 decodes");
    assert_eq!(Value::Object(t.header), json!({"alg": "RS256"}));
    assert_eq!(Value::Object(t.payload), joe_payload());
}

#[test]
fn rfc7515_a3_es256_decodes() {
    let t = decode(A3_ES256).expect("A.3 decodes");
    assert_eq!(Value::Object(t.header), json!({"alg": "ES256"}));
    assert_eq!(Value::Object(t.payload), joe_payload());
}

#[test]
fn rfc7515_a4_es512_payload_is_not_json_so_not_a_jwt() {
    // A.4 signs the bytes "Payload": a valid JWS, but not a JWT. The error says so, about the payload.
    let m = err(A4_ES512);
    assert_eq!(m.part, Some(Part::Payload));
    assert_eq!(ev(&m, "not_json"), Some(json!(true)));
    assert!(m.message.contains("not JSON"), "{}", m.message);
}

#[test]
fn rfc7515_a5_unsecured_decodes_with_empty_signature() {
    let t = decode(A5_NONE).expect("A.5 decodes");
    assert_eq!(Value::Object(t.header), json!({"alg": "none"}));
    assert_eq!(Value::Object(t.payload), joe_payload());
    assert_eq!(t.signature, "");
}

#[derive(serde::Deserialize)]
struct Fixtures {
    sent_at: f64,
    tokens: Vec<FixtureToken>,
}
#[derive(serde::Deserialize)]
struct FixtureToken {
    name: String,
    token: String,
    header: serde_json::Map<String, Value>,
    payload: serde_json::Map<String, Value>,
}

fn fixtures() -> Fixtures {
    let text = include_str!("fixtures/tokens.json");
    serde_json::from_str(text).expect("fixtures/tokens.json parses")
}

#[test]
fn real_signed_tokens_decode_to_what_node_signed() {
    let f = fixtures();
    assert!(f.sent_at > 1.7e9);
    assert!(f.tokens.len() >= 3);
    for t in &f.tokens {
        let d = decode(&t.token).unwrap_or_else(|m| panic!("{}: {}", t.name, m.message));
        assert_eq!(d.header, t.header, "{}", t.name);
        assert_eq!(d.payload, t.payload, "{}", t.name);
        assert!(d.notes.is_empty(), "{}: {:?}", t.name, d.notes);
        assert_eq!(format!("{}.{}", d.signing_input, d.signature), t.token);
    }
}

#[test]
fn pasted_wrappings_are_cleaned_and_noted() {
    let tok = good();
    let cases = [
        (format!("  {tok}\n"), "whitespace"),
        (format!("\"{tok}\""), "double quotes"),
        (format!("'{tok}'"), "single quotes"),
        (format!("`{tok}`"), "backtick"),
        (format!("Bearer {tok}"), "Bearer"),
        (format!("bEaReR   {tok}"), "Bearer"),
        (format!("Authorization: Bearer {tok}"), "Authorization"),
        (format!("\"Bearer {tok}\""), "Bearer"),
        (format!("  \"{tok}\",\n"), "trailing"),
        (
            format!("{}\n{}", &tok[..40], &tok[40..]),
            "inside the token",
        ),
    ];
    for (input, note) in cases {
        let d = decode(&input).unwrap_or_else(|m| panic!("{input:?}: {}", m.message));
        assert_eq!(d.iss(), Some("https://a.example"));
        assert_eq!(format!("{}.{}", d.signing_input, d.signature), tok);
        assert!(
            d.notes.iter().any(|n| n.contains(note)),
            "{input:?}: notes {:?} lack {note:?}",
            d.notes
        );
    }
}

#[test]
fn json_string_escaped_token_is_unescaped() {
    let tok = good();
    let escaped = serde_json::to_string(&tok)
        .unwrap_or_default()
        .replace('.', "\\u002e");
    let d = decode(&escaped).expect("JSON-escaped token decodes");
    assert_eq!(format!("{}.{}", d.signing_input, d.signature), tok);
    assert!(d.notes.iter().any(|n| n.contains("JSON string escapes")));
    let broken = err("\"eyJ\\x\"");
    assert_eq!(ev(&broken, "quoted"), Some(json!(true)));
}

#[test]
fn padding_and_standard_base64_decode_with_a_note() {
    // 23 bytes of header: base64 gets one `=`; `??>` in the payload gives a `/`.
    let header = json!({"alg": "RS256", "k": "a"}).to_string();
    let payload = json!({"iss": "https://a.example", "sub": "??>"}).to_string();
    let h = STANDARD.encode(&header);
    let p = STANDARD.encode(&payload);
    assert!(
        h.ends_with('=') || p.ends_with('='),
        "the case needs padding"
    );
    assert!(
        p.contains('+') || p.contains('/'),
        "the case needs a standard-alphabet char: {p}"
    );
    let tok = format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode([1u8; 256]));
    let d = decode(&tok).expect("decodes leniently");
    assert_eq!(d.claim_str("sub"), Some("??>"));
    assert!(
        d.notes.iter().any(|n| n.contains("padding")),
        "{:?}",
        d.notes
    );
    assert!(
        d.notes.iter().any(|n| n.contains("standard base64")),
        "{:?}",
        d.notes
    );
}

#[test]
fn mixed_alphabets_are_refused() {
    let m = err("eyJh-+bGci.eyJpc3MiOiJqb2UifQ.AAAA");
    assert_eq!(m.part, Some(Part::Header));
    assert_eq!(ev(&m, "standard_base64"), Some(json!(true)));
}

#[test]
fn wrong_part_counts_are_named() {
    let tok = good();
    let (hp, _sig) = tok.rsplit_once('.').unwrap_or_default();
    let two = err(hp);
    assert_eq!(ev(&two, "parts"), Some(json!(2)));
    assert_eq!(two.part, Some(Part::Signature));
    assert_eq!(ev(&two, "truncated"), Some(json!(true)));

    let four = err(&format!("{tok}.extra"));
    assert_eq!(ev(&four, "parts"), Some(json!(4)));

    let jwe_header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "RSA-OAEP", "enc": "A256GCM"}).to_string());
    let jwe = err(&format!("{jwe_header}.a2V5.aXY.Y2lwaGVy.dGFn"));
    assert_eq!(ev(&jwe, "parts"), Some(json!(5)));
    assert_eq!(ev(&jwe, "jwe"), Some(json!(true)));
    assert!(jwe.message.contains("JWE"));
}

#[test]
fn opaque_access_token_is_named() {
    let m = err("ya29.a0AfH6SMBx"); // two parts, but not JWT parts
    assert_eq!(ev(&m, "parts"), Some(json!(2)));
    let m = err("gho_16C7e42F292c6912E7710c838347Ae178B4a");
    assert_eq!(ev(&m, "parts"), Some(json!(1)));
    assert_eq!(ev(&m, "opaque"), Some(json!(true)));
    assert!(m.message.contains("opaque"));
    // A lone payload is recognised as such.
    let lone = URL_SAFE_NO_PAD.encode(json!({"iss": "x", "sub": "y"}).to_string());
    let m = err(&lone);
    assert_eq!(ev(&m, "lone_part"), Some(json!("payload")));
}

#[test]
fn truncation_inside_payload_is_detected() {
    let tok = good();
    let (h, rest) = tok.split_once('.').unwrap_or_default();
    let (p, _) = rest.split_once('.').unwrap_or_default();
    // Cut the payload at a multiple of 4 characters so the base64 itself stays decodable.
    let cut = &p[..(p.len() / 2) / 4 * 4];
    let m = err(&format!("{h}.{cut}"));
    assert_eq!(m.part, Some(Part::Payload));
    assert_eq!(ev(&m, "truncated"), Some(json!(true)));
    assert!(m.message.contains("cut"), "{}", m.message);
}

#[test]
fn truncated_signature_is_detected() {
    let tok = good();
    // 4n+1 characters cannot be base64.
    let sig_start = tok.rfind('.').unwrap_or(0) + 1;
    let m = err(&tok[..sig_start + 41]);
    assert_eq!(m.part, Some(Part::Signature));
    assert_eq!(ev(&m, "truncated"), Some(json!(true)));
    // A decodable but short RS256 signature.
    let m = err(&tok[..sig_start + 40]);
    assert_eq!(m.part, Some(Part::Signature));
    assert_eq!(ev(&m, "truncated"), Some(json!(true)));
    assert_eq!(ev(&m, "expected_bytes"), Some(json!(128)));
}

#[test]
fn empty_parts_and_empty_input() {
    for input in ["", "   \n\t", "\"\"", "Bearer "] {
        let m = err(input);
        assert!(
            m.message.contains("empty") || ev(&m, "opaque").is_some(),
            "{input:?}: {}",
            m.message
        );
    }
    let m = err(".eyJhIjoxfQ.c2ln");
    assert_eq!(m.part, Some(Part::Header));
    assert_eq!(ev(&m, "empty"), Some(json!(true)));
    let m = err("eyJhbGciOiJSUzI1NiJ9..c2ln");
    assert_eq!(m.part, Some(Part::Payload));
    assert_eq!(ev(&m, "empty"), Some(json!(true)));
    for dots in [".", "..", "...", "....", "....."] {
        let m = err(dots);
        assert!(!m.message.is_empty());
    }
}

#[test]
fn not_json_and_not_object_and_not_utf8() {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let s = URL_SAFE_NO_PAD.encode([1u8; 256]);
    let not_json = URL_SAFE_NO_PAD.encode(b"hello");
    let m = err(&format!("{h}.{not_json}.{s}"));
    assert_eq!(m.part, Some(Part::Payload));
    assert_eq!(ev(&m, "not_json"), Some(json!(true)));

    let array = URL_SAFE_NO_PAD.encode(b"[1,2]");
    let m = err(&format!("{h}.{array}.{s}"));
    assert_eq!(ev(&m, "json_kind"), Some(json!("an array")));
    assert!(m.message.contains("not an object"));

    let bad_utf8 = URL_SAFE_NO_PAD.encode([b'{', b'"', 0xff, 0xfe, b'"', b'}']);
    let m = err(&format!("{bad_utf8}.{h}.{s}"));
    assert_eq!(m.part, Some(Part::Header));
    assert_eq!(ev(&m, "invalid_utf8"), Some(json!(true)));
    assert_eq!(ev(&m, "position"), Some(json!(2)));
}

#[test]
fn bad_characters_are_located() {
    let m = err("eyJhbGci*iJSUzI1NiJ9.eyJhIjoxfQ.c2ln");
    assert_eq!(m.part, Some(Part::Header));
    assert_eq!(ev(&m, "position"), Some(json!(8)));
    assert_eq!(ev(&m, "character"), Some(json!("*")));
}

#[test]
fn huge_input_is_refused_before_work() {
    let huge = "a".repeat(MAX_INPUT_BYTES + 1);
    let m = err(&huge);
    assert_eq!(ev(&m, "bytes"), Some(json!(MAX_INPUT_BYTES + 1)));
    // Says what happened (the doctor refused it), never that the client cut it.
    assert!(
        m.message.contains("longer than 65536 bytes: not judged"),
        "{}",
        m.message
    );
    // Just under the limit still gets a precise answer (here: opaque).
    let big = "a".repeat(MAX_INPUT_BYTES - 10);
    assert_eq!(ev(&err(&big), "parts"), Some(json!(1)));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#);
    let s = URL_SAFE_NO_PAD.encode([1u8; 256]);
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
    let m = err(&format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(deep)));
    assert_eq!(m.part, Some(Part::Payload));
    assert!(m.message.contains("128"), "{}", m.message);
    // Deep but within the limit decodes.
    let ok = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
    assert!(decode(&format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(ok))).is_ok());
}

#[test]
fn binary_and_random_garbage_never_panic() {
    // A cheap deterministic generator: every byte pattern class, dots and quotes included.
    let alphabet: Vec<char> = "eyJ.=+/-_\"'` \n\\{}[]:,aZ09\u{0}\u{7f}é😀"
        .chars()
        .collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in 0..400usize {
        let mut s = String::new();
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = usize::try_from(x % alphabet.len() as u64).unwrap_or(0);
            s.push(alphabet.get(i).copied().unwrap_or('a'));
        }
        let _ = decode(&s);
        // Also as the payload of an otherwise good token.
        let _ = decode(&format!(
            "eyJhbGciOiJSUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(&s)
        ));
    }
    let _ = decode(&String::from_utf8_lossy(&(0u8..=255).collect::<Vec<u8>>()));
}

#[test]
fn audience_reads_like_the_backend() {
    let with = |aud: Value| {
        let tok = make(&json!({"alg": "RS256"}), &json!({"aud": aud}), &[1u8; 256]);
        decode(&tok).map(|t| t.aud()).unwrap_or(Audience::Absent)
    };
    assert_eq!(with(json!("convex")), Audience::One("convex".into()));
    assert_eq!(
        with(json!(["a", "b"])),
        Audience::Many(vec!["a".into(), "b".into()])
    );
    assert_eq!(with(json!(null)), Audience::Absent);
    assert_eq!(with(json!(["a", 1])), Audience::Invalid(json!(["a", 1])));
    assert_eq!(with(json!(5)), Audience::Invalid(json!(5)));
}

#[test]
fn one_sided_quote_is_reported() {
    let tok = good();
    let m = err(&format!("\"{tok}"));
    assert_eq!(ev(&m, "quoted"), Some(json!(true)));
}
