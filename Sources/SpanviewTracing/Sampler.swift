import SpanModel

/// Decides, when a span starts, whether it is recorded and exported. The decision is made
/// at the root and followed by the children (`ParentBasedSampler`), so a trace is kept whole
/// or not at all.
public protocol Sampler: Sendable {
    /// - Parameters:
    ///   - parent: the parent's context, nil for a root.
    ///   - traceID: the trace the new span belongs to.
    func shouldSample(parent: SpanContext?, traceID: TraceID, name: String) -> Bool
    /// As `OTEL_TRACES_SAMPLER` names it.
    var description: String { get }
}

/// Every span.
public struct AlwaysOnSampler: Sampler {
    public init() {}
    public func shouldSample(parent: SpanContext?, traceID: TraceID, name: String) -> Bool { true }
    public var description: String { "always_on" }
}

/// No span.
public struct AlwaysOffSampler: Sampler {
    public init() {}
    public func shouldSample(parent: SpanContext?, traceID: TraceID, name: String) -> Bool { false }
    public var description: String { "always_off" }
}

/// A fraction of traces, decided by the trace ID alone, so every process that sees the trace
/// decides the same: as the Go SDK, the trace ID's last 8 bytes shifted right by one are
/// compared with `ratio` × 2^63.
public struct TraceIDRatioSampler: Sampler {
    public let ratio: Double
    private let bound: UInt64

    public init(ratio: Double) {
        self.ratio = ratio.isNaN ? 0 : min(1, max(0, ratio))
        bound = self.ratio >= 1 ? .max : UInt64(self.ratio * Double(UInt64(1) << 63))
    }

    public func shouldSample(parent: SpanContext?, traceID: TraceID, name: String) -> Bool {
        ratio >= 1 || (traceID.low >> 1) < bound
    }

    public var description: String { "traceidratio(\(ratio))" }
}

/// Follows the parent's decision; `root` decides for spans without a parent.
public struct ParentBasedSampler: Sampler {
    public let root: any Sampler
    public let remoteSampled: any Sampler
    public let remoteNotSampled: any Sampler
    public let localSampled: any Sampler
    public let localNotSampled: any Sampler

    public init(root: any Sampler, remoteSampled: any Sampler = AlwaysOnSampler(), remoteNotSampled: any Sampler = AlwaysOffSampler(),
                localSampled: any Sampler = AlwaysOnSampler(), localNotSampled: any Sampler = AlwaysOffSampler()) {
        self.root = root
        self.remoteSampled = remoteSampled
        self.remoteNotSampled = remoteNotSampled
        self.localSampled = localSampled
        self.localNotSampled = localNotSampled
    }

    public func shouldSample(parent: SpanContext?, traceID: TraceID, name: String) -> Bool {
        guard let parent, parent.isValid else { return root.shouldSample(parent: nil, traceID: traceID, name: name) }
        let sampler = parent.isRemote
            ? (parent.isSampled ? remoteSampled : remoteNotSampled)
            : (parent.isSampled ? localSampled : localNotSampled)
        return sampler.shouldSample(parent: parent, traceID: traceID, name: name)
    }

    public var description: String { "parentbased(\(root.description))" }
}
