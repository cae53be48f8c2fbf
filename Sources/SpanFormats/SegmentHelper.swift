import Dispatch

/// What another reader decoded from a segment of the input (a run of whole lines that starts
/// between values at a line start), in its own line numbers (from 1). Only segments that end
/// the same way, with no bad value, become one.
package struct Segment: Sendable {
    /// The spans, problems and log lines, with the segment's own totals and the formats
    /// the decoding reader had seen by then.
    var batch: ReadBatch
    var newlines: Int
}

/// A segment being decoded on another thread.
final class SegmentJob: @unchecked Sendable {
    // Written once on the helper's queue before `done` is signalled; read after `wait()`.
    fileprivate var result: Segment?
    fileprivate let done = DispatchSemaphore(value: 0)

    /// Waits for the segment (nil: it did not end cleanly or held a bad value). Call once.
    func wait() -> Segment? {
        done.wait()
        return result
    }
}

/// A second thread of decoding: a reader of its own (its own decoder and caches) that
/// decodes segments in the order they are submitted.
final class SegmentHelper: @unchecked Sendable {
    // Used only on `queue`.
    private let reader: SpanStreamReader
    private let queue: DispatchQueue

    init(source: String, label: String = "spanview.segment-decoder") {
        reader = SpanStreamReader(source: source, chunkSize: 1 << 12)
        queue = DispatchQueue(label: label)
    }

    /// Starts decoding `count` bytes at `base`, which must stay readable until the job's `wait()`.
    func submit(_ base: UnsafePointer<UInt8>, count: Int) -> SegmentJob {
        let job = SegmentJob()
        let address = UInt(bitPattern: base)
        queue.async { [self] in
            job.result = reader.decodeSegment(UnsafePointer(bitPattern: address)!, count: count)
            job.done.signal()
        }
        return job
    }
}
