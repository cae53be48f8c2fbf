// Reading packed details in place, without building `[Attribute]` arrays or Strings: what a
// query needs to test a million spans (SpanQuery), and a non-inserting symbol lookup.

extension Symbols {
    /// The number of `text` if the table holds it. Unlike `id(for:)` it never adds a text, so
    /// looking up what a user typed leaves the table as it was.
    public func existingID(for text: String) -> UInt32? {
        state.withLock { $0.ids[text] }
    }

    /// The texts numbered `start` and up, in number order: a snapshot (the table only grows,
    /// so a number below `start + count` keeps its text). Costs no copy of the strings.
    public func texts(from start: Int = 0) -> ArraySlice<String> {
        state.withLock { state in state.strings[min(max(0, start), state.strings.count)...] }
    }
}

/// A text inside packed details: a `Symbols` number (in the table of the details it is read
/// from), or UTF-8 bytes in place. The bytes are valid only inside the visiting closure.
public enum PackedText {
    case symbol(UInt32)
    case bytes(UnsafeBufferPointer<UInt8>)
}

/// One leaf value of a packed attribute, read in place. Lists and maps are not leaves: their
/// elements are visited one by one.
public enum PackedScalar {
    case empty
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case text(PackedText)
    /// A byte-string value (`AttributeValue.bytes`).
    case bytes(UnsafeBufferPointer<UInt8>)
    /// A value of a type the decoder did not know: its type name and raw JSON.
    case unknown(type: PackedText, json: PackedText)
}

/// What `SpanDetails.visit` hands its closure, in the order the bytes hold them.
public enum PackedItem {
    /// An attribute key: a span attribute's (`topLevel`), an event attribute's, or a key inside
    /// a map value (not top level).
    case key(PackedText, topLevel: Bool)
    /// A leaf value, with the key of the attribute it belongs to (for a value inside a list or
    /// a map, the key of the attribute that holds the list or map) and whether that attribute
    /// is an event's.
    case value(key: PackedText, PackedScalar, inEvent: Bool)
    /// An event's name.
    case eventName(PackedText)
}

/// A key to look up in packed details: its number in one `Symbols` table, and its bytes for keys
/// stored in place (written when the table was full). Make one per table.
public struct PackedKey: Sendable {
    /// The key's number in the table it was made for; nil when that table does not hold it (then
    /// only a key stored in place can match).
    public let symbol: UInt32?
    public let utf8: [UInt8]
    /// How many texts the table held when this was made: if it holds more now, the key may have
    /// been added since (make the key again).
    public let tableCount: Int
    /// No details packed with this table can hold the key: the table does not have it and has
    /// room for it, so it was never refused and stored in place (the table only grows).
    public let absent: Bool

    public init(_ key: String, in symbols: Symbols) {
        let utf8 = Array(key.utf8)
        self.utf8 = utf8
        (symbol, tableCount, absent) = symbols.state.withLock { state in
            let id = state.ids[key]
            let room = state.strings.count < symbols.maxCount && utf8.count <= symbols.maxBytes - state.bytes
            return (id, state.strings.count, id == nil && room)
        }
    }

    /// Whether `text`, read from details whose table this key was made for, is this key.
    @inline(__always)
    public func matches(_ text: PackedText) -> Bool {
        switch text {
        case .symbol(let id): return id == symbol
        case .bytes(let b): return b.elementsEqual(utf8)
        }
    }
}

extension SpanDetails {
    /// The `Symbols` table this span's numbers are in (keys and texts read as `PackedText.symbol`).
    public var symbolTable: Symbols { symbols }

