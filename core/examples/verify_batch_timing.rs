//! Times batch verification in Rust on a file of tokens, for comparison with the
//! Python binding on the same tokens (`bindings-python/bench/verify_batch.py` writes the
//! file, runs this, then times `Verifier.verify_batch` from Python).
//!
//! ```sh
//! cargo run --release -p inclusif-core --example verify_batch_timing -- FILE [ROUNDS]
//! ```
//!
//! The file holds one token a line (strict text or `PN1:` payload) after three header
//! lines that say how to verify them:
//!
//! ```text
//! # trust_list: <hex of the signed trust list>
//! # root_key: <hex of the root public key>
//! # at: <RFC 3339 instant>
//! ```
//!
//! Each round does what a Rust caller does with lines of text: parse every line
//! strictly, then verify the parsed tokens as one batch (`Verifier::verify_batch`),
//! keeping every verdict. Prints one `key=value` line per figure; `best_ns_per_token` is
//! the fastest round (the least disturbed by other work on the machine).

use std::time::Instant;

use chrono::{DateTime, Utc};
use inclusif_core::voucher::{PublicKey, Token, TrustList, Verifier, VoucherError};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: verify_batch_timing FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args
        .next()
        .map_or(5, |r| r.parse().expect("ROUNDS: a number"));
    let text = std::fs::read_to_string(&path).expect("read the token file");
    let header = |key: &str| -> String {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
            .unwrap_or_else(|| panic!("the file has no `# {key}: ` line"))
            .trim()
            .to_owned()
    };
    let hex = |s: &str| {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(s.as_bytes())
            .expect("hex")
    };
    let root = PublicKey::from_hex(&header("root_key"), 0).expect("root key");
    let list = TrustList::open(&hex(&header("trust_list")), &root).expect("trust list");
    let at: DateTime<Utc> = header("at").parse().expect("at: an RFC 3339 instant");
    let verifier = Verifier::new(list).with_any_scope();
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    let n = lines.len();
    assert!(n > 0, "no token in {path}");

    let mut times = Vec::with_capacity(rounds);
    let mut ok = 0;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        let parsed: Vec<Result<Token, VoucherError>> =
            lines.iter().map(|l| Token::parse_strict(l)).collect();
        let tokens: Vec<Token> = parsed
            .iter()
            .filter_map(|p| p.as_ref().ok().copied())
            .collect();
        let verdicts = verifier.verify_batch(&tokens, at);
        let elapsed = start.elapsed();
        ok = verdicts.iter().filter(|v| v.is_ok()).count();
        std::hint::black_box((parsed, verdicts));
        times.push(elapsed.as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let per_token = |s: f64| s * 1e9 / n as f64;
    println!("tokens={n}");
    println!("ok={ok}");
    println!("rounds={}", times.len());
    println!("best_ns_per_token={:.0}", per_token(times[0]));
    println!(
        "median_ns_per_token={:.0}",
        per_token(times[times.len() / 2])
    );
}
