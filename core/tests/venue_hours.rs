//! Opening hours on the real Hinaura file (687 venues, 617 `horaires`): every string parses,
//! weekly hours and days of named venues checked by hand, the clock change, the research
//! note's France Services figure; and properties: no input makes parsing or evaluation panic.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use inclusif_core::venue::hours::{Holidays, OpeningHours, WeekSummary};
use inclusif_core::venue::{RawRecord, read_json};
use proptest::prelude::*;

const FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/venues/hinaura-2021-2022.standard-v0.json"
);

static VENUES: LazyLock<Vec<RawRecord>> = LazyLock::new(|| {
    let text = std::fs::read_to_string(FILE).unwrap_or_else(|e| {
        panic!("the real data file {FILE} is required by these tests and cannot be read: {e}")
    });
    let file = read_json(&text).expect("the Hinaura file is JSON");
    assert_eq!(
        file.records.len(),
        687,
        "the shipped Hinaura file has 687 venues"
    );
    file.records
});

/// Every `horaires` value of the real file, in file order.
static HORAIRES: LazyLock<Vec<String>> = LazyLock::new(|| {
    VENUES
        .iter()
        .filter_map(|r| r.get("horaires").map(str::to_owned))
        .collect()
});

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0)
        .single()
        .expect("instant")
}

/// A week without public holidays in France (Whit Monday 2026 is 25 May, 14 July a Tuesday).
fn plain_week() -> NaiveDate {
    d(2026, 6, 8)
}

fn venue(id: &str) -> &'static RawRecord {
    VENUES
        .iter()
        .find(|r| r.get("id") == Some(id))
        .unwrap_or_else(|| panic!("venue {id} is in the file"))
}

fn hours_of(id: &str) -> OpeningHours {
    let h = venue(id).get("horaires").expect("horaires");
    OpeningHours::parse(h).unwrap_or_else(|e| panic!("venue {id}: {e}"))
}

fn week_of(id: &str, monday: NaiveDate) -> WeekSummary {
    hours_of(id)
        .week(monday, Paris, Holidays::France)
        .expect("a Monday")
}

#[test]
fn all_617_real_horaires_parse() {
    assert_eq!(HORAIRES.len(), 617);
    let failures: Vec<String> = HORAIRES
        .iter()
        .filter_map(|h| OpeningHours::parse(h).err().map(|e| e.to_string()))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    // And each evaluates over a week and a year ahead.
    for h in HORAIRES.iter() {
        let oh = OpeningHours::parse(h).expect("parsed above");
        let w = oh
            .week(d(2026, 3, 23), Paris, Holidays::France)
            .expect("week");
        assert!(w.minutes_open <= 7 * 24 * 60, "{h}");
        assert!(w.minutes_open > 0, "{h}");
        let next = oh.next_opening(utc(2026, 3, 23, 0, 0), Paris, Holidays::France);
        assert!(next.is_some_and(|t| t < utc(2026, 3, 30, 0, 0)), "{h}");
    }
}

