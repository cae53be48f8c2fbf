import Foundation
import SpanIngest

/// The line of text typed at the bottom of the screen: a trace ID to find (`/` on the list),
/// a span search (`/` on a trace), a trace filter (`f`), or the file to save live input to (`w`).
public struct Prompt: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case search, spanSearch, filter, groupBy, save, backendSearch(label: String, hint: String) }
    public var kind: Kind
    public var text: String

    var label: String {
        switch kind {
        case .search, .spanSearch: "/"
        case .filter: "filter: "
        case .groupBy: "group by attribute: "
        case .save: "save to: "
        case .backendSearch(let label, _): label
        }
    }

    var hint: String {
        switch kind {
        case .search: "trace ID (prefix, 0x…, traceparent) · Enter find · Esc cancel"
        case .spanSearch: "words, \"phrase\", key=value, span ID · Enter search · Esc cancel"
        case .filter: "service=… root=… duration>500ms errors spans>100 key>=500 and/or/not · Enter · Esc"
        case .groupBy: "http.route, db.system, any key · empty: by operation · Enter · Esc"
        case .save: "x.otlp.jsonl x.stdouttrace.jsonl x.jaeger.json x.zipkin.json (.gz compresses); live input: other names keep it as it arrived · Enter · Esc"
        case .backendSearch(_, let hint): hint
        }
    }

    /// Longest text the prompt takes.
    var limit: Int { kind == .save ? 1024 : 256 }
}

extension App {
    /// `spanview-live-20261207-013000.jsonl`, in the current directory.
    var defaultSaveName: String { "spanview-live-\(Self.timestamp()).jsonl" }
}
