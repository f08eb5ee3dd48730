//! Writes the curated fuzzing seeds into `fuzz/seeds/<target>/`, one small file each.
//!
//! `cargo run -p inclusif-conformance --bin gen-fuzz-seeds` replaces every file in those
//! folders (never `fuzz/regressions/`). The seeds are built from the conformance vectors
//! (`tests/vectors/`) and the test keys of the conformance library, so they are
//! deterministic.

#![deny(missing_docs)]

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use inclusif_conformance::fuzz_targets::{TARGETS, VALID_SERIAL, valid_mandate_token, valid_token};
use inclusif_conformance::{KID7_SEED, ROOT_SEED, read_tsv, vector_dir};
use inclusif_core::mandate::token::MandateToken;
use inclusif_core::venue::migrate::{
    EXTENSION_COLUMN, MigrationTable, V1_0_2_COLUMNS, migrate_file,
};
use inclusif_core::venue::{read_csv, read_json};
use inclusif_core::voucher::{
    Issuer, KeypadCode, Kid, Scope, ScopePolicy, SecretKey, Serial, ShortCode, Token, TrustEntry,
    TrustList, Validity,
};

/// Seeds of one target: unique contents, first name kept.
#[derive(Default)]
struct Seeds {
    files: Vec<(String, Vec<u8>)>,
    seen: HashSet<Vec<u8>>,
}

impl Seeds {
    fn add(&mut self, name: impl Into<String>, data: impl AsRef<[u8]>) {
        let data = data.as_ref().to_vec();
        if self.seen.insert(data.clone()) {
            self.files.push((name.into(), data));
        }
    }
}

fn hex(s: &str) -> Vec<u8> {
    data_encoding::HEXLOWER
        .decode(s.trim().as_bytes())
        .expect("hex vector")
}

/// Every token vector input as the bytes a parser sees: text as typed, `bytes` rows
/// decoded from hex.
fn vector_tokens() -> Vec<(String, Vec<u8>)> {
    read_tsv("tokens.tsv")
        .into_iter()
        .map(|row| {
            let data = match row["mode"].as_str() {
                "bytes" => hex(&row["input"]),
                _ => row["input"].clone().into_bytes(),
            };
            (format!("vector_{}", row["name"]), data)
        })
        .collect()
}

/// Lengths sampled for the parse targets.
const LENGTHS: &[usize] = &[
    0, 1, 2, 4, 16, 17, 21, 26, 64, 84, 85, 86, 100, 135, 136, 137, 139, 140, 141, 200, 300,
];

