//! Batch verification of many signatures under one key ("same-key coalescing").
//!
//! ed25519-dalek's `verify_batch` checks n signatures with one multiscalar multiplication
//! over 2n + 1 points. When all signatures share one key A, the n terms `z_i·k_i·A`
//! collapse into one, `(Σ z_i·k_i)·A`, leaving n + 2 points: the technique of
//! ed25519-zebra, which measured about twice as fast (research note `token-formats.md`
//! §2.2). We keep ed25519-dalek's *strict* rules instead of zebra's ZIP-215 ones:
//!
//! - `s` must be canonical (`s < ℓ`);
//! - `R` must be a canonical encoding of a point that is not of small order;
//! - the equation is the cofactorless `Σ z_i·R_i + (Σ z_i·k_i)·A − (Σ z_i·s_i)·B = 0`
//!   with `k_i = SHA-512(R_i ‖ A ‖ M_i) mod ℓ` and random 128-bit `z_i` from the OS.
//!
//! A signature that fails any of the first two checks is left for `verify_strict`, which
//! names the failure. A batch that fails its equation is re-checked one by one by the
//! caller, so each bad token still gets its own verdict.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha512};

/// Whether a 32-byte encoding of y is canonical (y < p = 2^255 − 19).
fn canonical_y(bytes: &[u8; 32]) -> bool {
    // y >= p only if y is 2^255 − 19 ..= 2^255 − 1: top byte 0x7f (sign bit cleared),
    // bytes 1..31 all 0xff, and the low byte at least 0xed.
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

/// One signature prepared for the batch, or `None` if it must go to `verify_strict`.
pub(crate) struct Prepared {
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

/// Decodes a signature for the batch; `None` when strict rules would reject it (the
/// caller then checks it alone to report the failure).
pub(crate) fn prepare(
    key: &VerifyingKey,
    message: &[u8],
    signature: &[u8; 64],
) -> Option<Prepared> {
    let r_bytes: [u8; 32] = signature[..32].try_into().expect("32 bytes");
    let s_bytes: [u8; 32] = signature[32..].try_into().expect("32 bytes");
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes))?;
    if !canonical_y(&r_bytes) {
        return None;
    }
    let r = CompressedEdwardsY(r_bytes).decompress()?;
    // Small-order R (including the "negative zero" encodings of x = 0) is refused by
    // verify_strict; the canonical-y test and this one together leave only encodings
    // that verify_strict's byte comparison would also accept.
    if r.is_small_order() {
        return None;
    }
    let mut h = Sha512::new();
    h.update(r_bytes);
    h.update(key.as_bytes());
    h.update(message);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    Some(Prepared { r, s, k })
}

/// Checks prepared signatures under one key with one multiscalar multiplication.
pub(crate) fn verify_same_key(key: &VerifyingKey, items: &[Prepared]) -> bool {
    if items.is_empty() {
        return true;
    }
    let mut random = vec![0u8; 16 * items.len()];
    super::keys::os_random(&mut random);
    let mut scalars = Vec::with_capacity(items.len() + 2);
    let mut points = Vec::with_capacity(items.len() + 2);
    let mut b_coefficient = Scalar::ZERO;
    let mut a_coefficient = Scalar::ZERO;
    for (item, z) in items.iter().zip(random.chunks_exact(16)) {
        let mut wide = [0u8; 32];
        wide[..16].copy_from_slice(z);
        let z = Scalar::from_bytes_mod_order(wide);
        b_coefficient += z * item.s;
        a_coefficient += z * item.k;
        scalars.push(z);
        points.push(item.r);
    }
    scalars.push(-b_coefficient);
    points.push(ED25519_BASEPOINT_POINT);
    scalars.push(a_coefficient);
    points.push(key.to_edwards());
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    type Signed = Vec<(Vec<u8>, [u8; 64])>;

    fn signed(n: usize) -> (SigningKey, Signed) {
        let sk = SigningKey::from_bytes(&[5; 32]);
        let items = (0..n)
            .map(|i| {
                let m = format!("message {i}").into_bytes();
                let s = sk.sign(&m).to_bytes();
                (m, s)
            })
            .collect();
        (sk, items)
    }

    fn run(sk: &SigningKey, items: &[(Vec<u8>, [u8; 64])]) -> Option<bool> {
        let vk = sk.verifying_key();
        let prepared: Option<Vec<Prepared>> =
            items.iter().map(|(m, s)| prepare(&vk, m, s)).collect();
        prepared.map(|p| verify_same_key(&vk, &p))
    }

    #[test]
    fn good_batches_pass_and_any_bad_signature_fails_them() {
        let (sk, items) = signed(40);
        assert_eq!(run(&sk, &items), Some(true));
        for i in [0, 17, 39] {
            let mut bad = items.clone();
            bad[i].1[40] ^= 1;
            // Either refused at preparation (s not canonical) or by the equation.
            assert_ne!(run(&sk, &bad), Some(true));
            let mut bad = items.clone();
            bad[i].0.push(b'!');
            assert_eq!(run(&sk, &bad), Some(false));
            let mut bad = items.clone();
            bad[i].1[3] ^= 1;
            assert_ne!(run(&sk, &bad), Some(true));
        }
    }

    #[test]
    fn non_canonical_and_small_order_r_are_left_to_verify_strict() {
        let (sk, items) = signed(1);
        let vk = sk.verifying_key();
        let mut sig = items[0].1;
        // R = identity, canonical and with the sign bit set.
        for r in [
            {
                let mut b = [0u8; 32];
                b[0] = 1;
                b
            },
            {
                let mut b = [0u8; 32];
                b[0] = 1;
                b[31] = 0x80;
                b
            },
        ] {
            sig[..32].copy_from_slice(&r);
            assert!(prepare(&vk, &items[0].0, &sig).is_none());
        }
        // y + p for a small y whose point exists and is not of small order: only the
        // canonical-y test refuses it (decompression accepts it).
        let y = (2u8..19)
            .find(|&y| {
                let mut b = [0u8; 32];
                b[0] = y;
                CompressedEdwardsY(b)
                    .decompress()
                    .is_some_and(|p| !p.is_small_order())
            })
            .expect("some small y is on the curve");
        let mut r = [0xffu8; 32];
        r[0] = 0xed + y;
        r[31] = 0x7f;
        assert!(
            CompressedEdwardsY(r)
                .decompress()
                .is_some_and(|p| !p.is_small_order())
        );
        sig[..32].copy_from_slice(&r);
        assert!(prepare(&vk, &items[0].0, &sig).is_none());
        // s >= ℓ.
        let mut sig = items[0].1;
        sig[32..].copy_from_slice(&[0xff; 32]);
        assert!(prepare(&vk, &items[0].0, &sig).is_none());
    }

    #[test]
    fn canonical_y_boundaries() {
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert!(!canonical_y(&p));
        let mut below = p;
        below[0] = 0xec;
        assert!(canonical_y(&below));
        let mut signed = below;
        signed[31] = 0xff;
        assert!(canonical_y(&signed));
        let mut over = p;
        over[31] = 0xff;
        assert!(!canonical_y(&over));
    }
}
