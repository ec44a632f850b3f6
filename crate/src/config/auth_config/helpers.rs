//! The helper functions of the auth libraries that Convex documents, applied by their documented semantics (read
//! from each library's source at a pinned version) instead of being run.
//!
//! `@convex-dev/better-auth` 0.12.5, `src/auth-config.ts:49-82` (`npm pack @convex-dev/better-auth@0.12.5`),
//! entry `@convex-dev/better-auth/auth-config` (`package.json` `exports["./auth-config"]`):
//! `getAuthConfigProvider(opts?: { basePath?: string; jwks?: string })` returns
//! `{ type: "customJwt", issuer: `${process.env.CONVEX_SITE_URL}`, applicationID: "convex", algorithm: "RS256",
//! jwks }` where `jwks` is, when `opts.jwks` is truthy, `data:text/plain;charset=utf-8;base64,` + base64 of the
//! public key set `createPublicJwks(JSON.parse(opts.jwks))` makes (`auth-config.ts:15-47`: each stored key
//! document `{ id, publicKey, alg?, crv? }` becomes `{ alg: alg ?? "EdDSA", crv, ...JSON.parse(publicKey), kid:
//! id }`), and otherwise `${process.env.CONVEX_SITE_URL}${opts?.basePath ?? "/api/auth"}/convex/jwks`.
//!
//! The other libraries' guides (Clerk, Auth0, WorkOS AuthKit, Convex Auth) have users write the provider object
//! itself, so they need no helper here.

use serde_json::{Map, Value};

use super::eval::{field, kind_name, At, Eval};
use super::reader::Js;
use super::ConfigError;
use crate::config::{ConfigValue, Provider};
use crate::text::base64::Base64;

/// The helpers known, in words for the error about an unknown call.
pub(super) const KNOWN: &str =
    "getAuthConfigProvider() and getAuthConfigProvider({ jwks }) of @convex-dev/better-auth/auth-config";

/// The module Better Auth's helper is imported from.
const BETTER_AUTH_CONFIG: &str = "@convex-dev/better-auth/auth-config";

/// The provider a known helper returns; `None` when `name` of `source` is not one this reader knows.
pub(super) fn provider(
    ctx: &Eval<'_>,
    source: &str,
    name: &str,
    args: &[(Js, usize)],
    at: At,
) -> Option<Result<Provider, ConfigError>> {
    match (source, name) {
        (BETTER_AUTH_CONFIG, "getAuthConfigProvider") => Some(better_auth_provider(ctx, args, at)),
        _ => None,
    }
}

/// `getAuthConfigProvider(opts?)` of `@convex-dev/better-auth` 0.12.5 (`src/auth-config.ts:49-82`).
fn better_auth_provider(
    ctx: &Eval<'_>,
    args: &[(Js, usize)],
    at: At,
) -> Result<Provider, ConfigError> {
    let site = ctx.config_value(
        &Js::Env {
            name: "CONVEX_SITE_URL".into(),
            fallback: None,
        },
        at,
        "issuer",
    )?;
    let (base_path, jwks_opt) = better_auth_options(ctx, args, at)?;
    let base_path = base_path.unwrap_or_else(|| ConfigValue::Literal {
        value: "/api/auth".into(),
    });
    let url = ConfigValue::joined(vec![
        site.clone(),
        base_path,
        ConfigValue::Literal {
            value: "/convex/jwks".into(),
        },
    ]);
    let jwks = match jwks_opt {
        None => url,
        Some(given) => match given.resolved() {
            // An empty string is falsy: the helper falls back to the URL (`auth-config.ts:78`).
            Some("") => url,
            Some(text) => {
                let value = public_jwks_data_url(text).map_err(|why| {
                    ctx.err(at, format!("getAuthConfigProvider({{ jwks }}): {why}; the helper throws on it, so the config cannot be pushed. Set the variable to the output of `npx convex run auth:rotateKeys`"))
                })?;
                ConfigValue::Composed {
                    parts: vec![given],
                    value: Some(value),
                    via: Some(DATA_URL_VIA.into()),
                }
            }
            None => ConfigValue::Composed {
                parts: vec![given],
                value: None,
                via: Some(DATA_URL_VIA.into()),
            },
        },
    };
    Ok(Provider::CustomJwt {
        issuer: site,
        jwks,
        algorithm: ConfigValue::Literal {
            value: "RS256".into(),
        },
        application_id: Some(ConfigValue::Literal {
            value: "convex".into(),
        }),
    })
}

const DATA_URL_VIA: &str =
    "getAuthConfigProvider({ jwks }): the public keys of these key documents, as a data: URL";

