/// The schema of the envelope every entry shares (ARCHITECTURE.md "Entry format").
enum EnvelopeSchema {
    static let required = ["v", "origin", "seq", "id", "type", "typeVersion", "recordedAt", "hlc", "operator", "payload"]

    static func properties(type: String, version: Int) -> [String: JSONValue] {
        [
            "v": .object(["const": .number(Double(MusterCore.formatVersion)), "description": .string("Entry format version.")]),
            "origin": SchemaFragments.string(pattern: PatternLibrary.origin, maxLength: 255),
            "seq": SchemaFragments.integer(1, 9_007_199_254_740_991),
            "id": SchemaFragments.string(pattern: PatternLibrary.uuidV7),
            "type": .object(["const": .string(type)]),
            "typeVersion": .object(["const": .number(Double(version))]),
            "recordedAt": SchemaFragments.fragment(for: .timestamp),
            "hlc": .object(["$ref": .string("#/$defs/hlc")]),
            "operator": SchemaFragments.string(pattern: PatternLibrary.operatorID),
            "authorSig": .object(["$ref": .string("#/$defs/authorSig")]),
        ]
    }

    static let hlc: JSONValue = SchemaFragments.object(
        [
            .required("wall", .integer(min: 0, max: 9_007_199_254_740_991), "Hybrid logical clock: physical part, Unix ms."),
            .required("count", .integer(min: 0, max: 9_007_199_254_740_991), "Hybrid logical clock: logical counter."),
        ], description: "Hybrid logical clock stamp; orders last-writer-wins merges across hubs.")

    static let sealed: JSONValue = .object([
        "type": .string("object"),
        "description": .string("AES-256-GCM ciphertext of the personal fields, AAD = origin LF id."),
        "properties": .object([
            "alg": .object(["const": .string("A256GCM")]),
            "nonce": .object(["type": .string("string"), "pattern": .string(PatternLibrary.base64), "minLength": .number(16), "maxLength": .number(16)]),
            "ct": .object(["type": .string("string"), "pattern": .string(PatternLibrary.base64), "minLength": .number(24), "maxLength": .number(65_536)]),
        ]),
        "required": .array(["alg", "ct", "nonce"].map(JSONValue.string)),
        "additionalProperties": .bool(false),
    ])

    static let authorSig: JSONValue = .object([
        "type": .string("object"),
        "description": .string("An operator's Ed25519 signature over the canonical entry without authorSig."),
        "properties": .object([
            "vkey": .object(["type": .string("string"), "minLength": .number(1), "maxLength": .number(512)]),
            "sig": .object(["type": .string("string"), "pattern": .string(PatternLibrary.base64), "minLength": .number(88), "maxLength": .number(88)]),
        ]),
        "required": .array(["sig", "vkey"].map(JSONValue.string)),
        "additionalProperties": .bool(false),
    ])
}
