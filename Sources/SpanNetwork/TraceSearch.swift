import Foundation
import SpanFormats
import SpanModel
import SpanStore

/// Finding traces in a backend: TraceQL in Tempo (`/api/search`), service, operation, tags
/// and durations in Jaeger (`/api/v3/traces`, else the older `/api/traces`). Each match is a
/// `TraceHit`: its ID, root service and name, start, duration.
public struct TraceSearch: Sendable {
    /// What to look for. Tempo reads `traceQL`; Jaeger reads the rest (and needs a service).
    public struct Query: Sendable {
        public var traceQL: String?
        public var service: String?
        public var operation: String?
        /// Attribute values that must match (`http.status_code` → `500`).
        public var tags: [(key: String, value: String)] = []
        public var minDuration: Int64?
        public var maxDuration: Int64?
        public var window: TraceBackend.TimeWindow
        public var limit: Int

        public init(traceQL: String? = nil, service: String? = nil, operation: String? = nil,
                    tags: [(key: String, value: String)] = [], minDuration: Int64? = nil, maxDuration: Int64? = nil,
                    window: TraceBackend.TimeWindow, limit: Int = 20) {
            self.traceQL = traceQL
            self.service = service
            self.operation = operation
            self.tags = tags
            self.minDuration = minDuration
            self.maxDuration = maxDuration
            self.window = window
            self.limit = limit
        }
    }

