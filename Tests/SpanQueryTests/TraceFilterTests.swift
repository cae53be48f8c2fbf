import Testing
import SpanModel
import SpanStore
@testable import SpanQuery

/// Three traces: a slow failing checkout, a fast ok payment, a deep internal job.
let slowTrace = TraceID(high: 0xaaaa_0000_0000_0001, low: 1)
let fastTrace = TraceID(high: 0xbbbb_0000_0000_0002, low: 2)
let deepTrace = TraceID(high: 0xcccc_0000_0000_0003, low: 3)

let ms: Int64 = 1_000_000

let filterStore: TraceStore = {
    var spans: [Span] = [
        span(1, "GET /checkout", start: 0, end: 900 * ms, kind: .server,
             status: SpanStatus(code: .error, description: "boom"),
             attributes: [Attribute("http.status_code", .int(503)), Attribute("http.method", .string("GET"))], trace: slowTrace),
        span(2, parent: 1, "SELECT carts", start: 1 * ms, end: 800 * ms, kind: .client,
             attributes: [Attribute("db.system", .string("postgresql")), Attribute("db.rows", .string("12"))], trace: slowTrace),
        span(3, parent: 1, "charge", start: 1 * ms, end: 5 * ms, resource: paymentResource,
             status: SpanStatus(code: .error), attributes: [Attribute("retry.count", .double(2.5))], trace: slowTrace),
        span(4, "POST /pay", start: 0, end: 20 * ms, kind: .server, resource: paymentResource, status: SpanStatus(code: .ok),
             attributes: [Attribute("http.status_code", .int(200)), Attribute("http.method", .string("POST")),
                          Attribute("tags", .stringArray(["fast", "card"]))], trace: fastTrace),
    ]
    // A chain of 6 levels.
    spans.append(span(10, "nightly job", start: 0, end: 2_000 * ms, trace: deepTrace))
    for i in 11...15 { spans.append(span(UInt64(i), parent: UInt64(i - 1), "step \(i)", start: 1, end: 2, trace: deepTrace)) }
    return TraceStore(spans)
}()

@Suite("Trace filter")
struct TraceFilterTests {
    /// The traces `text` keeps, as letters (s slow, f fast, d deep), tested every way.
    func kept(_ text: String) throws -> String {
        let f = try filter(text)
        let byStore = f.traces(in: filterStore)
        var names: [String] = []
        for i in filterStore.traces.indices {
            let record = filterStore.traces[i]
            let tree = TraceTree(record)
            let summary = TraceSummary(tree)
            let answers = [f.matches(record: record), f.matches(tree: tree),
                           f.matches(summary: summary, record: record), f.matches(summary: summary, tree: tree)]
            #expect(Set(answers).count == 1, "\(text): ways disagree on trace \(i): \(answers)")
            #expect(answers[0] == byStore.contains(i))
            if answers[0] { names.append([slowTrace: "s", fastTrace: "f", deepTrace: "d"][record.traceID]!) }
        }
        let summaries = filterStore.traces.map { TraceSummary(TraceTree($0)) }
        #expect(f.matching(summaries) { filterStore.traces[$0] } == byStore)
        return names.joined()
    }

    @Test("figures: service, root, duration, errors, spans, depth, trace", arguments: [
        ("service=checkout", "sd"), ("service=payment-api", "sf"), ("service=PAY*", "sf"), ("service~ment", "sf"),
        ("service!=payment-api", "d"), ("service!~check", "f"),
        ("root=GET*", "s"), ("root=*job", "d"), ("root~checkout", "s"), ("root=\"post /pay\"", "f"),
        ("duration>500ms", "sd"), ("duration>=900ms", "sd"), ("duration<900ms", "f"), ("duration<=0.9s", "sf"),
        ("duration=20ms", "f"), ("duration!=20ms", "sd"), ("duration>1.5s", "d"), ("duration<20000us", ""),
        ("duration<20001µs", "f"), ("duration>1m", ""), ("duration<1h", "sfd"), ("duration>899999999ns", "sd"),
        ("errors", "s"), ("error", "s"), ("!errors", "fd"), ("errors>=2", "s"), ("errors>2", ""), ("errors=0", "fd"),
        ("spans>3", "d"), ("spans=1", "f"), ("spans<=3", "sf"),
        ("depth>=5", "d"), ("depth=2", "s"), ("depth<2", "f"),
        ("trace=aaaa", "s"), ("trace_id=0xBBBB", "f"), ("traceid=cccc-0000", "d"), ("trace!=aaaa", "fd"),
    ])
    func figures(text: String, expected: String) throws {
        #expect(try kept(text) == expected, "\(text)")
    }

