//! Properties of the tamper-evident journal (`mandate::journal`).
//!
//! What is guaranteed, and tested here: take a valid journal and, without recomputing
//! any hash, edit one field of one entry, change one character of one line, delete a
//! line other than the last, insert a copy of a line anywhere, duplicate a line, swap
//! two lines or reorder lines in any way: verification fails and names exactly the first
//! line where the text differs from the original (an edit is `journal_malformed` or
//! `journal_hash_mismatch`, a moved line `journal_sequence`). Deleting trailing lines is
//! not detectable (every prefix of a valid journal is valid). With hashes recomputed, a
//! rewrite is caught at the first checkpoint after it, entries after the last checkpoint
//! are exactly those counted as unsigned, and a single re-hashed line breaks the chain on
//! the next line. No input makes verification panic.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use inclusif_core::mandate::journal::{
    Checkpoint, GENESIS, Journal, JournalAction, JournalCode, JournalEntry, JournalRecord,
    JournalReport, verify_journal,
};
use inclusif_core::mandate::{ConsentMethod, DemarcheSet, MandateId, OrganisationId};
use inclusif_core::voucher::{PublicKey, SecretKey};
use proptest::prelude::*;
use proptest::sample::Index;

fn keys() -> Vec<(u16, PublicKey)> {
    vec![
        (3, SecretKey::from_seed(&[3; 32]).public_key()),
        (5, SecretKey::from_seed(&[5; 32]).public_key()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    Append(Box<JournalRecord>),
    Checkpoint(u16),
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 1..8).prop_map(String::from_iter)
}

fn record() -> impl Strategy<Value = JournalRecord> {
    let actions: Vec<JournalAction> = JournalAction::ALL
        .into_iter()
        .filter(|a| *a != JournalAction::Checkpoint)
        .collect();
    (
        (0i64..400_000_000, prop::sample::select(actions)),
        (
            prop::option::of(text()),
            prop::option::of(1u32..),
            prop::option::of(text()),
            prop::option::of(1u16..1024),
            prop::option::of(any::<u32>()),
            prop::option::of(any::<[u8; 10]>()),
        ),
        (
            prop::option::of(any::<u64>()),
            prop::option::of(any::<[u8; 32]>()),
            prop::option::of(text()),
            prop::option::of(any::<bool>()),
            prop::option::of(text()),
            prop::option::of(0u8..3),
        ),
    )
        .prop_map(
            |(
                (secs, action),
                (aidant, org, usager, dem, duree, mandat),
                (autorisation, hash, info, remote, request, consent),
            )| JournalRecord {
                aidant,
                organisation: org.map(|o| OrganisationId::new(o).unwrap()),
                usager,
                demarches: dem.map(|b| DemarcheSet::from_bits(b).unwrap()),
                duree,
                mandat: mandat.map(MandateId::from_bytes),
                autorisation,
                attestation_hash: hash,
                additional_information: info,
                is_remote_mandat: remote,
                consent_request_id: request,
                consent_method: consent.and_then(ConsentMethod::from_code),
                ..JournalRecord::new(instant(secs), action)
            },
        )
}

fn instant(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap() + TimeDelta::seconds(secs)
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            4 => record().prop_map(|r| Op::Append(Box::new(r))),
            1 => prop::sample::select(vec![3u16, 5]).prop_map(Op::Checkpoint),
        ],
        1..14,
    )
}

fn build(ops: &[Op]) -> Journal {
    let mut j = Journal::new();
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Append(r) => {
                j.append((**r).clone()).unwrap();
            }
            Op::Checkpoint(kid) => {
                let key = SecretKey::from_seed(&[*kid as u8; 32]);
                j.checkpoint(&key, *kid, instant(i as i64)).unwrap();
            }
        }
    }
    j
}

fn lines(j: &Journal) -> Vec<String> {
    j.entries().iter().map(JournalEntry::to_line).collect()
}

