import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// `GET`s over HTTP and HTTPS for the inputs that are URLs and the Tempo and Jaeger clients,
/// on Foundation's URLSession (libcurl on Linux, with the system's TLS, proxies from the usual
/// environment variables, and gzip, deflate, brotli and zstd answers decompressed as they
/// arrive). Blocking: a source calls it from its own thread.
///
/// Chosen over AsyncHTTPClient by measurement (docs/benchmarks.md, "HTTP client"): the
/// tracing SDK's exporter already links URLSession, so it adds nothing to a clean build nor to
/// the start of every `spanview` (AsyncHTTPClient added minutes to a clean build, for swift-nio-ssl's BoringSSL).
public final class HTTPFetcher: @unchecked Sendable {
    /// What every request of this fetcher carries and how long it may take.
    public struct Options: Sendable {
        /// Header fields sent with every request (`X-Scope-OrgID: team-a`, `Authorization`).
        public var headers: [(name: String, value: String)]
        /// Longest wait for the connection and then between two pieces of the answer.
        public var timeout: Double
        /// The most an answer's body may be, after decompression; a bigger one is cut off and
        /// the request fails, so a wrong URL or a gzip bomb cannot fill memory.
        public var maxBodyBytes: Int
        /// `User-Agent` (`spanview/0.7.0`).
        public var userAgent = "spanview"

        public static let defaultTimeout = 30.0
        public static let defaultMaxBodyBytes = 1 << 30

        public init(headers: [(name: String, value: String)] = [], timeout: Double = Options.defaultTimeout,
                    maxBodyBytes: Int = Options.defaultMaxBodyBytes) {
            self.headers = headers
            self.timeout = timeout
            self.maxBodyBytes = maxBodyBytes
        }
    }

    /// An answer, whatever its status.
    public struct Response: Sendable {
        public var status: Int
        /// Header fields, names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]

        public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// The media type without parameters, in lower case (`application/json`).
        public var mediaType: String? {
            headers["content-type"].map { $0.split(separator: ";").first.map(String.init) ?? $0 }?
                .trimmingCharacters(in: .whitespaces).lowercased()
        }

        /// The start of the body as one line of text, for an error message: at most `limit`
        /// characters, white space runs made one space.
        public func bodyExcerpt(limit: Int = 160) -> String {
            let text = String(decoding: body.prefix(4 * limit), as: UTF8.self)
            let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
            let line = words.joined(separator: " ")
            return line.count > limit ? String(line.prefix(limit)) + "…" : line
        }
    }

    public let options: Options
    private let session: URLSession
    private let delegate = Delegate()

    public init(_ options: Options = Options()) {
        self.options = options
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = options.timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit { session.invalidateAndCancel() }

    /// `GET url`. `progress` is called with the body's bytes so far and its announced length,
    /// on the session's thread; returning false cancels the request. An answer of any status
    /// is a `.success`; no answer (or one too big) is a `FetchError`.
    public func get(_ url: URL, accept: String? = nil, progress: (@Sendable (_ received: Int64, _ expected: Int64?) -> Bool)? = nil)
        -> Result<Response, FetchError> {
        var request = URLRequest(url: url, timeoutInterval: options.timeout)
        request.httpMethod = "GET"
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        request.setValue(options.userAgent, forHTTPHeaderField: "User-Agent")
        for header in options.headers { request.setValue(header.value, forHTTPHeaderField: header.name) }
        let task = session.dataTask(with: request)
        let transfer = Transfer(url: url, maxBodyBytes: options.maxBodyBytes, timeout: options.timeout, progress: progress)
        delegate.add(transfer, for: task)
        task.resume()
        transfer.done.wait()
        delegate.remove(task)
        return transfer.result()
    }

    /// One request's state, filled in on the session's thread.
    private final class Transfer: @unchecked Sendable {
        let url: URL
        let maxBodyBytes: Int
        let timeout: Double
        let progress: (@Sendable (Int64, Int64?) -> Bool)?
        let done = DispatchSemaphore(value: 0)
        var status = 0
        var headers: [String: String] = [:]
        var expected: Int64?
        var body: [UInt8] = []
        var failure: FetchError?

        init(url: URL, maxBodyBytes: Int, timeout: Double, progress: (@Sendable (Int64, Int64?) -> Bool)?) {
            self.url = url
            self.maxBodyBytes = maxBodyBytes
            self.timeout = timeout
            self.progress = progress
        }

        func result() -> Result<Response, FetchError> {
            if let failure { return .failure(failure) }
            return .success(Response(status: status, headers: headers, body: body))
        }
    }

    private final class Delegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let transfers = Mutex<[Int: Transfer]>([:])

        func add(_ transfer: Transfer, for task: URLSessionTask) {
            transfers.withLock { $0[task.taskIdentifier] = transfer }
        }

        func remove(_ task: URLSessionTask) {
            _ = transfers.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        }

        private func transfer(_ task: URLSessionTask) -> Transfer? {
            transfers.withLock { $0[task.taskIdentifier] }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            guard let transfer = transfer(dataTask), let http = response as? HTTPURLResponse else {
                completionHandler(.cancel)
                return
            }
            transfer.status = http.statusCode
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { transfer.headers[name.lowercased()] = value }
            }
            // An announced length is a compressed length when the answer is compressed.
            if transfer.headers["content-encoding"] == nil, response.expectedContentLength >= 0 {
                transfer.expected = response.expectedContentLength
                if response.expectedContentLength > Int64(transfer.maxBodyBytes) {
                    transfer.failure = .tooLarge(transfer.url, limit: transfer.maxBodyBytes)
                    completionHandler(.cancel)
                    return
                }
                transfer.body.reserveCapacity(Int(response.expectedContentLength))
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard let transfer = transfer(dataTask), transfer.failure == nil else { return }
            if transfer.body.count + data.count > transfer.maxBodyBytes {
                transfer.failure = .tooLarge(transfer.url, limit: transfer.maxBodyBytes)
                dataTask.cancel()
                return
            }
            transfer.body.append(contentsOf: data)
            if let progress = transfer.progress, !progress(Int64(transfer.body.count), transfer.expected) {
                transfer.failure = .cancelled(transfer.url)
                dataTask.cancel()
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
            guard let transfer = transfer(task) else { return }
            if let error, transfer.failure == nil {
                transfer.failure = FetchError(error, url: transfer.url, timeout: transfer.timeout)
            }
            transfer.done.signal()
        }

        // Redirects are followed (a reverse proxy's http → https, a moved API); the request's
        // headers go along only to the same host, so a token is not handed to another one.
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
            var next = request
            if request.url?.host != task.originalRequest?.url?.host {
                next.setValue(nil, forHTTPHeaderField: "Authorization")
                next.setValue(nil, forHTTPHeaderField: "X-Scope-OrgID")
            }
            completionHandler(next)
        }
    }
}

