//! Offline verification of tokens against a trust list.
//!
//! The checks run in a fixed order and the first failure is returned, each as a distinct
//! [`VoucherError`]:
//!
//! 0. the trust list is fresh (`trust_list_expired`: fail closed);
//! 1. length and characters (`malformed`), done by the parser;
//! 2. version (`unsupported_version`), done by the parser;
//! 3. kid known (`unknown_key`; kid 0 is `invalid_field`);
//! 4. kid not revoked (`revoked_key`);
//! 5. signature, Ed25519 `verify_strict` over `FR.PASSNUM.V1\0` and the body (`bad_signature`),
//!    before any other field is interpreted;
//! 6. field rules (`invalid_field`);
//! 7. today's civil date in the verifier's time zone within `valid_from..=valid_until`
//!    (`not_yet_valid`, `expired`);
//! 8. `valid_from` inside the key's signing window (`outside_key_window`);
//! 9. value within the key's maximum (`value_above_key_limit`);
//! 10. scope allowed for the key (`scope_not_allowed_for_key`), then accepted by this
//!     verifier: national, or one of its scopes (`scope_not_accepted`);
//! 11. serial not revoked (`revoked_serial`).

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use ed25519_dalek::Signature;

use super::batch;
use super::error::VoucherError;
use super::short_code::ShortCode;
use super::token::{Claims, Kid, Scope, Serial, Token, signed_message};
use super::trust_list::{KeyStatus, TrustEntry, TrustList};

/// The default time zone of civil dates: metropolitan France.
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Paris;

/// How many signatures go into one ed25519-dalek batch. A bad signature makes its whole
/// batch fall back to single checks, so a batch is kept small enough for that to be cheap.
pub const BATCH_CHUNK: usize = 64;

/// A voucher whose every check passed: genuine, valid today, acceptable here.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VerifiedVoucher {
    claims: Claims,
    issuer: Arc<str>,
}

impl VerifiedVoucher {
    /// The issuer's registry identifier (from the trust list).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// The issuer, shared.
    pub fn issuer_arc(&self) -> &Arc<str> {
        &self.issuer
    }
    /// Key id.
    pub fn kid(&self) -> Kid {
        self.claims.kid
    }
    /// Serial.
    pub fn serial(&self) -> Serial {
        self.claims.serial
    }
    /// The serial's short code.
    pub fn short_code(&self) -> ShortCode {
        ShortCode::new(self.claims.serial)
    }
    /// Face value in cents.
    pub fn value_cents(&self) -> u16 {
        self.claims.value_cents.get()
    }
    /// First valid civil date.
    pub fn valid_from(&self) -> NaiveDate {
        self.claims.validity.from().date()
    }
    /// Last valid civil date (inclusive).
    pub fn valid_until(&self) -> NaiveDate {
        self.claims.validity.until().date()
    }
    /// Scope.
    pub fn scope(&self) -> Scope {
        self.claims.scope
    }
    /// All the claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }
}

/// Which scopes a verifier accepts besides national vouchers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Accepted {
    Scopes(HashSet<Scope>),
    Any,
}

/// Verifies tokens offline against a trust list, in a time zone, for a set of scopes.
#[derive(Debug, Clone)]
pub struct Verifier {
    trust: TrustList,
    time_zone: Tz,
    accepted: Accepted,
    revoked_serials: HashSet<Serial>,
}

impl Verifier {
    /// A verifier in Europe/Paris that accepts national vouchers only.
    pub fn new(trust: TrustList) -> Self {
        Verifier {
            trust,
            time_zone: DEFAULT_TIME_ZONE,
            accepted: Accepted::Scopes(HashSet::new()),
            revoked_serials: HashSet::new(),
        }
    }

    /// Sets the time zone of the venue (overseas venues pass theirs, e.g.
    /// `America/Cayenne` or `Indian/Reunion`).
    pub fn with_time_zone(mut self, tz: Tz) -> Self {
        self.time_zone = tz;
        self
    }

