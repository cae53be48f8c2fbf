import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanviewApp
import Synchronization
import Testing

/// The viewer asking a backend: `/` with an ID that is not loaded starts a fetch (one more
/// input), whose arrival opens the trace; `R` searches and the Found view lists the hits.
struct BackendTests {
    /// The fetches and searches the app asked for.
    final class Calls: Sendable {
        let fetched = Mutex<[TraceID]>([])
        let searched = Mutex<[String]>([])
    }

    /// The payment trace of the samples, delivered as a fetch would deliver it.
    static func delivery(source: Int) throws -> [Inbox.Delivery] {
        let loaded = try InputLoader.load([AppSession.samples.appendingPathComponent("payment-timeout.json").path])
        var batch = ReadBatch()
        batch.spans = loaded.store.traces.flatMap(\.spans)
        batch.stats.spans = batch.spans.count
        batch.end = .complete
        return [Inbox.Delivery(source: source, batches: [batch])]
    }

    static let payment = TraceID(hex: "38f2fd9beffee2e4f4aad95f57d89868")!

    func session(calls: Calls) -> AppSession {
        var session = AppSession(inputs: LoadedInputs(), width: 120, height: 30)
        session.app.useBackend("Tempo at http://tempo:3200") { id in
            // The app has no other input: each fetch is the next source number.
            calls.fetched.withLock { fetched in
                fetched.append(id)
                return fetched.count - 1
            }
        }
        return session
    }

    @Test func slashWithAnUnloadedIDFetchesItAndOpensItWhenItArrives() throws {
        let calls = Calls()
        var session = session(calls: calls)
        #expect(session.statusLine.contains("type / and a trace ID to fetch it from Tempo at http://tempo:3200"))
        #expect(session.screen.contains("/ and a trace ID fetches it from Tempo at http://tempo:3200 · R searches it"))
        session.type("/")
        session.type("trace_id=" + Self.payment.hex)
        session.press(.enter)
        #expect(calls.fetched.withLock { $0 } == [Self.payment])
        #expect(session.statusLine.contains("asking Tempo at http://tempo:3200 for trace \(Self.payment.hex)"))
        #expect(session.app.inputs.map(\.name) == ["tempo:\(Self.payment.hex)"])
        // Asking again while it is on its way does not ask twice.
        session.type("/" + Self.payment.hex)
        session.press(.enter)
        #expect(calls.fetched.withLock { $0.count } == 1)

        session.app.ingest(try Self.delivery(source: 0), now: 1)
        #expect(session.app.screen == .trace)
        #expect(session.lines.first?.hasPrefix("Trace \(Self.payment.hex)") == true)
        #expect(session.statusLine.contains("fetched trace \(Self.payment.hex): 7 spans"))
    }

    @Test func aShortPrefixIsNotSentToTheBackend() {
        let calls = Calls()
        var session = session(calls: calls)
        session.type("/38f2fd")
        session.press(.enter)
        #expect(calls.fetched.withLock { $0 }.isEmpty)
        #expect(session.statusLine.contains("give 16 to 32 digits to ask Tempo"))
    }

    @Test func aFailedFetchIsSaid() {
        let calls = Calls()
        var session = session(calls: calls)
        session.type("/0123456789abcdef0123456789abcdef")
        session.press(.enter)
        var batch = ReadBatch()
        batch.end = .failed("trace 0123456789abcdef0123456789abcdef not found in Tempo at http://tempo:3200")
        session.app.ingest([Inbox.Delivery(source: 0, batches: [batch])], now: 1)
        #expect(session.app.screen == .list)
        #expect(session.statusLine.contains("not found in Tempo"))
    }

    @Test func rSearchesAndTheFoundViewOpensOrFetches() throws {
        let calls = Calls()
        var session = session(calls: calls)
        let other = TraceID(hex: "0af7651916cd43dd8448eb211c80319c")!
        session.app.useBackendSearch(hint: "TraceQL") { query in
            calls.searched.withLock { $0.append(query) }
            return .success([
                TraceHit(traceID: other, rootService: "payment-api", rootName: "POST /api/payments",
                         startNs: 1_796_119_260_000_000_000, durationNs: 250_000_000, matchedSpans: 2),
                TraceHit(traceID: Self.payment, rootService: "payment-api", rootName: "POST /api/payments\u{1B}[31m",
                         startNs: 1_796_119_200_000_000_000, durationNs: 0),
            ])
        }
        session.type("R")
        #expect(session.statusLine.contains("search Tempo: "))
        session.type("{ status = error }")
        session.press(.enter)
        session.app.finishBackgroundWork()
        #expect(calls.searched.withLock { $0 } == ["{ status = error }"])
        #expect(session.app.overlay == .found)
        let screen = session.screen
        #expect(screen.contains("Found in Tempo at http://tempo:3200: { status = error }"))
        #expect(screen.contains("\(other.hex)  2026-12-01 10:01:00.000      250ms      2  payment-api: POST /api/payments"), "\(screen)")
        #expect(screen.contains("<1ms"))
        #expect(!screen.contains("\u{1B}"))   // the backend's text is escaped
        #expect(session.statusLine.hasSuffix("trace 1/2"))

        // Enter on a trace that is not loaded fetches it; it opens when it arrives.
        session.press(.down, .enter)
        #expect(calls.fetched.withLock { $0 } == [Self.payment])
        session.app.ingest(try Self.delivery(source: 0), now: 1)
        #expect(session.app.screen == .trace)
        // R shows what was found again, the loaded one marked; Enter on it opens it at once.
        session.type("R")
        #expect(session.app.overlay == .found)
        session.press(.enter)
        #expect(session.app.screen == .trace)
        #expect(session.app.overlay == nil)
        #expect(calls.fetched.withLock { $0 } == [Self.payment])
        session.type("R")
        session.press(.up, .enter)
        #expect(calls.fetched.withLock { $0 } == [Self.payment, other])
    }

    @Test func aSearchThatFailsOrFindsNothingIsSaid() {
        let calls = Calls()
        var session = session(calls: calls)
        let answers = Mutex([Result<[TraceHit], BackendSearchFailure>.failure(BackendSearchFailure("HTTP 400 Bad Request: invalid TraceQL query")), .success([])])
        session.app.useBackendSearch(hint: "TraceQL") { _ in answers.withLock { $0.removeFirst() } }
        session.type("R{")
        session.press(.enter)
        session.app.finishBackgroundWork()
        #expect(session.statusLine.contains("HTTP 400 Bad Request: invalid TraceQL query"))
        #expect(session.app.overlay == nil)
        session.type("R")
        session.press(.enter)
        session.app.finishBackgroundWork()
        #expect(session.statusLine.contains("found no trace for {"))
    }

    @Test func withoutABackendRSaysHowToNameOne() {
        var session = AppSession(inputs: LoadedInputs(), width: 100, height: 24)
        session.type("R")
        #expect(session.statusLine.contains("start spanview with --tempo URL or --jaeger URL"))
    }
}
