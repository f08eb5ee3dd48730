//! Runs the journal vectors of `tests/vectors/journal/` against inclusif-core, and checks
//! the sample's format independently of the core (serde_json for the canonical JSON,
//! sha2 for the hashes, ed25519-dalek for the checkpoint signatures).

use std::collections::BTreeSet;

use ed25519_dalek::{Signature, VerifyingKey};
use inclusif_conformance::journal_vectors::{generate, vector_dir};
use inclusif_conformance::read_tsv;
use inclusif_core::mandate::journal::{JournalCode, JournalReport, verify_journal};
use inclusif_core::voucher::PublicKey;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn read(name: &str) -> String {
    std::fs::read_to_string(vector_dir().join(name)).unwrap()
}

fn keys() -> Vec<(u16, PublicKey)> {
    read_tsv("journal/key.tsv")
        .iter()
        .map(|r| {
            let kid: u16 = r["kid"].parse().unwrap();
            (kid, PublicKey::from_hex(&r["public_key"], kid).unwrap())
        })
        .collect()
}

#[test]
fn vector_files_match_the_generator() {
    for (name, contents) in generate() {
        let on_disk = std::fs::read_to_string(vector_dir().join(name)).unwrap_or_default();
        assert_eq!(
            on_disk, contents,
            "journal/{name} drifted: run `cargo run -p inclusif-conformance --bin gen-journal-vectors`"
        );
    }
}

#[test]
fn verdicts_are_as_expected() {
    let keys = keys();
    let rows = read_tsv("journal/expected.tsv");
    assert!(rows.len() >= 10);
    let mut codes = BTreeSet::new();
    for row in &rows {
        let file = &row["file"];
        let report = verify_journal(&read(file), &keys);
        match report {
            JournalReport::Ok {
                entries,
                unsigned_entries,
            } => {
                assert_eq!(row["expect"], "ok", "{file}");
                assert_eq!(entries.to_string(), row["entries"], "{file}");
                assert_eq!(
                    unsigned_entries.to_string(),
                    row["unsigned_entries"],
                    "{file}"
                );
                codes.insert("ok");
            }
            JournalReport::Err {
                line,
                code,
                ref message,
            } => {
                assert_eq!(code.code(), row["expect"], "{file}: {message}");
                assert_eq!(line.to_string(), row["line"], "{file}: {message}");
                codes.insert(code.code());
            }
        }
    }
    for c in JournalCode::ALL {
        assert!(codes.contains(c.code()), "no vector for {c}");
    }
    assert_eq!(
        verify_journal(&read("sample.jsonl"), &keys).to_json(),
        r#"{"ok":true,"entries":12,"unsigned_entries":1}"#
    );
    // Without the key, the first checkpoint is refused.
    let JournalReport::Err { line, code, .. } = verify_journal(&read("sample.jsonl"), &[]) else {
        panic!("a checkpoint needs its key")
    };
    assert_eq!((line, code), (6, JournalCode::BadCheckpoint));
}

/// The format as documented, read without the core.
#[test]
fn the_sample_follows_the_documented_format() {
    let text = read("sample.jsonl");
    assert!(text.ends_with('\n'));
    let key_row = &read_tsv("journal/key.tsv")[0];
    let kid: u16 = key_row["kid"].parse().unwrap();
    let mut pk = [0u8; 32];
    data_encoding::HEXLOWER
        .decode_mut(key_row["public_key"].as_bytes(), &mut pk)
        .unwrap();
    let key = VerifyingKey::from_bytes(&pk).unwrap();
    let hex = |v: &Value| {
        data_encoding::HEXLOWER
            .decode(v.as_str().unwrap().as_bytes())
            .unwrap()
    };

    let mut prev = "0".repeat(64);
    let mut actions = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Value::Object(map) = serde_json::from_str::<Value>(line).unwrap() else {
            panic!("line {} is not an object", i + 1)
        };
        // Canonical: keys in byte order, compact (serde_json keeps the file's order).
        let keys: Vec<&String> = map.keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "line {}", i + 1);
        assert_eq!(serde_json::to_string(&map).unwrap(), line);
        assert_eq!(map["seq"], Value::from(i as u64 + 1));
        assert_eq!(map["prev"], Value::from(prev.clone()));
        // hash = SHA-256("FR.AIDANTS.JOURNAL.V1\0" || canonical JSON without "hash").
        let mut without = map.clone();
        let hash = without.shift_remove("hash").unwrap();
        let mut h = Sha256::new();
        h.update(b"FR.AIDANTS.JOURNAL.V1\0");
        h.update(serde_json::to_string(&without).unwrap().as_bytes());
        assert_eq!(
            data_encoding::HEXLOWER.encode(&h.finalize()),
            hash.as_str().unwrap(),
            "line {}",
            i + 1
        );
        // Checkpoints: Ed25519 over the tag, kid (u16 BE), count (u64 BE) and head.
        if map["action"] == "checkpoint" {
            assert_eq!(map["kid"], Value::from(kid));
            assert_eq!(map["count"], Value::from(i as u64));
            assert_eq!(map["head"], map["prev"]);
            let mut msg = b"FR.AIDANTS.CHECKPOINT.V1\0".to_vec();
            msg.extend_from_slice(&kid.to_be_bytes());
            msg.extend_from_slice(&(i as u64).to_be_bytes());
            msg.extend_from_slice(&hex(&map["head"]));
            let sig: [u8; 64] = hex(&map["signature"]).try_into().unwrap();
            key.verify_strict(&msg, &Signature::from_bytes(&sig))
                .unwrap();
        }
        actions.push(map["action"].as_str().unwrap().to_owned());
        prev = hash.as_str().unwrap().to_owned();
    }
    assert_eq!(
        actions,
        [
            "franceconnect_usager",
            "create_attestation",
            "create_autorisation",
            "create_autorisation",
            "use_autorisation",
            "checkpoint",
            "init_renew_mandat",
            "cancel_autorisation",
            "create_autorisation",
            "cancel_mandat",
            "checkpoint",
            "use_autorisation"
        ]
    );
}
