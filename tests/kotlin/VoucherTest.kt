// The voucher vectors through the Kotlin API, with the Rust suite's verdicts and codes
// (tests/tests/conformance.rs reads the same files): tokens.tsv (one by one and as
// batches), codes.tsv, keys.tsv, trust_lists.tsv with trust_list.hex, redemptions.tsv;
// then what a venue's phone does (offline queue, export, restore, sync) and bad input,
// which must throw InclusifException with the core's stable code.
package fr.inclusif.tests

import fr.inclusif.ErrorDomain
import fr.inclusif.InclusifException
import fr.inclusif.Issuer
import fr.inclusif.KeyStatus
import fr.inclusif.MemoryLedger
import fr.inclusif.OfflineQueue
import fr.inclusif.SecretKey
import fr.inclusif.SyncStatus
import fr.inclusif.TrustEntry
import fr.inclusif.TrustList
import fr.inclusif.VerifiedVoucher
import fr.inclusif.VoucherSpec
import fr.inclusif.VoucherToken
import fr.inclusif.VoucherVerifier
import fr.inclusif.VoucherVerifierOptions
import fr.inclusif.normalizeTypedCode
import fr.inclusif.parseKeypadCode
import fr.inclusif.parsePhoneCode
import fr.inclusif.parseShortCode
import fr.inclusif.randomVoucherSerial
import fr.inclusif.redemptionFromJson
import fr.inclusif.redemptionOf
import fr.inclusif.redemptionToJson
import fr.inclusif.unrestrictedTrustEntry
import fr.inclusif.voucherDefaultTimeZone
import fr.inclusif.voucherErrorCodes
import fr.inclusif.voucherKeypadCode
import fr.inclusif.voucherPublicKeyFromHex
import fr.inclusif.voucherPublicKeyToHex
import fr.inclusif.voucherShortCode
import java.time.Instant
import java.time.LocalDate

/** Every outcome the Rust token test requires a vector for. */
private val TOKEN_CODES = setOf(
    "ok", "malformed", "unsupported_version", "unknown_key", "revoked_key", "bad_signature",
    "invalid_field", "not_yet_valid", "expired", "outside_key_window", "value_above_key_limit",
    "scope_not_accepted", "scope_not_allowed_for_key", "revoked_serial", "trust_list_expired",
)

/** Every outcome the Rust trust list test requires a vector for. */
private val TRUST_LIST_CODES = setOf(
    "ok", "trust_list_expired", "trust_list_bad_signature", "trust_list_malformed",
    "trust_list_rollback", "weak_key", "invalid_key",
)

private val NOW: Instant = Instant.parse("2026-06-01T10:00:00Z")

private fun Harness.key(role: String, kid: String? = null): Map<String, String> =
    tsv("keys.tsv").single { it["role"] == role && (kid == null || it["kid"] == kid) }

private fun Harness.rootKey(): ByteArray = hex(key("root").getValue("public_key"))

private fun Harness.trustListBytes(): ByteArray = hex(text("trust_list.hex").trim())

/** The vectors' trust list, opened (not checked for freshness: rows verify at many instants). */
private fun Harness.trustList(): TrustList = TrustList.open(trustListBytes(), rootKey())

private fun dash(v: String): String? = if (v == "-") null else v

/** The verifier options of one token vector, built as the Rust test builds them. */
private fun options(row: Map<String, String>): VoucherVerifierOptions {
    val scopes = row.getValue("scopes")
    return VoucherVerifierOptions(
        timeZone = row.getValue("tz"),
        scopes = if (scopes == "-" || scopes == "any") emptyList() else scopes.split(';').map { it.toInt() },
        anyScope = scopes == "any",
        revokedSerials = dash(row.getValue("revoked_serials"))?.split(';') ?: emptyList(),
    )
}

/** Runs one token vector. */
private fun Harness.verifyRow(row: Map<String, String>): VerifiedVoucher =
    trustList().use { list ->
        VoucherVerifier(list, options(row)).use { v ->
            val at = Instant.parse(row.getValue("at"))
            when (val mode = row.getValue("mode")) {
                "strict" -> v.verify(row.getValue("input"), at)
                "human" -> v.verifyTyped(row.getValue("input"), at)
                "bytes" -> v.verifyBytes(hex(row.getValue("input")), at)
                else -> error("unknown mode $mode")
            }
        }
    }

