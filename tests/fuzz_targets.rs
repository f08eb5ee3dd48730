//! Fuzz targets: one function per target, each taking arbitrary bytes.
//!
//! The `fuzz/` workspace wraps each function in `libfuzzer_sys::fuzz_target!`, and the
//! stable test `tests/tests/fuzz_seeds.rs` replays `fuzz/seeds/<target>/` and
//! `fuzz/regressions/<target>/` through them. A target never panics on its own account:
//! every panic is a broken property (or a panic inside the core), that is, a bug found.
//!
//! Properties checked:
//! - [`strict_parse`]: one token has one strict text; an accepted input is exactly
//!   [`Token::to_text`] or [`Token::to_qr_payload`], and strict ⊂ human.
//! - [`human_parse`]: an accepted typed input normalises to exactly the token's text;
//!   parsing is normalising then parsing strictly; normalisation is idempotent.
//! - [`short_code`]: an accepted code is the one encoding of its serial; phone-code
//!   dispatch picks the right parser; single substitutions and adjacent swaps are caught.
//! - [`trust_list`]: an opened list re-encodes to the same body and re-opens equal; a body
//!   signed by the root key either opens and re-signs to the very same bytes or is refused
//!   (never with `trust_list_bad_signature`).
//! - [`verify`]: single and batch verdicts agree; the text, typed and byte entry points
//!   agree with parse-then-verify; any token that differs from a valid one fails; and any
//!   token that verifies is exactly what the honest issuer signs for its claims.
//! - [`mandate_token`]: an accepted strict input is exactly the mandate token's text or
//!   `AC1:` payload; an accepted typed input normalises to exactly one of them; the entry
//!   points agree with parse-then-verify; a mutation of the honest signer's token verifies
//!   only if byte-identical, and whatever verifies is what the honest signer signs.
//! - [`journal`]: a journal that verifies re-reads with `Journal::from_jsonl` and writes
//!   back to exactly its text (canonical); a refused one is refused the same way by
//!   `from_jsonl`, on a line that exists.
//! - [`scenario`]: a scenario that runs gives one outcome per event and one decision per
//!   question, numbers its mandates 1, 2, … in creation order, and every allowed decision
//!   (and every revocation) names one of them.
//! - [`venue_file`]: a venue file (CSV or JSON) that reads validates without panicking,
//!   whatever the version (detected, v0.1, v1.0.2); every problem names row 0 or a row of
//!   the file; every row is either valid or has an error; a v0.1 file migrates to one
//!   record per record, in order, and the result validates; the shipped labels evaluate on
//!   every valid v1.0.2 record with one result per criterion and the outcome they imply.
//! - [`opening_hours`]: an `horaires` string that parses evaluates without panicking: over
//!   a week with a 25-hour Sunday and a week with Christmas, with and without French
//!   holidays, open time fits in the week's real length and in each day's, the days add
//!   up; `is_open` and `next_opening` agree at fixed instants (around both clock changes).
//! - [`redemption_batch`]: a batch that parses re-encodes to the same body and batch id; a
//!   body signed by the test venue key either opens and re-signs to the very same bytes or
//!   is refused as `batch_malformed` (never `bad_batch_signature`); an opened batch imports
//!   (or is refused for its venue) without panicking, with one outcome per item in order,
//!   no serial redeemed twice, every redeemed item and conflict winner in the ledger, and
//!   the same report again on a re-import, with or without the import log.

#![deny(missing_docs)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use ed25519_dalek::{Signer, SigningKey};
use inclusif_core::mandate::journal::{Journal, JournalReport, verify_journal};
use inclusif_core::mandate::scenario::{Event, Scenario, run};
use inclusif_core::mandate::token::{
    MandateClaims, MandateToken, MandateTokenError, MandateVerifier,
    TOKEN_LEN as MANDATE_TOKEN_LEN, sign_mandate,
};
use inclusif_core::mandate::{
    ConsentMethod, Demarche, DemarcheSet, Duration, MandateId, OrganisationId, usager_ref,
};
use inclusif_core::venue::hours::{Holidays, NEXT_OPENING_HORIZON_DAYS, OpeningHours};
use inclusif_core::venue::labels::{Eligibility, EvaluationContext, LabelRules, Outcome, evaluate};
use inclusif_core::venue::migrate::{
    EXTENSION_COLUMN, MigrationTable, V1_0_2_COLUMNS, migrate_file,
};
use inclusif_core::venue::validate::{Options, Report, Severity, detect_version, validate};
use inclusif_core::venue::{RawFile, RawRecord, Version, read_any};
use inclusif_core::voucher::trust_list::TRUST_LIST_DOMAIN;
use inclusif_core::voucher::{
    Issuer, KeypadCode, Kid, PublicKey, Scope, SecretKey, Serial, ShortCode, TEXT_LEN, TOKEN_LEN,
    Token, TrustList, Validity, VerifiedVoucher, Verifier, VoucherError, normalize_human,
    parse_phone_code,
};

use inclusif_core::voucher::redemption_batch::batch_id_of_body;
use inclusif_core::voucher::{
    ImportReport, ItemOutcome, Ledger, MemoryImportLog, MemoryLedger, MemoryVenueRegistry,
    RedemptionBatch, RegisteredVenue, VenueKey, import_batch,
};

use crate::journal_vectors::JOURNAL_KID;
use crate::mandate_vectors::MANDATE_KID3_SEED;
use crate::{KID7_SEED, KID9_SEED, ROOT_SEED};

/// A fuzz target: takes any bytes, panics only on a broken property.
pub type Target = fn(&[u8]);

/// Every target, by name (the names of `fuzz/fuzz_targets/*.rs` and `fuzz/seeds/*/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("strict_parse", strict_parse),
    ("human_parse", human_parse),
    ("short_code", short_code),
    ("trust_list", trust_list),
    ("verify", verify),
    ("mandate_token", mandate_token),
    ("journal", journal),
    ("scenario", scenario),
    ("venue_file", venue_file),
    ("opening_hours", opening_hours),
    ("redemption_batch", redemption_batch),
];

