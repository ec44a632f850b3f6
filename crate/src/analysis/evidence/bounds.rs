//! What keeps per-host and per-socket memory bounded whatever the capture holds: distinct deployments named up
//! to a cap and counted past it, and long socket ids shortened to a prefix and a hash.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::cut;

/// Deployments named in the report; more distinct ones are only counted ("and N more").
const MAX_DEPLOYMENTS: usize = 16;
/// Distinct deployments counted past the named ones (by a 64-bit hash); past this, "more than N".
const MAX_DEPLOYMENTS_COUNTED: usize = 65_536;
/// Slots of the open-addressing table that counts them: twice the count, so probes stay short (1 MiB).
const SLOTS: usize = 2 * MAX_DEPLOYMENTS_COUNTED;
/// Longest deployment (`https://host:port`) or socket URL kept; host names are at most 253 bytes.
pub(super) const MAX_URL_LEN: usize = 300;
/// A socket id longer than this is kept as its first bytes and a hash of the whole (ids are `ws1` from the
/// panel, `<url> <startedDateTime>` from a HAR).
const MAX_SOCKET_ID_LEN: usize = 400;

/// The distinct deployments the app talked to, bounded: the first [`MAX_DEPLOYMENTS`] by name (cut to
/// [`MAX_URL_LEN`]), the others counted by hash up to [`MAX_DEPLOYMENTS_COUNTED`] (a 1 MiB table, made when
/// the 17th appears). A million sockets on a million hosts cost about a megabyte, and the report names 16 and
/// says how many more.
#[derive(Debug, Default)]
pub struct Deployments {
    named: BTreeSet<String>,
    others: HashCount,
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
        } else if !self.others.insert(hash_of(deployment)) {
            self.overflow = true;
        }
    }

    /// Whether the app talked to this deployment (named, or only counted by hash).
    pub fn contains(&self, deployment: &str) -> bool {
        self.named.contains(&*cut(deployment, MAX_URL_LEN))
            || self.others.contains(hash_of(deployment))
    }

    /// How many distinct deployments (named and counted).
    pub fn len(&self) -> usize {
        self.named.len() + self.others.count
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
        match (self.others.count, self.overflow) {
            (0, _) => {}
            (n, false) => list.push(format!("and {n} more")),
            (n, true) => list.push(format!("and more than {n} more")),
        }
        list
    }
}

/// A set of 64-bit hashes that only counts (open addressing, linear probing; 0 marks an empty slot): a
/// `BTreeSet<u64>` would do, at a few KB more of wasm for its own copy of the B-tree code.
#[derive(Debug, Default)]
struct HashCount {
    slots: Vec<u64>,
    count: usize,
}

impl HashCount {
    /// Whether the hash was inserted.
    fn contains(&self, hash: u64) -> bool {
        let hash = hash.max(1);
        if self.slots.is_empty() {
            return false;
        }
        let mut i = (hash % SLOTS as u64) as usize;
        loop {
            match self.slots[i] {
                0 => return false,
                h if h == hash => return true,
                _ => i = (i + 1) % SLOTS,
            }
        }
    }

    /// Adds a hash; `false` when it is new but the set is full.
    fn insert(&mut self, hash: u64) -> bool {
        let hash = hash.max(1);
        if self.slots.is_empty() {
            self.slots = vec![0; SLOTS];
        }
        let mut i = (hash % SLOTS as u64) as usize;
        loop {
            match self.slots[i] {
                0 if self.count >= MAX_DEPLOYMENTS_COUNTED => return false,
                0 => {
                    self.slots[i] = hash;
                    self.count += 1;
                    return true;
                }
                h if h == hash => return true,
                _ => i = (i + 1) % SLOTS,
            }
        }
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
