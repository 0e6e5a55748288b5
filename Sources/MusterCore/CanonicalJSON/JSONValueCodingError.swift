/// An error bridging `Codable` types to and from ``JSONValue`` with ``JSONValueEncoder`` and
/// ``JSONValueDecoder``.
///
/// The description names the coding path first, e.g.
/// `payload.amount.minor: expected integer, found string`. Two errors are equal when their codes
/// are equal.
public struct JSONValueCodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Opaque so that codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// The JSON value has a different type from the one the Swift type needs.
        public static let typeMismatch = Code("typeMismatch")
        /// A required object member is missing.
        public static let keyNotFound = Code("keyNotFound")
        /// A value is `null` or an array has no more elements where a value is required.
        public static let valueNotFound = Code("valueNotFound")
        /// An integer is beyond ±(2⁵³ − 1) or does not fit the Swift integer type.
        public static let integerOutOfRange = Code("integerOutOfRange")
        /// A floating-point value is NaN or infinite, which JSON cannot hold.
        public static let nonFiniteNumber = Code("nonFiniteNumber")
        /// A value was encoded into a container in a way JSON cannot express.
        public static let invalidEncoding = Code("invalidEncoding")

        /// The code's name, for logs and messages.
        public var description: String { name }
    }

    /// What kind of problem this is.
    public let code: Code
    /// What is wrong, for a person to read (the path is in ``codingPath``).
    public let reason: String
    /// The coding path of the value concerned, dotted, with `[n]` for array elements
    /// (`payload.lines[2].amount`); empty for the top-level value.
    public let codingPath: String
    /// The source file that raised the error.
    public let file: String
    /// The source line that raised the error.
    public let line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of problem.
    ///   - reason: What is wrong, e.g. `expected integer, found string`.
    ///   - codingPath: The coding path of the value concerned.
    public init(
        _ code: Code,
        _ reason: String,
        codingPath: [any CodingKey],
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.reason = reason
        self.codingPath = Self.render(codingPath)
        self.file = file
        self.line = line
    }

    /// `path: reason`, with `(root)` as the path of the top-level value.
    public var description: String {
        "\(codingPath.isEmpty ? "(root)" : codingPath): \(reason)"
    }

    /// Errors are equal when their codes are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// Renders a coding path as `a.b[2].c`.
    static func render(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if key is JSONIndexKey, let index = key.intValue {
                text += "[\(index)]"
            } else {
                if !text.isEmpty { text += "." }
                text += key.stringValue
            }
        }
        return text
    }
}

/// The coding key of an array element, or of a member named at run time (`super`).
struct JSONIndexKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    init?(stringValue: String) { nil }

    init?(intValue: Int) { self.init(index: intValue) }
}

/// The coding key `super`, used by `superEncoder()` and `superDecoder()`.
struct JSONSuperKey: CodingKey {
    var stringValue: String { "super" }
    var intValue: Int? { nil }

    init() {}

    init?(stringValue: String) {
        guard stringValue == "super" else { return nil }
    }

    init?(intValue: Int) { nil }
}
