//! The standard's own schemas (Frictionless Table Schema, shipped unchanged as
//! `core/data/venue-schema-v1.0.2.json` and `venue-schema-v0.1.1.json`), read into field
//! rules: required, unique, maximum length, type, and the closed lists that the list
//! patterns spell out (`(?:(?:^|\|)(A|B|C))+$`: values of a `|`-list, `;` in v0.1).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

/// A version of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
pub enum Version {
    /// v0.1 (2022; schema v0.1.1): lists separated by `;`.
    #[serde(rename = "0.1")]
    V0_1,
    /// v1.0.2 (2024): lists separated by `|`.
    #[serde(rename = "1.0.2")]
    V1_0_2,
}

impl Version {
    /// The list separator.
    pub const fn separator(self) -> char {
        match self {
            Version::V0_1 => ';',
            Version::V1_0_2 => '|',
        }
    }

    /// `0.1` or `1.0.2`.
    pub const fn name(self) -> &'static str {
        match self {
            Version::V0_1 => "0.1",
            Version::V1_0_2 => "1.0.2",
        }
    }
}

/// A field's type in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Text.
    String,
    /// A decimal number.
    Number,
    /// An ISO 8601 date.
    Date,
}

/// One field's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// Name.
    pub name: String,
    /// Type.
    pub kind: FieldType,
    /// Required.
    pub required: bool,
    /// Unique in the file.
    pub unique: bool,
    /// Longest value, in characters.
    pub max_length: Option<usize>,
    /// The closed list of values, when the field is a list of enumerated values.
    pub allowed: Option<BTreeSet<String>>,
    /// A scalar pattern (checked by hand code: `pivot`, `code_postal`, `code_insee`, `telephone`).
    pub pattern: Option<String>,
}

/// A version's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schema {
    /// Which version.
    pub version: Version,
    /// Fields in the schema's order.
    pub fields: Vec<FieldSpec>,
}

impl Schema {
    /// A field's rules.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The shipped schema of a version.
    pub fn of(version: Version) -> &'static Schema {
        static V1: OnceLock<Schema> = OnceLock::new();
        static V0: OnceLock<Schema> = OnceLock::new();
        match version {
            Version::V1_0_2 => V1.get_or_init(|| {
                parse(
                    include_str!("../../data/venue-schema-v1.0.2.json"),
                    Version::V1_0_2,
                )
                .expect("the shipped v1.0.2 schema parses (tested)")
            }),
            Version::V0_1 => V0.get_or_init(|| {
                parse(
                    include_str!("../../data/venue-schema-v0.1.1.json"),
                    Version::V0_1,
                )
                .expect("the shipped v0.1.1 schema parses (tested)")
            }),
        }
    }
}

#[derive(Deserialize)]
struct RawSchema {
    fields: Vec<RawField>,
}

#[derive(Deserialize)]
struct RawField {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    constraints: RawConstraints,
}

#[derive(Deserialize, Default)]
struct RawConstraints {
    #[serde(default)]
    required: bool,
    #[serde(default)]
    unique: bool,
    #[serde(rename = "maxLength")]
    max_length: Option<usize>,
    pattern: Option<String>,
}

/// The values of a list pattern `(?:(?:^|\|)(A|B|C))+$` (or `;`), unescaped; `None` for
/// any other pattern.
pub fn list_pattern_values(pattern: &str) -> Option<Vec<String>> {
    let inner = pattern
        .strip_prefix("(?:(?:^|\\|)(")
        .or_else(|| pattern.strip_prefix("(?:(?:^|;)("))?
        .strip_suffix("))+$")?;
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.push(chars.next()?),
            '|' => values.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    values.push(current);
    Some(values)
}

/// Parses a Frictionless schema of the standard.
pub fn parse(json: &str, version: Version) -> Result<Schema, String> {
    let raw: RawSchema = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let fields = raw
        .fields
        .into_iter()
        .map(|f| {
            let kind = match f.kind.as_str() {
                "string" => FieldType::String,
                "number" => FieldType::Number,
                "date" => FieldType::Date,
                k => return Err(format!("field {}: type {k} is not handled", f.name)),
            };
            let (allowed, pattern) = match f.constraints.pattern {
                Some(p) => match list_pattern_values(&p) {
                    Some(v) => (Some(v.into_iter().collect()), None),
                    None => (None, Some(p)),
                },
                None => (None, None),
            };
            Ok(FieldSpec {
                name: f.name,
                kind,
                required: f.constraints.required,
                unique: f.constraints.unique,
                max_length: f.constraints.max_length,
                allowed,
                pattern,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Schema { version, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemas_parse_with_their_lists() {
        let v1 = Schema::of(Version::V1_0_2);
        assert_eq!(v1.fields.len(), 32);
        let services = v1.field("services").unwrap().allowed.as_ref().unwrap();
        assert_eq!(services.len(), 9);
        assert!(services.contains("Aide aux démarches administratives"));
        // The schema's own spelling, without the space the documentation has.
        let labels = v1
            .field("formations_labels")
            .unwrap()
            .allowed
            .as_ref()
            .unwrap();
        assert!(labels.contains("Étapes numériques(La Poste)"));
        assert!(labels.contains("Formé à « DUPLEX » (illettrisme)"));
        assert_eq!(
            v1.field("presentation_resume").unwrap().max_length,
            Some(280)
        );
        assert!(v1.field("id").unwrap().unique);
        assert_eq!(
            v1.field("pivot").unwrap().pattern.as_deref(),
            Some("^[a-zA-Z0-9]{9,14}$")
        );
        let v0 = Schema::of(Version::V0_1);
        assert_eq!(v0.fields.len(), 29);
        assert_eq!(
            v0.field("services")
                .unwrap()
                .allowed
                .as_ref()
                .unwrap()
                .len(),
            15
        );
        assert!(v0.field("services").unwrap().required);
        assert!(!v1.field("services").unwrap().required);
    }

    #[test]
    fn list_patterns() {
        assert_eq!(
            list_pattern_values(r"(?:(?:^|\|)(A|B \(x\)|C))+$").unwrap(),
            vec!["A", "B (x)", "C"]
        );
        assert_eq!(list_pattern_values(r"(?:(?:^|;)(A))+$").unwrap(), vec!["A"]);
        assert!(list_pattern_values(r"^\d{5}$").is_none());
    }
}
