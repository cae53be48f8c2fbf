/// A grid as text with SGR colour sequences, for `spanview print --color`. The only
/// escape sequences in the output are the ones written here; cell text was escaped
/// when it went into the grid.
public enum ANSIText {
    public static func render(_ grid: Grid, palette: Palette) -> String {
        var out = ""
        for y in 0..<grid.height {
            var current = Style.plain
            var line = ""
            var pendingSpaces = ""
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if cell.text == " " && cell.style.background == .default && !cell.style.attributes.contains(.reverse) && !cell.style.attributes.contains(.underline) {
                    pendingSpaces += " "
                    continue
                }
                line += pendingSpaces
                pendingSpaces = ""
                if cell.style != current {
                    line += sgr(cell.style, palette)
                    current = cell.style
                }
                line += cell.text
            }
            if current != .plain { line += "\u{1B}[0m" }
            out += line + "\n"
        }
        return out
    }

    static func sgr(_ style: Style, _ palette: Palette) -> String {
        let r = palette.rendition(style)
        var codes = ["0"]
        if r.attributes.contains(.bold) { codes.append("1") }
        if r.attributes.contains(.dim) { codes.append("2") }
        if r.attributes.contains(.underline) { codes.append("4") }
        if r.attributes.contains(.reverse) { codes.append("7") }
        if let fg = r.foreground { codes.append(fg < 8 ? "3\(fg)" : "38;5;\(fg)") }
        if let bg = r.background { codes.append(bg < 8 ? "4\(bg)" : "48;5;\(bg)") }
        return "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}
