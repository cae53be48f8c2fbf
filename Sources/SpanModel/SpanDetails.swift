/// A span's attributes, events and links packed into one byte array.
///
/// Most of a span's memory is here, and it is read only when someone looks at the span.
/// Packing removes the per-array headers, per-element padding and per-string allocations
/// of `[Attribute]` (40 bytes an attribute before its strings): keys and repeated values
/// are `Symbols` numbers, other strings their UTF-8 bytes (and keys and values too once the
/// bounded `Symbols` table is full: `PackedBytes.inlineKey`). Decoding is on access.
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
        assert(isIntact, "packed details disagree with their counts")
    }

    /// Packs model values (for tests and for spans built in code).
    public init(attributes: [Attribute], events: [SpanEvent] = [], links: [SpanLink] = [], symbols: Symbols = .shared) {
        var a: [UInt8] = [], e: [UInt8] = [], l: [UInt8] = []
        for attribute in attributes { PackedBytes.attribute(&a, attribute, symbols: symbols) }
        for event in events {
            let slot = PackedBytes.countSlot(&e)
            for attribute in event.attributes { PackedBytes.attribute(&e, attribute, symbols: symbols) }
            PackedBytes.finishEvent(&e, slot: slot, attributeCount: event.attributes.count, time: event.time,
                                    dropped: event.droppedAttributeCount) { PackedBytes.string(&$0, event.name) }
        }
        for link in links {
            let slot = PackedBytes.countSlot(&l)
            for attribute in link.attributes { PackedBytes.attribute(&l, attribute, symbols: symbols) }
            PackedBytes.finishLink(&l, slot: slot, attributeCount: link.attributes.count, traceID: link.traceID,
                                   spanID: link.spanID, traceState: link.traceState, dropped: link.droppedAttributeCount)
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

    /// Whether the header's section offsets fit the bytes, in order.
    private var headerFits: Bool {
        bytes.count >= Self.headerSize && Self.headerSize <= u32(12) && u32(12) <= u32(16) && u32(16) <= bytes.count
    }

    /// The byte ranges of the three sections, clamped to the bytes there are (so that damaged
    /// bytes still give what can be read); nil without a whole header.
    private var sections: (attributes: Range<Int>, events: Range<Int>, links: Range<Int>)? {
        guard bytes.count >= Self.headerSize else { return nil }
        let events = min(max(u32(12), Self.headerSize), bytes.count)
        let links = min(max(u32(16), events), bytes.count)
        return (Self.headerSize..<events, events..<links, links..<bytes.count)
    }

    public var attributes: [Attribute] { readAttributes() }
    public var events: [SpanEvent] { readEvents() }
    public var links: [SpanLink] { readLinks() }

    /// Whether the bytes hold exactly what the header says: every section's entries are
    /// well formed and end where the next section begins. Decoders keep this true for any
    /// input (debug builds assert it, the fuzzers check it); a false here is a bug, shown
    /// as damaged details. Checked by walking the bytes, building no values (so it costs
    /// little even beside a megabyte attribute).
    public var isIntact: Bool {
        guard !bytes.isEmpty else { return true }
        guard headerFits, let sections else { return false }
        var r = PackedReader(bytes: bytes, position: sections.attributes.lowerBound, end: sections.attributes.upperBound, symbols: symbols)
        r.skipAttributes(attributeCount)
        guard r.isWhole else { return false }
        r = PackedReader(bytes: bytes, position: sections.events.lowerBound, end: sections.events.upperBound, symbols: symbols)
        for _ in 0..<eventCount {
            if r.damaged { break }
            r.skipAttributes(r.count(entrySize: 2))
            r.skipString()
            r.skip(8)
            _ = r.varint()
        }
        guard r.isWhole else { return false }
        r = PackedReader(bytes: bytes, position: sections.links.lowerBound, end: sections.links.upperBound, symbols: symbols)
        for _ in 0..<linkCount {
            if r.damaged { break }
            r.skipAttributes(r.count(entrySize: 2))
            r.skip(24)
            r.skipString()
            _ = r.varint()
        }
        return r.isWhole
    }

    private func reader(_ section: KeyPath<(attributes: Range<Int>, events: Range<Int>, links: Range<Int>), Range<Int>>) -> PackedReader? {
        guard let range = sections?[keyPath: section] else { return nil }
        return PackedReader(bytes: bytes, position: range.lowerBound, end: range.upperBound, symbols: symbols)
    }

    /// The attributes that could be read (all of them unless the bytes are damaged).
    func readAttributes() -> [Attribute] {
        let n = attributeCount
        guard n > 0, var r = reader(\.attributes) else { return [] }
        return r.attributes(min(n, r.remaining / 2))
    }

    func readEvents() -> [SpanEvent] {
        let n = eventCount
        guard n > 0, var r = reader(\.events) else { return [] }
        // An entry takes at least 15 bytes: count, name, time, dropped count.
        return r.list(min(n, r.remaining / 15)) { r in
            let attributes = r.countedAttributes()
            let name = r.string()
            let time = Int64(bitPattern: r.fixed64())
            let dropped = UInt32(clamping: r.varint())
            return SpanEvent(name: name, time: time, attributes: attributes, droppedAttributeCount: dropped)
        }
    }

    func readLinks() -> [SpanLink] {
        let n = linkCount
        guard n > 0, var r = reader(\.links) else { return [] }
        // An entry takes at least 31 bytes: count, IDs, trace state, dropped count.
        return r.list(min(n, r.remaining / 31)) { r in
            let attributes = r.countedAttributes()
            let high = r.fixed64(), low = r.fixed64(), span = r.fixed64()
            let traceState = r.string()
            let dropped = UInt32(clamping: r.varint())
            return SpanLink(traceID: TraceID(high: high, low: low), spanID: SpanID(span), traceState: traceState,
                            attributes: attributes, droppedAttributeCount: dropped)
        }
    }
}
