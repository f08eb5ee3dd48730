//! The `inclusif` command line, run as a user would: real files, stdin and stdout.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn inclusif(args: &[&str], stdin: &str, dir: &std::path::Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_inclusif"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run inclusif");
    // A command that does not read stdin may exit before the input is written: a broken
    // pipe then is not a failure of the command (its exit status and output are checked).
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect()
}

fn stdout_json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn keygen_issue_trust_list_verify_and_short_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let issuer = stdout_json(&inclusif(
        &["voucher", "keygen", "--out", "issuer.key"],
        "",
        d,
    ));
    let root = stdout_json(&inclusif(
        &["voucher", "keygen", "--out", "root.key"],
        "",
        d,
    ));
    let issuer_pk = issuer["public_key"].as_str().unwrap();
    let root_pk = root["public_key"].as_str().unwrap();
    // keygen never overwrites a key.
    let again = inclusif(&["voucher", "keygen", "--out", "issuer.key"], "", d);
    assert_eq!(again.status.code(), Some(2));

    let csv = inclusif(
        &[
            "voucher",
            "issue",
            "--secret",
            "issuer.key",
            "--kid",
            "7",
            "--from",
            "2026-01-01",
            "--until",
            "2026-12-31",
            "--qr-dir",
            "qr",
        ],
        "",
        d,
    );
    assert!(
        csv.status.success(),
        "{}",
        String::from_utf8_lossy(&csv.stderr)
    );
    let csv = String::from_utf8(csv.stdout).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 10, "one booklet by default");
    assert_eq!(std::fs::read_dir(d.join("qr")).unwrap().count(), 10);
    let tokens: Vec<&str> = rows.iter().map(|r| r[8]).collect();

    // Trust list with the issuer key limited to scope 0 and 10 €.
    std::fs::write(
        d.join("keys.tsv"),
        format!("kid\tissuer\tpublic_key\tstatus\twindow_from\twindow_until\tmax_value_cents\tscopes\n7\taptic\t{issuer_pk}\tactive\t2025-01-01\t-\t1000\t0\n"),
    )
    .unwrap();
    let built = inclusif(
        &[
            "voucher",
            "trust-list",
            "build",
            "--root-secret",
            "root.key",
            "--sequence",
            "3",
            "--entries",
            "keys.tsv",
            "--issued-at",
            "2026-05-30T00:00:00Z",
            "--out",
            "trust.bin",
        ],
        "",
        d,
    );
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let shown = stdout_json(&inclusif(
        &[
            "voucher",
            "trust-list",
            "show",
            "--root-key",
            root_pk,
            "--at",
            "2026-06-01T00:00:00Z",
            "trust.bin",
        ],
        "",
        d,
    ));
    assert_eq!(shown["sequence"], 3);
    assert_eq!(shown["fresh"], true);
    assert_eq!(shown["entries"][0]["issuer"], "aptic");

    let mut input = tokens.join("\n");
    input.push_str("\nnot a token\n");
    let mut tampered = tokens[0].as_bytes().to_vec();
    tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
    input.push_str(std::str::from_utf8(&tampered).unwrap());
    input.push('\n');
    let out = inclusif(
        &[
            "voucher",
            "verify",
            "--trust-list",
            "trust.bin",
            "--root-key",
            root_pk,
            "--at",
            "2026-06-01T10:00:00Z",
        ],
        &input,
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 12);
    for (i, l) in lines.iter().take(10).enumerate() {
        assert_eq!(l["line"], i + 1);
        assert_eq!(l["ok"], true);
        assert_eq!(l["kid"], 7);
        assert_eq!(l["serial"], rows[i][0]);
        assert_eq!(l["short_code"], rows[i][1]);
        assert_eq!(l["value_cents"], 1000);
        assert_eq!(l["valid_from"], "2026-01-01");
        assert_eq!(l["valid_until"], "2026-12-31");
        assert_eq!(l["scope"], 0);
    }
    // The documented key order of a line.
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(
        first.starts_with("{\"line\":1,\"ok\":true,\"kid\":7,\"serial\":"),
        "{first}"
    );
    assert_eq!(lines[10]["error"], "malformed");
    assert!(
        matches!(lines[11]["error"].as_str(), Some("bad_signature")),
        "{}",
        lines[11]
    );

    // Same tokens after the list's 7 days: fail closed.
    let late = json_lines(&inclusif(
        &[
            "voucher",
            "verify",
            "--trust-list",
            "trust.bin",
            "--root-key",
            root_pk,
            "--at",
            "2026-06-07T00:00:01Z",
        ],
        tokens[0],
        d,
    ));
    assert_eq!(late[0]["error"], "trust_list_expired");

    // A verifier that saw sequence 4 refuses to go back to 3.
    let back = inclusif(
        &[
            "voucher",
            "verify",
            "--trust-list",
            "trust.bin",
            "--root-key",
            root_pk,
            "--min-sequence",
            "4",
        ],
        tokens[0],
        d,
    );
    assert_eq!(back.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&back.stderr).contains("trust_list_rollback"));

    // A stale list refuses every line, malformed ones included (fail closed).
    let late = json_lines(&inclusif(
        &[
            "voucher",
            "verify",
            "--trust-list",
            "trust.bin",
            "--root-key",
            root_pk,
            "--at",
            "2026-06-07T00:00:01Z",
        ],
        &format!("{}\nnot a token\n", tokens[0]),
        d,
    ));
    assert!(
        late.iter().all(|l| l["error"] == "trust_list_expired"),
        "{late:?}"
    );

    // Revoked serials by hex and by short code.
    std::fs::write(
        d.join("revoked.txt"),
        format!("{}\n{}\n", rows[0][0], rows[1][1]),
    )
    .unwrap();
    let key = format!("7:{issuer_pk}");
    let out = json_lines(&inclusif(
        &[
            "voucher",
            "verify",
            "--key",
            &key,
            "--revoked-serials",
            "revoked.txt",
            "--at",
            "2026-06-01T10:00:00Z",
        ],
        &tokens[..3].join("\n"),
        d,
    ));
    assert_eq!(out[0]["error"], "revoked_serial");
    assert_eq!(out[1]["error"], "revoked_serial");
    assert_eq!(out[2]["ok"], true);

    // Civil dates: 20:30 UTC on 31 December is already the new year in Réunion.
    let at = ["--at", "2026-12-31T20:30:00Z"];
    let reunion = json_lines(&inclusif(
        &[
            &["voucher", "verify", "--key", &key, "--tz", "Indian/Reunion"][..],
            &at,
        ]
        .concat(),
        tokens[2],
        d,
    ));
    assert_eq!(reunion[0]["error"], "expired");
    let paris = json_lines(&inclusif(
        &[&["voucher", "verify", "--key", &key][..], &at].concat(),
        tokens[2],
        d,
    ));
    assert_eq!(paris[0]["ok"], true);

    // Hand-typed input.
    let typed = tokens[2].to_lowercase().replace('0', "o");
    let out = json_lines(&inclusif(
        &[
            "voucher",
            "verify",
            "--key",
            &key,
            "--human",
            "--at",
            "2026-06-01T10:00:00Z",
        ],
        &typed,
        d,
    ));
    assert_eq!(out[0]["ok"], true);

    // Short codes and keypad codes.
    let mut codes = format!("{}\n{}\n", rows[0][1], rows[0][2]);
    let mut bad = rows[0][1].to_owned();
    let last = bad.pop().unwrap();
    bad.push(if last == 'A' { 'B' } else { 'A' });
    codes.push_str(&bad);
    let out = json_lines(&inclusif(&["voucher", "short-code"], &codes, d));
    assert_eq!(out[0]["serial"], rows[0][0]);
    assert_eq!(out[1]["serial"], rows[0][0]);
    assert_eq!(out[2]["error"], "bad_check_character");
}

