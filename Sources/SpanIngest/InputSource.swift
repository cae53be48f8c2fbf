#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SpanFormats
import SpanModel

/// A path given on the command line (`-` for standard input), read the way its kind calls for:
///
/// - a regular file is read on two threads that never wait for each other where there are
///   two cores (`PipeDecoder`), else memory-mapped and decoded where it lies; with progress
///   in bytes;
/// - a pipe, FIFO or terminal is read as it comes, reading and decoding overlapping on two
///   threads (`PipeDecoder`); it is live: more may come;
/// - gzip data, recognised by its first bytes (not its name) in either, is decompressed as it
///   is read and the decompressed bytes are read as above, positions being offsets in them.
public final class InputSource: SpanSource, @unchecked Sendable {
    public let name: String
    public let isLive: Bool
    /// The file's size, for a regular file.
    public let size: Int64?
    /// Where to keep a copy of live input's bytes as they arrive (set before reading).
    public var spool: Spool?
    private let fd: Int32
    private let chunkSize: Int
    private let threads: Int

    /// Threads that decode a big input: two where there are two cores to run them (the
    /// result is the same as one thread's; see `SpanStreamReader`).
    public static let decodingThreads = ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1

    /// Opens `path` now, so that a path that cannot be read fails before anything starts.
    public init(path: String, chunkSize: Int = 1 << 20, threads: Int = InputSource.decodingThreads) throws(InputError) {
        name = path
        self.chunkSize = chunkSize
        self.threads = threads
        if path == "-" {
            fd = 0
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        }
        var info = stat()
        let kind = fstat(fd, &info) == 0 ? info.st_mode & S_IFMT : 0
        if kind == S_IFDIR {
            if fd != 0 { close(fd) }
            throw InputError(path: path, reason: "is a directory")
        }
        size = kind == S_IFREG ? Int64(info.st_size) : nil
        isLive = kind != S_IFREG
    }

    deinit { if fd != 0 { close(fd) } }

    public func read(deliver: (ReadBatch) -> Bool) {
        if let size {
            var magic = [UInt8](repeating: 0, count: 2)
            let n = pread(fd, &magic, 2, 0)
            if n == 2, magic.withUnsafeBytes(GzipStream.isGzip) {
                readGzip(prefix: [], total: size, deliver: deliver)
                return
            }
            if threads > 1 && chunkSize >= 1 << 16 {
                // Two threads that never wait for each other (`PipeDecoder`) beat the
                // memory-mapped split, which waits for both halves of every chunk: 1.0–1.2 s
                // against 1.4–1.9 s to read 1M spans here, and more so beside the viewer's
                // thread (docs/benchmarks.md). A file ends, so its values need no length bound.
                _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
                readPipelined(prefix: [], unboundedValues: true) { batch in
                    var batch = batch
                    batch.progress = ByteProgress(done: batch.end == nil ? batch.stats.bytes : size, total: size)
                    return deliver(batch)
                }
                return
            }
            if size > 0 && chunkSize >= 1 << 16, readMapped(size: size, deliver: deliver) { return }
        }
        // A stream: its first bytes say whether it is gzip.
        var first = [UInt8](repeating: 0, count: 4096)
        var got = 0
        var failure: Int32 = 0
        while got < 2 {
            let n = first.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { failure = errno }
            if n <= 0 { break }
            got += n
        }
        first.removeSubrange(got...)
        first.withUnsafeBytes { spool?.append($0) }
        if failure != 0 {
            var last = ReadBatch()
            last.end = .failed("read failed: \(ReadError(errno: failure))")
            _ = deliver(last)
            return
        }
        if first.withUnsafeBytes(GzipStream.isGzip) {
            readGzip(prefix: first, total: nil, deliver: deliver)
        } else if threads > 1 {
            readPipelined(prefix: first, deliver: deliver)
        } else {
            readStream(prefix: first, deliver: deliver)
        }
    }

    // MARK: - Plain data

    /// A regular file through a memory mapping: no copy, and pages behind the cursor are let
    /// go as it goes, so resident memory stays about a chunk. False if it cannot be mapped.
    private func readMapped(size: Int64, deliver: (ReadBatch) -> Bool) -> Bool {
        let length = Int(size)
        guard let mapping = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapping != MAP_FAILED else { return false }
        defer { munmap(mapping, length) }
        _ = madvise(mapping, length, MADV_SEQUENTIAL)
        let reader = SpanStreamReader(source: name, chunkSize: chunkSize, threads: threads)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var dropped = 0
        var stopped = false
        reader.decodeInPlace(UnsafeRawBufferPointer(start: mapping, count: length)) { batch, done in
            guard !stopped else { return }
            batch.progress = ByteProgress(done: Int64(done), total: size)
            stopped = !deliver(batch)
            let whole = (done / page) * page
            if whole > dropped {
                _ = madvise(mapping + dropped, whole - dropped, MADV_DONTNEED)
                dropped = whole
            }
        }
        return true
    }