/// (id, horaires, minutes per day Monday first, hours, days): checked by hand.
const NAMED: &[(&str, &str, [u32; 7], &str, u8)] = &[
    // MAISON DE SERVICES AU PUBLIC D'ABONDANCE: Tu-Fr 2 × 3 h, Sa 3 h.
    (
        "0",
        "Tu-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00",
        [0, 360, 360, 360, 360, 180, 0],
        "27",
        5,
    ),
    // Centre socio-culturel d'Albertville: `Th off` closes Thursday (4 × 7 h).
    (
        "10",
        "Mo-Fr 08:30-12:00,13:30-17:00; Th off",
        [420, 420, 420, 0, 420, 0, 0],
        "28",
        4,
    ),
    // MJC Saint Donat: Tuesday and Wednesday replaced by later rules.
    (
        "221",
        "Mo-Fr 09:00-12:00,14:00-19:00; Tu 09:00-12:00,14:00-17:00; We 14:00-19:00; Sa 09:00-12:00",
        [480, 360, 300, 480, 480, 180, 0],
        "38",
        6,
    ),
    // France Services de Ruynes en Margeride: Tu-Fr replaces Mo-Sa, then `We off`; 24 h over
    // 5 days, exactly the France Services threshold.
    (
        "770",
        "Mo-Sa 09:00-12:00; Tu-Fr 09:00-12:00,14:00-17:00; We off",
        [180, 360, 0, 360, 360, 180, 0],
        "24",
        5,
    ),
    // Mairie Sermoyer: a span past midnight (most likely 09:00-11:00 meant).
    ("870", "Fr 19:00-11:00", [0, 0, 0, 0, 300, 660, 0], "16", 2),
    // MJC Grand Charran: adjacent spans merge; Wednesday replaced.
    (
        "1126",
        "Mo-Fr 09:00-12:00,12:00-19:00; We 07:30-12:00,12:00-19:00",
        [600, 600, 690, 600, 600, 0, 0],
        "51.5",
        5,
    ),
    // MSAP Hautes Baronnies: quarter hours, 23 h 45 over 3 days.
    (
        "1129",
        "Mo,Tu 08:15-12:15,13:30-17:30; Th 08:15-12:15,13:30-17:15",
        [480, 480, 0, 465, 0, 0, 0],
        "23.75",
        3,
    ),
    // Caisse d'Allocations Familiales de l'Ain: Tuesday opens an hour later.
    (
        "419",
        "Mo-Fr 09:00-12:00,13:00-16:00; Tu 10:00-12:00,13:00-16:00",
        [360, 300, 360, 360, 360, 0, 0],
        "29",
        5,
    ),
];

#[test]
fn named_venues_hand_checked() {
    for &(id, horaires, per_day, hours, days) in NAMED {
        assert_eq!(venue(id).get("horaires"), Some(horaires), "venue {id}");
        let w = week_of(id, plain_week());
        assert_eq!(w.per_day, per_day, "venue {id}");
        assert_eq!(w.hours_per_week().to_string(), hours, "venue {id}");
        assert_eq!(w.days_open, days, "venue {id}");
        assert_eq!(w.minutes_open, w.per_day.iter().sum::<u32>());
    }
}

#[test]
fn clock_change_weeks_and_instants() {
    // Clocks went forward on Sunday 2026-03-29: the week of 23 March, the week after
    // (30 March) and a June week give the same daytime hours.
    for &(id, ..) in NAMED {
        let june = week_of(id, plain_week());
        assert_eq!(
            week_of(id, d(2026, 3, 23)),
            WeekSummary {
                monday: d(2026, 3, 23),
                ..june.clone()
            },
            "venue {id}"
        );
        assert_eq!(
            week_of(id, d(2026, 3, 30)),
            WeekSummary {
                monday: d(2026, 3, 30),
                ..june.clone()
            },
            "venue {id}"
        );
    }
    // Abondance opens Tuesday at 09:00 local: 08:00 UTC in March before the change,
    // 07:00 UTC after it.
    let abondance = hours_of("0");
    assert!(!abondance.is_open(utc(2026, 3, 24, 7, 30), Paris, Holidays::None));
    assert!(abondance.is_open(utc(2026, 3, 24, 8, 30), Paris, Holidays::None));
    assert!(abondance.is_open(utc(2026, 3, 31, 7, 30), Paris, Holidays::None));
    assert_eq!(
        abondance.next_opening(utc(2026, 3, 23, 0, 0), Paris, Holidays::None),
        Some(utc(2026, 3, 24, 8, 0))
    );
    assert_eq!(
        abondance.next_opening(utc(2026, 3, 28, 11, 0), Paris, Holidays::None),
        Some(utc(2026, 3, 31, 7, 0))
    );
    // Sermoyer's span past midnight (Friday 19:00 to Saturday 11:00) ends before Sunday's
    // change: still 16 h that week.
    assert_eq!(week_of("870", d(2026, 3, 23)).minutes_open, 16 * 60);
}

