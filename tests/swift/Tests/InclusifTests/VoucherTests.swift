// XCTest cases of the voucher bindings, the counterpart of tests/kotlin/VoucherTest.kt:
// tests/vectors/{tokens,codes,keys,trust_lists,redemptions}.tsv and trust_list.hex with
// the Rust suite's verdicts and codes (tests/tests/conformance.rs), the batch path, the
// offline queue (accept, export, restore, sync) and bad input.
//
// NOT RUN by this repository's tests (no Swift toolchain on the machine that runs
// tests/mobile.sh); see tests/swift/README.md.

import Foundation
import XCTest

@testable import Inclusif

private let vectorDir: URL = {
    if let dir = ProcessInfo.processInfo.environment["INCLUSIF_VECTORS"] {
        return URL(fileURLWithPath: dir)
    }
    return URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // InclusifTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // swift
        .appendingPathComponent("../vectors").standardized
}()

private func vectorText(_ relative: String) throws -> String {
    try String(contentsOf: vectorDir.appendingPathComponent(relative), encoding: .utf8)
}

/// Rows of a conformance TSV file: `#` and blank lines skipped, header first.
private func rows(_ relative: String) throws -> [[String: String]] {
    let lines = try vectorText(relative).split(separator: "\n", omittingEmptySubsequences: false)
        .map(String.init)
        .filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    let header = lines[0].split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    return lines.dropFirst().map { line in
        let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, cells))
    }
}

private func bytes(_ s: String) -> Data {
    var data = Data()
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        data.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return data
}

private func at(_ s: String) -> Date {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: s)!
}

private let now = at("2026-06-01T10:00:00Z")

private func errorCode(_ error: Error) -> String? {
    guard let e = error as? InclusifError else { return nil }
    return e.errorCode()
}

private func expectCode<T>(
    _ expected: String, _ body: @autoclosure () throws -> T, _ what: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), what, file: file, line: line) { error in
        XCTAssertEqual(errorCode(error), expected, "\(what): \(error)", file: file, line: line)
    }
}

private func rootKey() throws -> Data {
    bytes(try rows("keys.tsv").first { $0["role"] == "root" }!["public_key"]!)
}

private func trustListBytes() throws -> Data {
    bytes(try vectorText("trust_list.hex").trimmingCharacters(in: .whitespacesAndNewlines))
}

private func trustList() throws -> TrustList {
    try TrustList.open(bytes: trustListBytes(), rootKey: rootKey())
}

/// The verifier of one token vector, built as the Rust test builds it.
private func verifier(_ row: [String: String]) throws -> VoucherVerifier {
    let scopes = row["scopes"]!
    let options = VoucherVerifierOptions(
        timeZone: row["tz"]!,
        scopes: scopes == "-" || scopes == "any" ? [] : scopes.split(separator: ";").map { Int32($0)! },
        anyScope: scopes == "any",
        revokedSerials: row["revoked_serials"] == "-" ? [] : row["revoked_serials"]!.split(separator: ";").map(String.init))
    return try VoucherVerifier(trustList: trustList(), options: options)
}

private func verifyRow(_ row: [String: String]) throws -> VerifiedVoucher {
    let v = try verifier(row)
    let when = at(row["at"]!)
    switch row["mode"]! {
    case "strict": return try v.verify(text: row["input"]!, now: when)
    case "human": return try v.verifyTyped(text: row["input"]!, now: when)
    case "bytes": return try v.verifyBytes(bytes: bytes(row["input"]!), now: when)
    case let mode: fatalError("unknown mode \(mode)")
    }
}

private let tokenCodes: Set<String> = [
    "ok", "malformed", "unsupported_version", "unknown_key", "revoked_key", "bad_signature",
    "invalid_field", "not_yet_valid", "expired", "outside_key_window", "value_above_key_limit",
    "scope_not_accepted", "scope_not_allowed_for_key", "revoked_serial", "trust_list_expired",
]

private let trustListCodes: Set<String> = [
    "ok", "trust_list_expired", "trust_list_bad_signature", "trust_list_malformed",
    "trust_list_rollback", "weak_key", "invalid_key",
]

