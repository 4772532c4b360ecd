import PlumbCore
import Testing

/// Provider error bodies are trimmed before they are stored or served (issue 18).
@Suite("Error excerpts")
struct ErrorExcerptTests {
    static let page =
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\r\n" + String(repeating: "<p>upstream said no</p>\n", count: 400)
        + "</body></html>"

    @Test("a provider error quoting a 10 KB HTML body keeps one line of at most the limit")
    func providerErrorIsTrimmed() {
        let error = ProviderError(.unavailable, provider: "dns", "describe zones: HTTP 502: " + Self.page)
        #expect(error.message.count <= ErrorExcerpt.messageLimit + 1)
        #expect(!error.message.contains("\n") && !error.message.contains("\r"))
        #expect(error.message.hasPrefix("describe zones: HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body> <p>"))
        #expect(error.message.hasSuffix("…"))
    }

    @Test("excerpts: whitespace runs become one space, short text is kept whole")
    func excerpts() {
        #expect(ErrorExcerpt.of("  a\n\n\tb  ") == "a b")
        #expect(ErrorExcerpt.of("") == "")
        #expect(ErrorExcerpt.of("x\u{7}y") == "x y")
        #expect(ErrorExcerpt.of(String(repeating: "z", count: 500)) == String(repeating: "z", count: ErrorExcerpt.bodyLimit) + "…")
        #expect(ProviderError(.notFound, provider: "p", "zone example.com. does not exist").message == "zone example.com. does not exist")
    }
}