    /// Visits the span's attributes (and, with `events`, its events' names and attributes) in
    /// place, building no values. `body` returns true to stop. Returns true when it stopped.
    /// Damaged bytes end the walk quietly at the damage, as decoding does.
    @discardableResult
    public func visit(events: Bool, _ body: (PackedItem) -> Bool) -> Bool {
        guard bytes.count >= Self.headerSize else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            let attributeCount = Self.field(buffer, 0), eventCount = events ? Self.field(buffer, 4) : 0
            let eventsAt = min(max(Self.field(buffer, 12), Self.headerSize), buffer.count)
            let linksAt = min(max(Self.field(buffer, 16), eventsAt), buffer.count)
            var r = RawPackedReader(buffer, Self.headerSize, eventsAt)
            for _ in 0..<attributeCount {
                if r.damaged { break }
                guard let key = r.key() else { break }
                if body(.key(key, topLevel: true)) { return true }
                if r.value(key: key, inEvent: false, depth: 0, body) { return true }
            }
            guard eventCount > 0 else { return false }
            r = RawPackedReader(buffer, eventsAt, linksAt)
            for _ in 0..<eventCount {
                if r.damaged { break }
                let n = r.count(entrySize: 2)
                for _ in 0..<n {
                    if r.damaged { break }
                    guard let key = r.key() else { break }
                    if body(.key(key, topLevel: false)) { return true }
                    if r.value(key: key, inEvent: true, depth: 0, body) { return true }
                }
                guard let name = r.text() else { break }
                if body(.eventName(name)) { return true }
                r.skip(8)
                _ = r.varint()
            }
            return false
        }
    }

    /// Visits the leaf values of the span attributes whose key is `key` (every element of a list,
    /// every leaf of a map), in place. `key` must have been made for `symbolTable`. `body` returns
    /// true to stop; returns true when it stopped.
    @discardableResult
    public func visitValues(forKey key: PackedKey, _ body: (PackedScalar) -> Bool) -> Bool {
        guard bytes.count >= Self.headerSize, !key.absent else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            let n = Self.field(buffer, 0)
            let eventsAt = min(max(Self.field(buffer, 12), Self.headerSize), buffer.count)
            var r = RawPackedReader(buffer, Self.headerSize, eventsAt)
            for _ in 0..<n {
                if r.damaged { break }
                guard let k = r.key() else { break }
                if key.matches(k) {
                    let stopped = r.value(key: k, inEvent: false, depth: 0) { item in
                        if case .value(_, let scalar, _) = item { return body(scalar) }
                        return false
                    }
                    if stopped { return true }
                } else {
                    r.skipValue(depth: 0)
                }
            }
            return false
        }
    }

    @inline(__always)
    private static func field(_ buffer: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
        Int(buffer[at]) | Int(buffer[at + 1]) << 8 | Int(buffer[at + 2]) << 16 | Int(buffer[at + 3]) << 24
    }
}

