/// The outcome of checking an inclusion or consistency proof.
///
/// A proof that does not verify is an expected outcome, not an error, so verification returns this
/// value and never throws.
public enum MerkleProofVerification: Sendable, Hashable {
    /// The proof shows what it claims.
    case valid
    /// The proof does not show what it claims, for the given reason.
    case invalid(Reason)

    /// Why a proof did not verify.
    public enum Reason: Error, Sendable, Hashable, CustomStringConvertible {
        /// The leaf index is not below the tree size.
        case leafIndexOutOfRange
        /// The old tree of a consistency proof is empty. RFC 9162 §2.1.4.2 defines consistency
        /// only for `0 < size1 <= size2`; like transparency-dev/merkle, Muster rejects size1 == 0
        /// rather than accept a proof that says nothing.
        case emptyOldTree
        /// The old tree of a consistency proof is larger than the new one.
        case oldTreeLargerThanNewTree
        /// Equal tree sizes need an empty consistency proof.
        case nonEmptyProofForEqualSizes
        /// The proof has fewer hashes than the sizes and index require.
        case proofTooShort
        /// The proof has more hashes than the sizes and index require.
        case proofTooLong
        /// The root recomputed from an inclusion proof differs from the expected root.
        case rootMismatch
        /// The old root recomputed from a consistency proof differs from the expected old root.
        case oldRootMismatch
        /// The new root recomputed from a consistency proof differs from the expected new root.
        case newRootMismatch

        /// A short sentence naming the failure.
        public var description: String {
            switch self {
            case .leafIndexOutOfRange: "leaf index is not below the tree size"
            case .emptyOldTree: "consistency from an empty tree is not defined"
            case .oldTreeLargerThanNewTree: "old tree size exceeds new tree size"
            case .nonEmptyProofForEqualSizes: "equal tree sizes need an empty proof"
            case .proofTooShort: "proof has too few hashes"
            case .proofTooLong: "proof has too many hashes"
            case .rootMismatch: "recomputed root differs from the expected root"
            case .oldRootMismatch: "recomputed old root differs from the expected old root"
            case .newRootMismatch: "recomputed new root differs from the expected new root"
            }
        }
    }

    /// `true` for ``valid``.
    public var isValid: Bool {
        self == .valid
    }
}
