import SpanModel
import SpanStore

/// A search for spans inside one trace (`/` in a trace), parsed once and tested per span.
///
/// A query is terms separated by spaces; a span matches when every term does:
///
/// - `word`: the word occurs, ignoring case (ASCII and Latin-1 letters), in the span's name,
///   its service name, its status message, any attribute key or value, any event's name or
///   attribute key or value. A word of 4 to 16 hex digits also matches a span ID starting with it.
/// - `"a phrase"`: the same for text with spaces (`'…'` works too; `\` escapes the next character).
/// - `key=value`: a span attribute or a resource attribute named exactly `key` whose value
///   contains `value`, ignoring case (any element of a list, any leaf of a map; numbers and
///   booleans as their text). `key=` alone: the attribute is there. `value` may be quoted.
/// - `name=…`, `service=…` (contains, ignoring case), `kind=server|client|producer|consumer|internal|unspecified`,
///   `status=error|ok|unset`, `span_id=…` or `id=…` (a span ID hex prefix).
///
/// An empty query matches every span. See docs/query-language.md.
public struct SpanSearch: Hashable, Sendable, CustomStringConvertible {
    /// One term of a search, as written.
    public enum Term: Hashable, Sendable {
        case word(String)
        case phrase(String)
        case attribute(key: String, value: String)
        case name(String)
        case service(String)
        case kind(SpanKind)
        case status(SpanStatus.Code)
        case spanID(String)
    }

    /// The terms, in the order written.
    public let terms: [Term]
    private let engine: Engine
    private let predicates: [SpanPredicate]
    private let shared = SharedMemo()

    /// Parses a search. Throws for an unterminated quote, an empty key (`=x`), an unknown
    /// `kind=` or `status=`, or a `span_id=` that is not 1 to 16 hex digits.
    public init(parsing text: String) throws(QueryParseError) {
        var scanner = Scanner(text)
        var terms: [Term] = []
        while true {
            scanner.skipSpaces()
            guard let c = scanner.peek else { break }
            let start = scanner.at
            if Scanner.isQuote(c) {
                terms.append(.phrase(try scanner.quoted()))
                continue
            }
            var word = ""
            while let c = scanner.peek, !c.isWhitespace, c != "=", !Scanner.isQuote(c) {
                word.append(c)
                scanner.at += 1
            }
            guard scanner.peek == "=" else {
                terms.append(.word(word))   // not empty: the first character was none of those
                continue
            }
            scanner.at += 1
            guard !word.isEmpty else { throw scanner.error("a key is missing before '='", at: start) }
            let valueStart = scanner.at
            var value = ""
            if let q = scanner.peek, Scanner.isQuote(q) {
                value = try scanner.quoted()
            } else {
                while let c = scanner.peek, !c.isWhitespace {
                    value.append(c)
                    scanner.at += 1
                }
            }
            terms.append(try Self.term(key: word, value: value, scanner: scanner, at: valueStart))
        }
        self.init(terms: terms)
    }

    /// The pseudo-keys and attribute terms.
    private static func term(key: String, value: String, scanner: Scanner, at position: Int) throws(QueryParseError) -> Term {
        switch key.lowercased() {
        case "name": return .name(value)
        case "service": return .service(value)
        case "kind":
            guard let kind = SpanKind.allCases.first(where: { $0.name == value.lowercased() }) else {
                throw scanner.error("kind is one of \(SpanKind.allCases.map(\.name).joined(separator: ", "))", at: position)
            }
            return .kind(kind)
        case "status":
            switch value.lowercased() {
            case "error": return .status(.error)
            case "ok": return .status(.ok)
            case "unset": return .status(.unset)
            default: throw scanner.error("status is error, ok or unset", at: position)
            }
        case "span_id", "spanid", "id":
            let hex = value.lowercased()
            guard SpanIDPrefix(hex) != nil else { throw scanner.error("a span ID prefix is 1 to 16 hex digits", at: position) }
            return .spanID(hex)
        default:
            return .attribute(key: key, value: value)
        }
    }

