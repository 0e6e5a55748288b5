/// The files of `Schemas/events/`: each event type version's schema document, pretty-printed
/// from its canonical form so that people can read it and tools diff it.
public enum SchemaFiles {
    /// (file name, bytes) for every event type version, in catalogue order.
    public static func all() throws -> [(name: String, bytes: [UInt8])] {
        try EventCatalog.schemas.map { schema in (schema.fileName, try PrettyJSON.format(schema.document)) }
    }
}

/// Two-space indented JSON with members in canonical (RFC 8785) order and canonical scalars.
enum PrettyJSON {
    static func format(_ value: JSONValue) throws -> [UInt8] {
        var out: [UInt8] = []
        try write(value, indent: 0, into: &out)
        out.append(0x0A)
        return out
    }

    private static func write(_ value: JSONValue, indent: Int, into out: inout [UInt8]) throws {
        let pad = Array(repeating: UInt8(ascii: " "), count: indent + 2)
        switch value {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                out.append(contentsOf: (i == 0 ? [] : [UInt8(ascii: ",")]) + [0x0A] + pad)
                try write(item, indent: indent + 2, into: &out)
            }
            out.append(0x0A); out.append(contentsOf: pad.dropLast(2)); out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            for (i, key) in keys.enumerated() {
                out.append(contentsOf: (i == 0 ? [] : [UInt8(ascii: ",")]) + [0x0A] + pad)
                try CanonicalJSON.encode(.string(key), into: &out)
                out.append(contentsOf: Array(": ".utf8))
                try write(members[key]!, indent: indent + 2, into: &out)
            }
            out.append(0x0A); out.append(contentsOf: pad.dropLast(2)); out.append(UInt8(ascii: "}"))
        default:
            try CanonicalJSON.encode(value, into: &out)
        }
    }
}
