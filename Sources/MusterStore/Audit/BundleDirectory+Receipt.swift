public import MusterCore

extension BundleDirectory {
    /// A C2SP tlog-proof receipt for the entry with `id`, built from the bundle alone: the entry
    /// from its entry bundle, the inclusion proof from the hash tiles, the log's latest checkpoint.
    /// The receipt proves itself; nothing in the bundle has to be trusted to make it.
    /// - Throws: when no log in the bundle holds the entry, or the bundle lacks what the proof needs.
    public func receipt(for id: EventID) throws -> EntryReceipt {
        let needle = Array("\"id\":\"\(id.text)\"".utf8)
        for log in manifest.logs {
            for bundle in TlogTile.tiles(treeSize: log.size) where bundle.level == 0 {
                let entries: [[UInt8]]
                do { entries = try self.entries(origin: log.origin, bundle: bundle) } catch { break }
                for (offset, bytes) in entries.enumerated() where bytes.firstRange(of: needle) != nil {
                    let entry = try Entry.decode(bytes)
                    guard entry.envelope.id == id else { continue }
                    guard let note = try latestCheckpoint(origin: log.origin) else {
                        throw CoreError(.invalidValue, "\(log.origin) has no checkpoint in the bundle")
                    }
                    let checkpoint = try SignedCheckpoint(parsing: note)
                    let reader = TileHashReader { level, index in
                        let width = Int(min(256, (checkpoint.checkpoint.size >> UInt64(8 * level)) - index * 256))
                        return try self.tile(origin: log.origin, TlogTile(level: level, index: index, width: width))
                    }
                    let inclusion = try reader.inclusionProof(leafIndex: bundle.firstNodeIndex + UInt64(offset),
                                                              treeSize: checkpoint.checkpoint.size)
                    return try EntryReceipt(entry: entry, inclusion: inclusion, checkpoint: checkpoint)
                }
            }
        }
        throw CoreError(.invalidValue, "no log in \(label) holds an entry with id \(id)")
    }
}
