import Foundation
@testable import MusterCore
import MusterDemo
import MusterTesting
import Testing

/// The one-pass tape check (``JSONTape`` + ``SchemaValidator/accepts(_:in:)``) against the
/// parser and tree validator it stands in for: everything it accepts they accept, it reads the
/// same values, and it takes every entry a hub writes.
@Suite struct EntryTapeCheckTests {
    static let entries = EntryFixtures.large.entries

    /// Walks a parsed value beside its tape: every member found by name, every string and
    /// integer read back equal, every string's length in code points and every container's
    /// count and extent right.
    static func expectSame(_ value: JSONValue, _ tape: JSONTape, _ at: Int, _ u: UnsafeBufferPointer<UInt8>) {
        let token = tape.tokens[at]
        switch value {
        case .object(let members):
            #expect(token.kind == .object && tape.tokens.withUnsafeBufferPointer { JSONTape.count($0, at) } == members.count)
            for (name, member) in members {
                var key = name
                let found = key.withUTF8 { tape.member($0, of: at, in: u) }
                guard let found else { Issue.record("member \(name) not found on the tape"); continue }
                expectSame(member, tape, found, u)
            }
        case .array(let elements):
            #expect(token.kind == .array && tape.tokens.withUnsafeBufferPointer { JSONTape.count($0, at) } == elements.count)
            var j = at + 1
            for element in elements {
                expectSame(element, tape, j, u)
                j = Int(tape.tokens[j].next)
            }
            #expect(j == Int(token.next))
        case .string(let s):
            #expect(tape.string(at, in: u) == s)
            #expect(JSONTape.scalarCount(token, u) == Int64(s.unicodeScalars.count))
        case .number: #expect(tape.integer(at, in: u) == value.integerValue)
        case .bool(let b): #expect(token.kind == (b ? .true : .false))
        case .null: #expect(token.kind == .null)
        }
    }

    /// A token is sixteen bytes, so an entry's tape (some fifty tokens) fits in the 1 KiB that
    /// `JSONTape` reserves, an allocation the allocator serves from its per-thread cache.
    @Test func aTokenIsSixteenBytesAndAnEntrysTapeFitsItsFirstAllocation() throws {
        #expect(MemoryLayout<JSONTape.Token>.stride == 16)
        for entry in Self.entries {
            let tape = try #require(entry.bytes.withUnsafeBufferPointer { JSONTape($0) })
            #expect(tape.tokens.count <= 60, "\(tape.tokens.count) tokens: \(String(decoding: entry.bytes, as: UTF8.self))")
        }
    }

    @Test func everyEntryAHubWritesIsCheckedOnTheTapeAndReadsAsTheTreeDoes() throws {
        for entry in Self.entries {
            let checked = try CheckedEntry(entry.bytes)
            #expect(checked.checkedOnTape, "declined: \(String(decoding: entry.bytes, as: UTF8.self))")
            let tree = try CanonicalJSON.parse(entry.bytes)
            entry.bytes.withUnsafeBufferPointer { u in
                guard let tape = JSONTape(u) else { Issue.record("tape declined"); return }
                Self.expectSame(tree, tape, 0, u)
            }
            #expect(checked.string("id") == entry.envelope.id.text)
            #expect(checked.integer("seq") == Int64(entry.envelope.seq))
            #expect(checked.integer("hlc", "wall") == entry.envelope.hlc.wallMillis)
        }
        // Both kinds of entry are among them: with and without sealed personal fields.
        #expect(Self.entries.contains { $0.envelope.sealed != nil } && Self.entries.contains { $0.envelope.sealed == nil })
    }

