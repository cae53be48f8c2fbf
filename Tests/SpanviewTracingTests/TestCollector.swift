#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// An HTTP server on 127.0.0.1 that plays a collector: it answers each request with the next
/// scripted answer (then the last one again) and keeps what it received.
final class TestCollector: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: Data
    }
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body = ""
        var delay: Double = 0
    }

    let port: UInt16
    private let listener: Int32
    private let state: Mutex<(answers: [Answer], requests: [Request])>
    private let stopped = Atomic(false)

    init(answers: [Answer]) throws {
        state = Mutex((answers, []))
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/v1/traces")! }
    var requests: [Request] { state.withLock { $0.requests } }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while !stopped.load(ordering: .relaxed) {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            handle(connection)
            close(connection)
        }
    }

    private func handle(_ fd: Int32) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            bytes += buffer[0..<n]
            if headerEnd == nil, let range = Data(bytes).range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = range.upperBound
                let head = String(decoding: bytes[0..<range.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2 && parts[0].lowercased() == "content-length" {
                        contentLength = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let end = headerEnd, bytes.count >= end + contentLength { break }
        }
        let end = headerEnd!
        let head = String(decoding: bytes[0..<end - 4], as: UTF8.self).split(separator: "\r\n")
        let requestLine = head.first?.split(separator: " ") ?? []
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let request = Request(method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
                              headers: headers, body: Data(bytes[end..<end + contentLength]))
        let answer = state.withLock { s -> Answer in
            s.requests.append(request)
            return s.answers.count > 1 ? s.answers.removeFirst() : s.answers[0]
        }
        if answer.delay > 0 { Thread.sleep(forTimeInterval: answer.delay) }
        var text = "HTTP/1.1 \(answer.status) X\r\nContent-Length: \(answer.body.utf8.count)\r\nConnection: close\r\n"
        for (k, v) in answer.headers { text += "\(k): \(v)\r\n" }
        text += "\r\n" + answer.body
        let out = Array(text.utf8)
        _ = out.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
