//! The voucher domain for bindings (filled by its binding work).
