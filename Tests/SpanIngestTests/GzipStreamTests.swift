import CZlib
import Foundation
import SpanIngest
import Testing

// MARK: - Making gzip data with zlib's own deflate

/// `data` as one gzip member (windowBits 31: gzip wrapper), written by zlib's deflate.
private func gzip(_ data: [UInt8], level: Int32 = 6) -> [UInt8] {
    var compressor = Deflater(level: level)
    var out = compressor.write(data)
    out += compressor.finish()
    return out
}

/// A streaming deflate, for inputs too big to hold.
private struct Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK)
    }

    mutating func write(_ data: [UInt8]) -> [UInt8] { run(data, flush: Z_NO_FLUSH) }

    /// Ends the member and frees the compressor.
    mutating func finish() -> [UInt8] {
        let out = run([], flush: Z_FINISH)
        deflateEnd(stream)
        stream.deallocate()
        return out
    }

    private func run(_ data: [UInt8], flush: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var data = data
        data.withUnsafeMutableBufferPointer { input in
            stream.pointee.next_in = input.baseAddress
            stream.pointee.avail_in = UInt32(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = UInt32(buffer.count)
                    return deflate(stream, flush)
                }
                out += chunk[0 ..< chunk.count - Int(stream.pointee.avail_out)]
                if status == Z_STREAM_END || (stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0) { break }
                precondition(status == Z_OK)
            }
            stream.pointee.next_in = nil
        }
        return out
    }
}

/// Span-like JSON lines (the Go exporter's shape, IDs and times varying) of at least `bytes`.
private func spanText(bytes: Int) -> [UInt8] {
    var text: [UInt8] = []
    text.reserveCapacity(bytes + 1024)
    var i: UInt64 = 0
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    while text.count < bytes {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let trace = String(seed, radix: 16), span = String(seed >> 17 ^ i, radix: 16)
        let line = #"{"Name":"GET /orders/\#(i % 977)","SpanContext":{"TraceID":"\#(trace)","SpanID":"\#(span)"},"#
            + #""StartTime":"2024-05-01T12:00:\#(i % 60).\#(seed % 1_000_000_000)Z","Attributes":[{"Key":"http.status_code","Value":{"Type":"INT64","Value":\#(200 + i % 7)}}]}"#
            + "\n"
        text += Array(line.utf8)
        i += 1
    }
    return text
}

// MARK: - Reading it back

/// What a `GzipStream` handed out, and how it ended.
private struct Outcome {
    var bytes: [UInt8] = []
    var pieces = 0
    var largestPiece = 0
    var error: GzipError?
    /// The error thrown by `decompress` (nil if it came from `finish`, or none).
    var errorFromDecompress = false
    var compressedBytes: Int64 = 0
    var decompressedBytes: Int64 = 0
    var members = 0
}

/// Feeds `data` in pieces of `chunk` bytes (or at the given cut points), then finishes.
private func decompress(_ data: [UInt8], chunk: Int = .max, cuts: [Int]? = nil, bufferSize: Int = GzipStream.defaultOutputBufferSize) -> Outcome {
    let stream = GzipStream(outputBufferSize: bufferSize)
    var outcome = Outcome()
    let bounds: [Int] = cuts.map { [0] + $0 + [data.count] }
        ?? Array(stride(from: 0, to: data.count, by: max(1, min(chunk, data.count)))) + [data.count]
    data.withUnsafeBytes { all in
        do throws(GzipError) {
            for (from, to) in zip(bounds, bounds.dropFirst()) where from < to {
                try stream.decompress(UnsafeRawBufferPointer(rebasing: all[from ..< to])) { piece in
                    outcome.bytes += piece
                    outcome.pieces += 1
                    outcome.largestPiece = max(outcome.largestPiece, piece.count)
                }
            }
        } catch {
            outcome.error = error
            outcome.errorFromDecompress = true
        }
        if outcome.error == nil {
            do throws(GzipError) { try stream.finish() } catch { outcome.error = error }
        }
    }
    outcome.compressedBytes = stream.compressedBytes
    outcome.decompressedBytes = stream.decompressedBytes
    outcome.members = stream.members
    return outcome
}

