import SpanModel
import SpanStore
import Testing

@Suite("TraceSummary figures")
struct TraceSummaryTests {
    /// Arrival order deliberately differs from start order.
    static let spans: [Span] = [
        span(4, parent: 3, "db.query", start: 40, end: 70, service: "payments", error: true),
        span(5, parent: 0x99, "retry-worker", start: 50, end: 120, service: "worker"),
        span(3, parent: 1, "charge", start: 30, end: 90, service: "payments", error: true),
        span(2, parent: 1, "auth", start: 5, end: 25, service: "auth"),
        span(1, "GET /checkout", start: 0, end: 100, service: "frontend"),
        span(6, parent: 1, "no service", start: 7, end: 8),
    ]

    @Test("start, end, duration, counts and names")
    func figures() {
        let summary = TraceSummary(tree(Self.spans))
        #expect(summary.traceID == testTrace)
        #expect(summary.startTime == 0)
        #expect(summary.endTime == 120)
        #expect(summary.duration == 120)
        #expect(summary.spanCount == 6)
        #expect(summary.depth == 3)
        #expect(summary.errorCount == 2)
        #expect(summary.services == ["frontend", "auth", "payments", "worker"])
        #expect(summary.rootNames == ["GET /checkout"])
        #expect(summary.orphanNames == ["retry-worker"])
        #expect(summary.duplicateCount == 0)
        // retry-worker is an orphan (no parent to be outside of); nothing else is off.
        #expect(summary.clockProblemCount == 0)
    }

    @Test("several true roots are listed by start time")
    func severalRoots() {
        let summary = TraceSummary(tree([
            span(1, "second", start: 20, end: 30, service: "b"),
            span(2, "first", start: 10, end: 15, service: "a"),
            span(3, "third", start: 25, end: 26, service: "a"),
        ]))
        #expect(summary.rootNames == ["first", "second", "third"])
        #expect(summary.services == ["a", "b"])
        #expect(summary.depth == 1)
    }

    @Test("untimed spans are ignored for start and end but still counted")
    func partialTimes() {
        let u = Timestamp.unknown
        let summary = TraceSummary(tree([
            span(1, "root", start: 100, end: u),
            span(2, parent: 1, "child", start: u, end: 250),
            span(3, parent: 1, "other", start: 150, end: 200),
        ]))
        #expect(summary.startTime == 100)
        #expect(summary.endTime == 250)
        #expect(summary.duration == 150)
        #expect(summary.spanCount == 3)
        #expect(summary.clockProblemCount == 0)
    }

    @Test("record figures follow every insert")
    func recordFigures() {
        var r = TraceRecord(traceID: testTrace, arrival: 3)
        #expect(r.duration == nil)
        #expect(r.startTime == Timestamp.unknown)
        #expect(r.version == 0)
        r.insert(span(2, parent: 1, start: 50, end: 60, error: true))
        #expect(r.startTime == 50)
        #expect(r.endTime == 60)
        #expect(r.duration == 10)
        #expect(r.errorCount == 1)
        r.insert(span(1, start: 10, end: 55))
        #expect(r.startTime == 10)
        #expect(r.endTime == 60)
        r.insert(span(3, start: Timestamp.unknown, end: 90))
        #expect(r.startTime == 10)
        #expect(r.endTime == 90)
        r.insert(span(3, start: Timestamp.unknown, end: 90))   // duplicate: no change to figures
        #expect(r.spanCount == 3)
        #expect(r.errorCount == 1)
        #expect(r.version == 4)
        #expect(r.arrival == 3)
        #expect(r.index(of: SpanID(2)) == 0)
        #expect(r.index(of: SpanID(1)) == 1)
        #expect(r.index(of: SpanID(3)) == 2)
        #expect(r.index(of: SpanID(4)) == nil)
    }
}

@Suite("TraceRecord head span")
struct TraceRecordHeadTests {
    @Test("the head span is the earliest root, else the earliest span")
    func head() {
        var r = TraceRecord(traceID: testTrace, arrival: 0)
        #expect(r.headSpan == nil)
        r.insert(span(5, parent: 9, "child", start: 20, end: 30))
        #expect(r.rootIndex == nil)
        #expect(r.firstIndex == 0)
        #expect(r.headSpan?.name == "child")
        r.insert(span(6, parent: 9, "earlier child", start: 15, end: 30))
        #expect(r.headSpan?.name == "earlier child")
        r.insert(span(1, "late root", start: 40, end: 50))
        #expect(r.rootIndex == 2)
        #expect(r.headSpan?.name == "late root")
        r.insert(span(2, "early root", start: 10, end: 50))
        #expect(r.headSpan?.name == "early root")
        r.insert(span(3, "untimed root", start: Timestamp.unknown, end: Timestamp.unknown))
        #expect(r.headSpan?.name == "early root")
        #expect(r.firstIndex == 3)
        r.insert(span(2, "early root", start: 10, end: 50))   // a duplicate changes nothing
        #expect(r.rootIndex == 3)
    }

