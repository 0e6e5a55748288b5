import Foundation
public import MusterCore
import Crypto

/// The roster and operator tokens in a data directory:
///
///     root.vkey      the movement's root verifier key, pinned by the first roster installed
///     roster.note    the current roster, a signed note (see ``Roster``)
///     operators      one line per operator token: name, then SHA-256 of the token in hex (mode 0600)
extension DataDirectory {
    var rootKeyFile: URL { url.appendingPathComponent("root.vkey") }
    var rosterFile: URL { url.appendingPathComponent("roster.note") }
    var operatorsFile: URL { url.appendingPathComponent("operators") }

    /// The installed roster, checked against the pinned root key; nil when none is installed.
    public func roster() throws -> Roster? {
        guard let note = try? String(contentsOf: rosterFile, encoding: .utf8) else { return nil }
        guard let pinned = try pinnedRoot() else {
            throw StoreError(.dataDirectory, "\(rosterFile.path) exists but \(rootKeyFile.path) does not; reinstall the roster with --root-vkey")
        }
        do { return try Roster.open(note, root: pinned) } catch {
            throw StoreError(.dataDirectory, "\(rosterFile.path): \(error)")
        }
    }

    /// The signed roster note as installed.
    public func rosterNote() -> String? { try? String(contentsOf: rosterFile, encoding: .utf8) }

    /// The pinned root key.
    public func pinnedRoot() throws -> NoteVerifier? {
        guard let text = try? String(contentsOf: rootKeyFile, encoding: .utf8) else { return nil }
        do { return try NoteVerifier(vkey: text.trimmingCharacters(in: .whitespacesAndNewlines)) } catch {
            throw StoreError(.dataDirectory, "\(rootKeyFile.path) is not a vkey: \(error)")
        }
    }

    /// Installs a signed roster. The first install pins `root`; later ones must be signed by the
    /// pinned key (a different `root` is refused) and carry a higher version. Returns the roster,
    /// or nil when it is the one already installed.
    @discardableResult
    public func installRoster(note: String, root: NoteVerifier?) throws -> Roster? {
        let pinned = try pinnedRoot()
        if let pinned, let root, pinned != root {
            throw StoreError(.invalidRequest, "this hub's roster is pinned to root key \(pinned.vkey), not \(root.vkey)")
        }
        guard let key = pinned ?? root else {
            throw StoreError(.invalidRequest, "no root key is pinned yet: pass the movement's root vkey (--root-vkey)")
        }
        let roster: Roster
        do { roster = try Roster.open(note, root: key) } catch { throw StoreError(.invalidRequest, "\(error)") }
        if let current = try self.roster() {
            if current.version == roster.version, current == roster { return nil }
            guard roster.version > current.version else {
                throw StoreError(.conflict, "roster version \(roster.version) is not newer than the installed version \(current.version)")
            }
        }
        if pinned == nil { try Data((key.vkey + "\n").utf8).write(to: rootKeyFile, options: .atomic) }
        try Data(note.utf8).write(to: rosterFile, options: .atomic)
        return roster
    }

    /// Adds an operator and returns the new bearer token (shown once; only its hash is kept).
    public func addOperatorToken(name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.@".contains($0) }) else {
            throw StoreError(.invalidRequest, "operator name '\(name)' must be letters, digits, '-', '_', '.' or '@'")
        }
        var lines = (try? String(contentsOf: operatorsFile, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        guard !lines.contains(where: { $0.split(separator: " ").first.map(String.init) == name }) else {
            throw StoreError(.conflict, "operator '\(name)' already has a token")
        }
        let token = "mst_" + Data(Ed25519.generateSeed()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        lines.append("\(name) \(Self.tokenHash(token))")
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        let tmp = operatorsFile.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: tmp.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(.keyFile, "cannot write \(operatorsFile.path)")
        }
        guard rename(tmp.path, operatorsFile.path) == 0 else { throw StoreError(.keyFile, "cannot write \(operatorsFile.path)") }
        return token
    }

    /// The operator a bearer token belongs to, if any.
    public func operatorName(token: String) -> String? {
        guard let text = try? String(contentsOf: operatorsFile, encoding: .utf8) else { return nil }
        let hash = Self.tokenHash(token)
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[1] == hash { return String(parts[0]) }
        }
        return nil
    }

    static func tokenHash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
