import ArgumentParser
import Foundation
import MusterCore

extension Muster {
    /// `muster schemas`: writes every event type's JSON Schema, or checks the written ones.
    struct Schemas: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the JSON Schema (2020-12) of every event type, or check that a folder holds them.")

        @Option(help: "Folder to write into (events/<type>.v<N>.schema.json).")
        var out = "Schemas"

        @Flag(help: "Only check that the folder matches this build's schemas; exit non-zero if not.")
        var check = false

        func run() throws {
            let folder = URL(fileURLWithPath: out).appendingPathComponent("events")
            var stale: [String] = []
            if !check { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
            for (name, bytes) in try SchemaFiles.all() {
                let url = folder.appendingPathComponent(name)
                if check {
                    if (try? Data(contentsOf: url)) != Data(bytes) { stale.append(name) }
                } else {
                    try Data(bytes).write(to: url, options: .atomic)
                }
            }
            if check && !stale.isEmpty {
                throw ValidationError("\(stale.count) schema file(s) in \(folder.path) differ from this build: \(stale.joined(separator: ", ")); run `muster schemas --out \(out)`")
            }
            print(check ? "\(EventCatalog.schemas.count) schemas match" : "wrote \(EventCatalog.schemas.count) schemas to \(folder.path)")
        }
    }
}
