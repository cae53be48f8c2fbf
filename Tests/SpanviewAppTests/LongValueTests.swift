import SpanIngest
import CellGrid
import Foundation
import SpanviewApp
import SpanviewKit
import Testing

/// The detail pane on a span whose attribute value is a megabyte: laid out once, drawn a
/// screen at a time, scrolled from start to end.
@Suite("Long attribute values in the detail pane")
struct LongValueTests {
    /// Words w0000001 w0000002 ... (8 characters and a space each).
    static let words = 120_000
    static func word(_ n: Int) -> String {
        let s = String(n)
        return "w" + String(repeating: "0", count: 7 - s.count) + s
    }

    /// "字" and the number in fullwidth digits: 8 double-width characters, slow text to lay out.
    static func wideWord(_ n: Int) -> String {
        "字" + String(String.UnicodeScalarView(word(n).unicodeScalars.dropFirst().map { Unicode.Scalar($0.value - 0x30 + 0xFF10)! }))
    }

    /// A one-span trace (the viewer opens straight into it) with `payload` = the words.
    static func session(width: Int = 120, height: Int = 40, wide: Bool = false, count: Int = words) throws -> AppSession {
        let value = (1...count).map(wide ? wideWord : word).joined(separator: " ")
        let span = #"{"Name":"upload","SpanContext":{"TraceID":"4bf92f3577b34da6a3ce929d0e0e4736","SpanID":"00f067aa0ba902b7","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false},"SpanKind":1,"StartTime":"2024-05-01T12:00:00Z","EndTime":"2024-05-01T12:00:01Z","Attributes":[{"Key":"payload","Value":{"Type":"STRING","Value":"\#(value)"}},{"Key":"size","Value":{"Type":"INT64","Value":\#(value.utf8.count)}}],"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"uploader"}}],"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":""}}"#
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("long-value-\(UUID().uuidString).json")
        try Data((span + "\n").utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return AppSession(inputs: try InputLoader.load([url.path]), width: width, height: height)
    }

    /// The word numbers on each screen row, in order ([] for rows without any).
    static func wordNumbers(_ screen: String) -> [[Int]] {
        screen.components(separatedBy: "\n").map { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\"" }).compactMap { token in
                guard token.count == 8 else { return nil }
                if token.first == "w" { return Int(token.dropFirst()) }
                if token.first == "字" {
                    return Int(String(String.UnicodeScalarView(token.dropFirst().unicodeScalars.map { Unicode.Scalar($0.value &- 0xFF10 &+ 0x30) ?? "x" })))
                }
                return nil
            }
        }
    }

    /// The detail pane's "a-b/N" scroll label ("a-b/N+" while a value is still being laid out).
    static func label(_ screen: String) -> (first: Int, last: Int, total: Int, more: Bool)? {
        guard let range = screen.range(of: #" [0-9]+-[0-9]+/[0-9]+\+? J/K"#, options: .regularExpression) else { return nil }
        let numbers = screen[range].split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        return numbers.count == 3 ? (numbers[0], numbers[1], numbers[2], screen[range].contains("+")) : nil
    }

    /// Rows of words on screen are whole lines of the wrapped value: consecutive words, each
    /// row continuing the one before it, none wider than the pane.
    static func expectContiguous(_ rows: [[Int]], _ grid: Grid, sourceLocation: SourceLocation = #_sourceLocation) {
        let filled = rows.filter { !$0.isEmpty }
        #expect(!filled.isEmpty, sourceLocation: sourceLocation)
        var previous: Int?
        for row in filled {
            for (a, b) in zip(row, row.dropFirst()) { #expect(b == a + 1, sourceLocation: sourceLocation) }
            if let previous, let first = row.first { #expect(first == previous + 1, sourceLocation: sourceLocation) }
            previous = row.last
        }
        for y in 0..<grid.height { #expect(DisplayWidth.of(grid.line(y)) <= grid.width, sourceLocation: sourceLocation) }
    }

    @Test("the start, the middle and the end of a 1 MB value are drawn right, and J/K, { and } scroll it")
    func startMiddleEnd() throws {
        var s = try Self.session()
        // Start: the value begins on the key's line, wrapped under itself.
        let start = s.screen
        #expect(start.contains(#"payload = "w0000001 w0000002 w0000003"#))
        let startRows = Self.wordNumbers(start)
        Self.expectContiguous(startRows, s.grid)
        #expect(startRows.first { !$0.isEmpty }?.first == 1)
        let perLine = try #require(startRows.first { !$0.isEmpty }).count
        #expect(perLine >= 5)
        let (_, _, total, more) = try #require(Self.label(start))
        #expect(!more)   // ASCII: a megabyte is laid out at once
        #expect(total > Self.words / perLine)

        // Middle: J scrolls half a pane at a time; every screen is whole consecutive lines.
        var previousFirst = 1
        while let l = Self.label(s.screen), l.first < total / 2 {
            s.type("J")
            let now = try #require(Self.label(s.screen))
            #expect(now.first > l.first)
            if now.first >= total / 2 - 40 {
                let rows = Self.wordNumbers(s.screen)
                Self.expectContiguous(rows, s.grid)
                let first = try #require(rows.first { !$0.isEmpty }?.first)
                #expect(first > previousFirst)
                previousFirst = first
            }
        }
        let middleRows = Self.wordNumbers(s.screen)
        let middle = try #require(middleRows.first { !$0.isEmpty }?.first)
        #expect(abs(middle - Self.words / 2) < 40 * perLine)
        // Every row of the middle holds as many words as the first line (same width, same words).
        #expect(middleRows.filter { !$0.isEmpty }.allSatisfy { $0.count == perLine })
        s.type("K")
        let up = try #require(Self.wordNumbers(s.screen).first { !$0.isEmpty }?.first)
        #expect(up < middle)

        // End: } goes to the pane's last lines; the value ends with its last word and the quote.
        s.type("}")
        let end = s.screen
        #expect(end.contains(Self.word(Self.words) + "\""))
        let endLabel = try #require(Self.label(end))
        #expect(endLabel.last == endLabel.total)
        Self.expectContiguous(Self.wordNumbers(end), s.grid)
        #expect(Self.wordNumbers(end).last { !$0.isEmpty }?.last == Self.words)
        #expect(end.contains("size = "))
        // J past the end stays at the end, and K answers at once.
        s.type("JJJ")
        #expect(Self.label(s.screen)?.first == endLabel.first)
        s.type("K")
        #expect((Self.label(s.screen)?.first ?? 0) < endLabel.first)

        // { goes back to the start.
        s.type("{")
        #expect(s.screen.contains(#"payload = "w0000001 w0000002"#))
    }

    @Test("slow text is laid out a budget at a time as it is scrolled to, with the same lines")
    func budgeted() throws {
        let count = 20_000   // half a megabyte of double-width text, laid out 200,000 units at a time
        var s = try Self.session(wide: true, count: count)
        s.app.layoutBudget = 200_000
        s.press(.resize(width: 119, height: 40))   // a new width: laid out again, with this budget
        let start = try #require(Self.label(s.screen))
        #expect(start.more, "\(s.screen)")
        let perLine = try #require(Self.wordNumbers(s.screen).first { !$0.isEmpty }).count
        #expect(perLine >= 2)
        // Scroll to the end with J: every screen shows whole consecutive lines; the layout goes
        // on as its end comes into view (the total grows), so its "… N more bytes" line is laid
        // out past before it is seen.
        var totals: Set<Int> = [start.total]
        var previous = start
        var presses = 0
        while let l = Self.label(s.screen), l.more || l.last < l.total {
            s.type("J")
            presses += 1
            let screen = s.screen
            let now = try #require(Self.label(screen))
            #expect(now.first > previous.first || now.last == now.total)
            let rows = Self.wordNumbers(screen)
            Self.expectContiguous(rows, s.grid)
            totals.insert(now.total)
            if screen.contains(" more bytes to lay out") {
                let moreRow = try #require(screen.components(separatedBy: "\n").firstIndex { $0.contains(" more bytes to lay out") })
                let after = rows[(moreRow + 1)...].filter { !$0.isEmpty }
                #expect(after.isEmpty)
            }
            previous = now
            if presses > 20_000 { break }
        }
        #expect(totals.count >= 2, "\(totals)")
        #expect(Self.wordNumbers(s.screen).last { !$0.isEmpty }?.last == count)
        #expect(Self.label(s.screen)?.more == false)

        // } on a fresh session: the same end.
        var t = try Self.session(wide: true, count: count)
        t.app.layoutBudget = 200_000
        t.press(.resize(width: 119, height: 40))
        #expect(Self.label(t.screen)?.more == true)
        // } goes to the end of what is laid out and lays out one budget more: pressed until
        // the label has no "+", it reaches the end.
        var ends = 0
        repeat {
            t.type("}")
            ends += 1
            let rows = Self.wordNumbers(t.screen)
            Self.expectContiguous(rows, t.grid)
        } while Self.label(t.screen)?.more == true && ends < 1_000
        #expect(ends > 1)
        let end = t.screen
        #expect(Self.label(end)?.more == false)
        #expect(Self.wordNumbers(end).last { !$0.isEmpty }?.last == count, "\(String(describing: Self.label(end))) \(ends)")
        #expect(Self.label(end)?.total == Self.label(s.screen)?.total)
    }

    @Test("the layout follows the pane's width: a resize re-wraps the value")
    func resize() throws {
        var s = try Self.session()
        let narrow = try #require(Self.wordNumbers(s.screen).first { !$0.isEmpty }).count
        s.press(.resize(width: 200, height: 40))   // the detail pane goes beside the waterfall
        let rows = Self.wordNumbers(s.screen)
        Self.expectContiguous(rows, s.grid)
        let wide = try #require(rows.first { !$0.isEmpty }).count
        #expect(wide != narrow)
        s.type("}")
        #expect(Self.wordNumbers(s.screen).last { !$0.isEmpty }?.last == Self.words)
    }

    @Test("switching tabs and back keeps the value right")
    func tabs() throws {
        var s = try Self.session()
        s.type("2")
        #expect(s.screen.contains("No events."))
        s.type("1")
        #expect(s.screen.contains(#"payload = "w0000001"#))
        s.press(.tab)
        s.press(.tab)
        s.press(.tab)
        s.press(.tab)
        #expect(s.screen.contains(#"payload = "w0000001"#))
    }
}
