import Foundation
import Testing

/// `spanview convert`, run as a user runs it: every sample into every format and back, gzip
/// output, pipes, trace selection, and the one-line errors.
@Suite("convert", .serialized)
struct ConvertTests {
    static let samples = ["payment-timeout.json", "order-inventory.jsonl", "fanout.json", "attribute-types.jsonl",
                          "interleaved.jsonl", "with-logs.txt", "with-logs-pretty.txt", "tempo-v2-trace.json"]

    /// Per trace: its ID, span count, depth, errors, services and roots, as `summary --json` says.
    static func traces(_ path: String) throws -> [String] {
        let result = try CLI.run(["summary", "--json", path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        let traces = try #require(json["traces"] as? [[String: Any]])
        return traces.map { t in
            "\(t["traceId"] ?? "") spans=\(t["spans"] ?? "") depth=\(t["depth"] ?? "") errors=\(t["errors"] ?? "") services=\(t["services"] ?? "") roots=\(t["roots"] ?? "") orphans=\(t["orphans"] ?? "")"
        }.sorted()
    }

    @Test("every sample to OTLP and stdouttrace (compact and pretty) reads back as the same traces",
          arguments: ["otlp", "stdouttrace", "stdouttrace-pretty"])
    func roundTrip(format: String) throws {
        for sample in Self.samples {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-convert-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: out) }
            let converted = try CLI.run(["convert", CLI.sample(sample), "--to", format, "-o", out.path])
            #expect(converted.status == 0, "\(sample): \(converted.stderr)")
            #expect(converted.stderr.contains("as \(format) to '\(out.path)'"), "\(converted.stderr)")
            #expect(try Self.traces(out.path) == Self.traces(CLI.sample(sample)), "\(sample) as \(format)")
        }
    }

    @Test("gzip when the output ends in .gz, the format from its name; a pipe in and out")
    func gzipAndPipes() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-convert-\(UUID().uuidString).otlp.jsonl.gz")
        defer { try? FileManager.default.removeItem(at: out) }
        let converted = try CLI.run(["convert", CLI.sample("interleaved.jsonl"), "-o", out.path])
        #expect(converted.status == 0, "\(converted.stderr)")
        #expect(converted.stderr.contains("wrote 1,937 spans of 150 traces as otlp"), "\(converted.stderr)")
        #expect(converted.stderr.contains("before gzip"))
        let bytes = try Data(contentsOf: out)
        #expect(bytes.prefix(2) == Data([0x1F, 0x8B]))
        #expect(try Self.traces(out.path) == Self.traces(CLI.sample("interleaved.jsonl")))

