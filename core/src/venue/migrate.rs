//! Migration of venue records from the standard's v0.1 (v0.1.1) to v1.0.2, driven by a
//! mapping table shipped as data (`core/data/venue-migration-v0.1-to-v1.0.2.tsv`, version
//! [`MIGRATION_TABLE_VERSION`]) that a caller can replace whole with
//! [`MigrationTable::from_tsv`].
//!
//! The table has one line per v0.1 field (kept, renamed, a list, an enumeration, split
//! into several v1 fields, or removed), one line per v1 field with no v0.1 source, and one
//! line per v0.1 enumerated value (mapped to one or more v1 values, or to the extension
//! column), each with the reason for the choice.
//!
//! Lists: a v0.1 `;`-list becomes a v1 `|`-list, each item trimmed, empty items dropped
//! and duplicates (after mapping) removed; each of these steps is a [`MigrationNote`].
//! `horaires` is not a list: its `;` is OpenStreetMap rule syntax and is copied as is.
//!
//! # The extension column `extension_v0`
//! v0.1 information that v1.0.2 has no field or value for is never dropped: it goes to
//! the column [`EXTENSION_COLUMN`] (`extension_v0`, not part of v1.0.2, so v1 readers
//! see an unknown column they may ignore). Its cell is a `|`-list of `key=value` items:
//! - items the table names (`frais=Accepte le Pass numérique`, `frais=Adhésion`,
//!   `label=APTIC`, `accompagnement=A ma place`, `public=Adultes`, …);
//! - removed fields with content, under the table's key (`cle_ban=13001_3079_00001`);
//! - values the table does not know, and fields it does not know, under their v0.1 field
//!   name (`services=Initiation au code`), reported as `unknown_value`.
//!
//! In a value, `\` is written `\\` and `|` is written `\|`; the key is everything before
//! the first `=`. [`extension_items`] reads the cell back.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use super::error::VenueError;
use super::read::RawRecord;

/// The version of the shipped migration table.
pub const MIGRATION_TABLE_VERSION: u32 = 1;
/// The shipped migration table (TSV).
pub const SHIPPED_MIGRATION_TABLE: &str =
    include_str!("../../data/venue-migration-v0.1-to-v1.0.2.tsv");
/// The table's name in [`VenueError::Table`] errors.
pub const MIGRATION_TABLE_NAME: &str = "venue-migration-v0.1-to-v1.0.2.tsv";
/// The extension column of migrated records (not part of v1.0.2).
pub const EXTENSION_COLUMN: &str = "extension_v0";
/// The 32 fields of v1.0.2, in the schema's order (a migrated file's columns are these
/// and then [`EXTENSION_COLUMN`]).
pub const V1_0_2_COLUMNS: [&str; 32] = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
];

/// The v0.1 `conditions_acces` value (its label before ` : `) declaring Pass numérique
/// acceptance.
pub const PASS_NUMERIQUE_V0_LABEL: &str = "Accepte le Pass numérique";
/// The extension item key under which the shipped table keeps v0.1 access conditions
/// with no v1 value.
pub const PASS_NUMERIQUE_EXTENSION_KEY: &str = "frais";

const HEADER: &str = "kind\told_field\told_value\tnew_field\tnew_values\twhy";

/// What a field line of the table does with a v0.1 field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Same name in v1; the text is copied.
    Keep,
    /// A new name in v1; the text is copied.
    Rename,
    /// A `;`-list of free values, re-joined with `|` (renamed when the name differs).
    List,
    /// A `;`-list of enumerated values, each mapped by a value line; one target field.
    Enum,
    /// As [`FieldKind::Enum`], with several target fields (each value line names one).
    Split,
    /// No v1 field: a non-empty value becomes an extension item.
    Remove,
    /// A v1 field with no v0.1 source (left empty).
    New,
}

impl FieldKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "keep" => FieldKind::Keep,
            "rename" => FieldKind::Rename,
            "list" => FieldKind::List,
            "enum" => FieldKind::Enum,
            "split" => FieldKind::Split,
            "remove" => FieldKind::Remove,
            "new" => FieldKind::New,
            _ => return None,
        })
    }
}

/// A field line of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldRule {
    /// What is done.
    pub kind: FieldKind,
    /// The v0.1 field (`None` for [`FieldKind::New`]).
    pub old_field: Option<String>,
    /// The v1 field(s): one, several for [`FieldKind::Split`], none for
    /// [`FieldKind::Remove`].
    pub new_fields: Vec<String>,
    /// For [`FieldKind::Remove`]: the extension key that keeps a non-empty value.
    pub extension_key: Option<String>,
    /// The reason.
    pub why: String,
    /// The table line (1-based).
    pub line: usize,
}

