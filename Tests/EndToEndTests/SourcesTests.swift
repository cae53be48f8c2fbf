import Foundation
import Testing

/// Inputs as sources, run as a user runs them: a big file opening at once with a progress
/// bar, several inputs, gzip files and gzip on a pipe, live input saved with `w`, and the
/// quit confirmation while a writer still runs.
@Suite("Inputs in a real terminal", .serialized)
struct SourcesTests {
    /// `copies` copies of interleaved.jsonl (3.7 MB, 150 traces each), each copy's trace IDs
    /// made its own: a big file, made at test time.
    static func bigFile(copies: Int) throws -> URL {
        let sample = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("interleaved.jsonl")))
        let bytes = [UInt8](sample)
        let marker = Array(#""TraceID":""#.utf8)
        var positions: [Int] = []
        var i = 0
        while i + marker.count + 32 <= bytes.count {
            if bytes[i] == marker[0] && Array(bytes[i..<i + marker.count]) == marker {
                positions.append(i + marker.count)
                i += marker.count
            } else {
                i += 1
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * copies)
        let hex = Array("0123456789abcdef".utf8)
        for copy in 0..<copies {
            var piece = bytes
            for p in positions {
                for d in 0..<8 { piece[p + d] = hex[(copy >> (4 * (7 - d))) & 15] }
            }
            out += piece
        }
        return try CLI.temporaryFile(Data(out), suffix: ".jsonl")
    }

    func start(_ command: String, width: Int = 150, height: Int = 30) throws -> TmuxSession {
        try TmuxSession(command: command, width: width, height: height)
    }

    var binary: String { get throws { TmuxSession.quote(try #require(TmuxSession.product("spanview")).path) } }

    @Test("a big file opens at once: a progress bar, keys during the load, then the totals", .enabled(if: tmuxAvailable))
    func bigFile() throws {
        let file = try Self.bigFile(copies: 40)   // 147 MB, 77,480 spans
        defer { try? FileManager.default.removeItem(at: file) }
        let session = try start("\(try binary) \(TmuxSession.quote(file.path))")
        var loading = ""
        // The progress bar while the file is read (a loaded machine can take seconds to start).
        #expect(session.waitUntil(timeout: 10) { screen in
            loading = screen
            return screen.contains("Reading spanview-test-") && screen.contains("%")
        }, "\(session.capture())")
        #expect(loading.contains(" of 147 MB"), "\(loading)")   // 147.4 MB: decimal units, as disks count
        session.send(keys: "j")
        #expect(session.waitUntil(timeout: 60) { !$0.contains("Reading ") && $0.contains("6000 traces · 77480 spans") },
                "\(session.capture())")
        // The key typed during the load moved the cursor off the first row, and it stayed on
        // its trace while traces that start earlier were listed above it.
        let done = session.capture()
        #expect(done.contains("/6000") && !done.contains("trace 1/6000"), "\(done)")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("summary shows progress on a terminal's stderr, and none when stderr is a file", .enabled(if: tmuxAvailable))
    func summaryProgress() throws {
        let file = try Self.bigFile(copies: 40)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = try CLI.temporaryFile(Data(), suffix: ".out")
        defer { try? FileManager.default.removeItem(at: out) }
        let session = try start("\(try binary) summary \(TmuxSession.quote(file.path)) > \(TmuxSession.quote(out.path))")
        #expect(session.waitUntil(timeout: 10) { $0.contains("reading spanview-test-") && $0.contains("spans") }, "\(session.capture())")
        #expect(session.waitForExit(timeout: 60) == 0)
        #expect(!session.capture().contains("reading"), "the progress line was not erased")
        let summary = try String(contentsOf: out, encoding: .utf8)
        #expect(summary.contains("77480 spans"))

        let piped = try CLI.run(["summary", file.path])
        #expect(piped.status == 0)
        #expect(piped.stderr.isEmpty)
    }

    @Test("several inputs at once, gzip among them: each named, all in one list", .enabled(if: tmuxAvailable))
    func severalInputs() throws {
        let gz = try CLI.temporaryFile(Data(), suffix: ".jsonl.gz")
        defer { try? FileManager.default.removeItem(at: gz) }
        #expect(CLI.shell("gzip -c \(TmuxSession.quote(CLI.sample("order-inventory.jsonl"))) > \(TmuxSession.quote(gz.path))") == 0)
        let session = try start("\(try binary) \(TmuxSession.quote(CLI.sample("interleaved.jsonl"))) \(TmuxSession.quote(gz.path))")
        #expect(session.waitFor(text: "interleaved.jsonl, \(gz.lastPathComponent) · go-stdouttrace · 153 traces · 1952 spans"),
                "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)

        let three = try start("\(try binary) \(TmuxSession.quote(CLI.sample("interleaved.jsonl"))) \(TmuxSession.quote(gz.path)) \(TmuxSession.quote(CLI.sample("payment-timeout.json")))")
        #expect(three.waitFor(text: "3 inputs · go-stdouttrace · 154 traces · 1959 spans"), "\(three.capture())")
        three.send(keys: "q")
        #expect(three.waitForExit() == 0)
    }

    @Test("gzip on a pipe is recognised by its bytes and read live", .enabled(if: tmuxAvailable))
    func gzipPipe() throws {
        let session = try start("gzip -c \(TmuxSession.quote(CLI.sample("order-inventory.jsonl"))) | \(try binary)")
        #expect(session.waitFor(text: "stdin · input ended · go-stdouttrace · 3 traces · 15 spans"), "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("q while a writer still writes asks first; w saves what arrived, byte for byte; q again quits", .enabled(if: tmuxAvailable))
    func saveAndQuit() throws {
        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-saved-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: saved) }
        let sample = CLI.sample("order-inventory.jsonl")
        // The writer sends a log line and its spans, then goes on writing a line every 0.2 s
        // (so once the viewer has quit, its next write ends it).
        let script = try CLI.temporaryFile(Data("echo 'started'\ncat '\(sample)'\nwhile true; do echo tick; sleep 0.2; done\n".utf8), suffix: ".sh")
        defer { try? FileManager.default.removeItem(at: script) }
        let session = try start("sh \(TmuxSession.quote(script.path)) | \(try binary)")
        #expect(session.waitFor(text: "3 traces · 15 spans"), "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitFor(text: "input is still arriving on stdin: w saves it to a file · q again quits"), "\(session.capture())")
        #expect(session.isAlive)
        session.send(keys: "w")
        #expect(session.waitFor(text: "save to: spanview-live-"), "\(session.capture())")
        session.send(keys: "C-u")
        session.send(text: saved.path)
        session.send(keys: "Enter")
        let expected = try Data("started\n".utf8) + Data(contentsOf: URL(fileURLWithPath: sample))
        #expect(session.waitFor(text: "bytes of input to"), "\(session.capture())")
        // What arrived, as it arrived: the lines written so far, ticks included.
        let got = try Data(contentsOf: saved)
        #expect(got.prefix(expected.count) == expected)
        let ticks = String(decoding: got.dropFirst(expected.count), as: UTF8.self)
        #expect(!ticks.isEmpty && ticks == String(repeating: "tick\n", count: ticks.count / 5))
        #expect(session.capture().contains("saved \(got.count) bytes of input to"))
        session.send(keys: "q")
        #expect(session.waitFor(text: "q again quits"), "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("a file, a pipe and a followed file at once: one list, each input named", .enabled(if: tmuxAvailable))
    func filePipeAndFollow() throws {
        let growing = try CLI.temporaryFile(Data(), suffix: ".jsonl")
        defer { try? FileManager.default.removeItem(at: growing) }
        let sample = CLI.sample("order-inventory.jsonl")
        let session = try start("cat \(TmuxSession.quote(CLI.sample("payment-timeout.json"))) | \(try binary) \(TmuxSession.quote(sample)) - --follow \(TmuxSession.quote(growing.path))")
        #expect(session.waitFor(text: "3 inputs · ● live"), "\(session.capture())")
        #expect(session.waitFor(text: "4 traces · 22 spans"), "\(session.capture())")
        // Spans appended to the followed file join the same list.
        let more = try Data(contentsOf: URL(fileURLWithPath: CLI.sample("interleaved.jsonl")))
        let handle = try FileHandle(forWritingTo: growing)
        handle.write(more)
        try handle.close()
        #expect(session.waitFor(text: "154 traces · 1959 spans"), "\(session.capture())")
        session.send(keys: "p")
        #expect(session.waitUntil { $0.contains("order-inventory.jsonl") && $0.contains("stdin") && $0.contains(growing.lastPathComponent) },
                "\(session.capture())")
        session.send(keys: "Escape", "q")
        #expect(session.waitForExit() == 0)
    }
}
