import Foundation
import SpanModel
@testable import SpanNetwork
import Testing

/// What the clients ask: the URLs, parameters and time formats of Tempo's and Jaeger's APIs.
struct BackendURLTests {
    let id = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!

    @Test func tempoAsksV2ThenV1WithSecondsAroundTheWindow() throws {
        let tempo = try #require(TraceBackend(.tempo, url: "http://tempo:3200/"))
        #expect(tempo.traceURLs(id).map(\.absoluteString) == [
            "http://tempo:3200/api/v2/traces/4bf92f3577b34da6a3ce929d0e0e4736",
            "http://tempo:3200/api/traces/4bf92f3577b34da6a3ce929d0e0e4736",
        ])
        // Seconds: the start rounded down and the end up, so the window only widens.
        let window = TraceBackend.TimeWindow(start: 1_700_000_000_500_000_000, end: 1_700_000_100_200_000_000)
        #expect(tempo.traceURLs(id, window: window)[0].absoluteString
                == "http://tempo:3200/api/v2/traces/4bf92f3577b34da6a3ce929d0e0e4736?start=1700000000&end=1700000101")
    }

    @Test func aPathPrefixIsKept() throws {
        let proxied = try #require(TraceBackend(.tempo, url: "https://grafana.example/api/datasources/proxy/uid/tempo//"))
        #expect(proxied.traceURLs(id)[0].absoluteString
                == "https://grafana.example/api/datasources/proxy/uid/tempo/api/v2/traces/4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func jaegerAsksV3ThenTheInternalAPI() throws {
        let jaeger = try #require(TraceBackend(.jaeger, url: "http://jaeger:16686"))
        let window = TraceBackend.TimeWindow(start: 1_700_000_000_123_456_789, end: 1_700_000_060_000_000_000)
        #expect(jaeger.traceURLs(id, window: window).map(\.absoluteString) == [
            "http://jaeger:16686/api/v3/traces/4bf92f3577b34da6a3ce929d0e0e4736?startTime=2023-11-14T22:13:20.123456789Z&endTime=2023-11-14T22:14:20Z",
            "http://jaeger:16686/api/traces/4bf92f3577b34da6a3ce929d0e0e4736?start=1700000000123456&end=1700000060000000",
        ])
    }

    @Test func notHTTPIsNoBackend() {
        #expect(TraceBackend(.tempo, url: "tempo:3200") == nil)
        #expect(TraceBackend(.tempo, url: "ftp://tempo") == nil)
        #expect(TraceBackend(.jaeger, url: "http://") == nil)
    }

    @Test func tempoSearchSendsTraceQLWithPlusKept() throws {
        let tempo = try #require(TraceBackend(.tempo, url: "http://tempo:3200"))
        let search = TraceSearch(tempo, fetcher: HTTPFetcher())
        let query = TraceSearch.Query(traceQL: #"{ span.a = "x+y" && duration > 1s }"#,
                                      window: .init(start: 1_700_000_000_000_000_000, end: 1_700_003_600_000_000_000), limit: 5)
        let url = try #require(search.urls(query).first)
        let items = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems)
        #expect(url.path == "/api/search")
        #expect(items.first { $0.name == "q" }?.value == #"{ span.a = "x+y" && duration > 1s }"#)
        #expect(url.absoluteString.contains("x%2By"))
        #expect(items.first { $0.name == "limit" }?.value == "5")
        #expect(items.first { $0.name == "start" }?.value == "1700000000")
        #expect(items.first { $0.name == "end" }?.value == "1700003600")
    }

    @Test func jaegerSearchUsesV3NamesThenV1() throws {
        let jaeger = try #require(TraceBackend(.jaeger, url: "http://jaeger:16686"))
        let search = TraceSearch(jaeger, fetcher: HTTPFetcher())
        let query = TraceSearch.Query(service: "shop", operation: "GET /cart", tags: [("http.status_code", "500")],
                                      minDuration: 250_000_000, window: .init(start: 0, end: 60_000_000_000), limit: 7)
        let urls = search.urls(query)
        let v3 = try #require(URLComponents(url: urls[0], resolvingAgainstBaseURL: false)?.queryItems)
        func value(_ items: [URLQueryItem], _ name: String) -> String? { items.first { $0.name == name }?.value }
        #expect(urls[0].path == "/api/v3/traces")
        #expect(value(v3, "query.serviceName") == "shop")
        #expect(value(v3, "query.operationName") == "GET /cart")
        #expect(value(v3, "query.startTimeMin") == "1970-01-01T00:00:00Z")
        #expect(value(v3, "query.startTimeMax") == "1970-01-01T00:01:00Z")
        #expect(value(v3, "query.durationMin") == "250ms")
        #expect(value(v3, "query.attributes") == #"{"http.status_code":"500"}"#)
        #expect(value(v3, "query.searchDepth") == "7")
        let v1 = try #require(URLComponents(url: urls[1], resolvingAgainstBaseURL: false)?.queryItems)
        #expect(urls[1].path == "/api/traces")
        #expect(value(v1, "service") == "shop")
        #expect(value(v1, "minDuration") == "250ms")
        #expect(value(v1, "limit") == "7")
        #expect(value(v1, "end") == "60000000")
    }

    @Test func goDurationsAreWholeUnits() {
        #expect(TraceSearch.goDuration(3_600_000_000_000) == "1h")
        #expect(TraceSearch.goDuration(90_000_000_000) == "90s")
        #expect(TraceSearch.goDuration(1_500_000_000) == "1500ms")
        #expect(TraceSearch.goDuration(1_500) == "1500ns")
    }

    @Test func rfc3339BeforeTheEpochRoundsDown() {
        #expect(RFC3339Text.format(-1) == "1969-12-31T23:59:59.999999999Z")
        #expect(RFC3339Text.format(0) == "1970-01-01T00:00:00Z")
    }

    @Test func secretsAreNotShown() throws {
        let url = try #require(URL(string: "https://user:hunter2@tempo.example/api?api_key=abc&q=x&access_token=t"))
        let shown = URLText.redacted(url)
        #expect(!shown.contains("hunter2"))
        #expect(!shown.contains("abc"))
        #expect(!shown.contains("=t"))
        #expect(shown.contains("q=x"))
        #expect(shown.contains("user"))
    }

    @Test func onlyHTTPURLsAreURLInputs() {
        #expect(URLText.httpURL("http://127.0.0.1:3200/x.json") != nil)
        #expect(URLText.httpURL("HTTPS://example.com/t.json.gz") != nil)
        #expect(URLText.httpURL("trace.json") == nil)
        #expect(URLText.httpURL("file:///tmp/x") == nil)
        #expect(URLText.httpURL("http:/nohost") == nil)
    }

    @Test func statusLinesSayTheStatusAndTheBackendsWords() throws {
        let url = try #require(URL(string: "http://tempo:3200/api/search"))
        let bad = HTTPFetcher.Response(status: 400, body: Array("invalid TraceQL query: parse error at line 1, col 3: syntax error\n".utf8))
        #expect(HTTPStatusText.line(bad, url: url)
                == "HTTP 400 Bad Request from http://tempo:3200/api/search: invalid TraceQL query: parse error at line 1, col 3: syntax error")
        let page = HTTPFetcher.Response(status: 502, body: Array("<html><body>Bad gateway</body></html>".utf8))
        #expect(HTTPStatusText.line(page, url: nil) == "HTTP 502 Bad Gateway")
        let busy = HTTPFetcher.Response(status: 503, headers: ["retry-after": "5"], body: [])
        #expect(HTTPStatusText.line(busy, url: nil) == "HTTP 503 Service Unavailable (retry after 5 s)")
        let denied = HTTPFetcher.Response(status: 401, body: Array("no org id".utf8))
        #expect(HTTPStatusText.line(denied, url: nil).hasPrefix("HTTP 401 Unauthorized: no org id (credentials:"))
    }
}

