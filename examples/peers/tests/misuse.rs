//! Misuse resistance: the attacks that have hit real deployments of each peer, run
//! against the peer (recording what it does, as a careful caller and as a hurried one)
//! and against inclusif's API (showing the attack is refused or cannot be expressed).
//!
//! Peer behaviour asserted here is what the pinned versions do today; if an upgrade
//! changes it, the test fails and `docs/benchmarks.md` must change with it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, Days, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use ed25519_dalek::{Signer, SigningKey};
use inclusif_core::voucher::{
    Issuer, Kid, PublicKey, Scope, SecretKey, Serial, Token, Validity, VoucherError,
};
use inclusif_peers::{Inclusif, Peer, SEED, VoucherClaims};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

#[path = "../peers/mod.rs"]
mod peers;

use peers::biscuit::BiscuitPeer;
use peers::cose::Cose;
use peers::jwt::{Jwt, JwtClaims};
use peers::paseto::Paseto;

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn claims() -> VoucherClaims {
    VoucherClaims::today()
}

fn code(result: Result<impl std::fmt::Debug, VoucherError>) -> &'static str {
    match result {
        Ok(v) => panic!("accepted: {v:?}"),
        Err(e) => e.code(),
    }
}

fn b64(bytes: &[u8]) -> String {
    data_encoding::BASE64URL_NOPAD.encode(bytes)
}

fn jwt_claims(c: &VoucherClaims) -> JwtClaims {
    JwtClaims {
        jti: peers::serial_b64(&c.serial),
        val: c.value_cents,
        scp: c.scope,
        nbf: c.not_before().timestamp(),
        exp: c.expires_at().timestamp(),
    }
}

/// The other spellings of an unpadded base64url segment: the last character with its
/// unused low bits changed (a lenient decoder reads them all as the same bytes).
fn same_bytes_alternatives(segment: &str) -> Vec<String> {
    let unused = (segment.len() * 6) % 8;
    let last = B64URL
        .find(&segment[segment.len() - 1..])
        .expect("base64url");
    let stem = &segment[..segment.len() - 1];
    (0..64)
        .filter(|&i| i != last && i >> unused == last >> unused)
        .map(|i| format!("{stem}{}", &B64URL[i..=i]))
        .collect()
}

const B64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---------------------------------------------------------------------------------------
// JWT `alg: none` (CVE-2015-9235 and many since): strip the signature, claim no algorithm.

#[test]
fn alg_none_is_refused_by_jsonwebtoken() {
    let jwt = Jwt::new();
    let c = claims();
    let genuine = jwt.sign(&c).unwrap();
    let (_, rest) = genuine.split_once('.').unwrap();
    let (body, _) = rest.split_once('.').unwrap();
    let header = b64(br#"{"typ":"JWT","alg":"none","kid":"7"}"#);
    let forged = format!("{header}.{body}.");
    // `none` is not an `Algorithm`: the header itself does not parse, whatever the
    // caller's validation says.
    let err = jsonwebtoken::decode_header(&forged).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Json(_)), "{err:?}");
    let err =
        jsonwebtoken::decode::<JwtClaims>(&forged, jwt.decoding_key(), &Validation::default())
            .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Json(_)), "{err:?}");
    assert!(jwt.verify(&forged, now()).is_err());
    // The control: the same body with its genuine header and signature verifies.
    assert_eq!(jwt.verify(&genuine, now()), Ok(c));
}

#[test]
fn inclusif_has_no_algorithm_field_and_refuses_every_other_version_byte() {
    let ours = Inclusif::new(now());
    let token = ours.token(&claims()).unwrap();
    for version in (0..=255u8).filter(|&v| v != 1) {
        let mut bytes = *token.as_bytes();
        bytes[0] = version;
        assert_eq!(code(Token::from_bytes(&bytes)), "unsupported_version");
        assert_eq!(
            code(ours.verifier().verify_bytes(&bytes, now())),
            "unsupported_version"
        );
    }
    // "No signature": the 64 bytes are fixed-width, so stripping means zeroing them.
    let mut stripped = *token.as_bytes();
    stripped[21..].fill(0);
    assert_eq!(
        code(ours.verifier().verify_bytes(&stripped, now())),
        "bad_signature"
    );
    // And a shorter token is not a token.
    assert_eq!(
        code(ours.verifier().verify_bytes(&token.as_bytes()[..21], now())),
        "malformed"
    );
}

