extension JSONTape {
    /// The value at `token` as a `JSONValue` tree: for the parts of a taped document a caller
    /// needs as values (an entry's payload), without parsing the bytes a second time.
    public func value(_ token: Int, in bytes: UnsafeBufferPointer<UInt8>) -> JSONValue {
        let t = tokens[token]
        switch t.kind {
        case .object:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(tokens.withUnsafeBufferPointer { Self.count($0, token) })
            var i = token + 1
            while i < Int(t.next) {
                // Member names on a tape are plain ASCII strings.
                members[string(i, in: bytes)!] = value(i + 1, in: bytes)
                i = Int(tokens[i + 1].next)
            }
            return .object(members)
        case .array:
            var elements: [JSONValue] = []
            elements.reserveCapacity(tokens.withUnsafeBufferPointer { Self.count($0, token) })
            var i = token + 1
            while i < Int(t.next) {
                elements.append(value(i, in: bytes))
                i = Int(tokens[i].next)
            }
            return .array(elements)
        case .string: return .string(string(token, in: bytes)!)
        case .integer: return .number(Double(Self.integer(t, bytes)))
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .null: return .null
        }
    }
}
