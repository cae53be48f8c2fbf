import SpanAnalysis
import SpanModel
import SpanStore
import Testing

@Suite("statistics")
struct StatisticsTests {
    /// frontend GET /a 0..100 ─┬─ backend query 10..40 (error, db=pg)
    ///                         ├─ backend query 50..60 (db=pg)
    ///                         └─ backend render 70..90 (host from the resource)
    static let spans = [
        span(1, "GET /a", 0, 100, service: "frontend", attributes: [Attribute("http.route", .string("/a"))]),
        span(2, parent: 1, "query", 10, 40, service: "backend", error: true, attributes: [Attribute("db", .string("pg"))]),
        span(3, parent: 1, "query", 50, 60, service: "backend", attributes: [Attribute("db", .string("pg")), Attribute("n", .int(3))]),
        span(4, parent: 1, "render", 70, 90, resource: resource("backend", [Attribute("db", .string("none"))])),
    ]

    static func stats(_ grouping: StatsGrouping) -> TraceStatistics {
        TraceAnalysis(tree(spans)).statistics(by: grouping)
    }

    @Test("by operation: count, errors, totals, min, max, averages, self times")
    func byOperation() throws {
        let s = Self.stats(.operation)
        #expect(s.spanCount == 4)
        #expect(s.errorCount == 1)
        #expect(s.traceTotalNs == 100)
        #expect(s.selfTotalNs == 100)
        // Default order: self time, largest first.
        #expect(s.rows.map { "\($0.service!)/\($0.name!)" } == ["backend/query", "frontend/GET /a", "backend/render"])
        let query = s.rows[0]
        #expect((query.count, query.errors, query.totalNs, query.minNs, query.maxNs, query.avgNs) == (2, 1, 40, 10, 30, 20))
        #expect((query.selfNs, query.selfMinNs, query.selfMaxNs, query.selfAvgNs) == (40, 10, 30, 20))
        #expect(query.selfPercent == 40)
        let root = s.rows[1]
        #expect((root.count, root.totalNs, root.selfNs) == (1, 100, 40))
        #expect(root.selfOfTotalPercent == 40)
        #expect(s.rows.map(\.selfPercent).reduce(0, +) == 100)
    }

    @Test("by service")
    func byService() {
        let s = Self.stats(.service)
        #expect(s.rows.map(\.service) == ["backend", "frontend"])
        #expect(s.rows.allSatisfy { $0.name == nil })
        #expect((s.rows[0].count, s.rows[0].totalNs, s.rows[0].selfNs, s.rows[0].errors) == (3, 60, 60, 1))
        #expect(s.rows[0].selfPercent == 60)
    }

    @Test("by attribute key: the span's value, else its resource's, else a no-value row")
    func byAttribute() {
        let s = Self.stats(.attribute("db")).sorted(by: .name)
        #expect(s.rows.map(\.name) == ["none", "pg", nil])
        #expect(s.rows.allSatisfy { $0.service == nil })
        #expect(s.rows.map(\.count) == [1, 2, 1])
        let n = Self.stats(StatsGrouping("n")).sorted(by: .name)
        #expect(n.rows.map(\.name) == ["3", nil])
        #expect(n.rows.map(\.count) == [1, 3])
        #expect(StatsGrouping("service") == .service && StatsGrouping("operation") == .operation)
        #expect(StatsGrouping("http.route").description == "http.route")
    }

    @Test("by attribute over spans whose details use different symbol tables")
    func symbolTables() {
        // The same symbol numbers mean different texts in the two tables.
        let a = Symbols(), b = Symbols()
        _ = a.id(for: "route"); _ = a.id(for: "/x")
        _ = b.id(for: "route"); _ = b.id(for: "/y")
        var spans = [span(1, "R", 0, 100)]
        for i in 0..<6 {
            var s = span(UInt64(i + 2), parent: 1, "c", Int64(i) * 10, Int64(i) * 10 + 5)
            s.details = SpanDetails(attributes: [Attribute("route", .string(i % 2 == 0 ? "/x" : "/y"))], symbols: i < 3 ? a : b)
            spans.append(s)
        }
        let s = Self.statsOf(spans, .attribute("route")).sorted(by: .name)
        #expect(s.rows.map(\.name) == ["/x", "/y", nil])
        #expect(s.rows.map(\.count) == [3, 3, 1])
    }

    static func statsOf(_ spans: [Span], _ grouping: StatsGrouping) -> TraceStatistics {
        TraceAnalysis(tree(spans)).statistics(by: grouping)
    }

