import Foundation
import Testing

/// Spans piped in while the viewer is open: `go run . | spanview`.
@Suite("Live input through a pipe", .serialized)
struct LiveInputTests {
    /// A writer that sends spans in three bursts with pauses, log lines between them, and a
    /// last value cut off: first three children of a trace whose root comes later.
    func writerScript(pause: Double) throws -> URL {
        let sample = CLI.sample("order-inventory.jsonl")
        let script = """
            echo "2026/11/25 12:00:00 listening on :8080"
            head -3 '\(sample)'
            sleep \(pause)
            echo "GET /orders 201 12ms trace_id=feedface"
            sed -n 4,10p '\(sample)'
            sleep \(pause)
            sed -n 11,15p '\(sample)'
            printf '{"Name":"cut off'
            """
        return try CLI.temporaryFile(Data(script.utf8), suffix: ".sh")
    }

    @Test("the list grows while the writer runs, an open trace fills in, the end is reported", .enabled(if: tmuxAvailable))
    func liveSession() throws {
        let script = try writerScript(pause: 2)
        defer { try? FileManager.default.removeItem(at: script) }
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: "sh \(TmuxSession.quote(script.path)) | \(TmuxSession.quote(binary.path))",
                                      width: 110, height: 24)

        // First burst: one trace, three spans whose parent has not arrived.
        #expect(session.waitFor(text: "● live"), "\(session.capture())")
        #expect(session.waitFor(text: "1 trace · 3 spans"), "\(session.capture())")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "⋯ waiting for parent"), "\(session.capture())")
        let before = session.capture()
        #expect(before.contains("span 1/5"))   // three spans under the placeholders of their two missing parents

        // Second burst: the root arrives; the open waterfall fills in under it.
        #expect(session.waitFor(text: "2 traces · 10 spans", timeout: 6), "\(session.capture())")
        #expect(session.waitUntil { $0.contains("▾ POST /orders") && !$0.contains("waiting for parent") }, "\(session.capture())")
        #expect(session.capture().contains("/5"))

        // Third burst and the end: a cut-off last value is reported; the viewer stays open.
        #expect(session.waitFor(text: "input ended", timeout: 6), "\(session.capture())")
        session.send(keys: "Escape")
        #expect(session.waitFor(text: "3 traces · 15 spans"), "\(session.capture())")
        #expect(session.capture().contains("2 log lines (L)"))
        #expect(session.capture().contains("1 skipped (p)"))
        #expect(session.isAlive)
        session.send(keys: "p")
        #expect(session.waitFor(text: "truncated"), "\(session.capture())")
        session.send(keys: "Escape", "q")
        #expect(session.waitForExit() == 0)
        #expect(session.ttyFlagAfterExit("echo") == true)
        #expect(session.ttyFlagAfterExit("icanon") == true)
    }
}

@Suite("Following a file that grows", .serialized)
struct FollowTests {
    @Test("--follow shows spans appended later, and survives truncation and replacement", .enabled(if: tmuxAvailable))
    func follow() throws {
        let lines = try String(contentsOfFile: CLI.sample("order-inventory.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { String($0) + "\n" }
        // A short name: the status line shows it.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("follow-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("t.jsonl")
        try Data(lines[0..<5].joined().utf8).write(to: url)
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) --follow \(TmuxSession.quote(url.path))",
                                      width: 110, height: 24)
        #expect(session.waitFor(text: "1 trace · 5 spans"), "\(session.capture())")

        // Appended: picked up.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(lines[5..<10].joined().utf8))
        try handle.close()
        #expect(session.waitFor(text: "2 traces · 10 spans"), "\(session.capture())")

        // Truncated and rewritten: read again from the start (the store keeps what it had).
        try Data(lines[10..<15].joined().utf8).write(to: url, options: [])
        #expect(session.waitFor(text: "was truncated; reading it again from the start"), "\(session.capture())")
        session.send(keys: "j")   // the status line shows the counts again
        #expect(session.waitFor(text: "3 traces · 15 spans"), "\(session.capture())")

        // Replaced (a new file renamed over it, as log rotation does).
        let replacement = try CLI.temporaryFile(Data(String(lines[0]).replacingOccurrences(of: "\"Name\":\"", with: "\"Name\":\"rotated ").utf8), suffix: ".jsonl")
        _ = rename(replacement.path, url.path)
        #expect(session.waitUntil { $0.contains("was replaced") || $0.contains("16 spans") }, "\(session.capture())")
        #expect(session.isAlive)
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("--follow of a missing file fails clearly")
    func missing() throws {
        let result = try CLI.run(["--follow", "/nonexistent/trace.jsonl"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("'/nonexistent/trace.jsonl': No such file or directory"))
    }
}