/// `basePath` and `jwks` of the helper's optional argument.
fn better_auth_options(
    ctx: &Eval<'_>,
    args: &[(Js, usize)],
    at: At,
) -> Result<(Option<ConfigValue>, Option<ConfigValue>), ConfigError> {
    let Some((arg, line)) = args.first() else {
        return Ok((None, None));
    };
    let at = At { line: *line, ..at };
    let (arg, at) = ctx.resolve(arg, at)?;
    let entries = match arg {
        Js::Null => return Ok((None, None)),
        Js::Obj(entries) => entries,
        other => {
            return Err(ctx.err(
                at,
                format!(
                    "getAuthConfigProvider takes an object {{ jwks?, basePath? }}, found {}",
                    kind_name(other)
                ),
            ))
        }
    };
    let get = |key: &str| -> Result<Option<ConfigValue>, ConfigError> {
        match field(entries, key) {
            None | Some((Js::Null, _)) => Ok(None),
            Some((v, l)) => ctx.config_value(v, At { line: l, ..at }, key).map(Some),
        }
    };
    Ok((get("basePath")?, get("jwks")?))
}

/// The data URL `getAuthConfigProvider({ jwks })` builds from the stored key documents (`auth-config.ts:15-47,
/// 72-79`): `JSON.parse`, each document to a public JWK, `btoa(JSON.stringify(…))`. Errors where the helper throws.
fn public_jwks_data_url(text: &str) -> Result<String, String> {
    let docs: Value =
        serde_json::from_str(text).map_err(|e| format!("the value is not JSON ({e})"))?;
    let Value::Array(docs) = docs else {
        return Err(
            "the value should be a JSON list of key documents `[{ id, publicKey, … }]`".into(),
        );
    };
    let mut keys = Vec::with_capacity(docs.len());
    for doc in &docs {
        let get = |k: &str| doc.get(k).filter(|v| !v.is_null());
        let public: Value = match get("publicKey") {
            Some(Value::String(p)) => serde_json::from_str(p)
                .map_err(|e| format!("a key document's publicKey is not JSON ({e})"))?,
            _ => return Err("a key document has no publicKey string".into()),
        };
        let mut key = Map::new();
        key.insert(
            "alg".into(),
            get("alg").cloned().unwrap_or_else(|| Value::from("EdDSA")),
        );
        if let Some(crv) = get("crv") {
            key.insert("crv".into(), crv.clone());
        }
        let id = doc.get("id");
        if let Value::Object(fields) = public {
            // `kid: keySet.id` comes last and wins; JSON.stringify drops it when the id is undefined.
            for (k, v) in fields
                .into_iter()
                .filter(|(k, _)| id.is_some() || k != "kid")
            {
                key.insert(k, v);
            }
        }
        if let Some(id) = id {
            key.insert("kid".into(), id.clone());
        }
        keys.push(Value::Object(key));
    }
    let mut set = Map::new();
    set.insert("keys".into(), Value::Array(keys));
    // `serde_json::to_string`, as the report is written: `Value`'s `Display` would add a serializer of its own.
    let json = serde_json::to_string(&Value::Object(set)).map_err(|e| e.to_string())?;
    Ok(format!(
        "data:text/plain;charset=utf-8;base64,{}",
        Base64::STANDARD.encode(json.as_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::public_jwks_data_url;
    use crate::text::base64::Base64;

    #[test]
    fn data_url_carries_the_public_keys_with_their_ids() {
        let docs = r#"[{"id":"k1","publicKey":"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}","privateKey":"secret","alg":"RS256","createdAt":1}]"#;
        let url = public_jwks_data_url(docs).expect("url");
        let b64 = url
            .strip_prefix("data:text/plain;charset=utf-8;base64,")
            .expect("prefix");
        let json = Base64::STANDARD.decode(b64).expect("base64");
        let json = String::from_utf8(json).expect("utf8");
        assert_eq!(
            json,
            r#"{"keys":[{"alg":"RS256","kty":"RSA","n":"AQAB","e":"AQAB","kid":"k1"}]}"#
        );
        assert!(!json.contains("secret"));
    }

    #[test]
    fn documents_the_helper_would_throw_on_are_errors() {
        assert!(public_jwks_data_url("not json").is_err());
        assert!(public_jwks_data_url("{}").is_err());
        assert!(public_jwks_data_url(r#"[{"id":"k"}]"#).is_err());
        assert!(public_jwks_data_url(r#"[{"id":"k","publicKey":"{"}]"#).is_err());
    }
}
