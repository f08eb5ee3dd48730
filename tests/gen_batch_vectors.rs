//! The redemption batch vectors (`tests/vectors/batches.tsv`), built byte by byte from
//! the `PNRB` v1 table with ed25519-dalek and sha2, not through `inclusif-core`, and the
//! expected outcomes written by hand: the core's batch reader and import are checked
//! against an independent reading of the format.
//!
//! Compiled as `inclusif_conformance::batch_vectors` (the fuzz target, its
//! seeds and the vectors share the venue keys); `gen-vectors` writes the file and
//! `tests/tests/redemption_batches.rs` fails if it drifts.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use curve25519_dalek::constants::ED25519_BASEPOINT_TABLE;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256, Sha512};

use crate::{KID7_SEED, KID8_SEED, KID9_SEED};

/// Seed of `venue-lyon-01`'s key 1. Public test material.
pub const LYON_SEED: [u8; 32] = [0x5a; 32];
/// Seed of `venue-gueret-02`'s key 1.
pub const GUERET_SEED: [u8; 32] = [0x5b; 32];
/// Seed of `venue-paris-03`'s key 1 (the venue is registered, inactive).
pub const PARIS_SEED: [u8; 32] = [0x5c; 32];
/// SIRETs of the three venues (Luhn-valid; La Poste's head office for Paris).
pub const SIRETS: [&str; 3] = ["12345678900007", "44234567800019", "35600000000048"];

/// The registry every batch vector is imported against: (venue, active, key id, seed).
pub const VENUES: [(&str, bool, u16, [u8; 32]); 3] = [
    ("venue-lyon-01", true, 1, LYON_SEED),
    ("venue-gueret-02", true, 1, GUERET_SEED),
    ("venue-paris-03", false, 1, PARIS_SEED),
];

const DOMAIN: &[u8; 15] = b"FR.PASSNUM.RB1\0";

fn day(y: i32, m: u32, d: u32) -> u16 {
    let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    u16::try_from((date - epoch).num_days()).expect("in range")
}

fn ms(s: &str) -> i64 {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .timestamp_millis()
}

fn shown(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .expect("instant")
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A token signed by hand: kid, serial (added to 0x5eed_b000…), value, validity, scope.
fn token(kid: u16, serial: u128, value: u16, from: u16, until: u16, scope: u16) -> [u8; 85] {
    let seed = match kid {
        7 => KID7_SEED,
        8 => KID8_SEED,
        9 => KID9_SEED,
        _ => panic!("no seed for kid {kid}"),
    };
    let mut body = [0u8; 21];
    body[0] = 1;
    body[1..3].copy_from_slice(&kid.to_be_bytes());
    body[3..13].copy_from_slice(&(0x5eed_b000_0000_0000_0000 + serial).to_be_bytes()[6..]);
    body[13..15].copy_from_slice(&value.to_be_bytes());
    body[15..17].copy_from_slice(&from.to_be_bytes());
    body[17..19].copy_from_slice(&until.to_be_bytes());
    body[19..21].copy_from_slice(&scope.to_be_bytes());
    let mut msg = b"FR.PASSNUM.V1\0".to_vec();
    msg.extend_from_slice(&body);
    let sig = SigningKey::from_bytes(&seed).sign(&msg).to_bytes();
    let mut t = [0u8; 85];
    t[..21].copy_from_slice(&body);
    t[21..].copy_from_slice(&sig);
    t
}

/// A kid 7 national 10 € token valid over 2026-01-01..=2026-06-30 (the key's window).
fn good(serial: u128) -> [u8; 85] {
    token(7, serial, 1000, day(2026, 1, 1), day(2026, 6, 30), 0)
}

/// The unsigned body of a batch, written from the format table.
pub fn body(
    venue: &str,
    key_id: u16,
    sequence: u64,
    created: i64,
    items: &[([u8; 85], i64)],
) -> Vec<u8> {
    let mut b = b"PNRB\x01".to_vec();
    b.push(venue.len() as u8);
    b.extend_from_slice(venue.as_bytes());
    b.extend_from_slice(&key_id.to_be_bytes());
    b.extend_from_slice(&sequence.to_be_bytes());
    b.extend_from_slice(&created.to_be_bytes());
    b.extend_from_slice(&(items.len() as u32).to_be_bytes());
    for (t, at) in items {
        b.extend_from_slice(t);
        b.extend_from_slice(&at.to_be_bytes());
    }
    b
}

/// The body and its Ed25519 signature over the domain tag and the body.
pub fn sign(body: &[u8], seed: &[u8; 32]) -> Vec<u8> {
    let mut msg = DOMAIN.to_vec();
    msg.extend_from_slice(body);
    let mut out = body.to_vec();
    out.extend_from_slice(&SigningKey::from_bytes(seed).sign(&msg).to_bytes());
    out
}

/// The body signed with another valid signature: Ed25519 with a nonce other than the
/// deterministic one (R = rB, s = r + H(R ‖ A ‖ M)·a). Same body, same batch id.
pub fn sign_with_nonce(body: &[u8], seed: &[u8; 32], nonce: u8) -> Vec<u8> {
    let h = Sha512::digest(seed);
    let mut a_bytes = [0u8; 32];
    a_bytes.copy_from_slice(&h[..32]);
    a_bytes[0] &= 248;
    a_bytes[31] &= 127;
    a_bytes[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a_bytes);
    let public = SigningKey::from_bytes(seed).verifying_key().to_bytes();
    let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest([nonce; 7]).into());
    let big_r = (&r * ED25519_BASEPOINT_TABLE).compress().to_bytes();
    let mut msg = DOMAIN.to_vec();
    msg.extend_from_slice(body);
    let mut k = Sha512::new();
    k.update(big_r);
    k.update(public);
    k.update(&msg);
    let k = Scalar::from_bytes_mod_order_wide(&k.finalize().into());
    let s = r + k * a;
    let mut out = body.to_vec();
    out.extend_from_slice(&big_r);
    out.extend_from_slice(s.as_bytes());
    out
}

