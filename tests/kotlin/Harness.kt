// A tiny test harness for the generated Kotlin bindings on the plain JVM (no JUnit to
// download): named checks, expected exceptions with their stable codes, and the shared
// conformance vectors of tests/vectors read as TSV, as the Rust and Python suites read them.
package fr.inclusif.tests

import fr.inclusif.InclusifException
import java.io.File

/** Records every check; a suite is a function of the harness (see Main.kt). */
class Harness(val vectors: File) {
    var passed = 0
        private set
    var failed = 0
        private set
    private val failures = mutableListOf<String>()
    private var prefix = ""

    /** Runs one suite: an exception escaping it is one failure, the other suites still run. */
    fun suite(name: String, body: Harness.() -> Unit) {
        prefix = "$name: "
        try {
            body()
        } catch (e: Throwable) {
            fail("suite aborted", "${e::class.qualifiedName}: ${e.message}")
        }
        prefix = ""
    }

    fun pass() {
        passed += 1
    }

    fun fail(name: String, why: String) {
        failed += 1
        val line = "FAIL $prefix$name: $why"
        failures += line
        println(line)
    }

    /** A named condition. */
    fun check(name: String, ok: Boolean, why: () -> String = { "condition is false" }) {
        if (ok) pass() else fail(name, why())
    }

    /** A named equality. */
    fun <T> eq(name: String, expected: T, actual: T) {
        check(name, expected == actual) { "expected <$expected>, got <$actual>" }
    }

    /** A named case whose body may throw: an unexpected exception is a failure. */
    fun case(name: String, body: () -> Unit) {
        try {
            body()
        } catch (e: InclusifException) {
            fail(name, "unexpected ${e::class.simpleName} ${e.code()}: ${e.detail()}")
        } catch (e: Throwable) {
            fail(name, "unexpected ${e::class.qualifiedName}: ${e.message}")
        }
    }

    /** `body` must throw an InclusifException with this stable code; returns it. */
    fun expectError(name: String, code: String, body: () -> Unit): InclusifException? {
        try {
            body()
        } catch (e: InclusifException) {
            eq("$name: code", code, e.code())
            return e
        } catch (e: Throwable) {
            fail(name, "expected InclusifException $code, got ${e::class.qualifiedName}: ${e.message}")
            return null
        }
        fail(name, "expected InclusifException $code, got no exception")
        return null
    }

    /** The rows of a conformance TSV file: `#` lines and blank lines skipped, header first. */
    fun tsv(relative: String): List<Map<String, String>> {
        val lines = File(vectors, relative).readLines(Charsets.UTF_8)
            .filter { !it.startsWith("#") && it.isNotBlank() }
        val header = lines.first().split('\t')
        return lines.drop(1).map { line ->
            val cells = line.split('\t')
            require(cells.size == header.size) { "$relative: ${cells.size} cells for ${header.size} columns: $line" }
            header.zip(cells).toMap()
        }
    }

    /** The text of a vector file. */
    fun text(relative: String): String = File(vectors, relative).readText(Charsets.UTF_8)

    fun summary(): String = "$passed passed, $failed failed"
}

/** The stable code, whatever the variant (the variants carry it as `.code`). */
fun InclusifException.code(): String = when (this) {
    is InclusifException.Invalid -> code
    is InclusifException.Refused -> code
}

/** The core's message, whatever the variant (`Throwable.message` adds domain and code). */
fun InclusifException.detail(): String = when (this) {
    is InclusifException.Invalid -> detail
    is InclusifException.Refused -> detail
}

/** Lowercase hex to bytes. */
fun hex(text: String): ByteArray {
    require(text.length % 2 == 0) { "odd hex length" }
    return ByteArray(text.length / 2) { i -> text.substring(2 * i, 2 * i + 2).toInt(16).toByte() }
}

/** A Kotlin enum constant as the core spells it (`NOT_MET` -> `not_met`). */
fun snake(e: Enum<*>): String = e.name.lowercase()
