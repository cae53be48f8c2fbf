import SpanIngest
import CellGrid
import Foundation
import SpanModel
import SpanFormats
import SpanviewApp
import SpanviewKit
import SpanWidgets
import TerminalInput
import Testing

@Suite("The viewer, driven key by key")
struct AppTests {
    @Test("the trace list shows one row per trace with start, service, root, spans, duration, errors")
    func traceList() throws {
        let s = try AppSession(["interleaved.jsonl"])
        let lines = s.lines
        #expect(lines[0].contains("START▲") && lines[0].contains("SERVICE") && lines[0].contains("ROOT SPAN"))
        #expect(lines[0].contains("SPANS") && lines[0].contains("DURATION") && lines[0].contains("ERRORS"))
        #expect(lines.count == 40)
        #expect(lines[1...38].allSatisfy { $0.contains("api-gateway") })
        #expect(lines.contains { $0.hasPrefix("✗ ") })
        #expect(s.statusLine.contains("interleaved.jsonl · go-stdouttrace · 150 traces · 1937 spans"))
        #expect(s.statusLine.hasSuffix("trace 1/150"))
        #expect(s.selectedLine == lines[1])
    }

    @Test("j, k, PgDn, G and g move the cursor and scroll")
    func listMovement() throws {
        var s = try AppSession(["interleaved.jsonl"])
        s.type("jj")
        #expect(s.statusLine.hasSuffix("trace 3/150"))
        #expect(s.selectedLine == s.lines[3])
        s.press(.pageDown)
        #expect(s.statusLine.hasSuffix("trace 41/150"))
        s.type("G")
        #expect(s.statusLine.hasSuffix("trace 150/150"))
        #expect(s.selectedLine == s.lines[38])
        s.type("k")
        #expect(s.statusLine.hasSuffix("trace 149/150"))
        s.type("g")
        #expect(s.statusLine.hasSuffix("trace 1/150"))
        s.press(.up)
        #expect(s.statusLine.hasSuffix("trace 1/150"))
    }

    @Test("s cycles the sort: start, duration, errors, spans")
    func sorting() throws {
        var s = try AppSession(["interleaved.jsonl"])
        s.type("s")
        #expect(s.lines[0].contains("▼DURATION"))
        s.type("g")
        let durations = s.lines[1...5].map { $0 }
        #expect(durations.count == 5)
        s.type("s")
        #expect(s.lines[0].contains("▼ERRORS"))
        s.type("g")
        #expect(s.lines[1].hasPrefix("✗ "))
        s.type("s")
        #expect(s.lines[0].contains("▼SPANS"))
        s.type("s")
        #expect(s.lines[0].contains("START▲"))
    }

    @Test("Enter opens the waterfall; Esc goes back to the same row")
    func openAndBack() throws {
        var s = try AppSession(["order-inventory.jsonl"])
        s.type("j")
        s.press(.enter)
        let lines = s.lines
        #expect(lines[0].hasPrefix("Trace "))
        #expect(lines[0].contains("5 spans · depth 4"))
        #expect(lines[1].contains("span") && lines[1].contains("service") && lines[1].contains("╷0"))
        #expect(lines[2].contains("▾ POST /orders") && lines[2].contains("order-service"))
        #expect(lines.contains { $0.contains("└─▾ POST /reserve") || $0.contains("├─▾ POST /reserve") })
        #expect(s.selectedLine?.contains("POST /orders") == true)
        #expect(s.statusLine.hasSuffix("span 1/5"))
        s.press(.escape)
        #expect(s.lines[0].contains("START▲"))
        #expect(s.statusLine.hasSuffix("trace 2/3"))
    }

    @Test("a single-trace file opens straight into its waterfall")
    func singleTrace() throws {
        let s = try AppSession(["payment-timeout.json"])
        #expect(s.lines[0].hasPrefix("Trace "))
        #expect(s.lines[0].contains("7 spans") && s.lines[0].contains("2 errors"))
    }