final class VoucherVectorTests: XCTestCase {
    func testTokenVectors() throws {
        let tokens = try rows("tokens.tsv")
        XCTAssertGreaterThanOrEqual(tokens.count, 50)
        XCTAssertEqual(Set(tokens.map { $0["expect"]! }), tokenCodes)
        let known = Set(voucherErrorCodes())
        for row in tokens {
            let name = row["name"]!
            if row["expect"] == "ok" {
                let v = try verifyRow(row)
                XCTAssertEqual(String(v.kid), row["kid"], name)
                XCTAssertEqual(v.serial, row["serial"], name)
                XCTAssertEqual(String(v.valueCents), row["value_cents"], name)
                XCTAssertEqual(v.validFrom, row["valid_from"], name)
                XCTAssertEqual(v.validUntil, row["valid_until"], name)
                XCTAssertEqual(String(v.scope), row["scope"], name)
                XCTAssertEqual(v.shortCode, row["short_code"], name)
                XCTAssertEqual(v.keypadCode, row["keypad_code"], name)
            } else {
                XCTAssertTrue(known.contains(row["expect"]!), name)
                XCTAssertThrowsError(try verifyRow(row), name) { error in
                    guard let e = error as? InclusifError else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(e.errorCode(), row["expect"], name)
                    XCTAssertEqual(e.errorDomain(), .voucher, name)
                    XCTAssertTrue(e.errorMessage().contains(":"), "\(name): \(e.errorMessage())")
                    XCTAssertEqual(e.isRefused(), row["expect"] == "trust_list_expired", name)
                }
            }
        }
    }

    func testBatchAgreesWithSingle() throws {
        let tokens = try rows("tokens.tsv")
        let texts = tokens.filter { $0["mode"] == "strict" }.map { $0["input"]! }
        let v = try VoucherVerifier(trustList: trustList(), options: VoucherVerifierOptions(anyScope: true))
        for instant in ["2026-06-01T10:00:00Z", "2026-07-02T10:00:00Z"].map(at) {
            let batch = v.verifyBatch(texts: texts, now: instant)
            XCTAssertEqual(batch.map { $0.index }, (0..<Int64(texts.count)).map { $0 })
            for (text, verdict) in zip(texts, batch) {
                do {
                    let single = try v.verify(text: text, now: instant)
                    XCTAssertEqual(verdict.voucher, single, text)
                    XCTAssertNil(verdict.errorCode, text)
                } catch {
                    XCTAssertEqual(verdict.errorCode, errorCode(error), text)
                    XCTAssertNil(verdict.voucher, text)
                }
            }
            let raw = texts.compactMap { try? VoucherToken.parse(text: $0).toBytes() }
            XCTAssertGreaterThan(raw.count, 30)
            let byBytes = v.verifyBatchBytes(tokens: raw, now: instant)
            let byText = v.verifyBatch(texts: raw.map { try! VoucherToken.fromBytes(bytes: $0).toText() }, now: instant)
            XCTAssertEqual(byBytes, byText)
        }
        // One verifier (Paris, national, nothing revoked) at one instant: the batch's codes
        // are the vector file's own, strict and typed.
        let national = try VoucherVerifier(trustList: trustList(), options: VoucherVerifierOptions())
        let shared = tokens.filter {
            $0["at"] == "2026-06-01T10:00:00Z" && $0["tz"] == "Europe/Paris" && $0["scopes"] == "-"
                && $0["revoked_serials"] == "-"
        }
        for mode in ["strict", "human"] {
            let mine = shared.filter { $0["mode"] == mode }
            let batch = national.verifyBatch(texts: mine.map { $0["input"]! }, now: now, typed: mode == "human")
            XCTAssertEqual(batch.map { $0.errorCode ?? "ok" }, mine.map { $0["expect"]! }, mode)
        }
    }