    /// The envelope read off the tape (what replay, catch-up and sync read) equals the one read
    /// from the parsed tree, for every kind of entry, including escaped and non-ASCII text.
    @Test func theEnvelopeReadOffTheTapeIsTheOneReadFromTheTree() throws {
        let odd = try Self.voidWithReason("said \"no\"\\ then\n\tleft \u{01} — café 🎉")
        let signed = try AuthorSignatureTests.signed(by: AuthorSignatureTests.treasurer).signed
        #expect(signed.envelope.authorSignature != nil)
        for bytes in Self.entries.map(\.bytes) + [odd, signed.bytes] {
            let tree = try Envelope(validated: CanonicalJSON.parse(bytes))
            #expect(try Entry.decode(stored: bytes).envelope == tree)
            #expect(try Entry.decode(bytes).envelope == tree)
            #expect(tree.json == (try CanonicalJSON.parse(bytes)), "the envelope does not give back its entry")
        }
        // Stored bytes the tape reads but whose members are wrong give the tree path's errors.
        var broken = EntryFixtures.json(Self.entries[0])
        broken = EntryFixtures.setting(broken, ["hlc", "wall"], to: .string("soon"))
        let bytes = try CanonicalJSON.encode(broken)
        func reason(_ bytes: [UInt8]) -> String? {
            do { _ = try Entry.decode(stored: bytes); return nil } catch { return error.reason }
        }
        #expect(reason(bytes) == "$.hlc.wall must be an integer")
        var sealed = EntryFixtures.json(Self.entries.first { $0.envelope.sealed != nil }!)
        sealed = EntryFixtures.setting(sealed, ["sealed", "nonce"], to: .string("QR=="))
        #expect(reason(try CanonicalJSON.encode(sealed)) == "sealed.nonce must be canonical standard base64")
    }

    /// A void whose reason needs every kind of escape RFC 8785 writes, and non-ASCII text.
    static func voidWithReason(_ reason: String) throws -> [UInt8] {
        let base = EntryFixtures.json(entries[1])
        var json = EntryFixtures.setting(base, ["type"], to: .string(EventVoided.schema.type))
        json = EntryFixtures.setting(json, ["typeVersion"], to: .number(1))
        json = EntryFixtures.setting(json, ["subject"], to: nil)
        json = EntryFixtures.setting(json, ["sealed"], to: nil)
        json = EntryFixtures.setting(json, ["payload"], to: .object([
            "target": .string(entries[0].envelope.id.text), "reason": .string(reason),
        ]))
        return try CanonicalJSON.encode(json)
    }

    @Test func escapedAndNonASCIIStringsAreCheckedOnTheTapeAndReadUnescaped() throws {
        let reason = "said \"no\"\\ then\n\tleft \u{01}\u{1F} — café 🎉"
        let bytes = try Self.voidWithReason(reason)
        _ = try Entry.checkedJSON(bytes)
        let checked = try CheckedEntry(bytes)
        #expect(checked.checkedOnTape)
        #expect(checked.string("payload", "reason") == reason)
        // 500 code points is the limit: counted in code points, not bytes, on the tape too.
        let long = String(repeating: "é", count: 500)
        #expect(try CheckedEntry(Self.voidWithReason(long)).checkedOnTape)
        let tooLong = try Self.voidWithReason(long + "e")
        #expect(bytesDeclined(tooLong))
        #expect(throws: CoreError.self) { try CheckedEntry(tooLong) }
    }

