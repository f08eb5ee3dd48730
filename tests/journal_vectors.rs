//! Tamper-evident journal vectors (`tests/vectors/journal/`), shared with the Python and
//! Kotlin suites.
//!
//! `sample.jsonl` is one mandate's life in the journal of organisation 42, written with
//! the core's [`Journal`] and signed with the test key of [`JOURNAL_SEED`] (kid
//! [`JOURNAL_KID`], public key in `key.tsv`): the usager identifies through FranceConnect,
//! a LONG mandate for papiers and social is created (attestation, two autorisations),
//! one autorisation is used, a checkpoint; a SEMESTER renewal for papiers revokes the
//! old papiers autorisation and creates a new one, the old mandate is cancelled, a
//! checkpoint; one more use, unsigned. Each other file breaks it in one way, and
//! `expected.tsv` gives the verdict, known by construction (written here by hand, not
//! computed by the verifier). `cargo run -p inclusif-conformance --bin
//! gen-journal-vectors` rewrites the files; a test fails if they drift.

use chrono::{DateTime, Utc};
use inclusif_core::mandate::journal::{Journal, JournalAction, JournalEntry, JournalRecord};
use inclusif_core::mandate::{ConsentMethod, DemarcheSet, MandateId, OrganisationId};
use inclusif_core::voucher::{PublicKey, SecretKey};

/// Seed of the journal's signing key. Public test material: never sign a real journal
/// with it.
pub const JOURNAL_SEED: [u8; 32] = [0x4a; 32];
/// The kid the sample's checkpoints name.
pub const JOURNAL_KID: u16 = 3;
/// Seed of a key nobody trusts, which forges the second checkpoint of
/// `bad_checkpoint.jsonl` under kid [`JOURNAL_KID`].
pub const FORGER_SEED: [u8; 32] = [0x66; 32];

/// The mandate of the first year.
pub const MANDATE_1: &str = "5eed0000000000000001";
/// The renewal.
pub const MANDATE_2: &str = "5eed0000000000000002";

/// The journal's public key.
pub fn public_key() -> PublicKey {
    SecretKey::from_seed(&JOURNAL_SEED).public_key()
}

fn at(s: &str) -> DateTime<Utc> {
    crate::instant(s)
}

fn demarches(keys: &[&str]) -> Option<DemarcheSet> {
    Some(DemarcheSet::parse(keys.iter().copied()).expect("démarches"))
}

