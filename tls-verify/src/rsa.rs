//! RSA signature verification (RFC 8017) for 2048–4096-bit keys without a heap.
//!
//! `s^e mod n` runs in Montgomery form on `crypto-bigint`'s fixed-size integers, sized to the key
//! (2048, 3072 or 4096 bits); the encoded message is then compared with the one PKCS#1 v1.5
//! expects (§9.2) or checked as PSS (§9.1.2, salt length = hash length, MGF1 with the same hash,
//! as TLS 1.3 and certificates use it). Every buffer is a fixed array on the stack; every index is
//! checked. Verification handles public data only, so it need not be constant-time.

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Limb, Uint, Word, U2048, U3072, U4096};

use crate::algs::Hash;

/// Smallest modulus accepted, in bytes (2048 bits).
const MIN_MODULUS_LEN: usize = 256;
/// Largest modulus accepted, in bytes (4096 bits).
const MAX_MODULUS_LEN: usize = 512;

/// Verifies `signature` over `message` by the DER RSAPublicKey `public_key`.
pub(crate) fn verify(
    public_key: &[u8],
    pss: bool,
    hash: Hash,
    message: &[u8],
    signature: &[u8],
) -> Result<(), ()> {
    let (n, e) = crate::der::rsa_public_key(public_key).ok_or(())?;
    let k = n.len();
    if !(MIN_MODULUS_LEN..=MAX_MODULUS_LEN).contains(&k) || signature.len() != k {
        return Err(());
    }
    // n odd (a modulus is a product of odd primes); 3 <= e < 2^32, odd.
    if n.last().is_none_or(|b| b & 1 == 0) || e.len() > 4 {
        return Err(());
    }
    let e = e.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
    if e < 3 || e & 1 == 0 {
        return Err(());
    }
    // The signature representative must be below the modulus (§5.2.2); equal lengths compare
    // lexicographically as numbers.
    if signature >= n {
        return Err(());
    }
    let mut em = [0u8; MAX_MODULUS_LEN];
    let em = em.get_mut(..k).ok_or(())?;
    if k <= U2048::BYTES {
        pow_mod::<{ U2048::LIMBS }>(n, signature, e, em)?;
    } else if k <= U3072::BYTES {
        pow_mod::<{ U3072::LIMBS }>(n, signature, e, em)?;
    } else {
        pow_mod::<{ U4096::LIMBS }>(n, signature, e, em)?;
    }
    let digest = hash.digest(&[message]);
    let digest = digest.get(..hash.len()).ok_or(())?;
    if pss {
        let first = n.first().copied().unwrap_or(0);
        let mod_bits = k * 8 - first.leading_zeros() as usize;
        pss_check(em, mod_bits, hash, digest)
    } else {
        pkcs1_check(em, hash, digest)
    }
}

/// A big-endian number of at most `Uint::<L>::BYTES` bytes as a `Uint<L>`.
fn to_uint<const L: usize>(be: &[u8]) -> Uint<L> {
    let mut words = [0 as Word; L];
    for (i, b) in be.iter().rev().enumerate() {
        if let Some(w) = words.get_mut(i / Limb::BYTES) {
            *w |= Word::from(*b) << ((i % Limb::BYTES) * 8);
        }
    }
    Uint::from_words(words)
}

// The steps of `pow_mod` are functions of their own, not inlined: inlined, the temporaries of
// each of crypto-bigint's steps stayed side by side in `pow_mod`'s frame (9 KiB for 2048-bit keys,
// 18 KiB for 4096, measured on the Cortex-M3), which the device's stack must hold during the
// handshake. Apart, the deepest step alone is on the stack at a time.

/// The Montgomery parameters of the modulus `n` (big-endian); `None` for an even modulus.
#[inline(never)]
fn montgomery_params<const L: usize>(n: &[u8]) -> Option<DynResidueParams<L>> {
    #[allow(deprecated)] // `new` panics on an even modulus; `new_checked` reports it.
    Option::from(DynResidueParams::new_checked(&to_uint::<L>(n)))
}