// ---------------------------------------------------------------------------------------
// Algorithm confusion (CVE-2016-10555 and kin): an HS256 token MACed with the verifier's
// public key as the HMAC secret.

#[test]
fn hs256_with_the_public_key_is_refused_by_a_careful_caller_and_accepted_by_a_hurried_one() {
    let jwt = Jwt::new();
    let public = SigningKey::from_bytes(&SEED).verifying_key();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("7".into());
    let forged = jsonwebtoken::encode(
        &header,
        &jwt_claims(&claims()),
        &EncodingKey::from_secret(public.as_bytes()).unwrap(),
    )
    .unwrap();
    // Careful: only EdDSA is listed, so the header's HS256 is refused before any key use.
    assert!(jwt.verify(&forged, now()).is_err());
    let err =
        jsonwebtoken::decode::<JwtClaims>(&forged, jwt.decoding_key(), &Jwt::careful_validation())
            .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidAlgorithm);
    // Listing HS256 with the Ed key still fails: jsonwebtoken 12's keys carry their family
    // and the HMAC verifier refuses an Ed key.
    let err = jsonwebtoken::decode::<JwtClaims>(
        &forged,
        jwt.decoding_key(),
        &Validation::new(Algorithm::HS256),
    )
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InvalidKeyFormat);
    // Hurried: the algorithm read from the unverified header, "the key" loaded as bytes
    // (as generic key stores hand it out). The forgery is accepted.
    let alg = jsonwebtoken::decode_header(&forged).unwrap().alg;
    let loaded_as_bytes = DecodingKey::from_secret(public.as_bytes()).unwrap();
    let accepted =
        jsonwebtoken::decode::<JwtClaims>(&forged, &loaded_as_bytes, &Validation::new(alg));
    assert!(accepted.is_ok(), "{accepted:?}");
}

#[test]
fn inclusif_cannot_be_keyed_with_anything_but_an_ed25519_public_key() {
    // The trust list stores `PublicKey`, a checked Ed25519 point; the only thing an
    // attacker holding the public key can do is sign with the public key's bytes as a
    // secret, which is just another (wrong) key.
    let ours = Inclusif::new(now());
    let public = ours.issuer().public_key().to_bytes();
    let forger = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&public));
    let c = claims();
    let forged = forger
        .issue(
            Serial::from_bytes(c.serial),
            c.value_cents,
            Validity::from_dates(c.valid_from, c.valid_until).unwrap(),
            Scope::NATIONAL,
        )
        .unwrap();
    assert_eq!(
        code(ours.verifier().verify(&forged, now())),
        "bad_signature"
    );
    // Cross-protocol: the right key over the body without the domain tag.
    let token = ours.token(&c).unwrap();
    let sig = SigningKey::from_bytes(&SEED).sign(token.body()).to_bytes();
    let mut bytes = *token.as_bytes();
    bytes[21..].copy_from_slice(&sig);
    assert_eq!(
        code(ours.verifier().verify_bytes(&bytes, now())),
        "bad_signature"
    );
}

// ---------------------------------------------------------------------------------------
// Key id injection: `kid` values such as `../../dev/null` or `' OR 1=1` reach the key
// lookup of the application.

