//! Runs the hand-written mandate scenarios of `tests/vectors/mandate_scenarios/` and
//! compares every event outcome and decision with `tests/vectors/mandate_scenarios.tsv`.

use inclusif_conformance::{read_tsv, vector_dir};
use inclusif_core::mandate::scenario::{Scenario, run};

#[test]
fn scenario_vectors() {
    let rows = read_tsv("mandate_scenarios.tsv");
    let mut checked = 0;
    let names: std::collections::BTreeSet<String> =
        rows.iter().map(|r| r["scenario"].clone()).collect();
    for name in names {
        let text = std::fs::read_to_string(
            vector_dir()
                .join("mandate_scenarios")
                .join(format!("{name}.json")),
        )
        .unwrap();
        let scenario: Scenario = serde_json::from_str(&text).unwrap();
        let result = run(&scenario).unwrap();
        for row in rows.iter().filter(|r| r["scenario"] == name) {
            let i: usize = row["index"].parse().unwrap();
            let why = &row["why"];
            match row["kind"].as_str() {
                "event" => {
                    let e = &result.events[i - 1];
                    if row["expect"] == "ok" {
                        assert!(e.ok, "event {i} ({why}): {:?}", e.message);
                        assert_eq!(
                            e.mandate.map_or("-".to_owned(), |m| m.to_string()),
                            row["mandate"],
                            "event {i} ({why})"
                        );
                        let revoked: Vec<String> =
                            e.revoked.iter().map(|(m, d)| format!("{m}/{d}")).collect();
                        let revoked = if revoked.is_empty() {
                            "-".to_owned()
                        } else {
                            revoked.join(";")
                        };
                        assert_eq!(revoked, row["revoked"], "event {i} ({why})");
                    } else {
                        assert_eq!(
                            e.error,
                            Some(row["expect"].as_str()),
                            "event {i} ({why}): {:?}",
                            e.message
                        );
                    }
                }
                "decision" => {
                    let d = &result.decisions[i - 1];
                    if row["expect"] == "allowed" {
                        assert!(d.allowed, "decision {i} ({why}): {:?}", d.reasons);
                        assert_eq!(
                            d.mandate.map(|m| m.to_string()).as_deref(),
                            Some(row["mandate"].as_str()),
                            "decision {i} ({why})"
                        );
                    } else {
                        assert!(!d.allowed, "decision {i} ({why})");
                        assert_eq!(d.reasons.join(";"), row["reasons"], "decision {i} ({why})");
                    }
                }
                k => panic!("unknown kind {k}"),
            }
            checked += 1;
        }
        assert_eq!(
            checked,
            result.events.len() + result.decisions.len(),
            "every event and decision has a row"
        );
    }
}
