import SpanModel

/// Attributes in the Go layout: `[{"Key": …, "Value": {"Type": …, "Value": …}}]`, packed
/// straight into `SpanDetails` bytes.
extension GoStdouttraceDecoder {
    /// Attributes as model values (resources, scopes: few, so no packing).
    func readAttributeList(_ s: inout JSONScanner) throws(ScanError) -> [Attribute] {
        var bytes: [UInt8] = []
        let n = try writeAttributes(&s, into: &bytes)
        return SpanDetails(attributes: bytes, attributeCount: n, events: [], eventCount: 0, links: [], linkCount: 0,
                           symbols: strings.symbols).attributes
    }

    /// `[{"Key": …, "Value": {"Type": …, "Value": …}}, …]` or null, packed. Returns the count.
    func writeAttributes(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) -> Int {
        try s.forEachElement { (s) throws(ScanError) in try self.writeKeyValue(&s, into: &out) }
    }

    private func writeKeyValue(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        // Fast path: the compact layout, `{"Key":"k","Value":{"Type":"T","Value":v}}`, matched
        // byte for byte. Anything else (pretty-printed, other key order) takes the general path.
        s.skipWhitespace()
        if try s.consumeLayout(#"{"Key":"#) {
            let saved = s, written = out.count
            let key = try s.readRawString()
            if try s.consumeLayout(#","Value":{"Type":"#) {
                let type = try s.readRawString()
                if try s.consumeLayout(#","Value":"#) {
                    try strings.writeKey(key, symbol: try keys.symbol(key, offset: s.position, table: strings), into: &out, offset: s.position)
                    try writeValue(&s, type: type, into: &out)
                    if try s.consumeLayout("}}") { return }
                }
            }
            s = saved
            s.position -= 7
            out.removeSubrange(written...)
        }
        guard try s.beginObject() else { throw s.fail("an attribute without Key and Value") }
        // Go writes Key first, so the value usually goes straight into `out`.
        var key: (symbol: UInt32, raw: RawBytes)?
        var pendingValue: JSONScanner?   // a Value before its Key: come back to it
        var wroteValue = false
        repeat {
            let k = try s.readKey()
            if k.equals("Key") {
                let raw = try s.readRawString()
                key = (try keys.symbol(raw, offset: s.position, table: strings), raw)
            } else if k.equals("Value"), let key, !wroteValue {
                try strings.writeKey(key.raw, symbol: key.symbol, into: &out, offset: s.position)
                try writeTypedValue(&s, into: &out)
                wroteValue = true
            } else if k.equals("Value") {
                pendingValue = try s.markAndSkipValue()
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        guard let key else { throw s.fail("an attribute without a Key") }
        if !wroteValue {
            try strings.writeKey(key.raw, symbol: key.symbol, into: &out, offset: s.position)
            if var value = pendingValue {
                try writeTypedValue(&value, into: &out)
            } else {
                PackedBytes.tag(&out, .empty)
            }
        }
    }

    /// `{"Type": "INT64", "Value": 42}`, in either key order, packed.
    private func writeTypedValue(_ s: inout JSONScanner, into out: inout [UInt8]) throws(ScanError) {
        if try s.consumeNull() { PackedBytes.tag(&out, .empty); return }
        guard try s.beginObject() else { PackedBytes.tag(&out, .empty); return }
        var type: RawBytes?
        var written = false
        var pendingValue: JSONScanner?   // Value seen before Type: come back to it
        repeat {
            let k = try s.readKey()
            if k.equals("Type") {
                type = try s.readRawString()
            } else if k.equals("Value"), written || pendingValue != nil {
                try s.skipValue()   // one value per attribute: the first wins
            } else if k.equals("Value") {
                if let type {
                    try writeValue(&s, type: type, into: &out)
                    written = true
                } else {
                    pendingValue = try s.markAndSkipValue()
                }
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        if !written {
            if var pending = pendingValue {
                if let type {
                    try writeValue(&pending, type: type, into: &out)
                } else {
                    try pending.writeGenericValue(strings, into: &out)
                }
            } else {
                PackedBytes.tag(&out, .empty)
            }
        }
    }

    private func writeValue(_ s: inout JSONScanner, type: RawBytes, into out: inout [UInt8]) throws(ScanError) {
        let next = try s.peek()
        let isArrayType = type.equals("STRINGSLICE") || type.equals("INT64SLICE") || type.equals("FLOAT64SLICE") || type.equals("BOOLSLICE")
        if next == UInt8(ascii: "n") {
            _ = try s.consumeNull()
            if isArrayType {
                PackedBytes.patchCount(&out, at: PackedBytes.beginList(&out, .array), 0)
            } else {
                PackedBytes.tag(&out, .empty)
            }
            return
        }
        switch type.count {
        case 6 where type.equals("STRING") && next == UInt8(ascii: "\""):
            let raw = try s.readRawString()
            try strings.writeValue(raw, into: &out, offset: s.position)
        case 5 where type.equals("INT64") && next != UInt8(ascii: "\""):
            PackedBytes.tag(&out, .int)
            PackedBytes.int(&out, try s.readInt())
        case 4 where type.equals("BOOL") && (next == UInt8(ascii: "t") || next == UInt8(ascii: "f")):
            PackedBytes.tag(&out, try s.readBool() ? .boolTrue : .boolFalse)
        case 7 where type.equals("FLOAT64"):
            PackedBytes.tag(&out, .double)
            PackedBytes.double(&out, try s.readDouble())
        case 11 where type.equals("STRINGSLICE") && next == UInt8(ascii: "["):
            try writeList(&s, tag: .stringArray, into: &out) { (s, out) throws(ScanError) in
                let raw = try s.readRawString()
                try self.strings.writeValue(raw, into: &out, offset: s.position)
            }
        case 10 where type.equals("INT64SLICE") && next == UInt8(ascii: "["):
            try writeList(&s, tag: .intArray, into: &out) { (s, out) throws(ScanError) in PackedBytes.int(&out, try s.readInt()) }
        case 12 where type.equals("FLOAT64SLICE") && next == UInt8(ascii: "["):
            try writeList(&s, tag: .doubleArray, into: &out) { (s, out) throws(ScanError) in PackedBytes.double(&out, try s.readDouble()) }
        case 9 where type.equals("BOOLSLICE") && next == UInt8(ascii: "["):
            try writeList(&s, tag: .boolArray, into: &out) { (s, out) throws(ScanError) in out.append(try s.readBool() ? 1 : 0) }
        case 9 where type.equals("BYTESLICE") && next == UInt8(ascii: "\""):
            let raw = try s.readRawString()
            guard !raw.hasEscapes, let bytes = Base64.decode(raw.buffer) else {
                throw .malformed("BYTESLICE value is not base64", offset: s.position)
            }
            PackedBytes.tag(&out, .bytes)
            PackedBytes.varint(&out, UInt64(bytes.count))
            out += bytes
        case 5 where type.equals("SLICE") && next == UInt8(ascii: "["):
            // Values inside values: the only recursion here, bounded (`JSONScanner.maxNesting`).
            try s.enterNested()
            defer { s.leaveNested() }
            try writeList(&s, tag: .array, into: &out) { (s, out) throws(ScanError) in try self.writeTypedValue(&s, into: &out) }
        case 3 where type.equals("MAP") && next == UInt8(ascii: "["):
            try s.enterNested()
            defer { s.leaveNested() }
            let slot = PackedBytes.beginList(&out, .map)
            let n = try writeAttributes(&s, into: &out)
            PackedBytes.patchCount(&out, at: slot, n)
        case 5 where type.equals("EMPTY"), 7 where type.equals("INVALID"):
            try s.skipValue()
            PackedBytes.tag(&out, .empty)
        case 5 where type.equals("ARRAY"):
            try s.writeGenericValue(strings, into: &out)
        default:
            let known = ["STRING", "INT64", "BOOL", "STRINGSLICE", "INT64SLICE", "FLOAT64SLICE", "BOOLSLICE", "BYTESLICE", "SLICE", "MAP"]
            if known.contains(where: { type.hasText($0) }) {
                // Declared type and JSON disagree: keep what the JSON says.
                try s.writeGenericValue(strings, into: &out)
            } else {
                PackedBytes.tag(&out, .unknown)
                try strings.writeValue(type, into: &out, offset: s.position)
                let raw = try s.readRawValue()
                try strings.writeValue(raw, into: &out, offset: s.position)
            }
        }
    }

    /// A JSON array written as `tag`, its count, then each element.
    private func writeList(_ s: inout JSONScanner, tag: PackedBytes.Tag, into out: inout [UInt8],
                           element: (inout JSONScanner, inout [UInt8]) throws(ScanError) -> Void) throws(ScanError) {
        let slot = PackedBytes.beginList(&out, tag)
        var n = 0
        if try s.beginArray() {
            repeat {
                try element(&s, &out)
                n += 1
            } while try s.nextElement()
        }
        PackedBytes.patchCount(&out, at: slot, n)
    }
}
