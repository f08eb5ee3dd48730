//! Opening hours (`horaires`): OpenStreetMap `opening_hours` strings, parsed and evaluated
//! with the maintained [`opening-hours`](https://crates.io/crates/opening-hours) crate
//! (version 2.1.4, default features off: its embedded holiday table needs no feature).
//!
//! - [`OpeningHours::parse`] reads a string and never panics (see its documentation for the
//!   two guards it adds in front of the crate).
//! - [`OpeningHours::is_open`], [`OpeningHours::next_opening`] and [`OpeningHours::week`]
//!   take the venue's time zone explicitly ([`DEFAULT_TIME_ZONE`] is Europe/Paris) and a
//!   [`Holidays`] calendar: public holidays (`PH`) are only known when one is asked for.
//!
//! ## Semantics
//! - The rules are read in the venue's **local** time and every duration is real elapsed
//!   time: the Sunday of the spring change (Europe/Paris: 2026-03-29) lasts 23 hours, that
//!   of the autumn change 25 hours. A span that falls in the skipped hour has no duration
//!   (`Su 02:00-03:00` is 0 minutes that Sunday; `Su 02:30-04:00` is 03:00-04:00, 60
//!   minutes); a span in the repeated hour counts both passes.
//! - OSM rule precedence, as the crate implements it: a rule after `;` that selects a day
//!   *replaces* what earlier rules said about that day (`Mo-Fr 09:00-18:00; We 09:00-12:00`
//!   is 39 h over 5 days; `…; Th off` closes Thursdays); a rule after `,` *adds* to it; a
//!   rule after `||` only applies where the earlier ones say nothing.
//! - Overlapping or adjacent spans of a day merge (`09:00-15:00,14:00-19:00` is 10 h). A
//!   span that ends before it starts runs past midnight (`Fr 19:00-11:00` is Friday 5 h
//!   and Saturday 11 h).
//! - Only `open` time counts as open; `unknown` time (`Sa 10:00-12:00 unknown "sur
//!   rendez-vous"`) is counted apart in [`WeekSummary::minutes_unknown`], `closed`/`off`
//!   time not at all.
//! - Sun events (`sunrise`, `sunset`, `dawn`, `dusk`) are taken at the crate's fixed
//!   defaults (dawn 06:00, sunrise 07:00, sunset 19:00, dusk 20:00): the API takes no
//!   coordinates. School holidays (`SH`) never match: the crate has no French school
//!   calendar. The crate evaluates nothing before 1900 or from 10000 on (closed).

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use opening_hours::localization::Country;
use opening_hours::{Context, RuleKind};
use rust_decimal::Decimal;
use serde::Serialize;

use super::error::VenueError;

/// The time zone used when the data does not say: Europe/Paris (mainland France and Corsica;
/// overseas venues need their own zone, e.g. `America/Guadeloupe`, `Indian/Reunion`).
pub const DEFAULT_TIME_ZONE: Tz = chrono_tz::Europe::Paris;

/// The longest opening-hours string accepted, in bytes. OpenStreetMap caps tag values at 255
/// characters; the longest `horaires` of the shipped real file has 138. The cap bounds the
/// parsing and evaluation time of hostile input.
pub const MAX_INPUT_BYTES: usize = 2048;

/// How far [`OpeningHours::next_opening`] looks ahead: 400 days, a little over a year, so
/// that a yearly rule (`Dec 24 09:00-12:00`) is always found.
pub const NEXT_OPENING_HORIZON_DAYS: i64 = 400;

/// The public-holiday calendar that `PH` rules are evaluated against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Holidays {
    /// No public holidays: `PH` never matches (`Mo-Fr 09:00-17:00; PH off` is open every
    /// weekday). The default.
    #[default]
    None,
    /// The eleven national public holidays of France (Code du travail, art. L3133-1): 1 January,
    /// Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July, 15 August, 1 November,
    /// 11 November, 25 December, from the `opening-hours` crate's embedded table (years 2000 to
    /// 2076; outside them `PH` never matches). Whit Monday is included although many employers
    /// work it as the *journée de solidarité*.
    ///
    /// This is the metropolitan calendar only. **Alsace-Moselle** (Bas-Rhin, Haut-Rhin,
    /// Moselle) also has Good Friday and 26 December, and the **overseas** departments and
    /// collectivities each have their own days (abolition of slavery: Mayotte 27 April,
    /// Martinique 22 May, Guadeloupe 27 May, Guyane 10 June, La Réunion 20 December; and
    /// others): the crate has no regional French table, so those days are *not* holidays here.
    France,
}

