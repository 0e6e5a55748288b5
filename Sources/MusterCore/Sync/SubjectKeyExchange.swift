@preconcurrency import Crypto
import Foundation

/// Subject keys between hubs (DESIGN.md: "keys travel between authorised hubs over their own
/// authenticated channel, never inside a log entry").
///
/// A hub asks a peer for the keys in the peer's key store past a cursor, in a sync request signed
/// with its roster key (``RequestSignature``) whose query carries a fresh X25519 public key. The
/// peer answers with one page of keys, encrypted to that key and signed with the peer's roster
/// key, so only the asking hub can read it and it knows which hub sent it:
///
///     {"ct":B64,"ephemeral":B64,"from":NAME,"nonce":B64,"request":B64,"sig":B64,"to":NAME}
///
/// - `request`: the asker's X25519 public key; `ephemeral`: the peer's fresh X25519 public key.
/// - The AES-256-GCM key is HKDF-SHA256 (RFC 5869) of the X25519 (RFC 7748) shared secret, with
///   salt `request ‖ ephemeral` (the 64 raw bytes) and info `muster subject keys v1`.
/// - The associated data is `muster subject keys v1\nfrom NAME\nto NAME\n`; `nonce` is 12 bytes;
///   `ct` is the ciphertext followed by the 16-byte tag.
/// - The plaintext is the canonical JSON of ``Page``:
///   `{"keys":[{"key":B64,"subject":ID},…],"more":BOOL,"next":N}`.
/// - `sig` is Ed25519, by the key the roster gives `from`, over ``signedText``: six lines, the
///   first `muster subject keys v1`. That line has spaces, so the text can be neither a checkpoint
///   (whose first line is an origin) nor a request signature base (`"@method": …`).
///
/// Fresh keys on both sides give each reply its own encryption key; a reply made for one request
/// does not open with another's key, and a recorded reply cannot be replayed into a later request.
public enum SubjectKeyExchange {
    /// The construction's name: the first line of the signed text, the HKDF info.
    public static let label = "muster subject keys v1"
    /// Most keys in one page.
    public static let maximumPage = 10_000

    /// One subject's key.
    public struct Item: Sendable {
        public let subject: SubjectID
        public let key: SubjectKey
        public init(subject: SubjectID, key: SubjectKey) {
            self.subject = subject
            self.key = key
        }
    }

    /// One page of a key store, in its order.
    public struct Page: Sendable {
        /// The keys.
        public let items: [Item]
        /// The cursor to ask after next time (the store position of the last key, or the cursor asked after).
        public let next: Int64
        /// Whether the store holds keys past this page.
        public let more: Bool

        public init(items: [Item], next: Int64, more: Bool) {
            self.items = items
            self.next = next
            self.more = more
        }

        var json: JSONValue {
            .object([
                "keys": .array(items.map { .object(["key": .string(NoteEncoding.base64($0.key.rawBytes)), "subject": .string($0.subject.text)]) }),
                "more": .bool(more),
                "next": .number(Double(next)),
            ])
        }

        init(json: JSONValue) throws(SyncError) {
            guard let object = json.objectValue, Set(object.keys) == ["keys", "more", "next"],
                  let list = object["keys"]?.arrayValue, case .bool(let more)? = object["more"],
                  let next = object["next"]?.integerValue, next >= 0 else {
                throw SyncError(.malformed, "subject keys: the page must be {\"keys\": [...], \"more\": bool, \"next\": integer ≥ 0}")
            }
            guard list.count <= SubjectKeyExchange.maximumPage else {
                throw SyncError(.malformed, "subject keys: a page holds at most \(SubjectKeyExchange.maximumPage) keys, found \(list.count)")
            }
            var items: [Item] = []
            items.reserveCapacity(list.count)
            for (i, entry) in list.enumerated() {
                guard let o = entry.objectValue, Set(o.keys) == ["key", "subject"], let s = o["subject"]?.stringValue,
                      let k = o["key"]?.stringValue else {
                    throw SyncError(.malformed, "subject keys: keys[\(i)] must be {\"key\": base64, \"subject\": id}")
                }
                guard let subject = try? SubjectID(s) else { throw SyncError(.malformed, "subject keys: keys[\(i)].subject '\(s.prefix(60))' is not a subject id") }
                guard let raw = NoteEncoding.decodeBase64(k), let key = try? SubjectKey(rawBytes: raw) else {
                    throw SyncError(.malformed, "subject keys: keys[\(i)].key is not base64 of 32 bytes")
                }
                items.append(Item(subject: subject, key: key))
            }
            self.init(items: items, next: next, more: more)
        }
    }

