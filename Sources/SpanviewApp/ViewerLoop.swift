#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CellGrid
import SpanIngest
import TerminalInput
import Tracing

/// The viewer's run loop: waits on the terminal and the inbox together, hands keys and input
/// to the app, and draws frames, until the app wants to quit.
///
/// Timing: keys are handled at once and drawn at once. Input is taken at most every 4 ms: a
/// fast writer's source wakes this thread thousands of times a second, and inserting a few
/// milliseconds' worth at once costs less (measured in `spanview-bench live`) for a
/// millisecond or two of latency. Frames after input are drawn at most every 16 ms. While
/// input is live or files are loading, the loop also wakes twice a second so the rate, the
/// progress bar and the time left keep moving when nothing arrives.
public struct ViewerLoop {
    public var ingestInterval = 0.004
    public var frameInterval = 0.016
    public var tickInterval = 0.5
    /// Longest wait with nothing to do (see the resize note in `run`).
    public var idleInterval = 0.25
    /// Called once after the first frame is drawn (the end-to-end tests' crash hook, timing).
    public var afterFirstFrame: (() -> Void)?
    /// Ends the loop when it returns true, checked every time round (tests and benchmarks).
    public var stopWhen: ((App) -> Bool)?
    /// Where the loop's time went, for benchmarks: seconds taking input and drawing frames.
    public final class Timing: @unchecked Sendable {
        public var ingest = 0.0, render = 0.0
        public var ingests = 0, frames = 0
        public init() {}
    }
    public var timing: Timing?

    public init() {}

