/// The canonical bytes of an entry with holes for the three members only the log's writer knows
/// (`hlc`, `recordedAt`, `seq`). Made once, off the writer's path, when a draft is prepared; the
/// writer then only fills the holes, so every entry is encoded exactly once.
///
/// RFC 8785 fixes the member order, so the holes' places are fixed too: the template is the
/// canonical encoding of the object with those members, split where their values go.
struct EntryTemplate: Sendable {
    /// The bytes between the holes: `{"hlc":` hole `afterClock` hole `afterTime` hole `tail`.
    /// RFC 8785 puts the holes in that order (`hlc`, `recordedAt`, `seq`) whatever the entry.
    private let afterClock: [UInt8]
    private let afterTime: [UInt8]
    private let tail: [UInt8]

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
        var afterClock: [UInt8] = []
        afterClock.reserveCapacity(256)
        CanonicalJSONWriter.appendASCII(#","id":"#, to: &afterClock)
        CanonicalJSONWriter.appendString(id.text, to: &afterClock)
        CanonicalJSONWriter.appendASCII(#","operator":"#, to: &afterClock)
        CanonicalJSONWriter.appendString(operatorID, to: &afterClock)
        CanonicalJSONWriter.appendASCII(#","origin":"#, to: &afterClock)
        CanonicalJSONWriter.appendString(origin, to: &afterClock)
        CanonicalJSONWriter.appendASCII(#","payload":"#, to: &afterClock)
        do { try CanonicalJSONWriter.append(payload, to: &afterClock) } catch { throw error.inside(.key("payload")).atRoot() }
        CanonicalJSONWriter.appendASCII(#","recordedAt":"#, to: &afterClock)
        var afterTime: [UInt8] = []
        if let sealed {
            CanonicalJSONWriter.appendASCII(#","sealed":"#, to: &afterTime)
            sealed.appendCanonical(to: &afterTime)
        }
        CanonicalJSONWriter.appendASCII(#","seq":"#, to: &afterTime)
        var tail: [UInt8] = []
        if let subject {
            CanonicalJSONWriter.appendASCII(#","subject":"#, to: &tail)
            CanonicalJSONWriter.appendString(subject.text, to: &tail)
        }
        CanonicalJSONWriter.appendASCII(#","type":"#, to: &tail)
        CanonicalJSONWriter.appendString(type, to: &tail)
        CanonicalJSONWriter.appendASCII(#","typeVersion":"#, to: &tail)
        ECMAScriptNumber.appendInteger(Int64(typeVersion), to: &tail)
        CanonicalJSONWriter.appendASCII(#","v":"#, to: &tail)
        ECMAScriptNumber.appendInteger(Int64(MusterCore.formatVersion), to: &tail)
        tail.append(UInt8(ascii: "}"))
        (self.afterClock, self.afterTime, self.tail) = (afterClock, afterTime, tail)
    }

    /// The entry's canonical bytes at its place in the log. The holes are written in place: this
    /// runs on the log's single writer, once per entry.
    func render(seq: UInt64, recordedAt: Timestamp, hlc: HLCStamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(afterClock.count + afterTime.count + tail.count + 96)
        CanonicalJSONWriter.appendASCII(#"{"hlc":{"count":"#, to: &out)
        ECMAScriptNumber.appendInteger(hlc.counter, to: &out)
        CanonicalJSONWriter.appendASCII(#","wall":"#, to: &out)
        ECMAScriptNumber.appendInteger(hlc.wallMillis, to: &out)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: afterClock)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: recordedAt.description.utf8)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: afterTime)
        ECMAScriptNumber.appendInteger(Int64(seq), to: &out)
        out.append(contentsOf: tail)
        return out
    }
}
