/// An event id: a UUIDv7 (RFC 9562) in its lowercase hyphenated text form.
///
/// Version 7 ids sort by creation time, so ids recorded on one hub are roughly time ordered.
public struct EventID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 36-character lowercase text form.
    public let text: String
    /// The same 128 bits as two big-endian words, read once from the text (compared, hashed and
    /// stored as 16 bytes without reading the text again).
    public let key: IDKey

    /// Parses a UUIDv7 text form; uppercase or other UUID versions are rejected.
    public init(_ text: String) throws(CoreError) {
        guard let key = IDKey(text), UUIDText.has(version: 7, key.high, key.low) else {
            throw CoreError(.invalidValue, "'\(text.prefix(60))' is not a lowercase UUIDv7")
        }
        self.text = text
        self.key = key
    }

    private init(unchecked key: IDKey) {
        text = UUIDText.format(key.high, key.low)
        self.key = key
    }

    /// A new UUIDv7 for the given Unix time in milliseconds.
    public static func generate(unixMillis: UInt64) -> EventID {
        var rng = SecureRandom.Generator()
        return generate(unixMillis: unixMillis, using: &rng)
    }

    /// A new UUIDv7 for the given time, drawing its random bits from `rng` (tests pass a seeded one).
    public static func generate(unixMillis: UInt64, using rng: inout some RandomNumberGenerator) -> EventID {
        // 48 bits of time, version 7, 12 random bits; variant 10, 62 random bits. The random bits
        // sit where byte-wise filling had put them, so seeded generators give the ids they gave.
        let r1 = rng.next() as UInt64
        let r2 = rng.next() as UInt64
        let high = unixMillis << 16 | 0x7000 | (r1 >> 48 & 0xF) << 8 | r1 >> 56
        let low = 0x8000_0000_0000_0000 | r2.byteSwapped & 0x3FFF_FFFF_FFFF_FFFF
        return EventID(unchecked: IDKey(high: high, low: low))
    }

    /// The Unix time in milliseconds carried in the id's first 48 bits.
    public var unixMillis: UInt64 { key.high >> 16 }

    public var description: String { text }
    // The text and the key say the same: lower-case hex orders as the digits' values do.
    public static func == (lhs: EventID, rhs: EventID) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public static func < (lhs: EventID, rhs: EventID) -> Bool { lhs.key < rhs.key }
}

