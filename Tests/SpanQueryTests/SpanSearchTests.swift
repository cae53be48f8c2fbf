import Testing
import SpanModel
import SpanStore
@testable import SpanQuery

/// A server span with one attribute of every value type, an event and an error status.
let richSpan = span(
    0xabcd_ef01_2345_6789, "GET /api/orders", kind: .server,
    status: SpanStatus(code: .error, description: "upstream timed out"),
    attributes: [
        Attribute("http.method", .string("GET")),
        Attribute("http.route", .string("/api/orders/{id}")),
        Attribute("http.status_code", .int(504)),
        Attribute("retry", .bool(true)),
        Attribute("sample.ratio", .double(0.25)),
        Attribute("tags", .stringArray(["alpha", "Beta"])),
        Attribute("codes", .intArray([7, 42])),
        Attribute("flags", .boolArray([false])),
        Attribute("weights", .doubleArray([1.5])),
        Attribute("nested", .map([Attribute("inner.key", .string("deep value"))])),
        Attribute("mixed", .array([.string("first"), .int(-3)])),
        Attribute("blob", .bytes([1, 2, 3])),
        Attribute("city", .string("Zürich ÉCOLE")),
        Attribute("empty.list", .stringArray([])),
    ],
    events: [SpanEvent(name: "cache miss", time: 5, attributes: [Attribute("cache.key", .string("user:42"))])])

let dbSymbols = Symbols()
let dbSpan = span(0x1111_2222_3333_4444, parent: 0xabcd_ef01_2345_6789, "SELECT orders", start: 1, end: 8, kind: .client,
                  resource: paymentResource, status: SpanStatus(code: .ok),
                  details: symbolDetails([Attribute("db.system", .string("postgresql")),
                                          Attribute("db.statement", .string("SELECT * FROM orders WHERE id = ?"))],
                                         symbols: dbSymbols))

@Suite("Span search")
struct SpanSearchTests {
    func matches(_ query: String, _ span: Span) throws -> Bool { try search(query).matches(span) }

