import ArgumentParser
import CellGrid
import SpanQuery
import SpanStore
import SpanviewKit

/// `--filter EXPR` of `print` and `summary` (the language is docs/query-language.md).
enum FilterOption {
    static let help: ArgumentHelp = "Only traces matching this filter, such as 'service=checkout duration>500ms' or 'http.status_code>=500 or errors' (docs/query-language.md)."

    /// Parses the expression; a bad one is reported with a caret under where it goes wrong, and
    /// the command exits with status 2 (as grep does for a bad pattern).
    static func parse(_ text: String) throws -> TraceFilter {
        do {
            return try TraceFilter(parsing: text)
        } catch {
            let err = StandardError()
            err.write("spanview: --filter: \(error.message) (column \(error.column))\n")
            for line in error.caretLines.split(separator: "\n", omittingEmptySubsequences: false) {
                err.write("  " + TerminalText.escaped(String(line)) + "\n")
            }
            throw ExitCode(2)
        }
    }

    /// The traces of `indices` that `filter` keeps, in the same order.
    static func apply(_ filter: TraceFilter, to indices: [Int], in store: TraceStore) -> [Int] {
        let kept = Set(filter.traces(in: store))
        return indices.filter(kept.contains)
    }
}