#[test]
fn no_real_horaires_mentions_public_holidays() {
    // So `Holidays::France` changes nothing on this file, even in a week with a holiday
    // (Friday 8 May 2026).
    for h in HORAIRES.iter() {
        let oh = OpeningHours::parse(h).expect("parses");
        assert_eq!(
            oh.week(d(2026, 5, 4), Paris, Holidays::France)
                .expect("week"),
            oh.week(d(2026, 5, 4), Paris, Holidays::None).expect("week"),
            "{h}"
        );
    }
}

/// France Services / MSAP by name, case-insensitively, with the given needles.
fn france_services(needles: &[&str]) -> Vec<&'static RawRecord> {
    VENUES
        .iter()
        .filter(|r| {
            let nom = r.get("nom").unwrap_or_default().to_uppercase();
            needles.iter().any(|n| nom.contains(n))
        })
        .collect()
}

/// Ids of the venues that do not open at least 24 h over at least 5 days in a plain week.
fn below_threshold(venues: &[&RawRecord]) -> Vec<String> {
    venues
        .iter()
        .filter(|r| {
            let Some(h) = r.get("horaires") else {
                return true;
            };
            let w = OpeningHours::parse(h)
                .expect("parses")
                .week(plain_week(), Paris, Holidays::France)
                .expect("week");
            !(w.minutes_open >= 24 * 60 && w.days_open >= 5)
        })
        .map(|r| r.get("id").unwrap_or_default().to_owned())
        .collect()
}

/// The research note: "61 of the 73 France Services / MSAP venues open at least 24 h over at
/// least 5 days". The 73 are the names containing "FRANCE SERVICE" (singular: it also matches
/// four names written "France Service" — ids 394, 816, 884, 979), "MAISON DE SERVICES AU
/// PUBLIC" or "MSAP". With "FRANCE SERVICES" (plural) the selection has 69 venues, 57 of
/// which qualify: the same 12 fall short either way, all 4 singular-name venues qualify.
#[test]
fn france_services_opening_figure() {
    let literal = france_services(&["FRANCE SERVICES", "MAISON DE SERVICES AU PUBLIC", "MSAP"]);
    let broad = france_services(&["FRANCE SERVICE", "MAISON DE SERVICES AU PUBLIC", "MSAP"]);
    assert_eq!((literal.len(), broad.len()), (69, 73));
    let extra: Vec<&str> = broad
        .iter()
        .filter(|r| !literal.iter().any(|l| l.row == r.row))
        .map(|r| r.get("id").unwrap_or_default())
        .collect();
    assert_eq!(extra, ["394", "816", "884", "979"]);
    assert!(broad.iter().all(|r| r.get("horaires").is_some()));

    let short = [
        "293", "786", "787", "788", "947", "968", "1050", "1082", "1129", "1131", "1162", "1163",
    ];
    assert_eq!(below_threshold(&broad), short);
    assert_eq!(below_threshold(&literal), short);
    assert_eq!(broad.len() - short.len(), 61);
    assert_eq!(literal.len() - short.len(), 57);
    // Relais Sancy - Espace France Services Mont-Dore: 32 h but over 4 days only.
    let w = week_of("293", plain_week());
    assert_eq!((w.minutes_open, w.days_open), (32 * 60, 4));
    // MSAP Vallée de Gervanne-Sye: Wednesday replaced, 20 h over 4 days.
    let w = week_of("1131", plain_week());
    assert_eq!(w.per_day, [0, 240, 480, 240, 240, 0, 0]);
}

