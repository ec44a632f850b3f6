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
fn custom_jwt_unknown_keys_ignored_and_fallbacks_never_taken() {
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
            // The backend refuses a push that reads an unset variable, fallback or not: unknown here.
            issuer: env_val("WORKOS_ISSUER", None),
            jwks: env_val("WORKOS_JWKS", None),
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

// ---------------------------------------------------------------------------------------------------------------
// Strings built from parts, library helpers, imports (issue 14)

fn composed(parts: Vec<ConfigValue>, value: Option<&str>) -> ConfigValue {
    ConfigValue::Composed {
        parts,
        value: value.map(Into::into),
        via: None,
    }
}

fn library_fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/libraries/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn templates_and_plus_join_text_constants_and_variables() {
    let src = "const HOST = 'example.com';\nconst PATH = \"/\" + 'jwks';\nexport default { providers: [{\n  type: 'customJwt',\n  issuer: `https://${HOST}`,\n  jwks: 'https://' + HOST + PATH,\n  algorithm: `RS${256}`,\n  applicationID: `${process.env.APP}-web`,\n}] }";
    let c = parse_auth_config(src, &env(&[("APP", "shop")])).expect("parses");
    assert_eq!(
        c.providers,
        vec![Provider::CustomJwt {
            issuer: lit("https://example.com"),
            jwks: lit("https://example.com/jwks"),
            algorithm: lit("RS256"),
            application_id: Some(composed(
                vec![env_val("APP", Some("shop")), lit("-web")],
                Some("shop-web")
            )),
        }]
    );
    let c = parse(src);
    let Provider::CustomJwt { application_id, .. } = &c.providers[0] else {
        panic!("customJwt")
    };
    assert_eq!(
        application_id.as_ref(),
        Some(&composed(vec![env_val("APP", None), lit("-web")], None))
    );
}

#[test]
fn workos_documented_config_reads_its_client_id_through_a_constant() {
    let c = parse_auth_config(
        &library_fixture("workos.auth.config.ts"),
        &env(&[("WORKOS_CLIENT_ID", "client_01X")]),
    )
    .expect("parses");
    let Provider::CustomJwt { issuer, jwks, .. } = &c.providers[1] else {
        panic!("customJwt")
    };
    assert_eq!(
        issuer.resolved(),
        Some("https://api.workos.com/user_management/client_01X")
    );
    assert_eq!(
        jwks.resolved(),
        Some("https://api.workos.com/sso/jwks/client_01X")
    );
    let Provider::CustomJwt {
        issuer,
        application_id,
        ..
    } = &c.providers[0]
    else {
        panic!("customJwt")
    };
    assert_eq!(issuer, &lit("https://api.workos.com/"));
    assert_eq!(
        application_id.as_ref(),
        Some(&env_val("WORKOS_CLIENT_ID", Some("client_01X")))
    );
}

#[test]
fn better_auth_helper_returns_the_provider_of_its_source() {
    // @convex-dev/better-auth 0.12.5 src/auth-config.ts:72-81.
    let site = "https://happy-otter-123.convex.site";
    let c = parse_auth_config(
        &library_fixture("better-auth.auth.config.ts"),
        &env(&[("CONVEX_SITE_URL", site)]),
    )
    .expect("parses");
    assert_eq!(
        c.providers,
        vec![Provider::CustomJwt {
            issuer: env_val("CONVEX_SITE_URL", Some(site)),
            jwks: composed(
                vec![
                    env_val("CONVEX_SITE_URL", Some(site)),
                    lit("/api/auth"),
                    lit("/convex/jwks")
                ],
                Some("https://happy-otter-123.convex.site/api/auth/convex/jwks")
            ),
            algorithm: lit("RS256"),
            application_id: Some(lit("convex")),
        }]
    );
    let base_path = "import { getAuthConfigProvider as p } from '@convex-dev/better-auth/auth-config';\nexport default { providers: [p({ basePath: '/auth' })] }";
    let c = parse_auth_config(base_path, &env(&[("CONVEX_SITE_URL", site)])).expect("parses");
    let Provider::CustomJwt { jwks, .. } = &c.providers[0] else {
        panic!("customJwt")
    };
    assert_eq!(
        jwks.resolved(),
        Some("https://happy-otter-123.convex.site/auth/convex/jwks")
    );
}

#[test]
fn better_auth_static_jwks_is_a_data_url_only_when_the_variable_is_known() {
    let src = library_fixture("better-auth-jwks.auth.config.ts");
    let docs = r#"[{"id":"k1","alg":"RS256","publicKey":"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}","privateKey":"x","createdAt":1}]"#;
    let c = parse_auth_config(&src, &env(&[("JWKS", docs)])).expect("parses");
    let Provider::CustomJwt { jwks, .. } = &c.providers[0] else {
        panic!("customJwt")
    };
    assert!(
        jwks.resolved()
            .is_some_and(|u| u.starts_with("data:text/plain;charset=utf-8;base64,")),
        "{jwks:?}"
    );
    let c = parse(&src);
    let Provider::CustomJwt { jwks, .. } = &c.providers[0] else {
        panic!("customJwt")
    };
    assert_eq!(jwks.resolved(), None);
    assert_eq!(jwks.unresolved_names(), vec!["JWKS"]);
    // An empty JWKS is falsy: the helper falls back to the URL.
    let c = parse_auth_config(
        &src,
        &env(&[("JWKS", ""), ("CONVEX_SITE_URL", "https://a.convex.site")]),
    )
    .expect("parses");
    let Provider::CustomJwt { jwks, .. } = &c.providers[0] else {
        panic!("customJwt")
    };
    assert_eq!(
        jwks.resolved(),
        Some("https://a.convex.site/api/auth/convex/jwks")
    );
    // Text the helper would throw on is an error naming the variable's fix.
    let e = parse_auth_config(&src, &env(&[("JWKS", "{not json")])).expect_err("throws");
    assert!(e.message.contains("rotateKeys"), "{e}");
}

#[test]
fn an_unknown_call_names_the_call_and_what_to_write() {
    let (line, msg) = error(
        "import { clerkProvider } from '@acme/auth';\nexport default {\n  providers: [\n    clerkProvider(),\n  ],\n}",
    );
    assert_eq!(line, 4);
    assert!(msg.contains("`clerkProvider(…)`"), "{msg}");
    assert!(msg.contains("applicationID"), "{msg}");
    assert!(msg.contains("getAuthConfigProvider"), "{msg}");
    // The same name from another package is not Better Auth's helper.
    let (_, msg) = error("import { getAuthConfigProvider } from 'elsewhere';\nexport default { providers: [getAuthConfigProvider()] }");
    assert!(msg.contains("getAuthConfigProvider(…)"), "{msg}");
}

#[test]
fn relative_imports_resolve_from_given_files_and_are_named_when_missing() {
    use convex_auth_doctor::config::{import_keys, parse_auth_config_with, ImportedFile};
    let src = "import { DOMAIN } from './constants';\nimport { getAuthConfigProvider } from '@convex-dev/better-auth/auth-config';\nimport { env } from './_generated/server';\nexport default { providers: [{ domain: DOMAIN, applicationID: env.APP_ID }] };";
    assert_eq!(import_keys(src, ""), vec!["constants".to_owned()]);
    assert_eq!(
        import_keys("import { A } from '../common/x.ts'", "nested/file"),
        vec!["common/x".to_owned()]
    );
    let (line, msg) = error(src);
    assert_eq!(line, 4);
    assert!(
        msg.contains("`DOMAIN` is imported from `./constants`"),
        "{msg}"
    );
    assert!(msg.contains("not given"), "{msg}");
    let files = [ImportedFile {
        key: "constants".into(),
        text: Ok(
            "export const DOMAIN = `https://${process.env.SLUG}.clerk.accounts.dev` as const;"
                .into(),
        ),
    }];
    let c = parse_auth_config_with(src, &env(&[("SLUG", "cat"), ("APP_ID", "convex")]), &files)
        .expect("parses");
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: composed(
                vec![
                    lit("https://"),
                    env_val("SLUG", Some("cat")),
                    lit(".clerk.accounts.dev")
                ],
                Some("https://cat.clerk.accounts.dev")
            ),
            application_id: Some(env_val("APP_ID", Some("convex"))),
        }]
    );
    let unreadable = [ImportedFile {
        key: "constants".into(),
        text: Err("it is outside the project directory".into()),
    }];
    let e = parse_auth_config_with(src, &Env::new(), &unreadable).expect_err("unreadable");
    assert!(e.message.contains("outside the project directory"), "{e}");
}

