/// The RFC 8785 writer: appends the canonical bytes of a ``JSONValue`` to a buffer.
struct CanonicalJSONWriter {
    /// Appends the canonical encoding of `value`; throws for NaN and infinities.
    static func append(_ value: JSONValue, to buffer: inout [UInt8]) throws(CanonicalJSONError) {
        switch value {
        case .null:
            appendASCII("null", to: &buffer)
        case .bool(let flag):
            appendASCII(flag ? "true" : "false", to: &buffer)
        case .number(let number):
            guard number.isFinite else {
                throw CanonicalJSONError(
                    .nonFiniteNumber,
                    "\(number) has no JSON form (RFC 8785 §3.2.2.3)"
                )
            }
            ECMAScriptNumber.append(number, to: &buffer)
        case .string(let string):
            appendString(string, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                do { try append(element, to: &buffer) } catch { throw error.inside(.index(index)) }
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let members):
            buffer.append(UInt8(ascii: "{"))
            try appendMembers(members, to: &buffer)
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Appends an object's members in RFC 8785 order. The members' places in the dictionary are
    /// sorted, so no array of key and value pairs is made and nothing is retained to sort: in a
    /// scratch buffer (on the stack) by insertion sort for an object of up to 32 members (the
    /// objects an entry holds); in an array by the standard sort for a larger one.
    private static func appendMembers(_ members: [String: JSONValue], to buffer: inout [UInt8]) throws(CanonicalJSONError) {
        guard members.count <= 32 else {
            let order = members.indices.sorted { utf16Precedes(members.keys[$0], members.keys[$1]) }
            try order.withUnsafeBufferPointer { (order) throws(CanonicalJSONError) in try appendMembers(members, in: order, to: &buffer) }
            return
        }
        try withUnsafeTemporaryAllocation(of: Dictionary<String, JSONValue>.Index.self, capacity: members.count) { (order) throws(CanonicalJSONError) in
            var count = 0
            var place = members.startIndex
            while place != members.endIndex {
                var at = count
                let key = members.keys[place]
                while at > 0, utf16Precedes(key, members.keys[order[at - 1]]) {
                    (order.baseAddress! + at).initialize(to: order[at - 1])
                    at -= 1
                    (order.baseAddress! + at).deinitialize(count: 1)
                }
                (order.baseAddress! + at).initialize(to: place)
                count += 1
                members.formIndex(after: &place)
            }
            defer { order.baseAddress?.deinitialize(count: count) }
            try appendMembers(members, in: UnsafeBufferPointer(rebasing: order[..<count]), to: &buffer)
        }
    }

    /// Appends the members at the places `order` lists, in that order.
    private static func appendMembers(_ members: [String: JSONValue], in order: UnsafeBufferPointer<Dictionary<String, JSONValue>.Index>,
                                      to buffer: inout [UInt8]) throws(CanonicalJSONError) {
        for (i, place) in order.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            let (key, member) = members[place]
            appendString(key, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            do throws(CanonicalJSONError) { try append(member, to: &buffer) } catch { throw error.inside(.key(key)) }
        }
    }

    /// Whether `lhs` sorts before `rhs` by UTF-16 code units (RFC 8785 §3.2.3), computed on UTF-8.
    /// Compares the UTF-8 bytes in place, ranking only the first pair that differs (equal bytes
    /// rank equally).
    static func utf16Precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs, rhs = rhs
        return lhs.withUTF8 { a in
            rhs.withUTF8 { b in
                let common = min(a.count, b.count)
                var i = 0
                while i < common {
                    let x = a[i], y = b[i]
                    if x != y { return utf16Rank(x) < utf16Rank(y) }
                    i += 1
                }
                return a.count < b.count
            }
        }
    }

    /// Maps UTF-8 bytes so that byte order equals UTF-16 code unit order.
    ///
    /// UTF-8 byte order is code point order. UTF-16 differs only in that U+E000–U+FFFF (lead
    /// bytes EE, EF) sort after supplementary characters (lead bytes F0–F4, surrogates D800–DBFF).
    /// Continuation bytes (80–BF) are never EE or EF, so a per-byte map suffices.
    @inline(__always)
    static func utf16Rank(_ byte: UInt8) -> UInt8 {
        byte == 0xEE || byte == 0xEF ? byte &+ 0x10 : byte
    }

    /// Appends a string with exactly the escapes RFC 8785 §3.2.2.2 requires.
    static func appendString(_ string: String, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                appendEscape(byte, to: &buffer)
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        buffer.append(UInt8(ascii: "\""))
    }

    /// The one canonical escape for a byte that must be escaped.
    private static func appendEscape(_ byte: UInt8, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
        case 0x08: buffer.append(UInt8(ascii: "b"))
        case 0x09: buffer.append(UInt8(ascii: "t"))
        case 0x0A: buffer.append(UInt8(ascii: "n"))
        case 0x0C: buffer.append(UInt8(ascii: "f"))
        case 0x0D: buffer.append(UInt8(ascii: "r"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            buffer.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            buffer.append(hex[Int(byte >> 4)])
            buffer.append(hex[Int(byte & 0x0F)])
        }
    }

    /// Appends literal ASCII text (punctuation, member names) as it is.
    static func appendASCII(_ text: StaticString, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
