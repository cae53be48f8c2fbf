import SpanModel
import Testing

@Suite("Symbols table bound, and keys in place")
struct BoundedSymbolsTests {
    @Test("the table stops adding at its count bound and keeps the numbers it gave")
    func countBound() {
        let symbols = Symbols(maxCount: 3)
        #expect(symbols.id(for: "a") == 0)
        #expect(symbols.id(for: "b") == 1)
        #expect(symbols.id(for: "c") == 2)
        #expect(symbols.id(for: "d") == nil)
        #expect(symbols.id(for: "b") == 1)
        #expect(symbols.count == 3)
        #expect(symbols.text(3) == nil)
    }

    @Test("the table stops adding at its byte bound")
    func byteBound() {
        let symbols = Symbols(maxBytes: 10)
        #expect(symbols.id(for: "12345") == 0)
        #expect(symbols.id(for: "123456") == nil)
        #expect(symbols.id(for: "1234") == 1)
        #expect(symbols.id(for: "12345") == 0)
        #expect(symbols.id(for: "12") == nil)
        #expect(symbols.byteCount == 9)
    }

    @Test("the default bounds")
    func defaults() {
        #expect(Symbols().maxCount == 1 << 14)
        #expect(Symbols().maxBytes == 2 << 20)
        #expect(Symbols(maxCount: .max).maxCount < Int(PackedBytes.inlineKey))
    }

    static let attributes = [
        Attribute("http.route", .string("GET /api/orders/{id}")),
        Attribute("new.key", .string("v")),
        Attribute("ключ", .map([Attribute("inner.key", .int(7)), Attribute("", .bool(true))])),
        Attribute("list", .array([.string("x"), .map([Attribute("deep.key", .empty)])])),
    ]
    static let events = [SpanEvent(name: "retry", time: 5, attributes: [Attribute("attempt.key", .int(2))], droppedAttributeCount: 1)]
    static let links = [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), traceState: "a=b",
                                 attributes: [Attribute("link.key", .string("w"))], droppedAttributeCount: 0)]

    @Test("keys written in place once the table is full read back, and the details are intact", arguments: [0, 1, 2, 5, 100])
    func inlineKeys(maxCount: Int) {
        let symbols = Symbols(maxCount: maxCount)
        let details = SpanDetails(attributes: Self.attributes, events: Self.events, links: Self.links, symbols: symbols)
        #expect(details.isIntact)
        #expect(details.attributes == Self.attributes)
        #expect(details.events == Self.events)
        #expect(details.links == Self.links)
        #expect(symbols.count == min(maxCount, 9))
        // Keys past the bound are in the bytes; the first `maxCount` keys are not.
        let inPlace = details.bytes.containsSubsequence(Array("link.key".utf8))
        #expect(inPlace == (maxCount < 9))
        #expect(details.bytes.containsSubsequence(Array("http.route".utf8)) == (maxCount == 0))
    }

    /// A header for one attribute in `attributes` and no events or links.
    static func header(attributes: [UInt8]) -> [UInt8] {
        let end = UInt8(20 + attributes.count)
        return [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, end, 0, 0, 0, end, 0, 0, 0]
    }

    @Test("damaged keys in place never trap and are reported")
    func damagedInlineKeys() {
        let symbols = Symbols(maxCount: 0)
        let bytes = SpanDetails(attributes: Self.attributes, events: Self.events, links: Self.links, symbols: symbols).bytes
        for n in 1..<bytes.count {
            let cut = SpanDetails(bytes: Array(bytes[0..<n]), symbols: symbols)
            #expect(!cut.isIntact)
            _ = (cut.attributes, cut.events, cut.links)
        }
        // A key length past the end.
        var one: [UInt8] = []
        PackedBytes.varint(&one, UInt64(PackedBytes.inlineKey))
        PackedBytes.varint(&one, 200)
        one += Array("k".utf8)
        PackedBytes.tag(&one, .empty)
        let long = SpanDetails(bytes: Self.header(attributes: one) + one, symbols: symbols)
        #expect(!long.isIntact)
        #expect(long.attributes.isEmpty)
        // A symbol number past the table, just below the marker.
        var two: [UInt8] = []
        PackedBytes.varint(&two, UInt64(PackedBytes.inlineKey) - 1)
        PackedBytes.tag(&two, .empty)
        let unknown = SpanDetails(bytes: Self.header(attributes: two) + two, symbols: symbols)
        #expect(!unknown.isIntact)
        #expect(unknown.attributes.isEmpty)
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        for i in 0...(count - needle.count) where self[i..<i + needle.count].elementsEqual(needle) { return true }
        return false
    }
}
