/// The canonical bytes of an entry with holes for the three members only the log's writer knows
/// (`hlc`, `recordedAt`, `seq`). Made once, off the writer's path, when a draft is prepared; the
/// writer then only fills the holes, so every entry is encoded exactly once.
///
/// RFC 8785 fixes the member order, so the holes' places are fixed too: the template is the
/// canonical encoding of the object with those members, split where their values go.
struct EntryTemplate: Sendable {
    /// The bytes around the holes, in one buffer: `{"hlc":` hole `bytes[..<clock]` hole
    /// `bytes[clock..<time]` hole `bytes[time...]`. RFC 8785 puts the holes in that order (`hlc`,
    /// `recordedAt`, `seq`) whatever the entry.
    private let bytes: [UInt8]
    private let clock: Int
    private let time: Int

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
        // One buffer, sized for a typical entry (about 700 bytes with a sealed payload), so it
        // is allocated once rather than grown piece by piece.
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        CanonicalJSONWriter.appendASCII(#","id":"#, to: &out)
        CanonicalJSONWriter.appendString(id.text, to: &out)
        CanonicalJSONWriter.appendASCII(#","operator":"#, to: &out)
        CanonicalJSONWriter.appendString(operatorID, to: &out)
        CanonicalJSONWriter.appendASCII(#","origin":"#, to: &out)
        CanonicalJSONWriter.appendString(origin, to: &out)
        CanonicalJSONWriter.appendASCII(#","payload":"#, to: &out)
        do { try CanonicalJSONWriter.append(payload, to: &out) } catch { throw error.inside(.key("payload")).atRoot() }
        CanonicalJSONWriter.appendASCII(#","recordedAt":"#, to: &out)
        let clock = out.count
        if let sealed {
            CanonicalJSONWriter.appendASCII(#","sealed":"#, to: &out)
            sealed.appendCanonical(to: &out)
        }
        CanonicalJSONWriter.appendASCII(#","seq":"#, to: &out)
        let time = out.count
        if let subject {
            CanonicalJSONWriter.appendASCII(#","subject":"#, to: &out)
            CanonicalJSONWriter.appendString(subject.text, to: &out)
        }
        CanonicalJSONWriter.appendASCII(#","type":"#, to: &out)
        CanonicalJSONWriter.appendString(type, to: &out)
        CanonicalJSONWriter.appendASCII(#","typeVersion":"#, to: &out)
        ECMAScriptNumber.appendInteger(Int64(typeVersion), to: &out)
        CanonicalJSONWriter.appendASCII(#","v":"#, to: &out)
        ECMAScriptNumber.appendInteger(Int64(MusterCore.formatVersion), to: &out)
        out.append(UInt8(ascii: "}"))
        (bytes, self.clock, self.time) = (out, clock, time)
    }

    /// The entry's canonical bytes at its place in the log. The holes are written in place: this
    /// runs on the log's single writer, once per entry.
    func render(seq: UInt64, recordedAt: Timestamp, hlc: HLCStamp) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 96)
        CanonicalJSONWriter.appendASCII(#"{"hlc":{"count":"#, to: &out)
        ECMAScriptNumber.appendInteger(hlc.counter, to: &out)
        CanonicalJSONWriter.appendASCII(#","wall":"#, to: &out)
        ECMAScriptNumber.appendInteger(hlc.wallMillis, to: &out)
        out.append(UInt8(ascii: "}"))
        out.append(contentsOf: bytes[..<clock])
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: recordedAt.description.utf8)
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: bytes[clock..<time])
        ECMAScriptNumber.appendInteger(Int64(seq), to: &out)
        out.append(contentsOf: bytes[time...])
        return out
    }
}
