import CMusterAllocator
import Foundation

/// How the process's allocator hands memory back to the kernel.
///
/// glibc's default adapts: a freed block above the mmap threshold raises that threshold to the
/// block's size and the trim threshold to twice that, so a thread's arena is trimmed whenever a
/// few hundred kilobytes at its top fall free. A hub's work is batches of the same shape over and
/// over (an audit step's entries, a commit's rows, a sync batch), so each batch re-faults pages
/// the previous one gave back, and every fault costs a zeroed page from the kernel. On a 1 M-entry
/// audit that is about 79,000 minor faults against 43,000 with the fixed policy below, at the same
/// peak memory; on a virtual machine whose host reclaims guest pages the guest frees, each such
/// fault also costs the host a page, and the audit's kernel time doubles.
///
/// The policy keeps up to 16 MB free at the top of each arena and serves blocks below 4 MB from
/// the arenas. A user's own `GLIBC_TUNABLES` for malloc wins: the policy is not applied then.
public enum AllocatorPolicy {
    /// Free memory each arena keeps rather than returning it to the kernel.
    public static let trimThreshold = 16 << 20
    /// Blocks at least this large get their own mapping.
    public static let mmapThreshold = 4 << 20

    /// Applies the policy once, at process start, before other threads allocate. Returns whether
    /// it was applied.
    @discardableResult
    public static func apply(environment: [String: String]? = nil) -> Bool {
        if let tunables = (environment ?? ProcessInfo.processInfo.environment)["GLIBC_TUNABLES"], tunables.contains("glibc.malloc.") { return false }
        return muster_allocator_set_thresholds(Int32(trimThreshold), Int32(mmapThreshold)) == 1
    }
}
