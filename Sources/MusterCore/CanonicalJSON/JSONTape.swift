import Foundation

/// A check-only reading of canonical JSON into a flat list of tokens, for the hot paths that only
/// need to know that an entry is canonical and schema-valid and to read a few of its members.
///
/// It builds no `JSONValue` tree, no dictionaries and no strings: each token is the position of a
/// value in the input. It accepts a strict subset of what ``CanonicalJSON/parseCanonical(_:)``
/// accepts — bytes that are, by construction, the RFC 8785 encoding of their value — and declines
/// anything else, valid or not: member names that are not plain ASCII, numbers that are not safe
/// integers, nesting deeper than the parser allows. Callers fall back to the parser for declined
/// input, so errors keep their full messages and nothing accepted here differs from what the
/// parser would accept.
public struct JSONTape: Sendable {
    /// What a token is.
    public enum Kind: UInt8, Sendable {
        case object, array, string, integer, `true`, `false`, null
    }

    /// One value (or, inside an object, one member name followed by its value), in sixteen
    /// bytes: an entry's tape (some fifty tokens) fits in one small allocation. What a token does
    /// not hold is read from the bytes when asked: an integer's value (``integer(_:in:)``), a
    /// string's length in code points, a container's member or element count.
    public struct Token: Sendable {
        /// Byte range in the input: a string's content without its quotes, a container's
        /// brackets, an integer's text.
        public var start: UInt32
        public var end: UInt32
        /// The index of the token after this value and everything inside it.
        public var next: UInt32
        public var kind: Kind
        private var flags: UInt8
        /// For a string: it contains an escape, so its bytes differ from its value.
        public var escaped: Bool { flags & 1 != 0 }
        /// For a string: it contains non-ASCII bytes (valid UTF-8).
        public var nonASCII: Bool { flags & 2 != 0 }

        init(kind: Kind, escaped: Bool = false, nonASCII: Bool = false, start: UInt32, end: UInt32, next: UInt32) {
            self.start = start; self.end = end; self.next = next; self.kind = kind
            flags = (escaped ? 1 : 0) | (nonASCII ? 2 : 0)
        }
    }

    /// The tokens in document order; the document's value is token 0.
    public private(set) var tokens: [Token] = []

    private static let maximumSafeInteger: Int64 = 9_007_199_254_740_991

