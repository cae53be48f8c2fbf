import Foundation
import Testing

/// `spanview` with `--tempo`/`--jaeger` and URL inputs, against the double: print, summary,
/// search, and the viewer's `/` asking the backend, in tmux.
@Suite("Backends from the command line and the viewer", .serialized)
struct BackendCLITests {
    static let order = "5b8efff798038103d269b633813fc60c"
    static let payment = "0af7651916cd43dd8448eb211c80319c"
    static let missing = "0123456789abcdef0123456789abcdef"
    /// Around the fixture's traces (2026-12-01).
    static let window = ["--start", "1796119000", "--end", "2026-12-01T10:03:20Z"]

    @Test("print and summary fetch trace IDs from Tempo; a missing one is named, the others printed")
    func printFromTempo() throws {
        let double = try BackendDouble(role: .tempo, arguments: ["--require-header", "X-Scope-OrgID: team-a"])
        let printed = try CLI.run(["print", "--width", "100", "--color", "never", "--tempo", double.baseURL,
                                   "--header", "X-Scope-OrgID: team-a", Self.order, "trace_id=" + Self.missing])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.hasPrefix("Trace \(Self.order)"), "\(printed.stdout)")
        #expect(printed.stdout.contains("GET /api/orders/{id}"))
        #expect(printed.stdout.contains("inventory-service"))
        #expect(printed.stderr == "spanview: 'tempo:\(Self.missing)': trace \(Self.missing) not found in Tempo at \(double.baseURL) (asked /api/v2/traces/\(Self.missing) (no spans), /api/traces/\(Self.missing))\n")

