import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanNetwork
import Testing

/// The Tempo and Jaeger clients against the double (scripts/backend-double.py), which answers
/// as their query APIs do, failure modes included.
@Suite("Backend clients: Tempo and Jaeger")
struct BackendClientTests {
    static let orderTrace = TraceID(hex: "5b8efff798038103d269b633813fc60c")!
    static let paymentTrace = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!
    static let emailTrace = TraceID(hex: "00000000000000004bf92f3577b34da6")!
    static let missingTrace = TraceID(hex: "0123456789abcdef0123456789abcdef")!
    /// Around the fixture's traces (2026-12-01).
    static let window = TraceBackend.TimeWindow(start: 1_796_119_000_000_000_000, end: 1_796_119_400_000_000_000)

    /// Reads one trace from the double as the inbox would.
    static func fetch(_ id: TraceID, from double: BackendDouble, options: HTTPFetcher.Options = .init(),
                      window: TraceBackend.TimeWindow = .init()) throws -> (spans: [Span], status: InputStatus) {
        let backend = try #require(TraceBackend(double.role == .tempo ? .tempo : .jaeger, url: double.baseURL))
        let source = BackendTraceSource(id, from: backend, window: window, fetcher: HTTPFetcher(options))
        var status = InputStatus(name: source.name)
        var spans: [Span] = []
        source.read { batch in
            spans += batch.spans
            status.take(batch)
            return true
        }
        return (spans, status)
    }

    static func paths(_ double: BackendDouble) -> [String] { double.requests().compactMap { $0["path"] as? String } }

    @Test("Tempo v2: base64 IDs and enum names read as the same trace, with its tree")
    func tempoV2() throws {
        let double = try BackendDouble(role: .tempo)
        let (spans, status) = try Self.fetch(Self.orderTrace, from: double)
        #expect(status.end == .complete, "\(status.end?.failure ?? "")")
        #expect(spans.count == 5)
        #expect(Set(spans.map(\.traceID)) == [Self.orderTrace])
        let root = try #require(spans.first { $0.parentSpanID.isZero })
        #expect(root.name == "GET /api/orders/{id}")
        #expect(root.kind == .server)
        #expect(spans.filter { $0.parentSpanID == root.spanID }.count == 2)
        #expect(Self.paths(double) == ["/api/v2/traces/\(Self.orderTrace.hex)"])
        let accept = (double.requests().first?["headers"] as? [String: Any])?["accept"] as? String
        #expect(accept == "application/json")
    }

    @Test("Tempo before 2.6: no /api/v2, so /api/traces and its batches")
    func tempoLegacy() throws {
        let double = try BackendDouble(role: .tempo, arguments: ["--legacy"])
        let (spans, status) = try Self.fetch(Self.paymentTrace, from: double)
        #expect(status.end == .complete, "\(status.end?.failure ?? "")")
        #expect(spans.count == 3)
        #expect(spans.filter(\.isError).count == 2)
        #expect(Self.paths(double) == ["/api/v2/traces/\(Self.paymentTrace.hex)", "/api/traces/\(Self.paymentTrace.hex)"])
    }

    @Test("Tempo: a trace it does not have (200 and an empty trace on v2, 404 on v1) is one line")
    func tempoNotFound() throws {
        let double = try BackendDouble(role: .tempo)
        let (spans, status) = try Self.fetch(Self.missingTrace, from: double)
        #expect(spans.isEmpty)
        let failure = try #require(status.end?.failure)
        #expect(failure.hasPrefix("trace 0123456789abcdef0123456789abcdef not found in Tempo at http://127.0.0.1:"), "\(failure)")
    }

    @Test("Tempo PARTIAL: the spans it has, and a notice with Tempo's message")
    func tempoPartial() throws {
        let double = try BackendDouble(role: .tempo, arguments: ["--partial", Self.orderTrace.hex])
        let (spans, status) = try Self.fetch(Self.orderTrace, from: double)
        #expect(status.end == .complete)
        #expect(spans.count > 0 && spans.count < 5, "\(spans.count)")
        let notice = try #require(status.notices.first)
        #expect(notice.contains("PARTIAL"))
        #expect(notice.contains("Trace exceeds maximum size"))
    }

