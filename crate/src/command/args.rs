//! The command's arguments (lexopt over the given strings: the same parser and messages on every host).

use crate::config::Env;

pub const USAGE: &str = "\
convex-auth-doctor: which step of Convex authentication breaks, and why

USAGE:
    convex-auth-doctor token <TOKEN|-> [OPTIONS]   judge one JWT (- reads it from stdin)
    convex-auth-doctor har <FILE|-> [OPTIONS]      judge a HAR file exported from DevTools
    convex-auth-doctor check [DIR] [OPTIONS]       judge a Convex project's auth.config.ts and .env.local
                                                   without traffic (DIR: the project, default .)

OPTIONS:
    --config FILE         convex/auth.config.ts (or .js) to check the token against
    --env NAME=VALUE      value of process.env.NAME used by the config (repeatable)
    --now SECONDS         judge a bare token at this Unix time (default: now; token only)
    --format FORMAT       text (default), json (the report), markdown (redacted, for a support thread)
    --jwks FILE           verify signatures offline against this JWKS (JSON Web Key Set) file
    --discovery FILE      the issuer's saved discovery document (openid-configuration): checked offline as the
                          backend checks it (issuer equal to the token's iss, jwks_uri); with --jwks, the keys
                          it names
    --fetch               fetch the issuer's discovery document and keys to verify signatures (only public
                          documents are fetched; the token is never sent)
    --project DIR         check: the project directory (as DIR)
    --env-list FILE|-     check: the deployment's variables, as `npx convex env list` prints them
                          (e.g. `npx convex env list | convex-auth-doctor check --env-list -`)
    -h, --help            this help
    -V, --version         the version

EXIT STATUS: 0 no failing finding, 1 a failing finding, 2 unusable input or arguments
(check: also no Convex project in DIR, or an unreadable file in it).
";

/// Largest token read from stdin or an argument.
pub const MAX_TOKEN_INPUT: u64 = 1024 * 1024;
/// Largest auth.config.ts read.
pub const MAX_CONFIG_INPUT: u64 = 1024 * 1024;

#[derive(Clone, Copy)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

pub enum Command {
    Token(String),
    Har(String),
    /// `check [DIR]`: the project directory.
    Check(String),
}

pub struct Args {
    pub command: Command,
    pub config: Option<String>,
    pub env: Env,
    pub now: Option<f64>,
    pub format: Format,
    /// `--jwks FILE` / `--fetch`: where verification keys come from (see `keys`).
    pub keys: KeysFrom,
    /// `--discovery FILE`: the OIDC discovery document, saved (offline beside `--jwks`).
    pub discovery: Option<String>,
    /// `--env-list FILE|-` (check): `npx convex env list` output.
    pub env_list: Option<String>,
}

/// Where the signing keys come from, if anywhere.
pub enum KeysFrom {
    None,
    File(String),
    Fetch,
}

pub enum Exit {
    /// Unusable input or arguments.
    Message(String),
    /// `--help` / `--version`: print and succeed.
    Help(String),
}

pub fn parse(argv: &[String]) -> Result<Args, Exit> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(argv.iter().cloned());
    let mut command: Option<String> = None;
    let mut target: Option<String> = None;
    let mut config = None;
    let mut env = Env::new();
    let mut now = None;
    let mut format = Format::Text;
    let mut keys = KeysFrom::None;
    let mut discovery = None;
    let mut env_list: Option<String> = None;
    let mut project: Option<String> = None;
    let bad = |e: lexopt::Error| Exit::Message(e.to_string());
    let text = |v: std::ffi::OsString| v.string().map_err(bad);
    while let Some(arg) = parser.next().map_err(bad)? {
        match arg {
            Short('h') | Long("help") => return Err(Exit::Help(USAGE.into())),
            Short('V') | Long("version") => {
                return Err(Exit::Help(format!(
                    "convex-auth-doctor {}\n",
                    crate::VERSION
                )))
            }
            Long("config") => config = Some(text(parser.value().map_err(bad)?)?),
            Long("env") => {
                let pair = text(parser.value().map_err(bad)?)?;
                let (name, value) = pair.split_once('=').ok_or_else(|| {
                    Exit::Message(format!("--env takes NAME=VALUE, got `{pair}`"))
                })?;
                env.insert(name.to_owned(), value.to_owned());
            }
            Long("now") => {
                let v = text(parser.value().map_err(bad)?)?;
                let secs: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite())
                    .ok_or_else(|| Exit::Message(format!("--now takes Unix seconds, got `{v}`")))?;
                now = Some(secs);
            }
            Long("format") => {
                let v = text(parser.value().map_err(bad)?)?;
                format = match v.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "markdown" | "md" => Format::Markdown,
                    other => {
                        return Err(Exit::Message(format!(
                            "unknown --format `{other}` (text, json, markdown)"
                        )))
                    }
                };
            }
            Long("jwks") => keys = KeysFrom::File(text(parser.value().map_err(bad)?)?),
            Long("fetch") => keys = KeysFrom::Fetch,
            Long("discovery") => discovery = Some(text(parser.value().map_err(bad)?)?),
            Long("env-list") => env_list = Some(text(parser.value().map_err(bad)?)?),
            Long("project") => project = Some(text(parser.value().map_err(bad)?)?),
            Value(v) if command.is_none() => command = Some(text(v)?),
            Value(v) if target.is_none() => target = Some(text(v)?),
            other => return Err(Exit::Message(other.unexpected().to_string())),
        }
    }
    if discovery.is_some() && matches!(keys, KeysFrom::Fetch) {
        return Err(Exit::Message(
            "--discovery checks a saved document offline; --fetch fetches it: use one".into(),
        ));
    }
    let missing = |what: &str| Exit::Message(format!("{what}\n\n{USAGE}"));
    let is_check = command.as_deref() == Some("check");
    if !is_check && (env_list.is_some() || project.is_some()) {
        return Err(Exit::Message(
            "--env-list and --project belong to `check`".into(),
        ));
    }
    if is_check
        && (config.is_some()
            || now.is_some()
            || discovery.is_some()
            || !matches!(keys, KeysFrom::None))
    {
        return Err(Exit::Message(
            "`check` reads the project's own auth.config.ts and takes no token: --config, --now, --jwks, --discovery and --fetch belong to `token` and `har`".into(),
        ));
    }
    let command = match (command.as_deref(), target) {
        (Some("check"), t) => Command::Check(match (t, project) {
            (Some(_), Some(_)) => {
                return Err(Exit::Message(
                    "give the project directory once: DIR or --project DIR".into(),
                ))
            }
            (Some(t), None) => t,
            (None, Some(p)) => p,
            (None, None) => ".".to_owned(),
        }),
        (Some("token"), Some(t)) => Command::Token(t),
        (Some("har"), Some(f)) => Command::Har(f),
        (Some("token"), None) => {
            return Err(missing("`token` needs a token, or - to read it from stdin"))
        }
        (Some("har"), None) => {
            return Err(missing("`har` needs a file, or - to read it from stdin"))
        }
        (Some(other), _) => {
            return Err(Exit::Message(format!(
                "unknown command `{other}` (token, har, check)"
            )))
        }
        (None, _) => return Err(missing("a command is needed")),
    };
    Ok(Args {
        command,
        config,
        env,
        now,
        format,
        keys,
        discovery,
        env_list,
    })
}
