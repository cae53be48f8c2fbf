extension SpanDetails {
    /// The value of the first attribute named `key`, or nil. Walks the packed bytes in place
    /// and decodes only the value it returns (no `[Attribute]` is built).
    public func attributeValue(forKey key: String) -> AttributeValue? {
        var lookup = AttributeKeyLookup(key, remembering: false)
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
        lookup.valueSymbol = nil
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
                // A string kept as a symbol: its text from the lookup's cache when seen before.
                if r.position < r.end, r.bytes[r.position] == PackedBytes.Tag.symbolString.rawValue {
                    r.position += 1
                    let valueID = r.varint()
                    guard !r.damaged, valueID <= UInt64(UInt32.max),
                          let text = lookup.symbolValue(UInt32(valueID), in: symbols) else { return nil }
                    lookup.valueSymbol = UInt32(valueID)
                    return .string(text)
                }
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
    /// The attribute key looked for.
    public let key: String
    /// Whether symbol numbers and values are remembered (not for a single lookup: it
    /// would only allocate).
    private let remembering: Bool
    /// The `Symbols` table of the last span looked at, held so that its identity cannot
    /// pass to a new table while numbers of it are remembered.
    private var symbols: Symbols?
    /// The identity of the `Symbols` table of the last span looked at.
    public var table: ObjectIdentifier? { symbols.map(ObjectIdentifier.init) }
    /// When the last value found was a string kept as a symbol: its number in `table`, so
    /// callers can key on it instead of hashing the text.
    public internal(set) var valueSymbol: UInt32?
    /// Per symbol number of `table`: 0 not compared yet, 1 not the key, 2 the key.
    private var known: [UInt8] = []
    /// Texts of `table`'s symbols seen as values.
    private var values: [UInt32: String] = [:]

    /// A lookup of `key` that remembers what it learns about symbol tables.
    public init(_ key: String) {
        self.init(key, remembering: true)
    }

    init(_ key: String, remembering: Bool) {
        self.key = key
        self.remembering = remembering
    }

    mutating func use(_ table: Symbols) {
        if symbols !== table {
            symbols = table
            known.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }
    }

    mutating func symbolValue(_ id: UInt32, in symbols: Symbols) -> String? {
        if let known = values[id] { return known }
        guard let text = symbols.text(id) else { return nil }
        if remembering { values[id] = text }
        return text
    }

    func matches(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.elementsEqual(key.utf8)
    }

    mutating func matches(symbol id: UInt32, in symbols: Symbols) -> Bool {
        let i = Int(id)
        if i < known.count, known[i] != 0 { return known[i] == 2 }
        let isKey = symbols.text(id).map { $0 == key } ?? false
        if remembering && i < 1 << 16 {
            if i >= known.count { known.append(contentsOf: repeatElement(0, count: i + 1 - known.count)) }
            known[i] = isKey ? 2 : 1
        }
        return isKey
    }
}
