//! Geographic and identity cross-checks the standard's schema cannot express: postal code,
//! code INSEE and commune name consistent with each other (the shipped commune list),
//! coordinates plausible for the territory the postal code names (a small table of bounding
//! boxes), and the `pivot` (SIRET with its Luhn checksum and La Poste's exception, the
//! all-zero placeholder, RNA, RIDET).
//!
//! Finding codes (stable): `unknown_postal_code`, `unknown_insee`, `insee_postal_mismatch`,
//! `commune_mismatch` ([`Communes::check_commune`]); `coordinates_out_of_range`,
//! `coordinates_swapped`, `coordinates_outside_territory` ([`check_coordinates`]).
//!
//! Data: `core/data/communes-codes-postaux.csv` (35,071 communes; provenance in
//! `core/data/communes-codes-postaux.README.md`) and `core/data/territories.tsv` (the boxes,
//! each with what it rests on). Both are parsed once, on first use.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::Serialize;

use super::error::VenueError;

/// The shipped commune list: `code_insee,nom,code_postal`, one row per commune, several
/// postal codes of one commune in one cell separated by `,`.
pub const SHIPPED_COMMUNES: &str = include_str!("../../data/communes-codes-postaux.csv");
/// The shipped territory table (tab-separated, `#` comments).
pub const SHIPPED_TERRITORIES: &str = include_str!("../../data/territories.tsv");

// ---------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------

/// What a cross-check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoCode {
    /// The postal code is not in the commune list (a CEDEX or special-delivery code, or a
    /// wrong one: see [`Communes::check_commune`]).
    UnknownPostalCode,
    /// The code INSEE is not in the commune list.
    UnknownInsee,
    /// The code INSEE names a commune that the postal code does not serve.
    InseePostalMismatch,
    /// The commune name is not the name of a commune that the codes designate.
    CommuneMismatch,
    /// A coordinate is not a number, or the latitude is beyond ±90° or the longitude beyond
    /// ±180°.
    CoordinatesOutOfRange,
    /// Latitude and longitude are swapped: (longitude, latitude) falls in the territory.
    CoordinatesSwapped,
    /// The point lies outside the territory that the postal code names.
    CoordinatesOutsideTerritory,
}

impl GeoCode {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            GeoCode::UnknownPostalCode => "unknown_postal_code",
            GeoCode::UnknownInsee => "unknown_insee",
            GeoCode::InseePostalMismatch => "insee_postal_mismatch",
            GeoCode::CommuneMismatch => "commune_mismatch",
            GeoCode::CoordinatesOutOfRange => "coordinates_out_of_range",
            GeoCode::CoordinatesSwapped => "coordinates_swapped",
            GeoCode::CoordinatesOutsideTerritory => "coordinates_outside_territory",
        }
    }
}

impl fmt::Display for GeoCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoSeverity {
    /// The value is wrong.
    Error,
    /// Worth knowing, but the value may well be right (a CEDEX postal code absent from the
    /// list; a commune name that differs from the official one).
    Warning,
}

/// One finding of a cross-check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GeoFinding {
    /// The stable code.
    pub code: GeoCode,
    /// Error or warning.
    pub severity: GeoSeverity,
    /// The standard's field at fault: `code_postal`, `code_insee`, `commune`, `latitude`,
    /// `longitude`, or `latitude,longitude` for a finding about the pair.
    pub field: &'static str,
    /// The rule, in words, naming the values.
    pub message: String,
}

impl GeoFinding {
    fn new(code: GeoCode, severity: GeoSeverity, field: &'static str, message: String) -> Self {
        GeoFinding {
            code,
            severity,
            field,
            message,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Name normalisation
// ---------------------------------------------------------------------------------------

/// Folds a text for comparison: letters with diacritics become their base letters (`É` →
/// `E`, `Œ` → `OE`, `Æ` → `AE`, `ß` → `SS`; Latin-1 and Latin Extended-A), combining accents
/// (U+0300–U+036F) are dropped, letters are upper-cased, and every run of other characters
/// that are not ASCII letters or digits (spaces, `-`, `'`, `’`, `.`, `,`, `(`, `)`, `/`, any
/// other script…) becomes one space; no leading or trailing space.
///
/// `"Saint-Donat-sur-l’Herbasse"` → `"SAINT DONAT SUR L HERBASSE"`.
pub fn normalise_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if ('\u{0300}'..='\u{036F}').contains(&c) {
            continue;
        }
        let folded: &str = if c.is_ascii_alphanumeric() {
            c.encode_utf8(&mut buf)
        } else {
            fold_char(c)
        };
        if folded.is_empty() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.extend(folded.chars().map(|f| f.to_ascii_uppercase()));
    }
    out
}

/// Normalises a commune name for comparison, exactly:
/// 1. [`normalise_text`] (uppercase, diacritics removed, `-`, `'`, `’`, spaces and every
///    other non-alphanumeric run folded into one space);
/// 2. the words `ST` and `STE` become `SAINT` and `SAINTE`;
/// 3. a trailing `CEDEX` word, with any all-digit words after it (`CEDEX 03`) or digits glued
///    to it (`CEDEX03`), is removed.
///
/// Nothing else is folded: articles (`Le Mont-Dore` ≠ `Mont-Dore`), former names and
/// communes déléguées (`Seynod`, part of Annecy since 2017) stay different.
///
/// `"St-Etienne CEDEX 2"` → `"SAINT ETIENNE"`.
pub fn normalise_commune_name(name: &str) -> String {
    let text = normalise_text(name);
    let mut words: Vec<&str> = text
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "ST" => "SAINT",
            "STE" => "SAINTE",
            other => other,
        })
        .collect();
    if let Some(pos) = words.iter().rposition(|w| is_cedex_word(w))
        && pos > 0
        && words[pos + 1..]
            .iter()
            .all(|w| w.bytes().all(|b| b.is_ascii_digit()))
    {
        words.truncate(pos);
    }
    words.join(" ")
}

fn is_cedex_word(word: &str) -> bool {
    word.strip_prefix("CEDEX")
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
}

fn has_cedex(name: &str) -> bool {
    normalise_text(name).split(' ').any(is_cedex_word)
}

