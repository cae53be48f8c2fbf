#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import SpanFormats
import SpanModel

/// Where written spans go: a file (made anew, or standard output for `-`), gzip-compressed
/// when its name ends in `.gz`. Bytes are handed over in pieces as they are made, so a
/// converter's memory stays a piece whatever the output's size. Not thread-safe: one writer.
public final class OutputFile {
    /// The path as given (`-` for standard output).
    public let path: String
    /// Whether what is written is gzip-compressed.
    public let isGzip: Bool
    /// Bytes handed to `write` (before compression) and bytes that reached the file.
    public private(set) var bytesIn: Int64 = 0
    public private(set) var bytesOut: Int64 = 0
    private let fd: Int32
    private var deflater: UnsafeMutablePointer<z_stream>?
    private var compressed = [UInt8](repeating: 0, count: 256 << 10)
    private var closed = false

    /// Opens `path` for writing (created, or truncated), `-` for standard output; `gzip`
    /// defaults to whether the name ends in `.gz`.
    public init(path: String, gzip: Bool? = nil) throws(InputError) {
        self.path = path
        isGzip = gzip ?? path.lowercased().hasSuffix(".gz")
        if path == "-" {
            fd = 1
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        }
        if isGzip {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            // 16 + 15: a gzip header and trailer, 32 KiB window; level 6, zlib's default.
            let status = deflateInit2_(stream, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                if fd != 1 { close(fd) }
                throw InputError(path: path, reason: "zlib could not start compressing (\(status))")
            }
            deflater = stream
        }
    }

    deinit {
        if let deflater {
            deflateEnd(deflater)
            deflater.deallocate()
        }
        if fd != 1 && !closed { close(fd) }
    }

    /// Writes `bytes` (compressed first, for gzip).
    public func write(_ bytes: [UInt8]) throws(InputError) {
        guard !bytes.isEmpty else { return }
        bytesIn += Int64(bytes.count)
        let failure = bytes.withUnsafeBytes { raw -> InputError? in
            do throws(InputError) {
                if deflater == nil { try writeAll(raw) } else { try deflate(raw, flush: Z_NO_FLUSH) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Ends the output: the gzip trailer, then the file is closed (standard output is flushed
    /// only). Throws for a write that failed (a full disk, a closed pipe).
    public func finish() throws(InputError) {
        guard !closed else { return }
        if deflater != nil { try deflate(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH) }
        closed = true
        if fd != 1, close(fd) != 0 { throw InputError(path: path, reason: String(cString: strerror(errno))) }
    }

    private func deflate(_ input: UnsafeRawBufferPointer, flush: Int32) throws(InputError) {
        guard let stream = deflater else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        while true {
            let produced = compressed.withUnsafeMutableBufferPointer { out -> Int in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                _ = CZlib.deflate(stream, flush)
                return out.count - Int(stream.pointee.avail_out)
            }
            if produced > 0 {
                let failure = compressed.withUnsafeBytes { raw -> InputError? in
                    do throws(InputError) {
                        try writeAll(UnsafeRawBufferPointer(rebasing: raw[..<produced]))
                        return nil
                    } catch {
                        return error
                    }
                }
                if let failure { throw failure }
            }
            // Done when zlib took all the input and, finishing, had room to spare.
            if stream.pointee.avail_in == 0 && (flush != Z_FINISH ? produced < compressed.count : stream.pointee.avail_out != 0) { break }
        }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw InputError(path: path, reason: "write failed: \(String(cString: strerror(errno)))") }
            done += n
        }
        bytesOut += Int64(bytes.count)
    }
}

extension OutputFile {
    /// The most spans formatted at a time (an OTLP line holds at most this many, as the
    /// Collector's batches do).
    public static let maxSpansPerWrite = 4096

    /// Writes `spans` in `format` in bounded pieces, the whole output: as a stream,
    /// `maxSpansPerWrite` spans at a time, or a Jaeger document 8 MiB at a time, so that
    /// neither a million spans' text nor a whole document is ever held. `buffer` is reused.
    public func write(_ spans: some Collection<Span>, as format: SpanWriterFormat, buffer: inout [UInt8]) throws(InputError) {
        if var stream = format.streamWriter {
            try write(spans, to: &stream, buffer: &buffer)
            try end(stream, buffer: &buffer)
            return
        }
        var failed: InputError?
        buffer.removeAll(keepingCapacity: true)
        format.write(spans, into: &buffer, flushingOver: 8 << 20) { piece in
            if failed == nil {
                do throws(InputError) { try write(piece) } catch { failed = error }
            }
            piece.removeAll(keepingCapacity: true)
        }
        if let failed { throw failed }
        try write(buffer)
    }

    /// Writes the next spans of a stream, `maxSpansPerWrite` at a time.
    public func write(_ spans: some Collection<Span>, to stream: inout SpanStreamWriter, buffer: inout [UInt8]) throws(InputError) {
        var start = spans.startIndex
        while start != spans.endIndex {
            let end = spans.index(start, offsetBy: Self.maxSpansPerWrite, limitedBy: spans.endIndex) ?? spans.endIndex
            buffer.removeAll(keepingCapacity: true)
            stream.append(spans[start..<end], into: &buffer)
            try write(buffer)
            start = end
        }
    }

    /// Writes what closes a stream (Zipkin's `]`).
    public func end(_ stream: SpanStreamWriter, buffer: inout [UInt8]) throws(InputError) {
        buffer.removeAll(keepingCapacity: true)
        stream.end(into: &buffer)
        if !buffer.isEmpty { try write(buffer) }
    }
}
