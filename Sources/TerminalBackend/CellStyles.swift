import CNCursesW
import CellGrid

/// Turns a `Style` into ncurses attributes and a colour pair, allocating pairs on demand
/// (`alloc_pair`, ncurses 6.1+) and remembering each answer. Only used while colours
/// have been started: `alloc_pair` crashes before `start_color()`.
struct CellStyles {
    struct Rendition {
        var attributes: attr_t
        var pair: Int16
    }

    let palette: Palette
    /// Whether -1 (the terminal's own colour) may be used, i.e. `use_default_colors()` worked.
    let defaultColors: Bool
    private var cache: [Style: Rendition] = [:]

    init(palette: Palette, defaultColors: Bool) {
        self.palette = palette
        self.defaultColors = defaultColors
    }

    mutating func rendition(_ style: Style) -> Rendition {
        if let known = cache[style] { return known }
        // The palette decides colours and attributes for its depth (reverse video for the
        // selection without colour, dim for muted text without a grey), as for print --color.
        let r = palette.rendition(style)
        var attributes = cn_a_normal()
        if r.attributes.contains(.bold) { attributes |= cn_a_bold() }
        if r.attributes.contains(.dim) { attributes |= cn_a_dim() }
        if r.attributes.contains(.reverse) { attributes |= cn_a_reverse() }
        if r.attributes.contains(.underline) { attributes |= cn_a_underline() }
        let result = Rendition(attributes: attributes, pair: pair(r.foreground, r.background))
        cache[style] = result
        return result
    }

    /// The pair for two roles; 0 (the terminal's colours) when neither has a colour,
    /// colours are off, or pairs ran out.
    private func pair(_ fg: Int?, _ bg: Int?) -> Int16 {
        guard palette.depth != .none else { return 0 }
        if fg == nil && bg == nil { return 0 }
        let number = alloc_pair(Int32(fg ?? defaultColor(COLOR_WHITE)), Int32(bg ?? defaultColor(COLOR_BLACK)))
        guard number > 0, number <= Int32(Int16.max) else { return 0 }
        return Int16(number)
    }

    private func defaultColor(_ fallback: Int32) -> Int {
        defaultColors ? -1 : Int(fallback)
    }
}
