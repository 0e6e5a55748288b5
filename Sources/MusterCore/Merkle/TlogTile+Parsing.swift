extension TlogTile {
    /// Parses a hash tile path `tile/<L>/<N>[.p/<W>]`.
    /// - Throws: ``MerkleError/Code/invalidTilePath`` for anything else, including `x`-less
    ///   leading groups, digits not zero-padded to 3, leading zeros in `L` or `W`, or `W` of 256.
    public init(path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "tile", let level = Self.decimal(parts[1], in: 0...63) else {
            throw MerkleError(.invalidTilePath, "not a tile path: \(path)")
        }
        let (index, width) = try Self.parseIndex(parts.dropFirst(2), path: path)
        self.init(unchecked: level, index, width)
    }

    /// Parses an entry bundle path `tile/entries/<N>[.p/<W>]` as the level-0 tile of the same
    /// index and width.
    /// - Throws: ``MerkleError/Code/invalidTilePath`` for anything else.
    public init(entryBundlePath path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0] == "tile", parts[1] == "entries" else {
            throw MerkleError(.invalidTilePath, "not an entry bundle path: \(path)")
        }
        let (index, width) = try Self.parseIndex(parts.dropFirst(2), path: path)
        self.init(unchecked: 0, index, width)
    }

    private static func parseIndex(
        _ elements: ArraySlice<Substring>,
        path: String
    ) throws -> (index: UInt64, width: Int) {
        var groups = Array(elements)
        var width = fullWidth
        if groups.count >= 2, groups[groups.count - 2].hasSuffix(".p") {
            guard let w = decimal(groups[groups.count - 1], in: 1...(fullWidth - 1)) else {
                throw MerkleError(.invalidTilePath, "partial tile width must be 1...255 in \(path)")
            }
            width = w
            groups.removeLast()
            groups[groups.count - 1] = groups[groups.count - 1].dropLast(2)
        }
        var index: UInt64 = 0
        for (position, group) in groups.enumerated() {
            var digits = group
            if position < groups.count - 1 {
                guard digits.first == "x" else {
                    throw MerkleError(.invalidTilePath, "index element \(group) lacks the x prefix in \(path)")
                }
                digits = digits.dropFirst()
            }
            guard digits.utf8.count == 3, digits.utf8.allSatisfy({ (48...57).contains($0) }),
                let value = UInt64(digits)
            else {
                throw MerkleError(.invalidTilePath, "index element \(group) is not 3 digits in \(path)")
            }
            let (scaled, overflowA) = index.multipliedReportingOverflow(by: 1000)
            let (sum, overflowB) = scaled.addingReportingOverflow(value)
            guard !overflowA, !overflowB else {
                throw MerkleError(.invalidTilePath, "tile index overflows 64 bits in \(path)")
            }
            index = sum
        }
        guard encodedIndex(index) == groups.joined(separator: "/") else {
            throw MerkleError(.invalidTilePath, "tile index is not in canonical form in \(path)")
        }
        return (index, width)
    }

    /// A decimal without sign or leading zeros, within `range`.
    private static func decimal(_ text: Substring, in range: ClosedRange<Int>) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (48...57).contains($0) }),
            text == "0" || text.first != "0", text.count <= 4, let value = Int(text), range.contains(value)
        else { return nil }
        return value
    }
}