    @Test("spans: name, kind, status, attributes of any span", arguments: [
        ("name=charge", "s"), ("name~SELECT", "s"), ("name=step*", "d"), ("name!=charge", "fd"),
        ("kind=client", "s"), ("kind=server", "sf"), ("kind!=server", "d"),
        ("status=error", "s"), ("status=ok", "f"), ("status=unset", "sd"),
        ("http.status_code>=500", "s"), ("http.status_code<500", "f"), ("http.status_code=200", "f"),
        ("http.status_code!=200", "sd"), ("http.status_code>abc", ""),
        ("db.system=postgresql", "s"), ("db.system=POSTGRES*", "s"), ("db.system~gres", "s"), ("db.system!~gres", "fd"),
        ("db.rows>9", "s"), ("db.rows=12.0", "s"), ("db.rows>100", ""),   // a string holding a number compares as a number
        ("retry.count>2", "s"), ("retry.count<=2.5", "s"), ("retry.count<2", ""),
        ("tags=card", "f"), ("tags~as", "f"),
        ("http.method>G", "sf"), ("http.method<=GET", "s"), ("http.method<G", ""),   // text: folded, by bytes
        ("deployment.environment=production", "sd"), ("service.name=payment-api", "sf"), ("host.cores>4", "sd"),
    ])
    func spans(text: String, expected: String) throws {
        #expect(try kept(text) == expected, "\(text)")
    }

    @Test("attribute values of every type", arguments: [
        ("retry=true", true), ("retry=false", false), ("retry~ru", true),
        ("http.status_code=504", true), ("http.status_code>504", false), ("http.status_code=5*", true),
        ("sample.ratio<0.3", true), ("sample.ratio=0.25", true), ("sample.ratio>=1", false),
        ("tags=BETA", true), ("tags=gamma", false), ("tags<b", true),
        ("codes>40", true), ("codes>=43", false), ("codes=7", true),
        ("flags=false", true), ("flags=true", false),
        ("weights<2", true), ("weights>1.5", false),
        ("nested=deep*", true), ("nested~value", true), ("mixed=-3", true), ("mixed=first", true), ("mixed<-5", false),
        ("mixed>0", true),   // "first" is not a number: compared as text with "0"
        ("blob~a", false), ("city~ZÜRICH", true), ("city=zürich*", true),
    ])
    func valueTypes(text: String, expected: Bool) throws {
        #expect(try filter(text).matches(record: record([richSpan])) == expected, "\(text)")
    }

    @Test("and, or, not: precedence and parentheses", arguments: [
        ("errors service=payment-api", "s"),
        ("errors and service=payment-api", "s"),
        ("errors && service=payment-api", "s"),
        ("errors or spans>3", "sd"),
        ("errors || spans>3", "sd"),
        ("spans=1 or errors and depth>5", "f"),           // and binds tighter: spans=1 or (errors and depth>5)
        ("(spans=1 or errors) and depth<3", "sf"),
        ("not errors and spans<3", "f"),                  // not binds tightest: (not errors) and spans<3
        ("not (errors and spans<3)", "sfd"),
        ("!(errors || spans=1)", "d"),
        ("not not errors", "s"),
        ("errors or spans=1 or depth>5", "sfd"),
        ("((errors))", "s"),
        ("NOT errors AND duration<1s", "f"),
    ])
    func logic(text: String, expected: String) throws {
        #expect(try kept(text) == expected, "\(text)")
    }

