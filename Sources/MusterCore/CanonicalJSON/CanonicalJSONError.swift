/// An error reading or writing canonical JSON (RFC 8785 / RFC 8259 / I-JSON).
///
/// The ``code`` says what kind of problem it is; ``reason`` says what is wrong and where, in words
/// a person can act on. Two errors are equal when their codes are equal, whatever the reason or
/// the place they were raised.
public struct CanonicalJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is. Opaque so that codes can be added without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String

        private init(_ name: String) { self.name = name }

        /// The input ended in the middle of a value.
        public static let unexpectedEnd = Code("unexpectedEnd")
        /// A byte that cannot start or continue the JSON text at that point.
        public static let unexpectedByte = Code("unexpectedByte")
        /// A comma directly before `]` or `}`.
        public static let trailingComma = Code("trailingComma")
        /// Bytes after the top-level value (other than whitespace).
        public static let trailingContent = Code("trailingContent")
        /// The text starts with a UTF-8 byte-order mark.
        public static let byteOrderMark = Code("byteOrderMark")
        /// A byte sequence that is not well-formed UTF-8 (overlong, surrogate, above U+10FFFF, truncated).
        public static let invalidUTF8 = Code("invalidUTF8")
        /// A `\uD800`–`\uDFFF` escape that is not part of a high-low surrogate pair.
        public static let loneSurrogate = Code("loneSurrogate")
        /// A backslash escape that RFC 8259 does not define.
        public static let invalidEscape = Code("invalidEscape")
        /// An unescaped control character (U+0000–U+001F) inside a string.
        public static let controlCharacter = Code("controlCharacter")
        /// Two members of one object with the same name (after unescaping).
        public static let duplicateMemberName = Code("duplicateMemberName")
        /// Two member names that differ in code points but are canonically equivalent Unicode,
        /// which ``JSONValue`` (keyed by Swift `String`) cannot hold apart.
        public static let equivalentMemberNames = Code("equivalentMemberNames")
        /// A number with a superfluous leading zero (`01`, `-00.5`).
        public static let leadingZero = Code("leadingZero")
        /// A number that is malformed (`1.`, `-`, `1e`, `.5`).
        public static let invalidNumber = Code("invalidNumber")
        /// A number that is not a finite double, or an integer literal beyond ±(2⁵³ − 1).
        public static let numberOutOfRange = Code("numberOutOfRange")
        /// Arrays and objects nested deeper than ``CanonicalJSON/maximumDepth``.
        public static let nestingTooDeep = Code("nestingTooDeep")
        /// Well-formed JSON whose bytes are not its RFC 8785 canonical encoding.
        public static let notCanonical = Code("notCanonical")
        /// A value that has no JSON form (NaN or an infinity) was given to the writer.
        public static let nonFiniteNumber = Code("nonFiniteNumber")

        /// The code's name, for logs and messages.
        public var description: String { name }
    }

    /// What kind of problem this is.
    public let code: Code
    /// What is wrong and where, for a person to read.
    public let reason: String
    /// The byte offset in the input (for reading) at which the problem was found, when known.
    public let offset: Int?
    /// The JSON path (`$.payload.amount`, `$.items[2]`) of the value concerned, when known.
    public let path: String?
    /// The source file that raised the error.
    public let file: String
    /// The source line that raised the error.
    public let line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of problem.
    ///   - reason: What is wrong, without the place (offset and path are appended to the description).
    ///   - offset: The byte offset in the input, when known.
    ///   - path: The JSON path of the value concerned, when known.
    public init(
        _ code: Code,
        _ reason: String,
        offset: Int? = nil,
        path: String? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.reason = reason
        self.offset = offset
        self.path = path
        self.file = file
        self.line = line
    }

    /// The code, reason, byte offset and path, e.g.
    /// `duplicateMemberName: duplicate member name "a" at byte offset 12 (path $.payload)`.
    public var description: String {
        var text = "\(code): \(reason)"
        if let offset { text += " at byte offset \(offset)" }
        if let path { text += " (path \(path))" }
        return text
    }

    /// Errors are equal when their codes are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    /// Hashes the code only, consistent with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The same error located one level deeper: `component` is prepended to the path.
    func inside(_ component: PathComponent) -> Self {
        let suffix = path.map { String($0.dropFirst()) } ?? ""
        let prefix: String
        switch component {
        case .key(let key): prefix = Self.keyComponent(key)
        case .index(let index): prefix = "[\(index)]"
        }
        return Self(code, reason, offset: offset, path: "$" + prefix + suffix, file: file, line: line)
    }

    /// The same error with the root path `$` when no deeper path is known.
    func atRoot() -> Self {
        path == nil ? Self(code, reason, offset: offset, path: "$", file: file, line: line) : self
    }

    /// One step of a JSON path.
    enum PathComponent {
        case key(String)
        case index(Int)
    }

    private static func keyComponent(_ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F
        }
        if plain { return "." + key }
        var quoted = "['"
        for scalar in key.unicodeScalars {
            switch scalar {
            case "'": quoted += "\\'"
            case "\\": quoted += "\\\\"
            case _ where scalar.value < 0x20: quoted += "\\u" + hex4(scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "']"
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
