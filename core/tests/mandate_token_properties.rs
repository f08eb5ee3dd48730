//! Property tests of the signed mandate token: parse∘encode is the identity (text and QR
//! forms), any single-bit change of a valid token fails to verify, hand-typed input
//! re-encodes to its normalised form; and verifying a good token does not allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;

use chrono::{DateTime, TimeDelta};
use inclusif_core::mandate::token::{
    EPOCH_UNIX, MAX_HUMAN_LEN, MandateClaims, MandateToken, MandateVerifier, TEXT_LEN, TOKEN_LEN,
    organisation_issuer, sign_mandate,
};
use inclusif_core::mandate::{
    ConsentMethod, DemarcheSet, Duration, MandateId, OrganisationId, usager_ref,
};
use inclusif_core::voucher::{Kid, SecretKey, TrustEntry, TrustList, normalize_human};
use proptest::prelude::*;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ORG: u32 = 42;

fn key() -> &'static SecretKey {
    static KEY: OnceLock<SecretKey> = OnceLock::new();
    KEY.get_or_init(|| SecretKey::from_seed(&[3; 32]))
}

/// Kid 3 bound to organisation 42, plus kid 9 trusted for any organisation (same key).
fn verifier() -> &'static MandateVerifier {
    static V: OnceLock<MandateVerifier> = OnceLock::new();
    V.get_or_init(|| {
        let issued = DateTime::from_timestamp(EPOCH_UNIX, 0).unwrap();
        let mut t = TrustList::new(1, issued, u32::MAX).unwrap();
        let org = OrganisationId::new(ORG).unwrap();
        t.insert(TrustEntry::unrestricted(
            Kid::new(3).unwrap(),
            &organisation_issuer(org),
            key().public_key(),
        ))
        .unwrap();
        MandateVerifier::new(t)
            .unwrap()
            .with_key_for_any_organisation(Kid::new(9).unwrap(), key().public_key())
            .unwrap()
    })
}

