// tests/vectors/funding.tsv through the Kotlin API: the same totals, lines and error codes
// as the Rust suite (tests/tests/funding.rs), by the value map and by JSON text.
package fr.inclusif.tests

import fr.inclusif.Breakdown
import fr.inclusif.FundingValue
import fr.inclusif.RuleBook
import fr.inclusif.fundingProgrammes
import java.math.BigDecimal
import java.math.RoundingMode

/** A vector's parameter value, typed as every language types it. */
private fun typed(v: String): FundingValue = when {
    v == "true" || v == "false" -> FundingValue.Bool(v == "true")
    v.isNotEmpty() && v.all { it in '0'..'9' } && !(v.length > 1 && v.startsWith("0")) ->
        FundingValue.Whole(v.toLong())
    else -> FundingValue.Text(v)
}

private fun pairs(params: String): List<Pair<String, String>> =
    params.split(';').filter { it.isNotEmpty() }.map {
        val i = it.indexOf('=')
        require(i > 0) { "key=value: $it" }
        it.substring(0, i) to it.substring(i + 1)
    }

/** The JSON object the Rust suite builds from a row. */
private fun json(programme: String, params: String): String {
    val fields = mutableListOf("\"programme\":\"$programme\"")
    for ((k, v) in pairs(params)) {
        val value = when (typed(v)) {
            is FundingValue.Text -> "\"" + v.replace("\"", "\\\"") + "\""
            else -> v
        }
        fields += "\"$k\":$value"
    }
    return fields.joinToString(",", "{", "}")
}

private fun same(a: BigDecimal, b: BigDecimal) = a.compareTo(b) == 0

fun Harness.funding() {
    check("programmes listed", fundingProgrammes().contains("anct_estimate")) { "${fundingProgrammes()}" }
    RuleBook().use { book ->
        val rows = tsv("funding.tsv")
        check("at least 40 funding vectors", rows.size >= 40) { "${rows.size}" }
        for (row in rows) {
            val name = row.getValue("name")
            val request = mutableMapOf<String, FundingValue>("programme" to FundingValue.Text(row.getValue("programme")))
            for ((k, v) in pairs(row.getValue("params"))) request[k] = typed(v)
            val expect = row.getValue("expect")
            if (expect != "ok") {
                expectError(name, expect) { book.compute(request) }
                expectError("$name (json)", expect) { book.computeJson(json(row.getValue("programme"), row.getValue("params"))) }
                continue
            }
            case(name) {
                val b: Breakdown = book.compute(request)
                val total = BigDecimal(row.getValue("total"))
                check("$name: total", same(total, b.total)) { "expected $total, got ${b.total}" }
                if (row.getValue("lines") != "-") {
                    for (pair in row.getValue("lines").split(';')) {
                        val (label, amount) = pair.split('=', limit = 2)
                        val line = b.lines.firstOrNull { it.label == label }
                        if (line == null) {
                            fail("$name: $label", "no such line in ${b.lines.map { it.label }}")
                            continue
                        }
                        // Unrounded lines are compared to the cent, half away from zero.
                        val got = if (line.rounding != null) line.amount else line.amount.setScale(2, RoundingMode.HALF_UP)
                        check("$name: $label", same(BigDecimal(amount), got)) { "expected $amount, got $got" }
                    }
                }
                val viaJson = book.computeJson(json(row.getValue("programme"), row.getValue("params")))
                eq("$name: json gives the same breakdown", b, viaJson)
            }
        }

        case("an explained result as an app shows it") {
            val b = book.computeJson("""{"programme":"anct_estimate","employer":"public","territory":"75","posts":3,"on":"2024-01-01"}""")
            check("total 166286", same(BigDecimal("166286"), b.total)) { "${b.total}" }
            check("text explains the rules", b.text.contains("rules:")) { b.text }
            check("every line cites a rule", b.lines.any { it.rules.isNotEmpty() })
            check("lines carry formulas", b.lines.all { it.formula.isNotEmpty() })
        }
        case("typed amounts and dates in a request") {
            val b = book.compute(mapOf(
                "programme" to FundingValue.Text("early_termination"),
                "subsidy" to FundingValue.Amount(BigDecimal("50000")),
                "months_in_convention" to FundingValue.Whole(24),
                "months_used" to FundingValue.Whole(17),
                "paid_to_date" to FundingValue.Amount(BigDecimal.ZERO),
                "rounding" to FundingValue.Text("euro_down"),
            ))
            val earned = b.lines.first { it.label == "earned for the months used" }
            check("earned 35416", same(BigDecimal("35416"), earned.amount)) { "${earned.amount}" }
            eq("rounding named", fr.inclusif.Rounding.EURO_DOWN, earned.rounding)
            val d = book.compute(mapOf(
                "programme" to FundingValue.Text("anct_estimate"),
                "employer" to FundingValue.Text("public"),
                "territory" to FundingValue.Text("75"),
                "posts" to FundingValue.Whole(1),
                "on" to FundingValue.Date(java.time.LocalDate.of(2024, 1, 1)),
            ))
            check("a LocalDate `on`", same(BigDecimal("55429"), d.total)) { "${d.total}" }
        }
        expectError("an unknown programme", "invalid_input") {
            book.compute(mapOf("programme" to FundingValue.Text("lottery")))
        }
        expectError("JSON that is not JSON", "invalid_input") { book.computeJson("{") }
        case("rules") {
            val rules = book.rules()
            check("rules listed", rules.size > 20) { "${rules.size}" }
            check("rule ids are stable text", rules.any { it.id == "cnfs.v1.public.mainland" })
        }
        expectError("a rule table that cannot be read", "rule_table") { RuleBook.fromTsv("not\ta\ttable").close() }
    }
}
