#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CellGrid
import Synchronization
import TerminalInput

/// A terminal in memory, for running the real `ViewerLoop` in tests and benchmarks: keys are
/// typed from any thread (`type(_:)`), frames are kept as grids with the time they were drawn.
public final class TestTerminal: TerminalDevice, @unchecked Sendable {
    private struct State {
        var keys: [Key] = []
        var frames: [(time: Double, grid: Grid)] = []
    }
    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Frames kept (the last ones); older ones are only counted.
    public let keptFrames: Int
    public private(set) var frameCount = 0
    /// Called after each frame is drawn, on the loop's thread.
    public var onDraw: ((Grid) -> Void)?

    public init(keptFrames: Int = 8) {
        self.keptFrames = keptFrames
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    public var inputFileDescriptor: Int32 { wakeRead }

    /// Queues keys as if typed; the loop wakes for them.
    public func type(_ keys: [Key]) {
        state.withLock { $0.keys += keys }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    public func readKey() -> Key? {
        var sink = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &sink, sink.count) > 0 {}
        return state.withLock { $0.keys.isEmpty ? nil : $0.keys.removeFirst() }
    }

    public func draw(_ grid: Grid) {
        let now = monotonicSeconds()
        state.withLock { state in
            state.frames.append((now, grid))
            if state.frames.count > keptFrames { state.frames.removeFirst(state.frames.count - keptFrames) }
        }
        frameCount += 1
        onDraw?(grid)
    }

    /// The last frames drawn, oldest first, with the time each was drawn (`monotonicSeconds`).
    public var frames: [(time: Double, grid: Grid)] { state.withLock { $0.frames } }
    /// The last frame as text.
    public var screen: String { frames.last.map { $0.grid.text } ?? "" }
}
