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

    public let routedTypes: Set<String> = []
    public let tallies = true

    public func tally(_ envelope: Envelope) -> [ReadModelTally] {
        let at = ReadModelValue.text(envelope.recordedAt.description)
        return [ReadModelTally(table: "rm_origin", key: envelope.origin,
                               sums: ["entries": 1, "voids": envelope.type == Projections.voidType ? 1 : 0],
                               maxima: ["max_seq": .integer(Int64(envelope.seq)), "last_recorded_at": at],
                               minima: ["first_recorded_at": at])]
    }

    /// One tally per origin, counted in place. Recording times are compared as instants, which
    /// orders them as their text does (RFC 3339, four-digit years, always with milliseconds).
    public func tally(_ envelopes: [Envelope]) -> [ReadModelTally] {
        struct Origin {
            var entries: Int64 = 0, voids: Int64 = 0, maxSeq: UInt64 = 0
            var first: Timestamp, last: Timestamp

            mutating func count(_ e: Envelope) {
                entries += 1
                if e.type == Projections.voidType { voids += 1 }
                maxSeq = max(maxSeq, e.seq)
                first = min(first, e.recordedAt); last = max(last, e.recordedAt)
            }

            mutating func add(_ o: Origin) {
                entries += o.entries; voids += o.voids; maxSeq = max(maxSeq, o.maxSeq)
                first = min(first, o.first); last = max(last, o.last)
            }
        }
        var origins: [String: Origin] = [:]
        // Entries come in runs of one origin: a run is counted apart and added to its origin's
        // count when it ends, so the table is looked up once a run, not once an entry.
        var run: (origin: String, count: Origin)?
        func endRun() {
            guard let (origin, c) = run else { return }
            origins[origin, default: Origin(first: c.first, last: c.last)].add(c)
        }
        for e in envelopes {
            if run == nil || run!.origin != e.origin {
                endRun()
                run = (e.origin, Origin(first: e.recordedAt, last: e.recordedAt))
            }
            run!.count.count(e)
        }
        endRun()
        return origins.sorted { $0.key < $1.key }.map { origin, o in
            ReadModelTally(table: "rm_origin", key: origin, sums: ["entries": o.entries, "voids": o.voids],
                           maxima: ["max_seq": .integer(Int64(o.maxSeq)), "last_recorded_at": .text(o.last.description)],
                           minima: ["first_recorded_at": .text(o.first.description)])
        }
    }
}