fn fold_char(c: char) -> &'static str {
    // Upper and lower case fold to the same (upper-cased later) letters.
    match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => "A",
        'Æ' | 'æ' => "AE",
        'Ç' | 'ç' | 'Ć'..='č' => "C",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => "E",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => "I",
        'Ð' | 'ð' | 'Ď'..='đ' => "D",
        'Ñ' | 'ñ' | 'Ń'..='ň' => "N",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => "O",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => "U",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => "Y",
        'Þ' | 'þ' => "TH",
        'ß' => "SS",
        'Œ' | 'œ' => "OE",
        'Ĝ'..='ģ' => "G",
        'Ĥ'..='ħ' => "H",
        'Ĳ' | 'ĳ' => "IJ",
        'Ĵ' | 'ĵ' => "J",
        'Ķ' | 'ķ' => "K",
        'Ĺ'..='ł' => "L",
        'Ŕ'..='ř' => "R",
        'Ś'..='š' => "S",
        'Ţ'..='ŧ' => "T",
        'Ŵ' | 'ŵ' => "W",
        'Ź'..='ž' => "Z",
        _ => "",
    }
}

// ---------------------------------------------------------------------------------------
// Communes
// ---------------------------------------------------------------------------------------

/// What a row of the commune list is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommuneKind {
    /// A commune, as in the file.
    Commune,
    /// A municipal arrondissement of Paris, Lyon or Marseille (in the file); the value is
    /// the city's code INSEE (`75056`, `69123`, `13055`).
    MunicipalArrondissement(String),
    /// Paris, Lyon or Marseille as a whole: not a row of the file, added by the reader,
    /// served by the union of its arrondissements' postal codes.
    CityOfArrondissements,
}

/// One commune of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commune {
    /// Code INSEE (code officiel géographique), e.g. `74001`, `2A004`.
    pub code_insee: String,
    /// Official name, e.g. `Abondance`.
    pub name: String,
    /// The postal codes that serve it (possibly none: the TAAF).
    pub postal_codes: Vec<String>,
    /// Commune, municipal arrondissement, or city of arrondissements.
    pub kind: CommuneKind,
}

/// The commune list with its lookups. [`Communes::shipped`] is the list shipped with the
/// crate; [`Communes::from_csv`] reads a replacement.
#[derive(Debug, Clone)]
pub struct Communes {
    communes: Vec<Commune>,
    /// Accepted normalised names of each commune (its own; for an arrondissement, the city's).
    names: Vec<Vec<String>>,
    by_postal: HashMap<String, Vec<usize>>,
    by_insee: HashMap<String, usize>,
    by_name: HashMap<String, Vec<usize>>,
}

/// The three cities whose arrondissements are communes in the list: (INSEE, name, INSEE
/// prefix of their arrondissements).
const CITIES: [(&str, &str, &str); 3] = [
    ("75056", "Paris", "751"),
    ("69123", "Lyon", "6938"),
    ("13055", "Marseille", "132"),
];

