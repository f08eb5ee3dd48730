//! The ten démarches (procedure categories), a closed list, exactly as the real service
//! defines them (`aidants_connect/settings.py`, `DEMARCHES`; research note
//! aidants-connect.md).

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Serialize};

use super::error::MandateError;

/// A procedure category a mandate can cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Demarche {
    /// Papiers - Citoyenneté - Élections.
    Papiers,
    /// Famille - Scolarité.
    Famille,
    /// Social - Santé.
    Social,
    /// Travail - Formation.
    Travail,
    /// Logement.
    Logement,
    /// Transports - Mobilité.
    Transports,
    /// Argent - Impôts - Consommation.
    Argent,
    /// Justice.
    Justice,
    /// Étranger - Europe.
    Etranger,
    /// Loisirs - Sport - Culture.
    Loisirs,
}

impl Demarche {
    /// All ten, in the service's order (also the token's bit order: bit 0 = papiers).
    pub const ALL: [Demarche; 10] = [
        Demarche::Papiers,
        Demarche::Famille,
        Demarche::Social,
        Demarche::Travail,
        Demarche::Logement,
        Demarche::Transports,
        Demarche::Argent,
        Demarche::Justice,
        Demarche::Etranger,
        Demarche::Loisirs,
    ];

    /// The key (`papiers`, …).
    pub const fn key(self) -> &'static str {
        match self {
            Demarche::Papiers => "papiers",
            Demarche::Famille => "famille",
            Demarche::Social => "social",
            Demarche::Travail => "travail",
            Demarche::Logement => "logement",
            Demarche::Transports => "transports",
            Demarche::Argent => "argent",
            Demarche::Justice => "justice",
            Demarche::Etranger => "etranger",
            Demarche::Loisirs => "loisirs",
        }
    }

    /// The title (`Papiers - Citoyenneté - Élections`, …).
    pub const fn title(self) -> &'static str {
        match self {
            Demarche::Papiers => "Papiers - Citoyenneté - Élections",
            Demarche::Famille => "Famille - Scolarité",
            Demarche::Social => "Social - Santé",
            Demarche::Travail => "Travail - Formation",
            Demarche::Logement => "Logement",
            Demarche::Transports => "Transports - Mobilité",
            Demarche::Argent => "Argent - Impôts - Consommation",
            Demarche::Justice => "Justice",
            Demarche::Etranger => "Étranger - Europe",
            Demarche::Loisirs => "Loisirs - Sport - Culture",
        }
    }

    /// The short title (`Papiers`, …).
    pub const fn short_title(self) -> &'static str {
        match self {
            Demarche::Papiers => "Papiers",
            Demarche::Famille => "Famille",
            Demarche::Social => "Social",
            Demarche::Travail => "Travail",
            Demarche::Logement => "Logement",
            Demarche::Transports => "Transports",
            Demarche::Argent => "Argent",
            Demarche::Justice => "Justice",
            Demarche::Etranger => "Étranger",
            Demarche::Loisirs => "Loisirs",
        }
    }

    /// The description (`État-civil, Passeport, Élections, Papiers à conserver, Carte d'identité…`).
    pub const fn description(self) -> &'static str {
        match self {
            Demarche::Papiers => {
                "État-civil, Passeport, Élections, Papiers à conserver, Carte d'identité…"
            }
            Demarche::Famille => "Allocations familiales, Naissance, Mariage, Pacs, Scolarité…",
            Demarche::Social => "Carte vitale, Chômage, Handicap, RSA, Personnes âgées…",
            Demarche::Travail => "CDD, Concours, Retraite, Démission, Période d'essai…",
            Demarche::Logement => {
                "Allocations logement, Permis de construire, Logement social, Fin de bail…"
            }
            Demarche::Transports => {
                "Carte grise, Permis de conduire, Contrôle technique, Infractions…"
            }
            Demarche::Argent => {
                "Crédit immobilier, Impôts, Consommation, Livret A, Assurance, Surendettement…"
            }
            Demarche::Justice => "Casier judiciaire, Plainte, Aide juridictionnelle, Saisie…",
            Demarche::Etranger => "Titres de séjour, Attestation d'accueil, Regroupement familial…",
            Demarche::Loisirs => "Animaux, Permis bateau, Tourisme, Permis de chasser…",
        }
    }

    /// Its bit in the token's `demarches` field (bit 0 = papiers … bit 9 = loisirs).
    pub const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Demarche {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for Demarche {
    type Err = MandateError;
    /// The exact key (`papiers`); anything else is `unknown_demarche`.
    fn from_str(s: &str) -> Result<Self, MandateError> {
        Demarche::ALL
            .into_iter()
            .find(|d| d.key() == s)
            .ok_or_else(|| MandateError::UnknownDemarche {
                value: s.to_owned(),
            })
    }
}

/// A set of démarches (the token's bit field): sorted, no duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DemarcheSet(u16);

impl DemarcheSet {
    /// The empty set.
    pub const EMPTY: DemarcheSet = DemarcheSet(0);
    /// All ten.
    pub const ALL: DemarcheSet = DemarcheSet(0x03ff);

    /// From the token's bits; `None` if a bit above 9 is set.
    pub const fn from_bits(bits: u16) -> Option<Self> {
        if bits & !0x03ff != 0 {
            None
        } else {
            Some(DemarcheSet(bits))
        }
    }

    /// The bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether it holds `d`.
    pub const fn contains(self, d: Demarche) -> bool {
        self.0 & d.bit() != 0
    }

    /// With `d` added.
    pub const fn with(self, d: Demarche) -> Self {
        DemarcheSet(self.0 | d.bit())
    }

    /// Whether it is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every démarche of `self` is in `other`.
    pub const fn is_subset_of(self, other: DemarcheSet) -> bool {
        self.0 & !other.0 == 0
    }

    /// The démarches, in the service's order.
    pub fn iter(self) -> impl Iterator<Item = Demarche> {
        Demarche::ALL.into_iter().filter(move |d| self.contains(*d))
    }

    /// Parses keys; `unknown_demarche` for any other word.
    pub fn parse<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<Self, MandateError> {
        keys.into_iter()
            .try_fold(DemarcheSet::EMPTY, |s, k| Ok(s.with(k.trim().parse()?)))
    }
}

impl FromIterator<Demarche> for DemarcheSet {
    fn from_iter<I: IntoIterator<Item = Demarche>>(iter: I) -> Self {
        iter.into_iter().fold(DemarcheSet::EMPTY, DemarcheSet::with)
    }
}

impl fmt::Display for DemarcheSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.iter().map(Demarche::key).collect();
        f.write_str(&keys.join(","))
    }
}

