import Foundation

/// The texts that recur from one entry to the next — origins, operators, event types — kept
/// while entries are read one after another (a replay's slice of the log), so that reading one
/// from the next entry's bytes costs a comparison with the few kept, not an allocation and, when
/// the envelope goes, a free. A string of up to 15 UTF-8 bytes is held inside its `String` and
/// never allocates, so only longer ones are kept; the last ``capacity`` seen, most recent first.
public struct RecurringTexts {
    /// Texts kept at most.
    public static let capacity = 8

    private var kept: [String] = []

    public init() {}

    /// The text spelled by `bytes` (valid UTF-8, as an unescaped JSON string's are): one kept,
    /// if it is spelled so, else a new one, which is then kept.
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.count > 15 else { return String(decoding: bytes, as: UTF8.self) }
        // Found first, then moved: swapping while iterating would copy the array (the loop holds it).
        if let i = kept.firstIndex(where: { Self.spells($0, bytes) }) {
            let s = kept[i]
            if i > 0 { kept.swapAt(i, i - 1) }   // the frequent ones move to the front
            return s
        }
        let made = String(decoding: bytes, as: UTF8.self)
        if kept.count == Self.capacity { kept.removeLast() }
        kept.insert(made, at: 0)
        return made
    }

    private static func spells(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        s.utf8.count == bytes.count && (s.utf8.withContiguousStorageIfAvailable { kept in
            memcmp(kept.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        } ?? s.utf8.elementsEqual(bytes))
    }
}
