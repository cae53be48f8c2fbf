import SpanModel
import Synchronization

/// Makes trace and span IDs.
public protocol IDGenerator: Sendable {
    func newTraceID() -> TraceID
    func newSpanID() -> SpanID
    /// A root span's trace and span IDs together.
    func newIDs() -> (TraceID, SpanID)
}

extension IDGenerator {
    public func newIDs() -> (TraceID, SpanID) { (newTraceID(), newSpanID()) }
}

/// Random IDs from xoshiro256** (fast, 2^256 − 1 period), seeded from the system's random
/// source; never zero (an all-zero ID is invalid).
public final class RandomIDGenerator: IDGenerator {
    private let state: Mutex<Xoshiro256StarStar>

    public init() {
        var system = SystemRandomNumberGenerator()
        state = Mutex(Xoshiro256StarStar(seed: (system.next(), system.next(), system.next(), system.next())))
    }

    /// A generator that repeats, for tests.
    public init(seed: UInt64) {
        var splitmix = seed
        func next() -> UInt64 {
            splitmix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitmix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = Mutex(Xoshiro256StarStar(seed: (next(), next(), next(), next())))
    }

    public func newTraceID() -> TraceID {
        state.withLock { g in
            while true {
                let id = TraceID(high: g.next(), low: g.next())
                if !id.isZero { return id }
            }
        }
    }

    public func newSpanID() -> SpanID {
        state.withLock { g in Self.spanID(&g) }
    }

    public func newIDs() -> (TraceID, SpanID) {
        state.withLock { g in
            var trace = TraceID(high: g.next(), low: g.next())
            while trace.isZero { trace = TraceID(high: g.next(), low: g.next()) }
            return (trace, Self.spanID(&g))
        }
    }

    private static func spanID(_ g: inout Xoshiro256StarStar) -> SpanID {
        while true {
            let id = SpanID(g.next())
            if !id.isZero { return id }
        }
    }
}

/// xoshiro256** by Blackman and Vigna.
struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: (UInt64, UInt64, UInt64, UInt64)) {
        s = seed
        if s == (0, 0, 0, 0) { s.0 = 1 }
    }

    mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
