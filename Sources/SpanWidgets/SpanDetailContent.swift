import CellGrid
import SpanModel
import SpanStore

/// The tabs of the detail pane.
public enum DetailTab: Int, CaseIterable, Hashable, Sendable {
    case attributes, events, errors, links

    public var title: String {
        switch self {
        case .attributes: "Attributes"
        case .events: "Events"
        case .errors: "Errors"
        case .links: "Links"
        }
    }
}

/// The lines of a pane laid out once: fixed lines and wrapped texts, each wrapped text kept
/// as a `WrappedText` (its line ranges) rather than as strings. `self[n]` makes line `n`
/// when it is drawn, so drawing costs the lines on screen, whatever the size of the values.
///
/// Laying out shares a work `budget` (see `WrappedText`): a wrapped text that is not laid
/// out to its end when the budget runs out shows a last line saying how much is left, and
/// `extend` lays out more (the viewer does when that line comes into view).
public struct DetailLines: Sendable {
    enum Block: Sendable {
        case line(StyledLine)
        /// A wrapped text: its first line after `first`, the others after `next`, in `style`.
        case wrapped(first: [StyledLine.Run], next: [StyledLine.Run], text: WrappedText, style: Style)

        /// Its lines, with the line saying what is left while it is not complete.
        var count: Int {
            switch self {
            case .line: 1
            case .wrapped(_, _, let text, _): text.count + (text.isComplete ? 0 : 1)
            }
        }
    }

    private(set) var blocks: [Block] = []
    /// The first line of each block.
    private var blockStarts: [Int] = []
    /// Number of lines (with the "more" lines of texts not laid out to their end).
    public private(set) var count = 0
    /// Work units left for laying out texts as they are appended.
    public private(set) var budget: Int
    /// Each text appended is laid out at least this far, budget or not (so a short value
    /// after a huge one is shown whole).
    public static let minimumPerText = 1 << 16

    /// Glyphs for the "more bytes" line.
    public var glyphs = Glyphs.unicode

    /// Empty lines; texts appended share `budget` work units (`WrappedText.unlimited`: no limit).
    public init(budget: Int = WrappedText.unlimited, glyphs: Glyphs = .unicode) {
        self.budget = budget
        self.glyphs = glyphs
    }

    /// Adds one line.
    public mutating func append(_ line: StyledLine) {
        push(.line(line))
    }

    /// Adds lines.
    public mutating func append(contentsOf lines: [StyledLine]) {
        for line in lines { push(.line(line)) }
    }

    /// Adds `text` wrapped to `width` cells: its first line drawn after the runs `first`,
    /// every other line after `next` (the prefixes are as wide as the caller wants; the text
    /// is wrapped to `width` whatever they are). With `quoted`, `text` is shown as
    /// `ValueText.quoted(text)` (without making that copy).
    public mutating func appendWrapped(_ text: String, width: Int, quoted: Bool = false, first: [StyledLine.Run] = [],
                                       next: [StyledLine.Run] = [], style: Style = .plain) {
        var wrapped = WrappedText(text, width: max(1, width), quoted: quoted, budget: 0)
        spend(wrapped.extend(budget: max(budget, Self.minimumPerText)))
        push(.wrapped(first: first, next: next, text: wrapped, style: style))
    }

    private mutating func spend(_ work: Int) {
        if budget != WrappedText.unlimited { budget = max(0, budget - work) }
    }

    private mutating func push(_ block: Block) {
        let n = block.count
        guard n > 0 else { return }
        blocks.append(block)
        blockStarts.append(count)
        count += n
    }

    /// Whether every text is laid out to its end.
    public var isComplete: Bool { firstIncompleteLine == nil }

    /// The "more" line of the first text not laid out to its end, if any.
    public var firstIncompleteLine: Int? {
        for (i, block) in blocks.enumerated() {
            if case .wrapped(_, _, let text, _) = block, !text.isComplete { return blockStarts[i] + text.count }
        }
        return nil
    }

    /// Lays out more of the texts not laid out to their end, first to last, for at most
    /// `budget` work units (`WrappedText.unlimited`: all of it). Lines after them move down.
    public mutating func extend(budget: Int = WrappedText.unlimited) {
        var left = budget
        for i in blocks.indices {
            guard case .wrapped(let first, let next, var text, let style) = blocks[i], !text.isComplete else { continue }
            if left <= 0 { break }
            blocks[i] = .line(.blank)   // unshared while it grows
            let work = text.extend(budget: left)
            if left != WrappedText.unlimited { left -= work }
            blocks[i] = .wrapped(first: first, next: next, text: text, style: style)
        }
        var start = 0
        for i in blocks.indices {
            blockStarts[i] = start
            start += blocks[i].count
        }
        count = start
    }