impl Holidays {
    /// The code used on the command line (`--holidays FR`): `"FR"`, or `"none"`.
    pub fn code(self) -> &'static str {
        match self {
            Holidays::None => "none",
            Holidays::France => "FR",
        }
    }

    fn context(self) -> Context {
        match self {
            Holidays::None => Context::default(),
            Holidays::France => Context::default().with_holidays(Country::FR.holidays()),
        }
    }
}

impl FromStr for Holidays {
    type Err = VenueError;

    /// `FR` (any case) is [`Holidays::France`]; `none` (any case) is [`Holidays::None`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            c if c.eq_ignore_ascii_case("FR") => Ok(Holidays::France),
            c if c.eq_ignore_ascii_case("none") => Ok(Holidays::None),
            other => Err(VenueError::InvalidArgument {
                field: "holidays",
                rule: format!("{other:?} is not a holiday calendar (FR or none)"),
            }),
        }
    }
}

impl fmt::Display for Holidays {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A parsed opening-hours expression: the crate's value and the text it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OpeningHours {
    source: String,
    inner: opening_hours::OpeningHours,
}

/// The opening of one week, Monday to Sunday in the venue's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeekSummary {
    /// The Monday the week starts on (00:00 local time).
    pub monday: NaiveDate,
    /// Minutes open in the week (real elapsed minutes).
    pub minutes_open: u32,
    /// Minutes in an `unknown` state (not counted as open).
    pub minutes_unknown: u32,
    /// Days with at least one open minute.
    pub days_open: u8,
    /// Minutes open per day, Monday first.
    pub per_day: [u32; 7],
}

impl WeekSummary {
    /// Hours open, exactly: `minutes_open / 60` (39, 27.5, 23.75…).
    pub fn hours_per_week(&self) -> Decimal {
        (Decimal::from(self.minutes_open) / Decimal::from(60)).normalize()
    }

    /// Hours open as a float, for JSON output only (exact for whole quarter hours; compare
    /// and add with [`WeekSummary::minutes_open`] or [`WeekSummary::hours_per_week`]).
    pub fn hours_per_week_f64(&self) -> f64 {
        f64::from(self.minutes_open) / 60.0
    }
}

impl OpeningHours {
    /// Parses an OpenStreetMap `opening_hours` string.
    ///
    /// Errors are [`VenueError::InvalidOpeningHours`] (code `invalid_opening_hours`) with the
    /// value and a one-line reason. Never panics: besides the crate's parser (which returns
    /// errors for every input the fuzzing found), two guards reject what the crate would not
    /// survive or what costs too much:
    /// - strings longer than [`MAX_INPUT_BYTES`];
    /// - time spans that the crate's evaluator panics on (`opening-hours` 2.1.4, an
    ///   `expect`/`debug_assert` in its time-span resolution): a span whose start is not
    ///   before its end and whose end is after 24:00, or whose start is more than 24 hours
    ///   after its end, once sun events are placed at the default times
    ///   (`(sunset+12:01)-sunrise` is 07:01 the next day to 07:00; `(sunset+10:19)-00:00`).
    ///   Such spans have no sensible meaning. No `catch_unwind` is used.
    pub fn parse(text: &str) -> Result<Self, VenueError> {
        let invalid = |rule: String| VenueError::InvalidOpeningHours {
            value: text.to_owned(),
            rule,
        };
        if text.len() > MAX_INPUT_BYTES {
            return Err(invalid(format!(
                "longer than {MAX_INPUT_BYTES} bytes ({} bytes)",
                text.len()
            )));
        }
        if let Some(period) = day_long_repetition(text) {
            return Err(invalid(format!(
                "a time span repeats every {period}; a repetition must be shorter than a day"
            )));
        }
        let inner: opening_hours::OpeningHours =
            text.parse()
                .map_err(|e: <opening_hours::OpeningHours as FromStr>::Err| {
                    invalid(one_line(&e.to_string()))
                })?;
        check_evaluable(&inner).map_err(invalid)?;
        Ok(OpeningHours {
            source: text.to_owned(),
            inner,
        })
    }