    @Test("parses words, phrases, key=value and pseudo-keys")
    func parsing() throws {
        let s = try search(#"  GET "cache miss" http.route=/api/orders name=get service="pay api" kind=Server status=ERROR span_id=ABCD id=1 k= "#)
        #expect(s.terms == [
            .word("GET"), .phrase("cache miss"), .attribute(key: "http.route", value: "/api/orders"),
            .name("get"), .service("pay api"), .kind(.server), .status(.error), .spanID("abcd"), .spanID("1"),
            .attribute(key: "k", value: ""),
        ])
        #expect(try search("").isEmpty)
        #expect(try search("a'b c'").terms == [.word("a"), .phrase("b c")])
        #expect(try search(#"x="a \"q\" b""#).terms == [.attribute(key: "x", value: #"a "q" b"#)])
    }

    @Test("parse errors say what and where", arguments: [
        (#"GET "cache"#, 4, "unterminated quote"),
        ("a =x", 2, "a key is missing before '='"),
        ("kind=serverish", 5, "kind is one of"),
        ("status=bad", 7, "status is error, ok or unset"),
        ("span_id=xyz", 8, "a span ID prefix is 1 to 16 hex digits"),
        ("id=11112222333344445", 3, "a span ID prefix is 1 to 16 hex digits"),
        (#"k="open"#, 2, "unterminated quote"),
    ])
    func errors(text: String, position: Int, message: String) {
        let e = searchError(text)
        #expect(e?.position == position, "\(text)")
        #expect(e?.message.hasPrefix(message) == true, "\(String(describing: e))")
        #expect(e?.caretLines == text + "\n" + String(repeating: " ", count: position) + "^")
    }

    @Test("a word matches each field, ignoring case", arguments: [
        "get /API", "orders", "checkout", "timed OUT", "http.method", "status_code", "cache miss", "cache.key",
        "user:42", "{id}", "inner.key", "DEEP", "first", "tags",
    ])
    func wordFields(word: String) throws {
        #expect(try search(quoted(word)).matches(richSpan), "\(word)")
        #expect(try !search(quoted(word)).matches(dbSpan) || ["orders"].contains(word), "\(word)")
    }

    @Test("values of every type match as text")
    func valueTypes() throws {
        for word in ["504", "true", "0.25", "alpha", "beta", "42", "false", "1.5", "-3"] {
            #expect(try matches(word, richSpan), "\(word)")
        }
        #expect(try !matches("nothing-like-it", richSpan))
        // Bytes are not text.
        #expect(try !matches("\u{1}", richSpan))
        // Resource attributes other than the service name are not searched by words.
        #expect(try !matches("production", richSpan))
    }

    @Test("Latin-1 letters fold both ways")
    func latin1() throws {
        #expect(try matches("zürich", richSpan))
        #expect(try matches("ZÜRICH", richSpan))
        #expect(try matches("école", richSpan))
        #expect(try !matches("zurich", richSpan))
        // × (U+00D7) and ÷ (U+00F7) are not letters.
        let times = span(9, "3×4", attributes: [])
        #expect(try matches("3×4", times))
        #expect(try !matches("3÷4", times))
    }

    @Test("terms are AND-ed")
    func and() throws {
        #expect(try matches("GET timed", richSpan))
        #expect(try !matches("GET postgresql", richSpan))
        #expect(try matches("SELECT postgresql", dbSpan))
    }

    @Test("key=value: span and resource attributes, contains, any leaf")
    func keyValue() throws {
        #expect(try matches("http.method=get", richSpan))
        #expect(try matches("http.route=/api/ORDERS", richSpan))
        #expect(try !matches("http.method=post", richSpan))
        #expect(try matches("http.status_code=504", richSpan))
        #expect(try matches("http.status_code=50", richSpan))   // contains, as text
        #expect(try matches("retry=true", richSpan))
        #expect(try matches("sample.ratio=0.25", richSpan))
        #expect(try matches("tags=bet", richSpan))
        #expect(try matches("codes=42", richSpan))
        #expect(try matches("flags=false", richSpan))
        #expect(try matches("weights=1.5", richSpan))
        #expect(try matches("nested=deep", richSpan))
        #expect(try matches("mixed=-3", richSpan))
        #expect(try matches(#"city="zürich école""#, richSpan))
        // Keys are exact.
        #expect(try !matches("HTTP.METHOD=get", richSpan))
        #expect(try !matches("http=get", richSpan))
        // Event attributes are not span attributes.
        #expect(try !matches("cache.key=user", richSpan))
        // Resource attributes.
        #expect(try matches("deployment.environment=prod", richSpan))
        #expect(try matches("host.cores=8", richSpan))
        #expect(try matches("service.name=checkout", richSpan))
        // key= alone: the key is there, whatever its value.
        #expect(try matches("blob=", richSpan))
        #expect(try matches("empty.list=", richSpan))
        #expect(try !matches("absent=", richSpan))
        // Symbol-valued strings (as decoders store repeated values).
        #expect(try matches("db.system=postgres", dbSpan))
        #expect(try matches("db.statement=from orders", dbSpan))
        #expect(try !matches("db.system=mysql", dbSpan))
        #expect(try matches("postgresql", dbSpan))
    }

    @Test("pseudo-keys")
    func pseudoKeys() throws {
        #expect(try matches("name=api/ord", richSpan))
        #expect(try !matches("name=checkout", richSpan))
        #expect(try matches("service=CHECK", richSpan))
        #expect(try matches("service=payment", dbSpan))
        #expect(try matches("kind=server", richSpan))
        #expect(try !matches("kind=client", richSpan))
        #expect(try matches("status=error", richSpan))
        #expect(try matches("status=ok", dbSpan))
        #expect(try !matches("status=unset", dbSpan))
        #expect(try matches("span_id=abcdef", richSpan))
        #expect(try matches("id=ABCDEF0123456789", richSpan))
        #expect(try !matches("id=bcdef", richSpan))
    }

    @Test("a bare hex word of 4+ digits matches a span ID prefix")
    func spanIDWord() throws {
        #expect(try matches("abcd", richSpan))
        #expect(try matches("ABCDEF01", richSpan))
        #expect(try matches("1111", dbSpan))
        #expect(try !matches("111", dbSpan))     // too short to be an ID, and not in any text
        #expect(try !matches("2222", dbSpan))    // not a prefix
    }

    @Test("matches in tree order, and with their ancestors")
    func tree() throws {
        let spans = [
            dbSpan,
            span(0x5, parent: 0xabcd_ef01_2345_6789, "render", start: 9, end: 10),
            richSpan,
            span(0x6, parent: 0x5, "SELECT templates", start: 9, end: 10),
        ]
        let tree = TraceTree(record(spans))
        let s = try search("select")
        let found = s.matches(in: tree)
        #expect(found.map { tree.spans[Int($0)].name } == ["SELECT orders", "SELECT templates"])
        let mask = s.matchesWithAncestors(in: tree)
        #expect(tree.spans.indices.filter { mask[$0] }.map { tree.spans[$0].name }.sorted()
                == ["GET /api/orders", "SELECT orders", "SELECT templates", "render"])
        let none = try search("nothing").matchesWithAncestors(in: tree)
        #expect(!none.contains(true))
        #expect(SpanSearch.treeOrder(tree).map { tree.spans[Int($0)].name }
                == ["GET /api/orders", "SELECT orders", "render", "SELECT templates"])
    }

    @Test("description round-trips")
    func roundTrip() throws {
        for text in [#"GET "cache miss""#, "a=b c= name=x", #"k="two words" service="a\"b""#, "kind=client status=ok span_id=abcd",
                     "'single quoted' x=\\y"] {
            let s = try search(text)
            #expect(try search(s.description) == s, "\(text) -> \(s.description)")
        }
        #expect(try search("  GET   status=Error ").description == "GET status=error")
    }

    @Test("damaged packed bytes end the scan quietly")
    func damaged() throws {
        var bytes = richSpan.details.bytes
        bytes.removeLast(bytes.count / 2)
        let broken = span(1, "broken", details: SpanDetails(bytes: bytes))
        _ = try search("anything").matches(broken)
        _ = try search("http.method=get").matches(broken)
        #expect(try search("http.method=get").matches(broken))   // the first attribute survived
    }
}

