import Foundation
import SpanFormats
import SpanModel
import Testing

/// `JaegerJSONWriter` and `ZipkinWriter`: what they write reads back through the normal
/// reader as the same spans, as far as each format holds them (`asJaeger`, `asZipkin` say how
/// far), and `losses(in:)` says what did not fit.
@Suite("Jaeger and Zipkin writers")
struct JaegerZipkinWritersTests {
    /// A span read back, without the tags the writer made from its fields (`reserved`).
    static func withoutReserved(_ span: Span, _ reserved: Set<String>) -> Span {
        var copy = span
        copy.details = SpanDetails(attributes: span.attributes.filter { !reserved.contains($0.key) }, events: span.events,
                                   links: span.links)
        return copy
    }

    static func summary(_ span: Span) -> String {
        WritersTests.summary(span) + "/\(span.parentIsFollowsFrom)"
    }

    static func jaegerText(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        JaegerJSONWriter.write(spans, into: &out)
        return out
    }

    static func zipkinText(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        ZipkinWriter.write(spans, into: &out)
        return out
    }

    /// The spans in the order the Jaeger document holds them: trace by trace, in order of
    /// each trace's first span.
    static func byTrace(_ spans: [Span]) -> [Span] {
        var order: [TraceID: Int] = [:]
        for span in spans where order[span.traceID] == nil { order[span.traceID] = order.count }
        return spans.enumerated().sorted { (order[$0.element.traceID]!, $0.offset) < (order[$1.element.traceID]!, $1.offset) }
            .map(\.element)
    }