#[test]
fn bad_bytes_are_refused_lines_not_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let key = "7:3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";
    for human in [false, true] {
        let mut args = vec!["voucher", "verify", "--key", key];
        if human {
            args.push("--human");
        }
        let mut input = b"\xff\xfe\r\n\n".to_vec();
        input.extend(std::iter::repeat_n(b'A', 1 << 20));
        input.extend_from_slice(b"\nPN1:\n");
        let mut child = Command::new(env!("CARGO_BIN_EXE_inclusif"))
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        let lines = json_lines(&out);
        assert_eq!(lines.len(), 4, "a megabyte line is one refused line");
        assert!(lines.iter().all(|l| l["error"] == "malformed"));
    }
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["voucher", "verify"],
        vec!["voucher", "verify", "--key", "7:zz"],
        vec!["voucher", "verify", "--key", "0:00"],
        vec!["voucher", "verify", "--key", "nokid"],
        vec![
            "voucher",
            "verify",
            "--key",
            "7:3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
            "--tz",
            "Mars/Olympus",
        ],
        vec![
            "voucher",
            "verify",
            "--key",
            "7:3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
            "--at",
            "yesterday",
        ],
        vec!["voucher", "verify", "--trust-list", "missing.bin"],
        vec!["voucher", "frobnicate"],
    ] {
        let out = inclusif(&args, "", dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn the_tour_runs_to_the_end() {
    let out = Command::new(env!("CARGO_BIN_EXE_tour"))
        .env("INCLUSIF_TOUR_PRINT_RUN", "2000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "already_redeemed",
        "bad_signature",
        "PN1:",
        "conflict, already redeemed at espace-numerique-lyon",
        "nothing changed",
        "integrity ok",
        "espace-numerique-lyon 1 cheque(s), face 1000 c, deduction 25 c",
        "250\u{202f}000\u{202f}000,00 €",
        "166\u{202f}286,00 €",
    ] {
        assert!(text.contains(needle), "the tour should show {needle}");
    }
}

#[test]
fn funding_compute_from_csv_and_json_with_codes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("requests.csv"),
        "programme,employer,territory,posts,on\nanct_estimate,public,75,3,2024-01-01\nanct_estimate,public,975,1,2024-01-01\ncnfs_first_wave,mixed,75,,2021-06-01\n",
    )
    .unwrap();
    let out = inclusif(
        &["funding", "compute", "--input", "requests.csv", "--json"],
        "",
        d,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines[0]["result"]["total"], "166286");
    assert_eq!(
        lines[0]["result"]["lines"][2]["rules"][0]["id"],
        "cnfs.v1.public.mainland"
    );
    assert_eq!(lines[1]["error"], "unknown_territory");
    assert_eq!(lines[2]["error"], "unknown_employer_type");

    let json = r#"[{"programme":"pass_call2020","bought":10000,"used":7000,"priority_publics":5000,"on":"2020-06-01"},
                   {"programme":"early_termination","subsidy":50000.5,"months_in_convention":24,"months_used":1,"paid_to_date":"0"}]"#;
    let out = inclusif(&["funding", "compute", "--input", "-", "--json"], json, d);
    let lines = json_lines(&out);
    assert_eq!(lines[0]["result"]["total"], "35000");
    assert_eq!(
        lines[1]["error"], "invalid_amount",
        "floats are refused: {}",
        lines[1]
    );

    // The explained text names rules, sources and formulas.
    let out = inclusif(&["funding", "compute", "--input", "requests.csv"], "", d);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("(50000 + 5428.828) × 3 = 166286.484"),
        "{text}"
    );
    assert!(
        text.contains("cnfs.cost.outfit [C1; from public code]"),
        "{text}"
    );
}

