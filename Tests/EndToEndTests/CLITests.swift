import Foundation
import Testing

/// The headless commands, run as a user would run them.
@Suite("spanview print and summary")
struct CLITests {
    struct Expected: Decodable {
        let spans: Int
        let traces: Int
        let errors: Int
        let nonSpanLines: Int
    }

    static let expected: [String: Expected] = {
        let url = CLI.packageRoot.appendingPathComponent("samples/expected-counts.json")
        let data = (try? Data(contentsOf: url)) ?? Data()
        return (try? JSONDecoder().decode([String: Expected].self, from: data)) ?? [:]
    }()

    @Test("the committed samples load with the counts the real SDK wrote", arguments: expected.keys.sorted())
    func samples(name: String) throws {
        let want = try #require(Self.expected[name])
        let result = try CLI.run(["summary", "--json", CLI.sample(name)])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let traces = try #require(json["traces"] as? [[String: Any]])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(json["spans"] as? Int == want.spans)
        #expect(traces.count == want.traces)
        #expect(traces.compactMap { $0["errors"] as? Int }.reduce(0, +) == want.errors)
        #expect(files.first?["nonJSONLines"] as? Int == want.nonSpanLines)
        #expect((files.first?["skipped"] as? [Any])?.isEmpty == true)
        #expect(files.first?["format"] as? String == "go-stdouttrace")
    }

