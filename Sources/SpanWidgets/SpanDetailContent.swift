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

/// What the detail pane shows for one span, as styled lines wrapped to a width.
public struct SpanDetailContent {
    public let tree: TraceTree
    public let index: Int
    /// Whether a trace is loaded (for links).
    public let isLoaded: (TraceID) -> Bool

    /// The trace's earliest start, for offsets.
    public let traceStart: Int64

    public init(tree: TraceTree, index: Int, traceStart: Int64, isLoaded: @escaping (TraceID) -> Bool = { _ in false }) {
        self.tree = tree
        self.index = index
        self.traceStart = traceStart
        self.isLoaded = isLoaded
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

    public func lines(_ tab: DetailTab, width: Int) -> [StyledLine] {
        switch tab {
        case .attributes: attributeLines(width)
        case .events: eventLines(width)
        case .errors: errorLines(width)
        case .links: linkLines(width)
        }
    }

    // MARK: - Tabs

    func attributeLines(_ width: Int) -> [StyledLine] {
        var out: [StyledLine] = []
        let s = span
        out += field("name", s.name.isEmpty ? "(no name)" : s.name, width, s.isError ? .error : .bold)
        out += field("kind", s.kind.name, width)
        out += field("span", s.spanID.hex, width)
        out += field("parent", s.parentSpanID.isZero ? "none (root)" : s.parentSpanID.hex + (s.parentIsRemote ? " (remote)" : ""), width)
        if s.startTime != Timestamp.unknown {
            let offset = traceStart == Timestamp.unknown ? "" : "+" + DurationText.format(s.startTime - traceStart) + "  "
            out += field("start", offset + TimeText.wallClock(s.startTime) + " UTC", width)
        } else {
            out += field("start", "not recorded", width)
        }
        out += field("duration", DurationText.format(s.duration), width)
        out += field("status", s.status.code.name + (s.status.description.isEmpty ? "" : ": " + s.status.description), width,
                     s.isError ? .error : .plain)
        if !s.traceState.isEmpty { out += field("tracestate", s.traceState, width) }
        for note in flagNotes() { out += field("note", note, width, Style(.warning)) }
        let dropped = [(s.droppedAttributeCount, "attributes"), (s.droppedEventCount, "events"), (s.droppedLinkCount, "links")]
            .filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
        if !dropped.isEmpty { out += field("dropped", dropped.joined(separator: ", "), width, Style(.warning)) }

        out.append(.blank)
        out += section("Attributes", s.attributes, width)
        out.append(.blank)
        out += section("Resource", s.resource.attributes, width)
        out.append(.blank)
        var scope = s.scope.name.isEmpty ? "(none)" : s.scope.name
        if !s.scope.version.isEmpty { scope += " " + s.scope.version }
        out.append(StyledLine("Scope", Style(.accent, [.bold])))
        out += TextWrap.lines(scope, width: max(1, width - 2)).map { StyledLine([.init("  "), .init($0)]) }
        if !s.scope.attributes.isEmpty { out += section("Scope attributes", s.scope.attributes, width) }
        return out
    }

    func eventLines(_ width: Int) -> [StyledLine] {
        let events = span.events
        guard !events.isEmpty else { return [StyledLine("No events.", .muted)] }
        var out: [StyledLine] = []
        for event in events {
            let offset = event.time == Timestamp.unknown || span.startTime == Timestamp.unknown
                ? "?" : "+" + DurationText.format(event.time - span.startTime)
            out.append(StyledLine([.init(pad(offset, 9), .muted), .init(event.name, event.isException ? .error : .bold)]))
            for attribute in event.attributes {
                out += keyValue(attribute.key, ValueText.format(attribute.value), width, indent: 11)
            }
            if event.droppedAttributeCount > 0 {
                out.append(StyledLine("           (\(event.droppedAttributeCount) attributes dropped)", Style(.warning)))
            }
        }
        return out
    }

    func errorLines(_ width: Int) -> [StyledLine] {
        let s = span
        var out: [StyledLine] = []
        out += field("status", s.status.code.name, width, s.isError ? .error : .plain)
        if !s.status.description.isEmpty { out += field("message", s.status.description, width, s.isError ? .error : .plain) }
        let exceptions = s.events.filter(\.isException)
        if exceptions.isEmpty {
            if !s.isError { out.append(StyledLine("No error on this span.", .muted)) }
            return out
        }
        for event in exceptions {
            out.append(.blank)
            let offset = event.time == Timestamp.unknown || s.startTime == Timestamp.unknown ? "" : "  at +" + DurationText.format(event.time - s.startTime)
            out.append(StyledLine([.init("Exception", Style(.error, [.bold])), .init(offset, .muted)]))
            let a = event.attributes
            func text(_ key: String) -> String? {
                guard let v = a[key: key] else { return nil }
                if case .string(let s) = v { return s }
                return ValueText.format(v)
            }
            if let type = text("exception.type") { out += field("type", type, width, .error) }
            if let message = text("exception.message") { out += field("message", message, width) }
            if let escaped = a[key: "exception.escaped"] { out += field("escaped", ValueText.format(escaped), width) }
            if let stack = text("exception.stacktrace") {
                out.append(StyledLine("  stack trace", .muted))
                for line in stack.split(separator: "\n", omittingEmptySubsequences: false) {
                    let expanded = String(line).replacingAll("\t", with: "    ")
                    out += TextWrap.lines(expanded, width: max(1, width - 4)).map { StyledLine("    " + $0) }
                }
            }
            for attribute in a where !["exception.type", "exception.message", "exception.stacktrace", "exception.escaped"].contains(attribute.key) {
                out += keyValue(attribute.key, ValueText.format(attribute.value), width, indent: 2)
            }
        }
        return out
    }

    func linkLines(_ width: Int) -> [StyledLine] {
        let links = span.links
        guard !links.isEmpty else { return [StyledLine("No links.", .muted)] }
        var out: [StyledLine] = []
        for (n, link) in links.enumerated() {
            let loaded = isLoaded(link.traceID)
            out.append(StyledLine([
                .init("\(n + 1). ", .muted),
                .init("trace " + link.traceID.hex, Style(loaded ? .accent : .default, loaded ? [.underline] : [])),
            ]))
            out.append(StyledLine([.init("   span " + link.spanID.hex), .init(loaded ? "  (Enter follows)" : "  (not loaded)", .muted)]))
            if !link.traceState.isEmpty { out += keyValue("tracestate", link.traceState, width, indent: 3) }
            for attribute in link.attributes { out += keyValue(attribute.key, ValueText.format(attribute.value), width, indent: 3) }
        }
        return out
    }

    // MARK: - Pieces

    func flagNotes() -> [String] {
        let flags = tree.flags[index]
        var notes: [String] = []
        if flags.contains(.orphan) { notes.append("parent \(span.parentSpanID.hex) is not in the input (orphan)") }
        if flags.contains(.cycle) { notes.append("its parent chain loops back to it; shown as a top-level span") }
        if flags.contains(.negativeDuration) { notes.append("ends before it starts (clock problem)") }
        if flags.contains(.outsideParent) { notes.append("starts before or ends after its parent (clock skew, or work that outlived its caller)") }
        if flags.contains(.duplicated) { notes.append("\(Int(tree.copiesDropped[Int32(index)] ?? 0)) identical copies were dropped") }
        if flags.contains(.idCollision) { notes.append("another, different span of this trace has the same span ID") }
        return notes
    }

    func field(_ name: String, _ value: String, _ width: Int, _ style: Style = .plain) -> [StyledLine] {
        let label = pad(name, 11)
        let wrapped = TextWrap.lines(value, width: max(1, width - 11))
        return wrapped.enumerated().map { i, text in
            StyledLine([.init(i == 0 ? label : String(repeating: " ", count: 11), .muted), .init(text, style)])
        }
    }

    func section(_ title: String, _ attributes: [Attribute], _ width: Int) -> [StyledLine] {
        var out = [StyledLine([.init(title, Style(.accent, [.bold])), .init(attributes.isEmpty ? "  (none)" : "  \(attributes.count)", .muted)])]
        for attribute in attributes { out += keyValue(attribute.key, ValueText.format(attribute.value), width, indent: 2) }
        return out
    }

    func keyValue(_ key: String, _ value: String, _ width: Int, indent: Int) -> [StyledLine] {
        let prefix = String(repeating: " ", count: indent)
        let keyText = TerminalText.escaped(key)
        let keyWidth = DisplayWidth.of(keyText)
        if indent + keyWidth + 3 + 12 <= width {
            // key = value, value wrapped under itself
            let valueX = indent + keyWidth + 3
            let wrapped = TextWrap.lines(value, width: max(1, width - valueX))
            return wrapped.enumerated().map { i, text in
                i == 0
                    ? StyledLine([.init(prefix), .init(keyText, Style(.accent)), .init(" = ", .muted), .init(text)])
                    : StyledLine([.init(String(repeating: " ", count: valueX)), .init(text)])
            }
        }
        var out = [StyledLine([.init(prefix), .init(keyText, Style(.accent)), .init(" =", .muted)])]
        out += TextWrap.lines(value, width: max(1, width - indent - 2)).map { StyledLine(prefix + "  " + $0) }
        return out
    }

    func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
}