private fun Harness.tokenVectors() {
    val rows = tsv("tokens.tsv")
    check("at least 50 token vectors", rows.size >= 50) { "${rows.size}" }
    eq("every token outcome has a vector", TOKEN_CODES, rows.map { it.getValue("expect") }.toSet())
    val known = voucherErrorCodes().toSet()
    for (row in rows) {
        val name = row.getValue("name")
        val expect = row.getValue("expect")
        if (expect == "ok") {
            case(name) {
                val v = verifyRow(row)
                eq("$name: kid", row["kid"], v.kid.toString())
                eq("$name: serial", row["serial"], v.serial)
                eq("$name: value_cents", row["value_cents"], v.valueCents.toString())
                eq("$name: valid_from", row["valid_from"], v.validFrom.toString())
                eq("$name: valid_until", row["valid_until"], v.validUntil.toString())
                eq("$name: scope", row["scope"], v.scope.toString())
                eq("$name: short_code", row["short_code"], v.shortCode)
                eq("$name: keypad_code", row["keypad_code"], v.keypadCode)
                eq("$name: keypad_code of the serial", v.keypadCode, voucherKeypadCode(v.serial))
            }
        } else {
            check("$name: a known code", expect in known) { expect }
            val e = expectError(name, expect) { verifyRow(row) }
            if (e != null) {
                check("$name: the message names the field", e.detail().contains(':')) { e.detail() }
                eq("$name: domain", ErrorDomain.VOUCHER, e.errorDomain())
                // Sound input refused by state (a stale list) is Refused; the rest Invalid.
                eq("$name: kind", expect == "trust_list_expired", e is InclusifException.Refused)
            }
        }
    }
}

/** The batch path reaches the one-by-one verdicts (as conformance.rs checks). */
private fun Harness.batchVectors() {
    val rows = tsv("tokens.tsv")
    val texts = rows.filter { it["mode"] == "strict" }.map { it.getValue("input") }
    trustList().use { list ->
        VoucherVerifier(list, VoucherVerifierOptions(anyScope = true)).use { v ->
            for (at in listOf("2026-06-01T10:00:00Z", "2026-07-02T10:00:00Z")) case("batch at $at") {
                val now = Instant.parse(at)
                val batch = v.verifyBatch(texts, now)
                eq("batch at $at: one verdict per text", texts.indices.map { it.toLong() }, batch.map { it.index })
                var mismatches = 0
                val parsed = mutableListOf<ByteArray>()
                for ((text, verdict) in texts.zip(batch)) {
                    val single = try {
                        v.verify(text, now).let { "ok" to it }
                    } catch (e: InclusifException) {
                        e.code() to null
                    }
                    val got = (verdict.errorCode ?: "ok") to verdict.voucher
                    if (single != got) {
                        mismatches += 1
                        fail("batch at $at", "$text: single $single, batch $got")
                    }
                    check("batch at $at: a message with each code", (verdict.errorCode == null) == (verdict.errorMessage == null))
                    try {
                        VoucherToken.parse(text).use { parsed += it.toBytes() }
                    } catch (_: InclusifException) {
                    }
                }
                eq("batch at $at: same verdicts as one by one", 0, mismatches)
                check("batch at $at: more than 30 parsed tokens", parsed.size > 30) { "${parsed.size}" }
                val byBytes = v.verifyBatchBytes(parsed, now)
                val byText = v.verifyBatch(parsed.map { b -> VoucherToken.fromBytes(b).use { it.toText() } }, now)
                eq("batch at $at: bytes and text agree", byText.map { it.errorCode to it.voucher }, byBytes.map { it.errorCode to it.voucher })
            }
            case("a batch of good tokens verifies whole") {
                val good = rows.filter { it["mode"] == "strict" && it["expect"] == "ok" && it["at"] == "2026-06-01T10:00:00Z" }
                check("at least 5 good tokens", good.size >= 5) { "${good.size}" }
                val batch = v.verifyBatch(good.map { it.getValue("input") }, NOW)
                check("all ok", batch.all { it.voucher != null && it.errorCode == null }) { "${batch.map { it.errorCode }}" }
            }
        }
    }
    // One verifier (Paris, national, nothing revoked) at one instant: the batch's codes are
    // the vector file's own, strict and typed.
    val shared = rows.filter {
        it["at"] == "2026-06-01T10:00:00Z" && it["tz"] == "Europe/Paris" && it["scopes"] == "-" && it["revoked_serials"] == "-"
    }
    trustList().use { list ->
        VoucherVerifier(list, VoucherVerifierOptions()).use { v ->
            eq("default time zone", voucherDefaultTimeZone(), v.timeZone())
            for (mode in listOf("strict", "human")) case("batch codes ($mode)") {
                val mine = shared.filter { it["mode"] == mode }
                check("batch codes ($mode): rows", mine.size >= 3) { "${mine.size}" }
                val batch = v.verifyBatch(mine.map { it.getValue("input") }, NOW, typed = mode == "human")
                eq("batch codes ($mode)", mine.map { it["expect"] }, batch.map { it.errorCode ?: "ok" })
            }
        }
    }
}

