/// Reads what `PackedBytes` wrote.
struct PackedReader {
    let bytes: [UInt8]
    var position = 0
    let symbols: Symbols

    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = byte()
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    mutating func int() -> Int64 {
        let z = varint()
        return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
    }

    mutating func fixed64() -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(byte()) << (8 * UInt64(i)) }
        return v
    }

    mutating func count() -> Int {
        var c = 0
        for i in 0..<4 { c |= Int(byte()) << (8 * i) }
        return c
    }

    mutating func string() -> String {
        let tag = PackedBytes.Tag(rawValue: byte())
        switch tag {
        case .inlineString:
            let n = Int(varint())
            defer { position += n }
            return String(decoding: bytes[position..<position + n], as: UTF8.self)
        case .symbolString:
            return symbols.string(UInt32(varint()))
        default:
            position -= 1
            if case .string(let s) = value() { return s }
            return ""
        }
    }

    mutating func value() -> AttributeValue {
        guard let tag = PackedBytes.Tag(rawValue: byte()) else { return .empty }
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
            let n = count()
            return .stringArray((0..<n).map { _ in string() })
        case .boolArray:
            let n = count()
            return .boolArray((0..<n).map { _ in byte() != 0 })
        case .intArray:
            let n = count()
            return .intArray((0..<n).map { _ in int() })
        case .doubleArray:
            let n = count()
            return .doubleArray((0..<n).map { _ in Double(bitPattern: fixed64()) })
        case .bytes:
            let n = Int(varint())
            defer { position += n }
            return .bytes(Array(bytes[position..<position + n]))
        case .array:
            let n = count()
            return .array((0..<n).map { _ in value() })
        case .map:
            let n = count()
            return .map(attributes(n))
        case .unknown:
            let type = string()
            return .unknown(type: type, json: string())
        }
    }

    mutating func attributes(_ n: Int) -> [Attribute] {
        var list: [Attribute] = []
        list.reserveCapacity(n)
        for _ in 0..<n {
            let key = symbols.string(UInt32(varint()))
            list.append(Attribute(key, value()))
        }
        return list
    }
}
