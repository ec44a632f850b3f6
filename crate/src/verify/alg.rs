//! JWS algorithms and the signature arithmetic for each, on RustCrypto crates (pure Rust, so the same code runs
//! natively and in wasm, deterministic, with no platform crypto to wait on).

use super::jwks::PublicKey;

/// A signature algorithm this engine can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    EdDsa,
}

/// A key's type as far as choosing an algorithm goes (`kty` plus curve).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa,
    EcP256,
    EcP384,
    OkpEd25519,
}

impl KeyType {
    pub fn kty(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::EcP256 | KeyType::EcP384 => "EC",
            KeyType::OkpEd25519 => "OKP",
        }
    }
    /// Human name with the curve ("EC P-256").
    pub fn describe(self) -> &'static str {
        match self {
            KeyType::Rsa => "RSA",
            KeyType::EcP256 => "EC P-256",
            KeyType::EcP384 => "EC P-384",
            KeyType::OkpEd25519 => "OKP Ed25519",
        }
    }
}

impl Alg {
    pub fn from_name(name: &str) -> Option<Alg> {
        Some(match name {
            "RS256" => Alg::Rs256,
            "RS384" => Alg::Rs384,
            "RS512" => Alg::Rs512,
            "PS256" => Alg::Ps256,
            "PS384" => Alg::Ps384,
            "PS512" => Alg::Ps512,
            "ES256" => Alg::Es256,
            "ES384" => Alg::Es384,
            "EdDSA" => Alg::EdDsa,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::EdDsa => "EdDSA",
        }
    }
    /// Whether this build can verify the algorithm (see the `verify-*` cargo features).
    pub fn available(self) -> bool {
        match self.key_type() {
            KeyType::Rsa => cfg!(feature = "verify-rsa"),
            KeyType::EcP256 => cfg!(feature = "verify-p256"),
            KeyType::EcP384 => cfg!(feature = "verify-p384"),
            KeyType::OkpEd25519 => cfg!(feature = "verify-ed25519"),
        }
    }
    /// The key type the algorithm needs.
    pub fn key_type(self) -> KeyType {
        match self {
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => {
                KeyType::Rsa
            }
            Alg::Es256 => KeyType::EcP256,
            Alg::Es384 => KeyType::EcP384,
            Alg::EdDsa => KeyType::OkpEd25519,
        }
    }
}

/// Why a signature did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigError {
    /// The key's type does not fit the algorithm (an RSA key for ES256…).
    KeyTypeMismatch,
    /// The signature has the wrong length or encoding for the algorithm (e.g. a DER ECDSA signature).
    Malformed,
    /// Well-formed, and does not verify with this key.
    Mismatch,
}

/// Verifies `signature` (raw bytes, as JWS encodes them) over `signing_input` with `key`.
#[allow(unreachable_patterns, unused_variables)] // with every `verify-*` feature off no arm but the last remains
pub fn verify(
    alg: Alg,
    key: &PublicKey,
    signing_input: &[u8],
    signature: &[u8],
) -> Result<(), SigError> {
    match (alg, key) {
        #[cfg(feature = "verify-rsa")]
        (
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 | Alg::Ps384 | Alg::Ps512,
            PublicKey::Rsa(k),
        ) => {
            use super::rsa_verify::Hash;
            // RSA signatures are exactly the modulus length (RFC 7518 §3.3); anything else never verifies.
            if signature.len() != k.size() {
                return Err(SigError::Malformed);
            }
            let ok = match alg {
                Alg::Rs256 => k.verify_pkcs1v15(Hash::Sha256, signing_input, signature),
                Alg::Rs384 => k.verify_pkcs1v15(Hash::Sha384, signing_input, signature),
                Alg::Rs512 => k.verify_pkcs1v15(Hash::Sha512, signing_input, signature),
                // JWS PSS: MGF1 with the same hash, salt as long as the hash (RFC 7518 §3.5).
                Alg::Ps256 => k.verify_pss(Hash::Sha256, signing_input, signature),
                Alg::Ps384 => k.verify_pss(Hash::Sha384, signing_input, signature),
                _ => k.verify_pss(Hash::Sha512, signing_input, signature),
            };
            if ok {
                Ok(())
            } else {
                Err(SigError::Mismatch)
            }
        }
        #[cfg(feature = "verify-p256")]
        (Alg::Es256, PublicKey::P256(k)) => {
            use p256::ecdsa::signature::Verifier;
            let sig =
                p256::ecdsa::Signature::from_slice(signature).map_err(|_| SigError::Malformed)?;
            k.verify(signing_input, &sig)
                .map_err(|_| SigError::Mismatch)
        }
        #[cfg(feature = "verify-p384")]
        (Alg::Es384, PublicKey::P384(k)) => {
            use p384::ecdsa::signature::Verifier;
            let sig =
                p384::ecdsa::Signature::from_slice(signature).map_err(|_| SigError::Malformed)?;
            k.verify(signing_input, &sig)
                .map_err(|_| SigError::Mismatch)
        }
        #[cfg(feature = "verify-ed25519")]
        (Alg::EdDsa, PublicKey::Ed25519(k)) => {
            use ed25519_dalek::Verifier;
            let sig =
                ed25519_dalek::Signature::from_slice(signature).map_err(|_| SigError::Malformed)?;
            k.verify(signing_input, &sig)
                .map_err(|_| SigError::Mismatch)
        }
        _ => Err(SigError::KeyTypeMismatch),
    }
}
