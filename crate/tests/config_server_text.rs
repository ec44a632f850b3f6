//! `providers_from_server_message`: the provider list printed by `enhance_no_provider_error`
//! (convex-backend crates/authentication/src/lib.rs).

use convex_auth_doctor::config::{
    providers_from_server_message, ConfigSource, ConfigValue, Provider,
};

fn lit(v: &str) -> ConfigValue {
    ConfigValue::Literal { value: v.into() }
}

const PREFIX: &str = "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: ";

#[test]
fn oidc_and_custom_jwt_entries() {
    let msg = format!(
        "{PREFIX}[OIDC(domain=https://happy-cat-12.clerk.accounts.dev, app_id=convex), CustomJWT(issuer=https://api.workos.com/user_management/client_1, app_id=none)]"
    );
    let c = providers_from_server_message(&msg).unwrap();
    assert_eq!(c.source, ConfigSource::ServerMessage);
    assert_eq!(
        c.providers,
        vec![
            Provider::Oidc {
                domain: lit("https://happy-cat-12.clerk.accounts.dev"),
                application_id: Some(lit("convex"))
            },
            Provider::CustomJwt {
                issuer: lit("https://api.workos.com/user_management/client_1"),
                jwks: lit(""),
                algorithm: lit(""),
                application_id: None,
            },
        ]
    );
}

#[test]
fn custom_jwt_with_app_id() {
    let msg = format!("{PREFIX}[CustomJWT(issuer=https://a.example.com, app_id=my-app)]");
    let c = providers_from_server_message(&msg).unwrap();
    match &c.providers[0] {
        Provider::CustomJwt { application_id, .. } => {
            assert_eq!(application_id, &Some(lit("my-app")))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn values_with_commas_and_brackets_do_not_break_entries() {
    let msg = format!(
        "{PREFIX}[OIDC(domain=https://a.example.com/x,y)], app_id=id, with (parens)), OIDC(domain=https://b.example.com, app_id=b)]"
    );
    let c = providers_from_server_message(&msg).unwrap();
    assert_eq!(
        c.providers,
        vec![
            Provider::Oidc {
                domain: lit("https://a.example.com/x,y)]"),
                application_id: Some(lit("id, with (parens)"))
            },
            Provider::Oidc {
                domain: lit("https://b.example.com"),
                application_id: Some(lit("b"))
            },
        ]
    );
}

#[test]
fn no_providers_configured_is_an_empty_list() {
    let c = providers_from_server_message(
        "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
    )
    .unwrap();
    assert!(c.providers.is_empty());
    assert_eq!(c.source, ConfigSource::ServerMessage);
}

#[test]
fn redacted_production_text_has_no_list() {
    assert_eq!(
        providers_from_server_message("No auth provider found matching the given token"),
        None
    );
}

#[test]
fn unrelated_text_has_no_list() {
    assert_eq!(
        providers_from_server_message("Could not verify OIDC token claim."),
        None
    );
    assert_eq!(providers_from_server_message(""), None);
}

#[test]
fn prefix_and_suffix_around_the_message_are_tolerated() {
    let msg = format!(
        "Uncaught Error: {PREFIX}[OIDC(domain=https://a.example.com, app_id=x)] [Request ID: abc]"
    );
    let c = providers_from_server_message(&msg).unwrap();
    assert_eq!(c.providers.len(), 1);
}

#[test]
fn truncated_list_is_none_or_partial_never_a_panic() {
    let msg = format!(
        "{PREFIX}[OIDC(domain=https://a.example.com, app_id=x), CustomJWT(issuer=https://b"
    );
    for (i, _) in msg.char_indices() {
        let _ = providers_from_server_message(msg.get(..i).unwrap_or(""));
    }
    assert_eq!(
        providers_from_server_message(&msg),
        None,
        "a cut list must not pass for the whole list"
    );
}
