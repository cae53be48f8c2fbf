import SpanIngest

extension FuzzChecks {
    /// What a `GzipStream` handed out for one input, and how it ended.
    struct GzipOutcome {
        var bytes: Int64 = 0
        /// FNV-1a of the bytes handed out.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var error: GzipError?
    }

    /// `GzipStream` on any bytes: fed whole (default buffer) and in two pieces split at a byte
    /// derived from the input (a small buffer, so output comes in many pieces). Neither
    /// crashes; each hands out exactly the bytes it counts, in pieces no bigger than its
    /// buffer; without an error every input byte is counted, with one the offsets are within
    /// the input and the output, and every later call throws it again; both hand out the same
    /// bytes and stop for the same reason.
    public static func gzip(_ data: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeRawBufferPointer(data)
        var mix: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in data { mix = (mix ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let split = data.isEmpty ? 0 : Int(mix % UInt64(data.count + 1))
        let whole = gunzip([raw], bufferSize: GzipStream.defaultOutputBufferSize)
        let pieces = gunzip([UnsafeRawBufferPointer(rebasing: raw[..<split]), UnsafeRawBufferPointer(rebasing: raw[split...])], bufferSize: 997)
        require(whole.bytes == pieces.bytes && whole.hash == pieces.hash,
                "whole and in two pieces (split at \(split)) hand out different bytes: \(whole.bytes) vs \(pieces.bytes)")
        require(whole.error?.kind == pieces.error?.kind,
                "whole and in two pieces (split at \(split)) end differently: \(String(describing: whole.error)) vs \(String(describing: pieces.error))")
        if data.count >= 3, !GzipStream.isGzip(raw) {
            require(whole.error != nil, "input that does not start with 1f 8b 08 decompressed without error")
        }
    }

    /// Feeds `pieces` then finishes, checking each step.
    static func gunzip(_ pieces: [UnsafeRawBufferPointer], bufferSize: Int) -> GzipOutcome {
        let stream = GzipStream(outputBufferSize: bufferSize)
        var outcome = GzipOutcome()
        let total = Int64(pieces.reduce(0) { $0 + $1.count })
        do throws(GzipError) {
            for piece in pieces {
                try stream.decompress(piece) { out in
                    require(out.count > 0 && out.count <= bufferSize, "a piece of \(out.count) bytes from a buffer of \(bufferSize)")
                    outcome.bytes += Int64(out.count)
                    for byte in out { outcome.hash = (outcome.hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
                }
            }
            try stream.finish()
        } catch {
            outcome.error = error
        }
        require(stream.decompressedBytes == outcome.bytes, "counted \(stream.decompressedBytes) decompressed bytes, handed out \(outcome.bytes)")
        require(stream.compressedBytes <= total, "counted \(stream.compressedBytes) compressed bytes of \(total)")
        guard let error = outcome.error else {
            require(stream.compressedBytes == total, "no error, but \(stream.compressedBytes) of \(total) compressed bytes counted")
            return outcome
        }
        require(error.decompressedOffset == outcome.bytes, "error at decompressed \(error.decompressedOffset), handed out \(outcome.bytes)")
        require(error.compressedOffset >= 0 && error.compressedOffset <= total, "error at compressed \(error.compressedOffset) of \(total)")
        require(!error.description.isEmpty, "an error without a reason")
        // Every later call throws the same error and hands out nothing.
        for piece in pieces {
            do throws(GzipError) {
                try stream.decompress(piece) { _ in require(false, "output after an error") }
                require(piece.isEmpty, "decompress after an error did not throw")
            } catch {
                require(error == outcome.error, "a later call threw \(error), not \(String(describing: outcome.error))")
            }
        }
        do throws(GzipError) {
            try stream.finish()
            require(false, "finish after an error did not throw")
        } catch {
            require(error == outcome.error, "finish threw \(error), not \(String(describing: outcome.error))")
        }
        return outcome
    }
}
