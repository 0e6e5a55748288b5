import Foundation
public import Logging
public import MusterCore
public import MusterStore

/// What one round of pulls from one peer did, per origin.
public struct SyncRoundReport: Sendable {
    /// Per origin: entries pulled this round.
    public var pulled: [String: UInt64] = [:]
    /// Per origin: what went wrong.
    public var errors: [String: String] = [:]
    /// Origins frozen this round.
    public var frozen: [String] = []
    /// Whether the round installed a newer roster.
    public var rosterUpdated = false
    /// Total entries pulled.
    public var total: UInt64 { pulled.values.reduce(0, +) }
}

/// Runs the pull protocol against peers: heads, roster, evidence, then each origin's
/// ``OriginPull`` with the I/O it asks for. Everything a peer sends is verified before it is kept.
public struct Synchronizer: Sendable {
    let hub: Hub
    let logger: Logger
    let batchSize: UInt64

    /// A synchronizer for `hub`.
    public init(hub: Hub, logger: Logger, batchSize: UInt64 = 8192) {
        self.hub = hub
        self.logger = logger
        self.batchSize = batchSize
    }

    /// One round of pulls from `peer` (named `name` in statuses), starting from `heads` when the
    /// caller already has them.
    public func round(with peer: some SyncPeer, name: String, heads given: SyncWire.Heads? = nil) async throws -> SyncRoundReport {
        var report = SyncRoundReport()
        guard let roster = hub.roster else {
            throw SyncError(.roster, "this hub has no roster: install one with `muster roster install`")
        }
        let heads: SyncWire.Heads
        do {
            if let given { heads = given } else { heads = try await peer.heads() }
        } catch {
            try? hub.store.recordPeerStatus(peer: name, origin: "", theirSize: nil, error: "\(error)")
            throw error
        }
        if heads.rosterVersion > roster.version {
            do {
                report.rosterUpdated = try hub.installRoster(note: try await peer.roster())
                if report.rosterUpdated { logger.notice("installed roster version \(heads.rosterVersion) from \(name)") }
            } catch {
                logger.warning("peer \(name) offers roster version \(heads.rosterVersion), refused: \(error)")
            }
        }
        let frozenHere = try hub.store.frozenOrigins()
        if heads.frozen.contains(where: { frozenHere[$0] == nil }) {
            for evidence in try await peer.evidence() where try hub.store.frozenOrigins()[evidence.origin] == nil {
                do {
                    if try hub.freeze(evidence, source: name) {
                        report.frozen.append(evidence.origin)
                        logger.critical("origin \(evidence.origin) FROZEN: \(name) served evidence that it signed two inconsistent checkpoints")
                    }
                } catch {
                    logger.error("peer \(name) served evidence against \(evidence.origin) that does not verify: \(error)")
                }
            }
        }
        // What this hub holds, read once per round (heads name each origin once; a pull that
        // meets a concurrent one rereads its origin's size).
        let held = Dictionary(uniqueKeysWithValues: try hub.store.origins().map { ($0.origin, $0.size) })
        let frozen = try hub.store.frozenOrigins()
        for head in heads.heads where frozen[head.origin] == nil {
            do {
                if let pulled = try await pull(head, held: held[head.origin] ?? 0, from: peer, name: name, report: &report) {
                    report.pulled[head.origin] = pulled
                }
            } catch {
                report.errors[head.origin] = "\(error)"
                logger.error("sync \(head.origin) from \(name): \(error)")
                try? hub.store.recordPeerStatus(peer: name, origin: head.origin, theirSize: nil, error: "\(error)")
            }
        }
        try? hub.store.recordPeerStatus(peer: name, origin: "", theirSize: nil, error: nil)
        return report
    }

