public import AsyncHTTPClient
import Foundation
public import MusterCore
import NIOCore
import NIOHTTP1

/// What went wrong talking to a peer: unreachable, an HTTP error (with the problem's detail), or
/// a reply that is not what the protocol says.
public struct PeerError: Error, Sendable, CustomStringConvertible {
    /// The peer's URL.
    public let peer: String
    /// What happened.
    public let reason: String
    /// The HTTP status, when the peer answered with an error.
    public let status: Int?
    public var description: String { "peer \(peer): \(reason)" }
}

/// What the pull protocol asks of a peer. ``PeerClient`` speaks it over HTTP; tests wrap it to
/// play peers that lie.
public protocol SyncPeer: Sendable {
    /// The peer's base URL, for messages.
    var url: String { get }
    /// The peer's heads (a long poll with `wait` and `since`).
    func heads(wait: Int?, since: String?) async throws -> SyncWire.Heads
    /// Entries `start..<end` of `origin` with a proof to the checkpoint of `checkpointSize`.
    func batch(origin: String, start: UInt64, end: UInt64, checkpointSize: UInt64) async throws -> SyncWire.Batch
    /// The peer's root at `from` and a consistency proof to `to`.
    func consistency(origin: String, from: UInt64, to: UInt64) async throws -> SyncWire.Consistency
    /// The evidence of equivocation the peer holds.
    func evidence() async throws -> [EquivocationEvidence]
    /// The peer's signed roster.
    func roster() async throws -> String
}

/// A peer that hands subject keys to roster hubs (``SubjectKeyExchange``).
public protocol SubjectKeyPeer: Sendable {
    /// The peer's base URL, for messages.
    var url: String { get }
    /// The peer's reply with up to `limit` keys past `after`, encrypted to `request`'s key.
    func subjectKeys(after: Int64, limit: Int, request: SubjectKeyExchange.Request) async throws -> [UInt8]
}

extension SyncPeer {
    /// The peer's heads now.
    public func heads() async throws -> SyncWire.Heads { try await heads(wait: nil, since: nil) }
}

/// The client side of the sync protocol: every request signed with this hub's key (RFC 9421,
/// see ``RequestSignature``), every reply size-capped and parsed strictly.
public struct PeerClient: SyncPeer, SubjectKeyPeer {
    /// The peer's base URL (`http://host:port`).
    public let url: String
    let signer: NoteSigner
    let http: HTTPClient
    /// Largest reply accepted (a batch of 8,192 large entries fits well within it).
    public static let maximumReply = 256 << 20

    /// A client for the peer at `url`, signing as `signer`.
    public init(url: String, signer: NoteSigner, http: HTTPClient = .shared) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.signer = signer
        self.http = http
    }

    /// The peer's heads; with `wait`, the peer holds the reply until its heads differ from `since`
    /// or `wait` seconds pass (a long poll: how a hub hears of new entries within a second).
    public func heads(wait: Int?, since: String?) async throws -> SyncWire.Heads {
        var query: [(String, String)] = []
        if let wait { query.append(("wait", String(wait))) }
        if let since { query.append(("since", since)) }
        let bytes = try await get("/v1/heads", query, timeout: .seconds(Int64(wait ?? 0) + 30))
        do { return try SyncWire.Heads(bytes: bytes) } catch { throw PeerError(peer: url, reason: "\(error)", status: nil) }
    }

    /// Entries `start..<end` of `origin` with a proof to the peer's checkpoint of `checkpointSize`.
    public func batch(origin: String, start: UInt64, end: UInt64, checkpointSize: UInt64) async throws -> SyncWire.Batch {
        let bytes = try await get("/v1/entries", [("origin", origin), ("start", String(start)), ("end", String(end)),
                                                  ("checkpoint", String(checkpointSize))], timeout: .seconds(120))
        let batch: SyncWire.Batch
        do { batch = try SyncWire.Batch(bytes: bytes) } catch { throw PeerError(peer: url, reason: "\(error)", status: nil) }
        guard batch.origin == origin, batch.start == start, UInt64(batch.entries.count) == end - start else {
            throw PeerError(peer: url, reason: "asked for \(origin) entries \(start + 1)…\(end), got \(batch.entries.count) from \(batch.start + 1) of \(batch.origin)", status: nil)
        }
        return batch
    }

    /// The peer's root of `origin` at `from` and a consistency proof from there to `to`.
    public func consistency(origin: String, from: UInt64, to: UInt64) async throws -> SyncWire.Consistency {
        let bytes = try await get("/v1/consistency", [("origin", origin), ("from", String(from)), ("to", String(to))], timeout: .seconds(30))
        do { return try SyncWire.Consistency(bytes: bytes) } catch { throw PeerError(peer: url, reason: "\(error)", status: nil) }
    }

    /// The evidence of equivocation the peer holds.
    public func evidence() async throws -> [EquivocationEvidence] {
        let bytes = try await get("/v1/evidence", [], timeout: .seconds(30))
        do {
            guard let list = try CanonicalJSON.parse(bytes)["evidence"]?.arrayValue else {
                throw SyncError(.malformed, "evidence: expected {\"evidence\": [...]}")
            }
            return try list.map { item throws(SyncError) in try EquivocationEvidence(json: item) }
        } catch {
            throw PeerError(peer: url, reason: "\(error)", status: nil)
        }
    }

    /// The peer's signed roster note.
    public func roster() async throws -> String {
        String(decoding: try await get("/v1/roster", [], timeout: .seconds(30)), as: UTF8.self)
    }

    public func subjectKeys(after: Int64, limit: Int, request: SubjectKeyExchange.Request) async throws -> [UInt8] {
        try await get("/v1/subject-keys", [("after", String(after)), ("limit", String(limit)), ("to", request.parameter)], timeout: .seconds(60))
    }

    /// A signed GET of any sync endpoint (`query` as name–value pairs); returns the body of a 200 reply.
    public func get(_ path: String, _ query: [(String, String)]) async throws -> [UInt8] {
        try await get(path, query, timeout: .seconds(30))
    }

    func get(_ path: String, _ query: [(String, String)], timeout: TimeAmount) async throws -> [UInt8] {
        let queryString = query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: url + path + (queryString.isEmpty ? "" : "?" + queryString))
        let headers = try RequestSignature.sign(method: "GET", path: path, query: queryString, signer: signer,
                                                created: Int64(Date().timeIntervalSince1970))
        request.headers.add(name: "Signature-Input", value: headers.signatureInput)
        request.headers.add(name: "Signature", value: headers.signature)
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: Self.maximumReply)
        } catch {
            throw PeerError(peer: url, reason: "unreachable: \(error)", status: nil)
        }
        let bytes = Array(body.readableBytesView)
        guard response.status == .ok else {
            let detail = (try? CanonicalJSON.parse(bytes))?["detail"]?.stringValue ?? String(decoding: bytes.prefix(200), as: UTF8.self)
            throw PeerError(peer: url, reason: "\(path) answered \(response.status.code): \(detail)", status: Int(response.status.code))
        }
        return bytes
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(b)))
            default:
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}
