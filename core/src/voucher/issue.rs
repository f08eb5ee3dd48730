//! Issuance: single vouchers, booklets (carnets) and whole print runs.

use std::collections::HashSet;
use std::num::NonZeroU16;

use super::error::VoucherError;
use super::keys::{PublicKey, SecretKey};
use super::short_code::{KeypadCode, ShortCode};
use super::token::{Claims, Kid, Scope, Serial, Token, Validity, signed_message};

/// Cheques in a booklet by default: 10 (a "carnet" of ten 10 € cheques, as sold by APTIC
/// and described in the Pass numérique FAQs, e.g. passnum.zecarte.fr; some départements,
/// such as the Creuse, hand out booklets of 5: see `token-formats.md` [S43]).
pub const DEFAULT_BOOKLET_SIZE: u16 = 10;
/// Face value of a cheque by default: 10 € (same sources).
pub const DEFAULT_VALUE_CENTS: u16 = 1000;

/// What every voucher of a booklet or print run carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoucherSpec {
    /// Face value in cents (at least 1).
    pub value_cents: u16,
    /// Validity window.
    pub validity: Validity,
    /// Scope.
    pub scope: Scope,
}

impl VoucherSpec {
    /// 10 € national cheques valid over `validity`.
    pub fn pass_numerique(validity: Validity) -> Self {
        VoucherSpec {
            value_cents: DEFAULT_VALUE_CENTS,
            validity,
            scope: Scope::NATIONAL,
        }
    }
}

/// One issued voucher with its printed codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedVoucher {
    /// The signed token (QR payload and strict text).
    pub token: Token,
    /// The serial's short code for phone checks.
    pub short_code: ShortCode,
    /// The serial's keypad code.
    pub keypad_code: KeypadCode,
}

impl IssuedVoucher {
    fn new(token: Token) -> Self {
        let serial = token.serial();
        IssuedVoucher {
            token,
            short_code: ShortCode::new(serial),
            keypad_code: KeypadCode::new(serial),
        }
    }

    /// The serial.
    pub fn serial(&self) -> Serial {
        self.token.serial()
    }
}

/// Progress of a print run, reported as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintProgress {
    /// Vouchers signed so far.
    pub done: usize,
    /// Vouchers asked for.
    pub total: usize,
}

/// An issuer's signing key with its registry key id.
#[derive(Debug, Clone)]
pub struct Issuer {
    kid: Kid,
    key: SecretKey,
}

impl Issuer {
    /// An issuer from its key id and secret key.
    pub fn new(kid: Kid, key: SecretKey) -> Self {
        Issuer { kid, key }
    }

    /// An issuer with a fresh key from the OS CSPRNG.
    pub fn generate(kid: Kid) -> Self {
        Issuer::new(kid, SecretKey::generate())
    }

    /// The key id.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The public key to put in the trust list.
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// Signs a voucher with the given serial. `invalid_field` for a zero value.
    pub fn issue(
        &self,
        serial: Serial,
        value_cents: u16,
        validity: Validity,
        scope: Scope,
    ) -> Result<Token, VoucherError> {
        let value_cents = NonZeroU16::new(value_cents)
            .ok_or_else(|| VoucherError::invalid("value_cents", "must be at least 1 cent"))?;
        let claims = Claims {
            kid: self.kid,
            serial,
            value_cents,
            validity,
            scope,
        };
        let body = claims.body();
        let signature = self.key.sign(&signed_message(&body));
        Ok(Token::assemble(&claims, &signature))
    }

    /// Signs a voucher with a fresh random serial.
    pub fn issue_random(
        &self,
        value_cents: u16,
        validity: Validity,
        scope: Scope,
    ) -> Result<Token, VoucherError> {
        self.issue(Serial::random(), value_cents, validity, scope)
    }

    /// A booklet of `cheques` vouchers (default [`DEFAULT_BOOKLET_SIZE`]).
    pub fn booklet(
        &self,
        spec: &VoucherSpec,
        cheques: u16,
    ) -> Result<Vec<IssuedVoucher>, VoucherError> {
        self.print_run(spec, usize::from(cheques), |_| {})
    }

    /// A print run of `count` vouchers with distinct random serials, calling `progress`
    /// about a hundred times along the way and once at the end.
    pub fn print_run(
        &self,
        spec: &VoucherSpec,
        count: usize,
        mut progress: impl FnMut(PrintProgress),
    ) -> Result<Vec<IssuedVoucher>, VoucherError> {
        if spec.value_cents == 0 {
            return Err(VoucherError::invalid(
                "value_cents",
                "must be at least 1 cent",
            ));
        }
        let step = (count / 100).max(1);
        // Grow as we go past a million: a mistyped count fails on memory, not up front.
        let mut seen = HashSet::with_capacity(count.min(1 << 20));
        let mut out = Vec::with_capacity(count.min(1 << 20));
        while out.len() < count {
            let serial = Serial::random();
            // 80-bit serials collide about once in 2^40 draws; redraw rather than duplicate.
            if !seen.insert(serial) {
                continue;
            }
            out.push(IssuedVoucher::new(self.issue(
                serial,
                spec.value_cents,
                spec.validity,
                spec.scope,
            )?));
            if out.len() % step == 0 || out.len() == count {
                progress(PrintProgress {
                    done: out.len(),
                    total: count,
                });
            }
        }
        Ok(out)
    }
}
