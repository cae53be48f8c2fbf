import Synchronization
import SpanModel

/// How a value is compared with a query's literal.
enum CompareOp: String, Hashable, Sendable {
    case eq = "=", gt = ">", ge = ">=", lt = "<", le = "<="

    func holds(_ order: Int) -> Bool {
        switch self {
        case .eq: order == 0
        case .gt: order > 0
        case .ge: order >= 0
        case .lt: order < 0
        case .le: order <= 0
        }
    }
}

/// A test of one text or attribute value, prepared once: needles folded, numbers parsed.
struct ValueTest: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// The value's text contains the folded needle.
        case contains([UInt8])
        /// Numbers compare as numbers when both sides are numbers; otherwise `=` compares folded
        /// text (with `*` matching any run of characters) and the others folded text in byte order.
        case compare(CompareOp, text: [UInt8], glob: [[UInt8]]?, number: QueryNumber?)
        /// Any value at all (the key is there).
        case any
    }

    let kind: Kind

    static func contains(_ text: String) -> ValueTest { ValueTest(kind: .contains(Fold.folded(text))) }

    static func compare(_ op: CompareOp, _ literal: String) -> ValueTest {
        let folded = Fold.folded(literal)
        let glob: [[UInt8]]? = op == .eq && folded.contains(UInt8(ascii: "*"))
            ? folded.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init) : nil
        return ValueTest(kind: .compare(op, text: folded, glob: glob, number: QueryNumber(literal)))
    }

    func text(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch kind {
        case .any: return true
        case .contains(let needle): return Fold.contains(bytes, needle)
        case .compare(let op, let text, let glob, let number):
            if let number, let value = QueryNumber(bytes) { return op.holds(value.compare(number)) }
            if op == .eq { return glob.map { Fold.glob(bytes, $0) } ?? Fold.equals(bytes, text) }
            return op.holds(Fold.compare(bytes, text))
        }
    }

    func text(_ string: String) -> Bool { Fold.withUTF8(string) { text($0) } }

    func int(_ value: Int64) -> Bool {
        if case .compare(let op, _, _, let number?) = kind { return op.holds(QueryNumber.int(value).compare(number)) }
        return Fold.withDecimal(value) { text($0) }
    }

    func double(_ value: Double) -> Bool {
        if case .compare(let op, _, _, let number?) = kind { return op.holds(QueryNumber.double(value).compare(number)) }
        return text("\(value)")
    }

    func bool(_ value: Bool) -> Bool {
        (value ? Fold.trueText : Fold.falseText).withUnsafeBufferPointer { text($0) }
    }

    /// Any leaf of a model value (resource attributes).
    func value(_ value: AttributeValue) -> Bool {
        switch value {
        case .string(let s): return text(s)
        case .bool(let b): return bool(b)
        case .int(let i): return int(i)
        case .double(let d): return double(d)
        case .stringArray(let a): return a.contains { text($0) }
        case .boolArray(let a): return a.contains { bool($0) }
        case .intArray(let a): return a.contains { int($0) }
        case .doubleArray(let a): return a.contains { double($0) }
        case .array(let a): return a.contains { self.value($0) }
        case .map(let m): return m.contains { self.value($0.value) }
        case .bytes: return kind == .any
        case .empty: return kind == .any
        case .unknown(_, let json): return text(json)
        }
    }
}

/// One question asked of one span.
enum SpanPredicate: Hashable, Sendable {
    /// Any text of the span (name, service, status message, attribute and event keys and values,
    /// event names), or, with `spanID`, a span ID prefix.
    case anyText(test: Int, spanID: SpanIDPrefix?, resourceSlot: Int)
    /// A span or resource attribute named `keys[key]` with a value passing `tests[test]`.
    case attribute(key: Int, test: Int, resourceSlot: Int)
    case name(test: Int)
    case service(test: Int, resourceSlot: Int)
    case kind(SpanKind)
    case status(SpanStatus.Code)
    case spanID(SpanIDPrefix)
}

/// A hex prefix of a span ID.
struct SpanIDPrefix: Hashable, Sendable {
    let value: UInt64
    let digits: Int

    /// 1 to 16 hex digits.
    init?(_ text: String) {
        guard (1...16).contains(text.utf8.count), let id = SpanID(hex: text) else { return nil }
        value = id.value
        digits = text.utf8.count
    }

    func matches(_ id: SpanID) -> Bool {
        digits == 16 ? id.value == value : id.value >> UInt64(64 - 4 * digits) == value
    }
}

/// The compiled pieces a query's span predicates refer to by number.
struct Engine: Hashable, Sendable {
    var tests: [ValueTest] = []
    var keys: [String] = []
    var resourceSlots = 0

    mutating func test(_ t: ValueTest) -> Int {
        if let i = tests.firstIndex(of: t) { return i }
        tests.append(t)
        return tests.count - 1
    }

    mutating func key(_ k: String) -> Int {
        if let i = keys.firstIndex(of: k) { return i }
        keys.append(k)
        return keys.count - 1
    }

    mutating func slot() -> Int {
        resourceSlots += 1
        return resourceSlots - 1
    }

    // MARK: - Evaluation

