//! Migration v0.1 → v1.0.2 on the real Hinaura file (687 venues) and against both
//! schemas of the standard: every v0.1 enumerated value has a table line, every value
//! the table produces is a v1.0.2 value, nothing is lost.

use std::collections::{BTreeMap, BTreeSet};

use inclusif_core::venue::migrate::{
    EXTENSION_COLUMN, MigrationTable, NoteCode, V1_0_2_COLUMNS, ValueTarget,
    accepts_pass_numerique, extension_items, migrate_file,
};
use inclusif_core::venue::{RawRecord, read_json};

/// Records whose v0.1 access conditions all have a v1 value and that carry no other
/// extension item: after migration nothing tells them from a native v1 record, so the
/// Pass numérique answer fades from `Some(false)` to `None`.
const GAP: usize = 41;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/venues/");

fn shared(name: &str) -> String {
    let path = format!("{DATA}{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("the real data file {path} is required by these tests and cannot be read: {e}")
    })
}

fn hinaura() -> Vec<RawRecord> {
    let file = read_json(&shared("hinaura-2021-2022.standard-v0.json")).unwrap();
    assert_eq!(
        file.records.len(),
        687,
        "the shipped Hinaura file has 687 venues"
    );
    file.records
}

/// A schema's fields, and for each enumerated field its values, read from the pattern
/// `(?:(?:^|SEP)(A|B|…))+$` (SEP `;` in v0.1, `\|` in v1).
struct Schema {
    fields: Vec<String>,
    enums: BTreeMap<String, BTreeSet<String>>,
}

fn schema(name: &str) -> Schema {
    let json: serde_json::Value = serde_json::from_str(&shared(name)).unwrap();
    let mut fields = Vec::new();
    let mut enums = BTreeMap::new();
    for f in json["fields"].as_array().unwrap() {
        let field = f["name"].as_str().unwrap().to_owned();
        fields.push(field.clone());
        let Some(pattern) = f["constraints"]["pattern"].as_str() else {
            continue;
        };
        let Some(inner) = pattern
            .strip_prefix("(?:(?:^|;)(")
            .or_else(|| pattern.strip_prefix("(?:(?:^|\\|)("))
            .and_then(|p| p.strip_suffix("))+$"))
        else {
            continue; // a single-value pattern (code postal, telephone…)
        };
        let mut values = BTreeSet::new();
        let mut current = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => current.push(chars.next().unwrap()),
                '|' => assert!(values.insert(std::mem::take(&mut current)), "{inner}"),
                c => current.push(c),
            }
        }
        values.insert(current);
        enums.insert(field, values);
    }
    Schema { fields, enums }
}

#[test]
fn the_schemas_read_as_expected() {
    let v0 = schema("schema-v0.1.1.json");
    let v1 = schema("schema-v1.0.2.json");
    assert_eq!(v0.fields.len(), 29);
    assert_eq!(v1.fields.len(), 32);
    assert_eq!(v0.enums["services"].len(), 15);
    assert_eq!(v1.enums["services"].len(), 9);
    assert_eq!(v0.enums.len(), 5);
    assert_eq!(v1.enums.len(), 9);
    // The schema quirk (no space before the parenthesis) is kept as the schema writes it.
    assert!(v1.enums["formations_labels"].contains("Étapes numériques(La Poste)"));
    assert_eq!(V1_0_2_COLUMNS.to_vec(), v1.fields);
}

#[test]
fn every_v0_value_has_a_line_and_every_target_is_a_v1_value() {
    let table = MigrationTable::default();
    let v0 = schema("schema-v0.1.1.json");
    let v1 = schema("schema-v1.0.2.json");
    for field in &v0.fields {
        assert!(
            table.field_rule(field).is_some(),
            "v0.1 field {field} has no line"
        );
    }
    let mut seen = 0;
    for (field, values) in &v0.enums {
        for value in values {
            let rule = table
                .value_rule(field, value)
                .unwrap_or_else(|| panic!("v0.1 {field} value {value:?} has no line"));
            assert_eq!(&rule.old_value, value, "written exactly as in the schema");
            seen += 1;
        }
    }
    assert_eq!(seen, table.values().len(), "no line for a value v0.1 lacks");
    assert_eq!(seen, 46);
    for rule in table.values() {
        if let ValueTarget::Values { field, values } = &rule.target {
            for v in values {
                assert!(
                    v1.enums[field].contains(v),
                    "line {}: {v:?} is not a v1.0.2 value of {field}",
                    rule.line
                );
            }
        }
    }
    // The 15 services become the 9, each old value to at least one new one.
    let produced: BTreeSet<&String> = table
        .values()
        .iter()
        .filter(|r| r.old_field == "services")
        .flat_map(|r| match &r.target {
            ValueTarget::Values { values, .. } => values.iter(),
            ValueTarget::Extension { .. } => panic!("every v0.1 service has a v1 home"),
        })
        .collect();
    assert_eq!(produced.len(), 9);
}

