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

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("fuzz/seeds")
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
