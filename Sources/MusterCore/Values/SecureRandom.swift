#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import Crypto
import Synchronization

/// Random bytes from the operating system's secure generator, drawn from the kernel 4 KiB at a
/// time (256 bytes a call) and handed out in the small pieces an entry needs: its event id (10 bytes), the sealing
/// nonce (12), a new subject's key (32) and that key's wrapping nonce (12). Drawn one by one, each
/// was its own `getrandom(2)` call (the standard library's generator makes one per 8 bytes), about
/// 3 % of an import's CPU. Bytes are zeroed in the pool as they are handed out, so no key's bytes
/// stay behind in it.
public enum SecureRandom {
    static let capacity = 4096

    /// The bytes not yet handed out are `bytes[used...]`; `used` is the lock.
    private final class Pool: @unchecked Sendable {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: SecureRandom.capacity, alignment: 16)
        let used = Mutex(SecureRandom.capacity)
    }
    private static let pool = Pool()

    /// Fills `buffer` with secure random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count <= capacity / 4 else { return systemFill(buffer) }
        let bytes = pool.bytes
        pool.used.withLock { used in
            if capacity - used < buffer.count {
                systemFill(bytes)
                used = 0
            }
            let slice = UnsafeMutableRawBufferPointer(rebasing: bytes[used..<(used + buffer.count)])
            buffer.copyMemory(from: UnsafeRawBufferPointer(slice))
            slice.initializeMemory(as: UInt8.self, repeating: 0)
            used += buffer.count
        }
    }

    /// `count` secure random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// A fresh 256-bit key; its bytes pass through the stack only, and are zeroed there.
    public static func key256() -> SymmetricKey {
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 16) { raw in
            fill(raw)
            defer { raw.initializeMemory(as: UInt8.self, repeating: 0) }
            return SymmetricKey(data: UnsafeRawBufferPointer(raw))
        }
    }

    /// A fresh random AES-GCM nonce (96 bits).
    public static func gcmNonce() -> AES.GCM.Nonce {
        withUnsafeTemporaryAllocation(byteCount: 12, alignment: 16) { raw in
            fill(raw)
            return try! AES.GCM.Nonce(data: UnsafeRawBufferPointer(raw))  // 12 bytes: always a valid size
        }
    }

    /// A generator over the pool, for APIs that take a `RandomNumberGenerator`.
    public struct Generator: RandomNumberGenerator {
        public init() {}
        public mutating func next() -> UInt64 {
            var value: UInt64 = 0
            withUnsafeMutableBytes(of: &value) { SecureRandom.fill($0) }
            return value
        }
    }

    /// Straight from the kernel (the pool's refills, and large requests).
    private static func systemFill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard var next = buffer.baseAddress else { return }
        var remaining = buffer.count
        #if canImport(Darwin)
        arc4random_buf(next, remaining)
        #else
        while remaining > 0 {
            // getentropy(3) is getrandom(2) for at most 256 bytes a call.
            let n = min(256, remaining)
            if getentropy(next, n) == 0 {
                next += n
                remaining -= n
            } else if errno != EINTR {
                // No getrandom(2) (kernels before 3.17): the standard library's generator.
                var fallback = SystemRandomNumberGenerator()
                while remaining > 0 {
                    let word = fallback.next()
                    let k = min(8, remaining)
                    withUnsafeBytes(of: word) { next.copyMemory(from: $0.baseAddress!, byteCount: k) }
                    next += k
                    remaining -= k
                }
            }
        }
        #endif
    }
}
