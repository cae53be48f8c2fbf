import Foundation
import Testing

/// `spanview stats`, run as a user would run it, checked against figures read from the
/// samples by hand (samples/payment-timeout.json: 7 spans, 2 errors; the root
/// `POST /api/payments` runs 2026-11-25T07:09:28.6936xxx for 73,265,636 ns; 5 spans of
/// payment-api, 2 of fraud-checker).
@Suite("spanview stats")
struct StatsTests {
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try CLI.run(["stats", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test("--json over every trace: rows by operation add up to the sample's spans")
    func allTraces() throws {
        let json = try Self.json([CLI.sample("order-inventory.jsonl")])
        #expect(json["groupBy"] as? String == "operation")
        #expect(json["traces"] as? Int == 3)
        #expect(json["spans"] as? Int == 15)
        #expect(json["traceId"] == nil && json["criticalPath"] == nil)
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.compactMap { $0["count"] as? Int }.reduce(0, +) == 15)
        for row in rows {
            #expect(Set(row.keys) == ["service", "name", "count", "errors", "totalNs", "selfNs", "minNs", "maxNs"])
            let (min, max, total, count) = (row["minNs"] as! Int, row["maxNs"] as! Int, row["totalNs"] as! Int, row["count"] as! Int)
            #expect(min <= max && max <= total && total <= max * count)
            #expect((row["selfNs"] as! Int) <= total)
        }
    }

    @Test("--trace --json: one trace, its critical path adds up to the root's duration")
    func oneTrace() throws {
        let json = try Self.json(["--trace", "38F2FD9B", CLI.sample("payment-timeout.json")])
        #expect(json["traceId"] as? String == "38f2fd9beffee2e4f4aad95f57d89868")
        #expect(json["spans"] as? Int == 7)
        #expect(json["errors"] as? Int == 2)
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.count == 7)
        let root = try #require(rows.first { $0["name"] as? String == "POST /api/payments" })
        #expect(root["totalNs"] as? Int == 73_265_636)
        #expect(root["errors"] as? Int == 1)
        let path = try #require(json["criticalPath"] as? [[String: Any]])
        #expect(path.compactMap { $0["ns"] as? Int }.reduce(0, +) == 73_265_636)
        #expect(path.first?["spanId"] as? String == "785b9a57f0dfd9b9")
        #expect(path.last?["spanId"] as? String == "785b9a57f0dfd9b9")
        for (a, b) in zip(path, path.dropFirst()) { #expect(a["spanId"] as? String != b["spanId"] as? String) }
        // The fraud check's server span runs past the client span that waits for it: only
        // the part inside is on the path, so the path never exceeds a span's duration.
        let check = try #require(path.first { $0["name"] as? String == "score transaction" })
        #expect((check["ns"] as! Int) < 141_113_329)
    }

    @Test("--by service and --by an attribute key")
    func groupings() throws {
        let services = try Self.json(["--by", "service", "--sort", "count", CLI.sample("payment-timeout.json")])
        let rows = try #require(services["rows"] as? [[String: Any]])
        #expect(rows.map { $0["service"] as? String } == ["payment-api", "fraud-checker"])
        #expect(rows.map { $0["count"] as? Int } == [5, 2])
        #expect(rows.allSatisfy { $0["name"] == nil })
        let byKey = try Self.json(["--by", "http.route", "--sort", "name", CLI.sample("order-inventory.jsonl")])
        #expect(byKey["groupBy"] as? String == "http.route")
        let keyRows = try #require(byKey["rows"] as? [[String: Any]])
        #expect(keyRows.compactMap { $0["count"] as? Int }.reduce(0, +) == 15)
        #expect(keyRows.last?["name"] is NSNull)
    }

    @Test("text: an aligned table, and the critical path with --trace")
    func text() throws {
        let result = try CLI.run(["stats", "--trace", "38f2", "--sort", "total:asc", CLI.sample("payment-timeout.json")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "trace 38f2fd9beffee2e4f4aad95f57d89868: 7 spans, 2 errors, duration 173ms, self time 176ms; by operation")
        let header = try #require(lines.first { $0.hasPrefix("SERVICE") })
        #expect(header.contains("COUNT") && header.contains("SELF %"))
        let table = lines.drop { !$0.hasPrefix("SERVICE") }.prefix { !$0.isEmpty }
        #expect(table.count == 8)
        #expect(Set(table.map(\.count)).count == 1)   // the last column is right-aligned: every line as wide
        #expect(table.dropFirst().first?.contains("validate payment request") == true)   // the shortest first
        #expect(result.stdout.contains("critical path: 73.3ms in 11 pieces"))
    }

    @Test("a prefix matching no trace or several is an error")
    func badPrefix() throws {
        let none = try CLI.run(["stats", "--trace", "ffff", CLI.sample("order-inventory.jsonl")])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no trace ID starts with 'ffff'"))
        let several = try CLI.run(["stats", "--trace", "", CLI.sample("order-inventory.jsonl")])
        #expect(several.status != 0)
        #expect(several.stderr.contains("3 trace IDs start with"))
        let badSort = try CLI.run(["stats", "--sort", "nope", CLI.sample("order-inventory.jsonl")])
        #expect(badSort.status != 0)
        #expect(badSort.stderr.contains("--sort must be one of"))
    }
}
