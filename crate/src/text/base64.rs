//! The one base64 decoder: JWT parts, JWK members, signatures, `data:` URIs, HAR bodies and the sync protocol's
//! `ts` all go through [`Base64::decode`], each with the rules its source is read by.
//!
//! Hand-written rather than the `base64` crate, whose engine was about 5 KB of the wasm module for these few
//! lines. The rules are the crate's (0.22), so that each caller kept the answers it had when it used the crate;
//! `decodes_like_the_base64_crate` below holds every configuration to it.

/// Which two characters stand for 62 and 63.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alphabet {
    /// `-` `_`: base64url, as JWTs and JWKs write it.
    Url,
    /// `+` `/`.
    Standard,
}

/// What `=` padding is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Padding {
    /// `=` is not part of the text.
    Refused,
    /// Padded or not; padding, where present, must end the text and fit its last group.
    Optional,
    /// Exactly the padding that completes the last group of four.
    Required,
}

/// One way of reading base64.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Base64 {
    pub alphabet: Alphabet,
    pub padding: Padding,
    /// Whether the bits after the last whole byte may be set (a non-canonical last character).
    pub trailing_bits: bool,
}

/// Why a text is not base64 of the expected kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base64Error {
    /// A byte outside the alphabet (or an `=` that cannot be padding) at this offset.
    Character(usize),
    /// One character too many (or too few) for whole bytes.
    Length,
    /// Padding missing or where it may not be.
    Padding,
    /// The last character carries set bits that no byte holds.
    TrailingBits,
}

impl std::fmt::Display for Base64Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Character(at) => write!(f, "an unexpected character at offset {at}"),
            Self::Length => f.write_str("an impossible length"),
            Self::Padding => f.write_str("wrong padding"),
            Self::TrailingBits => f.write_str("set bits after the last byte"),
        }
    }
}

impl Base64 {
    /// JWT parts as the doctor reads them: unpadded, either alphabet, bits after the last byte dropped (the
    /// findings say what is off; what the backend would refuse is judged from the text).
    pub const fn lenient(alphabet: Alphabet) -> Self {
        Self {
            alphabet,
            padding: Padding::Refused,
            trailing_bits: true,
        }
    }

    /// base64url with optional padding (JWK members and signatures: some JWKS generators pad).
    pub const URL_PAD_OPTIONAL: Self = Self {
        alphabet: Alphabet::Url,
        padding: Padding::Optional,
        trailing_bits: false,
    };

    /// Standard base64 with optional padding (`data:` URIs).
    pub const STANDARD_PAD_OPTIONAL: Self = Self {
        alphabet: Alphabet::Standard,
        padding: Padding::Optional,
        trailing_bits: false,
    };

    /// Standard base64, canonical padding (HAR bodies, the sync protocol's `ts`).
    pub const STANDARD: Self = Self {
        alphabet: Alphabet::Standard,
        padding: Padding::Required,
        trailing_bits: false,
    };

