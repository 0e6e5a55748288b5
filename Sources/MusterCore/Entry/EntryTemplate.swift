import Foundation

/// The canonical bytes of an entry with holes for the three members only the log's writer knows
/// (`hlc`, `recordedAt`, `seq`). Made once, off the writer's path, when a draft is prepared; the
/// writer then only fills the holes, so every entry is encoded exactly once.
///
/// RFC 8785 fixes the member order, so the holes' places are fixed too: the template is the
/// canonical encoding of the object with those members, split where their values go.
struct EntryTemplate: Sendable {
    /// Literal bytes around the holes: `parts[0] hole parts[1] hole parts[2] hole parts[3]`.
    private let parts: [[UInt8]]
    /// The holes in the order they appear.
    private let order: [Hole]

    private enum Hole { case hlc, recordedAt, seq }

    /// The template of an entry with these members, written straight in canonical order.
    ///
    /// The envelope's member names are fixed and ASCII, so their RFC 8785 order is their byte
    /// order: `hlc id operator origin payload recordedAt sealed seq subject type typeVersion v`
    /// (`authorSig`, first of all, is added by ``PreparedEntry/assemble``). Only the payload and
    /// the sealed object go through the general writer. Rendered, it is the canonical encoding of
    /// ``Envelope/json`` (a test compares the two on random entries); it had been made from that
    /// tree, whose members were sorted and looked up one by one: 9 % of an import's CPU.
    init(origin: String, id: EventID, type: String, typeVersion: Int, operatorID: String, subject: SubjectID?,
         payload: JSONValue, sealed: SealedPayload?) throws(CanonicalJSONError) {
        func key(_ name: StaticString, into buffer: inout [UInt8]) {
            buffer.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        }
        var head: [UInt8] = []
        key(#"{"hlc":"#, into: &head)
        var middle: [UInt8] = []
        middle.reserveCapacity(256)
        key(#","id":"#, into: &middle)
        CanonicalJSONWriter.appendString(id.text, to: &middle)
        key(#","operator":"#, into: &middle)
        CanonicalJSONWriter.appendString(operatorID, to: &middle)
        key(#","origin":"#, into: &middle)
        CanonicalJSONWriter.appendString(origin, to: &middle)
        key(#","payload":"#, into: &middle)
        do { try CanonicalJSONWriter.append(payload, to: &middle) } catch { throw error.inside(.key("payload")).atRoot() }
        key(#","recordedAt":"#, into: &middle)
        var beforeSeq: [UInt8] = []
        if let sealed {
            key(#","sealed":{"alg":"#, into: &beforeSeq)
            CanonicalJSONWriter.appendString(SealedPayload.algorithm, to: &beforeSeq)
            key(#","ct":"#, into: &beforeSeq)
            CanonicalJSONWriter.appendString(Data(sealed.ciphertext).base64EncodedString(), to: &beforeSeq)
            key(#","nonce":"#, into: &beforeSeq)
            CanonicalJSONWriter.appendString(Data(sealed.nonce).base64EncodedString(), to: &beforeSeq)
            beforeSeq.append(UInt8(ascii: "}"))
        }
        key(#","seq":"#, into: &beforeSeq)
        var tail: [UInt8] = []
        if let subject {
            key(#","subject":"#, into: &tail)
            CanonicalJSONWriter.appendString(subject.text, to: &tail)
        }
        key(#","type":"#, into: &tail)
        CanonicalJSONWriter.appendString(type, to: &tail)
        key(#","typeVersion":"#, into: &tail)
        ECMAScriptNumber.appendInteger(Int64(typeVersion), to: &tail)
        key(#","v":"#, into: &tail)
        ECMAScriptNumber.appendInteger(Int64(MusterCore.formatVersion), to: &tail)
        tail.append(UInt8(ascii: "}"))
        parts = [head, middle, beforeSeq, tail]
        order = [.hlc, .recordedAt, .seq]
    }

    /// The entry's canonical bytes at its place in the log.
    func render(seq: UInt64, recordedAt: Timestamp, hlc: HLCStamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(64) { $0 + $1.count })
        for (i, hole) in order.enumerated() {
            out.append(contentsOf: parts[i])
            // Written in place: these run on the log's single writer, once per entry.
            switch hole {
            case .hlc:
                out.append(contentsOf: #"{"count":"#.utf8)
                ECMAScriptNumber.appendInteger(hlc.counter, to: &out)
                out.append(contentsOf: #","wall":"#.utf8)
                ECMAScriptNumber.appendInteger(hlc.wallMillis, to: &out)
                out.append(UInt8(ascii: "}"))
            case .recordedAt:
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: recordedAt.description.utf8)
                out.append(UInt8(ascii: "\""))
            case .seq:
                ECMAScriptNumber.appendInteger(Int64(seq), to: &out)
            }
        }
        out.append(contentsOf: parts[order.count])
        return out
    }
}