    @Test("an untimed root is the head until a timed root arrives")
    func untimedRoot() {
        var r = TraceRecord(traceID: testTrace, arrival: 0)
        r.insert(span(3, "untimed root", start: Timestamp.unknown, end: Timestamp.unknown))
        #expect(r.headSpan?.name == "untimed root")
        r.insert(span(4, "timed root", start: 100, end: 200))
        #expect(r.headSpan?.name == "timed root")
    }
}

@Suite("TraceStore")
struct TraceStoreTests {
    static let otherTrace = TraceID(high: 0x1111, low: 0x2222)
    static let thirdTrace = TraceID(high: 0x4bf9_2f35_0000_0000, low: 0)

    @Test("spans are grouped by trace in first-seen order")
    func grouping() throws {
        let store = TraceStore([
            span(1, trace: Self.otherTrace),
            span(1, trace: testTrace),
            span(2, parent: 1, trace: Self.otherTrace),
            span(1, trace: Self.thirdTrace),
            span(3, parent: 1, trace: Self.otherTrace),
        ])
        #expect(store.traceCount == 3)
        #expect(store.spanCount == 5)
        #expect(store.traces.map(\.traceID) == [Self.otherTrace, testTrace, Self.thirdTrace])
        #expect(store.traces.map(\.arrival) == [0, 1, 2])
        #expect(store.traces.map(\.spanCount) == [3, 1, 1])
        #expect(store.index(of: testTrace) == 1)
        #expect(store.index(of: TraceID(high: 9, low: 9)) == nil)
        #expect(store[TraceID(high: 9, low: 9)] == nil)
        #expect(try #require(store[Self.otherTrace]).spans.map(\.spanID) == [SpanID(1), SpanID(2), SpanID(3)])
    }

    @Test("the same span ID in different traces is not a collision")
    func sameIDOtherTrace() {
        var store = TraceStore()
        #expect(store.insert(span(1, "x", trace: testTrace)) == .added)
        #expect(store.insert(span(1, "y", trace: Self.otherTrace)) == .added)
        #expect(store.collisionCount == 0)
        #expect(store.duplicateCount == 0)
    }

    @Test("insert(moving:) stores every span and empties the array")
    func insertMoving() {
        var store = TraceStore()
        var spans = [span(1, "a"), span(2, parent: 1, "b"), span(1, "a"), span(3, "c", trace: Self.otherTrace)]
        store.insert(moving: &spans)
        #expect(spans.isEmpty)
        #expect(store.spanCount == 3)
        #expect(store.duplicateCount == 1)
        #expect(store.traces.first?.spans.map(\.name) == ["a", "b"])
    }

    @Test("traces(matching:) finds the traces whose ID starts with a prefix")
    func matching() throws {
        let store = TraceStore([span(1, trace: Self.otherTrace), span(1, trace: testTrace), span(1, trace: Self.thirdTrace)])
        #expect(store.traces(matching: try #require(TraceIDPrefix("4bf9"))) == [1, 2])
        #expect(store.traces(matching: try #require(TraceIDPrefix("4BF9 2F35 77"))) == [1])
        #expect(store.traces(matching: try #require(TraceIDPrefix("0000"))) == [0])
        #expect(store.traces(matching: try #require(TraceIDPrefix(""))) == [0, 1, 2])
        #expect(store.traces(matching: try #require(TraceIDPrefix("f"))) == [])
    }
}

@Suite("TraceIDPrefix")
struct TraceIDPrefixTests {
    static let id = TraceID(hex: "4bf92f3577b34da6a3ce929d0e0e4736")!
    static let hex = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test("decorations are ignored: 0x, dashes, spaces, underscores, surrounding whitespace, case", arguments: [
        ("4bf92f35", 8),
        ("4BF92F35", 8),
        ("0x4bf92f35", 8),
        ("0X4BF92F35", 8),
        ("  0x4bf9 2f35\t", 8),
        ("4bf9-2f35", 8),
        ("4bf9_2f35", 8),
        ("4b f9 2f 35", 8),
        ("4bf92f35-77b34da6-a3ce929d-0e0e4736", 32),
        ("4BF92F3577B34DA6A3CE929D0E0E4736", 32),
    ])
    func decorations(text: String, digits: Int) throws {
        let p = try #require(TraceIDPrefix(text))
        #expect(p.digits == digits)
        #expect(p.text == String(Self.hex.prefix(digits)))
        #expect(p.matches(Self.id))
    }

