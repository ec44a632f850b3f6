//! Known discrepancies: each a class of README.md ("Known discrepancies"), matched by the stage at which the
//! backend's libraries refused (or that they accepted) and what the doctor said. A disagreement no entry explains
//! fails the test; so does an entry that no case needs any more (the engine was fixed: delete the entry and its
//! README class).

use crate::backend;
use crate::doctor;

/// How the two judges disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The worst: the doctor calls a token fine that the backend refuses.
    DoctorAcceptsRefused,
    /// The doctor refuses what the backend accepts.
    DoctorRefusesAccepted,
    /// The backend refuses; the doctor neither refuses nor confirms the signature.
    DoctorUndecidedRefused,
    /// The backend accepts; the doctor neither refuses nor confirms the signature.
    DoctorUndecidedAccepted,
}

/// `None` when the two agree.
pub fn kind(reference: &backend::Verdict, said: &doctor::Verdict) -> Option<Kind> {
    use backend::Verdict as B;
    use doctor::Verdict as D;
    match (reference, said) {
        (B::Accept, D::Accept) | (B::Refuse(_), D::Refuse(_)) => None,
        (B::Refuse(_), D::Accept) => Some(Kind::DoctorAcceptsRefused),
        (B::Accept, D::Refuse(_)) => Some(Kind::DoctorRefusesAccepted),
        (B::Refuse(_), D::Undecided(_)) => Some(Kind::DoctorUndecidedRefused),
        (B::Accept, D::Undecided(_)) => Some(Kind::DoctorUndecidedAccepted),
    }
}

/// One known class.
pub struct Known {
    /// The README class (`C1`…, `U1`…).
    pub class: &'static str,
    pub kinds: &'static [Kind],
    /// The backend's refusal starts with one of these (the reference judge's stage and the library's text);
    /// empty: whatever the backend said.
    pub backend_says: &'static [&'static str],
    /// The case applies one of these variations (`+name` in its name); empty: any case.
    pub variations: &'static [&'static str],
    /// Why it is allowed for now.
    pub reason: &'static str,
}

impl Known {
    pub fn explains(
        &self,
        case: &str,
        reference: &backend::Verdict,
        said: &doctor::Verdict,
    ) -> bool {
        if !kind(reference, said).is_some_and(|k| self.kinds.contains(&k)) {
            return false;
        }
        let applied = |v: &&str| case.split(['+', '@']).skip(1).any(|part| part == *v);
        if !self.variations.is_empty() && !self.variations.iter().any(applied) {
            return false;
        }
        match reference {
            _ if self.backend_says.is_empty() => true,
            backend::Verdict::Accept => false,
            backend::Verdict::Refuse(why) => self.backend_says.iter().any(|p| why.starts_with(p)),
        }
    }
}

/// The allow-list. Keep it short and every entry's reason true; see README.md for each class.
pub const KNOWN: &[Known] = &[
    Known {
        class: "U1",
        kinds: &[Kind::DoctorUndecidedRefused],
        backend_says: &[
            "oidc: discovery failed: Response(5",
            "oidc: discovery failed: Response(429",
            "jwks: HTTP 5",
            "jwks: HTTP 429",
        ],
        variations: &["jwks-500", "disc-429"],
        reason: "a transient answer (5xx, 429) from the identity provider: the backend refuses this attempt and \
                 the client retries (close 1013); the doctor reports `jwks.unreachable` (warn) and decides \
                 nothing, by design",
    },
];
