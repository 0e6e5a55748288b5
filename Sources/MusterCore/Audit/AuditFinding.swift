/// One thing wrong with a log or a bundle: which origin, where, and what.
public struct AuditFinding: Error, Sendable, Hashable, CustomStringConvertible {
    /// The origin concerned, or nil for the bundle or movement as a whole.
    public let origin: String?
    /// The entry's seq, or the checkpoint's size, when the finding has a place.
    public let seq: UInt64?
    /// What is wrong.
    public let message: String

    /// A finding.
    public init(origin: String?, seq: UInt64? = nil, _ message: String) {
        self.origin = origin
        self.seq = seq
        self.message = message
    }

    public var description: String {
        switch (origin, seq) {
        case (nil, _): return message
        case (let origin?, nil): return "\(origin): \(message)"
        case (let origin?, let seq?): return "\(origin) seq \(seq): \(message)"
        }
    }

    /// `{"origin", "seq", "message"}` (nulls where there is no place).
    public var json: JSONValue {
        .object(["origin": origin.map(JSONValue.string) ?? .null, "seq": seq.map { .number(Double($0)) } ?? .null,
                 "message": .string(message)])
    }
}
