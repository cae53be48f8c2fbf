import Foundation
import Testing

/// `spanview print --filter` and `summary --filter` on the shipped samples.
@Suite("print --filter")
struct FilterCLITests {
    /// The trace IDs `summary --json` reports, with a trace's figures.
    func summaryTraces(_ arguments: [String]) throws -> [[String: Any]] {
        let result = try CLI.run(["summary", "--json"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return try #require(json["traces"] as? [[String: Any]])
    }

    /// The trace IDs in `print` output, in order.
    func printedTraces(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: #"[0-9a-f]{32}"#, options: .regularExpression), line.contains("Trace ") else { return nil }
            return String(line[range])
        }
    }

    @Test("errors keeps exactly the traces with error spans")
    func errors() throws {
        let sample = CLI.sample("interleaved.jsonl")
        let all = try summaryTraces([sample])
        let withErrors = Set(all.filter { ($0["errors"] as? Int ?? 0) > 0 }.compactMap { $0["traceId"] as? String })
        #expect(!withErrors.isEmpty && withErrors.count < all.count)
        let result = try CLI.run(["print", "--color", "never", "--filter", "errors", sample])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(printedTraces(result.stdout)) == withErrors)
        #expect(printedTraces(result.stdout).count == withErrors.count)

        let none = try CLI.run(["print", "--color", "never", "--filter", "!errors", sample])
        #expect(Set(printedTraces(none.stdout)).isDisjoint(with: withErrors))
        #expect(printedTraces(none.stdout).count == all.count - withErrors.count)
    }

    @Test("attribute, service and duration terms pick traces across files")
    func terms() throws {
        let files = [CLI.sample("order-inventory.jsonl"), CLI.sample("payment-timeout.json")]
        let all = try summaryTraces(files)
        #expect(all.count == 4)
        let payment = try #require(all.first { ($0["services"] as? [String])?.contains("fraud-checker") == true }?["traceId"] as? String)
        let orders = Set(all.compactMap { $0["traceId"] as? String }).subtracting([payment])

        let mysql = try CLI.run(["print", "--color", "never", "--filter", "db.system=mysql", "--width", "100"] + files)
        #expect(mysql.status == 0, "\(mysql.stderr)")
        #expect(Set(printedTraces(mysql.stdout)) == orders)

        let fraud = try CLI.run(["print", "--color", "never", "--filter", "service=fraud-checker or http.status_code>=500"] + files)
        #expect(printedTraces(fraud.stdout) == [payment])

        let both = try CLI.run(["print", "--color", "never", "--filter", "(db.system=postgresql) and not status=error"] + files)
        #expect(Set(printedTraces(both.stdout)) == orders)

        let slow = try CLI.run(["print", "--color", "never", "--filter", "duration>=1ns spans>=5 root=POST*"] + files)
        #expect(Set(printedTraces(slow.stdout)) == orders.union([payment]))

        let summary = try summaryTraces(["--filter", "service=fraud-checker"] + files)
        #expect(summary.compactMap { $0["traceId"] as? String } == [payment])
    }

    @Test("a bad expression: the message, a caret under the place, exit status 2")
    func badExpression() throws {
        let result = try CLI.run(["print", "--filter", "duration>500", CLI.sample("fanout.json")])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--filter: a duration is a number and a unit"))
        #expect(result.stderr.contains("  duration>500\n           ^\n"), "\(result.stderr)")
        let summary = try CLI.run(["summary", "--filter", "(errors", CLI.sample("fanout.json")])
        #expect(summary.status == 2)
        #expect(summary.stderr.contains("missing ')'"))
    }

    @Test("--trace takes a traceparent or trace_id=…, and combines with --filter")
    func traceForms() throws {
        let sample = CLI.sample("order-inventory.jsonl")
        let id = try #require(try summaryTraces([sample]).first?["traceId"] as? String)
        for form in ["00-\(id)-00f067aa0ba902b7-01", "trace_id=\(id.prefix(8).uppercased())", "\"\(id)\""] {
            let result = try CLI.run(["print", "--color", "never", "--trace", form, sample])
            #expect(result.status == 0, "\(form): \(result.stderr)")
            #expect(printedTraces(result.stdout) == [id], "\(form)")
        }
        let both = try CLI.run(["print", "--color", "never", "--trace", id, "--filter", "errors", sample])
        #expect(both.status == 1)
        #expect(both.stderr.contains("no trace matches 'errors'"))
    }

    @Test("no matching trace: one line and exit status 1")
    func noMatch() throws {
        let result = try CLI.run(["print", "--filter", "service=nobody", CLI.sample("fanout.json")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no trace matches 'service=nobody' (1 trace read)"))
    }
}