/// The sample journal, its second checkpoint signed by `second_signer`.
fn sample_with(second_signer: &SecretKey) -> Journal {
    let key = SecretKey::from_seed(&JOURNAL_SEED);
    let m1: MandateId = MANDATE_1.parse().expect("id");
    let m2: MandateId = MANDATE_2.parse().expect("id");
    let base = |t: &str, action| JournalRecord {
        aidant: Some("aidant-0007".into()),
        organisation: Some(OrganisationId::new(42).expect("id")),
        usager: Some("fc-sub-test-0001".into()),
        ..JournalRecord::new(at(t), action)
    };
    let mut hash = [0u8; 32];
    data_encoding::HEXLOWER
        .decode_mut(
            b"bafd9f8e63aa9b0c2a2d787328dd6e731fe901fde7ed77a514a9ad9f7423a751",
            &mut hash,
        )
        .expect("hex");
    let records = [
        base("2026-03-01T09:25:00Z", JournalAction::FranceconnectUsager),
        JournalRecord {
            demarches: demarches(&["papiers", "social"]),
            duree: Some(365),
            mandat: Some(m1),
            attestation_hash: Some(hash),
            is_remote_mandat: Some(false),
            consent_method: Some(ConsentMethod::InPerson),
            ..base("2026-03-01T09:30:00Z", JournalAction::CreateAttestation)
        },
        JournalRecord {
            demarches: demarches(&["papiers"]),
            duree: Some(365),
            mandat: Some(m1),
            autorisation: Some(101),
            ..base("2026-03-01T09:30:00Z", JournalAction::CreateAutorisation)
        },
        JournalRecord {
            demarches: demarches(&["social"]),
            duree: Some(365),
            mandat: Some(m1),
            autorisation: Some(102),
            ..base("2026-03-01T09:30:00Z", JournalAction::CreateAutorisation)
        },
        JournalRecord {
            aidant: Some("aidant-0009".into()),
            demarches: demarches(&["social"]),
            mandat: Some(m1),
            autorisation: Some(102),
            additional_information: Some("Déclaration trimestrielle \"RSA\" sur caf.fr".into()),
            ..base("2026-04-10T14:05:00Z", JournalAction::UseAutorisation)
        },
    ];
    let renewal = [
        JournalRecord {
            demarches: demarches(&["papiers"]),
            duree: Some(182),
            mandat: Some(m2),
            ..base("2027-02-20T10:00:00Z", JournalAction::InitRenewMandat)
        },
        JournalRecord {
            demarches: demarches(&["papiers"]),
            mandat: Some(m1),
            autorisation: Some(101),
            additional_information: Some(format!("Remplacée par le mandat {MANDATE_2}")),
            ..base("2027-02-20T10:00:00Z", JournalAction::CancelAutorisation)
        },
        JournalRecord {
            demarches: demarches(&["papiers"]),
            duree: Some(182),
            mandat: Some(m2),
            autorisation: Some(103),
            ..base("2027-02-20T10:00:00Z", JournalAction::CreateAutorisation)
        },
        JournalRecord {
            mandat: Some(m1),
            additional_information: Some("À la demande de l'usager".into()),
            ..base("2027-02-27T16:45:00Z", JournalAction::CancelMandat)
        },
    ];
    let mut j = Journal::new();
    for r in records {
        j.append(r).expect("record");
    }
    j.checkpoint(&key, JOURNAL_KID, at("2026-04-10T18:00:00Z"))
        .expect("checkpoint");
    for r in renewal {
        j.append(r).expect("record");
    }
    j.checkpoint(second_signer, JOURNAL_KID, at("2027-02-27T18:00:00Z"))
        .expect("checkpoint");
    j.append(JournalRecord {
        aidant: Some("aidant-0009".into()),
        demarches: demarches(&["papiers"]),
        mandat: Some(m2),
        autorisation: Some(103),
        additional_information: Some("Pré-demande de passeport sur ants.gouv.fr".into()),
        ..base("2027-03-02T11:20:00Z", JournalAction::UseAutorisation)
    })
    .expect("record");
    j
}

/// The valid sample journal (12 entries, checkpoints on lines 6 and 11).
pub fn sample() -> Journal {
    sample_with(&SecretKey::from_seed(&JOURNAL_SEED))
}

