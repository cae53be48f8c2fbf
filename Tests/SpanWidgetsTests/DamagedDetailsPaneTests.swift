import SpanModel
import SpanStore
import SpanWidgets
import Testing

@Suite("Detail pane on damaged details")
struct DamagedDetailsPaneTests {
    @Test("a span whose packed details cannot all be read shows what could be, and says so")
    func damaged() {
        let whole = SpanDetails(attributes: [Attribute("http.method", .string("GET")), Attribute("n", .int(7))])
        var intact = span(1, "GET /", from: 0, to: 10, service: "api")
        var broken = intact
        intact.details = whole
        broken.details = SpanDetails(bytes: Array(whole.bytes.dropLast(1)))
        func text(_ s: Span) -> String {
            SpanDetailContent(tree: tree([s]), index: 0, traceStart: s.startTime).lines(.attributes, width: 80)
                .map(\.plainText).joined(separator: "\n")
        }
        #expect(!text(intact).contains("damaged"))
        let shown = text(broken)
        #expect(shown.contains("damaged"))
        #expect(shown.contains("http.method"))
    }
}
