//! Conformance vectors of the signed mandate token, format v1 (`vectors/mandate_tokens.tsv`).
//!
//! Every token is built byte by byte from the format table of issue 5 with ed25519-dalek
//! and sha2, not through `inclusif-core`'s token code, so the core is checked against an
//! independent reading of the specification. Only the trust lists, whose byte format is
//! the core's own, are built with the core. Each row is built to break exactly one rule
//! (or two, to pin down the order of the checks). `cargo run -p inclusif-conformance
//! --bin gen-mandate-vectors` rewrites the file; a test fails if it drifts.

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signer, SigningKey};
use inclusif_core::voucher::{KeyStatus, Kid, SecretKey, TrustEntry, TrustList};
use sha2::{Digest, Sha256};

use super::{ROOT_SEED, crockford, hex, utc};

/// Seed of kid 3, bound to organisation 42 (`org.42`), active. Public test material.
pub const MANDATE_KID3_SEED: [u8; 32] = [0x33; 32];
/// Seed of kid 4, bound to organisation 42, revoked.
pub const MANDATE_KID4_SEED: [u8; 32] = [0x34; 32];
/// Seed of kid 5, bound to organisation 43, active.
pub const MANDATE_KID5_SEED: [u8; 32] = [0x35; 32];
/// Seed of kid 20, trusted for any organisation (the command line's `--key`).
pub const MANDATE_KID20_SEED: [u8; 32] = [0x14; 32];
/// Seed of a key nobody trusts (signs as kid 99, and as kid 3 for bad signatures).
pub const MANDATE_ROGUE_SEED: [u8; 32] = [0x66; 32];

/// 2020-01-01T00:00:00Z, the `created_at` epoch, in Unix seconds.
const EPOCH: i64 = 1_577_836_800;
/// The end of EUS_03_20: 2020-05-23T22:59:59Z.
const EUS_END: &str = "2020-05-23T22:59:59Z";
const NOW: &str = "2026-06-01T10:00:00Z";
const SUB: &str = "fc-sub-0001";
const DEMARCHES: [&str; 10] = [
    "papiers",
    "famille",
    "social",
    "travail",
    "logement",
    "transports",
    "argent",
    "justice",
    "etranger",
    "loisirs",
];

/// SHA-256("FR.AIDANTS.USAGER.V1\0" ‖ organisation (4 bytes BE) ‖ sub)[..16].
fn usager(org: u32, sub: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(b"FR.AIDANTS.USAGER.V1\0");
    h.update(org.to_be_bytes());
    h.update(sub.as_bytes());
    h.finalize()[..16].try_into().expect("16 bytes")
}

fn seconds(instant: &str) -> u32 {
    u32::try_from(utc(instant).timestamp() - EPOCH).expect("after 2020-01-01")
}

