//! Property tests of the venue readers: any text reads to records or a `malformed_file`
//! error (never a panic), validation reports everything it finds without panicking, and
//! CSV written by `write_csv` reads back to the same records; plus the merge of two files.

use chrono::NaiveDate;
use inclusif_core::venue::validate::{Options, validate};
use inclusif_core::venue::{
    RawFile, RawRecord, Version, merge, read_any, read_csv, read_json, write_csv,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_reads_or_fails_cleanly(text in "\\PC{0,300}") {
        match read_any(&text) {
            Ok(file) => {
                for v in [None, Some(Version::V0_1), Some(Version::V1_0_2)] {
                    let r = validate(&file, &Options { version: v, today: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap() });
                    prop_assert_eq!(r.rows, file.records.len());
                    prop_assert!(r.valid_rows <= r.rows);
                }
            }
            Err(e) => prop_assert_eq!(e.code(), "malformed_file"),
        }
    }

    #[test]
    fn csv_write_then_read_is_the_identity(rows in proptest::collection::vec(proptest::collection::vec("[^\\u{0}]{0,12}", 3), 1..8)) {
        let columns = ["id", "nom", "services"];
        let records: Vec<RawRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, cells)| RawRecord {
                row: i + 2,
                fields: columns.iter().zip(cells).filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
            })
            .collect();
        let text = write_csv(&records, &columns);
        let back = read_csv(&text).unwrap();
        prop_assert_eq!(back.records, records);
    }
}

#[test]
fn merging_two_producers_reports_the_same_venue() {
    let a = read_json(r#"[{"id":"1","pivot":"43493312300029","nom":"Médiathèque Bonlieu","commune":"Annecy","code_postal":"74000","adresse":"1 rue Jean Jaurès","latitude":45.9,"longitude":6.127,"date_maj":"2024-01-01"}]"#).unwrap();
    let b = read_json(r#"[{"id":"x9","pivot":"43493312300029","nom":"Mediatheque Bonlieu","commune":"Annecy","code_postal":"74000","adresse":"1, rue Jean-Jaurès","latitude":45.9001,"longitude":6.1271,"date_maj":"2024-02-01"},
                         {"id":"x10","pivot":"00000000000000","nom":"Autre lieu","commune":"Lyon","code_postal":"69001","adresse":"2 place","date_maj":"2024-02-01"}]"#).unwrap();
    let files: [(&str, &RawFile); 2] = [("hub-a", &a), ("hub-b", &b)];
    let m = merge(&files);
    assert_eq!(m.records.len(), 3, "nothing is dropped");
    assert_eq!(m.records[0].get("id"), Some("hub-a:1"));
    assert_eq!(m.duplicates.len(), 1, "{:?}", m.duplicates);
    assert_eq!((m.duplicates[0].a, m.duplicates[0].b), (0, 1));
}
