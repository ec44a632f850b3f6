//! What a Convex project's own files say about where its functions are and which deployment it uses, read as the
//! `convex` CLI reads them (convex-backend `npm-packages/convex`, cited per function). Pure: the caller reads files.

/// The functions directory when `convex.json` does not name one (`src/cli/lib/config.ts:137`).
pub const DEFAULT_FUNCTIONS_DIR: &str = "convex/";

/// Largest `convex.json` / `package.json` read.
pub const MAX_PROJECT_JSON_BYTES: usize = 256 * 1024;

/// The functions directory, relative to the project: `convex.json`'s `functions` when the file exists (its schema
/// defaults it to `convex/`: `src/cli/lib/config.ts:326-330`), else `src/convex/` for a create-react-app project
/// (`react-scripts` in package.json) and `convex/` otherwise (`src/cli/lib/config.ts:553-563`). The CLI joins it to
/// the directory of `convex.json` (`src/cli/lib/utils/utils.ts:710-715`).
pub fn functions_dir(
    convex_json: Option<&str>,
    package_json: Option<&str>,
) -> Result<String, String> {
    if let Some(text) = convex_json {
        if text.len() > MAX_PROJECT_JSON_BYTES {
            return Err(format!(
                "convex.json is larger than {MAX_PROJECT_JSON_BYTES} bytes"
            ));
        }
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("convex.json is not JSON: {e}"))?;
        let serde_json::Value::Object(o) = value else {
            return Err("convex.json is not a JSON object".to_owned());
        };
        return match o.get("functions") {
            None => Ok(DEFAULT_FUNCTIONS_DIR.to_owned()),
            Some(serde_json::Value::String(dir)) => safe_relative(dir).ok_or_else(|| {
                format!("convex.json's functions `{dir}` is not a directory inside the project")
            }),
            Some(_) => Err("convex.json's functions is not a string".to_owned()),
        };
    }
    let react_scripts = package_json
        .filter(|t| t.len() <= MAX_PROJECT_JSON_BYTES)
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .is_some_and(|p| {
            ["dependencies", "devDependencies"]
                .iter()
                .any(|k| p.get(k).and_then(|d| d.get("react-scripts")).is_some())
        });
    Ok(if react_scripts {
        format!("src/{DEFAULT_FUNCTIONS_DIR}")
    } else {
        DEFAULT_FUNCTIONS_DIR.to_owned()
    })
}

/// A relative path that stays inside the project (no absolute path, no `..`), `/`-separated, ending in `/`.
fn safe_relative(dir: &str) -> Option<String> {
    let dir = dir.trim();
    if dir.is_empty() || dir.starts_with('/') || dir.starts_with('\\') || dir.contains(':') {
        return None;
    }
    let parts: Vec<&str> = dir
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.is_empty() || parts.contains(&"..") || parts.len() > 16 {
        return None;
    }
    Some(format!("{}/", parts.join("/")))
}

/// The deployment `CONVEX_DEPLOYMENT` names (`dev:happy-otter-123`): its type when prefixed and its name, as the
/// CLI splits it (`src/cli/lib/deployment.ts:14-29`: the name is what follows the last `:`; a value without a
/// known type prefix is a legacy name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentRef {
    /// `dev`, `prod`, `preview`, `local`, or `None` (a legacy value without prefix, an anonymous deployment).
    pub kind: Option<String>,
    pub name: String,
}

impl DeploymentRef {
    pub fn parse(value: &str) -> Option<DeploymentRef> {
        let value = value.trim();
        let name = value.rsplit(':').next().unwrap_or_default();
        if name.is_empty()
            || name.len() > 128
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let kind = value
            .split(':')
            .next()
            .filter(|k| matches!(*k, "dev" | "prod" | "preview" | "local"))
            .map(str::to_owned);
        Some(DeploymentRef {
            kind,
            name: name.to_owned(),
        })
    }

    /// A deployment on this machine (`npx convex dev --local`, or an anonymous one: `src/cli/lib/deployment.ts:31`).
    pub fn is_local(&self) -> bool {
        self.kind.as_deref() == Some("local") || self.name.starts_with("anonymous-")
    }

    /// The cloud deployment's HTTP actions origin, the value of its built-in `CONVEX_SITE_URL`
    /// (convex-backend `crates/udf/src/environment.rs:21-31`): `https://<name>.convex.site`. `None` for local
    /// deployments, whose port the name does not tell.
    pub fn cloud_site_url(&self) -> Option<String> {
        (!self.is_local()).then(|| format!("https://{}.convex.site", self.name))
    }

    /// The cloud deployment's URL, its built-in `CONVEX_CLOUD_URL`.
    pub fn cloud_url(&self) -> Option<String> {
        (!self.is_local()).then(|| format!("https://{}.convex.cloud", self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_dir_follows_convex_json_then_react_scripts() {
        assert_eq!(functions_dir(None, None).as_deref(), Ok("convex/"));
        assert_eq!(
            functions_dir(Some(r#"{"functions": "src/backend"}"#), None).as_deref(),
            Ok("src/backend/")
        );
        assert_eq!(
            functions_dir(Some(r#"{"node": {}}"#), None).as_deref(),
            Ok("convex/")
        );
        assert_eq!(
            functions_dir(None, Some(r#"{"dependencies": {"react-scripts": "5"}}"#)).as_deref(),
            Ok("src/convex/")
        );
        assert!(functions_dir(Some(r#"{"functions": "../elsewhere"}"#), None).is_err());
        assert!(functions_dir(Some(r#"{"functions": "/etc"}"#), None).is_err());
        assert!(functions_dir(Some(r#"{"functions": 3}"#), None).is_err());
        assert!(functions_dir(Some("{"), None).is_err());
    }

    #[test]
    fn deployment_names_as_the_cli_splits_them() {
        let d = DeploymentRef::parse("dev:happy-otter-123").expect("parses");
        assert_eq!(d.kind.as_deref(), Some("dev"));
        assert_eq!(d.name, "happy-otter-123");
        assert_eq!(
            d.cloud_site_url().as_deref(),
            Some("https://happy-otter-123.convex.site")
        );
        let legacy = DeploymentRef::parse("happy-otter-123").expect("legacy");
        assert_eq!(legacy.kind, None);
        let local = DeploymentRef::parse("local:local-me-app").expect("local");
        assert!(local.is_local());
        assert_eq!(local.cloud_site_url(), None);
        assert!(DeploymentRef::parse("anonymous:anonymous-app")
            .expect("anon")
            .is_local());
        assert_eq!(DeploymentRef::parse("dev:"), None);
        assert_eq!(DeploymentRef::parse("dev:a b"), None);
    }
}
