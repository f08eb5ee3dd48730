//! PASETO v4.public with pasetors 0.8 (Ed25519 through ed25519-compact, its own
//! implementation).

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::SigningKey;
use inclusif_peers::{Peer, PeerError, SEED, VoucherClaims};
use pasetors::claims::{Claims, ClaimsValidationRules};
use pasetors::footer::Footer;
use pasetors::keys::{AsymmetricPublicKey, AsymmetricSecretKey};
use pasetors::paserk::Id;
use pasetors::token::UntrustedToken;
use pasetors::version4::V4;
use pasetors::{Public, public};

pub struct Paseto {
    secret: AsymmetricSecretKey<V4>,
    footer: Footer,
    /// Footer bytes (`{"kid":"k4.pid.…"}`) to the key, its footer and our kid.
    keys: HashMap<Vec<u8>, (AsymmetricPublicKey<V4>, Footer, u16)>,
    rules: ClaimsValidationRules,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn timestamp(claims: &Claims, name: &str) -> Result<i64, PeerError> {
    let text = claims
        .get_claim(name)
        .and_then(|v| v.as_str())
        .ok_or_else(|| PeerError(format!("no {name}")))?;
    Ok(DateTime::parse_from_rfc3339(text)
        .map_err(PeerError::from_display)?
        .timestamp())
}

fn small(claims: &Claims, name: &str) -> Result<u16, PeerError> {
    claims
        .get_claim(name)
        .and_then(|v| v.as_u64())
        .and_then(|v| u16::try_from(v).ok())
        .ok_or_else(|| PeerError(format!("{name} is not a 16-bit number")))
}

impl Paseto {
    pub fn new() -> Self {
        let signing = SigningKey::from_bytes(&SEED);
        // pasetors wants seed || public key.
        let secret =
            AsymmetricSecretKey::<V4>::from(&signing.to_keypair_bytes()).expect("64-byte key pair");
        let public = AsymmetricPublicKey::<V4>::from(signing.verifying_key().as_bytes())
            .expect("32-byte public key");
        // PASETO's key ids are PASERK ids (`k4.pid.` + 43 characters), in the footer.
        let mut footer = Footer::new();
        footer.key_id(&Id::from(&public));
        let bytes = footer.to_string().expect("footer").into_bytes();
        Paseto {
            secret,
            keys: HashMap::from([(bytes, (public, footer.clone(), 7))]),
            footer,
            rules: ClaimsValidationRules::new(),
        }
    }

    pub fn public_key(&self) -> &AsymmetricPublicKey<V4> {
        &self.keys.values().next().expect("one key").0
    }

    pub fn footer(&self) -> &Footer {
        &self.footer
    }

    /// The claims as pasetors builds them (`iat` is required by the default rules).
    pub fn claims(c: &VoucherClaims) -> Result<Claims, PeerError> {
        let e = PeerError::from_display;
        let mut claims = Claims::new().map_err(e)?;
        claims.issued_at(&rfc3339(c.not_before())).map_err(e)?;
        claims.not_before(&rfc3339(c.not_before())).map_err(e)?;
        claims.expiration(&rfc3339(c.expires_at())).map_err(e)?;
        claims
            .token_identifier(&super::serial_b64(&c.serial))
            .map_err(e)?;
        claims.add_additional("val", c.value_cents).map_err(e)?;
        claims.add_additional("scp", c.scope).map_err(e)?;
        Ok(claims)
    }
}

impl Peer for Paseto {
    fn id(&self) -> &'static str {
        "paseto"
    }

    fn name(&self) -> &'static str {
        "PASETO v4.public + PASERK kid (pasetors 0.8)"
    }

    fn sign(&self, c: &VoucherClaims) -> Result<String, PeerError> {
        public::sign(&self.secret, &Self::claims(c)?, Some(&self.footer), None)
            .map_err(PeerError::from_display)
    }

    fn verify(&self, text: &str, _now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        let token =
            UntrustedToken::<Public, V4>::try_from(text).map_err(PeerError::from_display)?;
        // The footer is signed but readable: pick the key by its bytes (no JSON parse),
        // and hand pasetors the expected footer to compare as well.
        let (key, footer, kid) = self
            .keys
            .get(token.untrusted_footer())
            .ok_or_else(|| PeerError("unknown footer / key id".into()))?;
        let trusted = public::verify(key, &token, &self.rules, Some(footer), None)
            .map_err(PeerError::from_display)?;
        let claims = trusted
            .payload_claims()
            .ok_or_else(|| PeerError("no claims".into()))?;
        let (valid_from, valid_until) = VoucherClaims::dates_from_instants(
            timestamp(claims, "nbf")?,
            timestamp(claims, "exp")?,
        )
        .ok_or_else(|| PeerError("nbf/exp out of range".into()))?;
        let jti = claims
            .get_claim("jti")
            .and_then(|v| v.as_str())
            .ok_or_else(|| PeerError("no jti".into()))?;
        Ok(VoucherClaims {
            kid: *kid,
            serial: super::serial_from_b64(jti)?,
            value_cents: small(claims, "val")?,
            valid_from,
            valid_until,
            scope: small(claims, "scp")?,
        })
    }

    fn binary_len(&self, text: &str) -> Result<usize, PeerError> {
        // v4.public.<base64url(claims JSON || signature)>.<base64url(footer)>
        super::base64url_len(text.split('.').skip(2))
    }

    fn by_hand(&self) -> &'static str {
        "the key choice from the footer's `kid` (the footer is signed, so a wrong key only \
         fails); `aud`/`iss` if wanted; `jti` against replay. `exp`/`nbf`/`iat` are checked \
         by default against the system clock only (no time can be given), and `exp` is still \
         accepted during its own second"
    }
}