impl Communes {
    /// The shipped list (parsed once, on first use).
    pub fn shipped() -> &'static Communes {
        static SHIPPED: OnceLock<Communes> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            Communes::from_csv(SHIPPED_COMMUNES).expect("the shipped commune list parses (tested)")
        })
    }

    /// Reads a list with the header `code_insee,nom,code_postal` (postal codes of one commune
    /// separated by `,` inside a quoted cell), adds Paris, Lyon and Marseille as a whole when
    /// their arrondissements are present, and builds the lookups.
    pub fn from_csv(text: &str) -> Result<Communes, VenueError> {
        let table = |line: usize, rule: String| VenueError::Table {
            table: "communes",
            line,
            rule,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| table(1, e.to_string()))?;
        if headers.iter().collect::<Vec<_>>() != ["code_insee", "nom", "code_postal"] {
            return Err(table(
                1,
                "the header must be code_insee,nom,code_postal".into(),
            ));
        }
        let mut communes = Vec::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| table(line, e.to_string()))?;
            let (Some(insee), Some(name), Some(codes)) =
                (record.get(0), record.get(1), record.get(2))
            else {
                return Err(table(line, "three columns expected".into()));
            };
            if !is_insee_form(insee) {
                return Err(table(line, format!("{insee:?} is not a code INSEE")));
            }
            if name.trim().is_empty() {
                return Err(table(line, "empty commune name".into()));
            }
            let mut postal_codes = Vec::new();
            for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                if !is_postal_form(code) {
                    return Err(table(
                        line,
                        format!("{code:?} is not a 5-digit postal code"),
                    ));
                }
                if !postal_codes.iter().any(|c| c == code) {
                    postal_codes.push(code.to_owned());
                }
            }
            let kind = CITIES
                .iter()
                .find(|(city, _, prefix)| insee.starts_with(prefix) && insee != *city)
                .map_or(CommuneKind::Commune, |(city, _, _)| {
                    CommuneKind::MunicipalArrondissement((*city).to_owned())
                });
            communes.push(Commune {
                code_insee: insee.to_owned(),
                name: name.trim().to_owned(),
                postal_codes,
                kind,
            });
        }
        for (city, name, _) in CITIES {
            if communes.iter().any(|c| c.code_insee == city) {
                continue;
            }
            let mut postal_codes: Vec<String> = communes
                .iter()
                .filter(|c| c.kind == CommuneKind::MunicipalArrondissement(city.to_owned()))
                .flat_map(|c| c.postal_codes.iter().cloned())
                .collect();
            postal_codes.sort();
            postal_codes.dedup();
            if !postal_codes.is_empty() {
                communes.push(Commune {
                    code_insee: city.to_owned(),
                    name: name.to_owned(),
                    postal_codes,
                    kind: CommuneKind::CityOfArrondissements,
                });
            }
        }

        let mut by_postal: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_insee = HashMap::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut names = Vec::with_capacity(communes.len());
        for (i, c) in communes.iter().enumerate() {
            if by_insee.insert(c.code_insee.clone(), i).is_some() {
                return Err(table(
                    0,
                    format!("code INSEE {} appears twice", c.code_insee),
                ));
            }
            for code in &c.postal_codes {
                by_postal.entry(code.clone()).or_default().push(i);
            }
            let mut accepted = vec![normalise_commune_name(&c.name)];
            if let CommuneKind::MunicipalArrondissement(city) = &c.kind
                && let Some((_, city_name, _)) = CITIES.iter().find(|(k, _, _)| k == city)
            {
                accepted.push(normalise_commune_name(city_name));
            }
            for n in &accepted {
                by_name.entry(n.clone()).or_default().push(i);
            }
            names.push(accepted);
        }
        Ok(Communes {
            communes,
            names,
            by_postal,
            by_insee,
            by_name,
        })
    }

    /// Number of communes (the file's rows plus the cities added).
    pub fn len(&self) -> usize {
        self.communes.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.communes.is_empty()
    }

    /// All communes, in file order, the added cities last.
    pub fn iter(&self) -> impl Iterator<Item = &Commune> {
        self.communes.iter()
    }

    /// The communes a postal code serves (empty when the code is not in the list). For a Paris,
    /// Lyon or Marseille code: the arrondissement, then the city.
    pub fn by_postal_code(&self, code_postal: &str) -> Vec<&Commune> {
        self.by_postal
            .get(code_postal)
            .map(|v| v.iter().map(|&i| &self.communes[i]).collect())
            .unwrap_or_default()
    }

    /// The commune of a code INSEE: its name ([`Commune::name`]) and postal codes
    /// ([`Commune::postal_codes`]).
    pub fn by_insee(&self, code_insee: &str) -> Option<&Commune> {
        self.by_insee.get(code_insee).map(|&i| &self.communes[i])
    }

    /// The communes whose name (normalised by [`normalise_commune_name`]) is `name`'s.
    pub fn by_name(&self, name: &str) -> Vec<&Commune> {
        self.by_name
            .get(&normalise_commune_name(name))
            .map(|v| v.iter().map(|&i| &self.communes[i]).collect())
            .unwrap_or_default()
    }

    fn name_matches(&self, i: usize, normalised: &str) -> bool {
        self.names[i].iter().any(|n| n == normalised)
    }

    /// Cross-checks a venue's `code_postal`, `code_insee` (optional in the standard) and
    /// `commune` against the list.
    ///
    /// - `unknown_postal_code` (field `code_postal`): the code is not in the list. The list
    ///   holds the codes that serve communes, not CEDEX or special-delivery codes (`74003`
    ///   "Annecy Cedex 03", `43012` Le Puy-en-Velay): when the commune name carries `CEDEX`,
    ///   or names a commune served by a code of the same area (the first two digits; three
    ///   for `97x`/`98x`), or the code INSEE names such a commune, the finding is a
    ///   **warning** saying so; otherwise an **error**. The name is then checked against the
    ///   communes of that area (or the INSEE's commune).
    /// - `unknown_insee` (`code_insee`, error): the code is not in the list (Paris, Lyon and
    ///   Marseille's own codes are accepted besides their arrondissements').
    /// - `insee_postal_mismatch` (`code_insee`, error): the postal code does not serve the
    ///   INSEE's commune (for an unknown postal code: no postal code of that commune is of
    ///   the same area).
    /// - `commune_mismatch` (`commune`, **warning**): the normalised name
    ///   ([`normalise_commune_name`]) is not that of the INSEE's commune (when the INSEE is
    ///   known and consistent), else of any commune the postal code serves. For a municipal
    ///   arrondissement the city's name is accepted (`Lyon` for `Lyon 1er Arrondissement`).
    ///   A warning because names are typed by hand and often older than the list (communes
    ///   déléguées, missing articles); the codes identify the commune. An empty name is not
    ///   checked (the schema reports it).
    ///
    /// Values are compared as given (the caller trims them first).
    pub fn check_commune(
        &self,
        code_postal: &str,
        code_insee: Option<&str>,
        commune_name: &str,
    ) -> Vec<GeoFinding> {
        let mut findings = Vec::new();
        let code_insee = code_insee.filter(|c| !c.is_empty());
        let name = normalise_commune_name(commune_name);
        let insee_commune = code_insee.and_then(|c| self.by_insee.get(c).copied());
        if let (Some(code), None) = (code_insee, insee_commune) {
            let hint = if code.starts_with("20") {
                " (Corsican communes have codes beginning 2A or 2B)"
            } else {
                ""
            };
            findings.push(GeoFinding::new(
                GeoCode::UnknownInsee,
                GeoSeverity::Error,
                "code_insee",
                format!("code INSEE {code} is not in the list of communes{hint}"),
            ));
        }

        match self.by_postal.get(code_postal) {
            Some(served) => {
                let consistent_insee = match (code_insee, insee_commune) {
                    (Some(code), Some(i)) if !served.contains(&i) => {
                        findings.push(GeoFinding::new(
                            GeoCode::InseePostalMismatch,
                            GeoSeverity::Error,
                            "code_insee",
                            format!(
                                "code INSEE {code} is {} ({}), which postal code {code_postal} does not serve (it serves {})",
                                self.communes[i].name,
                                self.postal_list(i),
                                self.names_of(served)
                            ),
                        ));
                        None
                    }
                    (_, found) => found,
                };
                if name.is_empty() {
                    return findings;
                }
                let ok = match consistent_insee {
                    Some(i) => self.name_matches(i, &name),
                    None => {
                        served.iter().any(|&i| self.name_matches(i, &name))
                            || insee_commune.is_some_and(|i| self.name_matches(i, &name))
                    }
                };
                if !ok {
                    let expected = match consistent_insee {
                        Some(i) => format!(
                            "code INSEE {} is {}",
                            self.communes[i].code_insee, self.communes[i].name
                        ),
                        None => {
                            format!("postal code {code_postal} serves {}", self.names_of(served))
                        }
                    };
                    findings.push(GeoFinding::new(
                        GeoCode::CommuneMismatch,
                        GeoSeverity::Warning,
                        "commune",
                        format!(
                            "commune {commune_name:?} does not match: {expected}{}",
                            self.elsewhere(&name)
                        ),
                    ));
                }
            }
            None => self.check_unknown_postal(
                code_postal,
                code_insee,
                insee_commune,
                commune_name,
                &name,
                &mut findings,
            ),
        }
        findings
    }

    fn check_unknown_postal(
        &self,
        code_postal: &str,
        code_insee: Option<&str>,
        insee_commune: Option<usize>,
        commune_name: &str,
        name: &str,
        findings: &mut Vec<GeoFinding>,
    ) {
        if !is_postal_form(code_postal) {
            findings.push(GeoFinding::new(
                GeoCode::UnknownPostalCode,
                GeoSeverity::Error,
                "code_postal",
                format!("postal code {code_postal:?} is not five digits"),
            ));
            if let Some(i) = insee_commune
                && !name.is_empty()
                && !self.name_matches(i, name)
            {
                findings.push(self.insee_name_mismatch(i, commune_name, name));
            }
            return;
        }
        let area = postal_area(code_postal);
        let in_area = |i: usize| {
            self.communes[i]
                .postal_codes
                .iter()
                .any(|c| c.starts_with(area))
        };
        let insee_in_area = insee_commune.map(in_area);
        if let (Some(code), Some(i), Some(false)) = (code_insee, insee_commune, insee_in_area) {
            findings.push(GeoFinding::new(
                GeoCode::InseePostalMismatch,
                GeoSeverity::Error,
                "code_insee",
                format!(
                    "code INSEE {code} is {} ({}), not of the area of postal code {code_postal} ({area}…)",
                    self.communes[i].name,
                    self.postal_list(i)
                ),
            ));
        }
        let named: Vec<usize> = self
            .by_name
            .get(name)
            .map(|v| v.iter().copied().filter(|&i| in_area(i)).collect())
            .unwrap_or_default();
        let cedex = has_cedex(commune_name);
        let plausible = cedex || insee_in_area == Some(true) || !named.is_empty();
        let why = if cedex {
            format!("; the commune name {commune_name:?} says CEDEX")
        } else if let (Some(true), Some(i)) = (insee_in_area, insee_commune) {
            format!(
                "; code INSEE {} ({}) is of the same area",
                self.communes[i].code_insee, self.communes[i].name
            )
        } else if let Some(&i) = named.first() {
            format!(
                "; {} ({}, {}) is of the same area",
                self.communes[i].name,
                self.communes[i].code_insee,
                self.postal_list(i)
            )
        } else {
            String::new()
        };
        findings.push(if plausible {
            GeoFinding::new(
                GeoCode::UnknownPostalCode,
                GeoSeverity::Warning,
                "code_postal",
                format!(
                    "postal code {code_postal} serves no commune in the list: probably a CEDEX or special-delivery code, which the list does not hold{why}"
                ),
            )
        } else {
            GeoFinding::new(
                GeoCode::UnknownPostalCode,
                GeoSeverity::Error,
                "code_postal",
                format!("postal code {code_postal} serves no commune in the list, and nothing suggests a CEDEX code"),
            )
        });
        if name.is_empty() {
            return;
        }
        match (insee_commune, insee_in_area) {
            (Some(i), Some(true)) if !self.name_matches(i, name) => {
                findings.push(self.insee_name_mismatch(i, commune_name, name));
            }
            (Some(_), Some(true)) => {}
            _ if named.is_empty() && !cedex => {
                // Only say so when the area exists at all.
                let area_known = self.by_postal.keys().any(|c| c.starts_with(area));
                if area_known {
                    findings.push(GeoFinding::new(
                        GeoCode::CommuneMismatch,
                        GeoSeverity::Warning,
                        "commune",
                        format!(
                            "commune {commune_name:?} is not the name of a commune of the area of postal code {code_postal} ({area}…){}",
                            self.elsewhere(name)
                        ),
                    ));
                }
            }
            _ => {}
        }
    }

    fn insee_name_mismatch(&self, i: usize, commune_name: &str, name: &str) -> GeoFinding {
        let c = &self.communes[i];
        GeoFinding::new(
            GeoCode::CommuneMismatch,
            GeoSeverity::Warning,
            "commune",
            format!(
                "commune {commune_name:?} does not match: code INSEE {} is {}{}",
                c.code_insee,
                c.name,
                self.elsewhere(name)
            ),
        )
    }

    /// ", a commune of that name: X (INSEE, codes)" when the name is a commune elsewhere.
    fn elsewhere(&self, name: &str) -> String {
        let Some(found) = self.by_name.get(name) else {
            return String::new();
        };
        let shown: Vec<String> = found
            .iter()
            .take(3)
            .map(|&i| {
                format!(
                    "{} ({}, {})",
                    self.communes[i].name,
                    self.communes[i].code_insee,
                    self.postal_list(i)
                )
            })
            .collect();
        let more = if found.len() > 3 { ", …" } else { "" };
        format!("; communes of that name: {}{more}", shown.join("; "))
    }

    fn postal_list(&self, i: usize) -> String {
        let codes = &self.communes[i].postal_codes;
        if codes.is_empty() {
            "no postal code".into()
        } else {
            format!("postal code {}", codes.join(", "))
        }
    }

    fn names_of(&self, served: &[usize]) -> String {
        let mut names: Vec<&str> = served
            .iter()
            .take(6)
            .map(|&i| self.communes[i].name.as_str())
            .collect();
        if served.len() > 6 {
            names.truncate(5);
            names.push("…");
        }
        names.join(", ")
    }
}