    @Test("the detail pane shows typed attributes, then resource and scope")
    func attributesTab() throws {
        let s = try AppSession(["payment-timeout.json"])
        let screen = s.screen
        #expect(screen.contains("1 Attributes"))
        #expect(screen.contains("name       POST /api/payments"))
        #expect(screen.contains("kind       server"))
        #expect(screen.contains("status     Error"))
        #expect(screen.contains("Attributes  "))
        #expect(screen.contains(#"http.method = "POST""#) || screen.contains(#"http.request.method = "POST""#))
        var more = s
        more.type("J")
        #expect(more.screen.contains("Resource"))
        #expect(more.screen.contains(#"service.name = "payment-api""#))
    }

    @Test("e jumps to the next error span and opens the Errors tab with the exception")
    func errors() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.type("e")
        #expect(s.selectedLine?.contains("POST fraud-check") == true)
        #expect(s.statusLine.contains("error span 2 of 2"))
        let screen = s.screen
        #expect(screen.contains("3 Errors"))
        #expect(screen.contains("status     Error"))
        #expect(screen.contains("message    context deadline exceeded"))
        #expect(screen.contains("Exception"))
        #expect(screen.contains("type       *url.Error") || screen.contains("type       "))
        #expect(screen.contains("stack trace"))
        s.type("e")
        #expect(s.selectedLine?.contains("POST /api/payments") == true)
        #expect(s.statusLine.contains("(wrapped)"))
        s.type("E")
        #expect(s.selectedLine?.contains("POST fraud-check") == true)
    }

    @Test("Tab cycles the detail tabs and 1 to 4 pick one")
    func tabs() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.press(.tab)
        #expect(s.screen.contains("No events.") || s.screen.contains("+"))
        s.type("4")
        #expect(s.screen.contains("No links."))
        s.type("3")
        #expect(s.screen.contains("status     Error"))
        s.type("1")
        #expect(s.screen.contains("kind       server"))
    }

    @Test("Space, h and l collapse and expand; [ and ] do all")
    func collapsing() throws {
        var s = try AppSession(["payment-timeout.json"])
        #expect(s.statusLine.hasSuffix("span 1/7"))
        s.type(" ")
        #expect(s.lines[2].contains("▸ POST /api/payments (+6 1✗)"))
        #expect(s.statusLine.hasSuffix("span 1/1 shown of 7"))
        s.type("l")
        #expect(s.statusLine.hasSuffix("span 1/7"))
        s.type("[")
        #expect(s.statusLine.hasSuffix("span 1/1 shown of 7"))
        s.type("]")
        #expect(s.statusLine.hasSuffix("span 1/7"))
        s.type("jjj")   // POST fraud-check, which has children
        #expect(s.selectedLine?.contains("POST fraud-check") == true)
        s.type("h")
        #expect(s.selectedLine?.contains("▸ POST fraud-check (+2)") == true)
        s.type("h")   // already collapsed: go to the parent
        #expect(s.selectedLine?.contains("POST /api/payments") == true)
    }

    @Test("+ and - zoom the time axis around the span; 0 resets")
    func zoom() throws {
        var s = try AppSession(["payment-timeout.json"])
        let before = s.lines[1]
        s.type("jj++")
        #expect(s.lines[0].contains("zoomed"))
        // UPDATE payments starts after the zoomed window: an arrow points right.
        let update = try #require(s.lines.first { $0.contains("UPDATE payments") })
        #expect(update.contains("▸"))
        s.type("-")
        #expect(s.lines[1] != before)
        #expect(s.statusLine.contains("showing"))
        s.type("-")
        s.type("0")
        #expect(!s.lines[0].contains("zoomed"))
        #expect(s.lines[1] == before)
    }

    @Test("/ searches by trace ID prefix: one match opens, several list, none says so")
    func search() throws {
        var s = try AppSession(["interleaved.jsonl"])
        let ids = s.app.store.traces.map(\.traceID.hex)
        let target = ids[17]
        // A prefix long enough to be unique, typed with 0x, upper case and a dash.
        var length = 4
        while ids.filter({ $0.hasPrefix(String(target.prefix(length))) }).count > 1 { length += 1 }
        let typed = "0x" + String(target.prefix(2)).uppercased() + "-" + String(target.prefix(length).dropFirst(2))
        s.type("/")
        #expect(s.statusLine.hasPrefix("/"))
        s.type(typed)
        #expect(s.statusLine.contains(typed))
        s.press(.enter)
        #expect(s.lines[0].contains(target))

        // Trace IDs are found from the list (on a trace, / searches its spans): a one-digit
        // prefix matches several traces.
        s.press(.escape)
        let digit = String(target.prefix(1))
        let count = ids.filter { $0.hasPrefix(digit) }.count
        s.type("/" + digit)
        s.press(.enter)
        #expect(s.lines[0].contains("START▲"))
        #expect(s.statusLine.contains("\(count) traces start with \(digit)"))
        #expect(s.lines.dropFirst().prefix(count).count == count)
        s.type("j")
        #expect(s.statusLine.contains("\(count) search results"))
        s.press(.escape)
        #expect(s.statusLine.hasSuffix("/150"))

        s.type("/ffffffffffffffff0")
        s.press(.enter)
        #expect(s.statusLine.contains("no trace ID starts with ffffffffffffffff0"))
        s.type("/xyz")
        s.press(.enter)
        #expect(s.statusLine.contains("not a trace ID"))
        s.type("/ab")
        s.press(.escape)
        #expect(!s.statusLine.hasPrefix("/"))
        s.type("/a")
        s.press(.backspace, .backspace)
        #expect(!s.statusLine.hasPrefix("/"))
    }

    @Test("? lists every key from the key table")
    func help() throws {
        var s = try AppSession(["interleaved.jsonl"])
        s.type("?")
        var text = ""
        for _ in 0..<10 {
            text += s.screen
            s.press(.pageDown)
        }
        for binding in Keymap.bindings {
            #expect(text.contains(binding.help), "\(binding.help)")
        }
        s.press(.escape)
        #expect(s.lines[0].contains("START▲"))
    }

    @Test("p lists skipped values with file, line and offset")
    func problems() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("app-\(UUID().uuidString).json")
        let good = try String(contentsOf: AppSession.samples.appendingPathComponent("order-inventory.jsonl"), encoding: .utf8)
        try Data(("{\"Name\": broken\n" + good).utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var s = AppSession(inputs: try InputLoader.load([url.path]))
        #expect(s.statusLine.contains("1 skipped (p)"))
        s.type("p")
        #expect(s.screen.contains("1 value was skipped"))
        #expect(s.screen.contains("\(url.path):1"))
        #expect(s.screen.contains("byte 0"))
        s.press(.escape)
        #expect(s.lines[0].contains("START▲"))
    }

    @Test("a terminal below 40x10 says it is too small and recovers when it grows")
    func tooSmall() throws {
        var s = try AppSession(["interleaved.jsonl"])
        s.press(.resize(width: 39, height: 20))
        #expect(s.screen.contains("Terminal too small"))
        #expect(s.screen.contains("39×20; spanview needs 40×10"))
        s.press(.resize(width: 80, height: 9))
        #expect(s.screen.contains("Terminal too small"))
        s.press(.resize(width: 80, height: 24))
        #expect(s.lines.count == 24)
        #expect(s.lines[0].contains("START▲"))
        #expect(s.lines.allSatisfy { DisplayWidth.of($0) <= 80 })
    }

    @Test("the detail pane goes beside the waterfall on a wide terminal")
    func wideLayout() throws {
        var s = try AppSession(["payment-timeout.json"], width: 200, height: 30)
        #expect(s.lines[2].contains("│ 1 Attributes") || s.lines[1].contains("│ 1 Attributes"))
        s.press(.resize(width: 100, height: 40))
        #expect(s.lines.contains { $0.hasPrefix(" 1 Attributes") })
    }

    @Test("mouse: a click selects a row, the wheel moves")
    func mouse() throws {
        var s = try AppSession(["interleaved.jsonl"])
        s.press(.mouse(MouseEvent(kind: .press, x: 10, y: 5)))
        #expect(s.statusLine.hasSuffix("trace 5/150"))
        s.press(.mouse(MouseEvent(kind: .wheelDown, x: 10, y: 5)))
        #expect(s.statusLine.hasSuffix("trace 8/150"))
        s.press(.mouse(MouseEvent(kind: .press, x: 10, y: 8)))   // the selected row again: opens it
        #expect(s.lines[0].hasPrefix("Trace "))
        s.press(.mouse(MouseEvent(kind: .press, x: 10, y: 4)))
        #expect(s.statusLine.hasSuffix("span 3/\(s.app.trace!.rows.count)"))
    }

    @Test("q quits from the list, goes back from a trace; Ctrl-C quits anywhere")
    func quitting() throws {
        var s = try AppSession(["order-inventory.jsonl"])
        s.press(.enter)
        s.type("q")
        #expect(!s.app.wantsQuit)
        s.press(.enter, .control("c"))
        #expect(s.app.wantsQuit)
        var t = try AppSession(["order-inventory.jsonl"])
        t.type("q")
        #expect(t.app.wantsQuit)
    }

    @Test("no control character from trace data reaches the grid, on any screen")
    func controlCharacters() throws {
        var s = try AppSession(["attribute-types.jsonl"])
        func check(_ g: Grid) {
            for cell in g.cells {
                #expect(!cell.text.unicodeScalars.contains { TerminalText.needsEscaping($0) }, "\(cell.text.debugDescription)")
            }
        }
        check(s.grid)
        for _ in 0..<3 {
            s.press(.enter)
            for _ in 0..<14 {
                for tab in "1234" {
                    s.type(String(tab))
                    check(s.grid)
                    s.type("JJ")
                    check(s.grid)
                }
                s.type("j")
            }
            s.press(.escape)
            s.type("j")
        }
        #expect(s.screen.contains("\\e") || true)
    }

    @Test("--ascii draws without line drawing or block characters")
    func ascii() throws {
        let s = try AppSession(["payment-timeout.json"], glyphs: .ascii)
        let screen = s.screen
        #expect(!screen.unicodeScalars.contains { (0x2500...0x259F).contains($0.value) || $0 == "▾" || $0 == "▸" || $0 == "✗" })
        #expect(screen.contains("|-") || screen.contains("`-"))
    }
}

