import Foundation

/// Peer authentication: HTTP Message Signatures (RFC 9421) with Ed25519, the subset Muster uses.
///
/// A hub signs each sync request with its log key; the server looks the key id up in the
/// roster. The covered components are fixed — `"@method" "@path" "@query"` — with the parameters
/// `created`, `keyid` (the member's name), `alg="ed25519"` and `tag="muster-sync"`:
///
///     Signature-Input: muster=("@method" "@path" "@query");created=1700000000;keyid="a.example/hub";alg="ed25519";tag="muster-sync"
///     Signature: muster=:<base64 of the 64-byte signature>:
///
/// The signature base is RFC 9421 §2.5's: one line per component, then `"@signature-params"`.
/// Such a base can never be a checkpoint signed by the same key: a checkpoint's first line is
/// the origin, which has no spaces, while the base's first line is `"@method": …`.
public enum RequestSignature {
    /// The signature label.
    public static let label = "muster"
    /// The application tag.
    public static let tag = "muster-sync"
    /// How far a request's `created` may be from the server's clock, in seconds.
    public static let allowedSkew: Int64 = 300
    static let components = #"("@method" "@path" "@query")"#

    /// The two headers for a request.
    public struct Headers: Sendable, Hashable {
        /// `Signature-Input`.
        public let signatureInput: String
        /// `Signature`.
        public let signature: String
        /// Headers as received.
        public init(signatureInput: String, signature: String) {
            self.signatureInput = signatureInput
            self.signature = signature
        }
    }

    /// The RFC 9421 signature base.
    static func base(method: String, path: String, query: String, params: String) -> [UInt8] {
        let q = query.isEmpty ? "?" : (query.hasPrefix("?") ? query : "?" + query)
        return Array("""
            "@method": \(method.uppercased())
            "@path": \(path.isEmpty ? "/" : path)
            "@query": \(q)
            "@signature-params": \(params)
            """.utf8)
    }

    /// Signs a request as `signer` at `created` (POSIX seconds).
    public static func sign(method: String, path: String, query: String, signer: NoteSigner, created: Int64) throws(SyncError) -> Headers {
        let params = "\(components);created=\(created);keyid=\(quoted(signer.name));alg=\"ed25519\";tag=\"\(tag)\""
        let signature: [UInt8]
        do { signature = try signer.signRaw(base(method: method, path: path, query: query, params: params)) } catch {
            throw SyncError(.authentication, "cannot sign the request: \(error)")
        }
        return Headers(signatureInput: "\(label)=\(params)", signature: "\(label)=:\(NoteEncoding.base64(signature)):")
    }

    /// Checks a request's signature; returns the key id (a roster member's name) that signed it.
    /// - Parameters:
    ///   - key: Finds a member's verifier key by name, or nil for a stranger.
    ///   - now: The server's clock, POSIX seconds.
    public static func verify(method: String, path: String, query: String, signatureInput: String?, signature: String?,
                              now: Int64, key: (String) -> NoteVerifier?) throws(SyncError) -> String {
        guard let signatureInput, let signature else {
            throw SyncError(.authentication, "the request is not signed (Signature-Input and Signature headers are required)")
        }
        let prefix = "\(label)="
        guard signatureInput.hasPrefix(prefix), signature.hasPrefix(prefix + ":"), signature.hasSuffix(":"), signature.count > prefix.count + 2 else {
            throw SyncError(.authentication, "the request signature must be labelled '\(label)'")
        }
        let params = String(signatureInput.dropFirst(prefix.count))
        guard params.hasPrefix(components) else {
            throw SyncError(.authentication, "the request signature must cover exactly \(components)")
        }
        let parsed = try parameters(String(params.dropFirst(components.count)))
        guard parsed["alg"] == "ed25519", parsed["tag"] == tag else {
            throw SyncError(.authentication, "the request signature must have alg=\"ed25519\" and tag=\"\(tag)\"")
        }
        guard let keyID = parsed["keyid"] else { throw SyncError(.authentication, "the request signature has no keyid") }
        guard let createdText = parsed["created"], let created = Int64(createdText) else {
            throw SyncError(.authentication, "the request signature has no integer 'created'")
        }
        guard abs(now - created) <= allowedSkew else {
            throw SyncError(.authentication, "the request signature was created \(now - created) s from this server's clock (at most \(allowedSkew) s allowed)")
        }
        guard let verifier = key(keyID) else {
            throw SyncError(.authentication, "'\(keyID)' is not on this hub's roster")
        }
        let b64 = String(signature.dropFirst(prefix.count + 1).dropLast())
        guard let bytes = NoteEncoding.decodeBase64(b64), bytes.count == Ed25519.signatureByteCount else {
            throw SyncError(.authentication, "the Signature header is not base64 of 64 bytes")
        }
        guard Ed25519.isValidSignature(bytes, for: base(method: method, path: path, query: query, params: params),
                                       publicKey: verifier.publicKey) else {
            throw SyncError(.authentication, "the request signature does not verify with \(keyID)'s roster key")
        }
        return keyID
    }

    /// Parses `;name=value` parameters (RFC 8941 integers and strings).
    static func parameters(_ text: String) throws(SyncError) -> [String: String] {
        var out: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            guard rest.first == ";" else { throw SyncError(.authentication, "malformed Signature-Input parameters") }
            rest = rest.dropFirst()
            guard let eq = rest.firstIndex(of: "=") else { throw SyncError(.authentication, "malformed Signature-Input parameter") }
            let name = String(rest[..<eq])
            rest = rest[rest.index(after: eq)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var closed = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if c == "\\" {
                        guard let next = rest.first, next == "\"" || next == "\\" else {
                            throw SyncError(.authentication, "malformed string in Signature-Input")
                        }
                        value.append(next)
                        rest = rest.dropFirst()
                    } else if c == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(c)
                    }
                }
                guard closed else { throw SyncError(.authentication, "unterminated string in Signature-Input") }
            } else {
                let end = rest.firstIndex(of: ";") ?? rest.endIndex
                value = String(rest[..<end])
                rest = rest[end...]
            }
            guard out.updateValue(value, forKey: name) == nil else {
                throw SyncError(.authentication, "Signature-Input repeats the parameter '\(name)'")
            }
        }
        return out
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension NoteSigner {
    /// Signs raw bytes with the Ed25519 key (request signatures; see ``RequestSignature``).
    func signRaw(_ message: [UInt8]) throws(NoteError) -> [UInt8] {
        try signingKey.signature(for: message)
    }
}
