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
        case .save: "Enter save · Esc cancel"
        case .backendSearch(_, let hint): hint
        }
    }

    /// Longest text the prompt takes.
    var limit: Int { kind == .save ? 1024 : 256 }
}

extension App {
    /// `spanview-live-20261207-013000.jsonl`, in the current directory.
    var defaultSaveName: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "spanview-live-\(formatter.string(from: Date())).jsonl"
    }

    /// Saves live input received so far (`w`, then Enter).
    mutating func save(to path: String) {
        guard let saveInput else {
            message = ("there is no live input to save: files are already saved", false)
            return
        }
        let name = path.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else {
            message = ("no file named; nothing saved", true)
            return
        }
        switch saveInput(name) {
        case .success(let bytes):
            quitArmed = false
            message = ("saved \(bytes) bytes of input to \(name)" + (liveInputArriving ? " · more is arriving" : ""), false)
        case .failure(let error):
            message = ("could not save: \(error)", true)
        }
    }
}