    /// A pipe (or a file) on two threads (`PipeDecoder`).
    private func readPipelined(prefix: [UInt8], unboundedValues: Bool = false, deliver: (ReadBatch) -> Bool) {
        withoutActuallyEscaping(deliver) { deliver in
            // The decoder (and its helper's last block) may outlive `run`: it reaches `deliver`
            // only through the box, which lets go of it before this block ends.
            let box = SinkBox(deliver)
            let decoder = PipeDecoder(source: name, chunkSize: max(1, chunkSize / 2)) { [box] batch in
                if box.deliver?(batch) == false { box.decoder?.cancel() }
            }
            box.decoder = decoder
            if unboundedValues { decoder.maxValueBytes = .max }
            if let spool { decoder.onRead = { spool.append($0) } }
            let last = prefix.withUnsafeBytes { decoder.run(fd: fd, prefix: $0) }
            box.deliver = nil
            _ = deliver(last)
        }
    }

    /// A stream on one thread.
    private func readStream(prefix: [UInt8], deliver: (ReadBatch) -> Bool) {
        let reader = SpanStreamReader(source: name, chunkSize: chunkSize, threads: threads)
        guard deliver(prefix.withUnsafeBytes { reader.feed($0) }) else { return }
        while true {
            switch reader.read(from: fd, copyTo: spool) {
            case .decoded(let batch):
                guard deliver(batch) else { return }
            case .end:
                _ = deliver(reader.finish())
                return
            case .failed(let code):
                var last = reader.finish()
                last.end = .failed("read failed: \(ReadError(errno: Int32(-code)))")
                _ = deliver(last)
                return
            }
        }
    }

    // MARK: - gzip

    /// gzip data, decompressed as it is read; `total` is the compressed size when known.
    /// Damage keeps every span before it and is reported where it was found.
    private func readGzip(prefix: [UInt8], total: Int64?, deliver: (ReadBatch) -> Bool) {
        let reader = SpanStreamReader(source: name, chunkSize: chunkSize, threads: threads)
        let gzip = GzipStream()
        var compressed = [UInt8](repeating: 0, count: 1 << 18)
        var pending = prefix
        while true {
            var count = pending.count
            if pending.isEmpty {
                let n = compressed.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    var last = reader.finish()
                    last.end = .failed("read failed: \(ReadError(errno: errno))")
                    _ = deliver(last)
                    return
                }
                count = n
                if n > 0, let spool { compressed.withUnsafeBytes { spool.append(UnsafeRawBufferPointer(rebasing: $0[..<n])) } }
            }
            var batch = ReadBatch()
            var damage: GzipError?
            func take(_ out: UnsafeRawBufferPointer) { batch.absorb(reader.feed(out)) }
            func inflate(_ bytes: UnsafeRawBufferPointer) -> GzipError? {
                do throws(GzipError) {
                    if bytes.isEmpty { try gzip.finish() } else { try gzip.decompress(bytes, into: take) }
                    return nil
                } catch {
                    return error
                }
            }
            if count == 0 {
                damage = inflate(UnsafeRawBufferPointer(start: nil, count: 0))
            } else if pending.isEmpty {
                damage = compressed.withUnsafeBytes { inflate(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            } else {
                damage = pending.withUnsafeBytes { inflate($0) }
            }
            pending = []
            if let total { batch.progress = ByteProgress(done: gzip.compressedBytes, total: total) }
            if count == 0 || damage != nil {
                batch.absorb(reader.finish())
                if let damage {
                    batch.problems.append(ReadProblem(source: name, offset: damage.decompressedOffset, line: batch.stats.lines,
                                                      reason: "\(damage); nothing after it was read"))
                    batch.stats.skipped += 1
                }
                batch.end = .complete
                _ = deliver(batch)
                return
            }
            guard deliver(batch) else { return }
        }
    }
}

/// What the pipe decoder's publish closure reaches: the deliver function while `run` runs,
/// and the decoder, to cancel it.
private final class SinkBox: @unchecked Sendable {
    var deliver: ((ReadBatch) -> Bool)?
    weak var decoder: PipeDecoder?
    init(_ deliver: @escaping (ReadBatch) -> Bool) { self.deliver = deliver }
}

extension SpanStreamReader {
    /// Reads up to a chunk from `fd` straight into the buffer and decodes it; a copy of the
    /// bytes goes to `spool`. `.failed` carries minus the errno.
    public func read(from fd: Int32, copyTo spool: Spool? = nil) -> AppendResult {
        append { buffer in
            while true {
                let n = Glibc.read(fd, buffer.baseAddress!, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n > 0, let spool { spool.append(UnsafeRawBufferPointer(rebasing: buffer[..<n])) }
                return n < 0 ? -Int(errno) : n
            }
        }
    }
}
