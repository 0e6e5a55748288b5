import Foundation
import MusterTesting

/// Loads and decodes the shared vectors used by the Note suites. Values are read at run time;
/// none are copied into Swift source.
enum NoteVectors {
    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Vectors.data(path))
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try Vectors.data(path), as: UTF8.self)
    }

    static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    static func base64(_ text: String) -> [UInt8] {
        [UInt8](Data(base64Encoded: text) ?? Data())
    }

    /// The `LOG_PUBLIC_KEY` or `LOG_PRIVATE_KEY` value from the tessera SOURCE.md.
    static func tesseraKey(_ variable: String) throws -> String {
        let source = try text("transparency-dev-tessera/SOURCE.md")
        for line in source.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix(variable + " ") || trimmed.hasPrefix(variable + "=") else { continue }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            return trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        throw CocoaError(.fileReadCorruptFile)
    }
}

/// golang-mod-sumdb/note-vectors.json.
struct SumdbNoteVectors: Decodable {
    struct Key: Decodable { let name: String; let keyIdHex: String; let vkey: String; let skey: String? }
    struct Signed: Decodable { let desc: String; let message: String; let verifiesWith: [String] }
    struct Message: Decodable { let desc: String; let message: String }
    struct BadKey: Decodable { let vkey: String; let why: String }
    struct TreeNote: Decodable { let treeSize: UInt64; let text: String }
    let keys: [Key]
    let noteText: String
    let signedNotes: [Signed]
    let signatureLines: [String: String]
    let malformedNotes: [Message]
    let invalidSignature: Message
    let badVkeys: [BadKey]
    let treeNote: TreeNote
}

/// transparency-dev-formats/checkpoint-and-note-vectors.json.
struct NoteFormatsVectors: Decodable {
    struct Marshal: Decodable { let origin: String; let size: UInt64; let hashUtf8: String; let text: String }
    struct Want: Decodable { let origin: String; let size: UInt64; let hashUtf8: String }
    struct Unmarshal: Decodable {
        let desc: String; let text: String; let want: Want?; let rest: String?; let wantErr: Bool?
    }
    struct KeyPair: Decodable { let vkey: String; let skey: String }
    struct RealCheckpoint: Decodable { let vkey: String; let message: String; let origin: String; let treeSize: UInt64 }
    struct TimestampCase: Decodable { let sigBase64: String; let wantUnixSeconds: UInt64?; let wantErr: Bool? }
    struct CosignerKey: Decodable { let vkey: String }
    struct CosignatureV1: Decodable {
        let timestampParse: [TimestampCase]
        let vkeys: [CosignerKey]
        let invalidVkeys: [CosignerKey]
    }
    let marshal: [Marshal]
    let unmarshal: [Unmarshal]
    let testKeys: [KeyPair]
    let realSumdbCheckpoint: RealCheckpoint
    let cosignatureV1: CosignatureV1
}
