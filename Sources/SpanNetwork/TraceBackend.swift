import Foundation
import SpanModel

/// A trace backend spanview asks for traces: Grafana Tempo or Jaeger, at a base URL (a path
/// prefix is kept, for backends behind a proxy: `https://grafana.example/api/datasources/proxy/uid/tempo`).
public struct TraceBackend: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case tempo, jaeger

        /// `Tempo`, `Jaeger`.
        public var title: String { self == .tempo ? "Tempo" : "Jaeger" }
    }

    public let kind: Kind
    public let baseURL: URL

    /// nil when `text` is not an `http://` or `https://` URL.
    public init?(_ kind: Kind, url text: String) {
        guard let url = URLText.httpURL(text) else { return nil }
        self.kind = kind
        // Trailing slashes go, so paths are added after exactly one.
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        guard let trimmed = URL(string: base) else { return nil }
        baseURL = trimmed
    }

    /// `Tempo at http://tempo:3200`.
    public var description: String { "\(kind.title) at \(URLText.redacted(baseURL))" }

    /// A time window given to the backend (both ends optional), in Unix nanoseconds.
    public struct TimeWindow: Sendable, Hashable {
        public var start: Int64?
        public var end: Int64?

        public init(start: Int64? = nil, end: Int64? = nil) {
            self.start = start
            self.end = end
        }

        public var isEmpty: Bool { start == nil && end == nil }
    }

    /// Where one trace is asked for, in the order tried: the current API first, then the one
    /// older versions have (Tempo before 2.? has no `/api/v2/traces`; Jaeger before 1.35 no
    /// `/api/v3`). Tempo takes Unix seconds; Jaeger's v3 RFC 3339, its internal API microseconds.
    public func traceURLs(_ id: TraceID, window: TimeWindow = TimeWindow()) -> [URL] {
        let hex = id.hex
        switch kind {
        case .tempo:
            var query: [URLQueryItem] = []
            if let start = window.start { query.append(URLQueryItem(name: "start", value: String(Self.floorSeconds(start)))) }
            if let end = window.end { query.append(URLQueryItem(name: "end", value: String(Self.ceilSeconds(end)))) }
            return [url("/api/v2/traces/\(hex)", query), url("/api/traces/\(hex)", query)]
        case .jaeger:
            var v3: [URLQueryItem] = []
            var v1: [URLQueryItem] = []
            if let start = window.start {
                v3.append(URLQueryItem(name: "startTime", value: RFC3339Text.format(start)))
                v1.append(URLQueryItem(name: "start", value: String(start / 1000)))
            }
            if let end = window.end {
                v3.append(URLQueryItem(name: "endTime", value: RFC3339Text.format(end)))
                v1.append(URLQueryItem(name: "end", value: String(end / 1000)))
            }
            return [url("/api/v3/traces/\(hex)", v3), url("/api/traces/\(hex)", v1)]
        }
    }

    /// The base URL with `path` added and `query`.
    public func url(_ path: String, _ query: [URLQueryItem] = []) -> URL {
        var parts = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) ?? URLComponents()
        parts.path = parts.path + path
        if !query.isEmpty {
            parts.queryItems = (parts.queryItems ?? []) + query
            // `+` in a value (a TraceQL `+`, a time zone) must not read as a space.
            parts.percentEncodedQuery = parts.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        }
        return parts.url ?? baseURL
    }

    static func floorSeconds(_ ns: Int64) -> Int64 { ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000 }
    static func ceilSeconds(_ ns: Int64) -> Int64 { -floorSeconds(-ns) }
}

/// RFC 3339 in UTC with nanoseconds, as Jaeger's API takes it: `2026-12-07T06:30:00.123456789Z`.
public enum RFC3339Text {
    public static func format(_ ns: Int64) -> String {
        let seconds = TraceBackend.floorSeconds(ns)
        let fraction = ns - seconds * 1_000_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let date = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                          Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        return fraction == 0 ? date + "Z" : date + String(format: ".%09lldZ", fraction)
    }
}