    /// Also accepts vouchers of these scopes.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        match &mut self.accepted {
            Accepted::Scopes(set) => set.extend(scopes),
            Accepted::Any => {}
        }
        self
    }

    /// Accepts vouchers of every scope (an operator's server, not a venue).
    pub fn with_any_scope(mut self) -> Self {
        self.accepted = Accepted::Any;
        self
    }

    /// Refuses these serials with `revoked_serial`, whatever the issuer (serials are 80
    /// random bits: two issuers share one with probability about 2^-80 per pair).
    pub fn with_revoked_serials(mut self, serials: impl IntoIterator<Item = Serial>) -> Self {
        self.revoked_serials.extend(serials);
        self
    }

    /// The time zone of civil dates.
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust
    }

    /// Replaces the trust list with a newer one. A lower sequence number, or the same
    /// number with other content, is `trust_list_rollback`; the same list again is a no-op.
    pub fn replace_trust_list(&mut self, newer: TrustList) -> Result<(), VoucherError> {
        let current = self.trust.sequence();
        let offered = newer.sequence();
        if offered < current || (offered == current && newer != self.trust) {
            return Err(VoucherError::TrustListRollback { current, offered });
        }
        self.trust = newer;
        Ok(())
    }

    /// Verifies the strict text form or the QR payload.
    pub fn verify_text(
        &self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedVoucher, VoucherError> {
        self.trust.check_fresh(now)?;
        self.verify_parsed(&Token::parse_strict(text)?, now)
    }

    /// Verifies a token typed by a person (see [`Token::parse_human`]).
    pub fn verify_human(
        &self,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedVoucher, VoucherError> {
        self.trust.check_fresh(now)?;
        self.verify_parsed(&Token::parse_human(text)?, now)
    }

    /// Verifies 85 raw bytes.
    pub fn verify_bytes(
        &self,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<VerifiedVoucher, VoucherError> {
        self.trust.check_fresh(now)?;
        self.verify_parsed(&Token::from_bytes(bytes)?, now)
    }

    /// Verifies a parsed token.
    pub fn verify(
        &self,
        token: &Token,
        now: DateTime<Utc>,
    ) -> Result<VerifiedVoucher, VoucherError> {
        self.trust.check_fresh(now)?;
        self.verify_parsed(token, now)
    }

    fn verify_parsed(
        &self,
        token: &Token,
        now: DateTime<Utc>,
    ) -> Result<VerifiedVoucher, VoucherError> {
        let entry = self.key_for(token)?;
        let message = signed_message(token.body());
        entry
            .public_key
            .verifying_key()
            .verify_strict(&message, &Signature::from_bytes(token.signature()))
            .map_err(|_| VoucherError::BadSignature {
                kid: entry.kid.get(),
            })?;
        self.after_signature(token, entry, now)
    }

    /// Steps 3 and 4: the key exists and is not revoked.
    fn key_for(&self, token: &Token) -> Result<&TrustEntry, VoucherError> {
        let kid = Kid::new(token.kid_raw())
            .ok_or_else(|| VoucherError::invalid("kid", "0 is reserved and never assigned"))?;
        let entry = self
            .trust
            .get(kid)
            .ok_or(VoucherError::UnknownKey { kid: kid.get() })?;
        if entry.status == KeyStatus::Revoked {
            return Err(VoucherError::RevokedKey { kid: kid.get() });
        }
        Ok(entry)
    }

    /// Steps 6 to 11, once the signature holds.
    fn after_signature(
        &self,
        token: &Token,
        entry: &TrustEntry,
        now: DateTime<Utc>,
    ) -> Result<VerifiedVoucher, VoucherError> {
        let claims = token.claims()?;
        let today = now.with_timezone(&self.time_zone).date_naive();
        let (from, until) = (
            claims.validity.from().date(),
            claims.validity.until().date(),
        );
        if today < from {
            return Err(VoucherError::NotYetValid {
                valid_from: from,
                today,
                time_zone: self.time_zone.name().to_owned(),
            });
        }
        if today > until {
            return Err(VoucherError::Expired {
                valid_until: until,
                today,
                time_zone: self.time_zone.name().to_owned(),
            });
        }
        let kid = claims.kid.get();
        if claims.validity.from() < entry.window_from || claims.validity.from() > entry.window_until
        {
            return Err(VoucherError::OutsideKeyWindow {
                kid,
                valid_from: from,
                window_from: entry.window_from.date(),
                window_until: entry.window_until.date(),
            });
        }
        if claims.value_cents.get() > entry.max_value_cents {
            return Err(VoucherError::ValueAboveKeyLimit {
                kid,
                value_cents: claims.value_cents.get(),
                max_value_cents: entry.max_value_cents,
            });
        }
        if !entry.scopes.allows(claims.scope) {
            return Err(VoucherError::ScopeNotAllowedForKey {
                kid,
                scope: claims.scope.0,
            });
        }
        let accepted = claims.scope.is_national()
            || match &self.accepted {
                Accepted::Any => true,
                Accepted::Scopes(set) => set.contains(&claims.scope),
            };
        if !accepted {
            return Err(VoucherError::ScopeNotAccepted {
                scope: claims.scope.0,
            });
        }
        if self.revoked_serials.contains(&claims.serial) {
            return Err(VoucherError::RevokedSerial {
                serial: claims.serial.to_string(),
            });
        }
        Ok(VerifiedVoucher {
            claims,
            issuer: Arc::clone(&entry.issuer),
        })
    }

    /// Verifies many tokens at once, for operator servers: one result per token, in order,
    /// the same verdict as [`verify`](Verifier::verify) gives for every token an honest
    /// issuer signed and for every forgery.
    ///
    /// Tokens are grouped by key and their signatures checked [`BATCH_CHUNK`] at a time
    /// with one multiscalar multiplication per chunk (see `batch.rs`: same-key
    /// coalescing under ed25519-dalek's strict rules). A chunk that fails is checked
    /// again token by token with `verify_strict`, so each bad token gets its own
    /// `bad_signature`.
    ///
    /// Verdicts equal single verification for every token except one kind: a signature
    /// that the signing key's own holder builds on purpose so that `R + kA − sB` is a
    /// small-order point. A batch accepts such a token when its random coefficient
    /// cancels that point (probability 1/2 to 1/8), where `verify_strict` always refuses
    /// it, so its verdict may vary from run to run. Nobody without the key can build one
    /// (keys with a torsion component are refused at load), the key holder can sign any
    /// voucher anyway, and redemption is keyed on the serial: nothing is gained by it.
    pub fn verify_batch(
        &self,
        tokens: &[Token],
        now: DateTime<Utc>,
    ) -> Vec<Result<VerifiedVoucher, VoucherError>> {
        if let Err(e) = self.trust.check_fresh(now) {
            return vec![Err(e); tokens.len()];
        }
        let mut results: Vec<Option<Result<VerifiedVoucher, VoucherError>>> =
            vec![None; tokens.len()];
        // Tokens whose key is usable, grouped by key, waiting for the signature check.
        let mut pending: Vec<(Kid, usize, &TrustEntry)> = Vec::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            match self.key_for(t) {
                Ok(entry) => pending.push((entry.kid, i, entry)),
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        pending.sort_by_key(|&(kid, i, _)| (kid, i));
        let mut prepared = Vec::with_capacity(BATCH_CHUNK);
        let mut batched = Vec::with_capacity(BATCH_CHUNK);
        for group in pending.chunk_by(|a, b| a.0 == b.0) {
            let entry = group[0].2;
            let key = entry.public_key.verifying_key();
            for chunk in group.chunks(BATCH_CHUNK) {
                prepared.clear();
                batched.clear();
                for &(_, i, _) in chunk {
                    let message = signed_message(tokens[i].body());
                    match batch::prepare(key, &message, tokens[i].signature()) {
                        Some(p) => {
                            prepared.push(p);
                            batched.push(i);
                        }
                        // Strict rules refuse it before any equation: say so alone.
                        None => results[i] = Some(self.verify_parsed(&tokens[i], now)),
                    }
                }
                let all_good = batch::verify_same_key(key, &prepared);
                for &i in &batched {
                    results[i] = Some(if all_good {
                        self.after_signature(&tokens[i], entry, now)
                    } else {
                        self.verify_parsed(&tokens[i], now)
                    });
                }
            }
        }
        results
            .into_iter()
            .map(|r| r.expect("every token gets a result"))
            .collect()
    }
}