/// The instant every verification runs at.
pub const NOW: &str = "2026-06-01T10:00:00Z";

/// Serial of [`valid_token`] (the vectors' `ok_strict_text` token).
pub const VALID_SERIAL: u128 = 0x5eed_0000_0000_0000_0001;

/// Shared, expensive state: verifiers, keys and a valid token.
struct Fixture {
    now: DateTime<Utc>,
    root_public: PublicKey,
    root_secret: SecretKey,
    root_signer: SigningKey,
    /// National scope only, Europe/Paris.
    national: Verifier,
    /// Any scope, America/Cayenne, one revoked serial.
    operator: Verifier,
    valid: Token,
    kid7: Issuer,
    kid9: Issuer,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let list = crate::trust_list();
        let kid7 = Issuer::new(Kid::new(7).expect("kid"), SecretKey::from_seed(&KID7_SEED));
        let kid9 = Issuer::new(Kid::new(9).expect("kid"), SecretKey::from_seed(&KID9_SEED));
        let valid = valid_token();
        let revoked = Serial::from_u128(VALID_SERIAL + 21).expect("80 bits");
        Fixture {
            now: crate::instant(NOW),
            root_public: crate::root_key(),
            root_secret: SecretKey::from_seed(&ROOT_SEED),
            root_signer: SigningKey::from_bytes(&ROOT_SEED),
            national: Verifier::new(list.clone()),
            operator: Verifier::new(list)
                .with_time_zone(chrono_tz::America::Cayenne)
                .with_any_scope()
                .with_revoked_serials([revoked]),
            valid,
            kid7,
            kid9,
        }
    })
}

/// The token that verifies at [`NOW`]: kid 7, [`VALID_SERIAL`], 10 €, valid over 2026,
/// national (byte for byte the vectors' `ok_strict_text`).
pub fn valid_token() -> Token {
    let date = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    Issuer::new(Kid::new(7).expect("kid"), SecretKey::from_seed(&KID7_SEED))
        .issue(
            Serial::from_u128(VALID_SERIAL).expect("80 bits"),
            1000,
            Validity::from_dates(date(1, 1), date(12, 31)).expect("window"),
            Scope::NATIONAL,
        )
        .expect("valid token")
}

/// Signs `body` as the root key signs a trust list: `FR.PASSNUM.TL1\0` then the body,
/// and the 64-byte signature appended.
pub fn sign_trust_list_body(body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(TRUST_LIST_DOMAIN.len() + body.len());
    message.extend_from_slice(TRUST_LIST_DOMAIN);
    message.extend_from_slice(body);
    let mut out = body.to_vec();
    out.extend_from_slice(&fixture().root_signer.sign(&message).to_bytes());
    out
}

/// Strict parsing of raw bytes: accepted only in canonical form.
pub fn strict_parse(data: &[u8]) {
    let parsed = Token::parse_strict_bytes(data);
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(
            Token::parse_strict(s),
            parsed,
            "parse_strict and parse_strict_bytes disagree"
        );
    }
    let Ok(t) = parsed else { return };
    let text = t.to_text();
    let qr = t.to_qr_payload();
    assert!(
        data == text.as_bytes() || data == qr.as_bytes(),
        "accepted a non-canonical strict input {:?} for {text}",
        String::from_utf8_lossy(data)
    );
    assert_eq!(text.len(), TEXT_LEN);
    assert_eq!(Token::parse_strict(&text), Ok(t));
    assert_eq!(Token::parse_strict(&qr), Ok(t));
    assert_eq!(Token::from_bytes(t.as_bytes()), Ok(t));
    // What the strict parser accepts, the typed-input parser accepts too, unchanged.
    assert_eq!(normalize_human(&text).as_deref(), Ok(text.as_str()));
    assert_eq!(Token::parse_human(&text), Ok(t));
    assert_eq!(Token::parse_human(&qr), Ok(t));
    let _ = t.claims();
    let _ = format!("{t:?}");
}

/// Typed-input parsing: normalise, then parse strictly.
pub fn human_parse(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let parsed = Token::parse_human(&s);
    let normalized = normalize_human(&s);
    match (&parsed, &normalized) {
        (Ok(t), Ok(n)) => assert!(
            *n == t.to_text() || *n == t.to_qr_payload(),
            "{s:?} parsed, but normalises to {n:?}, not the token's text"
        ),
        (Ok(_), Err(e)) => panic!("{s:?} parsed, but does not normalise: {e}"),
        (Err(a), Err(b)) => assert_eq!(a, b, "parse_human and normalize_human disagree"),
        (Err(_), Ok(_)) => {}
    }
    if let Ok(n) = &normalized {
        // Parsing typed input is normalising, then parsing strictly.
        assert_eq!(Token::parse_strict(n), parsed);
        assert!(n.chars().count() <= s.chars().count());
        assert!(
            !n.bytes()
                .any(|b| b.is_ascii_lowercase() || b" \t-OILU".contains(&b)),
            "normalised form {n:?} still holds a character normalisation removes"
        );
        assert_eq!(normalize_human(n).as_ref(), Ok(n), "not idempotent");
    }
    // Strict input is typed input too.
    if let Ok(t) = Token::parse_strict(&s) {
        assert_eq!(parsed, Ok(t), "strict input {s:?} refused as typed input");
    }
    if let Ok(t) = parsed {
        let typed: String = t
            .to_text()
            .to_lowercase()
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).expect("ASCII"))
            .collect::<Vec<_>>()
            .join("- ");
        assert_eq!(Token::parse_human(&typed), Ok(t));
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '-')
}

