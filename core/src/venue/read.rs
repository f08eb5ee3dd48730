//! Reading venue files as they are: every value kept as text, every row numbered, so that
//! validation can report every problem of every row (nothing is dropped or fixed here).
//!
//! CSV (RFC 4180, with a header line) and JSON (an array of objects, numbers and
//! booleans kept as their JSON text) read into the same [`RawRecord`]s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::VenueError;

/// One row as read: field name → value (text), with its 1-based row number (for CSV,
/// the header is row 1 and the first record row 2; for JSON, the first object is row 1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RawRecord {
    /// Row number in the file.
    pub row: usize,
    /// Values by field name; an empty cell is absent.
    pub fields: BTreeMap<String, String>,
}

impl RawRecord {
    /// A value, if present and not blank.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }
}

/// What was read: the header (CSV) or the union of keys (JSON), and the records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawFile {
    /// Column names in file order.
    pub columns: Vec<String>,
    /// The records.
    pub records: Vec<RawRecord>,
}

/// Reads CSV with a header line. A row with a different number of cells than the header
/// is `malformed_row` (with its row), reported as an error since columns can't be matched.
pub fn read_csv(text: &str) -> Result<RawFile, VenueError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| VenueError::Malformed {
            row: 1,
            rule: format!("the header line cannot be read: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut records = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row_number = i + 2;
        let row = row.map_err(|e| VenueError::Malformed {
            row: row_number,
            rule: e.to_string(),
        })?;
        let fields = columns
            .iter()
            .zip(row.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.clone(), v.to_owned()))
            .collect();
        records.push(RawRecord {
            row: row_number,
            fields,
        });
    }
    Ok(RawFile { columns, records })
}

/// Reads a JSON array of objects (or a single object). Strings are kept as they are;
/// numbers and booleans as their JSON text; `null` as absent; nested arrays of strings
/// are joined with `|` (some producers write lists as arrays); other nesting is
/// `malformed_row`.
pub fn read_json(text: &str) -> Result<RawFile, VenueError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| VenueError::Malformed {
            row: 0,
            rule: format!("not JSON: {e}"),
        })?;
    let items = match value {
        serde_json::Value::Array(a) => a,
        v @ serde_json::Value::Object(_) => vec![v],
        _ => {
            return Err(VenueError::Malformed {
                row: 0,
                rule: "a JSON file of venues is an array of objects".into(),
            });
        }
    };
    let mut columns: Vec<String> = Vec::new();
    let mut records = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let row = i + 1;
        let serde_json::Value::Object(map) = item else {
            return Err(VenueError::Malformed {
                row,
                rule: "each venue is a JSON object".into(),
            });
        };
        let mut fields = BTreeMap::new();
        for (k, v) in map {
            if !columns.contains(&k) {
                columns.push(k.clone());
            }
            let text = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Array(a) => {
                    let parts: Option<Vec<String>> = a
                        .into_iter()
                        .map(|x| x.as_str().map(str::to_owned))
                        .collect();
                    parts
                        .ok_or_else(|| VenueError::Malformed {
                            row,
                            rule: format!("field {k}: a list must hold only strings"),
                        })?
                        .join("|")
                }
                serde_json::Value::Object(_) => {
                    return Err(VenueError::Malformed {
                        row,
                        rule: format!("field {k}: nested objects are not part of the standard"),
                    });
                }
            };
            if !text.is_empty() {
                fields.insert(k, text);
            }
        }
        records.push(RawRecord { row, fields });
    }
    Ok(RawFile { columns, records })
}

/// Writes records as CSV with the given columns (a header line first; values quoted
/// where CSV needs it). Fields not in `columns` are not written.
pub fn write_csv(records: &[RawRecord], columns: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to memory cannot fail.
    w.write_record(columns).expect("in memory");
    for r in records {
        w.write_record(
            columns
                .iter()
                .map(|c| r.fields.get(*c).map_or("", String::as_str)),
        )
        .expect("in memory");
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8 in, UTF-8 out")
}

/// Reads CSV or JSON, deciding by the first non-blank character (`[` or `{` is JSON).
pub fn read_any(text: &str) -> Result<RawFile, VenueError> {
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next()
    {
        Some('[') | Some('{') => read_json(text),
        _ => read_csv(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_json_read_the_same_record() {
        let csv = "id,nom,latitude,services\nv1,Médiathèque,45.5,A|B\n";
        let json =
            r#"[{"id":"v1","nom":"Médiathèque","latitude":45.5,"services":["A","B"],"x":null}]"#;
        let a = read_csv(csv).unwrap();
        let b = read_json(json).unwrap();
        assert_eq!(a.records[0].fields, b.records[0].fields);
        assert_eq!(a.records[0].row, 2);
        assert_eq!(b.records[0].row, 1);
        assert_eq!(read_any(json).unwrap().records.len(), 1);
    }

    #[test]
    fn csv_round_trip() {
        let a = read_csv("id,nom,services\nv1,\"Lieu, avec virgule\",A|B\nv2,Autre,\n").unwrap();
        let text = write_csv(&a.records, &["id", "nom", "services"]);
        let b = read_csv(&text).unwrap();
        assert_eq!(a.records, b.records);
    }

    #[test]
    fn broken_files_name_their_row() {
        let e = read_csv("id,nom\nv1\n").unwrap_err();
        assert_eq!(e.code(), "malformed_file");
        assert!(e.to_string().contains("row 2"), "{e}");
        assert_eq!(read_json("[1]").unwrap_err().code(), "malformed_file");
        assert_eq!(
            read_json(r#"[{"a":{"b":1}}]"#).unwrap_err().code(),
            "malformed_file"
        );
        assert_eq!(read_json("nope").unwrap_err().code(), "malformed_file");
    }
}
