import Synchronization

/// A process-wide, append-only table of repeated texts: attribute keys and the values that
/// recur (`GET`, `postgresql`, a route). Packed span details refer to them by a small number
/// instead of storing the text again, which is most of what keeps a span small in memory.
///
/// A table is bounded: spans are evicted (`--max-spans`) but their symbols cannot be, since
/// nothing says which numbers the remaining spans still use, so under endless input whose
/// keys and values keep changing an unbounded table would grow forever. Once `maxCount`
/// texts or `maxBytes` bytes of text are in it, `id(for:)` answers nil for a new text and the
/// caller stores the text in place instead (`PackedBytes.inlineString`, `PackedBytes.inlineKey`);
/// texts already in the table keep their numbers. A decoder's `StringTable` then moves on to a
/// new table (a generation); each `SpanDetails` holds the table its numbers are in, so an old
/// generation is freed with the last span that uses it.
public final class Symbols: Sendable {
    public static let shared = Symbols()

    /// 16,384 texts: far above what real telemetry repeats (keys number in the hundreds,
    /// repeated values in the thousands), so only churn (IDs seen on two spans, keys with IDs
    /// in them) fills a table. A symbol costs about 100 to 150 bytes here (its String, the
    /// array slot, the dictionary entry), so a full table is about 2 MB: small beside the
    /// spans it serves, filled within a minute by the churn of `spanview-bench endless`
    /// (so memory is flat after that), and a new generation costs only re-numbering the few
    /// hundred texts every span repeats.
    public static let defaultMaxCount = 1 << 14
    /// 2 MiB of UTF-8 text: 128 bytes a symbol at the count bound (values made symbols are at
    /// most 128 bytes; keys can be longer, and this stops a few huge ones filling memory).
    public static let defaultMaxBytes = 2 << 20

    /// Most texts the table holds. Below `UInt32.max`, which marks an inline key.
    public let maxCount: Int
    /// Most UTF-8 bytes of text the table holds.
    public let maxBytes: Int

    struct State {
        var strings: [String] = []
        var ids: [String: UInt32] = [:]
        var bytes = 0
    }
    let state = Mutex(State())

    public init(maxCount: Int = defaultMaxCount, maxBytes: Int = defaultMaxBytes) {
        self.maxCount = min(max(0, maxCount), Int(UInt32.max) - 1)
        self.maxBytes = max(0, maxBytes)
    }

    /// The number for `text`, adding it if new; nil if it is new and the table is full (store
    /// the text in place then).
    public func id(for text: String) -> UInt32? {
        state.withLock { state in
            if let id = state.ids[text] { return id }
            let size = text.utf8.count
            guard state.strings.count < maxCount, size <= maxBytes - state.bytes else { return nil }
            let id = UInt32(state.strings.count)
            state.strings.append(text)
            state.ids[text] = id
            state.bytes += size
            return id
        }
    }

    /// The text of a number handed out by `id(for:)`.
    public func string(_ id: UInt32) -> String {
        state.withLock { $0.strings[Int(id)] }
    }

    /// The text of `id`, or nil for a number never handed out (damaged bytes).
    public func text(_ id: UInt32) -> String? {
        state.withLock { state in Int(id) < state.strings.count ? state.strings[Int(id)] : nil }
    }

    /// Several lookups under one lock.
    public func strings(_ ids: [UInt32]) -> [String] {
        state.withLock { state in ids.map { state.strings[Int($0)] } }
    }

    public var count: Int { state.withLock { $0.strings.count } }

    /// UTF-8 bytes of all the texts.
    public var byteCount: Int { state.withLock { $0.bytes } }
}