/// Short codes and keypad codes, as typed and as generated from the data.
pub fn short_code(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let phone = parse_phone_code(&s);
    let short = ShortCode::parse(&s);
    let keypad = KeypadCode::parse(&s);
    let keypad_shaped = s.chars().filter(|&c| !is_separator(c)).count() == 26
        && s.chars().all(|c| c.is_ascii_digit() || is_separator(c));
    if keypad_shaped {
        assert_eq!(phone, keypad.clone().map(KeypadCode::serial));
    } else {
        assert_eq!(phone, short.clone().map(ShortCode::serial));
    }
    if let Ok(code) = short {
        let serial = code.serial();
        assert_eq!(ShortCode::new(serial), code);
        let compact = code.compact();
        // One serial, one short code: the input is its code, up to typing forgiveness.
        assert_eq!(normalize_human(&s).as_ref(), Ok(&compact));
        assert_eq!(ShortCode::parse(&compact), Ok(code));
        assert_eq!(ShortCode::parse(&code.to_string()), Ok(code));
        assert_eq!(parse_phone_code(&code.to_string()), Ok(serial));
    }
    if let Ok(code) = keypad {
        let serial = code.serial();
        assert_eq!(KeypadCode::new(serial), code);
        let digits: String = s.chars().filter(|&c| !is_separator(c)).collect();
        assert_eq!(digits, code.compact(), "one serial, one keypad code");
        assert_eq!(KeypadCode::parse(&code.to_string()), Ok(code));
        assert_eq!(parse_phone_code(&code.to_string()), Ok(serial));
    }
    // A serial from the first 10 bytes, a position and a symbol from the next two: every
    // single substitution and every adjacent swap must be caught by the check character.
    if let (Some(serial), Some(&[pos, sym])) = (data.get(..10), data.get(10..12)) {
        let serial = Serial::from_bytes(serial.try_into().expect("10 bytes"));
        let caught = |m: &[u8], what: &str| {
            let text = std::str::from_utf8(m).expect("ASCII");
            match parse_phone_code(text) {
                Err(VoucherError::BadCheckCharacter { .. }) => {}
                other => panic!("{what} {text:?} of serial {serial} not caught: {other:?}"),
            }
        };
        let code = ShortCode::new(serial).compact().into_bytes();
        assert_eq!(
            parse_phone_code(&ShortCode::new(serial).to_string()),
            Ok(serial)
        );
        let (p, c) = (usize::from(pos) % 17, CROCKFORD[usize::from(sym) % 32]);
        if code[p] != c {
            let mut m = code.clone();
            m[p] = c;
            caught(&m, "substitution");
        }
        let p = usize::from(pos) % 16;
        if code[p] != code[p + 1] {
            let mut m = code;
            m.swap(p, p + 1);
            caught(&m, "swap");
        }
        let code = KeypadCode::new(serial).compact().into_bytes();
        assert_eq!(
            parse_phone_code(&KeypadCode::new(serial).to_string()),
            Ok(serial)
        );
        let (p, d) = (usize::from(pos) % 26, b'0' + sym % 10);
        if code[p] != d {
            let mut m = code.clone();
            m[p] = d;
            caught(&m, "keypad substitution");
        }
        let p = usize::from(pos) % 25;
        if code[p] != code[p + 1] {
            let mut m = code;
            m.swap(p, p + 1);
            caught(&m, "keypad swap");
        }
    }
}

/// Checks an opened trust list: its accessors and a verifier over it do not panic, and
/// its entries come by ascending kid.
fn exercise_list(list: &TrustList) {
    let f = fixture();
    let _ = list.expires_at();
    let _ = list.check_fresh(f.now);
    let kids: Vec<Kid> = list.entries().map(|e| e.kid).collect();
    assert!(kids.windows(2).all(|w| w[0] < w[1]), "kids not ascending");
    let v = Verifier::new(list.clone()).with_any_scope();
    let single = v.verify(&f.valid, f.now);
    let batch = v.verify_batch(&[f.valid], f.now);
    assert_eq!(batch, vec![single]);
}

/// Trust lists: signed bytes as given, and the data re-signed as a body.
pub fn trust_list(data: &[u8]) {
    let f = fixture();
    if let Ok(list) = TrustList::open(data, &f.root_public) {
        exercise_list(&list);
        let signed = list.sign(&f.root_secret);
        assert_eq!(
            signed[..signed.len() - 64],
            data[..data.len() - 64],
            "an opened list re-encodes to another body"
        );
        assert_eq!(TrustList::open(&signed, &f.root_public), Ok(list));
    }
    // Past the signature: the root key signs whatever the data is.
    let signed = sign_trust_list_body(data);
    match TrustList::open(&signed, &f.root_public) {
        Ok(list) => {
            exercise_list(&list);
            assert!(
                list.sign(&f.root_secret) == signed,
                "a signed body opens but re-signs to other bytes (not canonical)"
            );
        }
        Err(e) => assert_ne!(
            e.code(),
            "trust_list_bad_signature",
            "the root key's own signature refused"
        ),
    }
}

/// The honest issuer's token for these claims (Ed25519 signing is deterministic).
fn honest_token(v: &VerifiedVoucher) -> Token {
    let f = fixture();
    let issuer = match v.kid().get() {
        7 => &f.kid7,
        9 => &f.kid9,
        kid => panic!("verified under kid {kid}, which no test key holds"),
    };
    let c = v.claims();
    issuer
        .issue(c.serial, c.value_cents.get(), c.validity, c.scope)
        .expect("claims that verified can be issued")
}

/// Applies the data as (position, xor mask) pairs to `bytes`.
fn xor_pairs(bytes: &mut [u8], data: &[u8]) {
    for pair in data.chunks(2) {
        let pos = usize::from(pair[0]) % bytes.len();
        bytes[pos] ^= pair.get(1).copied().unwrap_or(0x01);
    }
}

