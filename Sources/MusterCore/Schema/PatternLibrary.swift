/// The regular expressions Muster's schemas use, each with a native matcher so that validating an
/// entry never runs a regex engine on the hot path. Schemas carry the regex text for other
/// implementations; this library must agree with it (tests check both on the same samples).
enum PatternLibrary {
    static let uuidV7 = "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    static let uuid = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    static let date = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    static let timestamp = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"
    static let currency = "^[A-Z]{3}$"
    static let gss = "^(E14|W07|S14|N05|N06)[0-9]{6}$"
    static let outwardCode = "^[A-Z]{1,2}[0-9][0-9A-Z]?$"
    static let postcode = "^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$"
    static let sha256Hex = "^[0-9a-f]{64}$"
    static let slug = "^[a-z0-9][a-z0-9-]{0,63}$"
    static let operatorID = "^[a-z0-9][a-z0-9._@-]{0,63}$"
    static let origin = "^[\\x21-\\x2A\\x2C-\\x7E]{1,255}$"
    static let phone = "^\\+?[0-9][0-9 ()-]{5,24}$"
    static let email = "^[^@\\s]{1,64}@[^@\\s]{1,253}$"
    static let base64 = "^[A-Za-z0-9+/]*={0,2}$"

    /// A matcher over a string's UTF-8 bytes.
    typealias ByteMatcher = @Sendable (UnsafeBufferPointer<UInt8>) -> Bool

    /// A native matcher for a regex above, or nil for a regex this library does not know.
    static func matcher(for pattern: String) -> (@Sendable (String) -> Bool)? {
        guard let match = byteMatcher(for: pattern) else { return nil }
        return { s in
            var s = s
            return s.withUTF8(match)
        }
    }

    /// The native matcher for a regex above, over UTF-8 bytes, or nil for a regex this library
    /// does not know.
    static func byteMatcher(for pattern: String) -> ByteMatcher? {
        guard let known = Known(pattern: pattern) else { return nil }
        return { known.matches($0) }
    }

    /// The patterns (and formats) with a native matcher, as values the schema validator's tape
    /// check can switch on.
    enum Known: UInt8, Sendable, CaseIterable {
        case uuidV7, uuid, date, timestamp, currency, gss, outwardCode, postcode, sha256Hex, slug, operatorID, origin
        case phone, email, base64
        /// `format: date`: a date that exists.
        case calendarDate
        /// `format: date-time`: Muster's one RFC 3339 form, an instant that exists.
        case instant

        /// The matcher of a regex above, or nil.
        init?(pattern: String) {
            let all: [(String, Known)] = [
                (PatternLibrary.uuidV7, .uuidV7), (PatternLibrary.uuid, .uuid), (PatternLibrary.date, .date),
                (PatternLibrary.timestamp, .timestamp), (PatternLibrary.currency, .currency), (PatternLibrary.gss, .gss),
                (PatternLibrary.outwardCode, .outwardCode), (PatternLibrary.postcode, .postcode),
                (PatternLibrary.sha256Hex, .sha256Hex), (PatternLibrary.slug, .slug), (PatternLibrary.operatorID, .operatorID),
                (PatternLibrary.origin, .origin), (PatternLibrary.phone, .phone), (PatternLibrary.email, .email),
                (PatternLibrary.base64, .base64),
            ]
            guard let known = all.first(where: { $0.0 == pattern })?.1 else { return nil }
            self = known
        }

