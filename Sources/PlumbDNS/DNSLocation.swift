/// LOC (RFC 1876 §3): `D [M [S]] N|S D [M [S]] E|W ALT[m] [SIZE[m] [HP[m] [VP[m]]]]`, as the
/// values a server stores.
///
/// `text` is that value printed in full: latitude and longitude
/// in thousandths of an arc second, altitude in centimetres, and size and precisions as the
/// one-digit mantissa and power of ten of the wire format (so "12m" is stored, and compared,
/// as 10m). Every server prints LOC its own way ("1m" or "1.00m", "60 9 0.000" or "60 8
/// 60.000"); all of them read back to the same canonical text.
public struct DNSLocation: Equatable, Sendable {
    /// Thousandths of an arc second, north and east positive.
    public var latitude: Int
    public var longitude: Int
    /// Centimetres above the WGS 84 reference spheroid.
    public var altitude: Int
    /// Centimetres, each one digit times a power of ten.
    public var size = 100, horizontal = 1_000_000, vertical = 1_000

    public init(latitude: Int, longitude: Int, altitude: Int, size: Int = 100, horizontal: Int = 1_000_000, vertical: Int = 1_000) {
        self.latitude = latitude
        self.longitude = longitude
        self.altitude = altitude
        self.size = size
        self.horizontal = horizontal
        self.vertical = vertical
    }

    /// Nil for anything RFC 1876 §3 does not allow.
    public init?(_ value: String) {
        var fields = value.split(whereSeparator: { $0 == " " || $0 == "\t" })[...]
        guard let latitude = Self.angle(&fields, positive: "N", negative: "S", maxDegrees: 90),
            let longitude = Self.angle(&fields, positive: "E", negative: "W", maxDegrees: 180),
            let altitudeText = fields.popFirst(), let altitude = Self.centimetres(altitudeText, signed: true),
            (-10_000_000...4_284_967_295).contains(altitude)
        else { return nil }
        self.init(latitude: latitude, longitude: longitude, altitude: altitude)
        for keyPath in [\DNSLocation.size, \.horizontal, \.vertical] {
            guard let text = fields.popFirst() else { break }
            guard let amount = Self.centimetres(text, signed: false), amount <= 9_000_000_000 else { return nil }
            self[keyPath: keyPath] = Self.storedPrecision(amount)
        }
        guard fields.isEmpty else { return nil }
    }

    /// Degrees, optional minutes and seconds, then the hemisphere letter.
    private static func angle(_ fields: inout ArraySlice<Substring>, positive: String, negative: String, maxDegrees: Int) -> Int? {
        var parts: [Substring] = []
        while let field = fields.popFirst() {
            let letter = field.uppercased()
            if letter == positive || letter == negative {
                guard let degrees = parts.first.flatMap({ Int($0) }), degrees <= maxDegrees, parts.count <= 3 else { return nil }
                let minutes = parts.count > 1 ? Int(parts[1]) : 0
                let seconds = parts.count > 2 ? thousandths(parts[2]) : 0
                // 60.000 seconds: PowerDNS prints 60°9'0" as "60 8 60.000".
                guard let minutes, let seconds, (0...59).contains(minutes), (0...60_000).contains(seconds) else { return nil }
                let total = degrees * 3_600_000 + minutes * 60_000 + seconds
                guard total <= maxDegrees * 3_600_000 else { return nil }
                return letter == positive ? total : -total
            }
            parts.append(field)
        }
        return nil
    }

    /// "1.5" → 1500; at most three decimals.
    private static func thousandths(_ text: Substring) -> Int? {
        decimal(text, places: 3)
    }

    /// "10", "10m", "-2.5m" → centimetres.
    private static func centimetres(_ text: Substring, signed: Bool) -> Int? {
        let number = text.hasSuffix("m") || text.hasSuffix("M") ? text.dropLast() : text
        if number.hasPrefix("-") {
            guard signed, let magnitude = decimal(number.dropFirst(), places: 2) else { return nil }
            return -magnitude
        }
        return decimal(number, places: 2)
    }

    private static func decimal(_ text: Substring, places: Int) -> Int? {
        let pieces = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = pieces.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), let integer = Int(whole), integer >= 0 else { return nil }
        var fraction = pieces.count > 1 ? String(pieces[1]) : ""
        guard fraction.count <= places, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        fraction += String(repeating: "0", count: places - fraction.count)
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        guard integer <= Int.max / scale / 10 else { return nil }
        return integer * scale + (Int(fraction) ?? 0)
    }

    /// What the wire format keeps of a size: its first digit and its power of ten.
    public static func storedPrecision(_ centimetres: Int) -> Int {
        var mantissa = centimetres
        var power = 1
        while mantissa >= 10 {
            mantissa /= 10
            power *= 10
        }
        return mantissa * power
    }

    /// Full form, every field: `60 9 0.000 N 24 39 0.000 E 10.00m 20.00m 2000.00m 20.00m`.
    public var text: String {
        let location = self
        func angle(_ value: Int, _ positive: String, _ negative: String) -> String {
            let magnitude = abs(value)
            let seconds = magnitude % 60_000
            return
                "\(magnitude / 3_600_000) \(magnitude % 3_600_000 / 60_000) \(seconds / 1000).\(Self.padded(seconds % 1000, 3)) \(value < 0 ? negative : positive)"
        }
        func metres(_ centimetres: Int) -> String {
            "\(centimetres < 0 ? "-" : "")\(abs(centimetres) / 100).\(Self.padded(abs(centimetres) % 100, 2))m"
        }
        return [
            angle(location.latitude, "N", "S"), angle(location.longitude, "E", "W"),
            metres(location.altitude), metres(location.size), metres(location.horizontal), metres(location.vertical),
        ].joined(separator: " ")
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// RDATA (RFC 1876 §2): version 0, size and precisions as mantissa and power of ten,
    /// then latitude and longitude from 2^31 and altitude from -100,000 m, all big-endian.
    public var wire: [UInt8] {
        func precision(_ centimetres: Int) -> UInt8 {
            var mantissa = centimetres
            var exponent = 0
            while mantissa >= 10 {
                mantissa /= 10
                exponent += 1
            }
            return UInt8(mantissa << 4 | exponent)
        }
        var bytes: [UInt8] = [0, precision(size), precision(horizontal), precision(vertical)]
        for value in [latitude + (1 << 31), longitude + (1 << 31), altitude + 10_000_000] {
            let word = UInt32(truncatingIfNeeded: value)
            bytes += [UInt8(word >> 24), UInt8(word >> 16 & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word & 0xFF)]
        }
        return bytes
    }

    /// Nil for another version or a size that is not one digit times a power of ten.
    public init?(wire: ArraySlice<UInt8>) {
        let bytes = Array(wire)
        guard bytes.count == 16, bytes[0] == 0 else { return nil }
        func amount(_ byte: UInt8) -> Int? {
            let mantissa = Int(byte >> 4)
            let exponent = Int(byte & 0x0F)
            guard mantissa <= 9, exponent <= 9 else { return nil }
            return (0..<exponent).reduce(mantissa) { value, _ in value * 10 }
        }
        func word(_ at: Int) -> Int {
            bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        guard let size = amount(bytes[1]), let horizontal = amount(bytes[2]), let vertical = amount(bytes[3]) else { return nil }
        self.init(
            latitude: word(4) - (1 << 31), longitude: word(8) - (1 << 31), altitude: word(12) - 10_000_000,
            size: size, horizontal: horizontal, vertical: vertical)
    }
}