/// Why a request got no usable answer, in one line.
public enum FetchError: Error, CustomStringConvertible, Sendable, Equatable {
    case badURL(String)
    case unreachable(URL, reason: String)
    case timedOut(URL, seconds: Double)
    case tls(URL, reason: String)
    case tooLarge(URL, limit: Int)
    case cancelled(URL)
    case failed(URL, reason: String)

    init(_ error: Error, url: URL, timeout: Double) {
        let nsError = error as NSError
        let reason = nsError.localizedDescription
        switch nsError.code {
        case NSURLErrorTimedOut: self = .timedOut(url, seconds: timeout)
        case NSURLErrorCannotConnectToHost, NSURLErrorCannotFindHost, NSURLErrorDNSLookupFailed,
             NSURLErrorNetworkConnectionLost, NSURLErrorNotConnectedToInternet:
            self = .unreachable(url, reason: Self.curlReason(reason))
        case NSURLErrorCancelled: self = .cancelled(url)
        case NSURLErrorSecureConnectionFailed, NSURLErrorServerCertificateUntrusted, NSURLErrorServerCertificateHasBadDate,
             NSURLErrorServerCertificateNotYetValid, NSURLErrorServerCertificateHasUnknownRoot, NSURLErrorClientCertificateRejected:
            self = .tls(url, reason: Self.curlReason(reason))
        default:
            let text = Self.curlReason(reason)
            let lower = text.lowercased()
            if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") {
                self = .tls(url, reason: text)
            } else {
                self = .failed(url, reason: text)
            }
        }
    }

    /// libcurl's words without Foundation's wrapping.
    private static func curlReason(_ text: String) -> String {
        text.replacingOccurrences(of: "The operation could not be completed. ", with: "")
    }

    public var description: String {
        switch self {
        case .badURL: reason
        case .unreachable(let url, _), .timedOut(let url, _), .tls(let url, _), .tooLarge(let url, _), .cancelled(let url), .failed(let url, _):
            "\(URLText.redacted(url)): \(reason)"
        }
    }

    /// What went wrong without the URL (for where the URL is named already).
    public var reason: String {
        switch self {
        case .badURL(let text): "'\(text)' is not an http:// or https:// URL"
        case .unreachable(_, let reason): "cannot connect (\(reason))"
        case .timedOut(_, let seconds): "no answer within \(URLText.seconds(seconds)) (--timeout)"
        case .tls(_, let reason): "TLS failed (\(reason))"
        case .tooLarge(_, let limit): "the answer is over \(limit >> 20) MiB (--max-fetch-mib)"
        case .cancelled: "cancelled"
        case .failed(_, let reason): reason
        }
    }
}

/// URLs as spanview shows them.
public enum URLText {
    /// The URL without a password, and without query values that look like secrets
    /// (`token`, `key`, `secret`, `password`, `auth`, `signature`), so a status line, a
    /// problem report or a CI log does not show them.
    public static func redacted(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        if parts.password != nil { parts.password = "***" }
        if let items = parts.queryItems {
            parts.queryItems = items.map { item in
                let name = item.name.lowercased()
                let secret = ["token", "key", "secret", "password", "auth", "signature", "sig"].contains { name.contains($0) }
                return secret ? URLQueryItem(name: item.name, value: "***") : item
            }
        }
        return parts.string ?? url.absoluteString
    }

    /// `30 s`, `2.5 s`.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The URL of an `http://` or `https://` input, or nil for anything else (a path).
    public static func httpURL(_ text: String) -> URL? {
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), let url = URL(string: text),
              url.host?.isEmpty == false else { return nil }
        return url
    }
}