        func matches(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
            switch self {
            case .uuidV7: return UUIDText.isValid(u, version: 7)
            case .uuid: return UUIDText.isValid(u, version: nil)
            case .date: return shape(u, "dddd-dd-dd")
            case .timestamp: return shape(u, "dddd-dd-ddTdd:dd:dd.dddZ")
            case .currency: return u.count == 3 && u.allSatisfy(isUpper)
            case .gss:
                guard u.count == 9, u[3...].allSatisfy(isDigit) else { return false }
                switch (u[0], u[1], u[2]) {
                case (0x45, 0x31, 0x34), (0x57, 0x30, 0x37), (0x53, 0x31, 0x34), (0x4E, 0x30, 0x35), (0x4E, 0x30, 0x36):
                    return true  // E14, W07, S14, N05, N06
                default: return false
                }
            case .outwardCode: return outward(u[...])
            case .postcode:
                guard u.count >= 6, u.count <= 8, u[u.count - 4] == UInt8(ascii: " "),
                    isDigit(u[u.count - 3]), isUpper(u[u.count - 2]), isUpper(u[u.count - 1])
                else { return false }
                return outward(u[0..<(u.count - 4)])
            case .sha256Hex: return u.count == 64 && u.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x66) }
            case .slug: return token(u, max: 64, extra: "-")
            case .operatorID: return token(u, max: 64, extra: "._@-")
            case .origin: return Origin.isValid(u)
            case .phone:
                var u = u[...]
                if u.first == UInt8(ascii: "+") { u = u.dropFirst() }
                guard let first = u.first, isDigit(first), (6...25).contains(u.count) else { return false }
                return u.allSatisfy { isDigit($0) || $0 == 0x20 || $0 == 0x28 || $0 == 0x29 || $0 == 0x2D }
            case .email:
                // All ASCII (the usual case): bytes are code points, and the only whitespace is
                // tab, LF, VT, FF, CR and space.
                if u.allSatisfy({ $0 < 0x80 }) {
                    guard let at = u.firstIndex(of: 0x40), u.lastIndex(of: 0x40) == at,
                          (1...64).contains(at), (1...253).contains(u.count - at - 1) else { return false }
                    return !u.contains { $0 == 0x20 || (0x09...0x0D).contains($0) }
                }
                // Counted in code points, as the regex counts them.
                let scalars = Array(String(decoding: u, as: UTF8.self).unicodeScalars)
                guard let at = scalars.firstIndex(of: "@"), scalars.lastIndex(of: "@") == at,
                      (1...64).contains(at), (1...253).contains(scalars.count - at - 1) else { return false }
                return !scalars.contains { $0.properties.isWhitespace }
            case .base64:
                var i = base64Words(u)
                while i < u.count, isBase64(u[i]) { i += 1 }
                let pad = u.count - i
                return pad <= 2 && u[i...].allSatisfy { $0 == UInt8(ascii: "=") }
            case .calendarDate: return CalendarDate.parse(u) != nil
            case .instant: return Timestamp.parse(u) != nil
            }
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }
    /// How many leading bytes of `u`, in whole words of 8, are all in the base64 alphabet: a
    /// sealed payload is hundreds of base64 bytes per entry, checked here a word at a time.
    private static func base64Words(_ u: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = u.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080, lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        // Per byte (all below 0x80), the high bit set where lo ≤ byte ≤ hi, or byte == c.
        func within(_ w: UInt64, _ lo: UInt64, _ hi: UInt64) -> UInt64 { ((w | highs) &- lo &* ones) & ((0x80 + hi) &* ones &- w) & highs }
        func equal(_ w: UInt64, _ c: UInt64) -> UInt64 {
            let x = w ^ (c &* ones)
            return ~(((x & lows) &+ lows) | x) & highs
        }
        var i = 0
        while i + 8 <= u.count {
            let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            guard w & highs == 0 else { break }
            let ok = within(w, 0x30, 0x39) | within(w, 0x41, 0x5A) | within(w, 0x61, 0x7A) | equal(w, 0x2B) | equal(w, 0x2F)
            guard ok == highs else { break }
            i += 8
        }
        return i
    }

    /// The base64 alphabet (RFC 4648 §4) without the pad. Tested, not looked up: a global table
    /// would cost a lazy-initialisation check per byte.
    private static func isBase64(_ c: UInt8) -> Bool {
        // Bit c of the 128-bit set {0-9, A-Z, a-z, +, /}.
        let low: UInt64 = 0x03FF_8800_0000_0000, high: UInt64 = 0x07FF_FFFE_07FF_FFFE
        return c < 64 ? low >> UInt64(c) & 1 == 1 : c < 128 && high >> UInt64(c - 64) & 1 == 1
    }

    /// `d` stands for a digit; every other character must match itself.
    private static func shape(_ u: UnsafeBufferPointer<UInt8>, _ template: StaticString) -> Bool {
        guard u.count == template.utf8CodeUnitCount else { return false }
        let t = template.utf8Start
        for i in 0..<u.count where t[i] == UInt8(ascii: "d") ? !isDigit(u[i]) : u[i] != t[i] { return false }
        return true
    }

    private static func outward(_ u: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let letters = u.prefix(while: isUpper).count
        guard (1...2).contains(letters), u.count > letters, isDigit(u[u.startIndex + letters]) else { return false }
        let rest = u.dropFirst(letters + 1)
        return rest.isEmpty || (rest.count == 1 && (isDigit(rest.first!) || isUpper(rest.first!)))
    }

    private static func token(_ u: UnsafeBufferPointer<UInt8>, max: Int, extra: StaticString) -> Bool {
        let extras = UnsafeBufferPointer(start: extra.utf8Start, count: extra.utf8CodeUnitCount)
        guard let first = u.first, u.count <= max, isDigit(first) || (first >= 0x61 && first <= 0x7A) else { return false }
        return u.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x7A) || extras.contains($0) }
    }
}

/// Origin names: the log's name, the checkpoint's first line and the log key's name at once.
public enum Origin {
    /// Whether `name` can name a log: 1–255 bytes of printable ASCII without space or `+`
    /// (a C2SP key name must not contain `+`).
    public static func isValid(_ name: String) -> Bool {
        var name = name
        return name.withUTF8(isValid)
    }

    static func isValid(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        (1...255).contains(name.count) && name.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && $0 != 0x2B }
    }
}
