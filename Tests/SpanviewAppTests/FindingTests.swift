import Foundation
import SpanIngest
import SpanModel
import SpanQuery
import SpanStore
import SpanviewApp
import SpanWidgets
import Testing
import TerminalInput

/// Finding things in the viewer: span search, its filter, the critical path, the trace
/// filter, sorting both ways and trace IDs as pasted — driven by keys, read back from the screen.
@Suite("Finding in the viewer")
struct FindingTests {
    /// The selected span's name.
    static func selectedName(_ s: AppSession) -> String? {
        guard let view = s.app.trace, let i = view.selectedSpan else { return nil }
        return view.tree.spans[i].name
    }

    @Test("/ in a trace searches its spans: the cursor goes to the first match, n/N move, Esc clears, a second Esc goes back")
    func spanSearch() throws {
        var s = try AppSession(["payment-timeout.json"])
        #expect(s.app.screen == .trace)   // a lone trace opens at once
        s.type("/")
        #expect(s.app.prompt?.kind == .spanSearch)
        s.type("name=check")
        s.press(.enter)
        let view = try #require(s.app.trace)
        // "POST fraud-check" and "POST /v1/check", in display order.
        #expect(view.search?.matches.map { view.tree.spans[Int($0)].name } == ["POST fraud-check", "POST /v1/check"])
        #expect(Self.selectedName(s) == "POST fraud-check")
        #expect(s.app.message?.text.hasPrefix("match 1 of 2") == true)
        #expect(s.statusLine.contains("match 1/2"), "\(s.statusLine)")
        s.type("n")
        #expect(Self.selectedName(s) == "POST /v1/check")
        s.type("n")
        #expect(Self.selectedName(s) == "POST fraud-check", "wraps round")
        s.type("N")
        #expect(Self.selectedName(s) == "POST /v1/check")
        // The matches are underlined in the waterfall.
        let grid = s.grid
        let row = try #require((0..<grid.height).first { grid.line($0).contains("POST fraud-check") })
        let x = try #require(grid.line(row).range(of: "POST fraud-check")).lowerBound.utf16Offset(in: grid.line(row))
        #expect(grid[x, row].style.attributes.contains(.underline))
        s.press(.escape)
        #expect(s.app.trace?.search == nil && s.app.screen == .trace)
        s.press(.escape)
        #expect(s.app.screen == .list)
    }

    @Test("span search by key=value, status, several terms; no match and a bad query are said")
    func searchForms() throws {
        var s = try AppSession(["payment-timeout.json"])
        func search(_ text: String) -> [String] {
            s.type("/")
            s.press(.control("u"))
            s.type(text)
            s.press(.enter)
            guard let view = s.app.trace, let matches = view.search?.matches else { return [] }
            return matches.map { view.tree.spans[Int($0)].name }
        }
        #expect(search("status=error") == ["POST /api/payments", "POST fraud-check"])
        #expect(search("service=fraud-checker score") == ["score transaction"])
        #expect(search("nothing-is-called-this").isEmpty)
        #expect(s.app.message?.isError == true && s.app.message?.text.contains("no span matches") == true)
        _ = search("\"unterminated")
        #expect(s.app.message?.text.hasPrefix("search: ") == true, "\(String(describing: s.app.message))")
        #expect(s.app.message?.isError == true)
    }

