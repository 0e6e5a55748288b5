/// Members: status, region, constituency, join date and consent per purpose and channel. Personal
/// fields stay sealed in the log; this model holds only clear ones.
///
/// Merge rules: place (region, constituency, outward code, hub) and status are last-writer-wins
/// on the fact order; the join date is the earliest joined; erasure is a tombstone that wins over
/// any later status; consent is last-writer-wins per (purpose, channel).
public struct MembersProjection: Projection {
    public let name = "members"
    /// 2: a member whose every fact is voided has no row (applied, such a member had kept a row of
    /// status "unknown" and no events; version 1 models are rebuilt once).
    public let version = 2
    public init() {}

    static let member = "member"
    static let types: Set<String> = [
        MemberJoined.schema.type, MemberDetailsChanged.schema.type, MemberMoved.schema.type, MemberLapsed.schema.type,
        MemberRenewed.schema.type, MemberLeft.schema.type, SubjectErased.schema.type,
        ConsentRecorded.schema.type, ConsentWithdrawn.schema.type,
    ]

    public let tables = [
        ReadModelTable("rm_member", entity: member, columns: [
            .init("key"), .init("status"), .init("status_on"), .init("region"), .init("constituency"), .init("outward_code"),
            .init("joined_on"), .init("hub"), .init("email_index"), .init("events", integer: true),
        ]),
        ReadModelTable("rm_consent", entity: member, columns: [
            .init("key"), .init("purpose"), .init("channel"), .init("granted", integer: true), .init("on_date"),
        ], primaryKey: ["key", "purpose", "channel"]),
    ]

    public var routedTypes: Set<String> { Self.types }

    public func route(_ envelope: Envelope) -> [FactKey] {
        guard Self.types.contains(envelope.type), let subject = envelope.subject else { return [] }
        return [FactKey(Self.member, subject.text)]
    }

    public func fold(_ key: FactKey, facts: [Fact]) -> [ReadModelRow] {
        guard !facts.isEmpty else { return [] }
        var status = Register<String>(), statusOn = Register<CalendarDate>()
        var region = Register<String>(), constituency = Register<String>(), outward = Register<String>()
        var hub = Register<String>(), emailIndex = Register<String>()
        var joinedOn: CalendarDate?, erasedOn: CalendarDate?
        var consent: [[String]: (granted: Bool, on: CalendarDate?)] = [:]  // by [purpose, channel]
        for f in facts {
            switch f.type {
            case MemberJoined.schema.type:
                region.set(f.string("region")); constituency.set(f.constituency("constituency"))
                outward.overwrite(f.string("outwardCode")); emailIndex.set(f.string("emailIndex"))
                let on = f.date("joinedOn")
                if let on { joinedOn = min(joinedOn ?? on, on) }
                status.set("active"); statusOn.set(on)
            case MemberDetailsChanged.schema.type:
                outward.set(f.string("outwardCode")); emailIndex.set(f.string("emailIndex"))
            case MemberMoved.schema.type:
                region.set(f.string("region")); constituency.set(f.constituency("constituency"))
                outward.overwrite(f.string("outwardCode")); hub.set(f.string("toHub"))
            case MemberLapsed.schema.type: status.set("lapsed"); statusOn.set(f.date("lapsedOn"))
            case MemberRenewed.schema.type: status.set("active"); statusOn.set(f.date("renewedOn"))
            case MemberLeft.schema.type: status.set("left"); statusOn.set(f.date("leftOn"))
            case SubjectErased.schema.type: erasedOn = erasedOn ?? f.date("requestedOn")
            case ConsentRecorded.schema.type, ConsentWithdrawn.schema.type:
                guard let purpose = f.string("purpose"), let channel = f.string("channel") else { continue }
                let granted = f.type == ConsentRecorded.schema.type
                consent[[purpose, channel]] = (granted, f.date(granted ? "recordedOn" : "withdrawnOn"))
            default: continue
            }
        }
        // A member whose join has not arrived yet still has a row, with status "unknown".
        let finalStatus = erasedOn != nil ? "erased" : status.value ?? "unknown"
        let finalOn = erasedOn ?? statusOn.value
        var rows = [ReadModelRow("rm_member", [
            .text(key.key), .text(finalStatus), .optional(finalOn), .optional(region.value), .optional(constituency.value),
            .optional(outward.value), .optional(joinedOn), .optional(hub.value), .optional(emailIndex.value),
            .integer(Int64(facts.count)),
        ])]
        for (pc, c) in consent.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            rows.append(ReadModelRow("rm_consent", [.text(key.key), .text(pc[0]), .text(pc[1]), .integer(c.granted ? 1 : 0),
                                                     .optional(c.on)]))
        }
        return rows
    }
}
