import Foundation
import SpanFormats
import SpanIngest
import SpanModel
import Testing

/// Grafana Tempo's query API answers (gogo jsonpb, not OTLP/JSON): the trace answers read by
/// the OTLP decoder (base64 IDs, enum names, the `trace` and `batches` wrappers), the v2
/// answer's status, and search results.
@Suite("Tempo's JSON")
struct TempoJSONTests {
    // IDs of one trace, hex and the same bytes in base64.
    static let traceHex = "5b8efff798038103d269b633813fc700", traceB64 = "W47/95gDgQPSabYzgT/HAA=="
    static let rootHex = "0000000000000001", rootB64 = "AAAAAAAAAAE="
    static let childHex = "eee19b7ec3c1b174", childB64 = "7uGbfsPBsXQ="
    static let linkTraceHex = "0af7651916cd43dd8448eb211c80319c", linkTraceB64 = "CvdlGRbNQ92ESOshHIAxnA=="
    static let linkSpanHex = "b7ad6b7169203331", linkSpanB64 = "t61rcWkgMzE="

    /// Two spans of one trace, IDs and enums as given, wrapped as `ResourceSpans` objects.
    static func resourceSpans(trace: String, root: String, child: String, linkTrace: String, linkSpan: String,
                              kind: String = #""SPAN_KIND_SERVER""#, code: String = #""STATUS_CODE_ERROR""#,
                              scopeKey: String = "scopeSpans") -> String {
        #"{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop-backend"}}]},"\#(scopeKey)":[{"scope":{"name":"lib"},"spans":[{"traceId":"\#(trace)","spanId":"\#(root)","name":"POST /charge","kind":\#(kind),"startTimeUnixNano":"1684778327699392724","endTimeUnixNano":"1684778328256392724","attributes":[{"key":"http.response.status_code","value":{"intValue":"502"}}],"status":{"code":\#(code),"message":"timeout"}},{"traceId":"\#(trace)","spanId":"\#(child)","parentSpanId":"\#(root)","name":"SELECT payments","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1684778327700000000","endTimeUnixNano":"1684778327710000000","events":[{"timeUnixNano":"1684778327705000000","name":"exception","attributes":[{"key":"exception.type","value":{"stringValue":"Timeout"}}]}],"links":[{"traceId":"\#(linkTrace)","spanId":"\#(linkSpan)","attributes":[{"key":"k","value":{"boolValue":true}}]}],"status":{}}]}]}"#
    }

    static let base64Spans = resourceSpans(trace: traceB64, root: rootB64, child: childB64, linkTrace: linkTraceB64, linkSpan: linkSpanB64)
    static let hexSpans = resourceSpans(trace: traceHex, root: rootHex, child: childHex, linkTrace: linkTraceHex, linkSpan: linkSpanHex,
                                        kind: "2", code: "2")

    /// `/api/v2/traces/<id>`, partial.
    static let v2 = #"{"trace":{"resourceSpans":["# + base64Spans + #"]},"status":"PARTIAL","message":"trace exceeds max size (max bytes: 5000000), partial trace returned","metrics":{"inspectedBytes":"48213","totalBlocks":2}}"#
    /// `/api/traces/<id>` before Tempo 2.6, with the old scope key.
    static let batches = #"{"batches":["# + resourceSpans(trace: traceB64, root: rootB64, child: childB64, linkTrace: linkTraceB64, linkSpan: linkSpanB64, scopeKey: "instrumentationLibrarySpans") + "]}"
    /// `/api/traces/<id>` since 2.6.
    static let v1 = #"{"resourceSpans":["# + base64Spans + "]}"
    static let search = #"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop-backend","rootTraceName":"update-billing","startTimeUnixNano":"1684778327699392724","durationMs":557,"spanSets":[{"spans":[{"spanID":"563d623c76514f8e","startTimeUnixNano":"1684778327735077898","durationNanos":"446979497","attributes":[{"key":"status","value":{"stringValue":"error"}}]}],"matched":1},{"spans":[],"matched":3}]},{"traceID":"f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"<root span not yet received>","startTimeUnixNano":"1684778327000000000","spanSet":{"spans":[],"matched":2}}],"metrics":{"inspectedBytes":"1234","completedJobs":1,"totalJobs":1}}"#

