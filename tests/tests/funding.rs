//! Runs `tests/vectors/funding.tsv` against inclusif-core's funding module. The Python
//! and Kotlin suites read the same file.

use inclusif_conformance::read_tsv;
use inclusif_core::funding::{Euros, FundingError, Request, RuleBook, compute};

/// Builds the request object from a row's `programme` and `params`, as every language does.
fn request(programme: &str, params: &str) -> Result<Request, String> {
    let mut fields = Vec::new();
    fields.push(format!("\"programme\":\"{programme}\""));
    for pair in params.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').expect("key=value");
        let value = if v == "true"
            || v == "false"
            || (!v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
                && !(v.len() > 1 && v.starts_with('0')))
        {
            v.to_owned()
        } else {
            format!("\"{}\"", v.replace('"', "\\\""))
        };
        fields.push(format!("\"{k}\":{value}"));
    }
    let json = format!("{{{}}}", fields.join(","));
    serde_json::from_str(&json).map_err(|e| e.to_string())
}

fn code_of(message: &str) -> &'static str {
    FundingError::code_in_message(message).unwrap_or("invalid_input")
}

#[test]
fn funding_vectors() {
    let book = RuleBook::default();
    let rows = read_tsv("funding.tsv");
    assert!(rows.len() >= 40);
    for row in rows {
        let name = &row["name"];
        let got = request(&row["programme"], &row["params"])
            .map_err(|m| code_of(&m).to_owned())
            .and_then(|r| compute(&book, &r).map_err(|e| e.code().to_owned()));
        match (row["expect"].as_str(), got) {
            ("ok", Ok(b)) => {
                assert_eq!(
                    b.total,
                    Euros::parse(&row["total"], "total").unwrap(),
                    "{name}"
                );
                if row["lines"] != "-" {
                    for pair in row["lines"].split(';') {
                        let (label, amount) = pair.split_once('=').unwrap();
                        let line = b
                            .line(label)
                            .unwrap_or_else(|| panic!("{name}: no line {label:?} in {b}"));
                        let want = Euros::parse(amount, "line").unwrap();
                        let got = if line.rounding.is_some() {
                            line.amount
                        } else {
                            line.amount.round(inclusif_core::funding::Rounding::CENT)
                        };
                        assert_eq!(got, want, "{name}: {label}");
                    }
                }
            }
            (expect, Err(code)) => assert_eq!(code, expect, "{name}"),
            (expect, Ok(b)) => panic!("{name}: expected {expect}, got {}", b.total),
        }
    }
}