    @Test("summary --json has exactly the documented keys")
    func jsonSchema() throws {
        let bad = try CLI.temporaryFile(Data("log line\n{\"Name\": oops}\n".utf8) + Data(contentsOf: URL(fileURLWithPath: CLI.sample("order-inventory.jsonl"))))
        defer { try? FileManager.default.removeItem(at: bad) }
        let result = try CLI.run(["summary", "--json", bad.path, CLI.sample("payment-timeout.json")])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["files", "spans", "duplicates", "traces"])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.count == 2)
        for file in files { #expect(Set(file.keys) == ["path", "format", "spans", "nonJSONLines", "skippedCount", "skipped"]) }
        let skipped = try #require(files[0]["skipped"] as? [[String: Any]])
        #expect(skipped.count == 1)
        #expect(Set(skipped[0].keys) == ["offset", "line", "reason"])
        #expect(skipped[0]["line"] as? Int == 2)
        #expect(skipped[0]["offset"] as? Int == 9)
        #expect(files[0]["nonJSONLines"] as? Int == 1)
        let traces = try #require(json["traces"] as? [[String: Any]])
        #expect(traces.count == 4)
        for trace in traces {
            #expect(Set(trace.keys) == ["traceId", "spans", "depth", "errors", "durationNs", "services", "roots", "orphans", "flags"])
            let id = try #require(trace["traceId"] as? String)
            #expect(id.count == 32 && id.allSatisfy { "0123456789abcdef".contains($0) })
        }
        let payment = try #require(traces.first { ($0["roots"] as? [String]) == ["POST /api/payments"] })
        #expect(payment["spans"] as? Int == 7)
        #expect(payment["errors"] as? Int == 2)
        #expect(payment["depth"] as? Int == 4)
        #expect(payment["services"] as? [String] == ["payment-api", "fraud-checker"])
        #expect(payment["orphans"] as? [String] == [])
        // The viewer's "[outside parent]", counted like every other flag.
        let flags = try #require(payment["flags"] as? [String: Int])
        #expect(flags["outsideParent"] == 1 && flags["endingBeforeStart"] == 0 && flags.count == 6)
        #expect((payment["durationNs"] as? Int ?? 0) > 0)
    }

    @Test("print draws each trace's tree, durations and bars")
    func print() throws {
        let result = try CLI.run(["print", "--width", "110", "--color", "never", CLI.sample("payment-timeout.json")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("Trace ") == true)
        #expect(lines.first?.contains("7 spans") == true)
        #expect(lines.first?.contains("2 errors") == true)
        #expect(lines.count == 2 + 7)
        #expect(lines.allSatisfy { $0.count <= 110 })
        let root = try #require(lines.first { $0.contains("POST /api/payments") })
        #expect(root.hasPrefix("✗ POST /api/payments"))
        #expect(root.contains("█"))
        #expect(lines.contains { $0.contains("├─SELECT accounts") })
        #expect(lines.contains { $0.hasPrefix("✗ ├─POST fraud-check") })
        #expect(lines.contains { $0.contains("│ └─POST /v1/check") })
        #expect(lines.contains { $0.contains("└─UPDATE payments") })
        #expect(!result.stdout.contains("\u{1B}"))
    }

    @Test("print --trace picks traces by ID prefix; an unknown prefix fails clearly")
    func tracePrefix() throws {
        let summary = try CLI.run(["summary", "--json", CLI.sample("order-inventory.jsonl")])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        let id = try #require((json["traces"] as? [[String: Any]])?.first?["traceId"] as? String)
        let prefix = "0x" + String(id.prefix(8)).uppercased()
        let one = try CLI.run(["print", "--color", "never", "--trace", prefix, CLI.sample("order-inventory.jsonl")])
        #expect(one.status == 0)
        #expect(one.stdout.components(separatedBy: "Trace ").count == 2)
        #expect(one.stdout.contains(id))

        let none = try CLI.run(["print", "--trace", "ffffffffffff0000", CLI.sample("order-inventory.jsonl")])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no trace ID starts with 'ffffffffffff0000'"))
        let bad = try CLI.run(["print", "--trace", "xyz", CLI.sample("order-inventory.jsonl")])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--trace"))
    }

    @Test("standard input is read with - and when no file is named")
    func standardInput() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("with-logs.txt")))
        for arguments in [["summary", "--json", "-"], ["summary", "--json"]] {
            let result = try CLI.run(arguments, stdin: data)
            #expect(result.status == 0)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["spans"] as? Int == 30)
            #expect((json["files"] as? [[String: Any]])?.first?["path"] as? String == "-")
        }
    }

    @Test("print with one unreadable input prints the others, names it on stderr and exits 0")
    func printSkipsUnreadable() throws {
        let result = try CLI.run(["print", "--color", "never", "/nonexistent/trace.json", CLI.sample("order-inventory.jsonl"),
                                  CLI.packageRoot.appendingPathComponent("samples").path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("POST /orders"))
        #expect(result.stderr.contains("'/nonexistent/trace.json': No such file or directory"))
        #expect(result.stderr.contains("is a directory"))
    }

    @Test("unusable inputs get one clear line and a non-zero exit, never a crash trace")
    func unusableInputs() throws {
        let empty = try CLI.temporaryFile(Data())
        let logsOnly = try CLI.temporaryFile(Data("starting up\nlistening on :8080\n".utf8))
        defer {
            try? FileManager.default.removeItem(at: empty)
            try? FileManager.default.removeItem(at: logsOnly)
        }
        let cases: [([String], String)] = [
            (["summary", "/nonexistent/trace.json"], "spanview: '/nonexistent/trace.json': No such file or directory"),
            (["print", CLI.packageRoot.appendingPathComponent("samples").path], "is a directory"),
            (["summary", empty.path], "is empty"),
            (["print", logsOnly.path], "holds no spans (2 lines of other text)"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack dump"))
        }
        let noSpans = try CLI.run(["summary", "--json"], stdin: Data())
        #expect(noSpans.status == 1)
        #expect(noSpans.stderr.contains("standard input is empty"))
    }

    @Test("bad values are listed with file, line and byte offset; good spans around them are kept")
    func badValues() throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("order-inventory.jsonl")))
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // Cut line 3 short and put garbage on a new line 6.
        var broken = Data()
        for (i, line) in lines.enumerated() where !(i == lines.count - 1 && line.isEmpty) {
            broken += i == 2 ? line.prefix(100) : line
            broken += Data("\n".utf8)
            if i == 4 { broken += Data("{\"Name\": \u{7}garbage\n".utf8) }
        }
        data = broken
        let file = try CLI.temporaryFile(data)
        defer { try? FileManager.default.removeItem(at: file) }
        let summary = try CLI.run(["summary", file.path])
        #expect(summary.status == 0)
        #expect(summary.stdout.contains("14 spans"))
        #expect(summary.stdout.contains("\(file.path):3: byte "))
        #expect(summary.stdout.contains("\(file.path):6: byte "))
        #expect(!summary.stdout.contains("\u{7}"))
        let print = try CLI.run(["print", "--color", "never", file.path])
        #expect(print.status == 0)
        #expect(print.stderr.contains("skipped 2 bad values"))
        #expect(print.stderr.contains(":3: byte "))
    }

    @Test("control characters from trace data never reach the terminal", arguments: ["never", "always"])
    func controlCharacters(color: String) throws {
        let name = #"evil \u001b]0;pwned\u0007 \u001b]52;c;ZXZpbA==\u0007 \u009b31m \u007f"#
        let span = #"{"Name":"\#(name)","SpanContext":{"TraceID":"0af7651916cd43dd8448eb211c80319c","SpanID":"b7ad6b7169203331","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false},"SpanKind":1,"StartTime":"2024-05-01T12:00:00Z","EndTime":"2024-05-01T12:00:01Z","Attributes":null,"Events":null,"Links":null,"Status":{"Code":"Error","Description":"\u001b[2J"},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"svc\u001b[5m"}}],"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":""}}"#
        let file = try CLI.temporaryFile(Data((span + "\n").utf8))
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["print", "--width", "200", "--color", color, file.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#"evil \e]0;pwned\x07 \e]52;c;ZXZpbA==\x07 \u{009b}31m \x7f"#))
        #expect(result.stdout.contains(#"svc\e[5m"#))
        // The only escape sequences allowed are our own SGR colour codes.
        let withoutSGR = result.stdout.replacingOccurrences(of: #"\u{1B}\[[0-9;]*m"#, with: "", options: .regularExpression)
        #expect(!withoutSGR.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) })
        if color == "never" { #expect(!result.stdout.contains("\u{1B}")) } else { #expect(result.stdout.contains("\u{1B}[")) }
        let summary = try CLI.run(["summary", file.path])
        #expect(!summary.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test("--version and --help")
    func versionAndHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        for command in [["--help"], ["print", "--help"], ["summary", "--help"]] {
            let help = try CLI.run(command)
            #expect(help.status == 0)
            #expect(help.stdout.contains("USAGE"))
        }
    }
}

@Suite("spanview traces itself")
struct SelfTraceTests {
    @Test("summary --self-trace writes spanview's own spans, which spanview reads as a trace of at least three levels")
    func summarySelfTrace() throws {
        let out = try CLI.temporaryFile(Data(), suffix: ".json")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CLI.run(["summary", CLI.sample("interleaved.jsonl"), CLI.sample("payment-timeout.json"), "--self-trace", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try CLI.run(["summary", "--json", out.path])
        #expect(summary.status == 0, "\(summary.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        let traces = try #require(json["traces"] as? [[String: Any]])
        #expect(traces.count == 1)
        let trace = try #require(traces.first)
        #expect((trace["depth"] as? Int ?? 0) >= 4, "\(trace)")   // command, read inputs, read input, decode chunk
        #expect(trace["roots"] as? [String] == ["spanview summary"])
        #expect(trace["services"] as? [String] == ["spanview"])
        #expect(trace["errors"] as? Int == 0)
        let text = try CLI.run(["print", out.path, "--width", "160"]).stdout
        for name in ["spanview summary", "read inputs", "read input", "decode chunk", "build trees and figures"] {
            #expect(text.contains(name), "\(name) missing:\n\(text)")
        }
    }

    @Test("OTEL_SDK_DISABLED turns --self-trace off; an unwritable file is said clearly")
    func disabledAndUnwritable() throws {
        let out = try CLI.temporaryFile(Data(), suffix: ".json")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try CLI.run(["summary", CLI.sample("payment-timeout.json"), "--self-trace", out.path], environment: ["OTEL_SDK_DISABLED": "true"])
        #expect(run.status == 0)
        #expect(try Data(contentsOf: out).isEmpty)
        let bad = try CLI.run(["summary", CLI.sample("payment-timeout.json"), "--self-trace", "/nonexistent/dir/self.json"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("--self-trace: '/nonexistent/dir/self.json': No such file or directory"))
    }
}

@Suite("The viewer traces itself", .serialized)
struct ViewerSelfTraceTests {
    @Test("spanview FILE --self-trace: the session's frames, takes of input and reading, under one root", .enabled(if: tmuxAvailable))
    func viewerSelfTrace() throws {
        let out = try CLI.temporaryFile(Data(), suffix: ".json")
        defer { try? FileManager.default.removeItem(at: out) }
        let binary = try #require(TmuxSession.product("spanview"))
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) \(TmuxSession.quote(CLI.sample("interleaved.jsonl"))) --self-trace \(TmuxSession.quote(out.path))",
                                      width: 120, height: 30)
        #expect(session.waitFor(text: "150 traces"), "\(session.capture())")
        session.send(keys: "j", "j", "Enter")
        #expect(session.waitFor(text: "span 1/"), "\(session.capture())")
        session.send(keys: "Escape", "/")
        session.send(text: "0")
        session.send(keys: "Enter")
        #expect(session.waitUntil { $0.contains("with 0") || $0.contains("matching 0") }, "\(session.capture())")
        session.send(keys: "Escape", "q")
        #expect(session.waitForExit() == 0)
        let text = try CLI.run(["print", out.path, "--width", "160"]).stdout
        for name in ["spanview view", "read input", "decode chunk", "draw frame", "search", "quit"] {
            #expect(text.contains(name), "\(name) missing:\n\(text.prefix(3000))")
        }
        let summary = try CLI.run(["summary", "--json", out.path])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        #expect((json["traces"] as? [[String: Any]])?.count == 1)
    }
}

extension ViewerSelfTraceTests {
    @Test("SIGTERM or SIGHUP in the viewer: the terminal comes back, the spans so far are written, it dies of the signal",
          .enabled(if: tmuxAvailable), arguments: [SIGTERM, SIGHUP])
    func viewerFlushedOnSignal(_ signo: Int32) throws {
        let out = try CLI.temporaryFile(Data(), suffix: ".json")
        defer { try? FileManager.default.removeItem(at: out) }
        let binary = try #require(TmuxSession.product("spanview"))
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) \(TmuxSession.quote(CLI.sample("interleaved.jsonl"))) --self-trace \(TmuxSession.quote(out.path))",
                                      width: 120, height: 30)
        #expect(session.waitFor(text: "150 traces"), "\(session.capture())")
        session.send(keys: "j", "Enter")
        #expect(session.waitFor(text: "span 1/"), "\(session.capture())")
        // The batch processor would write these only after 5 s; the signal must not lose them.
        session.signal(signo)
        #expect(session.waitForExit(timeout: 8) == 128 + signo, "\(session.capture())")
        FatalExitTests().expectRestored(session)
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains(#""Name":"draw frame""#), "no frame span was written: \(text.prefix(500))")
        #expect(text.contains(#""Name":"read input""#))
    }

    @Test("a collector that is down holds a SIGTERM to the viewer for the flush bound, no longer", .enabled(if: tmuxAvailable))
    func viewerSignalWithCollectorDown() throws {
        let binary = try #require(TmuxSession.product("spanview"))
        // Nothing listens on port 9 of the loopback: every export is refused and retried.
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) \(TmuxSession.quote(CLI.sample("interleaved.jsonl"))) --self-trace-otlp http://127.0.0.1:9/v1/traces",
                                      width: 120, height: 30)
        #expect(session.waitFor(text: "150 traces"), "\(session.capture())")
        session.signal(SIGTERM)
        #expect(session.waitForExit(timeout: 8) == 128 + SIGTERM, "\(session.capture())")
        FatalExitTests().expectRestored(session)
    }
}

