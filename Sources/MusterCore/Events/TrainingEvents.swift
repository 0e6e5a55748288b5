/// `training.session-held`: a training session takes place (no subject).
public struct TrainingSessionHeld: EventPayload, Hashable {
    public var sessionId: String
    public var course: String
    public var heldOn: CalendarDate
    public var region: String
    public var constituency: Constituency?
    public var format: String?
    /// A session.
    public init(sessionId: String, course: String, heldOn: CalendarDate, region: String,
                constituency: Constituency? = nil, format: String? = nil) {
        self.sessionId = sessionId; self.course = course; self.heldOn = heldOn; self.region = region
        self.constituency = constituency; self.format = format
    }

    public static let schema = EventSchema(
        type: "training.session-held", summary: "A training session is held.", subject: .none,
        clear: [.required("sessionId", .uuid, "Session id."), .required("course", .slug, "Course id."),
                Fields.date("heldOn", "Date held."), Fields.region,
                .optional("constituency", .constituency, "Constituency it served."),
                .optional("format", .token(["in-person", "online"]), "In person or online.")])
}

/// `training.attendance-recorded`: a member's attendance at a session.
public struct TrainingAttendanceRecorded: EventPayload, Hashable {
    public var sessionId: String
    public var course: String
    public var attendance: String
    /// An attendance record.
    public init(sessionId: String, course: String, attendance: String) {
        self.sessionId = sessionId; self.course = course; self.attendance = attendance
    }

    public static let schema = EventSchema(
        type: "training.attendance-recorded", summary: "A member's attendance at a session is recorded.",
        subject: .required,
        clear: [.required("sessionId", .uuid, "Session id."), .required("course", .slug, "Course id."),
                .required("attendance", .token(["attended", "absent", "facilitated"]), "What happened.")])
}
