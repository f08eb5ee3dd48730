// The venue vectors through the Kotlin API (tests/tests/venues.rs reads the same files):
// problems.csv validated on 2026-11-23, weekly opening hours, label outcomes; then what
// an app does: open now, next opening, nearest venues.
package fr.inclusif.tests

import fr.inclusif.EvaluationSettings
import fr.inclusif.Format
import fr.inclusif.Holidays
import fr.inclusif.OpeningHours
import fr.inclusif.Version
import fr.inclusif.VenueFile
import fr.inclusif.VenueIndex
import fr.inclusif.defaultEvaluationSettings
import fr.inclusif.shippedLabels
import java.time.Instant
import java.time.LocalDate

private val TODAY: LocalDate = LocalDate.of(2026, 11, 23)

private fun holidays(s: String): Holidays = when (s) {
    "none" -> Holidays.NONE
    "FR" -> Holidays.FRANCE
    else -> error("holidays $s")
}

private fun Harness.problems() {
    val expected = tsv("venues/problems.expected.tsv").map {
        listOf(it.getValue("row"), it.getValue("field"), it.getValue("code"), it.getValue("severity"))
    }
    eq("26 expected problems", 26, expected.size)
    val expectedChanges = tsv("venues/problems.changes.tsv").map {
        listOf(it.getValue("row"), it.getValue("field"), it.getValue("rule"), it.getValue("after"))
    }
    VenueFile.read(text("venues/problems.csv"), Format.AUTO).use { file ->
        eq("detected version", Version.V1_0_2, file.detectedVersion())
        for (version in listOf(null, Version.V1_0_2)) case("problems, version $version") {
            val report = file.validate(TODAY, version)
            eq("version validated ($version)", Version.V1_0_2, report.version)
            val got = report.problems.map { listOf(it.row.toString(), it.field, it.code, snake(it.severity)) }
            eq("problems in order ($version)", expected, got)
            eq("rows ($version)", 11L, report.rows)
            eq("valid rows ($version)", 2L, report.validRows)
            eq("valid records ($version)", listOf(2L, 12L), report.valid.map { it.row })
            eq("errors + warnings ($version)", report.problems.size.toLong(), report.errors + report.warnings)
            val changes = report.changes.map { listOf(it.row.toString(), it.field, it.rule, it.after) }
            eq("changes ($version)", expectedChanges, changes)
            eq("counts ($version)", report.problems.size.toLong(), report.counts.values.sum())
        }
        expectError("a day beyond chrono's range", "invalid_argument") { file.validate(LocalDate.MAX) }
    }
    expectError("a file that is not UTF-8", "malformed_file") {
        VenueFile.readBytes(byteArrayOf(0x69, 0x64, 0x0a, 0xff.toByte(), 0x0a), Format.CSV).close()
    }
}

private fun Harness.hours() {
    val rows = tsv("venues/hours.tsv")
    eq("26 hours vectors", 26, rows.size)
    for (row in rows) {
        val text = row.getValue("horaires")
        val name = "hours ${text} (${row["note"]})"
        if (row.getValue("error").isNotEmpty()) {
            expectError(name, row.getValue("error")) { OpeningHours(text).close() }
            continue
        }
        case(name) {
            OpeningHours(text).use { h ->
                val w = h.week(LocalDate.parse(row.getValue("week_of")), row.getValue("time_zone"), holidays(row.getValue("holidays")))
                eq("$name: per day", row.getValue("per_day").split(' ').map { it.toLong() }, w.perDay)
                eq("$name: minutes open", row["minutes_open"], w.minutesOpen.toString())
                eq("$name: minutes unknown", row["minutes_unknown"], w.minutesUnknown.toString())
                eq("$name: days open", row["days_open"], w.daysOpen.toString())
                check("$name: hours per week", w.hoursPerWeek.multiply(java.math.BigDecimal(60)).compareTo(java.math.BigDecimal(w.minutesOpen)) == 0) {
                    "${w.hoursPerWeek} h for ${w.minutesOpen} min"
                }
            }
        }
    }
    case("open now, next opening") {
        OpeningHours("Mo-Fr 09:00-17:00; PH off").use { h ->
            eq("text", "Mo-Fr 09:00-17:00; PH off", h.text())
            val christmas = Instant.parse("2026-12-25T10:00:00Z")
            eq("closed on Christmas (FR)", false, h.isOpen(christmas, "Europe/Paris", Holidays.FRANCE))
            eq("open on Christmas without holidays", true, h.isOpen(christmas, "Europe/Paris", Holidays.NONE))
            eq("next opening after Christmas", Instant.parse("2026-12-28T08:00:00Z"), h.nextOpening(christmas, "Europe/Paris", Holidays.FRANCE))
            eq("overseas time zone", Instant.parse("2026-12-28T05:00:00Z"), h.nextOpening(christmas, "Indian/Reunion", Holidays.FRANCE))
        }
        OpeningHours("PH off").use { h ->
            eq("never opens", null, h.nextOpening(Instant.parse("2026-12-25T10:00:00Z"), "Europe/Paris", Holidays.FRANCE))
        }
        OpeningHours("24/7").use { h ->
            expectError("a week that starts on a Tuesday", "invalid_argument") {
                h.week(LocalDate.of(2026, 11, 17), "Europe/Paris", Holidays.NONE)
            }
        }
    }
}

