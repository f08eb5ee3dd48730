//! Instruction counts of token verification beside raw `verify_strict`, for a ratio that
//! this VM's timing noise (±20 % between runs) cannot blur. Run each mode under callgrind
//! and subtract the `setup` count:
//!
//! ```sh
//! cargo build --release -p inclusif-core --example instruction_counts
//! for m in setup mandate_raw mandate_inclusif voucher_raw voucher_inclusif; do
//!   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/instruction_counts $m 2>&1 | grep Collected
//! done
//! ```
//!
//! Each mode verifies the same token 200 times.

use chrono::{TimeZone, Utc};
use ed25519_dalek::{Signature, SigningKey};
use inclusif_core::mandate::token::{MandateClaims, MandateVerifier, sign_mandate};
use inclusif_core::mandate::{
    ConsentMethod, Demarche, DemarcheSet, Duration, MandateId, OrganisationId, usager_ref,
};
use inclusif_core::voucher::{
    Issuer, Kid, Scope, SecretKey, TrustEntry, TrustList, Validity, Verifier,
};
use std::hint::black_box;
fn main() {
    let which = std::env::args().nth(1).unwrap_or_else(|| "setup".into());
    let n = 200;
    let org = OrganisationId::new(42).unwrap();
    let key = SecretKey::from_seed(&[3; 32]);
    let claims = MandateClaims {
        kid: Kid::new(3).unwrap(),
        organisation: org,
        mandate_id: MandateId::from_bytes([7; 10]),
        usager_ref: usager_ref(org, "fc-sub-camille"),
        demarches: DemarcheSet::parse(["papiers", "social"]).unwrap(),
        created_at: Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap(),
        duration: Duration::Long,
        consent: ConsentMethod::InPerson,
    };
    let token = sign_mandate(&key, &claims).unwrap();
    let text = token.to_qr_payload();
    let verifier = MandateVerifier::without_trust_list()
        .with_key_for_any_organisation(Kid::new(3).unwrap(), key.public_key())
        .unwrap()
        .with_required_demarche(Demarche::Social)
        .with_required_usager("fc-sub-camille");
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let vk = SigningKey::from_bytes(&[3; 32]).verifying_key();
    let mut message = b"FR.AIDANTS.MANDAT.V1\0".to_vec();
    message.extend_from_slice(token.body());
    let sig = Signature::from_bytes(token.signature());
    // Voucher too.
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
    let validity = Validity::new(
        inclusif_core::voucher::Day::from_number(9497),
        inclusif_core::voucher::Day::from_number(9861),
    )
    .unwrap();
    let vt = issuer
        .issue_random(1000, validity, Scope::NATIONAL)
        .unwrap();
    let vtext = vt.to_qr_payload();
    let mut trust = TrustList::new(1, now, 86_400).unwrap();
    trust
        .insert(TrustEntry::unrestricted(
            issuer.kid(),
            "aptic",
            issuer.public_key(),
        ))
        .unwrap();
    let vv = Verifier::new(trust);
    let vvk = SigningKey::from_bytes(&[7; 32]).verifying_key();
    let mut vmsg = b"FR.PASSNUM.V1\0".to_vec();
    vmsg.extend_from_slice(vt.body());
    let vsig = Signature::from_bytes(vt.signature());
    for _ in 0..n {
        match which.as_str() {
            "mandate_raw" => vk
                .verify_strict(black_box(&message), black_box(&sig))
                .unwrap(),
            "mandate_inclusif" => {
                black_box(verifier.verify_text(black_box(&text), now).unwrap());
            }
            "voucher_raw" => vvk
                .verify_strict(black_box(&vmsg), black_box(&vsig))
                .unwrap(),
            "voucher_inclusif" => {
                black_box(vv.verify_text(black_box(&vtext), now).unwrap());
            }
            "setup" => {}
            other => panic!(
                "unknown mode {other}: setup, mandate_raw, mandate_inclusif, voucher_raw or voucher_inclusif"
            ),
        }
    }
}
