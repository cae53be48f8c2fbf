#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SpanFormats
import SpanModel
import Synchronization
import Testing
@testable import SpanIngest

/// A source that delivers batches it was given, with an optional pause between them.
final class ScriptedSource: SpanSource, @unchecked Sendable {
    let name: String
    let isLive: Bool
    let batches: [ReadBatch]
    let pause: UInt32
    /// How many batches `deliver` took (it returned true).
    let delivered = Atomic(0)
    let stopped = Atomic(false)

    init(name: String, isLive: Bool = false, batches: [ReadBatch], pauseMicroseconds: UInt32 = 0) {
        self.name = name
        self.isLive = isLive
        self.batches = batches
        pause = pauseMicroseconds
    }

    func read(deliver: (ReadBatch) -> Bool) {
        for batch in batches {
            if pause > 0 { usleep(pause) }
            guard deliver(batch) else {
                stopped.store(true, ordering: .relaxed)
                return
            }
            delivered.add(1, ordering: .relaxed)
        }
    }
}

/// A batch of `count` spans of trace `trace`, numbered from `first`.
func spanBatch(_ count: Int, trace: UInt64 = 1, first: Int = 0, end: InputEnd? = nil) -> ReadBatch {
    var batch = ReadBatch()
    batch.spans = (0..<count).map { i in
        Span(traceID: TraceID(high: 0, low: trace), spanID: SpanID(UInt64(first + i + 1)), name: "s\(first + i)",
             startTime: Int64(first + i), endTime: Int64(first + i + 1))
    }
    batch.stats.spans = first + count
    batch.end = end
    return batch
}

@Suite("The inbox")
struct InboxTests {
    @Test("batches are merged per source, in order, and each drain takes everything waiting")
    func merging() {
        let inbox = Inbox()
        #expect(!inbox.hasPending)
        inbox.publish(spanBatch(2), from: 1)
        inbox.publish(spanBatch(3, first: 10), from: 0)
        var later = spanBatch(1, first: 2)
        later.problems = [ReadProblem(source: "b", offset: 7, line: 2, reason: "bad")]
        later.notices = ["hello"]
        inbox.publish(later, from: 1)
        inbox.publish(ReadBatch(), from: 0)   // empty: nothing to show, no wake-up
        #expect(inbox.hasPending)
        let deliveries = inbox.drain()
        #expect(deliveries.map(\.source) == [0, 1])
        #expect(deliveries[0].batch.spans.map(\.name) == ["s10", "s11", "s12"])
        #expect(deliveries[1].batch.spans.map(\.name) == ["s0", "s1", "s2"])
        #expect(deliveries[1].batch.stats.spans == 3)          // the later batch's totals
        #expect(deliveries[1].batch.problems.map(\.reason) == ["bad"])
        #expect(deliveries[1].batch.notices == ["hello"])
        #expect(inbox.drain().isEmpty)
    }

    @Test("the wake-up descriptor is readable while a batch waits, and not after the drain")
    func wakeUp() {
        let inbox = Inbox()
        func readable() -> Bool {
            var p = pollfd(fd: inbox.wakeFileDescriptor, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, 0) > 0
        }
        #expect(!readable())
        inbox.publish(spanBatch(1), from: 0)
        #expect(readable())
        _ = inbox.drain()
        #expect(!readable())
    }

    @Test("a full inbox makes the source wait until the viewer drains it: nothing is dropped")
    func backPressure() throws {
        let inbox = Inbox(capacity: 100)
        let batches = (0..<10).map { spanBatch(60, first: $0 * 60, end: $0 == 9 ? .complete : nil) }
        let source = ScriptedSource(name: "f", batches: batches)
        inbox.start(source)
        // The source fills the inbox (60, then 120 ≥ 100 spans) and then waits.
        let deadline = Date().addingTimeInterval(5)
        while source.delivered.load(ordering: .relaxed) < 2 && Date() < deadline { usleep(1_000) }
        usleep(50_000)
        let delivered = source.delivered.load(ordering: .relaxed)
        #expect(delivered == 2)
        var names: [String] = []
        var ended = false
        while !ended && Date() < deadline {
            _ = inbox.waitForPending(seconds: 0.1)
            for d in inbox.drain() {
                names += d.batch.spans.map(\.name)
                ended = d.batch.end == .complete
            }
        }
        #expect(ended)
        #expect(names == (0..<600).map { "s\($0)" })
    }

    @Test("closing releases a waiting source, which stops reading")
    func closing() throws {
        let inbox = Inbox(capacity: 10)
        let source = ScriptedSource(name: "f", isLive: true, batches: (0..<5).map { spanBatch(10, first: $0 * 10) })
        inbox.start(source)
        let deadline = Date().addingTimeInterval(5)
        while source.delivered.load(ordering: .relaxed) < 1 && Date() < deadline { usleep(1_000) }
        usleep(20_000)
        inbox.close()
        while !source.stopped.load(ordering: .relaxed) && Date() < deadline { usleep(1_000) }
        let stopped = source.stopped.load(ordering: .relaxed), delivered = source.delivered.load(ordering: .relaxed)
        #expect(stopped)
        #expect(delivered == 1)
        #expect(!inbox.publish(spanBatch(1), from: 0))
    }
}
