import Foundation
import SpanIngest
import SpanModel
import SpanNetwork
import SpanQuery

/// What each input argument is: `-` or a path (a file, a pipe), an `http://` or `https://` URL
/// (fetched), or, where no such file exists, a trace ID to fetch from the backend named by
/// `--tempo`/`--jaeger`.
struct InputArguments {
    let backend: TraceBackend?
    let window: TraceBackend.TimeWindow?
    /// Made when first needed: no URLSession unless something is fetched.
    private let fetcherBox = FetcherBox()
    let options: BackendOptions

    init(_ options: BackendOptions) {
        self.options = options
        backend = options.backend
        window = options.window(defaultSince: nil)
    }

    var fetcher: HTTPFetcher { fetcherBox.get(options) }

    /// The source for one argument, or why it cannot be read.
    func source(for argument: String, chunkSize: Int = 1 << 20) throws(InputError) -> any SpanSource {
        if let url = URLText.httpURL(argument) { return URLSource(url: url, fetcher: fetcher) }
        if argument != "-" && !FileManager.default.fileExists(atPath: argument), let id = Self.traceID(argument) {
            guard let backend else {
                throw InputError(path: argument, reason: "no such file; to fetch trace \(id.hex) name a backend: --tempo URL or --jaeger URL (or SPANVIEW_TEMPO_URL, SPANVIEW_JAEGER_URL)")
            }
            return BackendTraceSource(id, from: backend, window: window ?? .init(), fetcher: fetcher)
        }
        return try InputSource(path: argument, chunkSize: chunkSize)
    }

    /// Sources for every argument that can be used, and the errors of those that cannot.
    func sources(for arguments: [String]) -> (sources: [any SpanSource], failures: [InputError]) {
        var sources: [any SpanSource] = []
        var failures: [InputError] = []
        for argument in arguments {
            do throws(InputError) {
                sources.append(try source(for: argument))
            } catch {
                failures.append(error)
            }
        }
        return (sources, failures)
    }

    /// A whole trace ID as pasted (`TraceIDInput.wholeTraceID`): 16 to 32 hex digits, with
    /// `0x`, dashes, `trace_id=` or a traceparent around them.
    static func traceID(_ text: String) -> TraceID? {
        (try? TraceIDInput(parsing: text))?.wholeTraceID
    }

    private final class FetcherBox: @unchecked Sendable {
        private let lock = NSLock()
        private var fetcher: HTTPFetcher?

        func get(_ options: BackendOptions) -> HTTPFetcher {
            lock.lock()
            defer { lock.unlock() }
            if let fetcher { return fetcher }
            let made = options.makeFetcher()
            fetcher = made
            return made
        }
    }
}
