import ArgumentParser
import MusterStore

/// The option every hub command takes.
struct HubOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The hub's data directory (default: $MUSTER_DATA_DIR or ./muster-data).")
    var dataDir: String = DataDirectory.defaultPath

    var directory: DataDirectory { DataDirectory(path: dataDir) }

    /// Opens the hub; writers take the writer lock.
    func open(writable: Bool) throws -> Hub { try Hub(directory: directory, writable: writable) }
}
