import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one-writer rule across processes: an exclusive `flock` on the data directory's
/// `writer.lock`, held for the life of the process that writes. The kernel releases it when the
/// process dies, however it dies.
final class WriterLock: Sendable {
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(.dataDirectory, "cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError(.locked, "another muster process is writing to this hub (\(path) is locked); stop it or wait for it to finish")
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
