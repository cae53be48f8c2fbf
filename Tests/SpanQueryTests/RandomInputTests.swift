import Testing
import SpanModel
@testable import SpanQuery

/// Seeded random text from the characters the parsers treat specially: never a crash, an error
/// always inside the text, and whatever parses reads back from its description as itself.
@Suite("Random queries")
struct RandomInputTests {
    static let pieces: [String] = [
        " ", "  ", "(", ")", "=", "==", "!", "!=", "~", "!~", ">", ">=", "<", "<=", "&&", "||", "&", "|",
        "\"", "'", "\\", "and", "or", "not", "AND", "errors", "service", "duration", "500ms", "1.5s", "spans",
        "depth", "trace", "name", "kind", "status", "server", "error", "http.status_code", "db.system", "GET*",
        "4bf9", "cafe", "x", "é", "Ü", "日本", "-3", "2.5", "span_id", "id", "k", "\"a b\"", "*", "\t",
    ]

    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func text() -> String {
            (0..<Int(next() % 9)).map { _ in RandomInputTests.pieces[Int(next() % UInt64(RandomInputTests.pieces.count))] }.joined()
        }
    }

    @Test("filters")
    func filters() throws {
        var g = Generator(state: 12)
        var parsed = 0
        for _ in 0..<20_000 {
            let text = g.text()
            do {
                let f = try TraceFilter(parsing: text)
                parsed += 1
                let again = try TraceFilter(parsing: f.description)
                #expect(again == f, "\(text) -> \(f.description)")
                _ = f.matches(record: record([richSpan, dbSpan]))
            } catch {
                #expect(error.position >= 0 && error.position <= text.count, "\(text): \(error)")
            }
        }
        #expect(parsed > 500)
    }

    @Test("searches and trace IDs")
    func searches() throws {
        var g = Generator(state: 34)
        var parsed = 0
        for _ in 0..<20_000 {
            let text = g.text()
            do {
                let s = try SpanSearch(parsing: text)
                parsed += 1
                #expect(try SpanSearch(parsing: s.description) == s, "\(text) -> \(s.description)")
                _ = s.matches(richSpan)
            } catch {
                #expect(error.position >= 0 && error.position <= text.count, "\(text): \(error)")
            }
            do {
                let id = try TraceIDInput(parsing: text)
                #expect(!id.hex.isEmpty)
            } catch {
                #expect(error.position >= 0 && error.position <= text.count, "\(text): \(error)")
            }
        }
        #expect(parsed > 500)
    }
}