    func testCodeVectors() throws {
        for row in try rows("codes.tsv") {
            if row["expect"] == "ok" {
                XCTAssertEqual(try parsePhoneCode(text: row["input"]!), row["serial"], row["name"]!)
            } else {
                expectCode(row["expect"]!, try parsePhoneCode(text: row["input"]!), row["name"]!)
            }
        }
        let serial = randomVoucherSerial()
        XCTAssertEqual(try parseShortCode(text: voucherShortCode(serial: serial).lowercased()), serial)
        XCTAssertEqual(try parseKeypadCode(text: voucherKeypadCode(serial: serial)), serial)
        XCTAssertEqual(try normalizeTypedCode(text: "ab-cd o"), "ABCD0")
        expectCode("malformed", try voucherShortCode(serial: "xyz"))
        expectCode("bad_check_character", try parseShortCode(text: "BVPG-0000-0000-0001-T"))
    }

    func testKeyVectors() throws {
        for row in try rows("keys.tsv") {
            let key = try SecretKey.fromHex(text: row["seed"]!)
            XCTAssertEqual(key.publicKeyHex(), row["public_key"])
            XCTAssertEqual(key.publicKey(), bytes(row["public_key"]!))
            XCTAssertEqual(try SecretKey.fromBytes(seed: bytes(row["seed"]!)).toHex(), row["seed"])
            XCTAssertEqual(try voucherPublicKeyFromHex(text: row["public_key"]!), bytes(row["public_key"]!))
            if row["role"] != "root" {
                XCTAssertEqual(try Issuer(kid: Int32(row["kid"]!)!, secretKey: key).publicKey(), key.publicKey())
            }
        }
        expectCode("invalid_key", try SecretKey.fromBytes(seed: Data(count: 31)))
        var identity = Data(count: 32)
        identity[0] = 1
        expectCode("weak_key", try voucherPublicKeyToHex(publicKey: identity))
    }

    func testTrustListVectors() throws {
        let lists = try rows("trust_lists.tsv")
        XCTAssertEqual(Set(lists.map { $0["expect"]! }), trustListCodes)
        for row in lists {
            let name = row["name"]!
            let run = { () throws -> TrustList in
                let listed = try TrustList.load(bytes: bytes(row["hex"]!), rootKey: rootKey(), now: at(row["at"]!))
                if row["loaded"] == "-" { return listed }
                XCTAssertEqual(row["loaded"], "trust_list.hex", name)
                let v = try VoucherVerifier(trustList: trustList(), options: VoucherVerifierOptions())
                try v.replaceTrustList(newer: listed)
                return v.trustList()
            }
            if row["expect"] == "ok" {
                let list = try run()
                XCTAssertEqual(String(list.sequence()), row["sequence"], name)
                XCTAssertEqual(list.entries().map { String($0.kid) }.joined(separator: ";"), row["kids"], name)
            } else {
                expectCode(row["expect"]!, try run(), name)
            }
        }
        let root = try SecretKey.fromHex(text: rows("keys.tsv").first { $0["role"] == "root" }!["seed"]!)
        let list = try trustList()
        XCTAssertEqual(try list.sign(rootSecret: root), try trustListBytes())
        let rebuilt = try TrustList(
            sequence: list.sequence(), issuedAt: list.issuedAt(), maxAgeSeconds: list.maxAgeSeconds(),
            entries: list.entries())
        XCTAssertEqual(try rebuilt.sign(rootSecret: root), try trustListBytes())
        XCTAssertEqual(list.entry(kid: 7)?.status, .active)
        XCTAssertNil(list.entry(kid: 99))
        expectCode("trust_list_expired", try list.checkFresh(now: at("2028-01-01T00:00:01Z")))
    }

    func testRedemptionVectors() throws {
        let ledger = MemoryLedger()
        let v = try VoucherVerifier(trustList: trustList(), options: VoucherVerifierOptions())
        for row in try rows("redemptions.tsv") {
            let when = at(row["at"]!)
            let voucher = try v.verify(text: row["token"]!, now: when)
            if row["expect"] == "ok" {
                XCTAssertEqual(try ledger.redeem(voucher: voucher, venue: row["venue"]!, at: when).venue, row["venue"])
                continue
            }
            XCTAssertThrowsError(try ledger.redeem(voucher: voucher, venue: row["venue"]!, at: when)) { error in
                guard case let InclusifError.Refused(domain, code, message) = error else {
                    return XCTFail("not Refused: \(error)")
                }
                XCTAssertEqual(domain, .voucher)
                XCTAssertEqual(code, "already_redeemed")
                XCTAssertTrue(message.contains("venue \(row["first_venue"]!)"), message)
            }
            let first = try ledger.redemption(issuer: voucher.issuer, serial: voucher.serial)
            XCTAssertEqual(first?.venue, row["first_venue"])
            XCTAssertEqual(first?.at, at(row["first_at"]!))
        }
    }
}

