import SpanModel
import SpanStore

/// The one table of what spanview says about a span's flags (tig's `REQ_INFO` idea, as for
/// keys): a short form on waterfall rows, a counted form in trace headers and `summary`, and
/// a long form in the detail pane. Every place that names a flag reads it here.
public struct SpanFlagText: Sendable {
    public let flag: SpanFlags
    /// On a waterfall row, in brackets: `[outside parent]`. `%n` is the copies of a duplicate.
    public let short: String
    /// After a count, singular and plural: `3 outside parent`.
    public let counted: (one: String, many: String)
    /// The detail pane's note. `%p` is the parent span ID, `%d` the copies dropped.
    public let long: String
    /// Its key in `summary --json`.
    public let jsonKey: String

    /// Every flag, in the order they are shown.
    public static let table: [SpanFlagText] = [
        SpanFlagText(flag: .orphan, short: "no parent", counted: ("without parent", "without parent"),
                     long: "parent %p is not in the input (orphan)", jsonKey: "withoutParent"),
        SpanFlagText(flag: .cycle, short: "parent cycle", counted: ("in a parent cycle", "in parent cycles"),
                     long: "its parent chain loops back to it; shown as a top-level span", jsonKey: "inParentCycle"),
        SpanFlagText(flag: .negativeDuration, short: "ends before start", counted: ("ending before start", "ending before start"),
                     long: "ends before it starts (clock problem)", jsonKey: "endingBeforeStart"),
        SpanFlagText(flag: .outsideParent, short: "outside parent", counted: ("outside parent", "outside parent"),
                     long: "starts before or ends after its parent (clock skew, or work that outlived its caller)",
                     jsonKey: "outsideParent"),
        SpanFlagText(flag: .duplicated, short: "×%n copies", counted: ("duplicate dropped", "duplicates dropped"),
                     long: "%d identical copies were dropped", jsonKey: "duplicatesDropped"),
        SpanFlagText(flag: .idCollision, short: "span ID reused", counted: ("with a reused span ID", "with a reused span ID"),
                     long: "another, different span of this trace has the same span ID", jsonKey: "spanIDReused"),
    ]

    public static func entry(_ flag: SpanFlags) -> SpanFlagText? { table.first { $0.flag == flag } }

    /// `n` and the counted form: `2 outside parent`.
    public func count(_ n: Int) -> String { "\(n) " + (n == 1 ? counted.one : counted.many) }

    /// The row tags for `flags` (without brackets), in table order. `copies`: copies of a
    /// duplicated span, the one kept included.
    public static func tags(_ flags: SpanFlags, copies: Int, glyphs: Glyphs = .unicode) -> [String] {
        guard !flags.isEmpty else { return [] }
        return table.filter { flags.contains($0.flag) }
            .map { glyphs.text($0.short.replacingOccurrences("%n", with: String(copies))) }
    }

    /// The detail pane's notes for span `index` of `tree`.
    public static func notes(_ tree: TraceTree, _ index: Int) -> [String] {
        let flags = tree.flags[index]
        guard !flags.isEmpty else { return [] }
        let span = tree.spans[index]
        let dropped = Int(tree.copiesDropped[Int32(index)] ?? 0)
        return table.filter { flags.contains($0.flag) }.map {
            $0.long.replacingOccurrences("%p", with: span.parentSpanID.hex).replacingOccurrences("%d", with: String(dropped))
        }
    }
}

/// How many spans of a trace carry each flag (duplicates: the copies dropped), counted once
/// per tree; read by trace headers and `summary`.
public struct FlagCounts: Hashable, Sendable {
    /// Per `SpanFlagText.table` entry.
    public private(set) var counts: [Int]

    public init(_ tree: TraceTree) {
        var counts = [Int](repeating: 0, count: SpanFlagText.table.count)
        let flags = tree.flags
        for i in flags.indices where !flags[i].isEmpty {
            for (n, entry) in SpanFlagText.table.enumerated() where entry.flag != .duplicated && flags[i].contains(entry.flag) {
                counts[n] += 1
            }
        }
        if let d = SpanFlagText.table.firstIndex(where: { $0.flag == .duplicated }) {
            counts[d] = tree.copiesDropped.values.reduce(0) { $0 + Int($1) }
        }
        self.counts = counts
    }

    public init() { counts = [Int](repeating: 0, count: SpanFlagText.table.count) }

    public subscript(flag: SpanFlags) -> Int {
        SpanFlagText.table.firstIndex { $0.flag == flag }.map { counts[$0] } ?? 0
    }

    /// The counted texts of the flags that occur: `["1 without parent", "2 outside parent"]`.
    public var texts: [String] {
        zip(SpanFlagText.table, counts).compactMap { entry, n in n > 0 ? entry.count(n) : nil }
    }

    public var isEmpty: Bool { counts.allSatisfy { $0 == 0 } }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        guard contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
