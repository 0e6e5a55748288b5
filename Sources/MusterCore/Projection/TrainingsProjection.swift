/// Trainings: sessions held and each member's attendance at each session.
///
/// Merge rules: a session's details and a member's attendance at a session are last-writer-wins.
public struct TrainingsProjection: Projection {
    public let name = "trainings"
    public let version = 1
    public init() {}

    static let session = "session", attendance = "attendance"

    public let tables = [
        ReadModelTable("rm_session", entity: session, columns: [
            .init("key"), .init("course"), .init("held_on"), .init("region"), .init("constituency"), .init("format"),
        ]),
        ReadModelTable("rm_attendance", entity: attendance, columns: [
            .init("key"), .init("session_id"), .init("subject"), .init("course"), .init("attendance"),
        ]),
    ]

    public var routedTypes: Set<String> { [TrainingSessionHeld.schema.type, TrainingAttendanceRecorded.schema.type] }

    public func route(_ envelope: Envelope) -> [FactKey] {
        switch envelope.type {
        case TrainingSessionHeld.schema.type:
            return envelope.payloadView.string("sessionId").map { [FactKey(Self.session, $0)] } ?? []
        case TrainingAttendanceRecorded.schema.type:
            guard let sessionID = envelope.payloadView.string("sessionId"), let subject = envelope.subject else { return [] }
            return [FactKey(Self.attendance, sessionID + "/" + subject.text)]
        default: return []
        }
    }

    public func fold(_ key: FactKey, facts: [Fact]) -> [ReadModelRow] {
        guard let last = facts.last else { return [] }
        if key.entity == Self.session {
            return [ReadModelRow("rm_session", [
                .text(key.key), .optional(last.string("course")), .optional(last.string("heldOn")), .optional(last.string("region")),
                .optional(last.constituency("constituency")), .optional(last.string("format")),
            ])]
        }
        return [ReadModelRow("rm_attendance", [
            .text(key.key), .optional(last.string("sessionId")), .optional(last.subject), .optional(last.string("course")),
            .optional(last.string("attendance")),
        ])]
    }
}