    /// A query as typed in the viewer (`R`): TraceQL for Tempo (empty is `{}`); for Jaeger,
    /// words: the service first (or `service=…`), then `op=…` (or `operation=`), `min=100ms`,
    /// `max=2s`, and any other `key=value` as an attribute to match.
    public static func query(typed text: String, for kind: TraceBackend.Kind, window: TraceBackend.TimeWindow,
                             limit: Int = 50) -> Swift.Result<Query, SearchError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .tempo:
            return .success(Query(traceQL: trimmed.isEmpty ? "{}" : trimmed, window: window, limit: limit))
        case .jaeger:
            var query = Query(window: window, limit: limit)
            for word in Self.words(trimmed) {
                guard let equals = word.firstIndex(of: "=") else {
                    guard query.service == nil else { return .failure(SearchError("one service, then key=value words: '\(word)' is neither")) }
                    query.service = word
                    continue
                }
                let key = word[..<equals].lowercased()
                let value = String(word[word.index(after: equals)...])
                switch key {
                case "service": query.service = value
                case "op", "operation": query.operation = value
                case "min", "minduration":
                    guard let ns = DurationParsing.nanoseconds(value) else { return .failure(SearchError("min takes a duration like 100ms, not '\(value)'")) }
                    query.minDuration = ns
                case "max", "maxduration":
                    guard let ns = DurationParsing.nanoseconds(value) else { return .failure(SearchError("max takes a duration like 2s, not '\(value)'")) }
                    query.maxDuration = ns
                case "":
                    return .failure(SearchError("'\(word)' has no key before ="))
                default: query.tags.append((String(word[..<equals]), value))
                }
            }
            guard query.service != nil else { return .failure(SearchError("Jaeger searches one service: type its name first (then op=… key=value min=100ms)")) }
            return .success(query)
        }
    }

    /// Words split at white space, except inside double quotes (`op="GET /cart"`), quotes dropped.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character.isWhitespace && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words
    }

    /// What a search found, and what the backend said besides.
    public struct Result: Sendable {
        public var hits: [TraceHit]
        /// The URL the hits came from (after any fallback).
        public var url: URL
    }

    public let backend: TraceBackend
    private let fetcher: HTTPFetcher

    public init(_ backend: TraceBackend, fetcher: HTTPFetcher) {
        self.backend = backend
        self.fetcher = fetcher
    }

    /// Asks the backend; one line on failure (no answer, an error status with the backend's
    /// own words, an answer that is not what the API returns).
    public func run(_ query: Query) -> Swift.Result<Result, SearchError> {
        switch backend.kind {
        case .tempo: return tempo(query)
        case .jaeger: return jaeger(query)
        }
    }

    /// The URL(s) a query asks, in the order tried.
    public func urls(_ query: Query) -> [URL] {
        let w = query.window
        switch backend.kind {
        case .tempo:
            var items = [URLQueryItem(name: "q", value: query.traceQL ?? "{}"), URLQueryItem(name: "limit", value: String(query.limit))]
            if let start = w.start { items.append(URLQueryItem(name: "start", value: String(TraceBackend.floorSeconds(start)))) }
            if let end = w.end { items.append(URLQueryItem(name: "end", value: String(TraceBackend.ceilSeconds(end)))) }
            return [backend.url("/api/search", items)]
        case .jaeger:
            var v3: [URLQueryItem] = []
            var v1: [URLQueryItem] = []
            if let service = query.service {
                v3.append(URLQueryItem(name: "query.serviceName", value: service))
                v1.append(URLQueryItem(name: "service", value: service))
            }
            if let operation = query.operation {
                v3.append(URLQueryItem(name: "query.operationName", value: operation))
                v1.append(URLQueryItem(name: "operation", value: operation))
            }
            if let start = w.start {
                v3.append(URLQueryItem(name: "query.startTimeMin", value: RFC3339Text.format(start)))
                v1.append(URLQueryItem(name: "start", value: String(start / 1000)))
            }
            if let end = w.end {
                v3.append(URLQueryItem(name: "query.startTimeMax", value: RFC3339Text.format(end)))
                v1.append(URLQueryItem(name: "end", value: String(end / 1000)))
            }
            if let min = query.minDuration {
                v3.append(URLQueryItem(name: "query.durationMin", value: Self.goDuration(min)))
                v1.append(URLQueryItem(name: "minDuration", value: Self.goDuration(min)))
            }
            if let max = query.maxDuration {
                v3.append(URLQueryItem(name: "query.durationMax", value: Self.goDuration(max)))
                v1.append(URLQueryItem(name: "maxDuration", value: Self.goDuration(max)))
            }
            if !query.tags.isEmpty {
                let json = Self.jsonObject(query.tags)
                v3.append(URLQueryItem(name: "query.attributes", value: json))
                v1.append(URLQueryItem(name: "tags", value: json))
            }
            v3.append(URLQueryItem(name: "query.searchDepth", value: String(query.limit)))
            v1.append(URLQueryItem(name: "limit", value: String(query.limit)))
            return [backend.url("/api/v3/traces", v3), backend.url("/api/traces", v1)]
        }
    }

    private func tempo(_ query: Query) -> Swift.Result<Result, SearchError> {
        guard let url = urls(query).first else { return .failure(.init("no URL")) }
        let response: HTTPFetcher.Response
        switch fetcher.get(url, accept: "application/json") {
        case .failure(let error): return .failure(.init(error.description))
        case .success(let answer): response = answer
        }
        guard response.status == 200 else { return .failure(.init(HTTPStatusText.line(response, url: url))) }
        let decoded = response.body.withUnsafeBytes { bytes in
            Swift.Result { () throws(ScanError) -> [TraceHit] in try TempoSearchResponse.decode(bytes, maxHits: query.limit) }
        }
        switch decoded {
        case .success(let hits):
            return .success(Result(hits: hits, url: url))
        case .failure(let error):
            return .failure(.init("\(URLText.redacted(url)) did not answer as Tempo's search does (\(error)): \(response.bodyExcerpt(limit: 80))"))
        }
    }

    private func jaeger(_ query: Query) -> Swift.Result<Result, SearchError> {
        guard query.service != nil else {
            return .failure(.init("Jaeger searches one service at a time: give --service NAME"))
        }
        for url in urls(query) {
            let response: HTTPFetcher.Response
            switch fetcher.get(url, accept: "application/json") {
            case .failure(let error): return .failure(.init(error.description))
            case .success(let answer): response = answer
            }
            if response.status == 404 {
                // v3's own "no traces found" is an empty result; a plain 404 is an older Jaeger
                // without v3, asked again at /api/traces.
                if Self.isJaegerNotFound(response) { return .success(Result(hits: [], url: url)) }
                continue
            }
            guard response.status == 200 else { return .failure(.init(HTTPStatusText.line(response, url: url))) }
            let batch = OTLPStyleBody.spans(response, source: URLText.redacted(url))
            if batch.spans.isEmpty && !batch.problems.isEmpty {
                return .failure(.init("\(URLText.redacted(url)) answered what is not traces: \(batch.problems[0].reason)"))
            }
            return .success(Result(hits: Self.hits(batch.spans, limit: query.limit), url: url))
        }
        return .failure(.init("\(backend) has neither /api/v3/traces nor /api/traces (404)"))
    }

    /// `{"error":{"httpCode":404,"message":"No traces found"}}` (v3) or the internal API's
    /// `{"errors":[{"code":404,"msg":"trace not found"}]}`.
    static func isJaegerNotFound(_ response: HTTPFetcher.Response) -> Bool {
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self).lowercased()
        return text.contains("\"httpcode\"") || (text.contains("\"errors\"") && text.contains("not found"))
    }

    /// One hit per trace of `spans`, newest first.
    public static func hits(_ spans: [Span], limit: Int) -> [TraceHit] {
        let store = TraceStore(spans)
        var hits: [TraceHit] = []
        for index in store.traces.indices {
            let record = store.traces[index]
            let summary = TraceSummary(TraceTree(record))
            var hit = TraceHit(traceID: record.traceID)
            hit.rootService = record.headSpan?.serviceName
            hit.rootName = record.headSpan?.name
            hit.startNs = summary.startTime == Timestamp.unknown ? nil : summary.startTime
            hit.durationNs = summary.duration
            hit.spanCount = summary.spanCount
            hit.errorCount = summary.errorCount
            hits.append(hit)
        }
        hits.sort { ($0.startNs ?? .min) > ($1.startNs ?? .min) }
        return Array(hits.prefix(max(0, limit)))
    }

    /// Go's duration text: `1.5s`, `250ms`, `3m0s` kept simple as a whole number of the
    /// largest unit that divides it, else microseconds.
    static func goDuration(_ ns: Int64) -> String {
        for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)]
        where ns % size == 0 {
            return "\(ns / size)\(unit)"
        }
        return "\(ns)ns"
    }

    static func jsonObject(_ pairs: [(key: String, value: String)]) -> String {
        "{" + pairs.map { "\(JSONText.quoted($0.key)):\(JSONText.quoted($0.value))" }.joined(separator: ",") + "}"
    }
}

/// Why a search found nothing to show, in one line.
public struct SearchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Durations as typed: `90s`, `1.5s`, `250ms`, `1h30m`, `2d` (Go's units and `d`, `w`).
public enum DurationParsing {
    public static func nanoseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9), ("d", 86400e9), ("w", 604800e9)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.filter({ rest.hasPrefix($0.0) }).max(by: { $0.0.count < $1.0.count }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += value * unit.1
        }
        guard total > 0, total < 1e18 else { return nil }
        return Int64(total)
    }
}

/// A JSON answer's spans, whole, in one batch (search answers are small: `limit` traces).
enum OTLPStyleBody {
    static func spans(_ response: HTTPFetcher.Response, source: String) -> ReadBatch {
        var all = ReadBatch()
        ResponseBody.decode(response, source: source) { batch in
            all.absorb(batch)
            return true
        }
        return all
    }
}
