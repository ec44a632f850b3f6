//! RSA signature verification, verify-only: a public-key modular exponentiation (Montgomery, 32-bit limbs) and
//! the PKCS#1 v1.5 and PSS encodings of RFC 8017.
//!
//! Why not the `rsa` crate: measured in the wasm build (gzip -9 after wasm-opt) it adds 25.9 KB (its general
//! big-integer crate comes along) where this module with `sha2` adds 12.6 KB, and the wasm module has a 120 KB
//! budget in total. Only public data is
//! handled (key, signature, message), so constant-time arithmetic is not needed. Checked against node:crypto
//! signatures for RS256/384/512 and PS256/384/512 in tests/verify_signatures.rs.

use sha2::Digest;

/// Smallest modulus accepted, in bits: both backend paths verify with `RSA_*_2048_8192_*` (biscuit 05bdaab
/// `src/jwa.rs:378-383`, ring; openidconnect-rs 15a9c55 `src/core/jwk/mod.rs:191-206`, AWS-LC), which refuse a
/// smaller key even when the signature is right.
const MIN_BITS: usize = 2048;

/// An RSA public key prepared for Montgomery exponentiation.
#[derive(Debug, Clone)]
pub struct RsaKey {
    /// Modulus, little-endian 32-bit limbs, top limb non-zero.
    n: Vec<u32>,
    /// Modulus length in bytes (= signature length).
    k: usize,
    /// Modulus length in bits.
    bits: usize,
    /// Public exponent, big-endian bytes without leading zeros.
    e: Vec<u8>,
    /// -n⁻¹ mod 2³².
    n0inv: u32,
    /// R² mod n, R = 2^(32·limbs).
    rr: Vec<u32>,
}

/// The hash of an RSA JWS algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
    fn len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
    /// DER DigestInfo prefix (RFC 8017 §9.2 note 1).
    fn digest_info(self) -> [u8; 19] {
        let (id, len) = match self {
            Hash::Sha256 => (1, 0x20),
            Hash::Sha384 => (2, 0x30),
            Hash::Sha512 => (3, 0x40),
        };
        [
            0x30,
            len + 0x11,
            0x30,
            0x0d,
            0x06,
            0x09,
            0x60,
            0x86,
            0x48,
            0x01,
            0x65,
            0x03,
            0x04,
            0x02,
            id,
            0x05,
            0x00,
            0x04,
            len,
        ]
    }
}

