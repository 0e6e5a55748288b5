/// RFC 8785 (JSON Canonicalization Scheme) for Muster's log entries: the canonical writer, a
/// strict reader, and the check that an entry's bytes are exactly canonical.
///
/// The reader accepts RFC 8259 JSON within I-JSON (RFC 7493) limits and rejects, with the byte
/// offset and JSON path: duplicate member names, ill-formed UTF-8, lone surrogate escapes,
/// non-finite numbers, integer literals beyond ±(2⁵³ − 1), leading zeros, trailing commas or
/// content, a byte-order mark, unescaped control characters and nesting deeper than
/// ``maximumDepth``.
public enum CanonicalJSON {
    /// The deepest nesting of arrays and objects the reader accepts.
    public static let maximumDepth = 100

    // MARK: Writing

    /// The RFC 8785 canonical bytes of `value`.
    /// - Throws: ``CanonicalJSONError/Code/nonFiniteNumber`` for NaN or an infinity anywhere in `value`.
    public static func encode(_ value: JSONValue) throws(CanonicalJSONError) -> [UInt8] {
        var buffer: [UInt8] = []
        try encode(value, into: &buffer)
        return buffer
    }

    /// Appends the RFC 8785 canonical bytes of `value` to `buffer`, so a caller can reuse one buffer.
    ///
    /// On a throw, `buffer` may hold part of the encoding after its original contents.
    /// - Throws: ``CanonicalJSONError/Code/nonFiniteNumber`` for NaN or an infinity anywhere in `value`.
    public static func encode(_ value: JSONValue, into buffer: inout [UInt8]) throws(CanonicalJSONError) {
        do { try CanonicalJSONWriter.append(value, to: &buffer) } catch { throw error.atRoot() }
    }

    // MARK: Reading

    /// Parses one strict JSON text (whitespace allowed) into a value.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(CanonicalJSONError) -> JSONValue {
        try run(bytes.assumingMemoryBound(to: UInt8.self), canonical: false)
    }

    /// Parses one strict JSON text (whitespace allowed) into a value.
    public static func parse(_ bytes: some Collection<UInt8>) throws(CanonicalJSONError) -> JSONValue {
        try withBuffer(bytes) { buffer throws(CanonicalJSONError) in try run(buffer, canonical: false) }
    }

    /// Parses a JSON text and requires it to be exactly the canonical encoding of its value.
    ///
    /// This is the check every log entry passes. If the bytes are valid JSON but not canonical,
    /// the error (``CanonicalJSONError/Code/notCanonical``) names the first byte offset at which
    /// they differ from the canonical encoding.
    public static func parseCanonical(_ bytes: UnsafeRawBufferPointer) throws(CanonicalJSONError) -> JSONValue {
        try run(bytes.assumingMemoryBound(to: UInt8.self), canonical: true)
    }

    /// Parses a JSON text and requires it to be exactly the canonical encoding of its value.
    public static func parseCanonical(_ bytes: some Collection<UInt8>) throws(CanonicalJSONError) -> JSONValue {
        try withBuffer(bytes) { buffer throws(CanonicalJSONError) in try run(buffer, canonical: true) }
    }

    /// The canonical bytes of a JSON text: `encode(parse(bytes))`.
    public static func canonicalize(_ bytes: some Collection<UInt8>) throws(CanonicalJSONError) -> [UInt8] {
        try encode(parse(bytes))
    }

    // MARK: Internals

    private static func run(_ bytes: UnsafeBufferPointer<UInt8>, canonical: Bool) throws(CanonicalJSONError)
        -> JSONValue
    {
        var parser = CanonicalJSONParser(bytes: bytes, checkCanonical: canonical, maximumDepth: maximumDepth)
        let value: JSONValue
        do { value = try parser.parseDocument() } catch { throw error.atRoot() }
        if canonical, parser.firstDeviation != nil {
            throw notCanonical(bytes, value: value)
        }
        return value
    }

    /// The error for non-canonical bytes, naming the first offset where they differ from the encoding.
    private static func notCanonical(
        _ bytes: UnsafeBufferPointer<UInt8>, value: JSONValue
    ) -> CanonicalJSONError {
        // A parsed value is always finite, so encoding cannot fail.
        let expected = (try? encode(value)) ?? []
        var offset = 0
        while offset < expected.count, offset < bytes.count, expected[offset] == bytes[offset] { offset += 1 }
        let found = offset < bytes.count ? CanonicalJSONParser.describe(bytes[offset]) : "end of input"
        let wanted = offset < expected.count ? CanonicalJSONParser.describe(expected[offset]) : "end of input"
        return CanonicalJSONError(
            .notCanonical,
            "bytes are not the RFC 8785 canonical encoding (expected \(wanted), found \(found))",
            offset: offset
        )
    }

    private static func withBuffer<Bytes: Collection<UInt8>>(
        _ bytes: Bytes,
        _ body: (UnsafeBufferPointer<UInt8>) throws(CanonicalJSONError) -> JSONValue
    ) throws(CanonicalJSONError) -> JSONValue {
        let contiguous = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(CanonicalJSONError) in try body(buffer) }
        }
        if let contiguous { return try contiguous.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in
            Result { () throws(CanonicalJSONError) in try body(buffer) }
        }.get()
    }
}
