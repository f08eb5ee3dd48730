//! The one error every call throws: `InclusifException` in Kotlin, `InclusifError` in
//! Swift. It carries the core's domain, stable code and message, and whether the input
//! was at fault ([`InclusifError::Invalid`]) or a sound input was refused by state
//! ([`InclusifError::Refused`]), exactly as [`inclusif_core::api::Error`] says.
//!
//! Kotlin reserves `message` for `Throwable.message`, so `uniffi.toml` renames the field
//! to `detail` there; `Throwable.message` then reads `domain=…, code=…, detail=…`.

use inclusif_core::api::{self, Domain, ErrorKind};

/// The domain an error comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ErrorDomain {
    /// Vouchers: tokens, codes, trust lists, verification, redemption.
    Voucher,
    /// Funding arithmetic.
    Funding,
    /// Aidants Connect mandates.
    Mandate,
    /// Venues and their labels.
    Venue,
}

impl From<Domain> for ErrorDomain {
    fn from(d: Domain) -> Self {
        match d {
            Domain::Voucher => ErrorDomain::Voucher,
            Domain::Funding => ErrorDomain::Funding,
            Domain::Mandate => ErrorDomain::Mandate,
            Domain::Venue => ErrorDomain::Venue,
        }
    }
}

/// An error of inclusif: its domain, the core's stable snake_case `code` (for example
/// `bad_signature`) and the message naming the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum InclusifError {
    /// The input breaks a rule (malformed, bad signature, expired, unknown value…):
    /// sending it again will fail again.
    #[error("{message}")]
    Invalid {
        /// The domain.
        domain: ErrorDomain,
        /// The stable code.
        code: String,
        /// The message naming the field and the rule (`detail` in Kotlin).
        message: String,
    },
    /// The input is sound but the state refuses it (already redeemed, revoked, not found,
    /// a table that cannot be read).
    #[error("{message}")]
    Refused {
        /// The domain.
        domain: ErrorDomain,
        /// The stable code.
        code: String,
        /// The message naming the field and the rule (`detail` in Kotlin).
        message: String,
    },
}

#[uniffi::export]
impl InclusifError {
    /// The stable code, whatever the variant.
    pub fn error_code(&self) -> String {
        match self {
            InclusifError::Invalid { code, .. } | InclusifError::Refused { code, .. } => {
                code.clone()
            }
        }
    }

    /// The domain, whatever the variant.
    pub fn error_domain(&self) -> ErrorDomain {
        match self {
            InclusifError::Invalid { domain, .. } | InclusifError::Refused { domain, .. } => {
                *domain
            }
        }
    }

    /// The core's message, whatever the variant.
    pub fn error_message(&self) -> String {
        match self {
            InclusifError::Invalid { message, .. } | InclusifError::Refused { message, .. } => {
                message.clone()
            }
        }
    }

    /// Whether a sound input was refused by state (rather than the input being at fault).
    pub fn is_refused(&self) -> bool {
        matches!(self, InclusifError::Refused { .. })
    }
}

impl InclusifError {
    /// An error with the input at fault, for the adapter's own argument checks (an
    /// integer out of its range); `code` is one of the domain's codes.
    pub fn invalid(domain: ErrorDomain, code: &str, message: impl Into<String>) -> Self {
        InclusifError::Invalid {
            domain,
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<api::Error> for InclusifError {
    fn from(e: api::Error) -> Self {
        let (domain, code, message) = (e.domain.into(), e.code.to_owned(), e.message);
        match e.kind {
            ErrorKind::Invalid => InclusifError::Invalid {
                domain,
                code,
                message,
            },
            ErrorKind::Refused => InclusifError::Refused {
                domain,
                code,
                message,
            },
        }
    }
}

/// The result of every fallible call.
pub type Result<T> = std::result::Result<T, InclusifError>;

/// `Result<T, api::Error>` into [`Result`].
pub(crate) trait Api<T> {
    /// Converts the error, if any.
    fn api(self) -> Result<T>;
}

impl<T> Api<T> for api::Result<T> {
    fn api(self) -> Result<T> {
        self.map_err(InclusifError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_core_error_keeps_domain_code_message_and_kind() {
        let e: InclusifError =
            api::Error::invalid(Domain::Venue, "invalid_argument", "k: 0").into();
        assert_eq!(e.error_code(), "invalid_argument");
        assert_eq!(e.error_domain(), ErrorDomain::Venue);
        assert_eq!(
            (e.error_message(), e.is_refused()),
            ("k: 0".to_owned(), false)
        );
        assert_eq!(e.to_string(), "k: 0");
        let refused = api::Error {
            kind: ErrorKind::Refused,
            ..api::Error::invalid(Domain::Mandate, "not_found", "mandate: none")
        };
        assert!(InclusifError::from(refused).is_refused());
    }
}