    /// Runs until `app.wantsQuit`; closes the inbox then, so sources stop reading.
    public func run(_ app: inout App, terminal: some TerminalDevice, inbox: Inbox?, clock: () -> Double = monotonicSeconds) {
        defer {
            let span = InstrumentationSystem.tracer.startSpan("quit", context: InstrumentationContext.current ?? .topLevel, ofKind: .internal)
            inbox?.close()   // sources stop reading
            span.end()
        }
        var fds = [pollfd(fd: terminal.inputFileDescriptor, events: Int16(POLLIN), revents: 0)]
        if let inbox { fds.append(pollfd(fd: inbox.wakeFileDescriptor, events: Int16(POLLIN), revents: 0)) }
        var lastFrame = -Double.infinity, lastIngest = -Double.infinity, lastTick = clock()
        var dirty = true
        var inputWaiting = inbox?.hasPending ?? false
        var firstFrame = true
        // Self-tracing (`--self-trace`, `T`): a span per take of input, per frame and per
        // search, under a root span that is ended and begun again every 10 s (so a long
        // session is a trace per 10 s, each exported as it ends). A frame over 16 ms gets a
        // "slow frame" event. Input that is only the viewer's own spans makes no span, nor
        // does the frame that shows it: otherwise each frame would make spans that ask for
        // another frame.
        // The tracer is looked up as spans are made: `T` may bootstrap one mid-session.
        var tracer: any Tracer { InstrumentationSystem.tracer }
        let parent = InstrumentationContext.current ?? .topLevel
        var root = tracer.startSpan("viewer activity", context: parent, ofKind: .internal)
        var rootStarted = clock()
        defer { root.end() }
        var quietFrame = false
        func rollRoot(_ now: Double) {
            // Every 10 s; while nothing records, every half second (to notice `T` starting a
            // tracer), not every time round.
            guard now - rootStarted >= (root.isRecording ? 10 : 0.5) else { return }
            root.end()
            root = tracer.startSpan("viewer activity", context: parent, ofKind: .internal)
            rootStarted = now
        }
        func take(_ inbox: Inbox, _ now: Double) {
            let deliveries = inbox.drain()
            let ownOnly = app.ownSpansSource != nil && deliveries.allSatisfy { $0.source == app.ownSpansSource }
            quietFrame = ownOnly && (quietFrame || !dirty)
            let span: (any Tracing.Span)? = ownOnly ? nil : tracer.startSpan("take input", context: root.context, ofKind: .internal)
            if let span, span.isRecording {
                span.attributes["spans"] = deliveries.reduce(0) { $0 + $1.batches.reduce(0) { $0 + $1.spans.count } }
                span.attributes["batches"] = deliveries.reduce(0) { $0 + $1.batches.count }
            }
            app.ingest(deliveries, now: now)
            span?.end()
            if let timing {
                timing.ingest += clock() - now
                timing.ingests += 1
            }
        }
        func draw(_ now: Double) {
            let span: (any Tracing.Span)? = quietFrame ? nil : tracer.startSpan("draw frame", context: root.context, ofKind: .internal)
            quietFrame = false
            defer {
                if let span, span.isRecording {
                    let took = clock() - now
                    if took > 0.016 { span.addEvent(SpanEvent(name: "slow frame", attributes: ["ms": .int64(Int64(took * 1000))])) }
                }
                span?.end()
            }
            let grid = app.render()
            if let timing {
                timing.render += clock() - now
                timing.frames += 1
            }
            terminal.draw(grid)
            lastFrame = now
            dirty = false
            if firstFrame {
                firstFrame = false
                afterFirstFrame?()
            }
        }
        while !app.wantsQuit {
            if let stopWhen, stopWhen(app) { break }
            var now = clock()
            rollRoot(now)
            if let inbox, inputWaiting && now - lastIngest >= ingestInterval {
                take(inbox, now)
                lastIngest = now
                inputWaiting = false
                dirty = true
            }
            if app.wantsTicks && now - lastTick >= tickInterval {
                app.tick(now: now)
                lastTick = now
                dirty = true
            }
            if app.hasBackgroundWork && app.pollBackgroundWork() { dirty = true }
            if dirty && now - lastFrame >= frameInterval { draw(now) }
            // Keys are always waited for; input only when none is waiting to be taken; and
            // whichever timer is due. EINTR on SIGWINCH is fine: the resize arrives as a key.
            var deadline = Double.infinity
            if inputWaiting { deadline = lastIngest + ingestInterval }
            if dirty { deadline = min(deadline, lastFrame + frameInterval) }
            if app.wantsTicks { deadline = min(deadline, lastTick + tickInterval) }
            if app.hasBackgroundWork { deadline = min(deadline, now + frameInterval) }   // its result, soon
            // A resize signal that lands while this thread is not in poll interrupts nothing;
            // ncurses hands it over as a key at the next read, so idle waits are capped.
            deadline = min(deadline, now + idleInterval)
            if let stopWhen {
                if stopWhen(app) { break }
                deadline = min(deadline, now + 0.1)   // a stop that depends on time is noticed
            }
            now = clock()
            let timeout: Int32 = deadline.isFinite ? max(1, Int32(((deadline - now) * 1000).rounded(.up))) : -1
            for i in fds.indices { fds[i].revents = 0 }
            _ = poll(&fds, nfds_t(inputWaiting ? 1 : fds.count), timeout)
            if inbox != nil && !inputWaiting && fds[1].revents != 0 { inputWaiting = true }
            var typed = false
            while let key = terminal.readKey() {
                // Spans a key makes (a search) belong to the current root.
                InstrumentationContext.$current.withValue(root.context) { app.handle(key) }
                typed = true
                if app.wantsQuit { break }
            }
            if typed && !app.wantsQuit {
                quietFrame = false
                if let inbox, inputWaiting {
                    lastIngest = clock()
                    take(inbox, lastIngest)
                    inputWaiting = false
                }
                draw(clock())
            }
        }
    }
}

extension App {
    /// Time matters to the screen: live input's rate, or the progress bar's rate and time left.
    var wantsTicks: Bool { loading != nil || (live.map { !$0.ended } ?? false) }
}

/// Seconds on a clock that only goes forward.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