/// [`Communes::check_commune`] on the shipped list.
pub fn check_commune(
    code_postal: &str,
    code_insee: Option<&str>,
    commune_name: &str,
) -> Vec<GeoFinding> {
    Communes::shipped().check_commune(code_postal, code_insee, commune_name)
}

fn is_postal_form(code: &str) -> bool {
    code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The schema's form `^([013-9]\d|2[AB1-9])\d{3}$` (loosened: any two-character prefix of
/// digits or 2A/2B).
fn is_insee_form(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b[0].is_ascii_digit()
        && (b[1].is_ascii_digit() || (b[0] == b'2' && matches!(b[1], b'A' | b'B')))
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// The area of a postal code: its first two digits, three for the overseas `97x`/`98x`.
fn postal_area(code: &str) -> &str {
    if code.starts_with("97") || code.starts_with("98") {
        &code[..3]
    } else {
        &code[..2]
    }
}

// ---------------------------------------------------------------------------------------
// Territories
// ---------------------------------------------------------------------------------------

/// A territory with its postal-code prefixes and the bounding box used as a plausibility
/// check (a coarse box, not a border).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Territory {
    /// Stable id (`mainland`, `corsica`, `guadeloupe`, …).
    pub id: String,
    /// Name.
    pub name: String,
    /// Postal-code prefixes (ranges expanded): `01`, `02`, … for the mainland; `20`; `971`;
    /// `97133`…
    pub postal_prefixes: Vec<String>,
    /// Southern edge, degrees.
    pub min_lat: f64,
    /// Northern edge, degrees.
    pub max_lat: f64,
    /// Western edge, degrees.
    pub min_lon: f64,
    /// Eastern edge, degrees.
    pub max_lon: f64,
    /// What the box rests on.
    pub source: String,
}

impl Territory {
    /// Whether the point lies in the box (edges included).
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }
}

