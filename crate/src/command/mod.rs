//! The command line as a pure function: arguments and a [`Host`] (file contents, stdin, the clock, fetched
//! documents) in, an [`Output`] (stdout text, stderr text, exit status) out. No I/O of its own: the native binary
//! (`main.rs`: real files, ureq) and the npm wrapper (wasm in Node: `npm/`) are hosts, so the two cannot drift.
//!
//! Exit status: 0 no `fail` finding, 1 a `fail` finding, 2 unusable input or arguments (one clear line on stderr,
//! nothing on stdout).
//!
//! `--fetch` in a host that cannot block (Node's `fetch` is asynchronous) runs in rounds: [`Run::need`] names the
//! next document the key phase is missing, the host fetches it and hands it over with [`Run::provide`], and the
//! key phase is computed again from the start with every document so far, until nothing is missing. The inputs
//! (token, HAR, config) are read once, in [`Run::start`].

mod args;
mod imports;
pub mod io;
pub mod keys;
mod project;

pub use args::USAGE;
pub use io::{Fetched, Host, HostError, Source};

use std::collections::BTreeMap;

use crate::analysis::Session;
use crate::config::parse_auth_config_with;
use crate::render;
use crate::traffic::har::read_har;
use args::{Args, Command, Format, KeysFrom};
use keys::KeyMaterial;

/// What a run of the command prints and returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// 0, 1 or 2 (see the module's comment).
    pub code: u8,
}

impl Output {
    /// Unusable input or arguments: one line on stderr (quoted input escaped as reports show text), exit 2.
    fn unusable(message: &str) -> Output {
        Output {
            stdout: String::new(),
            stderr: format!(
                "convex-auth-doctor: {}\n",
                crate::text::redact::visible(message)
            ),
            code: 2,
        }
    }
}

/// The whole command, every document fetched through `host` as it is needed (a host that answers `None` to a
/// fetch gets `jwks.unreachable`: use [`Run`] for hosts that fetch asynchronously).
pub fn run(argv: &[String], host: &mut dyn Host) -> Output {
    let mut run = match Run::start(argv, host) {
        Ok(run) => run,
        Err(out) => return out,
    };
    while let Some(url) = run.need() {
        let answer = host
            .fetch(&url)
            .unwrap_or_else(|| Err("the host fetched nothing".to_owned()));
        run.provide(&url, answer);
    }
    run.finish()
}

/// A command whose inputs are read, waiting for its key documents (if any) before it reports.
pub struct Run {
    session: Session,
    /// `check`'s report, made from the project's files in [`Run::start`] (no session, nothing to fetch).
    checked: Option<crate::report::Report>,
    format: Format,
    fetch: bool,
    /// Documents fetched so far, by URL.
    fetched: BTreeMap<String, Result<Fetched, String>>,
}

/// At most this many documents per run (discovery and JWKS: two are enough; a loop cannot run away).
const MAX_FETCHES: usize = 4;

impl Run {
    /// Parses the arguments and reads every input through `host`. `Err` is the finished output: help, version,
    /// or unusable input.
    pub fn start(argv: &[String], host: &mut dyn Host) -> Result<Run, Output> {
        let args = match args::parse(argv) {
            Ok(args) => args,
            Err(args::Exit::Help(text)) => {
                return Err(Output {
                    stdout: text,
                    stderr: String::new(),
                    code: 0,
                })
            }
            Err(args::Exit::Message(m)) => return Err(Output::unusable(&m)),
        };
        let format = args.format;
        let fetch = matches!(args.keys, KeysFrom::Fetch);
        if let Command::Check(dir) = &args.command {
            let report = project::check(host, dir, args.env_list.as_deref(), &args.env)
                .map_err(|m| Output::unusable(&m))?;
            return Ok(Run {
                session: Session::new(),
                checked: Some(report),
                format,
                fetch: false,
                fetched: BTreeMap::new(),
            });
        }
        let session = read_inputs(args, host).map_err(|m| Output::unusable(&m))?;
        Ok(Run {
            session,
            checked: None,
            format,
            fetch,
            fetched: BTreeMap::new(),
        })
    }

    /// The next document `--fetch` needs and the host has not given yet; `None` when the report can be made.
    pub fn need(&self) -> Option<String> {
        if !self.fetch || self.fetched.len() >= MAX_FETCHES {
            return None;
        }
        let (issuer, custom_jwks) = self.session.key_target()?;
        match keys::fetch(&issuer, custom_jwks.as_deref(), &mut |url| {
            self.fetched.get(url).cloned()
        }) {
            keys::Fetch::Need(url) => Some(url),
            keys::Fetch::Done(_) => None,
        }
    }

