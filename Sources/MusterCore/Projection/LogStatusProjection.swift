/// Per-origin log status: how many entries of each origin this hub holds, the highest seq, and
/// the first and last recording times. Tallies, so the rows agree whatever the arrival order.
public struct LogStatusProjection: Projection {
    public let name = "log-status"
    public let version = 1
    public init() {}

    public let tables = [
        ReadModelTable("rm_origin", entity: nil, columns: [
            .init("key"), .init("entries", integer: true), .init("max_seq", integer: true), .init("first_recorded_at"),
            .init("last_recorded_at"), .init("voids", integer: true),
        ]),
    ]

    public func tally(_ envelope: Envelope) -> [ReadModelTally] {
        let at = ReadModelValue.text(envelope.recordedAt.description)
        return [ReadModelTally(table: "rm_origin", key: envelope.origin,
                               sums: ["entries": 1, "voids": envelope.type == Projections.voidType ? 1 : 0],
                               maxima: ["max_seq": .integer(Int64(envelope.seq)), "last_recorded_at": at],
                               minima: ["first_recorded_at": at])]
    }
}
