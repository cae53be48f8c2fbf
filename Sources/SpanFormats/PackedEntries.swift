import SpanModel

/// The ends of event and link entries, which every decoder writes the same way once it has
/// read an event's or link's fields (the attributes went in place after `countSlot`).
extension StringTable {
    /// Patches the attribute count, then writes name, time and dropped count.
    func finishEvent(_ out: inout [UInt8], slot: Int, attributes: Int, name: RawBytes?, time: Int64,
                     dropped: UInt32, offset: Int) throws(ScanError) {
        PackedBytes.patchCount(&out, at: slot, attributes)
        if let name {
            try writeValue(name, into: &out, offset: offset)
        } else {
            PackedBytes.string(&out, "")
        }
        PackedBytes.fixed64(&out, UInt64(bitPattern: time))
        PackedBytes.varint(&out, UInt64(dropped))
    }

    /// Patches the attribute count, then writes the target trace and span, trace state and
    /// dropped count.
    func finishLink(_ out: inout [UInt8], slot: Int, attributes: Int, traceID: TraceID, spanID: SpanID,
                    traceState: String, dropped: UInt32) {
        PackedBytes.patchCount(&out, at: slot, attributes)
        PackedBytes.fixed64(&out, traceID.high)
        PackedBytes.fixed64(&out, traceID.low)
        PackedBytes.fixed64(&out, spanID.value)
        PackedBytes.string(&out, traceState)
        PackedBytes.varint(&out, UInt64(dropped))
    }
}

extension JSONScanner {
    /// Skips the next value and returns a scanner at its start, to read it later (a value
    /// that depends on a key that may come after it).
    mutating func markAndSkipValue() throws(ScanError) -> JSONScanner {
        skipWhitespace()
        let mark = self
        try skipValue()
        return mark
    }
}