private fun Harness.codeVectors() {
    val rows = tsv("codes.tsv")
    check("at least 10 code vectors", rows.size >= 10) { "${rows.size}" }
    for (row in rows) {
        val name = "code ${row["name"]}"
        val input = row.getValue("input")
        if (row["expect"] == "ok") case(name) {
            val serial = parsePhoneCode(input)
            eq(name, row["serial"], serial)
            if (name.contains("short")) eq("$name: as a short code", serial, parseShortCode(input))
            if (name.contains("keypad")) eq("$name: as a keypad code", serial, parseKeypadCode(input))
        } else {
            expectError(name, row.getValue("expect")) { parsePhoneCode(input) }
        }
    }
    case("codes round trip") {
        val serial = randomVoucherSerial()
        eq("random serial: 20 hex digits", true, Regex("[0-9a-f]{20}").matches(serial))
        eq("short code round trip", serial, parseShortCode(voucherShortCode(serial).lowercase()))
        eq("keypad code round trip", serial, parsePhoneCode(voucherKeypadCode(serial)))
        eq("normalisation", "ABCD0", normalizeTypedCode("ab-cd o"))
    }
    expectError("a serial that is none", "malformed") { voucherShortCode("xyz") }
    expectError("a short code with a wrong check character", "bad_check_character") { parseShortCode("BVPG-0000-0000-0001-T") }
    expectError("U typed", "malformed") { normalizeTypedCode("U") }
}

private fun Harness.keyVectors() {
    for (row in tsv("keys.tsv")) {
        val name = "key ${row["role"]} ${row["kid"]}"
        case(name) {
            val seed = hex(row.getValue("seed"))
            SecretKey.fromBytes(seed).use { k ->
                eq("$name: public key", row["public_key"], k.publicKeyHex())
                check("$name: public key bytes", k.publicKey().contentEquals(hex(row.getValue("public_key"))))
                check("$name: seed round trip", k.toBytes().contentEquals(seed))
                SecretKey.fromHex(row.getValue("seed")).use { h -> eq("$name: from hex", row["seed"], h.toHex()) }
                if (row["role"] != "root") {
                    Issuer(row.getValue("kid").toInt(), k).use { i ->
                        check("$name: issuer's key", i.publicKey().contentEquals(k.publicKey()))
                        eq("$name: issuer's kid", row.getValue("kid").toInt(), i.kid())
                    }
                }
            }
            check("$name: checked from hex", voucherPublicKeyFromHex(row.getValue("public_key")).contentEquals(hex(row.getValue("public_key"))))
            eq("$name: checked to hex", row["public_key"], voucherPublicKeyToHex(hex(row.getValue("public_key"))))
        }
    }
    case("a fresh key is secret") {
        SecretKey.generate().use { k ->
            eq("32-byte seed", 32, k.toBytes().size)
            check("toString hides the seed", !k.toString().contains(k.toHex())) { k.toString() }
        }
    }
    expectError("a 31-byte seed", "invalid_key") { SecretKey.fromBytes(ByteArray(31)).close() }
    expectError("a seed that is not hex", "invalid_key") { SecretKey.fromHex("zz").close() }
    expectError("a public key that is not hex", "invalid_key") { voucherPublicKeyFromHex("zz") }
    val identity = ByteArray(32).also { it[0] = 1 }
    expectError("the identity point", "weak_key") { voucherPublicKeyToHex(identity) }
}

