import Foundation
import Testing

/// Numbers from the command line and the environment are bounded (no trap, no gigabyte
/// grid), and text that could fool a terminal or a reader comes out escaped.
@Suite("Bounded numbers and escaped text")
struct BoundsAndTextTests {
    /// Terminal columns of a line of this output: the emoji clusters used here take 2, every
    /// other character (ASCII, box drawing, block elements, escapes) 1.
    static func width(_ line: Substring) -> Int {
        line.reduce(0) { total, c in
            let wide = c.unicodeScalars.contains { $0.value >= 0x1F000 || $0.value == 0xFE0F }
            return total + (wide ? 2 : 1)
        }
    }

    @Test("print --width outside 40...1000 is a clear usage error, never a crash", arguments: [
        "0", "39", "-1", "1001", "10000000", "2147483647", "9223372036854775807", "99999999999999999999", "-9223372036854775808",
    ])
    func widthOutOfRange(width: String) throws {
        let result = try CLI.run(["print", "--width", width, CLI.sample("payment-timeout.json")])
        #expect(result.status == 64, "\(result.status) \(result.stderr)")
        #expect(result.stderr.contains("--width"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("print --width 40 and 1000 draw lines exactly that wide at most, the axis filling the width", arguments: [40, 1000])
    func widthBounds(width: Int) throws {
        let result = try CLI.run(["print", "--width", String(width), "--color", "never", CLI.sample("payment-timeout.json")])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { Self.width($0) <= width })
        #expect(lines.map(Self.width).max()! > width - 20)
    }

