import SpanFormats
import SpanIngest
import SpanModel
import SpanQuery
import SpanStore

/// Asking a trace backend (Tempo, Jaeger) for a trace that is not loaded: `/` with a whole
/// trace ID that no loaded trace has starts a fetch as one more input; when it ends, the trace
/// opens, or the status line says why not.
extension App {
    /// A fetch in flight or done: the input it is, and the trace it asks for.
    struct Fetch: Sendable, Equatable {
        var source: Int
        var traceID: TraceID
    }

    /// Names the backend and how to fetch from it (set by the executable, which owns the inbox
    /// and the HTTP client): `fetch` starts a source for the trace and returns its number.
    public mutating func useBackend(_ name: String, fetch: @escaping @Sendable (TraceID) -> Int) {
        backendName = name
        fetchTrace = fetch
        if inputs.isEmpty && message == nil {
            message = ("type / and a trace ID to fetch it from \(name)", false)
        }
    }

    /// Starts fetching `id`, unless it is being fetched already.
    mutating func fetch(_ id: TraceID) {
        guard let fetchTrace, let backendName else { return }
        if let pending = fetches.first(where: { $0.traceID == id }), inputs.indices.contains(pending.source),
           inputs[pending.source].end == nil {
            message = ("still asking \(backendName) for trace \(id.hex)…", false)
            return
        }
        let source = fetchTrace(id)
        guard source == inputs.count else {
            message = ("could not ask \(backendName) (source \(source), \(inputs.count) inputs)", true)
            return
        }
        inputs.append(InputStatus(name: "\(backendName.split(separator: " ").first.map(String.init)?.lowercased() ?? "backend"):\(id.hex)"))
        fetches.append(Fetch(source: source, traceID: id))
        message = ("asking \(backendName) for trace \(id.hex)…", false)
    }

    /// A fetch ended: its trace opens (if the user has not gone elsewhere meanwhile, it is at
    /// least found in the list), or the failure is said.
    mutating func fetchEnded(_ fetch: Fetch, _ end: InputEnd) {
        let input = inputs[fetch.source]
        if let failure = end.failure {
            message = (failure, true)
            return
        }
        guard let prefix = TraceIDPrefix(fetch.traceID.hex), let index = store.traces(matching: prefix).first else {
            message = ("\(backendName ?? "the backend") has no span of trace \(fetch.traceID.hex)", true)
            return
        }
        history = []
        list.setFilter(nil)
        traceFilter = nil
        open(trace: index)
        let notice = input.notices.last.map { " · \($0)" } ?? ""
        message = ("fetched trace \(fetch.traceID.hex): \(input.stats.spans) span\(input.stats.spans == 1 ? "" : "s")\(notice)", !notice.isEmpty)
    }
}
