/// An error from the replication protocol's pure parts: a roster, a request signature, a peer's
/// message or a batch that does not verify. The reason says what is wrong and where, in one line.
public struct SyncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable {
        /// A roster is malformed, unsigned or signed by the wrong key.
        case roster
        /// A request signature is missing, malformed, stale or does not verify.
        case authentication
        /// A peer's message is malformed.
        case malformed
        /// A batch or checkpoint does not verify against what this hub holds.
        case verification
        /// Evidence of equivocation does not prove what it claims.
        case evidence
    }

    /// The kind of failure.
    public let code: Code
    /// What is wrong and where, for a person.
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    public static func == (lhs: SyncError, rhs: SyncError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