/// Verification: entry points, batch against single, mutations of a valid token.
pub fn verify(data: &[u8]) {
    let f = fixture();
    let now = f.now;
    let verifiers = [&f.national, &f.operator];
    let text = String::from_utf8_lossy(data);
    let mut tokens: Vec<Token> = Vec::new();

    // The data read as raw bytes, strict text and typed text: each entry point agrees
    // with parsing then verifying.
    let parsed = [
        Token::from_bytes(data),
        Token::parse_strict(&text),
        Token::parse_human(&text),
    ];
    for v in verifiers {
        let then_verify =
            |p: &Result<Token, VoucherError>| p.clone().and_then(|t| v.verify(&t, now));
        assert_eq!(v.verify_bytes(data, now), then_verify(&parsed[0]));
        assert_eq!(v.verify_text(&text, now), then_verify(&parsed[1]));
        assert_eq!(v.verify_human(&text, now), then_verify(&parsed[2]));
    }
    tokens.extend(parsed.iter().filter_map(|p| p.clone().ok()));

    // 85-byte windows of the data, version byte forced, to reach the signature check.
    for chunk in data.chunks_exact(TOKEN_LEN).take(4) {
        let mut b: [u8; TOKEN_LEN] = chunk.try_into().expect("85 bytes");
        b[0] = 1;
        tokens.push(Token::from_array(b).expect("version 1"));
    }

    // Mutations of a valid token: if anything changed, it must not verify.
    let original = *f.valid.as_bytes();
    let mut mutated = original;
    xor_pairs(&mut mutated, data);
    if let Ok(t) = Token::from_array(mutated) {
        for v in verifiers {
            let verdict = v.verify(&t, now);
            if mutated == original {
                assert!(verdict.is_ok(), "the valid token fails: {verdict:?}");
            } else {
                assert!(verdict.is_err(), "a mutated token verifies: {t:?}");
            }
        }
        tokens.push(t);
    }
    let mut typed = f.valid.to_text().into_bytes();
    xor_pairs(&mut typed, data);
    if let Some(t) = std::str::from_utf8(&typed)
        .ok()
        .and_then(|s| Token::parse_human(s).ok())
    {
        for v in verifiers {
            let verdict = v.verify(&t, now);
            if t == f.valid {
                assert!(verdict.is_ok(), "the valid token fails: {verdict:?}");
            } else {
                assert!(verdict.is_err(), "a mistyped token verifies: {t:?}");
            }
        }
        tokens.push(t);
    }
    tokens.push(f.valid);

    // Batch and single verdicts agree, and nothing verifies that the issuer did not sign.
    for v in verifiers {
        let single: Vec<_> = tokens.iter().map(|t| v.verify(t, now)).collect();
        let batch = v.verify_batch(&tokens, now);
        assert_eq!(batch, single, "batch and single verdicts differ");
        for (t, verdict) in tokens.iter().zip(&single) {
            if let Ok(ok) = verdict {
                assert_eq!(
                    *t,
                    honest_token(ok),
                    "a token verifies that was never issued"
                );
            }
        }
    }
}

/// Shared state of the mandate targets: the honest signer's key, a verifier trusting it
/// for any organisation, its valid token, and the journal's key.
struct MandateFixture {
    key: SecretKey,
    verifier: MandateVerifier,
    valid: MandateToken,
    journal_keys: [(u16, PublicKey); 1],
}

fn mandate_fixture() -> &'static MandateFixture {
    static FIXTURE: OnceLock<MandateFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let key = SecretKey::from_seed(&MANDATE_KID3_SEED);
        let verifier = MandateVerifier::without_trust_list()
            .with_key_for_any_organisation(Kid::new(3).expect("kid"), key.public_key())
            .expect("no trust list to conflict with");
        MandateFixture {
            key,
            verifier,
            valid: valid_mandate_token(),
            journal_keys: [(JOURNAL_KID, crate::journal_vectors::public_key())],
        }
    })
}

/// Mandate number 1 of the vectors (byte for byte their `ok_strict_text`): kid 3,
/// organisation 42, id `ac1d0000000000000001`, usager `fc-sub-0001`, papiers and social,
/// LONG, in person, created 2026-03-01T09:30:00Z; it verifies at [`NOW`].
pub fn valid_mandate_token() -> MandateToken {
    let org = OrganisationId::new(42).expect("organisation");
    let id: [u8; 10] = 0xac1d_0000_0000_0000_0001u128.to_be_bytes()[6..]
        .try_into()
        .expect("10 bytes");
    let claims = MandateClaims {
        kid: Kid::new(3).expect("kid"),
        organisation: org,
        mandate_id: MandateId::from_bytes(id),
        usager_ref: usager_ref(org, "fc-sub-0001"),
        demarches: DemarcheSet::EMPTY
            .with(Demarche::Papiers)
            .with(Demarche::Social),
        created_at: crate::instant("2026-03-01T09:30:00Z"),
        duration: Duration::Long,
        consent: ConsentMethod::InPerson,
    };
    sign_mandate(&SecretKey::from_seed(&MANDATE_KID3_SEED), &claims).expect("valid claims")
}

