import CellGrid
import Foundation
import SpanAnalysis
import SpanIngest
import SpanStore
import SpanviewKit
import SpanWidgets
import Testing

@Suite("spanview print")
struct PrintTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

    func printed(_ files: [String], width: Int = 100, color: Bool = false, glyphs: Glyphs) throws -> String {
        let inputs = try InputLoader.load(files.map { Self.samples.appendingPathComponent($0).path })
        var out = ""
        WaterfallPrinter(width: width, color: color, palette: Palette(depth: .eight), glyphs: glyphs)
            .print(inputs.store, traces: Array(inputs.store.traces.indices)) { out += $0 }
        return out
    }

    @Test("--ascii: the whole output is ASCII (separators, ellipses, µs, flags, marks), with and without colour")
    func asciiOnly() throws {
        for width in [40, 100, 200] {
            for color in [false, true] {
                let out = try printed(["payment-timeout.json", "order-inventory.jsonl", "interleaved.jsonl", "fanout.json"],
                                      width: width, color: color, glyphs: .ascii)
                #expect(!out.isEmpty)
                #expect(out.utf8.allSatisfy { $0 < 0x80 }, "width \(width), colour \(color)")
            }
        }
        // The Unicode output of the same traces has the characters that ASCII replaces.
        let unicode = try printed(["payment-timeout.json", "interleaved.jsonl"], glyphs: .unicode)
        #expect(unicode.contains("·") && unicode.contains("✗"))
    }

    @Test("print is the viewer's waterfall: header, axis, then rows in chunks, columns as the widget's")
    func chunks() throws {
        let inputs = try InputLoader.load([Self.samples.appendingPathComponent("order-inventory.jsonl").path])
        let tree = TraceTree(inputs.store.traces[inputs.store.traces.startIndex])
        let grids = WaterfallPrinter(width: 100, color: false).grids(tree)
        #expect(grids.count == 1)
        let lines = grids[0].text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Trace " + tree.traceID.hex))
        #expect(lines[1].hasPrefix("  span") && lines[1].contains("service") && lines[1].contains("duration ╷0"))
        #expect(lines.count == 2 + tree.count)
        let c = WaterfallColumns(width: 100, longestService: 17)
        #expect(lines[1].dropFirst(c.serviceX).hasPrefix("service"))
    }

    @Test("--critical-path marks exactly the path's spans, with ━ (@ in ASCII) where there is no colour")
    func criticalPath() throws {
        let inputs = try InputLoader.load([Self.samples.appendingPathComponent("payment-timeout.json").path])
        let tree = TraceTree(inputs.store.traces[inputs.store.traces.startIndex])
        let path = CriticalPath.compute(tree)
        for glyphs in [Glyphs.unicode, .ascii] {
            var printer = WaterfallPrinter(width: 120, color: false, glyphs: glyphs)
            printer.criticalPath = true
            var out = ""
            printer.print(inputs.store, traces: [inputs.store.traces.startIndex]) { out += $0 }
            let lines = out.split(separator: "\n")
            for i in tree.spans.indices {
                let line = try #require(lines.first { $0.contains(tree.spans[i].name) })
                let marked = line.contains(glyphs.criticalBar)
                #expect(marked == (path.onPath[i] > 0), "\(tree.spans[i].name): \(line)")
            }
            printer.criticalPath = false
            var plain = ""
            printer.print(inputs.store, traces: [inputs.store.traces.startIndex]) { plain += $0 }
            #expect(!plain.contains(glyphs.criticalBar))
        }
    }
}