    /// Each span as comparable text: IDs, name, kind, times, status, attributes, events, links.
    static func fingerprint(_ span: Span) -> String {
        "\(span.traceID.hex)/\(span.spanID.hex)/\(span.parentSpanID.hex)/\(span.name)/\(span.kind)/\(span.startTime)/\(span.endTime)"
            + "/\(span.status)/\(span.attributes)/\(span.events)/\(span.links)/\(span.resource.attributes)/\(span.scope.name)"
    }

    // MARK: - Traces

    @Test("a v2 answer: base64 IDs, enum names, status and metrics beside the trace")
    func v2Answer() throws {
        let result = read(Self.v2 + "\n")
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.spans.count == 2)
        let root = try #require(result.spans.first)
        #expect(root.traceID.hex == Self.traceHex)
        #expect(root.spanID.hex == Self.rootHex)
        #expect(root.parentSpanID.isZero)
        #expect(root.kind == .server)
        #expect(root.status == SpanStatus(code: .error, description: "timeout"))
        #expect(root.attributes[key: "http.response.status_code"] == .int(502))
        #expect(root.serviceName == "shop-backend")
        let child = try #require(result.spans.last)
        #expect(child.spanID.hex == Self.childHex)
        #expect(child.parentSpanID.hex == Self.rootHex)
        #expect(child.kind == .client)
        #expect(child.status.code == .unset)
        #expect(child.events.map(\.name) == ["exception"])