    @Test("the prefix is left-aligned in 128 bits")
    func bits() throws {
        let p = try #require(TraceIDPrefix("abc"))
        #expect(p.bits == TraceID(high: 0xabc0_0000_0000_0000, low: 0))
        let q = try #require(TraceIDPrefix("0123456789abcdef01"))
        #expect(q.bits == TraceID(high: 0x0123_4567_89ab_cdef, low: 0x0100_0000_0000_0000))
        #expect(q.text == "0123456789abcdef01")
    }

    @Test("invalid text is rejected", arguments: [
        "g", "4bf9g", "0x0x12", "x12", "4b\tf9", "4b.f9", "ü", "+1",
        "4bf92f3577b34da6a3ce929d0e0e47360",      // 33 digits
        "0x" + String(repeating: "a", count: 33),
    ])
    func invalid(text: String) {
        #expect(TraceIDPrefix(text) == nil)
    }

    @Test("empty text (or only decorations) matches every trace", arguments: ["", "   ", "0x", "--", "_"])
    func empty(text: String) throws {
        let p = try #require(TraceIDPrefix(text))
        #expect(p.digits == 0)
        #expect(p.text == "")
        #expect(p.matches(Self.id))
        #expect(p.matches(.zero))
    }

    @Test("matching compares exactly the digits given", arguments: [1, 2, 15, 16, 17, 18, 31, 32])
    func matchAtLength(n: Int) throws {
        let p = try #require(TraceIDPrefix(String(Self.hex.prefix(n))))
        #expect(p.digits == n)
        #expect(p.matches(Self.id))

        // Change digit n (the last given): no match.
        var chars = Array(Self.hex)
        chars[n - 1] = chars[n - 1] == "0" ? "1" : "0"
        let differentAtLast = try #require(TraceID(hex: String(chars)))
        #expect(!p.matches(differentAtLast))

        // Change digit 1: no match.
        chars = Array(Self.hex)
        chars[0] = "5"
        #expect(!p.matches(try #require(TraceID(hex: String(chars)))))

        // Change every digit after n: still a match.
        if n < 32 {
            chars = Array(Self.hex)
            for i in n..<32 { chars[i] = chars[i] == "f" ? "0" : "f" }
            #expect(p.matches(try #require(TraceID(hex: String(chars)))))
        }
    }

    @Test("all-f and all-0 IDs at every length")
    func extremes() throws {
        let ones = TraceID(high: .max, low: .max)
        for n in 1...32 {
            let f = try #require(TraceIDPrefix(String(repeating: "f", count: n)))
            let z = try #require(TraceIDPrefix(String(repeating: "0", count: n)))
            #expect(f.matches(ones), "\(n)")
            #expect(!f.matches(.zero), "\(n)")
            #expect(z.matches(.zero), "\(n)")
            #expect(!z.matches(ones), "\(n)")
        }
    }
}

@Suite("SpanIDIndex")
struct SpanIDIndexTests {
    @Test("an empty index finds nothing")
    func empty() {
        let index = SpanIDIndex()
        #expect(index.count == 0)
        #expect(index[SpanID(1)] == nil)
        #expect(index[.zero] == nil)
    }

    @Test("many random IDs are all found with their values; others are not", arguments: [UInt64(1), 2, 3])
    func random(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var ids: [UInt64] = []
        var seen = Set<UInt64>()
        while ids.count < 20_000 {
            let v = rng.next()
            if v != 0 && seen.insert(v).inserted { ids.append(v) }
        }
        var index = SpanIDIndex()
        for (i, id) in ids.enumerated() {
            #expect(index.insertIfAbsent(SpanID(id), Int32(i)) == nil)
        }
        #expect(index.count == 20_000)
        var wrong = 0
        for (i, id) in ids.enumerated() where index[SpanID(id)] != Int32(i) { wrong += 1 }
        #expect(wrong == 0)
        var found = 0
        for _ in 0..<5_000 {
            let v = rng.next()
            if !seen.contains(v) && v != 0 && index[SpanID(v)] != nil { found += 1 }
        }
        #expect(found == 0)
    }