    @Test("Tempo: the window goes along as start and end seconds")
    func tempoWindow() throws {
        let double = try BackendDouble(role: .tempo)
        let (spans, _) = try Self.fetch(Self.orderTrace, from: double, window: Self.window)
        #expect(spans.count == 5)
        let query = double.requests().first?["query"] as? [String: Any]
        #expect(query?["start"] as? String == "1796119000")
        #expect(query?["end"] as? String == "1796119400")
        // A window that misses the trace: not found.
        let (none, status) = try Self.fetch(Self.orderTrace, from: double, window: .init(start: 0, end: 1_000_000_000))
        #expect(none.isEmpty)
        #expect(status.end?.failure?.contains("not found") == true)
    }

    @Test("Jaeger: v3, and the internal API of an older Jaeger; a 64-bit ID")
    func jaeger() throws {
        let current = try BackendDouble(role: .jaeger)
        let (spans, status) = try Self.fetch(Self.paymentTrace, from: current)
        #expect(status.end == .complete, "\(status.end?.failure ?? "")")
        #expect(spans.count == 3)
        #expect(Self.paths(current) == ["/api/v3/traces/\(Self.paymentTrace.hex)"])

        let older = try BackendDouble(role: .jaeger, arguments: ["--no-v3"])
        let (email, emailStatus) = try Self.fetch(Self.emailTrace, from: older)
        #expect(emailStatus.end == .complete, "\(emailStatus.end?.failure ?? "")")
        #expect(email.count == 2)
        #expect(Set(email.map(\.traceID)) == [Self.emailTrace])
        #expect(Self.paths(older).last == "/api/traces/\(Self.emailTrace.hex)")

        let (missing, missingStatus) = try Self.fetch(Self.missingTrace, from: current)
        #expect(missing.isEmpty)
        #expect(missingStatus.end?.failure?.hasPrefix("trace 0123456789abcdef0123456789abcdef not found in Jaeger at") == true)
    }

    @Test("Headers: a tenant and a token get in; without them, one line that says what to give")
    func credentials() throws {
        let double = try BackendDouble(role: .tempo, arguments: ["--require-header", "X-Scope-OrgID: team-a", "--require-token", "s3cret"])
        let (_, refused) = try Self.fetch(Self.orderTrace, from: double)
        let failure = try #require(refused.end?.failure)
        #expect(failure.hasPrefix("HTTP 401 Unauthorized from http://127.0.0.1:"), "\(failure)")
        #expect(failure.contains("SPANVIEW_BACKEND_TOKEN"))
        let options = HTTPFetcher.Options(headers: [("X-Scope-OrgID", "team-a"), ("Authorization", "Bearer s3cret")])
        let (spans, status) = try Self.fetch(Self.orderTrace, from: double, options: options)
        #expect(status.end == .complete, "\(status.end?.failure ?? "")")
        #expect(spans.count == 5)
    }

    @Test("Failures: busy, a sign-in page, a cut answer, a slow one, each one clear line")
    func failures() throws {
        let busy = try BackendDouble(role: .tempo, arguments: ["--status", "503", "--retry-after", "7"])
        #expect(try Self.fetch(Self.orderTrace, from: busy).status.end?.failure?.hasSuffix("HTTP 503 Service Unavailable from \(busy.baseURL)/api/v2/traces/\(Self.orderTrace.hex): Service Unavailable (retry after 7 s)") == true)

        let page = try BackendDouble(role: .jaeger, arguments: ["--garbage"])
        let pageFailure = try Self.fetch(Self.orderTrace, from: page).status.end?.failure ?? ""
        #expect(pageFailure.contains("did not answer with a trace (text/html)"), "\(pageFailure)")

        let cut = try BackendDouble(role: .tempo, arguments: ["--broken"])
        let (cutSpans, cutStatus) = try Self.fetch(Self.orderTrace, from: cut)
        #expect(cutSpans.isEmpty)
        #expect(cutStatus.end?.failure?.hasPrefix("\(cut.baseURL)/api/v2/traces/\(Self.orderTrace.hex): ") == true, "\(cutStatus.end?.failure ?? "")")

        let slow = try BackendDouble(role: .tempo, arguments: ["--delay", "3"])
        let started = Date()
        let slowStatus = try Self.fetch(Self.orderTrace, from: slow, options: .init(timeout: 0.5)).status
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(slowStatus.end?.failure?.hasSuffix("no answer within 0.5 s (--timeout)") == true, "\(slowStatus.end?.failure ?? "")")
    }