@Suite("Fuzz finds in the query languages")
struct QueryFuzzFindTests {
    @Test("a term that starts with a combining mark reads back from its description as it was (fuzz-query)")
    func combiningMarkAfterControl() throws {
        // t(b.o_i, form feed, U+0739 (a combining mark), U+0001, then more: found by fuzz-query.
        let text = "t(b.o_i\u{0C}\u{0739}\u{01}ocde>ode>=>=("
        let search = try SpanSearch(parsing: text)
        #expect(try SpanSearch(parsing: search.description) == search, "\(search.description)")
        // A quote that a combining mark (U+05BD) joins is still a quote, and escaped as one.
        let quotes = "tracd=eeeeeservic\"\"\"'\"\"\"\"\"\u{05BD}\"\"\"\"ceeeehe"
        if let parsed = try? SpanSearch(parsing: quotes) {
            #expect(try SpanSearch(parsing: parsed.description) == parsed, "\(parsed.description)")
        }
        let value = SpanSearch(terms: [.attribute(key: "k", value: "a\"\u{05BD}b")])
        #expect(try SpanSearch(parsing: value.description) == value, "\(value.description)")
        let spaced = try SpanSearch(parsing: "a \u{0301}b")   // a space, then a combining acute
        #expect(spaced.terms.count == 2)
        #expect(try SpanSearch(parsing: spaced.description) == spaced)
    }
}