    @Test("f shows only the matches and their ancestors, and all spans again")
    func filterMatches() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.type("/score")
        s.press(.enter)
        s.type("f")
        let view = try #require(s.app.trace)
        // score transaction, its parent POST /v1/check, its parent POST fraud-check, the root.
        #expect(view.rows.count == 4)
        #expect(s.statusLine.contains("shown of 7"), "\(s.statusLine)")
        #expect(!s.screen.contains("UPDATE payments"))
        s.type("f")
        #expect(s.app.trace?.rows.count == 7)
        #expect(s.screen.contains("UPDATE payments"))
    }

    @Test("c draws the critical path; ) and ( walk it from the root, and the path adds up to the root's duration")
    func criticalPath() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.type("c")
        let view = try #require(s.app.trace)
        let path = try #require(view.criticalPath)
        let root = try #require(view.analysis.criticalPath.root)
        #expect(view.tree.spans[root].name == "POST /api/payments")
        let total = path.parts.values.reduce(0) { $0 + $1.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } }
        #expect(total == view.tree.spans[root].duration)
        #expect(s.statusLine.contains("critical path"))
        s.type(")")
        #expect(Self.selectedName(s) == "POST /api/payments")
        s.type(")")
        #expect(s.app.trace?.selectedSpan.map { Int32($0) } == path.order[1])
        s.type("(")
        #expect(Self.selectedName(s) == "POST /api/payments")
        // The path's parts of the bars are drawn in the accent colour.
        let grid = s.grid
        let accented = (0..<grid.height).contains { y in (0..<grid.width).contains { grid[$0, y].style.foreground == .accent && grid[$0, y].text != " " } }
        #expect(accented)
        s.type("c")
        #expect(s.app.trace?.criticalPath == nil)
    }

    @Test("f on the list filters traces by an expression; the status counts them; Esc shows all")
    func traceFilter() throws {
        var s = try AppSession(["interleaved.jsonl"])
        let store = s.app.store
        let withErrors = store.traces.indices.filter { store.traces[$0].errorCount > 0 }
        s.type("f")
        #expect(s.app.prompt?.kind == .filter)
        s.type("errors")
        s.press(.enter)
        #expect(s.app.list.count == withErrors.count)
        #expect(s.app.message?.text == "\(withErrors.count) of \(store.traceCount) traces match · Esc shows all")
        s.type("jk")
        #expect(s.statusLine.contains("filter errors: \(withErrors.count) of \(store.traceCount)"), "\(s.statusLine)")
        s.type("f")
        #expect(s.app.prompt?.text == "errors")   // the filter can be edited
        s.press(.control("u"))
        s.type("duration>")
        s.press(.enter)
        #expect(s.app.message?.isError == true && s.app.message?.text.hasPrefix("filter: ") == true)
        #expect(s.app.list.count == withErrors.count, "a bad expression leaves the filter as it was")
        s.press(.escape)
        #expect(s.app.list.count == store.traceCount)
        #expect(s.app.traceFilter == nil)
    }

    @Test("S turns the sort round: newest first, smallest first; the cursor goes to the top")
    func reverseSort() throws {
        var s = try AppSession(["interleaved.jsonl"])
        s.type("jjj")
        s.type("S")
        #expect(s.app.list.selected == 0 && !s.app.list.ascending)
        let starts = s.app.list.order.map { s.app.list.entries[$0].startTime }
        #expect(starts == starts.sorted(by: >))
        #expect(s.screen.contains("START" + Glyphs.unicode.descending))
        s.type("s")   // duration, largest first
        #expect(s.app.list.sort == .duration && !s.app.list.ascending && s.app.list.selected == 0)
        s.type("S")
        let durations = s.app.list.order.map { s.app.list.entries[$0].duration ?? -1 }
        #expect(durations == durations.sorted())
    }

    @Test("/ on the list takes trace IDs as pasted: a traceparent, trace_id=, 0x, dashes, any case")
    func traceIDForms() throws {
        var s = try AppSession(["interleaved.jsonl"])
        let id = s.app.store.traces[s.app.store.traces.startIndex + 3].traceID.hex
        for form in ["00-\(id)-00f067aa0ba902b7-01", "trace_id=\(id)", "0x\(id.uppercased())",
                     String(id.prefix(8)) + "-" + String(id.dropFirst(8).prefix(4))] {
            s.press(.escape, .escape)
            s.type("/")
            s.type(form)
            s.press(.enter)
            #expect(s.app.screen == .trace, "\(form): \(String(describing: s.app.message))")
            #expect(s.app.trace.map { s.app.store.traces[$0.traceIndex].traceID.hex } == id, "\(form)")
        }
        s.press(.escape)
        s.type("/")
        s.type("xyz")
        s.press(.enter)
        #expect(s.app.message?.isError == true)
    }

    @Test("the list shows a short trace ID column when it is wide enough")
    func traceIDColumn() throws {
        let wide = try AppSession(["interleaved.jsonl"], width: 120)
        let id = wide.app.list.entries[wide.app.list.order[0]].traceID.hex
        #expect(wide.lines[0].contains("TRACE"))
        #expect(wide.lines[1].contains(String(id.prefix(8))))
        let narrow = try AppSession(["interleaved.jsonl"], width: 90)
        #expect(!narrow.lines[0].contains("TRACE"))
    }
}

@Suite("Moving round a trace")
struct TraceNavigationTests {
    @Test("< and > show one level less or more, as Jaeger's Collapse +1 and Expand +1")
    func levels() throws {
        var s = try AppSession(["payment-timeout.json"])
        let tree = try #require(s.app.trace?.tree)
        #expect(tree.depthCount == 4 && s.app.trace?.rows.count == 7)
        s.type("<")
        #expect(s.app.trace?.rows.count == tree.depth.filter { $0 <= 2 }.count)
        #expect(s.app.message?.text == "showing 3 levels of 4")
        s.type("<<")
        #expect(s.app.trace?.rows.count == 1)
        s.type("<")
        #expect(s.app.trace?.rows.count == 1, "one level at least")
        s.type(">")
        #expect(s.app.trace?.rows.count == tree.depth.filter { $0 <= 1 }.count)
        s.type(">>")
        #expect(s.app.trace?.rows.count == 7)
        #expect(s.app.message?.text == "every level is shown")
    }

