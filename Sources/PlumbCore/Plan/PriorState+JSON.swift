import Foundation

extension PriorState {
    /// The prior state from the JSON the stores keep (`JSONOutput.encode(prior)`).
    ///
    /// A stack of 100,000 records remembers 100,000 addresses, and `JSONDecoder` took a
    /// fifth of a second over them, on the path of every plan. `JSONBytesReader` reads the
    /// two arrays of addresses directly; JSON of any other shape (other keys, other types,
    /// a key twice) goes to `JSONDecoder`, which decides and words the error.
    public static func decode(json text: String) throws -> PriorState {
        var text = text
        let read = text.withUTF8 { bytes in try? JSONBytesReader.read(bytes, what: "prior state JSON") { try $0.priorState() } }
        if let read { return read }
        return try JSONDecoder().decode(PriorState.self, from: Data(text.utf8))
    }
}

extension JSONBytesReader {
    /// `{"managed": [ADDRESS…], "protected": [ADDRESS…]}`, each key once.
    mutating func priorState() throws -> PriorState {
        var managed: Set<Address>?
        var protected: Set<Address>?
        try object { reader, key in
            switch key {
            case "managed" where managed == nil: managed = try reader.addresses()
            case "protected" where protected == nil: protected = try reader.addresses()
            default: throw reader.malformed("unexpected key '\(key)'")
            }
        }
        guard let managed, let protected else { throw malformed("managed and protected are both needed") }
        return PriorState(managed: managed, protected: protected)
    }

    private mutating func addresses() throws -> Set<Address> {
        var result: Set<Address> = []
        try elements { reader in
            guard let address = Address(try reader.string()) else { throw reader.malformed("not a resource address") }
            result.insert(address)
        }
        return result
    }
}
