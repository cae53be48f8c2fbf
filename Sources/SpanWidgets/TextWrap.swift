import CellGrid

/// Wraps text to a width in terminal cells (after escaping control characters), breaking
/// at spaces when it can and inside long words when it must. Explicit newlines break too.
public enum TextWrap {
    public static func lines(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var result: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let escaped = TerminalText.escaped(String(paragraph))
            if escaped.isEmpty { result.append(""); continue }
            var line: [Character] = [], lineWidth = 0
            var lastSpace: Int?   // index in `line` of the last space
            func flush(_ chars: ArraySlice<Character>) {
                var s = String(chars)
                while s.hasSuffix(" ") && s.count > 0 { s.removeLast() }
                result.append(s)
            }
            for ch in escaped {
                let w = DisplayWidth.of(ch)
                if ch == " " && lineWidth + w > width {
                    // A space at the wrap point ends the line and is dropped.
                    flush(line[...])
                    line = []; lineWidth = 0; lastSpace = nil
                    continue
                }
                if lineWidth + w > width {
                    if let space = lastSpace, space > 0 {
                        // Break at the last space: the word moves down, the space goes.
                        flush(line[..<space])
                        line = Array(line[(space + 1)...])
                        lineWidth = line.reduce(0) { $0 + DisplayWidth.of($1) }
                    } else {
                        flush(line[...])
                        line = []
                        lineWidth = 0
                    }
                    lastSpace = nil
                }
                if ch == " " && line.isEmpty && !result.isEmpty { continue }   // no leading space after a wrap
                if ch == " " { lastSpace = line.count }
                line.append(ch)
                lineWidth += w
            }
            flush(line[...])
        }
        return result
    }
}
