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

    /// A native matcher for a regex above, or nil for a regex this library does not know.
    static func matcher(for pattern: String) -> (@Sendable (String) -> Bool)? {
        switch pattern {
        case uuidV7: return { UUIDText.isValid($0, version: 7) }
        case uuid: return { UUIDText.isValid($0, version: nil) }
        case date: return { s in shape(s, "dddd-dd-dd") }
        case timestamp: return { s in shape(s, "dddd-dd-ddTdd:dd:dd.dddZ") }
        case currency: return { s in s.utf8.count == 3 && s.utf8.allSatisfy(isUpper) }
        case gss:
            return { s in
                let u = Array(s.utf8)
                guard u.count == 9, u[3...].allSatisfy(isDigit) else { return false }
                return ["E14", "W07", "S14", "N05", "N06"].contains(String(decoding: u[0..<3], as: UTF8.self))
            }
        case outwardCode: return { s in outward(Array(s.utf8)[...]) }
        case postcode:
            return { s in
                let u = Array(s.utf8)
                guard u.count >= 6, u.count <= 8, u[u.count - 4] == UInt8(ascii: " "),
                    isDigit(u[u.count - 3]), isUpper(u[u.count - 2]), isUpper(u[u.count - 1])
                else { return false }
                return outward(u[0..<(u.count - 4)])
            }
        case sha256Hex: return { s in s.utf8.count == 64 && s.utf8.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x66) } }
        case slug: return { s in token(s, max: 64, extra: [UInt8(ascii: "-")]) }
        case operatorID: return { s in token(s, max: 64, extra: Array("._@-".utf8)) }
        case origin: return { s in Origin.isValid(s) }
        case phone:
            return { s in
                var u = Array(s.utf8)[...]
                if u.first == UInt8(ascii: "+") { u = u.dropFirst() }
                guard let first = u.first, isDigit(first), (6...25).contains(u.count) else { return false }
                return u.allSatisfy { isDigit($0) || " ()-".utf8.contains($0) }
            }
        case email:
            return { s in
                // Counted in code points, as the regex counts them.
                let scalars = Array(s.unicodeScalars)
                guard let at = scalars.firstIndex(of: "@"), scalars.lastIndex(of: "@") == at,
                      (1...64).contains(at), (1...253).contains(scalars.count - at - 1) else { return false }
                return !scalars.contains { $0.properties.isWhitespace }
            }
        case base64:
            return { s in
                let u = Array(s.utf8)
                let body = u.prefix { $0 != UInt8(ascii: "=") }
                let pad = u.count - body.count
                return pad <= 2 && u[body.count...].allSatisfy { $0 == UInt8(ascii: "=") }
                    && body.allSatisfy { isDigit($0) || isUpper($0) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2B || $0 == 0x2F }
            }
        default: return nil
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isUpper(_ c: UInt8) -> Bool { c >= 0x41 && c <= 0x5A }

    /// `d` stands for a digit; every other character must match itself.
    private static func shape(_ s: String, _ template: String) -> Bool {
        let u = Array(s.utf8), t = Array(template.utf8)
        guard u.count == t.count else { return false }
        return zip(u, t).allSatisfy { c, p in p == UInt8(ascii: "d") ? isDigit(c) : c == p }
    }

    private static func outward(_ u: ArraySlice<UInt8>) -> Bool {
        let letters = u.prefix(while: isUpper).count
        guard (1...2).contains(letters), u.count > letters, isDigit(u[u.startIndex + letters]) else { return false }
        let rest = u.dropFirst(letters + 1)
        return rest.isEmpty || (rest.count == 1 && (isDigit(rest.first!) || isUpper(rest.first!)))
    }

    private static func token(_ s: String, max: Int, extra: [UInt8]) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, u.count <= max, isDigit(first) || (first >= 0x61 && first <= 0x7A) else { return false }
        return u.allSatisfy { isDigit($0) || ($0 >= 0x61 && $0 <= 0x7A) || extra.contains($0) }
    }
}

/// Origin names: the log's name, the checkpoint's first line and the log key's name at once.
public enum Origin {
    /// Whether `name` can name a log: 1–255 bytes of printable ASCII without space or `+`
    /// (a C2SP key name must not contain `+`).
    public static func isValid(_ name: String) -> Bool {
        (1...255).contains(name.utf8.count) && name.utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E && $0 != 0x2B }
    }
}