#[test]
fn funding_check_plan_simulate_and_rules() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("plan.json"),
        r#"{"envelopes":[{"id":"total","amount":"1000","balance":true},{"id":"a","amount":"600","parent":"total"}],
            "lines":[{"id":"x","envelope":"a","amount":"700"},{"id":"y","envelope":"b","amount":"1"},
                     {"id":"z","envelope":"total","amount":"300","unit":"100","quantity":"2"}]}"#,
    )
    .unwrap();
    let report = stdout_json(&inclusif(&["funding", "check-plan", "plan.json"], "", d));
    let codes: Vec<(&str, &str)> = report["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("y", "missing_envelope"),
            ("z", "line_does_not_add_up"),
            ("total", "envelope_unbalanced"),
            ("a", "envelope_overspent")
        ]
    );

    std::fs::write(
        d.join("structures.csv"),
        "structure_id,employer,territory,posts,qpv_or_zrr,renewed\nB,private,974,1,false,false\nA,public,75,2,true,true\n",
    )
    .unwrap();
    let out = inclusif(&["funding", "simulate", "--input", "structures.csv"], "", d);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[1].starts_with("A,public,mainland,2,100000,110858,40000,35000,25000,4,200000"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("B,private,reunion_mayotte,1,40000,37429,0,0,0,2,40000"),
        "{}",
        rows[2]
    );

    let rules =
        String::from_utf8(inclusif(&["funding", "rules", "--on", "2023-06-01"], "", d).stdout)
            .unwrap();
    assert!(
        rules.contains("france_services.forfait\t35000 €\t2023-01-01\t2025-12-31\tuncertain"),
        "{rules}"
    );
    assert!(!rules.contains("\t30000 €\t2019-01-01"));
}

