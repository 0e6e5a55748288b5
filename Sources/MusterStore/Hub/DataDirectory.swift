public import Foundation
public import MusterCore

/// A hub's data directory and the files in it:
///
///     hub.json             origin and format (not secret)
///     log.key              the log's Ed25519 key, C2SP PRIVATE+KEY form (mode 0600)
///     keystore.key         key-encryption key of the subject key store, base64 (mode 0600)
///     blind-index.key      the movement's blind-index key, base64 (mode 0600)
///     log.sqlite           entries, tiles and checkpoints (WAL)
///     subject-keys.sqlite  subjects' data keys, wrapped under keystore.key
///     writer.lock          held (flock) by the one process that writes
public struct DataDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// A data directory at `path` (which may not exist yet).
    public init(path: String) { url = URL(fileURLWithPath: path).standardizedFileURL }

    /// The default: `$MUSTER_DATA_DIR`, else `./muster-data`.
    public static var defaultPath: String { ProcessInfo.processInfo.environment["MUSTER_DATA_DIR"] ?? "muster-data" }

    var hubFile: URL { url.appendingPathComponent("hub.json") }
    var logKeyFile: URL { url.appendingPathComponent("log.key") }
    var keystoreKeyFile: URL { url.appendingPathComponent("keystore.key") }
    var blindIndexKeyFile: URL { url.appendingPathComponent("blind-index.key") }
    var databasePath: String { url.appendingPathComponent("log.sqlite").path }
    var subjectKeysPath: String { url.appendingPathComponent("subject-keys.sqlite").path }
    var lockPath: String { url.appendingPathComponent("writer.lock").path }

    /// Creates a new hub: the directory, its keys (mode 0600) and hub.json. Refuses an existing hub.
    public func create(origin: String) throws -> NoteSigner {
        guard Origin.isValid(origin) else {
            throw StoreError(.invalidRequest, "origin '\(origin)' must be 1–255 printable ASCII characters without spaces or '+' (e.g. muster.example.org/hub/sheffield)")
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: hubFile.path) {
            throw StoreError(.dataDirectory, "\(url.path) already holds a hub; choose another --data-dir")
        }
        if let contents = try? fm.contentsOfDirectory(atPath: url.path), !contents.isEmpty {
            throw StoreError(.dataDirectory, "\(url.path) exists and is not empty; choose an empty or new --data-dir")
        }
        try fm.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let signer = try NoteSigner.generate(name: origin)
        try writeSecret(signer.skey + "\n", to: logKeyFile)
        try writeSecret(Data(Ed25519.generateSeed()).base64EncodedString() + "\n", to: keystoreKeyFile)
        try writeSecret(Data(Ed25519.generateSeed()).base64EncodedString() + "\n", to: blindIndexKeyFile)
        let manifest = try JSONSerialization.data(withJSONObject: ["origin": origin, "format": 1], options: [.sortedKeys])
        try manifest.write(to: hubFile, options: .atomic)
        return signer
    }

    /// The hub's origin, from hub.json.
    public func origin() throws -> String {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError(.dataDirectory, "no hub at \(url.path): run `muster init --origin ORIGIN --data-dir \(url.path)` first, or pass --data-dir")
        }
        guard let data = try? Data(contentsOf: hubFile),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let origin = object["origin"] as? String else {
            throw StoreError(.dataDirectory, "\(hubFile.path) is missing or unreadable: \(url.path) is not a Muster hub")
        }
        return origin
    }

    /// The log's signing key.
    public func logSigner() throws -> NoteSigner {
        let text = try readSecret(logKeyFile)
        do { return try NoteSigner(skey: text) } catch {
            throw StoreError(.keyFile, "\(logKeyFile.path) is not a C2SP private key (PRIVATE+KEY+…)")
        }
    }

    /// The key store's key-encryption key.
    public func keystoreKey() throws -> [UInt8] { try base64Secret(keystoreKeyFile) }

    /// The movement's blind-index key.
    public func blindIndexKey() throws -> [UInt8] { try base64Secret(blindIndexKeyFile) }

    private func base64Secret(_ file: URL) throws -> [UInt8] {
        guard let bytes = Data(base64Encoded: try readSecret(file)), bytes.count == 32 else {
            throw StoreError(.keyFile, "\(file.path) must hold 32 bytes in base64")
        }
        return Array(bytes)
    }

    private func readSecret(_ file: URL) throws -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let data = try? Data(contentsOf: file) else {
            throw StoreError(.keyFile, "\(file.path) is missing or unreadable")
        }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw StoreError(.keyFile, "\(file.path) is readable by others (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func writeSecret(_ text: String, to file: URL) throws {
        guard FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.keyFile, "cannot write \(file.path)")
        }
    }
}
