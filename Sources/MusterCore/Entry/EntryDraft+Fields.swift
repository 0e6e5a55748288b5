extension EntryDraft {
    /// A draft from an event type and a flat object of its fields, as a person submits them (the
    /// CLI's `--json`, the HTTP API's `fields`). Each field goes to the clear payload or the
    /// personal (sealed) part by the type's schema; an e-mail also gives the clear blind index
    /// when the type has one; `member.joined` without a subject gets a new one.
    /// - Parameter source: Names the input in errors (`--json FILE`, `request body`).
    public init(type: String, subject: SubjectID?, operatorID: String, fields: JSONValue, blindIndex: BlindIndex,
                source: String) throws(CoreError) {
        let schema = try EventCatalog.latest(type: type).schema
        guard case .object(let members) = fields else { throw CoreError(.invalidValue, "\(source): expected a JSON object of fields") }
        var clear: [String: JSONValue] = [:], personal: [String: JSONValue] = [:]
        for (name, v) in members {
            if schema.clear.contains(where: { $0.name == name }) { clear[name] = v }
            else if schema.personal.contains(where: { $0.name == name }) { personal[name] = v }
            else {
                let known = (schema.clear + schema.personal).map(\.name).joined(separator: ", ")
                throw CoreError(.schemaViolation, "\(source): \(schema.type) has no field '\(name)'; its fields are: \(known)")
            }
        }
        if let email = personal["email"]?.stringValue, schema.clear.contains(where: { $0.name == "emailIndex" }), clear["emailIndex"] == nil {
            clear["emailIndex"] = .string(blindIndex.email(email))
        }
        var subject = subject
        if subject == nil && schema.type == MemberJoined.schema.type { subject = SubjectID.generate() }
        self.init(type: schema.type, typeVersion: schema.version, subject: subject, operatorID: operatorID,
                  payload: .object(clear), personal: personal.isEmpty ? nil : .object(personal))
    }
}
