import SpanModel

/// The ends of event and link entries, which every decoder writes the same way once it has
/// read an event's or link's fields (the attributes went in place after `countSlot`); the
/// layout itself is `PackedBytes`'.
extension StringTable {
    /// Ends an event entry (`PackedBytes.finishEvent`) with its name taken from the input.
    func finishEvent(_ out: inout [UInt8], slot: Int, attributes: Int, name: RawBytes?, time: Int64,
                     dropped: UInt32, offset: Int) throws(ScanError) {
        try PackedBytes.finishEvent(&out, slot: slot, attributeCount: attributes, time: time, dropped: dropped) { (out) throws(ScanError) in
            if let name {
                try writeValue(name, into: &out, offset: offset)
            } else {
                PackedBytes.string(&out, "")
            }
        }
    }

    /// Ends a link entry (`PackedBytes.finishLink`).
    func finishLink(_ out: inout [UInt8], slot: Int, attributes: Int, traceID: TraceID, spanID: SpanID,
                    traceState: String, dropped: UInt32) {
        PackedBytes.finishLink(&out, slot: slot, attributeCount: attributes, traceID: traceID, spanID: spanID,
                               traceState: traceState, dropped: dropped)
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
