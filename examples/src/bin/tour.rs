//! The tour: inclusif's main job in one run.
//!
//! It makes a programme root key and an issuer key, signs a trust list, issues a booklet
//! of Pass numérique cheques, shows one as a QR code in the terminal with the short and
//! keypad codes, verifies the booklet offline, redeems a cheque, refuses a double spend
//! and a tampered token, imports two offline venues' signed batches into a SQLite ledger
//! (the first wins, a re-import changes nothing) and draws the month's statement, and
//! signs and checks a print run.
//! Then it shows the funding side: the recovery plan's table checked to add up, the
//! agency's estimate to the euro and a national simulation.
//!
//! `cargo run --release --bin tour` (set `INCLUSIF_TOUR_PRINT_RUN` to change the size of
//! the print run, 100,000 by default).

use std::time::Instant;

use chrono::{Datelike, NaiveDate, TimeDelta, TimeZone, Utc};
use inclusif_core::funding::Rate;
use inclusif_core::funding::cnfs::{self, EmployerType, PrivateAmountSource, Territory};
use inclusif_core::funding::{RuleBook, relance, simulation};
use inclusif_core::voucher::clearing::{
    DEFAULT_CLEARING_TIME_ZONE, Deductions, monthly_statements,
};
use inclusif_core::voucher::sync::{
    ItemOutcome, MemoryImportLog, MemoryVenueRegistry, RegisteredVenue, VenueKey, import_batch,
};
use inclusif_core::voucher::{
    DEFAULT_BOOKLET_SIZE, Issuer, Kid, Ledger, MemoryLedger, OfflineQueue, Redemption, Scope,
    SecretKey, Token, TrustEntry, TrustList, Validity, Verifier, VoucherSpec,
};
use inclusif_examples::{qr_code, qr_terminal, qr_version};
use inclusif_ledger::SqliteLedger;

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
        "Two venues offline accept the same photocopied cheque; their signed batches reach the ledger on disk (SQLite): the first wins",
    );
    let dir = std::env::temp_dir().join(format!("inclusif-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join("ledger.sqlite");
    let disk = SqliteLedger::open(&path).expect("a new SQLite ledger");
    let registry = MemoryVenueRegistry::new();
    let log = MemoryImportLog::new();
    let operator = Verifier::new(verifier.trust_list().clone()).with_any_scope();
    let second = &booklet[1].token;
    let mut batches = Vec::new();
    for (i, (venue, name, siret)) in [
        (
            "espace-numerique-lyon",
            "Espace numérique de Lyon",
            "12345678900007",
        ),
        (
            "tiers-lieu-gueret",
            "Tiers-lieu de Guéret",
            "44234567800019",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        // Each device registered a key with the operator; its secret never leaves it.
        let key = SecretKey::generate();
        registry
            .put_venue(RegisteredVenue::new(venue, name, siret, true).expect("venue"))
            .expect("registered");
        registry
            .put_key(VenueKey {
                venue: venue.into(),
                key_id: 1,
                public_key: key.public_key(),
                active: true,
            })
            .expect("key registered");
        let accepted = now - TimeDelta::minutes(30 - i as i64);
        let checked = verifier.verify(second, accepted).expect("genuine");
        let mut queue = OfflineQueue::new(venue);
        queue
            .accept_token(second, &checked, accepted)
            .expect("queued");
        let batch = queue
            .export_batch(&key, 1, 1, now - TimeDelta::minutes(1))
            .expect("a signed batch");
        println!(
            "   {venue}: accepted {} offline at {}, batch of {} bytes signed",
            checked.short_code(),
            accepted.format("%H:%M:%S"),
            batch.len()
        );
        batches.push(batch);
    }
    for batch in &batches {
        let report = import_batch(&disk, &registry, &log, &operator, batch, now).expect("imported");
        for item in &report.items {
            match &item.outcome {
                ItemOutcome::Redeemed(r) => println!("   {}: redeemed {}", report.venue, r.serial),
                ItemOutcome::Conflict { winner, .. } => println!(
                    "   {}: conflict, already redeemed at {} (accepted {})",
                    report.venue,
                    winner.venue,
                    winner.at.format("%H:%M:%S")
                ),
                ItemOutcome::Rejected(e) => println!("   {}: rejected: {}", report.venue, e.code()),
            }
        }
    }
    let again =
        import_batch(&disk, &registry, &log, &operator, &batches[0], now).expect("imported again");
    println!(
        "   the first batch imported again: {:?} (redeemed, conflict, rejected), nothing changed",
        again.counts()
    );
    drop(disk);
    let reopened = SqliteLedger::open(&path).expect("reopened");
    let kept = reopened.redemption("aptic", second.serial()).ok().flatten();
    println!(
        "   reopened {}: {} redemption(s), integrity {}, cheque {} paid to {}",
        path.display(),
        reopened.len().expect("count"),
        if reopened.integrity_check().is_ok() {
            "ok"
        } else {
            "FAILED"
        },
        booklet[1].token.serial(),
        kept.map_or("nobody".into(), |r| r.venue),
    );
    // The month's statement from the file: each venue is paid face value minus its
    // deduction (here 2.5 % for Lyon), to the cent.
    let paid = reopened.redemptions().expect("redemptions");
    let month = paid
        .first()
        .map(|r| r.at.with_timezone(&DEFAULT_CLEARING_TIME_ZONE))
        .map_or((today.year(), today.month()), |d| (d.year(), d.month()));
    let deduction = Rate::parse("2.5 %", "deduction").expect("a rate");
    let statement = monthly_statements(
        &paid,
        &Deductions::new(
            [("espace-numerique-lyon".to_owned(), deduction)],
            Rate::ZERO,
        ),
        month,
        DEFAULT_CLEARING_TIME_ZONE,
        &RuleBook::default(),
        today,
    )
    .expect("a statement");
    for line in &statement.lines {
        println!(
            "   statement {}: {} {} cheque(s), face {} c, deduction {} c ({}), payout {} c",
            statement.month_label(),
            line.venue,
            line.count,
            line.face_cents,
            line.deduction_cents,
            line.deduction_rate,
            line.payout_cents
        );
    }
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);

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

    mandate_tour();
    venue_tour();

    println!(
        "\nDone. The command line does the same with files: `inclusif voucher --help`, `inclusif funding --help`, `inclusif mandate --help`, `inclusif venues --help`."
    );
}

/// A decision in a line: allowed, or the denial codes.
fn show(d: &inclusif_core::mandate::Decision) -> String {
    match d {
        inclusif_core::mandate::Decision::Allowed { mandate, .. } => {
            format!("allowed (mandate {mandate})")
        }
        inclusif_core::mandate::Decision::Denied { reasons } => {
            format!(
                "denied: {}",
                reasons
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// Step 11: an Aidants Connect mandate's life.
fn mandate_tour() {
    use inclusif_core::mandate::journal::{Journal, JournalAction, JournalRecord, verify_journal};
    use inclusif_core::mandate::token::{MandateClaims, MandateVerifier, sign_mandate};
    use inclusif_core::mandate::{
        Aidant, ConsentMethod, ConsentRequest, Decision, Demarche, DemarcheSet, Duration,
        Organisation, OrganisationId, Registry, Usager, usager_ref,
    };

    step(
        11,
        "Aidants Connect: a mandate's life, checked offline, journaled",
    );
    let at = |d: u32, h: u32, m: u32| {
        Utc.with_ymd_and_hms(2026, 3, d, h, m, 0)
            .single()
            .expect("valid instant")
    };
    let org = OrganisationId::new(42).expect("non-zero");
    let mut r = Registry::new();
    r.add_organisation(Organisation {
        id: org,
        name: "France Services de Guéret".into(),
        siret: "21230096300014".into(),
        active: true,
        allowed_demarches: DemarcheSet::ALL,
    })
    .expect("organisation");
    r.add_aidant(Aidant {
        id: "alice".into(),
        organisations: [org].into(),
        current_organisation: org,
        active: true,
        can_create_mandates: true,
        habilitation_from: None,
        habilitation_until: None,
    })
    .expect("aidant");
    r.add_usager(Usager {
        sub: "fc-sub-camille".into(),
        given_name: "Camille".into(),
        family_name: "Martin".into(),
    })
    .expect("usager");
    let key = SecretKey::generate();
    let mut journal = Journal::new();
    let log = |j: &mut Journal, rec: JournalRecord| {
        j.append(rec).expect("journal entry");
    };

    let sms = ConsentRequest::RemoteSms {
        phone: "+33612345678".into(),
        request_id: "req-1".into(),
    };
    let first = r
        .create_mandate(
            "alice",
            "fc-sub-camille",
            DemarcheSet::parse(["papiers", "social"]).expect("keys"),
            Duration::Long,
            sms,
            at(1, 9, 30),
        )
        .expect("mandate");
    let mut rec = JournalRecord::new(at(1, 9, 30), JournalAction::CreateAttestation);
    rec.aidant = Some("alice".into());
    rec.organisation = Some(org);
    rec.mandat = Some(first.mandate);
    rec.demarches = Some(DemarcheSet::parse(["papiers", "social"]).expect("keys"));
    rec.duree = Some(365);
    rec.is_remote_mandat = Some(true);
    rec.consent_method = Some(ConsentMethod::RemoteSms);
    log(&mut journal, rec);
    println!(
        "   created a LONG mandate by SMS for papiers and social: {}",
        first.mandate
    );
    let before = r.decide("alice", "fc-sub-camille", Demarche::Social, at(1, 9, 31));
    println!("   before the reply: {}", show(&before));
    r.record_sms_reply(first.mandate, "req-1", " Oui. ", at(1, 9, 33))
        .expect("first reply");
    log(
        &mut journal,
        JournalRecord::new(at(1, 9, 33), JournalAction::RemoteSmsConsentReceived),
    );
    if let Decision::Allowed { autorisation, .. } =
        r.decide("alice", "fc-sub-camille", Demarche::Social, at(2, 14, 0))
    {
        let mut rec = JournalRecord::new(at(2, 14, 0), JournalAction::UseAutorisation);
        rec.autorisation = Some(autorisation);
        rec.demarches = Some(DemarcheSet::EMPTY.with(Demarche::Social));
        log(&mut journal, rec);
        println!("   after « Oui. »: alice may act on social (autorisation {autorisation})");
    }
    journal
        .checkpoint(&key, 3, at(2, 18, 0))
        .expect("checkpoint");

    let renewed = r
        .create_mandate(
            "alice",
            "fc-sub-camille",
            DemarcheSet::parse(["social", "argent"]).expect("keys"),
            Duration::Semester,
            ConsentRequest::InPerson,
            at(5, 10, 0),
        )
        .expect("mandate");
    for (m, _, d) in &renewed.revoked {
        let mut rec = JournalRecord::new(at(5, 10, 0), JournalAction::CancelAutorisation);
        rec.mandat = Some(*m);
        rec.demarches = Some(DemarcheSet::EMPTY.with(*d));
        log(&mut journal, rec);
        println!(
            "   a new mandate for social and argent revoked the older one's {d} at its creation instant"
        );
    }
    r.revoke_autorisation(renewed.mandate, Demarche::Argent, at(6, 9, 0))
        .expect("revocation");
    log(
        &mut journal,
        JournalRecord::new(at(6, 9, 0), JournalAction::CancelAutorisation),
    );
    println!(
        "   argent revoked; a use is refused: {}",
        show(&r.decide("alice", "fc-sub-camille", Demarche::Argent, at(6, 10, 0)))
    );
    println!(
        "   papiers still rests on the first mandate: {}",
        r.decide("alice", "fc-sub-camille", Demarche::Papiers, at(6, 10, 0))
            .is_allowed()
    );
    journal
        .checkpoint(&key, 3, at(6, 18, 0))
        .expect("checkpoint");

    let m = r.mandate(renewed.mandate).expect("mandate");
    let claims = MandateClaims {
        kid: Kid::new(3).expect("kid"),
        organisation: org,
        mandate_id: m.id,
        usager_ref: usager_ref(org, "fc-sub-camille"),
        // Only what is still active when the token is signed.
        demarches: m
            .active_autorisations(at(6, 19, 0))
            .map(|a| a.demarche)
            .collect(),
        created_at: m.created_at,
        duration: m.duration,
        consent: ConsentMethod::InPerson,
    };
    let token = sign_mandate(&key, &claims).expect("token");
    println!(
        "   signed mandate token, QR payload ({} characters): {}…",
        token.to_qr_payload().len(),
        &token.to_qr_payload()[..40]
    );
    let verifier = MandateVerifier::without_trust_list()
        .with_key_for_any_organisation(Kid::new(3).expect("kid"), key.public_key())
        .expect("key")
        .with_required_usager("fc-sub-camille")
        .with_required_demarche(Demarche::Social);
    match verifier.verify_text(&token.to_qr_payload(), at(7, 9, 0)) {
        Ok(v) => println!(
            "   an app checks it offline: organisation {}, {}, valid until {}",
            v.organisation(),
            v.demarches(),
            v.expires_at()
        ),
        Err(e) => println!("   unexpected: {}: {e}", e.code()),
    }
    let other = MandateVerifier::without_trust_list()
        .with_key_for_any_organisation(Kid::new(3).expect("kid"), key.public_key())
        .expect("key")
        .with_required_usager("fc-sub-someone-else");
    if let Err(e) = other.verify(&token, at(7, 9, 0)) {
        println!("   the same token for another person: {}", e.code());
    }

    let text = journal.to_jsonl();
    let keys = [(3, key.public_key())];
    println!("   journal: {}", verify_journal(&text, &keys).to_json());
    let tampered = text.replacen("\"cancel_autorisation\"", "\"use_autorisation\"", 1);
    println!(
        "   one action edited: {}",
        verify_journal(&tampered, &keys).to_json()
    );
}

/// Step 12: the real venues file, validated, migrated and labelled with reasons.
fn venue_tour() {
    use inclusif_core::venue::labels::{Eligibility, EvaluationContext, LabelRules, evaluate};
    use inclusif_core::venue::validate::{Options, validate};
    use inclusif_core::venue::{as_v1, read_json};

    step(
        12,
        "Venues: the real Hinaura file (687 lieux de médiation numérique), validated and labelled",
    );
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/venues/hinaura-2021-2022.standard-v0.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!(
            "   {path} is not here (the real data lives in shared/ beside the repository); skipping this step"
        );
        return;
    };
    let file = read_json(&text).expect("the shipped real file reads");
    let report = validate(
        &file,
        &Options {
            version: None,
            today: Utc::now().date_naive(),
        },
    );
    println!(
        "   standard v{}: {} rows, {} valid; warnings: {:?}",
        report.version.name(),
        report.rows,
        report.valid_rows,
        report.counts
    );
    let (v1, migration) = as_v1(&file);
    if let Some(m) = &migration {
        println!(
            "   migrated to v1.0.2: {} records, {} with an extension column (nothing lost: e.g. {} x « Accepte le Pass numérique »)",
            m.summary.records,
            m.summary.records_with_extension,
            m.summary
                .extension_items
                .get("frais=Accepte le Pass numérique")
                .copied()
                .unwrap_or(0)
        );
    }
    let ctx = EvaluationContext::default();
    for label in LabelRules::shipped() {
        let mut counts = [0; 3];
        for r in &v1 {
            counts[match evaluate(r, &label, &ctx).outcome {
                Eligibility::Eligible => 0,
                Eligibility::NotEligible => 1,
                Eligibility::Unknown => 2,
            }] += 1;
        }
        println!(
            "   {:<22} eligible {:>3}, not eligible {:>3}, unknown {:>3}",
            label.label, counts[0], counts[1], counts[2]
        );
    }
    let fs = LabelRules::shipped_label("france_services").expect("shipped");
    for id in ["0", "36"] {
        if let Some(r) = v1.iter().find(|r| r.get("id") == Some(id)) {
            let result = evaluate(r, &fs, &ctx);
            println!(
                "   {} ({}): france_services {:?}",
                r.get("nom").unwrap_or("?"),
                id,
                result.outcome
            );
            for c in &result.criteria {
                println!("      {:<26} {:?}: {}", c.id, c.outcome, c.reason);
            }
        }
    }
}