    @Test("gzip answers are decompressed")
    func gzip() throws {
        let double = try BackendDouble(role: .jaeger, arguments: ["--gzip"])
        let (spans, status) = try Self.fetch(Self.orderTrace, from: double)
        #expect(status.end == .complete)
        #expect(spans.count == 5)
        let encoding = (double.requests().first?["headers"] as? [String: Any])?["accept-encoding"] as? String
        #expect(encoding?.contains("gzip") == true)
    }

    @Test("Tempo search: TraceQL in, hits with root service and name, start and duration out")
    func tempoSearch() throws {
        let double = try BackendDouble(role: .tempo)
        let search = TraceSearch(try #require(TraceBackend(.tempo, url: double.baseURL)), fetcher: HTTPFetcher())
        let found = try search.run(.init(traceQL: #"{ resource.service.name = "payment-api" }"#, window: Self.window)).get()
        #expect(found.hits.map(\.traceID) == [Self.paymentTrace])
        let hit = try #require(found.hits.first)
        #expect(hit.rootService == "payment-api")
        #expect(hit.rootName == "POST /api/payments")
        #expect(hit.startNs == 1_796_119_260_000_000_000)
        #expect(hit.durationNs == 250_000_000)

        let all = try search.run(.init(traceQL: "{}", window: Self.window, limit: 2)).get()
        #expect(all.hits.count == 2)
        // Leading zeros Tempo drops from IDs are put back.
        let email = try search.run(.init(traceQL: #"{ resource.service.name = "email-worker" }"#, window: Self.window)).get()
        #expect(email.hits.map(\.traceID) == [Self.emailTrace])

        guard case .failure(let error) = search.run(.init(traceQL: "{ nonsense", window: Self.window)) else {
            Issue.record("bad TraceQL was accepted")
            return
        }
        #expect(error.description.hasPrefix("HTTP 400 Bad Request from"))
        #expect(error.description.contains("invalid TraceQL query"))
    }

    @Test("Jaeger search: service, operation, tags, duration; none found is an empty list")
    func jaegerSearch() throws {
        let double = try BackendDouble(role: .jaeger)
        let search = TraceSearch(try #require(TraceBackend(.jaeger, url: double.baseURL)), fetcher: HTTPFetcher())
        let found = try search.run(.init(service: "payment-api", window: Self.window)).get()
        let hit = try #require(found.hits.first)
        #expect(found.hits.count == 1)
        #expect(hit.traceID == Self.paymentTrace)
        #expect(hit.rootName == "POST /api/payments")
        #expect(hit.spanCount == 3)
        #expect(hit.errorCount == 2)
        #expect(hit.durationNs == 250_000_000)
        let query = double.requests().first?["query"] as? [String: Any]
        #expect(query?["query.serviceName"] as? String == "payment-api")
        #expect(query?["query.startTimeMin"] as? String == "2026-12-01T09:56:40Z")

        let none = try search.run(.init(service: "payment-api", operation: "no such operation", window: Self.window)).get()
        #expect(none.hits.isEmpty)
        let older = try BackendDouble(role: .jaeger, arguments: ["--no-v3"])
        let viaV1 = TraceSearch(try #require(TraceBackend(.jaeger, url: older.baseURL)), fetcher: HTTPFetcher())
        // An older Jaeger is asked at /api/traces next; the double has no search there (as
        // Jaeger after v2.20): both 404, said in one line.
        guard case .failure(let error) = viaV1.run(.init(service: "order-service", window: Self.window)) else {
            Issue.record("a backend without search found traces")
            return
        }
        #expect(error.description.hasSuffix("has neither /api/v3/traces nor /api/traces (404)"))
        #expect(Self.paths(older).map { $0.split(separator: "?").first.map(String.init) ?? $0 } == ["/api/v3/traces", "/api/traces"])
    }
}
