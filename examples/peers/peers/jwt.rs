//! JWT (RFC 7519) signed with EdDSA (RFC 8037), with jsonwebtoken 12 and its pure-Rust
//! backend.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use inclusif_peers::{Peer, PeerError, SEED, VoucherClaims};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims as JSON: `jti` the serial, `val` and `scp` private claims, `nbf`/`exp`
/// Unix seconds; the key id travels in the header.
#[derive(Debug, Serialize, Deserialize)]
pub struct JwtClaims {
    pub jti: String,
    pub val: u16,
    pub scp: u16,
    pub nbf: i64,
    pub exp: i64,
}

/// PKCS#8 v1 prefix of an Ed25519 private key (RFC 8410): jsonwebtoken only takes keys
/// as DER or PEM.
pub fn pkcs8_der(seed: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der
}

pub struct Jwt {
    encoding: EncodingKey,
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl Jwt {
    pub fn new() -> Self {
        let public = SigningKey::from_bytes(&SEED).verifying_key();
        Jwt {
            encoding: EncodingKey::from_ed_der(&pkcs8_der(&SEED)),
            keys: HashMap::from([("7".to_owned(), DecodingKey::from_ed_der(public.as_bytes()))]),
            validation: Self::careful_validation(),
        }
    }

    /// What a careful caller configures: only EdDSA, `nbf` checked too (off by default),
    /// both claims required, no leeway (60 s by default).
    pub fn careful_validation() -> Validation {
        let mut v = Validation::new(Algorithm::EdDSA);
        v.validate_nbf = true;
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "nbf"]);
        v
    }

    pub fn header() -> Header {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some("7".into());
        h
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn decoding_key(&self) -> &DecodingKey {
        &self.keys["7"]
    }
}

impl Peer for Jwt {
    fn id(&self) -> &'static str {
        "jwt"
    }

    fn name(&self) -> &'static str {
        "JWT EdDSA (jsonwebtoken 12)"
    }

    fn sign(&self, c: &VoucherClaims) -> Result<String, PeerError> {
        let claims = JwtClaims {
            jti: super::serial_b64(&c.serial),
            val: c.value_cents,
            scp: c.scope,
            nbf: c.not_before().timestamp(),
            exp: c.expires_at().timestamp(),
        };
        let mut header = Self::header();
        header.kid = Some(c.kid.to_string());
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(PeerError::from_display)
    }

    fn verify(&self, text: &str, _now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        // The kid is read from the unverified header to pick the key; the library never
        // resolves it.
        let header = jsonwebtoken::decode_header(text).map_err(PeerError::from_display)?;
        let kid = header.kid.ok_or_else(|| PeerError("no kid".into()))?;
        let key = self
            .keys
            .get(&kid)
            .ok_or_else(|| PeerError(format!("unknown kid {kid:?}")))?;
        let data = jsonwebtoken::decode::<JwtClaims>(text, key, &self.validation)
            .map_err(PeerError::from_display)?;
        let c = data.claims;
        let (valid_from, valid_until) = VoucherClaims::dates_from_instants(c.nbf, c.exp)
            .ok_or_else(|| PeerError("nbf/exp out of range".into()))?;
        Ok(VoucherClaims {
            kid: kid.parse().map_err(PeerError::from_display)?,
            serial: super::serial_from_b64(&c.jti)?,
            value_cents: c.val,
            valid_from,
            valid_until,
            scope: c.scp,
        })
    }

    fn binary_len(&self, text: &str) -> Result<usize, PeerError> {
        // Three base64url parts: header, claims, signature.
        super::base64url_len(text.split('.'))
    }

    fn by_hand(&self) -> &'static str {
        "the algorithm: `Validation::new(EdDSA)` fixed in code (a validation built from \
         the unverified header's `alg`, with a key store that hands keys out as bytes, \
         accepts an HS256 token MACed with the public key); `nbf` (off by default); the 60 s \
         leeway on `exp` and `nbf`; `exp` itself is still accepted during its own second; \
         the `kid` lookup from the unverified header; `aud`/`iss` if set; `jti` against \
         replay"
    }
}
