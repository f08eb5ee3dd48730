//! biscuit (biscuit-auth 6): one authority block holding the voucher as a Datalog fact
//! and a check on its dates; the verifier supplies the time and a policy.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use biscuit_auth::builder::{Algorithm, Policy, Rule, Term, date, fact};
use biscuit_auth::error::Format;
use biscuit_auth::macros::biscuit;
use biscuit_auth::{AuthorizerBuilder, AuthorizerLimits, Biscuit, KeyPair, PrivateKey, PublicKey};
use chrono::{DateTime, Utc};
use inclusif_peers::{Peer, PeerError, SEED, VoucherClaims};

/// The authority block: the voucher fact and the expiry check the issuer must not forget.
pub const AUTHORITY: &str = "voucher({kid}, {serial}, {value}, {from}, {until}, {scope});\n\
     check if time($t), $t >= {from}, $t < {until};";

pub struct BiscuitPeer {
    root: KeyPair,
    public: PublicKey,
    policy: Policy,
    query: Rule,
    limits: AuthorizerLimits,
}

fn system_time(t: DateTime<Utc>) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(t.timestamp()).unwrap_or(0))
}

fn unix(t: SystemTime) -> Result<i64, PeerError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(PeerError::from_display)?
        .as_secs();
    i64::try_from(secs).map_err(PeerError::from_display)
}

fn small(n: i64, name: &str) -> Result<u16, PeerError> {
    u16::try_from(n).map_err(|_| PeerError(format!("{name} is not a 16-bit number")))
}

impl BiscuitPeer {
    pub fn new() -> Self {
        let private =
            PrivateKey::from_bytes(&SEED, Algorithm::Ed25519).expect("32-byte Ed25519 seed");
        let root = KeyPair::from(&private);
        let public = root.public();
        BiscuitPeer {
            root,
            public,
            policy: "allow if voucher($k, $s, $v, $f, $u, $c)"
                .try_into()
                .expect("policy parses"),
            query: "data($k, $s, $v, $f, $u, $c) <- voucher($k, $s, $v, $f, $u, $c)"
                .try_into()
                .expect("rule parses"),
            // The default Datalog time limit is 1 ms; debug-built tests on a loaded
            // 2-core machine can exceed it. The work done is the same.
            limits: AuthorizerLimits {
                max_time: Duration::from_millis(200),
                ..AuthorizerLimits::default()
            },
        }
    }

    pub fn root(&self) -> &KeyPair {
        &self.root
    }

    pub fn public(&self) -> PublicKey {
        self.public
    }

    /// The authority block's code and parameters for these claims.
    pub fn params(c: &VoucherClaims) -> HashMap<String, Term> {
        HashMap::from([
            ("kid".into(), Term::Integer(c.kid.into())),
            ("serial".into(), Term::Bytes(c.serial.to_vec())),
            ("value".into(), Term::Integer(c.value_cents.into())),
            ("from".into(), date(&system_time(c.not_before()))),
            ("until".into(), date(&system_time(c.expires_at()))),
            ("scope".into(), Term::Integer(c.scope.into())),
        ])
    }

    /// Builds a token from authority code parsed at run time (the misuse tests leave the
    /// check out; [`AUTHORITY`] gives the same token as `sign`).
    pub fn sign_code(&self, code: &str, c: &VoucherClaims) -> Result<String, PeerError> {
        let e = PeerError::from_display;
        Biscuit::builder()
            .root_key_id(u32::from(c.kid))
            .code_with_params(code, Self::params(c), HashMap::new())
            .map_err(e)?
            .build(&self.root)
            .map_err(e)?
            .to_base64()
            .map_err(e)
    }

    /// Parses (signature checked with the key the root key id selects) and authorizes at
    /// `now` with the policy; returns the queried fact.
    pub fn authorize(&self, text: &str, now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        let e = PeerError::from_display;
        let public = self.public;
        let token = Biscuit::from_base64(text, move |kid: Option<u32>| match kid {
            Some(7) => Ok(public),
            _ => Err(Format::UnknownPublicKey),
        })
        .map_err(e)?;
        let mut authorizer = AuthorizerBuilder::new()
            .fact(fact("time", &[date(&system_time(now))]))
            .map_err(e)?
            .policy(self.policy.clone())
            .map_err(e)?
            .set_limits(self.limits.clone())
            .build(&token)
            .map_err(e)?;
        authorizer.authorize().map_err(e)?;
        let facts: Vec<(i64, Vec<u8>, i64, SystemTime, SystemTime, i64)> =
            authorizer.query(self.query.clone()).map_err(e)?;
        let [(kid, serial, value, from, until, scope)] = <[_; 1]>::try_from(facts)
            .map_err(|f| PeerError(format!("{} voucher facts, expected 1", f.len())))?;
        let (valid_from, valid_until) =
            VoucherClaims::dates_from_instants(unix(from)?, unix(until)?)
                .ok_or_else(|| PeerError("dates out of range".into()))?;
        Ok(VoucherClaims {
            kid: small(kid, "kid")?,
            serial: serial
                .try_into()
                .map_err(|_| PeerError("serial is not 10 bytes".into()))?,
            value_cents: small(value, "value")?,
            valid_from,
            valid_until,
            scope: small(scope, "scope")?,
        })
    }
}

impl Peer for BiscuitPeer {
    fn id(&self) -> &'static str {
        "biscuit"
    }

    fn name(&self) -> &'static str {
        "biscuit, one authority block (biscuit-auth 6)"
    }

    fn sign(&self, c: &VoucherClaims) -> Result<String, PeerError> {
        // The same block as AUTHORITY, parsed at compile time by biscuit's macro.
        let e = PeerError::from_display;
        biscuit!(
            r#"voucher({kid}, {serial}, {value}, {from}, {until}, {scope});
               check if time($t), $t >= {from}, $t < {until};"#,
            kid = i64::from(c.kid),
            serial = c.serial.to_vec(),
            value = i64::from(c.value_cents),
            from = system_time(c.not_before()),
            until = system_time(c.expires_at()),
            scope = i64::from(c.scope),
        )
        .root_key_id(u32::from(c.kid))
        .build(&self.root)
        .map_err(e)?
        .to_base64()
        .map_err(e)
    }

    fn verify(&self, text: &str, now: DateTime<Utc>) -> Result<VoucherClaims, PeerError> {
        self.authorize(text, now)
    }

    fn binary_len(&self, text: &str) -> Result<usize, PeerError> {
        // biscuit's text form is padded base64url.
        Ok(data_encoding::BASE64URL
            .decode(text.as_bytes())
            .map_err(PeerError::from_display)?
            .len())
    }

    fn by_hand(&self) -> &'static str {
        "expiry exists only if the issuer wrote a `check if time(…)` (without it the token \
         never expires); the verifier must supply the `time` fact (without it every checked \
         token is refused); an allow policy that names the facts (the audience, if any, is \
         a policy too); the root key id lookup; the text's padding; revocation ids against \
         replay"
    }
}