    /// The asking side of one request: a fresh X25519 key pair, used once.
    public struct Request: Sendable {
        private let privateKey: [UInt8]
        /// The X25519 public key (32 bytes) the reply is encrypted to.
        public let publicKey: [UInt8]
        /// The public key as the request's `to` query parameter: 64 lowercase hex digits.
        public var parameter: String { publicKey.map { String(format: "%02x", $0) }.joined() }

        /// A fresh key pair.
        public init() {
            let key = Curve25519.KeyAgreement.PrivateKey()
            privateKey = Array(key.rawRepresentation)
            publicKey = Array(key.publicKey.rawRepresentation)
        }

        /// A request with a given private key (known-answer tests).
        public init(privateKey raw: [UInt8]) throws(SyncError) {
            guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
                throw SyncError(.malformed, "an X25519 private key is 32 bytes")
            }
            privateKey = raw
            publicKey = Array(key.publicKey.rawRepresentation)
        }

        /// Verifies and opens a peer's reply addressed to `requester`. `verifier` gives the key
        /// of a member allowed to send keys (a roster hub), or nil. Returns the sender and the page.
        public func open(_ reply: [UInt8], requester: String,
                         verifier: (String) -> NoteVerifier?) throws(SyncError) -> (from: String, page: Page) {
            let json: JSONValue
            do { json = try CanonicalJSON.parse(reply) } catch {
                throw SyncError(.malformed, "subject keys: the reply is not JSON: \(error)")
            }
            let members: Set<String> = ["ct", "ephemeral", "from", "nonce", "request", "sig", "to"]
            guard let o = json.objectValue, Set(o.keys) == members, let from = o["from"]?.stringValue, let to = o["to"]?.stringValue else {
                throw SyncError(.malformed, "subject keys: the reply must have exactly the members \(members.sorted().joined(separator: ", "))")
            }
            func bytes(_ name: String, _ count: Int?) throws(SyncError) -> [UInt8] {
                guard let text = o[name]?.stringValue, let b = NoteEncoding.decodeBase64(text), count.map({ b.count == $0 }) ?? (b.count >= 16) else {
                    throw SyncError(.malformed, "subject keys: reply member '\(name)' is not base64 of \(count.map { "\($0) bytes" } ?? "a ciphertext")")
                }
                return b
            }
            let request = try bytes("request", 32), ephemeral = try bytes("ephemeral", 32), nonce = try bytes("nonce", 12)
            let ct = try bytes("ct", nil), sig = try bytes("sig", 64)
            guard to == requester else { throw SyncError(.verification, "subject keys: the reply is addressed to '\(to)', not to this hub") }
            guard request == publicKey else { throw SyncError(.verification, "subject keys: the reply answers another request") }
            guard let key = verifier(from) else { throw SyncError(.verification, "subject keys: '\(from)' is not a hub on this hub's roster") }
            let text = SubjectKeyExchange.signedText(from: from, to: to, request: request, ephemeral: ephemeral, nonce: nonce, ct: ct)
            guard Ed25519.isValidSignature(sig, for: text, publicKey: key.publicKey) else {
                throw SyncError(.verification, "subject keys: the reply's signature does not verify with \(from)'s roster key")
            }
            let plaintext: [UInt8]
            do {
                let mine = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: privateKey)
                let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ct.dropLast(16), tag: ct.suffix(16))
                let secret = try mine.sharedSecretFromKeyAgreement(with: Curve25519.KeyAgreement.PublicKey(rawRepresentation: ephemeral))
                plaintext = Array(try AES.GCM.open(box, using: SubjectKeyExchange.boxKey(secret, request: request, ephemeral: ephemeral),
                                                   authenticating: SubjectKeyExchange.associatedData(from: from, to: to)))
            } catch {
                throw SyncError(.verification, "subject keys: the reply from \(from) does not decrypt")
            }
            do { return (from, try Page(json: try CanonicalJSON.parse(plaintext))) } catch let e as SyncError { throw e } catch {
                throw SyncError(.malformed, "subject keys: the decrypted page is not JSON: \(error)")
            }
        }
    }

    /// Parses a request's `to` parameter (64 hex digits) into an X25519 public key.
    public static func requestKey(_ parameter: String) throws(SyncError) -> [UInt8] {
        let digits = Array(parameter.utf8)
        guard digits.count == 64, digits.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw SyncError(.malformed, "'to' must be an X25519 public key: 64 lowercase hex digits")
        }
        return stride(from: 0, to: 64, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    /// Encrypts `page` to the request key and signs it as `signer` (the serving hub), for `requester`.
    public static func seal(_ page: Page, requestKey: [UInt8], requester: String, signer: NoteSigner) throws(SyncError) -> [UInt8] {
        let ephemeralKey = Curve25519.KeyAgreement.PrivateKey()
        let ephemeral = Array(ephemeralKey.publicKey.rawRepresentation)
        let nonce: [UInt8], ct: [UInt8]
        do {
            let secret = try ephemeralKey.sharedSecretFromKeyAgreement(with: Curve25519.KeyAgreement.PublicKey(rawRepresentation: requestKey))
            let box = try AES.GCM.seal(try CanonicalJSON.encode(page.json), using: boxKey(secret, request: requestKey, ephemeral: ephemeral),
                                       nonce: SecureRandom.gcmNonce(), authenticating: associatedData(from: signer.name, to: requester))
            nonce = Array(box.nonce)
            ct = Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw SyncError(.malformed, "cannot encrypt subject keys to the request's key (not a usable X25519 key)")
        }
        let sig: [UInt8]
        do {
            sig = try signer.signRaw(signedText(from: signer.name, to: requester, request: requestKey, ephemeral: ephemeral, nonce: nonce, ct: ct))
        } catch {
            throw SyncError(.authentication, "cannot sign subject keys: \(error)")
        }
        let reply: JSONValue = .object([
            "ct": .string(NoteEncoding.base64(ct)), "ephemeral": .string(NoteEncoding.base64(ephemeral)),
            "from": .string(signer.name), "nonce": .string(NoteEncoding.base64(nonce)),
            "request": .string(NoteEncoding.base64(requestKey)), "sig": .string(NoteEncoding.base64(sig)), "to": .string(requester),
        ])
        do { return try CanonicalJSON.encode(reply) } catch { throw SyncError(.malformed, "cannot encode subject keys: \(error)") }
    }

    /// The text the sender signs: six lines, each ending in a newline.
    static func signedText(from: String, to: String, request: [UInt8], ephemeral: [UInt8], nonce: [UInt8], ct: [UInt8]) -> [UInt8] {
        let digest = SHA256.hash(data: nonce + ct)
        return Array("""
            \(label)
            from \(from)
            to \(to)
            request \(NoteEncoding.base64(request))
            ephemeral \(NoteEncoding.base64(ephemeral))
            sealed \(NoteEncoding.base64(Array(digest)))

            """.utf8)
    }

    static func associatedData(from: String, to: String) -> [UInt8] { Array("\(label)\nfrom \(from)\nto \(to)\n".utf8) }

    static func boxKey(_ secret: SharedSecret, request: [UInt8], ephemeral: [UInt8]) -> SymmetricKey {
        secret.hkdfDerivedSymmetricKey(using: SHA256.self, salt: request + ephemeral, sharedInfo: Array(label.utf8), outputByteCount: 32)
    }
}