    /// Line `n` (0 ..< count).
    public subscript(n: Int) -> StyledLine {
        // The last block that starts at or before n.
        var lo = 0, hi = blocks.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if blockStarts[mid] <= n { lo = mid } else { hi = mid - 1 }
        }
        switch blocks[lo] {
        case .line(let line):
            return line
        case .wrapped(let first, let next, let text, let style):
            let k = n - blockStarts[lo]
            if k == text.count {
                return StyledLine((k == 0 ? first : next)
                                  + [StyledLine.Run(glyphs.ellipsis + " \(text.remainingBytes) more bytes to lay out (scroll on, or } again)", .muted)])
            }
            return StyledLine((k == 0 ? first : next) + [StyledLine.Run(text[k], style)])
        }
    }

    /// Lines `range`, clipped to the lines there are.
    public func lines(_ range: Range<Int>) -> [StyledLine] {
        range.clamped(to: 0..<count).map { self[$0] }
    }

    /// Every line (for tests and small content).
    public var all: [StyledLine] { lines(0..<count) }
}

/// What the detail pane shows for one span, as styled lines wrapped to a width.
public struct SpanDetailContent {
    public let tree: TraceTree
    public let index: Int
    /// Whether a trace is loaded (for links).
    public let isLoaded: (TraceID) -> Bool

    /// The trace's earliest start, for offsets.
    public let traceStart: Int64
    /// The link Enter follows (Links tab), by position in the span's links.
    public let selectedLink: Int
    public let glyphs: Glyphs
    /// Where the span's time went, when known: its self time (not covered by its children),
    /// the trace's duration (for shares), and the time of the critical path spent in it
    /// while the path is shown.
    public var timing: Timing?

    /// A span's share of the trace's time.
    public struct Timing: Hashable, Sendable {
        public var selfTime: Int64
        public var traceDuration: Int64
        public var onCriticalPath: Int64?

        public init(selfTime: Int64, traceDuration: Int64, onCriticalPath: Int64? = nil) {
            self.selfTime = selfTime
            self.traceDuration = traceDuration
            self.onCriticalPath = onCriticalPath
        }
    }

    public init(tree: TraceTree, index: Int, traceStart: Int64, selectedLink: Int = 0, glyphs: Glyphs = .unicode,
                timing: Timing? = nil, isLoaded: @escaping (TraceID) -> Bool = { _ in false }) {
        self.tree = tree
        self.index = index
        self.traceStart = traceStart
        self.selectedLink = selectedLink
        self.glyphs = glyphs
        self.timing = timing
        self.isLoaded = isLoaded
    }