        let summary = try CLI.run(["summary", "--json", Self.payment], environment: ["SPANVIEW_TEMPO_URL": double.baseURL + "/",
                                                                                   "SPANVIEW_BACKEND_TOKEN": "ignored-by-the-double"])
        #expect(summary.status == 1)
        #expect(summary.stderr.contains("HTTP 401 Unauthorized"), "\(summary.stderr)")
        #expect(double.requests().last.flatMap { ($0["headers"] as? [String: Any])?["authorization"] as? String } == "Bearer ignored-by-the-double")
    }

    @Test("Jaeger by ID, and a 64-bit ID; without a backend, an ID says how to name one")
    func jaegerAndNoBackend() throws {
        let double = try BackendDouble(role: .jaeger)
        let summary = try CLI.run(["summary", "--jaeger", double.baseURL, Self.payment, "4bf92f3577b34da6"])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("jaeger:\(Self.payment): otlp-json, 3 spans"), "\(summary.stdout)")
        #expect(summary.stdout.contains("00000000000000004bf92f3577b34da6"))

        let none = try CLI.run(["print", Self.payment])
        #expect(none.status == 1)
        #expect(none.stderr.contains("name a backend: --tempo URL or --jaeger URL"))
    }

    @Test("a PARTIAL answer is printed and said on standard error")
    func partial() throws {
        let double = try BackendDouble(role: .tempo, arguments: ["--partial", Self.order])
        let printed = try CLI.run(["print", "--color", "never", "--tempo", double.baseURL, Self.order])
        #expect(printed.status == 0)
        #expect(printed.stdout.hasPrefix("Trace \(Self.order)"))
        #expect(printed.stderr.contains("tempo:\(Self.order): Tempo returned part of trace \(Self.order) (PARTIAL): Trace exceeds maximum size"), "\(printed.stderr)")
    }

    @Test("an http:// input is read like a file; a wrong one is one line")
    func urlInput() throws {
        let double = try BackendDouble(role: .jaeger)
        let url = "\(double.baseURL)/api/v3/traces/\(Self.order)"
        let summary = try CLI.run(["summary", url])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("\(url): otlp-json, 5 spans"), "\(summary.stdout)")
        let wrong = try CLI.run(["summary", "\(double.baseURL)/api/v3/traces/\(Self.missing)"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("HTTP 404 Not Found"), "\(wrong.stderr)")
    }

    @Test("search lists Tempo's hits as a table and as JSON lines; bad TraceQL is Tempo's own words")
    func searchTempo() throws {
        let double = try BackendDouble(role: .tempo)
        let table = try CLI.run(["search", "--tempo", double.baseURL] + Self.window + ["{ status = error }"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("TRACE ID") == true, "\(table.stdout)")
        #expect(lines.count == 2)
        #expect(lines.last?.hasPrefix(Self.payment) == true)
        #expect(lines.last?.contains("250ms") == true)
        #expect(lines.last?.contains("payment-api: POST /api/payments") == true)

        let json = try CLI.run(["search", "--json", "--tempo", double.baseURL] + Self.window)
        let objects = json.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 3, "\(json.stdout)")
        #expect(objects.first?["traceID"] as? String == Self.payment)   // newest first
        #expect(Set(objects.compactMap { $0["traceID"] as? String }).contains("00000000000000004bf92f3577b34da6"))

        let bad = try CLI.run(["search", "--tempo", double.baseURL, "{ span.x = }"] + Self.window)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("invalid TraceQL query"), "\(bad.stderr)")
        let query = double.requests().last?["query"] as? [String: Any]
        #expect(query?["q"] as? String == "{ span.x = }")
    }

    @Test("search in Jaeger: service, tags, durations; nothing found says the window and exits 1")
    func searchJaeger() throws {
        let double = try BackendDouble(role: .jaeger)
        let found = try CLI.run(["search", "--jaeger", double.baseURL, "--service", "order-service", "--min-duration", "100ms"] + Self.window)
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.contains(Self.order))
        #expect(found.stdout.contains("ERRORS"))
        let query = double.requests().last?["query"] as? [String: Any]
        #expect(query?["query.durationMin"] as? String == "100ms")
        let none = try CLI.run(["search", "--jaeger", double.baseURL, "--service", "order-service", "--tags", "http.route=/nowhere"] + Self.window)
        #expect(none.status == 1)
        #expect(none.stdout.isEmpty)
        #expect(none.stderr.hasPrefix("spanview: no trace found in Jaeger at \(double.baseURL) between 2026-12-01 09:56:40.000 and 2026-12-01 10:03:20.000"), "\(none.stderr)")
        let mixed = try CLI.run(["search", "--jaeger", double.baseURL, "{ status = error }"])
        #expect(mixed.status != 0)
        #expect(mixed.stderr.contains("Jaeger does not take TraceQL"))
    }

    @Test("the viewer: / with an ID not loaded asks Tempo and opens the trace; a missing one is said",
          .enabled(if: tmuxAvailable))
    func viewerAsksTheBackend() throws {
        let double = try BackendDouble(role: .tempo)
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: TmuxSession.quote(binary.path) + " --tempo " + double.baseURL, width: 110, height: 30)
        #expect(session.waitFor(text: "type / and a trace ID to fetch it from Tempo at"), "\(session.capture())")
        session.send(keys: "/")
        session.send(text: Self.missing)
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "trace \(Self.missing) not found in Tempo"), "\(session.capture())")
        session.send(keys: "/")
        session.send(text: "traceparent=00-\(Self.order)-eee19b7ec3c1b174-01")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "fetched trace \(Self.order): 5 spans"), "\(session.capture())")
        let screen = session.capture()
        #expect(screen.contains("Trace \(Self.order)"))
        #expect(screen.contains("GET /api/orders/{id}"))
        // Back on the list, the fetched trace is there like any other.
        session.send(keys: "Escape")
        #expect(session.waitFor(text: "trace 1/1"), "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("the viewer: R searches Jaeger, the Found view lists the hits, Enter fetches and opens one",
          .enabled(if: tmuxAvailable))
    func viewerSearchesTheBackend() throws {
        let double = try BackendDouble(role: .jaeger)
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let command = ([TmuxSession.quote(binary.path), "--jaeger", double.baseURL] + Self.window).joined(separator: " ")
        let session = try TmuxSession(command: command, width: 120, height: 30)
        #expect(session.waitFor(text: "type / and a trace ID"), "\(session.capture())")
        session.send(keys: "R")
        #expect(session.waitFor(text: "search Jaeger:"), "\(session.capture())")
        session.send(text: "nosuchservice")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "found no trace for nosuchservice"), "\(session.capture())")
        session.send(keys: "R")
        session.send(keys: "C-u")
        session.send(text: "payment-api min=10ms")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "1 trace found"), "\(session.capture())")
        let found = session.capture()
        #expect(found.contains("Found in Jaeger at \(double.baseURL): payment-api min=10ms"))
        #expect(found.contains("\(Self.payment)  2026-12-01 10:01:00.000"), "\(found)")
        #expect(found.contains("250ms"))
        #expect(found.contains("payment-api: POST /api/payments"))
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "fetched trace \(Self.payment): 3 spans"), "\(session.capture())")
        #expect(session.capture().contains("Trace \(Self.payment)"))
        // R shows what was found again, the fetched trace now marked as loaded.
        session.send(keys: "R")
        #expect(session.waitFor(text: "Found in Jaeger"), "\(session.capture())")
        let query = double.requests().first { ($0["path"] as? String) == "/api/v3/traces" && (($0["query"] as? [String: Any])?["query.serviceName"] as? String) == "payment-api" }
        #expect((query?["query"] as? [String: Any])?["query.durationMin"] as? String == "10ms")
        session.send(keys: "Escape")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }
}