private fun Harness.trustListVectors() {
    val rows = tsv("trust_lists.tsv")
    eq("every trust list outcome has a vector", TRUST_LIST_CODES, rows.map { it.getValue("expect") }.toSet())
    for (row in rows) {
        val name = "trust list ${row["name"]}"
        val at = Instant.parse(row.getValue("at"))
        // Returns (sequence, kids) of the list the verifier ends with.
        val run: () -> Pair<Long, String> = {
            TrustList.load(hex(row.getValue("hex")), rootKey(), at).use { listed ->
                when (val loaded = row.getValue("loaded")) {
                    "-" -> listed.sequence() to listed.entries().joinToString(";") { it.kid.toString() }
                    "trust_list.hex" -> trustList().use { first ->
                        VoucherVerifier(first, VoucherVerifierOptions()).use { v ->
                            v.replaceTrustList(listed)
                            v.trustList().use { now -> now.sequence() to now.entries().joinToString(";") { it.kid.toString() } }
                        }
                    }
                    else -> error("unknown loaded list $loaded")
                }
            }
        }
        if (row["expect"] == "ok") case(name) {
            val (sequence, kids) = run()
            eq("$name: sequence", row["sequence"], sequence.toString())
            eq("$name: kids", row["kids"], kids)
        } else {
            val e = expectError(name, row.getValue("expect")) { run() }
            if (e != null) eq("$name: domain", ErrorDomain.VOUCHER, e.errorDomain())
        }
    }
    case("trust_list.hex re-signs to its own bytes") {
        val bytes = trustListBytes()
        SecretKey.fromHex(key("root").getValue("seed")).use { root ->
            trustList().use { list ->
                check("signed again", list.sign(root).contentEquals(bytes))
                eq("sequence", 42L, list.sequence())
                eq("size", 3L, list.size())
                check("fresh while young", list.isFresh(NOW))
                check("stale when old", !list.isFresh(list.expiresAt().plusSeconds(1)))
                eq("expires after its maximum age", list.issuedAt().plusSeconds(list.maxAgeSeconds()), list.expiresAt())
                list.checkFresh(NOW)
                eq("no entry for kid 99", null, list.entry(99))
                eq("no entry for a kid out of range", null, list.entry(-1))
                val e7 = list.entry(7)
                eq("kid 7's issuer", "aptic", e7?.issuer)
                eq("kid 7 active", KeyStatus.ACTIVE, e7?.status)
                TrustList(list.sequence(), list.issuedAt(), list.maxAgeSeconds(), list.entries()).use { rebuilt ->
                    check("rebuilt from its entries, it signs the same", rebuilt.sign(root).contentEquals(bytes))
                }
            }
        }
    }
    val late = Instant.parse("2028-01-01T00:00:01Z")
    val stale = expectError("a stale list is refused on load", "trust_list_expired") {
        TrustList.load(trustListBytes(), rootKey(), late).close()
    }
    check("a stale list is Refused", stale is InclusifException.Refused)
    trustList().use { list ->
        expectError("a stale list refuses checks", "trust_list_expired") { list.checkFresh(late) }
        expectError("a root key of 31 bytes", "invalid_key") { TrustList.open(trustListBytes(), ByteArray(31)).close() }
    }
    case("build, sign and load a list") {
        SecretKey.fromBytes(ByteArray(32) { 0x11 }).use { root ->
            SecretKey.fromBytes(ByteArray(32) { 0x22 }).use { k ->
                val entry = unrestrictedTrustEntry(5, "region-creuse", k.publicKey())
                eq("unrestricted: any value", 65535, entry.maxValueCents)
                eq("unrestricted: any scope", emptyList<Int>(), entry.scopes)
                eq("unrestricted: window from", LocalDate.of(2000, 1, 1), entry.windowFrom)
                val other = SecretKey.fromBytes(ByteArray(32) { 0x33 }).use { it.publicKey() }
                val limited = unrestrictedTrustEntry(6, "region-creuse", other)
                    .copy(maxValueCents = 2000, scopes = listOf(23, 0), status = KeyStatus.REVOKED)
                val signed = TrustList(7L, NOW, 86_400L, listOf(entry, limited)).use { it.sign(root) }
                TrustList.load(signed, root.publicKey(), NOW).use { loaded ->
                    eq("kids", listOf(5, 6), loaded.entries().map { it.kid })
                    eq("scopes sorted", listOf(0, 23), loaded.entry(6)?.scopes)
                    eq("revoked", KeyStatus.REVOKED, loaded.entry(6)?.status)
                    eq("issued at", NOW, loaded.issuedAt())
                }
                expectError("a list under another root", "trust_list_bad_signature") {
                    TrustList.open(signed, k.publicKey()).close()
                }
                expectError("sequence 0", "trust_list_malformed") { TrustList(0L, NOW, 60L, emptyList()).close() }
                expectError("an issuer in capitals", "trust_list_malformed") {
                    TrustList(1L, NOW, 60L, listOf(entry.copy(issuer = "APTIC"))).close()
                }
                expectError("a kid twice", "trust_list_malformed") { TrustList(1L, NOW, 60L, listOf(entry, entry)).close() }
                expectError("a negative sequence", "invalid_field") { TrustList(-1L, NOW, 60L, emptyList()).close() }
                expectError("a maximum age beyond u32", "invalid_field") { TrustList(1L, NOW, 1L shl 40, emptyList()).close() }
                expectError("a kid of 70000", "invalid_field") { TrustList(1L, NOW, 60L, listOf(entry.copy(kid = 70_000))).close() }
                expectError("a public key of 3 bytes", "invalid_key") { unrestrictedTrustEntry(5, "x", ByteArray(3)) }
            }
        }
    }
}