/// Reads a territory table: `#` comment lines and blank lines skipped; then the header, the
/// columns `id`, `name`, `postal_prefixes`, `min_lat`, `max_lat`, `min_lon`, `max_lon`,
/// `source` separated by tabs; prefixes separated by `,`, `NN-MM` meaning every equal-length
/// prefix from NN to MM.
pub fn parse_territories(text: &str) -> Result<Vec<Territory>, VenueError> {
    let table = |line: usize, rule: String| VenueError::Table {
        table: "territories",
        line,
        rule,
    };
    let mut header_seen = false;
    let mut out: Vec<Territory> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = raw.split('\t').collect();
        if !header_seen {
            if cols
                != [
                    "id",
                    "name",
                    "postal_prefixes",
                    "min_lat",
                    "max_lat",
                    "min_lon",
                    "max_lon",
                    "source",
                ]
            {
                return Err(table(line, "unexpected header".into()));
            }
            header_seen = true;
            continue;
        }
        if cols.len() != 8 {
            return Err(table(
                line,
                format!("8 columns expected, {} found", cols.len()),
            ));
        }
        let num = |s: &str, what: &str| -> Result<f64, VenueError> {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| table(line, format!("{what} {s:?} is not a number")))
        };
        let (min_lat, max_lat) = (num(cols[3], "min_lat")?, num(cols[4], "max_lat")?);
        let (min_lon, max_lon) = (num(cols[5], "min_lon")?, num(cols[6], "max_lon")?);
        if !(-90.0..=90.0).contains(&min_lat)
            || !(-90.0..=90.0).contains(&max_lat)
            || min_lat >= max_lat
        {
            return Err(table(
                line,
                "latitudes must satisfy -90 <= min < max <= 90".into(),
            ));
        }
        if !(-180.0..=180.0).contains(&min_lon)
            || !(-180.0..=180.0).contains(&max_lon)
            || min_lon >= max_lon
        {
            return Err(table(
                line,
                "longitudes must satisfy -180 <= min < max <= 180".into(),
            ));
        }
        let mut prefixes = Vec::new();
        for p in cols[2].split(',').map(str::trim) {
            let bad = || table(line, format!("bad postal prefix {p:?}"));
            let digits =
                |s: &str| !s.is_empty() && s.len() <= 5 && s.bytes().all(|b| b.is_ascii_digit());
            match p.split_once('-') {
                Some((a, b)) if digits(a) && digits(b) && a.len() == b.len() => {
                    let (lo, hi): (u32, u32) =
                        (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                    if lo > hi {
                        return Err(bad());
                    }
                    prefixes.extend((lo..=hi).map(|n| format!("{n:0width$}", width = a.len())));
                }
                None if digits(p) => prefixes.push(p.to_owned()),
                _ => return Err(bad()),
            }
        }
        let id = cols[0].trim().to_owned();
        if id.is_empty() || out.iter().any(|t| t.id == id) {
            return Err(table(line, format!("empty or repeated id {id:?}")));
        }
        for p in &prefixes {
            if out.iter().any(|t| t.postal_prefixes.contains(p)) {
                return Err(table(
                    line,
                    format!("postal prefix {p} already belongs to another territory"),
                ));
            }
        }
        out.push(Territory {
            id,
            name: cols[1].trim().to_owned(),
            postal_prefixes: prefixes,
            min_lat,
            max_lat,
            min_lon,
            max_lon,
            source: cols[7].trim().to_owned(),
        });
    }
    if !header_seen {
        return Err(table(0, "no header".into()));
    }
    Ok(out)
}

/// The shipped territories (parsed once).
pub fn territories() -> &'static [Territory] {
    static SHIPPED: OnceLock<Vec<Territory>> = OnceLock::new();
    SHIPPED.get_or_init(|| {
        parse_territories(SHIPPED_TERRITORIES).expect("the shipped territory table parses (tested)")
    })
}

/// The territory of a five-digit postal code: the one with the longest matching prefix
/// (`97133` is Saint-Barthélemy, `97100` Guadeloupe). `None` for a code that is not five
/// digits or has no territory (Monaco's `98000`, a code beginning `00` or `96`…).
pub fn territory_of_postal_code(code_postal: &str) -> Option<&'static Territory> {
    if !is_postal_form(code_postal) {
        return None;
    }
    territories()
        .iter()
        .filter_map(|t| {
            t.postal_prefixes
                .iter()
                .filter(|p| code_postal.starts_with(p.as_str()))
                .map(|p| p.len())
                .max()
                .map(|len| (len, t))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, t)| t)
}