fn group(text: &str, size: usize, sep: &str) -> String {
    text.as_bytes()
        .chunks(size)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Seeds shared by the token-text targets (strict and human).
fn text_seeds(s: &mut Seeds) {
    let t = valid_token();
    let text = t.to_text();
    let qr = t.to_qr_payload();
    s.add("valid_text", &text);
    s.add("valid_qr_payload", &qr);
    s.add("valid_raw_85", t.as_bytes());
    for (name, data) in vector_tokens() {
        s.add(name, data);
    }
    let filler: Vec<u8> = qr.bytes().chain(text.bytes()).collect();
    for &n in LENGTHS {
        let data: Vec<u8> = filler.iter().copied().cycle().take(n).collect();
        s.add(format!("len_{n:03}"), data);
        s.add(format!("len_{n:03}_zeros"), "0".repeat(n));
    }
    s.add("all_z", "Z".repeat(136));
    s.add("lowercase", text.to_lowercase());
    s.add("lowercase_qr", qr.to_lowercase());
    s.add("letter_o", text.replace('0', "O"));
    s.add(
        "letters_i_l",
        text.replacen('1', "I", 2).replacen('1', "L", 2),
    );
    s.add("letter_u", format!("U{}", &text[1..]));
    s.add("spaces_every_4", group(&text, 4, " "));
    s.add("dashes_every_4", group(&text, 4, "-"));
    s.add("tabs_every_8", group(&text, 8, "\t"));
    s.add("dash_every_char", group(&text, 1, "-"));
    for prefix in [
        "pn1:", "PN2:", "PN1 ", "PN1-", " PN1:", "PN:", "PN1:PN1:", "PN1;",
    ] {
        s.add(
            format!("prefix_{}", prefix.trim().replace(':', "colon")),
            format!("{prefix}{text}"),
        );
    }
    s.add("trailing_newline", format!("{text}\n"));
    s.add("trailing_crlf", format!("{qr}\r\n"));
    s.add("leading_bom", format!("\u{feff}{text}"));
    s.add("accent_last", format!("{}é", &text[..135]));
    let mut invalid_utf8 = text.clone().into_bytes();
    invalid_utf8[50] = 0xff;
    s.add("invalid_utf8", invalid_utf8);
    let mut nul = qr.clone().into_bytes();
    nul[70] = 0;
    s.add("nul_byte", nul);
}

fn strict_parse() -> Seeds {
    let mut s = Seeds::default();
    text_seeds(&mut s);
    s
}

fn human_parse() -> Seeds {
    let mut s = Seeds::default();
    text_seeds(&mut s);
    let text = valid_token().to_text();
    let pad = |n: usize| format!("{text}{}", " ".repeat(n - text.len()));
    s.add("padded_to_400", pad(400));
    s.add("padded_to_401", pad(401));
    s.add(
        "qr_grouped_lower",
        format!("pn1: {}", group(&text.to_lowercase(), 4, " ")),
    );
    s.add(
        "multibyte_middle",
        format!("{}ü{}", &text[..60], &text[60..]),
    );
    s.add("emoji_only", "🎟️".repeat(10));
    s.add("only_separators", " -\t".repeat(50));
    s
}

fn codes(serial: Serial) -> (ShortCode, KeypadCode) {
    (ShortCode::new(serial), KeypadCode::new(serial))
}

fn short_code() -> Seeds {
    let mut s = Seeds::default();
    for row in read_tsv("codes.tsv") {
        s.add(format!("vector_{}", row["name"]), &row["input"]);
    }
    let serials = [
        0,
        1,
        VALID_SERIAL,
        0x0123_4567_89ab_cdef_0011,
        (1u128 << 80) - 1,
    ];
    for (i, n) in serials.into_iter().enumerate() {
        let serial = Serial::from_u128(n).expect("80 bits");
        let (sc, kp) = codes(serial);
        s.add(format!("short_{i}"), sc.to_string());
        s.add(
            format!("short_{i}_compact_lower"),
            sc.compact().to_lowercase(),
        );
        s.add(format!("keypad_{i}"), kp.to_string());
        s.add(format!("keypad_{i}_compact"), kp.compact());
        s.add(format!("keypad_{i}_dashes"), group(&kp.compact(), 3, "-"));
        // Serial bytes, a position and a symbol: the generated substitution and swap path.
        let mut raw = serial.as_bytes().to_vec();
        raw.extend_from_slice(&[i as u8 * 7, i as u8 * 13 + 1]);
        s.add(format!("generated_{i}"), raw);
    }
    let (sc, kp) = codes(Serial::from_u128(VALID_SERIAL).expect("80 bits"));
    let compact = sc.compact();
    s.add(
        "short_letters_o_i_l",
        compact.replace('0', "o").replacen('1', "I", 1),
    );
    s.add("short_letter_u", format!("u{}", &compact[1..]));
    s.add("short_tabs", group(&compact, 4, "\t"));
    s.add("short_16_chars", &compact[..16]);
    s.add("short_18_chars", format!("{compact}0"));
    s.add("short_accent", format!("{}é", &compact[..16]));
    let mut m = compact.clone().into_bytes();
    m[5] = b'Z';
    s.add("short_substitution_5", m);
    let mut m = compact.into_bytes();
    m.swap(2, 3);
    s.add("short_swap_2", m);
    let k = kp.compact();
    s.add("keypad_27_digits", format!("{k}0"));
    s.add("keypad_25_and_letter", format!("{}A", &k[..25]));
    s.add(
        "keypad_26_with_letter_inside",
        format!("{}O{}", &k[..12], &k[13..]),
    );
    let mut m = k.into_bytes();
    m.swap(24, 25);
    s.add("keypad_swap_check_digit", m);
    s.add("keypad_26_zeros", "0".repeat(26));
    s.add("keypad_26_nines", "9".repeat(26));
    s.add("short_17_zeros", "0".repeat(17));
    for &n in &[0usize, 1, 16, 17, 18, 25, 26, 27, 40] {
        s.add(format!("len_{n:02}_digits"), "7".repeat(n));
    }
    s
}

/// Splits signed trust-list bytes into the body.
fn body(signed: &[u8]) -> Vec<u8> {
    signed[..signed.len() - 64].to_vec()
}

fn trust_list() -> Seeds {
    let mut s = Seeds::default();
    let good = hex(&std::fs::read_to_string(vector_dir().join("trust_list.hex")).expect("hex"));
    s.add("vector_trust_list", &good);
    for row in read_tsv("trust_lists.tsv") {
        s.add(format!("vector_{}", row["name"]), hex(&row["hex"]));
    }
    let b = body(&good);
    s.add("body", &b);
    for n in [
        0usize,
        4,
        5,
        26,
        27,
        28,
        90,
        91,
        92,
        130,
        good.len() - 65,
        good.len() - 1,
    ] {
        s.add(format!("truncated_{n:03}"), &good[..n]);
    }
    s.add("body_truncated_by_one", &b[..b.len() - 1]);
    s.add("body_and_trailing_byte", [&b[..], &[0]].concat());
    // Offsets of the first entry: kid 27, status 29, key 30, window 62 and 64, max value
    // 66, issuer length 68, issuer 69, then the scopes byte after the 5-byte name.
    for (name, at, mask) in [
        ("format", 4, 0x03),
        ("sequence", 12, 0xff),
        ("issued_at", 20, 0x01),
        ("max_age", 24, 0xff),
        ("count_up", 26, 0x04),
        ("count_down", 26, 0x02),
        ("kid", 28, 0x0f),
        ("status", 29, 0x02),
        ("key", 31, 0x01),
        ("window_from", 62, 0xff),
        ("window_until", 64, 0x80),
        ("max_value", 66, 0x07),
        ("issuer_len", 68, 0x40),
        ("issuer_byte", 70, 0x80),
        ("scopes", 74, 0x01),
    ] {
        let mut m = b.clone();
        m[at] ^= mask;
        s.add(format!("body_flip_{name}"), &m);
        let mut m = good.clone();
        m[at] ^= mask;
        s.add(format!("signed_flip_{name}"), &m);
    }
    let mut m = b.clone();
    m[5..13].copy_from_slice(&0u64.to_be_bytes());
    s.add("body_sequence_zero", &m);
    let mut m = b.clone();
    m[21..25].copy_from_slice(&0u32.to_be_bytes());
    s.add("body_max_age_zero", &m);
    let mut m = b.clone();
    m[13..21].copy_from_slice(&u64::MAX.to_be_bytes());
    s.add("body_issued_at_max", &m);
    let mut m = b.clone();
    m[69] = 0x07;
    s.add("body_issuer_control_char", &m);
    let mut m = b.clone();
    m[27..29].copy_from_slice(&0u16.to_be_bytes());
    s.add("body_kid_zero", &m);

    // Lists built with the core: empty, small, with scopes, long issuer names, many keys.
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let root = SecretKey::from_seed(&ROOT_SEED);
    let key = |i: u8| SecretKey::from_seed(&[i; 32]).public_key();
    let empty = TrustList::new(1, at, 1).expect("list");
    s.add("built_empty", empty.sign(&root));
    s.add("built_empty_body", body(&empty.sign(&root)));
    let mut scoped = TrustList::new(7, at, 86_400).expect("list");
    let mut e = TrustEntry::unrestricted(Kid::new(1).unwrap(), &"x".repeat(64), key(1));
    e.scopes = ScopePolicy::only((0..255).map(Scope)).expect("scopes");
    scoped.insert(e).expect("entry");
    let e = TrustEntry::unrestricted(Kid::new(65535).unwrap(), "departement-23.fr", key(2));
    scoped.insert(e).expect("entry");
    s.add("built_scoped_body", body(&scoped.sign(&root)));
    let mut many = TrustList::new(u64::MAX, at, u32::MAX).expect("list");
    for i in 1..=20u8 {
        let e = TrustEntry::unrestricted(Kid::new(u16::from(i) * 3).unwrap(), "op", key(i));
        many.insert(e).expect("entry");
    }
    // Issued at the last instant a list may be (9999-12-31T23:59:59Z), living one second:
    // in range, but `issued_at + max_age` is past the bound.
    let late = Utc
        .with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .expect("in range");
    let mut late = TrustList::new(1, late, 1).expect("list");
    late.insert(TrustEntry::unrestricted(
        Kid::new(7).unwrap(),
        "late",
        key(7),
    ))
    .expect("entry");
    s.add("built_issued_near_max", late.sign(&root));
    s.add("built_issued_near_max_body", body(&late.sign(&root)));
    s.add("built_20_keys", many.sign(&root));
    s.add("built_20_keys_body", body(&many.sign(&root)));
    s
}

fn verify() -> Seeds {
    let mut s = Seeds::default();
    let t = valid_token();
    s.add("valid_raw_85", t.as_bytes());
    s.add("valid_text", t.to_text());
    s.add("valid_qr_payload", t.to_qr_payload());
    s.add("valid_typed", group(&t.to_text().to_lowercase(), 4, "-"));
    let vectors = vector_tokens();
    for (name, data) in &vectors {
        s.add(name.clone(), data);
    }
    // (position, xor) pairs applied to the valid token and to its text.
    for (name, pairs) in [
        ("xor_empty", &[][..]),
        ("xor_version", &[0, 0x01][..]),
        ("xor_kid", &[2, 0x01][..]),
        ("xor_serial", &[12, 0x80][..]),
        ("xor_value", &[13, 0x04][..]),
        ("xor_until", &[18, 0x01][..]),
        ("xor_scope", &[20, 0x4b][..]),
        ("xor_signature_r", &[21, 0x01][..]),
        ("xor_signature_s_top", &[84, 0x80][..]),
        ("xor_lone_byte", &[60][..]),
        ("xor_twice_same", &[30, 0x10, 30, 0x10][..]),
        ("xor_many", &[3, 0xff, 50, 1, 77, 0x22, 16, 0x08][..]),
    ] {
        s.add(name, pairs);
    }
    // Several kid-7 tokens at once, so the batch has a same-key group.
    let raw = |name: &str| {
        vectors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, d)| Token::parse_strict_bytes(d).expect("strict vector"))
            .expect("vector")
            .as_bytes()
            .to_vec()
    };
    let batch: Vec<u8> = [
        t.as_bytes().to_vec(),
        raw("vector_bad_signature_bit_flip"),
        raw("vector_ok_value_at_key_limit"),
        raw("vector_scope_not_accepted"),
    ]
    .concat();
    s.add("batch_4_kid7", &batch);
    s.add("batch_2_kid7", &batch[..170]);
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&KID7_SEED));
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let window = Validity::from_dates(date(2026, 5, 1), date(2026, 6, 1)).unwrap();
    let edge = issuer
        .issue(
            Serial::from_u128(VALID_SERIAL + 21).unwrap(),
            1,
            window,
            Scope(974),
        )
        .expect("token");
    s.add("revoked_serial_scope_974", edge.as_bytes());
    s.add("zeros_85", [0u8; 85]);
    s.add("ones_85", [0xffu8; 85]);
    s
}

