// The mandate vectors through the Kotlin API, with the Rust suites' verdicts and codes:
// tests/vectors/mandate_tokens.tsv (tests/tests/mandate_tokens.rs), mandate_scenarios
// (mandate_scenarios.rs) and journal/ (journal.rs); then the registry's decision function
// as an app calls it.
package fr.inclusif.tests

import fr.inclusif.ConsentInput
import fr.inclusif.InclusifException
import fr.inclusif.MandateRegistry
import fr.inclusif.MandateToken
import fr.inclusif.MandateVerifier
import fr.inclusif.MandateVerifierOptions
import fr.inclusif.Question
import fr.inclusif.TrustedKey
import fr.inclusif.VerifiedMandate
import fr.inclusif.mandateDemarches
import fr.inclusif.runMandateScenario
import fr.inclusif.usagerRef
import fr.inclusif.verifyMandateJournal
import java.io.File
import java.time.Instant

/** Every code the Rust token test requires a vector for. */
private val TOKEN_CODES = setOf(
    "ok", "malformed", "unsupported_version", "unknown_key", "revoked_key", "bad_signature",
    "invalid_field", "not_yet_valid", "expired", "revoked_mandate", "usager_mismatch",
    "demarche_not_covered", "trust_list_expired", "trust_list_malformed",
)

private fun Harness.rootKey(): ByteArray =
    hex(tsv("keys.tsv").single { it["role"] == "root" }.getValue("public_key"))

private fun dash(v: String): String? = if (v == "-") null else v

/** The verifier options of one token vector, built as the Rust test builds them. */
private fun Harness.options(row: Map<String, String>): MandateVerifierOptions {
    val trust = dash(row.getValue("trust_list"))?.let(::hex)
    return MandateVerifierOptions(
        trustList = trust,
        rootKey = if (trust == null) null else rootKey(),
        keys = dash(row.getValue("keys"))?.split(';')?.map {
            val (kid, key) = it.split(':')
            TrustedKey(kid.toInt(), hex(key))
        } ?: emptyList(),
        revoked = dash(row.getValue("revoked"))?.split(';') ?: emptyList(),
        demarche = dash(row.getValue("demarche")),
        usagerSub = dash(row.getValue("usager_sub")),
    )
}

/** Runs one token vector (verifier errors included, as in Rust). */
private fun Harness.verifyRow(row: Map<String, String>): VerifiedMandate =
    MandateVerifier(options(row)).use { v ->
        val at = Instant.parse(row.getValue("at"))
        when (val mode = row.getValue("mode")) {
            "strict" -> v.verify(row.getValue("input"), at)
            "human" -> v.verifyTyped(row.getValue("input"), at)
            "bytes" -> v.verifyBytes(hex(row.getValue("input")), at)
            else -> error("unknown mode $mode")
        }
    }

private fun Harness.tokenVectors() {
    val rows = tsv("mandate_tokens.tsv")
    check("at least 60 token vectors", rows.size >= 60) { "${rows.size}" }
    check("every token code has a vector", rows.map { it.getValue("expect") }.toSet() == TOKEN_CODES) {
        "${rows.map { it.getValue("expect") }.toSet()}"
    }
    for (row in rows) {
        val name = row.getValue("name")
        val expect = row.getValue("expect")
        if (expect == "ok") {
            case(name) {
                val m = verifyRow(row)
                eq("$name: kid", row["kid"], m.kid.toString())
                eq("$name: organisation", row["organisation"], m.organisation.toString())
                eq("$name: mandate_id", row["mandate_id"], m.mandateId)
                eq("$name: demarches", row["demarches"], m.demarches.joinToString(","))
                eq("$name: duration", row["duration"], m.duration)
                eq("$name: consent", row["consent"], m.consent)
                eq("$name: created_at", row["created_at"], m.createdAt.toString())
                eq("$name: expires_at", row["expires_at"], m.expiresAt.toString())
                eq("$name: usager_ref", 16, m.usagerRef.size)
            }
        } else {
            val e = expectError(name, expect) { verifyRow(row) }
            if (e != null) check("$name: the message names the field", e.detail().contains(": ")) { e.detail() }
        }
    }

    // verify_batch gives, row by row, the single calls' verdicts.
    val config = listOf("keys", "trust_list", "revoked", "demarche", "usager_sub", "at")
    val group = rows.filter { it["mode"] == "strict" && !it.getValue("expect").startsWith("trust_list") }
        .groupBy { r -> config.map { r[it] } }.values.maxBy { it.size }
    check("a batch of at least 10", group.size >= 10) { "${group.size}" }
    case("batch") {
        MandateVerifier(options(group[0])).use { v ->
            val verdicts = v.verifyBatch(group.map { it.getValue("input") }, Instant.parse(group[0].getValue("at")))
            eq("batch indexes", group.indices.map { it.toLong() }, verdicts.map { it.index })
            for ((row, verdict) in group.zip(verdicts)) {
                val got = verdict.errorCode ?: "ok"
                eq("batch ${row["name"]}", row["expect"], got)
                if (got == "ok") eq("batch ${row["name"]}: id", row["mandate_id"], verdict.mandate?.mandateId)
            }
        }
    }
}

