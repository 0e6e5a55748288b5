/// Values with exactly one text form travel in JSON as that string; decoding applies the same
/// checks as the value's initialiser, so a typed event can never hold a malformed value.
enum TextCoding {
    static func decode<T>(_ decoder: any Decoder, _ parse: (String) throws(CoreError) -> T) throws -> T {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { return try parse(text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.reason))
        }
    }

    static func encode(_ text: String, to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

extension CalendarDate: Codable {
    public init(from decoder: any Decoder) throws { self = try TextCoding.decode(decoder) { (t) throws(CoreError) in try CalendarDate(t) } }
    public func encode(to encoder: any Encoder) throws { try TextCoding.encode(description, to: encoder) }
}

extension Timestamp: Codable {
    public init(from decoder: any Decoder) throws { self = try TextCoding.decode(decoder) { (t) throws(CoreError) in try Timestamp(t) } }
    public func encode(to encoder: any Encoder) throws { try TextCoding.encode(description, to: encoder) }
}

extension EventID: Codable {
    public init(from decoder: any Decoder) throws { self = try TextCoding.decode(decoder) { (t) throws(CoreError) in try EventID(t) } }
    public func encode(to encoder: any Encoder) throws { try TextCoding.encode(text, to: encoder) }
}

extension SubjectID: Codable {
    public init(from decoder: any Decoder) throws { self = try TextCoding.decode(decoder) { (t) throws(CoreError) in try SubjectID(t) } }
    public func encode(to encoder: any Encoder) throws { try TextCoding.encode(text, to: encoder) }
}

/// A Westminster constituency: its ONS/GSS code (`E14001063`) and the boundary review it belongs to.
public struct Constituency: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The GSS code.
    public let code: String
    /// The boundary set, `2024` for the current Westminster boundaries.
    public let boundarySet: String

    /// A constituency; throws for a malformed code or an unknown boundary set.
    public init(code: String, boundarySet: String = "2024") throws(CoreError) {
        guard PatternLibrary.matcher(for: PatternLibrary.gss)!(code) else {
            throw CoreError(.invalidValue, "'\(code.prefix(20))' is not a Westminster constituency GSS code (E14…, W07…, S14…, N05…/N06…)")
        }
        guard Vocabulary.boundarySets.contains(boundarySet) else {
            throw CoreError(.invalidValue, "boundary set '\(boundarySet.prefix(20))' is not one of \(Vocabulary.boundarySets.joined(separator: ", "))")
        }
        self.code = code
        self.boundarySet = boundarySet
    }

    public var description: String { "\(code) (\(boundarySet))" }

    private enum CodingKeys: String, CodingKey { case code, boundarySet }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(code: c.decode(String.self, forKey: .code), boundarySet: c.decode(String.self, forKey: .boundarySet))
        } catch let error as CoreError {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.reason))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(boundarySet, forKey: .boundarySet)
    }
}
