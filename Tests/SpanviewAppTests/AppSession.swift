import SpanIngest
import CellGrid
import Foundation
import SpanFormats
import SpanModel
import SpanviewApp
import SpanviewKit
import SpanWidgets
import TerminalInput

/// A scripted session: an App fed keys as a user types them, read back as screen text.
struct AppSession {
    var app: App

    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples")

    init(_ files: [String], width: Int = 120, height: Int = 40, glyphs: Glyphs = .unicode) throws {
        let inputs = try InputLoader.load(files.map { Self.samples.appendingPathComponent($0).path })
        app = App(inputs: inputs, width: width, height: height, glyphs: glyphs, useColor: false)
    }

    init(inputs: LoadedInputs, width: Int = 120, height: Int = 40) {
        app = App(inputs: inputs, width: width, height: height, glyphs: .unicode, useColor: false)
    }

    /// Types keys; a string is typed character by character.
    mutating func type(_ text: String) {
        for c in text { app.handle(.character(c)) }
    }

    mutating func press(_ keys: Key...) {
        for key in keys { app.handle(key) }
    }

    var grid: Grid { app.render() }
    var screen: String { grid.text }
    var lines: [String] { screen.components(separatedBy: "\n") }
    var statusLine: String { lines.last ?? "" }

    /// The row drawn with the selection background (the cursor).
    var selectedLine: String? {
        let g = grid
        for y in 0..<(g.height - 1) where g[g.width - 1, y].style.background == .selection || g[0, y].style.background == .selection {
            return g.line(y)
        }
        return nil
    }
}

/// What a live source delivers, as the inbox hands it to the app: `spans`, the input's totals
/// so far, and its end.
func liveUpdate(spans: [Span] = [], stats: ReadStats = ReadStats(), ended: Bool = false, source: Int = 0) -> [Inbox.Delivery] {
    var batch = ReadBatch()
    batch.spans = spans
    batch.stats = stats
    if ended { batch.end = .complete }
    return [Inbox.Delivery(source: source, batches: [batch])]
}
