extension SpanDetails {
    /// The value of the first attribute named `key`, or nil. Walks the packed bytes in place
    /// and decodes only the value it returns (no `[Attribute]` is built).
    public func attributeValue(forKey key: String) -> AttributeValue? {
        var lookup = AttributeKeyLookup(key)
        return attributeValue(&lookup)
    }

    /// `attributeValue(forKey:)` for many spans: `lookup` remembers which symbol numbers
    /// of a table are (not) the key, so each key number is compared as text once per table.
    public func attributeValue(_ lookup: inout AttributeKeyLookup) -> AttributeValue? {
        let n = attributeCount
        guard n > 0, bytes.count >= Self.headerSize else { return nil }
        var eventsOffset = 0
        for i in 0..<4 { eventsOffset |= Int(bytes[12 + i]) << (8 * i) }
        let end = min(max(eventsOffset, Self.headerSize), bytes.count)
        var r = PackedReader(bytes: bytes, position: Self.headerSize, end: end, symbols: symbols)
        lookup.use(symbols)
        for _ in 0..<n {
            if r.damaged { return nil }
            let id = r.varint()
            if r.damaged { return nil }
            let isKey: Bool
            if id == UInt64(PackedBytes.inlineKey) {
                let length = r.length()
                if r.damaged { return nil }
                isKey = lookup.matches(bytes[r.position..<r.position + length])
                r.position += length
            } else {
                guard id < UInt64(PackedBytes.inlineKey) else { return nil }
                isKey = lookup.matches(symbol: UInt32(id), in: symbols)
            }
            if isKey {
                let value = r.value()
                return r.damaged ? nil : value
            }
            r.skipValue(depth: 0)
        }
        return nil
    }
}

/// A key looked up in many spans' attributes (`SpanDetails.attributeValue(_:)`): the key's
/// UTF-8 bytes and what is known about the current `Symbols` table's numbers.
public struct AttributeKeyLookup: Sendable {
    public let key: String
    private let utf8: [UInt8]
    private var table: ObjectIdentifier?
    /// Per symbol number of `table`: 0 not compared yet, 1 not the key, 2 the key.
    private var known: [UInt8] = []

    public init(_ key: String) {
        self.key = key
        utf8 = Array(key.utf8)
    }

    mutating func use(_ symbols: Symbols) {
        let id = ObjectIdentifier(symbols)
        if table != id {
            table = id
            known.removeAll(keepingCapacity: true)
        }
    }

    func matches(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.elementsEqual(utf8)
    }

    mutating func matches(symbol id: UInt32, in symbols: Symbols) -> Bool {
        let i = Int(id)
        if i < known.count, known[i] != 0 { return known[i] == 2 }
        let isKey = symbols.text(id).map { $0 == key } ?? false
        if i < 1 << 16 {
            if i >= known.count { known.append(contentsOf: repeatElement(0, count: i + 1 - known.count)) }
            known[i] = isKey ? 2 : 1
        }
        return isKey
    }
}
