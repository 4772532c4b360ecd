import PlumbRunner
import Testing

@Suite("Allocator settings")
struct AllocatorTests {
    #if canImport(Glibc)
        /// The 100,000-record plan's memory figure depends on it (decision 34): a renamed symbol
        /// or a rejected value would silently fall back to glibc's sliding threshold.
        @Test("glibc takes the fixed mmap threshold the CLI sets at start")
        func mmapThreshold() {
            #expect(FreedMemory.configureAllocator())
        }
    #endif
}