/// A subject id: the UUID naming a member or donor across every hub. Any version is read; a hub
/// mints version 7 (``generate()``), whose ids sort by the time they were made.
///
/// A subject's id is a key of the key store's index and of the read models' tables, and new
/// members far outnumber the other subjects an import or a busy hub writes: random (version 4)
/// ids put every new key at a random place in those B-trees, so each commit rewrote a page per
/// new member, where time-ordered ones mostly extend the last page. The time an id carries says
/// no more than the log already does in the clear: the member's `joinedOn` and the entry's
/// `recordedAt`.
public struct SubjectID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 36-character lowercase text form.
    public let text: String
    /// The same 128 bits as two big-endian words, read once from the text: a subject is looked up
    /// (key store, read models) far more often than it is read, and hashing two words is cheaper
    /// than hashing 36 characters.
    public let key: IDKey

    /// Parses a lowercase UUID text form (any version).
    public init(_ text: String) throws(CoreError) {
        guard let key = IDKey(text) else {
            throw CoreError(.invalidValue, "'\(text.prefix(60))' is not a lowercase UUID")
        }
        self.text = text
        self.key = key
    }

    /// A new random (version 4) subject id, drawing every bit from `rng` (the synthetic movements
    /// of the demo and the tests, whose seeded generators give the ids they always gave).
    public static func generate(using rng: inout some RandomNumberGenerator) -> SubjectID {
        // Sixteen draws, a byte of each (the low one, as `UInt8.random(in: 0...255, using:)` takes
        // it, so seeded generators give the ids they always gave); then version 4, variant 10.
        var high: UInt64 = 0, low: UInt64 = 0
        for _ in 0..<8 { high = high << 8 | (rng.next() as UInt64) & 0xFF }
        for _ in 0..<8 { low = low << 8 | (rng.next() as UInt64) & 0xFF }
        high = high & ~0xF000 | 0x4000
        low = low & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000
        return SubjectID(unchecked: IDKey(high: high, low: low))
    }

    /// A new time-ordered (version 7) subject id for the given Unix time in milliseconds, drawing
    /// its random bits from `rng`.
    public static func generate(unixMillis: UInt64, using rng: inout some RandomNumberGenerator) -> SubjectID {
        SubjectID(unchecked: EventID.generate(unixMillis: unixMillis, using: &rng).key)
    }

    private init(unchecked key: IDKey) {
        text = UUIDText.format(key.high, key.low)
        self.key = key
    }

    /// A new time-ordered (version 7) subject id, for now, with random bits from the system's
    /// secure generator: what a hub mints for a new member.
    public static func generate() -> SubjectID {
        var rng = SecureRandom.Generator()
        return generate(unixMillis: UInt64(max(0, Timestamp.now().unixMillis)), using: &rng)
    }

    public var description: String { text }
    // As for event ids: the text is lower-case hex, so it and the key determine each other and
    // order alike.
    public static func == (lhs: SubjectID, rhs: SubjectID) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public static func < (lhs: SubjectID, rhs: SubjectID) -> Bool { lhs.key < rhs.key }
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
        return has(version: version, high, low)
    }

    /// Whether a UUID's two words carry `version`: the 13th hex digit, and for versions ≥ 1 the
    /// variant's top two bits 10.
    static func has(version: UInt8, _ high: UInt64, _ low: UInt64) -> Bool {
        UInt8(truncatingIfNeeded: high >> 12 & 0xF) == version && (version == 0 || low >> 62 == 0b10)
    }

    /// The 128 bits of a UUID's canonical text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case
    /// hex) as two big-endian words; nil for anything else. Every id in every entry passes here.
    static func parse(_ u: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard u.count == 36, let p = u.baseAddress, p[8] == 0x2D, p[13] == 0x2D, p[18] == 0x2D, p[23] == 0x2D else { return nil }
        let raw = UnsafeRawPointer(p)
        func eight(_ at: Int) -> UInt64 { raw.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        // Four digits, widened to eight with four zero digits after them.
        func four(_ at: Int) -> UInt64 { UInt64(raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)) | 0x3030_3030 << 32 }
        let (a, okA) = hexWord(eight(0)), (b, okB) = hexWord(four(9)), (c, okC) = hexWord(four(14))
        let (d, okD) = hexWord(four(19)), (e, okE) = hexWord(eight(24)), (f, okF) = hexWord(four(32))
        guard okA && okB && okC && okD && okE && okF else { return nil }
        // A four-digit group's value is the top half of its word.
        return (a << 32 | b | c >> 16, (d >> 16) << 48 | e << 16 | f >> 16)
    }

    /// Eight lower-case hex digits, loaded little-endian (the first digit in the low byte), as
    /// the 32-bit value they spell, and whether all eight are such digits. Byte-parallel in one
    /// word (SWAR): with every byte below 0x80, adding a constant to each sets a byte's top bit
    /// exactly when the byte is at or above a bound, and carries into no other byte.
    @inline(__always)
    private static func hexWord(_ w: UInt64) -> (UInt64, Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs = ones &* 0x80
        let atLeast0 = (w &+ ones &* (0x80 - 0x30)) & highs, above9 = (w &+ ones &* (0x7F - 0x39)) & highs
        let atLeastA = (w &+ ones &* (0x80 - 0x61)) & highs, aboveF = (w &+ ones &* (0x7F - 0x66)) & highs
        let ok = w & highs == 0 && (atLeast0 & ~above9) | (atLeastA & ~aboveF) == highs
        // A digit's value is its low nibble; a letter's (bit 0x40 set) is its low nibble plus nine.
        let nibbles = ones &* 0x0F, letters = ones &* 0x40
        var v = (w & nibbles) &+ ((w & letters) >> 6) &* 9
        // The first digit to the top, then pairs of nibbles to bytes, bytes to halves, halves to a word.
        v = v.byteSwapped
        v = (v | v >> 4) & 0x00FF_00FF_00FF_00FF
        v = (v | v >> 8) & 0x0000_FFFF_0000_FFFF
        v = (v | v >> 16) & 0xFFFF_FFFF
        return (v, ok)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// The canonical text of a UUID's two big-endian words.
    static func format(_ high: UInt64, _ low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { out in
            let digits: StaticString = "0123456789abcdef"
            var at = 0
            func put(_ word: UInt64, _ count: Int, from shift: Int) {
                for i in 0..<count {
                    out[at] = digits.utf8Start[Int(word >> UInt64(shift - 4 * i) & 0xF)]
                    at += 1
                }
            }
            func dash() { out[at] = UInt8(ascii: "-"); at += 1 }
            put(high, 8, from: 60); dash(); put(high, 4, from: 28); dash(); put(high, 4, from: 12); dash()
            put(low, 4, from: 60); dash(); put(low, 12, from: 44)
            return 36
        }
    }
}
