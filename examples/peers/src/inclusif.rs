//! inclusif's own entry: format v1, 85 bytes, `PN1:` + 136 Crockford Base32 characters.

use chrono::{DateTime, Utc};
use inclusif_core::voucher::{
    Issuer, Kid, Scope, SecretKey, Serial, Token, TrustEntry, TrustList, Validity, Verifier,
};

use crate::{Peer, PeerError, SEED, VoucherClaims};

/// inclusif v1: an [`Issuer`] and a [`Verifier`] over a trust list holding its key.
pub struct Inclusif {
    issuer: Issuer,
    verifier: Verifier,
}

impl Inclusif {
    /// Key id 7 on [`SEED`]; the trust list is issued at `now` and stays fresh a day.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self::with_trust_list(now, 86_400)
    }

    /// Key id 7 on [`SEED`], its trust list issued at `issued_at` and fresh for
    /// `max_age_seconds`.
    pub fn with_trust_list(issued_at: DateTime<Utc>, max_age_seconds: u32) -> Self {
        let kid = Kid::new(7).expect("7 is a valid key id");
        let issuer = Issuer::new(kid, SecretKey::from_seed(&SEED));
        let mut trust = TrustList::new(1, issued_at, max_age_seconds).expect("a trust list");
        trust
            .insert(TrustEntry::unrestricted(kid, "aptic", issuer.public_key()))
            .expect("one key");
        Inclusif {
            issuer,
            verifier: Verifier::new(trust),
        }
    }

    /// The verifier, for tests that call inclusif's API directly.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The issuer, for tests that call inclusif's API directly.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// Signs the claims into a token (the kid is the issuer's own).
    pub fn token(&self, claims: &VoucherClaims) -> Result<Token, PeerError> {
        let validity = Validity::from_dates(claims.valid_from, claims.valid_until)
            .map_err(PeerError::from_display)?;
        self.issuer
            .issue(
                Serial::from_bytes(claims.serial),
                claims.value_cents,
                validity,
                Scope(claims.scope),
            )
            .map_err(PeerError::from_display)
    }
}

impl Peer for Inclusif {
    fn id(&self) -> &'static str {
        "inclusif"
    }

    fn name(&self) -> &'static str {
        "inclusif v1 (`PN1:` + Crockford Base32)"
    }

    fn sign(&self, claims: &VoucherClaims) -> Result<String, PeerError> {
        Ok(self.token(claims)?.to_qr_payload())
    }

    fn verify(&self, text: &str, now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        let v = self
            .verifier
            .verify_text(text, now)
            .map_err(PeerError::from_display)?;
        Ok(VoucherClaims {
            kid: v.kid().get(),
            serial: *v.serial().as_bytes(),
            value_cents: v.value_cents(),
            valid_from: v.valid_from(),
            valid_until: v.valid_until(),
            scope: v.scope().0,
        })
    }

    fn binary_len(&self, text: &str) -> Result<usize, PeerError> {
        Ok(Token::parse_strict(text)
            .map_err(PeerError::from_display)?
            .as_bytes()
            .len())
    }

    fn by_hand(&self) -> &'static str {
        "nothing: the version byte fixes the algorithm; the verifier always checks the \
         dates (civil days in the venue's time zone), the key id against the signed trust \
         list, the key's window and value limit, and the audience as scopes (the key's and \
         the ones this verifier accepts); double spending is the ledger's (issuer, serial) \
         key"
    }
}
