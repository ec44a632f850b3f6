//! What keeps per-host and per-socket memory bounded whatever the capture holds: distinct deployments named up
//! to a cap and counted past it, and long socket ids shortened to a prefix and a hash.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::cut;

/// Deployments named in the report; more distinct ones are only counted ("and N more").
const MAX_DEPLOYMENTS: usize = 16;
/// Distinct deployments counted past the named ones (by a 64-bit hash); past this, "more than N".
const MAX_DEPLOYMENTS_COUNTED: usize = 65_536;
/// Longest deployment (`https://host:port`) or socket URL kept; host names are at most 253 bytes.
pub(super) const MAX_URL_LEN: usize = 300;
/// A socket id longer than this is kept as its first bytes and a hash of the whole (ids are `ws1` from the
/// panel, `<url> <startedDateTime>` from a HAR).
const MAX_SOCKET_ID_LEN: usize = 400;

/// The distinct deployments the app talked to, bounded: the first [`MAX_DEPLOYMENTS`] by name (cut to
/// [`MAX_URL_LEN`]), the others counted by hash up to [`MAX_DEPLOYMENTS_COUNTED`] (at most ~1 MiB). A million
/// sockets on a million hosts cost about a megabyte, and the report names 16 and says how many more.
#[derive(Debug, Default)]
pub struct Deployments {
    named: BTreeSet<String>,
    others: BTreeSet<u64>,
    /// More distinct deployments than [`MAX_DEPLOYMENTS_COUNTED`] were not named.
    overflow: bool,
}

impl Deployments {
    pub fn insert(&mut self, deployment: &str) {
        let name = cut(deployment, MAX_URL_LEN);
        if self.named.contains(&name) {
            return;
        }
        if self.named.len() < MAX_DEPLOYMENTS {
            self.named.insert(name);
        } else if self.others.len() < MAX_DEPLOYMENTS_COUNTED {
            self.others.insert(hash_of(deployment));
        } else if !self.others.contains(&hash_of(deployment)) {
            self.overflow = true;
        }
    }

    /// How many distinct deployments (named and counted).
    pub fn len(&self) -> usize {
        self.named.len() + self.others.len()
    }

    pub fn is_empty(&self) -> bool {
        self.named.is_empty()
    }

    /// The named deployments, in order.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.named.iter()
    }

    /// The named deployments, then `and N more` when some were only counted.
    pub fn shown(&self) -> Vec<String> {
        let mut list: Vec<String> = self.named.iter().cloned().collect();
        match (self.others.len(), self.overflow) {
            (0, _) => {}
            (n, false) => list.push(format!("and {n} more")),
            (n, true) => list.push(format!("and more than {n} more")),
        }
        list
    }
}

/// A 64-bit hash (FNV-1a), the same in every run and in wasm; for counting distinct texts, not for security.
fn hash_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The key a socket is kept under: its id, or for a very long id its first bytes and a hash of the whole.
pub(super) fn socket_key(socket: &str) -> Cow<'_, str> {
    if socket.len() <= MAX_SOCKET_ID_LEN {
        return Cow::Borrowed(socket);
    }
    let head = cut(socket, MAX_SOCKET_ID_LEN - 20);
    Cow::Owned(format!("{head}#{:016x}", hash_of(socket)))
}
