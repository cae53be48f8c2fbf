import Foundation
import Testing

/// The interactive viewer, run as a user runs it: the built binary in a real terminal
/// (tmux), typed at with send-keys and read back with capture-pane.
@Suite("The viewer in a real terminal", .serialized)
struct ViewerTests {
    static let statusMarker = "? keys"

    func start(_ arguments: String, width: Int = 120, height: Int = 35, stdin: String? = nil,
               environment: [String: String] = [:], wait: String = statusMarker) throws -> TmuxSession {
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        var command = TmuxSession.quote(binary.path) + " " + arguments
        if let stdin { command = "cat \(TmuxSession.quote(stdin)) | " + command }
        let session = try TmuxSession(command: command, width: width, height: height, environment: environment)
        try #require(session.waitFor(text: wait), "the viewer did not start:\n\(session.capture())")
        return session
    }

    func sample(_ name: String) -> String { TmuxSession.quote(CLI.sample(name)) }

    func expectRestored(_ session: TmuxSession, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(session.ttyFlagAfterExit("echo") == true, "\(session.terminalModesAfterExit ?? "no stty")", sourceLocation: sourceLocation)
        #expect(session.ttyFlagAfterExit("icanon") == true, sourceLocation: sourceLocation)
        #expect(session.paneFormat("#{alternate_on}") == "0", "left the alternate screen", sourceLocation: sourceLocation)
    }

    @Test("opens a sample: the trace list, the status line, q quits and restores the terminal", .enabled(if: tmuxAvailable))
    func opensAndQuits() throws {
        let session = try start(sample("interleaved.jsonl"))
        let lines = session.lines()
        #expect(lines[0].contains("START▲") && lines[0].contains("ROOT SPAN"))
        #expect(lines.last?.contains("interleaved.jsonl · go-stdouttrace · 150 traces · 1937 spans") == true)
        #expect(lines.last?.hasSuffix("trace 1/150") == true)
        #expect(session.paneFormat("#{alternate_on}") == "1")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }

    @Test("absurd COLUMNS and LINES and the largest --max-spans do not stop the viewer", .enabled(if: tmuxAvailable))
    func absurdSizes() throws {
        let session = try start("--max-spans 9223372036854775807 " + sample("payment-timeout.json"), width: 100, height: 30,
                                environment: ["COLUMNS": "2147483647", "LINES": "99999999999999999999"])
        let lines = session.lines()
        #expect(lines.first?.hasPrefix("Trace 38f2fd9beffee2e4f4aad95f57d89868") == true, "\(session.capture())")
        #expect(lines.allSatisfy { $0.count <= 100 })
        #expect(lines.last?.contains("payment-timeout.json") == true)
        session.send(keys: "C-c")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }

    @Test("searches a trace ID prefix, opens the failing span's Errors tab, collapses", .enabled(if: tmuxAvailable))
    func searchErrorsCollapse() throws {
        let summary = try CLI.run(["summary", "--json", CLI.sample("interleaved.jsonl")])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        let traces = try #require(json["traces"] as? [[String: Any]])
        let ids = traces.compactMap { $0["traceId"] as? String }
        let failing = try #require(traces.first { ($0["errors"] as? Int ?? 0) > 0 }?["traceId"] as? String)
        var length = 5
        while ids.filter({ $0.hasPrefix(failing.prefix(length)) }).count > 1 { length += 1 }

        let session = try start(sample("interleaved.jsonl"))
        session.send(keys: "/")
        #expect(session.waitUntil { $0.split(separator: "\n").last?.hasPrefix("/") == true })
        session.send(text: String(failing.prefix(length)).uppercased())
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "Trace \(failing)"), "\(session.capture())")

        session.send(keys: "e")
        #expect(session.waitFor(text: "status     Error"), "\(session.capture())")
        #expect(session.capture().contains("error span 1 of"))
        // The sample's failing spans record their errors as exception events; find one.
        _ = session.waitUntil(timeout: 3) { screen in
            if screen.contains("Exception") { return true }
            session.send(keys: "e")
            return false
        }
        let screen = session.capture()
        #expect(screen.contains("Exception"), "\(screen)")
        #expect(screen.contains("type       "))
        #expect(screen.contains("message    "))

        session.send(keys: "g", "Space")
        #expect(session.waitUntil { $0.contains("▸ ") && $0.contains(" shown of ") }, "\(session.capture())")
        session.send(keys: "Space")
        #expect(session.waitUntil { !$0.contains(" shown of ") })

        session.send(keys: "C-c")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }

    @Test("redraws on resize, says when too small, and recovers", .enabled(if: tmuxAvailable))
    func resize() throws {
        let session = try start(sample("payment-timeout.json"), width: 100, height: 30)
        #expect(session.capture().contains("POST /api/payments"))
        session.resize(width: 30, height: 8)
        #expect(session.waitFor(text: "Terminal too small"), "\(session.capture())")
        session.resize(width: 170, height: 40)
        #expect(session.waitUntil { $0.contains("POST /api/payments") && $0.contains("│ 1 Attributes") }, "\(session.capture())")
        let lines = session.lines()
        #expect(lines.count == 40)
        #expect(lines.last?.hasSuffix("span 1/7") == true)
        session.send(keys: "q", "q")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }

    @Test("spans piped on standard input, keys from the terminal", .enabled(if: tmuxAvailable))
    func pipedInput() throws {
        let session = try start("", stdin: CLI.sample("order-inventory.jsonl"), wait: "input ended")
        session.send(keys: "j")
        #expect(session.waitFor(text: "stdin · input ended · go-stdouttrace · 3 traces · 15 spans"), "\(session.capture())")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "Trace "), "\(session.capture())")
        session.send(keys: "Escape", "q")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }

    @Test("SIGTERM and SIGHUP restore the terminal", .enabled(if: tmuxAvailable), arguments: [SIGTERM, SIGHUP])
    func signals(signo: Int32) throws {
        let session = try start(sample("payment-timeout.json"))
        session.signal(signo)
        #expect(session.waitForExit() == 128 + signo)
        expectRestored(session)
    }

    @Test("trace data cannot retitle or recolour the terminal", .enabled(if: tmuxAvailable))
    func hostileData() throws {
        let session = try start(sample("attribute-types.jsonl"))
        for _ in 0..<3 {
            session.send(keys: "Enter")
            for _ in 0..<14 { session.send(keys: "j", "1", "2", "3", "4") }
            session.send(keys: "Escape", "j")
        }
        _ = session.waitFor(text: "trace 4/3", timeout: 1)
        #expect(session.paneFormat("#{pane_title}") != "pwned")
        #expect(!session.paneFormat("#{pane_title}").contains("pwned"))
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
        expectRestored(session)
    }

    @Test("with no terminal at all it says so and points to spanview print")
    func noTerminal() throws {
        // setsid: no controlling terminal, so /dev/tty cannot be opened.
        let result = try CLI.runDetached([CLI.sample("payment-timeout.json")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("spanview print"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }
}
