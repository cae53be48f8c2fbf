import SpanFormats
import SpanModel
import Testing

/// Inputs an attacker (or a broken exporter) writes: repeated keys, deep nesting. Each must
/// decode to intact details or be reported and skipped, never misalign or overflow.
@Suite("Hostile input")
struct HostileInputTests {
    private func otlpLine(resource: String = #"{"key":"service.name","value":{"stringValue":"svc"}}"#,
                          span: String) -> String {
        #"{"resourceSpans":[{"resource":{"attributes":[\#(resource)]},"scopeSpans":[{"scope":{"name":"lib"},"spans":[\#(span)]}]}]}"#
    }

    private func otlpSpan(_ id: String, extra: String = "") -> String {
        #"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"\#(id)","name":"op\#(id.suffix(1))","startTimeUnixNano":"1","endTimeUnixNano":"2"\#(extra)}"#
    }

    @Test("a Go attribute value with two Value keys keeps one value, in resource and span attributes")
    func goTwoValues() throws {
        let twice = #"{"Key":"a","Value":{"Type":"STRING","Value":"first","Value":"second"}}"#
        var span = GoSpanJSON()
        span.resource = "[" + twice + "," + kv("service.name", "STRING", #""svc""#) + "]"
        span.attributes = "[" + twice + "," + kv("after", "INT64", "7") + "]"
        span.events = #"[{"Name":"e","Attributes":["# + twice + "," + kv("n", "BOOL", "true") + #"],"DroppedAttributeCount":0,"Time":"2024-05-01T12:00:00.1Z"}]"#
        for text in [span.compact, span.pretty] {
            let result = read(text + "\n")
            #expect(result.problems.isEmpty)
            let s = try #require(result.spans.first)
            #expect(s.details.isIntact)
            #expect(s.resource.attributes == [Attribute("a", .string("first")), Attribute("service.name", .string("svc"))])
            #expect(s.attributes == [Attribute("a", .string("first")), Attribute("after", .int(7))])
            #expect(s.events.first?.attributes == [Attribute("a", .string("first")), Attribute("n", .bool(true))])
        }
    }

    @Test("an OTLP AnyValue with two value keys keeps the first, wherever attributes are")
    func otlpTwoValues() throws {
        let twice = #"{"key":"a","value":{"stringValue":"x","intValue":"5"}},{"key":"b","value":{"boolValue":true}}"#
        let extra = #","attributes":[\#(twice)],"events":[{"name":"e","timeUnixNano":"1","attributes":[\#(twice)]}],"links":[{"traceId":"11111111111111111111111111111111","spanId":"2222222222222222","attributes":[\#(twice)]}]"#
        let line = otlpLine(resource: twice, span: otlpSpan("b7ad6b7169203331", extra: extra))
        let result = read(line + "\n")
        #expect(result.problems.isEmpty)
        let s = try #require(result.spans.first)
        let expected = [Attribute("a", .string("x")), Attribute("b", .bool(true))]
        #expect(s.details.isIntact)
        #expect(s.resource.attributes == expected)
        #expect(s.attributes == expected)
        #expect(s.events.first?.attributes == expected)
        #expect(s.links.first?.attributes == expected)
    }

    @Test("list keys given twice keep both lists, counted: OTLP attributes, events, array values")
    func otlpRepeatedLists() throws {
        let extra = #","attributes":[{"key":"a","value":{"arrayValue":{"values":[{"intValue":"1"}],"values":[{"intValue":"2"},{"intValue":"3"}]}}}],"attributes":[{"key":"b","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}],"values":[]}}}],"events":[{"name":"e1","timeUnixNano":"1"}],"events":[{"name":"e2","timeUnixNano":"2","attributes":[{"key":"x","value":{}}],"attributes":[{"key":"y","value":{}}]}]"#
        let result = read(otlpLine(span: otlpSpan("b7ad6b7169203331", extra: extra)) + "\n")
        let s = try #require(result.spans.first)
        #expect(s.details.isIntact)
        #expect(s.attributes == [Attribute("a", .array([.int(1), .int(2), .int(3)])),
                                 Attribute("b", .map([Attribute("k", .string("v"))]))])
        #expect(s.events.map(\.name) == ["e1", "e2"])
        #expect(s.events.last?.attributes.map(\.key) == ["x", "y"])
    }

    @Test("list keys given twice in Jaeger, Zipkin and Python spans keep both lists")
    func otherRepeatedLists() throws {
        let jaeger = #"{"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"b7ad6b7169203331","operationName":"op","startTime":1,"duration":2,"tags":[{"key":"a","type":"string","value":"1"}],"tags":[{"key":"b","type":"bool","value":true}],"logs":[{"timestamp":1,"fields":[{"key":"event","type":"string","value":"x"}],"fields":[{"key":"k","type":"int64","value":3}]}],"logs":[{"timestamp":2,"fields":[]}]}],"processes":{}}]}"#
        let zipkin = #"[{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"b7ad6b7169203332","name":"z","timestamp":1,"duration":2,"annotations":[{"timestamp":1,"value":"a1"}],"annotations":[{"timestamp":2,"value":"a2"}],"tags":{"t":"1"},"tags":{"u":"2"}}]"#
        let python = #"{"name":"p","context":{"trace_id":"0x0af7651916cd43dd8448eb211c80319c","span_id":"0xb7ad6b7169203333","trace_state":"[]"},"kind":"SpanKind.INTERNAL","parent_id":null,"start_time":"2024-05-01T12:00:00.000000Z","end_time":"2024-05-01T12:00:00.100000Z","status":{"status_code":"UNSET"},"attributes":{"a":1},"attributes":{"b":2},"events":[{"name":"e","timestamp":"2024-05-01T12:00:00.050000Z","attributes":{"x":1},"attributes":{"y":2}}],"links":[],"resource":{"attributes":{"service.name":"py"},"schema_url":""}}"#
        let result = read(jaeger + "\n" + zipkin + "\n" + python + "\n")
        #expect(result.problems.isEmpty)
        #expect(result.spans.count == 3)
        for span in result.spans { #expect(span.details.isIntact, "\(span.name)") }
        let byName = Dictionary(result.spans.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byName["op"]?.attributes.map(\.key) == ["a", "b"])
        #expect(byName["op"]?.events.count == 2)
        #expect(byName["op"]?.events.first?.attributes.map(\.key) == ["event", "k"])
        #expect(byName["z"]?.events.map(\.name) == ["a1", "a2"])
        #expect(byName["z"]?.attributes.map(\.key) == ["t", "u"])
        #expect(byName["p"]?.attributes.map(\.key) == ["a", "b"])
        #expect(byName["p"]?.events.first?.attributes.map(\.key) == ["x", "y"])
    }

    /// `depth` nested JSON arrays around `inner`.
    private func nested(_ depth: Int, _ inner: String = "1") -> String {
        String(repeating: "[", count: depth) + inner + String(repeating: "]", count: depth)
    }

    @Test("values nested 40,000 deep are reported and skipped in every format; the spans around them are kept",
          arguments: ["go-generic", "go-slice", "go-map", "otlp-array", "otlp-kvlist", "otlp-result", "zipkin", "python", "jaeger"])
    func deepNesting(kind: String) throws {
        let depth = 40_000
        let bad: String
        switch kind {
        case "go-generic":
            var s = GoSpanJSON(name: "bad", spanID: "00000000000000bb")
            s.attributes = "[" + kv("deep", "ARRAY", nested(depth)) + "]"
            bad = s.compact
        case "go-slice":
            var s = GoSpanJSON(name: "bad", spanID: "00000000000000bb")
            let open = String(repeating: #"[{"Type":"SLICE","Value":"#, count: depth)
            let close = String(repeating: "}]", count: depth)
            s.attributes = "[" + kv("deep", "SLICE", open + "null" + close) + "]"
            bad = s.compact
        case "go-map":
            var s = GoSpanJSON(name: "bad", spanID: "00000000000000bb")
            let open = String(repeating: #"[{"Key":"k","Value":{"Type":"MAP","Value":"#, count: depth)
            let close = String(repeating: "}}]", count: depth)
            s.attributes = "[" + kv("deep", "MAP", open + "null" + close) + "]"
            bad = s.compact
        case "otlp-array":
            let open = String(repeating: #"{"arrayValue":{"values":["#, count: depth)
            let close = String(repeating: "]}}", count: depth)
            bad = otlpLine(span: otlpSpan("00000000000000bb", extra: #","attributes":[{"key":"d","value":"# + open + close + "}]"))
        case "otlp-kvlist":
            let open = String(repeating: #"{"kvlistValue":{"values":[{"key":"k","value":"#, count: depth)
            let close = String(repeating: "}]}}", count: depth)
            bad = otlpLine(span: otlpSpan("00000000000000bb", extra: #","attributes":[{"key":"d","value":"# + open + "{}" + close + "}]"))
        case "otlp-result":
            bad = String(repeating: #"{"result":"#, count: depth) + "{}" + String(repeating: "}", count: depth)
        case "zipkin":
            bad = #"[{"traceId":"0af7651916cd43dd8448eb211c80319c","id":"00000000000000bb","name":"bad","tags":{"d":"# + nested(depth) + "}}]"
        case "python":
            bad = #"{"name":"bad","context":{"trace_id":"0x0af7651916cd43dd8448eb211c80319c","span_id":"0x00000000000000bb"},"attributes":{"d":"# + nested(depth) + "}}"
        default:
            bad = #"{"data":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spans":[{"traceID":"0af7651916cd43dd8448eb211c80319c","spanID":"00000000000000bb","operationName":"bad","tags":[{"key":"d","type":"string","value":"# + nested(depth) + "}]}]}]}"
        }
        let before = GoSpanJSON(name: "before", spanID: "00000000000000aa").compact
        let after = GoSpanJSON(name: "after", spanID: "00000000000000cc").compact
        let result = read(before + "\n" + bad + "\n" + after + "\n")
        #expect(result.spans.map(\.name) == ["before", "after"])
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.reason.contains("nested deeper than") == true)
    }

    @Test("nesting up to the limit is read whole")
    func nestingWithinLimit() throws {
        var s = GoSpanJSON()
        s.attributes = "[" + kv("deep", "ARRAY", nested(100)) + "]"
        let span = try #require(decodeOne(s.compact))
        var value = try #require(span.attributes.first?.value)
        var levels = 0
        while case .array(let inner) = value, let first = inner.first {
            value = first
            levels += 1
        }
        #expect(levels == 100)
        #expect(value == .int(1))
    }
}

@Suite("A value that never ends")
struct EndlessValueTests {
    @Test("is skipped once longer than the limit, holding no more than that; reading goes on after it", arguments: [false, true])
    func bounded(newlines: Bool) {
        let reader = SpanStreamReader(source: "pipe", chunkSize: 4096)
        reader.maxValueBytes = 1 << 20
        var spans: [Span] = []
        var problems: [ReadProblem] = []
        var most = 0
        func feed(_ text: String) {
            let batch = reader.feed(Array(text.utf8))
            spans += batch.spans
            problems += batch.problems
            most = max(most, reader.heldBytes)
        }
        feed(GoSpanJSON(name: "before", spanID: "00000000000000a1").compact + "\n")
        feed(#"{"Name":"endless","Attributes":[{"Key":"k","Value":{"Type":"STRING","Value":""#)
        let piece = String(repeating: newlines ? "abcdefg\\n" : "abcdefgh", count: 8 << 10)   // 64 KiB
        for _ in 0..<64 { feed(piece) }   // 4 MiB without an end
        feed("\n" + GoSpanJSON(name: "after", spanID: "00000000000000a2").compact + "\n")
        let last = reader.finish()
        spans += last.spans
        problems += last.problems
        #expect(spans.map(\.name) == ["before", "after"])
        #expect(problems.count == 1)
        #expect(problems.first?.reason.contains("longer than 1 MiB") == true)
        #expect(most <= (1 << 20) + (128 << 10))
    }
}

@Suite("Many bad values")
struct ManyBadValuesTests {
    @Test("the first 10,000 are listed, all are counted, and reading goes on")
    func listedAndCounted() {
        let bad = String(repeating: #"{"Name":"x",@@}"# + "\n", count: SpanStreamReader.maxListedProblems + 500)
        let good = GoSpanJSON(name: "after", spanID: "00000000000000a9").compact + "\n"
        let result = read(bad + good)
        #expect(result.problems.count == SpanStreamReader.maxListedProblems)
        #expect(result.stats.skipped == SpanStreamReader.maxListedProblems + 500)
        #expect(result.spans.map(\.name) == ["after"])
    }
}