    /// Writes `spans` with both writers, reads each back, and expects the spans each format holds.
    static func expectRoundTrips(_ spans: [Span], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let jaeger = readBytes(jaegerText(spans))
        #expect(jaeger.problems.isEmpty, "Jaeger: \(jaeger.problems)", sourceLocation: sourceLocation)
        try #require(jaeger.spans.count == spans.count, sourceLocation: sourceLocation)
        for (a, b) in zip(byTrace(spans), jaeger.spans) {
            #expect(summary(ForeignForms.asJaeger(a)) == summary(withoutReserved(b, ForeignForms.jaegerReserved)), "Jaeger", sourceLocation: sourceLocation)
        }
        let zipkin = readBytes(zipkinText(spans))
        #expect(zipkin.problems.isEmpty, "Zipkin: \(zipkin.problems)", sourceLocation: sourceLocation)
        try #require(zipkin.spans.count == spans.count, sourceLocation: sourceLocation)
        for (a, b) in zip(spans, zipkin.spans) {
            #expect(summary(ForeignForms.asZipkin(a)) == summary(withoutReserved(b, ForeignForms.zipkinReserved)), "Zipkin", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Round trips

    @Test("every sample written as Jaeger JSON and as Zipkin v2 reads back as the same spans, as far as each holds them",
          arguments: WritersTests.sampleFiles)
    func sampleRoundTrip(file: String) throws {
        let original = readBytes(try WritersTests.bytes(of: file))
        #expect(original.problems.isEmpty)
        #expect(!original.spans.isEmpty)
        try Self.expectRoundTrips(original.spans)
        // Written again from what was read back, the text is the same (nothing drifts).
        let jaeger = Self.jaegerText(original.spans)
        #expect(Self.jaegerText(readBytes(jaeger).spans) == jaeger)
        let zipkin = Self.zipkinText(original.spans)
        #expect(Self.zipkinText(readBytes(zipkin).spans) == zipkin)
    }

    @Test("edge values (every attribute type, controls, quotes, NaN, extreme ints, nesting, unknown times) survive both writers")
    func edgeValues() throws {
        try Self.expectRoundTrips([WritersTests.edgeSpan()])
    }

    /// Spans of two traces (one with a 64-bit ID), an orphan, a duplicate, links, a FOLLOWS_FROM parent.
    static func family() -> [Span] {
        let trace = TraceID(high: 0xAB, low: 0xCD), short = TraceID(high: 0, low: 0x1234)
        let api = Resource(attributes: [Attribute("service.name", .string("api")), Attribute("host", .string("h1"))])
        let db = Resource(attributes: [Attribute("service.name", .string("db"))])
        let scope = InstrumentationScope(name: "lib", version: "1.2")
        let root = Span(traceID: trace, spanID: SpanID(1), name: "GET /", kind: .server, startTime: 1_000_000_123_456,
                        endTime: 1_000_900_000_999, attributes: [Attribute("http.status_code", .int(500))],
                        events: [SpanEvent(name: "exception", time: 1_000_000_500_001,
                                           attributes: [Attribute("exception.message", .string("boom \"quoted\""))])],
                        status: SpanStatus(code: .error, description: "boom"), traceState: "k=v", isRemote: true,
                        resource: api, scope: scope)
        let child = Span(traceID: trace, spanID: SpanID(2), parentSpanID: SpanID(1), name: "query", kind: .client,
                         startTime: 1_000_000_200_000, endTime: 1_000_000_300_000,
                         attributes: [Attribute("peer.service", .string("postgres")), Attribute("db.rows", .double(2))],
                         links: [SpanLink(traceID: short, spanID: SpanID(9))], status: SpanStatus(code: .ok), resource: api, scope: scope)
        let follower = Span(traceID: trace, spanID: SpanID(3), parentSpanID: SpanID(1), name: "async", kind: .producer,
                            startTime: 1_000_000_400_000, endTime: 1_000_002_000_000,
                            links: [SpanLink(traceID: trace, spanID: SpanID(2), attributes: [Attribute("why", .string("x"))])],
                            parentIsFollowsFrom: true, resource: db)
        let orphan = Span(traceID: short, spanID: SpanID(10), parentSpanID: SpanID(0xFFFF), name: "orphan", kind: .consumer,
                          startTime: 5_000, endTime: 4_000, resource: db)
        let work = Span(traceID: trace, spanID: SpanID(4), parentSpanID: SpanID(2), name: "work", kind: .internal,
                            startTime: 1_000_000_250_000, endTime: 1_000_000_260_000, resource: api, scope: scope)
        return [root, child, orphan, follower, child, work]
    }

    @Test("links (Jaeger FOLLOWS_FROM), a FOLLOWS_FROM parent, orphans, duplicates, two traces and a 64-bit trace ID round trip")
    func family() throws {
        let spans = Self.family()
        try Self.expectRoundTrips(spans)
        let jaeger = readBytes(Self.jaegerText(spans)).spans
        // Trace by trace: the 128-bit trace's five spans, then the orphan's.
        #expect(jaeger.map(\.spanID.value) == [1, 2, 3, 2, 4, 10])
        #expect(jaeger[2].parentIsFollowsFrom && jaeger[2].parentSpanID == SpanID(1))
        #expect(jaeger[2].links.map(\.spanID) == [SpanID(2)])
        #expect(jaeger[0].scope.name == "lib" && jaeger[0].scope.version == "1.2" && jaeger[0].traceState == "k=v")
        #expect(jaeger[0].status == SpanStatus(code: .error, description: "boom") && jaeger[1].status.code == .ok)
        #expect(jaeger[5].traceID == TraceID(high: 0, low: 0x1234) && jaeger[5].parentSpanID == SpanID(0xFFFF))
        #expect(jaeger[1].attributes[key: "db.rows"] == .double(2))
        let zipkin = readBytes(Self.zipkinText(spans)).spans
        #expect(zipkin[0].isRemote && zipkin[0].status == SpanStatus(code: .error, description: "boom"))
        #expect(zipkin[1].attributes[key: "db.rows"] == .string("2") && zipkin[1].links.isEmpty)
        #expect(zipkin[3].parentSpanID == SpanID(1) && !zipkin[3].parentIsFollowsFrom)
        #expect(zipkin[5].kind == .unspecified)
    }

    @Test("strings needing escapes: quotes, backslashes, control characters, invalid UTF-8 (made U+FFFD), emoji")
    func escapes() throws {
        // Invalid UTF-8 cannot reach a writer as such: the reader refuses it inside a JSON
        // string, and a Swift string made from such bytes holds U+FFFD, written \ufffd.
        let name = String(decoding: Array("bad ".utf8) + [0xFF, 0xC3] + Array(" 🇯🇵 \"q\" \\ \u{01}".utf8), as: UTF8.self)
        #expect(name == "bad \u{FFFD}\u{FFFD} 🇯🇵 \"q\" \\ \u{01}")
        let span = Span(traceID: TraceID(high: 0, low: 0xABCD), spanID: SpanID(1), name: name, startTime: 1_735_689_600_123_456_789,
                        endTime: 1_735_689_601_000_000_000, attributes: [Attribute("k\"\n", .string("v\t\u{1F}👍"))])
        try Self.expectRoundTrips([span])
        for text in [Self.jaegerText([span]), Self.zipkinText([span])] {
            let s = String(decoding: text, as: UTF8.self)
            #expect(s.contains(#""bad \ufffd\ufffd 🇯🇵 \"q\" \\ \u0001""#))
            #expect(s.contains(#""k\"\n""#) && s.contains(#""v\t\u001f👍""#))
            #expect(s.filter { $0 == "\n" }.count == 1 && s.last == "\n")
            _ = try JSONSerialization.jsonObject(with: Data(text))
        }
    }

    @Test("each fuzz-write find: every span written by the Jaeger and Zipkin writers reads back as each holds it",
          arguments: WritersTests.writeFinds)
    func writeFind(file: String) throws {
        let original = readBytes(Array(try Data(contentsOf: WritersTests.finds.appendingPathComponent(file))))
        for span in original.spans { try Self.expectRoundTrips([span]) }
    }

    @Test("no spans: nothing written")
    func empty() {
        #expect(Self.jaegerText([]).isEmpty && Self.zipkinText([]).isEmpty)
    }

    // MARK: - The documents

    @Test("Jaeger JSON has the query API's structure: traces, processes shared, references, typed tags, logs")
    func jaegerStructure() throws {
        let spans = Self.family() + [WritersTests.edgeSpan()]
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Self.jaegerText(spans))) as? [String: Any])
        #expect(object["total"] as? Int == 0 && object["limit"] as? Int == 0 && object["offset"] as? Int == 0)
        #expect(object["errors"] is NSNull)
        let data = try #require(object["data"] as? [[String: Any]])
        #expect(data.count == 3)
        #expect(data.map { $0["traceID"] as? String } == ["00000000000000ab00000000000000cd", "0000000000001234",
                                                          "00000000deadbeef0102030405060708"])
        let processes = try #require(data[0]["processes"] as? [String: [String: Any]])
        #expect(processes.keys.sorted() == ["p1", "p2"])
        #expect(processes["p1"]?["serviceName"] as? String == "api")
        let p1Tags = try #require(processes["p1"]?["tags"] as? [[String: Any]])
        #expect(p1Tags.count == 1 && p1Tags[0]["key"] as? String == "host" && p1Tags[0]["type"] as? String == "string")
        let list = try #require(data[0]["spans"] as? [[String: Any]])
        #expect(list.map { $0["processID"] as? String } == ["p1", "p1", "p2", "p1", "p1"])
        #expect(list[0]["spanID"] as? String == "0000000000000001" && list[0]["flags"] as? Int == 1)
        #expect(list[0]["startTime"] as? Int == 1_000_000_123 && list[0]["duration"] as? Int == 900_000 - 123)
        #expect(list[0]["warnings"] is NSNull)
        func tags(_ span: [String: Any]) -> [String: (type: String, value: Any)] {
            var out: [String: (String, Any)] = [:]
            for tag in span["tags"] as? [[String: Any]] ?? [] { out[tag["key"] as! String] = (tag["type"] as! String, tag["value"]!) }
            return out
        }
        let rootTags = tags(list[0])
        #expect(rootTags["span.kind"]?.value as? String == "server")
        #expect(rootTags["otel.status_code"]?.value as? String == "ERROR")
        #expect(rootTags["otel.status_description"]?.value as? String == "boom")
        #expect(rootTags["error"]?.type == "bool" && rootTags["error"]?.value as? Bool == true)
        #expect(rootTags["otel.scope.name"]?.value as? String == "lib" && rootTags["otel.scope.version"]?.value as? String == "1.2")
        #expect(rootTags["w3c.tracestate"]?.value as? String == "k=v")
        #expect(rootTags["http.status_code"]?.type == "int64" && rootTags["http.status_code"]?.value as? Int == 500)
        let logs = try #require(list[0]["logs"] as? [[String: Any]])
        #expect(logs[0]["timestamp"] as? Int == 1_000_000_500)
        let fields = try #require(logs[0]["fields"] as? [[String: Any]])
        #expect(fields[0]["key"] as? String == "event" && fields[0]["value"] as? String == "exception")
        let childRefs = try #require(list[1]["references"] as? [[String: Any]])
        #expect(childRefs.map { $0["refType"] as? String } == ["CHILD_OF", "FOLLOWS_FROM"])
        #expect(childRefs[1]["traceID"] as? String == "0000000000001234" && childRefs[1]["spanID"] as? String == "0000000000000009")
        #expect((list[2]["references"] as? [[String: Any]])?.map { $0["refType"] as? String } == ["FOLLOWS_FROM", "FOLLOWS_FROM"])
        #expect(tags(list[1])["db.rows"]?.type == "float64")
        // The edge span: every type.
        let edge = try #require((data[2]["spans"] as? [[String: Any]])?.first)
        let edgeTags = tags(edge)
        #expect(edgeTags["max"]?.type == "int64" && edgeTags["nan"]?.value as? String == "NaN" && edgeTags["nan"]?.type == "float64")
        #expect(edgeTags["bytes"]?.type == "binary" && edgeTags["bytes"]?.value as? String == "AAEC//4=")
        #expect(edgeTags["t"]?.type == "bool")
        #expect(edgeTags["ints"]?.type == "string" && edgeTags["ints"]?.value as? String == "[-9223372036854775808,0,9223372036854775807]")
        #expect(edgeTags["doubles"]?.value as? String == #"["NaN","-Infinity",0.5]"#)
        #expect(edgeTags["map"]?.value as? String == #"{"inner":{"deep":[1,2]},"x":"\u0000\u0001\u001f\"\\/\u003c\u003e\u0026\u2028\u2029\ufffd"#
            + "\u{7F}\u{9B}\u{202E}" + #"\u001b]0;pwned\u0007"}"#)
        #expect(edgeTags["slice"]?.value as? String == #"["s",1,1.5,true,null,[2],{"k":"v"},"CQ=="]"#)
        #expect(edgeTags["empty"]?.value as? String == "" && edgeTags["future"]?.value as? String == #"{"a":[1,2.5,"x"]}"#)
        #expect(edge["startTime"] == nil && edge["duration"] == nil && edge["flags"] as? Int == 3)
    }

    @Test("Zipkin v2 has Zipkin's structure: kinds, endpoints, annotations, string tags, shared, error")
    func zipkinStructure() throws {
        let spans = Self.family() + [WritersTests.edgeSpan()]
        let list = try #require(try JSONSerialization.jsonObject(with: Data(Self.zipkinText(spans))) as? [[String: Any]])
        #expect(list.count == spans.count)
        let root = list[0]
        #expect(root["traceId"] as? String == "00000000000000ab00000000000000cd" && root["id"] as? String == "0000000000000001")
        #expect(root["parentId"] == nil && root["kind"] as? String == "SERVER" && root["name"] as? String == "GET /")
        #expect(root["timestamp"] as? Int == 1_000_000_123 && root["duration"] as? Int == 899_877)
        #expect((root["localEndpoint"] as? [String: Any])?["serviceName"] as? String == "api")
        #expect(root["shared"] as? Bool == true)
        let tags = try #require(root["tags"] as? [String: String])
        #expect(tags == ["http.status_code": "500", "otel.status_code": "ERROR", "otel.status_description": "boom", "error": "boom",
                         "otel.scope.name": "lib", "otel.scope.version": "1.2", "w3c.tracestate": "k=v"])
        let annotations = try #require(root["annotations"] as? [[String: Any]])
        #expect(annotations.count == 1 && annotations[0]["timestamp"] as? Int == 1_000_000_500 && annotations[0]["value"] as? String == "exception")
        let child = list[1]
        #expect(child["parentId"] as? String == "0000000000000001" && child["kind"] as? String == "CLIENT")
        #expect((child["remoteEndpoint"] as? [String: Any])?["serviceName"] as? String == "postgres")
        #expect(child["tags"] as? [String: String] == ["db.rows": "2", "otel.status_code": "OK", "otel.scope.name": "lib", "otel.scope.version": "1.2"])
        #expect(list[2]["traceId"] as? String == "0000000000001234" && list[2]["kind"] as? String == "CONSUMER")
        #expect(list[5]["kind"] == nil && list[5]["shared"] == nil)
        let edge = list[6]
        #expect(edge["timestamp"] == nil && edge["duration"] == nil)
        let edgeTags = try #require(edge["tags"] as? [String: String])
        #expect(edgeTags["max"] == "9223372036854775807" && edgeTags["nan"] == "NaN" && edgeTags["-inf"] == "-Infinity")
        #expect(edgeTags["t"] == "true" && edgeTags["bytes"] == "AAEC//4=" && edgeTags["tiny"] == "5e-324")
        #expect(edgeTags["strings"] == #"["","\u0000\u0001\u001f\"\\/\u003c\u003e\u0026\u2028\u2029\ufffd"# + "\u{7F}\u{9B}\u{202E}" + #"\u001b]0;pwned\u0007","日本"]"#)
        #expect(edgeTags["error"] == WritersTests.edgeSpan().status.description)
    }

    @Test("an error without a message is error=true; Zipkin's own error tag still gives its text; shared gives isRemote")
    func zipkinErrors() throws {
        let span = Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(2), name: "e", kind: .server, startTime: 1_000, endTime: 2_000,
                        status: SpanStatus(code: .error))
        let text = String(decoding: Self.zipkinText([span]), as: UTF8.self)
        #expect(text.contains(#""error":"true""#))
        #expect(readBytes(Array(text.utf8)).spans.first?.status == SpanStatus(code: .error))
        // Brave-style: no otel.status_code, the error tag's text is the description.
        let brave = read(#"[{"traceId":"1","id":"2","name":"b","tags":{"error":"timeout"},"shared":true,"kind":"SERVER"}]"#).spans
        #expect(brave.first?.status == SpanStatus(code: .error, description: "timeout") && brave.first?.isRemote == true)
        let plain = read(#"[{"traceId":"1","id":"2","name":"b","tags":{"error":"true"}}]"#).spans
        #expect(plain.first?.status == SpanStatus(code: .error, description: "true") && plain.first?.isRemote == false)
    }

    @Test("the Jaeger reader maps the Collector's tags: scope, OK status, trace state; float64 stays a float when whole")
    func jaegerReaderTags() throws {
        let text = #"{"traceID":"1","spans":[{"traceID":"1","spanID":"2","operationName":"o","startTime":1,"duration":2,"tags":[{"key":"otel.library.name","type":"string","value":"old"},{"key":"otel.scope.version","type":"string","value":"9"},{"key":"otel.status_code","type":"string","value":"OK"},{"key":"otel.status_description","type":"string","value":"fine"},{"key":"w3c.tracestate","type":"string","value":"a=1"},{"key":"f","type":"float64","value":3},{"key":"g","type":"float64","value":"Infinity"},{"key":"i","type":"int64","value":3}]}],"processes":{}}"#
        let span = try #require(read(text).spans.first)
        #expect(span.scope.name == "old" && span.scope.version == "9")
        #expect(span.status == SpanStatus(code: .ok, description: "fine") && span.traceState == "a=1")
        #expect(span.attributes[key: "f"] == .double(3) && span.attributes[key: "g"] == .double(.infinity) && span.attributes[key: "i"] == .int(3))
    }

    // MARK: - Losses

    @Test("losses name only what occurs, with counts")
    func losses() throws {
        // Microsecond times, no links, nothing Jaeger lacks.
        let clean = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), name: "c", kind: .server, startTime: 5_000, endTime: 9_000,
                         attributes: [Attribute("s", .string("x")), Attribute("n", .int(1))],
                         resource: Resource(attributes: [Attribute("service.name", .string("svc"))]))
        #expect(JaegerJSONWriter.losses(in: [clean]).sentences.isEmpty)
        #expect(ZipkinWriter.losses(in: [clean]).sentences == ["1 non-string attribute values written as text (Zipkin tags are strings)"])
        let spans = Self.family()
        let jaeger = JaegerJSONWriter.losses(in: spans).sentences
        #expect(jaeger == [
            "3 times with nanoseconds, rounded down to microseconds",
            "1 links' attributes or trace state left out (Jaeger references hold only IDs)",
            "1 spans' remote-context flags left out",
        ], "\(jaeger)")
        let zipkin = ZipkinWriter.losses(in: spans).sentences
        #expect(zipkin == [
            "3 links left out (Zipkin has none)",
            "1 FOLLOWS_FROM parents read back as plain parents",
            "3 times with nanoseconds, rounded down to microseconds",
            "3 non-string attribute values written as text (Zipkin tags are strings)",
            "1 event attributes left out (annotations hold only a name)",
            "4 resource attributes other than service.name left out, counted per span (the local endpoint holds only the service name)",
            "1 internal spans read back with no kind",
        ], "\(zipkin)")
        let edge = JaegerJSONWriter.losses(in: [WritersTests.edgeSpan()]).sentences
        #expect(edge.contains { $0.hasPrefix("1 spans without an end time") } == false)
        #expect(edge.contains("1 spans without a start time read back without an end time"))
        #expect(edge.contains { $0.hasPrefix("1 spans' scope attributes or schema URL left out") })
        #expect(edge.contains { $0.hasSuffix("written as string tags (their JSON text)") })
        #expect(ZipkinWriter.losses(in: [WritersTests.edgeSpan()]).sentences.contains("1 spans' trace flags other than sampled left out"))
    }

    @Test("written in pieces (flushingOver), the document is byte for byte the one written whole; each piece ends after a trace or span",
          arguments: [SpanWriterFormat.jaeger, .zipkin])
    func pieces(format: SpanWriterFormat) {
        let spans = Self.family() + [WritersTests.edgeSpan()]
        var whole: [UInt8] = []
        format.write(spans, into: &whole)
        for limit in [1, 500, 1 << 20] {
            var pieces: [[UInt8]] = []
            var rest: [UInt8] = []
            format.write(spans, into: &rest, flushingOver: limit) { piece in
                pieces.append(piece)
                piece.removeAll()
            }
            #expect(pieces.flatMap { $0 } + rest == whole, "limit \(limit)")
            if limit == 1 {
                // One piece a trace (Jaeger) or a span (Zipkin), the end of the document apart.
                let expected = format == .jaeger ? Set(spans.map(\.traceID)).count : spans.count
                #expect(pieces.count == expected)
                #expect(pieces.allSatisfy { $0.last == UInt8(ascii: "}") })
            }
            if limit == 1 << 20 { #expect(pieces.isEmpty) }
        }
    }

    @Test("Zipkin's list written batch by batch (ListWriter) is byte for byte the list written at once; nothing for no spans")
    func zipkinListInBatches() {
        let spans = Self.family() + [WritersTests.edgeSpan()] + Self.family()
        var whole: [UInt8] = []
        ZipkinWriter.write(spans, into: &whole)
        for size in [1, 2, 5, spans.count] {
            var list = ZipkinWriter.ListWriter()
            var out: [UInt8] = []
            var start = 0
            while start < spans.count {
                list.append(spans[start..<min(spans.count, start + size)], into: &out)
                list.append([Span](), into: &out)
                start += size
            }
            list.end(into: &out)
            #expect(out == whole, "batches of \(size)")
        }
        var none: [UInt8] = []
        let empty = ZipkinWriter.ListWriter()
        empty.end(into: &none)
        #expect(none.isEmpty)
    }
}
