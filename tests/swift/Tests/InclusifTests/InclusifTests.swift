// XCTest suite of the Swift bindings (module `Inclusif`), the counterpart of tests/kotlin/:
// the shared conformance vectors of tests/vectors with the Rust suites' verdicts and codes,
// Foundation.Decimal amounts, Date instants, YYYY-MM-DD civil dates and InclusifError.
//
// NOT RUN by this repository's tests: the machine that runs tests/mobile.sh has no Swift
// toolchain. tests/mobile.sh only checks that the Swift sources, header and module map are
// generated and expose these types. See tests/swift/README.md to run this suite on macOS or
// on Linux with a Swift toolchain.

import Foundation
import XCTest

@testable import Inclusif

/// tests/vectors: $INCLUSIF_VECTORS, else found from this file's path.
private let vectors: URL = {
    if let dir = ProcessInfo.processInfo.environment["INCLUSIF_VECTORS"] {
        return URL(fileURLWithPath: dir)
    }
    return URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // InclusifTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // swift
        .appendingPathComponent("../vectors").standardized
}()

private func text(_ relative: String) throws -> String {
    try String(contentsOf: vectors.appendingPathComponent(relative), encoding: .utf8)
}

/// Rows of a conformance TSV file: `#` and blank lines skipped, header first.
private func tsv(_ relative: String) throws -> [[String: String]] {
    let lines = try text(relative).split(separator: "\n", omittingEmptySubsequences: false)
        .map(String.init)
        .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    let header = lines[0].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    return lines.dropFirst().map { line in
        let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, cells))
    }
}

private func hex(_ s: String) -> Data {
    var data = Data()
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        data.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return data
}

private func instant(_ s: String) -> Date {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: s)!
}

private func rfc3339(_ d: Date) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: d)
}

private func dec(_ s: String) -> Decimal {
    Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))!
}

private func dash(_ s: String?) -> String? { s == "-" ? nil : s }

/// The stable code of an InclusifError, or nil for any other error.
private func code(_ error: Error) -> String? {
    guard let e = error as? InclusifError else { return nil }
    switch e {
    case let .Invalid(_, code, _): return code
    case let .Refused(_, code, _): return code
    }
}

private func assertCode<T>(
    _ expected: String, _ body: @autoclosure () throws -> T, _ what: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), what, file: file, line: line) { error in
        XCTAssertEqual(code(error), expected, "\(what): \(error)", file: file, line: line)
    }
}

final class TypesAndErrorsTests: XCTestCase {
    func testDecimalsCrossExactly() throws {
        XCTAssertEqual(try roundAmount(amount: dec("2.5"), rounding: .euroHalfEven), dec("2"))
        XCTAssertEqual(try roundAmount(amount: dec("0.125"), rounding: .cent), dec("0.13"))
        let parts = try splitByWeights(total: dec("100"), weights: [dec("1"), dec("1"), dec("1")], precision: .cent)
        XCTAssertEqual(parts, [dec("33.34"), dec("33.33"), dec("33.33")])
        XCTAssertEqual(parts.reduce(0, +), dec("100"))
    }

    func testErrorsCarryDomainCodeAndKind() {
        XCTAssertThrowsError(try roundAmount(amount: dec("-1"), rounding: .euro)) { error in
            guard case let InclusifError.Invalid(domain, code, message) = error else {
                return XCTFail("not Invalid: \(error)")
            }
            XCTAssertEqual(domain, .funding)
            XCTAssertEqual(code, "negative_amount")
            XCTAssertTrue(message.contains("amount"), message)
            XCTAssertEqual((error as! InclusifError).errorCode(), "negative_amount")
            XCTAssertFalse((error as! InclusifError).isRefused())
        }
        let registry = MandateRegistry()
        XCTAssertThrowsError(try registry.revokeMandate(mandate: "00000000000000000000", at: Date())) { error in
            guard case let InclusifError.Refused(domain, code, _) = error else {
                return XCTFail("not Refused: \(error)")
            }
            XCTAssertEqual(domain, .mandate)
            XCTAssertEqual(code, "not_found")
        }
    }

    func testDatesAndInstants() throws {
        let book = RuleBook()
        let rule = try book.rule(id: "cnfs.v1.public.mainland", on: "2021-06-01")
        XCTAssertEqual(rule.validFrom, "2020-11-17")
        XCTAssertEqual(rule.value, dec("50000"))
        assertCode("invalid_argument", try book.rule(id: "cnfs.v1.public.mainland", on: "01/06/2021"))
        let hours = try OpeningHours(text: "Mo-Fr 09:00-18:00")
        XCTAssertEqual(
            try hours.nextOpening(after: instant("2026-06-06T10:00:00Z"), timeZone: "Europe/Paris", holidays: .none),
            instant("2026-06-08T07:00:00Z"))
    }
}

final class FundingTests: XCTestCase {
    private func typed(_ v: String) -> FundingValue {
        if v == "true" || v == "false" { return .bool(value: v == "true") }
        if !v.isEmpty, v.allSatisfy({ $0.isASCII && $0.isNumber }), !(v.count > 1 && v.hasPrefix("0")) {
            return .whole(value: Int64(v)!)
        }
        return .text(value: v)
    }

