import PlumbTestSupport
import Testing

@testable import PlumbCore

/// A plan with one change of every action, a conflict, a refusal and an unmodeled record.
enum SamplePlan {
    static let created = F.subnet("web-a", "10.0.1.0/24")
    static let updated = F.vpc("main", tags: ["team": "platform"])
    static let replaced = F.subnet("db-a", "10.0.2.0/24")
    static let deleted = F.subnet("gone", "10.0.9.0/24")
    static let conflicted = F.vpc("theirs", "10.5.0.0/16")
    static let zone = F.zone("example.com.")
    static let www = F.record("example.com.", "www", .A, ["192.0.2.10"])
    static let ds = UnmodeledRecord(zone: "example.com.", name: "@", type: "DS", ttl: 3600, values: ["1 13 2 AB"])
    static let commit = "3f2c9a1b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"

    static func plan(chunkSize: Int = 20, source: PlanSource = PlanSource(repo: "git@example.com:infra.git", ref: "main", commit: commit)) -> Plan {
        let desired = F.state([created, updated, replaced, conflicted, zone, www]) {
            $0.stack = "production"
            $0.chunkSize = chunkSize
        }
        let stack = desired.settings.stack
        let inventory = F.inventory(
            [
                F.live(updated.address, .vpc(VPCSpec(cidr: "10.0.0.0/16", tags: ["team": "web"])), owner: stack),
                F.live(replaced.address, .subnet(SubnetSpec(vpc: "main", cidr: "10.0.3.0/24", zone: "us-east-1a")), owner: stack),
                F.live(deleted.address, deleted.spec, owner: stack),
                F.live(conflicted.address, conflicted.spec, owner: nil),
                F.live(zone), F.live(www),
            ], unmodeled: [ds])
        let prior = PriorState(protected: [deleted.address])
        return Planner(desired: desired, prior: prior).plan(inventories: ["main": inventory], source: source)
    }
}