    /// Pulls one origin toward the peer's head; returns entries pulled, or nil when skipped.
    private func pull(_ head: SyncWire.Head, held startHeld: UInt64, from peer: some SyncPeer, name: String,
                      report: inout SyncRoundReport) async throws -> UInt64? {
        let origin = head.origin
        guard let key = hub.rosterKey(origin: origin) else {
            logger.debug("peer \(name) holds \(origin), which is not a hub on the roster; ignored")
            return nil
        }
        let target: SignedCheckpoint
        switch try SignedCheckpoint.open(head.checkpoint, verifier: key) {
        case .verified(let signed): target = signed
        default:
            throw SyncError(.verification, "the checkpoint the peer advertises for \(origin) is not signed by its roster key")
        }
        if origin == hub.origin && target.checkpoint.size > startHeld {
            throw SyncError(.verification, "the peer holds a checkpoint of this hub's own log at size \(target.checkpoint.size), beyond the \(startHeld) entries it wrote")
        }
        // A pull that will more than double the log has its read models rebuilt as it lands
        // (staged batch by batch on a thread of their own, folded when it ends), however it ends.
        let incoming = target.checkpoint.size > startHeld ? target.checkpoint.size - startHeld : 0
        let rebuild = incoming > 0 && (try? hub.projections.wouldRebuild(afterMore: Int64(incoming))) == true
            ? hub.followingRebuild() : nil
        do {
            let pulled = try await pull(origin, target: target, held: startHeld, from: peer, name: name,
                                        rebuild: rebuild, report: &report)
            await finish(rebuild, origin: origin)
            return pulled
        } catch {
            await finish(rebuild, origin: origin)
            throw error
        }
    }

    /// Waits for the rebuild that followed a pull; if it failed, the next catch-up rebuilds.
    private func finish(_ rebuild: FollowingRebuild?, origin: String) async {
        guard let rebuild else { return }
        do {
            let done = try await rebuild.finish()
            logger.info("read models rebuilt with the pull of \(origin): \(done.entries) entries in \(String(format: "%.2f", done.seconds)) s")
        } catch {
            logger.error("read models: the rebuild that followed the pull of \(origin) failed (\(error)); the next catch-up rebuilds them")
        }
        // Entries committed after the rebuild's swap (by others) are caught up as usual.
        hub.scheduleProjections()
    }

    /// The pull itself: batches fetched (the next while one is committed), checked and appended.
    private func pull(_ origin: String, target: SignedCheckpoint, held startHeld: UInt64, from peer: some SyncPeer, name: String,
                      rebuild: FollowingRebuild?, report: inout SyncRoundReport) async throws -> UInt64 {
        var machine = try OriginPull(target: target, held: startHeld, anchor: try anchor(origin), batchSize: batchSize)
        var step = machine.start()
        var prefetch: (start: UInt64, task: Task<Hub.CheckedBatch, any Error>)?
        // Batches appended while more were on their way leave the catch-up to the pull's end,
        // however it ends (or to the rebuild that follows the pull).
        var deferredCatchUp = false
        defer {
            prefetch?.task.cancel()
            if deferredCatchUp { hub.scheduleProjections() }
        }
        var stale = 0
        while true {
            switch step {
            case .fetchEntries(let start, let end):
                let checked: Hub.CheckedBatch
                if let p = prefetch, p.start == start { checked = try await p.task.value } else {
                    prefetch?.task.cancel()
                    checked = try await Hub.check(peer.batch(origin: origin, start: start, end: end, checkpointSize: target.checkpoint.size))
                }
                prefetch = nil
                // Fetch and check the next batch while this one is committed.
                let size = target.checkpoint.size
                if end < size {
                    let next = min(size, end + batchSize)
                    prefetch = (end, Task { try await Hub.check(peer.batch(origin: origin, start: end, end: next, checkpointSize: size)) })
                }
                guard let sent = try? SignedCheckpoint(parsing: checked.batch.checkpoint), sent.checkpoint == target.checkpoint else {
                    step = .peerFaulty("the batch came with a checkpoint other than the one the peer advertised")
                    continue
                }
                let more = prefetch != nil
                switch try await hub.acceptBatch(checked, target: target, catchUp: !more && rebuild == nil) {
                case .appended(let newSize):
                    rebuild?.grew()
                    deferredCatchUp = more && rebuild == nil
                    step = machine.committed(size: newSize)
                case .didNotVerify(let reason): step = machine.batchDidNotVerify(reason)
                case .stale(let held):
                    // Another pull (from another peer) moved this origin on: start again from there.
                    stale += 1
                    guard stale < 5 else { throw SyncError(.verification, "\(origin) keeps moving under this pull") }
                    prefetch?.task.cancel()
                    prefetch = nil
                    machine = try OriginPull(target: target, held: held, anchor: try anchor(origin), batchSize: batchSize)
                    step = machine.start()
                }
            case .checkLocal:
                step = machine.localChecked(try hub.compareCheckpoint(target))
            case .fetchConsistency(let from):
                let proof = try await peer.consistency(origin: origin, from: from, to: target.checkpoint.size)
                step = machine.consistencyArrived(oldRoot: proof.oldRoot, proof: proof.proof)
            case .finished(let held):
                try hub.store.recordPeerStatus(peer: name, origin: origin, theirSize: target.checkpoint.size, error: nil)
                return held - startHeld
            case .forked(let evidence):
                try hub.freeze(evidence, source: "local")
                report.frozen.append(origin)
                logger.critical("origin \(origin) FROZEN: it signed checkpoints of sizes \(machine.anchorSize ?? 0) and \(target.checkpoint.size) that are not consistent; evidence kept and served to peers")
                try hub.store.recordPeerStatus(peer: name, origin: origin, theirSize: target.checkpoint.size, error: "origin forked: frozen")
                return machine.held - startHeld
            case .peerFaulty(let reason):
                throw SyncError(.verification, "rejected: \(reason)")
            }
        }
    }

