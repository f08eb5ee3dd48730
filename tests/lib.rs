//! Conformance vectors shared by the Rust, Python and Kotlin test suites.
//!
//! The vectors in `tests/vectors/` are made by [`generate`], which builds every token byte
//! by byte from the format v1 table with ed25519-dalek and its own Crockford encoder, not
//! through `inclusif-core`: the core is then checked against an independent reading of
//! the specification. Expected verdicts are known by construction (each vector is built
//! to break exactly one rule). `cargo run -p inclusif-conformance --bin gen-vectors`
//! rewrites the files; a test fails if they drift from what the generator makes.

use chrono::{DateTime, NaiveDate, Utc};
use data_encoding::{Encoding, Specification};
use ed25519_dalek::{Signer, SigningKey};
use inclusif_core::voucher::{
    Day, KeyStatus, Kid, PublicKey, Scope, ScopePolicy, SecretKey, TrustEntry, TrustList,
};

#[path = "gen_batch_vectors.rs"]
pub mod batch_vectors;
pub mod fuzz_targets;
pub mod journal_vectors;
pub mod mandate_vectors;

/// Seeds of the test keys. Public test material: never use them for real cheques.
pub const ROOT_SEED: [u8; 32] = [0xa0; 32];
/// Seed of kid 7 (issuer `aptic`, active).
pub const KID7_SEED: [u8; 32] = [0x07; 32];
/// Seed of kid 8 (issuer `aptic`, revoked).
pub const KID8_SEED: [u8; 32] = [0x08; 32];
/// Seed of kid 9 (issuer `cd23`, scope 23 only, at most 10 €).
pub const KID9_SEED: [u8; 32] = [0x09; 32];
/// Seed of a key nobody trusts (signs as kid 99).
pub const ROGUE_SEED: [u8; 32] = [0x63; 32];

fn crockford() -> Encoding {
    let mut spec = Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    spec.encoding().expect("valid specification")
}

