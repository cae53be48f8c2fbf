import Foundation
import SpanFormats
import SpanModel
import Testing

@Suite("Go stdouttrace span objects")
struct GoDecoderTests {
    @Test("every field of a current (v1.32+) span is read")
    func allFields() throws {
        var g = GoSpanJSON()
        g.name = "POST /pay"
        g.parentSpanID = "00f067aa0ba902b7"
        g.kind = 2
        g.start = "2024-05-01T14:00:00.000000001+02:00"
        g.end = "2024-05-01T14:00:01.5+02:00"
        g.status = #"{"Code":"Error","Description":"deadline exceeded"}"#
        g.events = #"[{"Name":"retry","Attributes":[\#(kv("attempt", "INT64", "2"))],"DroppedAttributeCount":1,"Time":"2024-05-01T12:00:00.1Z"}]"#
        g.links = #"[{"SpanContext":{"TraceID":"11111111111111111111111111111111","SpanID":"2222222222222222","TraceFlags":"01","TraceState":"k=v","Remote":true},"Attributes":null,"DroppedAttributeCount":0}]"#
        let span = try #require(decodeOne(g.compact))
        #expect(span.name == "POST /pay")
        #expect(span.traceID.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(span.spanID.hex == "b7ad6b7169203331")
        #expect(span.parentSpanID.hex == "00f067aa0ba902b7")
        #expect(span.kind == .server)
        #expect(span.startTime == 1_714_564_800_000_000_001)
        #expect(span.duration == 1_499_999_999)
        #expect(span.status == SpanStatus(code: .error, description: "deadline exceeded"))
        #expect(span.events.count == 1)
        #expect(span.events[0].name == "retry")
        #expect(span.events[0].time == 1_714_564_800_100_000_000)
        #expect(span.events[0].attributes == [Attribute("attempt", .int(2))])
        #expect(span.events[0].droppedAttributeCount == 1)
        #expect(span.links == [SpanLink(traceID: TraceID(hex: "11111111111111111111111111111111")!,
                                        spanID: SpanID(hex: "2222222222222222")!, traceState: "k=v")])
        #expect(span.serviceName == "checkout")
        #expect(span.scope.name == "shop")
        #expect(span.scope.version == "1.0")
        #expect(span.traceFlags == 1)
    }

    @Test("keys alike in length and first bytes stay apart, across spans (the key cache)")
    func keysAlike() {
        // Same length, same first 8 or 16 bytes; differing in the middle or only in the last byte.
        let keys = ["http.request.header.a", "http.request.header.b", "http.response.head.a", "http.status_code",
                    "http.status_text", "net.peer", "net.port", "service.instance.id", "service.instance.ix"]
        var text = ""
        for round in 0..<3 {
            var g = GoSpanJSON(name: "s\(round)", spanID: HexDigits.format(UInt64(round + 1), digits: 16))
            g.attributes = "[" + keys.enumerated().map { kv($1, "INT64", "\($0)") }.joined(separator: ",") + "]"
            text += g.compact + "\n"
        }
        let spans = read(text).spans
        #expect(spans.count == 3)
        for span in spans {
            #expect(span.attributes.map(\.key) == keys)
            #expect(span.attributes.map(\.value) == keys.indices.map { .int(Int64($0)) })
        }
    }

    @Test("an all-zero Parent makes a root")
    func root() throws {
        let span = try #require(decodeOne(GoSpanJSON().compact))
        #expect(span.isRoot)
    }

    @Test("every attribute type")
    func attributeTypes() throws {
        var g = GoSpanJSON()
        g.attributes = "[" + [
            kv("b", "BOOL", "true"),
            kv("i", "INT64", "-9007199254740993"),
            kv("f", "FLOAT64", "1e-7"),
            kv("fi", "FLOAT64", "3"),
            kv("s", "STRING", #""caf\u00e9 \"q\" \\ 日本語 😀""#),
            kv("bs", "BOOLSLICE", "[true,false]"),
            kv("is", "INT64SLICE", "[1,-2,9223372036854775807]"),
            kv("fs", "FLOAT64SLICE", "[1.5,-2.25e3]"),
            kv("ss", "STRINGSLICE", #"["a","b"]"#),
            kv("by", "BYTESLICE", #""AQL/""#),
            kv("sl", "SLICE", #"[{"Type":"STRING","Value":"x"},{"Type":"INT64","Value":7}]"#),
            kv("m", "MAP", "[\(kv("k1", "STRING", #""v""#)),\(kv("k2", "BOOL", "false"))]"),
            kv("e", "EMPTY", "null"),
            kv("inv", "INVALID", "{}"),
            kv("future", "Type(42)", #"{"x":1}"#),
            kv("nullslice", "STRINGSLICE", "null"),
        ].joined(separator: ",") + "]"
        let span = try #require(decodeOne(g.compact))
        let a = span.attributes
        #expect(a[key: "b"] == .bool(true))
        #expect(a[key: "i"] == .int(-9_007_199_254_740_993))
        #expect(a[key: "f"] == .double(1e-7))
        #expect(a[key: "fi"] == .double(3))
        #expect(a[key: "s"] == .string("café \"q\" \\ 日本語 😀"))
        #expect(a[key: "bs"] == .boolArray([true, false]))
        #expect(a[key: "is"] == .intArray([1, -2, .max]))
        #expect(a[key: "fs"] == .doubleArray([1.5, -2250]))
        #expect(a[key: "ss"] == .stringArray(["a", "b"]))
        #expect(a[key: "by"] == .bytes([1, 2, 255]))
        #expect(a[key: "sl"] == .array([.string("x"), .int(7)]))
        #expect(a[key: "m"] == .map([Attribute("k1", .string("v")), Attribute("k2", .bool(false))]))
        #expect(a[key: "e"] == .empty)
        #expect(a[key: "inv"] == .empty)
        #expect(a[key: "future"] == .unknown(type: "Type(42)", json: #"{"x":1}"#))
        #expect(a[key: "nullslice"] == .array([]))
        #expect(a.map(\.key) == ["b", "i", "f", "fi", "s", "bs", "is", "fs", "ss", "by", "sl", "m", "e", "inv", "future", "nullslice"])
    }

    @Test("Value before Type, and a value whose JSON disagrees with its Type")
    func keyOrderAndMismatch() throws {
        var g = GoSpanJSON()
        g.attributes = #"[{"Value":{"Value":42,"Type":"INT64"},"Key":"late"},{"Key":"odd","Value":{"Type":"INT64","Value":"12x"}}]"#
        let span = try #require(decodeOne(g.compact))
        #expect(span.attributes[key: "late"] == .int(42))
        #expect(span.attributes[key: "odd"] == .string("12x"))
    }

    @Test("InstrumentationScope wins over InstrumentationLibrary; Library alone is used (v1.0-v1.28)")
    func scopeNames() throws {
        var both = GoSpanJSON()
        both.scope = #"{"Name":"new","Version":"2","SchemaURL":"s","Attributes":[\#(kv("a", "STRING", "\"x\""))]}"#
        both.library = #"{"Name":"old","Version":"1","SchemaURL":""}"#
        let span = try #require(decodeOne(both.compact))
        #expect(span.scope.name == "new")
        #expect(span.scope.attributes == [Attribute("a", .string("x"))])

        var libraryOnly = GoSpanJSON()
        libraryOnly.scope = nil
        libraryOnly.library = #"{"Name":"old","Version":"1","SchemaURL":""}"#
        #expect(decodeOne(libraryOnly.compact)?.scope.name == "old")

        // Reversed key order: Library written first.
        let reversed = both.compact.replacingOccurrences(
            of: #","InstrumentationScope":\#(both.scope!),"InstrumentationLibrary":\#(both.library!)"#,
            with: #","InstrumentationLibrary":\#(both.library!),"InstrumentationScope":\#(both.scope!)"#)
        #expect(reversed != both.compact)
        #expect(decodeOne(reversed)?.scope.name == "new")
    }

    @Test("pretty (tab-indented) and compact layouts decode to the same span")
    func layouts() throws {
        var g = GoSpanJSON()
        g.attributes = "[\(kv("http.method", "STRING", "\"GET\"")),\(kv("n", "INT64", "3"))]"
        g.events = #"[{"Name":"e","Attributes":null,"DroppedAttributeCount":0,"Time":"2024-05-01T12:00:00.1Z"}]"#
        let compact = try #require(decodeOne(g.compact))
        let pretty = try #require(decodeOne(g.pretty))
        #expect(g.pretty.contains("\n\t\"SpanContext\": {\n\t\t\"TraceID\""))
        #expect(compact.isCopy(of: pretty))
        #expect(compact.events == pretty.events)
    }

    @Test("resources and scopes with the same JSON are shared, not copied")
    func sharing() throws {
        let a = GoSpanJSON(), b = GoSpanJSON(spanID: "1111111111111111")
        let result = read(a.compact + "\n" + b.compact + "\n")
        #expect(result.spans.count == 2)
        #expect(result.spans[0].resource === result.spans[1].resource)
        #expect(result.spans[0].scope === result.spans[1].scope)
    }

    @Test("legacy v0.x layout: MessageEvents, StatusCode, TraceState array, array per batch")
    func legacy() throws {
        let text = #"[{"SpanContext":{"TraceID":"0102030405060708090a0b0c0d0e0f10","SpanID":"0102030405060708","TraceFlags":"00","TraceState":[{"Key":"key","Value":{"Type":"STRING","Value":"val"}}],"Remote":false},"Parent":{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":null,"Remote":false},"SpanKind":1,"Name":"/foo","StartTime":"0001-01-01T00:00:00Z","EndTime":"0001-01-01T00:00:00Z","Attributes":[{"Key":"double","Value":{"Type":"FLOAT64","Value":123.456}}],"MessageEvents":[{"Name":"foo","Attributes":null,"DroppedAttributeCount":0,"Time":"0001-01-01T00:00:00Z"}],"Links":null,"StatusCode":"Error","StatusMessage":"interesting","DroppedAttributeCount":2,"DroppedMessageEventCount":3,"DroppedLinkCount":4,"ChildSpanCount":0,"Resource":null,"InstrumentationLibrary":{"Name":"","Version":""}}]"# + "\n"
        let result = read(text)
        #expect(result.problems.isEmpty)
        let span = try #require(result.spans.first)
        #expect(span.name == "/foo")
        #expect(span.traceState == "key=val")
        #expect(span.status == SpanStatus(code: .error, description: "interesting"))
        #expect(span.events.map(\.name) == ["foo"])
        #expect(span.startTime == Timestamp.unknown)
        #expect(span.duration == nil)
        #expect((span.droppedAttributeCount, span.droppedEventCount, span.droppedLinkCount) == (2, 3, 4))
    }

    @Test("status codes as Go's integers (0 Unset, 1 Error, 2 Ok)", arguments: [(0, SpanStatus.Code.unset), (1, .error), (2, .ok)])
    func numericStatus(code: Int, expected: SpanStatus.Code) {
        var g = GoSpanJSON()
        g.status = #"{"Code":\#(code),"Description":""}"#
        #expect(decodeOne(g.compact)?.status.code == expected)
    }

    @Test("JSON objects that are not spans (log records, metrics) are not spans")
    func notSpans() {
        let text = #"{"Timestamp":"2024-05-01T12:00:00Z","Severity":9,"Body":{"Type":"String","Value":"hi"}}"# + "\n"
            + #"{"Resource":[],"ScopeMetrics":[]}"# + "\n" + GoSpanJSON().compact + "\n"
        let result = read(text)
        #expect(result.spans.count == 1)
        #expect(result.problems.isEmpty)
        #expect(result.stats.otherValues == 2)
        #expect(result.stats.nonJSONLines == 2)
    }

    @Test("a bad ID makes the span bad, not the file")
    func badID() {
        var bad = GoSpanJSON()
        bad.traceID = "zz"
        let result = read(bad.compact + "\n" + GoSpanJSON().compact + "\n")
        #expect(result.spans.count == 1)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.reason.contains("TraceID") == true)
    }
}
