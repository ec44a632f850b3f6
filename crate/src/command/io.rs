//! What the command asks of its host, and the bounded reads it makes through it. The host does the I/O; the
//! wording of every failure is made here, so that both hosts print the same line.

/// Why the host could not open or read something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// The OS error number (`ENOENT` = 2, …), when there is one: worded here, the same on every host.
    pub errno: Option<i32>,
    /// The host's own wording, used when the number is not one of [`os_text`]'s.
    pub text: String,
}

impl HostError {
    /// As Rust's `std::io::Error` shows an OS error: `No such file or directory (os error 2)`.
    pub fn describe(&self) -> String {
        match self.errno.and_then(|n| os_text(n).map(|t| (n, t))) {
            Some((n, text)) => format!("{text} (os error {n})"),
            None => self.text.clone(),
        }
    }
}

/// The usual OS errors of opening and reading files and pipes, worded as Linux's `strerror` words them.
fn os_text(errno: i32) -> Option<&'static str> {
    Some(match errno {
        1 => "Operation not permitted",
        2 => "No such file or directory",
        5 => "Input/output error",
        6 => "No such device or address",
        9 => "Bad file descriptor",
        12 => "Cannot allocate memory",
        13 => "Permission denied",
        20 => "Not a directory",
        21 => "Is a directory",
        22 => "Invalid argument",
        23 => "Too many open files in system",
        24 => "Too many open files",
        27 => "File too large",
        32 => "Broken pipe",
        36 => "File name too long",
        40 => "Too many levels of symbolic links",
        _ => return None,
    })
}

/// A document the host fetched for `--fetch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// Something read in chunks: a file, stdin.
pub trait Source {
    /// Fills the start of `buf`; 0 at the end.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError>;
}

/// What the command needs from the world. Paths are passed as the user wrote them.
pub trait Host {
    /// Opens a file for reading.
    fn open(&mut self, path: &str) -> Result<Box<dyn Source + '_>, HostError>;
    /// Standard input.
    fn stdin(&mut self) -> Box<dyn Source + '_>;
    /// The current time, in Unix seconds.
    fn now(&mut self) -> f64;
    /// The path with every symbolic link and `.`/`..` resolved, absolute; `None` when it does not exist.
    fn real_path(&mut self, path: &str) -> Option<String>;
    /// Whether `path` names a regular file.
    fn is_file(&mut self, path: &str) -> bool;
    /// One public document (GET, `Accept: application/json`, bounded): `None` when the host has not got it yet.
    fn fetch(&mut self, url: &str) -> Option<Result<Fetched, String>>;
}

/// A [`Source`] as `std::io::Read` (for the HAR reader); errors keep the wording of [`HostError::describe`].
pub struct Reader<'a>(pub Box<dyn Source + 'a>);

impl std::io::Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0
            .read(buf)
            .map_err(|e| std::io::Error::other(e.describe()))
    }
}

/// Reads all of `source`, refused whole when longer than `max` bytes.
fn read_all(source: &mut dyn Source, max: u64) -> Result<Option<Vec<u8>>, HostError> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = source.read(&mut chunk)?;
        if n == 0 {
            return Ok(Some(bytes));
        }
        bytes.extend_from_slice(&chunk[..n.min(chunk.len())]);
        if bytes.len() as u64 > max {
            return Ok(None);
        }
    }
}

/// Why a file was not read.
pub enum Unread {
    Open(HostError),
    Read(HostError),
    TooLarge(u64),
    NotUtf8,
}

impl Unread {
    /// The reason, with `subject` naming the file (`x.ts`, or `it` where the caller names it already).
    pub fn say(&self, subject: &str) -> String {
        match self {
            Unread::Open(e) => format!("cannot open {subject}: {}", e.describe()),
            Unread::Read(e) => format!("cannot read {subject}: {}", e.describe()),
            Unread::TooLarge(max) => format!("{subject} is larger than {max} bytes"),
            Unread::NotUtf8 => format!("{subject} is not UTF-8 text"),
        }
    }
}

/// The file at `path` as text, refused when longer than `max` bytes or not UTF-8.
pub fn read_text(host: &mut dyn Host, path: &str, max: u64) -> Result<String, Unread> {
    let mut file = host.open(path).map_err(Unread::Open)?;
    let bytes = read_all(file.as_mut(), max)
        .map_err(Unread::Read)?
        .ok_or(Unread::TooLarge(max))?;
    String::from_utf8(bytes).map_err(|_| Unread::NotUtf8)
}

/// [`read_text`], its failure worded with the path.
pub fn read_limited(host: &mut dyn Host, path: &str, max: u64) -> Result<String, String> {
    read_text(host, path, max).map_err(|e| e.say(path))
}

/// All of stdin, refused whole when longer than `max` bytes (never cut: a cut would be judged as a token the
/// client truncated, and could split a UTF-8 character).
pub fn read_stdin_limited(host: &mut dyn Host, max: u64) -> Result<String, String> {
    let mut stdin = host.stdin();
    let bytes = read_all(stdin.as_mut(), max)
        .map_err(|e| format!("cannot read the token from stdin: {}", e.describe()))?
        .ok_or_else(|| format!("stdin is longer than {max} bytes: not judged"))?;
    String::from_utf8(bytes).map_err(|_| "the token on stdin is not UTF-8 text".to_owned())
}
