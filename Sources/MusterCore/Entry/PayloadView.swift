/// An entry's clear payload, read where it lies.
///
/// An entry read off a tape (every stored entry, and every received one in the tape's subset)
/// keeps its payload as the entry's bytes and tape: a member is found by scanning the payload's
/// tokens, and a `JSONValue` tree is made only when a caller asks for ``value``. A replay reads a
/// few members of each of a million payloads; making every payload a tree of dictionaries and
/// strings first, and freeing it after, was about a tenth of a rebuild's work.
///
/// Two views are equal when their values are, wherever they came from.
public struct PayloadView: Sendable, Hashable {
    private enum Source: Sendable {
        case value(JSONValue)
        /// The payload object at token `at` of `tape`, a tape of `bytes`.
        case taped(bytes: [UInt8], tape: JSONTape, at: Int)
    }

    private let source: Source

    /// A view of a payload already held as a value.
    public init(_ value: JSONValue) { source = .value(value) }

    /// A view of the value at token `at` of `tape`, a tape of `bytes`.
    init(bytes: [UInt8], tape: JSONTape, at: Int) { source = .taped(bytes: bytes, tape: tape, at: at) }

    /// The payload as a value (made anew from the bytes each time, for a taped payload).
    public var value: JSONValue {
        switch source {
        case .value(let v): v
        case .taped(let bytes, let tape, let at): bytes.withUnsafeBufferPointer { tape.value(at, in: $0) }
        }
    }

    /// The string member `name`, or its member `inner` (e.g. an amount's `currency`); nil when
    /// missing or not a string.
    public func string(_ name: String, _ inner: String? = nil) -> String? {
        read(name, inner, \.stringValue) { tape, at, u in tape.string(at, in: u) }
    }

    /// The integer member `name`, or its member `inner` (e.g. an amount's `minor`); nil when
    /// missing or not an exact integer.
    public func integer(_ name: String, _ inner: String? = nil) -> Int64? {
        read(name, inner, \.integerValue) { tape, at, u in tape.integer(at, in: u) }
    }

    /// Member `name`, or its member `inner`, read from the value or off the tape.
    private func read<T>(_ name: String, _ inner: String?, _ fromValue: (JSONValue) -> T?,
                         _ fromTape: (JSONTape, Int, UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        switch source {
        case .value(let v):
            guard let outer = v[name] else { return nil }
            return (inner.map { outer[$0] } ?? outer).flatMap(fromValue)
        case .taped(let bytes, let tape, let at):
            return bytes.withUnsafeBufferPointer { u in Self.token(tape, at, name, inner, u).flatMap { fromTape(tape, $0, u) } }
        }
    }

    /// The token of member `name` of the object at `at`, or of its member `inner`.
    private static func token(_ tape: JSONTape, _ at: Int, _ name: String, _ inner: String?,
                              _ u: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let outer = member(tape, name, of: at, u) else { return nil }
        guard let inner else { return outer }
        return member(tape, inner, of: outer, u)
    }

    private static func member(_ tape: JSONTape, _ name: String, of object: Int, _ u: UnsafeBufferPointer<UInt8>) -> Int? {
        var name = name
        return name.withUTF8 { tape.member($0, of: object, in: u) }
    }

    public static func == (a: PayloadView, b: PayloadView) -> Bool { a.value == b.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