fn join(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn err(text: &str) -> (u64, JournalCode) {
    match verify_journal(text, &keys()) {
        JournalReport::Err { line, code, .. } => (line, code),
        ok => panic!("expected an error, got {ok:?}"),
    }
}

/// The 1-based number of the first line where `a` and `b` differ (a line present in
/// one and absent in the other differs).
fn first_difference(a: &[String], b: &[String]) -> u64 {
    let i = (0..a.len().max(b.len()))
        .find(|&i| a.get(i) != b.get(i))
        .expect("the texts differ");
    i as u64 + 1
}

/// Changes one field of `e` (leaving `hash` alone unless the field is `hash`); the
/// result is a well-formed entry different from `e`.
fn edit(e: &mut JournalEntry, which: usize, salt: u64) {
    let bump = |s: &Option<String>| match s {
        Some(_) if salt.is_multiple_of(3) => None,
        Some(v) => Some(format!("{v}{}", char::from(b'a' + (salt % 26) as u8))),
        None => Some(format!("x{salt}")),
    };
    if let Some(c) = e.checkpoint.as_mut() {
        match which % 8 {
            0 => e.seq += 1,
            1 => e.record.at += TimeDelta::seconds(1 + (salt % 1000) as i64),
            2 => e.prev[(salt % 32) as usize] ^= 1 << (salt % 8),
            3 => e.hash[(salt % 32) as usize] ^= 1 << (salt % 8),
            4 => c.kid = if c.kid == 3 { 5 } else { 3 },
            5 => c.count = c.count.wrapping_add(1 + salt % 5),
            6 => c.head[(salt % 32) as usize] ^= 1,
            _ => c.signature[(salt % 64) as usize] ^= 1,
        }
        return;
    }
    let r = &mut e.record;
    match which % 17 {
        0 => e.seq += 1,
        1 => r.at -= TimeDelta::seconds(1 + (salt % 1000) as i64),
        2 => e.prev[(salt % 32) as usize] ^= 1,
        3 => e.hash[(salt % 32) as usize] ^= 1 << (salt % 8),
        4 => {
            let others: Vec<JournalAction> = JournalAction::ALL
                .into_iter()
                .filter(|a| *a != JournalAction::Checkpoint && *a != r.action)
                .collect();
            r.action = others[(salt as usize) % others.len()];
        }
        5 => r.aidant = bump(&r.aidant),
        6 => {
            r.organisation = match r.organisation {
                Some(_) if salt.is_multiple_of(2) => None,
                Some(o) => Some(OrganisationId::new(o.get() % 1000 + 1001).unwrap()),
                None => Some(OrganisationId::new(42).unwrap()),
            }
        }
        7 => r.usager = bump(&r.usager),
        8 => {
            let bits = r.demarches.map_or(0, DemarcheSet::bits);
            let new = (bits ^ (1 << (salt % 10))) & 0x3ff;
            r.demarches = DemarcheSet::from_bits(new).filter(|s| !s.is_empty());
        }
        9 => r.duree = Some(r.duree.map_or(0, |d| d.wrapping_add(1))),
        10 => {
            let mut b = r.mandat.map_or([0; 10], |m| *m.as_bytes());
            b[(salt % 10) as usize] ^= 1;
            r.mandat = Some(MandateId::from_bytes(b));
        }
        11 => r.autorisation = Some(r.autorisation.map_or(0, |a| a ^ 1)),
        12 => r.attestation_hash = r.attestation_hash.xor(Some([7; 32])),
        13 => r.additional_information = bump(&r.additional_information),
        14 => r.is_remote_mandat = Some(!r.is_remote_mandat.unwrap_or(true)),
        15 => r.consent_request_id = bump(&r.consent_request_id),
        _ => {
            r.consent_method = match r.consent_method {
                None => Some(ConsentMethod::RemoteSms),
                Some(ConsentMethod::RemoteSms) => None,
                Some(_) => Some(ConsentMethod::RemoteSms),
            }
        }
    }
}

fn last_checkpoint(j: &Journal) -> u64 {
    j.entries()
        .iter()
        .rev()
        .find(|e| e.is_checkpoint())
        .map_or(0, |e| e.seq)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_built_journal_verifies_and_reloads(ops in ops()) {
        let j = build(&ops);
        let n = j.len() as u64;
        let text = j.to_jsonl();
        prop_assert_eq!(
            verify_journal(&text, &keys()),
            JournalReport::Ok { entries: n, unsigned_entries: n - last_checkpoint(&j) }
        );
        prop_assert_eq!(&Journal::from_jsonl(&text, &keys()).unwrap(), &j);
        for e in j.entries() {
            prop_assert_eq!(&JournalEntry::from_line(&e.to_line()).unwrap(), e);
        }
    }

    #[test]
    fn any_field_edit_is_a_hash_mismatch_on_its_line(
        ops in ops(), k in any::<Index>(), which in 0usize..64, salt in any::<u64>()
    ) {
        let j = build(&ops);
        let mut l = lines(&j);
        let k = k.index(l.len());
        let mut e = j.entries()[k].clone();
        edit(&mut e, which, salt);
        prop_assume!(e != j.entries()[k]);
        l[k] = e.to_line();
        prop_assert_eq!(err(&join(&l)), (k as u64 + 1, JournalCode::HashMismatch));
    }

    #[test]
    fn any_character_change_is_caught_on_its_line(
        ops in ops(), k in any::<Index>(), pos in any::<Index>(), c in any::<char>()
    ) {
        let j = build(&ops);
        let mut l = lines(&j);
        let k = k.index(l.len());
        let mut chars: Vec<char> = l[k].chars().collect();
        let p = pos.index(chars.len());
        prop_assume!(chars[p] != c);
        chars[p] = c;
        l[k] = chars.into_iter().collect();
        let (line, code) = err(&join(&l));
        prop_assert_eq!(line, k as u64 + 1);
        prop_assert!(matches!(code, JournalCode::Malformed | JournalCode::HashMismatch), "{:?}", code);
    }

    #[test]
    fn a_deletion_is_caught_where_it_happened_unless_it_is_a_truncation(
        ops in ops(), k in any::<Index>()
    ) {
        let j = build(&ops);
        let mut l = lines(&j);
        let n = l.len();
        let k = k.index(n);
        l.remove(k);
        if k + 1 < n {
            prop_assert_eq!(err(&join(&l)), (k as u64 + 1, JournalCode::Sequence));
        } else {
            prop_assert!(verify_journal(&join(&l), &keys()).is_ok());
        }
    }

    #[test]
    fn an_inserted_copy_is_caught_at_the_first_changed_line(
        ops in ops(), from in any::<Index>(), at in any::<Index>()
    ) {
        let j = build(&ops);
        let original = lines(&j);
        let mut l = original.clone();
        let copy = l[from.index(l.len())].clone();
        l.insert(at.index(l.len() + 1), copy);
        prop_assert_eq!(
            err(&join(&l)),
            (first_difference(&original, &l), JournalCode::Sequence)
        );
    }

    #[test]
    fn a_duplicated_line_is_caught_on_the_copy(ops in ops(), k in any::<Index>()) {
        let j = build(&ops);
        let mut l = lines(&j);
        let k = k.index(l.len());
        l.insert(k + 1, l[k].clone());
        prop_assert_eq!(err(&join(&l)), (k as u64 + 2, JournalCode::Sequence));
    }

    #[test]
    fn a_swap_is_caught_on_the_first_swapped_line(
        ops in ops(), a in any::<Index>(), b in any::<Index>()
    ) {
        let j = build(&ops);
        let mut l = lines(&j);
        let (a, b) = (a.index(l.len()), b.index(l.len()));
        prop_assume!(a != b);
        l.swap(a, b);
        prop_assert_eq!(err(&join(&l)), (a.min(b) as u64 + 1, JournalCode::Sequence));
    }

    #[test]
    fn any_reordering_is_caught_at_the_first_moved_line(
        ops in ops(), shuffled in any::<u64>()
    ) {
        let j = build(&ops);
        let original = lines(&j);
        let mut l = original.clone();
        // A Fisher-Yates shuffle driven by one random word.
        let mut state = shuffled | 1;
        for i in (1..l.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            l.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assume!(l != original);
        prop_assert_eq!(
            err(&join(&l)),
            (first_difference(&original, &l), JournalCode::Sequence)
        );
    }

    #[test]
    fn every_prefix_is_valid(ops in ops(), cut in any::<Index>()) {
        let j = build(&ops);
        let l = lines(&j);
        let cut = cut.index(l.len() + 1);
        prop_assert!(verify_journal(&join(&l[..cut]), &keys()).is_ok());
    }

    #[test]
    fn a_rehashed_line_breaks_the_chain_on_the_next_line(
        ops in ops(), k in any::<Index>(), which in 4usize..17, salt in any::<u64>()
    ) {
        let j = build(&ops);
        let mut l = lines(&j);
        prop_assume!(l.len() >= 2);
        let k = k.index(l.len() - 1);
        let mut e = j.entries()[k].clone();
        prop_assume!(!e.is_checkpoint());
        edit(&mut e, which, salt);
        prop_assume!(e != j.entries()[k]);
        e.hash = e.compute_hash();
        l[k] = e.to_line();
        prop_assert_eq!(err(&join(&l)), (k as u64 + 2, JournalCode::ChainBroken));
    }

    #[test]
    fn a_rewrite_with_every_hash_recomputed_is_caught_at_the_next_checkpoint(
        ops in ops(), k in any::<Index>(), which in 4usize..17, salt in any::<u64>()
    ) {
        let j = build(&ops);
        let mut entries = j.entries().to_vec();
        let n = entries.len();
        let k = k.index(n);
        prop_assume!(!entries[k].is_checkpoint());
        edit(&mut entries[k], which, salt);
        prop_assume!(entries[k] != j.entries()[k]);
        let mut prev = if k == 0 { GENESIS } else { entries[k - 1].hash };
        for e in &mut entries[k..] {
            e.prev = prev;
            e.hash = e.compute_hash();
            prev = e.hash;
        }
        let text: String = entries.iter().map(|e| format!("{}\n", e.to_line())).collect();
        match entries[k..].iter().find(|e| e.is_checkpoint()) {
            Some(c) => prop_assert_eq!(err(&text), (c.seq, JournalCode::BadCheckpoint)),
            None => {
                // Only entries reported as unsigned could be rewritten unseen.
                let JournalReport::Ok { unsigned_entries, .. } = verify_journal(&text, &keys()) else {
                    panic!("a rewrite after the last checkpoint is not detectable");
                };
                prop_assert!(unsigned_entries >= (n - k) as u64);
            }
        }
    }

    #[test]
    fn a_resigned_checkpoint_with_a_foreign_key_is_refused(ops in ops(), seed in any::<[u8; 32]>()) {
        let j = build(&ops);
        let mut entries = j.entries().to_vec();
        let Some(k) = entries.iter().position(JournalEntry::is_checkpoint) else {
            return Ok(());
        };
        let at = entries[k].record.at;
        let c = entries[k].checkpoint.unwrap();
        prop_assume!(seed != [c.kid as u8; 32]);
        // Sign the same count and head with a foreign key, through a journal of our own.
        let mut forged = Journal::new();
        for e in &j.entries()[..k] {
            forged.append(e.record.clone()).unwrap();
        }
        let fake: Checkpoint = forged
            .checkpoint(&SecretKey::from_seed(&seed), c.kid, at)
            .unwrap()
            .checkpoint
            .unwrap();
        prop_assert_eq!((fake.count, fake.head), (c.count, c.head));
        entries[k].checkpoint = Some(fake);
        entries[k].hash = entries[k].compute_hash();
        let text: String = entries.iter().map(|e| format!("{}\n", e.to_line())).collect();
        prop_assert_eq!(err(&text), (k as u64 + 1, JournalCode::BadCheckpoint));
    }

    #[test]
    fn verification_never_panics(text in "(?s).{0,400}") {
        let _ = verify_journal(&text, &keys()).to_json();
    }

    #[test]
    fn verification_never_panics_on_mangled_journals(
        ops in ops(), cuts in prop::collection::vec((any::<Index>(), ".{0,6}"), 1..6)
    ) {
        let mut text = build(&ops).to_jsonl();
        for (at, insert) in cuts {
            let mut p = at.index(text.len() + 1);
            while !text.is_char_boundary(p) {
                p -= 1;
            }
            text.insert_str(p, &insert);
        }
        let report = verify_journal(&text, &keys());
        let _ = report.to_json();
    }
}
