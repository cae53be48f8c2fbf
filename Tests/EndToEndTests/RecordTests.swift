#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `spanview record --listen ADDR -o FILE` as a user runs it: the OpenTelemetry Python SDK
/// (scripts/otlp-send.py) sends to it, SIGTERM stops it, `spanview summary` reads the file.
enum PythonOTelSDK {
    static let available: Bool = CLI.shell("python3 -c 'import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http' >/dev/null 2>&1") == 0
    static var shouldRun: Bool { available || ProcessInfo.processInfo.environment["CI"] != nil }
}

@Suite("spanview record: OTLP/HTTP to a file", .serialized, .enabled(if: PythonOTelSDK.shouldRun))
struct RecordTests {
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }

    @Test("spans sent as protobuf, gzip and JSON land in the file; SIGTERM prints the counts; summary reads them back")
    func recordThenSummary() throws {
        let port = try Self.freePort()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString.prefix(8)).jsonl")
        let outURL = try CLI.temporaryFile(Data(), suffix: ".out")
        defer {
            try? FileManager.default.removeItem(at: file)
            try? FileManager.default.removeItem(at: outURL)
        }
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["record", "--listen", "127.0.0.1:\(port)", "-o", file.path]
        let out = try FileHandle(forWritingTo: outURL)
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let deadline = Date().addingTimeInterval(20)
        while !Self.accepts(port: port) && process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        try #require(process.isRunning, "record exited: \(String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self))")

        let script = CLI.packageRoot.appendingPathComponent("scripts/otlp-send.py").path
        let url = "http://127.0.0.1:\(port)/v1/traces"
        for flags in ["", "--gzip", "--json"] {
            #expect(CLI.shell("python3 '\(script)' --endpoint \(url) --traces 4 \(flags) >/dev/null") == 0, "otlp-send.py \(flags)")
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        try out.close()
        let printed = String(decoding: try Data(contentsOf: outURL), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("received 36 spans in 3 requests"), "\(printed)")

        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let summary = try CLI.run(["summary", "--json", file.path])
        #expect(summary.status == 0, "\(summary.stderr)")
        let text = try CLI.run(["summary", file.path])
        #expect(text.stdout.contains("36 spans"), "\(text.stdout)")
        #expect(text.stdout.contains("12 traces"), "\(text.stdout)")
    }

    @Test("record without --listen, and a bad address, are refused")
    func refused() throws {
        let none = try CLI.run(["record", "-o", "/dev/null"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("--listen"))
        let bad = try CLI.run(["record", "--listen", "localhost:99999", "-o", "/dev/null"])
        #expect(bad.status != 0)
    }
}

