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

    /// Whether the span at `span` passes `p`. A pointer, so that no span is copied (a copy
    /// retains its seven references, which touches memory all over the heap).
    func holds(_ p: SpanPredicate, _ span: UnsafePointer<Span>, _ memo: inout Memo) -> Bool {
        switch p {
        case .name(let t): return tests[t].text(span.pointee.name)
        case .kind(let k): return span.pointee.kind == k
        case .status(let c): return span.pointee.status.code == c
        case .spanID(let prefix): return prefix.matches(span.pointee.spanID)
        case .service(let t, let slot):
            return memo.resourceAnswer(span.pointee.resource, slot, resourceSlots) { resource in
                resource.serviceName.map { tests[t].text($0) } ?? false
            }
        case .attribute(let k, let t, let slot):
            // The table and the key first: an absent key needs no look at the span's bytes (but
            // no details at all do not change the table, as `SpanDetails.empty`'s is another).
            let table = span.pointee.details.symbolTable
            if (memo.isCurrent(table) || !span.pointee.details.bytes.isEmpty)
                && !memo.keyIsAbsent(table, k, tests: tests.count, keys: keys) {
                let key = memo.key(k, keys)
                let test = tests[t]
                if case .any = test.kind {
                    let found = span.pointee.details.visit(events: false) { item in
                        if case .key(let text, true) = item { return key.matches(text) }
                        return false
                    }
                    if found { return true }
                } else {
                    let found = span.pointee.details.visitValues(forKey: key) { scalar in Self.scalarHolds(scalar, t, test, &memo) }
                    if found { return true }
                }
            }
            return memo.resourceAnswer(span.pointee.resource, slot, resourceSlots) { resource in
                let test = tests[t]
                return resource.attributes.contains { $0.key == keys[k] && test.value($0.value) }
            }
        case .anyText(let t, let spanID, let slot):
            if let spanID, spanID.matches(span.pointee.spanID) { return true }
            let test = tests[t]
            if test.text(span.pointee.name) { return true }
            if !span.pointee.status.description.isEmpty && test.text(span.pointee.status.description) { return true }
            let service = memo.resourceAnswer(span.pointee.resource, slot, resourceSlots) { resource in
                resource.serviceName.map { test.text($0) } ?? false
            }
            if service { return true }
            guard !span.pointee.details.bytes.isEmpty else { return false }
            memo.use(span.pointee.details.symbolTable, tests: tests.count, keys: keys.count)
            return span.pointee.details.visit(events: true) { item in
                switch item {
                case .key(let text, _), .eventName(let text): return Self.textHolds(text, t, test, &memo)
                case .value(_, let scalar, _): return Self.scalarHolds(scalar, t, test, &memo)
                }
            }
        }
    }

    @inline(__always)
    static func textHolds(_ text: PackedText, _ t: Int, _ test: ValueTest, _ memo: inout Memo) -> Bool {
        switch text {
        case .bytes(let b): return test.text(b)
        case .symbol(let id): return memo.symbolAnswer(id, t, test)
        }
    }

    static func scalarHolds(_ scalar: PackedScalar, _ t: Int, _ test: ValueTest, _ memo: inout Memo) -> Bool {
        switch scalar {
        case .text(let text): return textHolds(text, t, test, &memo)
        case .int(let i): return test.int(i)
        case .double(let d): return test.double(d)
        case .bool(let b): return test.bool(b)
        case .empty, .bytes: return test.kind == .any
        case .unknown(_, let json): return textHolds(json, t, test, &memo)
        }
    }
}

/// What an evaluation remembers between spans: per `Symbols` table, the answer of each test for
/// each symbol seen and the keys' numbers; per resource, the answers of the resource questions.
/// Holds the tables and resources it remembers, so their identities stay valid.
struct Memo: Sendable {
    struct Table: Sendable {
        let symbols: Symbols
        var answers: [UInt8]
        var keys: [PackedKey?]
        var keyEpochs: [Int]
    }

    /// The table in use, and its answers: `answers[id * testCount + test]` is 0 when not asked
    /// yet, 1 for no, 2 for yes.
    private var symbols: Symbols?
    private var answers: [UInt8] = []
    private var keys: [PackedKey?] = []
    /// The evaluation in which each key that the table lacked was last looked up again.
    private var keyEpochs: [Int] = []
    private var epoch = 0
    private var testCount = 0
    /// Tables used before (a few: generations change rarely).
    private var stored: [Table] = []
    /// The resources last seen (a trace's spans come from a few processes), each with its answers.
    private var resources: [Resource] = []
    private var resourceAnswers: [[UInt8]] = []
    private var lastResource = -1
    private var nextVictim = 0