/// `s` (big-endian) in Montgomery form.
#[inline(never)]
fn to_montgomery<const L: usize>(s: &[u8], params: DynResidueParams<L>) -> DynResidue<L> {
    DynResidue::new(&to_uint::<L>(s), params)
}

/// `x` out of Montgomery form.
#[inline(never)]
fn retrieve<const L: usize>(x: &DynResidue<L>) -> Uint<L> {
    x.retrieve()
}

/// `x²` in Montgomery form.
#[inline(never)]
fn square<const L: usize>(x: &DynResidue<L>) -> DynResidue<L> {
    x.square()
}

/// `x·y` in Montgomery form.
#[inline(never)]
fn multiply<const L: usize>(x: &DynResidue<L>, y: &DynResidue<L>) -> DynResidue<L> {
    x.mul(y)
}

/// `out = s^e mod n`, big-endian in `out.len()` bytes (the modulus length).
fn pow_mod<const L: usize>(n: &[u8], s: &[u8], e: u32, out: &mut [u8]) -> Result<(), ()> {
    // The parameters first, while only they are on this frame; the residues after, in a frame
    // of their own.
    let params = montgomery_params::<L>(n).ok_or(())?;
    exponentiate(params, s, e, out);
    Ok(())
}

/// `out = s^e` with the modulus of `params`, big-endian in `out.len()` bytes.
#[inline(never)]
fn exponentiate<const L: usize>(params: DynResidueParams<L>, s: &[u8], e: u32, out: &mut [u8]) {
    let base = to_montgomery(s, params);
    let mut acc = base;
    let top = 31 - e.leading_zeros();
    for bit in (0..top).rev() {
        acc = square(&acc);
        if (e >> bit) & 1 == 1 {
            acc = multiply(&acc, &base);
        }
    }
    let result = retrieve(&acc);
    let words = result.as_words();
    for (i, o) in out.iter_mut().rev().enumerate() {
        let word = words.get(i / Limb::BYTES).copied().unwrap_or(0);
        *o = (word >> ((i % Limb::BYTES) * 8)) as u8;
    }
}

