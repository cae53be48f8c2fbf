#if canImport(Glibc)
import Glibc
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SpanFormats
import SpanModel
import Synchronization
import Testing
import Tracing
@testable import SpanviewTracing

/// rotel, a real OpenTelemetry collector (PyPI package `rotel`, which ships the
/// `rotel-agent` binary), on 127.0.0.1 with its OTLP/HTTP receiver, printing every span it
/// receives (`--debug-log traces`). `.ci/run` installs it; elsewhere the tests that need it
/// are skipped when it is not installed, and fail under CI if it is missing.
final class RotelCollector {
    /// `ROTEL_AGENT`, else the binary inside the installed Python package.
    static let agentPath: String? = {
        if let path = ProcessInfo.processInfo.environment["ROTEL_AGENT"], FileManager.default.isExecutableFile(atPath: path) { return path }
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

    static var shouldRun: Bool { agentPath != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    let process = Process()
    let folder: URL
    let httpPort: UInt16
    private let output: URL

    init() throws {
        let agent = try #require(Self.agentPath, "rotel is not installed (pip install rotel)")
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rotel-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        output = folder.appendingPathComponent("stdout.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        httpPort = try Self.freePort()
        let grpcPort = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: agent)
        process.arguments = ["start", "--otlp-http-endpoint", "127.0.0.1:\(httpPort)", "--otlp-grpc-endpoint", "127.0.0.1:\(grpcPort)",
                             "--exporter", "blackhole", "--debug-log", "traces", "--debug-log-verbosity", "detailed",
                             "--pid-file", folder.appendingPathComponent("rotel.pid").path,
                             "--log-file", folder.appendingPathComponent("rotel.log").path]
        process.environment = ["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Ready when its HTTP port takes connections.
        let deadline = Date().addingTimeInterval(15)
        while !Self.accepts(port: httpPort) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw CollectorError(description: "rotel did not start listening: \(log)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    struct CollectorError: Error, CustomStringConvertible { var description: String }

    var url: URL { URL(string: "http://127.0.0.1:\(httpPort)/v1/traces")! }

    /// What rotel printed, escape sequences removed.
    var log: String {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    }

    /// Waits until `condition` holds for the log, for at most `seconds`.
    func waitForLog(seconds: Double = 10, _ condition: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(log) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return condition(log)
    }

    func stop() {
        // SIGKILL: a child started from the test process may inherit a mask that blocks
        // SIGTERM, and nothing of rotel's needs to be written out.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    static func accepts(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}

@Suite("OTLP/HTTP to a real collector (rotel)", .serialized)
struct RotelCollectorTests {
    /// Spans with attributes of every type, an event, a link, an error and nesting.
    static func richSpans() -> [SpanModel.Span] {
        let (tracer, exporter) = makeTracer(seed: 11)
        var first: InstrumentationContext?
        tracer.withSpan("checkout", ofKind: .server) { span in
            first = span.context
            span.attributes["http.request.method"] = "POST"
            span.attributes["http.response.status_code"] = 503
            span.attributes["retry.ratio"] = 0.25
            span.attributes["cache.hit"] = false
            span.attributes["tags"] = ["a", "b"]
            span.attributes["sizes"] = [1, 2, 3]
            span.addEvent(SpanEvent(name: "queued", attributes: ["queue.depth": 7]))
            tracer.withSpan("charge card", ofKind: .client) { child in
                child.attributes["payment.provider"] = "acme"
                child.recordError(Failure())
                child.setStatus(SpanStatus(code: .error, message: "card declined"))
            }
        }
        tracer.withSpan("retry checkout") { span in
            span.addLink(SpanLink(context: first!, attributes: ["why": "retry of"]))
        }
        return exporter.spans
    }

    @Test("rotel answers 200 to the bytes the exporter sends", .enabled(if: RotelCollector.shouldRun),
          arguments: [OTLPHTTPExporter.Encoding.protobuf, .json])
    func accepted(encoding: OTLPHTTPExporter.Encoding) throws {
        let rotel = try RotelCollector()
        defer { rotel.stop() }
        var body: [UInt8] = []
        if encoding == .json {
            OTLPJSONWriter.write(Self.richSpans(), into: &body)
        } else {
            OTLPProtobufWriter.write(Self.richSpans(), into: &body)
        }
        var request = URLRequest(url: rotel.url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue(encoding == .json ? "application/json" : "application/x-protobuf", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(body)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var status = 0
        nonisolated(unsafe) var answer = ""
        URLSession.shared.dataTask(with: request) { data, response, _ in
            status = (response as? HTTPURLResponse)?.statusCode ?? 0
            answer = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
            done.signal()
        }.resume()
        done.wait()
        #expect(status == 200, "rotel answered \(status): \(answer)\n\(rotel.log)")
    }

    @Test("every export through the batch processor is accepted, and rotel logs each span as sent",
          .enabled(if: RotelCollector.shouldRun), arguments: [OTLPHTTPExporter.Encoding.protobuf, .json])
    func exportsThroughTheSDK(encoding: OTLPHTTPExporter.Encoding) throws {
        let rotel = try RotelCollector()
        defer { rotel.stop() }
        let reports = Mutex<[String]>([])
        let exporter = OTLPHTTPExporter(endpoint: rotel.url, encoding: encoding, timeout: 5,
                                        onFailure: { r in reports.withLock { $0.append(r) } })
        let processor = BatchSpanProcessor(exporter: exporter, configuration: .init(maxQueueSize: 4096, scheduledDelay: 0.2, maxExportBatchSize: 100))
        let tracer = SpanviewTracer(serviceName: "rotel-test", sampler: AlwaysOnSampler(), processor: processor)
        for i in 0..<250 {
            tracer.withSpan("request \(i)") { span in
                span.attributes["i"] = i
                tracer.withSpan("query") { $0.attributes["db.system"] = "postgresql" }
            }
        }
        for span in Self.richSpans() { processor.onEnd(span) }
        tracer.shutdown()
        let expected = 500 + Self.richSpans().count
        #expect(exporter.sentSpans == expected && exporter.lostSpans == 0, "\(reports.withLock { $0 })\n\(rotel.log.suffix(2000))")
        #expect(reports.withLock { $0 }.isEmpty)
        // rotel prints each span it received.
        #expect(rotel.waitForLog { $0.components(separatedBy: "Span #").count - 1 >= expected },
                "rotel logged \(rotel.log.components(separatedBy: "Span #").count - 1) of \(expected) spans")
        let log = rotel.log
        let rich = Self.richSpans()
        for span in rich {
            #expect(log.contains(span.spanID.description), "span \(span.name) \(span.spanID) not logged")
        }
        #expect(log.contains("service.name: Str(rotel-test)"))
        #expect(log.contains("http.response.status_code: Int(503)"))
        #expect(log.contains("retry.ratio: Double(0.25)"))
        #expect(log.contains("cache.hit: Bool(false)"))
        #expect(log.contains("Name           : charge card"))
        #expect(log.contains("STATUS_CODE_ERROR"))
        #expect(log.contains("SPAN_KIND_SERVER") && log.contains("SPAN_KIND_CLIENT"))
    }

    /// Every shipped sample's spans, read as spanview reads them.
    static func sampleSpans() throws -> [SpanModel.Span] {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples")
        var spans: [SpanModel.Span] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: samples.path).sorted()
        where name.hasSuffix(".json") || name.hasSuffix(".jsonl") || name.hasSuffix(".txt") {
            let reader = SpanStreamReader(source: name)
            let bytes = try [UInt8](Data(contentsOf: samples.appendingPathComponent(name)))
            var batch = reader.feed(bytes)
            batch.absorb(reader.finish())
            spans += batch.spans
        }
        return spans
    }

    @Test("convert's OTLP output: every sample, in lines of up to 512 spans, is accepted and every span logged",
          .enabled(if: RotelCollector.shouldRun))
    func convertedSamplesAreAccepted() throws {
        let rotel = try RotelCollector()
        defer { rotel.stop() }
        let spans = try Self.sampleSpans()
        try #require(spans.count > 1000)
        var statuses: [Int] = []
        var answers: [String] = []
        for start in stride(from: 0, to: spans.count, by: 512) {
            var line: [UInt8] = []
            SpanWriterFormat.otlp.write(spans[start..<min(spans.count, start + 512)], into: &line)
            var request = URLRequest(url: rotel.url, timeoutInterval: 10)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(line)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var status = 0
            nonisolated(unsafe) var answer = ""
            URLSession.shared.dataTask(with: request) { data, response, _ in
                status = (response as? HTTPURLResponse)?.statusCode ?? 0
                answer = data.map { String(decoding: $0.prefix(300), as: UTF8.self) } ?? ""
                done.signal()
            }.resume()
            done.wait()
            statuses.append(status)
            answers.append(answer)
        }
        #expect(statuses.allSatisfy { $0 == 200 }, "\(statuses) \(answers.filter { !$0.isEmpty && $0 != "{}" }.prefix(3))")
        #expect(rotel.waitForLog(seconds: 20) { $0.components(separatedBy: "Span #").count - 1 >= spans.count },
                "rotel logged \(rotel.log.components(separatedBy: "Span #").count - 1) of \(spans.count) spans")
        let log = rotel.log
        let missing = spans.filter { !log.contains($0.spanID.description) }
        #expect(missing.isEmpty, "\(missing.count) spans not logged, e.g. \(missing.prefix(3).map(\.spanID.description))")
    }
}