#[test]
fn the_real_file_migrates_whole() {
    let records = hinaura();
    let table = MigrationTable::default();
    let m = migrate_file(&records, &table);
    assert_eq!(m.records.len(), 687);
    assert_eq!(m.summary.records, 687);
    for (before, after) in records.iter().zip(&m.records) {
        assert_eq!(before.row, after.row);
        assert_eq!(before.get("id"), after.get("id"));
    }

    // Nothing unknown: every distinct old value of the file has a table line.
    let unknown: Vec<_> = m
        .notes
        .iter()
        .filter(|n| n.code == NoteCode::UnknownValue)
        .collect();
    assert!(unknown.is_empty(), "unknown values: {unknown:?}");
    for r in &records {
        for (field, cell) in &r.fields {
            let rule = table
                .field_rule(field)
                .unwrap_or_else(|| panic!("row {}: field {field} has no line", r.row));
            if rule.new_fields.len() > 1 || field == "services" || field == "conditions_acces" {
                for item in cell.split(';') {
                    assert!(table.value_rule(field, item).is_some(), "{field} {item:?}");
                }
            }
        }
    }

    // Pass numérique: 91 records keep it in the extension column, and the typed helper
    // reads the same answer before and after.
    let with_pass = |r: &RawRecord| {
        extension_items(r)
            .iter()
            .any(|(k, v)| k == "frais" && v == "Accepte le Pass numérique")
    };
    assert_eq!(m.records.iter().filter(|r| with_pass(r)).count(), 91);
    assert_eq!(
        m.summary.extension_items["frais=Accepte le Pass numérique"],
        91
    );
    let count = |rs: &[RawRecord], want: Option<bool>| {
        rs.iter()
            .filter(|r| accepts_pass_numerique(r) == want)
            .count()
    };
    assert_eq!(count(&records, Some(true)), 91);
    assert_eq!(count(&m.records, Some(true)), 91);
    for (before, after) in records.iter().zip(&m.records) {
        if accepts_pass_numerique(before) == Some(true) {
            assert_eq!(accepts_pass_numerique(after), Some(true));
        }
        // A "false" can only fade to "unknown" (no extension column), never flip.
        if let (Some(a), Some(b)) = (
            accepts_pass_numerique(before),
            accepts_pass_numerique(after),
        ) {
            assert_eq!(a, b, "row {}", before.row);
        }
    }
    let no_before = count(&records, Some(false));
    let no_after = count(&m.records, Some(false));
    assert_eq!(no_before, 664 - 91);
    assert_eq!(no_after, no_before - GAP);

    // The other v0.1 information with no v1 home, record counts.
    let items = &m.summary.extension_items;
    assert_eq!(items["frais=Adhésion"], 160);
    assert_eq!(items["accompagnement=A ma place"], 131);
    assert_eq!(items["public=Adultes"], 637);
    assert_eq!(items.len(), 4);

    // Notes add up.
    let mut by_code: BTreeMap<NoteCode, usize> = BTreeMap::new();
    for n in &m.notes {
        *by_code.entry(n.code).or_default() += 1;
    }
    assert_eq!(by_code, m.summary.notes);
    assert_eq!(by_code[&NoteCode::Renamed], 593 + 664); // courriel, conditions_acces
    assert_eq!(by_code[&NoteCode::ToExtension], 91 + 160 + 131 + 637);
    assert!(!by_code.contains_key(&NoteCode::RemovedField));
    assert!(!by_code.contains_key(&NoteCode::DroppedEmpty));
}

