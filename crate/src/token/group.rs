//! Tokens a person reads as one: the same identity fetched again (a refresh, the client's retry after a refusal)
//! differs only in the per-token ids and times the issuer sets afresh for every token. Shown as one group, the
//! latest expanded, instead of a page of near-identical tables.

use serde_json::{Map, Value};

/// Claims an issuer sets afresh in every token of the same identity: ids (`jti`, `nonce`, the session id `sid`,
/// Azure's `uti`/`rh`, the OIDC hashes) and times. Any other difference (header, `iss`, `sub`, `aud`, `azp`, custom
/// claims) makes two tokens different.
const PER_TOKEN: &[&str] = &[
    "jti",
    "nonce",
    "sid",
    "uti",
    "rh",
    "at_hash",
    "c_hash",
    "s_hash",
    "iat",
    "nbf",
    "exp",
    "auth_time",
    "updated_at",
];

/// A token's parts as the grouping reads them.
pub type Parts<'a> = (&'a Map<String, Value>, &'a Map<String, Value>);

/// Do `a` and `b` differ only in per-token ids and times (headers equal, every other claim equal)?
pub fn same_but_per_token(a: Parts<'_>, b: Parts<'_>) -> bool {
    a.0 == b.0 && lasting(a.1).eq(lasting(b.1))
}

/// A payload's claims other than the per-token ones, in order.
fn lasting(m: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    m.iter().filter(|(k, _)| !PER_TOKEN.contains(&k.as_str()))
}

/// Groups of token indices, each oldest first; groups ordered by their latest member, so the group of the last
/// token comes last. O(tokens × groups): the evidence keeps a bounded number of tokens.
pub fn group(tokens: &[Parts<'_>]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let home = groups.iter_mut().find(|g| {
            g.first()
                .and_then(|&first| tokens.get(first))
                .is_some_and(|f| same_but_per_token(*f, *t))
        });
        match home {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups.sort_by_key(|g| g.last().copied());
    groups
}

/// The claims whose values differ among `members`, in the order of the latest member's payload (then any that
/// only older members carry).
pub fn varying(tokens: &[Parts<'_>], members: &[usize]) -> Vec<String> {
    let payloads: Vec<&Map<String, Value>> = members
        .iter()
        .filter_map(|&i| tokens.get(i))
        .map(|t| t.1)
        .collect();
    let mut names: Vec<&String> = Vec::new();
    for p in payloads.iter().rev() {
        for k in p.keys() {
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    names
        .into_iter()
        .filter(|k| {
            let first = payloads.first().and_then(|p| p.get(*k));
            payloads.iter().any(|p| p.get(*k) != first)
        })
        .cloned()
        .collect()
}
