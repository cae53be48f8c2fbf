import ArgumentParser
import Foundation
import SpanFormats
import SpanIngest
import SpanModel
import SpanNetwork
#if canImport(Glibc)
import Glibc
#endif

/// `spanview-bench receive --spans 200000`: spans/s taken by the OTLP/HTTP receiver over
/// loopback. The synthetic traffic of `parse`, written once as protobuf requests of 512 spans;
/// `--clients` keep-alive connections send them back to back (each waits for its answer, as
/// an exporter does), and a reader drains the inbox as the viewer would. The figure counts
/// spans that reached the inbox, from the first request to the last span drained.
///
/// `--pipe`: the same spans through a pipe instead, as `app | spanview` reads them: a writer
/// thread writes them (the synthetic stdouttrace lines, or with `--json` the same OTLP/JSON
/// bodies the receiver would get, one a line) into a pipe that the viewer's `InputSource` reads
/// into the inbox. Both print the process's CPU time (user + system, `getrusage`) per span,
/// senders or writer included.
struct ReceiveBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Measure the OTLP/HTTP receiver (spans/s over loopback, protobuf, batches of 512)."
    )

    @Option(help: "Spans to send in all.")
    var spans = 500_000

    @Option(help: "Connections sending at once.")
    var clients = 2

    @Option(help: "Spans a request.")
    var batch = 512

    @Flag(help: "Send OTLP/JSON instead of protobuf.")
    var json = false

    @Flag(help: "Gzip each request body.")
    var gzip = false

    @Flag(help: "Write the same spans into a pipe read by the viewer's source instead (stdouttrace lines; OTLP/JSON lines of --batch spans with --json).")
    var pipe = false

    func run() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-receive-bench-\(getpid()).jsonl").path
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        _ = SyntheticTraces(spanCount: min(spans, 100_000)).write(to: fd)
        close(fd)
        defer { unlink(path) }
        let reader = SpanStreamReader(source: "bench")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var model = reader.feed(bytes).spans
        model += reader.finish().spans
        var encoded: [[UInt8]] = stride(from: 0, to: model.count, by: batch).map {
            var out: [UInt8] = []
            let slice = model[$0..<min($0 + batch, model.count)]
            if json { OTLPJSONWriter.write(slice, into: &out) } else { OTLPProtobufWriter.write(slice, into: &out) }
            return out
        }
        if pipe { return try throughPipe(json ? encoded : [bytes], spans: model.count) }
        if gzip { encoded = try encoded.map(Self.gzipped) }
        let perRequest = stride(from: 0, to: model.count, by: batch).map { min(batch, model.count - $0) }
        let requests = (spans + batch - 1) / batch

        let receiver = OTLPReceiver(OTLPReceiver.Configuration(port: 0))
        let port = try receiver.start()
        let inbox = Inbox()
        inbox.start(receiver, traced: false)
        let contentType = json ? "application/json" : "application/x-protobuf"
        let bodies = encoded
        let heads = bodies.map { body in
            Array("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: \(contentType)\r\n\(gzip ? "Content-Encoding: gzip\r\n" : "")Content-Length: \(body.count)\r\n\r\n".utf8)
        }
        let sent = SentCounter()
        let expected = (0..<requests).reduce(0) { $0 + perRequest[$1 % perRequest.count] }
        print("\(expected) spans in \(requests) requests of up to \(batch) (\(bodies.reduce(0) { $0 + $1.count } / bodies.count) bytes a request, \(json ? "JSON" : "protobuf")\(gzip ? ", gzip" : "")), \(clients) connections over loopback")

        let cpu0 = cpuSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let senders = (0..<clients).map { c in
            let thread = Thread {
                guard let socket = try? BenchSocket(port: port) else { return }
                var i = c
                while i < requests {
                    let k = i % bodies.count
                    socket.send(heads[k] + bodies[k])
                    let status = socket.readStatus()
                    sent.add(status)
                    i += clients
                }
            }
            thread.start()
            return thread
        }
        _ = senders
        var received = 0
        while received < expected {
            if inbox.waitForPending(seconds: 1) {
                for delivery in inbox.drain() { for b in delivery.batches { received += b.spans.count } }
            } else if sent.total >= requests {
                break
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = cpuSeconds() - cpu0
        receiver.stop()
        inbox.close()
        print("  received \(received) spans in \(String(format: "%.2f", seconds)) s: \(String(format: "%.0f", Double(received) / seconds)) spans/s, \(String(format: "%.0f", Double(requests) / seconds)) requests/s; answers \(sent.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))")
        print("  CPU \(String(format: "%.2f", cpu)) s (user + system, whole process): \(String(format: "%.2f", cpu * 1e6 / Double(max(1, received)))) µs a span")
    }

    /// `--pipe`: `pieces` written round and round (`spansEach` spans a round) into a pipe until
    /// `spans` are written, read by `InputSource` into an inbox that is drained and counted.
    func throughPipe(_ pieces: [[UInt8]], spans spansEach: Int) throws {
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw ValidationError("pipe() failed") }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let rounds = max(1, (spans + spansEach - 1) / spansEach)
        let expected = rounds * spansEach
        let bytesEach = pieces.reduce(0) { $0 + $1.count }
        print("\(expected) spans through a pipe (\(json ? "OTLP/JSON lines of \(batch) spans" : "stdouttrace lines"), \(bytesEach) bytes each \(spansEach) spans)")
        let lines = pieces.map { piece in piece.last == 0x0A ? piece : piece + [0x0A] }
        let writer = Thread {
            for _ in 0..<rounds {
                for line in lines {
                    line.withUnsafeBytes { raw in
                        var at = 0
                        while at < raw.count {
                            let n = write(writeEnd, raw.baseAddress! + at, raw.count - at)
                            if n <= 0 { return }
                            at += n
                        }
                    }
                }
            }
            close(writeEnd)
        }
        let cpu0 = cpuSeconds()
        let start = now()
        writer.start()
        let inbox = Inbox()
        inbox.start(try InputSource(path: "/dev/fd/\(readEnd)"))
        var received = 0, ended = false
        while !ended {
            if inbox.waitForPending(seconds: 1) {
                for delivery in inbox.drain() {
                    for b in delivery.batches {
                        received += b.spans.count
                        if b.end != nil { ended = true }
                    }
                }
            }
        }
        let seconds = now() - start
        let cpu = cpuSeconds() - cpu0
        inbox.close()
        print("  read \(received) spans in \(String(format: "%.2f", seconds)) s: \(String(format: "%.0f", Double(received) / seconds)) spans/s")
        print("  CPU \(String(format: "%.2f", cpu)) s (user + system, whole process): \(String(format: "%.2f", cpu * 1e6 / Double(max(1, received)))) µs a span")
    }

    static func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("spanview-bench-gz-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("b")
        try Data(bytes).write(to: file)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-n", "-f", file.path]
        try p.run()
        p.waitUntilExit()
        return [UInt8](try Data(contentsOf: dir.appendingPathComponent("b.gz")))
    }
}

final class SentCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [Int: Int] = [:]
    private var done = 0
    func add(_ status: Int) { lock.withLock { counts[status, default: 0] += 1; done += 1 } }
    var total: Int { lock.withLock { done } }
    var statuses: [Int: Int] { lock.withLock { counts } }
}

/// A blocking keep-alive connection that sends a request and reads the answer's status
/// (and skips its Content-Length body).
final class BenchSocket {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)
    private var held: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var at = 0
        while at < bytes.count {
            let n = bytes[at...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            at += n
        }
    }

    func readStatus() -> Int {
        while true {
            if let end = headEnd() {
                let head = String(decoding: held[0..<end], as: UTF8.self)
                let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? -1
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
                while held.count < end + 4 + length { if !fill() { return -1 } }
                held.removeFirst(end + 4 + length)
                return status
            }
            if !fill() { return -1 }
        }
    }

    private func headEnd() -> Int? {
        guard held.count >= 4 else { return nil }
        for i in 0...(held.count - 4) where held[i] == 13 && held[i + 1] == 10 && held[i + 2] == 13 && held[i + 3] == 10 { return i }
        return nil
    }

    private func fill() -> Bool {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        held += buffer[0..<n]
        return true
    }
}