fn day(y: i32, m: u32, d: u32) -> u16 {
    let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    u16::try_from((date - epoch).num_days()).expect("in range")
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// A token's fields as written, valid or not.
#[derive(Clone, Copy)]
struct Raw {
    version: u8,
    kid: u16,
    serial: u128,
    value: u16,
    from: u16,
    until: u16,
    scope: u16,
}

impl Raw {
    fn body(&self) -> [u8; 21] {
        let mut b = [0u8; 21];
        b[0] = self.version;
        b[1..3].copy_from_slice(&self.kid.to_be_bytes());
        b[3..13].copy_from_slice(&self.serial.to_be_bytes()[6..]);
        b[13..15].copy_from_slice(&self.value.to_be_bytes());
        b[15..17].copy_from_slice(&self.from.to_be_bytes());
        b[17..19].copy_from_slice(&self.until.to_be_bytes());
        b[19..21].copy_from_slice(&self.scope.to_be_bytes());
        b
    }

    fn sign(&self, seed: &[u8; 32]) -> [u8; 85] {
        let body = self.body();
        let mut msg = b"FR.PASSNUM.V1\0".to_vec();
        msg.extend_from_slice(&body);
        let sig = SigningKey::from_bytes(seed).sign(&msg).to_bytes();
        let mut t = [0u8; 85];
        t[..21].copy_from_slice(&body);
        t[21..].copy_from_slice(&sig);
        t
    }
}

fn base(serial: u128) -> Raw {
    Raw {
        version: 1,
        kid: 7,
        serial: 0x5eed_0000_0000_0000_0000 + serial,
        value: 1000,
        from: day(2026, 1, 1),
        until: day(2026, 12, 31),
        scope: 0,
    }
}

/// The short code of a serial, computed here independently of the core.
fn short_code(serial: u128) -> String {
    let alphabet = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let dbl = |v: u8| {
        let d = v << 1;
        if d & 0x20 != 0 { d ^ 0x25 } else { d }
    };
    let digits: Vec<u8> = (0..16)
        .rev()
        .map(|i| ((serial >> (5 * i)) & 31) as u8)
        .collect();
    let acc = digits.iter().fold(0u8, |a, &d| dbl(a) ^ d);
    let mut s: String = digits
        .iter()
        .map(|&d| alphabet[d as usize] as char)
        .collect();
    s.push(alphabet[dbl(acc) as usize] as char);
    format!(
        "{}-{}-{}-{}-{}",
        &s[..4],
        &s[4..8],
        &s[8..12],
        &s[12..16],
        &s[16..]
    )
}

const DAMM10: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

fn keypad(serial: u128) -> String {
    let mut s = format!("{serial:025}");
    let c = s
        .bytes()
        .fold(0u8, |a, b| DAMM10[a as usize][(b - b'0') as usize]);
    s.push((b'0' + c) as char);
    let groups: Vec<&str> = (0..26).step_by(5).map(|i| &s[i..(i + 5).min(26)]).collect();
    groups.join(" ")
}

/// The trust list every token vector is checked against (built with the core, since its
/// format is the core's own; its signed bytes are a vector too).
pub fn trust_list() -> TrustList {
    let mut l = TrustList::new(42, utc("2026-01-01T00:00:00Z"), 2 * 365 * 86_400).expect("list");
    let key = |s: &[u8; 32]| SecretKey::from_seed(s).public_key();
    let mut k7 = TrustEntry::unrestricted(Kid::new(7).unwrap(), "aptic", key(&KID7_SEED));
    k7.window_from = Day::from_number(day(2025, 1, 1));
    k7.window_until = Day::from_number(day(2026, 6, 30));
    k7.max_value_cents = 2000;
    let mut k8 = TrustEntry::unrestricted(Kid::new(8).unwrap(), "aptic", key(&KID8_SEED));
    k8.status = KeyStatus::Revoked;
    let mut k9 = TrustEntry::unrestricted(Kid::new(9).unwrap(), "cd23", key(&KID9_SEED));
    k9.max_value_cents = 1000;
    k9.scopes = ScopePolicy::only([Scope(23)]).unwrap();
    for e in [k7, k8, k9] {
        l.insert(e).expect("entry");
    }
    l
}

/// The root public key as hex.
pub fn root_public_hex() -> String {
    SecretKey::from_seed(&ROOT_SEED).public_key().to_hex()
}

struct TokenVector {
    name: &'static str,
    mode: &'static str,
    input: String,
    at: &'static str,
    tz: &'static str,
    scopes: &'static str,
    revoked: String,
    expect: &'static str,
    ok: Option<Raw>,
}

/// A token's text as a person might type it: lower case, `o` for `0`, `l` for `1`, a
/// hyphen after every fourth character (none at the end). Shared by the vector generators.
pub(crate) fn typed_by_hand(text: &str) -> String {
    let last = text.chars().count() - 1;
    text.chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let c = match c {
                '0' => 'o',
                '1' => 'l',
                c => c.to_ascii_lowercase(),
            };
            if i % 4 == 3 && i != last {
                vec![c, '-']
            } else {
                vec![c]
            }
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

fn token_vectors() -> Vec<TokenVector> {
    let b32 = crockford();
    let text = |t: &[u8; 85]| b32.encode(t);
    let mut v = Vec::new();
    let mut push = |name, mode, input: String, at, tz, scopes, expect, ok: Option<Raw>| {
        v.push(TokenVector {
            name,
            mode,
            input,
            at,
            tz,
            scopes,
            revoked: "-".into(),
            expect,
            ok,
        })
    };
    let noon = "2026-06-01T10:00:00Z";
    let paris = "Europe/Paris";

    let good = base(1);
    let good_t = good.sign(&KID7_SEED);
    push(
        "ok_strict_text",
        "strict",
        text(&good_t),
        noon,
        paris,
        "-",
        "ok",
        Some(good),
    );
    push(
        "ok_qr_payload",
        "strict",
        format!("PN1:{}", text(&good_t)),
        noon,
        paris,
        "-",
        "ok",
        Some(good),
    );
    let typed = typed_by_hand(&text(&good_t));
    push(
        "ok_human_typed",
        "human",
        typed,
        noon,
        paris,
        "-",
        "ok",
        Some(good),
    );
    push(
        "ok_binary",
        "bytes",
        hex(&good_t),
        noon,
        paris,
        "-",
        "ok",
        Some(good),
    );
    push(
        "ok_human_with_spaces",
        "human",
        text(&good_t)
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join(" "),
        noon,
        paris,
        "-",
        "ok",
        Some(good),
    );

    // Length and characters.
    let t = text(&good_t);
    push(
        "malformed_one_short",
        "strict",
        t[1..].to_string(),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_one_long",
        "strict",
        format!("{t}0"),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_letter_u",
        "strict",
        format!("U{}", &t[1..]),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_lowercase_strict",
        "strict",
        t.to_lowercase(),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_letter_o_strict",
        "strict",
        format!("O{}", &t[1..]),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_lowercase_prefix",
        "strict",
        format!("pn1:{t}"),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_wrong_prefix",
        "strict",
        format!("PN2:{t}"),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_spaces_strict",
        "strict",
        format!(" {}", &t[1..]),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_human_u",
        "human",
        format!("u{}", &t[1..]),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );
    push(
        "malformed_binary_84",
        "bytes",
        hex(&good_t[..84]),
        noon,
        paris,
        "-",
        "malformed",
        None,
    );

    // Version.
    let v2 = Raw {
        version: 2,
        ..base(2)
    };
    push(
        "unsupported_version_2",
        "strict",
        text(&v2.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "unsupported_version",
        None,
    );
    let v0 = Raw {
        version: 0,
        ..base(3)
    };
    push(
        "unsupported_version_0",
        "bytes",
        hex(&v0.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "unsupported_version",
        None,
    );

    // Keys.
    let rogue = Raw { kid: 99, ..base(4) };
    push(
        "unknown_key",
        "strict",
        text(&rogue.sign(&ROGUE_SEED)),
        noon,
        paris,
        "-",
        "unknown_key",
        None,
    );
    let kid0 = Raw { kid: 0, ..base(5) };
    push(
        "invalid_field_kid_zero",
        "strict",
        text(&kid0.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "invalid_field",
        None,
    );
    let revoked = Raw { kid: 8, ..base(6) };
    push(
        "revoked_key",
        "strict",
        text(&revoked.sign(&KID8_SEED)),
        noon,
        paris,
        "-",
        "revoked_key",
        None,
    );

    // Signature.
    let mut flipped = base(7).sign(&KID7_SEED);
    flipped[84] ^= 0x01;
    push(
        "bad_signature_bit_flip",
        "strict",
        text(&flipped),
        noon,
        paris,
        "-",
        "bad_signature",
        None,
    );
    let mut tampered = base(8).sign(&KID7_SEED);
    // Raise the value from 1000 (0x03e8) to 2024 (0x07e8) after signing.
    tampered[13] = 0x07;
    push(
        "bad_signature_value_raised",
        "strict",
        text(&tampered),
        noon,
        paris,
        "-",
        "bad_signature",
        None,
    );
    let wrong_key = base(9).sign(&KID9_SEED);
    push(
        "bad_signature_other_key",
        "strict",
        text(&wrong_key),
        noon,
        paris,
        "-",
        "bad_signature",
        None,
    );

    // Field rules (signed, so only the field rule can fail).
    let zero = Raw {
        value: 0,
        ..base(10)
    };
    push(
        "invalid_field_value_zero",
        "strict",
        text(&zero.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "invalid_field",
        None,
    );
    let reversed = Raw {
        from: day(2026, 12, 31),
        until: day(2026, 1, 1),
        ..base(11)
    };
    push(
        "invalid_field_window_reversed",
        "strict",
        text(&reversed.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "invalid_field",
        None,
    );
    let long = Raw {
        from: day(2026, 1, 1),
        until: day(2026, 1, 1) + 1101,
        ..base(12)
    };
    push(
        "invalid_field_window_1101_days",
        "strict",
        text(&long.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "invalid_field",
        None,
    );
    let longest = Raw {
        from: day(2026, 1, 1),
        until: day(2026, 1, 1) + 1100,
        ..base(13)
    };
    push(
        "ok_window_1100_days",
        "strict",
        text(&longest.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "ok",
        Some(longest),
    );

    // Dates in time zones.
    push(
        "not_yet_valid",
        "strict",
        text(&good_t),
        "2025-12-31T12:00:00Z",
        paris,
        "-",
        "not_yet_valid",
        None,
    );
    push(
        "expired",
        "strict",
        text(&good_t),
        "2027-01-01T12:00:00Z",
        paris,
        "-",
        "expired",
        None,
    );
    push(
        "ok_first_day_paris_midnight",
        "strict",
        text(&good_t),
        "2025-12-31T23:00:00Z",
        paris,
        "-",
        "ok",
        Some(good),
    );
    push(
        "not_yet_valid_paris_one_second_early",
        "strict",
        text(&good_t),
        "2025-12-31T22:59:59Z",
        paris,
        "-",
        "not_yet_valid",
        None,
    );
    push(
        "ok_last_day_paris",
        "strict",
        text(&good_t),
        "2026-12-31T22:59:59Z",
        paris,
        "-",
        "ok",
        Some(good),
    );
    push(
        "expired_paris_after_midnight",
        "strict",
        text(&good_t),
        "2026-12-31T23:00:00Z",
        paris,
        "-",
        "expired",
        None,
    );
    push(
        "ok_same_instant_in_utc",
        "strict",
        text(&good_t),
        "2026-12-31T23:00:00Z",
        "UTC",
        "-",
        "ok",
        Some(good),
    );
    push(
        "expired_reunion_already_new_year",
        "strict",
        text(&good_t),
        "2026-12-31T20:30:00Z",
        "Indian/Reunion",
        "-",
        "expired",
        None,
    );
    push(
        "ok_paris_same_instant_as_reunion",
        "strict",
        text(&good_t),
        "2026-12-31T20:30:00Z",
        paris,
        "-",
        "ok",
        Some(good),
    );
    push(
        "not_yet_valid_cayenne_still_last_year",
        "strict",
        text(&good_t),
        "2026-01-01T01:00:00Z",
        "America/Cayenne",
        "-",
        "not_yet_valid",
        None,
    );
    push(
        "ok_noumea_already_new_year",
        "strict",
        text(&good_t),
        "2025-12-31T13:00:00Z",
        "Pacific/Noumea",
        "-",
        "ok",
        Some(good),
    );

    // Key limits.
    let late = Raw {
        from: day(2026, 7, 1),
        until: day(2026, 12, 31),
        ..base(14)
    };
    push(
        "outside_key_window",
        "strict",
        text(&late.sign(&KID7_SEED)),
        "2026-07-02T10:00:00Z",
        paris,
        "-",
        "outside_key_window",
        None,
    );
    let early = Raw {
        from: day(2024, 12, 31),
        until: day(2026, 12, 31),
        ..base(15)
    };
    push(
        "outside_key_window_before",
        "strict",
        text(&early.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "outside_key_window",
        None,
    );
    let dear = Raw {
        value: 2001,
        ..base(16)
    };
    push(
        "value_above_key_limit",
        "strict",
        text(&dear.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "value_above_key_limit",
        None,
    );
    let max = Raw {
        value: 2000,
        ..base(17)
    };
    push(
        "ok_value_at_key_limit",
        "strict",
        text(&max.sign(&KID7_SEED)),
        noon,
        paris,
        "-",
        "ok",
        Some(max),
    );

    // Scopes.
    let paris_scope = Raw {
        scope: 75,
        ..base(18)
    };
    let ps = paris_scope.sign(&KID7_SEED);
    push(
        "scope_not_accepted",
        "strict",
        text(&ps),
        noon,
        paris,
        "-",
        "scope_not_accepted",
        None,
    );
    push(
        "scope_not_accepted_other_scope",
        "strict",
        text(&ps),
        noon,
        paris,
        "974",
        "scope_not_accepted",
        None,
    );
    push(
        "ok_scope_accepted",
        "strict",
        text(&ps),
        noon,
        paris,
        "974;75",
        "ok",
        Some(paris_scope),
    );
    push(
        "ok_any_scope",
        "strict",
        text(&ps),
        noon,
        paris,
        "any",
        "ok",
        Some(paris_scope),
    );
    let creuse = Raw {
        kid: 9,
        scope: 23,
        ..base(19)
    };
    push(
        "ok_departement_scope",
        "strict",
        text(&creuse.sign(&KID9_SEED)),
        noon,
        "Europe/Paris",
        "23",
        "ok",
        Some(creuse),
    );
    let creuse_nat = Raw {
        kid: 9,
        scope: 0,
        ..base(20)
    };
    push(
        "scope_not_allowed_for_key",
        "strict",
        text(&creuse_nat.sign(&KID9_SEED)),
        noon,
        paris,
        "any",
        "scope_not_allowed_for_key",
        None,
    );

    // Revoked serials and trust list age.
    let rs = base(21);
    let rs_t = rs.sign(&KID7_SEED);
    v.push(TokenVector {
        name: "revoked_serial",
        mode: "strict",
        input: text(&rs_t),
        at: noon,
        tz: paris,
        scopes: "-",
        revoked: format!("{:020x};{:020x}", base(99).serial, rs.serial),
        expect: "revoked_serial",
        ok: None,
    });
    v.push(TokenVector {
        name: "ok_other_serial_revoked",
        mode: "strict",
        input: text(&good_t),
        at: noon,
        tz: paris,
        scopes: "-",
        revoked: format!("{:020x}", rs.serial),
        expect: "ok",
        ok: Some(good),
    });
    v.push(TokenVector {
        name: "trust_list_expired",
        mode: "strict",
        input: text(&good_t),
        at: "2028-01-01T00:00:01Z",
        tz: paris,
        scopes: "-",
        revoked: "-".into(),
        expect: "trust_list_expired",
        ok: None,
    });
    v
}

const TOKENS_HEADER: &str = "\
# Pass numérique token vectors, format v1. Generated by `cargo run -p inclusif-conformance --bin gen-vectors`.
# Verify `input` (mode strict: strict text or PN1: payload; human: hand-typed; bytes: hex of raw bytes)
# at instant `at`, civil dates in `tz`, with the trust list in trust_list.hex (root key in keys.tsv),
# accepting national vouchers plus `scopes` (- none, any: every scope, else ;-separated),
# refusing `revoked_serials` (- none, else ;-separated 20-hex serials).
# `expect` is ok or the error code; for ok the verified fields follow.
name\tmode\tinput\tat\ttz\tscopes\trevoked_serials\texpect\tkid\tserial\tvalue_cents\tvalid_from\tvalid_until\tscope\tshort_code\tkeypad_code
";

fn date_of(day: u16) -> String {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    (epoch + chrono::Days::new(u64::from(day))).to_string()
}

fn tokens_tsv() -> String {
    let mut out = TOKENS_HEADER.to_string();
    for v in token_vectors() {
        let tail = match v.ok {
            Some(r) => format!(
                "{}\t{:020x}\t{}\t{}\t{}\t{}\t{}\t{}",
                r.kid,
                r.serial,
                r.value,
                date_of(r.from),
                date_of(r.until),
                r.scope,
                short_code(r.serial),
                keypad(r.serial)
            ),
            None => ["-"; 8].join("\t"),
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            v.name, v.mode, v.input, v.at, v.tz, v.scopes, v.revoked, v.expect, tail
        ));
    }
    out
}

fn codes_tsv() -> String {
    let mut out = String::from(
        "# Short codes (XXXX-XXXX-XXXX-XXXX-C, GF(32) check) and keypad codes (25 digits + Damm).\n\
         # Parse `input` as typed; `expect` is ok (then `serial`) or the error code.\n\
         name\tinput\texpect\tserial\n",
    );
    let s: u128 = 0x5eed_0000_0000_0000_0001;
    let sc = short_code(s);
    let kp = keypad(s);
    let mut rows: Vec<(String, String, &str, String)> = vec![
        ("short_ok".into(), sc.clone(), "ok", format!("{s:020x}")),
        (
            "short_ok_compact_lower".into(),
            sc.replace('-', "").to_lowercase(),
            "ok",
            format!("{s:020x}"),
        ),
        ("keypad_ok".into(), kp.clone(), "ok", format!("{s:020x}")),
        (
            "keypad_ok_compact".into(),
            kp.replace(' ', ""),
            "ok",
            format!("{s:020x}"),
        ),
        (
            "short_too_short".into(),
            sc[..19].to_string(),
            "malformed",
            "-".into(),
        ),
        (
            "short_with_u".into(),
            format!("U{}", &sc[1..]),
            "malformed",
            "-".into(),
        ),
        (
            "keypad_letter".into(),
            format!("A{}", &kp[1..]),
            "malformed",
            "-".into(),
        ),
        (
            "keypad_25_digits".into(),
            kp.replace(' ', "")[..25].to_string(),
            "malformed",
            "-".into(),
        ),
    ];
    let alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let compact: Vec<char> = sc.replace('-', "").chars().collect();
    for pos in [0usize, 7, 16] {
        let mut m = compact.clone();
        let i = alphabet.find(m[pos]).unwrap();
        m[pos] = alphabet.chars().nth((i + 1) % 32).unwrap();
        rows.push((
            format!("short_substitution_{pos}"),
            m.iter().collect(),
            "bad_check_character",
            "-".into(),
        ));
    }
    for pos in [0usize, 15] {
        let mut m = compact.clone();
        if m[pos] != m[pos + 1] {
            m.swap(pos, pos + 1);
            rows.push((
                format!("short_swap_{pos}"),
                m.iter().collect(),
                "bad_check_character",
                "-".into(),
            ));
        }
    }
    let kc: Vec<char> = kp.replace(' ', "").chars().collect();
    for pos in [0usize, 12, 25] {
        let mut m = kc.clone();
        m[pos] = char::from_digit((m[pos].to_digit(10).unwrap() + 1) % 10, 10).unwrap();
        rows.push((
            format!("keypad_substitution_{pos}"),
            m.iter().collect(),
            "bad_check_character",
            "-".into(),
        ));
    }
    let big = "9999999999999999999999999".parse::<u128>().unwrap();
    let mut d = format!("{big:025}");
    let c = d
        .bytes()
        .fold(0u8, |a, b| DAMM10[a as usize][(b - b'0') as usize]);
    d.push((b'0' + c) as char);
    rows.push((
        "keypad_above_80_bits".into(),
        d,
        "invalid_field",
        "-".into(),
    ));
    for (n, i, e, s) in rows {
        out.push_str(&format!("{n}\t{i}\t{e}\t{s}\n"));
    }
    out
}

fn keys_tsv() -> String {
    let mut out = String::from(
        "# Test keys (public test material; never use for real cheques). seed is the 32-byte Ed25519 seed.\n\
         role\tkid\tseed\tpublic_key\n",
    );
    for (role, kid, seed) in [
        ("root", 0, ROOT_SEED),
        ("issuer", 7, KID7_SEED),
        ("issuer", 8, KID8_SEED),
        ("issuer", 9, KID9_SEED),
        ("rogue", 99, ROGUE_SEED),
    ] {
        let pk = SigningKey::from_bytes(&seed).verifying_key();
        out.push_str(&format!(
            "{role}\t{kid}\t{}\t{}\n",
            hex(&seed),
            hex(pk.as_bytes())
        ));
    }
    out
}

fn trust_lists_tsv() -> String {
    let root = SecretKey::from_seed(&ROOT_SEED);
    let good = trust_list().sign(&root);
    let mut out = String::from(
        "# Signed trust lists: open `hex` with the root key of keys.tsv, then check freshness at `at`.\n\
         # `loaded` is - or the file of a list already loaded in the verifier, which the opened\n\
         # list then replaces (never going back). expect ok (then sequence and kids) or the code.\n\
         name\thex\tat\tloaded\texpect\tsequence\tkids\n",
    );
    let noon = "2026-06-01T10:00:00Z";
    let mut row =
        |name: &str, bytes: &[u8], at: &str, loaded: &str, expect: &str, seq: &str, kids: &str| {
            out.push_str(&format!(
                "{name}\t{}\t{at}\t{loaded}\t{expect}\t{seq}\t{kids}\n",
                hex(bytes)
            ));
        };
    row("ok", &good, noon, "-", "ok", "42", "7;8;9");
    row(
        "expired",
        &good,
        "2028-01-01T00:00:01Z",
        "-",
        "trust_list_expired",
        "-",
        "-",
    );
    let mut flipped = good.clone();
    flipped[30] ^= 1;
    row(
        "bad_signature",
        &flipped,
        noon,
        "-",
        "trust_list_bad_signature",
        "-",
        "-",
    );
    row(
        "truncated",
        &good[..good.len() - 1],
        noon,
        "-",
        "trust_list_bad_signature",
        "-",
        "-",
    );
    row(
        "too_short",
        &good[..20],
        noon,
        "-",
        "trust_list_malformed",
        "-",
        "-",
    );
    let resign = |body: &[u8]| {
        let mut m = b"FR.PASSNUM.TL1\0".to_vec();
        m.extend_from_slice(body);
        let mut out = body.to_vec();
        out.extend_from_slice(&SigningKey::from_bytes(&ROOT_SEED).sign(&m).to_bytes());
        out
    };
    let body = &good[..good.len() - 64];
    // The first entry's key starts at 4+1+8+8+4+2 + 2 (kid) + 1 (status) = 30.
    let with_first_key = |key: [u8; 32]| {
        let mut b = body.to_vec();
        b[30..62].copy_from_slice(&key);
        resign(&b)
    };
    let mut identity = [0u8; 32];
    identity[0] = 1;
    row(
        "weak_key_small_order",
        &with_first_key(identity),
        noon,
        "-",
        "weak_key",
        "-",
        "-",
    );
    let kid7 = SigningKey::from_bytes(&KID7_SEED)
        .verifying_key()
        .to_edwards();
    let mixed = (kid7 + curve25519_dalek::constants::EIGHT_TORSION[1])
        .compress()
        .to_bytes();
    row(
        "weak_key_torsion_component",
        &with_first_key(mixed),
        noon,
        "-",
        "weak_key",
        "-",
        "-",
    );
    let not_a_point = (2u8..=255)
        .map(|y| {
            let mut b = [0u8; 32];
            b[0] = y;
            b
        })
        .find(|b| {
            curve25519_dalek::edwards::CompressedEdwardsY(*b)
                .decompress()
                .is_none()
        })
        .expect("some y is off the curve");
    row(
        "invalid_key_not_a_point",
        &with_first_key(not_a_point),
        noon,
        "-",
        "invalid_key",
        "-",
        "-",
    );
    let non_canonical = (0u8..19)
        .map(|y| {
            let mut b = [0xffu8; 32];
            b[0] = 0xed + y;
            b[31] = 0x7f;
            b
        })
        .find(|b| {
            curve25519_dalek::edwards::CompressedEdwardsY(*b)
                .decompress()
                .is_some_and(|p| !p.is_small_order() && p.is_torsion_free())
        });
    if let Some(key) = non_canonical {
        row(
            "invalid_key_non_canonical",
            &with_first_key(key),
            noon,
            "-",
            "invalid_key",
            "-",
            "-",
        );
    }
    let mut trailing = body.to_vec();
    trailing.push(0);
    row(
        "trailing_byte",
        &resign(&trailing),
        noon,
        "-",
        "trust_list_malformed",
        "-",
        "-",
    );
    let mut v2 = body.to_vec();
    v2[4] = 2;
    row(
        "format_2",
        &resign(&v2),
        noon,
        "-",
        "trust_list_malformed",
        "-",
        "-",
    );
    let with_sequence = |seq: u64, drop_kid9: bool| {
        let mut l =
            TrustList::new(seq, utc("2026-01-01T00:00:00Z"), 2 * 365 * 86_400).expect("list");
        for e in trust_list().entries() {
            if !(drop_kid9 && e.kid.get() == 9) {
                l.insert(e.clone()).expect("entry");
            }
        }
        l.sign(&root)
    };
    row(
        "newer_replaces",
        &with_sequence(43, false),
        noon,
        "trust_list.hex",
        "ok",
        "43",
        "7;8;9",
    );
    row(
        "same_list_again",
        &good,
        noon,
        "trust_list.hex",
        "ok",
        "42",
        "7;8;9",
    );
    row(
        "rollback_older",
        &with_sequence(41, false),
        noon,
        "trust_list.hex",
        "trust_list_rollback",
        "-",
        "-",
    );
    row(
        "rollback_same_sequence_other_keys",
        &with_sequence(42, true),
        noon,
        "trust_list.hex",
        "trust_list_rollback",
        "-",
        "-",
    );
    out
}

fn redemptions_tsv() -> String {
    let b32 = crockford();
    let a = b32.encode(&base(1).sign(&KID7_SEED));
    let b = b32.encode(&base(17).sign(&KID7_SEED));
    // Same serial as `a`, other signature bytes: a second signature over the same body is
    // impossible with deterministic Ed25519, so change the value (another body, same serial).
    let a_other = b32.encode(
        &Raw {
            value: 500,
            ..base(1)
        }
        .sign(&KID7_SEED),
    );
    let mut out = String::from(
        "# Redemption sequence against one empty ledger: verify `token` (strict) at `at` (Europe/Paris),\n\
         # redeem at `venue`; expect ok or the error code, and for already_redeemed the first venue and time.\n\
         step\ttoken\tvenue\tat\texpect\tfirst_venue\tfirst_at\n",
    );
    out.push_str(&format!(
        "1\t{a}\tvenue-lyon-01\t2026-06-01T10:00:00Z\tok\t-\t-\n"
    ));
    out.push_str(&format!(
        "2\t{b}\tvenue-lyon-01\t2026-06-01T10:05:00Z\tok\t-\t-\n"
    ));
    out.push_str(&format!("3\t{a}\tvenue-gueret-02\t2026-06-02T09:00:00Z\talready_redeemed\tvenue-lyon-01\t2026-06-01T10:00:00Z\n"));
    out.push_str(&format!("4\t{a_other}\tvenue-gueret-02\t2026-06-02T09:01:00Z\talready_redeemed\tvenue-lyon-01\t2026-06-01T10:00:00Z\n"));
    out
}

/// Every vector file, as (file name, contents).
pub fn generate() -> Vec<(&'static str, String)> {
    vec![
        ("keys.tsv", keys_tsv()),
        (
            "trust_list.hex",
            format!(
                "{}\n",
                hex(&trust_list().sign(&SecretKey::from_seed(&ROOT_SEED)))
            ),
        ),
        ("trust_lists.tsv", trust_lists_tsv()),
        ("tokens.tsv", tokens_tsv()),
        ("codes.tsv", codes_tsv()),
        ("redemptions.tsv", redemptions_tsv()),
        ("batches.tsv", batch_vectors::batches_tsv()),
    ]
}

/// The vectors folder.
pub fn vector_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Reads a TSV vector file into rows of named columns (comments and blank lines skipped).
pub fn read_tsv(name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(vector_dir().join(name)).expect("vector file");
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split('\t')
        .map(str::to_owned)
        .collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert_eq!(cells.len(), header.len(), "row {l}");
            header
                .iter()
                .cloned()
                .zip(cells.into_iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

/// Parses an RFC 3339 instant.
pub fn instant(s: &str) -> DateTime<Utc> {
    utc(s)
}

/// The root public key of the vectors.
pub fn root_key() -> PublicKey {
    SecretKey::from_seed(&ROOT_SEED).public_key()
}