    /// The text this was parsed from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The crate's parsed value (for its normalisation or display).
    pub fn inner(&self) -> &opening_hours::OpeningHours {
        &self.inner
    }

    fn with(&self, holidays: Holidays) -> opening_hours::OpeningHours {
        self.inner.clone().with_context(holidays.context())
    }

    /// Whether the venue is open at the instant `at`, read in the venue's time zone `tz`.
    pub fn is_open(&self, at: DateTime<Utc>, tz: Tz, holidays: Holidays) -> bool {
        self.with(holidays)
            .is_open(at.with_timezone(&tz).naive_local())
    }

    /// The first instant at or after `after` at which the venue is open: `after` itself when it
    /// is open then; `None` when it does not open within [`NEXT_OPENING_HORIZON_DAYS`] days
    /// (or the date is out of range).
    pub fn next_opening(
        &self,
        after: DateTime<Utc>,
        tz: Tz,
        holidays: Holidays,
    ) -> Option<DateTime<Utc>> {
        let oh = self.with(holidays);
        let limit = after.checked_add_signed(Duration::days(NEXT_OPENING_HORIZON_DAYS))?;
        let mut cursor = after;
        while cursor < limit {
            let offset = offset_seconds(tz, cursor);
            let segment_end = next_offset_change(tz, cursor, limit).unwrap_or(limit);
            let from = local(cursor, offset)?;
            let to = local(segment_end, offset)?;
            if let Some(range) = oh.iter_range(from, to).find(|r| r.kind == RuleKind::Open) {
                let start = range
                    .range
                    .start
                    .checked_sub_signed(Duration::seconds(offset))?;
                return Some(Utc.from_utc_datetime(&start).max(after));
            }
            cursor = segment_end;
        }
        None
    }

    /// The opening of the week starting on `monday` (00:00 local time in `tz`) and ending the
    /// next Monday at 00:00. A span that runs past Sunday midnight counts in the next week.
    ///
    /// Errors: [`VenueError::InvalidArgument`] when `monday` is not a Monday or is out of range.
    pub fn week(
        &self,
        monday: NaiveDate,
        tz: Tz,
        holidays: Holidays,
    ) -> Result<WeekSummary, VenueError> {
        let bad = |rule: String| VenueError::InvalidArgument {
            field: "monday",
            rule,
        };
        if monday.weekday() != Weekday::Mon {
            return Err(bad(format!(
                "{monday} is a {}, not a Monday",
                monday.weekday()
            )));
        }
        let out_of_range = || bad(format!("{monday}: the week is out of range"));
        let next_monday = monday
            .checked_add_signed(Duration::days(7))
            .ok_or_else(out_of_range)?;
        let start = first_instant_at_or_after(tz, monday.and_time(chrono::NaiveTime::MIN))
            .ok_or_else(out_of_range)?;
        let end = first_instant_at_or_after(tz, next_monday.and_time(chrono::NaiveTime::MIN))
            .ok_or_else(out_of_range)?;

        let oh = self.with(holidays);
        let mut open = [0i64; 7];
        let mut unknown = [0i64; 7];
        let mut cursor = start;
        while cursor < end {
            let offset = offset_seconds(tz, cursor);
            let segment_end = next_offset_change(tz, cursor, end).unwrap_or(end);
            let from = local(cursor, offset).ok_or_else(out_of_range)?;
            let to = local(segment_end, offset).ok_or_else(out_of_range)?;
            for range in oh.iter_range(from, to) {
                let target = match range.kind {
                    RuleKind::Open => &mut open,
                    RuleKind::Unknown => &mut unknown,
                    RuleKind::Closed => continue,
                };
                add_by_day(target, monday, range.range.start, range.range.end);
            }
            cursor = segment_end;
        }
        let per_day = open.map(|s| u32::try_from(s / 60).unwrap_or(u32::MAX));
        Ok(WeekSummary {
            monday,
            minutes_open: per_day.iter().sum(),
            minutes_unknown: unknown
                .iter()
                .map(|s| u32::try_from(s / 60).unwrap_or(u32::MAX))
                .sum(),
            days_open: per_day.iter().filter(|&&m| m > 0).count() as u8,
            per_day,
        })
    }
}

impl FromStr for OpeningHours {
    type Err = VenueError;

    /// Same as [`OpeningHours::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OpeningHours::parse(s)
    }
}

