// What a phone keeps on its storage: the offline queue in a SQLite file
// (StoredOfflineQueue: accept, reopen, export a signed batch with a persisted sequence,
// settle from the operator's answer) and the SQLite ledger (SqliteLedger), with the
// storage errors (a foreign file is ledger_corrupt).
package fr.inclusif.tests

import fr.inclusif.InclusifException
import fr.inclusif.Issuer
import fr.inclusif.SecretKey
import fr.inclusif.SqliteLedger
import fr.inclusif.StoredOfflineQueue
import fr.inclusif.TrustList
import fr.inclusif.VerifiedVoucher
import fr.inclusif.VoucherSpec
import fr.inclusif.VoucherToken
import fr.inclusif.VoucherVerifier
import fr.inclusif.VoucherVerifierOptions
import fr.inclusif.redemptionBatchOpen
import fr.inclusif.unrestrictedTrustEntry
import java.io.File
import java.nio.file.Files
import java.time.Instant
import java.time.LocalDate

private val AT: Instant = Instant.parse("2026-06-01T10:00:00Z")

fun Harness.ledger() {
    val dir = Files.createTempDirectory("inclusif-kotlin-store").toFile()
    try {
        storedQueue(dir)
        sqliteLedger(dir)
    } finally {
        dir.deleteRecursively()
    }
}

/** Three cheques of a fresh issuer, with their tokens and verifications. */
private fun cheques(body: (List<Pair<VoucherToken, VerifiedVoucher>>) -> Unit) {
    val spec = VoucherSpec(validFrom = LocalDate.of(2026, 1, 1), validUntil = LocalDate.of(2026, 12, 31))
    SecretKey.fromBytes(ByteArray(32) { 7 }).use { k ->
        Issuer(7, k).use { issuer ->
            SecretKey.fromBytes(ByteArray(32) { 0xa0.toByte() }).use { root ->
                val entry = unrestrictedTrustEntry(7, "aptic", issuer.publicKey())
                val signed = TrustList(1, AT, 86_400, listOf(entry)).use { it.sign(root) }
                TrustList.load(signed, root.publicKey(), AT).use { list ->
                    VoucherVerifier(list, VoucherVerifierOptions()).use { v ->
                        val issued = issuer.booklet(spec, 3)
                        val pairs = issued.map { VoucherToken.parse(it.qrPayload) to v.verify(it.qrPayload, AT) }
                        try {
                            body(pairs)
                        } finally {
                            pairs.forEach { it.first.close() }
                        }
                    }
                }
            }
        }
    }
}

