/// Formats doubles as ECMAScript's `Number::toString` does (ECMA-262 §6.1.6.1.20), which is the
/// number format RFC 8785 §3.2.2.3 prescribes.
///
/// The shortest round-trip digits come from Swift's own `description` (which is shortest and
/// closest, as ECMAScript requires); only their layout is changed here.
enum ECMAScriptNumber {
    /// Appends the ECMAScript form of a finite `value` to `buffer`.
    static func append(_ value: Double, to buffer: inout [UInt8]) {
        precondition(value.isFinite, "ECMAScriptNumber.append needs a finite value")
        if value == 0 {
            buffer.append(UInt8(ascii: "0"))  // also -0
            return
        }
        // Integers below 2^53 in magnitude print as their exact digits: no shorter digit string
        // can round-trip, since neighbouring doubles are at most 1 apart.
        if value.magnitude < 9_007_199_254_740_992, value == value.rounded(.towardZero) {
            appendInteger(Int64(value), to: &buffer)
            return
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        let exponent = shortestDigits(value.magnitude, into: &digits)
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        layout(digits: digits, pointPosition: exponent, into: &buffer)
    }

    /// Appends the decimal digits of an integer.
    static func appendInteger(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes, enough for 20 digits
        withUnsafeMutableBytes(of: &scratch) { raw in
            var end = raw.count
            repeat {
                end -= 1
                raw[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            buffer.append(contentsOf: raw[end...])
        }
    }

    /// Writes the shortest round-trip significant digits of a positive finite `value` (no
    /// leading or trailing zeros) and returns n, the position of the decimal point relative to
    /// the first digit: value = 0.d₁d₂…dₖ × 10ⁿ.
    private static func shortestDigits(_ value: Double, into digits: inout [UInt8]) -> Int {
        // Swift prints "1.2345e-07", "1.152921504606847e+18", "0.001" or "123.45".
        var exponent = 0
        var pointSeen = false
        var integerDigits = 0
        var text = value.description
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "e") {
                    var sign = 1
                    index += 1
                    if bytes[index] == UInt8(ascii: "-") { sign = -1; index += 1 }
                    else if bytes[index] == UInt8(ascii: "+") { index += 1 }
                    var magnitude = 0
                    while index < bytes.count {
                        magnitude = magnitude * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                        index += 1
                    }
                    exponent = sign * magnitude
                    break
                }
                if byte == UInt8(ascii: ".") {
                    pointSeen = true
                } else if byte == UInt8(ascii: "0") && digits.isEmpty {
                    // A leading zero before the point carries no position; one after it shifts n.
                    if pointSeen { integerDigits -= 1 }
                } else {
                    digits.append(byte)
                    if !pointSeen { integerDigits += 1 }
                }
                index += 1
            }
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return integerDigits + exponent
    }

    /// Lays out digits d₁…dₖ with value 0.d₁…dₖ × 10ⁿ as ECMA-262 `Number::toString` step 6–10.
    private static func layout(digits: [UInt8], pointPosition n: Int, into buffer: inout [UInt8]) {
        let k = digits.count
        let zero = UInt8(ascii: "0")
        if k <= n && n <= 21 {
            buffer.append(contentsOf: digits)
            buffer.append(contentsOf: repeatElement(zero, count: n - k))
        } else if 0 < n && n <= 21 {
            buffer.append(contentsOf: digits[..<n])
            buffer.append(UInt8(ascii: "."))
            buffer.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            buffer.append(zero)
            buffer.append(UInt8(ascii: "."))
            buffer.append(contentsOf: repeatElement(zero, count: -n))
            buffer.append(contentsOf: digits)
        } else {
            buffer.append(digits[0])
            if k > 1 {
                buffer.append(UInt8(ascii: "."))
                buffer.append(contentsOf: digits[1...])
            }
            buffer.append(UInt8(ascii: "e"))
            let e = n - 1
            buffer.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            appendInteger(Int64(e.magnitude), to: &buffer)
        }
    }
}