/// What zlib itself makes of `data` in one call: the bytes it can decompress.
private func zlibReference(_ data: [UInt8], capacity: Int) -> [UInt8] {
    var stream = z_stream()
    precondition(inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    var input = data
    var out = [UInt8](repeating: 0, count: capacity + 1)
    let produced = input.withUnsafeMutableBufferPointer { input in
        out.withUnsafeMutableBufferPointer { output in
            stream.next_in = input.baseAddress
            stream.avail_in = UInt32(input.count)
            stream.next_out = output.baseAddress
            stream.avail_out = UInt32(output.count)
            _ = inflate(&stream, Z_NO_FLUSH)
            return output.count - Int(stream.avail_out)
        }
    }
    inflateEnd(&stream)
    return Array(out[0 ..< produced])
}

private func withBytes<R, E: Error>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result = bytes.withUnsafeBytes { bytes in Result { () throws(E) -> R in try body(bytes) } }
    return try result.get()
}

// MARK: - Tests

@Suite("Gzip stream")
struct GzipStreamTests {
    static let text = spanText(bytes: 3 << 20)
    static let compressed = gzip(text)

    @Test("a 3 MB span stream comes back byte for byte, fed in pieces of 1, 7 and 4096 bytes and whole", arguments: [1, 7, 4096, Int.max])
    func roundTrip(chunk: Int) throws {
        let outcome = decompress(Self.compressed, chunk: chunk)
        #expect(outcome.error == nil)
        #expect(outcome.bytes.count == Self.text.count)
        #expect(outcome.bytes == Self.text)
        #expect(outcome.compressedBytes == Int64(Self.compressed.count))
        #expect(outcome.decompressedBytes == Int64(Self.text.count))
        #expect(outcome.members == 1)
        #expect(outcome.largestPiece <= GzipStream.defaultOutputBufferSize)
    }

    @Test("concatenated members (cat a.gz b.gz) read as one stream, an empty member included", arguments: [1, 5, 4096, Int.max])
    func concatenatedMembers(chunk: Int) {
        let a = spanText(bytes: 100_000), b = Array("plain log line\n".utf8), c = Array(spanText(bytes: 300_000).reversed())
        let data = gzip(a) + gzip(b, level: 0) + gzip([]) + gzip(c, level: 9)
        let outcome = decompress(data, chunk: chunk)
        #expect(outcome.error == nil)
        #expect(outcome.bytes == a + b + c)
        #expect(outcome.members == 4)
        #expect(outcome.compressedBytes == Int64(data.count))
    }