#[test]
fn jwt_kid_reaches_the_application_verbatim_and_inclusif_kid_is_a_number() {
    let jwt = Jwt::new();
    let mut header = Jwt::header();
    header.kid = Some("../../dev/null' OR 1=1 --".into());
    let token = jsonwebtoken::encode(&header, &jwt_claims(&claims()), jwt.encoding_key()).unwrap();
    // The library hands the attacker's text to the caller before any signature check.
    let unverified = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(unverified.kid.as_deref(), Some("../../dev/null' OR 1=1 --"));
    assert!(jwt.verify(&token, now()).is_err(), "our lookup is a map");

    let ours = Inclusif::new(now());
    let token = ours.token(&claims()).unwrap();
    for kid in [1u16, 6, 8, 0x2e2e, u16::MAX] {
        let mut bytes = *token.as_bytes();
        bytes[1..3].copy_from_slice(&kid.to_be_bytes());
        assert_eq!(
            code(ours.verifier().verify_bytes(&bytes, now())),
            "unknown_key",
            "{kid}"
        );
    }
    let mut zero = *token.as_bytes();
    zero[1..3].fill(0);
    assert!(ours.verifier().verify_bytes(&zero, now()).is_err());
}

// ---------------------------------------------------------------------------------------
// Bad keys from configuration (a truncated JWK, a small-order point).

#[test]
fn a_short_ed25519_jwk_panics_jsonwebtoken_and_a_long_one_is_truncated() {
    let jwt = Jwt::new();
    let token = jwt.sign(&claims()).unwrap();
    let validation = Jwt::careful_validation();
    // 3 bytes of "key": jsonwebtoken 12 slices [..32] (rust_crypto/eddsa.rs) and panics.
    let short = DecodingKey::from_ed_components("AAAA").unwrap();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        jsonwebtoken::decode::<JwtClaims>(&token, &short, &validation)
    }));
    assert!(
        outcome.is_err(),
        "expected the panic of jsonwebtoken 12.0.0"
    );
    // 33 bytes whose first 32 are the key: accepted, the extra byte silently dropped.
    let public = SigningKey::from_bytes(&SEED).verifying_key();
    let mut long = public.as_bytes().to_vec();
    long.push(0xff);
    let long = DecodingKey::from_ed_components(&b64(&long)).unwrap();
    assert!(jsonwebtoken::decode::<JwtClaims>(&token, &long, &validation).is_ok());
}

#[test]
fn inclusif_keys_are_fixed_width_checked_points() {
    let public = SigningKey::from_bytes(&SEED).verifying_key();
    let hex = data_encoding::HEXLOWER.encode(public.as_bytes());
    for bad in ["000000", &hex[..62], &format!("{hex}ff")] {
        assert_eq!(code(PublicKey::from_hex(bad, 7)), "invalid_key", "{bad}");
    }
    // The identity point (small order), and the genuine key plus a point of order 8 (a
    // torsion component: single and batch verification could disagree on its signatures).
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(code(PublicKey::from_bytes(&identity, 7)), "weak_key");
    let torsioned = (public.to_edwards() + curve25519_dalek::constants::EIGHT_TORSION[1])
        .compress()
        .to_bytes();
    assert_eq!(code(PublicKey::from_bytes(&torsioned, 7)), "weak_key");
    assert!(PublicKey::from_bytes(public.as_bytes(), 7).is_ok());
}

// ---------------------------------------------------------------------------------------
// One token, several texts: a ledger or a deny-list keyed on the text (or its hash) then
// sees two tokens where there is one.

