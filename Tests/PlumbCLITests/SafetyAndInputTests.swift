import Foundation
import Testing

extension EndToEnd {
    @Suite("Bad input, safety and saved plans")
    struct SafetyAndInputTests {
        @Test("a broken copy of the example lists every error with its position and applies nothing")
        func brokenExample() throws {
            let repo = try TempRepo.example()
            try repo.edit("Desired/network/main.yaml", replacing: "cidr: 10.0.2.0/24", with: "cidr: 10.1.0.0/24")
            try repo.edit("Desired/network/main.yaml", replacing: "db-b:  {vpc: main", with: "db-b:  {vpc: mian")
            try repo.edit(
                "Desired/dns/example.com.yaml", replacing: "values: [192.0.2.10, 192.0.2.11]\n    - type: MX",
                with: "valeus: [192.0.2.10, 192.0.2.11]\n    - type: MX")
            try repo.edit("Desired/dns/example.com.yaml", replacing: "value: 198.51.100.25", with: "value: 198.51.100.256")
            try repo.edit(
                "Desired/dns/example.com.yaml", replacing: "  api:\n    type: CNAME\n    value: www.example.com.",
                with: "  api:\n    - {type: CNAME, value: www.example.com.}\n    - {type: A, value: 192.0.2.9}")
            try repo.edit("Desired/dns/internal.example.net.yaml", replacing: "  cache:\n", with: "  cache:\n   bad: [\n")
            let validate = try repo.plumb("validate")
            #expect(validate.status == 1)
            for position in [
                "Desired/network/main.yaml:10:3:", "Desired/network/main.yaml:12:16:",
                "Desired/dns/example.com.yaml:8:7:", "Desired/dns/example.com.yaml:38:12:",
                "Desired/dns/internal.example.net.yaml:",
            ] {
                #expect(validate.stderr.contains(position), "missing \(position) in:\n\(validate.stderr)")
            }
            #expect(validate.stderr.contains("did you mean 'values'?"))
            #expect(validate.stderr.contains("Desired/dns/example.com.yaml:26:7: error: example.com./api: a CNAME must stand alone"))
            let apply = try repo.plumb("apply", "--auto-approve")
            #expect(apply.status == 1)
            #expect(!FileManager.default.fileExists(atPath: repo.url.appendingPathComponent(".plumb/cloud.sqlite").path))
        }

        @Test("an unset ${VAR} names the file, the line and the variable")
        func unsetVariable() throws {
            let repo = try TempRepo.example()
            try repo.write("Providers/pdns.yaml", "kind: powerdns\nurl: http://127.0.0.1:8081\napi_key: ${TEST_UNSET_PDNS_KEY}\n")
            let validate = try repo.plumb("validate")
            #expect(validate.status == 1)
            #expect(validate.stderr.contains("Providers/pdns.yaml:3:10:"))
            #expect(validate.stderr.contains("TEST_UNSET_PDNS_KEY"))
        }