    @Test("sorting by every column, both ways")
    func sorting() {
        let s = Self.stats(.operation)
        #expect(s.sorted(by: .count).rows.first?.name == "query")
        #expect(s.sorted(by: .count, ascending: true).rows.map(\.count) == [1, 1, 2])
        #expect(s.sorted(by: .total).rows.map(\.name) == ["GET /a", "query", "render"])
        #expect(s.sorted(by: .total, ascending: true).rows.map(\.name) == ["render", "query", "GET /a"])
        #expect(s.sorted(by: .name).rows.map(\.name) == ["GET /a", "query", "render"])
        #expect(s.sorted(by: .name, ascending: false).rows.map(\.name) == ["render", "query", "GET /a"])
        #expect(s.sorted(by: .service).rows.map(\.service) == ["backend", "backend", "frontend"])
        #expect(s.sorted(by: .errors).rows.first?.name == "query")
        #expect(s.sorted(by: .max).rows.map(\.maxNs) == [100, 30, 20])
        #expect(s.sorted(by: .min, ascending: true).rows.map(\.minNs) == [10, 20, 100])
        #expect(s.sorted(by: .avg).rows.map(\.avgNs) == [100, 20, 20])
        #expect(s.sorted(by: .selfMax).rows.map(\.selfMaxNs) == [40, 30, 20])
        #expect(s.sorted(by: .selfMin, ascending: true).rows.map(\.selfMinNs) == [10, 20, 40])
        #expect(s.sorted(by: .selfAvg).rows.map(\.selfAvgNs) == [40, 20, 20])
        #expect(s.sorted(by: .selfPercent, ascending: true).rows.map(\.selfPercent) == [20, 40, 40])
        #expect(StatsColumn(rawValue: "self-avg") == .selfAvg)
    }

    @Test("many traces together; unknown times count but add no time")
    func manyTraces() {
        let other = TraceID(high: 9, low: 9)
        let second = [
            Span(traceID: other, spanID: SpanID(1), name: "GET /a", startTime: 1_000, endTime: 1_300,
                 resource: resource("frontend")),
            Span(traceID: other, spanID: SpanID(2), parentSpanID: SpanID(1), name: "query",
                 startTime: Timestamp.unknown, endTime: Timestamp.unknown, resource: resource("backend")),
        ]
        let analyses = [TraceAnalysis(tree(Self.spans)), TraceAnalysis(tree(second))]
        let s = TraceAnalysis.statistics(analyses, by: .operation)
        #expect(s.traceCount == 2 && s.spanCount == 6)
        #expect(s.traceTotalNs == 400)
        let query = s.rows.first { $0.name == "query" }!
        #expect((query.count, query.timedCount, query.totalNs) == (3, 2, 40))
        let root = s.rows.first { $0.name == "GET /a" }!
        #expect((root.count, root.totalNs, root.selfNs, root.minNs, root.maxNs) == (2, 400, 340, 100, 300))
        #expect(root.selfPercent == 85)
    }

    @Test("overlapping children: self times add to less than the trace, percentages follow")
    func overlapping() {
        let t = tree([span(1, "R", 0, 100), span(2, parent: 1, "a", 0, 100), span(3, parent: 1, "b", 0, 100)])
        let s = TraceStatistics(t, selfTimes: SelfTime.compute(t), by: .operation)
        #expect(s.selfTotalNs == 200)
        #expect(s.rows.map(\.selfPercent) == [100, 100, 0])
    }
}

@Suite("attribute lookup")
struct AttributeLookupTests {
    @Test("attributeValue(forKey:) finds symbol, inline and missing keys, decoding one value")
    func lookup() {
        let details = SpanDetails(attributes: [
            Attribute("a", .int(1)), Attribute("b", .stringArray(["x", "y"])), Attribute("c", .string("z")),
        ])
        #expect(details.attributeValue(forKey: "b") == .stringArray(["x", "y"]))
        #expect(details.attributeValue(forKey: "c") == .string("z"))
        #expect(details.attributeValue(forKey: "d") == nil)
        #expect(SpanDetails.empty.attributeValue(forKey: "a") == nil)
        // A full table writes keys in place.
        let full = Symbols(maxCount: 0)
        let inline = SpanDetails(attributes: [Attribute("k", .bool(true)), Attribute("key", .double(2.5))], symbols: full)
        #expect(inline.attributeValue(forKey: "key") == .double(2.5))
        #expect(inline.attributeValue(forKey: "ke") == nil)
        var lookup = AttributeKeyLookup("c")
        for _ in 0..<3 { #expect(details.attributeValue(&lookup) == .string("z")) }
        #expect(inline.attributeValue(&lookup) == nil)
        #expect(AttributeText.text(.double(2)) == "2" && AttributeText.text(.intArray([1, 2])) == "[1, 2]")
    }
}