#[test]
fn peers_refuse_non_canonical_base64_but_biscuit_accepts_its_text_without_padding() {
    let c = claims();

    let jwt = Jwt::new();
    let text = jwt.sign(&c).unwrap();
    let (signed, signature) = text.rsplit_once('.').unwrap();
    let alternatives = same_bytes_alternatives(signature);
    assert_eq!(
        alternatives.len(),
        15,
        "86 characters for 64 bytes: 4 unused bits"
    );
    for alt in alternatives {
        assert!(
            jwt.verify(&format!("{signed}.{alt}"), now()).is_err(),
            "{alt}"
        );
    }

    let paseto = Paseto::new();
    let text = paseto.sign(&c).unwrap();
    let (head, footer) = text.rsplit_once('.').unwrap();
    let (prefix, body) = head.rsplit_once('.').unwrap();
    let alternatives = same_bytes_alternatives(body);
    assert_eq!(
        alternatives.len(),
        3,
        "259 characters for 194 bytes: 2 unused bits"
    );
    for alt in alternatives {
        let alt = format!("{prefix}.{alt}.{footer}");
        assert!(paseto.verify(&alt, now()).is_err(), "{alt}");
    }

    // biscuit pads its base64url; the length (so the padding) follows the claims' varints.
    let biscuit = BiscuitPeer::new();
    let (c, text) = [1000, 100, 20_000]
        .into_iter()
        .map(|value_cents| {
            let c = VoucherClaims { value_cents, ..c };
            (c, biscuit.sign(&c).unwrap())
        })
        .find(|(_, text)| text.ends_with('='))
        .expect("one of three lengths needs padding");
    let unpadded = text.trim_end_matches('=');
    let padding = &text[unpadded.len()..];
    assert_eq!(
        biscuit.verify(unpadded, now()),
        Ok(c),
        "two texts, one token"
    );
    for alt in same_bytes_alternatives(unpadded) {
        assert!(biscuit.verify(&alt, now()).is_err(), "{alt}");
        assert!(
            biscuit.verify(&format!("{alt}{padding}"), now()).is_err(),
            "{alt}"
        );
    }
}

#[test]
fn base45_gives_an_odd_length_cose_token_several_spellings() {
    // base45 3.2.0 reads a final two-character group (one byte) without checking that it
    // is below 256, so values v + 256k decode to the same byte. CBOR lengths follow the
    // value's size: one of these three claims gives an odd length.
    let cose = Cose::new();
    let (c, text) = [1000, 100, 20]
        .into_iter()
        .map(|value_cents| {
            let c = VoucherClaims {
                value_cents,
                ..claims()
            };
            (c, cose.sign(&c).unwrap())
        })
        .find(|(_, text)| cose.binary_len(text).unwrap() % 2 == 1)
        .expect("one of three lengths is odd");
    const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let (stem, last) = text.split_at(text.len() - 2);
    let digit = |i: usize| BASE45.find(&last[i..=i]).unwrap();
    let value = digit(0) + 45 * digit(1);
    let spellings: Vec<String> = (1..8)
        .map(|k| value + 256 * k)
        .filter(|&v| v < 45 * 45)
        .map(|v| {
            format!(
                "{stem}{}{}",
                &BASE45[v % 45..=v % 45],
                &BASE45[v / 45..=v / 45]
            )
        })
        .collect();
    assert!(spellings.len() >= 6, "{spellings:?}");
    for alt in spellings {
        assert_ne!(alt, text);
        assert_eq!(
            cose.verify(&alt, now()),
            Ok(c),
            "another text, the same token"
        );
    }
}

#[test]
fn every_other_inclusif_text_is_refused() {
    let ours = Inclusif::new(now());
    let c = claims();
    let text = ours.sign(&c).unwrap();
    assert_eq!(Token::parse_strict(&text).unwrap().to_qr_payload(), text);
    // 136 Base32 characters carry exactly 680 bits: no unused bits, so no second
    // spelling. Every single-character change is refused (most as a bad signature).
    const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut refused = 0;
    for (i, original) in text.char_indices().skip(4) {
        for replacement in CROCKFORD.chars().chain("abcILOU =".chars()) {
            if replacement == original {
                continue;
            }
            let mut alt = text.clone();
            alt.replace_range(i..i + 1, &replacement.to_string());
            assert!(ours.verify(&alt, now()).is_err(), "{alt}");
            refused += 1;
        }
    }
    assert_eq!(refused, 136 * 40);
    // Lower case, spaces, padding, the prefix twice: not the strict form.
    for alt in [
        text.to_lowercase(),
        format!("{text}="),
        format!(" {text}"),
        format!("PN1:{text}"),
        text[4..].to_owned() + "0",
    ] {
        assert_eq!(
            code(ours.verifier().verify_text(&alt, now())),
            "malformed",
            "{alt}"
        );
    }
}