/// Where a v0.1 enumerated value goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum ValueTarget {
    /// One or more v1 values of one v1 field.
    Values {
        /// The v1 field.
        field: String,
        /// The v1 values.
        values: Vec<String>,
    },
    /// No v1 home: an extension item.
    Extension {
        /// The item's key.
        key: String,
        /// The item's value.
        value: String,
    },
}

/// A value line of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValueRule {
    /// The v0.1 field.
    pub old_field: String,
    /// The v0.1 value, as the table writes it.
    pub old_value: String,
    /// Where it goes.
    pub target: ValueTarget,
    /// The reason.
    pub why: String,
    /// The table line (1-based).
    pub line: usize,
}

/// The v0.1 → v1.0.2 mapping table. [`Default`] is the shipped table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationTable {
    fields: Vec<FieldRule>,
    field_index: BTreeMap<String, usize>,
    values: Vec<ValueRule>,
    value_index: BTreeMap<(String, String), usize>,
}

impl Default for MigrationTable {
    fn default() -> Self {
        // The shipped table is checked by this module's tests.
        Self::from_tsv(SHIPPED_MIGRATION_TABLE).expect("the shipped migration table is valid")
    }
}

fn table_error(line: usize, rule: impl Into<String>) -> VenueError {
    VenueError::Table {
        table: MIGRATION_TABLE_NAME,
        line,
        rule: rule.into(),
    }
}

/// A field name: non-empty, not `-`, no whitespace, no `=` or `|`.
fn check_name(s: &str, line: usize, column: &str) -> Result<(), VenueError> {
    if s.is_empty() || s == "-" || s.chars().any(|c| c.is_whitespace() || c == '=' || c == '|') {
        return Err(table_error(
            line,
            format!("{column} {s:?} is not a field name"),
        ));
    }
    Ok(())
}

fn dash(s: &str, line: usize, column: &str, kind: &str) -> Result<(), VenueError> {
    if s != "-" {
        return Err(table_error(
            line,
            format!("{column} must be - on a {kind} line, got {s:?}"),
        ));
    }
    Ok(())
}

/// The key under which values are looked up: trimmed, typographic apostrophes as `'`,
/// non-breaking spaces as spaces, runs of white space as one space.
fn lookup_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['\u{2019}', '\u{2018}'], "'")
}