@Suite("Self-tracing ended by a signal", .serialized)
struct SelfTraceSignalTests {
    @Test("SIGTERM during a long summary: the spans ended so far are written, then it dies of SIGTERM", arguments: [SIGTERM, SIGINT])
    func flushedOnSignal(_ signo: Int32) throws {
        let file = try SourcesTests.bigFile(copies: 40)
        let out = try CLI.temporaryFile(Data(), suffix: ".json")
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: out)
        }
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["summary", file.path, "--self-trace", out.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it is reading (the first batch's span has been queued), then signal.
        Thread.sleep(forTimeInterval: 0.6)
        #expect(process.isRunning, "the summary finished before the signal: make the input bigger")
        kill(process.processIdentifier, signo)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == signo)
        let written = try String(contentsOf: out, encoding: .utf8)
        #expect(written.contains(#""Name":"decode chunk""#), "no span was written before the process died")
        let read = try CLI.run(["summary", out.path])
        #expect(read.status == 0)
        #expect(read.stdout.contains("0 skipped"))
    }
}

@Suite("The viewer shows its own spans", .serialized)
struct OwnSpansTests {
    @Test("T adds the viewer's own spans as a live input; they do not feed themselves", .enabled(if: tmuxAvailable))
    func ownSpans() throws {
        let binary = try #require(TmuxSession.product("spanview"))
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) \(TmuxSession.quote(CLI.sample("interleaved.jsonl")))",
                                      width: 160, height: 30)
        #expect(session.waitFor(text: "150 traces"), "\(session.capture())")
        session.send(keys: "T")
        #expect(session.waitFor(text: "spanview's own spans are now an input"), "\(session.capture())")
        session.send(keys: "j", "k", "/")
        session.send(text: "0")
        session.send(keys: "Enter", "Escape")
        #expect(session.waitFor(text: "interleaved.jsonl, spanview (own spans)"), "\(session.capture())")
        // Spans arrive: the search and the frames it drew.
        func ownSpanCount() -> Int? {
            let status = session.lines().last ?? ""
            guard let range = status.range(of: #"traces · \d+ spans"#, options: .regularExpression) else { return nil }
            return Int(status[range].split(separator: " ")[2]).map { $0 - 1937 }
        }
        #expect(session.waitUntil(timeout: 5) { _ in (ownSpanCount() ?? 0) > 3 }, "\(session.capture())")
        // Left alone, the viewer draws twice a second for the live rate, and no more: its own
        // spans arriving do not make frames that make spans that make frames.
        Thread.sleep(forTimeInterval: 2)
        let before = ownSpanCount() ?? 0
        Thread.sleep(forTimeInterval: 4)
        let after = ownSpanCount() ?? 0
        #expect(after - before < 40, "\(after - before) own spans in 4 s while idle")
        session.send(keys: "T")
        #expect(session.waitFor(text: "already an input"), "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("T with OTEL_SDK_DISABLED says the viewer's own spans are off", .enabled(if: tmuxAvailable))
    func disabled() throws {
        let binary = try #require(TmuxSession.product("spanview"))
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) \(TmuxSession.quote(CLI.sample("payment-timeout.json")))",
                                      width: 120, height: 30, environment: ["OTEL_SDK_DISABLED": "true"])
        #expect(session.waitFor(text: "payment-timeout.json"), "\(session.capture())")
        session.send(keys: "T")
        #expect(session.waitFor(text: "own spans are off"), "\(session.capture())")
        session.send(keys: "q", "q")
        #expect(session.waitForExit() == 0)
    }
}
