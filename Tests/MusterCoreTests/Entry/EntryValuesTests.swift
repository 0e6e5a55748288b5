import Foundation
@testable import MusterCore
import MusterDemo
import Testing

/// Event ids, subject ids, timestamps and calendar dates.
@Suite struct EntryValuesTests {
    // MARK: UUIDv7

    @Test(arguments: [UInt64(0), 1, 1_700_000_000_000, 1_767_225_600_123, 281_474_976_710_655])
    func generatedIDsAreLowercaseV7WithTheirTime(millis: UInt64) throws {
        var rng = SeededGenerator(seed: millis &+ 11)
        for _ in 0..<200 {
            let id = EventID.generate(unixMillis: millis, using: &rng)
            let u = Array(id.text.utf8)
            #expect(u.count == 36)
            #expect(u[14] == UInt8(ascii: "7"), "version nibble of \(id)")
            #expect("89ab".utf8.contains(u[19]), "variant bits of \(id)")
            #expect(id.text == id.text.lowercased())
            #expect(id.unixMillis == millis)
            #expect(try EventID(id.text) == id, "a generated id must parse")
            let regex = try NSRegularExpression(pattern: PatternLibrary.uuidV7)
            #expect(regex.firstMatch(in: id.text, range: NSRange(id.text.startIndex..., in: id.text)) != nil)
        }
    }

    @Test func systemGeneratedIDsDifferAndSortByTime() throws {
        let a = EventID.generate(unixMillis: 1_000), b = EventID.generate(unixMillis: 1_000), c = EventID.generate(unixMillis: 1_001)
        #expect(a != b)
        #expect(a < c && b < c)
    }

    /// Ids compare, hash and test equal by their parsed bits: the same answers their texts give.
    @Test func idsOrderAndEqualAsTheirTexts() throws {
        var rng = SeededGenerator(seed: 29)
        let ids = (0..<400).map { i in EventID.generate(unixMillis: UInt64(i % 7), using: &rng) }
        for (a, b) in zip(ids, ids.shuffled(using: &rng)) {
            #expect((a < b) == (a.text < b.text), "\(a) \(b)")
            #expect((a == b) == (a.text == b.text))
        }
        #expect(Set(ids.map { try! EventID($0.text) }) == Set(ids))
        // Subject ids too, with many sharing their first half.
        let subjects = (0..<400).map { i in
            i % 2 == 0 ? SubjectID.generate(using: &rng) : try! SubjectID("0190a5b2-7c3d-4e4f-8a1b-" + String(format: "%012x", i % 9))
        }
        for (a, b) in zip(subjects, subjects.shuffled(using: &rng)) {
            #expect((a < b) == (a.text < b.text), "\(a) \(b)")
            #expect((a == b) == (a.text == b.text))
        }
        #expect(Set(subjects.map { try! SubjectID($0.text) }) == Set(subjects))
        #expect(Set(subjects.map(\.text)).count == Set(subjects).count)
    }

    @Test(arguments: [
        "0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B",  // uppercase
        "0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b",  // version 4
        "0190a5b2-7c3d-7e4f-ca1b-2c3d4e5f6a7b",  // variant 11x
        "0190a5b2-7c3d-7e4f-7a1b-2c3d4e5f6a7b",  // variant 0xxx
        "0190a5b27c3d7e4f8a1b2c3d4e5f6a7b",  // no hyphens
        "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7",  // short
        "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b0",  // long
        "0190a5b2_7c3d-7e4f-8a1b-2c3d4e5f6a7b",  // wrong separator
        "0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7g",  // not hex
        "",
    ])
    func malformedEventIDsAreRejected(text: String) {
        #expect(throws: CoreError(.invalidValue, "")) { try EventID(text) }
    }

    @Test func subjectIDsAreV4AndLowercase() throws {
        var rng = SeededGenerator(seed: 5)
        for _ in 0..<100 {
            let s = SubjectID.generate(using: &rng)
            #expect(Array(s.text.utf8)[14] == UInt8(ascii: "4"))
            #expect(try SubjectID(s.text) == s)
        }
        #expect(throws: CoreError.self) { try SubjectID("0190A5B2-7C3D-4E4F-8A1B-2C3D4E5F6A7B") }
    }