/// Signed mandate tokens: strict, typed and raw parsing, verification, and XOR mutations
/// of the honest signer's token.
pub fn mandate_token(data: &[u8]) {
    let f = mandate_fixture();
    let now = crate::instant(NOW);
    let text = String::from_utf8_lossy(data);
    let mut tokens: Vec<MandateToken> = Vec::new();

    // Strict: one token, one text; accepted only as exactly its text or QR payload.
    let strict = MandateToken::parse_strict_bytes(data);
    if let Ok(s) = std::str::from_utf8(data) {
        assert_eq!(
            MandateToken::parse_strict(s),
            strict,
            "parse_strict and parse_strict_bytes disagree"
        );
    }
    if let Ok(t) = strict {
        let (t_text, qr) = (t.to_text(), t.to_qr_payload());
        assert!(
            data == t_text.as_bytes() || data == qr.as_bytes(),
            "accepted a non-canonical strict input {text:?} for {t_text}"
        );
        assert_eq!(MandateToken::parse_strict(&t_text), Ok(t));
        assert_eq!(MandateToken::parse_strict(&qr), Ok(t));
        assert_eq!(MandateToken::parse_human(&t_text), Ok(t), "strict ⊄ typed");
        assert_eq!(MandateToken::parse_human(&qr), Ok(t), "strict ⊄ typed");
        tokens.push(t);
    }

    // Typed: re-encodes to exactly the normalised input.
    let human = MandateToken::parse_human(&text);
    if let Ok(t) = human {
        let normal = normalize_human(&text).expect("parsed, so it normalises");
        assert!(
            normal == t.to_text() || normal == t.to_qr_payload(),
            "{text:?} parsed, but normalises to {normal:?}, not the token's text"
        );
        assert_eq!(MandateToken::parse_strict(&normal), Ok(t));
        tokens.push(t);
    }

    // Raw bytes: the 105 bytes as given.
    let raw = MandateToken::from_bytes(data);
    if let Ok(t) = raw {
        assert_eq!(&t.as_bytes()[..], data);
        assert_eq!(MandateToken::parse_strict(&t.to_text()), Ok(t));
        tokens.push(t);
    }

    // The entry points agree with parsing then verifying.
    let v = &f.verifier;
    let then_verify =
        |p: &Result<MandateToken, MandateTokenError>| p.clone().and_then(|t| v.verify(&t, now));
    assert_eq!(v.verify_bytes(data, now), then_verify(&raw));
    assert_eq!(
        v.verify_text(&text, now),
        then_verify(&MandateToken::parse_strict(&text))
    );
    assert_eq!(v.verify_human(&text, now), then_verify(&human));

    // 105-byte windows of the data, version byte forced, to reach the signature check.
    for chunk in data.chunks_exact(MANDATE_TOKEN_LEN).take(3) {
        let mut b: [u8; MANDATE_TOKEN_LEN] = chunk.try_into().expect("105 bytes");
        b[0] = 1;
        tokens.push(MandateToken::from_array(b).expect("version 1"));
    }

    // XOR mutations of the honest token, raw and typed: only the unchanged one verifies.
    let original = *f.valid.as_bytes();
    let mut mutated = original;
    xor_pairs(&mut mutated, data);
    if let Ok(t) = MandateToken::from_array(mutated) {
        let verdict = v.verify(&t, now);
        if mutated == original {
            assert!(verdict.is_ok(), "the valid token fails: {verdict:?}");
        } else {
            assert!(verdict.is_err(), "a mutated token verifies: {t:?}");
        }
        tokens.push(t);
    }
    let mut typed = f.valid.to_qr_payload().into_bytes();
    xor_pairs(&mut typed, data);
    if let Some(t) = std::str::from_utf8(&typed)
        .ok()
        .and_then(|s| MandateToken::parse_human(s).ok())
    {
        let verdict = v.verify(&t, now);
        if t == f.valid {
            assert!(verdict.is_ok(), "the valid token fails: {verdict:?}");
        } else {
            assert!(verdict.is_err(), "a mistyped token verifies: {t:?}");
        }
        tokens.push(t);
    }
    tokens.push(f.valid);

    // Nothing verifies that the honest signer did not sign; claims never panic.
    for t in &tokens {
        let _ = t.claims();
        let _ = format!("{t:?}");
        if let Ok(ok) = v.verify(t, now) {
            assert_eq!(ok.kid().get(), 3, "verified under a key nobody trusts");
            assert_eq!(
                sign_mandate(&f.key, ok.claims()),
                Ok(*t),
                "a mandate token verifies that was never signed"
            );
            assert_eq!(t.claims().as_ref(), Ok(ok.claims()));
        }
    }
}

/// The tamper-evident journal, as text (lossy UTF-8), with the vectors' key.
pub fn journal(data: &[u8]) {
    let keys = &mandate_fixture().journal_keys;
    let text = String::from_utf8_lossy(data);
    let report = verify_journal(&text, keys);
    let read = Journal::from_jsonl(&text, keys);
    match &report {
        JournalReport::Ok {
            entries,
            unsigned_entries,
        } => {
            let journal = read.expect("verify_journal accepts, Journal::from_jsonl refuses");
            assert_eq!(u64::try_from(journal.len()).ok(), Some(*entries));
            assert!(unsigned_entries <= entries);
            // The format lets the last `\n` be missing; otherwise a journal that verifies
            // is written back byte for byte.
            let written = journal.to_jsonl();
            let expected = if text.is_empty() || text.ends_with('\n') {
                text.to_string()
            } else {
                format!("{text}\n")
            };
            assert!(
                written == expected,
                "a journal verifies but is not canonical:\n{text:?}\nwrites back as\n{written:?}"
            );
            assert_eq!(verify_journal(&written, keys), report);
        }
        JournalReport::Err { line, .. } => {
            let lines = u64::try_from(text.lines().count()).expect("fits");
            assert!(
                (1..=lines).contains(line),
                "error on line {line} of a {lines}-line text: {report:?}"
            );
            assert_eq!(
                read.map_err(JournalReport::from).err().as_ref(),
                Some(&report),
                "Journal::from_jsonl and verify_journal disagree"
            );
        }
    }
    let _ = report.to_json();
}

/// Scenarios, as JSON: inputs that do not parse are skipped; see [`check_scenario`].
pub fn scenario(data: &[u8]) {
    if let Ok(s) = serde_json::from_slice::<Scenario>(data) {
        check_scenario(&s);
    }
}

