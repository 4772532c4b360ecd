import Testing

/// Every end-to-end suite runs inside this one, one test at a time. They start processes
/// and wait for them on the calling thread; many at once on a 2-core machine starve Swift's
/// cooperative thread pool, which the agents' webhooks and every async test elsewhere need.
@Suite("plumb, end to end", .serialized)
enum EndToEnd {}
