import Foundation
@testable import MusterCore
import MusterDemo
import Testing

/// Cross-checks against Python's `jsonschema` (an independent 2020-12 implementation): every
/// schema is a valid 2020-12 schema, and both validators reach the same verdict on real and
/// deliberately broken entries.
@Suite struct EntrySchemaPythonTests {
    @Test func everySchemaPassesDraft202012CheckSchema() throws {
        let dir = try EntryFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try EntryPython.writeSchemas(to: dir)
        let output = try EntryPython.run("""
            for name in sorted(os.listdir(sys.argv[1])):
                with open(os.path.join(sys.argv[1], name), "rb") as f:
                    doc = json.load(f)
                try:
                    Draft202012Validator.check_schema(doc)
                    print("ok " + name)
                except jsonschema.exceptions.SchemaError as e:
                    print("bad %s: %s at %s" % (name, e.message, list(e.path)))
            """, arguments: [dir.path])
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == EventCatalog.schemas.count)
        for line in lines { #expect(line.hasPrefix("ok "), "\(line)") }
    }

    /// A named way to break an entry; nil when it does not apply to the entry's type.
    struct Mutation: Sendable {
        let name: String
        let apply: @Sendable (JSONValue, EventSchema) -> JSONValue?
    }

    static func field(_ schema: EventSchema, where match: (FieldKind) -> Bool) -> String? {
        schema.clear.first { match($0.kind) }?.name
    }

    static func payload(_ name: String, _ pathFromField: [String] = [], _ value: JSONValue?,
                        _ match: @escaping @Sendable (FieldKind) -> Bool) -> Mutation {
        Mutation(name: name) { entry, schema in
            guard let f = field(schema, where: match), entry["payload"]?[f] != nil else { return nil }
            return EntryFixtures.setting(entry, ["payload", f] + pathFromField, to: value)
        }
    }

    static func envelope(_ name: String, _ key: String, _ value: JSONValue?) -> Mutation {
        Mutation(name: name) { entry, _ in EntryFixtures.setting(entry, [key], to: value) }
    }

    static let isMoney: @Sendable (FieldKind) -> Bool = { if case .money = $0 { true } else { false } }
    static let isConstituency: @Sendable (FieldKind) -> Bool = { if case .constituency = $0 { true } else { false } }
    static let isDate: @Sendable (FieldKind) -> Bool = { if case .date = $0 { true } else { false } }
    static let isToken: @Sendable (FieldKind) -> Bool = {
        switch $0 { case .token, .region: true; default: false }
    }

    static let mutations: [Mutation] = [
        Mutation(name: "required payload field removed") { entry, schema in
            schema.clear.first(where: \.isRequired).map { EntryFixtures.setting(entry, ["payload", $0.name], to: nil) }
        },
        payload("wrong type (array)", [], .array([])) { _ in true },
        payload("wrong type (fraction)", [], .number(1.5)) { _ in true },
        payload("bad enum", [], .string("not-a-token"), isToken),
        payload("negative amount", ["minor"], .number(-5), isMoney),
        payload("amount above 2^53-1", ["minor"], .number(9_007_199_254_740_992), isMoney),
        payload("unknown currency", ["currency"], .string("XYZ"), isMoney),
        payload("lowercase currency", ["currency"], .string("gbp"), isMoney),
        payload("bad GSS prefix", ["code"], .string("E15001063"), isConstituency),
        payload("short GSS code", ["code"], .string("E1400106"), isConstituency),
        payload("unknown boundary set", ["boundarySet"], .string("2019"), isConstituency),
        payload("impossible date", [], .string("2025-02-30"), isDate),
        payload("date without zero padding", [], .string("2025-2-03"), isDate),
        payload("leap day in a common year", [], .string("2023-02-29"), isDate),
        envelope("extra envelope field", "extra", .string("x")),
        Mutation(name: "extra payload field") { entry, _ in EntryFixtures.setting(entry, ["payload", "surprise"], to: .string("x")) },
        envelope("recordedAt at 24:00", "recordedAt", .string("2025-01-01T24:00:00.000Z")),
        envelope("recordedAt with offset", "recordedAt", .string("2025-01-01T00:00:00.000+00:00")),
        envelope("recordedAt without millis", "recordedAt", .string("2025-01-01T00:00:00Z")),
        envelope("recordedAt on 2025-02-29", "recordedAt", .string("2025-02-29T00:00:00.000Z")),
        envelope("recordedAt leap second", "recordedAt", .string("2016-12-31T23:59:60.000Z")),
        envelope("subject removed", "subject", nil),
        envelope("subject uppercase", "subject", .string("0190A5B2-7C3D-4E4F-8A1B-2C3D4E5F6A7B")),
        envelope("subject set", "subject", .string("0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b")),
        envelope("id is a v4 uuid", "id", .string("0190a5b2-7c3d-4e4f-8a1b-2c3d4e5f6a7b")),
        envelope("seq 0", "seq", .number(0)),
        envelope("seq fraction", "seq", .number(2.5)),
        envelope("format version 2", "v", .number(2)),
        envelope("operator uppercase", "operator", .string("Op-Ben")),
        envelope("origin with plus", "origin", .string("hub+one")),
        Mutation(name: "negative hlc counter") { entry, _ in EntryFixtures.setting(entry, ["hlc", "count"], to: .number(-1)) },
        Mutation(name: "sealed ct not base64") { entry, _ in
            entry["sealed"] == nil ? nil : EntryFixtures.setting(entry, ["sealed", "ct"], to: .string("*not*base64*but*long*enough*"))
        },
        Mutation(name: "sealed nonce short") { entry, _ in
            entry["sealed"] == nil ? nil : EntryFixtures.setting(entry, ["sealed", "nonce"], to: .string("AAAA"))
        },
        Mutation(name: "sealed removed") { entry, _ in entry["sealed"] == nil ? nil : EntryFixtures.setting(entry, ["sealed"], to: nil) },
    ]