/// Checks that a venue's coordinates (WGS84 degrees) are plausible for the territory its
/// postal code names. At most one finding:
/// - `coordinates_swapped` (error) when the point is outside the territory's box (or out of
///   range) but (longitude, latitude) is inside;
/// - `coordinates_out_of_range` (error): not finite, |latitude| > 90 or |longitude| > 180;
/// - `coordinates_outside_territory` (error): outside the box (the message names another
///   territory whose box holds the point, if any).
///
/// No finding when the point is in the box, or when the postal code names no territory of
/// the table (then only the range is checked).
pub fn check_coordinates(code_postal: &str, lat: f64, lon: f64) -> Option<GeoFinding> {
    let territory = territory_of_postal_code(code_postal);
    if let Some(t) = territory {
        if t.contains(lat, lon) {
            return None;
        }
        if t.contains(lon, lat) {
            return Some(GeoFinding::new(
                GeoCode::CoordinatesSwapped,
                GeoSeverity::Error,
                "latitude,longitude",
                format!(
                    "latitude {lat} and longitude {lon} look swapped: ({lon}, {lat}) lies in {} (postal code {code_postal}), ({lat}, {lon}) does not",
                    t.name
                ),
            ));
        }
    }
    let lat_bad = !lat.is_finite() || lat.abs() > 90.0;
    let lon_bad = !lon.is_finite() || lon.abs() > 180.0;
    if lat_bad || lon_bad {
        let field = match (lat_bad, lon_bad) {
            (true, false) => "latitude",
            (false, true) => "longitude",
            _ => "latitude,longitude",
        };
        return Some(GeoFinding::new(
            GeoCode::CoordinatesOutOfRange,
            GeoSeverity::Error,
            field,
            format!(
                "latitude {lat}, longitude {lon}: a latitude is within ±90° and a longitude within ±180°"
            ),
        ));
    }
    let t = territory?;
    let other = territories()
        .iter()
        .find(|o| o.id != t.id && o.contains(lat, lon))
        .map(|o| format!("; it lies in the box of {}", o.name))
        .unwrap_or_default();
    Some(GeoFinding::new(
        GeoCode::CoordinatesOutsideTerritory,
        GeoSeverity::Error,
        "latitude,longitude",
        format!(
            "({lat}, {lon}) is outside {} (postal code {code_postal}: latitude {} to {}, longitude {} to {}){other}",
            t.name, t.min_lat, t.max_lat, t.min_lon, t.max_lon
        ),
    ))
}

// ---------------------------------------------------------------------------------------
// Pivot (SIRET, RNA, RIDET)
// ---------------------------------------------------------------------------------------

/// What a venue's `pivot` is, by its form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PivotStatus {
    /// A SIRET (14 digits) whose checksum holds (Luhn, or La Poste's rule).
    Siret,
    /// All zeros (`00000000000000` in practice): used for "unknown".
    Placeholder,
    /// An RNA number (associations): `W` and 9 letters or digits.
    Rna,
    /// A RIDET (New Caledonia): 9 or 10 digits (a RID of 6 or 7 digits and a 3-digit
    /// establishment rank). No checksum is known to check. A bare SIREN (9 digits) has the
    /// same form and is reported as this too: the caller can tell them apart by the postal
    /// code (`988…`).
    Ridet,
    /// 14 digits whose checksum fails.
    InvalidSiretChecksum,
    /// None of these forms (other lengths, other letters, spaces).
    Unrecognised,
}

impl PivotStatus {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            PivotStatus::Siret => "siret",
            PivotStatus::Placeholder => "placeholder",
            PivotStatus::Rna => "rna",
            PivotStatus::Ridet => "ridet",
            PivotStatus::InvalidSiretChecksum => "invalid_siret_checksum",
            PivotStatus::Unrecognised => "unrecognised",
        }
    }
}

/// The SIREN of La Poste, whose establishments' SIRETs do not follow the Luhn checksum.
pub const LA_POSTE_SIREN: &str = "356000000";

/// Classifies a `pivot` value (as given: no trimming, no spaces allowed).
///
/// A 14-digit SIRET is valid when its Luhn checksum holds (from the right, every second digit
/// doubled, 9 subtracted above 9, the sum a multiple of 10), or, for La Poste (SIREN
/// 356000000), when the sum of its 14 digits is a multiple of 5. La Poste's rule: when La
/// Poste became a public limited company (2010) all its establishments were put under the one
/// SIREN 356 000 000, too many for Luhn-valid NICs; only the head office's SIRET
/// 35600000000048 is Luhn-valid, the others are checked by the sum of their digits being a
/// multiple of 5 (French Wikipedia, "Système d'identification du répertoire des
/// établissements", section on La Poste's exception, citing INSEE and La Poste's 2010 change
/// of status; implemented the same way by pass-culture/pass-culture-main,
/// `api/src/pcapi/utils/siren.py`, `is_valid_siret`).
pub fn siret_status(pivot: &str) -> PivotStatus {
    let b = pivot.as_bytes();
    let all_digits = !b.is_empty() && b.iter().all(u8::is_ascii_digit);
    if all_digits && (9..=14).contains(&b.len()) && b.iter().all(|&d| d == b'0') {
        return PivotStatus::Placeholder;
    }
    if all_digits && b.len() == 14 {
        return if luhn_valid(b)
            || (pivot.starts_with(LA_POSTE_SIREN) && digit_sum(b).is_multiple_of(5))
        {
            PivotStatus::Siret
        } else {
            PivotStatus::InvalidSiretChecksum
        };
    }
    if all_digits && (b.len() == 9 || b.len() == 10) {
        return PivotStatus::Ridet;
    }
    if b.len() == 10 && b[0] == b'W' && b[1..].iter().all(u8::is_ascii_alphanumeric) {
        return PivotStatus::Rna;
    }
    PivotStatus::Unrecognised
}