/// Every mandate token vector input as the bytes a parser sees.
fn mandate_vector_tokens() -> Vec<(String, Vec<u8>)> {
    read_tsv("mandate_tokens.tsv")
        .into_iter()
        .map(|row| {
            let data = match row["mode"].as_str() {
                "bytes" => hex(&row["input"]),
                _ => row["input"].clone().into_bytes(),
            };
            (format!("vector_{}", row["name"]), data)
        })
        .collect()
}

/// Lengths sampled for the mandate token: around the 168-character text and the
/// 172-character QR payload.
const MANDATE_LENGTHS: &[usize] = &[0, 1, 104, 105, 106, 167, 168, 169, 171, 172, 173, 300];

fn mandate_token() -> Seeds {
    let mut s = Seeds::default();
    let t = valid_mandate_token();
    let text = t.to_text();
    let qr = t.to_qr_payload();
    let vectors = mandate_vector_tokens();
    let ok = vectors
        .iter()
        .find(|(n, _)| n == "vector_ok_strict_text")
        .map(|(_, d)| d.as_slice());
    assert_eq!(
        ok,
        Some(text.as_bytes()),
        "valid_mandate_token is not the vectors' ok_strict_text"
    );
    s.add("valid_text", &text);
    s.add("valid_qr_payload", &qr);
    s.add("valid_raw_105", t.as_bytes());
    for (name, data) in &vectors {
        s.add(name.clone(), data);
    }
    // The vectors' strict tokens (tampered ones included) as raw bytes too.
    for (name, data) in &vectors {
        if let Ok(v) = MandateToken::parse_strict_bytes(data) {
            s.add(format!("raw_{}", &name["vector_".len()..]), v.as_bytes());
        }
    }
    let filler: Vec<u8> = qr.bytes().chain(text.bytes()).collect();
    for &n in MANDATE_LENGTHS {
        let data: Vec<u8> = filler.iter().copied().cycle().take(n).collect();
        s.add(format!("len_{n:03}"), data);
        s.add(format!("len_{n:03}_zeros"), "0".repeat(n));
    }
    s.add("len_172_without_prefix", &filler[4..176]);
    s.add("all_z_168", "Z".repeat(168));
    s.add("lowercase", text.to_lowercase());
    s.add("lowercase_qr", qr.to_lowercase());
    s.add("letter_o", text.replace('0', "O"));
    s.add(
        "letters_i_l",
        text.replacen('1', "I", 2).replacen('1', "L", 2),
    );
    s.add("letter_u", format!("U{}", &text[1..]));
    s.add("last_char_changed", format!("{}Z", &text[..167]));
    s.add("spaces_every_4", group(&text, 4, " "));
    s.add("dashes_every_4", group(&text, 4, "-"));
    s.add("tabs_every_8", group(&text, 8, "\t"));
    s.add("qr_dash_every_char", group(&qr, 1, "-"));
    s.add(
        "qr_spaced_lower",
        format!("ac1: {}", group(&text.to_lowercase(), 4, " ")),
    );
    for prefix in [
        "AC1 ", "AC2:", "AC1;", "AC:", "AC1:AC1:", "PN1:", " AC1:", "ACI:",
    ] {
        s.add(
            format!(
                "prefix_{}",
                prefix
                    .trim()
                    .replace(':', "colon")
                    .replace(';', "semicolon")
            ),
            format!("{prefix}{text}"),
        );
    }
    let pad = |n: usize| format!("{qr}{}", " ".repeat(n - qr.len()));
    s.add("padded_to_400", pad(400));
    s.add("padded_to_401", pad(401));
    s.add("trailing_newline", format!("{text}\n"));
    s.add("trailing_crlf", format!("{qr}\r\n"));
    s.add("leading_bom", format!("\u{feff}{text}"));
    s.add("accent_last", format!("{}é", &text[..167]));
    let mut invalid_utf8 = text.clone().into_bytes();
    invalid_utf8[80] = 0xff;
    s.add("invalid_utf8", invalid_utf8);
    let mut nul = qr.clone().into_bytes();
    nul[100] = 0;
    s.add("nul_byte", nul);
    // (position, xor) pairs applied to the valid token's bytes and to its QR payload.
    for (name, pairs) in [
        ("xor_empty", &[][..]),
        ("xor_version", &[0, 0x01][..]),
        ("xor_kid", &[2, 0x01][..]),
        ("xor_organisation", &[6, 0x01][..]),
        ("xor_mandate_id", &[16, 0x80][..]),
        ("xor_usager_ref", &[20, 0x01][..]),
        ("xor_demarches_add_logement", &[34, 0x10][..]),
        ("xor_demarches_bit_10", &[33, 0x04][..]),
        ("xor_created_at", &[38, 0x01][..]),
        ("xor_duration_long_to_short", &[39, 0x05][..]),
        ("xor_consent", &[40, 0x02][..]),
        ("xor_signature_r", &[41, 0x01][..]),
        ("xor_signature_s_top", &[104, 0x80][..]),
        ("xor_lone_byte", &[60][..]),
        ("xor_twice_same", &[30, 0x10, 30, 0x10][..]),
        ("xor_many", &[3, 0xff, 50, 1, 77, 0x22, 16, 0x08][..]),
    ] {
        s.add(name, pairs);
    }
    let bad = vectors
        .iter()
        .find(|(n, _)| n == "vector_bad_signature_bit_flip")
        .map(|(_, d)| MandateToken::parse_strict_bytes(d).expect("strict vector"))
        .expect("vector");
    s.add(
        "raw_two_tokens",
        [&t.as_bytes()[..], &bad.as_bytes()[..]].concat(),
    );
    s.add("zeros_105", [0u8; 105]);
    s.add("ones_105", [0xffu8; 105]);
    s
}

