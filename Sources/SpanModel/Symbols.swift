import Synchronization

/// A process-wide, append-only table of repeated texts: attribute keys and the values that
/// recur (`GET`, `postgresql`, a route). Packed span details refer to them by a small number
/// instead of storing the text again, which is most of what keeps a span small in memory.
public final class Symbols: Sendable {
    public static let shared = Symbols()

    private struct State {
        var strings: [String] = []
        var ids: [String: UInt32] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    /// The number for `text`, adding it if new.
    public func id(for text: String) -> UInt32 {
        state.withLock { state in
            if let id = state.ids[text] { return id }
            let id = UInt32(state.strings.count)
            state.strings.append(text)
            state.ids[text] = id
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
}