/// SHA-256 over the domain tag and the body: the batch id.
pub fn batch_id(body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(body);
    data_encoding::HEXLOWER.encode(&h.finalize())
}

struct Row {
    name: &'static str,
    bytes: Vec<u8>,
    at: &'static str,
    expect: &'static str,
    outcomes: Vec<String>,
    batch_id: String,
}

fn redeemed() -> String {
    "redeemed".into()
}

fn conflict(venue: &str, at: i64) -> String {
    format!("conflict:{venue}@{}", shown(at))
}

fn rejected(code: &str) -> String {
    format!("rejected:{code}")
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    fn ok(
        rows: &mut Vec<Row>,
        name: &'static str,
        bytes: Vec<u8>,
        body: &[u8],
        at: &'static str,
        outcomes: Vec<String>,
    ) {
        rows.push(Row {
            name,
            bytes,
            at,
            expect: "ok",
            outcomes,
            batch_id: batch_id(body),
        })
    }
    let (lyon, gueret, paris) = ("venue-lyon-01", "venue-gueret-02", "venue-paris-03");

    // Lyon, offline on 2 June: two good cheques, one of the revoked key 8, one expired
    // when it was accepted (valid to 31 May), one of scope 23 (the operator takes any).
    let a = good(1);
    let b = good(2);
    let revoked = token(8, 3, 1000, day(2026, 1, 1), day(2026, 6, 30), 0);
    let stale = token(7, 4, 1000, day(2026, 1, 1), day(2026, 5, 31), 0);
    let cd23 = token(9, 5, 1000, day(2026, 1, 1), day(2026, 12, 31), 23);
    let t = |s| ms(s);
    let lyon1 = body(
        lyon,
        1,
        1,
        t("2026-06-02T17:00:00Z"),
        &[
            (a, t("2026-06-02T09:15:00.250Z")),
            (b, t("2026-06-02T09:20:00Z")),
            (revoked, t("2026-06-02T10:00:00Z")),
            (stale, t("2026-06-02T11:00:00Z")),
            (cd23, t("2026-06-02T12:00:00Z")),
        ],
    );
    let lyon1_signed = sign(&lyon1, &LYON_SEED);
    ok(
        &mut rows,
        "lyon_first_batch",
        lyon1_signed.clone(),
        &lyon1,
        "2026-06-03T08:00:00Z",
        vec![
            redeemed(),
            redeemed(),
            rejected("revoked_key"),
            rejected("expired"),
            redeemed(),
        ],
    );
    // Guéret accepted cheque `a` earlier the same morning, but reaches the ledger later.
    let e = good(6);
    let gueret1 = body(
        gueret,
        1,
        7,
        t("2026-06-02T18:00:00Z"),
        &[
            (a, t("2026-06-02T08:00:00Z")),
            (e, t("2026-06-02T08:30:00Z")),
        ],
    );
    ok(
        &mut rows,
        "gueret_conflict",
        sign(&gueret1, &GUERET_SEED),
        &gueret1,
        "2026-06-03T08:05:00Z",
        vec![conflict(lyon, t("2026-06-02T09:15:00.250Z")), redeemed()],
    );
    // The first batch again, then with another valid signature over the same body.
    ok(
        &mut rows,
        "lyon_first_batch_again",
        lyon1_signed.clone(),
        &lyon1,
        "2026-06-04T08:00:00Z",
        vec![
            redeemed(),
            redeemed(),
            rejected("revoked_key"),
            rejected("expired"),
            redeemed(),
        ],
    );
    let resigned = sign_with_nonce(&lyon1, &LYON_SEED, 1);
    assert_ne!(resigned, lyon1_signed);
    ok(
        &mut rows,
        "lyon_first_batch_other_signature",
        resigned,
        &lyon1,
        "2026-06-04T08:01:00Z",
        vec![
            redeemed(),
            redeemed(),
            rejected("revoked_key"),
            rejected("expired"),
            redeemed(),
        ],
    );
    // The same serial twice in one batch (another body, so another token): the first
    // wins, the second conflicts with it. An acceptance beyond the clock skew is rejected.
    let f = good(7);
    let f_other = token(7, 7, 500, day(2026, 1, 1), day(2026, 6, 30), 0);
    let g = good(8);
    let lyon2 = body(
        lyon,
        1,
        2,
        t("2026-06-05T10:30:00Z"),
        &[
            (f, t("2026-06-05T09:00:00Z")),
            (f_other, t("2026-06-05T09:01:00Z")),
            (g, t("2026-06-05T10:30:00Z")),
        ],
    );
    ok(
        &mut rows,
        "lyon_same_serial_twice_and_a_future_item",
        sign(&lyon2, &LYON_SEED),
        &lyon2,
        "2026-06-05T10:20:00Z",
        vec![
            redeemed(),
            conflict(lyon, t("2026-06-05T09:00:00Z")),
            rejected("invalid_field"),
        ],
    );

    fn refused(rows: &mut Vec<Row>, name: &'static str, bytes: Vec<u8>, expect: &'static str) {
        rows.push(Row {
            name,
            bytes,
            at: "2026-06-06T08:00:00Z",
            expect,
            outcomes: vec![],
            batch_id: "-".into(),
        })
    }
    let h = good(9);
    let one = |venue, key_id, seq| {
        body(
            venue,
            key_id,
            seq,
            t("2026-06-05T12:00:00Z"),
            &[(h, t("2026-06-05T11:00:00Z"))],
        )
    };
    let mut flipped = sign(&one(lyon, 1, 3), &LYON_SEED);
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    refused(
        &mut rows,
        "bad_signature_bit_flip",
        flipped,
        "bad_batch_signature",
    );
    refused(
        &mut rows,
        "bad_signature_other_venue_key",
        sign(&one(lyon, 1, 3), &GUERET_SEED),
        "bad_batch_signature",
    );
    refused(
        &mut rows,
        "unknown_venue_key_2",
        sign(&one(lyon, 2, 3), &LYON_SEED),
        "unknown_venue",
    );
    refused(
        &mut rows,
        "unknown_venue_inactive",
        sign(&one(paris, 1, 1), &PARIS_SEED),
        "unknown_venue",
    );
    refused(
        &mut rows,
        "unknown_venue_unregistered",
        sign(&one("venue-nantes-04", 1, 1), &LYON_SEED),
        "unknown_venue",
    );
    let mut trailing = sign(&one(lyon, 1, 3), &LYON_SEED);
    trailing.push(0);
    refused(
        &mut rows,
        "malformed_trailing_byte",
        trailing,
        "batch_malformed",
    );
    let good_one = sign(&one(lyon, 1, 3), &LYON_SEED);
    refused(
        &mut rows,
        "malformed_truncated",
        good_one[..good_one.len() - 1].to_vec(),
        "batch_malformed",
    );
    let mut magic = one(lyon, 1, 3);
    magic[3] = b'L';
    refused(
        &mut rows,
        "malformed_magic",
        sign(&magic, &LYON_SEED),
        "batch_malformed",
    );
    refused(
        &mut rows,
        "malformed_sequence_zero",
        sign(&one(lyon, 1, 0), &LYON_SEED),
        "batch_malformed",
    );
    refused(
        &mut rows,
        "malformed_uppercase_venue",
        sign(&one("Venue-Lyon-01", 1, 3), &LYON_SEED),
        "batch_malformed",
    );
    refused(
        &mut rows,
        "malformed_no_items",
        sign(
            &body(lyon, 1, 3, t("2026-06-05T12:00:00Z"), &[]),
            &LYON_SEED,
        ),
        "batch_malformed",
    );
    refused(
        &mut rows,
        "malformed_duplicate_token",
        sign(
            &body(
                lyon,
                1,
                3,
                t("2026-06-05T12:00:00Z"),
                &[
                    (h, t("2026-06-05T11:00:00Z")),
                    (h, t("2026-06-05T11:01:00Z")),
                ],
            ),
            &LYON_SEED,
        ),
        "batch_malformed",
    );
    refused(
        &mut rows,
        "malformed_accepted_after_created",
        sign(
            &body(
                lyon,
                1,
                3,
                t("2026-06-05T10:00:00Z"),
                &[(h, t("2026-06-05T11:00:00Z"))],
            ),
            &LYON_SEED,
        ),
        "batch_malformed",
    );
    let mut v2 = good(10);
    v2[0] = 2;
    refused(
        &mut rows,
        "malformed_token_version_2",
        sign(
            &body(
                lyon,
                1,
                3,
                t("2026-06-05T12:00:00Z"),
                &[(v2, t("2026-06-05T11:00:00Z"))],
            ),
            &LYON_SEED,
        ),
        "batch_malformed",
    );
    // Last, a well-formed batch: nothing refused above touched the ledger.
    let last_body = one(lyon, 1, 3);
    ok(
        &mut rows,
        "lyon_after_refusals",
        sign(&last_body, &LYON_SEED),
        &last_body,
        "2026-06-06T08:00:00Z",
        vec![redeemed()],
    );
    rows
}

