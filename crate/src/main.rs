//! `convex-auth-doctor`: the command-line front end. A thin adapter: reads files, the clock and arguments, hands
//! them to the engine, prints a renderer's output. Exit status: 0 no `fail` finding, 1 a `fail` finding,
//! 2 unusable input or arguments (one clear line on stderr, nothing on stdout).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use convex_auth_doctor::analysis::Session;
use convex_auth_doctor::config::{parse_auth_config_with, Env};
use convex_auth_doctor::render;
use convex_auth_doctor::report::Report;
use convex_auth_doctor::traffic::har::read_har;

mod cli;

const USAGE: &str = "\
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
const MAX_TOKEN_INPUT: u64 = 1024 * 1024;
/// Largest auth.config.ts read.
const MAX_CONFIG_INPUT: u64 = 1024 * 1024;

#[derive(Clone, Copy)]
enum Format {
    Text,
    Json,
    Markdown,
}

enum Command {
    Token(String),
    Har(String),
    /// `check [DIR]`: the project directory.
    Check(PathBuf),
}

struct Args {
    command: Command,
    config: Option<PathBuf>,
    env: Env,
    now: Option<f64>,
    format: Format,
    /// `--jwks FILE` / `--fetch`: where verification keys come from (see `cli::keys`).
    keys: KeysFrom,
    /// `--discovery FILE`: the OIDC discovery document, saved (offline beside `--jwks`).
    discovery: Option<PathBuf>,
    /// `--env-list FILE|-` (check): `npx convex env list` output.
    env_list: Option<String>,
}

/// Where the signing keys come from, if anywhere.
enum KeysFrom {
    None,
    File(PathBuf),
    Fetch,
}