    /// A hub mints version 7 subject ids: lowercase, parsed back as themselves, carrying the time
    /// they were made, so ids minted later sort later (a new member's key goes at the end of the
    /// key store's index, not at a random page of it).
    @Test func mintedSubjectIDsAreV7AndSortByTime() throws {
        let before = UInt64(Timestamp.now().unixMillis)
        let minted = (0..<50).map { _ in SubjectID.generate() }
        let after = UInt64(Timestamp.now().unixMillis)
        let regex = try NSRegularExpression(pattern: PatternLibrary.uuidV7)
        for s in minted {
            #expect(regex.firstMatch(in: s.text, range: NSRange(s.text.startIndex..., in: s.text)) != nil, "\(s) is not a UUIDv7")
            #expect(try SubjectID(s.text) == s)
            #expect((before...after).contains(s.key.high >> 16), "\(s) does not carry the time it was minted")
        }
        #expect(Set(minted).count == minted.count)
        var rng = SeededGenerator(seed: 8)
        let early = SubjectID.generate(unixMillis: 1_760_000_000_000, using: &rng)
        let late = SubjectID.generate(unixMillis: 1_760_000_000_001, using: &rng)
        #expect(early < late && early.text < late.text)
    }

    /// Ids are built from two words; the reference builds them byte by byte, as the draws were
    /// always taken, and spells them with `String(format:)`: seeded generators must keep giving the
    /// same ids (fixtures and benchmarks are made from seeds).
    @Test func seededIDsAreTheByteWiseConstruction() throws {
        func text(_ bytes: [UInt8]) -> String {
            let hex = bytes.map { String(format: "%02x", $0) }.joined()
            let c = Array(hex)
            return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
        }
        var a = SeededGenerator(seed: 11), b = SeededGenerator(seed: 11)
        for round in 0..<500 {
            let subject = SubjectID.generate(using: &a)
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &b) }
            bytes[6] = 0x40 | (bytes[6] & 0x0F)
            bytes[8] = 0x80 | (bytes[8] & 0x3F)
            #expect(subject.text == text(bytes), "subject \(round)")

            let millis = UInt64(round) &* 0x9E37_79B9 & 0xFFFF_FFFF_FFFF
            let id = EventID.generate(unixMillis: millis, using: &a)
            var e = [UInt8](repeating: 0, count: 16)
            for i in 0..<6 { e[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
            let r1 = b.next() as UInt64, r2 = b.next() as UInt64
            for i in 6..<8 { e[i] = UInt8(truncatingIfNeeded: r1 >> (8 * UInt64(i))) }
            for i in 8..<16 { e[i] = UInt8(truncatingIfNeeded: r2 >> (8 * UInt64(i - 8))) }
            e[6] = 0x70 | (e[6] & 0x0F)
            e[8] = 0x80 | (e[8] & 0x3F)
            #expect(id.text == text(e), "event id \(round)")
            #expect(try EventID(id.text) == id && id.unixMillis == millis)
        }
    }

    // MARK: Timestamp