impl MigrationTable {
    /// Reads a table in the shipped TSV format: `#` comments and blank lines ignored, the
    /// header line `kind old_field old_value new_field new_values why` first, then one
    /// rule a line (6 tab-separated cells, `-` for not applicable). Errors name the line
    /// and the rule broken ([`VenueError::Table`]).
    pub fn from_tsv(text: &str) -> Result<Self, VenueError> {
        let mut table = MigrationTable {
            fields: Vec::new(),
            field_index: BTreeMap::new(),
            values: Vec::new(),
            value_index: BTreeMap::new(),
        };
        // Every v1 field some line fills, to refuse two sources for one field.
        let mut targets: BTreeMap<String, usize> = BTreeMap::new();
        let mut header_seen = false;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            if !header_seen {
                if raw != HEADER {
                    return Err(table_error(
                        line,
                        format!("the header line must be {HEADER:?}"),
                    ));
                }
                header_seen = true;
                continue;
            }
            let c: Vec<&str> = raw.split('\t').collect();
            if c.len() != 6 {
                return Err(table_error(
                    line,
                    format!("6 tab-separated cells expected, got {}", c.len()),
                ));
            }
            if let Some(cell) = c.iter().find(|s| s.is_empty() || s.trim() != **s) {
                return Err(table_error(
                    line,
                    format!("cell {cell:?} is empty or has surrounding spaces (write - for none)"),
                ));
            }
            let (kind, old_field, old_value, new_field, new_values, why) =
                (c[0], c[1], c[2], c[3], c[4], c[5]);
            if why == "-" {
                return Err(table_error(line, "every line gives its reason (why)"));
            }
            match kind {
                "value" | "extension" => table
                    .value_line(kind, old_field, old_value, new_field, new_values, why, line)?,
                _ => {
                    let kind = FieldKind::parse(kind).ok_or_else(|| {
                        table_error(
                            line,
                            format!(
                                "kind {kind:?} is not keep, rename, list, enum, split, remove, \
                                 new, value or extension"
                            ),
                        )
                    })?;
                    table.field_line(
                        kind,
                        old_field,
                        old_value,
                        new_field,
                        new_values,
                        why,
                        line,
                        &mut targets,
                    )?;
                }
            }
        }
        if !header_seen {
            return Err(table_error(0, "no header line"));
        }
        Ok(table)
    }

    #[allow(clippy::too_many_arguments)]
    fn field_line(
        &mut self,
        kind: FieldKind,
        old_field: &str,
        old_value: &str,
        new_field: &str,
        new_values: &str,
        why: &str,
        line: usize,
        targets: &mut BTreeMap<String, usize>,
    ) -> Result<(), VenueError> {
        dash(old_value, line, "old_value", "field")?;
        let (old, new_fields, extension_key) = match kind {
            FieldKind::New => {
                dash(old_field, line, "old_field", "new")?;
                dash(new_values, line, "new_values", "new")?;
                check_name(new_field, line, "new_field")?;
                (None, vec![new_field.to_owned()], None)
            }
            FieldKind::Remove => {
                check_name(old_field, line, "old_field")?;
                if new_field != EXTENSION_COLUMN {
                    return Err(table_error(
                        line,
                        format!("a remove line's new_field is {EXTENSION_COLUMN}"),
                    ));
                }
                check_name(new_values, line, "the extension key (new_values)")?;
                (
                    Some(old_field.to_owned()),
                    Vec::new(),
                    Some(new_values.to_owned()),
                )
            }
            FieldKind::Split => {
                check_name(old_field, line, "old_field")?;
                dash(new_values, line, "new_values", "split")?;
                let fields: Vec<String> = new_field.split('|').map(str::to_owned).collect();
                if fields.len() < 2 {
                    return Err(table_error(
                        line,
                        "a split line names two or more '|'-separated new fields",
                    ));
                }
                for f in &fields {
                    check_name(f, line, "new_field")?;
                }
                (Some(old_field.to_owned()), fields, None)
            }
            FieldKind::Keep | FieldKind::Rename | FieldKind::List | FieldKind::Enum => {
                check_name(old_field, line, "old_field")?;
                check_name(new_field, line, "new_field")?;
                dash(new_values, line, "new_values", "field")?;
                if kind == FieldKind::Keep && old_field != new_field {
                    return Err(table_error(
                        line,
                        format!("a keep line keeps the name: {old_field} vs {new_field}"),
                    ));
                }
                if kind == FieldKind::Rename && old_field == new_field {
                    return Err(table_error(
                        line,
                        format!("a rename line changes the name ({old_field}); use keep"),
                    ));
                }
                (Some(old_field.to_owned()), vec![new_field.to_owned()], None)
            }
        };
        if let Some(old) = &old {
            if old == EXTENSION_COLUMN {
                return Err(table_error(
                    line,
                    format!("{EXTENSION_COLUMN} is the extension column, not a v0.1 field"),
                ));
            }
            if let Some(first) = self.field_index.get(old) {
                return Err(table_error(
                    line,
                    format!(
                        "field {old} already has a line ({})",
                        self.fields[*first].line
                    ),
                ));
            }
        }
        for f in &new_fields {
            if f == EXTENSION_COLUMN {
                return Err(table_error(
                    line,
                    format!("{EXTENSION_COLUMN} is filled by remove and extension lines only"),
                ));
            }
            if let Some(first) = targets.insert(f.clone(), line) {
                return Err(table_error(
                    line,
                    format!("v1 field {f} is already filled by line {first}"),
                ));
            }
        }
        if let Some(old) = &old {
            self.field_index.insert(old.clone(), self.fields.len());
        }
        self.fields.push(FieldRule {
            kind,
            old_field: old,
            new_fields,
            extension_key,
            why: why.to_owned(),
            line,
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn value_line(
        &mut self,
        kind: &str,
        old_field: &str,
        old_value: &str,
        new_field: &str,
        new_values: &str,
        why: &str,
        line: usize,
    ) -> Result<(), VenueError> {
        let rule = self
            .field_index
            .get(old_field)
            .map(|&i| &self.fields[i])
            .filter(|r| matches!(r.kind, FieldKind::Enum | FieldKind::Split))
            .ok_or_else(|| {
                table_error(
                    line,
                    format!("{kind} line for {old_field:?}, which no earlier enum or split line declares"),
                )
            })?;
        if old_value == "-" {
            return Err(table_error(line, "a value line names its old_value"));
        }
        let target = if kind == "value" {
            if !rule.new_fields.iter().any(|f| f == new_field) {
                return Err(table_error(
                    line,
                    format!(
                        "new_field {new_field:?} is not a target of {old_field} ({})",
                        rule.new_fields.join(", ")
                    ),
                ));
            }
            let values: Vec<String> = new_values.split('|').map(str::to_owned).collect();
            let distinct: BTreeSet<&String> = values.iter().collect();
            if values
                .iter()
                .any(|v| v.is_empty() || v == "-" || v.trim() != v)
                || distinct.len() != values.len()
            {
                return Err(table_error(
                    line,
                    format!("new_values {new_values:?} is not a '|'-list of distinct values"),
                ));
            }
            ValueTarget::Values {
                field: new_field.to_owned(),
                values,
            }
        } else {
            if new_field != EXTENSION_COLUMN {
                return Err(table_error(
                    line,
                    format!("an extension line's new_field is {EXTENSION_COLUMN}"),
                ));
            }
            let (key, value) = new_values
                .split_once('=')
                .filter(|(k, v)| !v.is_empty() && check_name(k, line, "").is_ok())
                .ok_or_else(|| {
                    table_error(
                        line,
                        format!("new_values {new_values:?} is not a key=value extension item"),
                    )
                })?;
            ValueTarget::Extension {
                key: key.to_owned(),
                value: value.to_owned(),
            }
        };
        let index_key = (old_field.to_owned(), lookup_key(old_value));
        if let Some(&first) = self.value_index.get(&index_key) {
            return Err(table_error(
                line,
                format!(
                    "{old_field} value {old_value:?} already has a line ({})",
                    self.values[first].line
                ),
            ));
        }
        self.value_index.insert(index_key, self.values.len());
        self.values.push(ValueRule {
            old_field: old_field.to_owned(),
            old_value: old_value.to_owned(),
            target,
            why: why.to_owned(),
            line,
        });
        Ok(())
    }

    /// The field lines, in table order.
    pub fn fields(&self) -> &[FieldRule] {
        &self.fields
    }

    /// The value lines, in table order.
    pub fn values(&self) -> &[ValueRule] {
        &self.values
    }

    /// The number of rule lines (field and value lines).
    pub fn len(&self) -> usize {
        self.fields.len() + self.values.len()
    }

    /// Whether the table has no rule line.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The line for a v0.1 field.
    pub fn field_rule(&self, old_field: &str) -> Option<&FieldRule> {
        self.field_index.get(old_field).map(|&i| &self.fields[i])
    }

    /// The line for a v0.1 enumerated value. Matching ignores surrounding and repeated
    /// white space, and typographic apostrophes (`’`) match `'`.
    pub fn value_rule(&self, old_field: &str, old_value: &str) -> Option<&ValueRule> {
        self.value_index
            .get(&(old_field.to_owned(), lookup_key(old_value)))
            .map(|&i| &self.values[i])
    }
}

/// What a migration note says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteCode {
    /// A field took its v1 name (once per record and field).
    Renamed,
    /// An enumerated value became one or more v1 values of the same field.
    ValueMapped,
    /// An enumerated value of a split field went to one of its v1 fields.
    Split,
    /// A value with no v1 home went to the extension column.
    ToExtension,
    /// A blank field or an empty list item was dropped.
    DroppedEmpty,
    /// A value (or a field) the table does not know: kept in the extension column.
    UnknownValue,
    /// A v1 value already present in its field (after mapping) was not repeated.
    Deduplicated,
    /// A field v1 removed: its value, if any, went to the extension column.
    RemovedField,
}

impl NoteCode {
    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteCode::Renamed => "renamed",
            NoteCode::ValueMapped => "value_mapped",
            NoteCode::Split => "split",
            NoteCode::ToExtension => "to_extension",
            NoteCode::DroppedEmpty => "dropped_empty",
            NoteCode::UnknownValue => "unknown_value",
            NoteCode::Deduplicated => "deduplicated",
            NoteCode::RemovedField => "removed_field",
        }
    }
}

