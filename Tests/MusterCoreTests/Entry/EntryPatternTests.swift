import Foundation
@testable import MusterCore
import MusterDemo
import Testing

/// PatternLibrary's native matchers must accept exactly what their regex text accepts, since other
/// implementations validate entries with the regex.
@Suite struct EntryPatternTests {
    struct Samples: Sendable, CustomStringConvertible {
        let pattern: String
        let valid: [String]
        let invalid: [String]
        var description: String { pattern }
    }

    static let samples: [Samples] = [
        Samples(pattern: PatternLibrary.uuidV7, valid: ["0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b", "00000000-0000-7000-b000-000000000000"],
                invalid: ["0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b", "0190a5b2-7c3d-7e4f-ca1b-2c3d4e5f6a7b", "0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B", ""]),
        Samples(pattern: PatternLibrary.uuid, valid: ["0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b", "00000000-0000-0000-0000-000000000000"],
                invalid: ["0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7", "0190a5b2x7c3d-4e4f-8a1b-2c3d4e5f6a7b", "0190A5B2-7c3d-4e4f-8a1b-2c3d4e5f6a7b"]),
        Samples(pattern: PatternLibrary.date, valid: ["2025-02-30", "0000-00-00", "2024-02-29"],
                invalid: ["2025-2-03", "2025/02/03", "20250203", "2025-02-03T", "٢٠٢٥-٠٢-٠٣"]),
        Samples(pattern: PatternLibrary.timestamp, valid: ["2025-01-01T00:00:00.000Z", "9999-99-99T99:99:99.999Z"],
                invalid: ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00.000z", "2025-01-01T00:00:00.000+00:00", "2025-01-01 00:00:00.000Z"]),
        Samples(pattern: PatternLibrary.currency, valid: ["GBP", "XYZ"], invalid: ["gbp", "GB", "GBPX", "G1P", "ÉUR"]),
        Samples(pattern: PatternLibrary.gss, valid: ["E14001063", "W07000081", "S14000100", "N05000001", "N06999999"],
                invalid: ["E15001063", "E1400106", "E140010633", "e14001063", "N07000001", "E14ABCDEF"]),
        Samples(pattern: PatternLibrary.outwardCode, valid: ["S1", "S10", "SW1A", "EC1A", "GU1", "W1B", "M1"],
                invalid: ["S", "1S", "SWA1", "SW1AA", "s10", "S10 ", "ABC1", ""]),
        Samples(pattern: PatternLibrary.postcode, valid: ["S10 2TN", "SW1A 1AA", "M1 1AE", "EC1A 1BB", "W1B 3AG"],
                invalid: ["S102TN", "S10  2TN", "S10 2T", "s10 2tn", "SW1AA 1AA", "S10 22N", " S10 2TN"]),
        Samples(pattern: PatternLibrary.sha256Hex, valid: [String(repeating: "a", count: 64), String(repeating: "09", count: 32)],
                invalid: [String(repeating: "A", count: 64), String(repeating: "a", count: 63), String(repeating: "g", count: 64)]),
        Samples(pattern: PatternLibrary.slug, valid: ["a", "0", "canvassing-101", "a-", String(repeating: "a", count: 64)],
                invalid: ["-a", "", "A", "a_b", String(repeating: "a", count: 65), "café"]),
        Samples(pattern: PatternLibrary.operatorID, valid: ["op-ben", "op.treasurer@hub", "a", "0-op", "op_x"],
                invalid: [".op", "Op", "", "op ben", String(repeating: "a", count: 65)]),
        Samples(pattern: PatternLibrary.origin, valid: ["muster.example.org/hub/sheffield", "!", String(repeating: "a", count: 255)],
                invalid: ["hub+one", "a b", "", String(repeating: "a", count: 256), "hüb", "tab\there"]),
        Samples(pattern: PatternLibrary.phone, valid: ["07700 900123", "+44 (0)114 496 0000", "123456", "+123456"],
                invalid: ["12345", "+1234", "(0114) 496", "0114 496 000x", "++441144960000", String(repeating: "1", count: 26)]),
        Samples(pattern: PatternLibrary.email, valid: ["a@b", "ben.khan7@example.org", "ünï@éxample.org", "\"quoted\"@x"],
                invalid: ["secret@@x", "@x", "a@", "a b@x", "a@b c", "a@b@c", String(repeating: "a", count: 65) + "@x", "a\t@x"]),
        Samples(pattern: PatternLibrary.base64, valid: ["", "AAAA", "ab+/", "YQ==", "YWI=", "YQ"],
                invalid: ["YQ===", "Y=Q=", "a-b_", "YQ==\u{20}", "=A"]),
    ]

    static func regexMatches(_ pattern: String, _ s: String) throws -> Bool {
        let regex = try NSRegularExpression(pattern: pattern)
        return regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    @Test(arguments: samples)
    func nativeMatcherAgreesWithRegexOnSamples(samples: Samples) throws {
        let native = try #require(PatternLibrary.matcher(for: samples.pattern), "no native matcher for \(samples.pattern)")
        for s in samples.valid {
            #expect(try Self.regexMatches(samples.pattern, s), "regex should accept \(s.debugDescription)")
            #expect(native(s), "native should accept \(s.debugDescription)")
        }
        for s in samples.invalid {
            #expect(try !Self.regexMatches(samples.pattern, s), "regex should reject \(s.debugDescription)")
            #expect(!native(s), "native should reject \(s.debugDescription)")
        }
    }

    /// The base64 matcher checks a word of 8 bytes at a time before going byte by byte: every
    /// ASCII byte at every offset of a 27-byte run (three words and a tail), and every byte value
    /// in a word, must get the regex's verdict.
    @Test func base64WordCheckAgreesWithRegexAtEveryOffset() throws {
        let native = try #require(PatternLibrary.byteMatcher(for: PatternLibrary.base64))
        let run = Array("QUJDREVGR0hJSktMTU5PUFFSU1RV".utf8.prefix(27))
        var mismatches: [String] = []
        for offset in run.indices {
            for byte in UInt8(0)...UInt8(255) {
                var bytes = run
                bytes[offset] = byte
                let verdict = bytes.withUnsafeBufferPointer { native($0) }
                // Bytes that are not UTF-8 on their own are never base64 (the regex only sees
                // strings); line terminators are left out as above (ICU's `$` differs there).
                let expected = byte < 0x80 && !(0x0A...0x0D).contains(byte)
                    ? try Self.regexMatches(PatternLibrary.base64, String(decoding: bytes, as: UTF8.self)) : false
                if verdict != expected { mismatches.append("byte \(byte) at \(offset): native \(verdict)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// Random strings near each pattern's shape (built from the valid samples' characters plus a
    /// few troublemakers); line terminators (LF, VT, FF, CR, NEL, LS, PS) are left out because
    /// ICU's `$` also matches before a final line terminator while ECMA-262 (JSON Schema's
    /// dialect) does not — see `dollarDoesNotMatchBeforeAFinalNewline`. Combining marks are left
    /// out too: `emailLengthLimitsCountCodePoints` covers the known disagreement they cause.
    @Test(arguments: samples)
    func nativeMatcherAgreesWithRegexOnRandomStrings(samples: Samples) throws {
        let native = try #require(PatternLibrary.matcher(for: samples.pattern))
        let regex = try NSRegularExpression(pattern: samples.pattern)
        var alphabet = Array(Set((samples.valid + samples.invalid).flatMap { $0 }.filter { !$0.isNewline && $0 != "\u{0B}" && $0 != "\u{0C}" }))
        alphabet += ["a", "Z", "0", "9", "-", " ", "@", "=", "+", "é", "\t", "\u{A0}", "\u{2003}"]
        let lengths = Set((samples.valid + samples.invalid).map(\.count) + [0, 1, 2])
        var rng = SeededGenerator(seed: UInt64(samples.pattern.utf8.count))
        var mismatches: [String] = []
        for _ in 0..<3_000 {
            let base = rng.chance(0.7) ? rng.pick(samples.valid + samples.invalid) : ""
            var chars = Array(base)
            let n = rng.chance(0.5) ? Int.random(in: 0...3, using: &rng) : rng.pick(Array(lengths))
            for _ in 0..<n {
                let op = Int.random(in: 0..<3, using: &rng)
                if op == 0 || chars.isEmpty { chars.insert(rng.pick(alphabet), at: Int.random(in: 0...chars.count, using: &rng)) }
                else if op == 1 { chars[Int.random(in: 0..<chars.count, using: &rng)] = rng.pick(alphabet) }
                else { chars.remove(at: Int.random(in: 0..<chars.count, using: &rng)) }
            }
            let s = String(chars)
            let byRegex = regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            if native(s) != byRegex, mismatches.count < 10 { mismatches.append("\(s.debugDescription): native \(native(s)), regex \(byRegex)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
    }

    /// Lengths in a pattern count code points (ECMA-262 with `u`, Python, ICU), not grapheme clusters.
    @Test func emailLengthLimitsCountCodePoints() throws {
        let local = String(repeating: "e\u{301}", count: 40)  // 40 characters, 80 code points
        let email = local + "@example.org"
        #expect(try !Self.regexMatches(PatternLibrary.email, email))
        #expect(!PatternLibrary.matcher(for: PatternLibrary.email)!(email))
        // A combining mark after "@" fuses with it into one Character, so the native split misses the "@".
        let fused = "a@\u{301}example.org"
        #expect(try Self.regexMatches(PatternLibrary.email, fused))
        #expect(PatternLibrary.matcher(for: PatternLibrary.email)!(fused))
    }

    /// ECMA-262 `$` (no multiline flag) matches only at the end of input, so a trailing newline is
    /// invalid. The native matchers follow ECMA-262; ICU and Python's `re` (used by `jsonschema`)
    /// also match `$` before a final newline, so they accept "abc\n" for a slug.
    @Test func dollarDoesNotMatchBeforeAFinalNewline() throws {
        for pattern in [PatternLibrary.slug, PatternLibrary.outwardCode, PatternLibrary.sha256Hex, PatternLibrary.gss] {
            let native = try #require(PatternLibrary.matcher(for: pattern))
            let sample = try #require(Self.samples.first { $0.pattern == pattern }?.valid.first)
            #expect(!native(sample + "\n"), "\(pattern)")
            #expect(try Self.regexMatches(pattern, sample + "\n"), "ICU's $ matches before a final newline")
        }
    }
}
