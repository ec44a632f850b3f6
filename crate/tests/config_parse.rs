//! `parse_auth_config`: auth.config.ts in the styles people write it, and hostile input.

use convex_auth_doctor::config::{
    parse_auth_config, AuthConfig, ConfigSource, ConfigValue, Env, Provider,
};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/configs/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn env(pairs: &[(&str, &str)]) -> Env {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse(src: &str) -> AuthConfig {
    parse_auth_config(src, &Env::new()).unwrap_or_else(|e| panic!("{e}"))
}

fn lit(v: &str) -> ConfigValue {
    ConfigValue::Literal { value: v.into() }
}

fn env_val(name: &str, value: Option<&str>) -> ConfigValue {
    ConfigValue::Env {
        name: name.into(),
        value: value.map(Into::into),
    }
}

#[test]
fn export_default_with_env_resolved_from_given_env() {
    let c = parse_auth_config(
        &fixture("clerk_export_default.ts"),
        &env(&[(
            "CLERK_JWT_ISSUER_DOMAIN",
            "https://happy-cat-12.clerk.accounts.dev",
        )]),
    )
    .unwrap();
    assert_eq!(c.source, ConfigSource::User);
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: env_val(
                "CLERK_JWT_ISSUER_DOMAIN",
                Some("https://happy-cat-12.clerk.accounts.dev")
            ),
            application_id: Some(lit("convex")),
        }]
    );
}

#[test]
fn env_left_unresolved_when_not_given() {
    let c = parse(&fixture("clerk_export_default.ts"));
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: env_val("CLERK_JWT_ISSUER_DOMAIN", None),
            application_id: Some(lit("convex"))
        }]
    );
}

#[test]
fn const_then_export_with_satisfies_non_null_and_block_comment() {
    let c = parse(&fixture("const_satisfies.ts"));
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: env_val("CLERK_FRONTEND_API_URL", None),
            application_id: Some(lit("convex"))
        }]
    );
}

#[test]
fn as_const_and_template_literals_without_interpolation() {
    let c = parse(&fixture("as_const.ts"));
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: lit("https://dev-abc.us.auth0.com/"),
            application_id: Some(lit("xYz123ClientId"))
        }]
    );
}

#[test]
fn module_exports_quoted_keys_and_bracket_env() {
    let c = parse_auth_config(
        &fixture("module_exports.js"),
        &env(&[("AUTH0_CLIENT_ID", "abc")]),
    )
    .unwrap();
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: lit("dev-abc.us.auth0.com"),
            application_id: Some(env_val("AUTH0_CLIENT_ID", Some("abc")))
        }]
    );
}

#[test]
fn custom_jwt_unknown_keys_ignored_and_fallbacks_known() {
    let c = parse(&fixture("custom_jwt.ts"));
    assert_eq!(c.providers.len(), 2);
    assert_eq!(
        c.providers[0],
        Provider::CustomJwt {
            issuer: lit("https://issuer.example.com"),
            jwks: lit("https://issuer.example.com/.well-known/jwks.json"),
            algorithm: lit("RS256"),
            application_id: Some(lit("my-app")),
        }
    );
    assert_eq!(
        c.providers[1],
        Provider::CustomJwt {
            issuer: env_val(
                "WORKOS_ISSUER",
                Some("https://api.workos.com/user_management/client_123")
            ),
            jwks: env_val(
                "WORKOS_JWKS",
                Some("https://api.workos.com/sso/jwks/client_123")
            ),
            algorithm: lit("RS256"),
            application_id: None,
        }
    );
}

#[test]
fn given_env_wins_over_fallback() {
    let c = parse_auth_config(
        &fixture("custom_jwt.ts"),
        &env(&[("WORKOS_ISSUER", "https://auth.example.org")]),
    )
    .unwrap();
    match &c.providers[1] {
        Provider::CustomJwt { issuer, .. } => {
            assert_eq!(issuer.resolved(), Some("https://auth.example.org"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn typed_const_shorthand_and_as_string() {
    let c = parse(&fixture("typed_const_shorthand.ts"));
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: env_val("CLERK_JWT_ISSUER_DOMAIN", None),
            application_id: Some(lit("convex"))
        }]
    );
}

#[test]
fn convex_auth_fixture() {
    let c = parse_auth_config(
        &fixture("convex_auth.ts"),
        &env(&[("CONVEX_SITE_URL", "https://x-y-1.convex.site")]),
    )
    .unwrap();
    assert_eq!(c.providers.len(), 1);
}

#[test]
fn empty_provider_list() {
    assert!(parse(&fixture("empty_providers.ts")).providers.is_empty());
}

#[test]
fn escapes_in_strings() {
    let c = parse(
        r#"export default { providers: [{ domain: "https:\/\/a.example.com\u002F", applicationID: 'it\'s' }] }"#,
    );
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: lit("https://a.example.com/"),
            application_id: Some(lit("it's"))
        }]
    );
}

#[test]
fn statement_after_satisfies_without_semicolon_is_not_swallowed() {
    let src =
        "const c = { providers: [] } satisfies AuthConfig\nconst other = 1\nexport default c\n";
    assert!(parse(src).providers.is_empty());
}

#[test]
fn missing_oidc_application_id_is_none_not_error() {
    let c = parse("export default { providers: [{ domain: 'https://a.example.com' }] }");
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: lit("https://a.example.com"),
            application_id: None
        }]
    );
}

// --- errors: clear, with line numbers ---

fn error(src: &str) -> (usize, String) {
    match parse_auth_config(src, &Env::new()) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => (e.line, e.message),
    }
}