    @Test(arguments: [
        ("1970-01-01T00:00:00.000Z", Int64(0)),
        ("1969-12-31T23:59:59.999Z", -1),
        ("1969-12-31T00:00:00.000Z", -86_400_000),
        ("1900-01-01T00:00:00.000Z", -2_208_988_800_000),
        ("2024-02-29T12:34:56.789Z", 1_709_210_096_789),
        ("2024-12-31T23:59:59.999Z", 1_735_689_599_999),
        ("2025-01-01T00:00:00.000Z", 1_735_689_600_000),
        ("2000-02-29T00:00:00.001Z", 951_782_400_001),
        ("0001-01-01T00:00:00.000Z", -62_135_596_800_000),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799_999),
    ])
    func timestampsRoundTrip(text: String, millis: Int64) throws {
        let t = try Timestamp(text)
        #expect(t.unixMillis == millis)
        #expect(t.description == text)
        #expect(Timestamp(unixMillis: millis).description == text)
    }

    @Test func timestampsRoundTripOverRandomInstants() throws {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<5_000 {
            let millis = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &rng)
            let text = Timestamp(unixMillis: millis).description
            #expect(try Timestamp(text).unixMillis == millis, "\(millis) → \(text)")
            #expect(Timestamp(unixMillis: millis).date == (try CalendarDate(String(text.prefix(10)))))
        }
    }

    @Test(arguments: [
        "2025-01-01T00:00:00Z", "2025-01-01T00:00:00.00Z", "2025-01-01T00:00:00.0000Z", "2025-01-01T00:00:00.000+00:00",
        "2025-01-01T00:00:00.000z", "2025-01-01t00:00:00.000Z", "2025-01-01 00:00:00.000Z", "2025-01-01T24:00:00.000Z",
        "2025-01-01T23:60:00.000Z", "2025-06-30T23:59:60.000Z", "2025-02-29T00:00:00.000Z", "2025-13-01T00:00:00.000Z",
        "0000-01-01T00:00:00.000Z", "+2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z ", "2025-01-01T0a:00:00.000Z",
    ])
    func nonCanonicalTimestampsAreRejected(text: String) {
        #expect(throws: CoreError.self) { try Timestamp(text) }
    }

    // MARK: CalendarDate

    @Test(arguments: ["2023-02-29", "2100-02-29", "2025-02-30", "2025-04-31", "2025-00-10", "2025-01-00", "2025-1-01", "0000-01-01"])
    func impossibleDatesAreRejected(text: String) {
        #expect(throws: CoreError.self) { try CalendarDate(text) }
    }

    @Test(arguments: ["2024-02-29", "2000-02-29", "1970-01-01", "1969-12-31", "0001-01-01", "9999-12-31", "2025-12-31"])
    func validDatesRoundTrip(text: String) throws {
        let d = try CalendarDate(text)
        #expect(d.description == text)
        #expect(CalendarDate(daysSinceEpoch: d.daysSinceEpoch) == d)
    }

    /// Foundation's Gregorian calendar is the independent answer from 1600 on (before 1582 it
    /// counts Julian days); every 37th day to 9999-12-31 is written as it writes it, and parses back.
    @Test func datesAreWrittenAsFoundationWritesThem() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "yyyy-MM-dd"
        let first = try CalendarDate("1600-01-01").daysSinceEpoch, last = try CalendarDate("9999-12-31").daysSinceEpoch
        for days in stride(from: first, through: last, by: 37) {
            let date = CalendarDate(daysSinceEpoch: days)
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(days) * 86_400))
            guard date.description == expected, try CalendarDate(expected) == date else {
                Issue.record("day \(days): wrote \(date.description), Foundation writes \(expected)"); return
            }
        }
    }

    @Test func addingDaysCrossesMonthsYearsAndLeapDays() throws {
        #expect(try CalendarDate("2024-02-28").adding(days: 1).description == "2024-02-29")
        #expect(try CalendarDate("2024-02-29").adding(days: 1).description == "2024-03-01")
        #expect(try CalendarDate("2023-02-28").adding(days: 1).description == "2023-03-01")
        #expect(try CalendarDate("2024-12-31").adding(days: 1).description == "2025-01-01")
        #expect(try CalendarDate("1970-01-01").adding(days: -1).description == "1969-12-31")
        #expect(try CalendarDate("2024-01-01").adding(days: 366).description == "2025-01-01")
        #expect(try CalendarDate("2025-03-01").adding(days: -1).description == "2025-02-28")
        #expect(try CalendarDate("1970-01-01").daysSinceEpoch == 0)
        #expect(try CalendarDate("2000-03-01").daysSinceEpoch == 11_017)
    }

    @Test func dayByDayWalkAgreesWithPartsAndParsing() throws {
        var date = try CalendarDate("1899-12-25")
        var expected = (year: 1899, month: 12, day: 25)
        for _ in 0..<(366 * 205) {
            let next = date.adding(days: 1)
            let p = date.parts
            #expect(p.year == expected.year && p.month == expected.month && p.day == expected.day)
            #expect(try CalendarDate(date.description) == date)
            expected.day += 1
            if expected.day > CalendarDate.daysIn(month: expected.month, year: expected.year) {
                expected.day = 1; expected.month += 1
                if expected.month > 12 { expected.month = 1; expected.year += 1 }
            }
            date = next
        }
    }
}