impl fmt::Display for NoteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change made by the migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationNote {
    /// The record's row.
    pub row: usize,
    /// The v0.1 field.
    pub field: String,
    /// The v0.1 value (a whole cell, or one list item), as written.
    pub old_value: String,
    /// Where it went: the v1 field, [`EXTENSION_COLUMN`], or `None` (dropped).
    pub new_field: Option<String>,
    /// The v1 value(s), or the extension item (`key=value`, unescaped); for
    /// `deduplicated`, the value not repeated.
    pub new_values: Vec<String>,
    /// What happened.
    pub code: NoteCode,
}

impl fmt::Display for MigrationNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "row {}: {} {:?}: {}",
            self.row, self.field, self.old_value, self.code
        )?;
        if let Some(to) = &self.new_field {
            write!(f, " -> {to} {:?}", self.new_values)?;
        }
        Ok(())
    }
}

/// Counts over a migrated file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MigrationSummary {
    /// Records migrated (all of them: migration never rejects a record).
    pub records: usize,
    /// Notes per code.
    pub notes: BTreeMap<NoteCode, usize>,
    /// Records with a non-empty extension column.
    pub records_with_extension: usize,
    /// Records per extension item (`key=value`, unescaped).
    pub extension_items: BTreeMap<String, usize>,
    /// Occurrences per unknown value or field (`field=value`).
    pub unknown_values: BTreeMap<String, usize>,
}

/// A migrated file: the v1.0.2 records (same order and rows), every note, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Migration {
    /// The migrated records.
    pub records: Vec<RawRecord>,
    /// Every change, record by record.
    pub notes: Vec<MigrationNote>,
    /// The counts.
    pub summary: MigrationSummary,
}

fn escape_extension_value(v: &str) -> String {
    v.replace('\\', "\\\\").replace('|', "\\|")
}