/// The contents of `tests/vectors/batches.tsv`.
pub fn batches_tsv() -> String {
    let mut out = String::from(
        "# Signed redemption batches (PNRB v1), imported in order (`step`) at `at` into one empty ledger\n\
         # with an operator verifier (any scope, Europe/Paris) over trust_list.hex, and this venue registry\n\
         # (key seeds are public test material):\n\
         #   venue-lyon-01    active    SIRET 12345678900007  key 1 seed 5a x 32\n\
         #   venue-gueret-02  active    SIRET 44234567800019  key 1 seed 5b x 32\n\
         #   venue-paris-03   inactive  SIRET 35600000000048  key 1 seed 5c x 32\n\
         # expect: ok, or the batch-level error code. outcomes, one per item in order (`;`-separated):\n\
         # redeemed, conflict:<winner venue>@<winner time>, rejected:<error code>.\n\
         step\tname\tbatch\tat\texpect\toutcomes\tbatch_id\n",
    );
    for (i, r) in rows().into_iter().enumerate() {
        let outcomes = if r.outcomes.is_empty() {
            "-".to_owned()
        } else {
            r.outcomes.join(";")
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            i + 1,
            r.name,
            data_encoding::HEXLOWER.encode(&r.bytes),
            r.at,
            r.expect,
            outcomes,
            r.batch_id
        ));
    }
    out
}