#[test]
fn cose_re_encodes_without_breaking_its_signature() {
    use coset::{CborSerializable, CoseSign1, TaggedCborSerializable};
    let cose = Cose::new();
    let c = claims();
    let mut sign1 = cose.sign1(&c).unwrap();
    let original = sign1.clone().to_tagged_vec().unwrap();
    // The unprotected header is not signed: add a key id there (a verifier reading it
    // would pick the attacker's key) and the signature still holds.
    sign1.unprotected.key_id = b"attacker".to_vec();
    let altered = sign1.clone().to_tagged_vec().unwrap();
    assert_ne!(altered, original);
    let reparsed = CoseSign1::from_tagged_slice(&altered).unwrap();
    assert_eq!(cose.check(&reparsed, now()), Ok(c));
    // Tagged (tag 18) and untagged: coset has a parser for each, and a verifier that
    // takes both, as the EU DCC specification asks, sees two byte strings for one token.
    let untagged = sign1.to_vec().unwrap();
    assert!(CoseSign1::from_tagged_slice(&untagged).is_err());
    assert_eq!(
        cose.check(&CoseSign1::from_slice(&untagged).unwrap(), now()),
        Ok(c)
    );
}

#[test]
fn paseto_and_biscuit_give_different_bytes_for_the_same_claims_jwt_and_inclusif_do_not() {
    let c = claims();
    let distinct = |p: &dyn Peer| {
        let mut texts: Vec<String> = (0..32).map(|_| p.sign(&c).unwrap()).collect();
        texts.sort();
        texts.dedup();
        texts.len()
    };
    // pasetors keeps claims in a HashMap: key order changes with each map's random seed.
    assert!(distinct(&Paseto::new()) > 1);
    // biscuit draws a fresh key pair for the next block at every issuance.
    assert_eq!(distinct(&BiscuitPeer::new()), 32);
    assert_eq!(distinct(&Jwt::new()), 1);
    assert_eq!(distinct(&Inclusif::new(now())), 1);
}