fn main() -> ExitCode {
    match run() {
        Ok(report) => {
            if report.has_failure() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(Exit::Message(m)) => {
            // Messages may quote the input (a config's text, a file name): shown as reports show text.
            eprintln!(
                "convex-auth-doctor: {}",
                convex_auth_doctor::redact::visible(&m)
            );
            ExitCode::from(2)
        }
        Err(Exit::Help(text)) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

enum Exit {
    /// Unusable input or arguments.
    Message(String),
    /// `--help` / `--version`: print and succeed.
    Help(String),
}

impl From<String> for Exit {
    fn from(m: String) -> Self {
        Exit::Message(m)
    }
}

fn run() -> Result<Report, Exit> {
    let args = parse_args()?;
    let report = match &args.command {
        Command::Check(dir) => check(dir, &args)?,
        _ => judge(&args)?,
    };
    let out = match args.format {
        Format::Text => render::text(&report),
        Format::Markdown => render::markdown(&report),
        Format::Json => {
            serde_json::to_string_pretty(&report)
                .map_err(|e| format!("cannot write the report: {e}"))?
                + "\n"
        }
    };
    print!("{out}");
    Ok(report)
}

/// `check`: the project's files, the deployment's env list when given, judged without traffic.
fn check(dir: &std::path::Path, args: &Args) -> Result<Report, Exit> {
    let mut input = cli::project::gather(dir)?;
    input.env_list = match args.env_list.as_deref() {
        None => None,
        Some("-") => Some(
            read_stdin_limited(convex_auth_doctor::config::dotenv::MAX_DOTENV_BYTES as u64)
                .map_err(|e| e.replace("the token on stdin", "stdin"))?,
        ),
        Some(path) => Some(read_limited(
            &PathBuf::from(path),
            convex_auth_doctor::config::dotenv::MAX_DOTENV_BYTES as u64,
        )?),
    };
    input.env = args.env.clone();
    Ok(convex_auth_doctor::analysis::project::check(&input)?)
}

/// `token` and `har`: the session fed with the input, its report.
fn judge(args: &Args) -> Result<Report, Exit> {
    let mut session = Session::new();
    // `--jwks FILE`: keys given offline, used for whatever issuer the token names.
    let offline_keys = match &args.keys {
        KeysFrom::File(path) => Some(cli::keys::load_file(path)?),
        _ => None,
    };
    // `--discovery FILE`: read now (an unreadable file is unusable input), judged once the token is known.
    let discovery = match &args.discovery {
        Some(path) => Some((
            path.display().to_string(),
            read_limited(path, cli::keys::MAX_DOCUMENT_BYTES)?,
        )),
        None => None,
    };
    if let Some(keys) = &offline_keys {
        session.set_keys(&keys.source, keys.jwks.clone(), keys.findings.clone());
    }
    if let Some(path) = &args.config {
        let source = read_limited(path, MAX_CONFIG_INPUT)?;
        let imported = cli::imports::read_imports(path, &source);
        let config = parse_auth_config_with(&source, &args.env, &imported)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        session.set_config(config);
    }
    match &args.command {
        Command::Token(arg) => {
            let text = if arg == "-" {
                read_stdin_limited(MAX_TOKEN_INPUT)?
            } else {
                arg.clone()
            };
            if text.trim().is_empty() {
                return Err(Exit::Message("no token given".into()));
            }
            // Said here, with exit 2, rather than as a finding: the tool refuses the input, nothing was judged
            // (and no client cut anything).
            let bytes = text.trim().len();
            if bytes > convex_auth_doctor::token::MAX_INPUT_BYTES {
                return Err(Exit::Message(format!(
                    "the token is {bytes} bytes, longer than {} bytes: not judged",
                    convex_auth_doctor::token::MAX_INPUT_BYTES
                )));
            }
            let now = args.now.unwrap_or_else(unix_now);
            session.add_input_token(&text, now);
        }
        Command::Check(_) => {}
        Command::Har(path) => {
            if args.now.is_some() {
                return Err(Exit::Message(
                    "--now applies to a bare token; a HAR's tokens are judged at the time they were sent".into(),
                ));
            }
            let mut sink = |event| session.push(event);
            let result = if path == "-" {
                read_har(std::io::stdin().lock(), &mut sink)
            } else {
                let file =
                    std::fs::File::open(path).map_err(|e| format!("cannot open {path}: {e}"))?;
                read_har(std::io::BufReader::with_capacity(1 << 16, file), &mut sink)
            };
            let stats = result.map_err(|e| format!("{path} is not a usable HAR file: {e}"))?;
            // What the file can show decides what may be concluded absent from it (`analysis/capture.rs`).
            session.set_capture(stats.shape);
        }
    }
    // `--fetch`: the keys the backend would use for the latest token (discovery then JWKS, or the customJwt
    // provider's jwks), fetched once the token and the path it takes are known. Only public documents.
    // `--discovery FILE`: the same checks as `--fetch` makes on the fetched document, for the OIDC path.
    if let Some((name, text)) = &discovery {
        if let Some((issuer, None)) = session.key_target() {
            let keys = cli::keys::offline_oidc(&issuer, name, text, offline_keys);
            session.set_keys(&keys.source, keys.jwks, keys.findings);
        }
    }
    if let KeysFrom::Fetch = &args.keys {
        if let Some((issuer, custom_jwks)) = session.key_target() {
            let keys = cli::keys::fetch(&issuer, custom_jwks.as_deref());
            session.set_keys(&keys.source, keys.jwks, keys.findings);
        }
    }
    Ok(session.report())
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// All of stdin, refused whole when longer than `max` bytes (never cut: a cut would be judged as a token the
/// client truncated, and could split a UTF-8 character).
fn read_stdin_limited(max: u64) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the token from stdin: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(format!("stdin is longer than {max} bytes: not judged"));
    }
    String::from_utf8(bytes).map_err(|_| "the token on stdin is not UTF-8 text".to_owned())
}

fn read_limited(path: &PathBuf, max: u64) -> Result<String, String> {
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() as u64 > max {
        return Err(format!("{} is larger than {max} bytes", path.display()));
    }
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

fn parse_args() -> Result<Args, Exit> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut command: Option<String> = None;
    let mut target: Option<String> = None;
    let mut config = None;
    let mut env = Env::new();
    let mut now = None;
    let mut format = Format::Text;
    let mut keys = KeysFrom::None;
    let mut discovery = None;
    let mut env_list: Option<String> = None;
    let mut project: Option<PathBuf> = None;
    let bad = |e: lexopt::Error| Exit::Message(e.to_string());
    while let Some(arg) = parser.next().map_err(bad)? {
        match arg {
            Short('h') | Long("help") => return Err(Exit::Help(USAGE.into())),
            Short('V') | Long("version") => {
                return Err(Exit::Help(format!(
                    "convex-auth-doctor {}\n",
                    convex_auth_doctor::VERSION
                )))
            }
            Long("config") => config = Some(PathBuf::from(parser.value().map_err(bad)?)),
            Long("env") => {
                let pair = parser.value().map_err(bad)?.string().map_err(bad)?;
                let (name, value) = pair.split_once('=').ok_or_else(|| {
                    Exit::Message(format!("--env takes NAME=VALUE, got `{pair}`"))
                })?;
                env.insert(name.to_owned(), value.to_owned());
            }
            Long("now") => {
                let v = parser.value().map_err(bad)?.string().map_err(bad)?;
                let secs: f64 = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite())
                    .ok_or_else(|| Exit::Message(format!("--now takes Unix seconds, got `{v}`")))?;
                now = Some(secs);
            }
            Long("format") => {
                let v = parser.value().map_err(bad)?.string().map_err(bad)?;
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
            Long("jwks") => keys = KeysFrom::File(PathBuf::from(parser.value().map_err(bad)?)),
            Long("fetch") => keys = KeysFrom::Fetch,
            Long("discovery") => discovery = Some(PathBuf::from(parser.value().map_err(bad)?)),
            Long("env-list") => {
                env_list = Some(parser.value().map_err(bad)?.string().map_err(bad)?)
            }
            Long("project") => project = Some(PathBuf::from(parser.value().map_err(bad)?)),
            Value(v) if command.is_none() => command = Some(v.string().map_err(bad)?),
            Value(v) if target.is_none() => target = Some(v.string().map_err(bad)?),
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
            (Some(t), None) => PathBuf::from(t),
            (None, Some(p)) => p,
            (None, None) => PathBuf::from("."),
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
