/// An error from Muster's core: malformed input or a broken invariant, with a reason that says
/// what is wrong and where.
///
/// Equality compares only ``code``, so callers can match on the kind of failure while the reason
/// carries the detail for people.
public struct CoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// A value does not have the required form (a date, an id, a currency …).
        public static let invalidValue = Code("invalidValue")
        /// An entry does not match its event type's schema.
        public static let schemaViolation = Code("schemaViolation")
        /// An entry's type or type version is not known to this build.
        public static let unknownEventType = Code("unknownEventType")
        /// An entry's envelope is malformed.
        public static let invalidEnvelope = Code("invalidEnvelope")
        /// Sealing or opening a sealed payload failed.
        public static let sealing = Code("sealing")
        /// A subject's key is missing or was destroyed.
        public static let subjectKeyUnavailable = Code("subjectKeyUnavailable")
        /// A signature is malformed or does not verify.
        public static let signature = Code("signature")
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

    public static func == (lhs: CoreError, rhs: CoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
