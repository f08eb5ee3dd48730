//! Identifiers: organisations (non-zero 32-bit), mandates (80 random bits), and the
//! pseudonymous usager reference the signed token carries.

use core::fmt;
use core::num::NonZeroU32;
use core::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::MandateError;

/// An organisation's id (never 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct OrganisationId(NonZeroU32);

impl OrganisationId {
    /// An id; `invalid_field` for 0.
    pub fn new(id: u32) -> Result<Self, MandateError> {
        NonZeroU32::new(id)
            .map(OrganisationId)
            .ok_or_else(|| MandateError::invalid("organisation", "0 is not an organisation id"))
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl TryFrom<u32> for OrganisationId {
    type Error = MandateError;
    fn try_from(id: u32) -> Result<Self, MandateError> {
        OrganisationId::new(id)
    }
}

impl From<OrganisationId> for u32 {
    fn from(id: OrganisationId) -> u32 {
        id.get()
    }
}

impl fmt::Display for OrganisationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A mandate's id: 80 random bits, shown as 20 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MandateId([u8; 10]);

impl MandateId {
    /// From 10 bytes.
    pub const fn from_bytes(b: [u8; 10]) -> Self {
        MandateId(b)
    }

    /// A fresh id from the operating system's CSPRNG.
    pub fn random() -> Self {
        let mut b = [0u8; 10];
        getrandom::fill(&mut b).expect("the operating system's random source failed");
        MandateId(b)
    }

    /// The bytes.
    pub const fn as_bytes(&self) -> &[u8; 10] {
        &self.0
    }
}

impl FromStr for MandateId {
    type Err = MandateError;
    /// 20 hex digits, lowercase (the canonical form); anything else is `invalid_field`.
    fn from_str(s: &str) -> Result<Self, MandateError> {
        let mut b = [0u8; 10];
        if s.len() != 20
            || data_encoding::HEXLOWER
                .decode_mut(s.as_bytes(), &mut b)
                .is_err()
        {
            return Err(MandateError::invalid(
                "mandate_id",
                format!("{s:?} is not 20 lowercase hex digits"),
            ));
        }
        Ok(MandateId(b))
    }
}

impl TryFrom<String> for MandateId {
    type Error = MandateError;
    fn try_from(s: String) -> Result<Self, MandateError> {
        s.parse()
    }
}

impl From<MandateId> for String {
    fn from(id: MandateId) -> String {
        id.to_string()
    }
}

impl fmt::Display for MandateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&data_encoding::HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for MandateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MandateId({self})")
    }
}

/// Domain tag of the usager reference.
pub const USAGER_REF_DOMAIN: &[u8; 21] = b"FR.AIDANTS.USAGER.V1\0";

/// The token's pseudonymous reference to a usager: the first 16 bytes of SHA-256 over
/// `FR.AIDANTS.USAGER.V1\0`, the organisation id (4 bytes, big-endian) and the
/// FranceConnect `sub` in UTF-8. No personal data in clear, and the same person has
/// unlinkable references in two organisations.
pub fn usager_ref(organisation: OrganisationId, sub: &str) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(USAGER_REF_DOMAIN);
    h.update(organisation.get().to_be_bytes());
    h.update(sub.as_bytes());
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(OrganisationId::new(0).unwrap_err().code(), "invalid_field");
        let m = MandateId::from_bytes([0xab; 10]);
        assert_eq!(m.to_string(), "abababababababababab");
        assert_eq!(m.to_string().parse::<MandateId>().unwrap(), m);
        assert!("ABABABABABABABABABAB".parse::<MandateId>().is_err());
        assert!("abab".parse::<MandateId>().is_err());
    }

    #[test]
    fn usager_refs_are_unlinkable_across_organisations() {
        let a = usager_ref(OrganisationId::new(42).unwrap(), "sub-123");
        let b = usager_ref(OrganisationId::new(43).unwrap(), "sub-123");
        assert_ne!(a, b);
        assert_eq!(a, usager_ref(OrganisationId::new(42).unwrap(), "sub-123"));
        // The construction, spelled out.
        let mut h = Sha256::new();
        h.update(b"FR.AIDANTS.USAGER.V1\0");
        h.update([0, 0, 0, 42]);
        h.update(b"sub-123");
        assert_eq!(&a[..], &h.finalize()[..16]);
    }
}