    func testFundingVectors() throws {
        let book = RuleBook()
        let rows = try tsv("funding.tsv")
        XCTAssertGreaterThanOrEqual(rows.count, 40)
        for row in rows {
            let name = row["name"]!
            var request: [String: FundingValue] = ["programme": .text(value: row["programme"]!)]
            for pair in row["params"]!.split(separator: ";") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                request[kv[0]] = typed(kv[1])
            }
            guard row["expect"] == "ok" else {
                assertCode(row["expect"]!, try book.compute(request: request), name)
                continue
            }
            let b = try book.compute(request: request)
            XCTAssertEqual(b.total, dec(row["total"]!), name)
            if row["lines"] != "-" {
                for pair in row["lines"]!.split(separator: ";") {
                    let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    guard let line = b.lines.first(where: { $0.label == kv[0] }) else {
                        XCTFail("\(name): no line \(kv[0])")
                        continue
                    }
                    var amount = line.amount
                    if line.rounding == nil {
                        var exact = line.amount
                        NSDecimalRound(&amount, &exact, 2, .plain)
                    }
                    XCTAssertEqual(amount, dec(kv[1]), "\(name): \(kv[0])")
                }
            }
        }
    }
}

final class MandateTests: XCTestCase {
    private func options(_ row: [String: String]) throws -> MandateVerifierOptions {
        let trust = dash(row["trust_list"]).map(hex)
        let root = try tsv("keys.tsv").first { $0["role"] == "root" }!["public_key"]!
        return MandateVerifierOptions(
            trustList: trust,
            rootKey: trust == nil ? nil : hex(root),
            keys: dash(row["keys"])?.split(separator: ";").map { k in
                let parts = k.split(separator: ":").map(String.init)
                return TrustedKey(kid: Int32(parts[0])!, publicKey: hex(parts[1]))
            } ?? [],
            revoked: dash(row["revoked"])?.split(separator: ";").map(String.init) ?? [],
            demarche: dash(row["demarche"]),
            usagerSub: dash(row["usager_sub"]))
    }

    private func verify(_ row: [String: String]) throws -> VerifiedMandate {
        let v = try MandateVerifier(options: options(row))
        let at = instant(row["at"]!)
        switch row["mode"]! {
        case "strict": return try v.verify(text: row["input"]!, now: at)
        case "human": return try v.verifyTyped(text: row["input"]!, now: at)
        default: return try v.verifyBytes(bytes: hex(row["input"]!), now: at)
        }
    }

    func testTokenVectors() throws {
        let rows = try tsv("mandate_tokens.tsv")
        XCTAssertGreaterThanOrEqual(rows.count, 60)
        for row in rows {
            let name = row["name"]!
            if row["expect"] == "ok" {
                let m = try verify(row)
                XCTAssertEqual(String(m.kid), row["kid"], name)
                XCTAssertEqual(String(m.organisation), row["organisation"], name)
                XCTAssertEqual(m.mandateId, row["mandate_id"], name)
                XCTAssertEqual(m.demarches.joined(separator: ","), row["demarches"], name)
                XCTAssertEqual(m.duration, row["duration"], name)
                XCTAssertEqual(m.consent, row["consent"], name)
                XCTAssertEqual(rfc3339(m.createdAt), row["created_at"], name)
                XCTAssertEqual(rfc3339(m.expiresAt), row["expires_at"], name)
            } else {
                assertCode(row["expect"]!, try verify(row), name)
            }
        }
    }

    func testScenarioVectors() throws {
        let rows = try tsv("mandate_scenarios.tsv")
        for name in Set(rows.map { $0["scenario"]! }).sorted() {
            let result = try runMandateScenario(json: text("mandate_scenarios/\(name).json"))
            let mine = rows.filter { $0["scenario"] == name }
            XCTAssertEqual(result.events.count + result.decisions.count, mine.count, name)
            for row in mine {
                let i = Int(row["index"]!)!
                let why = "\(name) \(row["kind"]!) \(i): \(row["why"]!)"
                if row["kind"] == "event" {
                    let e = result.events[i - 1]
                    if row["expect"] == "ok" {
                        XCTAssertTrue(e.ok, why)
                        XCTAssertEqual(e.mandate.map { String($0) } ?? "-", row["mandate"], why)
                        let revoked = e.revoked.map { "\($0.mandate)/\($0.demarche)" }.joined(separator: ";")
                        XCTAssertEqual(revoked.isEmpty ? "-" : revoked, row["revoked"], why)
                    } else {
                        XCTAssertEqual(e.error, row["expect"], why)
                    }
                } else {
                    let d = result.decisions[i - 1]
                    if row["expect"] == "allowed" {
                        XCTAssertTrue(d.allowed, why)
                        XCTAssertEqual(d.mandate.map { String($0) }, row["mandate"], why)
                    } else {
                        XCTAssertFalse(d.allowed, why)
                        XCTAssertEqual(d.reasons.joined(separator: ";"), row["reasons"], why)
                    }
                }
            }
        }
    }

