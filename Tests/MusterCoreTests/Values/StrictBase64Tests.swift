import Foundation
import Testing
@testable import MusterCore

@Suite struct StrictBase64Tests {
    /// Foundation's encoder is the independent implementation: every length of random bytes
    /// decodes back from its spelling.
    @Test func decodesWhatFoundationEncodes() {
        var generator = SystemRandomNumberGenerator()
        for count in 0..<70 {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(StrictBase64.decode(Data(bytes).base64EncodedString()) == bytes, "\(count) bytes")
        }
    }

    @Test func refusesEverySpellingButTheCanonicalOne() {
        for text in ["QR==", "QUJ=", "QQ=", "QQ", "Q===", "====", "QQ==QQ==", "QUJD=", "QU=D", "Q Q==", "QQ-_", "QUJD\n",
                     "4pyT8J+Yg", "QQ==\u{0}"] {
            #expect(StrictBase64.decode(text) == nil, "\(text.debugDescription) was accepted")
            #expect(Data(base64Encoded: text).map { $0.base64EncodedString() } != text, "\(text) is canonical after all")
        }
        #expect(StrictBase64.decode("QQ==") == [0x41])
        #expect(StrictBase64.decode("QUI=") == [0x41, 0x42])
        #expect(StrictBase64.decode("") == [])
    }
}
