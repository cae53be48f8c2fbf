import Foundation
import Synchronization

/// Work too long for one key (a filter over every span of a million, a search of a huge
/// trace), done on a thread of its own so keys keep answering: the viewer's loop polls it
/// each time round (`App.pollBackgroundWork`) and takes the result when it is there. The work
/// gets value copies of what it reads (the store and trees are values), so nothing is shared.
final class BackgroundJob<Output: Sendable>: Sendable {
    private let output = Mutex<Output?>(nil)
    private let cancelled = Atomic(false)
    /// When it was started (monotonic seconds), for "working…" messages.
    let started: Double

    init(started: Double = monotonicSeconds(), _ work: @escaping @Sendable (BackgroundJob<Output>) -> Output) {
        self.started = started
        let thread = Thread { [self] in
            let result = work(self)
            output.withLock { $0 = result }
        }
        thread.name = "spanview-background"
        thread.start()
    }

    /// Asks the work to stop (it checks `isCancelled` between pieces).
    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// The result, once (nil while the work goes on).
    func take() -> Output? { output.withLock { value in defer { value = nil }; return value } }

    /// Waits for the result (for tests and headless use).
    func wait() -> Output {
        while true {
            if let value = take() { return value }
            usleep(500)
        }
    }
}
