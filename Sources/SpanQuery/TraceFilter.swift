import SpanModel
import SpanStore

/// A filter over whole traces (the trace list, `spanview print --filter`), parsed once.
///
/// Terms are `field op value` (or the flag `errors`), combined with `and`/`&&`, `or`/`||`,
/// `not`/`!` and parentheses; terms side by side mean `and`. `not` binds tightest, then `and`,
/// then `or`. Fields:
///
/// - From the trace's figures (no span is looked at when a `TraceSummary` is given):
///   `service` (any service of the trace), `root` (any root span's name), `duration` (with a
///   unit: `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), `errors` (error spans; alone, "at least one"),
///   `spans`, `depth`, `trace` (a trace ID prefix, in any form `TraceIDInput` takes).
/// - From the spans, true when ANY span of the trace passes: `name` (span name), `kind`,
///   `status`, and any other field is an attribute key: a span attribute or a resource attribute
///   of that span with exactly that key, whose value (any element of a list, any leaf of a map)
///   passes.
///
/// Operators: `=` (equal; `*` matches any run of characters), `!=` (exactly `not =`, so
/// `http.method!=GET` is "no span has http.method = GET"), `~` (contains), `!~` (`not ~`), and
/// `>`, `>=`, `<`, `<=`. Numbers compare as numbers when both sides are numbers (a string
/// attribute holding a number counts); text compares ignoring case (ASCII and Latin-1 letters),
/// by bytes for `<` and `>`. See docs/query-language.md.
public struct TraceFilter: Hashable, Sendable, CustomStringConvertible {
    /// A comparison operator as written.
    public enum Operator: String, Hashable, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case contains = "~", notContains = "!~"
    }

    /// One term as written: a field, and an operator and value unless it is a flag (`errors`).
    public struct Term: Hashable, Sendable {
        public var field: String
        public var op: Operator?
        public var value: String

        public init(field: String, op: Operator? = nil, value: String = "") {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    /// The parsed expression. `and` and `or` hold two or more operands (nested ones are flattened).
    public indirect enum Expression: Hashable, Sendable {
        case term(Term)
        case not(Expression)
        case and([Expression])
        case or([Expression])
    }

    public let expression: Expression
    let node: Node
    let engine: Engine
    private let shared = SharedMemo()

    /// Parses a filter; throws with the position of the first thing that is wrong.
    public init(parsing text: String) throws(QueryParseError) {
        var parser = try FilterParser(text)
        let expression = try parser.parse()
        try self.init(expression, input: text, positions: parser.positions)
    }

    /// A filter of an expression built in code. Throws for a value its field cannot take.
    public init(_ expression: Expression) throws(QueryParseError) {
        try self.init(expression, input: "", positions: [:])
    }

    private init(_ expression: Expression, input: String, positions: [Term: Int]) throws(QueryParseError) {
        self.expression = expression
        var engine = Engine()
        node = try Node.compile(expression, &engine) { term, message in
            QueryParseError(message, at: positions[term] ?? 0, in: input)
        }
        self.engine = engine
    }

    public static func == (a: TraceFilter, b: TraceFilter) -> Bool { a.expression == b.expression }
    public func hash(into hasher: inout Hasher) { hasher.combine(expression) }

    /// The filter written back: parsing it gives an equal filter (for the status line).
    public var description: String { Self.text(expression, inAnd: false) }

    static let special: Set<Character> = ["(", ")", "=", "!", "<", ">", "~", "&", "|"]

    private static func text(_ e: Expression, inAnd: Bool) -> String {
        switch e {
        case .term(let t):
            let field = quotedIfNeeded(t.field, special: special)
            guard let op = t.op else { return field }
            return field + op.rawValue + quotedIfNeeded(t.value, special: special)
        case .not(let inner):
            if case .term = inner { return "not " + text(inner, inAnd: true) }
            if case .not = inner { return "not " + text(inner, inAnd: true) }
            return "not (" + text(inner, inAnd: false) + ")"
        case .and(let items):
            return items.map { text($0, inAnd: true) }.joined(separator: " and ")
        case .or(let items):
            let joined = items.map { text($0, inAnd: false) }.joined(separator: " or ")
            return inAnd ? "(" + joined + ")" : joined
        }
    }

    /// Whether testing a trace looks at its spans (`name`, `kind`, `status`, attributes); if
    /// not, a `TraceSummary` answers everything.
    public var looksAtSpans: Bool { node.looksAtSpans }

    // MARK: - Testing traces

    /// Tests a trace by its summary, looking at the record's spans only for span terms.
    public func matches(summary: TraceSummary, record: TraceRecord) -> Bool {
        shared.memo.withLock { memo in
            var subject = Subject(spans: record.spans, traceID: record.traceID, summary: summary, record: record, tree: nil)
            return node.test(&subject, engine, &memo)
        }
    }

    /// Tests a trace by its summary, looking at the tree's spans only for span terms.
    public func matches(summary: TraceSummary, tree: TraceTree) -> Bool {
        shared.memo.withLock { memo in
            var subject = Subject(spans: tree.spans, traceID: tree.traceID, summary: summary, record: nil, tree: tree)
            return node.test(&subject, engine, &memo)
        }
    }

    /// Tests a trace without a summary: its figures come from the record (`depth` alone builds
    /// the tree, only when it is asked).
    public func matches(record: TraceRecord) -> Bool {
        shared.memo.withLock { memo in matches(record: record, &memo) }
    }

    /// Tests a trace by its tree.
    public func matches(tree: TraceTree) -> Bool {
        shared.memo.withLock { memo in
            var subject = Subject(spans: tree.spans, traceID: tree.traceID, summary: nil, record: nil, tree: tree)
            return node.test(&subject, engine, &memo)
        }
    }

    func matches(record: TraceRecord, _ memo: inout Memo) -> Bool {
        var subject = Subject(spans: record.spans, traceID: record.traceID, summary: nil, record: record, tree: nil)
        return node.test(&subject, engine, &memo)
    }

    /// The indices of the stored traces that match, in index order.
    public func traces(in store: TraceStore) -> [Int] {
        var memo = Memo()
        return store.traces.indices.filter { matches(record: store.traces[$0], &memo) }
    }

    /// The indices of `summaries` that match, `records[i]` being the trace of `summaries[i]`
    /// (span terms look at its spans).
    public func matching(_ summaries: [TraceSummary], records: (Int) -> TraceRecord) -> [Int] {
        var memo = Memo()
        return summaries.indices.filter { i in
            var subject: Subject
            if looksAtSpans {
                let record = records(i)
                subject = Subject(spans: record.spans, traceID: record.traceID, summary: summaries[i], record: record, tree: nil)
            } else {
                subject = Subject(spans: [], traceID: summaries[i].traceID, summary: summaries[i], record: nil, tree: nil)
            }
            return node.test(&subject, engine, &memo)
        }
    }
}

// MARK: - Evaluation

/// What a filter is tested against; figures it needs are worked out once.
struct Subject {
    let spans: ContiguousArray<Span>
    let traceID: TraceID
    let summary: TraceSummary?
    let record: TraceRecord?
    let tree: TraceTree?
    private var services: [String]?
    private var roots: [String]?
    private var depthCount: Int?

    init(spans: ContiguousArray<Span>, traceID: TraceID, summary: TraceSummary?, record: TraceRecord?, tree: TraceTree?) {
        self.spans = spans
        self.traceID = traceID
        self.summary = summary
        self.record = record
        self.tree = tree
    }

    var spanCount: Int { summary?.spanCount ?? spans.count }

    var errorCount: Int {
        summary?.errorCount ?? record?.errorCount ?? spans.reduce(0) { $0 + ($1.isError ? 1 : 0) }
    }

    var duration: Int64? {
        if let summary { return summary.duration }
        if let record { return record.duration }
        var start = Timestamp.unknown, end = Timestamp.unknown
        for span in spans {
            if span.startTime != Timestamp.unknown && (start == Timestamp.unknown || span.startTime < start) { start = span.startTime }
            if span.endTime != Timestamp.unknown && (end == Timestamp.unknown || span.endTime > end) { end = span.endTime }
        }
        return start == Timestamp.unknown || end == Timestamp.unknown ? nil : end &- start
    }

    mutating func serviceNames() -> [String] {
        if let summary { return summary.services }
        if let services { return services }
        var seen: [Resource] = []
        var names: [String] = []
        for span in spans where !seen.contains(where: { $0 === span.resource }) {
            seen.append(span.resource)
            if let name = span.resource.serviceName, !names.contains(name) { names.append(name) }
        }
        services = names
        return names
    }

    mutating func rootNames() -> [String] {
        if let summary { return summary.rootNames }
        if let roots { return roots }
        let names = spans.filter(\.isRoot).map(\.name)
        roots = names
        return names
    }

    mutating func depth() -> Int {
        if let summary { return summary.depth }
        if let depthCount { return depthCount }
        let d = tree?.depthCount ?? record.map { TraceTree($0).depthCount } ?? 0
        depthCount = d
        return d
    }
}

/// A test of a whole trace's figures.
enum TraceTest: Sendable {
    case services(ValueTest)
    case roots(ValueTest)
    case duration(CompareOp, Int64)
    case errors(CompareOp, Int64)
    case spans(CompareOp, Int64)
    case depth(CompareOp, Int64)
    case traceID(TraceIDPrefix)

    func holds(_ s: inout Subject) -> Bool {
        func count(_ op: CompareOp, _ value: Int, _ limit: Int64) -> Bool {
            op.holds(Int64(value) < limit ? -1 : (Int64(value) == limit ? 0 : 1))
        }
        switch self {
        case .services(let t): return s.serviceNames().contains { t.text($0) }
        case .roots(let t): return s.rootNames().contains { t.text($0) }
        case .duration(let op, let limit):
            guard let d = s.duration else { return false }
            return op.holds(d < limit ? -1 : (d == limit ? 0 : 1))
        case .errors(let op, let limit): return count(op, s.errorCount, limit)
        case .spans(let op, let limit): return count(op, s.spanCount, limit)
        case .depth(let op, let limit): return count(op, s.depth(), limit)
        case .traceID(let prefix): return prefix.matches(s.traceID)
        }
    }
}

/// A compiled expression. `and` and `or` test their cheap operands (trace figures) first.
indirect enum Node: Sendable {
    case and([Node])
    case or([Node])
    case not(Node)
    case trace(TraceTest)
    case anySpan(SpanPredicate)

    var looksAtSpans: Bool {
        switch self {
        case .and(let items), .or(let items): items.contains(where: \.looksAtSpans)
        case .not(let inner): inner.looksAtSpans
        case .trace: false
        case .anySpan: true
        }
    }

    /// Tests one trace.
    func test(_ s: inout Subject, _ engine: Engine, _ memo: inout Memo) -> Bool {
        memo.begin()
        return holds(&s, engine, &memo)
    }

    func holds(_ s: inout Subject, _ engine: Engine, _ memo: inout Memo) -> Bool {
        switch self {
        case .and(let items):
            for item in items where !item.holds(&s, engine, &memo) { return false }
            return true
        case .or(let items):
            for item in items where item.holds(&s, engine, &memo) { return true }
            return false
        case .not(let inner): return !inner.holds(&s, engine, &memo)
        case .trace(let test): return test.holds(&s)
        case .anySpan(let p):
            return s.spans.withUnsafeBufferPointer { spans in
                guard let base = spans.baseAddress else { return false }
                for i in spans.indices where engine.holds(p, base + i, &memo) { return true }
                return false
            }
        }
    }

    typealias Failure = (TraceFilter.Term, String) -> QueryParseError

    static func compile(_ e: TraceFilter.Expression, _ engine: inout Engine, _ fail: Failure) throws(QueryParseError) -> Node {
        switch e {
        case .not(let inner): return .not(try compile(inner, &engine, fail))
        case .and(let items), .or(let items):
            var nodes: [Node] = []
            for item in items { nodes.append(try compile(item, &engine, fail)) }
            // Figures before spans: the same answer, sooner.
            nodes = nodes.filter { !$0.looksAtSpans } + nodes.filter(\.looksAtSpans)
            if case .and = e { return .and(nodes) }
            return .or(nodes)
        case .term(let term): return try compile(term, &engine, fail)
        }
    }

    static func compile(_ t: TraceFilter.Term, _ engine: inout Engine, _ fail: Failure) throws(QueryParseError) -> Node {
        let field = t.field.lowercased()
        guard let op = t.op else {
            if field == "errors" || field == "error" { return .trace(.errors(.gt, 0)) }
            throw fail(t, "'\(t.field)' needs an operator and a value, as in \(t.field)=value (only errors stands alone)")
        }
        // != and !~ are exactly `not =` and `not ~`.
        if op == .notEqual || op == .notContains {
            var positive = t
            positive.op = op == .notEqual ? .equal : .contains
            return .not(try compile(positive, &engine, fail))
        }
        let compare: CompareOp? = switch op {
        case .equal: .eq
        case .greater: .gt
        case .greaterOrEqual: .ge
        case .less: .lt
        case .lessOrEqual: .le
        default: nil
        }
        func textTest() throws(QueryParseError) -> ValueTest {
            if op == .contains { return .contains(t.value) }
            guard compare == .eq else { throw fail(t, "\(field) takes = != ~ !~") }
            return .compare(.eq, t.value)
        }
        func number() throws(QueryParseError) -> (CompareOp, Int64) {
            guard let compare else { throw fail(t, "\(field) takes = != > >= < <=") }
            guard case .int(let n)? = QueryNumber(t.value), n >= 0 else {
                throw fail(t, "\(field) compares with a whole number, got '\(t.value)'")
            }
            return (compare, n)
        }
        switch field {
        case "service": return .trace(.services(try textTest()))
        case "root": return .trace(.roots(try textTest()))
        case "name": return .anySpan(.name(test: engine.test(try textTest())))
        case "duration":
            guard let compare else { throw fail(t, "duration takes = != > >= < <=") }
            guard let ns = DurationLiteral.nanoseconds(t.value) else {
                throw fail(t, "a duration is a number and a unit (ns, us, µs, ms, s, m, h), such as 500ms, got '\(t.value)'")
            }
            return .trace(.duration(compare, ns))
        case "errors", "error":
            let (c, n) = try number()
            return .trace(.errors(c, n))
        case "spans":
            let (c, n) = try number()
            return .trace(.spans(c, n))
        case "depth":
            let (c, n) = try number()
            return .trace(.depth(c, n))
        case "trace", "trace_id", "traceid":
            guard compare == .eq else { throw fail(t, "\(field) takes = or != (a trace ID prefix)") }
            do {
                return .trace(.traceID(try TraceIDInput(parsing: t.value).prefix))
            } catch {
                throw fail(t, "trace ID: \(error.message)")
            }
        case "kind":
            guard compare == .eq else { throw fail(t, "kind takes = or !=") }
            guard let kind = SpanKind.allCases.first(where: { $0.name == t.value.lowercased() }) else {
                throw fail(t, "kind is one of \(SpanKind.allCases.map(\.name).joined(separator: ", "))")
            }
            return .anySpan(.kind(kind))
        case "status":
            guard compare == .eq else { throw fail(t, "status takes = or !=") }
            switch t.value.lowercased() {
            case "error": return .anySpan(.status(.error))
            case "ok": return .anySpan(.status(.ok))
            case "unset": return .anySpan(.status(.unset))
            default: throw fail(t, "status is error, ok or unset")
            }
        default:
            let test: ValueTest = compare.map { .compare($0, t.value) } ?? .contains(t.value)
            return .anySpan(.attribute(key: engine.key(t.field), test: engine.test(test), resourceSlot: engine.slot()))
        }
    }
}

/// `500ms`, `1.5s`, `250µs`: a number and a unit.
enum DurationLiteral {
    static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    static func nanoseconds(_ text: String) -> Int64? {
        let lower = text.lowercased()
        // Longest unit first, so `ms` is not read as `s`.
        for (unit, scale) in units.sorted(by: { $0.0.count > $1.0.count }) where lower.hasSuffix(unit) {
            let number = lower.dropLast(unit.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                  let value = Double(number), value.isFinite else { return nil }
            let ns = (value * scale).rounded()
            guard ns < 9.2e18 else { return nil }
            return Int64(ns)
        }
        return nil
    }
}
