/// An error raised by the Merkle tree code for malformed input or an unreadable tree.
///
/// An expected negative outcome, such as a proof that does not verify, is never an error: it is
/// a ``MerkleProofVerification/invalid(_:)`` value. Two errors are equal when their codes are
/// equal; the reason and the source location are for people reading logs.
public struct MerkleError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an opaque, comparable code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case invalidHashLength
            case invalidHashEncoding
            case invalidArgument
            case missingNode
            case invalidFrontier
            case invalidTilePath
            case malformedEntryBundle
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A hash was not exactly 32 bytes long.
        public static let invalidHashLength = Code(.invalidHashLength)
        /// A hash's hex or base64 text could not be decoded.
        public static let invalidHashEncoding = Code(.invalidHashEncoding)
        /// An index or tree size was out of range for the requested operation.
        public static let invalidArgument = Code(.invalidArgument)
        /// A ``MerkleNodeReader`` does not hold a node that was asked for.
        public static let missingNode = Code(.missingNode)
        /// A compact-range frontier does not match its tree size.
        public static let invalidFrontier = Code(.invalidFrontier)
        /// A tlog-tiles path could not be parsed.
        public static let invalidTilePath = Code(.invalidTilePath)
        /// An entry bundle is truncated or holds an entry that cannot be encoded.
        public static let malformedEntryBundle = Code(.malformedEntryBundle)

        /// A short name for the code.
        public var description: String {
            "\(value)"
        }
    }

    /// The opaque code; the only part compared by `==`.
    public let code: Code
    /// What was wrong and where, for a person reading it.
    public let reason: String
    /// The source file that raised the error.
    public let fileID: String
    /// The source line that raised the error.
    public let line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: The opaque code callers compare against.
    ///   - reason: What was wrong and where.
    public init(_ code: Code, _ reason: String, fileID: String = #fileID, line: Int = #line) {
        self.code = code
        self.reason = reason
        self.fileID = fileID
        self.line = line
    }

    /// `true` when the codes are equal; reason and location are ignored.
    public static func == (lhs: MerkleError, rhs: MerkleError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes only the code, in keeping with `==`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }

    /// The code, the reason and the location.
    public var description: String {
        "MerkleError.\(code): \(reason) (\(fileID):\(line))"
    }
}