    @Test("parses the expression tree")
    func tree() throws {
        let f = try filter("a=1 b>2 or not c~x && (d!=4 || e<=5) errors")
        typealias T = TraceFilter.Term
        #expect(f.expression == .or([
            .and([.term(T(field: "a", op: .equal, value: "1")), .term(T(field: "b", op: .greater, value: "2"))]),
            .and([.not(.term(T(field: "c", op: .contains, value: "x"))),
                  .or([.term(T(field: "d", op: .notEqual, value: "4")), .term(T(field: "e", op: .lessOrEqual, value: "5"))]),
                  .term(T(field: "errors"))]),
        ]))
        #expect(try filter("x == 1").expression == .term(T(field: "x", op: .equal, value: "1")))
        #expect(try filter("not=1").expression == .term(T(field: "not", op: .equal, value: "1")))
        #expect(try filter(#"name="a b" "odd key"='v'"#).expression == .and([
            .term(T(field: "name", op: .equal, value: "a b")), .term(T(field: "odd key", op: .equal, value: "v"))]))
        #expect(try !filter("errors").looksAtSpans)
        #expect(try filter("errors or x=1").looksAtSpans)
    }

    @Test("parse errors say what and where", arguments: [
        ("", 0, "empty filter"),
        ("duration>", 9, "a value is missing after '>'"),
        ("=5", 0, "a field is missing before '='"),
        ("(errors", 7, "missing ')' for the '(' at column 1"),
        ("errors)", 6, "')' without a '(' before it"),
        ("errors and", 10, "a term is missing at the end"),
        ("or errors", 0, "expected a term before 'or'"),
        ("slow", 0, "'slow' needs an operator and a value"),
        ("duration>500", 9, "a duration is a number and a unit"),
        ("duration>5parsecs", 9, "a duration is a number and a unit"),
        ("duration~5ms", 9, "duration takes = != > >= < <="),
        ("spans>many", 6, "spans compares with a whole number"),
        ("errors>=1.5", 8, "errors compares with a whole number"),
        ("service>a", 8, "service takes = != ~ !~"),
        ("kind=sideways", 5, "kind is one of"),
        ("status=fine", 7, "status is error, ok or unset"),
        ("trace=xyz", 6, "trace ID: 'x' is not a hex digit"),
        (#"name="open"#, 5, "unterminated quote"),
        ("a=1 & b=2", 4, "a lone '&'"),
        ("a=1 | b=2", 4, "a lone '|'"),
        ("() ", 1, "expected a term before ')'"),
    ])
    func errors(text: String, position: Int, message: String) {
        let e = filterError(text)
        #expect(e?.position == position, "\(text): \(String(describing: e))")
        #expect(e?.message.hasPrefix(message) == true, "\(text): \(String(describing: e))")
    }

    @Test("description round-trips")
    func roundTrip() throws {
        for text in ["a=1 b>2 or not c~x && (d!=4 || e<=5) errors", "not (a=1 or b=2)", "!!errors",
                     #"name="a b" "odd key"='v)'"#, "x=\"\"", "((a=1 and b=2) and c=3) or (d=4 or e=5)",
                     "not (not a=1 and b=2)", "duration>=1.5s service=\"a\\\\b\""] {
            let f = try filter(text)
            let again = try filter(f.description)
            #expect(again == f, "\(text) -> \(f.description)")
            #expect(again.description == f.description)
        }
        #expect(try filter("errors  &&service = checkout || !(spans>3)").description == "errors and service=checkout or not spans>3")
        #expect(try filter("a=1 or b=2 c=3").description == "a=1 or b=2 and c=3")
        #expect(try filter("(a=1 or b=2) c=3").description == "(a=1 or b=2) and c=3")
    }
}

@Suite("Packed lookups")
struct PackedLookupTests {
    @Test("a non-inserting symbol lookup leaves the table as it was")
    func existingID() {
        let symbols = Symbols()
        let id = symbols.id(for: "http.method")
        #expect(symbols.existingID(for: "http.method") == id)
        #expect(symbols.existingID(for: "never.seen") == nil)
        #expect(symbols.count == 1)
        #expect(Array(symbols.texts()) == ["http.method"])
        #expect(symbols.texts(from: 5).isEmpty)
    }

    @Test("visitValues finds a key's leaves; visit walks keys, values and events")
    func visiting() {
        let details = richSpan.details
        let key = PackedKey("codes", in: details.symbolTable)
        var ints: [Int64] = []
        details.visitValues(forKey: key) { scalar in
            if case .int(let i) = scalar { ints.append(i) }
            return false
        }
        #expect(ints == [7, 42])
        var topKeys = 0, eventNames = 0, eventValues = 0
        details.visit(events: true) { item in
            switch item {
            case .key(_, let top): if top { topKeys += 1 }
            case .eventName: eventNames += 1
            case .value(_, _, let inEvent): if inEvent { eventValues += 1 }
            }
            return false
        }
        #expect(topKeys == details.attributeCount)
        #expect(eventNames == 1)
        #expect(eventValues == 1)
        // A key the table never had matches nothing.
        let absent = PackedKey("absent.key.\(UInt64.random(in: 0...UInt64.max))", in: details.symbolTable)
        #expect(!details.visitValues(forKey: absent) { _ in true })
    }

    @Test("a key the table gains after a query first looked is found")
    func lateKey() throws {
        let symbols = Symbols()
        let before = span(1, "a", details: SpanDetails(attributes: [Attribute("early", .int(1))], symbols: symbols))
        let f = try filter("late.key=2")
        let s = try search("late.key=2")
        #expect(!f.matches(record: record([before])))
        #expect(!s.matches(before))
        let after = span(2, "b", details: SpanDetails(attributes: [Attribute("late.key", .int(2))], symbols: symbols))
        #expect(f.matches(record: record([after])))
        #expect(s.matches(after))
    }

    @Test("keys stored in place (a full table) are found too")
    func inlineKeys() throws {
        let full = Symbols(maxCount: 0)
        let details = SpanDetails(attributes: [Attribute("k.inline", .string("value here"))], symbols: full)
        let s = span(1, "x", details: details)
        #expect(try search("k.inline=here").matches(s))
        #expect(try search("k.inline").matches(s))
        #expect(try filter("k.inline=\"VALUE HERE\"").matches(record: record([s])))
    }
}