impl fmt::Display for OpeningHours {
    /// The text it was parsed from.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The parser's message on one line: pest draws the input and a caret over several lines;
/// keep the position and the expectation (`at 1:16: unexpected EOI`).
fn one_line(message: &str) -> String {
    let lines: Vec<&str> = message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let position = lines.iter().find_map(|l| l.strip_prefix("--> "));
    let expectation = lines.iter().rev().find_map(|l| l.strip_prefix("= "));
    match (position, expectation) {
        (Some(p), Some(e)) => format!("at {p}: {e}"),
        _ => lines.join(" "),
    }
}

/// Minutes from midnight of one end of a time span, as the crate resolves it without
/// coordinates; `Ok(None)` when the crate finds it out of range (it then substitutes
/// midnight, which is safe). Read from the crate's `Display` of the time (`09:00`,
/// `sunset`, `(sunset+01:30)`), the only public view of it without naming the syntax crate.
fn resolve_time(text: &str) -> Result<Option<i32>, String> {
    let unexpected = || format!("unsupported time form {text:?}");
    let hm = |s: &str| -> Result<i32, String> {
        let (h, m) = s.split_once(':').ok_or_else(unexpected)?;
        let h: i32 = h.parse().map_err(|_| unexpected())?;
        let m: i32 = m.parse().map_err(|_| unexpected())?;
        Ok(h * 60 + m)
    };
    let event = |s: &str| -> Result<i32, String> {
        Ok(match s {
            "dawn" => 6 * 60,
            "sunrise" => 7 * 60,
            "sunset" => 19 * 60,
            "dusk" => 20 * 60,
            _ => return Err(unexpected()),
        })
    };
    let minutes = if let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        let (at, sign) = match (inner.find('+'), inner.find('-')) {
            (Some(i), _) => (i, 1),
            (None, Some(i)) => (i, -1),
            (None, None) => return Err(unexpected()),
        };
        event(&inner[..at])? + sign * hm(&inner[at + 1..])?
    } else if text.contains(':') {
        hm(text)?
    } else {
        event(text)?
    };
    Ok((0..=48 * 60).contains(&minutes).then_some(minutes))
}

/// Rejects the time spans that `opening-hours` 2.1.4 panics on when evaluating (its
/// `TimeSpan` resolution: `end.add_hours(24).expect(…)` and `debug_assert!(start <= end)`).
/// A repetition period of a day or more (`/24:00`, `/36:30`), found in the text before the
/// crate parses it: its parser trips an internal assertion on such periods in debug builds
/// (found by fuzzing: `10:00-12:00/24:00`, fuzz/regressions/opening_hours/), and they mean
/// nothing inside a day anyway.
fn day_long_repetition(text: &str) -> Option<&str> {
    text.match_indices('/').find_map(|(i, _)| {
        let rest = text[i + 1..].trim_start();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let hours: u32 = rest[..digits].parse().ok()?;
        (digits > 0 && rest[digits..].starts_with(':') && hours >= 24)
            .then(|| rest.get(..digits + 3).unwrap_or(&rest[..=digits]))
    })
}

fn check_evaluable(oh: &opening_hours::OpeningHours) -> Result<(), String> {
    for rule in &oh.get_expression().rules {
        for span in &rule.time_selector.spans {
            // A repetition (`10:00-16:00/01:30`) must repeat inside a day: a period of zero,
            // or of a day or more, makes the crate fail while evaluating (found by fuzzing:
            // `10:00-12:00/24:00`, fuzz/regressions/opening_hours/).
            if let Some(every) = span.repeats
                && (every <= chrono::TimeDelta::zero() || every >= chrono::TimeDelta::hours(24))
            {
                return Err(format!(
                    "time span {}-{} repeats every {} minutes; a repetition must be shorter than a day and longer than zero",
                    span.range.start,
                    span.range.end,
                    every.num_minutes()
                ));
            }
            let start = resolve_time(&span.range.start.to_string())?;
            let end = resolve_time(&span.range.end.to_string())?;
            if let (Some(s), Some(e)) = (start, end)
                && s >= e
                && (e > 24 * 60 || s > e + 24 * 60)
            {
                return Err(format!(
                    "time span {}-{} cannot be evaluated: its start is not before its end even \
                     across midnight (sun events at dawn 06:00, sunrise 07:00, sunset 19:00, \
                     dusk 20:00)",
                    span.range.start, span.range.end
                ));
            }
        }
    }
    Ok(())
}