/// The items of a record's extension column (`key`, `value` unescaped), in order. An
/// item without `=` has an empty value.
pub fn extension_items(record: &RawRecord) -> Vec<(String, String)> {
    let Some(cell) = record.get(EXTENSION_COLUMN) else {
        return Vec::new();
    };
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = cell.chars();
    let mut push = |s: &mut String| {
        if !s.is_empty() {
            let (k, v) = s.split_once('=').unwrap_or((s.as_str(), ""));
            items.push((k.to_owned(), v.to_owned()));
        }
        s.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => current.push(chars.next().unwrap_or('\\')),
            '|' => push(&mut current),
            c => current.push(c),
        }
    }
    push(&mut current);
    items
}

/// Whether a venue declares that it accepts the Pass numérique, from a v0.1 record
/// (`conditions_acces`) or a migrated v1 record (its extension column).
///
/// - `Some(true)`: v0.1 `conditions_acces` lists "Accepte le Pass numérique", or the
///   extension column holds `frais=Accepte le Pass numérique`.
/// - `Some(false)`: v0.1 `conditions_acces` is given without it; or a migrated record
///   (one with an extension column) declares its access conditions (`frais_a_charge`, or
///   `frais=…` / `conditions_acces=…` extension items) without it.
/// - `None`: the record does not say. v1.0.2 has no field for it, so a record never
///   migrated from v0.1 gives `None`; so does a migrated record whose extension column is
///   empty (its v0.1 conditions had only values with a v1 home).
///
/// The APTIC label (`label=APTIC`) is not read as acceptance: label rules decide that.
pub fn accepts_pass_numerique(record: &RawRecord) -> Option<bool> {
    let is_pass = |v: &str| {
        let v = lookup_key(v);
        let label = v.split_once(" :").map_or(v.as_str(), |(l, _)| l.trim());
        label.eq_ignore_ascii_case(PASS_NUMERIQUE_V0_LABEL)
    };
    if let Some(conditions) = record.get("conditions_acces") {
        return Some(conditions.split(';').any(is_pass));
    }
    let items = extension_items(record);
    if items
        .iter()
        .any(|(k, v)| (k == PASS_NUMERIQUE_EXTENSION_KEY || k == "conditions_acces") && is_pass(v))
    {
        return Some(true);
    }
    let declared = record.get("frais_a_charge").is_some()
        || items
            .iter()
            .any(|(k, _)| k == PASS_NUMERIQUE_EXTENSION_KEY || k == "conditions_acces");
    (declared && !items.is_empty()).then_some(false)
}

/// Collects one record's output: lists per v1 field, extension items, notes.
struct Builder {
    row: usize,
    fields: BTreeMap<String, String>,
    lists: Vec<(String, Vec<String>)>,
    extension: Vec<(String, String)>,
    notes: Vec<MigrationNote>,
}

impl Builder {
    fn note(
        &mut self,
        field: &str,
        old_value: &str,
        new_field: Option<&str>,
        new_values: Vec<String>,
        code: NoteCode,
    ) {
        self.notes.push(MigrationNote {
            row: self.row,
            field: field.to_owned(),
            old_value: old_value.to_owned(),
            new_field: new_field.map(str::to_owned),
            new_values,
            code,
        });
    }

    /// Adds a value to a v1 list field, noting a duplicate instead of repeating it.
    fn push_list(&mut self, old_field: &str, old_value: &str, field: &str, value: &str) {
        let i = match self.lists.iter().position(|(f, _)| f == field) {
            Some(i) => i,
            None => {
                self.lists.push((field.to_owned(), Vec::new()));
                self.lists.len() - 1
            }
        };
        if self.lists[i].1.iter().any(|v| v == value) {
            self.note(
                old_field,
                old_value,
                Some(field),
                vec![value.to_owned()],
                NoteCode::Deduplicated,
            );
        } else {
            self.lists[i].1.push(value.to_owned());
        }
    }

    /// Adds an extension item after the note explaining it, noting a duplicate instead of
    /// repeating it.
    fn push_extension(
        &mut self,
        old_field: &str,
        old_value: &str,
        key: &str,
        value: &str,
        code: NoteCode,
    ) {
        let item = format!("{key}={value}");
        self.note(
            old_field,
            old_value,
            Some(EXTENSION_COLUMN),
            vec![item.clone()],
            code,
        );
        if self.extension.iter().any(|(k, v)| k == key && v == value) {
            self.note(
                old_field,
                old_value,
                Some(EXTENSION_COLUMN),
                vec![item],
                NoteCode::Deduplicated,
            );
        } else {
            self.extension.push((key.to_owned(), value.to_owned()));
        }
    }

