import CZlib

/// Decompresses gzip data fed in chunks of any size, through one fixed output buffer.
///
/// - Input is recognised by its first bytes (`isGzip`), not by a file name.
/// - Decompressed bytes are handed to the caller in pieces of at most `outputBufferSize`
///   bytes as they are produced; nothing else is held, so memory stays the same whatever the
///   compression ratio: a gzip bomb is only a long stream.
/// - Concatenated members (`cat a.gz b.gz`, `gzip -c a b`) are one stream. Zero bytes after
///   the last member (tar-style padding) are skipped.
/// - Damage stops the stream with a `GzipError` that says where: corrupt data, a stream cut
///   inside a member (reported by `finish`), or bytes after a member that start no other one.
///   Everything decompressed before the damage has been handed out first, so a caller keeps
///   every span before it. gzip checks a member's data only at its end (CRC-32 and length),
///   so bytes handed out before a checksum error may themselves be damaged.
/// - After an error every call throws the same error again.
///
/// A stream that was given no bytes at all decompresses to nothing, without error.
public final class GzipStream {
    /// Size of the output buffer, the most bytes `decompress` hands out at once.
    public let outputBufferSize: Int
    /// Compressed bytes read so far (after an error: up to where it was found).
    public private(set) var compressedBytes: Int64 = 0
    /// Decompressed bytes handed out so far.
    public private(set) var decompressedBytes: Int64 = 0
    /// Members whose end (and checksum) has been read.
    public private(set) var members = 0

    /// zlib keeps a pointer back to its `z_stream`, so it lives at a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>
    private let buffer: UnsafeMutablePointer<UInt8>
    private var initialized = false
    private var phase = Phase.start
    /// Offset of the member being read.
    private var memberStart: Int64 = 0
    private var failure: GzipError?

    private enum Phase {
        /// No byte read yet.
        case start
        /// Inside a member: zlib has its header or data.
        case member
        /// A member has ended; another, zero padding or the end may follow.
        case afterMember
        /// Zero bytes after the last member.
        case padding
    }

    /// 256 KiB: pieces big enough that a caller's cost per piece is small, and memory that
    /// stays the same whatever the input.
    public static let defaultOutputBufferSize = 256 << 10

