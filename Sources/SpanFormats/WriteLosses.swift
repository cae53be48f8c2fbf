/// What a writer could not hold of the spans it wrote: each kind of loss with its count,
/// said as a sentence ("3 links left out (Zipkin has none)") only when the count is not zero.
/// Counts from batch after batch add up (`merge`), so a streaming conversion says once, at
/// its end, what it dropped.
public struct WriteLosses: Sendable, Equatable {
    private var counts: [Count] = []

    private struct Count: Sendable, Equatable {
        var n: Int
        var sentence: String
    }

    public init() {}

    /// Adds `n` losses of the kind `sentence` says (nothing when `n` is 0).
    public mutating func add(_ n: Int, _ sentence: String) {
        guard n > 0 else { return }
        if let i = counts.firstIndex(where: { $0.sentence == sentence }) {
            counts[i].n += n
        } else {
            counts.append(Count(n: n, sentence: sentence))
        }
    }

    /// Adds another batch's losses.
    public mutating func merge(_ other: WriteLosses) {
        for count in other.counts { add(count.n, count.sentence) }
    }

    public var isEmpty: Bool { counts.isEmpty }

    /// Each kind of loss as "N what", in the order first met.
    public var sentences: [String] { counts.map { "\($0.n) \($0.sentence)" } }
}
