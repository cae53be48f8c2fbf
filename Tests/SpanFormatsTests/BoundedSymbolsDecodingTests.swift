import SpanFormats
import SpanModel
import Testing

/// Decoding with a `Symbols` table at its bound: new keys and repeated values go in place,
/// and the spans read back exactly as with a table that has room.
@Suite("Decoding with a full Symbols table")
struct BoundedSymbolsDecodingTests {
    /// Go spans: repeated values (symbols from their second sighting), new keys after the
    /// table is full, escapes in keys and values, and the general path (pretty-printed, Value
    /// before Key).
    static var goLines: [String] {
        var lines: [String] = []
        for i in 0..<6 {
            var span = GoSpanJSON()
            span.spanID = "b7ad6b716920333\(i)"
            span.name = "GET /api/orders/\(1000 + i)"   // names with IDs in them
            span.attributes = "[" + [
                kv("http.route", "STRING", #""GET /api/orders/{id}""#),
                kv("request.id", "STRING", #""0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0""#),   // on every span: repeats
                kv("unique.key.\(i)", "STRING", #""value number \#(i) is long enough""#),
                kv(#"esc\"key.\#(i)"#, "STRING", #""esc\"value\u00e9 repeated often""#),
                kv("n", "INT64", "\(i)"),
            ].joined(separator: ",") + "]"
            span.events = #"[{"Name":"retry","Attributes":[\#(kv("attempt.key.\(i)", "INT64", "2"))],"DroppedAttributeCount":0,"Time":"2024-05-01T12:00:00.1Z"}]"#
            lines.append(i % 2 == 0 ? span.compact : span.pretty)
        }
        // Value before Key (the decoder comes back for the value).
        var odd = GoSpanJSON()
        odd.spanID = "c7ad6b7169203339"
        odd.attributes = #"[{"Value":{"Type":"STRING","Value":"GET /api/orders/{id}"},"Key":"late.key"},{"Value":{"Value":"x","Type":"STRING"},"Key":"late.key.2"}]"#
        lines.append(odd.compact)
        return lines
    }

    static let otlp = OTLPDecoderTests.line.replacing(#"{"key":"s","#, with: #"{"key":"otlp.new.key","#)
        + "\n" + #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"5B8EFFF798038103D269B633813FC60D","spanId":"EEE19B7EC3C1B175","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"value":{"stringValue":"value before its key, long"},"key":"otlp.late.key"},{"value":{"stringValue":"value before its key, long"},"key":"otlp.late.key.2"}]}]}]}]}"#

    static func decode(_ text: String, symbols: Symbols, rotates: Bool = true) -> [Span] {
        let reader = SpanStreamReader(source: "test", decoder: SpanDecoder(strings: StringTable(symbols: symbols, rotatesSymbols: rotates)),
                                      chunkSize: 4096)
        var spans = reader.feed(Array(text.utf8)).spans
        spans += reader.finish().spans
        return spans
    }

    static func same(_ a: [Span], _ b: [Span]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy {
            $0.name == $1.name && $0.attributes == $1.attributes && $0.events == $1.events && $0.links == $1.links
                && $0.resource.attributes == $1.resource.attributes
        }
    }

    @Test("spans decoded at every fullness of the table, in place or in new generations, read back the same keys and values, intact",
          arguments: [0, 1, 2, 3, 5, 8, 13], [false, true])
    func sameAttributes(maxCount: Int, rotates: Bool) {
        let text = (Self.goLines + [Self.otlp]).joined(separator: "\n") + "\n"
        let reference = Self.decode(text, symbols: Symbols())
        #expect(reference.count == 9)
        let symbols = Symbols(maxCount: maxCount)
        let spans = Self.decode(text, symbols: symbols, rotates: rotates)
        #expect(symbols.count <= maxCount)
        #expect(spans.allSatisfy { $0.details.isIntact })
        #expect(Self.same(spans, reference))
    }

    @Test("once the table is full, new keys and repeated values are written in place; earlier symbols stay in use")
    func writesInPlace() throws {
        let symbols = Symbols(maxCount: 3)
        let strings = StringTable(symbols: symbols, rotatesSymbols: false)
        let reader = SpanStreamReader(source: "test", decoder: SpanDecoder(strings: strings), chunkSize: 4096)
        // Fill the table: the resource's key, two attribute keys.
        var first = GoSpanJSON()
        first.attributes = "[" + kv("http.route", "STRING", #""GET /api/orders/{id}""#) + "," + kv("k", "INT64", "1") + "]"
        _ = reader.feed(Array((first.compact + "\n").utf8))
        #expect(symbols.count == 3)
        // Now a new key, and a value seen a second time (it would become a symbol).
        var spans: [Span] = []
        for i in 0..<3 {
            var span = GoSpanJSON()
            span.spanID = "b7ad6b716920334\(i)"
            span.attributes = "[" + [
                kv("http.route", "STRING", #""GET /api/orders/{id}""#),
                kv("new.key", "STRING", #""POST /api/checkout/now""#),
            ].joined(separator: ",") + "]"
            spans += reader.feed(Array((span.compact + "\n").utf8)).spans
        }
        spans += reader.finish().spans
        #expect(symbols.count == 3)
        #expect(spans.count == 3)
        for span in spans {
            #expect(span.details.isIntact)
            #expect(span.attributes == [Attribute("http.route", .string("GET /api/orders/{id}")),
                                        Attribute("new.key", .string("POST /api/checkout/now"))])
            let bytes = span.details.bytes
            #expect(bytes.containsBytes("new.key"))
            #expect(bytes.containsBytes("POST /api/checkout/now"))
            #expect(!bytes.containsBytes("http.route"))    // still a symbol
        }
    }

    @Test("a full table gives way to a new generation at the next value; the old one goes with its last span")
    func generations() throws {
        let strings = StringTable(symbols: Symbols(maxCount: 3))
        weak var first = strings.symbols
        let reader = SpanStreamReader(source: "test", decoder: SpanDecoder(strings: strings), chunkSize: 4096)
        func line(_ i: Int, _ key: String) -> String {
            var span = GoSpanJSON()
            span.spanID = "b7ad6b716920335\(i)"
            span.attributes = "[" + kv("http.route", "STRING", #""GET /api/orders/{id}""#) + "," + kv(key, "INT64", "\(i)") + "]"
            return span.compact + "\n"
        }
        var spans = reader.feed(Array((line(0, "k") + line(1, "new.key")).utf8)).spans
        #expect(strings.generation == 0)   // full while decoding span 1 ("new.key" went in place)
        #expect(spans[1].details.bytes.containsBytes("new.key"))
        spans += reader.feed(Array((line(2, "new.key") + line(3, "k")).utf8)).spans + reader.finish().spans
        #expect(strings.generation >= 1)
        #expect(first != nil && strings.symbols !== first)
        #expect(!spans[2].details.bytes.containsBytes("new.key"))   // a symbol again, in the new table
        for (i, span) in spans.enumerated() {
            #expect(span.details.isIntact)
            #expect(span.attributes == [Attribute("http.route", .string("GET /api/orders/{id}")),
                                        Attribute(i == 0 || i == 3 ? "k" : "new.key", .int(Int64(i)))])
        }
        spans.removeFirst(2)
        #expect(first == nil)   // no span uses the first generation any more
        #expect(spans.count == 2)
    }

    @Test("a key too big for any table is written in place without new generations")
    func hugeKey() {
        let strings = StringTable(symbols: Symbols(maxBytes: 16))
        let reader = SpanStreamReader(source: "test", decoder: SpanDecoder(strings: strings), chunkSize: 4096)
        var text = ""
        for i in 0..<5 {
            var span = GoSpanJSON()
            span.spanID = "b7ad6b716920336\(i)"
            span.attributes = "[" + kv("a.key.longer.than.sixteen.bytes", "INT64", "\(i)") + "]"
            text += span.compact + "\n"
        }
        let spans = reader.feed(Array(text.utf8)).spans + reader.finish().spans
        #expect(spans.count == 5)
        #expect(strings.generation == 0)
        #expect(spans.allSatisfy { $0.details.isIntact && $0.attributes.first?.key == "a.key.longer.than.sixteen.bytes" })
    }

    @Test("a StringTable's own memory is bounded: unique names are not kept, and at most maxEntries texts")
    func tableBounded() {
        let strings = StringTable(symbols: Symbols(), maxEntries: 64)
        let reader = SpanStreamReader(source: "test", decoder: SpanDecoder(strings: strings), chunkSize: 4096)
        func spanLine(_ i: Int, value: String) -> String {
            var span = GoSpanJSON()
            span.spanID = String(1_000_000_000_000_000 + i)
            span.name = "GET /api/orders/\(100_000 + i)"    // unique, longer than 15 bytes
            span.attributes = "[" + kv("request.id", "STRING", "\"\(value)\"") + "]"
            return span.compact + "\n"
        }
        // Names and values seen once are not kept.
        #expect(strings.clears == 0)
        var text = ""
        for i in 0..<200 { text += spanLine(i, value: "req-\(100_000_000 + i)-once") }
        var spans = reader.feed(Array(text.utf8)).spans
        #expect(strings.internedCount < 5)
        // Values seen twice are, up to the bound.
        text = ""
        for i in 0..<200 {
            text += spanLine(1000 + 2 * i, value: "req-\(200_000_000 + i)-twice")
            text += spanLine(1001 + 2 * i, value: "req-\(200_000_000 + i)-twice")
        }
        spans += reader.feed(Array(text.utf8)).spans + reader.finish().spans
        #expect(spans.count == 600)
        #expect(strings.internedCount <= 64 && strings.clears == 3)   // 202 texts: two keys, 200 values
        #expect(spans.allSatisfy { $0.details.isIntact && $0.attributes.count == 1 })
        #expect(spans.last?.attributes == [Attribute("request.id", .string("req-200000199-twice"))])
    }
}

extension [UInt8] {
    func containsBytes(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard needle.count <= count else { return false }
        for i in 0...(count - needle.count) where self[i..<i + needle.count].elementsEqual(needle) { return true }
        return false
    }
}
