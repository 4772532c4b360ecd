import PlumbDNS

/// LOC: parsed and printed by PlumbDNS's `DNSLocation`, so desired values, PowerDNS's
/// answers and zone transfers all compare in the one canonical form.
extension RecordValues {
    static func loc(_ value: String) -> Result<String, Failure> {
        let hint = "write LOC values as 'D M S N|S D M S E|W ALTm SIZEm HPm VPm', e.g. '52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000.00m 10.00m'"
        guard let location = DNSLocation(value) else {
            return .failure(.invalid("'\(value)' is not a LOC value", hint: hint))
        }
        return .success(location.text)
    }
}
