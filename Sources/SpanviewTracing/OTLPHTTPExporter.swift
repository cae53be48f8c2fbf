import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SpanFormats
import SpanModel
import Synchronization

/// Sends spans to a collector with OTLP/HTTP: `POST` of OTLP/JSON to its traces endpoint
/// (`http://host:4318/v1/traces`). Retries only what the specification calls retryable
/// (429, 502, 503, 504), honouring `Retry-After` (seconds), with exponential backoff, within
/// a total time; anything else is not retried. When exports start failing, `onFailure` is
/// called once with the reason in words (and again only after a success), so a collector
/// that is down is one clear report, not one per batch.
public final class OTLPHTTPExporter: SpanExporter, @unchecked Sendable {
    public let endpoint: URL
    public let headers: [(String, String)]
    /// Longest wait for one request.
    public let timeout: TimeInterval
    /// Most attempts for one batch, and the longest all of them may take.
    public let maxAttempts: Int
    public let maxElapsed: TimeInterval
    private let session: URLSession
    private let onFailure: @Sendable (String) -> Void
    private let state = Mutex<(failing: Bool, sent: Int, lost: Int)>((false, 0, 0))

    public init(endpoint: URL, headers: [(String, String)] = [], timeout: TimeInterval = 10, maxAttempts: Int = 5,
                maxElapsed: TimeInterval = 30, onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.headers = headers
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
        OTLPJSONWriter.write(spans, into: &body)
        if body.last == 0x0A { body.removeLast() }
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
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
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
            let text = data.flatMap { String(data: $0.prefix(200), encoding: .utf8) } ?? ""
            switch http.statusCode {
            case 200..<300:
                let partial = data.map(Self.partialSuccess) ?? (rejected: 0, message: "")
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

    public func shutdown() {
        session.invalidateAndCancel()
    }
}
