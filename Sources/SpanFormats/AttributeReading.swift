import SpanModel

/// Reading attribute values whose JSON does not match a declared type: any JSON value
/// becomes the closest `AttributeValue` (numbers as Int64 when whole, objects as maps).
extension JSONScanner {
    mutating func readGenericValue(_ strings: StringTable) throws(ScanError) -> AttributeValue {
        switch try peek() {
        case UInt8(ascii: "\""):
            let raw = try readRawString()
            return .string(try strings.string(raw, offset: position))
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "n"):
            _ = try consumeNull()
            return .empty
        case UInt8(ascii: "["):
            var items: [AttributeValue] = []
            if try beginArray() {
                repeat { items.append(try readGenericValue(strings)) } while try nextElement()
            }
            return .array(items)
        case UInt8(ascii: "{"):
            var members: [Attribute] = []
            if try beginObject() {
                repeat {
                    let key = try strings.string(try readKey(), offset: position)
                    members.append(Attribute(key, try readGenericValue(strings)))
                } while try nextMember()
            }
            return members.isEmpty ? .empty : .map(members)
        default:
            let token = try scanNumberToken()
            if token.flags & RawBytes.float == 0, let i = token.parseInt() { return .int(i) }
            guard let d = token.parseDouble() else { throw fail("malformed number") }
            return .double(d)
        }
    }

    /// The raw JSON text of the next value (for types this reader does not know).
    mutating func readRawValueText() throws(ScanError) -> String {
        skipWhitespace()
        let start = position
        try skipValue()
        return String(decoding: UnsafeBufferPointer(start: base + start, count: position - start), as: UTF8.self)
    }

    /// A homogeneous array, or `null` as empty.
    mutating func readArray<T>(_ element: (inout JSONScanner) throws(ScanError) -> T) throws(ScanError) -> [T] {
        if try consumeNull() { return [] }
        var items: [T] = []
        if try beginArray() {
            repeat { items.append(try element(&self)) } while try nextElement()
        }
        return items
    }
}
