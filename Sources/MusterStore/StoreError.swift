/// An error from a hub's storage: what went wrong and where, never a secret.
///
/// Equality compares only ``code``.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The data directory is missing, unreadable or not a hub.
        public static let dataDirectory = Code("dataDirectory")
        /// Another process holds the hub's writer lock.
        public static let locked = Code("locked")
        /// A key file is missing, unreadable, malformed or too open.
        public static let keyFile = Code("keyFile")
        /// The database is inconsistent with itself (a bug or tampering).
        public static let corrupt = Code("corrupt")
        /// No such entry, origin or checkpoint.
        public static let notFound = Code("notFound")
        /// The log's size was not what the caller expected (optimistic concurrency).
        public static let conflict = Code("conflict")
        /// The request is not valid for this store (e.g. writing another hub's origin).
        public static let invalidRequest = Code("invalidRequest")
        /// The origin is frozen: two of its checkpoints prove it forked its history.
        public static let frozen = Code("frozen")
        public var description: String { name }
    }

    /// The kind of failure.
    public let code: Code
    /// What is wrong and where, for a person.
    public let reason: String
    /// Where in Muster's source the error was raised.
    public let file: String
    /// The line in ``file``.
    public let line: Int

    /// Creates an error.
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    public var description: String { reason }
    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
