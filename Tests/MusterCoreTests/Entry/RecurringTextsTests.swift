import Foundation
@testable import MusterCore
import Testing

/// Entries read in turn share the texts that recur between them, and read exactly as they do
/// one at a time.
@Suite struct RecurringTextsTests {
    /// Where a string's UTF-8 lives (the same address: the same storage, not a copy).
    static func storage(_ s: String) -> UnsafeRawPointer? {
        s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    static func text(_ s: String, _ texts: inout RecurringTexts) -> String {
        Array(s.utf8).withUnsafeBufferPointer { texts.text($0) }
    }

    @Test func aLongTextSeenAgainIsTheOneKeptAndShortOnesAreMadeInPlace() {
        var texts = RecurringTexts()
        let origin = "sheffield.example.org/hub/a"
        let first = Self.text(origin, &texts)
        let again = Self.text(origin, &texts)
        #expect(first == origin && again == origin)
        #expect(Self.storage(first) == Self.storage(again))
        // A different text of the same length is not taken for it.
        let other = Self.text("sheffield.example.org/hub/b", &texts)
        #expect(other == "sheffield.example.org/hub/b")
        #expect(Self.text("member.joined", &texts) == "member.joined")
        #expect(Self.text("", &texts) == "")
        #expect(Self.text("wales-ünïcode-ë-∂-long", &texts) == "wales-ünïcode-ë-∂-long")
    }

    @Test func pastItsCapacityTheLeastRecentTextIsMadeAfresh() {
        var texts = RecurringTexts()
        let names = (0...RecurringTexts.capacity).map { "origin-\($0).example.org/hub" }
        let first = Self.text(names[0], &texts)
        for name in names.dropFirst() { _ = Self.text(name, &texts) }
        let remade = Self.text(names[0], &texts)
        #expect(remade == names[0])
        #expect(Self.storage(remade) != Self.storage(first))
        // The most recent are still kept.
        let last = names[names.count - 1]
        #expect(Self.storage(Self.text(last, &texts)) == Self.storage(Self.text(last, &texts)))
    }

    @Test func entriesReadInTurnEqualEntriesReadAlone() throws {
        var texts = RecurringTexts()
        var origins: Set<UnsafeRawPointer?> = []
        for entry in EntryFixtures.small.entries {
            let shared = try Entry.decode(stored: entry.bytes, texts: &texts)
            #expect(shared.envelope == (try Entry.decode(stored: entry.bytes)).envelope)
            #expect(shared.envelope == entry.envelope)
            origins.insert(Self.storage(shared.envelope.origin))
        }
        // One origin, long enough to be kept: one copy of it for the whole log.
        #expect(EntryFixtures.small.entries.first!.envelope.origin.utf8.count > 15)
        #expect(origins.count == 1)
    }
}