    @Test("a terminal width from COLUMNS is used when it is sane and clamped when it is not", arguments: [
        ("60", 60), ("2147483647", 1000), ("99999999999999999999", 1000), ("5", 40), ("abc", 120), ("-3", 120), ("", 120),
    ])
    func columnsVariable(columns: String, expected: Int) throws {
        let result = try CLI.run(["print", "--color", "never", CLI.sample("payment-timeout.json")], environment: ["COLUMNS": columns])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { Self.width($0) <= expected })
        // The bar column ends near the width: some line reaches the last 12 columns.
        #expect(lines.map(Self.width).max()! > expected - 12, "\(lines.map(Self.width).max()!)")
    }

    @Test("--max-spans: below 1 or beyond Int is a usage error; the largest Int is accepted", arguments: [
        ("0", true), ("-5", true), ("99999999999999999999", true), ("9223372036854775807", false),
    ])
    func maxSpans(value: String, rejected: Bool) throws {
        // No terminal here: an accepted value gets as far as opening the terminal, and fails there cleanly.
        let result = try CLI.runDetached(["--max-spans", value, CLI.sample("payment-timeout.json")])
        if rejected {
            #expect(result.status == 64, "\(result.status) \(result.stderr)")
            #expect(result.stderr.contains("max-spans"), "\(result.stderr)")
        } else {
            #expect(result.status == 1, "\(result.status) \(result.stderr)")
            #expect(result.stderr.hasPrefix("spanview: "), "\(result.stderr)")
        }
    }

    /// Characters that must never come out raw: C1 controls (CSI, OSC, ST), bidi controls,
    /// separators and invisible format characters. Built from escapes: no raw one is in this file.
    static let hostile: [UInt32] = [0x9B, 0x9D, 0x9C, 0x85, 0x7F, 0x1B, 0x07, 0x202E, 0x202D, 0x202A, 0x2066, 0x2069,
                                    0x200E, 0x200F, 0x061C, 0x2028, 0x2029, 0x200B, 0xFEFF]
    static func isHostile(_ v: UInt32) -> Bool {
        v < 0x20 || (0x7F...0x9F).contains(v) || [0x061C, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF].contains(v)
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || (0x2060...0x2064).contains(v)
    }

    /// A JSON string literal holding each hostile character, as \u escapes in the trace file.
    static var hostileJSON: String {
        hostile.map { v in
            let hex = String(v, radix: 16)
            return "x\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }.joined() + "y"
    }

    /// The emoji clusters, as \u escapes in JSON (surrogate pairs for astral scalars).
    static var emojiJSON: String {
        let clusters = ["\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "\u{2764}\u{FE0F}", "\u{1F44D}\u{1F3FD}",
                        "\u{1F1EB}\u{1F1F7}", "1\u{FE0F}\u{20E3}"]
        return clusters.joined(separator: " ").utf16.map { u in
            let hex = String(u, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }.joined()
    }

    /// `text` without its SGR sequences (ESC [ digits and semicolons m); any other ESC stays.
    static func removingSGR(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars[...]
        while let s = scalars.first {
            if s == "\u{1B}" {
                var rest = scalars.dropFirst()
                if rest.first == "[" {
                    rest = rest.dropFirst()
                    while let p = rest.first, p == ";" || ("0"..."9").contains(p) { rest = rest.dropFirst() }
                    if rest.first == "m" { scalars = rest.dropFirst(); continue }
                }
            }
            out.append(s)
            scalars = scalars.dropFirst()
        }
        return String(out)
    }

    static func traceFile() throws -> URL {
        let name = "evil " + hostileJSON
        let span = #"{"Name":"\#(name)","SpanContext":{"TraceID":"0af7651916cd43dd8448eb211c80319c","SpanID":"b7ad6b7169203331","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false},"SpanKind":1,"StartTime":"2024-05-01T12:00:00Z","EndTime":"2024-05-01T12:00:01Z","Attributes":null,"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"svc\#(hostileJSON)"}}],"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":""}}"#
        let child = #"{"Name":"\#(emojiJSON)","SpanContext":{"TraceID":"0af7651916cd43dd8448eb211c80319c","SpanID":"b7ad6b7169203332","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"0af7651916cd43dd8448eb211c80319c","SpanID":"b7ad6b7169203331","TraceFlags":"01","TraceState":"","Remote":false},"SpanKind":1,"StartTime":"2024-05-01T12:00:00Z","EndTime":"2024-05-01T12:00:01Z","Attributes":null,"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"svc\#(hostileJSON)"}}],"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":""}}"#
        return try CLI.temporaryFile(Data((span + "\n" + child + "\n").utf8))
    }

    @Test("summary --json writes C1 controls, bidi controls and separators only as \\u escapes, and they decode back")
    func summaryJSON() throws {
        let file = try Self.traceFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["summary", "--json", file.path])
        #expect(result.status == 0, "\(result.stderr)")
        let raw = result.stdout.unicodeScalars.filter { Self.isHostile($0.value) && $0 != "\n" }
        #expect(raw.isEmpty, "raw: \(raw.map { String($0.value, radix: 16) })")
        for v in Self.hostile {
            let hex = String(v, radix: 16)
            #expect(result.stdout.contains("\\u" + String(repeating: "0", count: 4 - hex.count) + hex), "U+\(hex)")
        }
        // Still valid JSON with the same strings in it.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let trace = try #require((json["traces"] as? [[String: Any]])?.first)
        let expectedName = "evil " + Self.hostile.map { "x" + String(Character(Unicode.Scalar($0)!)) }.joined() + "y"
        #expect((trace["roots"] as? [String]) == [expectedName])
        // The emoji pass through as they are (they are text, not controls).
        #expect(result.stdout.contains("svcx"))
    }

    @Test("print and summary text show every hostile character escaped; emoji take two columns each", arguments: ["never", "always"])
    func printAndSummaryText(color: String) throws {
        let file = try Self.traceFile()
        defer { try? FileManager.default.removeItem(at: file) }
        let print = try CLI.run(["print", "--width", "200", "--color", color, file.path])
        #expect(print.status == 0, "\(print.stderr)")
        let withoutSGR = Self.removingSGR(print.stdout)
        #expect(!withoutSGR.unicodeScalars.contains { Self.isHostile($0.value) && $0 != "\n" })
        // The name column cuts the long name: the first few escapes are in it.
        for shown in [#"evil x\u{009b}x\u{009d}x\u{009c}x\u{0085}x\x7fx\ex\x07x\u{202e}"#] {
            #expect(withoutSGR.contains(shown), "\(shown)")
        }
        // Every row is drawn to the same width grid: the emoji row's service column lines up
        // with the other row's (its name took 5 clusters x 2 + 4 spaces = 14 columns).
        let lines = withoutSGR.split(separator: "\n")
        let rows = Array(lines.dropFirst(2))   // after the header and the axis
        #expect(rows.count == 2)
        let columns = rows.map { row -> Int in
            let prefix = row[..<row.range(of: "svcx")!.lowerBound]
            return Self.width(prefix)
        }
        #expect(columns.count == 2 && columns[0] == columns[1], "\(columns)")
        #expect(rows.allSatisfy { Self.width($0) <= 200 })

        let summary = try CLI.run(["summary", file.path])
        #expect(summary.status == 0)
        #expect(!summary.stdout.unicodeScalars.contains { Self.isHostile($0.value) && $0 != "\n" })
        let all = #"x\u{009b}x\u{009d}x\u{009c}x\u{0085}x\x7fx\ex\x07x\u{202e}x\u{202d}x\u{202a}x\u{2066}x\u{2069}"#
            + #"x\u{200e}x\u{200f}x\u{061c}x\u{2028}x\u{2029}x\u{200b}x\u{feff}y"#
        #expect(summary.stdout.contains("evil " + all), "\(summary.stdout)")
        #expect(summary.stdout.contains("svc" + all))
    }
}
