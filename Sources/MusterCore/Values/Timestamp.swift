import Foundation

/// An instant with millisecond precision, written as RFC 3339 UTC with exactly three fractional
/// digits (`2026-11-22T10:15:00.123Z`), so every instant has one text form.
public struct Timestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public let unixMillis: Int64

    /// An instant from Unix milliseconds.
    public init(unixMillis: Int64) { self.unixMillis = unixMillis }

    /// Parses the canonical text form; any other RFC 3339 spelling is rejected.
    public init(_ text: String) throws(CoreError) {
        var copy = text
        guard let parsed = copy.withUTF8(Self.parse) else {
            throw CoreError(.invalidValue, "'\(text.prefix(40))' is not an RFC 3339 UTC time of the form YYYY-MM-DDThh:mm:ss.sssZ")
        }
        self = parsed
    }

    /// Parses the canonical text form from UTF-8 bytes; nil for anything else.
    static func parse(_ u: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        guard u.count == 24, u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
            u[19] == UInt8(ascii: "."), u[23] == UInt8(ascii: "Z"),
            let date = CalendarDate.parse(UnsafeBufferPointer(rebasing: u[0..<10])),
            let hh = Digits.parse(u[11..<13]), let mm = Digits.parse(u[14..<16]), let ss = Digits.parse(u[17..<19]),
            let ms = Digits.parse(u[20..<23]), hh < 24, mm < 60, ss < 60
        else { return nil }
        return Timestamp(unixMillis: ((date.daysSinceEpoch * 24 + hh) * 60 + mm) * 60_000 + ss * 1000 + ms)
    }

    /// The current time.
    public static func now() -> Timestamp {
        Timestamp(unixMillis: Int64((Date.timeIntervalSinceReferenceDate + 978_307_200) * 1000))
    }

    /// The calendar date (UTC) of this instant.
    public var date: CalendarDate {
        CalendarDate(daysSinceEpoch: unixMillis >= 0 ? unixMillis / 86_400_000 : (unixMillis - 86_399_999) / 86_400_000)
    }

    /// The canonical text form.
    public var description: String {
        let day = date
        let msOfDay = unixMillis - day.daysSinceEpoch * 86_400_000
        let hh = msOfDay / 3_600_000, mm = msOfDay / 60_000 % 60, ss = msOfDay / 1000 % 60, ms = msOfDay % 1000
        let p = day.parts
        guard (0...9999).contains(p.year) else {
            return "\(day)T\(Digits.pad(hh, 2)):\(Digits.pad(mm, 2)):\(Digits.pad(ss, 2)).\(Digits.pad(ms, 3))Z"
        }
        // The usual four-digit year: the 24 bytes written in place (projections format one per entry).
        return String(unsafeUninitializedCapacity: 24) { out in
            func put(_ value: Int64, width: Int, at offset: Int) { Digits.put(value, width: width, at: offset, in: out) }
            put(Int64(p.year), width: 4, at: 0); out[4] = UInt8(ascii: "-")
            put(Int64(p.month), width: 2, at: 5); out[7] = UInt8(ascii: "-")
            put(Int64(p.day), width: 2, at: 8); out[10] = UInt8(ascii: "T")
            put(hh, width: 2, at: 11); out[13] = UInt8(ascii: ":")
            put(mm, width: 2, at: 14); out[16] = UInt8(ascii: ":")
            put(ss, width: 2, at: 17); out[19] = UInt8(ascii: ".")
            put(ms, width: 3, at: 20); out[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.unixMillis < rhs.unixMillis }
}

/// A calendar date (`YYYY-MM-DD`, proleptic Gregorian), as used for receipt, join and training dates.
public struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int64

    /// A date from days since 1970-01-01.
    public init(daysSinceEpoch: Int64) { self.daysSinceEpoch = daysSinceEpoch }

    /// A date from its parts; throws when the day does not exist.
    public init(year: Int, month: Int, day: Int) throws(CoreError) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...CalendarDate.daysIn(month: month, year: year)).contains(day)
        else { throw CoreError(.invalidValue, "\(year)-\(month)-\(day) is not a calendar date") }
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = era * 146_097 + doe - 719_468
    }

    /// Parses `YYYY-MM-DD`.
    public init(_ text: String) throws(CoreError) {
        var copy = text
        guard let (y, m, d) = copy.withUTF8(Self.fields) else {
            throw CoreError(.invalidValue, "'\(text.prefix(40))' is not a date of the form YYYY-MM-DD")
        }
        do { try self.init(year: Int(y), month: Int(m), day: Int(d)) } catch {
            throw CoreError(.invalidValue, "'\(text)' is not a calendar date")
        }
    }

    /// Parses `YYYY-MM-DD` from UTF-8 bytes; nil when it is not a calendar date.
    static func parse(_ u: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard let (y, m, d) = fields(u) else { return nil }
        return try? CalendarDate(year: Int(y), month: Int(m), day: Int(d))
    }

    private static func fields(_ u: UnsafeBufferPointer<UInt8>) -> (Int64, Int64, Int64)? {
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
            let y = Digits.parse(u[0..<4]), let m = Digits.parse(u[5..<7]), let d = Digits.parse(u[8..<10])
        else { return nil }
        return (y, m, d)
    }

    /// The (year, month, day) parts.
    public var parts: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int64) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }

    public var description: String {
        let p = parts
        guard (0...9999).contains(p.year) else {
            return "\(Digits.pad(Int64(p.year), 4))-\(Digits.pad(Int64(p.month), 2))-\(Digits.pad(Int64(p.day), 2))"
        }
        // Ten bytes written in place, as a timestamp's are (a replay formats a few per entry; three
        // padded strings joined had been a tenth of staging its facts).
        return String(unsafeUninitializedCapacity: 10) { out in
            Digits.put(Int64(p.year), width: 4, at: 0, in: out); out[4] = UInt8(ascii: "-")
            Digits.put(Int64(p.month), width: 2, at: 5, in: out); out[7] = UInt8(ascii: "-")
            Digits.put(Int64(p.day), width: 2, at: 8, in: out)
            return 10
        }
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

enum Digits {
    static func parse(_ bytes: some Collection<UInt8>) -> Int64? {
        var v: Int64 = 0
        for c in bytes {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            v = v * 10 + Int64(c - UInt8(ascii: "0"))
        }
        return bytes.isEmpty ? nil : v
    }

    /// Writes `value` (not negative, at most `width` digits) zero-padded to `width` at `offset`.
    @inline(__always)
    static func put(_ value: Int64, width: Int, at offset: Int, in out: UnsafeMutableBufferPointer<UInt8>) {
        var v = value
        for i in stride(from: offset + width - 1, through: offset, by: -1) {
            out[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        }
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