fn lines(j: &Journal) -> Vec<String> {
    j.entries().iter().map(JournalEntry::to_line).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Line `n` (1-based) edited by `edit`, hash kept: what a careless forger writes.
fn edited(l: &[String], n: usize, edit: impl Fn(&mut JournalEntry)) -> Vec<String> {
    let mut e = JournalEntry::from_line(&l[n - 1]).expect("line");
    edit(&mut e);
    let mut out = l.to_vec();
    out[n - 1] = e.to_line();
    out
}

/// Line `n` edited and every hash from it on recomputed: what a careful forger writes.
fn rewritten(j: &Journal, n: usize, edit: impl Fn(&mut JournalEntry)) -> Vec<String> {
    let mut entries = j.entries().to_vec();
    edit(&mut entries[n - 1]);
    let mut prev = entries[n - 2].hash;
    for e in &mut entries[n - 1..] {
        e.prev = prev;
        e.hash = e.compute_hash();
        prev = e.hash;
    }
    entries.iter().map(JournalEntry::to_line).collect()
}

/// One vector: a file and its verdict with the key of `key.tsv`.
pub struct JournalVector {
    /// The file name in `tests/vectors/journal/`.
    pub file: &'static str,
    /// Its contents.
    pub text: String,
    /// `ok` or the error code.
    pub expect: &'static str,
    /// The line named by the error (0 for ok).
    pub line: u64,
    /// For ok: the entries and unsigned entries.
    pub counts: Option<(u64, u64)>,
    /// What was done.
    pub what: &'static str,
}

/// Every journal vector.
pub fn vectors() -> Vec<JournalVector> {
    let j = sample();
    let l = lines(&j);
    let v = |file, text, expect, line, counts, what| JournalVector {
        file,
        text,
        expect,
        line,
        counts,
        what,
    };
    let mut deleted = l.clone();
    deleted.remove(3);
    let mut inserted = l.clone();
    inserted.insert(7, l[1].clone());
    let mut swapped = l.clone();
    swapped.swap(7, 8);
    vec![
        v(
            "sample.jsonl",
            join(&l),
            "ok",
            0,
            Some((12, 1)),
            "the valid sample",
        ),
        v(
            "edited.jsonl",
            join(&edited(&l, 5, |e| {
                e.record.additional_information =
                    Some("Déclaration trimestrielle \"RSA\" sur ameli.fr".into())
            })),
            "journal_hash_mismatch",
            5,
            None,
            "line 5's additional_information edited, hash kept",
        ),
        v(
            "deleted.jsonl",
            join(&deleted),
            "journal_sequence",
            4,
            None,
            "line 4 deleted",
        ),
        v(
            "inserted.jsonl",
            join(&inserted),
            "journal_sequence",
            8,
            None,
            "a copy of line 2 inserted as line 8",
        ),
        v(
            "swapped.jsonl",
            join(&swapped),
            "journal_sequence",
            8,
            None,
            "lines 8 and 9 swapped",
        ),
        v(
            "bad_checkpoint.jsonl",
            sample_with(&SecretKey::from_seed(&FORGER_SEED)).to_jsonl(),
            "journal_bad_checkpoint",
            11,
            None,
            "the second checkpoint signed by another key under kid 3, hashes consistent",
        ),
        v(
            "rewritten.jsonl",
            join(&rewritten(&j, 7, |e| {
                e.record.demarches = demarches(&["papiers", "justice"])
            })),
            "journal_bad_checkpoint",
            11,
            None,
            "line 7's démarches edited and every later hash recomputed: the next checkpoint's head differs",
        ),
        v(
            "relinked.jsonl",
            join(&edited(&l, 3, |e| {
                e.record.autorisation = Some(111);
                e.hash = e.compute_hash();
            })),
            "journal_chain_broken",
            4,
            None,
            "line 3 edited and its own hash recomputed: line 4's prev differs",
        ),
        v(
            "malformed.jsonl",
            join(
                &l.iter()
                    .enumerate()
                    .map(|(i, s)| {
                        if i == 1 {
                            s.replace("\"duree\":365", "\"duree\":\"365\"")
                        } else {
                            s.clone()
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            "journal_malformed",
            2,
            None,
            "line 2's duree written as a string",
        ),
        v(
            "truncated.jsonl",
            join(&l[..10]),
            "ok",
            0,
            Some((10, 4)),
            "the last two lines deleted: undetectable by the chain; 4 entries now unsigned",
        ),
    ]
}

fn expected_tsv(vectors: &[JournalVector]) -> String {
    let mut out = String::from(
        "# Journal vectors. Generated by `cargo run -p inclusif-conformance --bin gen-journal-vectors`.\n\
         # Verify `file` with the key of key.tsv; `expect` is ok (then entries and unsigned_entries)\n\
         # or the error code (then the 1-based line of the first problem).\n\
         file\texpect\tline\tentries\tunsigned_entries\twhat\n",
    );
    for v in vectors {
        let (line, counts) = match v.counts {
            Some((e, u)) => ("-".to_owned(), format!("{e}\t{u}")),
            None => (v.line.to_string(), "-\t-".to_owned()),
        };
        out.push_str(&format!(
            "{}\t{}\t{line}\t{counts}\t{}\n",
            v.file, v.expect, v.what
        ));
    }
    out
}

fn key_tsv() -> String {
    format!(
        "# The sample journal's checkpoint key. Test material: its seed is 32 bytes of 0x4a\n\
         # ({}); never sign a real journal with it.\n\
         kid\tpublic_key\n{JOURNAL_KID}\t{}\n",
        data_encoding::HEXLOWER.encode(&JOURNAL_SEED),
        public_key().to_hex()
    )
}

/// Every file of `tests/vectors/journal/`, as (file name, contents).
pub fn generate() -> Vec<(&'static str, String)> {
    let vectors = vectors();
    let mut out = vec![
        ("key.tsv", key_tsv()),
        ("expected.tsv", expected_tsv(&vectors)),
    ];
    out.extend(vectors.into_iter().map(|v| (v.file, v.text)));
    out
}

/// The folder `tests/vectors/journal/`.
pub fn vector_dir() -> std::path::PathBuf {
    crate::vector_dir().join("journal")
}