private fun Harness.scenarioVectors() {
    val rows = tsv("mandate_scenarios.tsv")
    val names = rows.map { it.getValue("scenario") }.toSortedSet()
    check("scenarios listed", names.isNotEmpty())
    for (name in names) case("scenario $name") {
        val result = runMandateScenario(text("mandate_scenarios/$name.json"))
        val mine = rows.filter { it["scenario"] == name }
        eq("$name: every event and decision has a row", result.events.size + result.decisions.size, mine.size)
        for (row in mine) {
            val i = row.getValue("index").toInt()
            val why = "$name ${row["kind"]} $i (${row["why"]})"
            when (row["kind"]) {
                "event" -> {
                    val e = result.events[i - 1]
                    eq("$why: position", i.toLong(), e.event)
                    if (row["expect"] == "ok") {
                        check(why, e.ok) { "refused: ${e.error} ${e.message}" }
                        eq("$why: mandate", row["mandate"], e.mandate?.toString() ?: "-")
                        val revoked = e.revoked.joinToString(";") { "${it.mandate}/${it.demarche}" }.ifEmpty { "-" }
                        eq("$why: revoked", row["revoked"], revoked)
                    } else {
                        check(why, !e.ok) { "applied" }
                        eq("$why: error", row["expect"], e.error)
                    }
                }
                "decision" -> {
                    val d = result.decisions[i - 1]
                    eq("$why: position", i.toLong(), d.question)
                    if (row["expect"] == "allowed") {
                        check(why, d.allowed) { "denied: ${d.reasons}" }
                        eq("$why: mandate", row["mandate"], d.mandate?.toString())
                    } else {
                        check(why, !d.allowed) { "allowed" }
                        eq("$why: reasons", row["reasons"], d.reasons.joinToString(";"))
                    }
                }
                else -> fail(why, "unknown kind")
            }
        }
    }
    expectError("text that is not a scenario", "invalid_field") { runMandateScenario("{\"organisations\": 42}") }
}

private fun Harness.journalVectors() {
    val keys = tsv("journal/key.tsv").map { TrustedKey(it.getValue("kid").toInt(), hex(it.getValue("public_key"))) }
    val rows = tsv("journal/expected.tsv")
    for (row in rows) case("journal ${row["file"]}") {
        val file = row.getValue("file")
        val report = verifyMandateJournal(text("journal/$file"), keys)
        if (row["expect"] == "ok") {
            check("$file: ok", report.ok) { "${report.code} line ${report.line}: ${report.message}" }
            eq("$file: entries", row["entries"], report.entries?.toString())
            eq("$file: unsigned", row["unsigned_entries"], report.unsignedEntries?.toString())
        } else {
            check("$file: not ok", !report.ok)
            eq("$file: code", row["expect"], report.code)
            eq("$file: line", row["line"], report.line?.toString())
        }
    }
    check("every journal file has a row", File(vectors, "journal").list()!!.count { it.endsWith(".jsonl") } == rows.size) {
        "${rows.size} rows"
    }
    case("the sample as the command line prints it") {
        val sample = text("journal/sample.jsonl")
        eq("json", """{"ok":true,"entries":12,"unsigned_entries":1}""", verifyMandateJournal(sample, keys).json)
        val noKey = verifyMandateJournal(sample, emptyList())
        eq("without the key", Pair(6L, "journal_bad_checkpoint"), Pair(noKey.line, noKey.code))
    }
    expectError("a key of 31 bytes", "invalid_key") { verifyMandateJournal("", listOf(TrustedKey(3, ByteArray(31)))) }
}

