//! `convex-auth-doctor`: the command-line front end. A thin shell over the pure command
//! (`convex_auth_doctor::command`): it hands over the arguments and a host made of the real file system, stdin,
//! the clock and blocking HTTPS (`cli::fetch`), and prints what the command returns. The npm wrapper (`npm/`) runs
//! the same command in wasm with Node as the host.

use std::io::{Read, Write};
use std::process::ExitCode;

use convex_auth_doctor::command::{self, Fetched, Host, HostError, Source};

mod cli;

fn main() -> ExitCode {
    let args: Vec<String> = match std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
    {
        Ok(args) => args,
        Err(a) => {
            eprintln!(
                "convex-auth-doctor: argument {} is not valid unicode",
                a.to_string_lossy()
            );
            return ExitCode::from(2);
        }
    };
    let out = command::run(&args, &mut NativeHost);
    // A closed pipe (`| head`) is not an error of the doctor's: what could be written was.
    let _ = std::io::stdout().lock().write_all(out.stdout.as_bytes());
    let _ = std::io::stderr().lock().write_all(out.stderr.as_bytes());
    ExitCode::from(out.code)
}

/// The real world.
struct NativeHost;

impl Host for NativeHost {
    fn open(&mut self, path: &str) -> Result<Box<dyn Source + '_>, HostError> {
        let file = std::fs::File::open(path).map_err(host_error)?;
        Ok(Box::new(Reading(file)))
    }

    fn stdin(&mut self) -> Box<dyn Source + '_> {
        Box::new(Reading(std::io::stdin().lock()))
    }

    fn now(&mut self) -> f64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }

    fn real_path(&mut self, path: &str) -> Option<String> {
        let real = std::fs::canonicalize(path).ok()?;
        real.into_os_string().into_string().ok()
    }

    fn is_file(&mut self, path: &str) -> bool {
        std::path::Path::new(path).is_file()
    }

    fn fetch(&mut self, url: &str) -> Option<Result<Fetched, String>> {
        Some(cli::fetch::get(url))
    }
}

/// Anything `Read` as the command's [`Source`].
struct Reading<R>(R);

impl<R: Read> Source for Reading<R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        loop {
            match self.0.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => return other.map_err(host_error),
            }
        }
    }
}

fn host_error(e: std::io::Error) -> HostError {
    HostError {
        errno: e.raw_os_error(),
        text: e.to_string(),
    }
}
