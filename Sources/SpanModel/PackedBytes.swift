/// The byte encoding of attribute values inside `SpanDetails` (see docs/architecture.md).
///
/// A value is a tag byte and its payload. Counts of lists, which a reader learns only at
/// their end, are fixed four-byte slots written first and patched afterwards, so every
/// list is written in place with no temporary buffer.
public enum PackedBytes {
    /// Deepest nesting of lists and maps a value may have (the JSON scanner rejects deeper
    /// input, so no reader of the packed bytes recurses further than this).
    public static let maxDepth = 128

    public enum Tag: UInt8 {
        case empty = 0, boolFalse, boolTrue, int, double
        case inlineString, symbolString
        case stringArray, boolArray, intArray, doubleArray
        case bytes, array, map, unknown
    }

    @inlinable @inline(__always)
    public static func tag(_ buffer: inout [UInt8], _ tag: Tag) { buffer.append(tag.rawValue) }

    @inlinable @inline(__always)
    public static func varint(_ buffer: inout [UInt8], _ value: UInt64) {
        if value < 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: value))
            return
        }
        varintSlow(&buffer, value)
    }

    @usableFromInline
    static func varintSlow(_ buffer: inout [UInt8], _ value: UInt64) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    @inlinable
    public static func int(_ buffer: inout [UInt8], _ value: Int64) {
        varint(&buffer, UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    public static func double(_ buffer: inout [UInt8], _ value: Double) {
        let bits = value.bitPattern
        for i in 0..<8 { buffer.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
    }

    @inlinable
    public static func fixed64(_ buffer: inout [UInt8], _ value: UInt64) {
        for i in 0..<8 { buffer.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }

    /// A string stored in place: tag, length, UTF-8 bytes.
    @inlinable
    public static func inlineString(_ buffer: inout [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(Tag.inlineString.rawValue)
        varint(&buffer, UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
    }

    @inlinable
    public static func symbolString(_ buffer: inout [UInt8], _ id: UInt32) {
        buffer.append(Tag.symbolString.rawValue)
        varint(&buffer, UInt64(id))
    }

    // MARK: - Keys

    /// An attribute key is the varint of its `Symbols` number, or, when the table was full
    /// (`Symbols.id(for:)` gave nil), this number (which no symbol has: `Symbols.maxCount` is
    /// below it) followed by the key stored in place: length, UTF-8 bytes.
    public static let inlineKey = UInt32.max

    /// A key that is a symbol.
    @inlinable @inline(__always)
    public static func symbolKey(_ buffer: inout [UInt8], _ id: UInt32) {
        varint(&buffer, UInt64(id))
    }

    /// A key stored in place (see `inlineKey`).
    @inlinable
    public static func inlineKey(_ buffer: inout [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) {
        varint(&buffer, UInt64(inlineKey))
        varint(&buffer, UInt64(bytes.count))
        buffer.append(contentsOf: bytes)
    }

    /// A key: its symbol, or in place if the table is full.
    public static func key(_ buffer: inout [UInt8], _ key: String, symbols: Symbols) {
        if let id = symbols.id(for: key) {
            symbolKey(&buffer, id)
        } else {
            var key = key
            key.withUTF8 { inlineKey(&buffer, $0) }
        }
    }

    /// Reserves a four-byte count slot; returns where it is.
    @inlinable @inline(__always)
    public static func countSlot(_ buffer: inout [UInt8]) -> Int {
        buffer.append(contentsOf: [0, 0, 0, 0] as [UInt8])
        return buffer.count - 4
    }

    @inlinable @inline(__always)
    public static func patchCount(_ buffer: inout [UInt8], at slot: Int, _ count: Int) {
        let c = UInt32(clamping: count)
        buffer[slot] = UInt8(truncatingIfNeeded: c)
        buffer[slot + 1] = UInt8(truncatingIfNeeded: c >> 8)
        buffer[slot + 2] = UInt8(truncatingIfNeeded: c >> 16)
        buffer[slot + 3] = UInt8(truncatingIfNeeded: c >> 24)
    }

    /// A tag followed by a count slot: the start of a list written in place.
    @inlinable @inline(__always)
    public static func beginList(_ buffer: inout [UInt8], _ tag: Tag) -> Int {
        buffer.append(tag.rawValue)
        return countSlot(&buffer)
    }

    // MARK: - Event and link entries (the one place their layout is written)

    /// Ends an event entry begun with `countSlot` (its attributes written after the slot):
    /// patches the attribute count, then writes the name (by `writeName`, one string), the
    /// time and the dropped count.
    @inlinable
    public static func finishEvent<E: Error>(_ buffer: inout [UInt8], slot: Int, attributeCount: Int, time: Int64, dropped: UInt32,
                                             writeName: (inout [UInt8]) throws(E) -> Void) throws(E) {
        patchCount(&buffer, at: slot, attributeCount)
        try writeName(&buffer)
        fixed64(&buffer, UInt64(bitPattern: time))
        varint(&buffer, UInt64(dropped))
    }

    /// Ends a link entry begun with `countSlot` (its attributes written after the slot):
    /// patches the attribute count, then writes the target trace and span, the trace state
    /// and the dropped count.
    public static func finishLink(_ buffer: inout [UInt8], slot: Int, attributeCount: Int, traceID: TraceID, spanID: SpanID,
                                  traceState: String, dropped: UInt32) {
        patchCount(&buffer, at: slot, attributeCount)
        fixed64(&buffer, traceID.high)
        fixed64(&buffer, traceID.low)
        fixed64(&buffer, spanID.value)
        string(&buffer, traceState)
        varint(&buffer, UInt64(dropped))
    }

    // MARK: - Writing model values (tests and builders; the readers write straight from JSON)

    public static func value(_ buffer: inout [UInt8], _ value: AttributeValue, symbols: Symbols) {
        switch value {
        case .empty: tag(&buffer, .empty)
        case .bool(let b): tag(&buffer, b ? .boolTrue : .boolFalse)
        case .int(let i): tag(&buffer, .int); int(&buffer, i)
        case .double(let d): tag(&buffer, .double); double(&buffer, d)
        case .string(let s): string(&buffer, s)
        case .stringArray(let a):
            patchCount(&buffer, at: beginList(&buffer, .stringArray), a.count)
            for s in a { string(&buffer, s) }
        case .boolArray(let a):
            patchCount(&buffer, at: beginList(&buffer, .boolArray), a.count)
            for b in a { buffer.append(b ? 1 : 0) }
        case .intArray(let a):
            patchCount(&buffer, at: beginList(&buffer, .intArray), a.count)
            for i in a { int(&buffer, i) }
        case .doubleArray(let a):
            patchCount(&buffer, at: beginList(&buffer, .doubleArray), a.count)
            for d in a { double(&buffer, d) }
        case .bytes(let b):
            tag(&buffer, .bytes); varint(&buffer, UInt64(b.count)); buffer.append(contentsOf: b)
        case .array(let a):
            patchCount(&buffer, at: beginList(&buffer, .array), a.count)
            for v in a { self.value(&buffer, v, symbols: symbols) }
        case .map(let m):
            patchCount(&buffer, at: beginList(&buffer, .map), m.count)
            for a in m { attribute(&buffer, a, symbols: symbols) }
        case .unknown(let type, let json):
            tag(&buffer, .unknown); string(&buffer, type); string(&buffer, json)
        }
    }

    public static func string(_ buffer: inout [UInt8], _ s: String) {
        var s = s
        s.withUTF8 { inlineString(&buffer, $0) }
    }

    public static func attribute(_ buffer: inout [UInt8], _ a: Attribute, symbols: Symbols) {
        key(&buffer, a.key, symbols: symbols)
        value(&buffer, a.value, symbols: symbols)
    }
}
