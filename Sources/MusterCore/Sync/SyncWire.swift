/// The sync protocol's messages, as bytes (see Schemas/openapi.yaml and ARCHITECTURE.md).
public enum SyncWire {
    /// One origin's head as a peer advertises it.
    public struct Head: Sendable, Hashable {
        /// The origin.
        public let origin: String
        /// The latest checkpoint held, as a signed note.
        public let checkpoint: String
        /// A head.
        public init(origin: String, checkpoint: String) {
            self.origin = origin
            self.checkpoint = checkpoint
        }
    }

    /// `GET /v1/heads`: the peer's name, a change token, its heads, the origins it froze and its roster's version.
    public struct Heads: Sendable, Hashable {
        /// The serving hub's origin.
        public let hub: String
        /// Changes whenever a head, the frozen set or the roster changes (for long polls).
        public let token: String
        /// Per origin, the latest checkpoint held.
        public let heads: [Head]
        /// Origins the peer froze on evidence of equivocation.
        public let frozen: [String]
        /// The version of the peer's roster.
        public let rosterVersion: UInt64
        /// Heads.
        public init(hub: String, token: String, heads: [Head], frozen: [String], rosterVersion: UInt64) {
            self.hub = hub
            self.token = token
            self.heads = heads
            self.frozen = frozen
            self.rosterVersion = rosterVersion
        }

        /// JSON bytes.
        public var bytes: [UInt8] {
            let value: JSONValue = .object([
                "hub": .string(hub), "token": .string(token), "rosterVersion": .number(Double(rosterVersion)),
                "heads": .array(heads.map { .object(["origin": .string($0.origin), "checkpoint": .string($0.checkpoint)]) }),
                "frozen": .array(frozen.map { .string($0) }),
            ])
            return (try? CanonicalJSON.encode(value)) ?? []
        }

        /// Parses heads.
        public init(bytes: [UInt8]) throws(SyncError) {
            let value = try SyncWire.parse(bytes, "heads")
            guard let hub = value["hub"]?.stringValue, let token = value["token"]?.stringValue,
                  let list = value["heads"]?.arrayValue, let frozen = value["frozen"]?.arrayValue,
                  let version = value["rosterVersion"]?.integerValue, version >= 0 else {
                throw SyncError(.malformed, "heads: needs hub, token, heads, frozen and rosterVersion")
            }
            var heads: [Head] = []
            for item in list {
                guard let origin = item["origin"]?.stringValue, let checkpoint = item["checkpoint"]?.stringValue else {
                    throw SyncError(.malformed, "heads: each head needs origin and checkpoint")
                }
                heads.append(Head(origin: origin, checkpoint: checkpoint))
            }
            self.init(hub: hub, token: token, heads: heads, frozen: frozen.compactMap(\.stringValue), rosterVersion: UInt64(version))
        }
    }

    /// `GET /v1/logs/{origin}/entries`: entries `start..<end` (leaf indexes) with a checkpoint
    /// and a consistency proof from `end` to it. Bytes: a JSON header line, then each entry's
    /// canonical bytes followed by a newline (canonical JSON never contains a raw newline).
    public struct Batch: Sendable {
        /// The origin.
        public let origin: String
        /// First leaf index.
        public let start: UInt64
        /// The checkpoint the batch is proven against (signed note).
        public let checkpoint: String
        /// Consistency proof from `start + entries.count` to the checkpoint's size (empty when equal).
        public let proof: [MerkleHash]
        /// The entries' bytes.
        public let entries: [[UInt8]]

        /// A batch.
        public init(origin: String, start: UInt64, checkpoint: String, proof: [MerkleHash], entries: [[UInt8]]) {
            self.origin = origin
            self.start = start
            self.checkpoint = checkpoint
            self.proof = proof
            self.entries = entries
        }

        /// The bytes of a batch whose entries are already laid out, one per line.
        public static func encode(origin: String, start: UInt64, count: Int, checkpoint: String, proof: [MerkleHash], body: [UInt8]) -> [UInt8] {
            let header: JSONValue = .object([
                "origin": .string(origin), "start": .number(Double(start)), "count": .number(Double(count)),
                "checkpoint": .string(checkpoint), "proof": .array(proof.map { .string(NoteEncoding.base64($0.bytes)) }),
            ])
            var out = (try? CanonicalJSON.encode(header)) ?? []
            out.append(0x0A)
            out += body
            return out
        }

        /// Parses a batch; checks its framing, not its entries.
        public init(bytes: [UInt8]) throws(SyncError) {
            guard let newline = bytes.firstIndex(of: 0x0A) else { throw SyncError(.malformed, "batch: no header line") }
            let header = try SyncWire.parse(Array(bytes[..<newline]), "batch header")
            guard let origin = header["origin"]?.stringValue, let start = header["start"]?.integerValue, start >= 0,
                  let count = header["count"]?.integerValue, count >= 0,
                  let checkpoint = header["checkpoint"]?.stringValue, let proofList = header["proof"]?.arrayValue else {
                throw SyncError(.malformed, "batch header: needs origin, start, count, checkpoint and proof")
            }
            var proof: [MerkleHash] = []
            for item in proofList { proof.append(try EquivocationEvidence.hash(item.stringValue ?? "")) }
            var entries: [[UInt8]] = []
            entries.reserveCapacity(Int(count))
            var i = newline + 1
            while i < bytes.count {
                guard let end = bytes[i...].firstIndex(of: 0x0A) else {
                    throw SyncError(.malformed, "batch: entry \(UInt64(start) + UInt64(entries.count) + 1) is truncated (no final newline)")
                }
                entries.append(Array(bytes[i..<end]))
                i = end + 1
            }
            guard entries.count == Int(count) else {
                throw SyncError(.malformed, "batch: the header says \(count) entries but \(entries.count) arrived")
            }
            self.init(origin: origin, start: UInt64(start), checkpoint: checkpoint, proof: proof, entries: entries)
        }
    }

    /// `GET /v1/logs/{origin}/consistency`: the peer's root at `from` and a proof from there to `to`.
    public struct Consistency: Sendable, Hashable {
        /// The root at the smaller size.
        public let oldRoot: MerkleHash
        /// The proof.
        public let proof: [MerkleHash]
        /// A proof.
        public init(oldRoot: MerkleHash, proof: [MerkleHash]) {
            self.oldRoot = oldRoot
            self.proof = proof
        }
        /// JSON bytes.
        public var bytes: [UInt8] {
            let value: JSONValue = .object([
                "oldRoot": .string(NoteEncoding.base64(oldRoot.bytes)),
                "proof": .array(proof.map { .string(NoteEncoding.base64($0.bytes)) }),
            ])
            return (try? CanonicalJSON.encode(value)) ?? []
        }
        /// Parses a proof.
        public init(bytes: [UInt8]) throws(SyncError) {
            let value = try SyncWire.parse(bytes, "consistency proof")
            guard let root = value["oldRoot"]?.stringValue, let list = value["proof"]?.arrayValue else {
                throw SyncError(.malformed, "consistency proof: needs oldRoot and proof")
            }
            var proof: [MerkleHash] = []
            for item in list { proof.append(try EquivocationEvidence.hash(item.stringValue ?? "")) }
            self.init(oldRoot: try EquivocationEvidence.hash(root), proof: proof)
        }
    }

    static func parse(_ bytes: [UInt8], _ what: String) throws(SyncError) -> JSONValue {
        do { return try CanonicalJSON.parse(bytes) } catch {
            throw SyncError(.malformed, "\(what) is not valid JSON: \(error)")
        }
    }
}
