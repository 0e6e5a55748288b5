/// A lower-case UUID (event or subject id) as 16 bytes: what an auditor keeps per entry, a
/// fraction of the size of its text.
public struct IDKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    /// The key of a UUID's canonical text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case hex);
    /// nil for anything else.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        (high, low) = parsed
    }

    /// The key of a UUID's canonical text as UTF-8 bytes; nil for anything else.
    init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard let parsed = Self.parse(u) else { return nil }
        (high, low) = parsed
    }

    private static func parse(_ u: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard u.count == 36 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        var nibbles = 0
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                guard c == 0x2D else { return nil }
                continue
            }
            let v: UInt8
            switch c {
            case 0x30...0x39: v = c - 0x30
            case 0x61...0x66: v = c - 0x61 + 10
            default: return nil
            }
            if nibbles < 16 { words.0 = words.0 << 4 | UInt64(v) } else { words.1 = words.1 << 4 | UInt64(v) }
            nibbles += 1
        }
        return words
    }

    /// The canonical text.
    public var description: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(0x2D) }
            let word = i < 16 ? high : low
            out.append(hex[Int(word >> UInt64(60 - 4 * (i % 16)) & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One word to hash: a UUID's two halves mixed (the random bits of v4 and v7 ids are spread
    /// over both), which halves the hashing of the audit's million-entry tables.
    public func hash(into hasher: inout Hasher) { hasher.combine(high ^ low.byteSwapped) }

    public static func < (a: IDKey, b: IDKey) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