private fun Harness.redemptionVectors() {
    val rows = tsv("redemptions.tsv")
    check("at least 4 redemption steps", rows.size >= 4) { "${rows.size}" }
    MemoryLedger().use { ledger ->
        trustList().use { list ->
            VoucherVerifier(list, VoucherVerifierOptions()).use { v ->
                for (row in rows) {
                    val name = "redemption step ${row["step"]}"
                    val at = Instant.parse(row.getValue("at"))
                    val voucher = try {
                        v.verify(row.getValue("token"), at)
                    } catch (e: InclusifException) {
                        fail(name, "does not verify: ${e.code()}")
                        continue
                    }
                    if (row["expect"] == "ok") case(name) {
                        eq("$name: venue", row["venue"], ledger.redeem(voucher, row.getValue("venue"), at).venue)
                    } else {
                        eq("$name: expect", "already_redeemed", row["expect"])
                        val e = expectError(name, "already_redeemed") { ledger.redeem(voucher, row.getValue("venue"), at) }
                        if (e != null) {
                            check("$name: Refused", e.isRefused())
                            check("$name: the message names the first venue", e.detail().contains(row.getValue("first_venue"))) { e.detail() }
                        }
                        case("$name: the first redemption") {
                            val first = ledger.redemption(voucher.issuer, voucher.serial)
                            eq("$name: first venue", row["first_venue"], first?.venue)
                            eq("$name: first at", Instant.parse(row.getValue("first_at")), first?.at)
                        }
                    }
                }
                eq("ledger size", rows.count { it["expect"] == "ok" }.toLong(), ledger.size())
            }
        }
    }
}

