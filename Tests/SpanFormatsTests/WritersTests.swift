import Foundation
import SpanFormats
import SpanModel
import Testing

/// JSON text without the whitespace between its tokens (an unknown type's value, which the
/// writers lay out again).
func compactJSON(_ text: String) -> String {
    var out: [UInt8] = []
    var inString = false, escaped = false
    for b in text.utf8 {
        if inString {
            out.append(b)
            if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
        } else if b == UInt8(ascii: "\"") {
            inString = true
            out.append(b)
        } else if b != 0x20 && b != 0x09 && b != 0x0A && b != 0x0D {
            out.append(b)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// `StdouttraceWriter` and `OTLPJSONWriter`: what they write reads back as the same spans,
/// the Go SDK's own lines come out byte for byte, and edge values survive.
@Suite("Span writers")
struct WritersTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

    /// Every file of samples/ that holds spans.
    static let sampleFiles: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? [])
        .filter { ($0.hasSuffix(".json") || $0.hasSuffix(".jsonl") || $0.hasSuffix(".txt")) && $0 != "expected-counts.json" }
        .sorted()

    static func bytes(of file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: samples.appendingPathComponent(file)))
    }

    /// What a writer must carry over, as text. `otlp` leaves out what OTLP cannot say and
    /// compares attributes as OTLP reads them (typed arrays become arrays).
    static func summary(_ span: Span, otlp: Bool = false) -> String {
        func values(_ list: [Attribute]) -> String {
            "\(list.map { Attribute($0.key, otlp ? asOTLP($0.value) : compactUnknown($0.value)) })"
        }
        // OTLP: a time of exactly 0 is protobuf's "not set".
        func time(_ t: Int64) -> Int64 { otlp && t == 0 ? Timestamp.unknown : t }
        let events = span.events.map { "\($0.name)@\(time($0.time))/\(values($0.attributes))/\($0.droppedAttributeCount)" }
        let links = span.links.map { "\($0.traceID.hex)/\($0.spanID.hex)/\($0.traceState)/\(values($0.attributes))/\($0.droppedAttributeCount)" }
        var text = "\(span.traceID.hex)/\(span.spanID.hex)/\(span.parentSpanID.hex)/\(span.name)/\(span.kind)"
            + "/\(time(span.startTime))/\(time(span.endTime))/\(span.status)/\(values(span.attributes))/\(events)/\(links)"
            + "/\(values(span.resource.attributes))/\(span.scope.name)/\(span.scope.version)/\(values(span.scope.attributes))"
            + "/\(span.traceState)/\(span.traceFlags)/\(span.parentIsRemote)"
            + "/\(span.droppedAttributeCount)/\(span.droppedEventCount)/\(span.droppedLinkCount)"
        if !otlp {
            text += "/\(span.isRemote)/\(span.childSpanCount)/\(span.scope.schemaURL)"
        }
        return text
    }

    /// A value as it comes back from OTLP: typed arrays as arrays, unknown types as strings.
    static func asOTLP(_ value: AttributeValue) -> AttributeValue {
        switch value {
        case .stringArray(let l): .array(l.map { .string($0) })
        case .boolArray(let l): .array(l.map { .bool($0) })
        case .intArray(let l): .array(l.map { .int($0) })
        case .doubleArray(let l): .array(l.map { .double($0) })
        case .array(let l): .array(l.map(asOTLP))
        case .map(let l): .map(l.map { Attribute($0.key, asOTLP($0.value)) })
        case .unknown(_, let json): .string(json)
        default: value
        }
    }

    /// A value with each unknown type's JSON compacted (the Go writer lays it out again).
    static func compactUnknown(_ value: AttributeValue) -> AttributeValue {
        switch value {
        case .array(let l): .array(l.map(compactUnknown))
        case .map(let l): .map(l.map { Attribute($0.key, compactUnknown($0.value)) })
        case .unknown(let type, let json): .unknown(type: type, json: compactJSON(json))
        default: value
        }
    }

    static func goText(_ spans: [Span], pretty: Bool) -> [UInt8] {
        var out: [UInt8] = []
        for span in spans { StdouttraceWriter.write(span, pretty: pretty, into: &out) }
        return out
    }

    static func otlpText(_ spans: [Span]) -> [UInt8] {
        var out: [UInt8] = []
        OTLPJSONWriter.write(spans, into: &out)
        return out
    }

    /// The spans in a canonical order (OTLP groups them by resource and scope).
    static func sorted(_ spans: [Span]) -> [Span] {
        spans.sorted { ($0.traceID, $0.spanID.value, $0.startTime) < ($1.traceID, $1.spanID.value, $1.startTime) }
    }

    // MARK: - Round trips

    @Test("every sample written as Go stdouttrace, compact and pretty, reads back as the same spans", arguments: sampleFiles)
    func goRoundTrip(file: String) throws {
        let original = readBytes(try Self.bytes(of: file))
        #expect(original.problems.isEmpty)
        #expect(!original.spans.isEmpty)
        for pretty in [false, true] {
            let again = readBytes(Self.goText(original.spans, pretty: pretty))
            #expect(again.problems.isEmpty, "pretty \(pretty): \(again.problems)")
            try #require(again.spans.count == original.spans.count)
            for (a, b) in zip(original.spans, again.spans) {
                #expect(Self.summary(a) == Self.summary(b), "pretty \(pretty)")
            }
        }
    }

    @Test("every sample written as OTLP/JSON reads back as the same spans", arguments: sampleFiles)
    func otlpRoundTrip(file: String) throws {
        let original = readBytes(try Self.bytes(of: file))
        let text = Self.otlpText(original.spans)
        #expect(text.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(text.last == UInt8(ascii: "\n"))
        let again = readBytes(text)
        #expect(again.problems.isEmpty, "\(again.problems)")
        try #require(again.spans.count == original.spans.count)
        for (a, b) in zip(Self.sorted(original.spans), Self.sorted(again.spans)) {
            #expect(Self.summary(a, otlp: true) == Self.summary(b, otlp: true))
        }
    }

    @Test("OTLP/JSON groups the spans by resource, one group each, and writes every span once")
    func otlpGrouping() throws {
        let original = readBytes(try Self.bytes(of: "interleaved.jsonl")).spans
        let text = Self.otlpText(original)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text)) as? [String: Any])
        let resourceSpans = try #require(object["resourceSpans"] as? [[String: Any]])
        // One group per distinct resource (five services).
        #expect(resourceSpans.count == Set(original.map(\.resource)).count)
        var total = 0
        for group in resourceSpans {
            let scopes = try #require(group["scopeSpans"] as? [[String: Any]])
            for scope in scopes { total += (scope["spans"] as? [Any])?.count ?? 0 }
        }
        #expect(total == original.count)
    }

    static let finds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzRegressions")
    /// What `fuzz-write` found: inputs named `write-…`.
    static let writeFinds = ((try? FileManager.default.contentsOfDirectory(atPath: finds.path)) ?? [])
        .filter { $0.hasPrefix("write-") }.sorted()

    @Test("each fuzz-write find: every span written by both writers reads back the same", arguments: writeFinds)
    func writeFind(file: String) throws {
        let original = readBytes(Array(try Data(contentsOf: Self.finds.appendingPathComponent(file))))
        for span in original.spans {
            for pretty in [false, true] {
                let again = readBytes(Self.goText([span], pretty: pretty))
                #expect(again.problems.isEmpty && again.spans.count == 1)
                #expect(again.spans.first.map { Self.summary($0) } == Self.summary(span))
            }
            let again = readBytes(Self.otlpText([span]))
            #expect(again.problems.isEmpty && again.spans.count == 1)
            #expect(again.spans.first.map { Self.summary($0, otlp: true) } == Self.summary(span, otlp: true))
        }
    }

    // MARK: - Byte for byte

    /// A Go SDK 1.1.0 object (as in samples/) cut before its scope: the model keeps all of it
    /// but the scope's JSON key (`InstrumentationLibrary` only, then) and layout.
    static func beforeScope(_ text: Substring, pretty: Bool) -> (body: Substring, library: Substring)? {
        let marker = pretty ? ",\n\t\"InstrumentationLibrary\": " : ",\"InstrumentationLibrary\":"
        guard let r = text.range(of: marker) else { return nil }
        return (text[..<r.lowerBound], text[r.upperBound...])
    }

    /// The span objects of a Go-written sample, in order: each compact line, or each pretty
    /// object from `{` at a line start to `}` at a line start.
    static func goObjects(_ text: String, pretty: Bool) -> [Substring] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if !pretty { return lines.filter { $0.hasPrefix("{\"Name\":") } }
        var objects: [Substring] = []
        var start: Substring.Index?
        for line in lines {
            if line == "{" { start = line.startIndex }
            if line == "}", let s = start {
                objects.append(text[s..<line.endIndex])
                start = nil
            }
        }
        return objects
    }

    @Test("Go SDK samples come out byte for byte (up to the scope, whose key the SDK version named differently)",
          arguments: ["order-inventory.jsonl", "attribute-types.jsonl", "interleaved.jsonl", "with-logs.txt",
                      "payment-timeout.json", "fanout.json", "with-logs-pretty.txt"])
    func byteForByte(file: String) throws {
        let bytes = try Self.bytes(of: file)
        let text = String(decoding: bytes, as: UTF8.self)
        let pretty = !text.contains("{\"Name\":")
        let objects = Self.goObjects(text, pretty: pretty)
        let spans = readBytes(bytes).spans
        try #require(objects.count == spans.count && !spans.isEmpty)
        var differing = 0, remoteLinks = 0
        for (object, span) in zip(objects, spans) {
            var out: [UInt8] = []
            StdouttraceWriter.write(span, pretty: pretty, into: &out)
            let written = String(decoding: out, as: UTF8.self)
            #expect(written.last == "\n")
            // Ours: …,"InstrumentationScope":{…,"Attributes":null},"InstrumentationLibrary":{…}
            let scopeMarker = pretty ? ",\n\t\"InstrumentationScope\": " : ",\"InstrumentationScope\":"
            let ours = try #require(written.range(of: scopeMarker))
            let theirs = try #require(Self.beforeScope(object, pretty: pretty))
            // The model keeps no link's trace flags and `Remote` (written "01" and false).
            var body = String(theirs.body)
            for (remote, local) in [("\"Remote\":true},\"Attributes\":", "\"Remote\":false},\"Attributes\":"),
                                    ("\"Remote\": true\n\t\t\t},\n\t\t\t\"Attributes\": ", "\"Remote\": false\n\t\t\t},\n\t\t\t\"Attributes\": ")]
                where body.contains(remote) {
                body = body.replacingOccurrences(of: remote, with: local)
                remoteLinks += 1
            }
            if written[..<ours.lowerBound] != body {
                differing += 1
                if differing <= 3 {
                    let a = Array(written[..<ours.lowerBound].utf8), b = Array(body.utf8)
                    let at = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
                    Issue.record("\(file): differs at byte \(at): ours …\(String(decoding: a[max(0, at - 60)..<min(a.count, at + 60)], as: UTF8.self))… theirs …\(String(decoding: b[max(0, at - 60)..<min(b.count, at + 60)], as: UTF8.self))…")
                }
            }
            // The scope's three 1.1.0 fields come out the same, then v1.32's "Attributes".
            let library = pretty
                ? "{\n\t\t\"Name\": \"\(span.scope.name)\",\n\t\t\"Version\": \"\(span.scope.version)\",\n\t\t\"SchemaURL\": \"\(span.scope.schemaURL)\"\n\t}"
                : "{\"Name\":\"\(span.scope.name)\",\"Version\":\"\(span.scope.version)\",\"SchemaURL\":\"\(span.scope.schemaURL)\"}"
            #expect(theirs.library == library + (pretty ? "\n}" : "}"))
            let ourLibrary = pretty
                ? "{\n\t\t\"Name\": \"\(span.scope.name)\",\n\t\t\"Version\": \"\(span.scope.version)\",\n\t\t\"SchemaURL\": \"\(span.scope.schemaURL)\",\n\t\t\"Attributes\": null\n\t}\n}\n"
                : "{\"Name\":\"\(span.scope.name)\",\"Version\":\"\(span.scope.version)\",\"SchemaURL\":\"\(span.scope.schemaURL)\",\"Attributes\":null}}\n"
            #expect(written.hasSuffix(",\(pretty ? "\n\t\"InstrumentationLibrary\": " : "\"InstrumentationLibrary\":")\(ourLibrary)"))
        }
        #expect(differing == 0, "\(differing) of \(spans.count) spans differ")
        // Only attribute-types.jsonl has a remote link (to the trace that is not in the file).
        #expect(remoteLinks == (file == "attribute-types.jsonl" ? 1 : 0))
    }

    // MARK: - Pieces

    @Test("floats come out as Go's encoding/json writes them")
    func goFloats() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "-0"), (2, "2"), (-2, "-2"), (129.99, "129.99"), (3.14159, "3.14159"),
            (1e-7, "1e-7"), (1e-6, "0.000001"), (0.0001, "0.0001"), (0.30000000000000004, "0.30000000000000004"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (5e-324, "5e-324"), (1e21, "1e+21"),
            (1e20, "100000000000000000000"), (123456789012345680, "123456789012345680"), (1.5e-10, "1.5e-10"),
            (-2.5e-8, "-2.5e-8"), (123.456, "123.456"), (9007199254740993, "9007199254740992"), (0.1, "0.1"),
        ]
        for (value, expected) in cases {
            let span = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), name: "f", startTime: 0, endTime: 0,
                            attributes: [Attribute("f", .double(value))])
            var out: [UInt8] = []
            StdouttraceWriter.write(span, into: &out)
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.contains("{\"Type\":\"FLOAT64\",\"Value\":\(expected)}"), "\(value)")
        }
    }

    @Test("times come out as Go's time.Time MarshalJSON writes UTC times")
    func goTimes() {
        let cases: [(Int64, String)] = [
            (Timestamp.unknown, "0001-01-01T00:00:00Z"), (0, "1970-01-01T00:00:00Z"),
            (1_764_054_568_641_039_795, "2025-11-25T07:09:28.641039795Z"),
            (1_764_054_568_641_039_700, "2025-11-25T07:09:28.6410397Z"),
            (1_764_054_568_000_000_000, "2025-11-25T07:09:28Z"), (1_764_054_568_500_000_000, "2025-11-25T07:09:28.5Z"),
            (-1, "1969-12-31T23:59:59.999999999Z"), (Int64.max, "2262-04-11T23:47:16.854775807Z"),
            (Int64.min + 1, "1677-09-21T00:12:43.145224193Z"),
        ]
        for (ns, expected) in cases {
            let span = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), name: "t", startTime: ns, endTime: ns)
            var out: [UInt8] = []
            StdouttraceWriter.write(span, into: &out)
            let text = String(decoding: out, as: UTF8.self)
            #expect(text.contains("\"StartTime\":\"\(expected)\",\"EndTime\":\"\(expected)\""), "\(ns)")
            #expect(readBytes(out).spans.first?.startTime == ns)
        }
    }

    @Test("times in the hours that hold the Int64 range's ends read without overflowing the reader's hour cache")
    func rangeEndTimes() {
        func line(_ start: String, _ end: String) -> String {
            #"{"Name":"t","SpanContext":{"TraceID":"00000000000000000000000000000001","SpanID":"0000000000000002","TraceFlags":"01","TraceState":"","Remote":false},"StartTime":""# + start + #"","EndTime":""# + end + #""}"# + "\n"
        }
        let top = read(line("2262-04-11T23:47:16.854775807Z", "2262-04-11T23:50:00Z"))
        #expect(top.spans.first?.startTime == .max || top.spans.isEmpty)
        let bottom = read(line("1677-09-21T00:12:43.145224193Z", "1677-09-21T00:12:44Z"))
        #expect(bottom.spans.first?.startTime == .min + 1)
        #expect(bottom.spans.first?.endTime == .min + 1 + 854_775_807)
    }

    @Test("strings are escaped as Go's encoding/json escapes them")
    func goEscapes() {
        let name = "a\"b\\c\n\r\t\u{08}\u{0C}\u{00}\u{1B}[31m<x>&y\u{2028}\u{2029}\u{FFFD}\u{7F}\u{9B}\u{202E}é日本🇯🇵"
        let span = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), name: name, startTime: 0, endTime: 0)
        var out: [UInt8] = []
        StdouttraceWriter.write(span, into: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix(#"{"Name":"a\"b\\c\n\r\t\b\f\u0000\u001b[31m\u003cx\u003e\u0026y\u2028\u2029\ufffd"#
            + "\u{7F}\u{9B}\u{202E}é日本🇯🇵\",\"SpanContext\":"))
        #expect(readBytes(out).spans.first?.name == name)
    }

    /// A span with every kind of awkward value.
    static func edgeSpan() -> Span {
        let awkward = "\u{00}\u{01}\u{1F}\"\\/<>&\u{2028}\u{2029}\u{FFFD}\u{7F}\u{9B}\u{202E}\u{1B}]0;pwned\u{07}"
        let all: [Attribute] = [
            Attribute("", .string("")),
            Attribute(awkward, .string(awkward)),
            Attribute("max", .int(.max)), Attribute("min", .int(.min)), Attribute("neg", .int(-42)),
            Attribute("nan", .double(.nan)), Attribute("inf", .double(.infinity)), Attribute("-inf", .double(-.infinity)),
            Attribute("-0", .double(-0.0)), Attribute("tiny", .double(5e-324)), Attribute("big", .double(1e300)),
            Attribute("t", .bool(true)), Attribute("f", .bool(false)),
            Attribute("strings", .stringArray(["", awkward, "日本"])), Attribute("no strings", .stringArray([])),
            Attribute("ints", .intArray([.min, 0, .max])), Attribute("doubles", .doubleArray([.nan, -.infinity, 0.5])),
            Attribute("bools", .boolArray([true, false])),
            Attribute("bytes", .bytes([0, 1, 2, 0xFF, 0xFE])), Attribute("no bytes", .bytes([])),
            Attribute("one byte", .bytes([0x41])), Attribute("two bytes", .bytes([0x41, 0x42])),
            Attribute("slice", .array([.string("s"), .int(1), .double(1.5), .bool(true), .empty,
                                       .array([.int(2)]), .map([Attribute("k", .string("v"))]), .bytes([9])])),
            Attribute("empty slice", .array([])),
            Attribute("map", .map([Attribute("inner", .map([Attribute("deep", .intArray([1, 2]))])),
                                   Attribute("x", .string(awkward))])),
            Attribute("empty map", .map([])),
            Attribute("empty", .empty),
            Attribute("future", .unknown(type: "FUTURE", json: #"{"a":[1,2.5,"x"]}"#)),
        ]
        let event = SpanEvent(name: awkward, time: Timestamp.unknown, attributes: all, droppedAttributeCount: 3)
        let event2 = SpanEvent(name: "", time: -5, attributes: [])
        let link = SpanLink(traceID: TraceID(high: .max, low: 1), spanID: SpanID(.max), traceState: "a=b,c=d",
                            attributes: all, droppedAttributeCount: 2)
        return Span(
            traceID: TraceID(high: 0xDEAD_BEEF, low: 0x0102_0304_0506_0708), spanID: SpanID(0xFFFF_FFFF_FFFF_FFFF),
            parentSpanID: SpanID(7), name: awkward, kind: .consumer, startTime: Timestamp.unknown, endTime: -1,
            attributes: all, events: [event, event2], links: [link, SpanLink(traceID: .zero, spanID: .zero)],
            status: SpanStatus(code: .error, description: awkward), traceState: "zoo=1", traceFlags: 3,
            isRemote: true, parentIsRemote: true, droppedAttributeCount: 1, droppedEventCount: 2, droppedLinkCount: .max,
            childSpanCount: 9,
            resource: Resource(attributes: [Attribute("service.name", .string(awkward))] + all),
            scope: InstrumentationScope(name: awkward, version: "1.0", schemaURL: "https://x/<y>", attributes: all))
    }

    @Test("edge values (controls, quotes, <>&, U+2028, extreme ints, NaN and infinities, empty strings, unknown times, every attribute type, nesting, bytes) survive both writers")
    func edgeValues() throws {
        let span = Self.edgeSpan()
        for pretty in [false, true] {
            let again = readBytes(Self.goText([span], pretty: pretty))
            #expect(again.problems.isEmpty, "\(again.problems)")
            let back = try #require(again.spans.first)
            #expect(again.spans.count == 1)
            #expect(Self.summary(back) == Self.summary(span), "pretty \(pretty)")
        }
        let otlp = readBytes(Self.otlpText([span]))
        #expect(otlp.problems.isEmpty, "\(otlp.problems)")
        let back = try #require(otlp.spans.first)
        #expect(Self.summary(back, otlp: true) == Self.summary(span, otlp: true))
    }

    @Test("an unknown type's JSON is laid out again: one line compact, Go's indentation pretty")
    func unknownTypeLayout() throws {
        let json = "{\n  \"a\" : [1, 2, {}, \"x, y: [z]\"],\n \"b\":{ } }"
        let span = Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), name: "u", startTime: 0, endTime: 0,
                        attributes: [Attribute("future", .unknown(type: "FUTURE", json: json))])
        var out: [UInt8] = []
        StdouttraceWriter.write(span, into: &out)
        let compact = String(decoding: out, as: UTF8.self)
        #expect(compact.contains(#"{"Type":"FUTURE","Value":{"a":[1,2,{},"x, y: [z]"],"b":{}}}"#))
        #expect(compact.filter { $0 == "\n" }.count == 1)
        out = []
        StdouttraceWriter.write(span, pretty: true, into: &out)
        let pretty = String(decoding: out, as: UTF8.self)
        #expect(pretty.contains("\t\t\t\t\"Type\": \"FUTURE\",\n\t\t\t\t\"Value\": {\n\t\t\t\t\t\"a\": [\n\t\t\t\t\t\t1,\n\t\t\t\t\t\t2,\n\t\t\t\t\t\t{},\n\t\t\t\t\t\t\"x, y: [z]\"\n\t\t\t\t\t],\n\t\t\t\t\t\"b\": {}\n\t\t\t\t}\n\t\t\t}"))
        for text in [Array(compact.utf8), out] {
            guard case .unknown(let type, _)? = readBytes(text).spans.first?.attributes.first?.value else {
                Issue.record("not read back as an unknown type")
                continue
            }
            #expect(type == "FUTURE")
        }
    }

    @Test("a root span, no attributes, events or links: Go's nulls and zero parent; OTLP leaves the zero fields out")
    func plainRoot() throws {
        let span = Span(traceID: TraceID(high: 0x0102030405060708, low: 0x090a0b0c0d0e0f10), spanID: SpanID(0x0102030405060708),
                        name: "/foo", startTime: Timestamp.unknown, endTime: Timestamp.unknown)
        var out: [UInt8] = []
        StdouttraceWriter.write(span, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"Name":"/foo","SpanContext":{"TraceID":"0102030405060708090a0b0c0d0e0f10","SpanID":"0102030405060708","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false},"SpanKind":1,"StartTime":"0001-01-01T00:00:00Z","EndTime":"0001-01-01T00:00:00Z","Attributes":null,"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":null,"InstrumentationScope":{"Name":"","Version":"","SchemaURL":"","Attributes":null},"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":"","Attributes":null}}"# + "\n")
        out = []
        StdouttraceWriter.write(span, pretty: true, into: &out)
        let pretty = String(decoding: out, as: UTF8.self)
        #expect(pretty.hasPrefix("{\n\t\"Name\": \"/foo\",\n\t\"SpanContext\": {\n\t\t\"TraceID\": \"0102030405060708090a0b0c0d0e0f10\",\n"))
        #expect(pretty.contains("\n\t\"Attributes\": null,\n\t\"Events\": null,\n"))
        #expect(pretty.hasSuffix("\t\"InstrumentationLibrary\": {\n\t\t\"Name\": \"\",\n\t\t\"Version\": \"\",\n\t\t\"SchemaURL\": \"\",\n\t\t\"Attributes\": null\n\t}\n}\n"))
        out = []
        OTLPJSONWriter.write([span], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","flags":257,"name":"/foo","kind":1,"status":{}}]}]}]}"# + "\n")
        out = []
        OTLPJSONWriter.write([Span](), into: &out)
        #expect(out.isEmpty)
    }

    @Test("OTLP/JSON output parses with JSONSerialization and has the protobuf JSON structure")
    func otlpStructure() throws {
        let span = Self.edgeSpan()
        let plain = Span(traceID: span.traceID, spanID: SpanID(8), parentSpanID: span.spanID, name: "child", kind: .client,
                         startTime: 1_000, endTime: 2_500, attributes: [Attribute("n", .int(9_007_199_254_740_993))],
                         status: SpanStatus(code: .ok), resource: span.resource, scope: .empty)
        var out: [UInt8] = []
        OTLPJSONWriter.write([span, plain], into: &out)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out)) as? [String: Any])
        let resourceSpans = try #require(object["resourceSpans"] as? [[String: Any]])
        #expect(resourceSpans.count == 1)
        let resource = try #require(resourceSpans[0]["resource"] as? [String: Any])
        let resourceAttributes = try #require(resource["attributes"] as? [[String: Any]])
        #expect(resourceAttributes.count == span.resource.attributes.count)
        let scopes = try #require(resourceSpans[0]["scopeSpans"] as? [[String: Any]])
        #expect(scopes.count == 2)
        let scope = try #require(scopes[0]["scope"] as? [String: Any])
        #expect(scope["version"] as? String == "1.0")
        #expect(scopes[0]["schemaUrl"] as? String == "https://x/<y>")
        #expect((scopes[1]["scope"] as? [String: Any])?.isEmpty == true)
        let first = try #require((scopes[0]["spans"] as? [[String: Any]])?.first)
        #expect(first["traceId"] as? String == "00000000deadbeef0102030405060708")
        #expect(first["spanId"] as? String == "ffffffffffffffff")
        #expect(first["parentSpanId"] as? String == "0000000000000007")
        #expect(first["kind"] as? Int == 5)
        #expect(first["flags"] as? Int == 0x303)
        #expect(first["traceState"] as? String == "zoo=1")
        #expect(first["startTimeUnixNano"] == nil)
        #expect(first["endTimeUnixNano"] as? String == "-1")
        #expect(first["droppedLinksCount"] as? Int == Int(UInt32.max))
        let status = try #require(first["status"] as? [String: Any])
        #expect(status["code"] as? Int == 2)
        let attributes = try #require(first["attributes"] as? [[String: Any]])
        func value(_ key: String) -> [String: Any]? {
            attributes.first { $0["key"] as? String == key }?["value"] as? [String: Any]
        }
        #expect(value("max")?["intValue"] as? String == "9223372036854775807")
        #expect(value("min")?["intValue"] as? String == "-9223372036854775808")
        #expect(value("nan")?["doubleValue"] as? String == "NaN")
        #expect(value("-inf")?["doubleValue"] as? String == "-Infinity")
        #expect(value("tiny")?["doubleValue"] as? Double == 5e-324)
        #expect(value("t")?["boolValue"] as? Bool == true)
        #expect(value("bytes")?["bytesValue"] as? String == "AAEC//4=")
        #expect(value("empty") == nil)   // no `value` key: what collectors accept
        #expect(((value("strings")?["arrayValue"] as? [String: Any])?["values"] as? [Any])?.count == 3)
        #expect(((value("no strings")?["arrayValue"] as? [String: Any])?["values"] as? [Any])?.isEmpty == true)
        let map = try #require((value("map")?["kvlistValue"] as? [String: Any])?["values"] as? [[String: Any]])
        #expect(map.first?["key"] as? String == "inner")
        let events = try #require(first["events"] as? [[String: Any]])
        #expect(events.count == 2 && events[0]["timeUnixNano"] == nil && events[1]["timeUnixNano"] as? String == "-5")
        #expect(events[1]["name"] == nil && events[0]["droppedAttributesCount"] as? Int == 3)
        let links = try #require(first["links"] as? [[String: Any]])
        #expect(links.count == 2 && links[0]["traceState"] as? String == "a=b,c=d" && links[1].isEmpty)
        let second = try #require((scopes[1]["spans"] as? [[String: Any]])?.first)
        #expect(second["startTimeUnixNano"] as? String == "1000" && second["kind"] as? Int == 3 && second["flags"] as? Int == 0x101)
        #expect((second["status"] as? [String: Any])?["code"] as? Int == 1)
    }

    @Test("what OTLP and stdouttrace cannot hold is counted, and counts from batch after batch add up")
    func otlpAndStdouttraceLosses() {
        let edge = Self.edgeSpan()
        // Five typed arrays and one inside a map, an unknown type, in each of the span's,
        // an event's, a link's, the resource's and the scope's attributes.
        let expected = [
            "30 typed arrays (STRINGSLICE, INT64SLICE…) written as plain arrays",
            "5 values of an unknown type written as the string of their JSON",
            "1 spans' own remote-context flags left out (OTLP keeps only the parent's)",
        ]
        #expect(SpanWriterFormat.otlp.losses(in: [edge]).sentences == expected)
        var epoch = Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(2), parentSpanID: SpanID(1), name: "e",
                         kind: .internal, startTime: 0, endTime: 5, attributes: [Attribute("s", .string("x"))])
        epoch.parentIsFollowsFrom = true
        #expect(SpanWriterFormat.otlp.losses(in: [epoch]).sentences == [
            "1 times of exactly 0 (1970-01-01) read back as unknown",
            "1 FOLLOWS_FROM parents read back as plain parents",
        ])
        #expect(SpanWriterFormat.stdouttrace.losses(in: [edge, epoch]).sentences == ["1 FOLLOWS_FROM parents read back as plain parents"])
        #expect(SpanWriterFormat.stdouttracePretty.losses(in: [edge]).isEmpty)
        var total = WriteLosses()
        total.merge(SpanWriterFormat.otlp.losses(in: [edge]))
        total.merge(SpanWriterFormat.otlp.losses(in: [epoch]))
        total.merge(SpanWriterFormat.otlp.losses(in: [edge]))
        #expect(total.sentences == [
            "60 typed arrays (STRINGSLICE, INT64SLICE…) written as plain arrays",
            "10 values of an unknown type written as the string of their JSON",
            "2 spans' own remote-context flags left out (OTLP keeps only the parent's)",
            "1 times of exactly 0 (1970-01-01) read back as unknown",
            "1 FOLLOWS_FROM parents read back as plain parents",
        ])
    }
}