final class VoucherOfflineTests: XCTestCase {
    private let spec = VoucherSpec(validFrom: "2026-01-01", validUntil: "2026-12-31")

    func testIssueQueueExportRestoreAndSync() throws {
        let seed = try rows("keys.tsv").first { $0["role"] == "issuer" && $0["kid"] == "7" }!["seed"]!
        let issuer = try Issuer(kid: 7, secretKey: SecretKey.fromHex(text: seed))
        let first = try issuer.issue(spec: spec, serial: "5eed0000000000000001")
        XCTAssertEqual(first.text, try rows("tokens.tsv")[0]["input"])
        XCTAssertEqual(first.shortCode, "BVPG-0000-0000-0001-S")
        let v = try VoucherVerifier(trustList: trustList(), options: VoucherVerifierOptions())
        let vouchers = try issuer.booklet(spec: spec, cheques: 3).map { try v.verify(text: $0.qrPayload, now: now) }

        let ledger = MemoryLedger()
        let gueret = OfflineQueue(venue: "gueret")
        _ = try gueret.accept(voucher: vouchers[0], at: now)
        expectCode("already_redeemed", try gueret.accept(voucher: vouchers[0], at: now))
        let lyon = OfflineQueue(venue: "lyon")
        for x in vouchers { _ = try lyon.accept(voucher: x, at: now.addingTimeInterval(60)) }
        let export = lyon.exportJsonl()
        XCTAssertEqual(export.split(separator: "\n").count, 3)
        expectCode("invalid_field", try OfflineQueue.fromJsonl(venue: "gueret", text: export))
        let restored = try OfflineQueue.fromJsonl(venue: "lyon", text: export)
        XCTAssertEqual(restored.size(), 3)
        XCTAssertNil(gueret.sync(ledger: ledger).errorCode)
        let report = restored.sync(ledger: ledger)
        XCTAssertEqual(report.outcomes.map { $0.status }, [.conflict, .redeemed, .redeemed])
        XCTAssertEqual(report.outcomes[0].winner.venue, "gueret")
        XCTAssertEqual(restored.size(), 0)
        XCTAssertEqual(ledger.size(), 3)
        let r = ledger.redemptions()[1]
        XCTAssertEqual(try redemptionFromJson(text: redemptionToJson(redemption: r)), r)
    }

    func testBadInputThrowsTheStableCode() throws {
        let list = try trustList()
        expectCode("invalid_field", try VoucherVerifier(trustList: list, options: VoucherVerifierOptions(timeZone: "Mars/Olympus")))
        expectCode("invalid_field", try VoucherVerifier(trustList: list, options: VoucherVerifierOptions(scopes: [-1])))
        expectCode("malformed", try VoucherVerifier(trustList: list, options: VoucherVerifierOptions(revokedSerials: ["xyz"])))
        let v = try VoucherVerifier(trustList: list, options: VoucherVerifierOptions())
        expectCode("malformed", try v.verify(text: "PN1:NOPE", now: now))
        expectCode("trust_list_rollback", try v.replaceTrustList(newer: TrustList(sequence: 41, issuedAt: now, maxAgeSeconds: 60, entries: [])))
        let key = try SecretKey.fromBytes(seed: Data(repeating: 3, count: 32))
        expectCode("invalid_field", try Issuer(kid: 0, secretKey: key))
        let issuer = try Issuer(kid: 3, secretKey: key)
        var free = spec
        free.valueCents = 0
        expectCode("invalid_field", try issuer.issue(spec: free))
        expectCode("malformed", try issuer.issue(spec: spec, serial: "xyz"))
        expectCode("trust_list_malformed", try TrustList(sequence: 0, issuedAt: now, maxAgeSeconds: 60, entries: []))
        expectCode("invalid_key", try unrestrictedTrustEntry(kid: 5, issuer: "x", publicKey: Data(count: 3)))
    }
}