#[test]
fn constant_objects_and_the_generated_env_are_read() {
    let src = "import { env } from './_generated/server';\nconst DOMAINS = { clerk: env.CLERK_JWT_ISSUER_DOMAIN, app: 'convex' };\nexport default { providers: [{ domain: DOMAINS.clerk, applicationID: DOMAINS.app }] } satisfies AuthConfig;";
    let c = parse(src);
    assert_eq!(
        c.providers,
        vec![Provider::Oidc {
            domain: env_val("CLERK_JWT_ISSUER_DOMAIN", None),
            application_id: Some(lit("convex")),
        }]
    );
}

#[test]
fn constants_built_from_themselves_stop_without_overflowing() {
    for src in [
        "const a = `${a}x`;\nexport default { providers: [{ domain: a, applicationID: 'x' }] }",
        "const o = { d: o.d };\nexport default { providers: [{ domain: o.d, applicationID: 'x' }] }",
        "const a = b + 'x'; const b = a + 'y';\nexport default { providers: [{ domain: a, applicationID: 'x' }] }",
    ] {
        let (_, msg) = error(src);
        assert!(msg.contains("loop"), "{src}: {msg}");
    }
}

#[test]
fn nested_templates_and_unclosed_interpolations_are_bounded_errors() {
    let c = parse_auth_config(
        "export default { providers: [{ domain: `https://${`${process.env.SLUG}-${'}'}`}.example.com`, applicationID: 'x' }] }",
        &env(&[("SLUG", "cat")]),
    )
    .expect("a template inside a template reads");
    let Provider::Oidc { domain, .. } = &c.providers[0] else {
        panic!("oidc")
    };
    assert_eq!(domain.resolved(), Some("https://cat-}.example.com"));
    let (_, msg) = error("export default { providers: [{ domain: `https://${`a${`b${`c${`d${'e'}`}`}`}`}`, applicationID: 'x' }] }");
    assert!(msg.contains("nested too deep"), "{msg}");
    let (line, msg) = error("export default {\n providers: [{ domain: `https://${process.env.A`, applicationID: 'x' }] }");
    assert_eq!(line, 2);
    assert!(msg.contains("never closed"), "{msg}");
}
