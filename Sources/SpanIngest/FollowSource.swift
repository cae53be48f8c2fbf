#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanFormats

/// A file that grows (`tail -f`): reads what is there, then waits for more; a file truncated
/// or replaced (log rotation) is read again from its start, and the viewer is told.
public final class FollowSource: SpanSource, @unchecked Sendable {
    public let name: String
    public var isLive: Bool { true }
    /// The file holds what was read: nothing is lost by quitting.
    public var isEphemeral: Bool { false }
    /// Where to keep a copy of the bytes as they arrive (set before reading).
    public var spool: Spool?
    private let chunkSize: Int
    /// How long to wait at the end before looking for growth, in microseconds.
    public var pollInterval: UInt32 = 100_000

    /// Fails now if `path` cannot be read.
    public init(path: String, chunkSize: Int = 1 << 20) throws(InputError) {
        guard access(path, R_OK) == 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        name = path
        self.chunkSize = chunkSize
    }

    public func read(deliver: (ReadBatch) -> Bool) {
        let path = name
        var fd: Int32 = -1
        var inode: UInt64 = 0
        var reader = SpanStreamReader(source: path, chunkSize: chunkSize, threads: InputSource.decodingThreads)
        var consumed: Int64 = 0
        defer { if fd >= 0 { close(fd) } }
        func reopen() -> Bool {
            if fd >= 0 { close(fd) }
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return false }
            var info = stat()
            fstat(fd, &info)
            inode = UInt64(info.st_ino)
            reader = SpanStreamReader(source: path, chunkSize: chunkSize, threads: InputSource.decodingThreads)
            consumed = 0
            return true
        }
        func notice(_ text: String, _ batch: ReadBatch = ReadBatch()) -> Bool {
            var batch = batch
            batch.end = nil   // a new file follows
            batch.notices.append(text)
            return deliver(batch)
        }
        guard reopen() else {
            var last = ReadBatch()
            last.end = .failed("cannot open '\(path)': \(String(cString: strerror(errno)))")
            _ = deliver(last)
            return
        }
        while true {
            switch reader.read(from: fd, copyTo: spool) {
            case .decoded(let batch):
                consumed = batch.stats.bytes
                guard deliver(batch) else { return }
                continue
            case .failed(let code):
                guard notice("reading '\(path)' failed (\(ReadError(errno: Int32(-code)))); trying again") else { return }
            case .end:
                break
            }
            // At the end for now: wait, then look for growth, truncation or replacement.
            usleep(pollInterval)
            guard deliver(reader.snapshot()) else { return }   // stops when the viewer has gone
            var info = stat()
            guard stat(path, &info) == 0 else { continue }   // being replaced: try again soon
            if UInt64(info.st_ino) != inode {
                guard notice("'\(path)' was replaced; reading the new file", reader.finish()) else { return }
                _ = reopen()
            } else if Int64(info.st_size) < consumed {
                _ = lseek(fd, 0, SEEK_SET)
                reader = SpanStreamReader(source: path, chunkSize: chunkSize, threads: InputSource.decodingThreads)
                consumed = 0
                guard notice("'\(path)' was truncated; reading it again from the start") else { return }
            }
        }
    }
}
