//! The tour: inclusif's main job in one run.
//!
//! It makes a programme root key and an issuer key, signs a trust list, issues a booklet
//! of Pass numérique cheques, shows one as a QR code in the terminal with the short and
//! keypad codes, verifies the booklet offline, redeems a cheque, refuses a double spend
//! and a tampered token, syncs an offline venue's queue, and signs and checks a print run.
//! Then it shows the funding side: the recovery plan's table checked to add up, the
//! agency's estimate to the euro and a national simulation.
//!
//! `cargo run --release --bin tour` (set `INCLUSIF_TOUR_PRINT_RUN` to change the size of
//! the print run, 100,000 by default).

use std::time::Instant;

use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use inclusif_core::funding::cnfs::{self, EmployerType, PrivateAmountSource, Territory};
use inclusif_core::funding::{RuleBook, relance, simulation};
use inclusif_core::voucher::{
    DEFAULT_BOOKLET_SIZE, Issuer, Kid, Ledger, MemoryLedger, OfflineQueue, Redemption, Scope,
    SecretKey, SyncOutcome, Token, TrustEntry, TrustList, Validity, Verifier, VoucherSpec,
};
use inclusif_examples::{qr_code, qr_terminal, qr_version};

fn step(n: u32, title: &str) {
    println!("\n\x1b[1m{n}. {title}\x1b[0m");
}