    @Test("sequential and high-bit-only IDs, which hash close together")
    func structured() {
        var index = SpanIDIndex()
        let ids = (1...3_000).map { UInt64($0) } + (1...3_000).map { UInt64($0) << 40 } + (1...15).map { UInt64($0) << 60 | 1 }
        for (i, id) in ids.enumerated() { #expect(index.insertIfAbsent(SpanID(id), Int32(i)) == nil) }
        #expect(index.count == ids.count)
        for (i, id) in ids.enumerated() { #expect(index[SpanID(id)] == Int32(i)) }
    }

    @Test("the zero ID is stored like any other")
    func zero() {
        var index = SpanIDIndex()
        #expect(index.insertIfAbsent(.zero, 5) == nil)
        #expect(index[.zero] == 5)
        #expect(index.count == 1)
        #expect(index.insertIfAbsent(.zero, 9) == 5)
        #expect(index[.zero] == 5)
        #expect(index.count == 1)
        #expect(index[SpanID(1)] == nil)
        #expect(index.insertIfAbsent(.zero, 0) == 5)
    }

    @Test("a zero-valued entry at the zero ID is found")
    func zeroValueAtZero() {
        var index = SpanIDIndex()
        #expect(index.insertIfAbsent(.zero, 0) == nil)
        #expect(index[.zero] == 0)
        #expect(index.insertIfAbsent(.zero, 7) == 0)
    }

    @Test("inserting an ID again returns the existing value and changes nothing")
    func duplicate() {
        var index = SpanIDIndex()
        #expect(index.insertIfAbsent(SpanID(0xabc), 1) == nil)
        #expect(index.insertIfAbsent(SpanID(0xdef), 2) == nil)
        #expect(index.insertIfAbsent(SpanID(0xabc), 3) == 1)
        #expect(index[SpanID(0xabc)] == 1)
        #expect(index.count == 2)
        // Through many growths the first value stays.
        for i in 0..<1_000 { _ = index.insertIfAbsent(SpanID(UInt64(i) + 0x10_0000), Int32(i)) }
        #expect(index.insertIfAbsent(SpanID(0xabc), 99) == 1)
        #expect(index[SpanID(0xdef)] == 2)
        #expect(index.count == 1_002)
    }
}

@Suite("Evicting old traces")
struct EvictionTests {
    @Test("whole traces go, oldest first, until the store is under the limit")
    func evict() {
        var store = TraceStore()
        for t in 1...10 {
            for s in 1...10 {
                store.insert(Span(traceID: TraceID(high: 0, low: UInt64(t)), spanID: SpanID(UInt64(s)),
                                  parentSpanID: s == 1 ? .zero : SpanID(1), name: "t\(t)s\(s)",
                                  startTime: Int64(t * 100 + s), endTime: Int64(t * 100 + s + 1)))
            }
        }
        #expect(store.spanCount == 100)
        let gone = store.evictOldest(keepingAtMost: 45)
        #expect(gone.traces == 6 && gone.spans == 60)
        #expect(store.spanCount == 40)
        #expect(store.traces.map(\.traceID.low) == [7, 8, 9, 10])
        // Indices are arrival numbers and do not shift: trace 7 stays 6, the gone ones are gone.
        #expect(store.index(of: TraceID(high: 0, low: 7)) == 6)
        #expect(store.traces.startIndex == 6 && store.contains(6) && !store.contains(5))
        #expect(store.index(of: TraceID(high: 0, low: 3)) == nil)
        store.insert(Span(traceID: TraceID(high: 0, low: 7), spanID: SpanID(99), name: "late", startTime: 1, endTime: 2))
        #expect(store.traces[6].spanCount == 11)
        // A trace seen again after its eviction comes back as a new one, with a new index.
        store.insert(Span(traceID: TraceID(high: 0, low: 3), spanID: SpanID(1), name: "again", startTime: 1, endTime: 2))
        #expect(store.index(of: TraceID(high: 0, low: 3)) == 10)
        #expect(store.evictOldest(keepingAtMost: 1000).traces == 0)
        // The newest trace always stays, even alone over the limit.
        #expect(store.evictOldest(keepingAtMost: 1).traces == 4)
        #expect(store.traces.map(\.traceID.low) == [3])
    }
}

@Suite("Spans without IDs")
struct EmptyIDTests {
    @Test("spans with empty IDs cannot be told apart, so every one is kept (and flagged)")
    func keepsAll() {
        var store = TraceStore()
        for n in 0..<3 {
            store.insert(Span(traceID: .zero, spanID: .zero, name: "same", startTime: 1, endTime: 2))
            _ = n
        }
        #expect(store.spanCount == 3)
        #expect(store.duplicateCount == 0)
        let tree = TraceTree(store.traces[0])
        #expect(tree.flags.allSatisfy { $0.contains(.idCollision) })
    }
}
