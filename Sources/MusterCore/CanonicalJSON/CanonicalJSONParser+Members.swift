extension CanonicalJSONParser {
    /// An object member parsed but not yet inserted into its dictionary.
    struct PendingMember {
        var key: String
        var value: JSONValue
        var offset: Int

        static let placeholder = PendingMember(key: "", value: .null, offset: 0)
    }

    /// Where a member name lies in the input, and its value when escapes make the two differ.
    struct KeyBytes {
        var bytes: Range<Int>
        var escapedKey: String?

        func value(in input: UnsafeBufferPointer<UInt8>) -> String {
            escapedKey ?? String(decoding: UnsafeBufferPointer(rebasing: input[bytes]), as: UTF8.self)
        }
    }

    /// Whether member name `lhs` sorts strictly before `rhs` in UTF-16 order, comparing the input
    /// bytes directly when neither name was escaped.
    func keyPrecedes(_ lhs: KeyBytes, _ rhs: KeyBytes) -> Bool {
        if lhs.escapedKey != nil || rhs.escapedKey != nil {
            return CanonicalJSONWriter.utf16Precedes(lhs.value(in: bytes), rhs.value(in: bytes))
        }
        var left = lhs.bytes.lowerBound
        var right = rhs.bytes.lowerBound
        while left < lhs.bytes.upperBound && right < rhs.bytes.upperBound {
            let a = bytes[left]
            let b = bytes[right]
            if a != b { return CanonicalJSONWriter.utf16Rank(a) < CanonicalJSONWriter.utf16Rank(b) }
            left += 1
            right += 1
        }
        return left == lhs.bytes.upperBound && right < rhs.bytes.upperBound
    }

    /// The error for a member name that repeats an earlier one (or is Unicode-equivalent to it).
    func duplicate(_ key: String, in members: [String: JSONValue], at offset: Int) -> CanonicalJSONError {
        let stored = members.index(forKey: key).map { members[$0].key } ?? key
        if stored.utf8.elementsEqual(key.utf8) {
            return CanonicalJSONError(.duplicateMemberName, "duplicate member name", offset: offset)
                .inside(.key(key))
        }
        return CanonicalJSONError(
            .equivalentMemberNames,
            "member name is canonically equivalent Unicode to an earlier member name, so the two cannot be kept apart",
            offset: offset
        ).inside(.key(key))
    }
}