@Suite("Links between traces")
struct LinkTests {
    @Test("the Links tab lists targets; Enter follows the first loaded one; Esc comes back")
    func followLinks() throws {
        var s = try AppSession(["attribute-types.jsonl"])
        // Find the trace holding "zoo.events process" and open it.
        let traceIndex = try #require(s.app.store.traces.firstIndex { $0.spans.contains { $0.name == "zoo.events process" } })
        let id = s.app.store.traces[traceIndex].traceID.hex
        s.type("/" + id)
        s.press(.enter)
        #expect(s.lines[0].contains(id))
        let row = try #require(s.app.trace?.rows.rows.firstIndex { s.app.trace!.tree.spans[Int($0)].name == "zoo.events process" })
        for _ in 0..<row { s.type("j") }
        s.type("4")
        let screen = s.screen
        #expect(screen.contains("4 Links 3"))
        #expect(screen.contains("1. trace 426e694d"))
        #expect(screen.contains("(Enter follows)"))
        #expect(screen.contains("trace 0af7651916cd43dd8448eb211c80319c"))
        #expect(screen.contains("(not loaded)"))
        s.press(.enter)
        #expect(s.lines[0].hasPrefix("Trace (via link) 426e694d"))
        #expect(s.selectedLine?.contains("zoo.events publish") == true)
        #expect(s.statusLine.contains("followed a link"))
        s.press(.escape)
        #expect(s.lines[0].contains(id))
        #expect(s.selectedLine?.contains("zoo.events process") == true)
        s.press(.escape)
        #expect(s.lines[0].contains("START▲"))
    }
}

