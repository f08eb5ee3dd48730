// Runs every Kotlin suite against the generated bindings and the native library, then
// prints the closing line `N passed, N failed` (tests/mobile.sh checks it) and exits
// non-zero on any failure.
//
//   java -Djna.library.path=target/debug -cp tests.jar:jna.jar fr.inclusif.tests.MainKt [vectors-dir]
//
// The vectors directory is the first argument, else the system property
// `inclusif.vectors`, else `tests/vectors`. A new domain adds its suite file here and one
// line to SUITES.
package fr.inclusif.tests

import java.io.File
import kotlin.system.exitProcess

val SUITES: List<Pair<String, Harness.() -> Unit>> = listOf(
    "types and errors" to Harness::typesAndErrors,
    "funding" to Harness::funding,
    "mandate" to Harness::mandate,
    "venue" to Harness::venue,
    "voucher" to Harness::voucher,
    "ledger and stored queue" to Harness::ledger,
)

fun main(args: Array<String>) {
    val vectors = File(args.firstOrNull() ?: System.getProperty("inclusif.vectors") ?: "tests/vectors")
    if (!File(vectors, "funding.tsv").isFile) {
        System.err.println("no conformance vectors in ${vectors.absolutePath}")
        exitProcess(2)
    }
    val h = Harness(vectors)
    for ((name, suite) in SUITES) {
        val before = h.passed + h.failed
        h.suite(name) { suite() }
        println("$name: ${h.passed + h.failed - before} checks")
    }
    println(h.summary())
    exitProcess(if (h.failed == 0) 0 else 1)
}