    /// The 6-bit value of a character in this alphabet.
    fn sextet(&self, c: u8) -> Option<u8> {
        let url = self.alphabet == Alphabet::Url;
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' if url => 62,
            b'_' if url => 63,
            b'+' if !url => 62,
            b'/' if !url => 63,
            _ => return None,
        })
    }

    /// Encodes `bytes` in this alphabet, padded unless padding is refused (Better Auth's JWKS `data:` URL, made as
    /// `btoa` makes it: standard alphabet, padded).
    pub fn encode(&self, bytes: &[u8]) -> String {
        const STANDARD: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let char_of = |v: u32| {
            let c = STANDARD.get(v as usize & 63).copied().unwrap_or(b'A');
            match (self.alphabet, c) {
                (Alphabet::Url, b'+') => '-',
                (Alphabet::Url, b'/') => '_',
                (_, c) => c as char,
            }
        };
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
            let n = (b(0) << 16) | (b(1) << 8) | b(2);
            for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
                if i <= chunk.len() {
                    out.push(char_of(n >> shift));
                } else if self.padding != Padding::Refused {
                    out.push('=');
                }
            }
        }
        out
    }

    pub fn decode(&self, text: &str) -> Result<Vec<u8>, Base64Error> {
        let body = match self.padding {
            Padding::Refused => text,
            Padding::Optional | Padding::Required => text.trim_end_matches('='),
        };
        let pad = text.len() - body.len();
        let mut out = Vec::with_capacity(body.len() / 4 * 3 + 2);
        let (mut acc, mut bits) = (0u32, 0u32);
        for (i, c) in body.bytes().enumerate() {
            acc = (acc << 6) | u32::from(self.sextet(c).ok_or(Base64Error::Character(i))?);
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                out.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        let rest = body.len() % 4;
        if rest == 1 {
            return Err(Base64Error::Length);
        }
        // Padding belongs to the last group only, after at least two characters of it.
        if pad > 0 && (rest == 0 || rest + pad > 4) {
            return Err(Base64Error::Padding);
        }
        if self.padding == Padding::Required && rest != 0 && rest + pad != 4 {
            return Err(Base64Error::Padding);
        }
        if !self.trailing_bits && acc != 0 {
            return Err(Base64Error::TrailingBits);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn encode_round_trips_and_pads_like_btoa() {
        for (bytes, text) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"\xfb\xff", "+/8="),
        ] {
            assert_eq!(super::Base64::STANDARD.encode(bytes), text);
            assert_eq!(super::Base64::STANDARD.decode(text).as_deref(), Ok(bytes));
        }
        assert_eq!(
            super::Base64::lenient(super::Alphabet::Url).encode(b"\xfb\xff"),
            "-_8"
        );
    }

    use super::{Alphabet, Base64, Padding};
    use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
    use base64::engine::DecodePaddingMode;
    use base64::{alphabet, Engine};

    fn reference(b: Base64) -> GeneralPurpose {
        let a = match b.alphabet {
            Alphabet::Url => &alphabet::URL_SAFE,
            Alphabet::Standard => &alphabet::STANDARD,
        };
        let mode = match b.padding {
            Padding::Refused => DecodePaddingMode::RequireNone,
            Padding::Optional => DecodePaddingMode::Indifferent,
            Padding::Required => DecodePaddingMode::RequireCanonical,
        };
        GeneralPurpose::new(
            a,
            GeneralPurposeConfig::new()
                .with_decode_padding_mode(mode)
                .with_decode_allow_trailing_bits(b.trailing_bits),
        )
    }

    /// Every configuration accepts what the `base64` crate's engine of the same configuration accepts, with the
    /// same bytes, for every length up to 40, both alphabets, `=` anywhere.
    #[test]
    fn decodes_like_the_base64_crate() {
        let chars = b"AZaz09-_+/Qw==x";
        let mut seed: u32 = 7;
        let mut texts: Vec<String> = Vec::new();
        for len in 0..40 {
            for _ in 0..60 {
                texts.push(
                    (0..len)
                        .map(|_| {
                            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                            chars[(seed >> 16) as usize % chars.len()] as char
                        })
                        .collect(),
                );
            }
        }
        // Well-formed texts with every padding, so that acceptance is exercised as much as refusal.
        for n in 0..12usize {
            let bytes: Vec<u8> = (0..n as u8).map(|b| b.wrapping_mul(37)).collect();
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
            ] {
                let padded = engine.encode(&bytes);
                for cut in 0..=2 {
                    texts.push(padded[..padded.len().saturating_sub(cut)].to_owned());
                }
                texts.push(format!("{padded}="));
            }
        }
        for alphabet in [Alphabet::Url, Alphabet::Standard] {
            for padding in [Padding::Refused, Padding::Optional, Padding::Required] {
                for trailing_bits in [false, true] {
                    let ours = Base64 {
                        alphabet,
                        padding,
                        trailing_bits,
                    };
                    let theirs = reference(ours);
                    for text in &texts {
                        assert_eq!(
                            ours.decode(text).ok(),
                            theirs.decode(text).ok(),
                            "{ours:?} {text:?}"
                        );
                    }
                }
            }
        }
    }
}
