/// An amount of money: an integer count of minor units (pence for GBP) and an ISO 4217 currency.
/// Never a float. Amounts in entries are never negative: refunds and returns are events of their own.
public struct Money: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The amount in the currency's minor units.
    public let minor: Int64
    /// The ISO 4217 currency.
    public let currency: Currency

    /// An amount; throws for a negative amount or one beyond ±(2⁵³ − 1) (the I-JSON integer range).
    public init(minor: Int64, currency: Currency) throws(CoreError) {
        guard minor >= 0, minor <= Money.maxMinor else {
            throw CoreError(.invalidValue, "amount \(minor) must be a whole number of minor units from 0 to \(Money.maxMinor)")
        }
        self.minor = minor
        self.currency = currency
    }

    /// Pounds sterling, from pence.
    public static func gbp(pence: Int64) throws(CoreError) -> Money { try Money(minor: pence, currency: .gbp) }

    /// The largest amount an entry can carry exactly (2⁵³ − 1).
    public static let maxMinor: Int64 = 9_007_199_254_740_991

    /// The amount in major units with the currency's number of decimals, e.g. `GBP 12.50`.
    public var description: String { "\(currency.code) \(currency.formatMajor(minor))" }

    private enum CodingKeys: String, CodingKey { case minor, currency }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(minor: c.decode(Int64.self, forKey: .minor), currency: c.decode(Currency.self, forKey: .currency))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(minor, forKey: .minor)
        try c.encode(currency, forKey: .currency)
    }
}

/// An active ISO 4217 currency code with its number of minor-unit digits.
public struct Currency: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The three-letter code.
    public let code: String
    /// Digits after the decimal point in the major unit (2 for GBP, 0 for JPY).
    public let exponent: Int

    /// Looks up an active ISO 4217 code; unknown codes are rejected.
    public init(_ code: String) throws(CoreError) {
        guard let exponent = Currency.exponents[code] else {
            throw CoreError(.invalidValue, "'\(code.prefix(12))' is not an active ISO 4217 currency code")
        }
        self.code = code
        self.exponent = exponent
    }

    /// Pounds sterling.
    public static let gbp = try! Currency("GBP")

    public var description: String { code }

    /// Formats minor units as a decimal major amount (`1250` → `12.50`).
    public func formatMajor(_ minor: Int64) -> String {
        guard exponent > 0 else { return String(minor) }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let frac = String(abs(minor) % scale)
        return "\(minor < 0 ? "-" : "")\(abs(minor) / scale).\(String(repeating: "0", count: exponent - frac.count))\(frac)"
    }

    public init(from decoder: any Decoder) throws {
        self = try TextCoding.decode(decoder) { (t) throws(CoreError) in try Currency(t) }
    }

    public func encode(to encoder: any Encoder) throws { try TextCoding.encode(code, to: encoder) }

    /// Every active code (ISO 4217, list of 2025), in order.
    public static var allCodes: [String] { exponents.keys.sorted() }

    private static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        let two = """
            AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF \
            CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ \
            GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD \
            MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON \
            RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS \
            UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
            """
        for code in two.split(separator: " ") { table[String(code)] = 2 }
        for code in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split(separator: " ") {
            table[String(code)] = 0
        }
        for code in "BHD IQD JOD KWD LYD OMR TND".split(separator: " ") { table[String(code)] = 3 }
        for code in "CLF UYW".split(separator: " ") { table[String(code)] = 4 }
        return table
    }()
}
