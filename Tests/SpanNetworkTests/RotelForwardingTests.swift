#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SpanModel
import Testing

/// rotel (PyPI `rotel`, a real OpenTelemetry collector) receiving the Python SDK's spans and
/// forwarding them with its OTLP/HTTP exporter to the receiver. Skipped when rotel or the SDK
/// is missing, except under CI (`.ci/run` installs both).
enum Rotel {
    static let agentPath: String? = {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import os, rotel; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))"]
        let out = Pipe()
        python.standardOutput = out
        python.standardError = FileHandle.nullDevice
        guard (try? python.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return python.terminationStatus == 0 && FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()

    static var shouldRun: Bool { (agentPath != nil && PythonSDK.available) || ProcessInfo.processInfo.environment["CI"] != nil }

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
}

@Suite("OTLP/HTTP receiver: spans forwarded by rotel", .serialized, .enabled(if: Rotel.shouldRun))
struct RotelForwardingTests {
    @Test("the SDK sends to rotel, rotel's OTLP/HTTP exporter forwards to the receiver, every span arrives whole")
    func forwarded() throws {
        let agent = try #require(Rotel.agentPath, "rotel is not installed (pip install rotel)")
        try #require(PythonSDK.available, "the OpenTelemetry Python SDK is not installed")
        let harness = try ReceiverHarness()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rotel-fwd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let httpPort = try Rotel.freePort(), grpcPort = try Rotel.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: agent)
        process.arguments = ["start", "--otlp-http-endpoint", "127.0.0.1:\(httpPort)", "--otlp-grpc-endpoint", "127.0.0.1:\(grpcPort)",
                             "--exporter", "otlp", "--otlp-exporter-endpoint", "http://127.0.0.1:\(harness.port)",
                             "--otlp-exporter-protocol", "http",
                             "--pid-file", folder.appendingPathComponent("rotel.pid").path,
                             "--log-file", folder.appendingPathComponent("rotel.log").path]
        process.environment = ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: a child of the test process may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(15)
        while (try? RawHTTP(port: httpPort)) == nil {
            try #require(process.isRunning && Date() < deadline, "rotel did not start listening")
            Thread.sleep(forTimeInterval: 0.05)
        }
        let sent = try PythonSDK.send(to: "http://127.0.0.1:\(httpPort)/v1/traces", traces: 4)
        let received = harness.waitForSpans(sent.count)
        #expect(received.count == sent.count)
        try expectArrived(sent, in: received)
    }
}
