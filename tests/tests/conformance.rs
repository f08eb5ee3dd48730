//! Runs the shared vectors of `tests/vectors/` against inclusif-core. The Python and
//! Kotlin suites read the same files and must reach the same verdicts.

use std::collections::BTreeMap;

use chrono_tz::Tz;
use inclusif_conformance::{generate, instant, read_tsv, root_key, vector_dir};
use inclusif_core::voucher::{
    Ledger, MemoryLedger, Redemption, Scope, Serial, Token, TrustList, Verifier, VoucherError,
    parse_phone_code,
};

fn trust_list() -> TrustList {
    let hex = std::fs::read_to_string(vector_dir().join("trust_list.hex")).unwrap();
    let bytes = data_encoding::HEXLOWER
        .decode(hex.trim().as_bytes())
        .unwrap();
    TrustList::open(&bytes, &root_key()).unwrap()
}

fn verifier(row: &BTreeMap<String, String>) -> Verifier {
    let tz: Tz = row["tz"].parse().unwrap();
    let mut v = Verifier::new(trust_list()).with_time_zone(tz);
    match row["scopes"].as_str() {
        "-" => {}
        "any" => v = v.with_any_scope(),
        list => v = v.with_scopes(list.split(';').map(|s| Scope(s.parse().unwrap()))),
    }
    if row["revoked_serials"] != "-" {
        v = v.with_revoked_serials(
            row["revoked_serials"]
                .split(';')
                .map(|s| Serial::from_hex(s).unwrap()),
        );
    }
    v
}

fn verify(
    row: &BTreeMap<String, String>,
) -> Result<inclusif_core::voucher::VerifiedVoucher, VoucherError> {
    let v = verifier(row);
    let at = instant(&row["at"]);
    match row["mode"].as_str() {
        "strict" => v.verify_text(&row["input"], at),
        "human" => v.verify_human(&row["input"], at),
        "bytes" => v.verify_bytes(
            &data_encoding::HEXLOWER
                .decode(row["input"].as_bytes())
                .unwrap(),
            at,
        ),
        m => panic!("unknown mode {m}"),
    }
}

#[test]
fn vector_files_match_the_generator() {
    for (name, contents) in generate() {
        let on_disk = std::fs::read_to_string(vector_dir().join(name)).unwrap();
        assert_eq!(
            on_disk, contents,
            "{name} drifted: run `cargo run -p inclusif-conformance --bin gen-vectors`"
        );
    }
}

#[test]
fn token_vectors() {
    let rows = read_tsv("tokens.tsv");
    assert!(rows.len() >= 50);
    let mut codes_seen = std::collections::BTreeSet::new();
    for row in &rows {
        let name = &row["name"];
        let got = verify(row);
        match (row["expect"].as_str(), got) {
            ("ok", Ok(v)) => {
                assert_eq!(v.kid().get().to_string(), row["kid"], "{name}");
                assert_eq!(v.serial().to_string(), row["serial"], "{name}");
                assert_eq!(v.value_cents().to_string(), row["value_cents"], "{name}");
                assert_eq!(v.valid_from().to_string(), row["valid_from"], "{name}");
                assert_eq!(v.valid_until().to_string(), row["valid_until"], "{name}");
                assert_eq!(v.scope().0.to_string(), row["scope"], "{name}");
                assert_eq!(v.short_code().to_string(), row["short_code"], "{name}");
                assert_eq!(
                    inclusif_core::voucher::KeypadCode::new(v.serial()).to_string(),
                    row["keypad_code"],
                    "{name}"
                );
                codes_seen.insert("ok");
            }
            (expect, Err(e)) => {
                assert_eq!(e.code(), expect, "{name}: {e}");
                assert!(
                    e.to_string().contains(':'),
                    "{name}: the message names the field: {e}"
                );
                codes_seen.insert(e.code());
            }
            (expect, Ok(_)) => panic!("{name}: expected {expect}, got ok"),
        }
    }
    for code in [
        "ok",
        "malformed",
        "unsupported_version",
        "unknown_key",
        "revoked_key",
        "bad_signature",
        "invalid_field",
        "not_yet_valid",
        "expired",
        "outside_key_window",
        "value_above_key_limit",
        "scope_not_accepted",
        "scope_not_allowed_for_key",
        "revoked_serial",
        "trust_list_expired",
    ] {
        assert!(codes_seen.contains(code), "no vector for {code}");
    }
}

