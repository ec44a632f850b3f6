//! Recognising identity providers from issuers (shared/reference/convex-auth-facts.md §4) and their causes.

use convex_auth_doctor::findings::Code;
use convex_auth_doctor::rules::ProviderKind;

#[test]
fn clerk_development_instance() {
    assert_eq!(
        ProviderKind::recognise("https://happy-cat-12.clerk.accounts.dev"),
        ProviderKind::Clerk {
            frontend_api: "happy-cat-12.clerk.accounts.dev".into(),
            development: true
        }
    );
}

#[test]
fn clerk_production_instance() {
    assert_eq!(
        ProviderKind::recognise("https://clerk.example.com/"),
        ProviderKind::Clerk {
            frontend_api: "clerk.example.com".into(),
            development: false
        }
    );
    // `clerk.com` itself is not a Frontend API host.
    assert_eq!(
        ProviderKind::recognise("https://clerk.com"),
        ProviderKind::Custom
    );
}

#[test]
fn auth0_with_and_without_region_and_scheme() {
    assert_eq!(
        ProviderKind::recognise("https://dev-abc.us.auth0.com/"),
        ProviderKind::Auth0 {
            tenant: "dev-abc".into()
        }
    );
    assert_eq!(
        ProviderKind::recognise("dev-abc.auth0.com"),
        ProviderKind::Auth0 {
            tenant: "dev-abc".into()
        }
    );
}

#[test]
fn convex_auth_site() {
    assert_eq!(
        ProviderKind::recognise("https://happy-otter-123.convex.site"),
        ProviderKind::ConvexAuth {
            site: "happy-otter-123".into()
        }
    );
}

#[test]
fn workos() {
    assert_eq!(
        ProviderKind::recognise("https://api.workos.com/user_management/client_01H"),
        ProviderKind::WorkOs
    );
    assert_eq!(
        ProviderKind::recognise("https://auth.example.com/user_management/client_01H"),
        ProviderKind::WorkOs
    );
}

#[test]
fn custom_and_garbage() {
    for s in [
        "https://auth.example.com",
        "",
        "://",
        "not a url at all",
        "https://",
        "\u{0}\u{ffff}",
    ] {
        assert_eq!(ProviderKind::recognise(s), ProviderKind::Custom, "{s:?}");
    }
}

#[test]
fn labels_say_which_instance() {
    assert!(ProviderKind::recognise("https://a.clerk.accounts.dev")
        .label()
        .contains("development"));
    assert!(ProviderKind::recognise("https://clerk.example.com")
        .label()
        .contains("production"));
    assert_eq!(ProviderKind::Custom.label(), "custom");
}

#[test]
fn clerk_causes_are_specific() {
    let clerk = ProviderKind::recognise("https://a.clerk.accounts.dev");
    let aud = clerk.causes(Code::ConfigAudienceMismatch);
    assert!(
        aud[0].contains("template") && aud[0].contains("`convex`"),
        "{aud:?}"
    );
    let iss = clerk.causes(Code::ConfigIssuerMismatch);
    assert!(
        iss.iter()
            .any(|c| c.contains("publishableKey") && c.contains("another Clerk instance")),
        "{iss:?}"
    );
    assert!(iss.iter().any(|c| c.contains("JWKS URL")), "{iss:?}");
}

#[test]
fn auth0_causes_name_client_id_and_domain() {
    let a = ProviderKind::recognise("https://t.auth0.com/");
    assert!(a
        .causes(Code::ConfigAudienceMismatch)
        .iter()
        .any(|c| c.contains("clientId")));
    assert!(a
        .causes(Code::ConfigIssuerMismatch)
        .iter()
        .any(|c| c.contains("Auth0 domain")));
    assert!(!a
        .causes(Code::ConfigAudienceMismatch)
        .iter()
        .any(|c| c.contains("Clerk")));
}

#[test]
fn convex_auth_kid_missing_suggests_oidc() {
    let c = ProviderKind::recognise("https://x.convex.site");
    assert!(c.causes(Code::ConfigKidMissing)[0].contains("OIDC"));
    assert!(!ProviderKind::Custom.causes(Code::ConfigKidMissing)[0].contains("Convex Auth"));
}

#[test]
fn guide_causes_for_steps_1_and_2_and_no_providers() {
    assert!(ProviderKind::Custom.causes(Code::ConfigNoProviders)[0].contains("auth.config.ts"));
    assert!(ProviderKind::Custom
        .causes(Code::IdentityLoggedNull)
        .iter()
        .any(|c| c.contains("not supplying an auth token")));
    assert!(ProviderKind::Custom
        .causes(Code::ClientNoTraffic)
        .iter()
        .any(|c| c.contains("dashboard")));
    let clerk = ProviderKind::recognise("https://a.clerk.accounts.dev");
    assert!(clerk
        .causes(Code::TokenAbsent)
        .iter()
        .any(|c| c.contains("ConvexProviderWithClerk")));
}
