/// A span's attributes, events and links packed into one byte array.
///
/// Most of a span's memory is here, and it is read only when someone looks at the span.
/// Packing removes the per-array headers, per-element padding and per-string allocations
/// of `[Attribute]` (40 bytes an attribute before its strings): keys and repeated values
/// are `Symbols` numbers, other strings their UTF-8 bytes. Decoding is on access.
///
/// Layout: u32 attribute count, u32 event count, u32 link count, u32 offset of the events,
/// u32 offset of the links, then the three sections. An event is its attributes (u32 count,
/// entries), name, time (8 bytes) and dropped count; a link is its attributes, trace ID,
/// span ID, trace state and dropped count (docs/architecture.md).
public struct SpanDetails: Sendable {
    public let bytes: [UInt8]
    let symbols: Symbols

    public static let empty = SpanDetails(bytes: [], symbols: .shared)

    public init(bytes: [UInt8], symbols: Symbols = .shared) {
        self.bytes = bytes
        self.symbols = symbols
    }

    static let headerSize = 20

    /// Joins sections written with `PackedBytes` (counts are how many entries each holds).
    public init(attributes: [UInt8], attributeCount: Int, events: [UInt8], eventCount: Int,
                links: [UInt8], linkCount: Int, symbols: Symbols = .shared) {
        if attributeCount == 0 && eventCount == 0 && linkCount == 0 {
            self = .empty
            return
        }
        var out: [UInt8] = []
        out.reserveCapacity(Self.headerSize + attributes.count + events.count + links.count)
        let eventsOffset = Self.headerSize + attributes.count
        let linksOffset = eventsOffset + events.count
        for v in [attributeCount, eventCount, linkCount, eventsOffset, linksOffset] {
            let u = UInt32(clamping: v)
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: u >> (8 * UInt32(i)))) }
        }
        out.append(contentsOf: attributes)
        out.append(contentsOf: events)
        out.append(contentsOf: links)
        self.bytes = out
        self.symbols = symbols
    }

    /// Packs model values (for tests and for spans built in code).
    public init(attributes: [Attribute], events: [SpanEvent] = [], links: [SpanLink] = [], symbols: Symbols = .shared) {
        var a: [UInt8] = [], e: [UInt8] = [], l: [UInt8] = []
        for attribute in attributes { PackedBytes.attribute(&a, attribute, symbols: symbols) }
        for event in events {
            PackedBytes.patchCount(&e, at: PackedBytes.countSlot(&e), event.attributes.count)
            for attribute in event.attributes { PackedBytes.attribute(&e, attribute, symbols: symbols) }
            PackedBytes.string(&e, event.name)
            PackedBytes.fixed64(&e, UInt64(bitPattern: event.time))
            PackedBytes.varint(&e, UInt64(event.droppedAttributeCount))
        }
        for link in links {
            PackedBytes.patchCount(&l, at: PackedBytes.countSlot(&l), link.attributes.count)
            for attribute in link.attributes { PackedBytes.attribute(&l, attribute, symbols: symbols) }
            PackedBytes.fixed64(&l, link.traceID.high)
            PackedBytes.fixed64(&l, link.traceID.low)
            PackedBytes.fixed64(&l, link.spanID.value)
            PackedBytes.string(&l, link.traceState)
            PackedBytes.varint(&l, UInt64(link.droppedAttributeCount))
        }
        self.init(attributes: a, attributeCount: attributes.count, events: e, eventCount: events.count,
                  links: l, linkCount: links.count, symbols: symbols)
    }

    private func u32(_ at: Int) -> Int {
        bytes.count < Self.headerSize ? 0 : (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
    }

    public var attributeCount: Int { u32(0) }
    public var eventCount: Int { u32(4) }
    public var linkCount: Int { u32(8) }

    public var attributes: [Attribute] {
        guard attributeCount > 0 else { return [] }
        var r = PackedReader(bytes: bytes, position: Self.headerSize, symbols: symbols)
        return r.attributes(attributeCount)
    }

    public var events: [SpanEvent] {
        let n = eventCount
        guard n > 0 else { return [] }
        var r = PackedReader(bytes: bytes, position: u32(12), symbols: symbols)
        return (0..<n).map { _ in
            let attributes = r.attributes(r.count())
            let name = r.string()
            let time = Int64(bitPattern: r.fixed64())
            let dropped = UInt32(clamping: r.varint())
            return SpanEvent(name: name, time: time, attributes: attributes, droppedAttributeCount: dropped)
        }
    }

    public var links: [SpanLink] {
        let n = linkCount
        guard n > 0 else { return [] }
        var r = PackedReader(bytes: bytes, position: u32(16), symbols: symbols)
        return (0..<n).map { _ in
            let attributes = r.attributes(r.count())
            let high = r.fixed64(), low = r.fixed64(), span = r.fixed64()
            let traceState = r.string()
            let dropped = UInt32(clamping: r.varint())
            return SpanLink(traceID: TraceID(high: high, low: low), spanID: SpanID(span), traceState: traceState,
                            attributes: attributes, droppedAttributeCount: dropped)
        }
    }
}