/// The batch path reaches the same verdict as one-by-one verification on every strict
/// vector token, mixed (one verifier accepting every scope, at two instants), and a batch
/// of only good tokens verifies whole.
#[test]
fn batch_agrees_with_single_on_vectors() {
    let rows = read_tsv("tokens.tsv");
    let tokens: Vec<Token> = rows
        .iter()
        .filter(|r| r["mode"] == "strict")
        .filter_map(|r| Token::parse_strict(&r["input"]).ok())
        .collect();
    assert!(tokens.len() > 30, "{}", tokens.len());
    let v = Verifier::new(trust_list()).with_any_scope();
    for at in ["2026-06-01T10:00:00Z", "2026-07-02T10:00:00Z"] {
        let batch = v.verify_batch(&tokens, instant(at));
        for (t, b) in tokens.iter().zip(batch) {
            let single = v.verify(t, instant(at));
            assert_eq!(single.map_err(|e| e.code()), b.map_err(|e| e.code()));
        }
    }
    let good: Vec<Token> = rows
        .iter()
        .filter(|r| {
            r["mode"] == "strict" && r["expect"] == "ok" && r["at"] == "2026-06-01T10:00:00Z"
        })
        .filter_map(|r| Token::parse_strict(&r["input"]).ok())
        .collect();
    assert!(good.len() >= 5);
    let batch = v.verify_batch(&good, instant("2026-06-01T10:00:00Z"));
    assert!(batch.iter().all(Result::is_ok), "{batch:?}");
}

#[test]
fn code_vectors() {
    for row in read_tsv("codes.tsv") {
        let got = parse_phone_code(&row["input"]);
        match (row["expect"].as_str(), got) {
            ("ok", Ok(s)) => assert_eq!(s.to_string(), row["serial"], "{}", row["name"]),
            (expect, Err(e)) => assert_eq!(e.code(), expect, "{}: {e}", row["name"]),
            (expect, Ok(s)) => panic!("{}: expected {expect}, got {s}", row["name"]),
        }
    }
}

#[test]
fn trust_list_vectors() {
    let mut seen = std::collections::BTreeSet::new();
    for row in read_tsv("trust_lists.tsv") {
        let bytes = data_encoding::HEXLOWER
            .decode(row["hex"].as_bytes())
            .unwrap();
        let now = instant(&row["at"]);
        let got = TrustList::open(&bytes, &root_key()).and_then(|l| {
            l.check_fresh(now)?;
            match row["loaded"].as_str() {
                "-" => Ok(l),
                "trust_list.hex" => {
                    let mut v = Verifier::new(trust_list());
                    v.replace_trust_list(l)?;
                    Ok(v.trust_list().clone())
                }
                other => panic!("unknown loaded list {other}"),
            }
        });
        match (row["expect"].as_str(), got) {
            ("ok", Ok(l)) => {
                assert_eq!(l.sequence().to_string(), row["sequence"], "{}", row["name"]);
                let kids: Vec<String> = l.entries().map(|e| e.kid.get().to_string()).collect();
                assert_eq!(kids.join(";"), row["kids"], "{}", row["name"]);
                seen.insert("ok");
            }
            (expect, Err(e)) => {
                assert_eq!(e.code(), expect, "{}: {e}", row["name"]);
                seen.insert(e.code());
            }
            (expect, Ok(_)) => panic!("{}: expected {expect}", row["name"]),
        }
    }
    for code in [
        "ok",
        "trust_list_expired",
        "trust_list_bad_signature",
        "trust_list_malformed",
        "trust_list_rollback",
        "weak_key",
        "invalid_key",
    ] {
        assert!(seen.contains(code), "no trust list vector for {code}");
    }
}

#[test]
fn redemption_vectors() {
    let ledger = MemoryLedger::new();
    let v = Verifier::new(trust_list());
    for row in read_tsv("redemptions.tsv") {
        let at = instant(&row["at"]);
        let voucher = v.verify_text(&row["token"], at).unwrap();
        let got = ledger.redeem(Redemption::new(&voucher, &row["venue"], at));
        match (row["expect"].as_str(), got) {
            ("ok", Ok(r)) => assert_eq!(r.venue, row["venue"]),
            ("already_redeemed", Err(VoucherError::AlreadyRedeemed { venue, at, .. })) => {
                assert_eq!(venue, row["first_venue"]);
                assert_eq!(at, instant(&row["first_at"]));
            }
            (expect, got) => panic!("step {}: expected {expect}, got {got:?}", row["step"]),
        }
    }
}