@Suite("spanview --listen: the viewer receiving OTLP/HTTP", .serialized)
struct ListenViewerTests {
    @Test("spans sent by the Python SDK appear live; w saves them as OTLP/JSON", .enabled(if: tmuxAvailable && PythonOTelSDK.shouldRun))
    func viewerReceives() throws {
        let port = try RecordTests.freePort()
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) --listen 127.0.0.1:\(port)", width: 120, height: 24)
        defer { session.kill() }
        let deadline = Date().addingTimeInterval(20)
        while !RecordTests.accepts(port: port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        // Before any span: where to send them, and the receiver named whole in the status line.
        #expect(session.waitFor(text: "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:\(port)"), "\(session.capture())")
        #expect(session.waitFor(text: " OTLP/HTTP 127.0.0.1:\(port) · ● live 0 spans/s · 0 traces"), "\(session.capture())")
        let script = CLI.packageRoot.appendingPathComponent("scripts/otlp-send.py").path
        #expect(CLI.shell("python3 '\(script)' --endpoint http://127.0.0.1:\(port)/v1/traces --traces 3 >/dev/null") == 0)
        #expect(session.waitFor(text: "3 traces · 9 spans", timeout: 10), "\(session.capture())")
        #expect(session.waitFor(text: "checkout"), "\(session.capture())")
        #expect(CLI.shell("python3 '\(script)' --endpoint http://127.0.0.1:\(port)/v1/traces --traces 2 --json --gzip >/dev/null") == 0)
        #expect(session.waitFor(text: "5 traces · 15 spans", timeout: 10), "\(session.capture())")

        let saved = FileManager.default.temporaryDirectory.appendingPathComponent("listen-\(UUID().uuidString.prefix(8)).jsonl")
        defer { try? FileManager.default.removeItem(at: saved) }
        session.send(keys: "w")
        #expect(session.waitFor(text: "save to: spanview-live-"), "\(session.capture())")
        session.send(keys: "C-u")
        session.send(text: saved.path)
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "bytes of input to"), "\(session.capture())")
        let summary = try CLI.run(["summary", saved.path])
        #expect(summary.stdout.contains("15 spans"), "\(summary.stdout) \(summary.stderr)")
    }

    @Test("a hostile client beside good ones: the viewer answers keys throughout and keeps every good span",
          .enabled(if: tmuxAvailable && PythonOTelSDK.shouldRun))
    func hostileClient() throws {
        let port = try RecordTests.freePort()
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: "\(TmuxSession.quote(binary.path)) --listen 127.0.0.1:\(port)", width: 120, height: 30)
        defer { session.kill() }
        let deadline = Date().addingTimeInterval(20)
        while !RecordTests.accepts(port: port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let hostile = CLI.packageRoot.appendingPathComponent("scripts/otlp-hostile.py").path
        let send = CLI.packageRoot.appendingPathComponent("scripts/otlp-send.py").path
        func start(_ phase: String) throws -> (Process, Pipe) {
            let process = Process()
            let out = Pipe()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", hostile, "--port", String(port), "--phase", phase, "--hold", "4"]
            process.standardOutput = out
            try process.run()
            return (process, out)
        }

        // 1,000 connections at once, more than the receiver admits: the viewer still answers keys.
        let (flood, floodOut) = try start("flood")
        Thread.sleep(forTimeInterval: 1.5)
        session.send(keys: "?")
        #expect(session.waitFor(text: "show every key", timeout: 3), "\(session.capture())")
        session.send(keys: "Escape")
        #expect(session.waitUntil(timeout: 3) { !$0.contains("show every key") }, "\(session.capture())")
        flood.waitUntilExit()
        let floodReport = String(decoding: floodOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(floodReport.contains("1000 connections opened"), "\(floodReport)")

        // Slowloris, garbage, a cut request, a gzip bomb, a 1 GB body and a huge header, while
        // the Python SDK sends 25 good traces in protobuf and in gzipped JSON.
        let (abuse, abuseOut) = try start("abuse")
        #expect(CLI.shell("python3 '\(send)' --endpoint http://127.0.0.1:\(port)/v1/traces --traces 20 >/dev/null") == 0)
        session.send(keys: "G")
        #expect(CLI.shell("python3 '\(send)' --endpoint http://127.0.0.1:\(port)/v1/traces --traces 5 --json --gzip >/dev/null") == 0)
        abuse.waitUntilExit()
        let report = String(decoding: abuseOut.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for answer in ["gzip bomb", "1 GB body: 413", "100 KB header: 431", "garbage: 400", "cut protobuf: 200", "kept 2"] {
            #expect(report.contains(answer), "\(answer): \(report)")
        }
        // Every good span, and the two whole spans of the cut request in a trace of their own.
        // (The status line shows the receiver's last notice, so the counts are read off the list.)
        #expect(session.waitFor(text: "trace 26/26", timeout: 10), "\(session.capture())")
        let list = session.capture()
        #expect(list.components(separatedBy: "\n").filter { $0.contains("otlp-send") && $0.contains("checkout") && $0.contains(" 3 ") }.count == 25, "\(list)")
        #expect(list.components(separatedBy: "\n").contains { $0.contains("hostile 0") && $0.contains(" 2 ") }, "\(list)")
        #expect(session.waitFor(text: "OTLP/HTTP 127.0.0.1:\(port) refused ", timeout: 5), "\(session.capture())")
        session.send(keys: "?")
        #expect(session.waitFor(text: "show every key", timeout: 3), "\(session.capture())")
        session.send(keys: "Escape")
        #expect(session.waitUntil(timeout: 3) { !$0.contains("show every key") }, "\(session.capture())")
        // Live input is still open: the first q warns, the second quits.
        session.send(keys: "q")
        #expect(session.waitFor(text: "q again quits"), "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit(timeout: 5) == 0)
    }

    @Test("a pipe and the receiver at once: go run . | spanview --listen PORT", .enabled(if: tmuxAvailable && PythonOTelSDK.shouldRun))
    func pipeAndReceiver() throws {
        let port = try RecordTests.freePort()
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: "cat \(TmuxSession.quote(CLI.sample("order-inventory.jsonl"))) | \(TmuxSession.quote(binary.path)) --listen 127.0.0.1:\(port)",
                                      width: 120, height: 24)
        defer { session.kill() }
        let deadline = Date().addingTimeInterval(20)
        while !RecordTests.accepts(port: port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(session.waitFor(text: "3 traces · 15 spans", timeout: 10), "\(session.capture())")
        let script = CLI.packageRoot.appendingPathComponent("scripts/otlp-send.py").path
        #expect(CLI.shell("python3 '\(script)' --endpoint http://127.0.0.1:\(port)/v1/traces --traces 1 >/dev/null") == 0)
        #expect(session.waitFor(text: "4 traces · 18 spans", timeout: 10), "\(session.capture())")
    }

    @Test("--listen with a bad address, or a port in use, fails clearly")
    func badListen() throws {
        for address in ["99999", "localhost:http"] {
            let bad = try CLI.run(["--listen", address])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--listen takes [HOST:]PORT"), "\(address): \(bad.stderr)")
        }
        let port = try RecordTests.freePort()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(holder, 1)
        let busy = try CLI.run(["record", "--listen", "127.0.0.1:\(port)", "-o", "/dev/null"])
        #expect(busy.status == 1)
        #expect(busy.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(busy.stderr)")
    }
}

@Suite("--listen alone")
struct ListenDefaultTests {
    @Test("--listen with no address listens on 127.0.0.1:4318, OTLP's own; before a file or an option too")
    func standardAddress() throws {
        for arguments in [["record", "-o", "/dev/null", "--listen"], ["record", "--listen", "-o", "/dev/null"]] {
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // It says where it listens (or, if another program holds 4318 here, that it cannot).
            var said = ""
            let deadline = Date().addingTimeInterval(10)
            let handle = err.fileHandleForReading
            while Date() < deadline && !said.contains("4318") {
                let data = handle.availableData
                if data.isEmpty { break }
                said += String(decoding: data, as: UTF8.self)
            }
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            process.waitUntilExit()
            #expect(said.contains("127.0.0.1:4318"), "\(arguments): \(said)")
        }
        // An address after --listen is kept; a file after it is not taken for one.
        let help = try CLI.run(["print", "--help"])
        #expect(help.status == 0)
    }
}