    func holds(_ p: SpanPredicate, _ span: Span, _ memo: inout Memo) -> Bool {
        switch p {
        case .name(let t): return tests[t].text(span.name)
        case .kind(let k): return span.kind == k
        case .status(let c): return span.status.code == c
        case .spanID(let prefix): return prefix.matches(span.spanID)
        case .service(let t, let slot):
            return memo.resourceAnswer(span.resource, slot, resourceSlots) { resource in
                resource.serviceName.map { tests[t].text($0) } ?? false
            }
        case .attribute(let k, let t, let slot):
            let test = tests[t]
            let details = span.details
            if details.attributeCount > 0 {
                memo.use(details.symbolTable, self)
                let key = memo.key(k, keys)
                if case .any = test.kind {
                    let found = details.visit(events: false) { item in
                        if case .key(let text, true) = item { return key.matches(text) }
                        return false
                    }
                    if found { return true }
                } else {
                    let found = details.visitValues(forKey: key) { scalar in scalarHolds(scalar, t, &memo) }
                    if found { return true }
                }
            }
            return memo.resourceAnswer(span.resource, slot, resourceSlots) { resource in
                resource.attributes.contains { $0.key == keys[k] && test.value($0.value) }
            }
        case .anyText(let t, let spanID, let slot):
            if let spanID, spanID.matches(span.spanID) { return true }
            let test = tests[t]
            if test.text(span.name) { return true }
            if !span.status.description.isEmpty && test.text(span.status.description) { return true }
            let service = memo.resourceAnswer(span.resource, slot, resourceSlots) { resource in
                resource.serviceName.map { test.text($0) } ?? false
            }
            if service { return true }
            let details = span.details
            guard !details.bytes.isEmpty else { return false }
            memo.use(details.symbolTable, self)
            return details.visit(events: true) { item in
                switch item {
                case .key(let text, _), .eventName(let text): return textHolds(text, t, &memo)
                case .value(_, let scalar, _): return scalarHolds(scalar, t, &memo)
                }
            }
        }
    }

    @inline(__always)
    func textHolds(_ text: PackedText, _ t: Int, _ memo: inout Memo) -> Bool {
        switch text {
        case .bytes(let b): return tests[t].text(b)
        case .symbol(let id): return memo.symbolAnswer(id, t, tests[t])
        }
    }

    func scalarHolds(_ scalar: PackedScalar, _ t: Int, _ memo: inout Memo) -> Bool {
        let test = tests[t]
        switch scalar {
        case .text(let text): return textHolds(text, t, &memo)
        case .int(let i): return test.int(i)
        case .double(let d): return test.double(d)
        case .bool(let b): return test.bool(b)
        case .empty, .bytes: return test.kind == .any
        case .unknown(_, let json): return textHolds(json, t, &memo)
        }
    }
}

/// What an evaluation remembers between spans: per `Symbols` table, the answer of each test for
/// each symbol seen and the keys' numbers; per resource, the answers of the resource questions.
/// Holds the tables and resources it remembers, so their identities stay valid.
struct Memo: Sendable {
    struct Table: Sendable {
        let symbols: Symbols
        /// Per test, per symbol number: 0 not asked yet, 1 no, 2 yes.
        var answers: [[UInt8]]
        var keys: [PackedKey?]
    }

    private var tables: [Table] = []
    private var current = -1
    private var resource: Resource?
    private var resourceAnswers: [UInt8] = []

    init() {}

    /// Makes `symbols` the table that symbol answers and keys refer to.
    @inline(__always)
    mutating func use(_ symbols: Symbols, _ engine: Engine) {
        if current >= 0 && tables[current].symbols === symbols { return }
        if let i = tables.firstIndex(where: { $0.symbols === symbols }) {
            current = i
            return
        }
        if tables.count >= 4 { tables.removeFirst() }
        tables.append(Table(symbols: symbols, answers: Array(repeating: [], count: engine.tests.count),
                            keys: Array(repeating: nil, count: engine.keys.count)))
        current = tables.count - 1
    }

    mutating func key(_ k: Int, _ keys: [String]) -> PackedKey {
        if let key = tables[current].keys[k] { return key }
        let key = PackedKey(keys[k], in: tables[current].symbols)
        tables[current].keys[k] = key
        return key
    }

    mutating func symbolAnswer(_ id: UInt32, _ t: Int, _ test: ValueTest) -> Bool {
        let i = Int(id)
        if i < tables[current].answers[t].count {
            let a = tables[current].answers[t][i]
            if a != 0 { return a == 2 }
        } else {
            let count = max(i + 1, tables[current].symbols.count)
            tables[current].answers[t].append(contentsOf: repeatElement(0, count: count - tables[current].answers[t].count))
        }
        let answer = tables[current].symbols.text(id).map { test.text($0) } ?? false
        tables[current].answers[t][i] = answer ? 2 : 1
        return answer
    }

    mutating func resourceAnswer(_ r: Resource, _ slot: Int, _ slots: Int, _ compute: (Resource) -> Bool) -> Bool {
        if resource !== r {
            resource = r
            resourceAnswers = Array(repeating: 0, count: slots)
        }
        let a = resourceAnswers[slot]
        if a != 0 { return a == 2 }
        let answer = compute(r)
        resourceAnswers[slot] = answer ? 2 : 1
        return answer
    }
}

/// A memo shared by the calls that test one span at a time (`SpanSearch.matches(_:)`), behind a
/// lock so that a query value can be used from any thread.
final class SharedMemo: Sendable {
    let memo = Mutex(Memo())
}