@Suite("Plan renderers")
struct RendererTests {
    @Test("the sample plan has one change of each action")
    func sample() {
        let plan = SamplePlan.plan()
        #expect(
            plan.actions == [
                "net.subnet/web-a": .create, "net.vpc/main": .update,
                "net.subnet/db-a": .replace, "net.subnet/gone": .delete,
            ])
        #expect(plan.conflicts.count == 1)
        #expect(plan.refusals.map(\.rule) == [.protected])
    }

    @Test("text without colour: +/~/±/- lines, field changes, the summary, no escape codes")
    func plainText() {
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(SamplePlan.plan())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(!text.contains("\u{1B}"))
        #expect(lines.first?.hasPrefix("Plan for stack production") == true)
        #expect(lines.contains("Plan: 1 to create, 1 to update, 1 to replace, 1 to delete; 2 unchanged; 1 in conflict."))
        #expect(lines.contains("  + net.subnet/web-a"))
        #expect(lines.contains("  ~ net.vpc/main"))
        #expect(lines.contains { $0.hasPrefix("  ± net.subnet/db-a") })
        #expect(lines.contains("  - net.subnet/gone"))
        #expect(lines.contains("      cidr: 10.0.3.0/24 → 10.0.2.0/24"))
        #expect(lines.contains("      tags: team=web → team=platform"))
        #expect(lines.contains { $0.contains("net.vpc/theirs") && $0.hasPrefix("  !") })
        #expect(text.contains("Refused:"))
        #expect(text.contains("example.com./@/DS"))
        #expect(lines.filter { $0.hasPrefix("chunk ") }.count == SamplePlan.plan().chunks.count)
    }

    @Test("created resources list their attributes")
    func createAttributes() {
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(SamplePlan.plan())
        #expect(text.contains("  + net.subnet/web-a\n      cidr: 10.0.1.0/24\n"))
    }

    @Test("text with colour marks actions with ANSI colours")
    func colouredText() {
        let text = PlanTextRenderer(style: TextStyle(color: true)).render(SamplePlan.plan())
        #expect(text.contains("\u{1B}[32m+\u{1B}[0m \u{1B}[32mnet.subnet/web-a\u{1B}[0m"))
        #expect(text.contains("\u{1B}[31m-\u{1B}[0m"))
        #expect(text.contains("\u{1B}[33m~\u{1B}[0m"))
    }

    @Test("an empty plan says there is nothing to do")
    func noChanges() {
        let desired = F.state([SamplePlan.zone])
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(planOf(desired, F.inventory([F.live(SamplePlan.zone)])))
        #expect(text.contains("No changes. 1 resources up to date."))
        #expect(!text.contains("chunk "))
        let markdown = PlanMarkdownRenderer().render(planOf(desired, F.inventory([F.live(SamplePlan.zone)])))
        #expect(markdown.contains("No changes."))
        #expect(!markdown.contains("<details>"))
    }

    @Test("Markdown has the summary table and one <details> per chunk")
    func markdown() {
        let plan = SamplePlan.plan(chunkSize: 1)
        #expect(plan.chunks.count == 4)
        let markdown = PlanMarkdownRenderer().render(plan)
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = lines.firstIndex(of: "| create | update | replace | delete | unchanged | conflict |")
        #expect(header != nil)
        if let header {
            #expect(lines[header + 1] == "|---:|---:|---:|---:|---:|---:|")
            #expect(lines[header + 2] == "| 1 | 1 | 1 | 1 | 2 | 1 |")
        }
        #expect(lines.filter { $0.hasPrefix("<details>") }.count == 4)
        #expect(lines.filter { $0 == "</details>" }.count == 4)
        #expect(lines.filter { $0 == "```diff" }.count == 4)
        #expect(lines.contains("<details><summary>Chunk 1 of 4: main net.vpc · 1 change</summary>"))
        #expect(lines.contains("+ net.subnet/web-a"))
        #expect(lines.contains("- net.subnet/gone"))
        #expect(lines.contains("| create | `net.subnet/web-a` |  |"))
        #expect(markdown.contains("`3f2c9a1b8d7e`"))
        #expect(markdown.contains("#### Conflicts"))
        #expect(markdown.contains("#### Refused"))
    }

    @Test("every change sits in the <details> of its own chunk")
    func markdownChunkContents() {
        let plan = SamplePlan.plan(chunkSize: 1)
        let markdown = PlanMarkdownRenderer().render(plan)
        let blocks = markdown.components(separatedBy: "<details>").dropFirst()
        #expect(blocks.count == plan.chunks.count)
        for (block, chunk) in zip(blocks, plan.chunks) {
            let body = block.components(separatedBy: "</details>")[0]
            for change in plan.changes {
                #expect(body.contains(change.address.description) == chunk.changes.contains(change), "\(change.address) in chunk \(chunk.index)")
            }
        }
    }

    @Test("a review plan separates what the change does from pending drift")
    func markdownOrigins() {
        var plan = SamplePlan.plan()
        for index in plan.chunks.indices {
            for c in plan.chunks[index].changes.indices {
                plan.chunks[index].changes[c].origin = plan.chunks[index].changes[c].action == .delete ? .drift : .change
            }
        }
        let markdown = PlanMarkdownRenderer().render(plan)
        let does = markdown.range(of: "#### What this change does")
        let drift = markdown.range(of: "#### Pending drift")
        #expect(does != nil && drift != nil)
        if let does, let drift {
            let driftSection = markdown[drift.upperBound...]
            #expect(driftSection.contains("| delete | `net.subnet/gone`"))
            #expect(!markdown[does.upperBound..<drift.lowerBound].contains("net.subnet/gone"))
        }
        let text = PlanTextRenderer(style: TextStyle(color: false)).render(plan)
        #expect(text.contains("  - net.subnet/gone [drift]"))
        #expect(text.contains("  + net.subnet/web-a [change]"))
    }

    @Test("pipes in reasons do not break the Markdown table")
    func markdownEscapes() {
        #expect(PlanMarkdownRenderer.escape("a|b") == "a\\|b")
    }
}