        let input = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("order-inventory.jsonl")))
        let piped = try CLI.run(["convert", "--to", "otlp"], stdin: input)
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr)")   // nothing said when writing to a pipe
        let lines = piped.stdout.split(separator: "\n")
        #expect(!lines.isEmpty && lines.allSatisfy { $0.hasPrefix("{\"resourceSpans\":[") })
        let back = try CLI.run(["summary", "-"], stdin: Data(piped.stdout.utf8))
        #expect(back.stdout.contains("-: otlp-json, 15 spans"), "\(back.stdout)")
    }

    @Test("--trace picks traces by ID prefix; none matching writes nothing and exits 1")
    func traceSelection() throws {
        let picked = try CLI.run(["convert", CLI.sample("order-inventory.jsonl"), "--to", "stdouttrace", "--trace", "0x" + "4bf9", "--trace", "nonexistent"])
        #expect(picked.status != 0)   // "nonexistent" is not hex
        #expect(picked.stderr.contains("--trace must be hex digits"))
        let ids = try Self.traces(CLI.sample("order-inventory.jsonl")).map { String($0.prefix(32)) }
        let one = try CLI.run(["convert", CLI.sample("order-inventory.jsonl"), "--to", "stdouttrace", "--trace", String(ids[0].prefix(6))])
        #expect(one.status == 0)
        let back = try CLI.run(["summary", "-"], stdin: Data(one.stdout.utf8))
        #expect(back.stdout.contains("1 trace,"), "\(back.stdout)")
        let none = try CLI.run(["convert", CLI.sample("order-inventory.jsonl"), "--to", "otlp", "--trace", "ffffffffffff"])
        #expect(none.status == 1)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.contains("nothing written: no trace ID starts with ffffffffffff"))
    }

    @Test("the format is asked for when neither --to nor the output's name says it; a bad input is named")
    func errors() throws {
        let noFormat = try CLI.run(["convert", CLI.sample("fanout.json"), "-o", "/tmp/x.json"])
        #expect(noFormat.status != 0)
        #expect(noFormat.stderr.contains("say the format: --to otlp|stdouttrace|stdouttrace-pretty|jaeger|zipkin"))
        let missing = try CLI.run(["convert", "/nonexistent.json", CLI.sample("fanout.json"), "--to", "otlp"])
        #expect(missing.status == 0)
        #expect(missing.stderr.contains("'/nonexistent.json': No such file or directory"))
        #expect(missing.stdout.hasPrefix("{\"resourceSpans\":"))
        let unwritable = try CLI.run(["convert", CLI.sample("fanout.json"), "--to", "otlp", "-o", "/nonexistent-dir/x.json"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("'/nonexistent-dir/x.json': No such file or directory"))
    }

    /// order-inventory.jsonl without a span that has both a parent and children (so they are
    /// orphans), and with its first span twice (a duplicate): a file with both, checked.
    static func orphansAndDuplicates() throws -> String {
        let lines = try String(contentsOfFile: CLI.sample("order-inventory.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        func ids(_ line: String) throws -> (span: String, parent: String) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let context = try #require(object["SpanContext"] as? [String: Any]), parent = try #require(object["Parent"] as? [String: Any])
            return (try #require(context["SpanID"] as? String), try #require(parent["SpanID"] as? String))
        }
        let all = try lines.map(ids)
        let parents = Set(all.map(\.parent))
        let cut = try #require(all.firstIndex { $0.parent != "0000000000000000" && parents.contains($0.span) })
        var kept = lines
        kept.remove(at: cut)
        kept.append(lines[0])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-orphans-\(UUID().uuidString).jsonl").path
        try (kept.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let summary = try CLI.run(["summary", "--json", path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        try #require(json["duplicates"] as? Int == 1, "\(summary.stdout)")
        let orphans = (json["traces"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["orphans"] as? [Any])?.count ?? 0) }
        try #require(orphans > 0, "\(summary.stdout)")
        return path
    }

    @Test("every pair of formats: a sample written as one, converted to another, reads back as the same traces (every attribute type, orphans, a duplicate too)",
          arguments: ["otlp", "stdouttrace", "jaeger", "zipkin"])
    func everyPair(first: String) throws {
        let damaged = try Self.orphansAndDuplicates()
        defer { try? FileManager.default.removeItem(atPath: damaged) }
        for sample in ["payment-timeout.json", "order-inventory.jsonl", "interleaved.jsonl", "tempo-v2-trace.json",
                       "attribute-types.jsonl", damaged] {
            let source = sample.hasPrefix("/") ? sample : CLI.sample(sample)
            let expected = try Self.traces(source)
            let a = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-pair-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: a) }
            let one = try CLI.run(["convert", source, "--to", first, "-o", a.path])
            #expect(one.status == 0, "\(sample) to \(first): \(one.stderr)")
            for second in ["otlp", "stdouttrace", "jaeger", "zipkin"] {
                let b = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-pair-\(UUID().uuidString).json")
                defer { try? FileManager.default.removeItem(at: b) }
                let two = try CLI.run(["convert", a.path, "--to", second, "-o", b.path])
                #expect(two.status == 0, "\(sample) \(first) to \(second): \(two.stderr)")
                #expect(try Self.traces(b.path) == expected, "\(sample): \(first), then \(second)")
            }
        }
    }

    @Test("convert says once, at the end, what the target format could not hold; nothing when it held everything")
    func losses() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-losses-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        // The Go sample with every attribute type: typed arrays become plain arrays in OTLP.
        let otlp = try CLI.run(["convert", CLI.sample("attribute-types.jsonl"), "--to", "otlp", "-o", out.path])
        #expect(otlp.status == 0, "\(otlp.stderr)")
        let otlpLines = otlp.stderr.split(separator: "\n").filter { $0.contains("cannot hold everything") }
        #expect(otlpLines.contains { $0.contains("otlp cannot hold everything: ") && $0.contains("typed arrays (STRINGSLICE, INT64SLICE…) written as plain arrays") },
                "\(otlp.stderr)")
        #expect(Set(otlpLines).count == otlpLines.count, "each loss said once: \(otlp.stderr)")
        // Back to stdouttrace: nothing lost on the way.
        let back = try CLI.run(["convert", out.path, "--to", "stdouttrace", "-o", out.path + ".go.jsonl"])
        defer { try? FileManager.default.removeItem(atPath: out.path + ".go.jsonl") }
        #expect(back.status == 0 && !back.stderr.contains("cannot hold"), "\(back.stderr)")
        // Zipkin has no links and string tags only.
        let zipkin = try CLI.run(["convert", CLI.sample("attribute-types.jsonl"), "--to", "zipkin", "-o", out.path])
        #expect(zipkin.stderr.contains("zipkin cannot hold everything: ") && zipkin.stderr.contains("written as text (Zipkin tags are strings)"), "\(zipkin.stderr)")
    }

    @Test("a document of 10,000 spans (one value) converted to OTLP is written 4,096 spans a line, every span kept")
    func bigDocumentInLines() throws {
        // Zipkin v2: ten spans a trace, a root and nine children.
        var spans: [String] = []
        for i in 0..<10_000 {
            let trace = String(format: "%032x", i / 10 + 1), id = String(format: "%016x", i + 1)
            let parent = i % 10 == 0 ? "" : "\"parentId\":\"\(String(format: "%016x", i / 10 * 10 + 1))\","
            spans.append("{\"traceId\":\"\(trace)\",\(parent)\"id\":\"\(id)\",\"name\":\"op \(i)\",\"timestamp\":\(1_700_000_000_000_000 + i),\"duration\":5,\"localEndpoint\":{\"serviceName\":\"svc\"}}")
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-big-\(UUID().uuidString).zipkin.json")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-big-\(UUID().uuidString).otlp.jsonl")
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        try ("[" + spans.joined(separator: ",") + "]").write(to: input, atomically: true, encoding: .utf8)
        let converted = try CLI.run(["convert", input.path, "-o", output.path])
        #expect(converted.status == 0, "\(converted.stderr)")
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let summary = try CLI.run(["summary", output.path])
        #expect(summary.stdout.contains("1000 traces, 10000 distinct spans"), "\(summary.stdout)")
    }

    @Test("a full disk is said in one line with exit status 1, for streamed and whole-document formats alike",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")), arguments: ["otlp", "stdouttrace", "jaeger", "zipkin"])
    func fullDisk(format: String) throws {
        let result = try CLI.run(["convert", CLI.sample("interleaved.jsonl"), "--to", format, "-o", "/dev/full"])
        #expect(result.status == 1)
        #expect(result.stderr == "spanview: '/dev/full': write failed: No space left on device\n", "\(result.stderr)")
    }
}
