import Foundation
import MusterCore

/// Human-readable JSON for `show`.
enum PrettyPrint {
    static func json(_ value: JSONValue) throws -> [UInt8] {
        let data = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: Data(CanonicalJSON.encode(value))),
                                              options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return Array(data)
    }
}

/// Progress on a terminal (one rewritten line), plain periodic lines otherwise.
final class Progress {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPlain = Date()

    init(label: String) { self.label = label }

    func update(_ text: String) {
        if isTerminal {
            FileHandle.standardError.write(Data("\r\(label): \(text)\u{1B}[K".utf8))
        } else if Date().timeIntervalSince(lastPlain) >= 5 {
            lastPlain = Date()
            FileHandle.standardError.write(Data("\(label): \(text)\n".utf8))
        }
    }

    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