    /// A v0.1 `;`-list's items, trimmed; empty items are noted and dropped.
    fn items<'a>(&mut self, field: &str, cell: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        for item in cell.split(';') {
            let item = item.trim();
            if item.is_empty() {
                self.note(field, cell, None, Vec::new(), NoteCode::DroppedEmpty);
            } else {
                out.push(item);
            }
        }
        out
    }
}

/// Migrates one v0.1 record to v1.0.2 field names and values (lists joined with `|`),
/// with [`EXTENSION_COLUMN`] for what v1 cannot hold, and the notes of every change.
/// The record's row is kept. Fields the table keeps are copied as they are (normalising
/// phone numbers or white space is validation's job).
pub fn migrate_record(
    record: &RawRecord,
    table: &MigrationTable,
) -> (RawRecord, Vec<MigrationNote>) {
    let mut b = Builder {
        row: record.row,
        fields: BTreeMap::new(),
        lists: Vec::new(),
        extension: Vec::new(),
        notes: Vec::new(),
    };
    for rule in &table.fields {
        let Some(old) = rule.old_field.as_deref() else {
            continue;
        };
        let Some(cell) = record.fields.get(old) else {
            continue;
        };
        if cell.trim().is_empty() {
            b.note(old, cell, None, Vec::new(), NoteCode::DroppedEmpty);
            continue;
        }
        let new = rule.new_fields.first().map(String::as_str).unwrap_or("");
        if new != old
            && matches!(
                rule.kind,
                FieldKind::Rename | FieldKind::List | FieldKind::Enum
            )
        {
            b.note(old, cell, Some(new), Vec::new(), NoteCode::Renamed);
        }
        match rule.kind {
            FieldKind::New => {}
            FieldKind::Keep | FieldKind::Rename => {
                b.fields.insert(new.to_owned(), cell.clone());
            }
            FieldKind::Remove => {
                let key = rule.extension_key.as_deref().unwrap_or(old);
                b.push_extension(old, cell, key, cell, NoteCode::RemovedField);
            }
            FieldKind::List => {
                for item in b.items(old, cell) {
                    b.push_list(old, item, new, item);
                }
            }
            FieldKind::Enum | FieldKind::Split => {
                for item in b.items(old, cell) {
                    match table.value_rule(old, item).map(|r| &r.target) {
                        Some(ValueTarget::Values { field, values }) => {
                            let code = if rule.kind == FieldKind::Split {
                                NoteCode::Split
                            } else {
                                NoteCode::ValueMapped
                            };
                            b.note(old, item, Some(field), values.clone(), code);
                            for v in values {
                                b.push_list(old, item, field, v);
                            }
                        }
                        Some(ValueTarget::Extension { key, value }) => {
                            b.push_extension(old, item, key, value, NoteCode::ToExtension);
                        }
                        None => b.push_extension(old, item, old, item, NoteCode::UnknownValue),
                    }
                }
            }
        }
    }
    for (field, cell) in &record.fields {
        if table.field_index.contains_key(field) {
            continue;
        }
        if field == EXTENSION_COLUMN {
            // A record migrated before: its items are carried over as they are.
            for (k, v) in extension_items(record) {
                if !b.extension.iter().any(|(k2, v2)| *k2 == k && *v2 == v) {
                    b.extension.push((k, v));
                }
            }
        } else if cell.trim().is_empty() {
            b.note(field, cell, None, Vec::new(), NoteCode::DroppedEmpty);
        } else {
            b.push_extension(field, cell, field, cell, NoteCode::UnknownValue);
        }
    }
    let Builder {
        row,
        mut fields,
        lists,
        extension,
        notes,
    } = b;
    for (field, values) in lists {
        if !values.is_empty() {
            fields.insert(field, values.join("|"));
        }
    }
    if !extension.is_empty() {
        let cell = extension
            .iter()
            .map(|(k, v)| format!("{k}={}", escape_extension_value(v)))
            .collect::<Vec<_>>()
            .join("|");
        fields.insert(EXTENSION_COLUMN.to_owned(), cell);
    }
    (RawRecord { row, fields }, notes)
}