fn journal() -> Seeds {
    let mut s = Seeds::default();
    let dir = vector_dir().join("journal");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("journal vectors")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    for path in &files {
        let name = path.file_stem().expect("name").to_string_lossy();
        s.add(
            format!("vector_{name}"),
            std::fs::read(path).expect("journal"),
        );
    }
    let sample = std::fs::read_to_string(dir.join("sample.jsonl")).expect("sample");
    let lines: Vec<&str> = sample.lines().collect();
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    let first_checkpoint = lines
        .iter()
        .position(|l| l.contains(r#""action":"checkpoint""#))
        .expect("a checkpoint");
    s.add("empty", "");
    s.add("newline_only", "\n");
    s.add("two_newlines", "\n\n");
    s.add("line_1", join(&lines[..1]));
    s.add("line_1_no_newline", lines[0]);
    s.add(
        "lines_up_to_first_checkpoint",
        join(&lines[..=first_checkpoint]),
    );
    s.add(
        "checkpoint_line_alone",
        join(&lines[first_checkpoint..=first_checkpoint]),
    );
    s.add("no_final_newline", sample.trim_end_matches('\n'));
    s.add("cut_mid_file", &sample.as_bytes()[..sample.len() / 2]);
    s.add("cut_mid_last_line", &sample.as_bytes()[..sample.len() - 20]);
    s.add("trailing_blank_line", format!("{sample}\n"));
    s.add("crlf", sample.replace('\n', "\r\n"));
    s.add("bom", format!("\u{feff}{sample}"));
    let mut blank = lines.clone();
    blank.insert(3, "");
    s.add("blank_line_inside", join(&blank));
    let mut dup = lines.clone();
    dup.push(lines[lines.len() - 1]);
    s.add("last_line_duplicated", join(&dup));
    let reversed: Vec<&str> = lines.iter().rev().copied().collect();
    s.add("lines_reversed", join(&reversed));
    // Edits of line 1 (or the first line holding the field), hashes left as they are.
    let edit = |from: &str, to: &str| sample.replacen(from, to, 1);
    for (name, from, to) in [
        ("seq_leading_zero", r#""seq":1,"#, r#""seq":01,"#),
        ("seq_float", r#""seq":1,"#, r#""seq":1.0,"#),
        ("seq_negative", r#""seq":1,"#, r#""seq":-1,"#),
        ("seq_huge", r#""seq":1,"#, r#""seq":18446744073709551616,"#),
        ("spaced_json", r#""seq":1,"#, r#""seq": 1, "#),
        ("unknown_field", r#""seq":1,"#, r#""seq":1,"zzz":1,"#),
        (
            "null_field",
            r#""aidant":"aidant-0007""#,
            r#""aidant":null"#,
        ),
        (
            "empty_string",
            r#""aidant":"aidant-0007""#,
            r#""aidant":"""#,
        ),
        ("escaped_digit", "aidant-0007", r"aidant-\u0030007"),
        ("leap_second", "09:25:00Z", "09:25:60Z"),
        ("year_10000", r#""at":"2026-"#, r#""at":"10000-"#),
        ("fractional_second", "09:25:00Z", "09:25:00.5Z"),
        ("offset_not_z", "09:25:00Z", "09:25:00+00:00"),
        (
            "organisation_zero",
            r#""organisation":42"#,
            r#""organisation":0"#,
        ),
        (
            "organisation_huge",
            r#""organisation":42"#,
            r#""organisation":4294967296"#,
        ),
        (
            "duree_huge",
            r#""duree":365"#,
            r#""duree":18446744073709551616"#,
        ),
        ("duree_exponent", r#""duree":365"#, r#""duree":3.65e2"#),
        (
            "autorisation_negative",
            r#""autorisation":101"#,
            r#""autorisation":-1"#,
        ),
        (
            "demarches_empty",
            r#""demarches":["papiers","social"]"#,
            r#""demarches":[]"#,
        ),
        (
            "demarches_unordered",
            r#""demarches":["papiers","social"]"#,
            r#""demarches":["social","papiers"]"#,
        ),
        (
            "demarches_twice",
            r#""demarches":["papiers","social"]"#,
            r#""demarches":["papiers","papiers"]"#,
        ),
        (
            "mandat_uppercase",
            "5eed0000000000000001",
            "5EED0000000000000001",
        ),
        (
            "action_unknown",
            "franceconnect_usager",
            "franceconnect_aidant",
        ),
        ("checkpoint_kid_4", r#""kid":3"#, r#""kid":4"#),
        ("checkpoint_kid_0", r#""kid":3"#, r#""kid":0"#),
        ("checkpoint_count_huge", r#""count":"#, r#""count":1"#),
        ("hash_uppercase", "4e20513beefbded8", "4E20513BEEFBDED8"),
        ("prev_short", r#""prev":"0000"#, r#""prev":""#),
    ] {
        let edited = edit(from, to);
        assert_ne!(edited, sample, "journal edit {name} changed nothing");
        s.add(format!("edit_{name}"), edited);
    }
    let mut invalid_utf8 = sample.clone().into_bytes();
    let at = sample.find("aidant-0007").expect("aidant");
    invalid_utf8[at + 3] = 0xff;
    s.add("invalid_utf8", invalid_utf8);
    s.add(
        "deep_nesting",
        format!("{}{}\n", "[".repeat(200), "]".repeat(200)),
    );
    s.add("not_an_object", "[1,2,3]\n\"x\"\n");
    s
}

/// A small valid scenario (the module example's) with `events` and `questions` spliced in.
fn small_scenario(events: &str, questions: &str) -> String {
    format!(
        r#"{{"organisations":[{{"id":42,"name":"CCAS","siret":"21230096300014","active":true}}],"aidants":[{{"id":"alice","organisations":[42],"current_organisation":42,"active":true,"can_create_mandates":true}}],"usagers":[{{"sub":"u1","given_name":"Camille","family_name":"Martin"}}],"events":[{events}],"questions":[{questions}]}}"#
    )
}

const CREATE: &str = r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["social"],"duration":"LONG","at":"2026-03-01T09:30:00Z"}"#;
const ASK: &str =
    r#"{"aidant":"alice","usager":"u1","demarche":"social","at":"2026-06-01T10:00:00Z"}"#;

fn scenario() -> Seeds {
    let mut s = Seeds::default();
    let edge = std::fs::read_to_string(vector_dir().join("mandate_scenarios/edge_cases.json"))
        .expect("edge cases");
    s.add("vector_edge_cases", &edge);
    s.add("small", small_scenario(CREATE, ASK));
    s.add("small_no_events", small_scenario("", ASK));
    s.add("small_no_questions", small_scenario(CREATE, ""));
    s.add(
        "small_two_creations",
        small_scenario(&format!("{CREATE},{CREATE}"), &format!("{ASK},{ASK}")),
    );
    for (name, text) in [
        ("empty_object", "{}"),
        ("empty_input", ""),
        ("array", "[]"),
        ("null", "null"),
        ("truncated", "{\"events\":["),
        (
            "empty_lists",
            r#"{"organisations":[],"aidants":[],"usagers":[],"events":[],"questions":[]}"#,
        ),
        ("unknown_top_field", r#"{"extra":1}"#),
        ("wrong_type_organisations", r#"{"organisations":5}"#),
        (
            "wrong_type_id",
            r#"{"organisations":[{"id":"42","name":"x","siret":"21230096300014","active":true}]}"#,
        ),
        (
            "organisation_zero",
            r#"{"organisations":[{"id":0,"name":"x","siret":"21230096300014","active":true}]}"#,
        ),
        (
            "organisation_max",
            r#"{"organisations":[{"id":4294967295,"name":"x","siret":"21230096300014","active":true}]}"#,
        ),
        (
            "organisation_overflow",
            r#"{"organisations":[{"id":4294967296,"name":"x","siret":"21230096300014","active":true}]}"#,
        ),
        (
            "organisation_twice",
            r#"{"organisations":[{"id":1,"name":"x","siret":"21230096300014","active":true},{"id":1,"name":"y","siret":"21230096300022","active":false}]}"#,
        ),
        (
            "question_without_registry",
            r#"{"questions":[{"aidant":"a","usager":"u","demarche":"social","at":"2026-01-01T00:00:00Z"}]}"#,
        ),
    ] {
        s.add(name, text);
    }
    // Variants of the small scenario: one changed event or question each.
    let event = |e: &str| small_scenario(&format!("{CREATE},{e}"), ASK);
    for (name, e) in [
        ("unknown_op", r#"{"op":"explode","mandate":1}"#),
        (
            "unknown_event_field",
            r#"{"op":"revoke_mandate","mandate":1,"at":"2026-04-01T00:00:00Z","why":"x"}"#,
        ),
        (
            "wrong_type_mandate",
            r#"{"op":"revoke_mandate","mandate":"1","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_0",
            r#"{"op":"revoke_mandate","mandate":0,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_999",
            r#"{"op":"revoke_mandate","mandate":999,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_usize_max",
            r#"{"op":"revoke_mandate","mandate":18446744073709551615,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_overflow",
            r#"{"op":"revoke_mandate","mandate":18446744073709551616,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_exponent",
            r#"{"op":"revoke_mandate","mandate":1e400,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_negative",
            r#"{"op":"revoke_mandate","mandate":-1,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_mandate_1",
            r#"{"op":"revoke_mandate","mandate":1,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_autorisation_0",
            r#"{"op":"revoke_autorisation","mandate":0,"demarche":"social","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_autorisation_999",
            r#"{"op":"revoke_autorisation","mandate":999,"demarche":"social","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "revoke_autorisation_1",
            r#"{"op":"revoke_autorisation","mandate":1,"demarche":"social","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "renew_0",
            r#"{"op":"renew","aidant":"alice","mandate":0,"demarches":["social"],"duration":"SHORT","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "renew_999",
            r#"{"op":"renew","aidant":"alice","mandate":999,"demarches":["social"],"duration":"SHORT","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "renew_1",
            r#"{"op":"renew","aidant":"alice","mandate":1,"demarches":["social","papiers"],"duration":"SEMESTER","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "transfer_0",
            r#"{"op":"transfer","mandate":0,"to":42,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "transfer_999",
            r#"{"op":"transfer","mandate":999,"to":42,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "transfer_1_unknown_org",
            r#"{"op":"transfer","mandate":1,"to":7,"at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "sms_reply_0",
            r#"{"op":"sms_reply","mandate":0,"request_id":"r","reply":"oui","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "sms_reply_999",
            r#"{"op":"sms_reply","mandate":999,"request_id":"r","reply":"oui","at":"2026-04-01T00:00:00Z"}"#,
        ),
        (
            "sms_create_and_reply",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"SHORT","consent":{"method":"remote_sms","phone":"+33612345678","request_id":"r"},"at":"2026-05-31T10:00:00Z"},{"op":"sms_reply","mandate":2,"request_id":"r","reply":"Oui","at":"2026-05-31T10:01:00Z"}"#,
        ),
        (
            "remote_paper",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["argent"],"duration":"MONTH","consent":{"method":"remote_paper"},"at":"2026-05-01T00:00:00Z"}"#,
        ),
        (
            "switch_organisation_zero",
            r#"{"op":"switch_organisation","aidant":"alice","to":0}"#,
        ),
        (
            "switch_organisation_unknown",
            r#"{"op":"switch_organisation","aidant":"alice","to":43}"#,
        ),
        (
            "deactivate_organisation",
            r#"{"op":"set_organisation_active","organisation":42,"active":false}"#,
        ),
        (
            "deactivate_aidant",
            r#"{"op":"set_aidant_active","aidant":"alice","active":false}"#,
        ),
        (
            "set_active_wrong_type",
            r#"{"op":"set_aidant_active","aidant":"alice","active":"no"}"#,
        ),
        (
            "create_at_chrono_max",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"LONG","at":"+262142-12-31T23:59:59Z"}"#,
        ),
        (
            "create_at_chrono_min",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"SHORT","at":"-262143-01-01T00:00:00Z"}"#,
        ),
        (
            "create_at_year_9999",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"SEMESTER","at":"9999-12-31T23:59:59Z"}"#,
        ),
        (
            "create_at_year_0",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"EUS_03_20","at":"0000-01-01T00:00:00Z"}"#,
        ),
        (
            "create_eus_03_20",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"EUS_03_20","at":"2020-04-01T00:00:00Z"}"#,
        ),
        (
            "create_february_30",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"SHORT","at":"2026-02-30T00:00:00Z"}"#,
        ),
        (
            "create_leap_second",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"SHORT","at":"2016-12-31T23:59:60Z"}"#,
        ),
        (
            "create_unknown_demarche",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["cuisine"],"duration":"SHORT","at":"2026-05-01T00:00:00Z"}"#,
        ),
        (
            "create_unknown_duration",
            r#"{"op":"create","aidant":"alice","usager":"u1","demarches":["papiers"],"duration":"FOREVER","at":"2026-05-01T00:00:00Z"}"#,
        ),
        (
            "create_unknown_usager",
            r#"{"op":"create","aidant":"alice","usager":"u2","demarches":["papiers"],"duration":"SHORT","at":"2026-05-01T00:00:00Z"}"#,
        ),
    ] {
        s.add(format!("event_{name}"), event(e));
    }
    let question = |q: &str| small_scenario(CREATE, q);
    for (name, q) in [
        (
            "at_chrono_max",
            r#"{"aidant":"alice","usager":"u1","demarche":"social","at":"+262142-12-31T23:59:59Z"}"#,
        ),
        (
            "at_chrono_min",
            r#"{"aidant":"alice","usager":"u1","demarche":"social","at":"-262143-01-01T00:00:00Z"}"#,
        ),
        (
            "before_creation",
            r#"{"aidant":"alice","usager":"u1","demarche":"social","at":"2026-03-01T09:29:59Z"}"#,
        ),
        (
            "at_expiry",
            r#"{"aidant":"alice","usager":"u1","demarche":"social","at":"2027-03-01T09:30:00Z"}"#,
        ),
        (
            "unknown_aidant",
            r#"{"aidant":"zoe","usager":"u1","demarche":"social","at":"2026-06-01T10:00:00Z"}"#,
        ),
        (
            "unknown_field",
            r#"{"aidant":"alice","usager":"u1","demarche":"social","at":"2026-06-01T10:00:00Z","x":1}"#,
        ),
        (
            "wrong_type_at",
            r#"{"aidant":"alice","usager":"u1","demarche":"social","at":1767225600}"#,
        ),
    ] {
        s.add(format!("question_{name}"), question(q));
    }
    s.add(
        "aidant_habilitation_far",
        small_scenario(CREATE, ASK).replace(
            r#""can_create_mandates":true"#,
            r#""can_create_mandates":true,"habilitation_from":"-262143-01-01T00:00:00Z","habilitation_until":"+262142-12-31T23:59:59Z""#,
        ),
    );
    s.add(
        "aidant_in_unknown_organisation",
        small_scenario(CREATE, ASK)
            .replace(r#""organisations":[42]"#, r#""organisations":[42,43]"#),
    );
    s.add(
        "organisation_without_demarches",
        small_scenario(CREATE, ASK).replace(
            r#""active":true}],"aidants""#,
            r#""active":true,"allowed_demarches":[]}],"aidants""#,
        ),
    );
    s.add("edge_cases_truncated", &edge[..edge.len() / 2]);
    s.add(
        "edge_cases_unknown_field",
        edge.replacen(r#""op": "create","#, r#""op": "create", "extra": true,"#, 1),
    );
    s.add(
        "edge_cases_mandate_999",
        edge.replacen(r#""mandate": 5,"#, r#""mandate": 999,"#, 1),
    );
    s.add(
        "edge_cases_mandate_0",
        edge.replacen(r#""mandate": 1,"#, r#""mandate": 0,"#, 1),
    );
    s
}

/// The real Hinaura file (687 venues in v0.1 form), outside the repository.
const HINAURA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/venues/hinaura-2021-2022.standard-v0.json"
);

/// The venues of the real file, as JSON objects in file order (keys in file order).
fn hinaura() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(HINAURA)
        .unwrap_or_else(|e| panic!("the real data file {HINAURA} cannot be read: {e}"));
    match serde_json::from_str(&text).expect("the Hinaura file is JSON") {
        serde_json::Value::Array(a) => a,
        _ => panic!("the Hinaura file is an array"),
    }
}

fn object(v: &serde_json::Value) -> &serde_json::Map<String, serde_json::Value> {
    v.as_object().expect("a venue is an object")
}

fn json(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON")
}

fn json_array(vs: &[serde_json::Value]) -> String {
    json(&serde_json::Value::Array(vs.to_vec()))
}

/// CSV with every cell quoted (`"` doubled), `\n` line ends.
fn csv(columns: &[String], rows: &[Vec<String>]) -> String {
    let line = |cells: &[String]| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    std::iter::once(line(columns))
        .chain(rows.iter().map(|r| line(r)))
        .map(|l| l + "\n")
        .collect()
}

/// Venues as CSV: the union of their keys as columns, numbers and text as they are.
fn venues_csv(venues: &[serde_json::Value]) -> String {
    let mut columns: Vec<String> = Vec::new();
    for v in venues {
        for k in object(v).keys() {
            if !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let rows: Vec<Vec<String>> = venues
        .iter()
        .map(|v| {
            columns
                .iter()
                .map(|c| match object(v).get(c) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    csv(&columns, &rows)
}

/// The standard's example (one v1.0.2 row), split into header and row cells.
fn example() -> (String, Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/data/venue-example-v1.0.2.csv"),
    )
    .expect("the standard's example");
    let file = read_csv(&text).expect("the example reads");
    let row = &file.records[0];
    let cells = file
        .columns
        .iter()
        .map(|c| row.fields.get(c).cloned().unwrap_or_default())
        .collect();
    (text, file.columns, cells)
}

fn venue_file() -> Seeds {
    let mut s = Seeds::default();
    // Slices of the real file (v0.1).
    let venues = hinaura();
    s.add("real_first_3", json_array(&venues[..3]));
    s.add(
        "real_first_20_compact",
        serde_json::to_string(&serde_json::Value::Array(venues[..20].to_vec())).expect("JSON"),
    );
    for i in [0, 1, 2, 100, 343, 686] {
        let id = object(&venues[i])["id"].as_str().expect("id").to_owned();
        s.add(format!("real_single_object_id_{id}"), json(&venues[i]));
    }
    s.add("real_single_in_array", json_array(&venues[1..2]));
    let most = venues
        .iter()
        .map(|v| object(v).len())
        .max()
        .expect("venues");
    let richest: Vec<serde_json::Value> = venues
        .iter()
        .filter(|v| object(v).len() == most)
        .take(5)
        .cloned()
        .collect();
    s.add(format!("real_{most}_fields_first_5"), json_array(&richest));
    let longest_hours = venues
        .iter()
        .max_by_key(|v| {
            object(v)
                .get("horaires")
                .and_then(|h| h.as_str())
                .map_or(0, str::len)
        })
        .expect("venues");
    s.add("real_longest_horaires", json(longest_hours));
    s.add("real_first_3_csv", venues_csv(&venues[..3]));
    s.add("real_most_fields_csv", venues_csv(&richest));
    // v0.1 lists written as JSON arrays, values as numbers, nulls.
    let mut arrays = venues[..3].to_vec();
    for v in &mut arrays {
        let o = v.as_object_mut().expect("object");
        if let Some(serde_json::Value::String(services)) = o.get("services").cloned() {
            let items = services.split(';').map(serde_json::Value::from).collect();
            o.insert("services".into(), serde_json::Value::Array(items));
        }
        o.insert("code_postal".into(), serde_json::Value::from(74360));
        o.insert("telephone".into(), serde_json::Value::Null);
    }
    s.add("real_first_3_arrays_numbers_nulls", json_array(&arrays));
    // The first 3, migrated to v1.0.2 and written as CSV (with the extension column).
    let file = read_json(&json_array(&venues[..3])).expect("reads");
    let migrated = migrate_file(&file.records, &MigrationTable::default());
    let columns: Vec<String> = V1_0_2_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .chain([EXTENSION_COLUMN.to_owned()])
        .collect();
    let rows: Vec<Vec<String>> = migrated
        .records
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| r.fields.get(c).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    s.add("real_first_3_migrated_csv", csv(&columns, &rows));

    // The standard's example and variants of it.
    let (text, columns, cells) = example();
    let with = |changes: &[(&str, &str)]| {
        let row: Vec<String> = columns
            .iter()
            .zip(&cells)
            .map(|(c, v)| {
                changes
                    .iter()
                    .find(|(k, _)| k == c)
                    .map_or_else(|| v.clone(), |(_, x)| (*x).to_owned())
            })
            .collect();
        csv(&columns, &[row])
    };
    s.add("example", &text);
    s.add("example_requoted", with(&[]));
    let header = text.lines().next().expect("header").to_owned();
    s.add("empty", "");
    s.add("header_only", format!("{header}\n"));
    s.add("header_only_no_newline", &header);
    s.add("bom_only", "\u{feff}");
    s.add("blank_lines", "\n\n  \n");
    s.add("example_bom", format!("\u{feff}{text}"));
    s.add("example_crlf", text.replace('\n', "\r\n"));
    s.add("example_cr", text.replace('\n', "\r"));
    s.add("example_no_final_newline", text.trim_end());
    s.add(
        "example_twice",
        format!("{text}{}", text.lines().nth(1).expect("row")),
    );
    let drop = |name: &str| {
        let i = columns.iter().position(|c| c == name).expect("column");
        let mut cs = columns.clone();
        let mut vs = cells.clone();
        cs.remove(i);
        vs.remove(i);
        csv(&cs, &[vs])
    };
    s.add("missing_column_nom", drop("nom"));
    s.add("missing_column_date_maj", drop("date_maj"));
    s.add("only_two_columns", "id,nom\nstructure-1,Anonymal\n");
    let mut extra_columns = columns.clone();
    extra_columns.push("couleur".into());
    let mut extra_cells = cells.clone();
    extra_cells.push("bleu".into());
    s.add("extra_column", csv(&extra_columns, &[extra_cells.clone()]));
    let mut v0_columns = columns.clone();
    v0_columns.push("courriel".into());
    let mut v0_cells = cells.clone();
    v0_cells.push("contact@exemple.fr".into());
    s.add("with_v0_column_courriel", csv(&v0_columns, &[v0_cells]));
    s.add(
        "short_row",
        format!("{header}\n\"structure-1\",\"43493312300029\"\n"),
    );
    s.add("long_row", format!("{}x,y\n", text));
    s.add(
        "unterminated_quote",
        format!("{header}\n\"structure-1,Anonymal\n"),
    );
    s.add(
        "v1_semicolon_lists",
        with(&[
            (
                "services",
                "Maîtrise des outils numériques du quotidien;Loisirs et créations numériques",
            ),
            ("modalites_acces", "Se présenter;Téléphoner"),
            ("typologie", "TIERS_LIEUX;ASSO"),
        ]),
    );
    s.add(
        "v0_services_in_v1_file",
        with(&[(
            "services",
            "Accéder à une connexion internet;Accéder à du matériel",
        )]),
    );
    s.add(
        "empty_list_items",
        with(&[
            ("services", "|Loisirs et créations numériques||"),
            ("courriels", "a@b.fr||"),
        ]),
    );
    s.add(
        "duplicate_list_items",
        with(&[(
            "services",
            "Loisirs et créations numériques| Loisirs et créations numériques ",
        )]),
    );
    s.add("bad_date", with(&[("date_maj", "2024-13-45")]));
    s.add("bad_date_french", with(&[("date_maj", "02/04/2024")]));
    s.add("date_in_future", with(&[("date_maj", "2099-01-01")]));
    s.add("date_year_0", with(&[("date_maj", "0000-01-01")]));
    s.add("date_huge_year", with(&[("date_maj", "+262143-01-01")]));
    for (name, phone) in [
        ("national", "04 72 00 00 00"),
        ("dots", "04.72.00.00.00"),
        ("reunion", "0262 12 34 56"),
        ("short", "12 34"),
        ("plus_short", "+3312"),
        ("foreign", "+44 20 7946 0958"),
        ("letters", "+33ABCDEFGHI"),
        ("nbsp", "04\u{a0}72\u{a0}00\u{a0}00\u{a0}00"),
    ] {
        s.add(format!("phone_{name}"), with(&[("telephone", phone)]));
    }
    s.add(
        "quoted_commas",
        with(&[
            ("nom", "Anonymal, « la quincaillerie », \"numérique\""),
            ("adresse", "12, rue de Leclercq"),
        ]),
    );
    s.add(
        "newline_in_cell",
        with(&[("presentation_detail", "ligne 1\nligne 2\r\nligne 3")]),
    );
    s.add(
        "whitespace_values",
        with(&[("nom", "  Anonymal  "), ("commune", "\tReims ")]),
    );
    s.add("placeholder_pivot", with(&[("pivot", "00000000000000")]));
    s.add("bad_siret", with(&[("pivot", "43493312300028")]));
    s.add("la_poste_siret", with(&[("pivot", "35600000012341")]));
    s.add("rna_pivot", with(&[("pivot", "W751234567")]));
    s.add(
        "swapped_coordinates",
        with(&[("latitude", "5.41423"), ("longitude", "43.52609")]),
    );
    s.add(
        "corsica_coordinates",
        with(&[
            ("code_postal", "20000"),
            ("code_insee", "2A004"),
            ("commune", "Ajaccio"),
        ]),
    );
    s.add(
        "overseas",
        with(&[
            ("code_postal", "97100"),
            ("code_insee", "97105"),
            ("commune", "Basse-Terre"),
            ("latitude", "15.99"),
            ("longitude", "-61.72"),
        ]),
    );
    s.add(
        "coordinates_nan",
        with(&[("latitude", "NaN"), ("longitude", "inf")]),
    );
    s.add(
        "coordinates_huge",
        with(&[("latitude", "1e400"), ("longitude", "-1e400")]),
    );
    s.add("coordinates_one_missing", with(&[("longitude", "")]));
    s.add(
        "cedex",
        with(&[("code_postal", "51084"), ("commune", "Reims Cedex")]),
    );
    s.add("insee_mismatch", with(&[("code_insee", "69381")]));
    s.add("insee_2c", with(&[("code_insee", "2C001")]));
    s.add(
        "formations_labels_quirk",
        with(&[("formations_labels", "Étapes numériques (La Poste)")]),
    );
    s.add("bad_horaires", with(&[("horaires", "Lu-Ve 9h-12h")]));
    s.add(
        "horaires_guarded",
        with(&[("horaires", "Sa,Su (sunset+12:01)-sunrise")]),
    );
    s.add(
        "too_long_resume",
        with(&[("presentation_resume", &"é".repeat(281))]),
    );
    s.add(
        "bad_email_url",
        with(&[
            ("courriels", "a@b|@|x@.fr"),
            ("site_web", "ftp://x|https://.x|http://a.b c"),
        ]),
    );
    s.add(
        "no_public",
        with(&[("modalites_acces", "Ce lieu n'accueille pas de public")]),
    );
    s.add("invalid_utf8", {
        let mut b = text.clone().into_bytes();
        let i = b.len() / 2;
        b[i] = 0xff;
        b
    });
    s.add("nul_byte", text.replacen("Reims", "Re\0ims", 1));
    // The example as JSON, and JSON edge cases.
    let object_of = |cs: &[String]| -> serde_json::Map<String, serde_json::Value> {
        columns
            .iter()
            .cloned()
            .zip(cs.iter().map(|v| serde_json::Value::from(v.as_str())))
            .collect()
    };
    s.add(
        "example_json",
        json_array(&[serde_json::Value::Object(object_of(&cells))]),
    );
    s.add(
        "example_json_single_object",
        json(&serde_json::Value::Object(object_of(&cells))),
    );
    let mut lists = object_of(&cells);
    for k in [
        "services",
        "courriels",
        "site_web",
        "typologie",
        "modalites_acces",
    ] {
        let items = lists[k]
            .as_str()
            .expect("text")
            .split('|')
            .map(serde_json::Value::from)
            .collect();
        lists.insert(k.into(), serde_json::Value::Array(items));
    }
    lists.insert("latitude".into(), serde_json::Value::from(43.52609));
    lists.insert("longitude".into(), serde_json::Value::from(5.41423));
    lists.insert("itinerance".into(), serde_json::Value::Null);
    s.add(
        "example_json_arrays_numbers",
        json_array(&[serde_json::Value::Object(lists)]),
    );
    for (name, text) in [
        ("json_empty_array", "[]"),
        ("json_empty_object", "{}"),
        ("json_array_of_empty_objects", "[{},{}]"),
        ("json_number", "[1]"),
        ("json_null", "[null]"),
        ("json_string", "\"venue\""),
        (
            "json_nested_object",
            r#"[{"id":"a","adresse":{"rue":"x"}}]"#,
        ),
        (
            "json_list_of_numbers",
            r#"[{"id":"a","services":["Loisirs et créations numériques",1]}]"#,
        ),
        ("json_list_of_lists", r#"[{"id":"a","services":[["x"]]}]"#),
        ("json_duplicate_keys", r#"[{"id":"a","id":"b","nom":"x"}]"#),
        (
            "json_booleans",
            r#"[{"id":true,"latitude":false,"date_maj":"2024-01-01"}]"#,
        ),
        (
            "json_big_numbers",
            r#"[{"id":1e308,"latitude":-0.0,"longitude":123456789012345678901234567890}]"#,
        ),
        ("json_out_of_range_number", r#"[{"latitude":1e400}]"#),
        (
            "json_empty_strings",
            r#"[{"id":"","nom":"","services":""}]"#,
        ),
        ("json_empty_list", r#"[{"id":"a","services":[]}]"#),
        (
            "json_unicode_escapes",
            r#"[{"id":"\u00e9\ud83d\ude00","nom":"\u0000"}]"#,
        ),
        ("json_lone_surrogate", r#"[{"id":"\ud800"}]"#),
        ("json_truncated", r#"[{"id":"a","nom":"#),
        ("json_trailing_comma", r#"[{"id":"a"},]"#),
        ("json_leading_space_bom", "\u{feff}  [{\"id\":\"a\"}]"),
        (
            "json_same_id_twice",
            r#"[{"id":"a","nom":"x"},{"id":"a","nom":"y"}]"#,
        ),
    ] {
        s.add(name, text);
    }
    s.add(
        "json_deep_nesting",
        format!("{}{}", "[".repeat(200), "]".repeat(200)),
    );
    // The conformance vectors.
    for name in ["problems.csv", "labels.csv"] {
        let path = vector_dir().join("venues").join(name);
        s.add(
            format!("vector_{}", name.replace('.', "_")),
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        );
    }
    s
}

fn opening_hours() -> Seeds {
    let mut s = Seeds::default();
    // Every distinct `horaires` of the real file, in order of first use.
    let mut n = 0;
    for v in hinaura() {
        if let Some(h) = object(&v).get("horaires").and_then(|h| h.as_str())
            && !s.seen.contains(h.as_bytes())
        {
            s.add(format!("real_{n:03}"), h);
            n += 1;
        }
    }
    // The conformance vectors.
    for row in read_tsv("venues/hours.tsv") {
        s.add(
            format!(
                "vector_{}",
                row["note"].replace(|c: char| !c.is_ascii_alphanumeric(), "_")
            ),
            &row["horaires"],
        );
    }
    let tricky = [
        ("always", "24/7"),
        ("ph_off", "PH off"),
        ("ph_only", "PH 10:00-12:00"),
        ("all_days_all_day", "Mo-Su 00:00-24:00"),
        ("past_midnight", "Fr 19:00-11:00"),
        ("sun", "sunrise-sunset"),
        ("sun_offsets", "(sunset+01:30)-(sunrise-00:15)"),
        ("sun_to_next_morning", "Mo 18:00-(sunrise+02:00)"),
        ("dusk_dawn", "dusk-dawn"),
        ("open_end", "Mo 10:00+"),
        ("week_numbers", "week 01-53/2 Mo-Fr 09:00-12:00"),
        ("week_range", "week 10-20 Mo-Fr 08:00-12:00; week 43 off"),
        (
            "month_range",
            "Jan-Mar Mo-Fr 09:00-12:00; Apr-Dec Mo-Fr 10:00-17:00",
        ),
        ("month_wrap", "Nov-Feb Sa 10:00-12:00"),
        ("date_range_wrap", "Dec 24-Jan 02 off"),
        ("fixed_date", "2026 Dec 25 10:00-12:00"),
        ("far_year", "2030 Jan 01 10:00-12:00"),
        ("year_range", "2020-2040 Mo 09:00-10:00"),
        ("easter", "easter +1 day off"),
        ("school_holidays", "SH off"),
        ("nth_weekday", "Mo[1] 09:00-12:00; Fr[-1] 14:00-16:00"),
        ("nth_weekday_offset", "Sa[2] +2 days 10:00-12:00"),
        ("closed", "closed"),
        ("off", "off"),
        ("all_off", "Mo-Su off"),
        (
            "unknown_comment",
            "Sa 10:00-12:00 unknown \"sur rendez-vous\"",
        ),
        ("comment_only", "\"sur rendez-vous\""),
        ("fallback", "Mo-Fr 09:00-12:00 || \"sur rendez-vous\""),
        ("zero_span", "Mo 10:00-10:00"),
        ("span_48", "Mo 00:00-48:00"),
        ("span_to_24", "Mo 12:00-24:00"),
        ("repeating", "Mo 09:00-12:00/01:00"),
        ("dst_gap", "Su 02:00-03:00"),
        ("dst_gap_half", "Su 02:30-04:00"),
        ("dst_repeat", "Su 01:00-04:00"),
        ("override", "Mo-Fr 09:00-18:00; We 09:00-12:00"),
        ("additive", "Mo-Fr 09:00-12:00, We 14:00-16:00"),
        ("guard_sunset_12", "Sa,Su (sunset+12:01)-sunrise"),
        ("guard_dusk", "Su,PH (dusk+14:03)-03:48,09:02+"),
        ("guard_36", "We-Th 00:33-36:54,(dusk+18:46)-dawn"),
        ("guard_repeat", "(sunset+10:19)-00:00/01:30"),
        ("trailing_separator", "Mo 10:00-12:00;"),
        ("french_hours", "Mo-Fr 9h-12h"),
        ("french_days", "Lu-Ve 09:00-12:00"),
        ("hour_30", "30:00-25:00"),
        ("en_dash", "Mo-Fr 09:00–12:00"),
        ("lowercase", "mo-fr 09:00-12:00"),
        ("empty", ""),
        ("space", " "),
        ("newline", "\n"),
        ("bom", "\u{feff}Mo 10:00-12:00"),
        ("nul", "Mo 10:00-12:00\0"),
    ];
    for (name, text) in tricky {
        s.add(name, text);
    }
    s.add("invalid_utf8", b"Mo 10:00-12:00\xff".as_slice());
    // Long strings around the 2048-byte cap.
    let mut long = String::from("Mo 10:00-12:00");
    while long.len() + 16 <= 2048 {
        long.push_str("; Tu 10:00-12:00");
    }
    s.add(format!("long_{}", long.len()), &long);
    s.add(
        format!("long_{}", long.len() + 16),
        format!("{long}; We 10:00-12:00"),
    );
    let spans: Vec<String> = (0..24 * 60 / 2 - 1)
        .take(150)
        .map(|i| {
            format!(
                "{:02}:{:02}-{:02}:{:02}",
                i * 2 / 60,
                i * 2 % 60,
                (i * 2 + 1) / 60,
                (i * 2 + 1) % 60
            )
        })
        .collect();
    s.add("many_spans", format!("Mo-Su {}", spans.join(",")));
    s.add("very_long", "Mo 10:00-12:00; ".repeat(640));
    s
}

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("fuzz/seeds")
}

/// Batches as the venue device sends them, their bodies (the target signs the data as a
/// body too), the vector batches, truncations and header variants.
fn redemption_batch() -> Seeds {
    use inclusif_conformance::batch_vectors::{GUERET_SEED, LYON_SEED, body, sign};
    let mut s = Seeds::default();
    for row in read_tsv("batches.tsv") {
        let bytes = hex(&row["batch"]);
        if bytes.len() > 64 {
            s.add(
                format!("vector_{}_body", row["name"]),
                &bytes[..bytes.len() - 64],
            );
        }
        s.add(format!("vector_{}", row["name"]), bytes);
    }
    let issuer = Issuer::new(Kid::new(7).expect("kid"), SecretKey::from_seed(&KID7_SEED));
    let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    let token = |n: u128, value: u16| {
        *issuer
            .issue(
                Serial::from_u128(VALID_SERIAL + 100 + n).expect("serial"),
                value,
                Validity::from_dates(date(1, 1), date(12, 31)).expect("window"),
                Scope::NATIONAL,
            )
            .expect("token")
            .as_bytes()
    };
    let ms = |h: u32, m: u32| {
        Utc.with_ymd_and_hms(2026, 6, 1, h, m, 0)
            .unwrap()
            .timestamp_millis()
    };
    let lyon = "venue-lyon-01";
    let one = body(
        lyon,
        1,
        1,
        ms(9, 30),
        &[(*valid_token().as_bytes(), ms(9, 0))],
    );
    let three = body(
        lyon,
        1,
        2,
        ms(9, 59),
        &[
            (token(1, 1000), ms(8, 0)),
            (token(2, 1000), ms(8, 1)),
            (token(3, 1000), ms(9, 59)),
        ],
    );
    let same_serial = body(
        lyon,
        1,
        3,
        ms(9, 50),
        &[(token(4, 1000), ms(9, 0)), (token(4, 500), ms(9, 1))],
    );
    let future = body(lyon, 1, 4, ms(11, 0), &[(token(5, 1000), ms(11, 0))]);
    let gueret = body(
        "venue-gueret-02",
        1,
        1,
        ms(9, 30),
        &[(token(1, 1000), ms(7, 0))],
    );
    let unknown = body(
        "venue-nantes-04",
        1,
        1,
        ms(9, 30),
        &[(token(6, 1000), ms(7, 0))],
    );
    for (name, b) in [
        ("one", &one),
        ("three", &three),
        ("same_serial_twice", &same_serial),
        ("future_item", &future),
        ("unknown_venue", &unknown),
    ] {
        s.add(format!("{name}_body"), b);
        s.add(format!("{name}_signed"), sign(b, &LYON_SEED));
    }
    s.add("gueret_body", &gueret);
    s.add("gueret_signed", sign(&gueret, &GUERET_SEED));
    let signed = sign(&three, &LYON_SEED);
    for n in [
        0,
        1,
        4,
        5,
        6,
        19,
        20,
        40,
        41,
        100,
        133,
        134,
        200,
        signed.len() - 65,
        signed.len() - 1,
    ] {
        s.add(format!("three_truncated_{n:03}"), &signed[..n]);
    }
    let mut trailing = signed.clone();
    trailing.push(0);
    s.add("three_trailing_byte", trailing);
    let variants: [(&str, usize, &[u8]); 8] = [
        ("format_2", 4, &[2]),
        ("venue_len_0", 5, &[0]),
        ("venue_len_65", 5, &[65]),
        ("venue_upper", 6, b"V"),
        ("key_id_0", 19, &[0, 0]),
        ("count_0", 37, &[0, 0, 0, 0]),
        ("count_huge", 37, &[0, 0x0f, 0x42, 0x40]),
        ("token_version_0", 41, &[0]),
    ];
    for (name, at, patch) in variants {
        let mut b = three.clone();
        b[at..at + patch.len()].copy_from_slice(patch);
        s.add(format!("{name}_body"), &b);
    }
    s
}

fn main() {
    let all: BTreeMap<&str, Seeds> = BTreeMap::from([
        ("strict_parse", strict_parse()),
        ("human_parse", human_parse()),
        ("short_code", short_code()),
        ("trust_list", trust_list()),
        ("verify", verify()),
        ("mandate_token", mandate_token()),
        ("journal", journal()),
        ("scenario", scenario()),
        ("venue_file", venue_file()),
        ("opening_hours", opening_hours()),
        ("redemption_batch", redemption_batch()),
    ]);
    assert_eq!(all.len(), TARGETS.len(), "one seed set per target");
    let mut bytes = 0;
    for (target, seeds) in &all {
        assert!(
            TARGETS.iter().any(|(n, _)| n == target),
            "{target} is not a target"
        );
        let dir = seed_dir().join(target);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("clear seed folder");
        }
        std::fs::create_dir_all(&dir).expect("create seed folder");
        for (name, data) in &seeds.files {
            std::fs::write(dir.join(name), data).expect("write seed");
            bytes += data.len();
        }
        println!("{target}: {} seeds", seeds.files.len());
    }
    println!("{bytes} bytes in all, under {}", seed_dir().display());
}