private fun Harness.storedQueue(dir: File) {
    val path = File(dir, "queue.sqlite").path
    cheques { cs ->
        SecretKey.fromBytes(ByteArray(32) { 0x51 }).use { venueKey ->
            case("accept, keep across reopening") {
                StoredOfflineQueue.open(path, "venue-lyon-01").use { q ->
                    eq("a new queue's sequence", 1L, q.nextSequence())
                    val r = q.accept(cs[0].first, cs[0].second, AT.plusNanos(2_500_001))
                    eq("cut to the millisecond", AT.plusMillis(2), r.at)
                    eq("the venue", "venue-lyon-01", r.venue)
                    val twice = expectError("the same cheque twice", "already_redeemed") {
                        q.accept(cs[0].first, cs[0].second, AT.plusSeconds(1))
                    }
                    check("twice: Refused", twice is InclusifException.Refused)
                    expectError("a verification of another token", "invalid_field") {
                        q.accept(cs[1].first, cs[0].second, AT)
                    }
                    q.accept(cs[1].first, cs[1].second, AT.plusSeconds(1))
                    eq("two pending", 2L, q.size())
                }
                StoredOfflineQueue.open(path, "venue-lyon-01").use { q ->
                    eq("reopened: two pending", 2L, q.size())
                    eq("reopened: in order", cs.take(2).map { it.second.serial }, q.pending().map { it.serial })
                    check("reopened: the tokens", q.pendingItems().map { it.token.toList() } == cs.take(2).map { it.first.toBytes().toList() })
                    expectError("the rule holds after reopening", "already_redeemed") {
                        q.accept(cs[1].first, cs[1].second, AT.plusSeconds(9))
                    }
                    q.accept(cs[2].first, cs[2].second, AT.plusSeconds(2))
                }
                expectError("another venue's file", "invalid_field") { StoredOfflineQueue.open(path, "venue-gueret-02").close() }
            }
            case("export a signed batch, settle from the answer") {
                val first = StoredOfflineQueue.open(path, "venue-lyon-01").use { q -> q.exportBatch(venueKey, 3, AT.plusSeconds(60)) }
                eq("PNRB magic", "PNRB", String(first.copyOfRange(0, 4), Charsets.US_ASCII))
                val batch = redemptionBatchOpen(first, venueKey.publicKey())
                eq("batch venue, key, sequence", Triple("venue-lyon-01", 3, 1L), Triple(batch.venue, batch.keyId, batch.sequence))
                eq("batch items", 3, batch.items.size)
                eq("batch instants", listOf(AT.plusMillis(2), AT.plusSeconds(1), AT.plusSeconds(2)), batch.items.map { it.acceptedAt })
                eq("batch id", 64, batch.batchId.length)
                expectError("another key's signature", "bad_batch_signature") {
                    SecretKey.generate().use { other -> redemptionBatchOpen(first, other.publicKey()) }
                }
                StoredOfflineQueue.open(path, "venue-lyon-01").use { q ->
                    eq("the sequence was kept", 2L, q.nextSequence())
                    val again = redemptionBatchOpen(q.exportBatch(venueKey, 3, AT.plusSeconds(61)), venueKey.publicKey())
                    eq("a new sequence", 2L, again.sequence)
                    // The operator's answer names the first two items.
                    eq("settled", 2L, q.applyOutcomes(batch.items.take(2)))
                    eq("settled again: nothing", 0L, q.applyOutcomes(batch.items.take(2)))
                }
                StoredOfflineQueue.open(path, "venue-lyon-01").use { q ->
                    eq("one left after reopening", listOf(cs[2].second.serial), q.pending().map { it.serial })
                    eq("settle the last", 1L, q.applyOutcomes(batch.items))
                    eq("empty", 0L, q.size())
                    expectError("an empty queue exports nothing", "batch_malformed") { q.exportBatch(venueKey, 3, AT) }
                    expectError("key id 0", "batch_malformed") {
                        q.accept(cs[0].first, cs[0].second, AT.plusSeconds(5))
                        q.exportBatch(venueKey, 0, AT)
                    }
                    expectError("a key id out of range", "invalid_field") { q.exportBatch(venueKey, 70_000, AT) }
                    eq("the sequence after refusals", 3L, q.nextSequence())
                    q.integrityCheck()
                }
            }
            case("foreign and damaged files") {
                val foreign = File(dir, "notes.sqlite")
                foreign.writeBytes(ByteArray(8192) { 0x5a })
                val e = expectError("not a database", "ledger_corrupt") { StoredOfflineQueue.open(foreign.path, "venue-lyon-01").close() }
                if (e != null) check("the error names the file", e.detail().contains("notes.sqlite")) { e.detail() }
                expectError("a queue is not a ledger", "ledger_corrupt") { SqliteLedger.open(path).close() }
                val ledgerPath = File(dir, "ledger-for-queue.sqlite").path
                SqliteLedger.open(ledgerPath).close()
                expectError("a ledger is not a queue", "ledger_corrupt") { StoredOfflineQueue.open(ledgerPath, "venue-lyon-01").close() }
                expectError("a folder that does not exist", "ledger_unavailable") {
                    StoredOfflineQueue.open(File(dir, "missing/queue.sqlite").path, "venue-lyon-01").close()
                }
            }
        }
    }
}

private fun Harness.sqliteLedger(dir: File) {
    val path = File(dir, "ledger.sqlite").path
    cheques { cs ->
        case("redeem once, keep across reopening") {
            SqliteLedger.open(path).use { ledger ->
                val r = ledger.redeem(cs[0].second, "venue-lyon-01", AT)
                eq("redeemed", "venue-lyon-01", r.venue)
                val e = expectError("twice", "already_redeemed") { ledger.redeem(cs[0].second, "venue-gueret-02", AT) }
                if (e != null) check("names the first venue", e.detail().contains("venue-lyon-01")) { e.detail() }
                eq("size", 1L, ledger.size())
            }
            SqliteLedger.open(path).use { ledger ->
                eq("found after reopening", "venue-lyon-01", ledger.redemption("aptic", cs[0].second.serial)?.venue)
                eq("none for another serial", null, ledger.redemption("aptic", cs[1].second.serial))
                expectError("a bad serial", "malformed") { ledger.redemption("aptic", "xyz") }
                ledger.integrityCheck()
            }
        }
    }
}
