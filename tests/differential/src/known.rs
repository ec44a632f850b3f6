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
        class: "C1",
        kinds: &[Kind::DoctorAcceptsRefused],
        backend_says: &["oidc: not an ID token: Failed to parse header JSON"],
        variations: &["kid-number"],
        reason: "OIDC header with a non-string `kid`: openidconnect cannot parse the header; the doctor treats \
                 the kid as absent (reported to the engine helper in /work/notes/diff-discrepancies.md)",
    },
    Known {
        class: "C2",
        kinds: &[Kind::DoctorAcceptsRefused],
        backend_says: &["route: payload does not parse"],
        variations: &["jti-number"],
        reason: "`jti` not a string: biscuit's routing parse refuses the payload on every path; the doctor does \
                 not check `jti`'s type",
    },
    Known {
        class: "C3",
        kinds: &[Kind::DoctorAcceptsRefused],
        backend_says: &["oidc: discovery failed: Response(200"],
        variations: &["disc-content-type-html"],
        reason: "discovery document with a Content-Type other than application/json: openidconnect refuses it; \
                 the doctor reads the body only",
    },
    Known {
        class: "C4",
        kinds: &[Kind::DoctorAcceptsRefused],
        backend_says: &["custom: validated within the 5 s leeway, then expired at once"],
        variations: &["exp-now", "exp-minus-1", "exp-minus-4", "exp-minus-5", "exp-fraction-near-now", "exp-fraction-just-before"],
        reason: "customJwt token past `exp` within biscuit's 5 s leeway: validated, then refused at once as \
                 expired; the doctor only warns",
    },
    Known {
        class: "C5",
        kinds: &[Kind::DoctorAcceptsRefused],
        backend_says: &[
            "oidc: fork: AWS-LC refuses",
            "custom: decode_with_jwks: Invalid signature",
        ],
        variations: &["key-rsa-1024"],
        reason: "an RSA key under 2048 bits: the backend verifies RSA with AWS-LC (OIDC) and ring (customJwt), \
                 both 2048-8192 bits only; the doctor accepts moduli from 1024 bits",
    },
    Known {
        class: "U1",
        kinds: &[Kind::DoctorUndecidedRefused],
        backend_says: &[
            "oidc: discovery failed",
            "jwks: HTTP",
            "jwks: Content-Type",
            "jwks: biscuit cannot parse the set",
        ],
        variations: &["jwks-not-json", "jwks-empty-object", "jwks-content-type-text", "jwks-content-type-absent", "jwks-404", "jwks-500", "disc-jwks_uri-missing", "disc-404", "disc-429", "disc-not-json", "prov-as-oidc"],
        reason: "the identity provider answers an error status, a non-JSON body, a set without `keys` or a \
                 wrong Content-Type: the doctor says `jwks.unreachable` (warn) instead of refusing",
    },
    Known {
        class: "U2",
        kinds: &[Kind::DoctorUndecidedAccepted, Kind::DoctorUndecidedRefused],
        backend_says: &[],
        variations: &["jwks-content-type-absent"],
        reason: "OIDC JWKS without a Content-Type: openidconnect accepts it, the doctor applies the customJwt \
                 rule and does not check the signature (whatever else the token has)",
    },
];
