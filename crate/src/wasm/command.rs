//! The command line in wasm, for the npm wrapper (`npm/convex-auth-doctor/`): the same pure command the native
//! binary runs ([`crate::command`]), with Node as the host. Node's file calls are synchronous (`fs.readSync`), so
//! files and stdin are read in chunks as the native binary reads them (a HAR of any size, the same budget);
//! `--fetch` is asynchronous in Node, so it runs in rounds ([`CliRun::need`] / [`CliRun::provide`]).

use crate::command::{self, Fetched, Host, HostError, Output, Run, Source};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The wrapper's host object (`npm/convex-auth-doctor/lib/host.cjs`). Handles are file descriptors; 0 is
    /// stdin. A call that fails returns -1 and leaves its reason in `lastErrno` / `lastErrorText`.
    pub type CliHost;
    #[wasm_bindgen(method)]
    fn open(this: &CliHost, path: &str) -> i32;
    #[wasm_bindgen(method)]
    fn read(this: &CliHost, handle: i32, buf: &mut [u8]) -> i32;
    #[wasm_bindgen(method)]
    fn close(this: &CliHost, handle: i32);
    #[wasm_bindgen(method, js_name = lastErrno)]
    fn last_errno(this: &CliHost) -> i32;
    #[wasm_bindgen(method, js_name = lastErrorText)]
    fn last_error_text(this: &CliHost) -> String;
    #[wasm_bindgen(method)]
    fn now(this: &CliHost) -> f64;
    #[wasm_bindgen(method, js_name = realPath)]
    fn real_path(this: &CliHost, path: &str) -> Option<String>;
    #[wasm_bindgen(method, js_name = isFile)]
    fn is_file(this: &CliHost, path: &str) -> bool;
}

impl CliHost {
    fn error(&self) -> HostError {
        let errno = self.last_errno();
        HostError {
            errno: (errno > 0).then_some(errno),
            text: self.last_error_text(),
        }
    }
}

/// One open handle of the JS host.
struct Handle<'a> {
    host: &'a CliHost,
    fd: i32,
}

impl Source for Handle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        match self.host.read(self.fd, buf) {
            n if n >= 0 => Ok((n as usize).min(buf.len())),
            _ => Err(self.host.error()),
        }
    }
}

impl Drop for Handle<'_> {
    fn drop(&mut self) {
        if self.fd != 0 {
            self.host.close(self.fd);
        }
    }
}

impl Host for &CliHost {
    fn open(&mut self, path: &str) -> Result<Box<dyn Source + '_>, HostError> {
        match CliHost::open(self, path) {
            fd if fd > 0 => Ok(Box::new(Handle { host: self, fd })),
            _ => Err(self.error()),
        }
    }

    fn stdin(&mut self) -> Box<dyn Source + '_> {
        Box::new(Handle { host: self, fd: 0 })
    }

    fn now(&mut self) -> f64 {
        CliHost::now(self)
    }

    fn real_path(&mut self, path: &str) -> Option<String> {
        CliHost::real_path(self, path)
    }

    fn is_file(&mut self, path: &str) -> bool {
        CliHost::is_file(self, path)
    }

    /// Documents come through [`CliRun::provide`], never from here.
    fn fetch(&mut self, _url: &str) -> Option<Result<Fetched, String>> {
        None
    }
}

/// One run of the command: started with the arguments, then (for `--fetch`) fed the documents it names, then
/// finished.
#[wasm_bindgen]
pub struct CliRun {
    run: Option<Run>,
    done: Option<Output>,
}

#[wasm_bindgen]
impl CliRun {
    /// Parses `args_json` (a JSON array of the arguments after the command name) and reads every input through
    /// `host`.
    #[wasm_bindgen(constructor)]
    pub fn new(args_json: &str, host: &CliHost) -> CliRun {
        let args: Vec<String> = match serde_json::from_str::<serde_json::Value>(args_json) {
            Ok(serde_json::Value::Array(values)) => values
                .into_iter()
                .map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
            _ => Vec::new(),
        };
        match Run::start(&args, &mut &*host) {
            Ok(run) => CliRun {
                run: Some(run),
                done: None,
            },
            Err(out) => CliRun {
                run: None,
                done: Some(out),
            },
        }
    }

    /// The next document `--fetch` needs (a URL to GET with `Accept: application/json`), or `undefined`.
    pub fn need(&self) -> Option<String> {
        self.run.as_ref()?.need()
    }

    /// The answer to a GET of `url`: its status, `Content-Type` (empty when none) and body.
    pub fn provide(&mut self, url: &str, status: u16, content_type: &str, body: String) {
        if let Some(run) = &mut self.run {
            let content_type = (!content_type.is_empty()).then(|| content_type.to_owned());
            run.provide(
                url,
                Ok(Fetched {
                    status,
                    content_type,
                    body,
                }),
            );
        }
    }

    /// A GET of `url` that got no answer (network error, timeout, body too large), with why.
    #[wasm_bindgen(js_name = provideError)]
    pub fn provide_error(&mut self, url: &str, error: String) {
        if let Some(run) = &mut self.run {
            run.provide(url, Err(error));
        }
    }

    /// Finishes the run: `{"stdout", "stderr", "code"}` as JSON text.
    pub fn finish(&mut self) -> String {
        let out = match (self.done.take(), self.run.take()) {
            (Some(out), _) => out,
            (None, Some(run)) => run.finish(),
            (None, None) => Output {
                stdout: String::new(),
                stderr: "convex-auth-doctor: the run was already finished\n".into(),
                code: 2,
            },
        };
        serde_json::json!({ "stdout": out.stdout, "stderr": out.stderr, "code": out.code })
            .to_string()
    }
}

/// The largest document `--fetch` reads, in bytes (the wrapper stops reading a response there).
#[wasm_bindgen(js_name = maxDocumentBytes)]
pub fn max_document_bytes() -> u32 {
    command::keys::MAX_DOCUMENT_BYTES as u32
}