/** What a venue's phone does: verify offline, queue, export, restore after a restart, sync. */
private fun Harness.offlineQueue() {
    val spec = VoucherSpec(validFrom = LocalDate.of(2026, 1, 1), validUntil = LocalDate.of(2026, 12, 31))
    eq("a spec's default value", 1000, spec.valueCents)
    SecretKey.fromHex(key("issuer", "7").getValue("seed")).use { k ->
        Issuer(7, k).use { issuer ->
            trustList().use { list ->
                VoucherVerifier(list, VoucherVerifierOptions()).use { v ->
                    case("issue and verify") {
                        val one = issuer.issue(spec, "5eed0000000000000001")
                        eq("the vectors' first token", tsv("tokens.tsv").first()["input"], one.text)
                        eq("short code", "BVPG-0000-0000-0001-S", one.shortCode)
                        eq("QR payload", "PN1:${one.text}", one.qrPayload)
                        eq("85 bytes", 85, one.bytes.size)
                        VoucherToken.parse(one.qrPayload).use { t ->
                            eq("token kid", 7, t.kid())
                            eq("token serial", one.serial, t.serial())
                            eq("token value", 1000, t.valueCents())
                            eq("token window", LocalDate.of(2026, 1, 1) to LocalDate.of(2026, 12, 31), t.validFrom() to t.validUntil())
                            eq("token scope", 0, t.scope())
                            eq("token codes", one.shortCode to one.keypadCode, t.shortCode() to t.keypadCode())
                            eq("verify a parsed token", v.verify(one.text, NOW), v.verifyToken(t, NOW))
                        }
                        VoucherToken.parseTyped(one.text.lowercase().chunked(4).joinToString("-")).use { t ->
                            check("typed token", t.toBytes().contentEquals(one.bytes))
                        }
                    }
                    case("queue, export, restore, sync") {
                        val vouchers = issuer.booklet(spec, 3).map { v.verify(it.qrPayload, NOW) }
                        eq("a booklet of 3 distinct serials", 3, vouchers.map { it.serial }.toSet().size)
                        eq("a default booklet", 10, issuer.booklet(spec).size)
                        MemoryLedger().use { ledger ->
                            OfflineQueue("gueret").use { gueret ->
                                gueret.accept(vouchers[0], NOW)
                                val twice = expectError("the same cheque twice on one device", "already_redeemed") {
                                    gueret.accept(vouchers[0], NOW)
                                }
                                check("twice: Refused", twice is InclusifException.Refused)
                                val later = NOW.plusSeconds(60)
                                val text = OfflineQueue("lyon").use { lyon ->
                                    for (x in vouchers) lyon.accept(x, later)
                                    eq("lyon's venue", "lyon", lyon.venue())
                                    eq("pending", vouchers.map { it.serial }, lyon.pending().map { it.serial })
                                    lyon.exportJsonl()
                                }
                                eq("one JSON line per redemption", 3, text.lines().count { it.isNotBlank() })
                                check("JSON names the venue", text.lines().first().contains("\"venue\":\"lyon\"")) { text }
                                expectError("another venue's export", "invalid_field") { OfflineQueue.fromJsonl("gueret", text).close() }
                                val bad = expectError("a line that is no redemption", "invalid_field") { OfflineQueue.fromJsonl("lyon", "{}\n").close() }
                                if (bad != null) check("the error names the line", bad.detail().startsWith("line 1: ")) { bad.detail() }
                                // The device restarts: its queue comes back from the export.
                                OfflineQueue.fromJsonl("lyon", text).use { lyon ->
                                    eq("restored", 3L, lyon.size())
                                    OfflineQueue.restore("lyon", lyon.pending()).use { again -> eq("restored from records", 3L, again.size()) }
                                    val first = gueret.sync(ledger)
                                    eq("gueret syncs", listOf(SyncStatus.REDEEMED), first.outcomes.map { it.status })
                                    eq("no ledger error", null, first.errorCode)
                                    val report = lyon.sync(ledger)
                                    eq("lyon's outcomes", listOf(SyncStatus.CONFLICT, SyncStatus.REDEEMED, SyncStatus.REDEEMED), report.outcomes.map { it.status })
                                    eq("the conflict's winner", "gueret", report.outcomes[0].winner.venue)
                                    eq("the conflict's queued", "lyon", report.outcomes[0].queued.venue)
                                    eq("lyon's queue is empty", 0L, lyon.size())
                                }
                                eq("ledger", 3L, ledger.size())
                                eq("ledger by time", "gueret", ledger.redemptions()[0].venue)
                                val r = ledger.redemptions()[1]
                                eq("JSON round trip", r, redemptionFromJson(redemptionToJson(r)))
                                eq("a redemption of", r, redemptionOf(vouchers.single { it.serial == r.serial }, r.venue, r.at))
                                expectError("record again", "already_redeemed") { ledger.record(r) }
                                eq("no redemption of another serial", null, ledger.redemption("aptic", randomVoucherSerial()))
                                expectError("a ledger look-up by a bad serial", "malformed") { ledger.redemption("aptic", "xyz") }
                            }
                        }
                    }
                    expectError("a queued twice restore", "already_redeemed") {
                        val x = v.verify(tsv("tokens.tsv").first().getValue("input"), NOW)
                        val r = redemptionOf(x, "lyon", NOW)
                        OfflineQueue.restore("lyon", listOf(r, r)).close()
                    }
                    expectError("a redemption JSON that is none", "invalid_field") { redemptionFromJson("nope") }
                }
            }
        }
    }
}