    init() {}

    /// Makes `symbols` the table that symbol answers and keys refer to.
    @inline(__always)
    mutating func use(_ symbols: Symbols, tests: Int, keys: Int) {
        if self.symbols !== symbols { switchTable(symbols, tests: tests, keys: keys) }
    }

    @inline(__always)
    func isCurrent(_ table: Symbols) -> Bool { symbols === table }

    /// `use(table)`, then whether no span packed with it can hold key `k` (`PackedKey.absent`).
    @inline(__always)
    mutating func keyIsAbsent(_ table: Symbols, _ k: Int, tests: Int, keys names: [String]) -> Bool {
        use(table, tests: tests, keys: names.count)
        if let absent = keys[k]?.absent, keyEpochs[k] == epoch { return absent }
        return key(k, names).absent
    }

    @inline(never)
    private mutating func switchTable(_ table: Symbols, tests: Int, keys keyCount: Int) {
        if let current = symbols {
            stored.append(Table(symbols: current, answers: answers, keys: keys, keyEpochs: keyEpochs))
            if stored.count > 4 { stored.removeFirst() }
        }
        if let i = stored.firstIndex(where: { $0.symbols === table }) {
            let t = stored.remove(at: i)
            answers = t.answers
            keys = t.keys
            keyEpochs = t.keyEpochs
        } else {
            answers = []
            keys = Array(repeating: nil, count: keyCount)
            keyEpochs = Array(repeating: -1, count: keyCount)
        }
        symbols = table
        testCount = tests
    }

    /// Starts testing one more span or trace: keys a table lacked are looked up again (once
    /// each), as the table may have gained them meanwhile (live input).
    mutating func begin() { epoch &+= 1 }

    mutating func key(_ k: Int, _ names: [String]) -> PackedKey {
        if let key = keys[k] {
            if key.symbol != nil || keyEpochs[k] == epoch { return key }
            keyEpochs[k] = epoch
            if key.tableCount == symbols!.count { return key }
        }
        let key = PackedKey(names[k], in: symbols!)
        keys[k] = key
        keyEpochs[k] = epoch
        return key
    }

    @inline(__always)
    mutating func symbolAnswer(_ id: UInt32, _ t: Int, _ test: ValueTest) -> Bool {
        let i = Int(id) &* testCount &+ t
        if i < answers.count {
            let a = answers[i]
            if a != 0 { return a == 2 }
        }
        return computeAnswer(id, i, test)
    }

    @inline(never)
    private mutating func computeAnswer(_ id: UInt32, _ i: Int, _ test: ValueTest) -> Bool {
        if i >= answers.count {
            let count = max(Int(id) + 1, symbols!.count) * testCount
            answers.append(contentsOf: repeatElement(0, count: max(0, count - answers.count)))
        }
        let answer = symbols!.text(id).map { test.text($0) } ?? false
        answers[i] = answer ? 2 : 1
        return answer
    }

    mutating func resourceAnswer(_ r: Resource, _ slot: Int, _ slots: Int, _ compute: (Resource) -> Bool) -> Bool {
        var index = lastResource
        if index < 0 || resources[index] !== r {
            if let found = resources.firstIndex(where: { $0 === r }) {
                index = found
            } else if resources.count < 16 {
                resources.append(r)
                resourceAnswers.append(Array(repeating: 0, count: slots))
                index = resources.count - 1
            } else {
                index = nextVictim
                nextVictim = (nextVictim + 1) % resources.count
                resources[index] = r
                resourceAnswers[index] = Array(repeating: 0, count: slots)
            }
            lastResource = index
        }
        let a = resourceAnswers[index][slot]
        if a != 0 { return a == 2 }
        let answer = compute(r)
        resourceAnswers[index][slot] = answer ? 2 : 1
        return answer
    }
}

/// A memo shared by the calls that test one span at a time (`SpanSearch.matches(_:)`), behind a
/// lock so that a query value can be used from any thread.
final class SharedMemo: Sendable {
    let memo = Mutex(Memo())
}