    @Test("z zooms to fit the selected span; , and . pan; 0 shows the whole trace")
    func zoomAndPan() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.type("jj")   // SELECT accounts
        let view = try #require(s.app.trace)
        let span = view.tree.spans[try #require(view.selectedSpan)]
        #expect(span.name == "SELECT accounts")
        s.type("z")
        let window = try #require(s.app.trace?.window)
        #expect(window.start <= span.startTime && window.end >= span.endTime)
        #expect(window.end - window.start < (span.endTime - span.startTime) * 2)
        #expect(s.lines[0].contains("zoomed"))
        s.type(",")
        let left = try #require(s.app.trace?.window)
        #expect(left.start < window.start && left.end - left.start == window.end - window.start)
        s.type("....")
        let right = try #require(s.app.trace?.window)
        #expect(right.start > window.start)
        #expect(right.end <= view.fullWindow.end)
        s.type("0")
        #expect(s.app.trace?.window == nil)
    }

    /// A trace of one root and 80 children, through the live path.
    static func wideTrace(width: Int = 100, height: Int = 40) -> AppSession {
        let id = TraceID(high: 1, low: 2)
        var spans = [Span(traceID: id, spanID: SpanID(1), name: "root", startTime: 1_000_000, endTime: 2_000_000)]
        for i in 0..<80 {
            spans.append(Span(traceID: id, spanID: SpanID(UInt64(i + 2)), parentSpanID: SpanID(1), name: "child \(i)",
                              startTime: 1_000_000 + Int64(i) * 10_000, endTime: 1_010_000 + Int64(i) * 10_000))
        }
        var s = AppSession(inputs: LoadedInputs())
        s.app = App(reading: [InputStatus(name: "-", isLive: true)], width: width, height: height, glyphs: .unicode, useColor: false)
        s.app.ingest(liveUpdate(spans: spans, ended: true), now: 0)
        s.press(.enter)
        return s
    }

    @Test("d hides and shows the detail pane; D makes it larger, then small again")
    func detailPane() throws {
        var s = Self.wideTrace()
        #expect(s.app.trace?.rows.count == 81)
        let normal = s.app.layout.detail.height
        s.type("d")
        #expect(s.app.layout.detail.height == 0 && s.app.layout.waterfall.height == 38)
        #expect(!s.screen.contains("Attributes"))
        s.type("d")
        #expect(s.app.layout.detail.height == normal)
        s.type("D")
        #expect(s.app.layout.detail.height > normal)
        s.type("DD")   // two thirds, then a third
        #expect(s.app.layout.detail.height < normal, "back to a third")
        s.type("dd")
        #expect(s.app.layout.detail.height < normal, "d keeps the size it had")
    }
}

@Suite("Self time in the detail pane")
struct SelfTimePaneTests {
    @Test("the Attributes tab gives the span's self time and shares; with c, its part of the critical path")
    func selfTime() throws {
        var s = try AppSession(["payment-timeout.json"], width: 120, height: 50)
        let view = try #require(s.app.trace)
        let root = try #require(view.selectedSpan)
        let span = view.tree.spans[root]
        // Worked out here: the root's time less the union of its children's, clipped to it.
        var covered: [(Int64, Int64)] = view.tree.children(of: root).map { c in
            let child = view.tree.spans[Int(c)]
            return (max(child.startTime, span.startTime), min(child.endTime, span.endTime))
        }.filter { $0.0 < $0.1 }.sorted { $0.0 < $1.0 }
        var merged: [(Int64, Int64)] = []
        for interval in covered {
            if let last = merged.last, interval.0 <= last.1 { merged[merged.count - 1].1 = max(last.1, interval.1) } else { merged.append(interval) }
        }
        covered = merged
        let expected = (span.endTime - span.startTime) - covered.reduce(0) { $0 + ($1.1 - $1.0) }
        #expect(view.analysis.selfTimes[root] == expected)
        let line = try #require(s.lines.first { $0.contains("self time") })
        #expect(line.contains(Glyphs.unicode.duration(expected)), "\(line)")
        #expect(line.contains("of the span") && line.contains("of the trace"))
        #expect(!s.screen.contains("critical path ("))
        s.type("c")
        let critical = try #require(s.lines.first { $0.contains("critical") && $0.contains("of the critical path") })
        #expect(critical.contains(Glyphs.unicode.duration(try #require(s.app.trace?.criticalPath?.onPath[root]))))
    }
}