fn main() {
    println!("inclusif tour: a Pass numérique booklet from issuance to redemption");
    let now = Utc::now();
    let today = now.date_naive();

    step(1, "Keys");
    let root = SecretKey::generate();
    let issuer = Issuer::generate(Kid::new(7).expect("non-zero"));
    println!("   programme root key  {}", root.public_key().to_hex());
    println!("   issuer key (kid 7)  {}", issuer.public_key().to_hex());
    println!(
        "   secret keys come from the OS CSPRNG, are wiped on drop and never printed: {:?}",
        issuer
    );

    step(2, "A signed trust list");
    let mut list = TrustList::new(1, now, 7 * 86_400).expect("valid list");
    list.insert(TrustEntry::unrestricted(
        issuer.kid(),
        "aptic",
        issuer.public_key(),
    ))
    .expect("entry");
    let bytes = list.sign(&root);
    let opened = TrustList::open(&bytes, &root.public_key()).expect("own list opens");
    println!(
        "   {} bytes, sequence {}, {} key(s), refused after {} (fail closed)",
        bytes.len(),
        opened.sequence(),
        opened.entries().count(),
        opened.expires_at().format("%Y-%m-%d %H:%M UTC")
    );
    let mut verifier = Verifier::new(opened);
    let mut older = TrustList::new(1, now, 60).expect("list");
    older
        .insert(TrustEntry::unrestricted(
            Kid::new(8).expect("kid"),
            "other",
            SecretKey::generate().public_key(),
        ))
        .expect("entry");
    match verifier.replace_trust_list(older) {
        Err(e) => println!(
            "   a different list with the same sequence is refused: {} ({e})",
            e.code()
        ),
        Ok(()) => println!("   unexpected: rollback accepted"),
    }

    step(3, "A booklet of ten 10 € cheques");
    let year_end = NaiveDate::from_ymd_opt(today.year(), 12, 31).expect("date");
    let validity =
        Validity::from_dates(today, year_end.max(today + TimeDelta::days(30))).expect("window");
    let booklet = issuer
        .booklet(&VoucherSpec::pass_numerique(validity), DEFAULT_BOOKLET_SIZE)
        .expect("booklet");
    for v in &booklet {
        println!(
            "   {}  short code {}  keypad {}",
            v.serial(),
            v.short_code,
            v.keypad_code
        );
    }

    step(4, "The first cheque's QR code");
    let first = booklet[0].token;
    let m = qr_code(&first, qrcode::EcLevel::M);
    let q = qr_code(&first, qrcode::EcLevel::Q);
    println!(
        "   payload {} ({} characters)",
        first.to_qr_payload(),
        first.to_qr_payload().len()
    );
    println!(
        "   QR version {} at level M (screens), {} at level Q (paper)",
        qr_version(&m),
        qr_version(&q)
    );
    println!("{}", qr_terminal(&first));

    step(
        5,
        "Offline verification of the booklet, as a venue's phone does it",
    );
    for v in &booklet {
        let verified = verifier
            .verify_text(&v.token.to_qr_payload(), now)
            .expect("genuine");
        assert_eq!(verified.serial(), v.serial());
    }
    println!(
        "   {} cheques verified: issuer aptic, {} €, valid {} to {}",
        booklet.len(),
        10,
        validity.from().date(),
        validity.until().date()
    );
    let typed = first.to_text().to_lowercase().replace('0', "o");
    let v = verifier.verify_human(&typed, now).expect("typed by hand");
    println!(
        "   typed by hand (lower case, O for 0) it still verifies: serial {}",
        v.serial()
    );

    step(6, "Redemption, and a double spend refused");
    let ledger = MemoryLedger::new();
    let voucher = verifier.verify(&first, now).expect("genuine");
    let r = ledger
        .redeem(Redemption::new(&voucher, "mediatheque-gueret", now))
        .expect("first redemption");
    println!(
        "   redeemed {} at {} ({} cents)",
        r.serial, r.venue, r.value_cents
    );
    match ledger.redeem(Redemption::new(
        &voucher,
        "ccas-limoges",
        now + TimeDelta::minutes(5),
    )) {
        Err(e) => println!("   second attempt: {}: {e}", e.code()),
        Ok(_) => println!("   unexpected: double spend accepted"),
    }

    step(7, "A tampered token refused");
    let mut raw = *first.as_bytes();
    raw[14] = raw[14].wrapping_add(1); // one cent more
    let tampered = Token::from_array(raw).expect("still version 1");
    match verifier.verify(&tampered, now) {
        Err(e) => println!("   value raised by one cent: {}: {e}", e.code()),
        Ok(_) => println!("   unexpected: tampered token accepted"),
    }
    match verifier.verify_text(&first.to_text()[1..], now) {
        Err(e) => println!("   one character missing: {}: {e}", e.code()),
        Ok(_) => println!("   unexpected"),
    }
    let paris_only = issuer
        .issue_random(1000, validity, Scope(75))
        .expect("token");
    match verifier.verify(&paris_only, now) {
        Err(e) => println!(
            "   a Paris-only cheque at a national venue: {}: {e}",
            e.code()
        ),
        Ok(_) => println!("   unexpected"),
    }

    step(
        8,
        "Two venues offline accept the same photocopied cheque; the first to sync wins",
    );
    let second = verifier.verify(&booklet[1].token, now).expect("genuine");
    let mut lyon = OfflineQueue::new("espace-numerique-lyon");
    let mut gueret = OfflineQueue::new("tiers-lieu-gueret");
    lyon.accept(&second, now).expect("queued");
    gueret
        .accept(&second, now + TimeDelta::minutes(1))
        .expect("queued");
    for queue in [&mut lyon, &mut gueret] {
        let venue = queue.venue().to_owned();
        for outcome in queue.sync(&ledger).expect("in-memory ledger never fails") {
            match outcome {
                SyncOutcome::Redeemed(r) => println!("   {venue}: redeemed {}", r.serial),
                SyncOutcome::Conflict { winner, .. } => {
                    println!(
                        "   {venue}: conflict, already redeemed at {} on {}",
                        winner.venue,
                        winner.at.format("%H:%M:%S")
                    )
                }
            }
        }
    }

    let count: usize = std::env::var("INCLUSIF_TOUR_PRINT_RUN")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    step(
        9,
        &format!("A print run of {count} cheques, then an operator's batch check"),
    );
    let started = Instant::now();
    let mut last_shown = 0;
    let run = issuer
        .print_run(&VoucherSpec::pass_numerique(validity), count, |p| {
            let pct = p.done * 100 / p.total;
            if pct >= last_shown + 10 || p.done == p.total {
                last_shown = pct;
                println!("   signed {:>7}/{} ({pct}%)", p.done, p.total);
            }
        })
        .expect("print run");
    let signing = started.elapsed();
    let tokens: Vec<Token> = run.iter().map(|v| v.token).collect();
    let started = Instant::now();
    let verdicts = verifier.verify_batch(&tokens, now);
    let checking = started.elapsed();
    let good = verdicts.iter().filter(|r| r.is_ok()).count();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "   signed {count} in {:.2} s ({:.0}/s on {cores} core(s)); batch-verified {good}/{count} in {:.2} s ({:.0}/s on one core)",
        signing.as_secs_f64(),
        count as f64 / signing.as_secs_f64(),
        checking.as_secs_f64(),
        count as f64 / checking.as_secs_f64()
    );
    step(
        10,
        "Funding: the recovery plan's digital-inclusion line, checked to add up",
    );
    let book = RuleBook::default();
    let on = NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
    let table = relance::recovery_plan_table(&book, on).expect("the shipped rules add up");
    for line in table.to_string().lines().skip(1) {
        println!("   {line}");
    }
    let estimate = cnfs::anct_estimated_investment(
        &book,
        EmployerType::Public,
        Territory::Mainland,
        3,
        PrivateAmountSource::AnctCode,
        today,
    )
    .expect("rules in force");
    println!(
        "   the agency's estimate for 3 public posts, to the euro: {}",
        estimate.total.to_french()
    );
    let structures = simulation::synthetic_structures(2_000, 2020);
    let started = Instant::now();
    let national = simulation::simulate(
        &book,
        &structures,
        &simulation::SimulationOptions::default(),
    )
    .expect("valid input");
    println!(
        "   national simulation (synthetic mix): {} structures, {} posts, first wave {}, renewal {}, in {:.1} ms",
        national.rows.len(),
        national.posts,
        national.first_wave.to_french(),
        national.renewal.to_french(),
        started.elapsed().as_secs_f64() * 1000.0
    );

    println!(
        "\nDone. The command line does the same with files: `inclusif voucher --help`, `inclusif funding --help`."
    );
}
