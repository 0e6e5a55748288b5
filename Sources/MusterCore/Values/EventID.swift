/// An event id: a UUIDv7 (RFC 9562) in its lowercase hyphenated text form.
///
/// Version 7 ids sort by creation time, so ids recorded on one hub are roughly time ordered.
public struct EventID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 36-character lowercase text form.
    public let text: String

    /// Parses a UUIDv7 text form; uppercase or other UUID versions are rejected.
    public init(_ text: String) throws(CoreError) {
        guard UUIDText.isValid(text, version: 7) else {
            throw CoreError(.invalidValue, "'\(text.prefix(60))' is not a lowercase UUIDv7")
        }
        self.text = text
    }

    private init(unchecked text: String) { self.text = text }

    /// A new UUIDv7 for the given Unix time in milliseconds.
    public static func generate(unixMillis: UInt64) -> EventID {
        var rng = SecureRandom.Generator()
        return generate(unixMillis: unixMillis, using: &rng)
    }

    /// A new UUIDv7 for the given time, drawing its random bits from `rng` (tests pass a seeded one).
    public static func generate(unixMillis: UInt64, using rng: inout some RandomNumberGenerator) -> EventID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: unixMillis >> (40 - 8 * UInt64(i))) }
        let r1 = rng.next() as UInt64
        let r2 = rng.next() as UInt64
        for i in 6..<8 { bytes[i] = UInt8(truncatingIfNeeded: r1 >> (8 * UInt64(i))) }
        for i in 8..<16 { bytes[i] = UInt8(truncatingIfNeeded: r2 >> (8 * UInt64(i - 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return EventID(unchecked: UUIDText.format(bytes))
    }

    /// The Unix time in milliseconds carried in the id's first 48 bits.
    public var unixMillis: UInt64 {
        let hex = text.utf8.filter { $0 != UInt8(ascii: "-") }.prefix(12)
        return hex.reduce(0) { $0 << 4 | UInt64(UUIDText.hexValue($1) ?? 0) }
    }

    public var description: String { text }
    public static func < (lhs: EventID, rhs: EventID) -> Bool { lhs.text < rhs.text }
}

/// A subject id: the random UUID (version 4) naming a member or donor across every hub.
public struct SubjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 36-character lowercase text form.
    public let text: String

    /// Parses a lowercase UUID text form (any version).
    public init(_ text: String) throws(CoreError) {
        guard UUIDText.isValid(text, version: nil) else {
            throw CoreError(.invalidValue, "'\(text.prefix(60))' is not a lowercase UUID")
        }
        self.text = text
    }

    /// A new random (version 4) subject id.
    public static func generate(using rng: inout some RandomNumberGenerator) -> SubjectID {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = 0x40 | (bytes[6] & 0x0F)
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return try! SubjectID(UUIDText.format(bytes))
    }

    /// A new random subject id from the system's secure generator.
    public static func generate() -> SubjectID {
        var rng = SecureRandom.Generator()
        return generate(using: &rng)
    }

    public var description: String { text }
    public static func < (lhs: SubjectID, rhs: SubjectID) -> Bool { lhs.text < rhs.text }
}

/// The text form of UUIDs: 8-4-4-4-12 lowercase hex digits.
enum UUIDText {
    static func isValid(_ text: String, version: UInt8?) -> Bool {
        var text = text
        return text.withUTF8 { isValid($0, version: version) }
    }

    static func isValid(_ u: UnsafeBufferPointer<UInt8>, version: UInt8?) -> Bool {
        guard let (high, low) = parse(u) else { return false }
        guard let version else { return true }
        // The version is the 13th hex digit; for versions ≥ 1 the variant's top two bits are 10.
        return UInt8(truncatingIfNeeded: high >> 12 & 0xF) == version && (version == 0 || low >> 62 == 0b10)
    }

    /// The 128 bits of a UUID's canonical text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case
    /// hex) as two big-endian words; nil for anything else. Every id in every entry passes here.
    static func parse(_ u: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard u.count == 36, let p = u.baseAddress, p[8] == 0x2D, p[13] == 0x2D, p[18] == 0x2D, p[23] == 0x2D else { return nil }
        // Each digit's value, and a flag bit (16) for a byte that is not a lower-case hex digit,
        // gathered by OR so the loops have no early exit to predict.
        var flags: UInt64 = 0, high: UInt64 = 0, low: UInt64 = 0
        hexRun(p, 0, 8, &high, &flags); hexRun(p, 9, 4, &high, &flags); hexRun(p, 14, 4, &high, &flags)
        hexRun(p, 19, 4, &low, &flags); hexRun(p, 24, 12, &low, &flags)
        return flags & 16 == 0 ? (high, low) : nil
    }

    @inline(__always)
    private static func hexRun(_ p: UnsafePointer<UInt8>, _ from: Int, _ count: Int, _ word: inout UInt64, _ flags: inout UInt64) {
        for i in from..<(from + count) {
            let c = p[i]
            let digit = c &- 0x30, letter = c &- 0x61
            let value: UInt64 = digit < 10 ? UInt64(digit) : letter < 6 ? UInt64(letter) &+ 10 : 16
            flags |= value
            word = word << 4 | (value & 15)
        }
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    static func format(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
