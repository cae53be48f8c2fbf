/// Reads what `PackedBytes` wrote, and never traps on bytes it did not write.
///
/// Every read is checked against `end`; a count is never trusted beyond the bytes left to
/// hold its entries; symbol numbers are looked up without trapping; nesting is bounded by
/// `PackedBytes.maxDepth`. The first inconsistency sets `damaged`, moves to `end` and makes
/// every later read return an empty value, so a damaged buffer decodes to what could be
/// read before the damage and is reported, never to a crash or a huge allocation.
struct PackedReader {
    let bytes: [UInt8]
    var position: Int
    let end: Int
    let symbols: Symbols
    /// The bytes did not hold what the layout says they hold.
    private(set) var damaged = false

    init(bytes: [UInt8], position: Int, end: Int? = nil, symbols: Symbols) {
        self.bytes = bytes
        self.end = min(bytes.count, end ?? bytes.count)
        self.position = max(0, position)
        self.symbols = symbols
        if self.position > self.end { fail() }
    }

    var remaining: Int { end - position }

    mutating func fail() {
        damaged = true
        position = end
    }

    mutating func byte() -> UInt8 {
        guard position < end else { fail(); return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while !damaged {
            let b = byte()
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
            if shift > 63 { fail() }
        }
        return 0
    }

    mutating func int() -> Int64 {
        let z = varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    mutating func fixed64() -> UInt64 {
        guard remaining >= 8 else { fail(); return 0 }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    /// A four-byte count of entries that take at least `entrySize` bytes each: more than
    /// the bytes left can hold is damage.
    mutating func count(entrySize: Int = 1) -> Int {
        guard remaining >= 4 else { fail(); return 0 }
        var c = 0
        for i in 0..<4 { c |= Int(bytes[position + i]) << (8 * i) }
        position += 4
        guard c <= remaining / entrySize else { fail(); return 0 }
        return c
    }

    /// A length of bytes that follow.
    mutating func length() -> Int {
        let n = varint()
        guard n <= UInt64(remaining) else { fail(); return 0 }
        return Int(n)
    }

    mutating func symbol() -> String {
        let id = varint()
        guard !damaged, id <= UInt64(UInt32.max), let text = symbols.text(UInt32(id)) else { fail(); return "" }
        return text
    }

    /// An attribute key: a symbol, or in place (`PackedBytes.inlineKey`).
    mutating func key() -> String {
        let id = varint()
        guard !damaged else { return "" }
        if id == UInt64(PackedBytes.inlineKey) {
            let n = length()
            defer { position += n }
            return String(decoding: bytes[position..<position + n], as: UTF8.self)
        }
        guard id < UInt64(PackedBytes.inlineKey), let text = symbols.text(UInt32(id)) else { fail(); return "" }
        return text
    }

    mutating func string() -> String {
        let tag = PackedBytes.Tag(rawValue: byte())
        switch tag {
        case .inlineString:
            let n = length()
            defer { position += n }
            return String(decoding: bytes[position..<position + n], as: UTF8.self)
        case .symbolString:
            return symbol()
        default:
            fail()
            return ""
        }
    }

    mutating func value(depth: Int = 0) -> AttributeValue {
        guard depth <= PackedBytes.maxDepth else { fail(); return .empty }
        guard let tag = PackedBytes.Tag(rawValue: byte()), !damaged else { fail(); return .empty }
        switch tag {
        case .empty: return .empty
        case .boolFalse: return .bool(false)
        case .boolTrue: return .bool(true)
        case .int: return .int(int())
        case .double: return .double(Double(bitPattern: fixed64()))
        case .inlineString, .symbolString:
            position -= 1
            return .string(string())
        case .stringArray:
            return .stringArray(list(count(entrySize: 2)) { $0.string() })
        case .boolArray:
            return .boolArray(list(count()) { $0.byte() != 0 })
        case .intArray:
            return .intArray(list(count()) { $0.int() })
        case .doubleArray:
            return .doubleArray(list(count(entrySize: 8)) { Double(bitPattern: $0.fixed64()) })
        case .bytes:
            let n = length()
            defer { position += n }
            return .bytes(Array(bytes[position..<position + n]))
        case .array:
            return .array(list(count()) { $0.value(depth: depth + 1) })
        case .map:
            return .map(attributes(count(entrySize: 2), depth: depth + 1))
        case .unknown:
            let type = string()
            return .unknown(type: type, json: string())
        }
    }

    /// `n` elements, stopping at the first damage.
    mutating func list<T>(_ n: Int, _ element: (inout PackedReader) -> T) -> [T] {
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let e = element(&self)
            if damaged { break }
            out.append(e)
        }
        return out
    }

    mutating func attributes(_ n: Int, depth: Int = 0) -> [Attribute] {
        list(n) { r in
            let key = r.key()
            return Attribute(key, r.value(depth: depth))
        }
    }

    // MARK: - Walking without building values (`SpanDetails.isIntact`)

    /// Read to the end, with no damage.
    var isWhole: Bool { !damaged && remaining == 0 }

    mutating func skip(_ n: Int) {
        guard n >= 0, n <= remaining else { fail(); return }
        position += n
    }

    mutating func skipSymbol() {
        let id = varint()
        guard !damaged, id < UInt64(symbols.count) else { fail(); return }
    }

    mutating func skipKey() {
        let id = varint()
        guard !damaged else { return }
        if id == UInt64(PackedBytes.inlineKey) {
            skip(length())
        } else if id >= UInt64(symbols.count) {
            fail()
        }
    }

    mutating func skipString() {
        switch PackedBytes.Tag(rawValue: byte()) {
        case .inlineString: skip(length())
        case .symbolString: skipSymbol()
        default: fail()
        }
    }

    mutating func skipValue(depth: Int) {
        guard depth <= PackedBytes.maxDepth else { fail(); return }
        guard let tag = PackedBytes.Tag(rawValue: byte()), !damaged else { fail(); return }
        switch tag {
        case .empty, .boolFalse, .boolTrue: return
        case .int: _ = varint()
        case .double: skip(8)
        case .inlineString, .symbolString:
            position -= 1
            skipString()
        case .stringArray:
            for _ in 0..<count(entrySize: 2) {
                if damaged { break }
                skipString()
            }
        case .boolArray: skip(count())
        case .intArray:
            for _ in 0..<count() {
                if damaged { break }
                _ = varint()
            }
        case .doubleArray: skip(8 * count(entrySize: 8))
        case .bytes: skip(length())
        case .array:
            for _ in 0..<count() {
                if damaged { break }
                skipValue(depth: depth + 1)
            }
        case .map: skipAttributes(count(entrySize: 2), depth: depth + 1)
        case .unknown:
            skipString()
            skipString()
        }
    }

    mutating func skipAttributes(_ n: Int, depth: Int = 0) {
        for _ in 0..<n {
            if damaged { break }
            skipKey()
            skipValue(depth: depth)
        }
    }

    /// An attribute list written with a count slot.
    mutating func countedAttributes() -> [Attribute] {
        attributes(count(entrySize: 2))
    }
}