    /// `part` as a percentage of `whole`, one decimal under 10%.
    static func percent(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "-" }
        let p = Double(part) / Double(whole) * 100
        guard p < 10 else { return "\(Int(p.rounded()))%" }
        let tenths = Int((p * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }

    var span: Span { tree.spans[index] }

    /// Counts shown on the tab titles.
    public func count(_ tab: DetailTab) -> Int {
        switch tab {
        case .attributes: span.details.attributeCount
        case .events: span.details.eventCount
        case .errors: (span.isError ? 1 : 0) + span.events.filter(\.isException).count
        case .links: span.details.linkCount
        }
    }

    /// The tab's lines for a pane `width` cells wide, laid out once (see `DetailLines`), for
    /// at most `budget` work units of long texts (the rest with `DetailLines.extend`).
    public func document(_ tab: DetailTab, width: Int, budget: Int = WrappedText.unlimited) -> DetailLines {
        var out = DetailLines(budget: budget, glyphs: glyphs)
        switch tab {
        case .attributes: attributeLines(width, into: &out)
        case .events: eventLines(width, into: &out)
        case .errors: errorLines(width, into: &out)
        case .links: linkLines(width, into: &out)
        }
        return out
    }

    /// Every line of the tab (`document(_:width:)` as an array).
    public func lines(_ tab: DetailTab, width: Int) -> [StyledLine] {
        document(tab, width: width).all
    }

    // MARK: - Tabs

    func attributeLines(_ width: Int, into out: inout DetailLines) {
        let s = span
        field("name", s.name.isEmpty ? "(no name)" : s.name, width, s.isError ? .error : .bold, into: &out)
        field("kind", s.kind.name, width, into: &out)
        field("span", s.spanID.hex, width, into: &out)
        field("parent", s.parentSpanID.isZero ? "none (root)" : s.parentSpanID.hex + (s.parentIsRemote ? " (remote)" : ""), width, into: &out)
        if s.startTime != Timestamp.unknown {
            let offset = traceStart == Timestamp.unknown ? "" : "+" + glyphs.duration(s.startTime - traceStart) + "  "
            field("start", offset + TimeText.wallClock(s.startTime) + " UTC", width, into: &out)
        } else {
            field("start", "not recorded", width, into: &out)
        }
        field("duration", glyphs.duration(s.duration), width, into: &out)
        if let timing, let duration = s.duration {
            field("self time", glyphs.duration(timing.selfTime) + "  (\(Self.percent(timing.selfTime, of: duration)) of the span, "
                  + "\(Self.percent(timing.selfTime, of: timing.traceDuration)) of the trace)", width, into: &out)
            if let path = timing.onCriticalPath {
                field("critical", path > 0 ? glyphs.duration(path) + " of the critical path (\(Self.percent(path, of: timing.traceDuration)))"
                      : "not on the critical path", width, path > 0 ? Style(.accent, [.bold]) : .muted, into: &out)
            }
        }
        field("status", s.status.code.name + (s.status.description.isEmpty ? "" : ": " + s.status.description), width,
              s.isError ? .error : .plain, into: &out)
        if !s.traceState.isEmpty { field("tracestate", s.traceState, width, into: &out) }
        for note in flagNotes() { field("note", note, width, Style(.warning), into: &out) }
        let dropped = [(s.droppedAttributeCount, "attributes"), (s.droppedEventCount, "events"), (s.droppedLinkCount, "links")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !dropped.isEmpty { field("dropped", dropped.joined(separator: ", "), width, Style(.warning), into: &out) }
        if !s.details.isIntact {
            // Decoders keep packed details intact for any input; should that ever fail, what
            // could be read is shown, and said to be incomplete.
            field("damaged", "not every attribute, event or link of this span could be read back", width,
                  Style(.warning), into: &out)
        }

        out.append(.blank)
        section("Attributes", s.attributes, width, into: &out)
        out.append(.blank)
        section("Resource", s.resource.attributes, width, into: &out)
        out.append(.blank)
        var scope = s.scope.name.isEmpty ? "(none)" : s.scope.name
        if !s.scope.version.isEmpty { scope += " " + s.scope.version }
        out.append(StyledLine("Scope", Style(.accent, [.bold])))
        out.appendWrapped(scope, width: max(1, width - 2), first: [.init("  ")], next: [.init("  ")])
        if !s.scope.attributes.isEmpty { section("Scope attributes", s.scope.attributes, width, into: &out) }
    }

    func eventLines(_ width: Int, into out: inout DetailLines) {
        let events = span.events
        guard !events.isEmpty else { return out.append(StyledLine("No events.", .muted)) }
        for event in events {
            let offset = event.time == Timestamp.unknown || span.startTime == Timestamp.unknown
                ? "?" : "+" + glyphs.duration(event.time - span.startTime)
            out.append(StyledLine([.init(pad(offset, 9), .muted), .init(event.name, event.isException ? .error : .bold)]))
            for attribute in event.attributes {
                keyValue(attribute.key, attribute.value, width, indent: 11, into: &out)
            }
            if event.droppedAttributeCount > 0 {
                out.append(StyledLine("           (\(event.droppedAttributeCount) attributes dropped)", Style(.warning)))
            }
        }
    }

    func errorLines(_ width: Int, into out: inout DetailLines) {
        let s = span
        field("status", s.status.code.name, width, s.isError ? .error : .plain, into: &out)
        if !s.status.description.isEmpty { field("message", s.status.description, width, s.isError ? .error : .plain, into: &out) }
        let exceptions = s.events.filter(\.isException)
        if exceptions.isEmpty {
            if !s.isError { out.append(StyledLine("No error on this span.", .muted)) }
            return
        }
        for event in exceptions {
            out.append(.blank)
            let offset = event.time == Timestamp.unknown || s.startTime == Timestamp.unknown ? "" : "  at +" + glyphs.duration(event.time - s.startTime)
            out.append(StyledLine([.init("Exception", Style(.error, [.bold])), .init(offset, .muted)]))
            let a = event.attributes
            func text(_ key: String) -> String? {
                guard let v = a[key: key] else { return nil }
                if case .string(let s) = v { return s }
                return ValueText.format(v)
            }
            if let type = text("exception.type") { field("type", type, width, .error, into: &out) }
            if let message = text("exception.message") { field("message", message, width, into: &out) }
            if let escaped = a[key: "exception.escaped"] { field("escaped", ValueText.format(escaped), width, into: &out) }
            if let stack = text("exception.stacktrace") {
                out.append(StyledLine("  stack trace", .muted))
                // One wrapped text: each of its lines is a paragraph, tabs as four spaces.
                let expanded = stack.replacingAll(0x09, with: "    ")
                out.appendWrapped(expanded, width: max(1, width - 4), first: [.init("    ")], next: [.init("    ")])
            }
            for attribute in a where !["exception.type", "exception.message", "exception.stacktrace", "exception.escaped"].contains(attribute.key) {
                keyValue(attribute.key, attribute.value, width, indent: 2, into: &out)
            }
        }
    }

    func linkLines(_ width: Int, into out: inout DetailLines) {
        let links = span.links
        guard !links.isEmpty else { return out.append(StyledLine("No links.", .muted)) }
        for (n, link) in links.enumerated() {
            let loaded = isLoaded(link.traceID)
            let selected = n == selectedLink
            out.append(StyledLine([
                .init(selected ? glyphs.after + " " : "  ", Style(.accent, [.bold])),
                .init("\(n + 1). ", selected ? .bold : .muted),
                .init("trace " + link.traceID.hex, Style(loaded ? .accent : .default, loaded ? [.underline] : [])),
            ]))
            let note = !loaded ? "  (not loaded)" : selected ? "  (Enter follows)" : "  (loaded)"
            out.append(StyledLine([.init("     span " + link.spanID.hex), .init(note, selected && loaded ? Style(.accent) : .muted)]))
            if !link.traceState.isEmpty { keyValue("tracestate", link.traceState, width, indent: 5, into: &out) }
            for attribute in link.attributes { keyValue(attribute.key, attribute.value, width, indent: 5, into: &out) }
        }
        if links.count > 1 { out.append(StyledLine(glyphs.text("n and N choose the link Enter follows"), .muted)) }
    }

    // MARK: - Pieces

    func flagNotes() -> [String] { SpanFlagText.notes(tree, index) }

    /// `name` in an 11-cell column, then `value` wrapped beside it.
    func field(_ name: String, _ value: String, _ width: Int, _ style: Style = .plain, into out: inout DetailLines) {
        out.appendWrapped(value, width: max(1, width - 11), first: [.init(pad(name, 11), .muted)],
                          next: [.init(String(repeating: " ", count: 11), .muted)], style: style)
    }

    func section(_ title: String, _ attributes: [Attribute], _ width: Int, into out: inout DetailLines) {
        out.append(StyledLine([.init(title, Style(.accent, [.bold])), .init(attributes.isEmpty ? "  (none)" : "  \(attributes.count)", .muted)]))
        for attribute in attributes { keyValue(attribute.key, attribute.value, width, indent: 2, into: &out) }
    }

    /// `key = value`, the value wrapped under itself; when the key leaves too little room,
    /// `key =` on a line of its own and the value below it.
    func keyValue(_ key: String, _ value: AttributeValue, _ width: Int, indent: Int, into out: inout DetailLines) {
        // A string is quoted as it is wrapped (a 4 MB value is not copied to be quoted first).
        if case .string(let s) = value {
            keyValue(key, s, quoted: true, width, indent: indent, into: &out)
        } else {
            keyValue(key, ValueText.format(value), quoted: false, width, indent: indent, into: &out)
        }
    }

    func keyValue(_ key: String, _ value: String, quoted: Bool = false, _ width: Int, indent: Int, into out: inout DetailLines) {
        let prefix = String(repeating: " ", count: indent)
        let keyText = TerminalText.escaped(key)
        let keyWidth = DisplayWidth.of(keyText)
        if indent + keyWidth + 3 + 12 <= width {
            let valueX = indent + keyWidth + 3
            out.appendWrapped(value, width: max(1, width - valueX), quoted: quoted,
                              first: [.init(prefix), .init(keyText, Style(.accent)), .init(" = ", .muted)],
                              next: [.init(String(repeating: " ", count: valueX))])
            return
        }
        out.append(StyledLine([.init(prefix), .init(keyText, Style(.accent)), .init(" =", .muted)]))
        out.appendWrapped(value, width: max(1, width - indent - 2), quoted: quoted, first: [.init(prefix + "  ")],
                          next: [.init(prefix + "  ")])
    }

    func pad(_ s: String, _ n: Int) -> String {
        let w = DisplayWidth.of(s)
        return w >= n ? s + " " : s + String(repeating: " ", count: n - w)
    }
}