    /// The string scanners find a special byte where it is in its eight-byte word, whatever is
    /// around it: random strings of quotes, backslashes, controls, spaces, DEL and non-ASCII beside
    /// plain letters, written canonically, read back through the tape and the parser as they were,
    /// and their escapes' and code points' counts as the text has them.
    @Test func stringsWithSpecialBytesAnywhereReadBackOnTheTapeAndThroughTheParser() throws {
        let alphabet: [Character] = ["a", "z", " ", "!", "#", "\"", "\\", "\u{1F}", "\u{00}", "\u{7F}", "é", "€", "🎉", "[", "]"]
        var rng = SeededGenerator(seed: 8)
        for _ in 0..<3000 {
            let text = String((0..<Int.random(in: 0...24, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let bytes = try CanonicalJSON.encode(.array([.string(text), .string("after")]))
            #expect(try CanonicalJSON.parseCanonical(bytes) == .array([.string(text), .string("after")]))
            bytes.withUnsafeBufferPointer { u in
                guard let tape = JSONTape(u) else { Issue.record("tape declined \(text.debugDescription)"); return }
                #expect(tape.string(1, in: u) == text)
                #expect(JSONTape.scalarCount(tape.tokens[1], u) == Int64(text.unicodeScalars.count))
                #expect(tape.string(Int(tape.tokens[1].next), in: u) == "after")
            }
        }
    }

    /// Members found in one pass over an object are the ones found by name one at a time: for
    /// every entry's object and its payload, asked for the names it holds, names it lacks between
    /// and around them, and prefixes and extensions of its names.
    @Test func membersFoundInOnePassAreTheOnesFoundByName() throws {
        let names: [StaticString] = [
            "", "a", "amount", "authorSig", "h", "hlc", "hlcs", "id", "ids", "operator", "origin", "payload", "receivedOn",
            "recordedAt", "region", "sealed", "seq", "subject", "type", "typeVersion", "typeVersionX", "v", "zzz",
        ]
        var rng = SeededGenerator(seed: 9)
        for entry in Self.entries.prefix(300) {
            entry.bytes.withUnsafeBufferPointer { u in
                guard let tape = JSONTape(u) else { Issue.record("tape declined an entry"); return }
                let objects = [0] + [tape.member("payload", of: 0, in: u)].compactMap { $0 }
                for object in objects {
                    let asked = names.filter { _ in Bool.random(using: &rng) }
                    var found = [Int](repeating: 0, count: asked.count)
                    found.withUnsafeMutableBufferPointer { tape.members(asked, of: object, in: u, into: $0) }
                    for (name, at) in zip(asked, found) {
                        #expect(at == (tape.member(name, of: object, in: u) ?? -1), "\(name)")
                    }
                }
            }
        }
    }

    func bytesDeclined(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer({ CheckedEntry.tapeCheck($0) }) == nil }

    /// Textual edits of a real entry that leave it JSON but not a canonical, valid entry: the
    /// tape declines each, and the parser rejects each with its own message.
    @Test func nonCanonicalOrInvalidEditsAreDeclinedAndRejected() throws {
        let entry = Self.entries.first { $0.envelope.seq == 7 }!
        let text = String(decoding: entry.bytes, as: UTF8.self)
        let op = entry.envelope.operatorID
        let edits: [(String, String)] = [
            ("\"seq\":7", "\"seq\":7.0"), ("\"seq\":7", "\"seq\":7e0"), ("\"seq\":7", "\"seq\":07"),
            ("\"seq\":7", "\"seq\": 7"), ("\"seq\":7", "\"seq\":-0"), ("\"seq\":7", "\"seq\":0"),
            ("\"seq\":7", "\"seq\":9007199254740992"), ("\"v\":1", "\"v\":2"),
            ("\"operator\":\"\(op)\"", "\"operator\":\"\(op)\\/\""),
            ("\"operator\":\"\(op)\"", "\"operator\":\"\\u0061\(op)\""),
            ("\"operator\":\"\(op)\"", "\"operator\":\"\(op)\",\"operator\":\"\(op)\""),
            ("\"origin\"", "\"zorigin\""), ("\"v\":1}", "\"v\":1,\"w\":true}"),
            ("{", " {"), ("\"v\":1}", "\"v\":1} "),
        ]
        for (from, to) in edits {
            #expect(text.contains(from), "\(from)")
            let edited = Array(text.replacingOccurrences(of: from, with: to).utf8)
            #expect(bytesDeclined(edited), "tape accepted \(to)")
            #expect(throws: CoreError.self, "\(to)") { try CheckedEntry(edited) }
        }
        // Bytes that are not UTF-8, and escapes RFC 8785 never writes, inside a reason.
        for bad: [UInt8] in [[0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF], Array("\\u000a".utf8), Array("\\u001F".utf8)] {
            var bytes = try Self.voidWithReason("left")
            let at = bytes.indices.first { bytes[$0...].starts(with: Array("left".utf8)) }!
            bytes.insert(contentsOf: bad, at: at)
            #expect(bytesDeclined(bytes))
            #expect(throws: CoreError.self) { try CheckedEntry(bytes) }
        }
    }

    /// Random byte edits of real entries: whatever the tape accepts, the parser and the tree
    /// validator accept too.
    @Test func randomEditsTheTapeAcceptsAreValid() throws {
        var rng = SeededGenerator(seed: 8785)
        let alphabet = Array(" \"\\{}[],:-.0159eEuatfn".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xFF]
        var accepted = 0, tried = 0
        for entry in Self.entries.prefix(300) {
            for _ in 0..<40 {
                var bytes = entry.bytes
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes[at] = rng.pick(alphabet)
                    case 1: bytes.insert(rng.pick(alphabet), at: at)
                    default: bytes.remove(at: at)
                    }
                }
                tried += 1
                guard !bytesDeclined(bytes) else { continue }
                accepted += 1
                #expect(throws: Never.self, "\(String(decoding: bytes, as: UTF8.self))") { _ = try Entry.checkedJSON(bytes) }
            }
        }
        // Some edits stay valid (a digit of a hash, a letter of free text), so the property was exercised.
        #expect(accepted > 0 && accepted < tried)
    }

    /// RFC 8785's own vectors: the tape declines every non-canonical input, and whatever output it
    /// accepts reads as the parser reads it.
    @Test(arguments: CanonicalJSONVectorTests.names)
    func canonicalizationVectors(name: String) throws {
        let input = try CanonicalJSONVectorTests.input(name)
        let output = try CanonicalJSONVectorTests.output(name)
        if input != output { #expect(input.withUnsafeBufferPointer { JSONTape($0) } == nil) }
        let tree = try CanonicalJSON.parseCanonical(output)
        output.withUnsafeBufferPointer { u in
            if let tape = JSONTape(u) { Self.expectSame(tree, tape, 0, u) }
        }
    }
}

/// A draft's personal fields are checked on their canonical bytes (the plaintext then sealed),
/// the tree validator standing behind: whatever the tape check accepts, the tree validator
/// accepts; it accepts every personal object the synthetic movement seals; and a draft whose
/// personal fields are wrong is refused with the tree validator's message.
@Suite struct PersonalFieldsTapeCheckTests {
    static let personal: [(EventCatalog.Entry, JSONValue)] = SyntheticMovement(.init(members: 60)).events.compactMap { e in
        guard let p = e.draft.personal else { return nil }
        return (try! EventCatalog.latest(type: e.draft.type), p)
    }

    @Test func theTapeCheckAcceptsOnlyWhatTheTreeValidatorAccepts() throws {
        #expect(Set(Self.personal.map { $0.0.schema.type }).count >= 2)
        var rng = SeededGenerator(seed: 41)
        let odd: [JSONValue] = [.null, .bool(true), .number(1.5), .number(7), .string(""), .string("\u{01}\"é"),
                                .string(String(repeating: "x", count: 600)), .array([.string("a")]), .object(["x": .null])]
        var accepted = 0, refused = 0
        for (catalogued, value) in Self.personal {
            let validator = catalogued.personalValidator
            #expect(validator.accepts(canonical: try CanonicalJSON.encode(value)), "\(value)")
            guard var members = value.objectValue else { Issue.record("personal fields not an object"); continue }
            for _ in 0..<20 {
                switch members.isEmpty ? 2 : Int.random(in: 0..<3, using: &rng) {
                case 0: members[members.keys.randomElement(using: &rng)!] = odd.randomElement(using: &rng)!
                case 1: members[members.keys.randomElement(using: &rng)!] = nil
                default: members["extra\(Int.random(in: 0..<3, using: &rng))"] = odd.randomElement(using: &rng)!
                }
                let mutated = JSONValue.object(members)
                let tapeSays = validator.accepts(canonical: try CanonicalJSON.encode(mutated))
                let treeSays = (try? validator.validate(mutated, context: "t")) != nil
                if tapeSays { #expect(treeSays, "tape accepts what the tree refuses: \(mutated)") }
                if treeSays { accepted += 1 } else { refused += 1 }
                if Bool.random(using: &rng) { members = value.objectValue! }
            }
        }
        #expect(accepted > 0 && refused > 0)
    }

    @Test func aDraftWithWrongPersonalFieldsGetsTheTreeValidatorsMessage() throws {
        let (catalogued, value) = Self.personal[0]
        var members = value.objectValue!
        members[members.keys.sorted()[0]] = .number(7)
        let wrong = JSONValue.object(members)
        var expected = ""
        do { try catalogued.personalValidator.validate(wrong, context: "\(catalogued.schema.type) v\(catalogued.schema.version) personal fields") }
        catch { expected = "\(error)" }
        #expect(!expected.isEmpty)
        let event = SyntheticMovement(.init(members: 60)).events.first { $0.draft.personal != nil }!
        var draft = event.draft
        draft.personal = wrong
        #expect(draft.type == catalogued.schema.type)
        #expect(throws: CoreError.self) { try PreparedEntry(draft, origin: "example.org/hub/t", keys: InMemorySubjectKeyStore()) }
        do { _ = try PreparedEntry(draft, origin: "example.org/hub/t", keys: InMemorySubjectKeyStore()) }
        catch { #expect("\(error)" == expected) }
    }
}