impl Serialize for DemarcheSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for DemarcheSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let keys: Vec<String> = Vec::deserialize(d)?;
        DemarcheSet::parse(keys.iter().map(String::as_str))
            .map_err(|e| serde::de::Error::custom(format!("{}: {e}", e.code())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_titles_and_bits() {
        assert_eq!(Demarche::ALL.len(), 10);
        assert_eq!(Demarche::Papiers.bit(), 1);
        assert_eq!(Demarche::Loisirs.bit(), 1 << 9);
        assert_eq!(Demarche::Etranger.title(), "Étranger - Europe");
        assert_eq!(Demarche::Argent.short_title(), "Argent");
        for d in Demarche::ALL {
            assert_eq!(d.key().parse::<Demarche>().unwrap(), d);
        }
        assert_eq!(
            "Papiers".parse::<Demarche>().unwrap_err().code(),
            "unknown_demarche"
        );
        assert_eq!(
            "sante".parse::<Demarche>().unwrap_err().code(),
            "unknown_demarche"
        );
    }

    #[test]
    fn sets() {
        let s = DemarcheSet::parse(["social", "papiers", "social"]).unwrap();
        assert_eq!(s.to_string(), "papiers,social");
        assert_eq!(s.bits(), 0b101);
        assert!(DemarcheSet::from_bits(1 << 10).is_none());
        assert!(s.is_subset_of(DemarcheSet::ALL));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"["papiers","social"]"#
        );
    }
}