private fun Harness.labels() {
    eq("four shipped labels", setOf("france_services", "pass_numerique", "aidants_connect", "conseiller_numerique"),
        shippedLabels().map { it.label }.toSet())
    VenueFile.read(text("venues/labels.csv"), Format.CSV).use { file ->
        eq("six venues", 6L, file.size())
        case("label outcomes") {
            val evaluations = file.evaluateLabels(emptyList(), defaultEvaluationSettings())
            val rows = tsv("venues/labels.tsv")
            eq("a row per venue and label", evaluations.size, rows.size)
            for (row in rows) {
                val id = row.getValue("id")
                val label = row.getValue("label")
                val e = evaluations.singleOrNull { it.venueId == id && it.label == label }
                if (e == null) {
                    fail("$id $label", "no evaluation")
                    continue
                }
                eq("$id $label: outcome", row["outcome"], snake(e.outcome))
                eq("$id $label: criteria", row["criteria"], e.criteria.joinToString(" ") { "${it.id}=${snake(it.outcome)}" })
                check("$id $label: reasons in words", e.criteria.all { it.reason.isNotBlank() })
            }
            val one = file.evaluateLabels(listOf("pass_numerique"), EvaluationSettings(holidays = Holidays.FRANCE))
            eq("one label", setOf("pass_numerique"), one.map { it.label }.toSet())
            val coverage = file.coverageByDepartement(listOf("france_services"), defaultEvaluationSettings())
            eq("coverage counts every venue", 6L, coverage.sumOf { it.eligible + it.notEligible + it.unknown })
        }
        expectError("an unknown label", "invalid_argument") { file.evaluateLabels(listOf("nope"), defaultEvaluationSettings()) }
        expectError("an unknown time zone", "invalid_argument") {
            file.evaluateLabels(emptyList(), EvaluationSettings(timeZone = "Mars/Olympus", holidays = Holidays.NONE))
        }
        expectError("a week that starts on a Tuesday", "invalid_argument") {
            file.evaluateLabels(emptyList(), EvaluationSettings(weekOf = LocalDate.of(2026, 11, 17), holidays = Holidays.NONE))
        }
    }
}

private fun Harness.nearest() {
    val csv = "id,nom,commune,latitude,longitude\na,A,Reims,49.25,4.03\nb,B,Paris,48.85,2.35\nc,C,,x,1\n"
    VenueFile.read(csv, Format.AUTO).use { file ->
        eq("columns", listOf("id", "nom", "commune", "latitude", "longitude"), file.columns())
        eq("records as read", mapOf("id" to "a", "nom" to "A", "commune" to "Reims", "latitude" to "49.25", "longitude" to "4.03"),
            file.records().first().fields)
        VenueIndex(file, defaultEvaluationSettings()).use { index ->
            eq("indexed", 2L, index.size())
            eq("skipped", 1L, index.skipped())
            case("nearest") {
                val near = index.nearest(48.86, 2.35, 5)
                eq("nearest first", listOf("b", "a"), near.map { it.id })
                eq("commune", "Paris", near[0].commune)
                eq("row", 2L, near[1].row)
                check("distance in metres", near[0].distanceM in 1_000.0..1_200.0) { "${near[0].distanceM}" }
                eq("within 10 km", listOf("b"), index.within(48.86, 2.35, 10_000.0).map { it.id })
            }
            expectError("a point off the globe", "invalid_argument") { index.nearest(91.0, 0.0, 1) }
            expectError("a negative count", "invalid_argument") { index.nearest(48.0, 2.0, -1) }
            expectError("a negative radius", "invalid_argument") { index.within(48.0, 2.0, -1.0) }
        }
        expectError("an unknown label", "invalid_argument") {
            VenueIndex(file, defaultEvaluationSettings(), "nope").close()
        }
    }
    VenueFile.read(text("venues/labels.csv"), Format.CSV).use { file ->
        case("nearest eligible venues") {
            VenueIndex(file, defaultEvaluationSettings(), "pass_numerique", includeUnknown = true).use { index ->
                check("only eligible or unknown venues", index.size() <= 6L) { "${index.size()}" }
            }
        }
    }
}

fun Harness.venue() {
    problems()
    hours()
    labels()
    nearest()
}
