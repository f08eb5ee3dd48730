//! One error for every binding: the domain, the core's stable code and message, and
//! whether the input was at fault (Python raises those as `ValueError` too).

use crate::{
    funding::FundingError, mandate::MandateError, venue::VenueError, voucher::VoucherError,
};

/// The domain an error comes from: each binding raises one exception type per domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    /// Vouchers: tokens, codes, trust lists, verification, redemption.
    Voucher,
    /// Funding arithmetic.
    Funding,
    /// Aidants Connect mandates.
    Mandate,
    /// Venues and their labels.
    Venue,
}

impl Domain {
    /// The domain's name: `voucher`, `funding`, `mandate` or `venue`.
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Voucher => "voucher",
            Domain::Funding => "funding",
            Domain::Mandate => "mandate",
            Domain::Venue => "venue",
        }
    }
}

/// Whether the caller's input was at fault, or a sound input was refused by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input breaks a rule (malformed, bad signature, expired, unknown value…):
    /// sending it again will fail again.
    Invalid,
    /// The input is sound but the state refuses it (already redeemed, revoked, not
    /// found, storage unavailable, a shipped table that cannot be read).
    Refused,
}

/// An error of the binding-friendly API.
///
/// `code` is the core's stable snake_case code (for example `bad_signature`); `message`
/// names the field and the rule, exactly as the core's error displays it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// The domain the error comes from.
    pub domain: Domain,
    /// The stable code.
    pub code: &'static str,
    /// The message naming the field and the rule.
    pub message: String,
    /// Whether the input was at fault.
    pub kind: ErrorKind,
}

impl Error {
    /// An error with the input at fault, for the facade's own argument checks (an enum
    /// value the domain does not know, say). The code must be one of the domain's codes.
    pub fn invalid(domain: Domain, code: &'static str, message: impl Into<String>) -> Self {
        Error {
            domain,
            code,
            message: message.into(),
            kind: ErrorKind::Invalid,
        }
    }
}

/// Codes of sound input refused by state; every other code means the input was at fault.
const REFUSED: &[(Domain, &str)] = &[
    (Domain::Voucher, "already_redeemed"),
    (Domain::Voucher, "trust_list_expired"),
    (Domain::Voucher, "trust_list_rollback"),
    (Domain::Voucher, "ledger_unavailable"),
    (Domain::Voucher, "unknown_venue"),
    (Domain::Voucher, "ledger_busy"),
    (Domain::Voucher, "ledger_corrupt"),
    (Domain::Funding, "rule_table"),
    (Domain::Mandate, "not_found"),
    (Domain::Mandate, "aidant_inactive"),
    (Domain::Mandate, "aidant_cannot_create"),
    (Domain::Mandate, "habilitation_expired"),
    (Domain::Mandate, "not_in_organisation"),
    (Domain::Mandate, "organisation_inactive"),
    (Domain::Mandate, "already_revoked"),
    (Domain::Mandate, "mandate_expired"),
    (Domain::Mandate, "consent_already_recorded"),
    (Domain::Mandate, "outside_retention"),
    (Domain::Venue, "table"),
];

fn kind_of(domain: Domain, code: &str) -> ErrorKind {
    if REFUSED.contains(&(domain, code)) {
        ErrorKind::Refused
    } else {
        ErrorKind::Invalid
    }
}

macro_rules! from_domain {
    ($error:ty, $domain:expr) => {
        impl From<$error> for Error {
            fn from(e: $error) -> Self {
                let code = e.code();
                Error {
                    domain: $domain,
                    code,
                    message: e.to_string(),
                    kind: kind_of($domain, code),
                }
            }
        }
    };
}

from_domain!(VoucherError, Domain::Voucher);
from_domain!(FundingError, Domain::Funding);
from_domain!(MandateError, Domain::Mandate);
from_domain!(VenueError, Domain::Venue);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_code_is_a_real_code() {
        for (domain, code) in REFUSED {
            let known = match domain {
                Domain::Voucher => VoucherError::CODES.contains(code),
                Domain::Funding => FundingError::CODES.contains(code),
                Domain::Mandate => MandateError::CODES.contains(code),
                Domain::Venue => *code == "table",
            };
            assert!(known, "{}: {code}", domain.as_str());
        }
    }

    #[test]
    fn a_domain_error_keeps_its_code_message_and_kind() {
        let e: Error = VoucherError::BadSignature { kid: 3 }.into();
        assert_eq!(
            (e.domain, e.code, e.kind),
            (Domain::Voucher, "bad_signature", ErrorKind::Invalid)
        );
        assert_eq!(e.message, VoucherError::BadSignature { kid: 3 }.to_string());
        let e: Error = VoucherError::LedgerUnavailable {
            reason: "disk".into(),
        }
        .into();
        assert_eq!(e.kind, ErrorKind::Refused);
    }
}
