import Foundation
import MusterStore
import Testing

@Suite struct AllocatorPolicyTests {
    #if os(Linux)
    @Test func glibcTakesThePolicy() {
        // mallopt returns 1 for each threshold it accepts; a build that cannot see glibc's
        // malloc.h (or a refused value) returns false here.
        #expect(AllocatorPolicy.apply(environment: [:]))
    }
    #endif

    @Test func theUsersOwnMallocTunablesWin() {
        #expect(!AllocatorPolicy.apply(environment: ["GLIBC_TUNABLES": "glibc.malloc.arena_max=2"]))
        #expect(!AllocatorPolicy.apply(environment: ["GLIBC_TUNABLES": "glibc.pthread.rseq=0:glibc.malloc.trim_threshold=1"]))
    }
}
