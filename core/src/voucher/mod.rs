//! Pass numérique vouchers: signed tokens of format v1, their text and phone codes,
//! trust lists, verification, issuance and redemption.
//!
//! A cheque is an 85-byte token ([`token`]) signed with Ed25519 by an issuer key that a
//! programme trust list ([`trust_list`]) names. It travels as a QR code (`PN1:` and 136
//! Crockford Base32 characters), as typed text, or as a short code or keypad code for
//! online checks by phone ([`short_code`]). A [`Verifier`] checks it offline; a
//! [`Ledger`] redeems it once. A venue working offline queues what it accepts
//! ([`OfflineQueue`]) and sends a signed batch ([`redemption_batch`]) that the operator
//! imports ([`sync`]).

mod batch;
pub mod clearing;
pub mod error;
pub mod issue;
pub mod keys;
pub mod ledger;
pub mod redemption_batch;
pub mod short_code;
pub mod sync;
pub mod text;
pub mod token;
pub mod trust_list;
pub mod verify;

pub use error::VoucherError;
pub use issue::{
    DEFAULT_BOOKLET_SIZE, DEFAULT_VALUE_CENTS, IssuedVoucher, Issuer, PrintProgress, VoucherSpec,
};
pub use keys::{PublicKey, SecretKey};
pub use ledger::{Ledger, MemoryLedger, OfflineQueue, Redemption, SyncOutcome};
pub use redemption_batch::{BatchId, BatchItem, RedemptionBatch};
pub use short_code::{KeypadCode, ShortCode, parse_phone_code};
pub use sync::{
    ImportLog, ImportReport, ImportedItem, ItemOutcome, MemoryImportLog, MemoryVenueRegistry,
    RegisteredVenue, VenueKey, VenueRegistry, import_batch,
};
pub use text::{QR_PREFIX, TEXT_LEN, normalize_human};
pub use token::{Claims, Day, Kid, Scope, Serial, TOKEN_LEN, Token, Validity};
pub use trust_list::{KeyStatus, ScopePolicy, TrustEntry, TrustList};
pub use verify::{DEFAULT_TIME_ZONE, VerifiedVoucher, Verifier};