/// `PackedReader`'s checks over a buffer pointer, handing out texts in place.
private struct RawPackedReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int
    var damaged = false

    init(_ buffer: UnsafeBufferPointer<UInt8>, _ position: Int, _ end: Int) {
        self.buffer = buffer
        self.position = position
        self.end = min(end, buffer.count)
        if position > self.end { fail() }
    }

    var remaining: Int { end - position }

    mutating func fail() {
        damaged = true
        position = end
    }

    @inline(__always)
    mutating func byte() -> UInt8 {
        guard position < end else { fail(); return 0 }
        defer { position += 1 }
        return buffer[position]
    }

    @inline(__always)
    mutating func varint() -> UInt64 {
        if position < end, buffer[position] < 0x80 {
            defer { position += 1 }
            return UInt64(buffer[position])
        }
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

    mutating func skip(_ n: Int) {
        guard n >= 0, n <= remaining else { fail(); return }
        position += n
    }

    mutating func count(entrySize: Int = 1) -> Int {
        guard remaining >= 4 else { fail(); return 0 }
        let c = Int(buffer[position]) | Int(buffer[position + 1]) << 8 | Int(buffer[position + 2]) << 16 | Int(buffer[position + 3]) << 24
        position += 4
        guard c <= remaining / entrySize else { fail(); return 0 }
        return c
    }

    mutating func length() -> Int {
        let n = varint()
        guard n <= UInt64(remaining) else { fail(); return 0 }
        return Int(n)
    }

    mutating func inPlace(_ n: Int) -> PackedText {
        defer { position += n }
        return .bytes(UnsafeBufferPointer(rebasing: buffer[position..<position + n]))
    }

    mutating func key() -> PackedText? {
        let id = varint()
        guard !damaged else { return nil }
        if id == UInt64(PackedBytes.inlineKey) {
            let n = length()
            return damaged ? nil : inPlace(n)
        }
        guard id < UInt64(PackedBytes.inlineKey) else { fail(); return nil }
        return .symbol(UInt32(id))
    }

    mutating func text() -> PackedText? {
        switch PackedBytes.Tag(rawValue: byte()) {
        case .inlineString:
            let n = length()
            return damaged ? nil : inPlace(n)
        case .symbolString:
            let id = varint()
            guard !damaged, id < UInt64(PackedBytes.inlineKey) else { fail(); return nil }
            return .symbol(UInt32(id))
        default:
            fail()
            return nil
        }
    }

    mutating func fixed64() -> UInt64 {
        guard remaining >= 8 else { fail(); return 0 }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(buffer[position + i]) << (8 * UInt64(i)) }
        position += 8
        return v
    }

    mutating func int() -> Int64 {
        let z = varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    /// Visits one value's leaves (and the keys of its maps); true when `body` stopped.
    mutating func value(key: PackedText, inEvent: Bool, depth: Int, _ body: (PackedItem) -> Bool) -> Bool {
        guard depth <= PackedBytes.maxDepth, let tag = PackedBytes.Tag(rawValue: byte()), !damaged else { fail(); return false }
        func leaf(_ scalar: PackedScalar) -> Bool { body(.value(key: key, scalar, inEvent: inEvent)) }
        switch tag {
        case .empty: return leaf(.empty)
        case .boolFalse: return leaf(.bool(false))
        case .boolTrue: return leaf(.bool(true))
        case .int:
            let v = int()
            return damaged ? false : leaf(.int(v))
        case .double:
            let v = fixed64()
            return damaged ? false : leaf(.double(Double(bitPattern: v)))
        case .inlineString, .symbolString:
            position -= 1
            guard let t = text() else { return false }
            return leaf(.text(t))
        case .stringArray:
            for _ in 0..<count(entrySize: 2) {
                guard let t = text() else { return false }
                if leaf(.text(t)) { return true }
            }
        case .boolArray:
            for _ in 0..<count() {
                let b = byte()
                if damaged { return false }
                if leaf(.bool(b != 0)) { return true }
            }
        case .intArray:
            for _ in 0..<count() {
                let v = int()
                if damaged { return false }
                if leaf(.int(v)) { return true }
            }
        case .doubleArray:
            for _ in 0..<count(entrySize: 8) {
                let v = fixed64()
                if damaged { return false }
                if leaf(.double(Double(bitPattern: v))) { return true }
            }
        case .bytes:
            let n = length()
            guard !damaged, case .bytes(let b) = inPlace(n) else { return false }
            return leaf(.bytes(b))
        case .array:
            for _ in 0..<count() {
                if damaged { return false }
                if value(key: key, inEvent: inEvent, depth: depth + 1, body) { return true }
            }
        case .map:
            for _ in 0..<count(entrySize: 2) {
                if damaged { return false }
                guard let inner = self.key() else { return false }
                if body(.key(inner, topLevel: false)) { return true }
                if value(key: key, inEvent: inEvent, depth: depth + 1, body) { return true }
            }
        case .unknown:
            guard let type = text(), let json = text() else { return false }
            return leaf(.unknown(type: type, json: json))
        }
        return false
    }

    mutating func skipValue(depth: Int) {
        guard depth <= PackedBytes.maxDepth, let tag = PackedBytes.Tag(rawValue: byte()), !damaged else { fail(); return }
        switch tag {
        case .empty, .boolFalse, .boolTrue: return
        case .int: _ = varint()
        case .double: skip(8)
        case .inlineString: skip(length())
        case .symbolString: _ = varint()
        case .stringArray:
            for _ in 0..<count(entrySize: 2) {
                if damaged { break }
                _ = text()
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
        case .map:
            for _ in 0..<count(entrySize: 2) {
                if damaged { break }
                _ = key()
                skipValue(depth: depth + 1)
            }
        case .unknown:
            _ = text()
            _ = text()
        }
    }
}