        let status = Self.status(Self.v2)
        #expect(status.isPartial)
        #expect(status.message == "trace exceeds max size (max bytes: 5000000), partial trace returned")
    }

    @Test("the format is OTLP for each of Tempo's trace answers")
    func classified() {
        for text in [Self.v2, Self.batches, Self.v1] {
            let reader = SpanStreamReader(source: "tempo")
            let spans = reader.feed(Array((text + "\n").utf8)).spans + reader.finish().spans
            #expect(spans.count == 2)
            #expect(reader.decoder.formats == [.otlp])
        }
    }

    @Test("the legacy batches answer, with instrumentationLibrarySpans")
    func legacyBatches() throws {
        let result = read(Self.batches)
        #expect(result.problems.isEmpty)
        #expect(result.spans.map(\.name) == ["POST /charge", "SELECT payments"])
        #expect(result.spans.allSatisfy { $0.traceID.hex == Self.traceHex && $0.scope.name == "lib" })
    }

    @Test("a v1 answer with base64 IDs, and links with base64 IDs")
    func v1AndLinks() throws {
        let result = read(Self.v1)
        #expect(result.problems.isEmpty)
        let child = try #require(result.spans.last)
        let link = try #require(child.links.first)
        #expect(link.traceID.hex == Self.linkTraceHex)
        #expect(link.spanID.hex == Self.linkSpanHex)
        #expect(link.attributes == [Attribute("k", .bool(true))])
    }

    @Test("the same trace in base64 and enum names reads as in hex and numbers")
    func sameAsHex() {
        let hex = read(#"{"resourceSpans":["# + Self.hexSpans + "]}")
        let base64 = read(Self.v2)
        #expect(hex.problems.isEmpty && base64.problems.isEmpty)
        #expect(hex.spans.count == 2)
        #expect(hex.spans.map(Self.fingerprint) == base64.spans.map(Self.fingerprint))
    }

    @Test("base64 in both alphabets, with or without padding, and with an escaped slash")
    func base64Spellings() throws {
        // 0xfb 0xff ... : '+', '/' in the standard alphabet, '-', '_' in the URL-safe one.
        let hex = "fbfffefbfffefbfffefbfffefbfffeff", spanHex = "fbfffefbfffefbff"
        let std = "+//++//++//++//++//+/w==", url = "-__--__--__--__--__-_w==", spanStd = "+//++//++/8="
        for (trace, span) in [(std, spanStd), (url, "-__--__--_8="), (String(std.dropLast(2)), String(spanStd.dropLast())),
                              (std.replacingOccurrences(of: "/", with: #"\/"#), spanStd.replacingOccurrences(of: "/", with: #"\/"#))] {
            let line = Self.hexSpans.replacingOccurrences(of: Self.traceHex, with: trace).replacingOccurrences(of: Self.rootHex, with: span)
            let result = read(#"{"resourceSpans":["# + line + "]}")
            #expect(result.problems.isEmpty, "\(trace) \(span): \(result.problems)")
            #expect(result.spans.first?.traceID.hex == hex, "\(trace)")
            #expect(result.spans.first?.spanID.hex == spanHex, "\(span)")
        }
    }

    @Test("hex wins where both could be meant: 22 hex digits are a short hex ID, as before")
    func hexFirst() throws {
        // 22 characters, all hex digits: also unpadded base64 of 16 bytes, read as hex.
        let line = Self.hexSpans.replacingOccurrences(of: Self.traceHex, with: "0123456789abcdef012345")
            .replacingOccurrences(of: Self.rootHex, with: "0123456789a")
        let span = try #require(read(#"{"resourceSpans":["# + line + "]}").spans.first)
        #expect(span.traceID.hex == "00000000000123456789abcdef012345")
        #expect(span.spanID.hex == "000000123456789a")
    }

    @Test("an ID that is neither hex nor base64 of the right length makes its value bad, not the file",
          arguments: [
            ("traceId", "W47/95gDgQPSabYzgT/HAA="),     // one '=' short
            ("traceId", "W47/95gDgQPSabYzgT/HAA"),      // unpadded: fine; see below, made bad by a '*'
            ("traceId", "W47/95gDgQPSabYzgT/HAAAA"),    // 18 bytes
            ("traceId", "W47/95gDgQPSabYzgT/H"),        // 15 bytes
            ("traceId", "W47/95gDgQPS=abYzgT/HAA="),    // padding inside
            ("traceId", "W47/95gDgQPSabYzgT/HAA==="),   // too much padding
            ("spanId", "AAAAAAAAAAE"),                  // unpadded but fine... made bad below
            ("spanId", "AAAAAAAAAAAAAAE="),             // 11 bytes
            ("spanId", "AAAAAAAAAA=="),                 // 7 bytes
            ("spanId", "AAAA*AAAAAE="),                 // not the alphabet
            ("parentSpanId", "7uGbfsPBsXQ=="),          // too much padding
          ])
    func badIDs(key: String, id: String) {
        // The two spellings that are valid are spoilt with a character outside both alphabets.
        let bad = id == "W47/95gDgQPSabYzgT/HAA" || id == "AAAAAAAAAAE" ? id + "*" : id
        let original = key == "traceId" ? Self.traceB64 : key == "spanId" ? Self.rootB64 : Self.rootB64
        let spoilt: String
        if key == "parentSpanId" {
            spoilt = Self.v1.replacingOccurrences(of: #""parentSpanId":"\#(original)""#, with: #""parentSpanId":"\#(bad)""#)
        } else {
            spoilt = Self.v1.replacingFirst(#""\#(key)":"\#(original)""#, with: #""\#(key)":"\#(bad)""#)
        }
        #expect(spoilt != Self.v1)
        let result = read(spoilt + "\n" + Self.v1 + "\n")
        // The spans of the good value; a bad parent is on the second span, and the first,
        // read before it, is kept (as for any value that fails part way).
        #expect(result.spans.count == (key == "parentSpanId" ? 3 : 2))
        #expect(result.problems.count == 1)
        let idKey = key == "traceId" ? "traceId" : "spanId"
        #expect(result.problems.first?.reason.contains(idKey) == true, "\(result.problems)")
    }

    @Test("JSON log lines with a trace or batches key of another shape stay values that are not spans")
    func notTempo() {
        let text = #"{"level":"info","trace":"4bf92f3577b34da6","msg":"ok"}"# + "\n" + #"{"batches":[1,2],"msg":"x"}"# + "\n"
            + #"{"trace":null}"# + "\n" + #"{"trace":{"id":"x"}}"# + "\n" + #"{"batches":[]}"# + "\n"
        let result = read(text)
        #expect(result.spans.isEmpty)
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.stats.otherValues == 5)
    }

    // MARK: - The v2 answer's status

    static func status(_ text: String) -> TraceResponseStatus {
        Array(text.utf8).withUnsafeBytes { TraceResponseStatus.read($0) }
    }

    @Test("status by name or number, message, and an answer without status")
    func statusValues() {
        #expect(Self.status(#"{"trace":{},"status":"PARTIAL"}"#) == TraceResponseStatus(isPartial: true))
        #expect(Self.status(#"{"status":1,"message":"m"}"#) == TraceResponseStatus(isPartial: true, message: "m"))
        #expect(Self.status(#"{"status":"COMPLETE"}"#) == TraceResponseStatus())
        #expect(Self.status(#"{"status":0}"#) == TraceResponseStatus())
        #expect(Self.status(#"{"status":2}"#) == TraceResponseStatus())
        #expect(Self.status(#"{"trace":{"resourceSpans":[]},"metrics":{}}"#) == TraceResponseStatus())
        #expect(Self.status(" {\"message\":null,\"status\":\"PARTIAL\"}\n") == TraceResponseStatus(isPartial: true))
        // Escapes decoded, control characters kept as they are.
        #expect(Self.status(#"{"status":"PARTIAL","message":"a\nb\u001b[31m\"\u00e9\ud83d\ude00"}"#).message == "a\nb\u{1b}[31m\"é😀")
    }

    @Test("a long message is cut to 1,000 bytes at a character boundary")
    func longMessage() throws {
        let long = String(repeating: "é", count: 2_000)   // 2 bytes each
        let cut = try #require(Self.status(#"{"status":1,"message":"x\#(long)"}"#).message)
        #expect(cut.utf8.count == 999)
        #expect(cut == "x" + String(repeating: "é", count: 499))
        let ascii = try #require(Self.status(#"{"message":"\#(String(repeating: "a", count: 5_000))"}"#).message)
        #expect(ascii.utf8.count == 1_000)
    }

    @Test("malformed answers are complete, without a message, and never crash",
          arguments: ["", " ", "[]", "null", "{", #"{"status""#, #"{"status":"PARTIAL""#, #"{"status":"PARTIAL"} x"#,
                      #"{"status":"PARTIAL","message":"bad \q escape"}"#, #"{"status":"PARTIAL","message":"cut"#,
                      #"{"status":1.5}"#, #"{"status":"PARTIAL","trace":"# + String(repeating: "[", count: 5_000)])
    func statusMalformed(text: String) {
        #expect(Self.status(text) == TraceResponseStatus())
    }

    // MARK: - Search

    static func hits(_ text: String, maxHits: Int = 100_000) throws(ScanError) -> [TraceHit] {
        let result = Array(text.utf8).withUnsafeBytes { raw in
            Result { () throws(ScanError) -> [TraceHit] in try TempoSearchResponse.decode(raw, maxHits: maxHits) }
        }
        return try result.get()
    }

    @Test("search hits: IDs padded, durations, matched spans over spanSets or the one spanSet")
    func searchHits() throws {
        let hits = try Self.hits(Self.search)
        #expect(hits == [
            TraceHit(traceID: try #require(TraceID(hex: "2f3e0cee77ae5dc9c17ade3689eb2e54")), rootService: "shop-backend",
                     rootName: "update-billing", startNs: 1_684_778_327_699_392_724, durationNs: 557_000_000, matchedSpans: 4),
            TraceHit(traceID: try #require(TraceID(hex: "0f3e0cee77ae5dc9c17ade3689eb2e54")), rootService: nil, rootName: nil,
                     startNs: 1_684_778_327_000_000_000, durationNs: 0, matchedSpans: 2),
        ])
        #expect(hits[1].traceID.hex == "0f3e0cee77ae5dc9c17ade3689eb2e54")
        #expect(try Self.hits(Self.search, maxHits: 1).count == 1)
        // spanSets wins over the spanSet newer Tempo also writes (the same first set again).
        let both = try Self.hits(#"{"traces":[{"traceID":"1","spanSet":{"matched":5},"spanSets":[{"matched":5},{"matched":1}]}]}"#)
        #expect(both.first?.matchedSpans == 6)
        #expect(try Self.hits(#"{"traces":[{"traceID":"1"}]}"#).first == TraceHit(traceID: TraceID(high: 0, low: 1), durationNs: 0))
    }

    @Test("maxHits gives the first hits of all even when a later hit holds bytes the reader skips only when it must (fuzz-otlp find)")
    func maxHitsIsAPrefix() throws {
        // The second hit's start is a string with a byte that is not UTF-8 (0xEB): read as a
        // number it is missing; skipped as a value, it was malformed.
        var bytes = Array(#"{"traces":[{"traceID":"2f3e0cee77ae5dc9c17ade3689eb2e54","rootServiceName":"shop"},{"traceID":"f3e0cee77ae5dc9c17ade3689eb2e54","startTimeUnixNano":"168477832X000000000"}]}"#.utf8)
        bytes[bytes.firstIndex(of: UInt8(ascii: "X"))!] = 0xEB
        func decode(maxHits: Int) -> [TraceHit]? {
            bytes.withUnsafeBytes { raw in try? TempoSearchResponse.decode(raw, maxHits: maxHits) }
        }
        let all = try #require(decode(maxHits: 100))
        #expect(all.count == 2 && all[1].startNs == nil)
        #expect(decode(maxHits: 1) == Array(all.prefix(1)))
        #expect(decode(maxHits: 0) == [])
    }

    @Test("hits with an unusable traceID are left out; fields of the wrong type read as missing")
    func badHits() throws {
        let text = #"{"traces":[{"rootServiceName":"no id"},{"traceID":"xyz"},{"traceID":42},{"traceID":"0"},"#
            + #"{"traceID":"123456789012345678901234567890123"},{"traceID":null},7,"#
            + #"{"traceID":"abc","rootServiceName":5,"rootTraceName":["x"],"startTimeUnixNano":"soon","durationMs":-1,"spanSets":{"matched":2}}]}"#
        let hits = try Self.hits(text)
        #expect(hits == [TraceHit(traceID: TraceID(high: 0, low: 0xabc), matchedSpans: 0)])
        #expect(try Self.hits(#"{"traces":null,"metrics":{}}"#).isEmpty)
        #expect(try Self.hits(#"{"metrics":{}}"#).isEmpty)
        #expect(try Self.hits("{}").isEmpty)
    }

    @Test("a cut-off or malformed search answer throws")
    func searchMalformed() {
        #expect(throws: ScanError.incomplete) { try Self.hits("") }
        #expect(throws: ScanError.incomplete) { try Self.hits(#"{"traces":[{"traceID":"1"}"#) }
        for text in ["[]", "x", #"{"traces":[}"#] {
            #expect(throws: ScanError.self) { try Self.hits(text) }
        }
    }

    // MARK: - Cut at every length

    @Test("every prefix of each answer reads without a crash, and never with more than the whole")
    func everyPrefix() throws {
        let file = try Data(contentsOf: WritersTests.samples.appendingPathComponent("tempo-v2-trace.json"))
        let sample = String(decoding: file, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        for text in [Self.v2, Self.batches, Self.v1, Self.search, sample] {
            let bytes = Array(text.utf8)
            let whole = readBytes(bytes).spans.count
            for k in 0..<bytes.count {
                let prefix = Array(bytes[..<k])
                #expect(readBytes(prefix).spans.count <= whole)
                let status = prefix.withUnsafeBytes { TraceResponseStatus.read($0) }
                #expect(status == TraceResponseStatus())   // a cut answer is never a whole object
                let found = prefix.withUnsafeBytes { raw in try? TempoSearchResponse.decode(raw) }
                #expect(found == nil, "a cut search answer reads as whole at \(k)")
            }
        }
    }

    @Test("the sample pretty-printed (as `curl | jq .` shows it), slashes escaped, reads the same")
    func prettySample() throws {
        let file = try Data(contentsOf: WritersTests.samples.appendingPathComponent("tempo-v2-trace.json"))
        let pretty = try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: file), options: [.prettyPrinted])
        let text = String(decoding: pretty, as: UTF8.self)
        #expect(text.contains(#"\/"#))   // Foundation writes "/" as "\/", inside base64 IDs too
        let compact = readBytes(Array(file)), spaced = readBytes(Array(pretty))
        #expect(compact.problems.isEmpty && spaced.problems.isEmpty, "\(spaced.problems)")
        #expect(compact.spans.count == 6)
        #expect(Set(compact.spans.map(Self.fingerprint)) == Set(spaced.spans.map(Self.fingerprint)))
    }

    // MARK: - The sample

    @Test("samples/tempo-v2-trace.json loads as a file does: one trace of six spans, two services, its tree")
    func sample() throws {
        let path = WritersTests.samples.appendingPathComponent("tempo-v2-trace.json").path
        let loaded = try InputLoader.load([path])
        let input = try #require(loaded.inputs.first)
        #expect(input.problems.isEmpty, "\(input.problems)")
        #expect(input.formats == [.otlp])
        #expect(loaded.store.traceCount == 1)
        #expect(loaded.store.spanCount == 6)
        let record = try #require(loaded.store.traces.first)
        #expect(record.traceID.hex == Self.traceHex)
        #expect(record.errorCount == 2)
        let spans = Array(record.spans)
        let byID = Dictionary(uniqueKeysWithValues: spans.map { ($0.spanID, $0) })
        let parents = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, byID[$0.parentSpanID]?.name ?? "-") })
        #expect(parents == [
            "GET /checkout": "-",
            "render cart": "GET /checkout",
            "POST shop-backend/charge": "GET /checkout",
            "POST /charge": "POST shop-backend/charge",
            "SELECT payments": "POST /charge",
            "POST processor/authorize": "POST /charge",
        ])
        #expect(Set(spans.compactMap(\.serviceName)) == ["shop-frontend", "shop-backend"])
        let charge = try #require(spans.first { $0.name == "POST /charge" })
        #expect(charge.kind == .server)
        #expect(charge.parentIsRemote)
        #expect(charge.status == SpanStatus(code: .error, description: "card processor timeout"))
        #expect(charge.events.map(\.name) == ["exception"])
        #expect(charge.events.first?.attributes[key: "exception.type"] == .string("ProcessorTimeout"))
        #expect(charge.links.map(\.traceID.hex) == [Self.linkTraceHex])
        #expect(charge.links.map(\.spanID.hex) == [Self.linkSpanHex])
        let root = try #require(spans.first { $0.parentSpanID.isZero })
        #expect(root.spanID.hex == "1a2b3c4d5e6f7081")
        #expect(root.duration == 182_000_000)
        #expect(spans.first { $0.name == "POST shop-backend/charge" }?.status.code == .error)
    }
}