@Suite("Filters on a thread of their own")
struct BackgroundFilterTests {
    @Test("a filter that reads spans runs on its own thread over a big store: the same traces as inline, keys answer meanwhile, Esc stops it")
    func background() throws {
        var inline = try AppSession(["interleaved.jsonl"])
        inline.type("f")
        inline.type("db.system=mysql or cache.hit=false")
        inline.press(.enter)
        let expected = try #require(inline.app.list.filter)
        #expect(!expected.isEmpty && expected.count < inline.app.store.traceCount)

        var s = try AppSession(["interleaved.jsonl"])
        s.app.backgroundFilterFrom = 0
        s.type("f")
        s.type("db.system=mysql or cache.hit=false")
        s.press(.enter)
        #expect(s.app.hasBackgroundWork)
        #expect(s.statusLine.contains("filtering") || s.app.message?.text.hasPrefix("filtering") == true)
        s.type("j")   // keys still work
        s.app.finishBackgroundWork()
        #expect(!s.app.hasBackgroundWork)
        #expect(s.app.list.filter == expected)
        #expect(s.app.message?.text == "\(expected.count) of \(s.app.store.traceCount) traces match · Esc shows all")

        s.press(.escape)
        s.type("f")
        s.press(.control("u"))
        s.type("db.system=nothing")
        s.press(.enter)
        #expect(s.app.hasBackgroundWork)
        s.press(.escape)
        #expect(!s.app.hasBackgroundWork && s.app.message?.text == "filter stopped")
        #expect(s.app.list.count == s.app.store.traceCount)
    }
}

@Suite("What the waterfall tells at a glance")
struct WaterfallGlanceTests {
    @Test("a folded row says how many spans and errors it hides")
    func foldedErrors() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.type(" ")   // fold the root: 6 spans below it, POST fraud-check's error among them
        let row = try #require(s.lines.first { $0.contains("POST /api/payments") })
        #expect(row.contains("(+6 1✗)"), "\(row)")
    }

    @Test("events are marked on the bars, exceptions in the error colour")
    func eventMarks() throws {
        let s = try AppSession(["payment-timeout.json"])
        let view = try #require(s.app.trace)
        let withException = try #require(view.tree.spans.indices.first { view.tree.spans[$0].events.contains(where: \.isException) })
        let name = view.tree.spans[withException].name
        let grid = s.grid
        let y = try #require((0..<grid.height).first { grid.line($0).contains(name) })
        let marks = (0..<grid.width).filter { grid[$0, y].text == Glyphs.unicode.eventMark }
        #expect(!marks.isEmpty, "\(grid.line(y))")
        #expect(marks.contains { grid[$0, y].style.foreground == .error })
    }

    @Test("zoomed, the axis line shows where the window is in the whole trace")
    func minimap() throws {
        var s = try AppSession(["payment-timeout.json"])
        #expect(s.lines[1].contains("span"))
        s.type("jjz")   // SELECT accounts: 5 ms of 173 ms
        let axis = s.lines[1]
        #expect(axis.hasPrefix("  [") && axis.contains("█") && !axis.contains("span "), "\(axis)")
        s.type("0")
        #expect(s.lines[1].contains("span"))
    }

    @Test("| gives the name column more room, then less, then as it was")
    func nameColumn() throws {
        var s = try AppSession(["payment-timeout.json"], width: 120)
        func serviceColumn() -> Int? { s.lines[1].range(of: "service").map { s.lines[1].distance(from: s.lines[1].startIndex, to: $0.lowerBound) } }
        let normal = try #require(serviceColumn())
        s.type("|")
        let wider = try #require(serviceColumn())
        s.type("|")
        let narrower = try #require(serviceColumn())
        s.type("|")
        #expect(wider > normal && narrower < normal && serviceColumn() == normal)
    }
}

@Suite("Span search of a big trace on a thread of its own")
struct BackgroundSearchTests {
    @Test("the same matches as inline; keys answer meanwhile; Esc stops it")
    func background() throws {
        var inline = try AppSession(["payment-timeout.json"])
        inline.type("/name=check")
        inline.press(.enter)
        let expected = try #require(inline.app.trace?.search?.matches)

        var s = try AppSession(["payment-timeout.json"])
        s.app.backgroundSearchFrom = 0
        s.type("/name=check")
        s.press(.enter)
        #expect(s.app.hasBackgroundWork)
        #expect(s.app.message?.text.hasPrefix("searching 7 spans") == true)
        s.type("j")   // keys still work
        s.app.finishBackgroundWork()
        #expect(s.app.trace?.search?.matches == expected)
        #expect(s.app.message?.text.hasPrefix("match 1 of 2") == true)

        s.type("/score")
        s.press(.enter)
        #expect(s.app.hasBackgroundWork)
        s.press(.escape)
        #expect(!s.app.hasBackgroundWork && s.app.message?.text == "search stopped")
        #expect(s.app.trace?.search?.matches == expected, "the search before stays")
    }
}

