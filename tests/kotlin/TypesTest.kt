// The custom types and the one exception: BigDecimal amounts, Instant times, LocalDate
// dates, signed integers, InclusifException with its domain, stable code and kind.
package fr.inclusif.tests

import fr.inclusif.ErrorDomain
import fr.inclusif.InclusifException
import fr.inclusif.MandateRegistry
import fr.inclusif.MandateToken
import fr.inclusif.OpeningHours
import fr.inclusif.Precision
import fr.inclusif.Rounding
import fr.inclusif.RuleBook
import fr.inclusif.equalInstalments
import fr.inclusif.inclusifVersion
import fr.inclusif.instalments
import fr.inclusif.roundAmount
import fr.inclusif.splitByRates
import fr.inclusif.splitByWeights
import fr.inclusif.voucherErrorCodes
import java.math.BigDecimal
import java.time.Instant
import java.time.LocalDate

private fun dec(s: String) = BigDecimal(s)

fun Harness.typesAndErrors() {
    eq("version", "0.1.0", inclusifVersion())
    check("voucher codes", voucherErrorCodes().contains("bad_signature"))

    // BigDecimal in and out, exact.
    case("round half even") {
        val r: BigDecimal = roundAmount(dec("2.5"), Rounding.EURO_HALF_EVEN)
        check("2.5 half even is 2", r.compareTo(dec("2")) == 0) { "got $r" }
        eq("half away from zero to the cent", "0.13", roundAmount(dec("0.125"), Rounding.CENT).toPlainString())
        eq("down to the euro", "2", roundAmount(dec("2.99"), Rounding.EURO_DOWN).toPlainString())
    }
    case("exponent notation crosses as plain text") {
        val r = roundAmount(dec("1E+3"), Rounding.CENT)
        check("1E+3 is 1000", r.compareTo(dec("1000")) == 0) { "got $r" }
    }
    case("split by weights sums to the whole") {
        val parts = splitByWeights(dec("100"), listOf(dec("1"), dec("1"), dec("1")), Precision.CENT)
        eq("parts", listOf("33.34", "33.33", "33.33"), parts.map { it.toPlainString() })
        check("sum", parts.fold(BigDecimal.ZERO, BigDecimal::add).compareTo(dec("100")) == 0)
    }
    case("split by rates and instalments") {
        val parts = splitByRates(dec("1000"), listOf(dec("0.8"), dec("0.2")), Precision.EURO)
        eq("rates", listOf("800", "200"), parts.map { it.stripTrailingZeros().toPlainString() })
        val inst = instalments(dec("50000"), listOf(dec("0.5"), dec("0.8"), dec("1")), Rounding.EURO)
        eq("instalments", listOf("25000", "15000", "10000"), inst.map { it.stripTrailingZeros().toPlainString() })
        val equal = equalInstalments(dec("100"), 3L, Rounding.CENT)
        check("equal instalments sum", equal.fold(BigDecimal.ZERO, BigDecimal::add).compareTo(dec("100")) == 0) { "$equal" }
    }
    val negative = expectError("negative amount", "negative_amount") { roundAmount(dec("-1"), Rounding.EURO) }
    check("negative amount is Invalid", negative is InclusifException.Invalid)
    if (negative is InclusifException.Invalid) {
        eq("negative amount domain", ErrorDomain.FUNDING, negative.domain)
        check("negative amount detail names the field", negative.detail.contains("amount")) { negative.detail }
        check("Throwable.message carries the code", negative.message?.contains("code=negative_amount") == true) {
            "${negative.message}"
        }
    }
    expectError("too many digits for rust_decimal", "invalid_amount") {
        roundAmount(dec("1234567890123456789012345678901234567890"), Rounding.CENT)
    }
    expectError("a rate above 1", "rate_out_of_range") {
        splitByRates(dec("100"), listOf(dec("1.5"), dec("-0.5")), Precision.CENT)
    }
    expectError("negative count", "invalid_input") { equalInstalments(dec("100"), -3L, Rounding.CENT) }

    // The exported helpers on the exception agree with the variant's fields.
    val e = expectError("exported helpers", "negative_amount") { roundAmount(dec("-1"), Rounding.CENT) }
    if (e != null) {
        eq("errorCode()", "negative_amount", e.errorCode())
        eq("errorDomain()", ErrorDomain.FUNDING, e.errorDomain())
        eq("errorMessage()", e.detail(), e.errorMessage())
        eq("isRefused()", false, e.isRefused())
    }

    // A refused (sound input, state says no) error.
    MandateRegistry().use { r ->
        val refused = expectError("refused", "not_found") {
            r.revokeMandate("00000000000000000000", Instant.parse("2026-03-01T09:30:00Z"))
        }
        check("not_found is Refused", refused is InclusifException.Refused) { "${refused?.let { it::class }}" }
        eq("refused domain", ErrorDomain.MANDATE, refused?.errorDomain())
        eq("refused isRefused()", true, refused?.isRefused())
        expectError("organisation id out of u32", "invalid_field") {
            r.addOrganisation(1L shl 40, "x", "21230096300014", true)
        }
    }

    // Instants: java.time.Instant both ways, to the nanosecond; out of range is an error.
    case("instants") {
        val at = Instant.parse("2026-03-01T09:30:00Z")
        val token = MandateToken.sign(ByteArray(32) { 3 }, 3, 42L, "sub", listOf("papiers"), at, "LONG", "in_person")
        token.use { check("token text", it.toText().length == 168) { it.toText() } }
        OpeningHours("Mo-Fr 09:00-18:00").use { h ->
            val next: Instant? = h.nextOpening(Instant.parse("2026-06-06T10:00:00.123456789Z"), "Europe/Paris", fr.inclusif.Holidays.NONE)
            eq("next opening after a Saturday", Instant.parse("2026-06-08T07:00:00Z"), next)
            val now = Instant.parse("2026-06-08T07:00:00.000000001Z")
            eq("open a nanosecond after opening", true, h.isOpen(now, "Europe/Paris", fr.inclusif.Holidays.NONE))
            expectError("Instant.MAX is out of chrono's range", "invalid_field") {
                h.isOpen(Instant.MAX, "Europe/Paris", fr.inclusif.Holidays.NONE)
            }
            expectError("unknown time zone", "invalid_argument") {
                h.isOpen(now, "Mars/Olympus", fr.inclusif.Holidays.NONE)
            }
        }
        expectError("a creation instant not to the second", "invalid_field") {
            MandateToken.sign(ByteArray(32) { 3 }, 3, 42L, "sub", listOf("papiers"), Instant.parse("2026-03-01T09:30:00.5Z"), "LONG", "in_person").close()
        }
    }

    // Civil dates: java.time.LocalDate both ways.
    RuleBook().use { book ->
        case("local dates") {
            val rule = book.rule("cnfs.v1.public.mainland", LocalDate.of(2021, 6, 1))
            check("rule has a LocalDate start", rule.validFrom is LocalDate) { "${rule.validFrom}" }
            check("rule in force on its day", rule.validFrom!! <= LocalDate.of(2021, 6, 1)) { "${rule.validFrom}" }
            eq("rule value", 0, rule.value.compareTo(dec("50000")))
        }
        expectError("a date before the rule", "outside_rule_validity") {
            book.rule("cnfs.v1.public.mainland", LocalDate.of(2019, 6, 1))
        }
        case("a year past 9999 crosses as +YYYYY-MM-DD") {
            eq("in force in 10000", "cnfs.v1.public.mainland", book.rule("cnfs.v1.public.mainland", LocalDate.of(10000, 1, 1)).id)
        }
        expectError("LocalDate.MAX is beyond chrono's range", "invalid_argument") {
            book.rule("cnfs.v1.public.mainland", LocalDate.MAX)
        }
    }
}
