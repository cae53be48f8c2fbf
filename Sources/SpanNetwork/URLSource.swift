import Foundation
import SpanFormats
import SpanIngest
import SpanModel

/// An input that is an `http://` or `https://` URL: the answer is read like a file, its
/// format recognised by its content (gzip too, whether the server said so or not), with
/// progress in bytes while it downloads. A status other than 2xx, no answer, or one over the
/// size limit ends the input with one line saying which.
public final class URLSource: SpanSource, @unchecked Sendable {
    public let name: String
    public var isLive: Bool { false }
    public let url: URL
    private let fetcher: HTTPFetcher

    public init(url: URL, fetcher: HTTPFetcher) {
        self.url = url
        self.fetcher = fetcher
        name = URLText.redacted(url)
    }

    public func read(deliver: (ReadBatch) -> Bool) {
        let result = FetchProgress.get(url, with: fetcher, deliver: deliver)
        switch result {
        case .failure(let error):
            var last = ReadBatch()
            last.end = .failed(error.reason)
            _ = deliver(last)
        case .success(let response) where !(200..<300).contains(response.status):
            var last = ReadBatch()
            last.end = .failed(HTTPStatusText.line(response, url: nil))
            _ = deliver(last)
        case .success(let response):
            ResponseBody.decode(response, source: name, deliver: deliver)
        }
    }
}

/// Downloads with progress batches into the inbox (at most ten a second).
enum FetchProgress {
    static func get(_ url: URL, with fetcher: HTTPFetcher, accept: String? = nil, deliver: (ReadBatch) -> Bool) -> Result<HTTPFetcher.Response, FetchError> {
        withoutActuallyEscaping(deliver) { deliver in
            let box = ProgressBox(deliver)
            let result = fetcher.get(url, accept: accept) { received, expected in box.report(received, expected) }
            box.close()
            return result
        }
    }

    /// What the session's thread reaches while the download runs: the deliver function, let go
    /// of before `get` returns.
    private final class ProgressBox: @unchecked Sendable {
        private let lock = NSLock()
        private var deliver: ((ReadBatch) -> Bool)?
        private var lastReport = 0.0

        init(_ deliver: @escaping (ReadBatch) -> Bool) { self.deliver = deliver }

        func report(_ received: Int64, _ expected: Int64?) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            let now = ProcessInfo.processInfo.systemUptime
            guard let deliver, now - lastReport >= 0.1 else { return true }
            lastReport = now
            var batch = ReadBatch()
            batch.stats.bytes = received
            batch.progress = ByteProgress(done: received, total: expected ?? 0)
            return deliver(batch)
        }

        func close() {
            lock.lock()
            deliver = nil
            lock.unlock()
        }
    }
}

/// An answer's body read as spans.
public enum ResponseBody {
    /// Decodes `response.body`: OTLP protobuf when the media type says so, else any JSON
    /// format spanview reads (recognised by content, log lines skipped as in a file), gzip
    /// first when the bytes are gzip. Delivers batches as a file's; the last has `end` set.
    public static func decode(_ response: HTTPFetcher.Response, source: String, notices: [String] = [],
                              deliver: (ReadBatch) -> Bool) {
        var body = response.body
        var gzipDamage: ReadProblem?
        if body.withUnsafeBytes(GzipStream.isGzip) {
            // A `.gz` file served as bytes: decompressed here, within the same limit; damage
            // keeps what came before it, as in a file.
            let inflated = body.withUnsafeBytes { GzipStream.decompressed($0, limit: HTTPFetcher.Options.defaultMaxBodyBytes) }
            body = inflated.bytes
            let reason: String? = switch inflated.stop {
            case .damaged(let damage): "\(damage); nothing after it was read"
            case .overLimit: "decompressed, the answer is over \(HTTPFetcher.Options.defaultMaxBodyBytes >> 20) MiB; nothing after that was read"
            case nil: nil
            }
            gzipDamage = reason.map { ReadProblem(source: source, offset: Int64(inflated.bytes.count), line: 0, reason: $0) }
        }
        func withDamage(_ last: inout ReadBatch) {
            guard let gzipDamage else { return }
            last.problems.append(gzipDamage)
            last.stats.skipped += 1
        }
        let total = Int64(response.body.count)
        if isProtobuf(response.mediaType) {
            var decoded = OTLPProtobufDecoder.decode(body, source: source)
            decoded.notices = notices
            decoded.stats.bytes = Int64(body.count)
            decoded.progress = ByteProgress(done: total, total: total)
            decoded.end = .complete
            withDamage(&decoded)
            _ = deliver(decoded)
            return
        }
        let reader = SpanStreamReader(source: source, chunkSize: 1 << 20, threads: InputSource.decodingThreads)
        reader.maxValueBytes = .max   // the whole answer is here, within the fetch limit
        // decodeInPlace ends with the reader's last batch (its `end` set).
        var first = true
        var stopped = false
        body.withUnsafeBytes { bytes in
            reader.decodeInPlace(bytes) { piece, _ in
                guard !stopped else { return }
                if first { piece.notices = notices + piece.notices }
                first = false
                piece.progress = ByteProgress(done: total, total: total)
                if piece.end != nil { withDamage(&piece) }
                stopped = !deliver(piece)
            }
        }
    }

    static func isProtobuf(_ mediaType: String?) -> Bool {
        mediaType == "application/x-protobuf" || mediaType == "application/protobuf" || mediaType == "application/vnd.google.protobuf"
    }
}

/// A status that is not success, in one line: `HTTP 503 Service Unavailable from URL: body…`
/// (without `from URL` when `url` is nil).
public enum HTTPStatusText {
    public static func line(_ response: HTTPFetcher.Response, url: URL?) -> String {
        var text = "HTTP \(response.status)\(reasonPhrase(response.status).map { " " + $0 } ?? "")"
        if let url { text += " from \(URLText.redacted(url))" }
        let excerpt = response.bodyExcerpt()
        if !excerpt.isEmpty, !excerpt.hasPrefix("<") { text += ": \(excerpt)" }   // not an HTML page
        if response.status == 401 || response.status == 403 {
            text += " (credentials: --header, or SPANVIEW_BACKEND_TOKEN for a bearer token)"
        }
        if let after = response.headers["retry-after"], response.status == 429 || response.status == 503 {
            text += " (retry after \(after) s)"
        }
        return text
    }

    static func reasonPhrase(_ status: Int) -> String? {
        [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
         408: "Request Timeout", 413: "Content Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
         502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"][status]
    }
}