    /// A search of these terms.
    public init(terms: [Term]) {
        self.terms = terms
        var engine = Engine()
        predicates = terms.map { term in
            switch term {
            case .word(let w):
                let hex = w.utf8.count >= 4 ? SpanIDPrefix(w.lowercased()) : nil
                return .anyText(test: engine.test(.contains(w)), spanID: hex, resourceSlot: engine.slot())
            case .phrase(let p):
                return .anyText(test: engine.test(.contains(p)), spanID: nil, resourceSlot: engine.slot())
            case .attribute(let key, let value):
                let test = value.isEmpty ? ValueTest(kind: .any) : .contains(value)
                return .attribute(key: engine.key(key), test: engine.test(test), resourceSlot: engine.slot())
            case .name(let n): return .name(test: engine.test(.contains(n)))
            case .service(let s): return .service(test: engine.test(.contains(s)), resourceSlot: engine.slot())
            case .kind(let k): return .kind(k)
            case .status(let c): return .status(c)
            case .spanID(let hex): return .spanID(SpanIDPrefix(hex) ?? SpanIDPrefix("0")!)
            }
        }
        self.engine = engine
    }

    /// No terms: every span matches.
    public var isEmpty: Bool { terms.isEmpty }

    /// The search written back: parsing it gives an equal search (for the status line).
    public var description: String {
        let special: Set<Character> = ["="]
        return terms.map { term in
            switch term {
            case .word(let w): return w
            case .phrase(let p): return quoted(p)
            case .attribute(let k, let v): return k + "=" + (v.isEmpty ? "" : quotedIfNeeded(v, special: special))
            case .name(let n): return "name=" + quotedIfNeeded(n, special: special)
            case .service(let s): return "service=" + quotedIfNeeded(s, special: special)
            case .kind(let k): return "kind=" + k.name
            case .status(let c): return "status=" + c.name.lowercased()
            case .spanID(let hex): return "span_id=" + hex
            }
        }.joined(separator: " ")
    }

    public static func == (a: SpanSearch, b: SpanSearch) -> Bool { a.terms == b.terms }
    public func hash(into hasher: inout Hasher) { hasher.combine(terms) }

    /// Whether `span` matches every term. Safe from any thread (what it learns about repeated
    /// texts is kept behind a lock); to test many spans, `matches(in:)` is faster.
    public func matches(_ span: Span) -> Bool {
        shared.memo.withLock { memo in matches(span, &memo) }
    }

    func matches(_ span: Span, _ memo: inout Memo) -> Bool {
        memo.begin()
        return withUnsafePointer(to: span) { matchesSpan($0, &memo) }
    }

    /// Within one evaluation (`memo.begin()` called before).
    @inline(__always)
    func matchesSpan(_ span: UnsafePointer<Span>, _ memo: inout Memo) -> Bool {
        for p in predicates where !engine.holds(p, span, &memo) { return false }
        return true
    }

    /// The matching spans of `tree`, as indices into `tree.spans`, in tree order (depth first,
    /// children by start time: the order the waterfall shows them).
    public func matches(in tree: TraceTree) -> [Int32] {
        let mask = matchMask(tree.spans)
        return Self.treeOrder(tree).filter { mask[Int($0)] }
    }

    /// Whether each span matches, in storage order (memory order: no span is copied).
    func matchMask(_ spans: ContiguousArray<Span>) -> [Bool] {
        var memo = Memo()
        memo.begin()
        return spans.withUnsafeBufferPointer { buffer in
            [Bool](unsafeUninitializedCapacity: buffer.count) { out, count in
                count = 0
                guard let base = buffer.baseAddress else { return }
                for i in buffer.indices { out.initializeElement(at: i, to: matchesSpan(base + i, &memo)) }
                count = buffer.count
            }
        }
    }

    /// Which spans to show when only matches are shown: the matches and their ancestors, indexed
    /// like `tree.spans`.
    public func matchesWithAncestors(in tree: TraceTree) -> [Bool] {
        Self.withAncestors(matches(in: tree), in: tree)
    }

    /// `spans` and every ancestor of them, as a mask indexed like `tree.spans`.
    public static func withAncestors(_ spans: [Int32], in tree: TraceTree) -> [Bool] {
        var mask = [Bool](repeating: false, count: tree.count)
        for s in spans {
            var i = Int(s)
            while i >= 0 && !mask[i] {
                mask[i] = true
                i = Int(tree.parent[i])
            }
        }
        return mask
    }

    /// Every span of `tree` in tree order.
    public static func treeOrder(_ tree: TraceTree) -> [Int32] {
        var order: [Int32] = []
        order.reserveCapacity(tree.count)
        let childStart = tree.childStart, children = tree.children
        var stack: [Int32] = tree.roots.reversed()
        while let i = stack.popLast() {
            order.append(i)
            var c = Int(childStart[Int(i) + 1]) - 1
            let first = Int(childStart[Int(i)])
            while c >= first {
                stack.append(children[c])
                c -= 1
            }
        }
        return order
    }
}
