import SpanModel
import Testing

/// Equality that treats NaN as equal to a NaN with the same bit pattern and tells -0 from +0,
/// so a round trip is checked bit for bit.
func bitEqual(_ a: AttributeValue, _ b: AttributeValue) -> Bool {
    switch (a, b) {
    case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
    case (.doubleArray(let x), .doubleArray(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
    case (.array(let x), .array(let y)):
        return x.count == y.count && zip(x, y).allSatisfy { bitEqual($0, $1) }
    case (.map(let x), .map(let y)):
        return bitEqual(x, y)
    default: return a == b
    }
}

func bitEqual(_ a: [Attribute], _ b: [Attribute]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && bitEqual($0.value, $1.value) }
}

/// Every kind of value, with edge cases.
let sampleValues: [(String, AttributeValue)] = [
    ("string", .string("GET /api/v1/orders")),
    ("empty string", .string("")),
    ("non-ASCII string", .string("café 中文 😀 \u{0301}")),
    ("string with NUL and ESC", .string("a\u{0}b\u{1B}[31m")),
    ("long string", .string(String(repeating: "x", count: 1_000))),
    ("true", .bool(true)),
    ("false", .bool(false)),
    ("int zero", .int(0)),
    ("int -1", .int(-1)),
    ("int max", .int(.max)),
    ("int min", .int(.min)),
    ("int 63", .int(63)),
    ("int -64", .int(-64)),
    ("int 64", .int(64)),
    ("double", .double(3.25)),
    ("double -0", .double(-0.0)),
    ("double +0", .double(0.0)),
    ("double infinity", .double(.infinity)),
    ("double -infinity", .double(-.infinity)),
    ("double smallest subnormal", .double(.leastNonzeroMagnitude)),
    ("double max", .double(.greatestFiniteMagnitude)),
    ("string array", .stringArray(["a", "", "ü", "GET"])),
    ("empty string array", .stringArray([])),
    ("bool array", .boolArray([true, false, true])),
    ("int array", .intArray([0, -1, .max, .min, 300])),
    ("double array", .doubleArray([1.5, -0.0, .infinity])),
    ("bytes", .bytes([0, 1, 0x7F, 0x80, 0xFF])),
    ("empty bytes", .bytes([])),
    ("array", .array([.string("x"), .int(2), .bool(false), .array([.double(0.5)]), .empty])),
    ("map", .map([Attribute("inner", .string("v")), Attribute("n", .int(-7)),
                  Attribute("deeper", .map([Attribute("k", .boolArray([true]))]))])),
    ("empty map", .map([])),
    ("empty", .empty),
    ("unknown", .unknown(type: "FUTURETYPE", json: #"{"x":[1,2]}"#)),
    ("unknown with empty parts", .unknown(type: "", json: "")),
]

@Suite("SpanDetails packing round trip")
struct SpanDetailsTests {
    @Test("every attribute value comes back as it went in", arguments: sampleValues.indices)
    func everyValue(index: Int) {
        let (label, value) = sampleValues[index]
        let symbols = Symbols()
        let attributes = [Attribute("before", .int(1)), Attribute("key", value), Attribute("after", .string("z"))]
        let details = SpanDetails(attributes: attributes, symbols: symbols)
        #expect(details.attributeCount == 3, "\(label)")
        #expect(details.eventCount == 0)
        #expect(details.linkCount == 0)
        let back = details.attributes
        #expect(bitEqual(back, attributes), "\(label): \(back)")
        #expect(details.events.isEmpty)
        #expect(details.links.isEmpty)
    }

    @Test("all values together in one span come back in order")
    func allTogether() {
        let attributes = sampleValues.map { Attribute($0.0, $0.1) }
        let details = SpanDetails(attributes: attributes, symbols: Symbols())
        #expect(details.attributeCount == attributes.count)
        #expect(bitEqual(details.attributes, attributes))
        #expect(details.attributes[key: "int min"] == .int(.min))
    }

    @Test("-0.0 keeps its sign bit")
    func negativeZero() throws {
        let details = SpanDetails(attributes: [Attribute("z", .double(-0.0))], symbols: Symbols())
        guard case .double(let d)? = details.attributes.first?.value else {
            Issue.record("not a double: \(details.attributes)")
            return
        }
        #expect(d == 0)
        #expect(d.sign == .minus)
        #expect(d.bitPattern == (-0.0 as Double).bitPattern)
    }

    @Test("NaN comes back as NaN with its payload", arguments: [Double.nan, -Double.nan, Double.signalingNaN, Double(nan: 0x1234, signaling: false)])
    func nan(value: Double) throws {
        let details = SpanDetails(attributes: [Attribute("n", .double(value)), Attribute("a", .doubleArray([value, 1]))],
                                  symbols: Symbols())
        let back = details.attributes
        try #require(back.count == 2)
        guard case .double(let d) = back[0].value, case .doubleArray(let a) = back[1].value else {
            Issue.record("wrong cases: \(back)")
            return
        }
        #expect(d.isNaN)
        #expect(d.bitPattern == value.bitPattern)
        #expect(a.count == 2)
        #expect(a[0].isNaN)
        #expect(a[0].bitPattern == value.bitPattern)
        #expect(a[1] == 1)
    }

    @Test("events come back with names, times, attributes and dropped counts")
    func events() {
        let symbols = Symbols()
        let events = [
            SpanEvent(name: "exception", time: 1_714_564_800_000_000_001,
                      attributes: [Attribute("exception.type", .string("IOError")), Attribute("exception.message", .string("boom"))],
                      droppedAttributeCount: 3),
            SpanEvent(name: "", time: Timestamp.unknown),
            SpanEvent(name: "before epoch", time: -5, attributes: [Attribute("nested", .map([Attribute("k", .double(-0.5))]))]),
            SpanEvent(name: "retry ✓", time: .max, attributes: [], droppedAttributeCount: .max),
        ]
        let details = SpanDetails(attributes: [], events: events, symbols: symbols)
        #expect(details.attributeCount == 0)
        #expect(details.eventCount == 4)
        #expect(details.linkCount == 0)
        #expect(details.attributes == [])
        #expect(details.events == events)
        #expect(details.events[0].isException)
        #expect(!details.events[1].isException)
    }

    @Test("links come back with IDs, trace state, attributes and dropped counts")
    func links() {
        let links = [
            SpanLink(traceID: TraceID(high: 0x1111_1111_1111_1111, low: .max), spanID: SpanID(0x2222_2222_2222_2222),
                     traceState: "k=v,vendor=ü", attributes: [Attribute("link.kind", .string("follows"))], droppedAttributeCount: 2),
            SpanLink(traceID: .zero, spanID: .zero),
            SpanLink(traceID: TraceID(high: .max, low: 0), spanID: SpanID(.max), traceState: "",
                     attributes: [Attribute("bytes", .bytes([1, 2, 3])), Attribute("list", .array([]))]),
        ]
        let details = SpanDetails(attributes: [], links: links, symbols: Symbols())
        #expect(details.linkCount == 3)
        #expect(details.eventCount == 0)
        #expect(details.links == links)
        #expect(details.events == [])
    }

    @Test("attributes, events and links together keep their own sections")
    func allSections() {
        let attributes = [Attribute("http.method", .string("GET")), Attribute("http.status_code", .int(200))]
        let events = [SpanEvent(name: "e1", time: 10, attributes: [Attribute("http.method", .string("POST"))])]
        let links = [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), attributes: [Attribute("x", .bool(true))])]
        let details = SpanDetails(attributes: attributes, events: events, links: links, symbols: Symbols())
        #expect(details.attributeCount == 2)
        #expect(details.eventCount == 1)
        #expect(details.linkCount == 1)
        #expect(details.attributes == attributes)
        #expect(details.events == events)
        #expect(details.links == links)
    }

    @Test("details with nothing in them are empty and take no bytes")
    func empty() {
        let details = SpanDetails(attributes: [], events: [], links: [])
        #expect(details.bytes.isEmpty)
        #expect(details.attributeCount == 0)
        #expect(details.eventCount == 0)
        #expect(details.linkCount == 0)
        #expect(details.attributes.isEmpty)
        #expect(details.events.isEmpty)
        #expect(details.links.isEmpty)
        #expect(SpanDetails.empty.bytes.isEmpty)
        #expect(SpanDetails.empty.attributes.isEmpty)
    }

    @Test("many attributes, more than one varint byte of length and count")
    func many() {
        let attributes = (0..<300).map { Attribute("key\($0)", $0 % 2 == 0 ? .int(Int64($0) * 1_000_003) : .string(String(repeating: "v", count: $0))) }
        let details = SpanDetails(attributes: attributes, symbols: Symbols())
        #expect(details.attributeCount == 300)
        #expect(details.attributes == attributes)
    }

    @Test("more than 65535 attributes and list entries are all kept")
    func beyondSixteenBits() {
        let symbols = Symbols()
        let attributes = (0..<70_000).map { Attribute("k\($0 % 50)", .int(Int64($0))) }
        let details = SpanDetails(attributes: attributes, symbols: symbols)
        #expect(details.attributeCount == 70_000)
        let back = details.attributes
        #expect(back.count == 70_000)
        #expect(back.last == Attribute("k49", .int(69_999)))
        let list = SpanDetails(attributes: [Attribute("list", .intArray((0..<70_000).map { Int64($0) })),
                                            Attribute("after", .bool(true))], symbols: symbols)
        #expect(list.attributes[key: "list"] == .intArray((0..<70_000).map { Int64($0) }))
        #expect(list.attributes[key: "after"] == .bool(true))
    }

    @Test("a span built in code exposes the packed attributes, events and links")
    func spanAccessors() {
        let attributes = [Attribute("a", .string("b"))]
        let events = [SpanEvent(name: "ev", time: 5)]
        let links = [SpanLink(traceID: TraceID(high: 0, low: 9), spanID: SpanID(8))]
        let span = Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(2), name: "s", startTime: 0, endTime: 1,
                        attributes: attributes, events: events, links: links)
        #expect(span.attributes == attributes)
        #expect(span.events == events)
        #expect(span.links == links)
        let bare = Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(2), name: "s", startTime: 0, endTime: 1)
        #expect(bare.details.bytes.isEmpty)
        #expect(bare.attributes.isEmpty)
    }
}