@Suite("Spans arriving while the viewer is open")
struct LiveAppTests {
    func spans(_ file: String) throws -> [Span] {
        try InputLoader.load([AppSession.samples.appendingPathComponent(file).path]).store.traces.flatMap(\.spans)
    }

    @Test("p lists each input's latest notices under it (a receiver's refused requests), the oldest dropped past five")
    func noticesInInputs() throws {
        var s = AppSession(inputs: LoadedInputs())
        s.app = App(reading: [InputStatus(name: "OTLP/HTTP 127.0.0.1:4318", isLive: true)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        for i in 1...7 {
            var deliveries = liveUpdate()
            deliveries[0].batches[0].notices = ["OTLP/HTTP 127.0.0.1:4318 refused \(i) requests (the last: 415 Unsupported Media Type)"]
            s.app.ingest(deliveries, now: Double(i))
        }
        #expect(s.statusLine.contains("refused 7 requests"), "\(s.statusLine)")
        s.type("p")
        let screen = s.screen
        #expect(screen.contains("OTLP/HTTP 127.0.0.1:4318  "), "\(screen)")
        for i in 3...7 { #expect(screen.contains("    OTLP/HTTP 127.0.0.1:4318 refused \(i) requests (the last: 415"), "\(i): \(screen)") }
        #expect(!screen.contains("refused 2 requests") && !screen.contains("refused 1 requests"), "\(screen)")
    }

    @Test("new traces join the list without moving the cursor; an open trace fills in")
    func ingest() throws {
        let all = try spans("interleaved.jsonl")
        var s = AppSession(inputs: LoadedInputs())
        s.app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        #expect(s.screen.contains("Waiting for spans on standard input"))
        #expect(s.statusLine.contains("● live"))

        var stats = ReadStats()
        stats.spans = 300
        s.app.ingest(liveUpdate(spans: Array(all[0..<300]), stats: stats), now: 0)
        let traces = s.app.store.traceCount
        #expect(traces > 10)
        #expect(s.app.list.selected == traces - 1)   // on the newest, following (tail -f)
        s.type("gjjj")
        let selected = s.app.list.selectedTrace
        let selectedLine = s.selectedLine
        stats.spans = 1937
        s.app.ingest(liveUpdate(spans: Array(all[300...]), stats: stats), now: 1)
        #expect(s.app.store.traceCount == 150)
        #expect(s.app.list.selectedTrace == selected)
        #expect(s.statusLine.contains("150 traces · 1937 spans"))
        #expect(s.statusLine.contains("1637 spans/s"))
        _ = selectedLine

        // A trace opened with only its children fills in when its root arrives.
        let traceID = all[0].traceID
        let ofTrace = all.filter { $0.traceID == traceID }
        let root = try #require(ofTrace.first { $0.isRoot })
        var t = AppSession(inputs: LoadedInputs())
        t.app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        t.app.ingest(liveUpdate(spans: ofTrace.filter { !$0.isRoot }), now: 0)
        t.press(.enter)
        #expect(t.screen.contains("⋯ waiting for parent"))
        #expect(!t.screen.contains("[no parent"))
        let rowsBefore = t.app.trace?.rows.count ?? 0
        #expect(rowsBefore == ofTrace.count)   // the spans but the root, and the placeholder
        t.type("j")
        func cursor(_ app: App) -> SpanID? {
            guard let view = app.trace, let i = view.selectedSpan else { return nil }
            return view.tree.spans[i].spanID
        }
        let cursorSpan = cursor(t.app)
        t.app.ingest(liveUpdate(spans: [root], ended: true), now: 1)
        #expect(t.app.trace?.rows.count == ofTrace.count)   // the placeholder gave way to the root
        #expect(!t.screen.contains("waiting for parent"))
        #expect(!t.screen.contains("[no parent"))
        #expect(cursor(t.app) == cursorSpan)
        #expect(t.statusLine.contains("input ended"))
    }
}

@Suite("The Logs view")
struct LogsViewTests {
    @Test("L lists the log lines; Enter on one that names a trace opens it")
    func logs() throws {
        var s = try AppSession(["with-logs.txt"])
        #expect(s.statusLine.contains("35 log lines (L)"))
        s.type("L")
        #expect(s.screen.contains("Log lines"))
        #expect(s.screen.contains("[GIN-debug]"))
        #expect(s.statusLine.hasSuffix("line 35/35"))
        s.type("g")
        // Find a line naming a trace.
        let target = try #require(s.app.logs.firstIndex { $0.traceID != nil && $0.text.contains("trace_id=") })
        for _ in 0..<target { s.type("j") }
        let id = try #require(s.app.logs[target].traceID)
        #expect(s.selectedLine?.contains("→") == true)
        s.press(.enter)
        #expect(s.lines[0].contains(id.hex))
        s.type("L")
        #expect(s.statusLine.hasSuffix("line \(target + 1)/35") || s.statusLine.hasSuffix("line 35/35"))
        s.press(.escape)
        #expect(s.lines[0].contains(id.hex))
    }
}

@Suite("Memory bound for live input")
struct MaxSpansTests {
    @Test("over --max-spans the oldest whole traces go, the cursor stays on its trace, the status says so")
    func evicts() throws {
        let all = try InputLoader.load([AppSession.samples.appendingPathComponent("interleaved.jsonl").path]).store.traces.flatMap(\.spans)
        var s = AppSession(inputs: LoadedInputs())
        s.app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        s.app.maxSpans = 500
        s.app.ingest(liveUpdate(spans: Array(all[0..<400])), now: 0)
        s.type("Gk")
        let selected = try #require(s.app.list.selectedTrace.map { s.app.store.traces[$0].traceID })
        s.app.ingest(liveUpdate(spans: Array(all[400..<700])), now: 1)
        #expect(s.app.store.spanCount <= 500)
        #expect(s.statusLine.contains("old traces evicted"))
        #expect(s.app.list.selectedTrace.map { s.app.store.traces[$0].traceID } == selected)
        #expect(s.app.list.count == s.app.store.traceCount)
    }

    @Test("eviction keeps trace identity: the open trace stays open with its cursor, and the rest of the state keeps its traces")
    func stableIdentity() throws {
        let all = try InputLoader.load([AppSession.samples.appendingPathComponent("interleaved.jsonl").path]).store.traces.flatMap(\.spans)
        var s = AppSession(inputs: LoadedInputs())
        s.app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 30, glyphs: .unicode, useColor: false)
        s.app.maxSpans = 900
        s.app.ingest(liveUpdate(spans: Array(all[0..<800])), now: 0)
        s.type("G")
        s.press(.enter)   // the newest trace
        s.type("jj")
        let open = try #require(s.app.trace)
        let openID = s.app.store.traces[open.traceIndex].traceID
        let row = open.selectedRow
        s.app.ingest(liveUpdate(spans: Array(all[800..<1400])), now: 1)
        #expect(s.app.store.traces.startIndex > 0)            // old traces went
        #expect(s.app.store.spanCount <= 900)
        let still = try #require(s.app.trace)
        #expect(still.traceIndex == open.traceIndex)        // the same index, the same trace
        #expect(s.app.store.traces[still.traceIndex].traceID == openID)
        #expect(still.selectedRow == row)
        #expect(s.app.list.entries.first?.traceIndex == s.app.store.traces.startIndex)
        s.press(.escape)
        #expect(s.app.list.selectedTrace == open.traceIndex)
    }
}

@Suite("Polish: links, quitting, help, logs, ASCII, no colour")
struct PolishTests {
    /// Opens the trace of `attribute-types.jsonl` with the span that has three links, on its Links tab.
    func onLinks() throws -> AppSession {
        var s = try AppSession(["attribute-types.jsonl"])
        let traceIndex = try #require(s.app.store.traces.firstIndex { $0.spans.contains { $0.name == "zoo.events process" } })
        s.type("/" + s.app.store.traces[traceIndex].traceID.hex)
        s.press(.enter)
        let row = try #require(s.app.trace?.rows.rows.firstIndex { s.app.trace!.tree.spans[Int($0)].name == "zoo.events process" })
        for _ in 0..<row { s.type("j") }
        s.type("4")
        return s
    }

    @Test("Enter follows the link chosen with n/N, not always the first")
    func chosenLink() throws {
        var s = try onLinks()
        let view = try #require(s.app.trace)
        let links = view.tree.spans[try #require(view.selectedSpan)].links
        #expect(links.count == 3)
        #expect(s.screen.contains("▸ 1. trace"))
        s.type("n")
        #expect(s.app.trace?.selectedLink == 1)
        #expect(s.screen.contains("▸ 2. trace " + links[1].traceID.hex))
        s.type("N")
        s.type("N")
        #expect(s.app.trace?.selectedLink == 2)   // wraps around
        #expect(s.screen.contains("▸ 3. trace " + links[2].traceID.hex))
        let loaded = s.app.store.index(of: links[2].traceID) != nil
        s.press(.enter)
        if loaded {
            #expect(s.lines[0].hasPrefix("Trace (via link) " + links[2].traceID.hex))
        } else {
            #expect(s.lines[0].hasPrefix("Trace " + view.tree.traceID.hex))
            #expect(s.statusLine.contains("link 3's trace is not loaded"))
        }
        // The first loaded link other than the first is followed when chosen.
        var t = try onLinks()
        if let k = links.indices.dropFirst().first(where: { t.app.store.index(of: links[$0].traceID) != nil }) {
            for _ in 0..<k { t.type("n") }
            t.press(.enter)
            #expect(t.lines[0].hasPrefix("Trace (via link) " + links[k].traceID.hex))
        }
    }

    @Test("a file with one trace opens it, and one q quits, as with any other file")
    func oneTraceQuits() throws {
        var s = try AppSession(["payment-timeout.json"])
        #expect(s.lines[0].hasPrefix("Trace "))
        s.type("q")
        #expect(s.app.wantsQuit)
        // Esc still goes to the list; with several traces q goes back, not out.
        var t = try AppSession(["payment-timeout.json"])
        t.press(.escape)
        #expect(t.lines[0].contains("START"))
        var u = try AppSession(["order-inventory.jsonl"])
        u.press(.enter)
        u.type("q")
        #expect(!u.app.wantsQuit)
        #expect(u.lines[0].contains("START"))
    }

    @Test("the help screen says which lines it shows and how to scroll")
    func helpScrolls() throws {
        var s = try AppSession(["order-inventory.jsonl"], height: 20)
        s.type("?")
        let total = Keymap.helpLines().count
        #expect(s.lines[0].contains("lines 1-18 of \(total), ↑↓ to scroll · Esc closes"))
        s.type("jj")
        #expect(s.lines[0].contains("lines 3-20 of \(total)"))
        s.type("G")
        #expect(s.lines[0].contains("lines \(total - 17)-\(total) of \(total)"))
        var big = try AppSession(["order-inventory.jsonl"], height: 200)
        big.type("?")
        #expect(!big.lines[0].contains("to scroll") && big.lines[0].contains("Esc closes"))
    }

    @Test("L on a file without log lines says so, not 'none yet'")
    func noLogLines() throws {
        var s = try AppSession(["order-inventory.jsonl"])
        s.type("L")
        #expect(s.lines[0].contains("the input has no log lines"))
        #expect(!s.screen.contains("none yet"))
    }

    @Test("--ascii: every screen is pure ASCII, bytes below 0x80 only")
    func asciiScreens() throws {
        var screens: [String] = []
        var s = try AppSession(["payment-timeout.json", "order-inventory.jsonl", "with-logs.txt"], glyphs: .ascii)
        func take() { screens.append(s.screen) }
        take()
        s.type("s"); take()
        s.type("ss"); s.press(.enter); take()
        for key in ["j", "j", "e", "2", "3", "4", "1", "+", "+", "+", "+", "+", "+", "+", "+", " ", "[", "]", "0", "Z"] { s.type(key); take() }
        s.type("?"); take(); s.type("G"); take(); s.press(.escape)
        s.type("p"); take(); s.press(.escape)
        s.type("L"); take(); s.press(.escape)
        s.type("/"); take(); s.type("zz"); s.press(.enter); take()
        s.app.resize(width: 20, height: 5); take()
        s.app.resize(width: 200, height: 50); s.press(.escape); s.press(.enter); take()
        var live = AppSession(inputs: LoadedInputs())
        live.app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 30, glyphs: .ascii, useColor: false)
        screens.append(live.screen)
        for screen in screens {
            let high = screen.utf8.filter { $0 >= 0x80 }
            #expect(high.isEmpty, "\(screen)")
        }
    }

    @Test("NO_COLOR: the selected row is reverse video and error rows keep their mark")
    func noColour() throws {
        var s = try AppSession(["payment-timeout.json"])
        s.type("e")
        let grid = s.grid
        let out = ANSIText.render(grid, palette: Palette(depth: .none))
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
        let selected = try #require(lines.firstIndex { $0.contains("\u{1B}[0;1;7m") })
        #expect(grid.line(selected).hasPrefix("✗"))
        #expect(!out.contains("\u{1B}[0;3") && !out.contains("\u{1B}[0;4"))   // no colour codes
    }
}
