import SpanModel
import Testing

@Suite("Symbols table")
struct SymbolsTests {
    @Test("the same text always gets the same number")
    func sameText() {
        let symbols = Symbols()
        let a = symbols.id(for: "http.method")
        let b = symbols.id(for: "http.method")
        #expect(a == b)
        #expect(symbols.count == 1)
    }

    @Test("different texts get different, consecutive numbers from zero")
    func distinct() {
        let symbols = Symbols()
        let texts = ["a", "b", "", "A", "a ", "ü", "u\u{0308}", "中"]
        let ids = texts.map { symbols.id(for: $0) }
        // "ü" and "u\u{0308}" are canonically equal Swift strings: one symbol for both.
        #expect(ids == [0, 1, 2, 3, 4, 5, 5, 6])
        #expect(symbols.count == 7)
    }

    @Test("string(for:) returns the text that was numbered")
    func roundTrip() {
        let symbols = Symbols()
        let texts = (0..<1_000).map { "key-\($0)-\(String(repeating: "é", count: $0 % 5))" }
        let ids = texts.map { symbols.id(for: $0)! }
        for (text, id) in zip(texts, ids) {
            #expect(symbols.string(id) == text)
        }
        #expect(symbols.strings(ids) == texts)
        #expect(symbols.strings([]) == [])
        #expect(Set(ids).count == 1_000)
    }

    @Test("separate tables number independently")
    func independent() {
        let one = Symbols(), two = Symbols()
        _ = one.id(for: "x")
        #expect(one.id(for: "y") == 1)
        #expect(two.id(for: "y") == 0)
    }

    @Test("concurrent numbering hands out one number per text")
    func concurrent() async {
        let symbols = Symbols()
        let ids = await withTaskGroup(of: [UInt32].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<200).map { symbols.id(for: "t\($0)")! } }
            }
            var all: [[UInt32]] = []
            for await ids in group { all.append(ids) }
            return all
        }
        #expect(symbols.count == 200)
        for list in ids { #expect(list == ids[0]) }
        for (i, id) in ids[0].enumerated() { #expect(symbols.string(id) == "t\(i)") }
    }
}

private func makeSpan(name: String = "op", start: Int64 = 100, end: Int64 = 200,
                      attributes: [Attribute] = [Attribute("k", .string("v"))],
                      events: [SpanEvent] = [], links: [SpanLink] = [],
                      status: SpanStatus = .unset, kind: SpanKind = .internal,
                      parent: UInt64 = 7) -> Span {
    Span(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), parentSpanID: SpanID(parent), name: name, kind: kind,
         startTime: start, endTime: end, attributes: attributes, events: events, links: links, status: status)
}

@Suite("Span")
struct SpanTests {
    @Test("a span is a copy of an identical span")
    func identical() {
        #expect(makeSpan().isCopy(of: makeSpan()))
    }

    @Test("spans with equal attributes packed by different symbol tables are copies")
    func differentSymbols() {
        var a = makeSpan()
        var b = makeSpan()
        let first = Symbols(), second = Symbols()
        _ = second.id(for: "padding so the numbers differ")
        a.details = SpanDetails(attributes: [Attribute("k", .string("v"))], symbols: first)
        b.details = SpanDetails(attributes: [Attribute("k", .string("v"))], symbols: second)
        #expect(a.details.bytes != b.details.bytes)
        #expect(a.isCopy(of: b))
    }

    @Test("a span differing in one field is not a copy", arguments: [
        "name", "start", "end", "attributes", "status", "kind", "parent", "event count", "link count", "trace", "span",
    ])
    func differs(field: String) {
        let a = makeSpan()
        var b = makeSpan()
        switch field {
        case "name": b.name = "other"
        case "start": b.startTime = 101
        case "end": b.endTime = 201
        case "attributes": b = makeSpan(attributes: [Attribute("k", .string("w"))])
        case "status": b.status = SpanStatus(code: .error, description: "x")
        case "kind": b.kind = .server
        case "parent": b.parentSpanID = SpanID(8)
        case "event count": b = makeSpan(events: [SpanEvent(name: "e", time: 1)])
        case "link count": b = makeSpan(links: [SpanLink(traceID: .zero, spanID: SpanID(1))])
        case "trace": b.traceID = TraceID(high: 1, low: 3)
        case "span": b.spanID = SpanID(4)
        default: Issue.record("unknown field")
        }
        #expect(!a.isCopy(of: b))
        #expect(!b.isCopy(of: a))
    }

    @Test("duration, hasTimes, isRoot and isError")
    func derived() {
        let span = makeSpan(start: 100, end: 350, parent: 0)
        #expect(span.duration == 250)
        #expect(span.hasTimes)
        #expect(span.isRoot)
        #expect(!span.isError)
        let backwards = makeSpan(start: 350, end: 100, status: SpanStatus(code: .error))
        #expect(backwards.duration == -250)
        #expect(!backwards.isRoot)
        #expect(backwards.isError)
        let noStart = makeSpan(start: Timestamp.unknown, end: 100)
        #expect(noStart.duration == nil)
        #expect(!noStart.hasTimes)
        let noEnd = makeSpan(start: 100, end: Timestamp.unknown)
        #expect(noEnd.duration == nil)
    }
}

@Suite("Resource")
struct ResourceTests {
    @Test("serviceName is the string value of service.name")
    func serviceName() {
        let r = Resource(attributes: [Attribute("host.name", .string("h1")), Attribute("service.name", .string("checkout"))])
        #expect(r.serviceName == "checkout")
    }

    @Test("serviceName is nil without a string service.name", arguments: [
        [Attribute]([]),
        [Attribute("service.namespace", .string("shop"))],
        [Attribute("service.name", .int(5))],
        [Attribute("service.name", .stringArray(["a"]))],
        [Attribute("Service.Name", .string("x"))],
    ])
    func noServiceName(attributes: [Attribute]) {
        #expect(Resource(attributes: attributes).serviceName == nil)
    }

    @Test("the first service.name wins when the key repeats")
    func firstWins() {
        let r = Resource(attributes: [Attribute("service.name", .string("first")), Attribute("service.name", .string("second"))])
        #expect(r.serviceName == "first")
    }

    @Test("an empty service name is kept as empty, not nil")
    func emptyName() {
        #expect(Resource(attributes: [Attribute("service.name", .string(""))]).serviceName == "")
        #expect(Resource.empty.serviceName == nil)
    }

    @Test("resources compare by attributes, and spans report their resource's service")
    func equality() {
        let a = Resource(attributes: [Attribute("service.name", .string("x"))])
        let b = Resource(attributes: [Attribute("service.name", .string("x"))])
        let c = Resource(attributes: [Attribute("service.name", .string("y"))])
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        let span = Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), name: "s", startTime: 0, endTime: 0, resource: c)
        #expect(span.serviceName == "y")
    }
}
