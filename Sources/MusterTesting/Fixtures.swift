public import Foundation

/// Locates the shared test vectors (`../shared/vectors` beside the repository).
public enum Vectors {
    /// The directory holding the standards' vectors.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["MUSTER_VECTORS"] {
            return URL(fileURLWithPath: override)
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/vectors")
    }

    /// Reads one vector file.
    public static func data(_ path: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(path))
    }
}