    @Test func swiftAndPythonValidatorsAgreeLineByLine() throws {
        var cases: [(label: String, mutation: String, json: JSONValue)] = []
        var perType: [String: Int] = [:]
        for entry in EntryFixtures.small.entries {
            let json = EntryFixtures.json(entry)
            cases.append(("\(entry.envelope.type) seq \(entry.envelope.seq)", "none", json))
            perType[entry.envelope.type, default: 0] += 1
            guard perType[entry.envelope.type]! <= 2 else { continue }
            let schema = try EventCatalog.lookup(type: entry.envelope.type, version: entry.envelope.typeVersion).schema
            for m in Self.mutations {
                if let mutated = m.apply(json, schema), mutated != json {
                    cases.append(("\(entry.envelope.type) seq \(entry.envelope.seq): \(m.name)", m.name, mutated))
                }
            }
        }
        let dir = try EntryFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try EntryPython.writeSchemas(to: dir)
        var jsonl: [UInt8] = []
        for c in cases { jsonl += try CanonicalJSON.encode(c.json) + [0x0A] }
        let file = dir.appendingPathComponent("entries.jsonl")
        try Data(jsonl).write(to: file)
        let output = try EntryPython.run("""
            validators = {}
            for name in os.listdir(sys.argv[1]):
                if not name.endswith(".schema.json"): continue
                with open(os.path.join(sys.argv[1], name), "rb") as f:
                    doc = json.load(f)
                key = (doc["properties"]["type"]["const"], doc["properties"]["typeVersion"]["const"])
                validators[key] = Draft202012Validator(doc, format_checker=Draft202012Validator.FORMAT_CHECKER)
            with open(sys.argv[2], "rb") as f:
                for line in f:
                    entry = json.loads(line)
                    v = validators.get((entry["type"], entry["typeVersion"]))
                    errors = [] if v is None else list(v.iter_errors(entry))
                    print("unknown" if v is None else "valid" if not errors else "invalid " + errors[0].json_path)
            """, arguments: [dir.path, file.path])
        let verdicts = output.split(separator: "\n").map(String.init)
        try #require(verdicts.count == cases.count, "one verdict per line")
        var disagreements: [String] = []
        var mutatedChecked = 0
        for (c, python) in zip(cases, verdicts) {
            let validator = try EventCatalog.lookup(type: c.json["type"]!.stringValue!, version: 1).entryValidator
            let swift = validator.violations(of: c.json)
            if c.mutation == "none" { #expect(swift.isEmpty, "\(c.label): \(swift)") } else { mutatedChecked += 1 }
            guard swift.isEmpty != (python == "valid") else { continue }
            let line = "\(c.label): swift \(swift.first.map(\.description) ?? "valid") / python \(python)"
            disagreements.append(line)
        }
        #expect(mutatedChecked > 500)
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements:\n\(disagreements.prefix(20).joined(separator: "\n"))")
    }
}
