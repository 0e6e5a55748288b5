import AsyncHTTPClient
import Foundation
public import MusterCore
import NIOCore
import NIOHTTP1

/// An operator's client for a serving hub's API: record events with a bearer token.
public struct OperatorClient: Sendable {
    /// The hub's base URL.
    public let url: String
    let token: String

    /// A client for the hub at `url` with an operator token from `muster token add`.
    public init(url: String, token: String) {
        self.url = url
        self.token = token
    }

    /// What the hub acknowledged: the event is durable and covered by a signed checkpoint.
    public struct Receipt: Sendable, Hashable {
        /// The event id.
        public let id: String
        /// Its seq in the hub's log.
        public let seq: UInt64
    }

    /// Records an event (`POST /v1/events`).
    public func record(_ type: String, fields: JSONValue, subject: String? = nil) async throws -> Receipt {
        var body: [String: JSONValue] = ["type": .string(type), "fields": fields]
        if let subject { body["subject"] = .string(subject) }
        var request = HTTPClientRequest(url: url + "/v1/events")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try CanonicalJSON.encode(.object(body))))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
        let reply = try? CanonicalJSON.parse(bytes)
        guard response.status == .created, let id = reply?["id"]?.stringValue, let seq = reply?["seq"]?.integerValue else {
            throw PeerError(peer: url, reason: "record \(type): \(response.status.code) \(reply?["detail"]?.stringValue ?? "")",
                            status: Int(response.status.code))
        }
        return Receipt(id: id, seq: UInt64(seq))
    }
}
