extension CanonicalJSONParser {
    /// Parses a string starting at the opening quote, validating UTF-8 and escapes.
    mutating func parseString() throws(CanonicalJSONError) -> String {
        index += 1
        let start = index
        while true {
            skipPlainASCII()
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                lastStringEscaped = false
                return text
            } else if byte == UInt8(ascii: "\\") {
                return try parseEscapedString(from: start)
            } else if byte < 0x20 {
                throw controlCharacter(byte)
            } else if byte < 0x80 {
                index += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw CanonicalJSONError(.unexpectedEnd, "unterminated string", offset: start - 1)
    }

    /// Skips eight bytes at a time while none is a quote, a backslash, a control character or non-ASCII.
    @inline(__always)
    private mutating func skipPlainASCII() {
        index = Self.plainASCIIWords(bytes, from: index)
    }

    /// The offset of the first byte from `index` that is a quote, a backslash, a control character
    /// or non-ASCII, read eight bytes at a time (or of the last incomplete word, left to the caller).
    @inline(__always)
    static func plainASCIIWords(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        var index = start
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index &+ 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            // With every byte below 0x80, "has a zero byte" tests are exact (Hacker's Delight §6.1).
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            let special = (word | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash
                | (word &- ones &* 0x20) & ~word) & highs
            // The lowest flagged byte is exact: a false flag needs a borrow from a true one
            // below it. Bytes are in address order from the least significant.
            if special != 0 { return index &+ (special.trailingZeroBitCount &>> 3) }
            index &+= 8
        }
        return index
    }

    /// The slow path for strings with escapes: unescapes into the scratch buffer.
    private mutating func parseEscapedString(from start: Int) throws(CanonicalJSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var runStart = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                index += 1
                lastStringEscaped = true
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                try unescape()
                runStart = index
            } else if byte < 0x20 {
                throw controlCharacter(byte)
            } else if byte < 0x80 {
                index += 1
            } else {
                try skipUTF8Sequence()
            }
        }
        throw CanonicalJSONError(.unexpectedEnd, "unterminated string", offset: start - 1)
    }

    /// Decodes one escape at `index` (the backslash) into the scratch buffer.
    private mutating func unescape() throws(CanonicalJSONError) {
        let escapeOffset = index
        guard index + 1 < bytes.count else {
            throw CanonicalJSONError(.unexpectedEnd, "input ended inside an escape", offset: escapeOffset)
        }
        let letter = bytes[index + 1]
        index += 2
        let simple: UInt8
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): simple = letter
        case UInt8(ascii: "/"): simple = letter; deviate(at: escapeOffset)
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): try unescapeUnicode(escapeOffset); return
        default:
            throw CanonicalJSONError(
                .invalidEscape, "invalid escape '\\\(Self.describe(letter))' in string", offset: escapeOffset)
        }
        scratch.append(simple)
    }

    private mutating func unescapeUnicode(_ escapeOffset: Int) throws(CanonicalJSONError) {
        let unit = try hexQuad(escapeOffset)
        var scalar = UInt32(unit)
        if checking {
            // Only U+0000–U+001F without a short form are escaped, as \u00xx in lowercase.
            let hasShortForm = unit == 0x08 || unit == 0x09 || unit == 0x0A || unit == 0x0C || unit == 0x0D
            // For U+0000–U+001F only the last hex digit can be a letter.
            let lowercase = bytes[index - 1] < UInt8(ascii: "A") || bytes[index - 1] > UInt8(ascii: "F")
            let canonical = unit < 0x20 && !hasShortForm && lowercase
            if !canonical { deviate(at: escapeOffset) }
        }
        if unit >= 0xDC00 && unit <= 0xDFFF {
            throw CanonicalJSONError(
                .loneSurrogate, "low surrogate escape without a preceding high surrogate", offset: escapeOffset)
        }
        if unit >= 0xD800 && unit <= 0xDBFF {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else {
                throw CanonicalJSONError(
                    .loneSurrogate, "high surrogate escape not followed by a low surrogate escape", offset: escapeOffset)
            }
            index += 2
            let low = try hexQuad(index - 2)
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw CanonicalJSONError(
                    .loneSurrogate, "high surrogate escape not followed by a low surrogate escape", offset: escapeOffset)
            }
            scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        }
        appendUTF8(scalar)
    }

    /// Reads four hex digits at `index`.
    private mutating func hexQuad(_ escapeOffset: Int) throws(CanonicalJSONError) -> UInt16 {
        guard index + 4 <= bytes.count else {
            throw CanonicalJSONError(.unexpectedEnd, "input ended inside a \\u escape", offset: escapeOffset)
        }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw CanonicalJSONError(.invalidEscape, "\\u escape needs four hex digits", offset: escapeOffset)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// A multi-byte UTF-8 sequence's length and the range its second byte must fall in, from its
    /// lead byte (RFC 3629 §4: no overlong forms, no surrogates, nothing above U+10FFFF); nil for a
    /// byte that cannot lead one. The tape reader shares it.
    static func utf8Sequence(lead: UInt8) -> (length: Int, second: ClosedRange<UInt8>)? {
        switch lead {
        case 0xC2...0xDF: (2, 0x80...0xBF)
        case 0xE0: (3, 0xA0...0xBF)
        case 0xED: (3, 0x80...0x9F)
        case 0xE1...0xEF: (3, 0x80...0xBF)
        case 0xF0: (4, 0x90...0xBF)
        case 0xF4: (4, 0x80...0x8F)
        case 0xF1...0xF3: (4, 0x80...0xBF)
        default: nil
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `index` (RFC 3629 §4) and steps over it.
    private mutating func skipUTF8Sequence() throws(CanonicalJSONError) {
        let lead = bytes[index]
        guard let (length, secondRange) = Self.utf8Sequence(lead: lead) else {
            switch lead {
            case 0x80...0xBF: throw invalidUTF8("unexpected continuation byte \(Self.describe(lead))")
            case 0xC0, 0xC1: throw invalidUTF8("overlong encoding (lead byte \(Self.describe(lead)))")
            default: throw invalidUTF8("lead byte \(Self.describe(lead)) would encode a code point above U+10FFFF")
            }
        }
        guard index + length <= bytes.count else { throw invalidUTF8("truncated UTF-8 sequence") }
        let second = bytes[index + 1]
        guard secondRange.contains(second) else {
            switch (lead, second) {
            case (0xE0, 0x80...0x9F), (0xF0, 0x80...0x8F): throw invalidUTF8("overlong encoding")
            case (0xED, 0xA0...0xBF): throw invalidUTF8("UTF-8-encoded surrogate (U+D800–U+DFFF)")
            case (0xF4, 0x90...0xBF): throw invalidUTF8("code point above U+10FFFF")
            default: throw invalidUTF8("truncated UTF-8 sequence (\(Self.describe(second)) is not a continuation byte)")
            }
        }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            throw invalidUTF8(
                "truncated UTF-8 sequence (\(Self.describe(bytes[index + offset])) is not a continuation byte)")
        }
        index += length
    }

    private func invalidUTF8(_ reason: String) -> CanonicalJSONError {
        CanonicalJSONError(.invalidUTF8, reason, offset: index)
    }

    private func controlCharacter(_ byte: UInt8) -> CanonicalJSONError {
        CanonicalJSONError(
            .controlCharacter, "unescaped control character \(Self.describe(byte)) in string", offset: index)
    }
}
