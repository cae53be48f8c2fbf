import Foundation
import SpanFormats
import SpanIngest
import SpanModel

/// One trace asked of a backend by its ID, as an input: named `tempo:<id>` or `jaeger:<id>`.
/// The current API is asked first and the older one when that answers 404 (`TraceBackend.traceURLs`).
/// Tempo's `"status": "PARTIAL"` becomes a notice that says so, with Tempo's message; a trace neither API has ends the input with `trace … not found in Tempo at …`.
public final class BackendTraceSource: SpanSource, @unchecked Sendable {
    public let name: String
    public var isLive: Bool { false }
    public let backend: TraceBackend
    public let traceID: TraceID
    public let window: TraceBackend.TimeWindow
    private let fetcher: HTTPFetcher

    public init(_ traceID: TraceID, from backend: TraceBackend, window: TraceBackend.TimeWindow = .init(), fetcher: HTTPFetcher) {
        self.traceID = traceID
        self.backend = backend
        self.window = window
        self.fetcher = fetcher
        name = "\(backend.kind.rawValue):\(traceID.hex)"
    }

    public func read(deliver: (ReadBatch) -> Bool) {
        var notFound: [String] = []
        for url in backend.traceURLs(traceID, window: window) {
            let result = FetchProgress.get(url, with: fetcher, accept: "application/json", deliver: deliver)
            let response: HTTPFetcher.Response
            switch result {
            case .failure(let error):
                return end(.failed(error.description), deliver)
            case .success(let answer):
                response = answer
            }
            if response.status == 404 {
                notFound.append(url.path)
                continue
            }
            guard (200..<300).contains(response.status) else {
                return end(.failed(HTTPStatusText.line(response, url: url)), deliver)
            }
            var notices: [String] = []
            if backend.kind == .tempo {
                let status = response.body.withUnsafeBytes(TraceResponseStatus.read)
                if status.isPartial {
                    let message = status.message.map { ": \($0)" } ?? ""
                    notices.append("\(backend.kind.title) returned part of trace \(traceID.hex) (PARTIAL)\(message)")
                }
            }
            // Decoded whole before it is handed on: Tempo answers a trace it does not have
            // with 200 and an empty `{"trace":{}}` (its v2 combiner), which is a not-found.
            var batches: [ReadBatch] = []
            ResponseBody.decode(response, source: name, notices: notices) { batch in
                batches.append(batch)
                return true
            }
            let stats = batches.last?.stats ?? ReadStats()
            if stats.spans == 0 && !Self.looksLikeData(response) {
                // A proxy's sign-in or error page, answered 200.
                let type = response.mediaType.map { " (\($0))" } ?? ""
                return end(.failed("\(URLText.redacted(url)) did not answer with a trace\(type): \(response.bodyExcerpt(limit: 80))"), deliver)
            }
            if stats.spans == 0 && batches.allSatisfy(\.problems.isEmpty) {
                notFound.append(url.path + " (no spans)")
                continue
            }
            for batch in batches where !deliver(batch) { return }
            return
        }
        end(.failed("trace \(traceID.hex) not found in \(backend) (asked \(notFound.joined(separator: ", ")))"), deliver)
    }

    /// JSON (its first byte `{` or `[`) or protobuf by its media type: not an HTML page.
    static func looksLikeData(_ response: HTTPFetcher.Response) -> Bool {
        if ResponseBody.isProtobuf(response.mediaType) { return true }
        let first = response.body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == nil
    }

    private func end(_ end: InputEnd, _ deliver: (ReadBatch) -> Bool) {
        var last = ReadBatch()
        last.end = end
        _ = deliver(last)
    }
}