/// Runs a scenario: one outcome per event and one decision per question, in order;
/// mandates numbered 1, 2, … as they are created; every allowed decision and every
/// revocation names one of the mandates created so far.
pub fn check_scenario(s: &Scenario) {
    let Ok(result) = run(s) else { return };
    assert_eq!(result.events.len(), s.events.len(), "one outcome per event");
    assert_eq!(
        result.decisions.len(),
        s.questions.len(),
        "one decision per question"
    );
    let mut created = 0usize;
    for (i, (outcome, event)) in result.events.iter().zip(&s.events).enumerate() {
        assert_eq!(outcome.event, i + 1);
        if outcome.ok {
            assert!(outcome.error.is_none() && outcome.message.is_none());
            if let Some(n) = outcome.mandate {
                created += 1;
                assert_eq!(n, created, "mandate numbers follow creation order");
                assert!(
                    matches!(event, Event::Create { .. } | Event::Renew { .. }),
                    "event {} created a mandate: {event:?}",
                    i + 1
                );
            }
            for (m, d) in &outcome.revoked {
                assert!(
                    (1..=created).contains(m),
                    "event {} revoked {d} of mandate {m}, but {created} were created",
                    i + 1
                );
            }
        } else {
            assert!(outcome.error.is_some(), "a refused event without a code");
            assert!(outcome.mandate.is_none() && outcome.revoked.is_empty());
        }
    }
    for (i, (d, q)) in result.decisions.iter().zip(&s.questions).enumerate() {
        assert_eq!(d.question, i + 1);
        if d.allowed {
            let m = d.mandate.expect("an allowed decision names its mandate");
            assert!(
                (1..=created).contains(&m),
                "question {} allowed under mandate {m}, but {created} were created",
                i + 1
            );
            assert_eq!(d.demarche, Some(q.demarche));
            assert!(d.reasons.is_empty());
        } else {
            assert!(d.mandate.is_none() && d.demarche.is_none());
            assert!(!d.reasons.is_empty(), "a denial without a reason");
        }
    }
}

/// The day venue files are validated on (`date_maj` after it is `date_in_future`).
pub const VENUE_TODAY: (i32, u32, u32) = (2026, 11, 23);

fn venue_today() -> NaiveDate {
    let (y, m, d) = VENUE_TODAY;
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// The shipped label rule sets and migration table, read once.
fn venue_fixture() -> &'static (Vec<LabelRules>, MigrationTable) {
    static FIXTURE: OnceLock<(Vec<LabelRules>, MigrationTable)> = OnceLock::new();
    FIXTURE.get_or_init(|| (LabelRules::shipped(), MigrationTable::default()))
}

/// Venue files, as text (lossy UTF-8) to `read_any`: inputs that do not read are skipped
/// (reading reports them as `malformed_file`); see [`check_venue_file`].
pub fn venue_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match read_any(&text) {
        Ok(file) => check_venue_file(&file),
        Err(e) => assert_eq!(e.code(), "malformed_file", "{e}"),
    }
}

/// Validates a file as detected, as v0.1 and as v1.0.2; migrates it when it is v0.1 (and
/// validates the result as v1.0.2); evaluates every shipped label on every valid v1.0.2
/// record.
pub fn check_venue_file(file: &RawFile) {
    let today = venue_today();
    let detected = detect_version(file);
    for version in [None, Some(Version::V0_1), Some(Version::V1_0_2)] {
        let report = validate(file, &Options { version, today });
        assert_eq!(report.version, version.unwrap_or(detected));
        check_report(file, &report);
        // The detected version is one of the other two: label each file once.
        if version == Some(Version::V1_0_2) {
            check_labels(&report.valid);
        }
    }
    if detected == Version::V0_1 {
        let migration = migrate_file(&file.records, &venue_fixture().1);
        assert_eq!(
            migration.records.len(),
            file.records.len(),
            "one migrated record per record"
        );
        assert_eq!(migration.summary.records, file.records.len());
        for (old, new) in file.records.iter().zip(&migration.records) {
            assert_eq!(old.row, new.row, "a migrated record keeps its row");
            for field in new.fields.keys() {
                assert!(
                    field == EXTENSION_COLUMN || V1_0_2_COLUMNS.contains(&field.as_str()),
                    "the migration wrote a field {field:?} that v1.0.2 does not have"
                );
            }
        }
        let migrated = RawFile {
            columns: V1_0_2_COLUMNS
                .iter()
                .map(|c| (*c).to_owned())
                .chain([EXTENSION_COLUMN.to_owned()])
                .collect(),
            records: migration.records,
        };
        let options = Options {
            version: Some(Version::V1_0_2),
            today,
        };
        let report = validate(&migrated, &options);
        check_report(&migrated, &report);
        check_labels(&report.valid);
    }
}

/// A report names only rows of its file (0: the file as a whole), counts what it lists,
/// and keeps exactly the rows without an error.
fn check_report(file: &RawFile, report: &Report) {
    let rows: BTreeSet<usize> = file.records.iter().map(|r| r.row).collect();
    assert_eq!(report.rows, file.records.len());
    assert_eq!(report.valid.len(), report.valid_rows);
    for p in &report.problems {
        assert!(
            p.row == 0 || rows.contains(&p.row),
            "problem {} on row {}, which the file does not have",
            p.code,
            p.row
        );
        assert!(
            p.row != 0 || p.severity == Severity::Warning,
            "an error about the file as a whole ({}) counts against no row",
            p.code
        );
    }
    for c in &report.changes {
        assert!(rows.contains(&c.row), "change on row {}", c.row);
    }
    assert_eq!(
        report.counts.values().sum::<usize>(),
        report.problems.len(),
        "counts add up to the problems"
    );
    let with_error: BTreeSet<usize> = report
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| p.row)
        .collect();
    let valid: Vec<usize> = report.valid.iter().map(|r| r.row).collect();
    for r in &valid {
        assert!(!with_error.contains(r), "row {r} is valid but has an error");
    }
    let expected: Vec<usize> = file
        .records
        .iter()
        .map(|r| r.row)
        .filter(|r| !with_error.contains(r))
        .collect();
    assert_eq!(
        valid, expected,
        "rows without an error are the valid ones, in file order (none dropped)"
    );
}