    /// Reads `bytes`; nil when they are not in the subset this reader accepts.
    public init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        // Room for an entry's tokens in an allocation the allocator keeps per thread (up to 1 KiB).
        tokens.reserveCapacity(60)
        var reader = Reader(bytes: bytes)
        guard reader.value(into: &tokens, depth: 0), reader.index == bytes.count else { return nil }
    }

    /// The value of member `name` of the object at `object`, or nil.
    public func member(_ name: StaticString, of object: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let key = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return member(key, of: object, in: bytes)
    }

    /// The value of member `name` (plain ASCII) of the object at `object`, or nil.
    public func member(_ name: UnsafeBufferPointer<UInt8>, of object: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        tokens.withUnsafeBufferPointer { Self.member(name, of: object, $0, bytes) }
    }

    /// A string token's value (unescaped), or nil for another kind.
    public func string(_ token: Int, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        tokens.withUnsafeBufferPointer { Self.string($0, token, bytes) }
    }

    /// An unescaped string token's bytes, or nil for another kind or an escaped string.
    public func rawString(_ token: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        tokens.withUnsafeBufferPointer { Self.rawString($0, token, bytes) }
    }

    /// An integer token's value, or nil for another kind.
    public func integer(_ token: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        tokens.withUnsafeBufferPointer { Self.integer($0, token, bytes) }
    }

    // The same reads over borrowed tokens, for callers that make many reads of one tape.

    /// The value of member `name` (plain ASCII) of the object at `object`, or nil.
    static func member(_ name: UnsafeBufferPointer<UInt8>, of object: Int, _ tokens: UnsafeBufferPointer<Token>,
                       _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard object < tokens.count, tokens[object].kind == .object else { return nil }
        var i = object + 1
        let end = Int(tokens[object].next)
        while i < end {
            if equal(bytes, tokens[i], name) { return i + 1 }
            i = Int(tokens[i + 1].next)
        }
        return nil
    }

    /// The values of members `names` (plain ASCII, in ascending order) of the object at `object`,
    /// found in one pass over its members: `found[k]` is the token of `names[k]`'s value, or -1.
    /// The tape holds members in ascending order too (it declines any other), so each name is
    /// compared with the members up to its own, not with all of them as ``member(_:of:in:)`` does.
    func members(_ names: [StaticString], of object: Int, in bytes: UnsafeBufferPointer<UInt8>, into found: UnsafeMutableBufferPointer<Int>) {
        precondition(found.count >= names.count)
        for k in names.indices { found[k] = -1 }
        tokens.withUnsafeBufferPointer { tokens in
            guard object < tokens.count, tokens[object].kind == .object else { return }
            var i = object + 1, k = 0
            let end = Int(tokens[object].next)
            while i < end, k < names.count {
                let t = tokens[i]
                let count = Int(t.end - t.start)
                let name = names[k]
                let n = min(count, name.utf8CodeUnitCount)
                let order = n == 0 ? 0 : Self.shortCompare(bytes.baseAddress! + Int(t.start), name.utf8Start, n)
                if order < 0 || (order == 0 && count < name.utf8CodeUnitCount) {
                    i = Int(tokens[i + 1].next)          // a member not asked for
                } else if order == 0 && count == name.utf8CodeUnitCount {   // (member names are never escaped on a tape)
                    found[k] = i + 1; k += 1; i = Int(tokens[i + 1].next)
                } else {
                    k += 1                                 // a name the object does not hold
                }
            }
        }
    }

    /// The value at the member path `a`, `b`, `c` from the document's object, or nil.
    static func path(_ tokens: UnsafeBufferPointer<Token>, _ a: StaticString, _ b: StaticString?, _ c: StaticString?,
                     _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        func step(_ name: StaticString, _ from: Int) -> Int? {
            member(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), of: from, tokens, bytes)
        }
        guard var at = step(a, 0) else { return nil }
        if let b { guard let next = step(b, at) else { return nil }; at = next }
        if let c { guard let next = step(c, at) else { return nil }; at = next }
        return at
    }

    /// A string token's value (unescaped), or nil for another kind.
    static func string(_ tokens: UnsafeBufferPointer<Token>, _ token: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard token < tokens.count, tokens[token].kind == .string else { return nil }
        let t = tokens[token]
        let raw = UnsafeBufferPointer(rebasing: bytes[Int(t.start)..<Int(t.end)])
        return t.escaped ? unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    /// An unescaped string token's bytes, or nil for another kind or an escaped string.
    static func rawString(_ tokens: UnsafeBufferPointer<Token>, _ token: Int, _ bytes: UnsafeBufferPointer<UInt8>)
        -> UnsafeBufferPointer<UInt8>? {
        guard token < tokens.count, tokens[token].kind == .string, !tokens[token].escaped else { return nil }
        return UnsafeBufferPointer(rebasing: bytes[Int(tokens[token].start)..<Int(tokens[token].end)])
    }

    /// An integer token's value, or nil for another kind.
    static func integer(_ tokens: UnsafeBufferPointer<Token>, _ token: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard token < tokens.count, tokens[token].kind == .integer else { return nil }
        return integer(tokens[token], bytes)
    }

    /// An integer token's value, from its text: `0` or `-?[1-9][0-9]*` of at most 16 digits (the
    /// reader admitted only that).
    static func integer(_ t: Token, _ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        var i = Int(t.start)
        let end = Int(t.end)
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var magnitude: Int64 = 0
        while i < end {
            magnitude = magnitude &* 10 &+ Int64(bytes[i] &- UInt8(ascii: "0"))
            i += 1
        }
        return negative ? -magnitude : magnitude
    }

    /// A string token's length in code points (each escape is one).
    static func scalarCount(_ t: Token, _ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        guard t.escaped || t.nonASCII else { return Int64(t.end &- t.start) }
        var i = Int(t.start), count: Int64 = 0
        let end = Int(t.end)
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "\\") {
                i += bytes[i + 1] == UInt8(ascii: "u") ? 6 : 2
            } else {
                i += 1
                if b & 0xC0 == 0x80 { continue }   // a continuation byte of the scalar already counted
            }
            count += 1
        }
        return count
    }

    /// A container token's member (object) or element (array) count.
    static func count(_ tokens: UnsafeBufferPointer<Token>, _ token: Int) -> Int {
        let t = tokens[token]
        var i = token + 1, count = 0
        while i < Int(t.next) {
            count += 1
            i = Int(tokens[t.kind == .object ? i + 1 : i].next)
        }
        return count
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ token: Token, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = Int(token.end - token.start)
        guard count == other.count, !token.escaped else { return false }
        guard count > 0 else { return true }
        return shortCompare(bytes.baseAddress! + Int(token.start), other.baseAddress!, count) == 0
    }

    /// memcmp's order of `count` bytes at `a` and `b`, inline: the runs compared on the hot paths
    /// (member names, enum values) are a few bytes, where a call costs more than the loop.
    @inline(__always)
    static func shortCompare(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var i = 0
        while i < count {
            let x = a[i], y = b[i]
            if x != y { return Int(x) - Int(y) }
            i += 1
        }
        return 0
    }

    /// Decodes the escapes a canonical string may hold (the reader admitted only those).
    private static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let c = raw[i]
            guard c == UInt8(ascii: "\\") else { out.append(c); i += 1; continue }
            switch raw[i + 1] {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                out.append((UUIDText.hexValue(raw[i + 4])! << 4) | UUIDText.hexValue(raw[i + 5])!)
                i += 4
            case let other: out.append(other)
            }
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The reader proper: one pass, declining at the first byte outside the subset.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func value(into tokens: inout [Token], depth: Int) -> Bool {
            guard index < bytes.count else { return false }
            let at = tokens.count
            let start = UInt32(truncatingIfNeeded: index)
            switch bytes[index] {
            case UInt8(ascii: "{"):
                guard depth < CanonicalJSON.maximumDepth else { return false }
                tokens.append(Token(kind: .object, start: start, end: 0, next: 0))
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                } else {
                    var previous: Range<Int>?
                    while true {
                        let key = tokens.count
                        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), string(into: &tokens),
                              !tokens[key].escaped, !tokens[key].nonASCII else { return false }
                        // Plain ASCII names sort by their bytes in UTF-16 order: strictly ascending
                        // means canonical order and no duplicates.
                        let name = Int(tokens[key].start)..<Int(tokens[key].end)
                        if let previous, !precedes(previous, name) { return false }
                        previous = name
                        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                        index += 1
                        guard value(into: &tokens, depth: depth + 1) else { return false }
                        guard index < bytes.count else { return false }
                        if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                        guard bytes[index] == UInt8(ascii: ",") else { return false }
                        index += 1
                    }
                }
                close(at, tokens: &tokens)
            case UInt8(ascii: "["):
                guard depth < CanonicalJSON.maximumDepth else { return false }
                tokens.append(Token(kind: .array, start: start, end: 0, next: 0))
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                } else {
                    while true {
                        guard value(into: &tokens, depth: depth + 1) else { return false }
                        guard index < bytes.count else { return false }
                        if bytes[index] == UInt8(ascii: "]") { index += 1; break }
                        guard bytes[index] == UInt8(ascii: ",") else { return false }
                        index += 1
                    }
                }
                close(at, tokens: &tokens)
            case UInt8(ascii: "\""):
                return string(into: &tokens)
            case UInt8(ascii: "t"):
                return literal("true", .true, into: &tokens)
            case UInt8(ascii: "f"):
                return literal("false", .false, into: &tokens)
            case UInt8(ascii: "n"):
                return literal("null", .null, into: &tokens)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return integer(into: &tokens)
            default:
                return false
            }
            return true
        }

        private mutating func close(_ at: Int, tokens: inout [Token]) {
            tokens[at].end = UInt32(truncatingIfNeeded: index)
            tokens[at].next = UInt32(truncatingIfNeeded: tokens.count)
        }

        /// Whether member name `a` sorts strictly before `b` (both plain ASCII, unescaped).
        private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
            let n = min(a.count, b.count)
            let order = n == 0 ? 0 : JSONTape.shortCompare(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, n)
            return order < 0 || (order == 0 && a.count < b.count)
        }

        private mutating func literal(_ text: StaticString, _ kind: Kind, into tokens: inout [Token]) -> Bool {
            let n = text.utf8CodeUnitCount
            guard index + n <= bytes.count, memcmp(bytes.baseAddress! + index, text.utf8Start, n) == 0 else { return false }
            tokens.append(Token(kind: kind, start: UInt32(truncatingIfNeeded: index),
                                end: UInt32(truncatingIfNeeded: index + n), next: UInt32(truncatingIfNeeded: tokens.count + 1)))
            index += n
            return true
        }

        /// `0` or `-?[1-9][0-9]*` up to 2⁵³ − 1: exactly the canonical form of a safe integer.
        private mutating func integer(into tokens: inout [Token]) -> Bool {
            let start = index
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else { return false }
            var magnitude: Int64 = 0
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if negative { return false }  // "-0" is written "0"
            } else {
                var digits = 0
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    digits += 1
                    guard digits <= 16 else { return false }
                    magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                    index += 1
                }
                guard magnitude <= maximumSafeInteger else { return false }
            }
            // A fraction or exponent is left to the parser.
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") { return false }
            tokens.append(Token(kind: .integer, start: UInt32(truncatingIfNeeded: start),
                                end: UInt32(truncatingIfNeeded: index), next: UInt32(truncatingIfNeeded: tokens.count + 1)))
            return true
        }

        /// A string at its opening quote: valid UTF-8, no raw control characters, and only the
        /// escapes RFC 8785 writes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for the
        /// other controls, lowercase).
        private mutating func string(into tokens: inout [Token]) -> Bool {
            index += 1
            let start = index
            var escaped = false, nonASCII = false
            while true {
                skipPlainASCII()
                guard index < bytes.count else { return false }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { return false }
                    escaped = true
                    switch bytes[index + 1] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        index += 2
                    case UInt8(ascii: "u"):
                        guard index + 6 <= bytes.count, bytes[index + 2] == UInt8(ascii: "0"), bytes[index + 3] == UInt8(ascii: "0"),
                              bytes[index + 4] == UInt8(ascii: "0") || bytes[index + 4] == UInt8(ascii: "1"),
                              let low = UUIDText.hexValue(bytes[index + 5]) else { return false }
                        let unit = (bytes[index + 4] - UInt8(ascii: "0")) << 4 | low
                        if unit == 0x08 || unit == 0x09 || unit == 0x0A || unit == 0x0C || unit == 0x0D { return false }
                        index += 6
                    default:
                        return false
                    }
                } else if byte < 0x20 {
                    return false
                } else if byte < 0x80 {
                    index += 1
                } else {
                    nonASCII = true
                    guard skipUTF8Sequence() else { return false }
                }
            }
            tokens.append(Token(kind: .string, escaped: escaped, nonASCII: nonASCII, start: UInt32(truncatingIfNeeded: start),
                                end: UInt32(truncatingIfNeeded: index), next: UInt32(truncatingIfNeeded: tokens.count + 1)))
            index += 1
            return true
        }

        /// Skips bytes while none is a quote, a backslash, a control character or non-ASCII.
        @inline(__always)
        private mutating func skipPlainASCII() {
            index = CanonicalJSONParser.plainASCIIWords(bytes, from: index)
            while index < bytes.count {
                let b = bytes[index]
                if b < 0x20 || b >= 0x80 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return }
                index += 1
            }
        }

        /// One multi-byte UTF-8 sequence (RFC 3629 §4); the index moves past it.
        private mutating func skipUTF8Sequence() -> Bool {
            guard let (length, second) = CanonicalJSONParser.utf8Sequence(lead: bytes[index]),
                  index + length <= bytes.count, second.contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
            return true
        }
    }
}
