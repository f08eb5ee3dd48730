//! How the usager consented: in person, or remotely by paper signature or by SMS.
//!
//! For SMS the real service blocks the mandate until a positive reply: the reply is
//! trimmed, one final period dropped, and compared case-insensitively with « Oui »;
//! anything else is a denial (research note aidants-connect.md, remote consent).

use core::fmt;

use serde::{Deserialize, Serialize};

/// The consent method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// The usager was there and signed.
    InPerson,
    /// Remote, by signature on paper ("Par signature sur papier", LEGACY).
    RemotePaper,
    /// Remote, by SMS ("Par SMS"): unusable until the usager replies « Oui ».
    RemoteSms,
}

impl ConsentMethod {
    /// The token's code (0, 1, 2).
    pub const fn code(self) -> u8 {
        match self {
            ConsentMethod::InPerson => 0,
            ConsentMethod::RemotePaper => 1,
            ConsentMethod::RemoteSms => 2,
        }
    }

    /// From the token's code.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(ConsentMethod::InPerson),
            1 => Some(ConsentMethod::RemotePaper),
            2 => Some(ConsentMethod::RemoteSms),
            _ => None,
        }
    }

    /// The snake_case name.
    pub const fn name(self) -> &'static str {
        match self {
            ConsentMethod::InPerson => "in_person",
            ConsentMethod::RemotePaper => "remote_paper",
            ConsentMethod::RemoteSms => "remote_sms",
        }
    }
}

impl fmt::Display for ConsentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether an SMS reply is a consent, as the real service matches it: trim spaces, drop
/// one final period, compare with « oui » ignoring case.
pub fn is_consent_reply(reply: &str) -> bool {
    let t = reply.trim();
    let t = t.strip_suffix('.').unwrap_or(t).trim();
    t.to_lowercase() == "oui"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_replies() {
        for yes in ["Oui", "oui", "oui.", " Oui ", "OUI", "Oui. "] {
            assert!(is_consent_reply(yes), "{yes:?}");
        }
        for no in ["non", "ok", "ouii", "oui!", "oui..", "", "o u i", "Non."] {
            assert!(!is_consent_reply(no), "{no:?}");
        }
    }

    #[test]
    fn codes() {
        for m in [
            ConsentMethod::InPerson,
            ConsentMethod::RemotePaper,
            ConsentMethod::RemoteSms,
        ] {
            assert_eq!(ConsentMethod::from_code(m.code()), Some(m));
        }
        assert_eq!(ConsentMethod::from_code(3), None);
    }
}
