import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SpanFormats
import SpanModel
import Synchronization

/// Sends spans to a collector with OTLP/HTTP: `POST` to its traces endpoint
/// (`http://host:4318/v1/traces`) of protobuf (`application/x-protobuf`, the default, as
/// the specification asks of SDKs) or OTLP/JSON (`application/json`). Retries only what the specification calls retryable
/// (429, 502, 503, 504), honouring `Retry-After` (seconds), with exponential backoff, within
/// a total time; anything else is not retried. When exports start failing, `onFailure` is
/// called once with the reason in words (and again only after a success), so a collector
/// that is down is one clear report, not one per batch.
public final class OTLPHTTPExporter: SpanExporter, @unchecked Sendable {
    /// What the request body is.
    public enum Encoding: String, Sendable {
        /// `ExportTraceServiceRequest` in protobuf, `Content-Type: application/x-protobuf`.
        case protobuf
        /// The same in the protobuf JSON mapping, `Content-Type: application/json`.
        case json

        var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
    }

    public let endpoint: URL
    public let headers: [(String, String)]
    public let encoding: Encoding
    /// Longest wait for one request.
    public let timeout: TimeInterval
    /// Most attempts for one batch, and the longest all of them may take.
    public let maxAttempts: Int
    public let maxElapsed: TimeInterval
    private let session: URLSession
    private let onFailure: @Sendable (String) -> Void
    private let state = Mutex<(failing: Bool, sent: Int, lost: Int)>((false, 0, 0))

