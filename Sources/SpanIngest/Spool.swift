#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A copy of live input's bytes exactly as they arrived, kept in an unlinked temporary file
/// (on disk, not in memory), so that `w` in the viewer can save what a pipe delivered
/// before quitting loses it. Appended to by the source's thread, saved from any thread.
public final class Spool: Sendable {
    private let fd: Int32
    private let state = Mutex(State())
    /// Bytes kept at most (2 GiB); later bytes are counted but not kept.
    public let limit: Int64

    private struct State {
        var kept: Int64 = 0
        var arrived: Int64 = 0
        var failed: String?
    }

    /// Makes the temporary file in `$TMPDIR` (or /tmp); nil if it cannot be made.
    public init?(limit: Int64 = 2 << 30) {
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array((dir + "/spanview-spool-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        self.fd = fd
        self.limit = limit
    }

    deinit { close(fd) }

    /// Bytes that arrived, and bytes kept (fewer once `limit` is reached or a write failed).
    public var arrivedBytes: Int64 { state.withLock { $0.arrived } }
    public var keptBytes: Int64 { state.withLock { $0.kept } }

    /// Appends bytes as they arrived.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        state.withLock { state in
            state.arrived += Int64(bytes.count)
            guard state.failed == nil, state.kept < limit, let base = bytes.baseAddress else { return }
            let n = Int(min(Int64(bytes.count), limit - state.kept))
            var done = 0
            while done < n {
                let w = pwrite(fd, base + done, n - done, off_t(state.kept) + off_t(done))
                if w < 0 && errno == EINTR { continue }
                if w <= 0 {
                    state.failed = String(cString: strerror(errno))
                    break
                }
                done += w
            }
            state.kept += Int64(done)
        }
    }

    /// Writes the bytes kept so far to `path` (created or replaced). Returns how many; throws
    /// a reason in words.
    @discardableResult
    public func save(to path: String) throws(InputError) -> Int64 {
        let kept = keptBytes
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(out) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < kept {
            let want = Int(min(Int64(buffer.count), kept - offset))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw InputError(path: path, reason: "reading the saved input failed: \(String(cString: strerror(errno)))") }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { write(out, $0.baseAddress! + written, n - written) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw InputError(path: path, reason: String(cString: strerror(errno))) }
                written += w
            }
            offset += Int64(n)
        }
        return kept
    }
}
