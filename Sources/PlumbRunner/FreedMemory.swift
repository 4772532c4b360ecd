#if canImport(Glibc)
    import Glibc
#endif

/// Hands the pages of freed heap memory back to the system, and frees large values off the
/// path to an answer.
///
/// Loading a large desired state frees its YAML nodes at the end, but glibc keeps the pages
/// in the loading thread's arena, and the describe that follows allocates in another
/// thread's: the peak was the sum of both instead of the larger (Docs/performance.md).
/// glibc's `malloc_trim` is looked up at run time (Swift's Glibc module does not export
/// malloc.h); elsewhere this does nothing.
public enum FreedMemory {
    private typealias Trim = @convention(c) (Int) -> Int32
    private typealias Option = @convention(c) (Int32, Int32) -> Int32

    /// glibc's M_MMAP_THRESHOLD (malloc.h).
    private static let mmapThreshold: Int32 = -3

    /// Serves every allocation of 256 KiB or more (dictionary tables, arrays of resources,
    /// response bodies) with its own mapping, unmapped as soon as it is freed. glibc starts
    /// at 128 KiB but raises the threshold after the first such block is freed (up to
    /// 32 MiB), and from then on keeps those blocks in its arenas: a 100,000-record plan
    /// grows and frees dozens of them, and the holes they left cost it 15–20 MB of peak RSS
    /// (167–176 MB without this, 151–153 MB with it, no slower; decision 34). Call once, at
    /// process start. True when glibc took the setting.
    @discardableResult
    public static func configureAllocator() -> Bool {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
            return unsafeBitCast(symbol, to: Option.self)(mmapThreshold, 256 * 1024) == 1
        #else
            return false
        #endif
    }

    private static let trim: Trim? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: Trim.self)
        #else
            return nil
        #endif
    }()

    static func release() {
        _ = trim?(0)
    }

    /// Frees `value` on a background thread, once the caller's own references are gone:
    /// freeing a 100,000-record inventory and prior state took a tenth of a second between
    /// a plan being made and it being shown. A CLI exits before then; the agent frees it a
    /// moment later.
    static func dropLater<T: Sendable>(_ value: T) {
        Task.detached(priority: .background) {
            try? await Task.sleep(for: .milliseconds(200))
            withExtendedLifetime(value) {}
        }
    }
}