fn luhn_valid(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d - b'0');
            if i % 2 == 1 {
                let w = v * 2;
                if w > 9 { w - 9 } else { w }
            } else {
                v
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn digit_sum(digits: &[u8]) -> u32 {
    digits.iter().map(|&d| u32::from(d - b'0')).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: &[GeoFinding]) -> Vec<(&'static str, GeoSeverity)> {
        f.iter().map(|f| (f.code.as_str(), f.severity)).collect()
    }

    #[test]
    fn shipped_list_parses_with_its_quirks() {
        let c = Communes::shipped();
        assert_eq!(c.len(), 35_071 + 3);
        let a = c.by_insee("74001").unwrap();
        assert_eq!(
            (a.name.as_str(), a.postal_codes.as_slice()),
            ("Abondance", &["74360".to_owned()][..])
        );
        let ajaccio = c.by_insee("2A004").unwrap();
        assert_eq!(ajaccio.postal_codes, ["20000", "20167", "20090"]);
        assert!(
            c.by_postal_code("20090")
                .iter()
                .any(|x| x.code_insee == "2A004")
        );
        let lyon = c.by_insee("69123").unwrap();
        assert_eq!(lyon.kind, CommuneKind::CityOfArrondissements);
        assert_eq!(lyon.postal_codes.len(), 9);
        assert_eq!(c.by_insee("75056").unwrap().postal_codes.len(), 20);
        assert_eq!(
            c.by_insee("13201").unwrap().kind,
            CommuneKind::MunicipalArrondissement("13055".into())
        );
        assert!(c.by_insee("98413").unwrap().postal_codes.is_empty());
        assert!(c.by_postal_code("74003").is_empty());
    }

    #[test]
    fn names_normalise_as_documented() {
        assert_eq!(
            normalise_commune_name("Saint-Donat-sur-l’Herbasse"),
            "SAINT DONAT SUR L HERBASSE"
        );
        assert_eq!(
            normalise_commune_name("  St-Étienne  CEDEX 2 "),
            "SAINT ETIENNE"
        );
        assert_eq!(normalise_commune_name("Annecy Cedex03"), "ANNECY");
        assert_eq!(
            normalise_commune_name("STE-FOY-LÈS-LYON"),
            "SAINTE FOY LES LYON"
        );
        assert_eq!(
            normalise_commune_name("Bors (Canton de Tude-et-Lavalette)"),
            "BORS CANTON DE TUDE ET LAVALETTE"
        );
        assert_eq!(normalise_commune_name("L'Haÿ-les-Roses"), "L HAY LES ROSES");
        assert_eq!(normalise_commune_name("Œuilly"), "OEUILLY");
        // Combining accents (NFD input) are dropped, not turned into separators.
        assert_eq!(normalise_commune_name("Ge\u{0301}nissiat"), "GENISSIAT");
        // A commune whose name is only "Cedex"-like is not emptied.
        assert_eq!(normalise_commune_name("Cedex"), "CEDEX");
        assert_eq!(normalise_text("Le Mont-Dore"), "LE MONT DORE");
    }

    #[test]
    fn real_venues_check_cleanly() {
        // Hinaura venue 0: MAISON DE SERVICES AU PUBLIC D'ABONDANCE.
        assert!(check_commune("74360", None, "ABONDANCE").is_empty());
        assert!(check_commune("74360", Some("74001"), "Abondance").is_empty());
        assert!(check_commune("20000", Some("2A004"), "AJACCIO").is_empty());
        assert!(check_commune("20090", Some("2A004"), "Ajaccio").is_empty());
        assert!(check_commune("97400", Some("97411"), "Saint-Denis").is_empty());
        assert!(check_commune("97490", Some("97411"), "ST DENIS").is_empty());
        assert!(check_commune("97300", Some("97302"), "Cayenne").is_empty());
        // Lyon written as the city, with the arrondissement's or the city's code INSEE.
        assert!(check_commune("69001", None, "Lyon").is_empty());
        assert!(check_commune("69001", Some("69381"), "Lyon").is_empty());
        assert!(check_commune("69001", Some("69123"), "LYON").is_empty());
        assert!(check_commune("69001", Some("69381"), "Lyon 1er Arrondissement").is_empty());
    }

    #[test]
    fn each_finding_on_real_examples() {
        assert_eq!(
            codes(&check_commune("74360", Some("74002"), "Abondance")),
            [("insee_postal_mismatch", GeoSeverity::Error)]
        );
        assert_eq!(
            codes(&check_commune("74360", Some("74999"), "Abondance")),
            [("unknown_insee", GeoSeverity::Error)]
        );
        let f = check_commune("74360", Some("20004"), "Abondance");
        assert!(f[0].message.contains("2A or 2B"), "{f:?}");
        // Oullins merged with Pierre-Bénite (2024): the old name is a warning.
        let f = check_commune("69600", None, "OULLINS");
        assert_eq!(codes(&f), [("commune_mismatch", GeoSeverity::Warning)]);
        assert!(f[0].message.contains("Oullins-Pierre-Bénite"), "{f:?}");
        // Bourg-en-Bresse with Ambérieu's postal code: the message says where Bourg is.
        let f = check_commune("01500", None, "Bourg-en-Bresse");
        assert_eq!(codes(&f), [("commune_mismatch", GeoSeverity::Warning)]);
        assert!(f[0].message.contains("01053"), "{f:?}");
        // Consistent codes, another name of the same postal code.
        let f = check_commune("01000", Some("01053"), "Saint-Denis-lès-Bourg");
        assert_eq!(codes(&f), [("commune_mismatch", GeoSeverity::Warning)]);
    }

    #[test]
    fn cedex_and_special_codes_are_warnings() {
        // Hinaura: "74003 Annecy Cedex 03", "74008 Annecy", "43012 LE PUY-EN-VELAY".
        for (cp, name) in [
            ("74003", "Annecy Cedex 03"),
            ("74008", "Annecy"),
            ("43012", "LE PUY-EN-VELAY"),
        ] {
            let f = check_commune(cp, None, name);
            assert_eq!(
                codes(&f),
                [("unknown_postal_code", GeoSeverity::Warning)],
                "{cp} {name}: {f:?}"
            );
        }
        let f = check_commune("74008", Some("74010"), "Annecy");
        assert_eq!(
            codes(&f),
            [("unknown_postal_code", GeoSeverity::Warning)],
            "{f:?}"
        );
        // Unknown code, no hint of CEDEX, name not of the area: an error and a mismatch.
        let f = check_commune("74008", None, "Cayenne");
        assert_eq!(
            codes(&f),
            [
                ("unknown_postal_code", GeoSeverity::Error),
                ("commune_mismatch", GeoSeverity::Warning)
            ]
        );
        // INSEE of another area.
        let f = check_commune("74008", Some("97302"), "Cayenne");
        assert_eq!(codes(&f)[0], ("insee_postal_mismatch", GeoSeverity::Error));
        assert_eq!(
            codes(&check_commune("7400", None, "Annecy")),
            [("unknown_postal_code", GeoSeverity::Error)]
        );
    }

    #[test]
    fn territory_table() {
        assert_eq!(territories().len(), 13);
        let t = |cp| territory_of_postal_code(cp).map(|t| t.id.as_str());
        assert_eq!(t("74360"), Some("mainland"));
        assert_eq!(t("01000"), Some("mainland"));
        assert_eq!(t("95000"), Some("mainland"));
        assert_eq!(t("20000"), Some("corsica"));
        assert_eq!(t("97100"), Some("guadeloupe"));
        assert_eq!(t("97133"), Some("saint_barthelemy"));
        assert_eq!(t("97150"), Some("saint_martin"));
        assert_eq!(t("97200"), Some("martinique"));
        assert_eq!(t("97300"), Some("guyane"));
        assert_eq!(t("97400"), Some("reunion"));
        assert_eq!(t("97500"), Some("saint_pierre_et_miquelon"));
        assert_eq!(t("97600"), Some("mayotte"));
        assert_eq!(t("98600"), Some("wallis_et_futuna"));
        assert_eq!(t("98714"), Some("polynesie_francaise"));
        assert_eq!(t("98800"), Some("nouvelle_caledonie"));
        assert_eq!(t("98000"), None);
        assert_eq!(t("00100"), None);
        assert_eq!(t("9740"), None);
        // Every postal code of the list lies in a territory, except none.
        let missing: Vec<&str> = Communes::shipped()
            .iter()
            .flat_map(|c| c.postal_codes.iter())
            .filter(|cp| territory_of_postal_code(cp).is_none())
            .map(String::as_str)
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn coordinates_on_real_points() {
        // Hinaura venue 0, Abondance.
        assert_eq!(
            check_coordinates("74360", 46.27947045, 6.720031881096503),
            None
        );
        // Ajaccio, Saint-Denis (La Réunion), Cayenne, Nouméa, Papeete, Mamoudzou, Mata-Utu.
        assert_eq!(check_coordinates("20000", 41.9192, 8.7386), None);
        assert_eq!(check_coordinates("97400", -20.8823, 55.4504), None);
        assert_eq!(check_coordinates("97300", 4.9372, -52.3260), None);
        assert_eq!(check_coordinates("98800", -22.2758, 166.4580), None);
        assert_eq!(check_coordinates("98714", -17.5350, -149.5696), None);
        assert_eq!(check_coordinates("97600", -12.7806, 45.2278), None);
        assert_eq!(check_coordinates("98600", -13.2825, -176.1736), None);
        // Swapped.
        let f = check_coordinates("74360", 6.720031881096503, 46.27947045).unwrap();
        assert_eq!(f.code, GeoCode::CoordinatesSwapped);
        let f = check_coordinates("97300", -52.3260, 4.9372).unwrap();
        assert_eq!(f.code, GeoCode::CoordinatesSwapped);
        // Swapped with a longitude beyond 90 as the latitude: still "swapped".
        let f = check_coordinates("98800", 166.4580, -22.2758).unwrap();
        assert_eq!(f.code, GeoCode::CoordinatesSwapped);
        // Out of range.
        let f = check_coordinates("74360", 146.2, 6.7).unwrap();
        assert_eq!(
            (f.code, f.field),
            (GeoCode::CoordinatesOutOfRange, "latitude")
        );
        let f = check_coordinates("74360", f64::NAN, 6.7).unwrap();
        assert_eq!(f.code, GeoCode::CoordinatesOutOfRange);
        assert_eq!(check_coordinates("98000", 43.73, 7.42), None);
        assert_eq!(
            check_coordinates("98000", 43.73, 190.0).unwrap().code,
            GeoCode::CoordinatesOutOfRange
        );
        // A Cayenne point given a mainland postal code; (0, 0).
        let f = check_coordinates("74360", 4.9372, -52.3260).unwrap();
        assert_eq!(f.code, GeoCode::CoordinatesOutsideTerritory);
        assert!(f.message.contains("Guyane"), "{}", f.message);
        assert_eq!(
            check_coordinates("97400", 0.0, 0.0).unwrap().code,
            GeoCode::CoordinatesOutsideTerritory
        );
        // Ajaccio's point with a mainland code.
        assert_eq!(
            check_coordinates("13001", 41.9192, 8.7386).unwrap().code,
            GeoCode::CoordinatesOutsideTerritory
        );
    }

    #[test]
    fn territory_table_rejects_bad_rows() {
        let head = "id\tname\tpostal_prefixes\tmin_lat\tmax_lat\tmin_lon\tmax_lon\tsource\n";
        assert!(parse_territories(&format!("{head}a\tA\t01-03\t1\t2\t1\t2\ts\n")).is_ok());
        assert!(parse_territories(&format!("{head}a\tA\t03-01\t1\t2\t1\t2\ts\n")).is_err());
        assert!(parse_territories(&format!("{head}a\tA\t01\t2\t1\t1\t2\ts\n")).is_err());
        assert!(
            parse_territories(&format!(
                "{head}a\tA\t01\t1\t2\t1\t2\ts\nb\tB\t01\t1\t2\t1\t2\ts\n"
            ))
            .is_err()
        );
        assert!(parse_territories("a\tb\n").is_err());
    }

    #[test]
    fn pivots() {
        assert_eq!(siret_status("00000000000000"), PivotStatus::Placeholder);
        // The INSEE's example SIRET (732 829 320 00074) and La Poste's head office.
        assert_eq!(siret_status("73282932000074"), PivotStatus::Siret);
        assert_eq!(siret_status("35600000000048"), PivotStatus::Siret);
        // A La Poste establishment: Luhn fails, the digit sum (35) is a multiple of 5.
        assert!(!luhn_valid(b"35600000040773"));
        assert_eq!(siret_status("35600000040773"), PivotStatus::Siret);
        assert_eq!(
            siret_status("35600000040774"),
            PivotStatus::InvalidSiretChecksum
        );
        // The same digit-sum rule does not apply to other SIRENs.
        assert_eq!(
            siret_status("73282932000075"),
            PivotStatus::InvalidSiretChecksum
        );
        assert_eq!(siret_status("W9R2003255"), PivotStatus::Rna);
        assert_eq!(siret_status("W751234567"), PivotStatus::Rna);
        assert_eq!(siret_status("1234567001"), PivotStatus::Ridet);
        assert_eq!(siret_status("732829320"), PivotStatus::Ridet);
        assert_eq!(siret_status("42"), PivotStatus::Unrecognised);
        assert_eq!(siret_status("732 829 320 00074"), PivotStatus::Unrecognised);
        assert_eq!(siret_status(""), PivotStatus::Unrecognised);
    }
}