#[test]
fn inclusif_refuses_every_single_bit_flip() {
    let ours = Inclusif::new(now());
    let token = ours.token(&claims()).unwrap();
    for bit in 0..85 * 8 {
        let mut bytes = *token.as_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        assert!(
            ours.verifier().verify_bytes(&bytes, now()).is_err(),
            "bit {bit}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The caller forgets the dates.

#[test]
fn jwt_defaults_accept_a_token_expired_30_s_ago_and_one_not_valid_for_70_years() {
    let jwt = Jwt::new();
    let at = |c: JwtClaims| jsonwebtoken::encode(&Jwt::header(), &c, jwt.encoding_key()).unwrap();
    let mut expired = jwt_claims(&claims());
    expired.exp = now().timestamp() - 30;
    let expired = at(expired);
    let mut future = jwt_claims(&claims());
    future.nbf = (now() + Duration::days(365 * 70)).timestamp();
    let future = at(future);
    let defaults = Validation::new(Algorithm::EdDSA);
    for token in [&expired, &future] {
        assert!(jsonwebtoken::decode::<JwtClaims>(token, jwt.decoding_key(), &defaults).is_ok());
        assert!(
            jwt.verify(token, now()).is_err(),
            "the careful validation refuses it"
        );
    }
}

#[test]
fn cose_checks_no_date_unless_the_caller_does() {
    let cose = Cose::new();
    let mut c = claims();
    c.valid_from = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    c.valid_until = NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
    let sign1 = cose.sign1(&c).unwrap();
    let public = SigningKey::from_bytes(&SEED).verifying_key();
    // What coset offers: the signature, and that is all.
    let signature_only = sign1.verify_signature(b"", |sig, data| {
        public.verify_strict(data, &ed25519_dalek::Signature::from_slice(sig).unwrap())
    });
    assert!(signature_only.is_ok());
    assert!(cose.check(&sign1, now()).is_err(), "checked by hand");
}

#[test]
fn biscuit_expires_only_if_the_issuer_wrote_the_check_and_refuses_without_a_time_fact() {
    let peer = BiscuitPeer::new();
    let mut c = claims();
    c.valid_from = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    c.valid_until = NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
    // With the check: refused in 2026.
    let checked = peer.sign(&c).unwrap();
    assert!(peer.verify(&checked, now()).is_err());
    // The issuer forgot the check: valid forever.
    let forgot = peer
        .sign_code(
            "voucher({kid}, {serial}, {value}, {from}, {until}, {scope});",
            &c,
        )
        .unwrap();
    assert_eq!(peer.verify(&forgot, now()), Ok(c));
    // The verifier forgot the time fact: the check cannot hold, so it is refused (a
    // failed check, not a run limit: the limits are generous here).
    let today = claims();
    let fresh = peer.sign(&today).unwrap();
    let token = biscuit_auth::Biscuit::from_base64(&fresh, peer.public()).unwrap();
    let mut no_time = biscuit_auth::AuthorizerBuilder::new()
        .code("allow if true;")
        .unwrap()
        .set_limits(biscuit_auth::AuthorizerLimits {
            max_time: std::time::Duration::from_secs(5),
            ..Default::default()
        })
        .build(&token)
        .unwrap();
    let err = no_time.authorize().unwrap_err();
    assert!(
        matches!(err, biscuit_auth::error::Token::FailedLogic(_)),
        "{err:?}"
    );
    // The run-time-parsed AUTHORITY and the macro-built block carry the same facts and
    // the same check: valid until the last second before `exp`, refused at `exp`.
    let parsed = peer.sign_code(peers::biscuit::AUTHORITY, &today).unwrap();
    let last_second = today.expires_at() - Duration::seconds(1);
    for token in [&fresh, &parsed] {
        assert_eq!(peer.verify(token, last_second), Ok(today));
        assert!(peer.verify(token, today.expires_at()).is_err());
    }
}

#[test]
fn paseto_checks_dates_by_default_and_refuses_local_public_confusion() {
    let paseto = Paseto::new();
    let mut c = claims();
    c.valid_from = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    c.valid_until = NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
    let expired = paseto.sign(&c).unwrap();
    assert!(paseto.verify(&expired, now()).is_err());
    // Local/public confusion is refused by the types.
    let fresh = paseto.sign(&claims()).unwrap();
    assert!(
        pasetors::token::UntrustedToken::<pasetors::Local, pasetors::version4::V4>::try_from(
            fresh.as_str()
        )
        .is_err()
    );
}

#[test]
fn inclusif_always_checks_civil_dates_in_the_venues_time_zone() {
    // `Verifier::verify*` all take `now`; there is no call without it and no switch
    // to turn the dates off. The last valid instant is 23:59:59 in Paris on the last day.
    let issued = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    let ours = Inclusif::with_trust_list(issued, 400 * 86_400);
    let (issuer, verifier) = (ours.issuer(), ours.verifier());
    let from = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let until = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    let token = issuer
        .issue(
            Serial::from_bytes([1; 10]),
            1000,
            Validity::from_dates(from, until).unwrap(),
            Scope::NATIONAL,
        )
        .unwrap();
    let paris = |d: NaiveDate, h, m, s| {
        Paris
            .from_local_datetime(&d.and_hms_opt(h, m, s).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let day_before = from - Days::new(1);
    let day_after = until + Days::new(1);
    assert_eq!(
        code(verifier.verify(&token, paris(day_before, 23, 59, 59))),
        "not_yet_valid"
    );
    assert!(verifier.verify(&token, paris(from, 0, 0, 0)).is_ok());
    assert!(verifier.verify(&token, paris(until, 23, 59, 59)).is_ok());
    assert_eq!(
        code(verifier.verify(&token, paris(day_after, 0, 0, 0))),
        "expired"
    );
    // 30 seconds late is late: no leeway.
    assert_eq!(
        code(verifier.verify(&token, paris(day_after, 0, 0, 30))),
        "expired"
    );
}