prop_compose! {
    fn claims()(
        any_org in any::<bool>(),
        org in 1u32..,
        id in any::<[u8; 10]>(),
        sub in "[a-z0-9-]{1,40}",
        bits in 1u16..0x0400,
        created in 0u32..=u32::MAX - 365 * 86_400,
        duration in 1u8..=4,
        consent in 0u8..=2,
    ) -> MandateClaims {
        let organisation = OrganisationId::new(if any_org { org } else { ORG }).unwrap();
        MandateClaims {
            kid: Kid::new(if any_org { 9 } else { 3 }).unwrap(),
            organisation,
            mandate_id: MandateId::from_bytes(id),
            usager_ref: usager_ref(organisation, &sub),
            demarches: DemarcheSet::from_bits(bits).unwrap(),
            created_at: DateTime::from_timestamp(EPOCH_UNIX + i64::from(created), 0).unwrap(),
            duration: Duration::from_code(duration).unwrap(),
            consent: ConsentMethod::from_code(consent).unwrap(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any 105 bytes with version 1 survive text and QR round trips unchanged, and the
    /// text is exactly 168 characters of the alphabet.
    #[test]
    fn parse_encode_identity(mut bytes in proptest::collection::vec(any::<u8>(), TOKEN_LEN)) {
        bytes[0] = 1;
        let t = MandateToken::from_bytes(&bytes).unwrap();
        let text = t.to_text();
        prop_assert_eq!(text.len(), TEXT_LEN);
        prop_assert!(text.bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)));
        prop_assert_eq!(MandateToken::parse_strict(&text).unwrap(), t);
        prop_assert_eq!(MandateToken::parse_strict(&t.to_qr_payload()).unwrap(), t);
        prop_assert_eq!(&MandateToken::parse_strict(&text).unwrap().to_text(), &text);
        prop_assert_eq!(MandateToken::parse_human(&text).unwrap(), t);
        prop_assert_eq!(t.as_bytes().as_slice(), bytes.as_slice());
    }

    /// Strict parsing accepts exactly the canonical forms.
    #[test]
    fn strict_accepts_only_canonical_text(s in "(AC1:)?[0-9A-Z]{168}|.{0,200}") {
        if let Ok(t) = MandateToken::parse_strict(&s) {
            let canonical = if s.starts_with("AC1:") { t.to_qr_payload() } else { t.to_text() };
            prop_assert_eq!(canonical, s);
        }
    }

    /// Signed claims read back unchanged and verify at creation and at expiry.
    #[test]
    fn signed_claims_verify(c in claims()) {
        let t = sign_mandate(key(), &c).unwrap();
        prop_assert_eq!(t.claims().unwrap(), c);
        let v = verifier();
        prop_assert_eq!(*v.verify(&t, c.created_at).unwrap().claims(), c);
        prop_assert_eq!(v.verify(&t, c.expires_at()).unwrap().expires_at(), c.expires_at());
        let after = c.expires_at() + TimeDelta::seconds(1);
        prop_assert_eq!(v.verify(&t, after).unwrap_err().code(), "expired");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any single-bit change of a valid token fails to verify (whatever the reason).
    #[test]
    fn single_bit_flip_never_verifies(c in claims(), bit in 0usize..TOKEN_LEN * 8) {
        let t = sign_mandate(key(), &c).unwrap();
        let mut raw = *t.as_bytes();
        raw[bit / 8] ^= 1 << (bit % 8);
        let v = verifier();
        prop_assert!(v.verify_bytes(&raw, c.created_at).is_err(), "bit {bit} flipped still verifies");
        // The same through the text form, when the version byte still parses.
        if let Ok(flipped) = MandateToken::from_array(raw) {
            prop_assert!(v.verify_text(&flipped.to_text(), c.created_at).is_err());
        }
    }

    /// Hand-typed input (case, O/I/L, spaces, hyphens, optional prefix) parses to the
    /// same token and re-encodes to exactly its normalised form.
    #[test]
    fn human_input_reencodes_to_its_normal_form(
        c in claims(),
        lower in proptest::collection::vec(any::<bool>(), TEXT_LEN + 4),
        seps in proptest::collection::vec(0u8..5, TEXT_LEN + 4),
        prefix in any::<bool>(),
    ) {
        let t = sign_mandate(key(), &c).unwrap();
        let text = if prefix { t.to_qr_payload() } else { t.to_text() };
        let mut typed = String::new();
        for (i, ch) in text.chars().enumerate() {
            let ch = match (ch, lower[i]) {
                ('0', true) => 'o',
                ('0', false) => 'O',
                ('1', true) => 'l',
                ('1', false) => 'I',
                (ch, true) => ch.to_ascii_lowercase(),
                (ch, false) => ch,
            };
            typed.push(ch);
            match seps[i] {
                1 => typed.push(' '),
                2 => typed.push('-'),
                3 => typed.push('\t'),
                _ => {}
            }
        }
        let parsed = MandateToken::parse_human(&typed);
        if typed.len() <= MAX_HUMAN_LEN {
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed, t);
            let normal = normalize_human(&typed).unwrap();
            let again = if prefix { parsed.to_qr_payload() } else { parsed.to_text() };
            prop_assert_eq!(&again, &normal);
            prop_assert_eq!(again, text);
            prop_assert!(verifier().verify_human(&typed, c.created_at).is_ok());
        } else {
            prop_assert_eq!(parsed.unwrap_err().code(), "malformed");
        }
    }
}

#[test]
fn every_single_bit_flip_of_one_token_fails() {
    let c = MandateClaims {
        kid: Kid::new(3).unwrap(),
        organisation: OrganisationId::new(ORG).unwrap(),
        mandate_id: MandateId::from_bytes([0xa5; 10]),
        usager_ref: usager_ref(OrganisationId::new(ORG).unwrap(), "fc-sub-0001"),
        demarches: DemarcheSet::ALL,
        created_at: DateTime::from_timestamp(EPOCH_UNIX + 194_520_600, 0).unwrap(),
        duration: Duration::Long,
        consent: ConsentMethod::RemoteSms,
    };
    let t = sign_mandate(key(), &c).unwrap();
    let v = verifier();
    assert!(v.verify(&t, c.created_at).is_ok());
    for bit in 0..TOKEN_LEN * 8 {
        let mut raw = *t.as_bytes();
        raw[bit / 8] ^= 1 << (bit % 8);
        let e = v.verify_bytes(&raw, c.created_at).unwrap_err();
        let expected: &[&str] = match bit / 8 {
            0 => &["unsupported_version"],
            1..=2 => &["unknown_key", "invalid_field"],
            3..=6 => &["unknown_key"],
            _ => &["bad_signature"],
        };
        assert!(expected.contains(&e.code()), "bit {bit}: {e}");
    }
}

#[test]
fn verifying_a_good_token_does_not_allocate() {
    let c = MandateClaims {
        kid: Kid::new(3).unwrap(),
        organisation: OrganisationId::new(ORG).unwrap(),
        mandate_id: MandateId::from_bytes([1; 10]),
        usager_ref: usager_ref(OrganisationId::new(ORG).unwrap(), "fc-sub-0001"),
        demarches: DemarcheSet::ALL,
        created_at: DateTime::from_timestamp(EPOCH_UNIX + 194_520_600, 0).unwrap(),
        duration: Duration::Long,
        consent: ConsentMethod::InPerson,
    };
    let text = sign_mandate(key(), &c).unwrap().to_qr_payload();
    let v = verifier()
        .clone()
        .with_required_usager("fc-sub-0001")
        .with_required_demarche(inclusif_core::mandate::Demarche::Justice)
        .with_revoked_mandates([MandateId::from_bytes([2; 10])]);
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..50 {
        std::hint::black_box(
            v.verify_text(std::hint::black_box(&text), c.created_at)
                .unwrap(),
        );
    }
    assert_eq!(
        ALLOCATIONS.with(Cell::get) - before,
        0,
        "heap allocations while verifying"
    );
}
