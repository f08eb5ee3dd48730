//! Property tests of the voucher parsers and codes.

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use inclusif_core::voucher::{
    Day, Issuer, KeypadCode, Kid, Scope, SecretKey, Serial, ShortCode, Token, TrustEntry,
    TrustList, Validity, Verifier, normalize_human,
};
use proptest::prelude::*;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap()
}

fn setup() -> &'static (Issuer, Verifier) {
    static SETUP: OnceLock<(Issuer, Verifier)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
        let mut trust = TrustList::new(1, now(), 86_400).unwrap();
        trust
            .insert(TrustEntry::unrestricted(
                issuer.kid(),
                "aptic",
                issuer.public_key(),
            ))
            .unwrap();
        (issuer, Verifier::new(trust).with_any_scope())
    })
}

fn valid_token(serial: [u8; 10], value: u16, scope: u16) -> Token {
    let (issuer, _) = setup();
    let validity = Validity::new(Day::from_number(9497), Day::from_number(9861)).unwrap();
    issuer
        .issue(
            Serial::from_bytes(serial),
            value.max(1),
            validity,
            Scope(scope),
        )
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// parse ∘ encode is the identity, in both text forms.
    #[test]
    fn parse_encode_identity(mut bytes in proptest::collection::vec(any::<u8>(), 85)) {
        bytes[0] = 1;
        let t = Token::from_bytes(&bytes).unwrap();
        prop_assert_eq!(Token::parse_strict(&t.to_text()).unwrap(), t);
        prop_assert_eq!(Token::parse_strict(&t.to_qr_payload()).unwrap(), t);
        prop_assert_eq!(&t.as_bytes()[..], &bytes[..]);
    }

    /// Whatever strict parsing accepts re-encodes to exactly the input.
    #[test]
    fn strict_accepts_only_canonical_text(s in "(PN1:)?[0-9A-Z]{136}|.{0,160}") {
        if let Ok(t) = Token::parse_strict(&s) {
            prop_assert!(t.to_text() == s || t.to_qr_payload() == s);
        }
    }

    /// Strict decoding of any 136 symbols of the alphabet succeeds iff the version is 1.
    #[test]
    fn every_alphabet_string_decodes(symbols in proptest::collection::vec(0usize..32, 136)) {
        let s: String = symbols.iter().map(|&i| ALPHABET[i] as char).collect();
        match Token::parse_strict(&s) {
            Ok(t) => prop_assert_eq!(t.to_text(), s),
            Err(e) => prop_assert_eq!(e.code(), "unsupported_version"),
        }
    }

    /// Any single-bit change of a valid token fails to verify.
    #[test]
    fn single_bit_flip_never_verifies(serial in any::<[u8; 10]>(), value in 1u16.., scope in any::<u16>(), bit in 0usize..680) {
        let (_, verifier) = setup();
        let t = valid_token(serial, value, scope);
        prop_assert!(verifier.verify(&t, now()).is_ok());
        let mut raw = *t.as_bytes();
        raw[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(verifier.verify_bytes(&raw, now()).is_err());
    }

    /// Any single-character change of a valid token's text fails to verify.
    #[test]
    fn single_character_change_never_verifies(serial in any::<[u8; 10]>(), pos in 0usize..136, c in any::<char>()) {
        let (_, verifier) = setup();
        let text = valid_token(serial, 1000, 0).to_text();
        let mut chars: Vec<char> = text.chars().collect();
        prop_assume!(chars[pos] != c);
        chars[pos] = c;
        let changed: String = chars.into_iter().collect();
        prop_assert!(verifier.verify_text(&changed, now()).is_err());
    }

    /// Hand-typed input (case, O/I/L, spaces, hyphens) parses to the same token and
    /// re-encodes to exactly its normalised form.
    #[test]
    fn human_input_reencodes_to_its_normal_form(
        serial in any::<[u8; 10]>(),
        lower in proptest::collection::vec(any::<bool>(), 136),
        seps in proptest::collection::vec(0u8..4, 136),
        prefix in any::<bool>(),
    ) {
        let t = valid_token(serial, 1000, 0);
        let text = if prefix { t.to_qr_payload() } else { t.to_text() };
        let mut typed = String::new();
        for (i, c) in text.chars().enumerate() {
            let j = i % 136;
            let c = match (c, lower[j]) {
                ('0', true) => 'o',
                ('1', true) => 'l',
                ('1', false) => 'I',
                (c, true) => c.to_ascii_lowercase(),
                (c, false) => c,
            };
            typed.push(c);
            match seps[j] {
                1 => typed.push(' '),
                2 => typed.push('-'),
                _ => {}
            }
        }
        let parsed = Token::parse_human(&typed);
        let normal = normalize_human(&typed);
        if typed.len() <= 400 {
            prop_assert_eq!(parsed.unwrap(), t);
            prop_assert_eq!(normal.unwrap(), text);
        } else {
            prop_assert_eq!(parsed.unwrap_err().code(), "malformed");
        }
    }

    /// Short and keypad codes round-trip for every serial.
    #[test]
    fn phone_codes_round_trip(serial in any::<[u8; 10]>()) {
        let s = Serial::from_bytes(serial);
        prop_assert_eq!(ShortCode::parse(&ShortCode::new(s).to_string()).unwrap().serial(), s);
        prop_assert_eq!(KeypadCode::parse(&KeypadCode::new(s).to_string()).unwrap().serial(), s);
    }

    /// A validity window exists iff from <= until <= from + 1100.
    #[test]
    fn validity_window_rule(from in any::<u16>(), until in any::<u16>()) {
        let ok = Validity::new(Day::from_number(from), Day::from_number(until)).is_ok();
        prop_assert_eq!(ok, from <= until && u32::from(until) <= u32::from(from) + 1100);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Batch and single verification agree on mixtures of good and damaged tokens.
    #[test]
    fn batch_agrees_with_single(damage in proptest::collection::vec(proptest::option::of(0usize..680), 1..80)) {
        let (_, verifier) = setup();
        let tokens: Vec<Token> = damage
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                let mut raw = *valid_token([i as u8; 10], 1000, 0).as_bytes();
                if let Some(bit) = d {
                    raw[bit / 8] ^= 1 << (bit % 8);
                }
                Token::from_bytes(&raw).ok()
            })
            .collect();
        let batch = verifier.verify_batch(&tokens, now());
        for (t, b) in tokens.iter().zip(batch) {
            let single = verifier.verify(t, now()).map_err(|e| e.code());
            prop_assert_eq!(single, b.map_err(|e| e.code()));
        }
    }
}
