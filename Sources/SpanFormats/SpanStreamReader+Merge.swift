// Taking runs of whole lines that another reader decoded, in input order, as if this
// reader had read them itself (see `PipeDecoder`).
extension SpanStreamReader {
    /// Takes `bytes`, the next bytes of the input: `decoded` (what a fresh reader made of
    /// them) where this reader is between values at a line start with nothing buffered, so
    /// that a fresh reader starts in exactly this reader's state; otherwise the bytes are
    /// read here. Either way the result is what this reader alone would have produced.
    package func merge(_ bytes: UnsafeRawBufferPointer, decoded: Segment?) -> ReadBatch {
        guard let decoded, start == count, isCleanLineStart else {
            if decoded != nil { redoneSplits += 1 }
            return feed(bytes)
        }
        splitChunks += 1
        let batch = taking(decoded)
        baseOffset += Int64(count) + Int64(bytes.count)
        start = 0
        count = 0
        lineStartOffset = baseOffset
        stats.bytes = baseOffset
        return stamped(batch)
    }
}