    /// Whether this hub may receive subject keys: it is a hub on its own roster.
    public var receivesSubjectKeys: Bool { hub.roster?.member(hub.origin)?.role == .hub }

    /// Pulls every subject key `peer` holds past this hub's cursor for it, a page at a time; each
    /// page is verified (signed by `name`'s roster key, addressed to this hub, answering this
    /// request) and installed with the cursor in one transaction. Returns how many keys were new.
    public func pullKeys(from peer: some SubjectKeyPeer, name: String, pageSize: Int = 5_000) async throws -> Int {
        guard let roster = hub.roster else { throw SyncError(.roster, "this hub has no roster: install one with `muster roster install`") }
        var added = 0
        do {
            var after = try hub.keys.cursor(peer: name)
            func ask(after: Int64) -> (SubjectKeyExchange.Request, Task<[UInt8], any Error>) {
                let request = SubjectKeyExchange.Request()
                return (request, Task { try await peer.subjectKeys(after: after, limit: pageSize, request: request) })
            }
            var asked = ask(after: after)
            defer { asked.1.cancel() }
            while true {
                let (request, reply) = (asked.0, try await asked.1.value)
                let (from, page) = try request.open(reply, requester: hub.origin) { sender in
                    guard let member = roster.member(sender), member.role == .hub else { return nil }
                    return member.verifier
                }
                // A peer known by its roster name must answer as itself.
                if roster.member(name) != nil, from != name {
                    throw SyncError(.verification, "subject keys: asked \(name), the reply is signed by \(from)")
                }
                guard page.items.isEmpty ? !page.more : page.next > after else {
                    throw SyncError(.verification, "subject keys: the page from \(name) does not move past position \(after)")
                }
                // Ask for the next page while this one is installed.
                if page.more { asked = ask(after: page.next) }
                if page.next != after { added += try hub.keys.install(page.items, from: name, after: page.next) }
                after = page.next
                if !page.more { break }
            }
        } catch {
            try? hub.store.recordPeerStatus(peer: name, origin: Self.keysRow, theirSize: nil, error: "\(error)")
            throw error
        }
        try? hub.store.recordPeerStatus(peer: name, origin: Self.keysRow, theirSize: try? UInt64(hub.keys.cursor(peer: name)), error: nil)
        // Wake this hub's followers' long polls: they pull keys at a poll that brings no new heads.
        if added > 0 { hub.changes.bump() }
        return added
    }

    /// The row of `muster peers` that shows key exchange with a peer ("theirs": the position in the
    /// peer's key store this hub has received up to).
    public static let keysRow = "(subject keys)"

    /// The latest checkpoint this hub stored for `origin`, as the pull's anchor.
    private func anchor(_ origin: String) throws -> OriginPull.Anchor? {
        try hub.store.latestCheckpoint(origin: origin).map { OriginPull.Anchor(note: $0.note, size: $0.size, root: $0.rootHash) }
    }
}