    public init(outputBufferSize: Int = GzipStream.defaultOutputBufferSize) {
        self.outputBufferSize = max(1, min(outputBufferSize, Int(UInt32.max)))
        buffer = .allocate(capacity: self.outputBufferSize)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + 15: gzip only (a zlib or raw deflate stream is not gzip), 32 KiB window.
        let status = inflateInit2_(stream, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        if status == Z_OK {
            initialized = true
        } else {
            failure = GzipError(
                kind: .zlib, compressedOffset: 0, decompressedOffset: 0,
                reason: "zlib could not start (\(GzipStream.statusName(status)))")
        }
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        buffer.deallocate()
    }

    /// Whether `prefix`, the first bytes of an input, starts a gzip stream: the magic bytes
    /// 1f 8b and, when a third byte is there, 08 (deflate, the only method gzip defines).
    /// Fewer than two bytes are never gzip.
    public static func isGzip(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard prefix.count >= 2, prefix[0] == 0x1F, prefix[1] == 0x8B else { return false }
        return prefix.count < 3 || prefix[2] == 8
    }

    /// Decompresses `input`, the next bytes of the stream, calling `output` with each piece
    /// of decompressed bytes as it is produced (at most `outputBufferSize` bytes; the memory
    /// is valid only during the call, and `output` must not call back into this stream).
    ///
    /// Throws at the first damage, after handing out every byte decompressed before it.
    /// A stream cut inside a member is only known at its end: see `finish`.
    public func decompress(_ input: UnsafeRawBufferPointer, into output: (UnsafeRawBufferPointer) -> Void) throws(GzipError) {
        if let failure { throw failure }
        guard let base = input.baseAddress, input.count > 0 else { return }
        var next = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: UInt8.self))
        var left = input.count
        while left > 0 {
            switch phase {
            case .start:
                phase = .member
                memberStart = compressedBytes
            case .afterMember, .padding:
                if next.pointee == 0 {
                    // Tar-style padding: zero bytes up to the end.
                    var zeros = 1
                    while zeros < left, next[zeros] == 0 { zeros += 1 }
                    next += zeros
                    left -= zeros
                    compressedBytes += Int64(zeros)
                    phase = .padding
                } else if phase == .afterMember, next.pointee == 0x1F {
                    // Another member (zlib checks the rest of its header).
                    inflateReset(stream)
                    phase = .member
                    memberStart = compressedBytes
                } else {
                    throw fail(.trailingGarbage, at: compressedBytes, "trailing garbage after the gzip data at compressed byte \(compressedBytes)")
                }
            case .member:
                let consumed = try inflateSome(next, count: left, output: output)
                next += consumed
                left -= consumed
            }
        }
    }

    /// Why `decompressed(_:limit:)` stopped before the end.
    public enum Stop: Error, Sendable {
        /// The output passed the limit.
        case overLimit
        /// The data is damaged or cut short here.
        case damaged(GzipError)
    }

    /// Decompresses whole gzip data held in memory, 256 KiB of input at a time, giving up as
    /// soon as the output passes `limit` (a bomb costs at most the limit and the work to make
    /// it): what came out, and why it stopped early if it did (what came before damage is kept).
    public static func decompressed(_ bytes: UnsafeRawBufferPointer, limit: Int) -> (bytes: [UInt8], stop: Stop?) {
        let stream = GzipStream()
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, bytes.count * 4))
        var over = false
        do throws(GzipError) {
            var at = 0
            while at < bytes.count && !over {
                let end = min(bytes.count, at + (256 << 10))
                try stream.decompress(UnsafeRawBufferPointer(rebasing: bytes[at..<end])) { piece in
                    guard !over else { return }
                    if out.count + piece.count > limit { over = true } else { out.append(contentsOf: piece) }
                }
                at = end
            }
            if !over { try stream.finish() }
        } catch {
            return (out, .damaged(error))
        }
        return (out, over ? .overLimit : nil)
    }

    /// The input has ended. Throws if it ended inside a member (truncated), or the error
    /// already met. A stream that ended after a whole member, or padding, or before any
    /// byte, is complete.
    public func finish() throws(GzipError) {
        if let failure { throw failure }
        if phase == .member {
            throw fail(.truncated, at: compressedBytes,
                       "gzip stream truncated after \(compressedBytes) compressed bytes (\(decompressedBytes) bytes decompressed)")
        }
    }

    /// Runs zlib over up to `count` bytes at `input` until it needs more input or a member
    /// ends, handing out what it produces. Returns the bytes consumed.
    private func inflateSome(_ input: UnsafeMutablePointer<UInt8>, count: Int, output: (UnsafeRawBufferPointer) -> Void) throws(GzipError) -> Int {
        let given = UInt32(min(count, Int(UInt32.max)))
        stream.pointee.next_in = input
        stream.pointee.avail_in = given
        defer {
            // No pointer into the caller's memory outlives the call.
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        var consumedTotal = 0
        while true {
            let inBefore = stream.pointee.avail_in
            stream.pointee.next_out = buffer
            stream.pointee.avail_out = UInt32(outputBufferSize)
            let status = inflate(stream, Z_NO_FLUSH)
            let consumed = Int(inBefore - stream.pointee.avail_in)
            let produced = outputBufferSize - Int(stream.pointee.avail_out)
            consumedTotal += consumed
            compressedBytes += Int64(consumed)
            if produced > 0 {
                decompressedBytes += Int64(produced)
                output(UnsafeRawBufferPointer(start: buffer, count: produced))
            }
            switch status {
            case Z_OK:
                // Output may be pending while the buffer was full; else zlib wants input.
                if stream.pointee.avail_out == 0 || stream.pointee.avail_in > 0 {
                    if consumed == 0 && produced == 0 {
                        throw fail(.zlib, at: compressedBytes, "zlib made no progress at compressed byte \(compressedBytes)")
                    }
                    continue
                }
                return consumedTotal
            case Z_STREAM_END:
                members += 1
                phase = .afterMember
                return consumedTotal
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                // Nothing left to decode until more input comes.
                return consumedTotal
            case Z_DATA_ERROR, Z_NEED_DICT:
                throw dataError()
            default:
                throw fail(.zlib, at: compressedBytes, "zlib failed (\(GzipStream.statusName(status))) at compressed byte \(compressedBytes)")
            }
        }
    }

    /// The error for data zlib rejected. A header that is not gzip's is no gzip data for the
    /// first member, and trailing garbage after a complete member.
    private func dataError() -> GzipError {
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
        if message == "incorrect header check" {
            if members == 0 {
                return fail(.notGzip, at: memberStart, "not gzip data (no 1f 8b magic) at compressed byte \(memberStart)")
            }
            return fail(.trailingGarbage, at: memberStart, "trailing garbage after the gzip data at compressed byte \(memberStart)")
        }
        return fail(.corrupt, at: compressedBytes, "corrupt gzip data (\(message)) at compressed byte \(compressedBytes)")
    }

    private func fail(_ kind: GzipError.Kind, at offset: Int64, _ reason: String) -> GzipError {
        let error = GzipError(kind: kind, compressedOffset: offset, decompressedOffset: decompressedBytes, reason: reason)
        failure = error
        return error
    }

    private static func statusName(_ status: Int32) -> String {
        switch status {
        case Z_MEM_ERROR: "out of memory"
        case Z_VERSION_ERROR: "zlib version mismatch"
        case Z_STREAM_ERROR: "stream error"
        case Z_BUF_ERROR: "buffer error"
        default: "status \(status)"
        }
    }
}

/// Why a gzip stream stopped, and where: in the compressed input and in the output handed
/// out before it.
public struct GzipError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The first bytes are not a gzip header.
        case notGzip
        /// A member's header or data is damaged, or its checksum or length does not match.
        case corrupt
        /// The input ended inside a member.
        case truncated
        /// Bytes after a complete member that are neither another member nor zero padding.
        case trailingGarbage
        /// zlib itself failed (out of memory), not the data.
        case zlib
    }

    public let kind: Kind
    /// The compressed byte where the damage was found (zlib reads a few bytes ahead, so
    /// damage inside deflate data lies at or shortly before it, or anywhere in the member for
    /// a checksum mismatch).
    public let compressedOffset: Int64
    /// The decompressed bytes handed out before the error.
    public let decompressedOffset: Int64
    /// What happened, in plain words, with the offset.
    public let reason: String

    public var description: String { reason }
}
