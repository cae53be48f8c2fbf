import SpanModel

/// Packing any JSON value as an attribute value, for values whose JSON does not match a
/// declared type: numbers become INT64 when whole, objects become maps.
extension JSONScanner {
    mutating func writeGenericValue(_ strings: StringTable, into buffer: inout [UInt8]) throws(ScanError) {
        try enterNested()
        defer { leaveNested() }
        switch try peek() {
        case UInt8(ascii: "\""):
            let raw = try readRawString()
            try strings.writeValue(raw, into: &buffer, offset: position)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            PackedBytes.tag(&buffer, try readBool() ? .boolTrue : .boolFalse)
        case UInt8(ascii: "n"):
            _ = try consumeNull()
            PackedBytes.tag(&buffer, .empty)
        case UInt8(ascii: "["):
            let slot = PackedBytes.beginList(&buffer, .array)
            var n = 0
            if try beginArray() {
                repeat {
                    try writeGenericValue(strings, into: &buffer)
                    n += 1
                } while try nextElement()
            }
            PackedBytes.patchCount(&buffer, at: slot, n)
        case UInt8(ascii: "{"):
            let slot = PackedBytes.beginList(&buffer, .map)
            var n = 0
            if try beginObject() {
                repeat {
                    let key = try readKey()
                    try strings.writeKey(key, into: &buffer, offset: position)
                    try writeGenericValue(strings, into: &buffer)
                    n += 1
                } while try nextMember()
            }
            PackedBytes.patchCount(&buffer, at: slot, n)
        default:
            let token = try scanNumberToken()
            if token.flags & RawBytes.float == 0, let i = token.parseInt() {
                PackedBytes.tag(&buffer, .int)
                PackedBytes.int(&buffer, i)
            } else {
                guard let d = token.parseDouble() else { throw fail("malformed number") }
                PackedBytes.tag(&buffer, .double)
                PackedBytes.double(&buffer, d)
            }
        }
    }

    /// The raw JSON text of the next value (for types this reader does not know).
    mutating func readRawValue() throws(ScanError) -> RawBytes {
        skipWhitespace()
        let start = position
        try skipValue()
        return RawBytes(start: base + start, count: position - start, flags: RawBytes.nonASCII)
    }

    /// Elements of a homogeneous array (or `null`, as none), each written by `element`.
    /// Returns how many.
    mutating func forEachElement(_ element: (inout JSONScanner) throws(ScanError) -> Void) throws(ScanError) -> Int {
        if try consumeNull() { return 0 }
        var n = 0
        if try beginArray() {
            repeat {
                try element(&self)
                n += 1
            } while try nextElement()
        }
        return n
    }

    /// Parses 1 to 32 hex digits straight from the buffer.
    func parseTraceID(_ raw: RawBytes) -> TraceID? {
        guard raw.count <= 32, !raw.hasEscapes else { return nil }
        if raw.count == 32 {
            guard let high = HexDigits.value16(at: raw.start), let low = HexDigits.value16(at: raw.start + 16) else { return nil }
            return TraceID(high: high, low: low)
        }
        if raw.count == 0 { return .zero }
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<raw.count {
            guard let nibble = HexDigits.value(of: raw.start[i]) else { return nil }
            high = (high << 4) | (low >> 60)
            low = (low << 4) | UInt64(nibble)
        }
        return TraceID(high: high, low: low)
    }

    func parseSpanID(_ raw: RawBytes) -> SpanID? {
        guard raw.count <= 16, !raw.hasEscapes else { return nil }
        if raw.count == 16 { return HexDigits.value16(at: raw.start).map(SpanID.init) }
        var value: UInt64 = 0
        for i in 0..<raw.count {
            guard let nibble = HexDigits.value(of: raw.start[i]) else { return nil }
            value = (value << 4) | UInt64(nibble)
        }
        return SpanID(value)
    }

    // Hex or base64 IDs (the OTLP/JSON decoder). Hex is tried first and wins, so every ID
    // that read before reads the same. Base64 of 16 bytes is 24 characters ending `==` (22
    // without padding), of 8 bytes 12 ending `=` (11 without): a padded one can never be hex,
    // so padded base64 (all that gogo jsonpb, i.e. Tempo, writes) is never ambiguous. Only
    // unpadded base64 whose 22 (or 11) characters all happen to be hex digits is, and it
    // reads as hex, as it always did (a short hex ID, left-padded).

    /// `parseTraceID`, or else base64 of exactly 16 bytes (`Base64.decodeID`).
    func parseTraceIDHexOrBase64(_ raw: RawBytes) -> TraceID? {
        if let id = parseTraceID(raw) { return id }
        guard raw.count >= 22, let id = Base64.decodeID(raw.buffer, byteCount: 16) else { return nil }
        return TraceID(high: id.high, low: id.low)
    }

    /// `parseSpanID`, or else base64 of exactly 8 bytes.
    func parseSpanIDHexOrBase64(_ raw: RawBytes) -> SpanID? {
        if let id = parseSpanID(raw) { return id }
        guard raw.count >= 11, let id = Base64.decodeID(raw.buffer, byteCount: 8) else { return nil }
        return SpanID(id.high)
    }
}