#[test]
fn mandate_issue_verify_decide_attestation_and_journal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = stdout_json(&inclusif(&["voucher", "keygen", "--out", "org.key"], "", d));
    let pk = key["public_key"].as_str().unwrap();
    let issued = stdout_json(&inclusif(
        &[
            "mandate",
            "issue",
            "--secret",
            "org.key",
            "--kid",
            "3",
            "--organisation",
            "42",
            "--usager-sub",
            "fc-sub-camille",
            "--demarches",
            "papiers,social",
            "--duration",
            "LONG",
            "--at",
            "2026-03-01T09:30:00Z",
            "--qr-svg",
            "m.svg",
        ],
        "",
        d,
    ));
    assert_eq!(issued["expires_at"], "2027-03-01T09:30:00Z");
    assert!(
        std::fs::read_to_string(d.join("m.svg"))
            .unwrap()
            .starts_with("<?xml")
    );
    let token = issued["token"].as_str().unwrap();
    let key_arg = format!("3:{pk}");
    let input = format!(
        "{token}\n{}\nnot a token\n",
        issued["qr_payload"].as_str().unwrap()
    );
    let out = inclusif(
        &[
            "mandate",
            "verify",
            "--key",
            &key_arg,
            "--at",
            "2027-03-01T09:30:00Z",
            "--demarche",
            "social",
            "--usager-sub",
            "fc-sub-camille",
        ],
        &input,
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap()
        .to_owned();
    assert!(
        first.starts_with("{\"line\":1,\"ok\":true,\"kid\":3,\"organisation\":42,\"mandate_id\":"),
        "{first}"
    );
    assert_eq!(
        lines[0]["demarches"],
        serde_json::json!(["papiers", "social"])
    );
    assert_eq!(lines[0]["duration"], "LONG");
    assert_eq!(lines[0]["consent"], "in_person");
    assert_eq!(lines[1]["ok"], true);
    assert_eq!(lines[2]["error"], "malformed");
    let late = json_lines(&inclusif(
        &[
            "mandate",
            "verify",
            "--key",
            &key_arg,
            "--at",
            "2027-03-01T09:30:01Z",
        ],
        token,
        d,
    ));
    assert_eq!(late[0]["error"], "expired");
    std::fs::write(
        d.join("revoked.txt"),
        format!("{}\n", issued["mandate_id"].as_str().unwrap()),
    )
    .unwrap();
    let rev = json_lines(&inclusif(
        &[
            "mandate",
            "verify",
            "--key",
            &key_arg,
            "--at",
            "2026-06-01T00:00:00Z",
            "--revoked",
            "revoked.txt",
        ],
        token,
        d,
    ));
    assert_eq!(rev[0]["error"], "revoked_mandate");
    let bad = inclusif(
        &[
            "mandate",
            "verify",
            "--key",
            &key_arg,
            "--demarche",
            "sante",
        ],
        token,
        d,
    );
    assert_eq!(bad.status.code(), Some(2));

    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/mandate_scenarios/edge_cases.json"
    );
    let decided = stdout_json(&inclusif(&["mandate", "decide", scenario], "", d));
    assert_eq!(
        decided["events"][2]["revoked"],
        serde_json::json!([[1, "social"]])
    );
    assert_eq!(
        decided["decisions"][13]["reasons"],
        serde_json::json!(["consent_pending"])
    );
    let text = String::from_utf8(
        inclusif(
            &[
                "mandate",
                "attestation",
                scenario,
                "--mandate",
                "3",
                "--place",
                "Guéret",
                "--aidant-name",
                "Alice Durand",
            ],
            "",
            d,
        )
        .stdout,
    )
    .unwrap();
    assert!(
        text.contains("J'autorise CCAS de Guéret, en tant que mandataire"),
        "{text}"
    );

    let journal = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/journal/");
    let key = "3:353c8a7feeca38b2c4536e0bd2586fdb18d070e50e059f1d43f8bfefb97a7ce1";
    let ok = stdout_json(&inclusif(
        &[
            "mandate",
            "journal",
            "verify",
            &format!("{journal}sample.jsonl"),
            "--key",
            key,
        ],
        "",
        d,
    ));
    assert_eq!(
        ok,
        serde_json::json!({"ok": true, "entries": 12, "unsigned_entries": 1})
    );
    let out = inclusif(
        &[
            "mandate",
            "journal",
            "verify",
            &format!("{journal}edited.jsonl"),
            "--key",
            key,
        ],
        "",
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    let edited = stdout_json(&out);
    assert_eq!(edited["ok"], false);
    assert_eq!(edited["error"], "journal_hash_mismatch");
    assert_eq!(edited["line"], 5);
}

