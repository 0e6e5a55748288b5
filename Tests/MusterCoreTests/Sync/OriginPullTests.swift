import MusterCore
import Testing

/// The pull state machine against real trees: honest peers, tampering peers, faulty peers and
/// forked origins. Proofs come from MerkleTree (checked against the RFC 9162 vectors elsewhere).
@Suite struct OriginPullTests {
    let key = try! NoteSigner(name: "pull.example/hub/a", seed: Array(repeating: 7, count: 32))

    func leaves(_ n: Int, fork: Int? = nil) -> [MerkleHash] {
        (0..<n).map { i in MerkleHash.leafHash(Array("entry \(i)\(fork.map { i >= $0 ? " forked" : "" } ?? "")".utf8)) }
    }

    func checkpoint(_ tree: MerkleTree, size: UInt64) throws -> SignedCheckpoint {
        try SignedCheckpoint.sign(Checkpoint(origin: key.name, size: size, rootHash: tree.root(treeSize: size).bytes), with: key)
    }

    /// Plays a pull against a peer holding `peer`, with this hub holding `mine`; returns the
    /// steps taken and the final one. `tamper` alters the leaf at that index in every batch.
    func play(mine: [MerkleHash], anchorSize: UInt64?, peer: [MerkleHash], batch: UInt64 = 4,
              tamper: Int? = nil, badProof: Bool = false) throws -> (OriginPull.Step, [OriginPull.Step]) {
        let peerTree = MerkleTree(leafHashes: peer)
        let target = try checkpoint(peerTree, size: peerTree.size)
        var local = MerkleTree(leafHashes: mine)
        let anchor = try anchorSize.map { s in
            OriginPull.Anchor(note: try checkpoint(local, size: s).formatted, size: s, root: try local.root(treeSize: s))
        }
        var machine = try OriginPull(target: target, held: local.size, anchor: anchor, batchSize: batch)
        var step = machine.start(), steps: [OriginPull.Step] = []
        for _ in 0..<100 {
            steps.append(step)
            switch step {
            case .fetchEntries(let start, let end):
                var copy = local
                for i in start..<end { _ = copy.append(leafHash: i == tamper.map(UInt64.init) ? MerkleHash.leafHash([0xFF]) : peer[Int(i)]) }
                let proof = end == peerTree.size ? [] : try peerTree.consistencyProof(from: end, to: peerTree.size).hashes
                if let failure = BatchCheck.failure(size: copy.size, root: copy.rootHash, target: target.checkpoint, proof: proof) {
                    step = machine.batchDidNotVerify(failure)
                } else {
                    local = copy
                    step = machine.committed(size: local.size)
                }
            case .checkLocal(let size):
                let root = try local.root(treeSize: size)
                if root.bytes == target.checkpoint.rootHash { step = machine.localChecked(.matches) } else {
                    let ours = try checkpoint(local, size: local.size)
                    let proof = try local.consistencyProof(from: size, to: local.size).hashes
                    step = machine.localChecked(.differs(EquivocationEvidence(origin: key.name, a: target.formatted, b: ours.formatted,
                                                                              rootAtA: root, proof: proof)))
                }
            case .fetchConsistency(let from):
                var proof = try peerTree.consistencyProof(from: from, to: peerTree.size).hashes
                if badProof { proof[0] = MerkleHash.leafHash([1]) }
                step = machine.consistencyArrived(oldRoot: try peerTree.root(treeSize: from), proof: proof)
            case .finished, .forked, .peerFaulty:
                return (step, steps)
            }
        }
        Issue.record("the pull did not finish")
        return (step, steps)
    }

    @Test func anHonestPeerIsPulledInBatchesToItsCheckpoint() throws {
        let all = leaves(23)
        let (end, steps) = try play(mine: Array(all[..<6]), anchorSize: 6, peer: all)
        #expect(end == .finished(held: 23))
        #expect(steps.first == .fetchEntries(start: 6, end: 10))
        #expect(steps.filter { if case .fetchEntries = $0 { true } else { false } }.count == 5)
    }

    @Test func aPullFromNothingNeedsNoAnchor() throws {
        let (end, _) = try play(mine: [], anchorSize: nil, peer: leaves(9), batch: 100)
        #expect(end == .finished(held: 9))
    }

    @Test func aTargetWithinWhatIsHeldIsComparedLocally() throws {
        let all = leaves(12)
        let peer = Array(all[..<8])
        let (end, steps) = try play(mine: all, anchorSize: 12, peer: peer)
        #expect(steps.first == .checkLocal(size: 8))
        #expect(end == .finished(held: 12))
    }

    @Test func tamperedEntriesConvictThePeerNotTheOrigin() throws {
        let all = leaves(20)
        let (end, steps) = try play(mine: Array(all[..<5]), anchorSize: 5, peer: all, tamper: 13)
        #expect(steps.contains(.fetchConsistency(from: 5)))
        guard case .peerFaulty(let reason) = end else { Issue.record("expected peerFaulty, got \(end)"); return }
        #expect(reason.contains("tampered"))
    }

    @Test func aBadConsistencyProofConvictsThePeer() throws {
        let all = leaves(20)
        let (end, _) = try play(mine: Array(all[..<5]), anchorSize: 5, peer: all, tamper: 9, badProof: true)
        guard case .peerFaulty(let reason) = end else { Issue.record("expected peerFaulty, got \(end)"); return }
        #expect(reason.contains("invalid"))
    }

    @Test(arguments: [(5, 3), (8, 7), (8, 0), (6, 5)])
    func aForkedOriginYieldsEvidenceThatVerifies(held: Int, forkAt: Int) throws {
        let mine = Array(leaves(20)[..<held]), theirs = leaves(17, fork: forkAt)
        let (end, _) = try play(mine: mine, anchorSize: UInt64(held), peer: theirs)
        guard case .forked(let evidence) = end else { Issue.record("expected forked, got \(end)"); return }
        try evidence.verify(with: key.verifier)
        // Evidence survives its JSON form, and means nothing under another key.
        let parsed = try EquivocationEvidence(json: evidence.json)
        try parsed.verify(with: key.verifier)
        let other = try NoteSigner(name: key.name, seed: Array(repeating: 9, count: 32))
        #expect(throws: SyncError.self) { try parsed.verify(with: other.verifier) }
    }

    @Test func aForkBehindWhatIsHeldIsCaughtLocally() throws {
        let mine = leaves(12), theirs = leaves(9, fork: 4)
        let (end, _) = try play(mine: mine, anchorSize: 12, peer: theirs)
        guard case .forked(let evidence) = end else { Issue.record("expected forked, got \(end)"); return }
        try evidence.verify(with: key.verifier)
    }

    @Test func evidenceOfConsistentCheckpointsIsRefused() throws {
        let tree = MerkleTree(leafHashes: leaves(10))
        let a = try checkpoint(tree, size: 4), b = try checkpoint(tree, size: 10)
        let honest = EquivocationEvidence(origin: key.name, a: a.formatted, b: b.formatted, rootAtA: try tree.root(treeSize: 4),
                                          proof: try tree.consistencyProof(from: 4, to: 10).hashes)
        #expect(throws: SyncError.self) { try honest.verify(with: key.verifier) }
        let lying = EquivocationEvidence(origin: key.name, a: a.formatted, b: b.formatted, rootAtA: MerkleHash.leafHash([9]),
                                         proof: try tree.consistencyProof(from: 4, to: 10).hashes)
        #expect(throws: SyncError.self) { try lying.verify(with: key.verifier) }
    }
}
