import Foundation
import SpanAnalysis
import SpanModel
import SpanviewApp
import SpanWidgets
import Testing
import TerminalInput

/// A trace's other panels: statistics (`S`), the flame graph (`F`) and the spans table (`t`),
/// driven by keys, read back from the screen.
@Suite("Statistics, flame graph and spans table")
struct PanelTests {
    static func selectedName(_ s: AppSession) -> String? {
        guard let view = s.app.trace, let i = view.selectedSpan else { return nil }
        return view.tree.spans[i].name
    }

    @Test("S shows statistics by operation; o and r sort; b groups by service; B by an attribute; Enter marks a row's spans")
    func statistics() throws {
        var s = try AppSession(["payment-timeout.json"], width: 140, height: 30)
        s.type("S")
        #expect(s.app.trace?.panel == .statistics)
        #expect(s.screen.contains("by operation"))
        // Seven spans, seven operations; every operation's row is there.
        for name in ["POST /api/payments", "SELECT accounts", "score transaction"] { #expect(s.screen.contains(name), "\(name)") }
        #expect(s.statusLine.contains("row 1/7"))
        // Sorted by self time, largest first: the first row is the span with the most self time.
        let view = try #require(s.app.trace)
        let selfTimes = view.analysis.selfTimes
        let most = try #require(view.tree.spans.indices.max { selfTimes[$0] < selfTimes[$1] })
        let firstRow = try #require(s.lines.dropFirst(2).first)
        #expect(firstRow.contains(view.tree.spans[most].name), "\(firstRow)")

        s.type("b")
        #expect(s.screen.contains("by service"))
        #expect(s.statusLine.contains("row 1/2"))
        s.type("B")
        #expect(s.app.prompt?.kind == .groupBy)
        s.type("http.method")
        s.press(.enter)
        #expect(s.screen.contains("by http.method"))
        s.type("b")   // back to operations
        #expect(s.screen.contains("by operation"))

        // Enter on the first row: its spans are marked in the waterfall, the cursor on the first.
        s.press(.enter)
        #expect(s.app.trace?.panel == .waterfall)
        #expect(s.app.trace?.search?.matches == [Int32(most)])
        #expect(Self.selectedName(s) == view.tree.spans[most].name)
        s.press(.escape)
        #expect(s.app.trace?.search == nil)
    }

    @Test("statistics sort by any column both ways")
    func statisticsSort() throws {
        var s = try AppSession(["payment-timeout.json"], width: 140, height: 30)
        s.type("S")
        var seen: [StatsColumn] = [try #require(s.app.trace?.statsState.sortColumn)]
        for _ in 0..<12 {
            s.type("o")
            seen.append(try #require(s.app.trace?.statsState.sortColumn))
        }
        #expect(Set(seen).count >= 10)
        let before = try #require(s.app.trace?.statsState.ascending)
        s.type("r")
        #expect(s.app.trace?.statsState.ascending == !before)
    }

    @Test("F shows the flame graph; j/k/h/l move, Enter zooms, - zooms out, m marks the node's spans")
    func flameGraph() throws {
        var s = try AppSession(["payment-timeout.json"], width: 120, height: 30)
        s.type("F")
        #expect(s.app.trace?.panel == .flameGraph)
        #expect(s.screen.contains("POST /api/payments"))
        func selected() -> String? {
            guard let flame = s.app.trace?.flame else { return nil }
            return flame.graph.nodes[flame.state.selected].name
        }
        #expect(selected() == "POST /api/payments")
        s.type("j")   // the widest child: POST fraud-check (60.5 ms of 73 ms)
        #expect(s.statusLine.contains("POST fraud-check"), "\(s.statusLine)")
        s.type("l")
        #expect(!s.statusLine.contains("POST fraud-check"))
        s.type("h")
        #expect(s.statusLine.contains("POST fraud-check"))
        s.press(.enter)
        #expect(s.app.trace?.flame?.state.zoom == s.app.trace?.flame?.state.selected)
        s.type("-")
        #expect(s.app.trace?.flame?.state.zoom != s.app.trace?.flame?.state.selected)
        s.type("m")
        #expect(s.app.trace?.panel == .waterfall)
        #expect(Self.selectedName(s) == "POST fraud-check")
        #expect(s.app.trace?.search?.matches.count == 1)
        s.type("F")
        #expect(selected() == "POST fraud-check", "the flame graph keeps its place")
    }

    @Test("t lists every span; o sorts by the next column, r reverses; Enter goes to the span in the waterfall")
    func spansTable() throws {
        var s = try AppSession(["payment-timeout.json"], width: 120, height: 30)
        s.type("t")
        #expect(s.app.trace?.panel == .spans)
        #expect(s.statusLine.contains("span 1/7"))
        let view = try #require(s.app.trace)
        for span in view.tree.spans { #expect(s.screen.contains(span.name)) }
        // Sort by duration (start is first; duration next), longest first.
        s.type("o")
        #expect(s.app.trace?.spansState.sortKey == .duration)
        let longest = try #require(view.tree.spans.max { ($0.duration ?? 0) < ($1.duration ?? 0) })
        s.type("g")
        s.press(.enter)
        #expect(s.app.trace?.panel == .waterfall)
        #expect(Self.selectedName(s) == longest.name)
        s.type("tr")
        let shortest = try #require(view.tree.spans.min { ($0.duration ?? 0) < ($1.duration ?? 0) })
        s.type("g")
        s.press(.enter)
        #expect(Self.selectedName(s) == shortest.name)
    }

    @Test("? lists the panels' keys; every panel in ASCII mode is pure ASCII")
    func helpAndASCII() throws {
        var s = try AppSession(["payment-timeout.json"], width: 120, height: 40, glyphs: .ascii)
        for key in ["S", "F", "t"] {
            s.type(key)
            #expect(s.screen.utf8.allSatisfy { $0 < 0x80 }, "\(key): \(s.screen)")
            s.press(.escape)
        }
        s.type("?")
        var text = s.screen
        for _ in 0..<20 { s.press(.pageDown); text += s.screen }
        for title in ["Statistics (S on a trace)", "Flame graph (F on a trace)", "Spans table (t on a trace)"] {
            #expect(text.contains(title), "\(title)")
        }
    }
}
