//! Runs the signed mandate token vectors (`tests/vectors/mandate_tokens.tsv`) through
//! inclusif-core's `MandateVerifier`; the Python and Kotlin suites read the same file and
//! must reach the same verdicts.

use std::collections::{BTreeMap, BTreeSet};

use inclusif_conformance::mandate_vectors::mandate_token_vectors;
use inclusif_conformance::{instant, read_tsv, root_key, vector_dir};
use inclusif_core::mandate::token::{MandateTokenError, MandateVerifier, VerifiedMandate};
use inclusif_core::mandate::{Demarche, MandateId};
use inclusif_core::voucher::{Kid, PublicKey, TrustList};

const FILE: &str = "mandate_tokens.tsv";

fn verifier(row: &BTreeMap<String, String>) -> Result<MandateVerifier, MandateTokenError> {
    let mut v = match row["trust_list"].as_str() {
        "-" => MandateVerifier::without_trust_list(),
        hex => {
            let bytes = data_encoding::HEXLOWER.decode(hex.as_bytes()).unwrap();
            MandateVerifier::new(TrustList::open(&bytes, &root_key())?)?
        }
    };
    if row["keys"] != "-" {
        for k in row["keys"].split(';') {
            let (kid, key) = k.split_once(':').unwrap();
            let kid: u16 = kid.parse().unwrap();
            v = v.with_key_for_any_organisation(
                Kid::new(kid).unwrap(),
                PublicKey::from_hex(key, kid).unwrap(),
            )?;
        }
    }
    if row["revoked"] != "-" {
        v = v.with_revoked_mandates(
            row["revoked"]
                .split(';')
                .map(|s| s.parse::<MandateId>().unwrap()),
        );
    }
    if row["demarche"] != "-" {
        v = v.with_required_demarche(row["demarche"].parse::<Demarche>().unwrap());
    }
    if row["usager_sub"] != "-" {
        v = v.with_required_usager(&row["usager_sub"]);
    }
    Ok(v)
}

fn verify(row: &BTreeMap<String, String>) -> Result<VerifiedMandate, MandateTokenError> {
    let v = verifier(row)?;
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
fn vector_file_matches_the_generator() {
    let on_disk = std::fs::read_to_string(vector_dir().join(FILE)).unwrap();
    assert_eq!(
        on_disk,
        mandate_token_vectors(),
        "{FILE} drifted: run `cargo run -p inclusif-conformance --bin gen-mandate-vectors`"
    );
}

#[test]
fn mandate_token_vectors_verify_as_expected() {
    let rows = read_tsv(FILE);
    assert!(rows.len() >= 60, "{} rows", rows.len());
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for row in &rows {
        let name = &row["name"];
        assert!(names.insert(name.clone()), "{name} twice");
        match (row["expect"].as_str(), verify(row)) {
            ("ok", Ok(m)) => {
                assert_eq!(m.kid().get().to_string(), row["kid"], "{name}");
                assert_eq!(
                    m.organisation().get().to_string(),
                    row["organisation"],
                    "{name}"
                );
                assert_eq!(m.mandate_id().to_string(), row["mandate_id"], "{name}");
                assert_eq!(m.demarches().to_string(), row["demarches"], "{name}");
                assert_eq!(m.duration().keyword(), row["duration"], "{name}");
                assert_eq!(m.consent().name(), row["consent"], "{name}");
                let rfc = |t: chrono::DateTime<chrono::Utc>| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                };
                assert_eq!(rfc(m.created_at()), row["created_at"], "{name}");
                assert_eq!(rfc(m.expires_at()), row["expires_at"], "{name}");
                seen.insert("ok");
            }
            (expect, Err(e)) => {
                assert_eq!(e.code(), expect, "{name}: {e}");
                assert!(
                    e.to_string().contains(": "),
                    "{name}: the message names the field: {e}"
                );
                seen.insert(e.code());
            }
            (expect, Ok(_)) => panic!("{name}: expected {expect}, got ok"),
        }
    }
    for code in
        MandateTokenError::CODES
            .iter()
            .chain(&["ok", "trust_list_expired", "trust_list_malformed"])
    {
        assert!(seen.contains(code), "no vector for {code}");
    }
    // The exact-expiry boundary, both sides, for every kind of duration.
    for boundary in [
        "ok_long_at_exact_expiry",
        "expired_long_one_second_after",
        "ok_short_at_exact_expiry",
        "expired_short_one_second_after",
        "ok_eus_03_20_at_its_end",
        "expired_eus_03_20_one_second_after",
    ] {
        assert!(names.contains(boundary), "no vector {boundary}");
    }
}
