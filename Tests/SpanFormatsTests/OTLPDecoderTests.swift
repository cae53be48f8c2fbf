import SpanFormats
import SpanModel
import Testing

@Suite("OTLP/JSON")
struct OTLPDecoderTests {
    static let line = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},"scopeSpans":[{"scope":{"name":"lib","version":"2.0"},"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173","name":"GET /cart","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,"flags":769,"attributes":[{"key":"s","value":{"stringValue":"x"}},{"key":"i","value":{"intValue":"9007199254740993"}},{"key":"n","value":{"intValue":42}},{"key":"d","value":{"doubleValue":1.5}},{"key":"b","value":{"boolValue":true}},{"key":"by","value":{"bytesValue":"AQL/"}},{"key":"a","value":{"arrayValue":{"values":[{"stringValue":"p"},{"intValue":"7"}]}}},{"key":"m","value":{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":false}}]}}},{"key":"e","value":{}}],"events":[{"timeUnixNano":"1544712660500000000","name":"retry","attributes":[{"key":"attempt","value":{"intValue":"2"}}]}],"links":[{"traceId":"11111111111111111111111111111111","spanId":"2222222222222222","attributes":[]}],"status":{"code":2,"message":"boom"}}]}]}]}"#

    @Test("every field of a span, and every AnyValue type")
    func fields() throws {
        let span = try #require(decodeOne(Self.line))
        #expect(span.traceID.hex == "5b8efff798038103d269b633813fc60c")
        #expect(span.spanID.hex == "eee19b7ec3c1b174")
        #expect(span.parentSpanID.hex == "eee19b7ec3c1b173")
        #expect(span.parentIsRemote)
        #expect(span.name == "GET /cart")
        #expect(span.kind == .server)
        #expect(span.startTime == 1_544_712_660_000_000_000)
        #expect(span.duration == 1_000_000_000)
        #expect(span.status == SpanStatus(code: .error, description: "boom"))
        #expect(span.serviceName == "checkout")
        #expect(span.scope.name == "lib" && span.scope.version == "2.0")
        let a = span.attributes
        #expect(a[key: "s"] == .string("x"))
        #expect(a[key: "i"] == .int(9_007_199_254_740_993))
        #expect(a[key: "n"] == .int(42))
        #expect(a[key: "d"] == .double(1.5))
        #expect(a[key: "b"] == .bool(true))
        #expect(a[key: "by"] == .bytes([1, 2, 255]))
        #expect(a[key: "a"] == .array([.string("p"), .int(7)]))
        #expect(a[key: "m"] == .map([Attribute("k", .bool(false))]))
        #expect(a[key: "e"] == .empty)
        #expect(span.events.map(\.name) == ["retry"])
        #expect(span.events.first?.attributes == [Attribute("attempt", .int(2))])
        #expect(span.events.first?.time == 1_544_712_660_500_000_000)
        #expect(span.links.first?.spanID.hex == "2222222222222222")
    }

    @Test("Jaeger api_v3's result wrapper, enum names, and the legacy instrumentationLibrarySpans key")
    func variants() throws {
        let wrapped = #"{"result":{"resourceSpans":[{"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"x","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1","endTimeUnixNano":"2","status":{"code":"STATUS_CODE_OK"}}]}]}]}}"#
        let span = try #require(decodeOne(wrapped))
        #expect(span.kind == .client)
        #expect(span.scope.name == "old")
        #expect(span.status.code == .ok)
    }

    @Test("OTLP lines and Go stdouttrace spans in one stream are both read")
    func mixed() {
        let reader = SpanStreamReader(source: "mixed")
        let text = Self.line + "\n" + GoSpanJSON().compact + "\n" + #"{"resourceLogs":[]}"# + "\n"
        let spans = reader.feed(Array(text.utf8)).spans + reader.finish().spans
        #expect(spans.map(\.name) == ["GET /cart", "op"])
        #expect(reader.decoder.formats == [.otlp, .go])
        #expect(reader.stats.otherValues == 1)
    }

    @Test("a bad ID makes that line bad, not the file")
    func badID() {
        let bad = Self.line.replacingFirst("5B8EFFF798038103D269B633813FC60C", with: "not-hex")
        let result = read(bad + "\n" + Self.line + "\n")
        #expect(result.spans.count == 1)
        #expect(result.problems.first?.reason.contains("traceId") == true)
    }
}