/// Queries as typed in the viewer (`R`).
struct TypedQueryTests {
    let window = TraceBackend.TimeWindow(start: 0, end: 1)

    @Test func tempoTakesTraceQLAsItIs() throws {
        #expect(try TraceSearch.query(typed: "  ", for: .tempo, window: window).get().traceQL == "{}")
        #expect(try TraceSearch.query(typed: #"{ status = error }"#, for: .tempo, window: window).get().traceQL == "{ status = error }")
    }

    @Test func jaegerTakesAServiceThenWords() throws {
        let query = try TraceSearch.query(typed: #"shop op="GET /cart" http.status_code=500 min=100ms max=2s"#, for: .jaeger, window: window).get()
        #expect(query.service == "shop")
        #expect(query.operation == "GET /cart")
        #expect(query.tags.map(\.key) == ["http.status_code"])
        #expect(query.tags.map(\.value) == ["500"])
        #expect(query.minDuration == 100_000_000)
        #expect(query.maxDuration == 2_000_000_000)
        #expect(try TraceSearch.query(typed: "service=shop", for: .jaeger, window: window).get().service == "shop")
    }

    @Test func jaegerSaysWhatIsWrong() {
        func failure(_ text: String) -> String? {
            if case .failure(let error) = TraceSearch.query(typed: text, for: .jaeger, window: window) { return error.description }
            return nil
        }
        #expect(failure("op=x")?.hasPrefix("Jaeger searches one service") == true)
        #expect(failure("shop cart")?.contains("'cart' is neither") == true)
        #expect(failure("shop min=soon")?.contains("min takes a duration") == true)
        #expect(failure("shop =x")?.contains("no key") == true)
    }

    @Test func durationsAsTyped() {
        #expect(DurationParsing.nanoseconds("1h30m") == 5_400_000_000_000)
        #expect(DurationParsing.nanoseconds("1.5s") == 1_500_000_000)
        #expect(DurationParsing.nanoseconds("250µs") == 250_000)
        #expect(DurationParsing.nanoseconds("2d") == 172_800_000_000_000)
        #expect(DurationParsing.nanoseconds("5") == nil)
        #expect(DurationParsing.nanoseconds("-5s") == nil)
        #expect(DurationParsing.nanoseconds("99999999999999d") == nil)
    }
}