#[test]
fn missing_closing_brace_names_line_of_opening() {
    let (line, msg) = error("export default {\n  providers: [\n    { domain: 'a.example.com', applicationID: 'x' }\n  ]\n;\n");
    assert_eq!(line, 5, "{msg}");
    assert!(
        msg.contains("expected `,` or `}`") && msg.contains("opened on line 1"),
        "{msg}"
    );
}

#[test]
fn function_call_is_an_error_not_a_guess() {
    let (line, msg) = error(
        "export default {\n providers: [\n { domain: getDomain(), applicationID: 'x' }\n ]\n}",
    );
    assert_eq!(line, 3);
    assert!(msg.contains("getDomain"), "{msg}");
}

#[test]
fn spread_in_providers_is_an_error() {
    let (_, msg) = error("export default { providers: [...others] }");
    assert!(msg.contains("...others"), "{msg}");
}

#[test]
fn imported_constant_is_named() {
    let (line, msg) =
        error("import { CLERK } from './x';\nexport default {\n  providers: [CLERK]\n}");
    assert_eq!(line, 3);
    assert!(msg.contains("`CLERK` is imported"), "{msg}");
}

#[test]
fn interpolated_template_of_an_unknown_name_names_it() {
    let (_, msg) =
        error("export default { providers: [{ domain: `https://${host}`, applicationID: 'x' }] }");
    assert!(msg.contains("`host`"), "{msg}");
}

#[test]
fn no_export_is_an_error() {
    let (_, msg) = error("const x = { providers: [] }");
    assert!(msg.contains("export default"), "{msg}");
}

#[test]
fn custom_jwt_without_jwks_is_an_error() {
    let (_, msg) = error("export default { providers: [{ type: 'customJwt', issuer: 'https://a', algorithm: 'RS256' }] }");
    assert!(msg.contains("`jwks`"), "{msg}");
}

#[test]
fn no_providers_key_is_an_error() {
    let (_, msg) = error("export default { provider: [] }");
    assert!(msg.contains("`providers`"), "{msg}");
}

#[test]
fn unterminated_string_reports_its_line() {
    let (line, msg) =
        error("export default {\n  providers: [{ domain: 'https://a.example.com }]\n}");
    assert_eq!(line, 2);
    assert!(msg.contains("never closed"), "{msg}");
}

#[test]
fn unterminated_comment_reports_its_line() {
    let (line, msg) = error("// ok\n/* never closed\nexport default { providers: [] }");
    assert_eq!(line, 2);
    assert!(msg.contains("*/"), "{msg}");
}

#[test]
fn unterminated_template_is_an_error() {
    let (_, msg) = error("export default { providers: [{ domain: `https://a.example.com");
    assert!(msg.contains("never closed"), "{msg}");
}

#[test]
fn huge_input_is_refused() {
    let src = format!(
        "export default {{ providers: [] }}\n//{}",
        "x".repeat(1 << 20)
    );
    let (_, msg) = error(&src);
    assert!(msg.contains("bytes"), "{msg}");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let src = format!(
        "export default {{ providers: {}{} }}",
        "[".repeat(100_000).as_str(),
        "]".repeat(100_000)
    );
    // 200 KB: under the size cap, so the depth cap must stop it.
    let (_, msg) = error(&src);
    assert!(msg.contains("nesting"), "{msg}");
    let objs = format!(
        "export default {}{}",
        "{a:".repeat(50_000),
        "}".repeat(50_000)
    );
    let (_, msg) = error(&objs);
    assert!(msg.contains("nesting"), "{msg}");
}

#[test]
fn binary_garbage_is_an_error_not_a_panic() {
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 24) as u8)
        .collect();
    let src = String::from_utf8_lossy(&bytes);
    assert!(parse_auth_config(&src, &Env::new()).is_err());
    assert!(parse_auth_config("\0\0\u{1}export default\u{7f}", &Env::new()).is_err());
}

#[test]
fn truncations_of_every_fixture_never_panic() {
    for name in [
        "const_satisfies.ts",
        "custom_jwt.ts",
        "module_exports.js",
        "typed_const_shorthand.ts",
    ] {
        let src = fixture(name);
        for (i, _) in src.char_indices() {
            let _ = parse_auth_config(src.get(..i).unwrap_or(""), &Env::new());
        }
    }
}

#[test]
fn self_referencing_constants_do_not_loop() {
    let (_, msg) = error("const a = b; const b = a; export default a");
    assert!(msg.contains("loop"), "{msg}");
}

#[test]
fn commonjs_exports_default_and_export_as_default() {
    assert!(
        parse("\"use strict\";\nexports.default = { providers: [] };")
            .providers
            .is_empty()
    );
    let c = parse("const authConfig = { providers: [{ domain: 'https://a.example.com', applicationID: 'x' }] };\nexport { authConfig as default };");
    assert_eq!(c.providers.len(), 1);
}

#[test]
fn error_inside_a_const_is_reported_where_it_is() {
    let (line, msg) = error("const c = {\n  providers: [\n    { domain: 'https://a.example.com' applicationID: 'x' },\n  ],\n};\nexport default c;\n");
    assert_eq!(line, 3, "{msg}");
    assert!(msg.contains("expected `,` or `}`"), "{msg}");
    let (line, msg) = error("const a = f(\nconst b = 1\nexport default { providers: [] }");
    assert_eq!(line, 1, "{msg}");
    assert!(msg.contains("never closed"), "{msg}");
}

#[test]
fn many_unclosed_calls_stay_fast() {
    // Each unclosed `(` could rescan the rest of the file; the reader must stay linear.
    let src = "const a = f(\n".repeat(20_000);
    let started = std::time::Instant::now();
    assert!(parse_auth_config(&src, &Env::new()).is_err());
    assert!(started.elapsed().as_secs() < 5);
}