    public init(endpoint: URL, headers: [(String, String)] = [], encoding: Encoding = .protobuf, timeout: TimeInterval = 10,
                maxAttempts: Int = 5, maxElapsed: TimeInterval = 30, onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.headers = headers
        self.encoding = encoding
        self.timeout = timeout
        self.maxAttempts = max(1, maxAttempts)
        self.maxElapsed = maxElapsed
        self.onFailure = onFailure
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    /// Spans the collector accepted, and spans given up on.
    public var sentSpans: Int { state.withLock { $0.sent } }
    public var lostSpans: Int { state.withLock { $0.lost } }

    public func export(_ spans: [SpanModel.Span]) -> Bool {
        guard !spans.isEmpty else { return true }
        var body: [UInt8] = []
        switch encoding {
        case .protobuf:
            OTLPProtobufWriter.write(spans, into: &body)
        case .json:
            OTLPJSONWriter.write(spans, into: &body)
            if body.last == 0x0A { body.removeLast() }
        }
        let started = Date()
        var attempt = 0
        var backoff = 0.5
        while true {
            attempt += 1
            let outcome = send(Data(body))
            switch outcome {
            case .accepted(let rejected, let message):
                let rejected = min(max(0, rejected), spans.count)
                if rejected > 0 {
                    // A partial success: not retried (the specification says so), counted and said.
                    state.withLock { s in s.lost += rejected }
                    onFailure("the collector at \(endpoint.absoluteString) rejected \(rejected) of \(spans.count) spans"
                              + (message.isEmpty ? "" : ": \(message)"))
                }
                let recovered = state.withLock { s -> Bool in
                    defer { s.failing = false; s.sent += spans.count - rejected }
                    return s.failing
                }
                if recovered { onFailure("the collector at \(endpoint.absoluteString) accepts spans again") }
                return true
            case .retry(let reason, let after):
                let wait = min(after ?? backoff, 30)
                backoff = min(backoff * 2, 8)
                if attempt < maxAttempts && Date().timeIntervalSince(started) + wait < maxElapsed {
                    Thread.sleep(forTimeInterval: wait)
                    continue
                }
                fail(spans.count, "\(reason); gave up after \(attempt) attempt\(attempt == 1 ? "" : "s")")
                return false
            case .refused(let reason):
                fail(spans.count, reason)
                return false
            }
        }
    }

    private func fail(_ count: Int, _ reason: String) {
        let first = state.withLock { s -> Bool in
            s.lost += count
            defer { s.failing = true }
            return !s.failing
        }
        if first { onFailure("spans could not be sent to \(endpoint.absoluteString): \(reason)") }
    }

    enum Outcome {
        /// 2xx; `rejected` spans of a partial success (`partialSuccess.rejectedSpans`).
        case accepted(rejected: Int, message: String)
        case retry(String, after: TimeInterval?)
        case refused(String)
    }

    func send(_ body: Data) -> Outcome {
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue(encoding.contentType, forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Outcome = .refused("no answer")
        let task = session.dataTask(with: request) { data, response, error in
            defer { done.signal() }
            if let error {
                // Not reachable, refused, timed out: worth another try.
                result = .retry(error.localizedDescription, after: nil)
                return
            }
            guard let http = response as? HTTPURLResponse else {
                result = .refused("not an HTTP answer")
                return
            }
            let isProtobuf = http.value(forHTTPHeaderField: "Content-Type")?.lowercased().hasPrefix("application/x-protobuf") == true
            let text: String
            if isProtobuf {
                // A google.rpc.Status: its message is field 2.
                text = data.flatMap { ProtobufFields($0).string(2) }.map { String($0.prefix(200)) } ?? ""
            } else {
                text = data.flatMap { String(data: $0.prefix(200), encoding: .utf8) } ?? ""
            }
            switch http.statusCode {
            case 200..<300:
                let partial = data.map { isProtobuf ? Self.partialSuccess(protobuf: $0) : Self.partialSuccess($0) } ?? (rejected: 0, message: "")
                result = .accepted(rejected: partial.rejected, message: partial.message)
            case 429, 502, 503, 504:
                let after = (http.value(forHTTPHeaderField: "Retry-After")).flatMap(TimeInterval.init)
                result = .retry("HTTP \(http.statusCode)", after: after)
            default:
                result = .refused("HTTP \(http.statusCode)" + (text.isEmpty ? "" : ": \(text)"))
            }
        }
        task.resume()
        done.wait()
        return result
    }

    /// `partialSuccess` of an `ExportTraceServiceResponse` in JSON: the spans the collector
    /// rejected (a number, or a string as proto3 JSON writes 64-bit integers) and why.
    static func partialSuccess(_ body: Data) -> (rejected: Int, message: String) {
        guard !body.isEmpty, body.count < 1 << 20,
              let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
              let partial = object["partialSuccess"] as? [String: Any] else { return (0, "") }
        let rejected: Int = switch partial["rejectedSpans"] {
        case let number as NSNumber: number.intValue
        case let text as String: Int(text) ?? 0
        default: 0
        }
        let message = (partial["errorMessage"] as? String).map { String($0.prefix(200)) } ?? ""
        return (rejected, message)
    }

    /// `partial_success` (field 1) of an `ExportTraceServiceResponse` in protobuf:
    /// `rejected_spans` (1) and `error_message` (2).
    static func partialSuccess(protobuf body: Data) -> (rejected: Int, message: String) {
        guard let partial = ProtobufFields(body).message(1) else { return (0, "") }
        let fields = ProtobufFields(partial)
        return (Int(truncatingIfNeeded: fields.varint(1) ?? 0), fields.string(2).map { String($0.prefix(200)) } ?? "")
    }

    public func shutdown() {
        session.invalidateAndCancel()
    }
}

/// The top-level fields of a small protobuf message (a collector's answer), read without a
/// schema: the last varint or length-delimited value of a field number. Reading stops at
/// the first thing that is not well formed.
struct ProtobufFields {
    private var varints: [UInt64: UInt64] = [:]
    private var blobs: [UInt64: Data] = [:]

    init(_ data: Data) {
        let bytes = [UInt8](data.prefix(1 << 20))
        var i = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count, shift < 64 {
                let b = bytes[i]
                i += 1
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
            return nil
        }
        while i < bytes.count, let key = varint() {
            let field = key >> 3
            switch key & 7 {
            case 0:
                guard let v = varint() else { return }
                varints[field] = v
            case 1:
                guard i + 8 <= bytes.count else { return }
                i += 8
            case 2:
                guard let n = varint(), n <= UInt64(bytes.count - i) else { return }
                blobs[field] = Data(bytes[i..<i + Int(n)])
                i += Int(n)
            case 5:
                guard i + 4 <= bytes.count else { return }
                i += 4
            default:
                return
            }
        }
    }

    func varint(_ field: UInt64) -> UInt64? { varints[field] }
    func message(_ field: UInt64) -> Data? { blobs[field] }
    func string(_ field: UInt64) -> String? { blobs[field].map { String(decoding: $0, as: UTF8.self) } }
}
