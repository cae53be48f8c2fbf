#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `scripts/backend-double.py`: a local server answering as Grafana Tempo's or Jaeger's query
/// API does (docs/backend-double.md), for the query clients' tests. Started on port 0; the port
/// comes from the first line the script prints. Every request it receives is written to a log
/// that `requests()` reads back. Needs python3 with the opentelemetry-proto package (`.ci/run`
/// installs it): when either is missing, `init` throws with what the script printed.
final class BackendDouble: @unchecked Sendable {
    enum Role: String, Sendable {
        case tempo, jaeger
    }

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/backend-double.py")

    /// Three traces (order-service/inventory-service, payment-api with errors, email-worker with
    /// a 64-bit ID), OTLP/JSON as the Collector's file exporter writes it.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/backend-traces.otlp.jsonl")

    let role: Role
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let process = Process()
    private let folder: URL
    private let logFile: URL
    private let errorFile: URL
    private let lock = NSLock()
    private var stopped = false

    /// Starts the double. `traces` are OTLP/JSON files (none: the script's built-in traces);
    /// `arguments` are more of its flags, e.g. `["--require-header", "X-Scope-OrgID: team-a"]`.
    init(role: Role, traces: [URL] = [BackendDouble.fixture], arguments: [String] = []) throws {
        self.role = role
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("backend-double-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        logFile = folder.appendingPathComponent("requests.jsonl")
        errorFile = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)

        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var commandLine = ["python3", Self.script.path, "--role", role.rawValue, "--log", logFile.path]
        if !traces.isEmpty { commandLine += ["--traces"] + traces.map(\.path) }
        process.arguments = commandLine + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorFile)
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw LaunchError(description: "could not start python3 \(Self.script.path): \(error)")
        }

        let line = Self.firstLine(of: output.fileHandleForReading, seconds: 20)
        guard let line, line.hasPrefix("listening on "), let colon = line.lastIndex(of: ":"),
              let port = Int(line[line.index(after: colon)...]) else {
            let printed = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            port = 0
            stop()
            throw LaunchError(description: "backend-double.py did not start (first line: \(line.map { "\"\($0)\"" } ?? "none: it exited or printed nothing for 20 s")): \(printed)")
        }
        self.port = port
    }

    deinit {
        stop()
    }

    var isRunning: Bool { process.isRunning }

    /// Stops the script and removes its log. SIGKILL: a child of the test process may inherit a
    /// signal mask that blocks SIGTERM, and nothing of the script's needs to be written out.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// The requests received so far, oldest first, one dictionary each: `method`, `path`,
    /// `target` (path and query as sent), `query` (decoded; a repeated name gives an array),
    /// `headers` (names lowercased).
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// What the script wrote to standard error (tracebacks, `--verbose` lines).
    var standardError: String {
        (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    }

    /// The first line read from `handle`, or nil at end of file or after `seconds`.
    private static func firstLine(of handle: FileHandle, seconds: Double) -> String? {
        final class Result: @unchecked Sendable {
            var line: String?
        }
        let result = Result()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var data = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                if let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                    result.line = String(decoding: data[..<newline], as: UTF8.self)
                    break
                }
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return result.line
    }
}