fn shared(name: &str) -> String {
    format!(
        "{}/../../shared/data/venues/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn venues_validate_migrate_label_hours_nearest_on_the_real_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let real = shared("hinaura-2021-2022.standard-v0.json");
    let out = inclusif(
        &["venues", "validate", &real, "--today", "2026-11-23"],
        "",
        d,
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    let summary = lines.last().unwrap();
    assert_eq!(summary["version"], "0.1");
    assert_eq!(
        (
            summary["rows"].as_u64(),
            summary["valid_rows"].as_u64(),
            summary["errors"].as_u64()
        ),
        (Some(687), Some(687), Some(0))
    );
    assert_eq!(
        lines.len(),
        733 + 1,
        "one line per problem, then the summary"
    );

    let out = inclusif(
        &[
            "venues",
            "migrate",
            &real,
            "--out",
            "v1.csv",
            "--report",
            "report.jsonl",
        ],
        "",
        d,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v1 = inclusif(
        &["venues", "validate", "v1.csv", "--today", "2026-11-23"],
        "",
        d,
    );
    let summary = json_lines(&v1).last().unwrap().clone();
    assert_eq!(summary["version"], "1.0.2");
    assert_eq!(summary["valid_rows"], 687);
    assert!(
        std::fs::read_to_string(d.join("report.jsonl"))
            .unwrap()
            .lines()
            .count()
            > 10_000
    );

    let labels = json_lines(&inclusif(
        &["venues", "label", &real, "--label", "france_services"],
        "",
        d,
    ));
    assert_eq!(labels.len(), 687);
    let first = &labels[0];
    assert_eq!(first["id"], "0");
    assert_eq!(first["outcome"], "unknown");
    assert_eq!(
        first["criteria"][0]["reason"],
        "open 27 h over 5 day(s) in the week of 2026-11-16; 24 h over 5 days required"
    );

    let hours = json_lines(&inclusif(
        &["venues", "hours", "--week-of", "2026-11-16"],
        "Mo-Fr 09:00-18:00; We 09:00-12:00\nnope\n",
        d,
    ));
    assert_eq!(hours[0]["hours_per_week"], 39.0);
    assert_eq!(hours[0]["days_open"], 5);
    assert_eq!(hours[1]["error"], "invalid_opening_hours");

    let near = json_lines(&inclusif(
        &[
            "venues", "nearest", &real, "--lat", "45.9", "--lon", "6.12", "-k", "3",
        ],
        "",
        d,
    ));
    assert_eq!(near.len(), 3);
    assert!(near[0]["distance_m"].as_f64().unwrap() <= near[1]["distance_m"].as_f64().unwrap());
    let strict = json_lines(&inclusif(
        &[
            "venues",
            "nearest",
            &real,
            "--lat",
            "45.9",
            "--lon",
            "6.12",
            "--label",
            "pass_numerique",
        ],
        "",
        d,
    ));
    assert!(
        strict.is_empty(),
        "no venue of the file has a real SIRET, so none is surely eligible"
    );
    let loose = json_lines(&inclusif(
        &[
            "venues",
            "nearest",
            &real,
            "--lat",
            "45.9",
            "--lon",
            "6.12",
            "--label",
            "pass_numerique",
            "--include-unknown",
        ],
        "",
        d,
    ));
    assert_eq!(loose.len(), 5);
}

/// The ledger commands' fixture: an issuer (kid 7, "aptic"), a signed trust list, three
/// cheques, and a venue whose device signs batches with key 1.
struct LedgerFixture {
    root_pk: String,
    tokens: Vec<inclusif_core::voucher::Token>,
    trust: inclusif_core::voucher::Verifier,
    venue_key: inclusif_core::voucher::SecretKey,
}

const LEDGER_AT: &str = "2026-06-01T10:00:00Z";

fn ledger_fixture(d: &std::path::Path) -> LedgerFixture {
    use chrono::{NaiveDate, TimeZone, Utc};
    use inclusif_core::voucher::{
        Issuer, Kid, Scope, SecretKey, TrustEntry, TrustList, Validity, Verifier,
    };
    let root = SecretKey::from_seed(&[0x51; 32]);
    let issuer = Issuer::new(Kid::new(7).unwrap(), SecretKey::from_seed(&[0x52; 32]));
    let issued_at = Utc.with_ymd_and_hms(2026, 5, 30, 0, 0, 0).unwrap();
    let mut list = TrustList::new(1, issued_at, 30 * 86_400).unwrap();
    list.insert(TrustEntry::unrestricted(
        issuer.kid(),
        "aptic",
        issuer.public_key(),
    ))
    .unwrap();
    std::fs::write(d.join("trust.bin"), list.sign(&root)).unwrap();
    let validity = Validity::from_dates(
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
    )
    .unwrap();
    // Three cheques to redeem, a fourth never used (credited after its validity).
    let tokens: Vec<_> = (0..4)
        .map(|_| {
            issuer
                .issue_random(1000, validity, Scope::NATIONAL)
                .unwrap()
        })
        .collect();
    let register: String = tokens
        .iter()
        .map(|t| format!("{},{}\n", t.serial(), t.to_text()))
        .collect();
    std::fs::write(d.join("order-1.csv"), format!("serial,token\n{register}")).unwrap();
    let venue_key = SecretKey::from_seed(&[0x53; 32]);
    std::fs::write(
        d.join("venues.tsv"),
        format!(
            "venue\tname\tsiret\tactive\tkey_id\tpublic_key\ntiers-lieu-gueret\tTiers-lieu de Guéret\t44234567800019\ttrue\t1\t{}\n",
            venue_key.public_key().to_hex()
        ),
    )
    .unwrap();
    LedgerFixture {
        root_pk: root.public_key().to_hex(),
        tokens,
        trust: Verifier::new(list).with_any_scope(),
        venue_key,
    }
}

/// `ledger redeem` then `ledger status` against one database URL.
fn redeem_and_status(d: &std::path::Path, f: &LedgerFixture, db: &str) {
    let trust = [
        "--trust-list",
        "trust.bin",
        "--root-key",
        &f.root_pk,
        "--at",
        LEDGER_AT,
    ];
    let redeem = |venue: &str, stdin: &str| {
        let mut args = vec!["ledger", "redeem", "--db", db, "--venue", venue];
        args.extend(trust);
        let out = inclusif(&args, stdin, d);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_lines(&out)
    };
    let (t0, t1) = (f.tokens[0].to_text(), f.tokens[1].to_qr_payload());
    let first = redeem("venue-lyon-01", &format!("{t0}\n{t1}\nPN1:NOPE\n"));
    assert_eq!(first.len(), 3);
    assert_eq!(first[0]["ok"], true);
    assert_eq!(first[0]["venue"], "venue-lyon-01");
    assert_eq!(first[0]["at"], LEDGER_AT);
    assert_eq!(first[1]["ok"], true);
    assert_eq!(first[2]["error"], "malformed");
    // The second venue to present the same cheque is told who won, and when.
    let second = redeem("tiers-lieu-gueret", &format!("{t0}\n"));
    assert_eq!(second[0]["error"], "already_redeemed");
    assert_eq!(second[0]["winner_venue"], "venue-lyon-01");
    assert_eq!(second[0]["winner_at"], LEDGER_AT);

    let status = |serial: &str| {
        stdout_json(&inclusif(
            &["ledger", "status", "--db", db, "--issuer", "aptic", serial],
            "",
            d,
        ))
    };
    let s0 = status(&f.tokens[0].serial().to_string());
    assert_eq!(s0["redeemed"], true);
    assert_eq!(s0["venue"], "venue-lyon-01");
    let by_short_code =
        status(&inclusif_core::voucher::ShortCode::new(f.tokens[1].serial()).to_string());
    assert_eq!(by_short_code["redeemed"], true);
    assert_eq!(status(&f.tokens[2].serial().to_string())["redeemed"], false);
}

#[test]
fn ledger_redeem_status_and_import_batch_on_sqlite() {
    use chrono::{TimeZone, Utc};
    use inclusif_core::voucher::OfflineQueue;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let f = ledger_fixture(d);
    let db = "sqlite:ledger.sqlite";
    redeem_and_status(d, &f, db);

    // A venue accepted cheques 0 (already redeemed at Lyon) and 2 offline, then syncs.
    let accepted = Utc.with_ymd_and_hms(2026, 5, 31, 15, 0, 0).unwrap();
    let mut queue = OfflineQueue::new("tiers-lieu-gueret");
    for t in [&f.tokens[0], &f.tokens[2]] {
        let v = f.trust.verify(t, accepted).unwrap();
        queue.accept_token(t, &v, accepted).unwrap();
    }
    let batch = queue.export_batch(&f.venue_key, 1, 1, accepted).unwrap();
    std::fs::write(d.join("batch.pnrb"), &batch).unwrap();
    let import = |file: &str, venues: &str| {
        let args = [
            "ledger",
            "import-batch",
            "--db",
            db,
            "--venues",
            venues,
            "--trust-list",
            "trust.bin",
            "--root-key",
            &f.root_pk,
            "--at",
            LEDGER_AT,
            file,
        ];
        let out = inclusif(&args, "", d);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_lines(&out)
    };
    let first = import("batch.pnrb", "venues.tsv");
    assert_eq!(first.len(), 3, "two items and a summary");
    assert_eq!(first[0]["status"], "conflict");
    assert_eq!(first[0]["winner_venue"], "venue-lyon-01");
    assert_eq!(first[1]["status"], "redeemed");
    assert_eq!(first[1]["accepted_at"], "2026-05-31T15:00:00Z");
    assert_eq!(first[2]["redeemed"], 1);
    assert_eq!(first[2]["conflict"], 1);
    // A later run importing the same batch prints the same outcomes and changes nothing;
    // the venue registered by the first run is kept in the database.
    let again = inclusif(
        &[
            "ledger",
            "import-batch",
            "--db",
            db,
            "--trust-list",
            "trust.bin",
            "--root-key",
            &f.root_pk,
            "--at",
            LEDGER_AT,
            "batch.pnrb",
        ],
        "",
        d,
    );
    assert_eq!(json_lines(&again), first);

    // A forged signature and an unregistered venue refuse the batch as a whole.
    let mut forged = batch.clone();
    *forged.last_mut().unwrap() ^= 1;
    std::fs::write(d.join("forged.pnrb"), forged).unwrap();
    assert_eq!(
        import("forged.pnrb", "venues.tsv")[0]["error"],
        "bad_batch_signature"
    );
    // The registry is kept in the database: deactivating the venue there refuses its
    // batches from then on.
    let inactive = std::fs::read_to_string(d.join("venues.tsv"))
        .unwrap()
        .replace("\ttrue\t", "\tfalse\t");
    std::fs::write(d.join("inactive.tsv"), inactive).unwrap();
    assert_eq!(
        import("batch.pnrb", "inactive.tsv")[0]["error"],
        "unknown_venue"
    );

    // Clearing from the ledger: June pays Lyon for two cheques (2.5 % deducted), May
    // pays Guéret for the one accepted offline on 31 May.
    std::fs::write(d.join("deductions.tsv"), "venue-lyon-01\t2.5 %\n").unwrap();
    let clearing = |args: &[&str]| {
        let mut all = vec!["ledger"];
        all.extend(args);
        all.extend(["--db", db]);
        let out = inclusif(&all, "", d);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, june) = clearing(&[
        "statement",
        "--month",
        "2026-06",
        "--deductions",
        "deductions.tsv",
    ]);
    assert_eq!(code, Some(0), "{june}");
    assert!(
        june.contains("2026-06,venue,venue-lyon-01,2,2000,0.025,50,1950"),
        "{june}"
    );
    let (_, may) = clearing(&["statement", "--month", "2026-05", "--format", "json"]);
    let may: serde_json::Value = serde_json::from_str(&may).unwrap();
    assert_eq!(may["lines"][0]["venue"], "tiers-lieu-gueret", "{may}");
    // The fourth cheque, never used, is credited 7 days after its last valid day.
    let register = ["--issued", "order-1.csv", "--issuer", "aptic"];
    let notes = |as_of: &str| {
        let mut args = vec!["credit-notes", "--as-of", as_of];
        args.extend(register);
        clearing(&args).1
    };
    assert!(
        !notes("2027-01-07").contains("aptic"),
        "no note before the grace days end"
    );
    let due = notes("2027-01-08");
    let fourth = format!(
        "aptic,order-1,2027-01-08,{},1000,2026-12-31,1000",
        f.tokens[3].serial()
    );
    assert!(due.contains(&fourth), "{due}");
    let mut args = vec!["reconcile", "--from", "2026-01-01", "--until", "2027-01-31"];
    args.extend(register);
    let (code, books) = clearing(&args);
    assert_eq!(code, Some(0), "balanced: {books}");
    // A register that forgot a redeemed cheque does not balance: exit 3.
    let short: String = std::fs::read_to_string(d.join("order-1.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(d.join("short.csv"), short).unwrap();
    let args = [
        "ledger",
        "reconcile",
        "--until",
        "2027-01-31",
        "--issued",
        "short.csv",
        "--issuer",
        "aptic",
        "--db",
        db,
    ];
    let out = inclusif(&args, "", d);
    let anomalies = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{anomalies}");
    let first = f.tokens[0].serial().to_string();
    assert!(
        anomalies.contains(&format!("aptic,redeemed_not_issued,{first}")),
        "{anomalies}"
    );

    // A file that is not a ledger: exit 1 naming the code; a bad --db: exit 2.
    std::fs::write(d.join("notes.txt"), "not a database, ".repeat(512)).unwrap();
    let corrupt = inclusif(
        &[
            "ledger",
            "status",
            "--db",
            "sqlite:notes.txt",
            "--issuer",
            "aptic",
            "0000000000000000000a",
        ],
        "",
        d,
    );
    assert_eq!(corrupt.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&corrupt.stderr).contains("ledger_corrupt"));
    let bad = inclusif(
        &[
            "ledger",
            "status",
            "--db",
            "mysql://x",
            "--issuer",
            "aptic",
            "0000000000000000000a",
        ],
        "",
        d,
    );
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn ledger_redeem_and_status_on_postgresql() {
    let url = std::env::var("INCLUSIF_TEST_PG_URL").expect(
        "INCLUSIF_TEST_PG_URL is not set: tests/run.sh starts a throwaway PostgreSQL and sets it",
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Random serials: this run's cheques never meet an earlier run's in the database.
    redeem_and_status(d, &ledger_fixture(d), &url);
    // The URL never reaches the output, even in an error.
    let bad = url.replacen("ledger@", "nobody:s3cret@", 1);
    let out = inclusif(
        &[
            "ledger",
            "status",
            "--db",
            &bad,
            "--issuer",
            "aptic",
            "0000000000000000000a",
        ],
        "",
        d,
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("s3cret"), "{all}");
}