private fun Harness.registry() {
    val at = Instant.parse("2026-03-01T09:30:00Z")
    eq("ten démarches", 10, mandateDemarches().size)
    eq("papiers first", "papiers", mandateDemarches().first().key)
    MandateRegistry().use { r ->
        case("decide") {
            r.addOrganisation(42L, "CCAS", "21230096300014", true)
            r.addAidant("alice", listOf(42L), 42L, true, true)
            r.addUsager("u1", "Camille", "Martin")
            val created = r.createMandate("alice", "u1", listOf("social", "papiers"), "LONG", ConsentInput("in_person"), at)
            eq("two autorisations", 2, created.autorisations.size)
            val d = r.decide("alice", "u1", "social", at.plusSeconds(86_400))
            check("allowed", d.allowed && d.reasons.isEmpty()) { "$d" }
            eq("rests on the mandate", created.mandate, d.mandate)
            check("expires a year later", d.expiresAt!!.isAfter(at.plusSeconds(364L * 86_400))) { "${d.expiresAt}" }
            eq("not covered", listOf("demarche_not_covered"), r.decide("alice", "u1", "justice", at).reasons)
            val info = r.mandate(created.mandate)
            eq("duration", "LONG", info.duration)
            eq("autorisations in the service's order", listOf("papiers", "social"), info.autorisations.map { it.demarche })
            eq("one mandate", 1L, r.size())
            val batch = r.decideBatch(listOf(Question("alice", "u1", "social", at), Question("alice", "u1", "logement", at)))
            eq("batch", listOf(true, false), batch.map { it.allowed })
            r.revokeAutorisation(created.mandate, "social", at.plusSeconds(3600))
            eq("revoked", listOf("autorisation_revoked"), r.decide("alice", "u1", "social", at.plusSeconds(7200)).reasons)
        }
        expectError("an unknown démarche key", "unknown_demarche") { r.decide("alice", "u1", "Social", at) }
        val e = expectError("a batch names the bad question", "unknown_demarche") {
            r.decideBatch(listOf(Question("alice", "u1", "social", at), Question("alice", "u1", "sante", at)))
        }
        if (e != null) check("question 1", e.detail().startsWith("question 1: ")) { e.detail() }
        expectError("SMS consent needs its phone", "consent") {
            r.createMandate("alice", "u1", listOf("social"), "LONG", ConsentInput("remote_sms"), at)
        }
        expectError("an unknown duration", "unknown_duration") {
            r.createMandate("alice", "u1", listOf("social"), "FOREVER", ConsentInput("in_person"), at)
        }
    }

    // A token signed here verifies offline with the organisation's key.
    case("sign and verify offline") {
        val seed = ByteArray(32) { 0x33 }  // kid 3 of mandate_tokens.tsv
        val pk = hex("17cb79fb2b4120f2b1ec65e4198d6e08b28e813feb01e4a400839b85e18080ce")
        MandateToken.sign(seed, 3, 42L, "fc-sub-0001", listOf("papiers"), at, "LONG", "in_person", "ac1d0000000000000001").use { t ->
            eq("qr payload", "AC1:" + t.toText(), t.toQrPayload())
            eq("kid as written", 3, t.kid())
            MandateVerifier(MandateVerifierOptions(keys = listOf(TrustedKey(3, pk)), usagerSub = "fc-sub-0001")).use { v ->
                val m = v.verify(t.toQrPayload(), at.plusSeconds(60))
                eq("mandate id", "ac1d0000000000000001", m.mandateId)
                eq("usager ref", usagerRef(42L, "fc-sub-0001").toList(), m.usagerRef.toList())
                // A data class compares a ByteArray field by identity: compare the printed
                // records, which show the bytes' contents.
                eq("by bytes", m.toString(), v.verifyBytes(t.toBytes(), at.plusSeconds(60)).toString())
                MandateToken.fromBytes(t.toBytes()).use { again ->
                    eq("parsed token", m.toString(), v.verifyToken(again, at.plusSeconds(60)).toString())
                }
                expectError("one second before creation", "not_yet_valid") { v.verify(t.toText(), at.minusSeconds(1)) }
            }
            MandateVerifier(MandateVerifierOptions(keys = listOf(TrustedKey(3, pk)), usagerSub = "someone-else")).use { v ->
                expectError("another usager", "usager_mismatch") { v.verify(t.toText(), at) }
            }
        }
        expectError("a key of 31 bytes", "invalid_key") {
            MandateVerifier(MandateVerifierOptions(keys = listOf(TrustedKey(3, ByteArray(31))))).close()
        }
        expectError("kid out of u16", "invalid_field") {
            MandateVerifier(MandateVerifierOptions(keys = listOf(TrustedKey(70_000, pk)))).close()
        }
        expectError("text that is no token", "malformed") { MandateToken.parse("AC1:nope").close() }
        val e = expectError("an unknown key is Invalid", "unknown_key") {
            MandateVerifier(MandateVerifierOptions()).use { it.verify(MandateToken.sign(seed, 3, 42L, "s", listOf("papiers"), at, "LONG", "in_person").use { t -> t.toText() }, at) }
        }
        check("unknown_key is Invalid", e is InclusifException.Invalid)
    }
}

fun Harness.mandate() {
    tokenVectors()
    scenarioVectors()
    journalVectors()
    registry()
}