/// Migrates every record of a v0.1 file (none is rejected), with all notes and counts.
pub fn migrate_file(records: &[RawRecord], table: &MigrationTable) -> Migration {
    let mut out = Migration::default();
    for record in records {
        let (migrated, notes) = migrate_record(record, table);
        let s = &mut out.summary;
        s.records += 1;
        for n in &notes {
            *s.notes.entry(n.code).or_default() += 1;
            if n.code == NoteCode::UnknownValue {
                *s.unknown_values
                    .entry(format!("{}={}", n.field, n.old_value))
                    .or_default() += 1;
            }
        }
        let items = extension_items(&migrated);
        if !items.is_empty() {
            s.records_with_extension += 1;
        }
        for (k, v) in items {
            *s.extension_items.entry(format!("{k}={v}")).or_default() += 1;
        }
        out.records.push(migrated);
        out.notes.extend(notes);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, &str)]) -> RawRecord {
        RawRecord {
            row: 7,
            fields: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    fn codes(notes: &[MigrationNote]) -> Vec<&'static str> {
        notes.iter().map(|n| n.code.as_str()).collect()
    }

    #[test]
    fn the_shipped_table_reads() {
        let t = MigrationTable::default();
        assert_eq!(t.len(), 77);
        assert_eq!(t.fields().len(), 31);
        assert!(
            SHIPPED_MIGRATION_TABLE.contains(&format!("table version {MIGRATION_TABLE_VERSION} "))
        );
        let v1: BTreeSet<&str> = t
            .fields()
            .iter()
            .flat_map(|r| r.new_fields.iter().map(String::as_str))
            .collect();
        assert_eq!(v1, V1_0_2_COLUMNS.into_iter().collect());
    }

    #[test]
    fn renamed_field_and_kept_text() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(
            &record(&[
                ("accessibilite", "https://acceslibre.beta.gouv.fr/x"),
                ("horaires", "Mo-Fr 09:00-12:00; Sa 10:00-12:00"),
            ]),
            &t,
        );
        assert_eq!(r.row, 7);
        assert_eq!(
            r.get("fiche_acces_libre"),
            Some("https://acceslibre.beta.gouv.fr/x")
        );
        assert_eq!(r.get("horaires"), Some("Mo-Fr 09:00-12:00; Sa 10:00-12:00"));
        assert_eq!(codes(&notes), ["renamed"]);
        assert_eq!(notes[0].new_field.as_deref(), Some("fiche_acces_libre"));
    }

    #[test]
    fn value_mapped_one_to_many_and_deduplicated() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(
            &record(&[(
                "services",
                "Accéder à du matériel;Promouvoir la citoyenneté numérique;Accéder à une connexion internet",
            )]),
            &t,
        );
        assert_eq!(
            r.get("services"),
            Some(
                "Accès internet et matériel informatique|Compréhension du monde numérique|\
                 Utilisation sécurisée du numérique"
            )
        );
        assert_eq!(
            codes(&notes),
            [
                "value_mapped",
                "value_mapped",
                "value_mapped",
                "deduplicated"
            ]
        );
        assert_eq!(notes[1].new_values.len(), 2);
        assert_eq!(notes[3].old_value, "Accéder à une connexion internet");
        assert_eq!(
            notes[3].new_values,
            ["Accès internet et matériel informatique"]
        );
    }

    #[test]
    fn split_and_to_extension() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(
            &record(&[
                (
                    "publics_accueillis",
                    "Adultes;Uniquement femmes;Personnes en situation d'illettrisme",
                ),
                (
                    "conditions_acces",
                    "Payant : L'accès au lieu et/ou à ses services est payant;Accepte le Pass \
                     numérique : Il est possible d'utiliser un Pass numérique pour accéder au lieu",
                ),
                ("labels_nationaux", "CNFS;APTIC;Fabriques de Territoire"),
            ]),
            &t,
        );
        assert_eq!(r.get("publics_specifiquement_adresses"), Some("Femmes"));
        assert_eq!(r.get("prise_en_charge_specifique"), Some("Illettrisme"));
        assert_eq!(r.get("frais_a_charge"), Some("Payant"));
        assert_eq!(
            r.get("dispositif_programmes_nationaux"),
            Some("Conseillers numériques")
        );
        assert_eq!(r.get("formations_labels"), Some("Fabriques de Territoire"));
        assert_eq!(
            r.get(EXTENSION_COLUMN),
            Some("public=Adultes|frais=Accepte le Pass numérique|label=APTIC")
        );
        assert_eq!(
            codes(&notes),
            [
                "to_extension",
                "split",
                "split",
                "renamed",
                "value_mapped",
                "to_extension",
                "split",
                "to_extension",
                "split"
            ]
        );
        assert_eq!(accepts_pass_numerique(&r), Some(true));
    }

    #[test]
    fn unknown_values_and_fields_go_to_the_extension() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(
            &record(&[
                (
                    "services",
                    "Initiation au code|robotique;Créer avec le numérique",
                ),
                ("champ_maison", "a=b\\c"),
            ]),
            &t,
        );
        assert_eq!(r.get("services"), Some("Loisirs et créations numériques"));
        assert_eq!(
            r.get(EXTENSION_COLUMN),
            Some("services=Initiation au code\\|robotique|champ_maison=a=b\\\\c")
        );
        assert_eq!(
            extension_items(&r),
            [
                (
                    "services".to_owned(),
                    "Initiation au code|robotique".to_owned()
                ),
                ("champ_maison".to_owned(), "a=b\\c".to_owned())
            ]
        );
        assert_eq!(
            codes(&notes),
            ["unknown_value", "value_mapped", "unknown_value"]
        );
        assert_eq!(notes[0].old_value, "Initiation au code|robotique");
    }

    #[test]
    fn dropped_empty_items_and_fields() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(
            &record(&[
                ("site_web", "https://a.fr/; ;https://b.fr/;"),
                ("typologie", "   "),
            ]),
            &t,
        );
        assert_eq!(r.get("site_web"), Some("https://a.fr/|https://b.fr/"));
        assert!(!r.fields.contains_key("typologie"));
        assert_eq!(
            codes(&notes),
            ["dropped_empty", "dropped_empty", "dropped_empty"]
        );
        assert!(notes.iter().all(|n| n.new_field.is_none()));
    }

    #[test]
    fn removed_field_keeps_its_value() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(&record(&[("cle_ban", "13001_3079_00001")]), &t);
        assert_eq!(r.get(EXTENSION_COLUMN), Some("cle_ban=13001_3079_00001"));
        assert_eq!(codes(&notes), ["removed_field"]);
        assert_eq!(notes[0].new_values, ["cle_ban=13001_3079_00001"]);
    }

    #[test]
    fn lenient_matching_and_repeated_extension_items() {
        let t = MigrationTable::default();
        let (r, notes) = migrate_record(
            &record(&[(
                "modalites_accompagnement",
                " Avec de l\u{2019}aide :  je suis accompagné seul dans l'usage du numérique;\
                 A ma place : une personne habilitée fait les démarches à ma place;\
                 A ma place : une personne habilitée fait les démarches à ma place",
            )]),
            &t,
        );
        assert_eq!(
            r.get("modalites_accompagnement"),
            Some("Accompagnement individuel")
        );
        assert_eq!(r.get(EXTENSION_COLUMN), Some("accompagnement=A ma place"));
        assert_eq!(
            codes(&notes),
            [
                "value_mapped",
                "to_extension",
                "to_extension",
                "deduplicated"
            ]
        );
    }

    #[test]
    fn pass_numerique_from_either_form() {
        let v0 = record(&[(
            "conditions_acces",
            "Gratuit : Je peux accéder gratuitement au lieu et à ses services",
        )]);
        assert_eq!(accepts_pass_numerique(&v0), Some(false));
        assert_eq!(accepts_pass_numerique(&record(&[])), None);
        assert_eq!(
            accepts_pass_numerique(&record(&[("frais_a_charge", "Gratuit")])),
            None
        );
        assert_eq!(
            accepts_pass_numerique(&record(&[
                ("frais_a_charge", "Gratuit"),
                (EXTENSION_COLUMN, "public=Adultes")
            ])),
            Some(false)
        );
        assert_eq!(
            accepts_pass_numerique(&record(&[(
                EXTENSION_COLUMN,
                "frais=Accepte le Pass numérique"
            )])),
            Some(true)
        );
    }

    #[test]
    fn table_errors_name_line_and_rule() {
        let head = format!("# comment\n{HEADER}\n");
        let bad = |body: &str| {
            let e = MigrationTable::from_tsv(&format!("{head}{body}")).unwrap_err();
            match e {
                VenueError::Table { table, line, rule } => {
                    assert_eq!(table, MIGRATION_TABLE_NAME);
                    (line, rule)
                }
                e => panic!("{e}"),
            }
        };
        assert_eq!(bad("keep\ta\t-\ta\n").0, 3);
        assert!(bad("keep\ta\t-\tb\t-\tx\n").1.contains("keeps the name"));
        assert!(bad("frob\ta\t-\ta\t-\tx\n").1.contains("kind"));
        assert!(
            bad("keep\ta\t-\ta\t-\tx\nkeep\ta\t-\ta\t-\ty\n")
                .1
                .contains("already")
        );
        assert!(bad("value\ts\tv\ts\tw\tx\n").1.contains("no earlier enum"));
        assert!(
            bad("enum\ts\t-\ts\t-\tx\nvalue\ts\tv\tother\tw\tx\n")
                .1
                .contains("not a target")
        );
        assert!(
            bad("enum\ts\t-\ts\t-\tx\nextension\ts\tv\textension_v0\tnokey\tx\n")
                .1
                .contains("key=value")
        );
        assert!(bad("keep\ta\t-\ta\t-\t-\n").1.contains("reason"));
        assert_eq!(
            bad("keep\ta\t-\ta\t-\tx\nrename\tb\t-\ta\t-\tx\n"),
            (4, "v1 field a is already filled by line 3".to_owned())
        );
        let e = MigrationTable::from_tsv("keep\ta\t-\ta\t-\tx\n").unwrap_err();
        assert_eq!(e.code(), "table");
        let ok = MigrationTable::from_tsv(&format!("{head}keep\ta\t-\ta\t-\tx\n")).unwrap();
        assert_eq!(ok.len(), 1);
    }
}