        @Test("protection outlives the document, and --force does not lift it")
        func protectionOutlivesDocument() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            try repo.remove("Desired/dns/example.com.yaml")
            let refused = try repo.plumb("apply", "--auto-approve", "--force")
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("dns.zone/example.com. is protected"))
            // Clearing the flag first (and applying that) lifts it.
            let fresh = try TempRepo.example()
            try FileManager.default.copyItem(at: repo.url.appendingPathComponent(".plumb"), to: fresh.url.appendingPathComponent(".plumb"))
            try fresh.edit("Desired/dns/example.com.yaml", replacing: "protect: true\n", with: "")
            #expect(try fresh.plumb("apply", "--auto-approve").status == 0)
            try fresh.remove("Desired/dns/example.com.yaml")
            // Deleting a whole zone is denied by policy (SPEC §8.6), --force or not, until the
            // same commit sets plan-delete-zone to warn.
            let denied = try fresh.plumb("apply", "--auto-approve", "--force")
            #expect(denied.status == 1)
            #expect(denied.stderr.contains("policy plan-delete-zone: dns.zone/example.com."), "\(denied.stderr)")
            try fresh.edit("plumb.yaml", replacing: "stack: example\n", with: "stack: example\npolicies: {plan-delete-zone: warn}\n")
            // The zone's 18 records are deletes of their own now (SPEC §8.5): over
            // max_delete_percent, and the checks guarding them would fail.
            try fresh.remove("Desired/checks.yaml")
            let deleted = try fresh.plumb("apply", "--auto-approve", "--force")
            #expect(deleted.status == 0, "\(deleted.stderr)")
            #expect(deleted.stdout.contains("delete dns.zone/example.com."))
        }

        @Test("too many deletions are refused with the numbers; --force accepts")
        func deletePercent() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("apply", "--auto-approve").status == 0)
            try repo.write(
                "Desired/dns/example.com.yaml",
                "provider: dns\nzone: example.com.\nprotect: true\nrecords:\n  www: {type: A, ttl: 300, values: [192.0.2.10, 192.0.2.11]}\n")
            let refused = try repo.plumb("apply", "--auto-approve")
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("zone example.com. (provider dns): 17 of 18 deleted (94% > 30%); re-run with --force to accept"))
            // Without the checks that guard the deleted records, --force applies it.
            try repo.remove("Desired/checks.yaml")
            #expect(try repo.plumb("apply", "--auto-approve", "--force").status == 0)
            #expect(try repo.plumb("plan", "--exit-code").status == 0)
        }

        @Test("a saved plan applies while the inventory is unchanged and is refused once it moved")
        func savedPlan() throws {
            let repo = try TempRepo.example()
            #expect(try repo.plumb("plan", "--format", "json", "--out", "plan.json").status == 0)
            #expect(try repo.plumb("apply", "--auto-approve", "--target", "net.vpc/*").status == 0)
            let stale = try repo.plumb("apply", "--auto-approve", "--plan", "plan.json")
            #expect(stale.status == 1)
            #expect(stale.stderr.contains("stale"))
            #expect(try repo.plumb("plan", "--format", "json", "--out", "plan2.json").status == 0)
            let fresh = try repo.plumb("apply", "--auto-approve", "--plan", "plan2.json")
            #expect(fresh.status == 0, "\(fresh.stderr)")
            #expect(try repo.plumb("plan", "--exit-code").status == 0)
        }
    }
}

extension EndToEnd {
    @Suite("files and links")
    struct FileSafetyTests {
        @Test("every file and folder plumb creates under --state is its user's alone")
        func statePermissions() throws {
            let repo = try TempRepo.example()
            let apply = try repo.plumb("apply", "--auto-approve")
            #expect(apply.status == 0, "\(apply.stderr)")
            let state = repo.url.appendingPathComponent(".plumb").path
            let entries = [""] + (try FileManager.default.subpathsOfDirectory(atPath: state))
            #expect(entries.count > 3)
            for entry in entries {
                let path = entry.isEmpty ? state : (state as NSString).appendingPathComponent(entry)
                let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
                #expect(mode & 0o077 == 0, "\(entry.isEmpty ? ".plumb" : entry) is \(String(mode, radix: 8))")
            }
        }

        @Test("a document that is a symbolic link out of the repository is refused, and nothing is read from it")
        func symlinkOutsideRoot() throws {
            let repo = try TempRepo.empty()
            try repo.write("Providers/main.yaml", "kind: embedded\n")
            let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString).yaml")
            try "provider: main\nzone: stolen.example.\nrecords:\n  a: {type: A, value: 192.0.2.1}\n".write(
                to: outside, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: outside) }
            try FileManager.default.createDirectory(at: repo.url.appendingPathComponent("Desired"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: repo.url.appendingPathComponent("Desired/zone.yaml"), withDestinationURL: outside)
            // A link that stays inside the repository is fine.
            try repo.write("shared/inside.yaml", "provider: main\nzone: inside.example.\n")
            try FileManager.default.createSymbolicLink(
                at: repo.url.appendingPathComponent("Desired/inside.yaml"), withDestinationURL: repo.url.appendingPathComponent("shared/inside.yaml"))

            let validate = try repo.plumb("validate")
            #expect(validate.status == 1)
            #expect(validate.stderr.contains("Desired/zone.yaml:1:1"), "\(validate.stderr)")
            #expect(validate.stderr.contains("outside the repository"), "\(validate.stderr)")
            #expect(!validate.stderr.contains("inside.yaml"), "\(validate.stderr)")
            let apply = try repo.plumb("apply", "--auto-approve")
            #expect(apply.status == 1)
            #expect(!FileManager.default.fileExists(atPath: repo.url.appendingPathComponent(".plumb/main.sqlite").path))
        }
    }
}
