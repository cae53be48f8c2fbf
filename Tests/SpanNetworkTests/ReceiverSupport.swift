#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanNetwork
import Testing

/// A receiver on 127.0.0.1, port 0, read through an inbox as the viewer reads it.
final class ReceiverHarness {
    let receiver: OTLPReceiver
    let inbox: Inbox
    let port: Int
    private(set) var spans: [Span] = []
    private(set) var problems: [ReadProblem] = []
    private(set) var notices: [String] = []

    init(_ configure: (inout OTLPReceiver.Configuration) -> Void = { _ in }, inboxCapacity: Int = 200_000) throws {
        var configuration = OTLPReceiver.Configuration(port: 0)
        configure(&configuration)
        receiver = OTLPReceiver(configuration)
        port = try receiver.start()
        inbox = Inbox(capacity: inboxCapacity)
        inbox.start(receiver, traced: false)
    }

    deinit {
        receiver.stop()
        inbox.close()
    }

    var url: String { "http://127.0.0.1:\(port)/v1/traces" }

    /// Takes what the inbox holds now.
    func drain() {
        for delivery in inbox.drain() {
            for batch in delivery.batches {
                spans += batch.spans
                problems += batch.problems
                notices += batch.notices
            }
        }
    }

    /// Drains until `count` spans arrived (or 20 s passed).
    @discardableResult
    func waitForSpans(_ count: Int) -> [Span] {
        let deadline = Date().addingTimeInterval(20)
        while spans.count < count && Date() < deadline {
            if inbox.waitForPending(seconds: 0.2) { drain() }
        }
        return spans
    }

    /// Drains until a notice arrived that holds `text` (or 10 s passed).
    func waitForNotice(containing text: String) -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while !notices.contains(where: { $0.contains(text) }) && Date() < deadline {
            if inbox.waitForPending(seconds: 0.2) { drain() }
        }
        return notices.contains { $0.contains(text) }
    }
}

/// A response as read off the socket.
struct RawResponse {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 client on one TCP connection, for saying exactly what a test needs
/// (lying lengths, keep-alive, half a body).
final class RawHTTP {
    let fd: Int32
    private var buffered: [UInt8] = []

    init(port: Int, receiveTimeout: Int = 20) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Writes everything; false when the peer closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var at = 0
        while at < bytes.count {
            let n = bytes[at...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            at += n
        }
        return true
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends a whole request.
    func request(method: String = "POST", path: String = "/v1/traces", contentType: String? = "application/x-protobuf",
                 headers: [String: String] = [:], body: [UInt8]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        send(Array((head + "\r\n").utf8) + body)
    }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffered += chunk[0..<n]
        return true
    }

    /// Reads one response (Content-Length framed); nil if the connection closed first.
    func response() -> RawResponse? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            if buffered.count >= 4 {
                for i in 0...(buffered.count - 4) where Array(buffered[i..<i + 4]) == separator {
                    headEnd = i
                    break
                }
            }
            if headEnd == nil && !fill() { return nil }
        }
        let head = String(decoding: buffered[0..<headEnd!], as: UTF8.self)
        buffered.removeFirst(headEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffered.count < length { if !fill() { return nil } }
        let body = Array(buffered[0..<length])
        buffered.removeFirst(length)
        return RawResponse(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection within `seconds` (an orderly close or a reset),
    /// keeping what came before it for `response()`. Looks once when `seconds` is 0.
    func closes(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(0, deadline.timeIntervalSinceNow) * 1000))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            buffered += chunk[0..<n]
        }
    }

    /// Writes as much of `bytes` as fits now; how much, or nil when the peer closed.
    func sendSome(_ bytes: [UInt8]) -> Int? {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : nil
    }

    /// Whether the server closed the connection: reads to the end, which is an orderly close
    /// or a reset, not the 20 s receive timeout.
    func isClosedByPeer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }
}

/// Test spans as an OTLP protobuf request.
enum Requests {
    static func spans(_ count: Int, trace: UInt64 = 1, name: String = "op") -> [Span] {
        (0..<count).map { i in
            let start: Int64 = 1_700_000_000_000_000_000 + Int64(i) * 1000
            return Span(traceID: TraceID(high: 0, low: trace), spanID: SpanID(UInt64(i + 1)), name: "\(name)-\(i)",
                        startTime: start, endTime: start + 500)
        }
    }

    static func protobuf(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        OTLPProtobufWriter.write(spans, into: &out)
        return out
    }

    static func json(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        OTLPJSONWriter.write(spans, into: &out)
        return out
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("body")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-n", "-f", file.path]
        try process.run()
        process.waitUntilExit()
        return Array(try Data(contentsOf: folder.appendingPathComponent("body.gz")))
    }
}

/// `google.rpc.Status` / `ExportTracePartialSuccess` fields read back from protobuf.
enum ProtobufFields {
    /// Top-level (field number, varint value or bytes) pairs.
    static func fields(_ bytes: [UInt8]) -> [(UInt64, UInt64?, [UInt8]?)] {
        var out: [(UInt64, UInt64?, [UInt8]?)] = []
        var i = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count {
                let b = bytes[i]; i += 1
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return value
        }
        while i < bytes.count {
            let key = varint()
            switch key & 7 {
            case 0: out.append((key >> 3, varint(), nil))
            case 2:
                let length = Int(varint())
                out.append((key >> 3, nil, Array(bytes[i..<min(bytes.count, i + length)])))
                i += length
            default: return out
            }
        }
        return out
    }
}

/// Raises this process's open-file limit to at least `wanted` (to the hard limit if lower);
/// what it is after.
func raiseOpenFileLimit(to wanted: Int) -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
    if limit.rlim_cur < rlim_t(wanted) {
        limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return Int(limit.rlim_cur)
}

/// Waits until `condition` holds or `seconds` pass; whether it held.
@discardableResult
func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return true
}
