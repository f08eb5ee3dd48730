//! Issuance: single vouchers, booklets (carnets) and whole print runs.

use std::collections::HashSet;
use std::num::NonZeroU16;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::error::VoucherError;
use super::keys::{PublicKey, SecretKey};
use super::short_code::{KeypadCode, ShortCode};
use super::token::{Claims, Kid, Scope, Serial, Token, Validity, signed_message};

/// Cheques in a booklet by default: 10 (a "carnet" of ten 10 € cheques, as sold by APTIC
/// and described in the Pass numérique FAQs, e.g. passnum.zecarte.fr; some départements,
/// such as the Creuse, hand out booklets of 5: see `token-formats.md`, source S43).
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
        Ok(self.sign(&Claims {
            kid: self.kid,
            serial,
            value_cents,
            validity,
            scope,
        }))
    }

    fn sign(&self, claims: &Claims) -> Token {
        let signature = self.key.sign(&signed_message(&claims.body()));
        Token::assemble(claims, &signature)
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

    /// A print run of `count` vouchers with distinct random serials, signed on every
    /// core, in a stable order, calling `progress` on this thread about a hundred times
    /// along the way and once at the end.
    pub fn print_run(
        &self,
        spec: &VoucherSpec,
        count: usize,
        progress: impl FnMut(PrintProgress),
    ) -> Result<Vec<IssuedVoucher>, VoucherError> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.print_run_on(spec, count, threads, progress)
    }

    /// [`print_run`](Issuer::print_run) on at most `threads` threads (at least one).
    pub fn print_run_on(
        &self,
        spec: &VoucherSpec,
        count: usize,
        threads: usize,
        mut progress: impl FnMut(PrintProgress),
    ) -> Result<Vec<IssuedVoucher>, VoucherError> {
        /// Vouchers signed by one thread between two reports.
        const CHUNK: usize = 512;
        let value_cents = NonZeroU16::new(spec.value_cents)
            .ok_or_else(|| VoucherError::invalid("value_cents", "must be at least 1 cent"))?;
        // Serials first, on this thread, so they are distinct by construction: 80-bit
        // serials collide about once in 2^40 draws; redraw rather than duplicate. Past a
        // million the sets grow as they go, so a mistyped count fails on memory, not up front.
        let mut seen = HashSet::with_capacity(count.min(1 << 20));
        let mut serials = Vec::with_capacity(count.min(1 << 20));
        while serials.len() < count {
            let serial = Serial::random();
            if seen.insert(serial) {
                serials.push(serial);
            }
        }
        drop(seen);
        let chunks: Vec<&[Serial]> = serials.chunks(CHUNK).collect();
        let mut signed: Vec<Vec<IssuedVoucher>> = vec![Vec::new(); chunks.len()];
        let next = AtomicUsize::new(0);
        let step = (count / 100).max(1);
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::channel();
            for _ in 0..threads.clamp(1, chunks.len().max(1)) {
                let (tx, next, chunks) = (tx.clone(), &next, &chunks);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(i) else { return };
                        let issued: Vec<IssuedVoucher> = chunk
                            .iter()
                            .map(|&serial| {
                                let claims = Claims {
                                    kid: self.kid,
                                    serial,
                                    value_cents,
                                    validity: spec.validity,
                                    scope: spec.scope,
                                };
                                IssuedVoucher::new(self.sign(&claims))
                            })
                            .collect();
                        if tx.send((i, issued)).is_err() {
                            return;
                        }
                    }
                });
            }
            drop(tx);
            let (mut done, mut reported) = (0, 0);
            for (i, issued) in rx {
                done += issued.len();
                signed[i] = issued;
                if done - reported >= step || done == count {
                    reported = done;
                    progress(PrintProgress { done, total: count });
                }
            }
        });
        if count == 0 {
            progress(PrintProgress { done: 0, total: 0 });
        }
        Ok(signed.into_iter().flatten().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::voucher::Day;

    #[test]
    fn print_runs_are_distinct_ordered_and_report_progress() {
        let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[7; 32]));
        let validity = Validity::new(Day::from_number(9497), Day::from_number(9861)).unwrap();
        let spec = VoucherSpec::pass_numerique(validity);
        for threads in [1, 3] {
            let mut reports = Vec::new();
            let run = issuer
                .print_run_on(&spec, 2000, threads, |p| reports.push(p))
                .unwrap();
            assert_eq!(run.len(), 2000);
            let serials: HashSet<Serial> = run.iter().map(IssuedVoucher::serial).collect();
            assert_eq!(serials.len(), 2000);
            assert!(reports.windows(2).all(|w| w[0].done < w[1].done));
            assert_eq!(reports.last().unwrap().done, 2000);
            assert!(reports.len() >= 4);
            for v in run.iter().take(5) {
                assert_eq!(v.short_code.serial(), v.serial());
                assert_eq!(
                    v.token.claims().unwrap().value_cents.get(),
                    DEFAULT_VALUE_CENTS
                );
            }
        }
        let mut zero = Vec::new();
        assert!(
            issuer
                .print_run(&spec, 0, |p| zero.push(p))
                .unwrap()
                .is_empty()
        );
        assert_eq!(zero, vec![PrintProgress { done: 0, total: 0 }]);
        let free = VoucherSpec {
            value_cents: 0,
            ..spec
        };
        assert_eq!(
            issuer.print_run(&free, 3, |_| {}).unwrap_err().code(),
            "invalid_field"
        );
    }
}
