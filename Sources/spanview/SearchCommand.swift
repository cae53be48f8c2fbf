import ArgumentParser
import CellGrid
import Foundation
import SpanFormats
import SpanModel
import SpanNetwork
import SpanviewKit

/// `spanview search --tempo URL '{ status = error }'`: lists the traces a backend finds.
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "List the traces a backend finds: TraceQL in Tempo, service/operation/tags in Jaeger.",
        discussion: """
        One line per trace: its ID, start, duration, spans and root service and name, newest \
        first. Then open one: spanview --tempo URL TRACE-ID. Searches the last hour unless \
        --since or --start/--end say otherwise.
        """
    )

    @Argument(help: ArgumentHelp("A TraceQL query for Tempo ({ resource.service.name = \"shop\" && status = error }); default {} (any trace).", valueName: "traceql"))
    var query: String?

    @Option(name: .long, help: "Jaeger: the service to search (required by Jaeger).")
    var service: String?

    @Option(name: .long, help: "Jaeger: the operation (span name).")
    var operation: String?

    @Option(name: .long, help: ArgumentHelp("Jaeger: an attribute that must match, key=value; may be given more than once.", valueName: "key=value"))
    var tags: [String] = []

    @Option(name: .long, help: ArgumentHelp("Jaeger: traces with a span at least this long (100ms, 1.5s).", valueName: "duration"))
    var minDuration: String?

    @Option(name: .long, help: ArgumentHelp("Jaeger: traces with a span at most this long.", valueName: "duration"))
    var maxDuration: String?

    @Option(name: .long, help: "The most traces to list, 1 to 10000.")
    var limit = 20

    @Flag(name: .long, help: "One JSON object per trace (traceID, rootService, rootName, start, durationNs, spans, errors).")
    var json = false

    @OptionGroup(title: "Backends") var backend: BackendOptions

    func validate() throws {
        guard let remote = backend.backend else {
            throw ValidationError("name the backend to search: --tempo URL or --jaeger URL (or SPANVIEW_TEMPO_URL, SPANVIEW_JAEGER_URL)")
        }
        if !(1...10_000).contains(limit) { throw ValidationError("--limit must be from 1 to 10000") }
        for tag in tags where Self.tag(tag) == nil { throw ValidationError("--tags takes key=value, not '\(tag)'") }
        for (flag, value) in [("--min-duration", minDuration), ("--max-duration", maxDuration)] {
            if let value, TimeText.duration(value) == nil { throw ValidationError("\(flag) takes a duration like 100ms or 1.5s, not '\(value)'") }
        }
        switch remote.kind {
        case .tempo:
            let jaegerOnly = [("--service", service != nil), ("--operation", operation != nil), ("--tags", !tags.isEmpty),
                              ("--min-duration", minDuration != nil), ("--max-duration", maxDuration != nil)]
            if let flag = jaegerOnly.first(where: \.1)?.0 {
                throw ValidationError("\(flag) is for Jaeger; in Tempo say it in TraceQL, e.g. '{ resource.service.name = \"shop\" && duration > 100ms }'")
            }
        case .jaeger:
            if query != nil { throw ValidationError("Jaeger does not take TraceQL: use --service, --operation, --tags, --min-duration") }
            if service == nil { throw ValidationError("Jaeger searches one service at a time: give --service NAME") }
        }
    }

    static func tag(_ text: String) -> (key: String, value: String)? {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    func run() throws {
        guard let remote = backend.backend else { return }
        let window = backend.window(defaultSince: 3_600_000_000_000) ?? .init()
        let search = TraceSearch(remote, fetcher: backend.makeFetcher())
        let request = TraceSearch.Query(
            traceQL: query, service: service, operation: operation, tags: tags.compactMap(Self.tag),
            minDuration: minDuration.flatMap(TimeText.duration), maxDuration: maxDuration.flatMap(TimeText.duration),
            window: window, limit: limit)
        let result: TraceSearch.Result
        switch search.run(request) {
        case .failure(let error): CommandSupport.fail(error.description)
        case .success(let found): result = found
        }
        let out = StandardOutput()
        if json {
            for hit in result.hits { out.write(SearchResultText.json(hit) + "\n") }
        } else if result.hits.isEmpty {
            StandardError().write("spanview: no trace found in \(remote) between \(SearchResultText.time(window.start)) and \(SearchResultText.time(window.end))\n")
        } else {
            out.write(SearchResultText.table(result.hits, width: out.terminalWidth ?? 200))
        }
        out.flush()
        if result.hits.isEmpty { throw ExitCode(1) }
    }
}

/// Search hits as text: a table for people, JSON lines for scripts. Every value from the
/// backend is escaped before it is written.
enum SearchResultText {
    static func table(_ hits: [TraceHit], width: Int) -> String {
        let showErrors = hits.contains { $0.errorCount != nil }
        var header = ["TRACE ID", "START (UTC)", "DURATION", "SPANS"]
        if showErrors { header.append("ERRORS") }
        header.append("ROOT")
        var rows: [[String]] = [header]
        for hit in hits {
            var row = [hit.traceID.hex, time(hit.startNs), hit.durationText,
                       (hit.spanCount ?? hit.matchedSpans).map(String.init) ?? ""]
            if showErrors { row.append(hit.errorCount.map(String.init) ?? "") }
            let root = [hit.rootService, hit.rootName].compactMap { $0 }.joined(separator: ": ")
            row.append(TerminalText.escaped(root))
            rows.append(row)
        }
        let columns = rows[0].count
        var widths = (0..<columns - 1).map { c in rows.map { DisplayWidth.of($0[c]) }.max() ?? 0 }
        widths = widths.map { $0 + 2 }
        var text = ""
        for row in rows {
            var line = ""
            for c in 0..<columns - 1 { line += row[c] + String(repeating: " ", count: widths[c] - DisplayWidth.of(row[c])) }
            line += row[columns - 1]
            text += clipped(line, to: max(40, width)) + "\n"
        }
        return text
    }

    /// The line cut to `width` columns, with `…` where it was cut.
    static func clipped(_ line: String, to width: Int) -> String {
        guard DisplayWidth.of(line) > width else { return line }
        var out = ""
        var used = 0
        for character in line {
            let w = DisplayWidth.of(character)
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    static func json(_ hit: TraceHit) -> String {
        var fields = ["\"traceID\":\"\(hit.traceID.hex)\""]
        if let service = hit.rootService { fields.append("\"rootService\":\(JSONText.quoted(service))") }
        if let name = hit.rootName { fields.append("\"rootName\":\(JSONText.quoted(name))") }
        if let start = hit.startNs { fields.append("\"start\":\"\(Timestamp.iso8601(start))\"") }
        if let duration = hit.durationNs { fields.append("\"durationNs\":\(duration)") }
        if let spans = hit.spanCount { fields.append("\"spans\":\(spans)") }
        if let matched = hit.matchedSpans { fields.append("\"matchedSpans\":\(matched)") }
        if let errors = hit.errorCount { fields.append("\"errors\":\(errors)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `2026-12-07 06:30:12.345`, UTC.
    static func time(_ ns: Int64?) -> String {
        guard let ns else { return "?" }
        let text = Timestamp.iso8601(ns)   // 2026-12-07T06:30:12.345678901Z
        guard text.count >= 23 else { return text }
        return String(text.prefix(23)).replacingOccurrences(of: "T", with: " ")
    }
}