    @Test("gzip -c a b, the real tool's members with file names, reads as both files",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gzip"), "needs /usr/bin/gzip"))
    func realGzipTool() throws {
        let tool = URL(fileURLWithPath: "/usr/bin/gzip")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gzip-test-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = spanText(bytes: 50_000), b = Array(spanText(bytes: 70_000).reversed())
        try Data(a).write(to: dir.appendingPathComponent("a.jsonl"))
        try Data(b).write(to: dir.appendingPathComponent("b.jsonl"))
        let process = Process()
        process.executableURL = tool
        process.arguments = ["-c", "a.jsonl", "b.jsonl"]
        process.currentDirectoryURL = dir
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        #expect(withBytes(data) { GzipStream.isGzip($0) })
        let outcome = decompress(data, chunk: 1000)
        #expect(outcome.error == nil)
        #expect(outcome.members == 2)
        #expect(outcome.bytes == a + b)
    }

    @Test("isGzip recognises 1f 8b (08) and nothing else")
    func recognisesMagic() {
        #expect(withBytes(gzip(Array("x".utf8))) { GzipStream.isGzip($0) })
        #expect(withBytes([0x1F, 0x8B]) { GzipStream.isGzip($0) })
        #expect(withBytes([0x1F, 0x8B, 0x08, 0x00]) { GzipStream.isGzip($0) })
        #expect(!withBytes([0x1F, 0x8B, 0x07]) { GzipStream.isGzip($0) })
        #expect(!withBytes([0x1F]) { GzipStream.isGzip($0) })
        #expect(!withBytes([]) { GzipStream.isGzip($0) })
        #expect(!withBytes([0x8B, 0x1F, 0x08]) { GzipStream.isGzip($0) })
        #expect(!withBytes(Array(#"{"Name":"a"}"#.utf8)) { GzipStream.isGzip($0) })
        // A zlib (not gzip) stream.
        #expect(!withBytes([0x78, 0x9C, 0x03, 0x00]) { GzipStream.isGzip($0) })
    }

    @Test("a stream cut at any byte hands out everything zlib can decode before the cut, then finish says truncated")
    func truncatedEverywhere() throws {
        let a = spanText(bytes: 20_000), b = spanText(bytes: 3_000)
        let data = gzip(a) + gzip(b, level: 0)
        let whole = a + b
        let first = gzip(a).count
        var previous = 0
        for cut in 0 ... data.count {
            // Fed in two pieces, so that a cut inside zlib's state is crossed too.
            let outcome = decompress(Array(data[0 ..< cut]), cuts: [cut / 3])
            let expected = zlibReference(Array(data[0 ..< cut]), capacity: whole.count)
            try #require(Array(whole.prefix(outcome.bytes.count)) == outcome.bytes, "cut \(cut): not a prefix")
            #expect(outcome.bytes.count >= previous, "cut \(cut): less output than an earlier cut")
            previous = outcome.bytes.count
            if cut < first {
                // Inside the first member, zlib's own one-shot inflate is the measure.
                #expect(outcome.bytes == expected, "cut \(cut): \(outcome.bytes.count) bytes, zlib alone \(expected.count)")
            }
            if cut == 0 || cut == first || cut == data.count {
                #expect(outcome.error == nil, "cut \(cut) is at a member boundary")
                continue
            }
            let error = try #require(outcome.error, "cut \(cut): no error")
            #expect(error.kind == .truncated)
            #expect(!outcome.errorFromDecompress)
            #expect(error.compressedOffset == Int64(cut))
            #expect(error.decompressedOffset == Int64(outcome.bytes.count))
            #expect(error.description == "gzip stream truncated after \(cut) compressed bytes (\(outcome.bytes.count) bytes decompressed)")
        }
        // Cut inside the last member's 8-byte trailer: every byte is out, only the check is missing.
        let inTrailer = decompress(Array(data.dropLast(3)))
        #expect(inTrailer.bytes == whole)
        #expect(inTrailer.error?.kind == .truncated)
    }

    @Test("a flipped byte in the middle is reported where found, the bytes before it kept, the same in any pieces", arguments: [1, 1000, Int.max])
    func flippedByte(chunk: Int) throws {
        let text = spanText(bytes: 1 << 20)
        var data = gzip(text)
        data[data.count / 2] ^= 0x55
        let outcome = decompress(data, chunk: chunk, bufferSize: 64 << 10)
        let error = try #require(outcome.error)
        #expect(error.kind == .corrupt)
        #expect(outcome.errorFromDecompress)
        #expect(error.compressedOffset > Int64(data.count / 2) - 8)
        #expect(error.compressedOffset <= Int64(data.count))
        #expect(error.decompressedOffset == Int64(outcome.bytes.count))
        #expect(error.decompressedOffset == outcome.decompressedBytes)
        #expect(error.description.hasPrefix("corrupt gzip data ("))
        #expect(error.description.hasSuffix(") at compressed byte \(error.compressedOffset)"))
        // The bytes before the damage are the original's: about half of it.
        let kept = zip(outcome.bytes, text).prefix { $0 == $1 }.count
        #expect(kept > text.count / 4)
        let whole = decompress(data, bufferSize: 64 << 10)
        #expect(whole.bytes == outcome.bytes)
        #expect(whole.error?.kind == error.kind)
    }

    @Test("a flipped byte anywhere after the header is caught, with every byte handed out counted")
    func flippedBytesEverywhere() throws {
        let text = spanText(bytes: 40_000)
        let clean = gzip(text)
        // Bytes 4-9 (time, flags, OS) are not checked by gzip; from byte 10 on everything is.
        for position in stride(from: 10, to: clean.count, by: 13) {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var data = clean
                data[position] ^= flip
                let outcome = decompress(data, cuts: [position])
                let error = try #require(outcome.error, "byte \(position) ^ \(flip) not caught")
                #expect(error.kind == .corrupt || error.kind == .truncated || error.kind == .trailingGarbage)
                #expect(error.decompressedOffset == Int64(outcome.bytes.count))
                #expect(error.compressedOffset <= Int64(data.count))
            }
        }
    }

