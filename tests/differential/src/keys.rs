//! The committed test keys (`keys/*.pem`, made with `openssl genpkey` for this test only: never real
//! credentials), signing with them, and their public halves as JWKs.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use serde_json::{json, Map, Value};

/// A key family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Rsa,
    P256,
    Ed25519,
    /// A shared secret (HS256): only for tokens the backend must refuse.
    Hmac,
}

enum Secret {
    Rsa(RsaKeyPair),
    /// An RSA key ring will not load (under 2048 bits): signed with the `rsa` crate.
    SmallRsa(Box<rsa::RsaPrivateKey>),
    P256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
    Hmac(Vec<u8>),
}

/// One test key.
pub struct TestKey {
    pub name: &'static str,
    pub family: Family,
    secret: Secret,
}

/// The keys by name: `rsa-a`, `rsa-b`, `rsa1024`, `p256-a`, `p256-b`, `ed25519-a`, `ed25519-b`, `hmac`.
pub struct Keys {
    keys: Vec<TestKey>,
}

fn pkcs8_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat();
    STANDARD
        .decode(body)
        .expect("a committed PEM key is base64")
}

impl Keys {
    pub fn load() -> Keys {
        let rsa =
            |pem: &str| Secret::Rsa(RsaKeyPair::from_pkcs8(&pkcs8_der(pem)).expect("RSA key"));
        let p256 = |pem: &str| {
            Secret::P256(
                EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &pkcs8_der(pem),
                    &SystemRandom::new(),
                )
                .expect("P-256 key"),
            )
        };
        // openssl writes PKCS#8 v1 (no public key) for Ed25519; ring then derives the public key itself.
        let ed = |pem: &str| {
            Secret::Ed25519(
                Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pkcs8_der(pem)).expect("Ed25519 key"),
            )
        };
        let key = |name, family, secret| TestKey {
            name,
            family,
            secret,
        };
        Keys {
            keys: vec![
                key("rsa-a", Family::Rsa, rsa(include_str!("../keys/rsa-a.pem"))),
                key("rsa-b", Family::Rsa, rsa(include_str!("../keys/rsa-b.pem"))),
                key(
                    "rsa1024",
                    Family::Rsa,
                    Secret::SmallRsa(Box::new(
                        rsa::pkcs8::DecodePrivateKey::from_pkcs8_der(&pkcs8_der(include_str!(
                            "../keys/rsa1024.pem"
                        )))
                        .expect("1024-bit RSA key"),
                    )),
                ),
                key(
                    "p256-a",
                    Family::P256,
                    p256(include_str!("../keys/p256-a.pem")),
                ),
                key(
                    "p256-b",
                    Family::P256,
                    p256(include_str!("../keys/p256-b.pem")),
                ),
                key(
                    "ed25519-a",
                    Family::Ed25519,
                    ed(include_str!("../keys/ed25519-a.pem")),
                ),
                key(
                    "ed25519-b",
                    Family::Ed25519,
                    ed(include_str!("../keys/ed25519-b.pem")),
                ),
                key(
                    "hmac",
                    Family::Hmac,
                    Secret::Hmac(b"differential-test-shared-secret-0123456789".to_vec()),
                ),
            ],
        }
    }

    pub fn get(&self, name: &str) -> &TestKey {
        self.keys
            .iter()
            .find(|k| k.name == name)
            .unwrap_or_else(|| panic!("no test key {name}"))
    }
}

impl TestKey {
    /// Signs `msg` as `alg` says, if this key can (an RSA key signs RS*/PS*, a P-256 key ES256, an Ed25519 key
    /// EdDSA, the secret HS256). `None` when the pair does not fit: the caller then signs with the key's natural
    /// algorithm, which makes a token whose header lies about its algorithm.
    pub fn sign(&self, alg: &str, msg: &[u8]) -> Option<Vec<u8>> {
        let rng = SystemRandom::new();
        match (&self.secret, alg) {
            (Secret::Rsa(k), "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512") => {
                let padding: &dyn signature::RsaEncoding = match alg {
                    "RS256" => &signature::RSA_PKCS1_SHA256,
                    "RS384" => &signature::RSA_PKCS1_SHA384,
                    "RS512" => &signature::RSA_PKCS1_SHA512,
                    "PS256" => &signature::RSA_PSS_SHA256,
                    "PS384" => &signature::RSA_PSS_SHA384,
                    _ => &signature::RSA_PSS_SHA512,
                };
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(padding, &rng, msg, &mut out).ok()?;
                Some(out)
            }
            (Secret::SmallRsa(k), "RS256") => {
                use sha2::Digest;
                let digest = sha2::Sha256::digest(msg);
                k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                    .ok()
            }
            (Secret::P256(k), "ES256") => Some(k.sign(&rng, msg).ok()?.as_ref().to_vec()),
            (Secret::Ed25519(k), "EdDSA") => Some(k.sign(msg).as_ref().to_vec()),
            (Secret::Hmac(s), "HS256") => {
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, s);
                Some(ring::hmac::sign(&key, msg).as_ref().to_vec())
            }
            _ => None,
        }
    }

    /// The algorithm this key signs with when the header's does not fit it.
    pub fn natural_alg(&self) -> &'static str {
        match self.family {
            Family::Rsa => "RS256",
            Family::P256 => "ES256",
            Family::Ed25519 => "EdDSA",
            Family::Hmac => "HS256",
        }
    }

    /// The public key as a JWK, with `kid` and `alg` when given and `"use": "sig"`.
    pub fn jwk(&self, kid: Option<&str>, alg: Option<&str>) -> Value {
        let b64 = |b: &[u8]| Value::String(URL_SAFE_NO_PAD.encode(b));
        let mut o: Map<String, Value> = match &self.secret {
            Secret::Rsa(k) => {
                let c = signature::RsaPublicKeyComponents::<Vec<u8>>::from(k.public());
                json!({"kty": "RSA", "n": b64(&c.n), "e": b64(&c.e)})
            }
            Secret::SmallRsa(k) => {
                use rsa::traits::PublicKeyParts;
                json!({"kty": "RSA", "n": b64(&k.n().to_bytes_be()), "e": b64(&k.e().to_bytes_be())})
            }
            Secret::P256(k) => {
                // The uncompressed point: 0x04 || x || y.
                let p = k.public_key().as_ref();
                json!({"kty": "EC", "crv": "P-256", "x": b64(&p[1..33]), "y": b64(&p[33..65])})
            }
            Secret::Ed25519(k) => {
                json!({"kty": "OKP", "crv": "Ed25519", "x": b64(k.public_key().as_ref())})
            }
            Secret::Hmac(s) => json!({"kty": "oct", "k": b64(s)}),
        }
        .as_object()
        .cloned()
        .unwrap_or_default();
        o.insert("use".into(), "sig".into());
        if let Some(kid) = kid {
            o.insert("kid".into(), kid.into());
        }
        if let Some(alg) = alg {
            o.insert("alg".into(), alg.into());
        }
        Value::Object(o)
    }
}