#[test]
fn migrated_records_use_v1_names_and_values_only() {
    let v1 = schema("schema-v1.0.2.json");
    let names: BTreeSet<&str> = v1
        .fields
        .iter()
        .map(String::as_str)
        .chain([EXTENSION_COLUMN])
        .collect();
    let m = migrate_file(&hinaura(), &MigrationTable::default());
    let mut checked = 0;
    for r in &m.records {
        for (field, cell) in &r.fields {
            assert!(
                names.contains(field.as_str()),
                "row {}: {field} is not a v1.0.2 field",
                r.row
            );
            assert!(!cell.trim().is_empty());
            if let Some(allowed) = v1.enums.get(field) {
                let values: Vec<&str> = cell.split('|').collect();
                let distinct: BTreeSet<&str> = values.iter().copied().collect();
                assert_eq!(
                    distinct.len(),
                    values.len(),
                    "row {}: {field} repeats",
                    r.row
                );
                for v in values {
                    assert!(
                        allowed.contains(v),
                        "row {}: {field} value {v:?} is not a v1.0.2 value",
                        r.row
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 5000, "{checked}");
}

#[test]
fn record_0_hand_checked() {
    let records = hinaura();
    let table = MigrationTable::default();
    let m = migrate_file(&records[..1], &table);
    let r = &m.records[0];
    assert_eq!(r.row, 1);
    let expected: BTreeMap<&str, &str> = [
        ("id", "0"),
        ("nom", "MAISON DE SERVICES AU PUBLIC D'ABONDANCE"),
        ("pivot", "00000000000000"),
        ("commune", "ABONDANCE"),
        ("code_postal", "74360"),
        ("adresse", "PLACE DU CHAMP DE FOIRE"),
        ("latitude", "46.27947045"),
        ("longitude", "6.720031881096503"),
        ("horaires", "Tu-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"),
        ("source", "Hinaura"),
        ("date_maj", "2021-05-05"),
        // Connexion internet + matériel are one v1 service; santé and démarches
        // accompagnées are one too: 4 old values, 2 new ones.
        (
            "services",
            "Accès internet et matériel informatique|Aide aux démarches administratives",
        ),
        (
            "publics_specifiquement_adresses",
            "Familles et/ou enfants|Jeunes|Seniors",
        ),
        (
            "prise_en_charge_specifique",
            "Surdité|Handicaps mentaux|Illettrisme|Déficience visuelle",
        ),
        ("frais_a_charge", "Gratuit"),
        ("modalites_accompagnement", "Accompagnement individuel"),
        (EXTENSION_COLUMN, "public=Adultes"),
    ]
    .into_iter()
    .collect();
    let got: BTreeMap<&str, &str> = r
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(got, expected);

    let notes: Vec<(&str, &str, &str)> = m
        .notes
        .iter()
        .map(|n| (n.code.as_str(), n.field.as_str(), n.old_value.as_str()))
        .collect();
    assert_eq!(
        notes,
        [
            (
                "value_mapped",
                "services",
                "Accéder à une connexion internet"
            ),
            ("value_mapped", "services", "Accéder à du matériel"),
            ("deduplicated", "services", "Accéder à du matériel"),
            (
                "value_mapped",
                "services",
                "Accompagner les démarches de santé"
            ),
            (
                "value_mapped",
                "services",
                "Réaliser des démarches administratives avec un accompagnement"
            ),
            (
                "deduplicated",
                "services",
                "Réaliser des démarches administratives avec un accompagnement"
            ),
            ("to_extension", "publics_accueillis", "Adultes"),
            ("split", "publics_accueillis", "Familles/enfants"),
            ("split", "publics_accueillis", "Jeunes (16-26 ans)"),
            ("split", "publics_accueillis", "Seniors (+ 65 ans)"),
            ("split", "publics_accueillis", "Surdité"),
            (
                "split",
                "publics_accueillis",
                "Handicaps mentaux : déficiences limitant les activités d'une personne"
            ),
            (
                "split",
                "publics_accueillis",
                "Personnes en situation d'illettrisme"
            ),
            ("split", "publics_accueillis", "Déficience visuelle"),
            (
                "renamed",
                "conditions_acces",
                "Gratuit : Je peux accéder gratuitement au lieu et à ses services"
            ),
            (
                "value_mapped",
                "conditions_acces",
                "Gratuit : Je peux accéder gratuitement au lieu et à ses services"
            ),
            (
                "value_mapped",
                "modalites_accompagnement",
                "Avec de l'aide : je suis accompagné seul dans l'usage du numérique"
            ),
        ]
    );
    assert_eq!(accepts_pass_numerique(&records[0]), Some(false));
    assert_eq!(accepts_pass_numerique(r), Some(false));
}