    @Test("bytes after a complete member that start no other member are trailing garbage, reported at their offset after all the data")
    func trailingGarbage() throws {
        let text = spanText(bytes: 10_000)
        let member = gzip(text)
        let cases: [(tail: [UInt8], offset: Int)] = [
            (Array("garbage".utf8), member.count),
            ([0x1F, 0x00, 0x00], member.count),
            ([0, 0, 0, 0, 0x41], member.count + 4),
            (gzip(text) + Array("x".utf8), 2 * member.count),
        ]
        for (tail, offset) in cases {
            for chunk in [1, 3, Int.max] {
                let data = member + tail
                let outcome = decompress(data, chunk: chunk)
                let error = try #require(outcome.error)
                #expect(error.kind == .trailingGarbage)
                #expect(error.compressedOffset == Int64(offset))
                #expect(error.description == "trailing garbage after the gzip data at compressed byte \(offset)")
                #expect(outcome.bytes.count % text.count == 0 && outcome.bytes.count > 0)
                #expect(Array(outcome.bytes.prefix(text.count)) == text)
                #expect(error.decompressedOffset == Int64(outcome.bytes.count))
            }
        }
        // After an error, every call throws the same error again.
        let stream = GzipStream()
        let data = member + Array("garbage".utf8)
        var first: GzipError?
        do throws(GzipError) { try withBytes(data) { bytes throws(GzipError) in try stream.decompress(bytes) { _ in } } } catch { first = error }
        let error = try #require(first)
        #expect(throws: error) { try withBytes(member) { bytes throws(GzipError) in try stream.decompress(bytes) { _ in Issue.record("output after an error") } } }
        #expect(throws: error) { try stream.finish() }
        #expect(throws: error) { try withBytes([]) { bytes throws(GzipError) in try stream.decompress(bytes) { _ in } } }
    }

    @Test("zero padding after the last member (tar-style) is tolerated", arguments: [1, 100, Int.max])
    func trailingZeros(chunk: Int) {
        let text = spanText(bytes: 10_000)
        let data = gzip(text) + gzip(text) + [UInt8](repeating: 0, count: 10_240)
        let outcome = decompress(data, chunk: chunk)
        #expect(outcome.error == nil)
        #expect(outcome.bytes == text + text)
        #expect(outcome.compressedBytes == Int64(data.count))
    }

    @Test("no input decompresses to nothing; input that is not gzip is reported at byte 0")
    func emptyAndNotGzip() throws {
        let empty = decompress([])
        #expect(empty.error == nil)
        #expect(empty.bytes.isEmpty && empty.pieces == 0)
        let stream = GzipStream()
        try withBytes([]) { bytes throws(GzipError) in try stream.decompress(bytes) { _ in Issue.record("output from nothing") } }
        try stream.finish()

        for data in [Array(#"{"Name":"a"}"#.utf8), [0, 0, 0, 0], [0x78, 0x9C, 0x03, 0x00]] {
            let outcome = decompress(data)
            let error = try #require(outcome.error)
            #expect(error.kind == .notGzip)
            #expect(error.compressedOffset == 0)
            #expect(error.description == "not gzip data (no 1f 8b magic) at compressed byte 0")
        }
        // A gzip header whose method is not deflate.
        let badMethod = decompress([0x1F, 0x8B, 0x07, 0, 0, 0, 0, 0, 0, 3, 0, 0])
        #expect(badMethod.error?.kind == .corrupt)
        #expect(badMethod.error?.description.contains("unknown compression method") == true)
        // Only a header.
        let header = decompress(Array(gzip([]).prefix(10)))
        #expect(header.error?.kind == .truncated)
    }

    @Test("a 200 MB stream of zeros (a gzip bomb) is handed out in pieces no bigger than the buffer")
    func bomb() throws {
        var compressor = Deflater(level: 9)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        var data: [UInt8] = []
        for _ in 0 ..< 200 { data += compressor.write(zeros) }
        data += compressor.finish()
        #expect(data.count < 1 << 20)

        let stream = GzipStream(outputBufferSize: 256 << 10)
        var delivered: Int64 = 0, largest = 0, nonZero = false
        try withBytes(data) { all throws(GzipError) in
            var offset = 0
            while offset < all.count {
                let end = min(all.count, offset + 4096)
                try stream.decompress(UnsafeRawBufferPointer(rebasing: all[offset ..< end])) { piece in
                    delivered += Int64(piece.count)
                    largest = max(largest, piece.count)
                    if piece.first != 0 || piece.last != 0 { nonZero = true }
                }
                offset = end
            }
        }
        try stream.finish()
        #expect(delivered == 200 << 20)
        #expect(stream.decompressedBytes == delivered)
        #expect(stream.compressedBytes == Int64(data.count))
        #expect(largest <= 256 << 10)
        #expect(!nonZero)
    }
}
