import Foundation
import MusterCore
import MusterDemo
import MusterStore
import MusterTesting

/// A hub in a temporary directory, and drafts to record into it.
struct TestHub {
    let temp: TemporaryDirectory
    let hub: Hub
    var directory: DataDirectory { hub.directory }

    init(origin: String = "test.example.org/hub/a") throws {
        temp = try TemporaryDirectory()
        hub = try Hub.create(directory: DataDirectory(path: temp.path("hub")), origin: origin)
    }

    static func drafts(members: Int, seed: UInt64 = 7) -> [EntryDraft] {
        SyntheticMovement(.init(members: members, seed: seed)).events.map(\.draft)
    }

    /// Every entry of the hub's own log, in seq order.
    func entries() throws -> [Entry] {
        try hub.store.entries(origin: hub.origin, fromSeq: 1, limit: Int.max).map(\.entry)
    }
}
