import Foundation
import CellGrid
import SpanFormats
import SpanIngest
import SpanWidgets

/// The progress bar in the status line while files are read: bytes and percent, spans and
/// traces so far, rate and time left. It goes when the files are read.
extension App {
    /// Bytes read and to read over every file still loading or loaded (live input has no size).
    var loadedBytes: (done: Int64, total: Int64) {
        inputs.reduce((0, 0)) { sum, input in
            guard let p = input.progress, !input.isLive else { return sum }
            let done = input.end == nil ? p.done : p.total
            return (sum.0 + done, sum.1 + p.total)
        }
    }

    func drawProgress(_ loading: LoadProgress, into grid: inout Grid, y: Int, width: Int) {
        let bytes = loadedBytes
        let fraction = bytes.total > 0 ? min(1, Double(bytes.done) / Double(bytes.total)) : 0
        let reading = inputs.filter { !$0.isLive && $0.end == nil }
        var name = reading.count == 1 ? reading[0].shortName : "\(reading.count) files"
        if DisplayWidth.of(name) > 28 { name = String(name.prefix(27)) + glyphs.ellipsis }
        let strong = Style(.default, background: .selection, [.bold])
        let plain = Style(.default, background: .selection)
        var x = 1
        x += grid.put("Reading \(name) ", x: x, y: y, style: strong, maxWidth: max(0, width - x))
        let barWidth = max(0, min(30, width / 5))
        if barWidth >= 4 && x + barWidth < width {
            let filled = Int((Double(barWidth) * fraction).rounded(.down))
            let full = glyphs.full, empty = glyphs.progressEmpty
            x += grid.put(String(repeating: full, count: filled), x: x, y: y, style: Style(.accent, background: .selection))
            x += grid.put(String(repeating: empty, count: barWidth - filled), x: x, y: y, style: Style(.muted, background: .selection))
        }
        // Most wanted first; a part that does not fit whole is left out, and so are the rest.
        var parts = [" \(Int((fraction * 100).rounded(.down)))%", " · \(Self.byteText(bytes.done)) of \(Self.byteText(bytes.total))",
                     " · \(Self.countText(store.spanCount)) spans", " · \(Self.countText(store.traceCount)) traces"]
        let rate = loading.rate(done: bytes.done)
        if rate > 0 {
            let left = Double(bytes.total - bytes.done) / rate
            if left >= 1 { parts.append(" · \(Int(left.rounded())) s left") }
            parts.append(" · \(Self.byteText(Int64(rate)))/s")
        }
        for part in parts {
            guard x + DisplayWidth.of(part) <= width else { break }
            x += grid.put(glyphs.text(part), x: x, y: y, style: plain)
        }
    }

    /// `830 MB`, `1.85 GB`, `512 KB`, `12 B` (decimal units, as `ls -h --si` and disks).
    public static func byteText(_ n: Int64) -> String {
        let units: [(Double, String)] = [(1e9, "GB"), (1e6, "MB"), (1e3, "KB")]
        for (size, unit) in units where Double(n) >= size {
            let v = Double(n) / size
            return (v < 10 ? String(format: "%.2f", v) : v < 100 ? String(format: "%.1f", v) : String(Int(v))) + " " + unit
        }
        return "\(n) B"
    }

    /// `1,234,567`.
    public static func countText(_ n: Int) -> String {
        var digits = Array(String(n))
        var i = digits.count - 3
        while i > 0 {
            digits.insert(",", at: i)
            i -= 3
        }
        return String(digits)
    }
}