/// Every shipped label on every record: one result per criterion, in order, and the
/// outcome the criteria imply.
fn check_labels(records: &[RawRecord]) {
    let ctx = EvaluationContext::default();
    for record in records {
        for rules in &venue_fixture().0 {
            let r = evaluate(record, rules, &ctx);
            assert_eq!(r.label, rules.label);
            assert_eq!(r.id, record.get("id").unwrap_or(""));
            let ids: Vec<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
            let expected: Vec<&str> = rules.criteria.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(ids, expected, "one result per criterion, in order");
            let outcomes: Vec<Outcome> = r.criteria.iter().map(|c| c.outcome).collect();
            let implied = if outcomes.contains(&Outcome::NotMet) {
                Eligibility::NotEligible
            } else if outcomes.contains(&Outcome::Unknown) {
                Eligibility::Unknown
            } else {
                Eligibility::Eligible
            };
            assert_eq!(r.outcome, implied, "{}: {:?}", rules.label, r.criteria);
            assert!(r.criteria.iter().all(|c| !c.reason.is_empty()));
        }
    }
}

/// The Mondays [`opening_hours`] evaluates, in Europe/Paris: 2026-10-19 (clocks go back
/// on Sunday 25 October: a 25-hour Sunday, a week of 7 × 24 × 60 + 60 minutes) and
/// 2026-12-21 (Friday 25 December is a public holiday: a week of 7 × 24 × 60 minutes).
pub const HOURS_MONDAYS: [(i32, u32, u32); 2] = [(2026, 10, 19), (2026, 12, 21)];

/// The instants (UTC) at which [`opening_hours`] asks `is_open` (with and without French
/// holidays) and `next_opening` (without; with them too at Christmas, the last): a
/// Monday morning, just after the spring change (03:30 in Paris), in the repeated hour
/// of the autumn change (the first 02:30), and Christmas morning.
pub const HOURS_INSTANTS: [&str; 4] = [
    "2026-06-01T10:00:00Z",
    "2026-03-29T01:30:00Z",
    "2026-10-25T00:30:00Z",
    "2026-12-25T09:00:00Z",
];

/// Real minutes from `day` 00:00 to `days` days later 00:00 in `tz`.
fn local_span_minutes(tz: Tz, day: NaiveDate, days: i64) -> i64 {
    let at = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .expect("midnight exists in Europe/Paris")
    };
    (at(day + TimeDelta::days(days)) - at(day)).num_minutes()
}

/// Opening-hours strings, as text (lossy UTF-8) to `OpeningHours::parse`: refused input
/// is `invalid_opening_hours`; accepted input is checked by [`check_opening_hours`].
pub fn opening_hours(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match OpeningHours::parse(&text) {
        Ok(oh) => {
            assert_eq!(oh.as_str(), text);
            check_opening_hours(&oh);
        }
        Err(e) => assert_eq!(e.code(), "invalid_opening_hours", "{e}"),
    }
}

/// Weeks and instants of a parsed string, in Europe/Paris: see [`HOURS_MONDAYS`] and
/// [`HOURS_INSTANTS`].
///
/// The bound on a week is its real length, not 7 × 24 × 60: minutes are elapsed time, so
/// the week of the autumn change holds 7 × 24 × 60 + 60 (its Sunday 25 × 60) and that of
/// the spring change 7 × 24 × 60 − 60.
pub fn check_opening_hours(oh: &OpeningHours) {
    let tz = chrono_tz::Europe::Paris;
    for (y, m, d) in HOURS_MONDAYS {
        let monday = NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let week_minutes = local_span_minutes(tz, monday, 7);
        assert!(week_minutes <= 7 * 24 * 60 + 60);
        for holidays in [Holidays::None, Holidays::France] {
            let w = oh
                .week(monday, tz, holidays)
                .unwrap_or_else(|e| panic!("{monday} is a Monday in range: {e}"));
            assert_eq!(w.monday, monday);
            assert_eq!(w.per_day.iter().sum::<u32>(), w.minutes_open);
            assert!(
                i64::from(w.minutes_open) <= week_minutes,
                "{:?}: {} minutes open in a week of {week_minutes} ({monday}, {holidays})",
                oh.as_str(),
                w.minutes_open
            );
            assert!(
                i64::from(w.minutes_open) + i64::from(w.minutes_unknown) <= week_minutes,
                "{:?}: {} open and {} unknown minutes in a week of {week_minutes}",
                oh.as_str(),
                w.minutes_open,
                w.minutes_unknown
            );
            for (i, &minutes) in w.per_day.iter().enumerate() {
                let day = monday + TimeDelta::days(i as i64);
                assert!(
                    i64::from(minutes) <= local_span_minutes(tz, day, 1),
                    "{:?}: {minutes} minutes open on {day}",
                    oh.as_str()
                );
            }
            assert!(w.days_open <= 7);
            assert_eq!(
                usize::from(w.days_open),
                w.per_day.iter().filter(|&&m| m > 0).count()
            );
        }
    }
    for (i, at) in HOURS_INSTANTS.iter().enumerate() {
        let at = crate::instant(at);
        for holidays in [Holidays::None, Holidays::France] {
            let open = oh.is_open(at, tz, holidays);
            // `next_opening` may scan 400 days: asked without holidays at every instant,
            // and with them at Christmas only (the one instant where they differ).
            if holidays == Holidays::France && i + 1 != HOURS_INSTANTS.len() {
                continue;
            }
            let next = oh.next_opening(at, tz, holidays);
            if open {
                assert_eq!(next, Some(at), "{:?} is open at {at}", oh.as_str());
            }
            if let Some(n) = next {
                assert!(n >= at && n - at <= TimeDelta::days(NEXT_OPENING_HORIZON_DAYS));
                assert!(
                    oh.is_open(n, tz, holidays),
                    "{:?}: next opening after {at} is {n}, but it is not open then ({holidays})",
                    oh.as_str()
                );
            }
        }
    }
}