    func testJournalVectors() throws {
        let keys = try tsv("journal/key.tsv").map { TrustedKey(kid: Int32($0["kid"]!)!, publicKey: hex($0["public_key"]!)) }
        for row in try tsv("journal/expected.tsv") {
            let report = try verifyMandateJournal(text: text("journal/\(row["file"]!)"), keys: keys)
            if row["expect"] == "ok" {
                XCTAssertTrue(report.ok, row["file"]!)
                XCTAssertEqual(report.entries.map { String($0) }, row["entries"])
            } else {
                XCTAssertEqual(report.code, row["expect"], row["file"]!)
                XCTAssertEqual(report.line.map { String($0) }, row["line"])
            }
        }
    }

    func testRegistryDecides() throws {
        let at = instant("2026-03-01T09:30:00Z")
        let r = MandateRegistry()
        try r.addOrganisation(id: 42, name: "CCAS", siret: "21230096300014", active: true, allowedDemarches: nil)
        try r.addAidant(id: "alice", organisations: [42], currentOrganisation: 42, active: true,
                        canCreateMandates: true, habilitationFrom: nil, habilitationUntil: nil)
        try r.addUsager(sub: "u1", givenName: "Camille", familyName: "Martin")
        let c = try r.createMandate(aidant: "alice", usager: "u1", demarches: ["social"], duration: "LONG",
                                    consent: ConsentInput(method: "in_person"), at: at)
        let d = try r.decide(aidant: "alice", usager: "u1", demarche: "social", at: at)
        XCTAssertTrue(d.allowed)
        XCTAssertEqual(d.mandate, c.mandate)
        XCTAssertEqual(try r.decide(aidant: "alice", usager: "u1", demarche: "justice", at: at).reasons,
                       ["demarche_not_covered"])
        assertCode("unknown_demarche", try r.decide(aidant: "alice", usager: "u1", demarche: "Social", at: at))
    }
}

final class VenueTests: XCTestCase {
    func testProblems() throws {
        let expected = try tsv("venues/problems.expected.tsv").map {
            [$0["row"]!, $0["field"]!, $0["code"]!, $0["severity"]!]
        }
        let file = try VenueFile.read(text: text("venues/problems.csv"), format: .auto)
        let report = try file.validate(today: "2026-11-23", version: nil)
        XCTAssertEqual(report.version, .v102)
        let got = report.problems.map { [String($0.row), $0.field, $0.code, $0.severity == .error ? "error" : "warning"] }
        XCTAssertEqual(got, expected)
        XCTAssertEqual(report.valid.map { $0.row }, [2, 12])
    }

    func testWeeklyHours() throws {
        for row in try tsv("venues/hours.tsv") {
            let text = row["horaires"]!
            if !row["error"]!.isEmpty {
                assertCode(row["error"]!, try OpeningHours(text: text), text)
                continue
            }
            let w = try OpeningHours(text: text).week(
                monday: row["week_of"]!, timeZone: row["time_zone"]!,
                holidays: row["holidays"] == "FR" ? .france : .none)
            XCTAssertEqual(w.perDay.map { String($0) }.joined(separator: " "), row["per_day"], text)
            XCTAssertEqual(String(w.minutesOpen), row["minutes_open"], text)
            XCTAssertEqual(String(w.minutesUnknown), row["minutes_unknown"], text)
            XCTAssertEqual(String(w.daysOpen), row["days_open"], text)
        }
    }

    func testLabelOutcomes() throws {
        let file = try VenueFile.read(text: text("venues/labels.csv"), format: .csv)
        let evaluations = try file.evaluateLabels(labels: [], settings: defaultEvaluationSettings())
        let name: (Outcome) -> String = { o in
            switch o {
            case .met: return "met"
            case .notMet: return "not_met"
            case .unknown: return "unknown"
            }
        }
        let eligibility: (Eligibility) -> String = { e in
            switch e {
            case .eligible: return "eligible"
            case .notEligible: return "not_eligible"
            case .unknown: return "unknown"
            }
        }
        for row in try tsv("venues/labels.tsv") {
            let e = evaluations.first { $0.venueId == row["id"] && $0.label == row["label"] }!
            XCTAssertEqual(eligibility(e.outcome), row["outcome"])
            XCTAssertEqual(e.criteria.map { "\($0.id)=\(name($0.outcome))" }.joined(separator: " "), row["criteria"])
        }
    }

    func testNearest() throws {
        let csv = "id,nom,commune,latitude,longitude\na,A,Reims,49.25,4.03\nb,B,Paris,48.85,2.35\n"
        let index = try VenueIndex(file: VenueFile.read(text: csv, format: .csv), settings: defaultEvaluationSettings())
        XCTAssertEqual(try index.nearest(lat: 48.86, lon: 2.35, k: 5).map { $0.id }, ["b", "a"])
        assertCode("invalid_argument", try index.nearest(lat: 91, lon: 0, k: 1))
    }
}
