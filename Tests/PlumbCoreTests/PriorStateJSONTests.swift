import Foundation
import Testing

@testable import PlumbCore

/// The prior state's fast reader gives what JSONDecoder gives, and leaves every other
/// shape to it.
@Suite("Prior state JSON")
struct PriorStateJSONTests {
    static let state = PriorState(
        managed: [.zone("example.com."), .record(zone: "example.com.", name: "www", type: .A), Address(kind: .vpc, name: "main")],
        protected: [.zone("example.com.")])

    @Test func readsWhatTheStoresWrite() throws {
        let text = try JSONOutput.encode(Self.state)
        #expect(try PriorState.decode(json: text) == Self.state)
        let compact = String(decoding: try JSONEncoder().encode(Self.state), as: UTF8.self)
        #expect(try PriorState.decode(json: compact) == Self.state)
        #expect(try PriorState.decode(json: #"{"managed":[],"protected":[]}"#) == PriorState())
    }

    @Test(arguments: [
        #"{"managed": ["dns.zone\/example.com."], "protected": []}"#,
        #"{"protected": [], "managed": ["dns.zone/example.com."]}"#,
    ])
    func otherShapesGoToJSONDecoder(_ text: String) throws {
        let expected = try JSONDecoder().decode(PriorState.self, from: Data(text.utf8))
        #expect(try PriorState.decode(json: text) == expected)
        #expect(expected.managed == [.zone("example.com.")])
    }

    @Test(arguments: [
        #"{"managed": ["no such kind/x"], "protected": []}"#,
        #"{"managed": []}"#,
        #"{"managed": [1], "protected": []}"#,
        #"{"managed": [], "protected": []} trailing"#,
        "",
    ])
    func brokenJSONIsRefused(_ text: String) {
        #expect(throws: (any Error).self) { try PriorState.decode(json: text) }
    }
}