/// Characters and pieces that the grammar cares about, inserted or overwritten at any
/// character.
const PIECES: &[&str] = &[
    "Mo",
    "Su",
    "PH",
    "SH",
    "off",
    "closed",
    "unknown",
    "24/7",
    "00:00",
    "24:00",
    "47:59",
    "99:99",
    "-",
    "+",
    ",",
    ";",
    "||",
    " ",
    "[1]",
    "[-1]",
    "[0]",
    "Jan",
    "Dec 25",
    "easter",
    "sunrise",
    "sunset",
    "(sunset+12:00)",
    "(dawn-05:00)",
    "week 53",
    "/2",
    "/0",
    "1900",
    "9999",
    "10000",
    "\"c\"",
    ":",
    "\u{e9}",
    "\0",
    "\n",
    "-400 days",
    "+Su",
];

/// Whole tokens, swapped for a token of a real string (the time spans, day selectors and
/// modifiers of the file are separated by spaces).
const TOKENS: &[&str] = &[
    "Mo",
    "Tu-Sa",
    "Su,PH",
    "PH",
    "SH",
    "Sa[1]",
    "Su[-1]",
    "off",
    "closed",
    "unknown",
    "\"sur rendez-vous\"",
    "24/7",
    "10:00-12:00",
    "22:00-02:00",
    "00:00-24:00",
    "12:00-12:00",
    "18:00-47:59",
    "09:00+",
    "sunrise-sunset",
    "sunset-sunrise",
    "(sunset+12:00)-sunrise",
    "(dusk+04:00)-(dawn-05:00)",
    "dawn-18:00/01:00",
    "Mo-Fr 09:00-12:00;",
    "PH off;",
    "||",
    "Dec 25",
    "easter",
    "week 13/2",
    "2026",
    "1899-1900",
    "9999",
    "Mar 29-Oct 25",
    "Feb 29",
];

/// Applies edits to a real string: `op % 6` inserts, overwrites or deletes characters at
/// `pos` (0, 1, 2), or replaces the token at `pos` (3 to 5; counted in space-separated
/// tokens, so that half the edits keep the string close to the grammar).
fn mutate(base: &str, edits: &[(usize, u8, usize)]) -> String {
    let mut s: Vec<char> = base.chars().collect();
    for &(pos, op, piece) in edits {
        let at = if s.is_empty() { 0 } else { pos % (s.len() + 1) };
        let chars: Vec<char> = PIECES[piece % PIECES.len()].chars().collect();
        match op % 6 {
            0 => s.splice(at..at, chars).for_each(drop),
            1 => {
                let end = (at + chars.len()).min(s.len());
                s.splice(at..end, chars).for_each(drop);
            }
            2 => {
                let end = (at + 1 + pos % 4).min(s.len());
                s.splice(at..end, std::iter::empty()).for_each(drop);
            }
            _ => {
                let text: String = s.iter().collect();
                let mut tokens: Vec<&str> = text.split(' ').collect();
                let i = pos % tokens.len();
                tokens[i] = TOKENS[piece % TOKENS.len()];
                s = tokens.join(" ").chars().collect();
            }
        }
    }
    s.into_iter().collect()
}

/// Parsing never panics; whatever parses evaluates without panicking.
fn exercise(text: &str) {
    let Ok(oh) = OpeningHours::parse(text) else {
        return;
    };
    for monday in [
        d(2026, 3, 23),
        d(2026, 10, 19),
        d(1899, 12, 25),
        d(9999, 12, 27),
    ] {
        let w = oh.week(monday, Paris, Holidays::France).expect("a Monday");
        assert!(w.minutes_open <= 169 * 60);
    }
    for at in [
        utc(2026, 3, 29, 1, 30),
        utc(2026, 10, 25, 0, 30),
        utc(9999, 12, 31, 0, 0),
    ] {
        let _ = oh.is_open(at, Paris, Holidays::France);
        if let Some(t) = oh.next_opening(at, Paris, Holidays::None) {
            assert!(t >= at && t <= at + Duration::days(400));
            assert!(oh.is_open(t, Paris, Holidays::None), "{text:?} at {t}");
        }
    }
}

