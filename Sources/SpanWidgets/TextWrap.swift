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
            var line = "", lineWidth = 0
            var lastSpace: (index: String.Index, width: Int)?
            for ch in escaped {
                let w = DisplayWidth.of(ch)
                if lineWidth + w > width {
                    if let space = lastSpace, space.width > 0 {
                        let head = String(line[..<space.index])
                        let tail = String(line[line.index(after: space.index)...])
                        result.append(head)
                        line = tail
                        lineWidth = DisplayWidth.of(tail)
                    } else {
                        result.append(line)
                        line = ""
                        lineWidth = 0
                    }
                    lastSpace = nil
                }
                if ch == " " { lastSpace = (line.endIndex, lineWidth) }
                line.append(ch)
                lineWidth += w
            }
            result.append(line)
        }
        return result
    }
}