    /// A document the host fetched (or why it could not), for `url` as named by [`Run::need`].
    pub fn provide(&mut self, url: &str, answer: Result<Fetched, String>) {
        self.fetched.insert(url.to_owned(), answer);
    }

    /// The report, rendered, and the exit status.
    pub fn finish(mut self) -> Output {
        if self.fetch {
            if let Some((issuer, custom_jwks)) = self.session.key_target() {
                let fetched = &self.fetched;
                let keys = match keys::fetch(&issuer, custom_jwks.as_deref(), &mut |url| {
                    Some(
                        fetched
                            .get(url)
                            .cloned()
                            .unwrap_or_else(|| Err("not fetched (too many documents)".to_owned())),
                    )
                }) {
                    keys::Fetch::Done(keys) => keys,
                    keys::Fetch::Need(_) => KeyMaterial::default(),
                };
                self.session
                    .set_keys(&keys.source, keys.jwks, keys.findings);
            }
        }
        let report = match self.checked.take() {
            Some(report) => report,
            None => self.session.report(),
        };
        let stdout = match self.format {
            Format::Text => render::text(&report),
            Format::Markdown => render::markdown(&report),
            Format::Json => match serde_json::to_string_pretty(&report) {
                Ok(json) => json + "\n",
                Err(e) => return Output::unusable(&format!("cannot write the report: {e}")),
            },
        };
        Output {
            stdout,
            stderr: String::new(),
            code: if report.has_failure() { 1 } else { 0 },
        }
    }
}

/// Reads the token or HAR, the config and the offline key files into a session.
fn read_inputs(args: Args, host: &mut dyn Host) -> Result<Session, String> {
    let mut session = Session::new();
    // `--jwks FILE`: keys given offline, used for whatever issuer the token names.
    let offline_keys = match &args.keys {
        KeysFrom::File(path) => Some(keys::load_file(host, path)?),
        _ => None,
    };
    // `--discovery FILE`: read now (an unreadable file is unusable input), judged once the token is known.
    let discovery = match &args.discovery {
        Some(path) => Some((
            path.clone(),
            io::read_limited(host, path, keys::MAX_DOCUMENT_BYTES)?,
        )),
        None => None,
    };
    if let Some(keys) = &offline_keys {
        session.set_keys(&keys.source, keys.jwks.clone(), keys.findings.clone());
    }
    if let Some(path) = &args.config {
        let source = io::read_limited(host, path, args::MAX_CONFIG_INPUT)?;
        let imported = imports::read_imports(host, path, &source);
        let config = parse_auth_config_with(&source, &args.env, &imported)
            .map_err(|e| format!("cannot read {path}: {e}"))?;
        session.set_config(config);
    }
    match &args.command {
        // Judged in `Run::start` from the project's files.
        Command::Check(_) => {}
        Command::Token(arg) => {
            let text = if arg == "-" {
                io::read_stdin_limited(host, args::MAX_TOKEN_INPUT)?
            } else {
                arg.clone()
            };
            if text.trim().is_empty() {
                return Err("no token given".into());
            }
            // Said here, with exit 2, rather than as a finding: the tool refuses the input, nothing was judged
            // (and no client cut anything).
            let bytes = text.trim().len();
            if bytes > crate::token::MAX_INPUT_BYTES {
                return Err(format!(
                    "the token is {bytes} bytes, longer than {} bytes: not judged",
                    crate::token::MAX_INPUT_BYTES
                ));
            }
            let now = match args.now {
                Some(now) => now,
                None => host.now(),
            };
            session.add_input_token(&text, now);
        }
        Command::Har(path) => {
            if args.now.is_some() {
                return Err(
                    "--now applies to a bare token; a HAR's tokens are judged at the time they were sent".into(),
                );
            }
            let mut sink = |event| session.push(event);
            let result = if path == "-" {
                read_har(io::Reader(host.stdin()), &mut sink)
            } else {
                let file = host
                    .open(path)
                    .map_err(|e| format!("cannot open {path}: {}", e.describe()))?;
                read_har(io::Reader(file), &mut sink)
            };
            let stats = result.map_err(|e| format!("{path} is not a usable HAR file: {e}"))?;
            // What the file can show decides what may be concluded absent from it (`analysis/capture.rs`).
            session.set_capture(stats.shape);
        }
    }
    // `--discovery FILE`: the same checks as `--fetch` makes on the fetched document, for the OIDC path.
    if let Some((name, text)) = &discovery {
        if let Some((issuer, None)) = session.key_target() {
            let keys = keys::offline_oidc(&issuer, name, text, offline_keys);
            session.set_keys(&keys.source, keys.jwks, keys.findings);
        }
    }
    Ok(session)
}
