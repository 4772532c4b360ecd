import Foundation
import PlumbCore
import PlumbProviderEmbedded
import PlumbTestSupport
import Testing

extension EndToEnd.AgentTests {
    /// Where the screenshots of the browser tests are kept, for people to look at.
    static var artifacts: URL { PlumbProcess.projectRoot.appendingPathComponent(".build/test-artifacts") }

    @Test("the status page updates without reload: drift listed by address, the failed run's error in its row; the run page lists chunks and checks")
    func livePagesInBrowser() async throws {
        let chromium = try #require(HeadlessBrowser.chromium, "chromium is not installed (scripts/install-deps --test installs it)")
        let fixture = try exampleRepository()
        let work = try TempRepo.empty()
        let state = work.url.appendingPathComponent("state")
        let agent = try AgentProcess(repo: fixture.url, state: state, extra: ["--drift-interval", "1s"])
        let head = try fixture.git("rev-parse", "HEAD")
        _ = try await agent.waitForStatus { $0["last_applied_commit"] as? String == head }
        let browser = try HeadlessBrowser(chromium: chromium, profile: work.url.appendingPathComponent("browser"))
        defer { browser.close() }
        // A phone's width: the page must still read there.
        try browser.open("http://127.0.0.1:\(agent.port)/", width: 390)
        #expect(try browser.evaluate("document.getElementById('health').className") as? String == "ok")
        #expect(try browser.evaluate("document.querySelectorAll('#runs tr.run').length") as? Int == 1)
        #expect(try browser.wait(until: "document.body.dataset.live === 'yes'"), "the page subscribed to /events")
        // Set after load: a reload would lose it.
        _ = try browser.evaluate("window.plumbMarker = 'same page'")

        // Drift made by hand in the other zone: the page turns amber and lists it by address.
        let dns = try EmbeddedProvider(
            binding: ProviderBinding(name: "dns", type: .embedded, settings: ["path": "dns.sqlite"]), stateDirectory: state.path)
        try await dns.tamper(
            Address.record(zone: "internal.example.net.", name: "cache", type: .A), spec: .record(RecordSpec(ttl: 300, values: ["10.9.9.9"])))
        #expect(try browser.wait(until: "document.getElementById('health').className === 'warn'"))
        let drift = try browser.evaluate("document.querySelector('ul.drift') && document.querySelector('ul.drift').textContent") as? String
        #expect(drift?.contains("dns.record/internal.example.net./cache/A") == true, "\(drift ?? "no drift list")")
        #expect(drift?.contains("10.9.9.9") == true)

        // A push whose check fails: its row turns red with the error in it, the health red.
        try edit(fixture, "Desired/dns/example.com.yaml", "192.0.2.11", "192.0.2.99")
        let failing = try fixture.commit("Break www")
        #expect(try await agent.github("push", #"{"ref":"refs/heads/main","after":"\#(failing)"}"#).status == 202)
        #expect(try browser.wait(until: "document.querySelectorAll('#runs tr.run').length === 2"))
        #expect(try browser.wait(until: "document.querySelector('#runs tr.run.bad .error-cell').textContent.includes('check www-published failed')"))
        #expect(try browser.evaluate("document.getElementById('health').className") as? String == "bad")
        #expect(try browser.evaluate("window.plumbMarker") as? String == "same page", "updated in place, not reloaded")
        #expect(try browser.evaluate("Number(document.body.dataset.updates) > 0") as? Bool == true)
        #expect(try browser.evaluate("document.querySelectorAll('#chart rect.bad').length") as? Int == 1, "the failed run is red in the chart")
        #expect(try browser.evaluate("document.getElementById('chart').textContent.includes('duration')") as? Bool == true)
        #expect(
            try browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1") as? Bool == true,
            "no sideways scrolling of the page at phone width")
        try browser.screenshot(to: Self.artifacts.appendingPathComponent("status-page-phone.png"))

        // The failed run's own page.
        let runID = try #require(try browser.evaluate("document.querySelector('#runs tr.run.bad a').textContent") as? String)
        try browser.open("http://127.0.0.1:\(agent.port)/runs/\(runID)", width: 1000)
        #expect(try browser.evaluate("document.getElementById('outcome').textContent") as? String == "failed")
        #expect(try browser.evaluate("document.querySelectorAll('#chunks li.chunk').length") as? Int ?? 0 >= 1)
        let checks =
            try browser.evaluate("Array.from(document.querySelectorAll('li.check')).map(c => c.className + ':' + c.textContent).join('|')") as? String
            ?? ""
        #expect(checks.contains("check bad:✗ check www-published failed in"), "\(checks)")
        #expect(try browser.evaluate("document.querySelector('#chunks').textContent.includes('dns.record/example.com./www/A')") as? Bool == true)
        #expect(try browser.evaluate("document.querySelectorAll('#timeline rect').length") as? Int ?? 0 >= 3)
        try browser.screenshot(to: Self.artifacts.appendingPathComponent("run-page.png"))
        let json = try await agent.get("/runs/\(runID)")
        #expect(json.header("content-type")?.hasPrefix("application/json") == true, "API clients still get JSON")
        #expect(agent.stop() == 0)
    }
}