const EVENTS: &[&str] = &["dawn", "sunrise", "sunset", "dusk"];

/// One end of a time span: a fixed time (start up to 24:00, end up to 47:59, some out of
/// range), a sun event, or a sun event with an offset.
fn time(end: bool) -> impl Strategy<Value = String> {
    let max_hour = if end { 48u32 } else { 25 };
    prop_oneof![
        3 => (0..=max_hour, 0..61u32).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        1 => prop::sample::select(EVENTS).prop_map(str::to_owned),
        2 => (prop::sample::select(EVENTS), any::<bool>(), 0..24u32, 0..60u32)
            .prop_map(|(e, plus, h, m)| format!("({e}{}{h:02}:{m:02})", if plus { '+' } else { '-' })),
    ]
}

/// Expressions that mostly parse: date prefixes, weekdays and holidays, spans (open-ended,
/// past midnight, with sun events), modifiers, the three rule separators.
fn expression() -> impl Strategy<Value = String> {
    let span = (time(false), time(true), 0..8u8).prop_map(|(a, b, k)| match k {
        0 => format!("{a}+"),
        1 => format!("{a}-{b}/01:30"),
        _ => format!("{a}-{b}"),
    });
    let spans = prop_oneof![
        6 => proptest::collection::vec(span, 1..4).prop_map(|v| v.join(",")),
        1 => Just("24/7".to_owned()),
        1 => Just(String::new()),
    ];
    let days = proptest::collection::vec(
        prop::sample::select(
            &[
                "Mo",
                "Tu",
                "We",
                "Th",
                "Fr",
                "Sa",
                "Su",
                "Mo-Fr",
                "Fr-Mo",
                "Sa[1]",
                "Su[-1]",
                "We[2,4]",
                "PH",
                "SH",
                "PH +1 day",
            ][..],
        ),
        0..3,
    )
    .prop_map(|v| v.join(","));
    let prefix = prop::sample::select(
        &[
            "",
            "",
            "",
            "Jan-Mar ",
            "Dec 25 ",
            "easter ",
            "easter +1 day ",
            "2026 ",
            "week 01-26 ",
            "week 13/2 ",
            "Mar 29 ",
            "Oct 25 ",
            "Mar 29-Oct 25 ",
            "1899-2000 ",
            "9999 ",
            "Feb 29 ",
            "Nov-Feb ",
        ][..],
    );
    let modifier = prop::sample::select(
        &[
            "",
            "",
            " off",
            " closed",
            " unknown",
            " \"sur rendez-vous\"",
        ][..],
    );
    let rule = (prefix, days, spans, modifier).prop_map(|(p, d, s, m)| {
        let body = [d, s]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        format!("{p}{body}{m}").trim().to_owned()
    });
    (
        proptest::collection::vec(rule, 1..4),
        proptest::collection::vec(prop::sample::select(&["; ", ", ", " || "][..]), 3),
    )
        .prop_map(|(rules, seps)| {
            let mut out = String::new();
            for (i, r) in rules.iter().enumerate() {
                if i > 0 {
                    out.push_str(seps[i - 1]);
                }
                out.push_str(r);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn grammar_soup_never_panics(text in "((Mo|Tu|Su|PH|SH|Jan|Dec|week|easter|off|closed|unknown|24/7|sunrise|sunset|dusk|dawn|[0-4][0-9]:[0-5][0-9]|[0-9]{1,5}|[-,;+/ :()\\[\\]\"]|\\|\\|) ?){0,24}") {
        exercise(&text);
    }

    #[test]
    fn generated_expressions_never_panic(text in expression()) {
        exercise(&text);
    }

    #[test]
    fn mutated_real_strings_never_panic(
        index in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4),
    ) {
        let base = index.get(&HORAIRES);
        exercise(&mutate(base, &edits));
    }
}
