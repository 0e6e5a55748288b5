public import MusterCore

/// Looks for personal data in entries' bytes: opens every sealed payload and checks that none of
/// its string values appears anywhere in the entry's canonical bytes.
public enum PersonalDataCheck {
    /// Descriptions of every leak found (empty when none).
    public static func leaks(in entries: [Entry], keys: any SubjectKeyStore) throws -> [String] {
        var found: [String] = []
        for entry in entries {
            guard let sealed = entry.envelope.sealed, let subject = entry.envelope.subject else { continue }
            let revealed = try keys.reveal(sealed, subject: subject, origin: entry.envelope.origin, id: entry.envelope.id)
            if case .unopenable = revealed { found.append("\(entry.envelope.type) \(entry.envelope.id): the sealed payload does not open") }
            guard case .fields(let personal) = revealed else { continue }
            for (field, value) in personal.objectValue ?? [:] {
                guard let text = value.stringValue, text.utf8.count >= 4 else { continue }
                if entry.bytes.firstRange(of: Array(text.utf8)) != nil {
                    found.append("\(entry.envelope.type) \(entry.envelope.id): \(field)")
                }
            }
        }
        return found
    }
}