/// The UTC offset of `tz` at `t`, in seconds.
fn offset_seconds(tz: Tz, t: DateTime<Utc>) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The local wall-clock time of `t` at a given offset.
fn local(t: DateTime<Utc>, offset: i64) -> Option<NaiveDateTime> {
    t.naive_utc().checked_add_signed(Duration::seconds(offset))
}

/// The first instant in `(from, limit)` at which the offset of `tz` differs from its offset at
/// `from` (probed hourly, then bisected to the second; time zones do not change twice in an
/// hour).
fn next_offset_change(tz: Tz, from: DateTime<Utc>, limit: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let offset = offset_seconds(tz, from);
    let mut low = from;
    loop {
        let high = low.checked_add_signed(Duration::hours(1))?.min(limit);
        if high <= low {
            return None;
        }
        if offset_seconds(tz, high) != offset {
            let mut low = low;
            let mut high = high;
            while high - low > Duration::seconds(1) {
                let mid = low + (high - low) / 2;
                if offset_seconds(tz, mid) == offset {
                    low = mid;
                } else {
                    high = mid;
                }
            }
            return Some(high);
        }
        if high == limit {
            return None;
        }
        low = high;
    }
}

/// The first instant whose local time in `tz` is `naive` or later: the earlier of two when the
/// hour repeats, the end of the gap when `naive` is skipped (searched minute by minute, up to
/// two days, for zones that skipped a whole day).
fn first_instant_at_or_after(tz: Tz, naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    (0..=48 * 60).find_map(|minutes| {
        let candidate = naive.checked_add_signed(Duration::minutes(minutes))?;
        tz.from_local_datetime(&candidate)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// Adds the seconds of the local span `[start, end)` to the days of the week it covers.
fn add_by_day(target: &mut [i64; 7], monday: NaiveDate, start: NaiveDateTime, end: NaiveDateTime) {
    let mut cursor = start;
    while cursor < end {
        let day = cursor.date();
        let day_end = day
            .succ_opt()
            .map_or(end, |next| next.and_time(chrono::NaiveTime::MIN))
            .min(end);
        let index = (day - monday).num_days();
        if let Ok(i) = usize::try_from(index)
            && i < 7
        {
            target[i] += (day_end - cursor).num_seconds();
        }
        if day_end <= cursor {
            break;
        }
        cursor = day_end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_long_repetitions_are_refused_before_the_parser() {
        for bad in [
            "10:00-12:00/24:00",
            "(sunset+10:19)-00:00/24:00",
            "Mo 08:00-18:00/ 36:30",
            "Mo 08:00-18:00/24:€",
        ] {
            let e = OpeningHours::parse(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_opening_hours", "{bad}");
            assert!(e.to_string().contains("repeat"), "{e}");
        }
        assert!(OpeningHours::parse("Mo 10:00-16:00/01:30").is_ok());
    }
    use chrono_tz::{America, Europe};

    fn oh(s: &str) -> OpeningHours {
        OpeningHours::parse(s).expect(s)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, day, h, min, 0)
            .single()
            .expect("instant")
    }

    /// A week without public holidays in France (Whit Monday 2026 is 25 May).
    fn plain_week() -> NaiveDate {
        d(2026, 6, 8)
    }

    fn week(s: &str, monday: NaiveDate, tz: Tz, holidays: Holidays) -> WeekSummary {
        oh(s).week(monday, tz, holidays).expect("week")
    }

    #[test]
    fn a_later_rule_for_the_same_day_replaces_the_earlier_one() {
        let w = week(
            "Mo-Fr 09:00-18:00; We 09:00-12:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day, [540, 540, 180, 540, 540, 0, 0]);
        assert_eq!(w.minutes_open, 39 * 60);
        assert_eq!(w.days_open, 5);
        assert_eq!(w.hours_per_week(), Decimal::from(39));
        assert_eq!(w.hours_per_week_f64(), 39.0);
    }

    #[test]
    fn a_comma_rule_adds_and_off_closes() {
        // `,` adds 14:00-16:00 to Wednesday's 09:00-12:00.
        let w = week(
            "Mo-Fr 09:00-12:00, We 14:00-16:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day, [180, 180, 300, 180, 180, 0, 0]);
        // `; Th off` closes Thursday: 4 × 7 h.
        let w = week(
            "Mo-Fr 08:30-12:00,13:30-17:00; Th off",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day, [420, 420, 420, 0, 420, 0, 0]);
        assert_eq!((w.minutes_open, w.days_open), (28 * 60, 4));
        // `||` only fills days the first rule leaves unsaid.
        let w = week(
            "Mo-Fr 09:00-12:00 || Sa 10:00-11:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day, [180, 180, 180, 180, 180, 60, 0]);
    }

    #[test]
    fn overlapping_spans_merge_and_a_reversed_span_runs_past_midnight() {
        let w = week(
            "Mo 09:00-15:00,14:00-19:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day[0], 600);
        let w = week(
            "Fr 19:00-11:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day, [0, 0, 0, 0, 300, 660, 0]);
        assert_eq!((w.minutes_open, w.days_open), (16 * 60, 2));
        // Sunday night's span spills into the next week, and the previous Sunday's into this one.
        let w = week(
            "Su 22:00-02:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.per_day, [120, 0, 0, 0, 0, 0, 120]);
        let w = week(
            "Mo-Fr 09:00-12:15,13:30-17:00",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(w.minutes_open, 5 * 405);
        assert_eq!(w.hours_per_week().to_string(), "33.75");
    }

    #[test]
    fn weeks_with_a_clock_change_are_counted_in_real_time() {
        // Europe/Paris: clocks go forward on Sunday 2026-03-29 and back on Sunday 2026-10-25.
        let spring = d(2026, 3, 23);
        let autumn = d(2026, 10, 19);
        let w = week("24/7", spring, Europe::Paris, Holidays::None);
        assert_eq!(w.per_day, [1440, 1440, 1440, 1440, 1440, 1440, 1380]);
        assert_eq!(w.minutes_open, 167 * 60);
        let w = week("24/7", autumn, Europe::Paris, Holidays::None);
        assert_eq!(w.per_day[6], 1500);
        assert_eq!(w.minutes_open, 169 * 60);
        assert_eq!(
            week("24/7", plain_week(), Europe::Paris, Holidays::None).minutes_open,
            168 * 60
        );
        // The skipped hour has no duration, the repeated one counts twice.
        assert_eq!(
            week("Su 02:00-03:00", spring, Europe::Paris, Holidays::None).minutes_open,
            0
        );
        assert_eq!(
            week("Su 02:30-04:00", spring, Europe::Paris, Holidays::None).minutes_open,
            60
        );
        assert_eq!(
            week("Su 02:00-03:00", autumn, Europe::Paris, Holidays::None).minutes_open,
            120
        );
        assert_eq!(
            week("Su 01:00-04:00", autumn, Europe::Paris, Holidays::None).minutes_open,
            240
        );
        // Daytime hours are the same in the week of the change, the week after and June.
        for monday in [spring, d(2026, 3, 30), plain_week()] {
            let w = week(
                "Mo-Sa 09:00-12:00; Su 10:00-12:00",
                monday,
                Europe::Paris,
                Holidays::None,
            );
            assert_eq!(w.minutes_open, 6 * 180 + 120, "{monday}");
        }
        // The same rules in UTC know no change.
        assert_eq!(
            week("24/7", spring, chrono_tz::UTC, Holidays::None).minutes_open,
            168 * 60
        );
        // New York changed on 2026-03-08.
        assert_eq!(
            week("24/7", d(2026, 3, 2), America::New_York, Holidays::None).per_day[6],
            1380
        );
    }

    #[test]
    fn french_public_holidays_only_when_asked() {
        // Friday 8 May 2026 is Victoire 1945.
        let monday = d(2026, 5, 4);
        let s = "Mo-Fr 09:00-17:00; PH off";
        let w = week(s, monday, Europe::Paris, Holidays::None);
        assert_eq!((w.minutes_open, w.days_open), (40 * 60, 5));
        let w = week(s, monday, Europe::Paris, Holidays::France);
        assert_eq!(w.per_day, [480, 480, 480, 480, 0, 0, 0]);
        assert_eq!((w.minutes_open, w.days_open), (32 * 60, 4));
        // `PH 10:00-12:00` replaces the day's hours on a holiday.
        let w = week(
            "Mo-Fr 09:00-17:00; PH 10:00-12:00",
            monday,
            Europe::Paris,
            Holidays::France,
        );
        assert_eq!(w.per_day[4], 120);
        // Whit Monday (25 May 2026) is in the table; Good Friday (3 April 2026) is not.
        let w = week(s, d(2026, 5, 25), Europe::Paris, Holidays::France);
        assert_eq!(w.per_day[0], 0);
        let w = week(s, d(2026, 3, 30), Europe::Paris, Holidays::France);
        assert_eq!(w.per_day[4], 480);
        // Easter Monday 2026 is 6 April.
        let w = week(s, d(2026, 4, 6), Europe::Paris, Holidays::France);
        assert_eq!(w.days_open, 4);
    }

    #[test]
    fn unknown_time_is_not_open() {
        let w = week(
            "Mo-Fr 09:00-12:00; Sa 10:00-12:00 unknown \"sur rendez-vous\"",
            plain_week(),
            Europe::Paris,
            Holidays::None,
        );
        assert_eq!(
            (w.minutes_open, w.minutes_unknown, w.days_open),
            (900, 120, 5)
        );
    }

    #[test]
    fn is_open_reads_the_instant_in_the_venue_time_zone() {
        let h = oh("Mo-Fr 09:00-18:00");
        // Monday 1 June 2026: 07:30 UTC is 09:30 in Paris (UTC+2).
        assert!(h.is_open(utc(2026, 6, 1, 7, 30), Europe::Paris, Holidays::None));
        assert!(!h.is_open(utc(2026, 6, 1, 6, 30), Europe::Paris, Holidays::None));
        assert!(!h.is_open(utc(2026, 6, 1, 16, 0), Europe::Paris, Holidays::None));
        assert!(h.is_open(utc(2026, 6, 1, 15, 59), Europe::Paris, Holidays::None));
        // In winter Paris is UTC+1: 07:30 UTC is 08:30, closed.
        assert!(!h.is_open(utc(2026, 3, 24, 7, 30), Europe::Paris, Holidays::None));
        assert!(h.is_open(utc(2026, 3, 31, 7, 30), Europe::Paris, Holidays::None));
        // New York (UTC-4 in June): 13:30 UTC is 09:30.
        assert!(h.is_open(utc(2026, 6, 1, 13, 30), America::New_York, Holidays::None));
        assert!(!h.is_open(utc(2026, 6, 1, 7, 30), America::New_York, Holidays::None));
        // 1 May 2026 (a Friday) with PH off.
        let h = oh("Mo-Fr 09:00-18:00; PH off");
        assert!(h.is_open(utc(2026, 5, 1, 8, 0), Europe::Paris, Holidays::None));
        assert!(!h.is_open(utc(2026, 5, 1, 8, 0), Europe::Paris, Holidays::France));
    }

    #[test]
    fn next_opening() {
        let h = oh("Mo-Fr 09:00-18:00; PH off");
        let tz = Europe::Paris;
        // Friday 5 June 2026, 19:00 in Paris: next is Monday 8 June 09:00 = 07:00 UTC.
        assert_eq!(
            h.next_opening(utc(2026, 6, 5, 17, 0), tz, Holidays::None),
            Some(utc(2026, 6, 8, 7, 0))
        );
        // Open now: now.
        let now = utc(2026, 6, 5, 10, 17) + Duration::seconds(42);
        assert_eq!(h.next_opening(now, tz, Holidays::None), Some(now));
        // Thursday 7 May 2026 evening: Friday 8 May is a holiday only when asked.
        assert_eq!(
            h.next_opening(utc(2026, 5, 7, 17, 0), tz, Holidays::None),
            Some(utc(2026, 5, 8, 7, 0))
        );
        assert_eq!(
            h.next_opening(utc(2026, 5, 7, 17, 0), tz, Holidays::France),
            Some(utc(2026, 5, 11, 7, 0))
        );
        // Across the spring change: Friday 27 March 18:00 (UTC+1) → Monday 30 March 09:00 (UTC+2).
        assert_eq!(
            h.next_opening(utc(2026, 3, 27, 17, 0), tz, Holidays::None),
            Some(utc(2026, 3, 30, 7, 0))
        );
        // A span starting in the skipped hour opens when the clock shows 03:00.
        assert_eq!(
            oh("Su 02:30-04:00").next_opening(utc(2026, 3, 28, 12, 0), tz, Holidays::None),
            Some(utc(2026, 3, 29, 1, 0))
        );
        // Once a year, within the horizon; never, or beyond it: None.
        assert_eq!(
            oh("Jan 01 10:00-12:00").next_opening(utc(2026, 6, 1, 0, 0), tz, Holidays::None),
            Some(utc(2027, 1, 1, 9, 0))
        );
        assert_eq!(
            oh("2030 Jan 01 10:00-12:00").next_opening(utc(2026, 6, 1, 0, 0), tz, Holidays::None),
            None
        );
        assert_eq!(
            oh("Mo-Su off").next_opening(utc(2026, 6, 1, 0, 0), tz, Holidays::None),
            None
        );
        assert_eq!(
            oh("closed").next_opening(DateTime::<Utc>::MAX_UTC, tz, Holidays::None),
            None
        );
        assert_eq!(
            oh("24/7").next_opening(utc(9999, 12, 31, 23, 0), tz, Holidays::None),
            None
        );
    }

    #[test]
    fn week_wants_a_monday() {
        let e = oh("24/7")
            .week(d(2026, 6, 9), Europe::Paris, Holidays::None)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        assert!(
            e.to_string().contains("2026-06-09 is a Tue, not a Monday"),
            "{e}"
        );
        // The last Monday chrono knows has no next Monday.
        let last_monday = (0..7)
            .map(|i| NaiveDate::MAX - Duration::days(i))
            .find(|d| d.weekday() == Weekday::Mon)
            .expect("a Monday");
        assert_eq!(
            oh("24/7")
                .week(last_monday, Europe::Paris, Holidays::None)
                .unwrap_err()
                .code(),
            "invalid_argument"
        );
        // Before 1900 the crate evaluates nothing.
        assert_eq!(
            week("24/7", d(1899, 1, 2), Europe::Paris, Holidays::None).minutes_open,
            0
        );
    }

    #[test]
    fn bad_strings_are_invalid_opening_hours() {
        for s in [
            "",
            "n'importe quoi",
            "Mo 10:00-12:00;",
            "Mo-Fr 9h-12h",
            "Lu-Ve 09:00-12:00",
            "30:00-25:00",
            // Panic in the crate's evaluator without the guard.
            "Sa,Su (sunset+12:01)-sunrise",
            "Su,PH (dusk+14:03)-03:48,09:02+",
            "We-Th 00:33-36:54,(dusk+18:46)-dawn",
            "(sunset+10:19)-00:00/01:30",
        ] {
            let e = OpeningHours::parse(s).unwrap_err();
            assert_eq!(e.code(), "invalid_opening_hours", "{s}");
            let VenueError::InvalidOpeningHours { value, rule } = &e else {
                panic!("{e:?}")
            };
            assert_eq!(value, s);
            assert!(!rule.contains('\n'), "{rule}");
        }
        let e = OpeningHours::parse("Mo 10:00-12:00;").unwrap_err();
        assert!(e.to_string().contains("at 1:16: unexpected EOI"), "{e}");
        let long = "Mo 10:00-12:00; ".repeat(200);
        assert!(
            OpeningHours::parse(&long)
                .unwrap_err()
                .to_string()
                .contains("longer than 2048 bytes")
        );
        // Accepted forms with sun events.
        for s in [
            "sunrise-sunset",
            "(sunset+01:30)-(sunrise-00:15)",
            "Mo 10:00+",
            "Mo 18:00-(sunrise+02:00)",
        ] {
            assert!(OpeningHours::parse(s).is_ok(), "{s}");
        }
        assert_eq!(
            week(
                "sunrise-sunset",
                plain_week(),
                Europe::Paris,
                Holidays::None
            )
            .minutes_open,
            7 * 720
        );
    }

    #[test]
    fn holidays_codes() {
        assert_eq!("FR".parse::<Holidays>().expect("FR"), Holidays::France);
        assert_eq!("fr".parse::<Holidays>().expect("fr"), Holidays::France);
        assert_eq!("none".parse::<Holidays>().expect("none"), Holidays::None);
        assert_eq!(
            "DE".parse::<Holidays>().unwrap_err().code(),
            "invalid_argument"
        );
        assert_eq!(Holidays::default(), Holidays::None);
        assert_eq!(Holidays::France.to_string(), "FR");
        let h: OpeningHours = "Mo 10:00-12:00".parse().expect("parse");
        assert_eq!(
            (h.as_str(), h.to_string().as_str()),
            ("Mo 10:00-12:00", "Mo 10:00-12:00")
        );
    }
}
