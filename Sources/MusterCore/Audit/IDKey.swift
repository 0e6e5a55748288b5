/// A lower-case UUID (event or subject id) as 16 bytes: what an auditor keeps per entry, a
/// fraction of the size of its text.
public struct IDKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let high: UInt64
    public let low: UInt64

    /// The key of a UUID's canonical text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case hex);
    /// nil for anything else.
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ UUIDText.parse($0) }) else { return nil }
        (high, low) = parsed
    }

    /// The key of a UUID's two big-endian words.
    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The key of a UUID's canonical text as UTF-8 bytes; nil for anything else.
    init?(utf8 u: UnsafeBufferPointer<UInt8>) {
        guard let parsed = UUIDText.parse(u) else { return nil }
        (high, low) = parsed
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

    public func hash(into hasher: inout Hasher) {
        hasher.combine(high)
        hasher.combine(low)
    }

    /// The hash Set and Dictionary use (the standard library's hook for types that hash faster
    /// than a full SipHash round). Audits and replays keep tables of a million ids, on the one
    /// thread that folds entries in order, where SipHash was a tenth of the work.
    ///
    /// Both halves go through a folded 128-bit multiply keyed by the table's seed, which the
    /// standard library draws at random per process: a bundle cannot choose ids that collide
    /// without knowing it (a plain xor of the halves could be attacked).
    public func _rawHashValue(seed: Int) -> Int {
        let s = UInt64(UInt(bitPattern: seed))
        let a = (high ^ s ^ 0x243F_6A88_85A3_08D3).multipliedFullWidth(by: low ^ (s &* 0x9E37_79B9_7F4A_7C15) ^ 0x1319_8A2E_0370_7344)
        let b = (a.high ^ a.low ^ s).multipliedFullWidth(by: 0xA409_3822_299F_31D1)
        return Int(bitPattern: UInt(truncatingIfNeeded: b.high ^ b.low))
    }

    public static func < (a: IDKey, b: IDKey) -> Bool { (a.high, a.low) < (b.high, b.low) }
}