impl RsaKey {
    /// From the JWK's `n` and `e` (big-endian bytes).
    pub fn new(n: &[u8], e: &[u8], max_bits: usize) -> Result<RsaKey, String> {
        let n = strip(n);
        let e = strip(e).to_vec();
        let bits = n.len() * 8 - n.first().map_or(8, |b| b.leading_zeros() as usize);
        if bits < MIN_BITS || bits > max_bits {
            return Err(format!(
                "a {bits}-bit modulus (accepted: {MIN_BITS} to {max_bits})"
            ));
        }
        if n.last().map_or(true, |b| b & 1 == 0) {
            return Err("an even modulus".into());
        }
        if e.is_empty() || e.len() > 8 || e == [1] || e.last().map_or(true, |b| b & 1 == 0) {
            return Err("an unusable public exponent".into());
        }
        let n = limbs(n, n.len().div_ceil(4));
        let n0 = n.first().copied().unwrap_or(1);
        // Newton iteration for the inverse of n0 mod 2^32 (each step doubles the correct bits: 1→2→…→32).
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        }
        let s = n.len();
        // R² mod n by doubling 1 modulo n, 2·32·s times.
        let mut rr = vec![0u32; s];
        if let Some(first) = rr.first_mut() {
            *first = 1;
        }
        for _ in 0..(64 * s) {
            let carry = shl1(&mut rr);
            if carry || !less(&rr, &n) {
                sub_in_place(&mut rr, &n);
            }
        }
        Ok(RsaKey {
            k: bits.div_ceil(8),
            bits,
            e,
            n0inv: inv.wrapping_neg(),
            rr,
            n,
        })
    }

    /// Modulus length in bytes: the length of every signature of this key.
    pub fn size(&self) -> usize {
        self.k
    }

    /// `sig^e mod n` as `k` big-endian bytes; `None` when `sig` is not below `n`.
    fn public_op(&self, sig: &[u8]) -> Option<Vec<u8>> {
        let s = self.n.len();
        let m = limbs(strip(sig), s);
        if m.len() != s || !less(&m, &self.n) {
            return None;
        }
        let base = self.mont_mul(&m, &self.rr);
        let mut one = vec![0u32; s];
        if let Some(first) = one.first_mut() {
            *first = 1;
        }
        let mut acc = self.mont_mul(&one, &self.rr);
        for byte in &self.e {
            for bit in (0..8).rev() {
                acc = self.mont_mul(&acc, &acc);
                if (byte >> bit) & 1 == 1 {
                    acc = self.mont_mul(&acc, &base);
                }
            }
        }
        let out = self.mont_mul(&acc, &one);
        let mut bytes = Vec::with_capacity(self.k);
        for i in (0..self.k).rev() {
            let limb = out.get(i / 4).copied().unwrap_or(0);
            bytes.push((limb >> ((i % 4) * 8)) as u8);
        }
        Some(bytes)
    }

    /// Montgomery product a·b·R⁻¹ mod n (CIOS). `a`, `b` are below n and `s` limbs long.
    ///
    /// Written with `get`, no indexing. A version with plain indexing was measured: 1.8× faster natively but
    /// 4× slower in the wasm build (opt-level z): 2.4 ms against 0.5 ms per RS256 verification in node.
    fn mont_mul(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let n = &self.n;
        let s = n.len();
        let mut t = vec![0u32; s + 2];
        for &ai in a.iter().take(s) {
            let mut c: u64 = 0;
            for (tj, &bj) in t.iter_mut().zip(b.iter()) {
                let x = *tj as u64 + ai as u64 * bj as u64 + c;
                *tj = x as u32;
                c = x >> 32;
            }
            add_carry(&mut t, s, c);
            let t0 = t.first().copied().unwrap_or(0);
            let m = t0.wrapping_mul(self.n0inv) as u64;
            let mut c = (t0 as u64 + m * n.first().copied().unwrap_or(0) as u64) >> 32;
            for j in 1..s {
                let x = t.get(j).copied().unwrap_or(0) as u64
                    + m * n.get(j).copied().unwrap_or(0) as u64
                    + c;
                if let Some(slot) = t.get_mut(j - 1) {
                    *slot = x as u32;
                }
                c = x >> 32;
            }
            let top = t.get(s).copied().unwrap_or(0) as u64 + c;
            let over = t.get(s + 1).copied().unwrap_or(0) as u64 + (top >> 32);
            if let Some(slot) = t.get_mut(s - 1) {
                *slot = top as u32;
            }
            if let Some(slot) = t.get_mut(s) {
                *slot = over as u32;
            }
            if let Some(slot) = t.get_mut(s + 1) {
                *slot = 0;
            }
        }
        let overflow = t.get(s).copied().unwrap_or(0) != 0;
        t.truncate(s);
        if overflow || !less(&t, n) {
            sub_in_place(&mut t, n);
        }
        t
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): the decoded block must equal the expected encoding.
    pub fn verify_pkcs1v15(&self, hash: Hash, message: &[u8], sig: &[u8]) -> bool {
        if sig.len() != self.k {
            return false;
        }
        let Some(em) = self.public_op(sig) else {
            return false;
        };
        let info = hash.digest_info();
        let h = hash.digest(message);
        let t_len = info.len() + h.len();
        if self.k < t_len + 11 {
            return false;
        }
        let mut expected = Vec::with_capacity(self.k);
        expected.extend_from_slice(&[0x00, 0x01]);
        expected.resize(self.k - t_len - 1, 0xff);
        expected.push(0x00);
        expected.extend_from_slice(&info);
        expected.extend_from_slice(&h);
        em == expected
    }

    /// RSASSA-PSS verification (RFC 8017 §8.1.2, §9.1.2) with MGF1 on the same hash and a salt as long as the
    /// hash, as JWS requires (RFC 7518 §3.5).
    pub fn verify_pss(&self, hash: Hash, message: &[u8], sig: &[u8]) -> bool {
        if sig.len() != self.k {
            return false;
        }
        let Some(block) = self.public_op(sig) else {
            return false;
        };
        let em_bits = self.bits - 1;
        let em_len = em_bits.div_ceil(8);
        // When the modulus is a multiple of 8 bits plus one, the block has one leading zero byte more than EM.
        let Some(lead) = block.len().checked_sub(em_len) else {
            return false;
        };
        if block.iter().take(lead).any(|&b| b != 0) {
            return false;
        }
        let Some(em) = block.get(lead..) else {
            return false;
        };
        let h_len = hash.len();
        let s_len = h_len;
        if em_len < h_len + s_len + 2 || em.last() != Some(&0xbc) {
            return false;
        }
        let db_len = em_len - h_len - 1;
        let (Some(masked_db), Some(h)) = (em.get(..db_len), em.get(db_len..em_len - 1)) else {
            return false;
        };
        let zero_bits = 8 * em_len - em_bits;
        let top_mask: u8 = 0xffu8.checked_shr(zero_bits as u32).unwrap_or(0);
        if masked_db.first().is_some_and(|b| b & !top_mask != 0) {
            return false;
        }
        let mut db: Vec<u8> = masked_db
            .iter()
            .zip(mgf1(hash, h, db_len))
            .map(|(a, b)| a ^ b)
            .collect();
        if let Some(first) = db.first_mut() {
            *first &= top_mask;
        }
        let ps_len = db_len - s_len - 1;
        if db.iter().take(ps_len).any(|&b| b != 0) || db.get(ps_len) != Some(&0x01) {
            return false;
        }
        let Some(salt) = db.get(ps_len + 1..) else {
            return false;
        };
        let mut m_prime = vec![0u8; 8];
        m_prime.extend_from_slice(&hash.digest(message));
        m_prime.extend_from_slice(salt);
        hash.digest(&m_prime) == h
    }
}

fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.len());
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(&hash.digest(&input));
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

fn strip(bytes: &[u8]) -> &[u8] {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    bytes.get(zeros..).unwrap_or(&[])
}

/// Big-endian bytes to `count` little-endian limbs (more bytes than fit give a longer vector, which callers reject).
fn limbs(bytes: &[u8], count: usize) -> Vec<u32> {
    let mut out = vec![0u32; count.max(bytes.len().div_ceil(4))];
    for (i, &b) in bytes.iter().rev().enumerate() {
        if let Some(limb) = out.get_mut(i / 4) {
            *limb |= (b as u32) << ((i % 4) * 8);
        }
    }
    out
}

/// a < b, both the same length.
fn less(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// a -= b (mod 2^(32·len)).
fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b.iter()) {
        let d = (*x as u64).wrapping_sub(y as u64).wrapping_sub(borrow);
        *x = d as u32;
        borrow = (d >> 63) & 1;
    }
}

/// a <<= 1; returns the bit shifted out.
fn shl1(a: &mut [u32]) -> bool {
    let mut carry = 0u32;
    for x in a.iter_mut() {
        let next = *x >> 31;
        *x = (*x << 1) | carry;
        carry = next;
    }
    carry == 1
}

fn add_carry(t: &mut [u32], at: usize, c: u64) {
    let x = t.get(at).copied().unwrap_or(0) as u64 + c;
    if let Some(slot) = t.get_mut(at) {
        *slot = x as u32;
    }
    if let Some(slot) = t.get_mut(at + 1) {
        *slot = slot.wrapping_add((x >> 32) as u32);
    }
}
