/// The canonical bytes of an entry with holes for the three members only the log's writer knows
/// (`hlc`, `recordedAt`, `seq`). Made once, off the writer's path, when a draft is prepared; the
/// writer then only fills the holes, so every entry is encoded exactly once.
///
/// RFC 8785 fixes the member order, so the holes' places are fixed too: the template is the
/// canonical encoding of the object with those members, split where their values go.
struct EntryTemplate: Sendable {
    private static let holes = ["hlc", "recordedAt", "seq"]
    /// Literal bytes around the holes: `parts[0] hole parts[1] hole parts[2] hole parts[3]`.
    private let parts: [[UInt8]]
    /// Hole names in the order they appear.
    private let order: [String]

    init(members: [String: JSONValue]) throws(CanonicalJSONError) {
        let keys = (Array(members.keys) + Self.holes).sorted(by: CanonicalJSONWriter.utf16Precedes)
        var parts: [[UInt8]] = [], current: [UInt8] = [UInt8(ascii: "{")], order: [String] = []
        for (i, key) in keys.enumerated() {
            if i > 0 { current.append(UInt8(ascii: ",")) }
            try CanonicalJSON.encode(.string(key), into: &current)
            current.append(UInt8(ascii: ":"))
            if let value = members[key] {
                try CanonicalJSON.encode(value, into: &current)
            } else {
                parts.append(current)
                current = []
                order.append(key)
            }
        }
        current.append(UInt8(ascii: "}"))
        parts.append(current)
        self.parts = parts
        self.order = order
    }

    /// The entry's canonical bytes at its place in the log.
    func render(seq: UInt64, recordedAt: Timestamp, hlc: HLCStamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(64) { $0 + $1.count })
        for (i, hole) in order.enumerated() {
            out.append(contentsOf: parts[i])
            switch hole {
            case "hlc": out.append(contentsOf: Array("{\"count\":\(hlc.counter),\"wall\":\(hlc.wallMillis)}".utf8))
            case "recordedAt": out.append(contentsOf: Array("\"\(recordedAt)\"".utf8))
            default: out.append(contentsOf: Array(String(seq).utf8))
            }
        }
        out.append(contentsOf: parts[order.count])
        return out
    }
}