fn rfc3339(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .expect("in range")
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A token's fields as written, valid or not.
#[derive(Clone, Copy)]
struct Raw {
    version: u8,
    kid: u16,
    org: u32,
    id: u128,
    usager: [u8; 16],
    demarches: u16,
    created: u32,
    duration: u8,
    consent: u8,
}

impl Raw {
    fn body(&self) -> [u8; 41] {
        let mut b = [0u8; 41];
        b[0] = self.version;
        b[1..3].copy_from_slice(&self.kid.to_be_bytes());
        b[3..7].copy_from_slice(&self.org.to_be_bytes());
        b[7..17].copy_from_slice(&self.id.to_be_bytes()[6..]);
        b[17..33].copy_from_slice(&self.usager);
        b[33..35].copy_from_slice(&self.demarches.to_be_bytes());
        b[35..39].copy_from_slice(&self.created.to_be_bytes());
        b[39] = self.duration;
        b[40] = self.consent;
        b
    }

    fn sign(&self, seed: &[u8; 32]) -> [u8; 105] {
        let body = self.body();
        let mut msg = b"FR.AIDANTS.MANDAT.V1\0".to_vec();
        msg.extend_from_slice(&body);
        let sig = SigningKey::from_bytes(seed).sign(&msg).to_bytes();
        let mut t = [0u8; 105];
        t[..41].copy_from_slice(&body);
        t[41..].copy_from_slice(&sig);
        t
    }

    /// The verified fields, as the `ok` columns show them.
    fn fields(&self) -> String {
        let created = EPOCH + i64::from(self.created);
        let (duration, expires) = match self.duration {
            1 => ("SHORT", created + 86_400),
            2 => ("MONTH", created + 31 * 86_400),
            3 => ("SEMESTER", created + 182 * 86_400),
            4 => ("LONG", created + 365 * 86_400),
            5 => ("EUS_03_20", utc(EUS_END).timestamp()),
            d => panic!("no ok vector has duration {d}"),
        };
        let consent = ["in_person", "remote_paper", "remote_sms"][usize::from(self.consent)];
        let demarches: Vec<&str> = (0..10)
            .filter(|i| self.demarches & (1 << i) != 0)
            .map(|i| DEMARCHES[i])
            .collect();
        format!(
            "{}\t{}\t{}\t{}\t{duration}\t{consent}\t{}\t{}",
            self.kid,
            self.org,
            hex(&self.id.to_be_bytes()[6..]),
            demarches.join(","),
            rfc3339(created),
            rfc3339(expires)
        )
    }
}

/// Organisation 42's mandate number `n`: papiers and social, LONG, in person, created
/// 2026-03-01T09:30:00Z (so valid until 2027-03-01T09:30:00Z), for usager `fc-sub-0001`.
fn base(n: u128) -> Raw {
    Raw {
        version: 1,
        kid: 3,
        org: 42,
        id: 0xac1d_0000_0000_0000_0000 + n,
        usager: usager(42, SUB),
        demarches: 0b101,
        created: seconds("2026-03-01T09:30:00Z"),
        duration: 4,
        consent: 0,
    }
}

fn public_hex(seed: &[u8; 32]) -> String {
    hex(SigningKey::from_bytes(seed).verifying_key().as_bytes())
}

/// The trust list of the vectors: kid 3 and kid 4 (revoked) bound to organisation 42,
/// kid 5 to organisation 43; issued 2026-01-01, usable until 2028-01-01T00:00:00Z.
fn trust_list_hex(issuer_of_kid3: &str) -> String {
    let mut l = TrustList::new(7, utc("2026-01-01T00:00:00Z"), 2 * 365 * 86_400).expect("list");
    let key = |s: &[u8; 32]| SecretKey::from_seed(s).public_key();
    let k = |n| Kid::new(n).expect("kid");
    let mut k4 = TrustEntry::unrestricted(k(4), "org.42", key(&MANDATE_KID4_SEED));
    k4.status = KeyStatus::Revoked;
    for e in [
        TrustEntry::unrestricted(k(3), issuer_of_kid3, key(&MANDATE_KID3_SEED)),
        k4,
        TrustEntry::unrestricted(k(5), "org.43", key(&MANDATE_KID5_SEED)),
    ] {
        l.insert(e).expect("entry");
    }
    hex(&l.sign(&SecretKey::from_seed(&ROOT_SEED)))
}

struct Row {
    name: &'static str,
    mode: &'static str,
    input: String,
    at: &'static str,
    keys: String,
    trust_list: String,
    revoked: String,
    demarche: &'static str,
    usager_sub: &'static str,
    expect: &'static str,
    ok: Option<Raw>,
}

const HEADER: &str = "\
# Signed mandate tokens (Aidants Connect), format v1: 105 bytes, Ed25519. Generated by
# `cargo run -p inclusif-conformance --bin gen-mandate-vectors`; every token is built byte by byte
# from the format table of issue 5 with ed25519-dalek and sha2 (test keys below: public test
# material, never use them for real mandates).
# To run a row:
# 1. Build a verifier from `trust_list` (- none, else the hex of a signed trust list: open it with
#    the root key of keys.tsv; each key is bound to the organisation its issuer names, `org.<id>`
#    in decimal without leading zeros, and a list with any other issuer is refused with
#    trust_list_malformed) and from `keys` (- none, else ;-separated KID:HEX public keys trusted
#    for any organisation, like `inclusif mandate verify --key`).
# 2. Refuse the mandate ids of `revoked` (- none, else ;-separated 20 lowercase hex), require the
#    démarche `demarche` and the usager whose FranceConnect sub is `usager_sub` (- none).
# 3. Verify `input` at the instant `at` (mode strict: the 168-character text or the AC1: payload;
#    human: hand-typed text; bytes: hex of the raw bytes). With a trust list, its freshness is
#    checked first (trust_list_expired after issued_at + max_age).
# `expect` is ok or the error code; for ok the verified fields follow: kid, organisation,
# mandate_id (20 lowercase hex), demarches (comma-separated, bit order), duration keyword,
# consent (in_person, remote_paper, remote_sms), created_at and expires_at (RFC 3339, UTC).
# An expiry is still valid at its exact instant (`now > expires_at` is expired).
";

fn rows() -> Vec<Row> {
    let b32 = crockford();
    let text = |t: &[u8; 105]| b32.encode(t);
    let list = trust_list_hex("org.42");
    let any20 = format!("20:{}", public_hex(&MANDATE_KID20_SEED));
    let mut v: Vec<Row> = Vec::new();
    let mut push = |name, mode, input: String, at, expect, ok: Option<Raw>| {
        v.push(Row {
            name,
            mode,
            input,
            at,
            keys: "-".into(),
            trust_list: list.clone(),
            revoked: "-".into(),
            demarche: "-",
            usager_sub: "-",
            expect,
            ok,
        });
    };

    // Good tokens in every form.
    let good = base(1);
    let good_t = good.sign(&MANDATE_KID3_SEED);
    let t = text(&good_t);
    push("ok_strict_text", "strict", t.clone(), NOW, "ok", Some(good));
    push(
        "ok_qr_payload",
        "strict",
        format!("AC1:{t}"),
        NOW,
        "ok",
        Some(good),
    );
    let typed = crate::typed_by_hand(&t);
    push("ok_human_typed", "human", typed, NOW, "ok", Some(good));
    let spaced = t
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join(" ");
    push(
        "ok_human_prefix_and_spaces",
        "human",
        format!("ac1: {spaced}"),
        NOW,
        "ok",
        Some(good),
    );
    push("ok_bytes", "bytes", hex(&good_t), NOW, "ok", Some(good));
    let every = Raw {
        demarches: 0x03ff,
        duration: 2,
        consent: 2,
        created: seconds("2026-05-20T14:00:00Z"),
        ..base(2)
    };
    push(
        "ok_all_demarches_month_sms",
        "strict",
        text(&every.sign(&MANDATE_KID3_SEED)),
        NOW,
        "ok",
        Some(every),
    );
    let semester = Raw {
        demarches: (1 << 9) | (1 << 6),
        duration: 3,
        consent: 1,
        ..base(3)
    };
    push(
        "ok_semester_remote_paper",
        "strict",
        text(&semester.sign(&MANDATE_KID3_SEED)),
        NOW,
        "ok",
        Some(semester),
    );
    let org43 = Raw {
        kid: 5,
        org: 43,
        usager: usager(43, SUB),
        ..base(4)
    };
    push(
        "ok_organisation_43_key",
        "strict",
        text(&org43.sign(&MANDATE_KID5_SEED)),
        NOW,
        "ok",
        Some(org43),
    );

    // Validity interval: both ends inclusive, to the second.
    push(
        "ok_at_creation_instant",
        "strict",
        t.clone(),
        "2026-03-01T09:30:00Z",
        "ok",
        Some(good),
    );
    push(
        "not_yet_valid_one_second_before",
        "strict",
        t.clone(),
        "2026-03-01T09:29:59Z",
        "not_yet_valid",
        None,
    );
    push(
        "ok_long_at_exact_expiry",
        "strict",
        t.clone(),
        "2027-03-01T09:30:00Z",
        "ok",
        Some(good),
    );
    push(
        "expired_long_one_second_after",
        "strict",
        t.clone(),
        "2027-03-01T09:30:01Z",
        "expired",
        None,
    );
    let short = Raw {
        duration: 1,
        created: seconds("2026-06-01T10:00:00Z"),
        ..base(5)
    };
    let short_t = text(&short.sign(&MANDATE_KID3_SEED));
    push(
        "ok_short_at_exact_expiry",
        "strict",
        short_t.clone(),
        "2026-06-02T10:00:00Z",
        "ok",
        Some(short),
    );
    push(
        "expired_short_one_second_after",
        "strict",
        short_t,
        "2026-06-02T10:00:01Z",
        "expired",
        None,
    );
    // Across the change to summer time: 31 × 24 h keeps the UTC hour.
    let dst = Raw {
        duration: 2,
        created: seconds("2026-03-15T09:00:00Z"),
        ..base(6)
    };
    let dst_t = text(&dst.sign(&MANDATE_KID3_SEED));
    push(
        "ok_month_across_dst_at_exact_expiry",
        "strict",
        dst_t.clone(),
        "2026-04-15T09:00:00Z",
        "ok",
        Some(dst),
    );
    push(
        "expired_month_across_dst_one_second_after",
        "strict",
        dst_t,
        "2026-04-15T09:00:01Z",
        "expired",
        None,
    );
    let eus = Raw {
        duration: 5,
        created: seconds("2020-03-24T10:00:00Z"),
        ..base(7)
    };
    let eus_t = text(&eus.sign(&MANDATE_KID3_SEED));
    push(
        "ok_eus_03_20",
        "strict",
        eus_t.clone(),
        "2020-04-15T12:00:00Z",
        "ok",
        Some(eus),
    );
    push(
        "ok_eus_03_20_at_its_end",
        "strict",
        eus_t.clone(),
        EUS_END,
        "ok",
        Some(eus),
    );
    push(
        "expired_eus_03_20_one_second_after",
        "strict",
        eus_t,
        "2020-05-23T23:00:00Z",
        "expired",
        None,
    );

    // Length and characters.
    push(
        "malformed_one_short",
        "strict",
        t[1..].to_string(),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_one_long",
        "strict",
        format!("{t}0"),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_voucher_length",
        "strict",
        t[..136].to_string(),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_letter_u",
        "strict",
        format!("U{}", &t[1..]),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_lowercase_strict",
        "strict",
        t.to_lowercase(),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_letter_o_strict",
        "strict",
        format!("O{}", &t[1..]),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_lowercase_prefix",
        "strict",
        format!("ac1:{t}"),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_voucher_prefix",
        "strict",
        format!("PN1:{t}"),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_spaces_strict",
        "strict",
        format!(" {}", &t[1..]),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_human_u",
        "human",
        format!("u{}", &t[1..]),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_human_not_ascii",
        "human",
        format!("é{}", &t[1..]),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_human_over_400_bytes",
        "human",
        format!("{}{t}", "-".repeat(233)),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_bytes_104",
        "bytes",
        hex(&good_t[..104]),
        NOW,
        "malformed",
        None,
    );
    push(
        "malformed_bytes_106",
        "bytes",
        format!("{}00", hex(&good_t)),
        NOW,
        "malformed",
        None,
    );

    // Version.
    let v2 = Raw {
        version: 2,
        ..base(8)
    };
    push(
        "unsupported_version_2",
        "strict",
        text(&v2.sign(&MANDATE_KID3_SEED)),
        NOW,
        "unsupported_version",
        None,
    );
    let v0 = Raw {
        version: 0,
        ..base(9)
    };
    push(
        "unsupported_version_0",
        "bytes",
        hex(&v0.sign(&MANDATE_KID3_SEED)),
        NOW,
        "unsupported_version",
        None,
    );

    // Keys and their organisations.
    let rogue = Raw {
        kid: 99,
        ..base(10)
    };
    push(
        "unknown_key_not_listed",
        "strict",
        text(&rogue.sign(&MANDATE_ROGUE_SEED)),
        NOW,
        "unknown_key",
        None,
    );
    let stolen = Raw { kid: 5, ..base(11) };
    push(
        "unknown_key_bound_to_another_organisation",
        "strict",
        text(&stolen.sign(&MANDATE_KID5_SEED)),
        NOW,
        "unknown_key",
        None,
    );
    let org0 = Raw { org: 0, ..base(12) };
    push(
        "unknown_key_organisation_zero",
        "strict",
        text(&org0.sign(&MANDATE_KID3_SEED)),
        NOW,
        "unknown_key",
        None,
    );
    let kid0 = Raw { kid: 0, ..base(13) };
    push(
        "invalid_field_kid_zero",
        "strict",
        text(&kid0.sign(&MANDATE_KID3_SEED)),
        NOW,
        "invalid_field",
        None,
    );
    let revoked = Raw { kid: 4, ..base(14) };
    push(
        "revoked_key",
        "strict",
        text(&revoked.sign(&MANDATE_KID4_SEED)),
        NOW,
        "revoked_key",
        None,
    );
    let revoked_elsewhere = Raw {
        kid: 4,
        org: 43,
        ..base(15)
    };
    push(
        "order_unknown_key_before_revoked_key",
        "strict",
        text(&revoked_elsewhere.sign(&MANDATE_KID4_SEED)),
        NOW,
        "unknown_key",
        None,
    );

    // Signature.
    let mut flipped = base(16).sign(&MANDATE_KID3_SEED);
    flipped[104] ^= 0x01;
    push(
        "bad_signature_bit_flip",
        "strict",
        text(&flipped),
        NOW,
        "bad_signature",
        None,
    );
    let mut added = base(17).sign(&MANDATE_KID3_SEED);
    added[34] |= 1 << 4; // logement, after signing
    push(
        "bad_signature_demarche_added",
        "strict",
        text(&added),
        NOW,
        "bad_signature",
        None,
    );
    let mut extended = Raw {
        duration: 1,
        ..base(18)
    }
    .sign(&MANDATE_KID3_SEED);
    extended[39] = 4; // SHORT made LONG after signing
    push(
        "bad_signature_duration_extended",
        "bytes",
        hex(&extended),
        NOW,
        "bad_signature",
        None,
    );
    push(
        "bad_signature_rogue_key",
        "strict",
        text(&base(19).sign(&MANDATE_ROGUE_SEED)),
        NOW,
        "bad_signature",
        None,
    );
    let mut bad_field = base(20).sign(&MANDATE_KID3_SEED);
    bad_field[39] = 9;
    push(
        "order_bad_signature_before_invalid_field",
        "strict",
        text(&bad_field),
        NOW,
        "bad_signature",
        None,
    );

    // Field rules (signed, so only the field rule can fail).
    let invalid: [(&str, Raw); 8] = [
        (
            "invalid_field_demarches_empty",
            Raw {
                demarches: 0,
                ..base(21)
            },
        ),
        (
            "invalid_field_demarches_bit_10",
            Raw {
                demarches: (1 << 10) | 1,
                ..base(22)
            },
        ),
        (
            "invalid_field_demarches_bit_15",
            Raw {
                demarches: (1 << 15) | 1,
                ..base(23)
            },
        ),
        (
            "invalid_field_duration_0",
            Raw {
                duration: 0,
                ..base(24)
            },
        ),
        (
            "invalid_field_duration_6",
            Raw {
                duration: 6,
                ..base(25)
            },
        ),
        (
            "invalid_field_consent_3",
            Raw {
                consent: 3,
                ..base(26)
            },
        ),
        (
            "invalid_field_eus_03_20_created_at_its_end",
            Raw {
                duration: 5,
                created: seconds(EUS_END),
                ..base(27)
            },
        ),
        (
            "invalid_field_eus_03_20_created_after_its_end",
            Raw {
                duration: 5,
                ..base(28)
            },
        ),
    ];
    for (name, raw) in invalid {
        push(
            name,
            "strict",
            text(&raw.sign(&MANDATE_KID3_SEED)),
            NOW,
            "invalid_field",
            None,
        );
    }
    // Field rules come before the validity interval (2030: no trust list, whose age is
    // past; the key is trusted for any organisation).
    let order = Raw {
        duration: 0,
        ..base(29)
    };
    v.push(Row {
        name: "order_invalid_field_before_expired",
        input: text(&order.sign(&MANDATE_KID3_SEED)),
        at: "2030-01-01T00:00:00Z",
        keys: format!("3:{}", public_hex(&MANDATE_KID3_SEED)),
        trust_list: "-".into(),
        expect: "invalid_field",
        ..Row::template(&list)
    });

    // Keys trusted for any organisation (no trust list, no freshness).
    let anywhere = Raw {
        kid: 20,
        org: 77,
        usager: usager(77, SUB),
        ..base(30)
    };
    let anywhere_t = text(&anywhere.sign(&MANDATE_KID20_SEED));
    let org0_any = Raw {
        kid: 20,
        org: 0,
        ..base(31)
    };
    let any_rows = [
        (
            "ok_key_for_any_organisation",
            anywhere_t.clone(),
            "ok",
            Some(anywhere),
        ),
        (
            "unknown_key_without_trust_list",
            t.clone(),
            "unknown_key",
            None,
        ),
        (
            "invalid_field_organisation_zero",
            text(&org0_any.sign(&MANDATE_KID20_SEED)),
            "invalid_field",
            None,
        ),
    ];
    for (name, input, expect, ok) in any_rows {
        v.push(Row {
            name,
            mode: "strict",
            input,
            at: NOW,
            keys: any20.clone(),
            trust_list: "-".into(),
            revoked: "-".into(),
            demarche: "-",
            usager_sub: "-",
            expect,
            ok,
        });
    }
    v.push(Row {
        name: "ok_key_for_any_organisation_next_to_a_list",
        mode: "strict",
        input: anywhere_t,
        at: NOW,
        keys: any20.clone(),
        trust_list: list.clone(),
        revoked: "-".into(),
        demarche: "-",
        usager_sub: "-",
        expect: "ok",
        ok: Some(anywhere),
    });

    // The trust list: fresh until issued_at + max_age, bound issuers only.
    let late = Raw {
        created: seconds("2027-06-01T00:00:00Z"),
        ..base(32)
    };
    let late_t = text(&late.sign(&MANDATE_KID3_SEED));
    let mut list_rows = vec![
        Row {
            name: "ok_trust_list_at_its_last_instant",
            mode: "strict",
            input: late_t.clone(),
            at: "2028-01-01T00:00:00Z",
            keys: "-".into(),
            trust_list: list.clone(),
            revoked: "-".into(),
            demarche: "-",
            usager_sub: "-",
            expect: "ok",
            ok: Some(late),
        },
        Row {
            name: "trust_list_expired",
            at: "2028-01-01T00:00:01Z",
            expect: "trust_list_expired",
            ok: None,
            input: late_t.clone(),
            ..Row::template(&list)
        },
        Row {
            name: "trust_list_expired_before_malformed",
            at: "2028-01-01T00:00:01Z",
            expect: "trust_list_expired",
            input: "not a token".into(),
            ..Row::template(&list)
        },
        Row {
            name: "trust_list_malformed_issuer_not_an_organisation",
            expect: "trust_list_malformed",
            input: t.clone(),
            trust_list: trust_list_hex("aptic"),
            ..Row::template(&list)
        },
        Row {
            name: "trust_list_malformed_issuer_leading_zero",
            expect: "trust_list_malformed",
            input: t.clone(),
            trust_list: trust_list_hex("org.042"),
            ..Row::template(&list)
        },
    ];
    v.append(&mut list_rows);

    // The verifier's options, and their order.
    let id1 = hex(&base(1).id.to_be_bytes()[6..]);
    let other_id = hex(&base(99).id.to_be_bytes()[6..]);
    let both = format!("{other_id};{id1}");
    let options: [(
        &'static str,
        &str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ); 8] = [
        (
            "ok_required_demarche_and_usager",
            "-",
            "social",
            SUB,
            NOW,
            "ok",
        ),
        ("ok_other_mandate_revoked", &other_id, "-", "-", NOW, "ok"),
        ("revoked_mandate", &both, "-", "-", NOW, "revoked_mandate"),
        (
            "order_expired_before_revoked_mandate",
            &id1,
            "-",
            "-",
            "2027-03-01T09:30:01Z",
            "expired",
        ),
        (
            "usager_mismatch",
            "-",
            "-",
            "fc-sub-0002",
            NOW,
            "usager_mismatch",
        ),
        (
            "order_revoked_mandate_before_usager_mismatch",
            &id1,
            "-",
            "fc-sub-0002",
            NOW,
            "revoked_mandate",
        ),
        (
            "demarche_not_covered",
            "-",
            "logement",
            "-",
            NOW,
            "demarche_not_covered",
        ),
        (
            "order_usager_mismatch_before_demarche_not_covered",
            "-",
            "logement",
            "fc-sub-0002",
            NOW,
            "usager_mismatch",
        ),
    ];
    for (name, revoked, demarche, usager_sub, at, expect) in options {
        v.push(Row {
            name,
            at,
            expect,
            revoked: revoked.to_owned(),
            demarche,
            usager_sub,
            ok: (expect == "ok").then_some(good),
            input: t.clone(),
            ..Row::template(&list)
        });
    }
    // The same sub has another reference in another organisation.
    let cross = Raw {
        kid: 5,
        org: 43,
        usager: usager(42, SUB),
        ..base(33)
    };
    v.push(Row {
        name: "usager_mismatch_reference_of_another_organisation",
        input: text(&cross.sign(&MANDATE_KID5_SEED)),
        usager_sub: SUB,
        expect: "usager_mismatch",
        ..Row::template(&list)
    });
    v
}

impl Row {
    fn template(list: &str) -> Row {
        Row {
            name: "",
            mode: "strict",
            input: String::new(),
            at: NOW,
            keys: "-".into(),
            trust_list: list.to_owned(),
            revoked: "-".into(),
            demarche: "-",
            usager_sub: "-",
            expect: "",
            ok: None,
        }
    }
}

/// The contents of `vectors/mandate_tokens.tsv`.
pub fn mandate_token_vectors() -> String {
    let mut out = HEADER.to_string();
    out.push_str(&format!(
        "# Root key (trust lists): {}. Mandate keys (seed: public key): kid 3 org.42 {}: {}; kid 4 org.42 revoked {}: {}; kid 5 org.43 {}: {}; kid 20 any organisation {}: {}; rogue {}: {}.\n",
        public_hex(&ROOT_SEED),
        hex(&MANDATE_KID3_SEED),
        public_hex(&MANDATE_KID3_SEED),
        hex(&MANDATE_KID4_SEED),
        public_hex(&MANDATE_KID4_SEED),
        hex(&MANDATE_KID5_SEED),
        public_hex(&MANDATE_KID5_SEED),
        hex(&MANDATE_KID20_SEED),
        public_hex(&MANDATE_KID20_SEED),
        hex(&MANDATE_ROGUE_SEED),
        public_hex(&MANDATE_ROGUE_SEED),
    ));
    out.push_str(
        "name\tmode\tinput\tat\tkeys\ttrust_list\trevoked\tdemarche\tusager_sub\texpect\tkid\torganisation\tmandate_id\tdemarches\tduration\tconsent\tcreated_at\texpires_at\n",
    );
    for r in rows() {
        let tail = match r.ok {
            Some(raw) => raw.fields(),
            None => ["-"; 8].join("\t"),
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{tail}\n",
            r.name,
            r.mode,
            r.input,
            r.at,
            r.keys,
            r.trust_list,
            r.revoked,
            r.demarche,
            r.usager_sub,
            r.expect
        ));
    }
    out
}
