extension CanonicalJSONParser {
    /// The largest integer I-JSON (RFC 7493 §2.2) can exchange exactly: 2⁵³ − 1.
    static let maximumExactInteger: UInt64 = 9_007_199_254_740_991

    /// Exact powers of ten a double holds, for the Clinger fast path.
    private static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Parses a number per the RFC 8259 grammar and I-JSON limits.
    mutating func parseNumber() throws(CanonicalJSONError) -> Double {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var significand: UInt64 = 0
        var significantDigits = 0
        var decimalExponent = 0

        guard index < bytes.count, isDigit(bytes[index]) else {
            throw invalidNumber("expected a digit", start: start)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw CanonicalJSONError(.leadingZero, "number has a leading zero", offset: start)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                accumulate(bytes[index], &significand, &significantDigits, &decimalExponent, fraction: false)
                index += 1
            }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw invalidNumber("expected a digit after the decimal point", start: start)
            }
            while index < bytes.count, isDigit(bytes[index]) {
                accumulate(bytes[index], &significand, &significantDigits, &decimalExponent, fraction: true)
                index += 1
            }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw invalidNumber("expected a digit in the exponent", start: start)
            }
            var exponent = 0
            while index < bytes.count, isDigit(bytes[index]) {
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            decimalExponent += exponentNegative ? -exponent : exponent
        }

        if isInteger {
            guard significantDigits <= 16, significand <= Self.maximumExactInteger else {
                throw CanonicalJSONError(
                    .numberOutOfRange, "integer is beyond ±(2^53 − 1), the I-JSON exact range", offset: start)
            }
            if negative && significand == 0 { deviate(at: start) }  // "-0" is written "0"
            let value = Double(significand)
            return negative ? -value : value
        }
        var value: Double
        if significantDigits <= 15 && decimalExponent.magnitude <= 22 {
            value = Double(significand)  // exact, and so is the power: one correctly rounded operation
            value = decimalExponent < 0
                ? value / Self.powersOfTen[-decimalExponent] : value * Self.powersOfTen[decimalExponent]
        } else {
            let literal = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            value = Double(literal)?.magnitude ?? .infinity
        }
        guard value.isFinite else {
            throw CanonicalJSONError(.numberOutOfRange, "number is too large for a double", offset: start)
        }
        if negative { value = -value }
        if checking { checkCanonicalNumber(value, start: start) }
        return value
    }

    /// Adds one digit to the significand, counting significant digits and the exponent shift.
    @inline(__always)
    private func accumulate(
        _ byte: UInt8, _ significand: inout UInt64, _ digits: inout Int, _ exponent: inout Int, fraction: Bool
    ) {
        let digit = UInt64(byte - UInt8(ascii: "0"))
        if digits == 0 && digit == 0 {
            if fraction { exponent -= 1 }  // leading zeros after the point only shift
            return
        }
        if digits < 19 {
            significand = significand * 10 + digit
            if fraction { exponent -= 1 }
        } else if !fraction {
            exponent += 1
        }
        digits += 1
    }

    /// Notes a deviation when the literal is not the ECMAScript form of its value.
    private mutating func checkCanonicalNumber(_ value: Double, start: Int) {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(24)
        ECMAScriptNumber.append(value, to: &canonical)
        let literal = UnsafeBufferPointer(rebasing: bytes[start..<index])
        if !canonical.elementsEqual(literal) { deviate(at: start) }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    private func invalidNumber(_ reason: String, start: Int) -> CanonicalJSONError {
        if index >= bytes.count {
            return CanonicalJSONError(.unexpectedEnd, "input ended inside a number (\(reason))", offset: start)
        }
        return CanonicalJSONError(
            .invalidNumber, "malformed number: \(reason), found \(Self.describe(bytes[index]))", offset: start)
    }
}
