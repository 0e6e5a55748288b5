import Synchronization

/// A key store held in memory: for the demo, tests and tools that never persist keys.
public final class InMemorySubjectKeyStore: SubjectKeyStore {
    private enum Slot { case key(SubjectKey), erased }
    private let slots = Mutex<[SubjectID: Slot]>([:])

    /// An empty store.
    public init() {}

    public func lookup(_ subject: SubjectID) -> SubjectKeyLookup {
        slots.withLock { slots in
            switch slots[subject] {
            case .key(let key): .active(key)
            case .erased: .erased
            case nil: .unknown
            }
        }
    }

    public func keyForSealing(_ subject: SubjectID) throws -> SubjectKey {
        try slots.withLock { (slots) throws(CoreError) -> SubjectKey in
            switch slots[subject] {
            case .key(let key): return key
            case .erased: throw CoreError.erased(subject)
            case nil:
                let key = SubjectKey.generate()
                slots[subject] = .key(key)
                return key
            }
        }
    }

    public func destroy(_ subject: SubjectID) {
        slots.withLock { $0[subject] = .erased }
    }

    /// Adds a key received from another hub (unless the subject was erased here).
    public func install(_ key: SubjectKey, for subject: SubjectID) {
        slots.withLock { slots in
            if case .erased = slots[subject] { return }
            slots[subject] = .key(key)
        }
    }
}
