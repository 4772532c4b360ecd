/// The DNS codec moved to its own module so the rfc2136 provider shares it; checks and
/// their callers keep seeing its types through PlumbChecks.
@_exported import PlumbDNS
