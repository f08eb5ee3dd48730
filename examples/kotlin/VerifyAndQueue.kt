// A venue's phone accepts Pass numérique cheques offline, the way an Android app would
// (the Activity and the camera left out): load the signed trust list cached at the last
// sync and check it against the programme's root key, verify each scanned QR code, show
// the result or the error code, queue accepted cheques in a StoredOfflineQueue (a SQLite
// file on the device, so a cheque accepted before a crash or a reboot is still sent), and
// export the queue for the next sync (a signed batch; the JSON lines shown here).
//
//   java -Djna.library.path=target/debug -cp inclusif.jar:jna.jar \
//       fr.inclusif.examples.VerifyAndQueueKt CACHED_TRUST_LIST [NOW]
//
// CACHED_TRUST_LIST is the signed list's bytes as hex (tests/vectors/trust_list.hex);
// NOW (ISO-8601) stands in for the device clock so that the demonstration is
// reproducible: an app passes Instant.now().
// Compiled and run by tests/mobile.sh, which checks the lines it prints.
package fr.inclusif.examples

import fr.inclusif.InclusifException
import fr.inclusif.StoredOfflineQueue
import fr.inclusif.TrustList
import fr.inclusif.VerifiedVoucher
import fr.inclusif.VoucherVerifier
import fr.inclusif.VoucherToken
import fr.inclusif.VoucherVerifierOptions
import fr.inclusif.redemptionToJson
import java.io.File
import java.nio.file.Files
import java.time.Instant
import kotlin.system.exitProcess

/** The programme's root public key, shipped with the app (here: the test root of tests/vectors/keys.tsv). */
private const val ROOT_KEY_HEX = "b533d8ad9fcfbdde0b481c1b334ddc3c53412fd614564e7e5afd020368d382c3"

/** This device's venue, as registered with the operator. */
private const val VENUE = "venue-lyon-01"

/** What the camera read: a good cheque, a forged one (value raised), the good one again. */
private val SCANS = listOf(
    "PN1:0400EQQD00000000000020Z84MCJD18003468587HNZNWP4PD9XETQN4EWQP06YDPJ076908DYEV3XKTJWDRKFBNW1JQD5W5CGNAD5GXBGRSNM8886CC6AK77XQH0JJKC5G3JXRA",
    "PN1:0400EQQD000000000000G1Z84MCJD18001C9YA096Q31EHQ6F4PFHEHQ9VFE0KEHZ5J29VM98PXXC1837NYYTK9A55Z59C64J1D4H96S5Z9VEPHH5MPENFNK66V6C43YGKZ34P0A",
    "PN1:0400EQQD00000000000020Z84MCJD18003468587HNZNWP4PD9XETQN4EWQP06YDPJ076908DYEV3XKTJWDRKFBNW1JQD5W5CGNAD5GXBGRSNM8886CC6AK77XQH0JJKC5G3JXRA",
)

/** The UI state of one scan. */
sealed interface ScanResult {
    data class Accepted(val voucher: VerifiedVoucher) : ScanResult
    data class Rejected(val code: String, val detail: String) : ScanResult
}

/** The stable code of the exception (for the UI's strings) and its message (for logs). */
private fun InclusifException.codeAndDetail(): Pair<String, String> = when (this) {
    is InclusifException.Invalid -> code to detail
    is InclusifException.Refused -> code to detail
}

/** Verifies one scan offline and, when genuine and valid, queues its redemption. */
fun onScan(verifier: VoucherVerifier, queue: StoredOfflineQueue, payload: String, now: Instant): ScanResult =
    try {
        VoucherToken.parse(payload).use { token ->
            val voucher = verifier.verifyToken(token, now)
            queue.accept(token, voucher, now) // on disk; already_redeemed when this device took it before
            ScanResult.Accepted(voucher)
        }
    } catch (e: InclusifException) {
        val (code, detail) = e.codeAndDetail()
        ScanResult.Rejected(code, detail)
    }

private fun euros(cents: Int): String = "%d.%02d €".format(cents / 100, cents % 100)

private fun hexToBytes(text: String): ByteArray =
    ByteArray(text.length / 2) { i -> text.substring(2 * i, 2 * i + 2).toInt(16).toByte() }

fun main(args: Array<String>) {
    val cached = hexToBytes(File(args[0]).readText().trim())
    val now = args.getOrNull(1)?.let(Instant::parse) ?: Instant.now()

    val trust = try {
        TrustList.load(cached, hexToBytes(ROOT_KEY_HEX), now)
    } catch (e: InclusifException) {
        // trust_list_expired: too old to trust; sync before accepting cheques.
        println("trust list refused: ${e.codeAndDetail().first}")
        exitProcess(3)
    }
    trust.use {
        println("trust list ${trust.sequence()} with ${trust.size()} keys, valid until ${trust.expiresAt()}")
        VoucherVerifier(trust, VoucherVerifierOptions(timeZone = "Europe/Paris")).use { verifier ->
            // An app keeps the file in its private storage (Context.filesDir); here a temporary folder.
            val dir = Files.createTempDirectory("inclusif-example").toFile()
            StoredOfflineQueue.open(File(dir, "queue.sqlite").path, VENUE).use { queue ->
                for (payload in SCANS) {
                    when (val r = onScan(verifier, queue, payload, now)) {
                        is ScanResult.Accepted -> with(r.voucher) {
                            println("accepted $shortCode: ${euros(valueCents)} from $issuer, valid until $validUntil")
                        }
                        is ScanResult.Rejected -> println("rejected ${r.code}: ${r.detail}")
                    }
                }
                // At the next sync (a WorkManager job): queue.exportBatch(venueKey, keyId, now),
                // then queue.applyOutcomes(the items the operator's answer settled).
                println("${queue.size()} redemption(s) queued for sync:")
                for (r in queue.pending()) println(redemptionToJson(r))
            }
            dir.deleteRecursively()
        }
    }
}
