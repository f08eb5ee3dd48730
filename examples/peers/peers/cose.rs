//! COSE_Sign1 (RFC 9052) over a CWT claims set (RFC 8392), Base45 as the EU Digital
//! COVID Certificate travels (without its `HC1:` prefix and zlib step), with coset 0.4.
//! coset does no cryptography: signing and verifying are closures over ed25519-dalek
//! (`verify_strict`, as inclusif).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ciborium::value::Value;
use coset::cwt::{ClaimName, ClaimsSet, ClaimsSetBuilder, Timestamp};
use coset::{
    Algorithm, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder,
    TaggedCborSerializable, iana,
};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use inclusif_peers::{Peer, PeerError, SEED, VoucherClaims};

pub struct Cose {
    signing: SigningKey,
    /// Protected `kid` (our kid as two big-endian bytes) to the key.
    keys: HashMap<Vec<u8>, VerifyingKey>,
}

fn seconds(t: &Option<Timestamp>, name: &str) -> Result<i64, PeerError> {
    match t {
        Some(Timestamp::WholeSeconds(s)) => Ok(*s),
        _ => Err(PeerError(format!("{name} missing or not whole seconds"))),
    }
}

fn small(claims: &ClaimsSet, name: &str) -> Result<u16, PeerError> {
    claims
        .rest
        .iter()
        .find(|(n, _)| matches!(n, ClaimName::Text(t) if t == name))
        .and_then(|(_, v)| v.as_integer())
        .and_then(|i| u16::try_from(i).ok())
        .ok_or_else(|| PeerError(format!("{name} missing or not a 16-bit number")))
}

impl Cose {
    pub fn new() -> Self {
        let signing = SigningKey::from_bytes(&SEED);
        Cose {
            keys: HashMap::from([(7u16.to_be_bytes().to_vec(), signing.verifying_key())]),
            signing,
        }
    }

    /// The signed structure, before the text encoding.
    pub fn sign1(&self, c: &VoucherClaims) -> Result<CoseSign1, PeerError> {
        let payload = ClaimsSetBuilder::new()
            .cwt_id(c.serial.to_vec())
            .not_before(Timestamp::WholeSeconds(c.not_before().timestamp()))
            .expiration_time(Timestamp::WholeSeconds(c.expires_at().timestamp()))
            .text_claim("val".into(), Value::from(c.value_cents))
            .text_claim("scp".into(), Value::from(c.scope))
            .build()
            .to_vec()
            .map_err(PeerError::from_display)?;
        let protected = HeaderBuilder::new()
            .algorithm(iana::Algorithm::EdDSA)
            .key_id(c.kid.to_be_bytes().to_vec())
            .build();
        Ok(CoseSign1Builder::new()
            .protected(protected)
            .payload(payload)
            .create_signature(b"", |m| self.signing.sign(m).to_bytes().to_vec())
            .build())
    }

    /// Everything coset leaves to its caller: the protected algorithm, the protected key
    /// id, the signature, then every claim including the dates.
    pub fn check(&self, sign1: &CoseSign1, now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        let header = &sign1.protected.header;
        if header.alg != Some(Algorithm::Assigned(iana::Algorithm::EdDSA)) {
            return Err(PeerError("protected alg is not EdDSA".into()));
        }
        let key = self
            .keys
            .get(&header.key_id)
            .ok_or_else(|| PeerError("unknown protected kid".into()))?;
        sign1.verify_signature(b"", |sig, data| {
            let sig = Signature::from_slice(sig).map_err(PeerError::from_display)?;
            key.verify_strict(data, &sig)
                .map_err(PeerError::from_display)
        })?;
        let payload = sign1
            .payload
            .as_deref()
            .ok_or_else(|| PeerError("detached payload".into()))?;
        let claims = ClaimsSet::from_slice(payload).map_err(PeerError::from_display)?;
        let nbf = seconds(&claims.not_before, "nbf")?;
        let exp = seconds(&claims.expiration_time, "exp")?;
        let now = now.timestamp();
        if now < nbf || now >= exp {
            return Err(PeerError("outside nbf..exp".into()));
        }
        let (valid_from, valid_until) = VoucherClaims::dates_from_instants(nbf, exp)
            .ok_or_else(|| PeerError("nbf/exp out of range".into()))?;
        let kid: [u8; 2] = header
            .key_id
            .as_slice()
            .try_into()
            .map_err(|_| PeerError("kid".into()))?;
        Ok(VoucherClaims {
            kid: u16::from_be_bytes(kid),
            serial: claims
                .cwt_id
                .as_deref()
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| PeerError("cti is not 10 bytes".into()))?,
            value_cents: small(&claims, "val")?,
            valid_from,
            valid_until,
            scope: small(&claims, "scp")?,
        })
    }
}

impl Peer for Cose {
    fn id(&self) -> &'static str {
        "cose"
    }

    fn name(&self) -> &'static str {
        "COSE_Sign1 / CWT in Base45 (coset 0.4)"
    }

    fn sign(&self, c: &VoucherClaims) -> Result<String, PeerError> {
        let bytes = self
            .sign1(c)?
            .to_tagged_vec()
            .map_err(PeerError::from_display)?;
        Ok(base45::encode(bytes))
    }

    fn verify(&self, text: &str, now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        let bytes = base45::decode(text).map_err(PeerError::from_display)?;
        let sign1 = CoseSign1::from_tagged_slice(&bytes).map_err(PeerError::from_display)?;
        self.check(&sign1, now)
    }

    fn binary_len(&self, text: &str) -> Result<usize, PeerError> {
        Ok(base45::decode(text).map_err(PeerError::from_display)?.len())
    }

    fn by_hand(&self) -> &'static str {
        "everything: the protected `alg`, the protected `kid` (an unprotected one is not \
         signed), `nbf`/`exp` and `aud`/`iss` (coset validates no claim), tagged or \
         untagged input, the Base45 text's spelling, `cti` against replay"
    }
}
