//! Decoding and field checks never touch the heap; nor does verifying a good token.
//!
//! A counting global allocator wraps the system one and counts, per thread, the
//! allocations made; each measured call must leave its own thread's count unchanged
//! (the test harness allocates on other threads meanwhile).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chrono::{TimeZone, Utc};
use inclusif_core::voucher::{
    Issuer, Kid, Scope, SecretKey, Token, TrustEntry, TrustList, Validity, Verifier,
};

struct Counting;

thread_local! {
    // `const` initialisation: reading it never allocates, so the allocator may use it.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    ALLOCATIONS.with(|n| n.set(n.get() + 1));
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn fixture() -> (Verifier, Token, String) {
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
    let mut trust = TrustList::new(1, now, 86_400).unwrap();
    trust
        .insert(TrustEntry::unrestricted(
            issuer.kid(),
            "aptic",
            issuer.public_key(),
        ))
        .unwrap();
    let validity = Validity::new(
        inclusif_core::voucher::Day::from_number(9497),
        inclusif_core::voucher::Day::from_number(9861),
    )
    .unwrap();
    let token = issuer
        .issue_random(1000, validity, Scope::NATIONAL)
        .unwrap();
    let text = token.to_qr_payload();
    (Verifier::new(trust), token, text)
}

#[test]
fn decoding_and_field_checks_do_not_allocate() {
    let (_, token, text) = fixture();
    let n = allocations_during(|| {
        for _ in 0..1000 {
            let t = Token::parse_strict(std::hint::black_box(&text)).unwrap();
            let c = t.claims().unwrap();
            std::hint::black_box(c);
            let b = Token::from_bytes(std::hint::black_box(token.as_bytes())).unwrap();
            std::hint::black_box(b.claims().unwrap());
        }
    });
    assert_eq!(n, 0, "heap allocations while decoding");
}

#[test]
fn verifying_a_good_token_does_not_allocate() {
    let (verifier, _, text) = fixture();
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).unwrap();
    let n = allocations_during(|| {
        for _ in 0..50 {
            std::hint::black_box(
                verifier
                    .verify_text(std::hint::black_box(&text), now)
                    .unwrap(),
            );
        }
    });
    assert_eq!(n, 0, "heap allocations while verifying");
}