use crate::batch_vectors;

/// What the `redemption_batch` target imports into: the vectors' registry and an
/// operator verifier (any scope, Europe/Paris) over the vectors' trust list.
struct SyncFixture {
    registry: MemoryVenueRegistry,
    verifier: Verifier,
    lyon: SecretKey,
}

fn sync_fixture() -> &'static SyncFixture {
    static FIXTURE: OnceLock<SyncFixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let registry = MemoryVenueRegistry::new();
        for (i, (venue, active, key_id, seed)) in batch_vectors::VENUES.into_iter().enumerate() {
            registry
                .put_venue(
                    RegisteredVenue::new(venue, venue, batch_vectors::SIRETS[i], active)
                        .expect("venue"),
                )
                .expect("registered");
            registry
                .put_key(VenueKey {
                    venue: venue.into(),
                    key_id,
                    public_key: SecretKey::from_seed(&seed).public_key(),
                    active: true,
                })
                .expect("key");
        }
        SyncFixture {
            registry,
            verifier: Verifier::new(crate::trust_list()).with_any_scope(),
            lyon: SecretKey::from_seed(&batch_vectors::LYON_SEED),
        }
    })
}

/// Imports `bytes` into a fresh ledger at [`NOW`] and checks the report's invariants.
fn import_and_check(batch: &RedemptionBatch, bytes: &[u8]) {
    let f = sync_fixture();
    let (ledger, log) = (MemoryLedger::new(), MemoryImportLog::new());
    let now = fixture().now;
    let import =
        |log: &MemoryImportLog| import_batch(&ledger, &f.registry, log, &f.verifier, bytes, now);
    let seed = match (batch.venue(), batch.key_id()) {
        ("venue-lyon-01", 1) => Some(batch_vectors::LYON_SEED),
        ("venue-gueret-02", 1) => Some(batch_vectors::GUERET_SEED),
        _ => None,
    };
    let signed_well = seed.is_some_and(|seed| {
        batch
            .verify_signature(bytes, &SecretKey::from_seed(&seed).public_key())
            .is_ok()
    });
    let report: ImportReport = match (seed, import(&log)) {
        (Some(_), Ok(r)) if signed_well => r,
        (Some(_), Err(e)) if !signed_well => {
            assert_eq!(e.code(), "bad_batch_signature", "{e}");
            return;
        }
        (None, Err(e)) => {
            assert_eq!(e.code(), "unknown_venue", "{e}");
            return;
        }
        (_, got) => panic!(
            "a batch of {} key {} (signature good: {signed_well}): {got:?}",
            batch.venue(),
            batch.key_id()
        ),
    };
    assert_eq!(report.batch_id, batch.batch_id());
    assert_eq!(report.items.len(), batch.items().len());
    let mut paid = BTreeSet::new();
    for (item, got) in batch.items().iter().zip(&report.items) {
        assert_eq!((item.token, item.accepted_at), (got.token, got.accepted_at));
        match &got.outcome {
            ItemOutcome::Redeemed(r) => {
                assert!(
                    paid.insert((r.issuer.clone(), r.serial)),
                    "serial {} paid twice",
                    r.serial
                );
                assert_eq!(r.at, item.accepted_at);
                assert_eq!(
                    ledger.redemption(&r.issuer, r.serial).expect("memory"),
                    Some(r.clone())
                );
            }
            ItemOutcome::Conflict { queued, winner } => {
                assert_ne!(queued, winner);
                assert_eq!(
                    ledger
                        .redemption(&winner.issuer, winner.serial)
                        .expect("memory"),
                    Some(winner.clone())
                );
            }
            ItemOutcome::Rejected(e) => assert_ne!(e.code(), "already_redeemed"),
        }
    }
    assert_eq!(
        ledger.len(),
        paid.len(),
        "only redeemed items reach the ledger"
    );
    // Again: the same report, from the log and from the ledger alone.
    assert_eq!(import(&log).as_ref(), Ok(&report));
    assert_eq!(import(&MemoryImportLog::new()).as_ref(), Ok(&report));
    assert_eq!(ledger.len(), paid.len());
}

/// Redemption batches: canonical encoding, signature domain, import invariants.
pub fn redemption_batch(data: &[u8]) {
    let f = sync_fixture();
    // The data as signed bytes.
    match RedemptionBatch::parse_unverified(data) {
        Ok(b) => {
            let body = &data[..data.len() - 64];
            assert!(
                b.body() == body,
                "a parsed batch re-encodes to another body"
            );
            assert_eq!(b.batch_id(), batch_id_of_body(body));
            let resigned = b.sign(&f.lyon);
            assert_eq!(
                RedemptionBatch::parse_unverified(&resigned).as_ref(),
                Ok(&b)
            );
            if let Ok(opened) = RedemptionBatch::open(data, &f.lyon.public_key()) {
                assert_eq!(opened, b);
            }
            import_and_check(&b, data);
        }
        Err(e) => assert_eq!(e.code(), "batch_malformed", "{e}"),
    }
    // Past the signature: the venue key signs whatever the data is.
    let signed = batch_vectors::sign(data, &batch_vectors::LYON_SEED);
    match RedemptionBatch::open(&signed, &f.lyon.public_key()) {
        Ok(b) => {
            assert!(
                b.sign(&f.lyon) == signed,
                "a signed body opens but re-signs to other bytes (not canonical)"
            );
            import_and_check(&b, &signed);
        }
        Err(e) => assert_eq!(
            e.code(),
            "batch_malformed",
            "the venue key's own signature refused: {e}"
        ),
    }
}