/** Bad input throws InclusifException with the core's stable code, domain VOUCHER. */
private fun Harness.voucherErrors() {
    val codes = voucherErrorCodes()
    for (c in listOf("already_redeemed", "bad_check_character", "trust_list_rollback", "ledger_unavailable")) {
        check("error code $c listed", c in codes)
    }
    val spec = VoucherSpec(validFrom = LocalDate.of(2026, 1, 1), validUntil = LocalDate.of(2026, 12, 31))
    trustList().use { list ->
        expectError("an unknown time zone", "invalid_field") {
            VoucherVerifier(list, VoucherVerifierOptions(timeZone = "Mars/Olympus")).close()
        }
        expectError("a negative scope", "invalid_field") { VoucherVerifier(list, VoucherVerifierOptions(scopes = listOf(-1))).close() }
        expectError("a revoked serial that is none", "malformed") {
            VoucherVerifier(list, VoucherVerifierOptions(revokedSerials = listOf("xyz"))).close()
        }
        VoucherVerifier(list, VoucherVerifierOptions(timeZone = "Indian/Reunion", scopes = listOf(974),
            revokedSerials = listOf("BVPG-0000-0000-0001-S"))).use { v ->
            eq("time zone", "Indian/Reunion", v.timeZone())
            expectError("a serial revoked by its short code", "revoked_serial") { v.verify(tsv("tokens.tsv").first().getValue("input"), NOW) }
            expectError("a QR payload that is none", "malformed") { v.verify("PN1:NOPE", NOW) }
            expectError("84 bytes", "malformed") { v.verifyBytes(ByteArray(84), NOW) }
            TrustList(41L, NOW, 60L, emptyList()).use { older ->
                val e = expectError("an older list", "trust_list_rollback") { v.replaceTrustList(older) }
                if (e != null) eq("rollback domain", ErrorDomain.VOUCHER, e.errorDomain())
            }
            val stale = v.verifyBatch(listOf("PN1:NOPE", "x"), Instant.parse("2028-01-01T00:00:01Z"))
            eq("a stale list refuses every batch item", listOf("trust_list_expired", "trust_list_expired"), stale.map { it.errorCode })
        }
    }
    SecretKey.fromBytes(ByteArray(32) { 3 }).use { k ->
        expectError("kid 0", "invalid_field") { Issuer(0, k).close() }
        expectError("a negative kid", "invalid_field") { Issuer(-1, k).close() }
        expectError("kid 70000", "invalid_field") { Issuer.generate(70_000).close() }
        Issuer(3, k).use { issuer ->
            expectError("a free cheque", "invalid_field") { issuer.issue(spec.copy(valueCents = 0)) }
            expectError("a value above 65535 cents", "invalid_field") { issuer.issue(spec.copy(valueCents = 70_000)) }
            expectError("a reversed window", "invalid_field") { issuer.issue(spec.copy(validUntil = LocalDate.of(2025, 1, 1))) }
            expectError("a window of 1101 days", "invalid_field") {
                issuer.booklet(spec.copy(validUntil = LocalDate.of(2026, 1, 1).plusDays(1101)), 1)
            }
            expectError("a bad serial", "malformed") { issuer.issue(spec, "xyz") }
            expectError("a negative booklet", "invalid_field") { issuer.booklet(spec, -1) }
            expectError("a negative print run", "invalid_field") { issuer.printRun(spec, -1L) }
            case("a print run") { eq("print run of 25", 25, issuer.printRun(spec, 25L).map { it.serial }.toSet().size) }
        }
    }
    expectError("a token of 84 bytes", "malformed") { VoucherToken.fromBytes(ByteArray(84)).close() }
    expectError("a typed token with U", "malformed") { VoucherToken.parseTyped("U").close() }
}

fun Harness.voucher() {
    tokenVectors()
    batchVectors()
    codeVectors()
    keyVectors()
    trustListVectors()
    redemptionVectors()
    offlineQueue()
    voucherErrors()
}