/// The DER DigestInfo prefix of EMSA-PKCS1-v1_5 for `hash` (RFC 8017 §9.2, note 1).
fn digest_info_prefix(hash: Hash) -> &'static [u8] {
    match hash {
        Hash::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        Hash::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        Hash::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

/// EMSA-PKCS1-v1_5: `em` must equal `00 01 FF… 00 DigestInfo(digest)` exactly.
fn pkcs1_check(em: &[u8], hash: Hash, digest: &[u8]) -> Result<(), ()> {
    let prefix = digest_info_prefix(hash);
    let t_len = prefix.len() + digest.len();
    let k = em.len();
    // At least eight 0xFF bytes of padding.
    if k < t_len + 11 {
        return Err(());
    }
    let ps_end = k - t_len - 1;
    let (head, t) = em.split_at(ps_end + 1);
    let ok = head.first() == Some(&0)
        && head.get(1) == Some(&1)
        && head
            .get(2..ps_end)
            .is_some_and(|ps| ps.iter().all(|b| *b == 0xff))
        && head.last() == Some(&0)
        && t.get(..prefix.len()) == Some(prefix)
        && t.get(prefix.len()..) == Some(digest);
    if ok {
        Ok(())
    } else {
        Err(())
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with `sLen = hLen`, for a modulus of `mod_bits` bits.
fn pss_check(em_full: &[u8], mod_bits: usize, hash: Hash, digest: &[u8]) -> Result<(), ()> {
    let h_len = hash.len();
    let s_len = h_len;
    let em_bits = mod_bits.checked_sub(1).ok_or(())?;
    let em_len = em_bits.div_ceil(8);
    // RSAVP1 gives k bytes; when emLen < k the extra leading byte must be zero (§8.1.2 step 2c).
    let extra = em_full.len().checked_sub(em_len).ok_or(())?;
    let (lead, em) = em_full.split_at(extra);
    if lead.iter().any(|b| *b != 0) || em_len < h_len + s_len + 2 {
        return Err(());
    }
    if em.last() != Some(&0xbc) {
        return Err(());
    }
    let db_len = em_len - h_len - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = rest.get(..h_len).ok_or(())?;
    let unused_bits = 8 * em_len - em_bits;
    let top_mask = 0xffu8.checked_shr(unused_bits as u32).unwrap_or(0);
    if masked_db.first().is_none_or(|b| b & !top_mask != 0) {
        return Err(());
    }
    // DB = maskedDB xor MGF1(H, dbLen).
    let mut db = [0u8; MAX_MODULUS_LEN];
    let db = db.get_mut(..db_len).ok_or(())?;
    db.copy_from_slice(masked_db);
    for (counter, chunk) in db.chunks_mut(h_len).enumerate() {
        let c = (counter as u32).to_be_bytes();
        let mask = hash.digest(&[h, &c]);
        for (d, m) in chunk.iter_mut().zip(mask.iter()) {
            *d ^= m;
        }
    }
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    // DB = PS (zeros) || 0x01 || salt.
    let ps_len = db_len - s_len - 1;
    let (ps, tail) = db.split_at(ps_len);
    let (one, salt) = tail.split_first().ok_or(())?;
    if ps.iter().any(|b| *b != 0) || *one != 1 {
        return Err(());
    }
    let expected = hash.digest(&[&[0u8; 8], digest, salt]);
    if expected.get(..h_len) == Some(h) {
        Ok(())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_or_odd_inputs_are_refused_without_panic() {
        // A 1024-bit key, an even modulus, e = 1, and a signature of the wrong length.
        let key = |n_len: usize, last: u8, e: &[u8]| {
            let mut k = std::vec![0x30, 0x82, 0, 0, 0x02, 0x82];
            k.extend_from_slice(&((n_len + 1) as u16).to_be_bytes());
            k.push(0);
            k.push(0xc1);
            k.extend(core::iter::repeat_n(0x55, n_len - 2));
            k.push(last);
            k.push(0x02);
            k.push(e.len() as u8);
            k.extend_from_slice(e);
            let body = (k.len() - 4) as u16;
            k[2..4].copy_from_slice(&body.to_be_bytes());
            k
        };
        let sig = [0x11u8; 256];
        for (k, s) in [
            (key(128, 0x01, &[1, 0, 1]), &sig[..128]),
            (key(256, 0x02, &[1, 0, 1]), &sig[..]),
            (key(256, 0x01, &[1]), &sig[..]),
            (key(256, 0x01, &[1, 0, 1]), &sig[..255]),
            (key(256, 0x01, &[1, 0, 0, 0, 1]), &sig[..]),
        ] {
            assert!(verify(&k, false, Hash::Sha256, b"m", s).is_err());
            assert!(verify(&k, true, Hash::Sha256, b"m", s).is_err());
        }
        // A well-formed key with a garbage signature: runs the arithmetic, refuses.
        let k = key(256, 0x01, &[1, 0, 1]);
        assert!(verify(&k, false, Hash::Sha256, b"m", &sig).is_err());
        assert!(verify(&k, true, Hash::Sha512, b"m", &sig).is_err());
    }
}

#[cfg(test)]
mod sizes {
    use super::*;

    /// The stack the modular arithmetic holds per key size (printed for docs/performance.md):
    /// the parameters and two residues (base and accumulator), each carrying the parameters.
    #[test]
    fn montgomery_working_set() {
        for (bits, params, residue) in [
            (
                2048,
                core::mem::size_of::<DynResidueParams<{ U2048::LIMBS }>>(),
                core::mem::size_of::<DynResidue<{ U2048::LIMBS }>>(),
            ),
            (
                4096,
                core::mem::size_of::<DynResidueParams<{ U4096::LIMBS }>>(),
                core::mem::size_of::<DynResidue<{ U4096::LIMBS }>>(),
            ),
        ] {
            std::println!("RSA-{bits}: params {params} B, residue {residue} B");
            assert!(params + 2 * residue <= 8 * bits / 8 * 2);
        }
    }
}
