import Foundation
public import Hummingbird
import HTTPTypes
public import Logging
import MusterCore
public import MusterStore
import NIOCore

/// The hub's HTTP server: the sync protocol (signed requests from roster members), a health
/// endpoint, and the operators' API (bearer tokens) to record events and read reports. Errors
/// are RFC 9457 problem+json; request bodies are capped. Described in Schemas/openapi.yaml.
public struct HubServer: Sendable {
    let hub: Hub
    let logger: Logger
    /// Largest request body accepted (an event with its fields is a few kB).
    public static let maximumBody = 64 << 10
    /// Most entries one batch request may ask for.
    public static let maximumBatch: UInt64 = 16_384
    /// Longest long poll, in seconds.
    public static let maximumWait = 30

    /// A server for `hub`.
    public init(hub: Hub, logger: Logger) {
        self.hub = hub
        self.logger = logger
    }

    /// The router with every endpoint.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/healthz") { _, _ in try self.health() }
        router.get("/v1/heads") { request, _ in try await self.guarded(request) { _ in try await self.heads(request) } }
        router.get("/v1/entries") { request, _ in try await self.guarded(request) { _ in try self.entries(request) } }
        router.get("/v1/consistency") { request, _ in try await self.guarded(request) { _ in try self.consistency(request) } }
        router.get("/v1/evidence") { request, _ in try await self.guarded(request) { _ in try self.evidence() } }
        router.get("/v1/roster") { request, _ in try await self.guarded(request) { _ in try self.rosterNote() } }
        router.get("/v1/subject-keys") { request, _ in try await self.guarded(request) { peer in try self.subjectKeys(request, for: peer) } }
        router.post("/v1/events") { request, _ in try await self.operatorCall(request) { name in try await self.record(request, by: name) } }
        router.get("/v1/reports/:kind") { request, context in
            try await self.operatorCall(request) { _ in try self.report(request, kind: context.parameters.get("kind") ?? "") }
        }
        return router
    }

    // MARK: Problems

    /// An RFC 9457 problem.
    struct Problem: Error {
        let status: HTTPResponse.Status
        let detail: String
        init(_ status: HTTPResponse.Status, _ detail: String) {
            self.status = status
            self.detail = detail
        }
    }

    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        let value: JSONValue = .object(["type": .string("about:blank"), "title": .string(status.reasonPhrase),
                                        "status": .number(Double(status.code)), "detail": .string(detail)])
        return bytes((try? CanonicalJSON.encode(value)) ?? [], status: status, type: "application/problem+json")
    }

    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        bytes(((try? CanonicalJSON.encode(value)) ?? []) + [0x0A], status: status, type: "application/json")
    }

    /// Runs a handler, turning every error into a problem response with one clear line.
    func handle(_ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch let p as Problem {
            return Self.problem(p.status, p.detail)
        } catch let e as SyncError {
            return Self.problem(e.code == .authentication ? .unauthorized : .badRequest, e.reason)
        } catch let e as CoreError {
            return Self.problem(e.code == .subjectKeyUnavailable ? .conflict : .badRequest, e.reason)
        } catch let e as StoreError {
            switch e.code {
            case .notFound: return Self.problem(.notFound, e.reason)
            case .frozen, .conflict: return Self.problem(.conflict, e.reason)
            case .invalidRequest: return Self.problem(.badRequest, e.reason)
            default:
                logger.error("store error: \(e)")
                return Self.problem(.internalServerError, "the hub could not complete the request; see its log")
            }
        } catch {
            logger.error("request failed: \(error)")
            return Self.problem(.internalServerError, "the hub could not complete the request; see its log")
        }
    }

    // MARK: Authentication

    /// Sync endpoints: the request must be signed by a roster member (hub or auditor; an officer's
    /// key does not sync). The body gets the member.
    func guarded(_ request: Request, _ body: (Roster.Member) async throws -> Response) async throws -> Response {
        await handle {
            guard let roster = hub.roster else { throw Problem(.forbidden, "this hub has no roster yet; it serves no peers") }
            let query = request.uri.query ?? ""
            let name = try RequestSignature.verify(
                method: request.method.rawValue, path: request.uri.path, query: query,
                signatureInput: request.headers[HTTPField.Name("Signature-Input")!], signature: request.headers[HTTPField.Name("Signature")!],
                now: Int64(Date().timeIntervalSince1970), key: { roster.syncPeer($0)?.verifier })
            return try await body(roster.syncPeer(name)!)
        }
    }

    /// Operator endpoints: `Authorization: Bearer <token>` from `muster token add`.
    func operatorCall(_ request: Request, _ body: (String) async throws -> Response) async throws -> Response {
        await handle {
            guard let auth = request.headers[.authorization], auth.hasPrefix("Bearer "),
                  let name = hub.directory.operatorName(token: String(auth.dropFirst(7))) else {
                throw Problem(.unauthorized, "an operator token is required: Authorization: Bearer <token> (see `muster token add`)")
            }
            return try await body(name)
        }
    }

    // MARK: Handlers

    func health() throws -> Response {
        let sizes = try hub.store.origins().map { JSONValue.object(["origin": .string($0.origin), "size": .number(Double($0.size))]) }
        return Self.json(.object(["status": .string("ok"), "origin": .string(hub.origin), "logs": .array(sizes)]))
    }

    func heads(_ request: Request) async throws -> Response {
        let params = request.uri.queryParameters
        let wait = try params["wait"].map { try Self.integer($0, "wait", max: UInt64(Self.maximumWait)) } ?? 0
        let since = params["since"].map(String.init)
        let version = hub.changes.version
        var heads = try hub.syncHeads()
        if wait > 0, let since, since == heads.token {
            await hub.changes.wait(after: version, seconds: Double(wait))
            heads = try hub.syncHeads()
        }
        return Self.bytes(heads.bytes, type: "application/json")
    }

    func entries(_ request: Request) throws -> Response {
        let params = request.uri.queryParameters
        guard let origin = params["origin"].map(String.init) else { throw Problem(.badRequest, "query parameter 'origin' is required") }
        let start = try Self.integer(params["start"], "start"), end = try Self.integer(params["end"], "end")
        let size = try Self.integer(params["checkpoint"], "checkpoint")
        guard start < end, end <= size else { throw Problem(.badRequest, "need start < end ≤ checkpoint (got \(start), \(end), \(size))") }
        guard end - start <= Self.maximumBatch else { throw Problem(.badRequest, "at most \(Self.maximumBatch) entries per request") }
        guard let checkpoint = try hub.store.checkpoint(origin: origin, size: size) else {
            throw Problem(.notFound, "this hub holds no checkpoint of \(origin) at size \(size)")
        }
        let proof = end == size ? [] : try hub.store.consistencyProof(origin: origin, from: end, to: size).hashes
        let (count, body) = try hub.store.rawEntryLines(origin: origin, start: start, end: end)
        guard UInt64(count) == end - start else { throw Problem(.notFound, "this hub holds \(count) of the entries \(start + 1)…\(end) of \(origin)") }
        let bytes = SyncWire.Batch.encode(origin: origin, start: start, count: count, checkpoint: checkpoint.note, proof: proof, body: body)
        return Self.bytes(bytes, type: "application/vnd.muster.batch")
    }

    func consistency(_ request: Request) throws -> Response {
        let params = request.uri.queryParameters
        guard let origin = params["origin"].map(String.init) else { throw Problem(.badRequest, "query parameter 'origin' is required") }
        let from = try Self.integer(params["from"], "from"), to = try Self.integer(params["to"], "to")
        guard from >= 1, from <= to else { throw Problem(.badRequest, "need 1 ≤ from ≤ to") }
        let root = try hub.store.rootHash(origin: origin, size: from)
        let proof = from == to ? [] : try hub.store.consistencyProof(origin: origin, from: from, to: to).hashes
        return Self.bytes(SyncWire.Consistency(oldRoot: root, proof: proof).bytes, type: "application/json")
    }

    func evidence() throws -> Response {
        Self.json(.object(["evidence": .array(try hub.store.evidence().map(\.evidence.json))]))
    }

    /// A page of this hub's subject keys, encrypted to the request's X25519 key and signed with the
    /// hub's log key (``SubjectKeyExchange``). Only roster hubs get keys; an auditor's bundle keeps
    /// sealed payloads sealed.
    func subjectKeys(_ request: Request, for peer: Roster.Member) throws -> Response {
        guard peer.role == .hub else {
            throw Problem(.forbidden, "'\(peer.name)' is a roster \(peer.role.rawValue); subject keys go only to roster hubs")
        }
        let params = request.uri.queryParameters
        let after = try Self.integer(params["after"], "after")
        let limit = try params["limit"].map { try Self.integer($0, "limit", max: UInt64(SubjectKeyExchange.maximumPage)) } ?? 5_000
        guard limit > 0 else { throw Problem(.badRequest, "query parameter 'limit' must be at least 1") }
        guard let to = params["to"] else { throw Problem(.badRequest, "query parameter 'to' (the request's X25519 public key, 64 hex digits) is required") }
        let requestKey = try SubjectKeyExchange.requestKey(String(to))
        let (reply, sent) = try hub.subjectKeyReply(after: Int64(after), limit: Int(limit), requestKey: requestKey, requester: peer.name)
        if sent > 0 { logger.info("sent \(sent) subject keys to \(peer.name)") }
        return Self.bytes(reply, type: "application/json")
    }

    func rosterNote() throws -> Response {
        guard let note = hub.directory.rosterNote() else { throw Problem(.notFound, "this hub has no roster") }
        return Self.bytes(Array(note.utf8), type: "text/plain; charset=utf-8")
    }

    func record(_ request: Request, by operatorName: String) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: Self.maximumBody) } catch {
            throw Problem(.contentTooLarge, "the request body exceeds \(Self.maximumBody) bytes")
        }
        let body: JSONValue
        do { body = try CanonicalJSON.parse(Array(buffer.readableBytesView)) } catch {
            throw Problem(.badRequest, "request body is not valid JSON: \(error)")
        }
        guard let type = body["type"]?.stringValue else { throw Problem(.badRequest, "request body: \"type\" (an event type) is required") }
        let allowed: Set<String> = ["type", "subject", "fields", "expectSize"]
        if let extra = body.objectValue?.keys.first(where: { !allowed.contains($0) }) {
            throw Problem(.badRequest, "request body: unknown member \"\(extra)\" (allowed: type, subject, fields, expectSize)")
        }
        let subject = try body["subject"]?.stringValue.map { try SubjectID($0) }
        let draft = try EntryDraft(type: type, subject: subject, operatorID: operatorName, fields: body["fields"] ?? .object([:]),
                                   blindIndex: hub.blindIndex, source: "request body \"fields\"")
        let expected = body["expectSize"]?.integerValue.map { UInt64(max(0, $0)) }
        switch try await hub.record(draft, expectedSize: expected) {
        case .appended(let seq, let id, let checkpointSize):
            var out: [String: JSONValue] = ["id": .string(id.text), "seq": .number(Double(seq)), "origin": .string(hub.origin),
                                            "checkpointSize": .number(Double(checkpointSize))]
            if let subject = draft.subject { out["subject"] = .string(subject.text) }
            return Self.json(.object(out), status: .created)
        case .conflict(let expected, let actual):
            throw Problem(.conflict, "not recorded: the log holds \(actual) entries, not the \(expected) given by expectSize")
        }
    }

    func report(_ request: Request, kind: String) throws -> Response {
        let params = request.uri.queryParameters
        let reports = Reports(engine: hub.projections)
        let period = Reports.Period(from: try params["from"].map { try CalendarDate(String($0)) },
                                    to: try params["to"].map { try CalendarDate(String($0)) })
        let table: ReportTable
        if kind == "logs" { table = try reports.logStatus() } else {
            guard let choices = Reports.groupings[kind] else {
                throw Problem(.notFound, "no report '\(kind)'; reports: members, donations, trainings, pledges, logs")
            }
            let by = params["by"].map(String.init) ?? choices[0]
            guard choices.contains(by) else { throw Problem(.badRequest, "\(kind) groups by \(choices.joined(separator: ", ")), not '\(by)'") }
            switch kind {
            case "members": table = try reports.members(by: by, period: period)
            case "donations": table = try reports.donations(by: by, period: period)
            case "trainings": table = try reports.trainings(by: by, period: period)
            default: table = try reports.pledges(by: by, period: period)
            }
        }
        return Self.bytes(Array(ReportTable.render([table], as: .json).utf8), type: "application/json")
    }

    static func integer(_ value: Substring?, _ name: String, max: UInt64 = UInt64(Int64.max)) throws -> UInt64 {
        guard let value else { throw Problem(.badRequest, "query parameter '\(name)' is required") }
        guard let n = UInt64(value), n <= max else { throw Problem(.badRequest, "query parameter '\(name)' must be an integer 0…\(max), not '\(value.prefix(30))'") }
        return n
    }
}
