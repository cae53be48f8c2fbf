import ArgumentParser
import Foundation
import SpanFormats
import SpanModel
import SpanNetwork
import SpanviewKit

/// `--tempo URL` / `--jaeger URL` and what goes with asking a backend: headers, a token, a
/// time window, a timeout. Shared by the viewer, `print`, `summary`, `stats` and `search`.
struct BackendOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Grafana Tempo's query URL (http://tempo:3200); trace IDs given as inputs are fetched from it. Also SPANVIEW_TEMPO_URL.", valueName: "url"))
    var tempo: String?

    @Option(name: .long, help: ArgumentHelp("Jaeger's query URL (http://jaeger:16686); trace IDs given as inputs are fetched from it. Also SPANVIEW_JAEGER_URL.", valueName: "url"))
    var jaeger: String?

    @Option(name: .long, help: ArgumentHelp("A header field for every request to a backend or URL input, e.g. 'X-Scope-OrgID: team-a'; may be given more than once. A bearer token is read from SPANVIEW_BACKEND_TOKEN.", valueName: "name: value"))
    var header: [String] = []

    @Option(name: .long, help: ArgumentHelp("Only what started within this long before now (30m, 1h, 2d); for search the default is 1h.", valueName: "duration"))
    var since: String?

    @Option(name: .long, help: ArgumentHelp("The window's start: RFC 3339 (2026-12-07T06:00:00Z) or Unix seconds.", valueName: "time"))
    var start: String?

    @Option(name: .long, help: ArgumentHelp("The window's end: RFC 3339 or Unix seconds (default now).", valueName: "time"))
    var end: String?

    @Option(name: .long, help: ArgumentHelp("Seconds to wait for a connection and between two pieces of an answer.", valueName: "seconds"))
    var timeout: Double = HTTPFetcher.Options.defaultTimeout

    @Option(name: .long, help: ArgumentHelp("The most one answer may be, in MiB after decompression.", valueName: "MiB"))
    var maxFetchMib = HTTPFetcher.Options.defaultMaxBodyBytes >> 20

    func validate() throws {
        if tempo != nil && jaeger != nil { throw ValidationError("name one backend: --tempo or --jaeger, not both") }
        for (flag, value) in [("--tempo", tempo), ("--jaeger", jaeger)] {
            if let value, URLText.httpURL(value) == nil { throw ValidationError("\(flag) takes an http:// or https:// URL, not '\(value)'") }
        }
        for field in header where Self.headerField(field) == nil {
            throw ValidationError("--header takes 'Name: value', not '\(field)'")
        }
        if let since, TimeText.duration(since) == nil { throw ValidationError("--since takes a duration like 90s, 30m, 1h or 2d, not '\(since)'") }
        if since != nil && start != nil { throw ValidationError("give --since or --start, not both") }
        for (flag, value) in [("--start", start), ("--end", end)] {
            if let value, TimeText.instant(value) == nil { throw ValidationError("\(flag) takes RFC 3339 (2026-12-07T06:00:00Z) or Unix seconds, not '\(value)'") }
        }
        if let window = window(defaultSince: nil), let s = window.start, let e = window.end, s >= e {
            throw ValidationError("the window's start must be before its end")
        }
        if !(timeout > 0 && timeout <= 3600) { throw ValidationError("--timeout must be from 0 to 3600 seconds") }
        if !(1...65536).contains(maxFetchMib) { throw ValidationError("--max-fetch-mib must be from 1 to 65536") }
    }

    /// The backend named on the command line, else in the environment (the command line wins).
    var backend: TraceBackend? {
        if let tempo { return TraceBackend(.tempo, url: tempo) }
        if let jaeger { return TraceBackend(.jaeger, url: jaeger) }
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["SPANVIEW_TEMPO_URL"], !url.isEmpty {
            guard let backend = TraceBackend(.tempo, url: url) else { CommandSupport.fail("SPANVIEW_TEMPO_URL is not an http:// or https:// URL: '\(url)'") }
            return backend
        }
        if let url = environment["SPANVIEW_JAEGER_URL"], !url.isEmpty {
            guard let backend = TraceBackend(.jaeger, url: url) else { CommandSupport.fail("SPANVIEW_JAEGER_URL is not an http:// or https:// URL: '\(url)'") }
            return backend
        }
        return nil
    }

    /// The headers asked for, with `Authorization: Bearer $SPANVIEW_BACKEND_TOKEN` unless an
    /// `Authorization` header was given.
    var headers: [(name: String, value: String)] {
        var fields = header.compactMap(Self.headerField)
        if !fields.contains(where: { $0.name.lowercased() == "authorization" }),
           let token = ProcessInfo.processInfo.environment["SPANVIEW_BACKEND_TOKEN"], !token.isEmpty {
            fields.append(("Authorization", "Bearer \(token)"))
        }
        return fields
    }

    /// One fetcher for every request of this run.
    func makeFetcher() -> HTTPFetcher {
        var options = HTTPFetcher.Options(headers: headers, timeout: timeout, maxBodyBytes: maxFetchMib << 20)
        options.userAgent = "spanview/\(SpanviewVersion.current)"
        return HTTPFetcher(options)
    }

    /// The window in Unix nanoseconds: `--since` back from now, or `--start`/`--end`; nil
    /// ends where none was given (search passes `defaultSince`).
    func window(defaultSince: Int64?, now: Int64 = TimeText.now()) -> TraceBackend.TimeWindow? {
        var window = TraceBackend.TimeWindow()
        if let since, let span = TimeText.duration(since) {
            window.start = now - span
        } else if let start {
            window.start = TimeText.instant(start)
        } else if let defaultSince {
            window.start = now - defaultSince
        }
        if let end { window.end = TimeText.instant(end) } else if window.start != nil { window.end = now }
        return window.isEmpty ? nil : window
    }

    static func headerField(_ text: String) -> (name: String, value: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = text[..<colon].trimmingCharacters(in: .whitespaces)
        let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        // A field name is a token (RFC 9110); values may not break the header block.
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(token.contains),
              !value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else { return nil }
        return (name, value)
    }
}

/// Times and durations as the command line takes them.
enum TimeText {
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1e9) }

    /// `90s`, `30m`, `1h30m`, `2d`, `500ms` in nanoseconds (Go's units, and `d` for days).
    static func duration(_ text: String) -> Int64? { DurationParsing.nanoseconds(text) }

    /// RFC 3339 (`2026-12-07T06:00:00Z`, offsets and fractions too) or Unix seconds.
    static func instant(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0, seconds < 1e11 { return Int64(seconds * 1e9) }
        guard let ns = RFC3339.parse(trimmed), ns != Timestamp.unknown else { return nil }
        return ns
    }
}
