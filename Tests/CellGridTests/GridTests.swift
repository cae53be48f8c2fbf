import CellGrid
import Testing

/// The text of each cell in row `y`, continuation cells as "|".
func cells(_ grid: Grid, _ y: Int = 0) -> [String] {
    (0..<grid.width).map { grid[$0, y].isContinuation ? "|" : grid[$0, y].text }
}

@Suite("Grid.put")
struct GridPutTests {
    @Test("plain text fills one cell per character and returns the columns used")
    func plain() {
        var grid = Grid(width: 10, height: 2)
        #expect(grid.put("hello", x: 0, y: 0) == 5)
        #expect(grid.put("hi", x: 3, y: 1) == 2)
        #expect(grid.text == "hello\n   hi")
        #expect(cells(grid) == ["h", "e", "l", "l", "o", " ", " ", " ", " ", " "])
        #expect(grid.line(1, trimmingTrailingSpaces: false) == "   hi     ")
    }

    @Test("text is clipped to maxWidth")
    func maxWidth() {
        var grid = Grid(width: 10, height: 1)
        #expect(grid.put("hello world", x: 1, y: 0, maxWidth: 3) == 3)
        #expect(grid.line(0) == " hel")
        #expect(grid.put("xyz", x: 5, y: 0, maxWidth: 0) == 0)
        #expect(grid.line(0) == " hel")
    }

    @Test("text is clipped at the right edge")
    func edge() {
        var grid = Grid(width: 10, height: 1)
        #expect(grid.put("hello", x: 7, y: 0) == 3)
        #expect(grid.line(0) == "       hel")
        #expect(grid.put("x", x: 10, y: 0) == 0)
        #expect(grid.put("x", x: 9, y: 0, maxWidth: 50) == 1)
        #expect(grid.line(0) == "       hex")
    }

    @Test("rows outside the grid are ignored")
    func outsideRows() {
        var grid = Grid(width: 5, height: 1)
        #expect(grid.put("abc", x: 0, y: 1) == 0)
        #expect(grid.put("abc", x: 0, y: -1) == 0)
        #expect(grid == Grid(width: 5, height: 1))
    }

    @Test("text starting left of the grid shows only its visible part")
    func negativeX() {
        var grid = Grid(width: 5, height: 1)
        grid.put("abcd", x: -2, y: 0)
        #expect(cells(grid) == ["c", "d", " ", " ", " "])
    }

    @Test("wide characters take two cells")
    func wide() {
        var grid = Grid(width: 6, height: 1)
        #expect(grid.put("中文", x: 1, y: 0) == 4)
        #expect(cells(grid) == [" ", "中", "|", "文", "|", " "])
        #expect(grid.line(0) == " 中文")
    }

    @Test("a wide character that does not fit at the edge is not split; its place is blank")
    func wideAtEdge() {
        var grid = Grid(width: 5, height: 1)
        grid.fill("x", x: 0, y: 0, width: 5)
        #expect(grid.put("ab中文", x: 0, y: 0) == 5)
        #expect(cells(grid) == ["a", "b", "中", "|", " "])
        #expect(grid.line(0) == "ab中")
    }

    @Test("a wide character that does not fit in maxWidth is not split")
    func wideAtMaxWidth() {
        var grid = Grid(width: 8, height: 1)
        grid.fill("x", x: 0, y: 0, width: 8)
        #expect(grid.put("中文", x: 0, y: 0, maxWidth: 3) == 3)
        #expect(cells(grid) == ["中", "|", " ", "x", "x", "x", "x", "x"])
    }

    @Test("overwriting the right half of a wide character blanks its left half")
    func overwriteRightHalf() {
        var grid = Grid(width: 4, height: 1)
        grid.put("中", x: 0, y: 0)
        grid.put("x", x: 1, y: 0)
        #expect(cells(grid) == [" ", "x", " ", " "])
        #expect(grid.line(0) == " x")
    }

    @Test("overwriting the left half of a wide character blanks its right half")
    func overwriteLeftHalf() {
        var grid = Grid(width: 4, height: 1)
        grid.put("中", x: 0, y: 0)
        grid.put("x", x: 0, y: 0)
        #expect(cells(grid) == ["x", " ", " ", " "])
        #expect(!grid[1, 0].isContinuation)
    }

    @Test("a wide character over another wide one at the same place replaces it")
    func wideOverWide() {
        var grid = Grid(width: 4, height: 1)
        grid.put("中", x: 0, y: 0)
        grid.put("日", x: 0, y: 0)
        #expect(cells(grid) == ["日", "|", " ", " "])
    }

    @Test("a wide character straddling two wide characters leaves no stray half")
    func wideStraddlingWide() {
        var grid = Grid(width: 6, height: 1)
        grid.put("中文", x: 0, y: 0)
        grid.put("日", x: 1, y: 0)
        grid.put("x", x: 5, y: 0)
        #expect(cells(grid) == [" ", "日", "|", " ", " ", "x"])
        #expect(grid.line(0) == " 日  x")
        #expect(ANSIText.render(grid, palette: Palette(depth: .none)) == " 日  x\n")

        var second = Grid(width: 4, height: 1)
        second.put("a中", x: 0, y: 0)
        second.put("日", x: 0, y: 0)
        #expect(cells(second) == ["日", "|", " ", " "])
    }

    @Test("combining marks stay with their base character")
    func combining() {
        var grid = Grid(width: 5, height: 1)
        #expect(grid.put("e\u{0301}a", x: 0, y: 0) == 2)
        #expect(grid[0, 0].text == "e\u{0301}")
        #expect(grid[1, 0].text == "a")
        // A mark with no base in this text is dropped rather than given a cell.
        #expect(grid.put("\u{0301}b", x: 3, y: 0) == 1)
        #expect(grid[3, 0].text == "b")
    }

    @Test("emoji with VS16 and ZWJ sequences take two cells")
    func emoji() {
        var grid = Grid(width: 8, height: 1)
        #expect(grid.put("❤\u{FE0F}👨‍👩‍👧x", x: 0, y: 0) == 5)
        #expect(cells(grid) == ["❤\u{FE0F}", "|", "👨‍👩‍👧", "|", "x", " ", " ", " "])
    }

    @Test("each emoji cluster is one wide cell holding the whole cluster", arguments: [
        "👨\u{200D}👩\u{200D}👧",          // ZWJ family
        "\u{2764}\u{FE0F}",               // heart with VS16
        "👍🏽",                              // thumbs up, skin tone
        "🇫🇷",                              // flag: two regional indicators
        "1\u{FE0F}\u{20E3}",              // keycap
        "#\u{FE0F}\u{20E3}",
        "🏳\u{FE0F}\u{200D}🌈",           // rainbow flag: text-default base, VS16, ZWJ
        "🧑🏽\u{200D}💻",                   // ZWJ with a modifier
    ])
    func emojiClusters(cluster: String) {
        #expect(cluster.count == 1)
        #expect(DisplayWidth.of(cluster) == 2)
        var grid = Grid(width: 8, height: 1)
        #expect(grid.put("a" + cluster + "b", x: 0, y: 0) == 4)
        #expect(cells(grid) == ["a", cluster, "|", "b", " ", " ", " ", " "])
        #expect(grid.line(0) == "a" + cluster + "b")
        // Three in a row: two cells each, nothing split or merged.
        var row = Grid(width: 8, height: 1)
        #expect(row.put(cluster + cluster + cluster, x: 0, y: 0) == 6)
        #expect(cells(row) == [cluster, "|", cluster, "|", cluster, "|", " ", " "])
        // At the edge it is not split: its place is blank.
        var edge = Grid(width: 3, height: 1)
        #expect(edge.put("ab" + cluster, x: 0, y: 0) == 3)
        #expect(cells(edge) == ["a", "b", " "])
    }

    @Test("two flags are two clusters of two cells; a lone skin tone is its own wide swatch")
    func flagsAndModifiers() {
        var grid = Grid(width: 8, height: 1)
        #expect(grid.put("🇫🇷🇩🇪", x: 0, y: 0) == 4)
        #expect(cells(grid) == ["🇫🇷", "|", "🇩🇪", "|", " ", " ", " ", " "])
        #expect(DisplayWidth.of("🏽") == 2)
        #expect(DisplayWidth.of("x🏽") == 3)   // a modifier after a letter is drawn as a swatch beside it
        #expect(DisplayWidth.of("a\u{FE0F}") == 1)   // VS16 widens emoji only
    }

    @Test("bidi controls inside emoji text are escaped and the emoji keep their cells")
    func bidiAmongEmoji() {
        var grid = Grid(width: 30, height: 1)
        let used = grid.put("👍\u{202E}🏽 \u{200F}🇫🇷", x: 0, y: 0)
        #expect(grid.line(0) == "👍\\u{202e}🏽 \\u{200f}🇫🇷")
        // The override, now `}`, no longer joins the thumb and the tone: the tone is a swatch.
        #expect(used == 2 + 8 + 2 + 1 + 8 + 2)
        #expect(grid[9, 0].text == "}")
        #expect(grid[10, 0].text == "🏽" && grid[11, 0].isContinuation)
    }

    @Test("a skin tone after a letter is drawn as its own wide cell, not merged into the letter's")
    func strayModifier() {
        var grid = Grid(width: 8, height: 1)
        #expect(grid.put("x🏽y", x: 0, y: 0) == 4)
        #expect(cells(grid) == ["x", "🏽", "|", "y", " ", " ", " ", " "])
        #expect(DisplayWidth.pieces("x🏽🏽").map(\.width) == [1, 2, 2])
        #expect(DisplayWidth.pieces("👍🏽").map(\.width) == [2])
    }

    @Test("printable ASCII takes the fast path with the same cells as the general one")
    func asciiFastPath() {
        let text = "GET /api/v1/users?id=42 ~!@#$%^&*()_+{}|:<>?"
        var fast = Grid(width: 60, height: 1)
        var general = Grid(width: 60, height: 1)
        #expect(fast.put(text, x: 2, y: 0, style: .error, maxWidth: 30) == 30)
        // The same text with a combining mark at the end goes the general way.
        #expect(general.put(text + "e\u{0301}", x: 2, y: 0, style: .error, maxWidth: 30) == 30)
        #expect(fast == general)
        var left = Grid(width: 10, height: 1)
        #expect(left.put("abcdef", x: -3, y: 0) == 6)
        #expect(left.line(0) == "def")
    }

    @Test("control characters are shown escaped, never stored raw")
    func escapes() {
        var grid = Grid(width: 20, height: 1)
        #expect(grid.put("a\u{1B}[2Jb", x: 0, y: 0) == 7)
        #expect(grid.line(0) == "a\\e[2Jb")
    }

    @Test("styles are stored per cell")
    func styles() {
        var grid = Grid(width: 6, height: 1)
        grid.put("ab", x: 0, y: 0, style: .error)
        grid.put("中", x: 2, y: 0, style: .muted)
        #expect(grid[0, 0].style == .error)
        #expect(grid[1, 0].style == .error)
        #expect(grid[2, 0].style == .muted)
        #expect(grid[3, 0].style == .muted)
        #expect(grid[4, 0].style == .plain)
        grid.setStyle(.bold, x: 1, y: 0, width: 2)
        #expect(grid[0, 0].style == .error)
        #expect(grid[1, 0].style == .bold)
        #expect(grid[2, 0].style == .bold)
        #expect(grid[1, 0].text == "b")
    }

    @Test("fill, and drawing relative to an area, clipped to it")
    func fillAndAreas() {
        var grid = Grid(width: 6, height: 2)
        grid.fill("─", x: -2, y: 0, width: 5)
        #expect(grid.line(0) == "───")
        let area = Rect(x: 4, y: 1, width: 3, height: 1)
        #expect(grid.put("xyz", x: 0, y: 0, in: area) == 2)   // the grid's edge
        #expect(grid.put("nothing", x: 0, y: 1, in: area) == 0)   // below the area
        #expect(grid.text == "───\n    xy")
        var g2 = Grid(width: 10, height: 3)
        let inner = Rect(x: 2, y: 1, width: 4, height: 1)
        g2.put("abcdefgh", x: 1, y: 0, in: inner, style: .bold)
        g2.fill("=", x: -1, y: 0, width: 2, in: inner)
        g2.fill("#", x: -5, y: 0, width: 2, in: inner)   // wholly left of the area: nothing
        #expect(g2.text == "\n  =abc\n")
        #expect(g2.cell(x: 1, y: 0, in: inner)?.text == "a")
        #expect(g2.cell(x: 4, y: 0, in: inner) == nil)
        g2.setStyle(.error, x: 0, y: 0, width: 100, in: inner)
        #expect(g2[5, 1].style == .error && g2[6, 1].style == .plain)
    }

    @Test("a zero-sized grid accepts writes and draws nothing")
    func zeroSized() {
        var grid = Grid(width: -3, height: 0)
        #expect(grid.width == 0)
        #expect(grid.put("abc", x: 0, y: 0) == 0)
        #expect(grid.text == "")
    }
}

@Suite("No control character reaches a cell")
struct ControlCharacterTests {
    static func isControl(_ v: UInt32) -> Bool {
        v < 0x20 || v == 0x7F || (0x80..<0xA0).contains(v)
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x2028 || v == 0x2029
            || v == 0x061C || v == 0x200E || v == 0x200F || v == 0x200B || v == 0xFEFF
    }

    static let codePoints: [UInt32] = Array(0...0x9F) + [0xA0, 0xAD, 0x061C, 0x200B, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A, 0x202B,
                                                        0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF]

    @Test("put never stores a raw control character, whatever the text around it")
    func everyCodePoint() throws {
        for v in Self.codePoints {
            let c = String(Character(try #require(Unicode.Scalar(v))))
            for text in ["x" + c + "y", c, c + c, c + "\u{0301}", "中" + c, c + "中", "👍" + c + "🏽", "\u{2764}" + c + "\u{FE0F}"] {
                for maxWidth in [nil, 1, 2, 3] as [Int?] {
                    var grid = Grid(width: 12, height: 1)
                    grid.put(text, x: 1, y: 0, maxWidth: maxWidth)
                    for cell in grid.cells {
                        let bad = cell.text.unicodeScalars.filter { Self.isControl($0.value) }
                        #expect(bad.isEmpty, "U+\(String(v, radix: 16)) in \(text.debugDescription) -> \(cell.text.debugDescription)")
                    }
                }
            }
        }
    }

    @Test("each control character shows as its escape", arguments: [
        (UInt32(0x00), "\\x00"), (0x07, "\\x07"), (0x08, "\\x08"), (0x09, "\\t"), (0x0A, "\\n"), (0x0D, "\\r"),
        (0x1B, "\\e"), (0x1F, "\\x1f"), (0x7F, "\\x7f"), (0x80, "\\u{0080}"), (0x9B, "\\u{009b}"), (0x9F, "\\u{009f}"),
        (0x202E, "\\u{202e}"), (0x2066, "\\u{2066}"), (0x2028, "\\u{2028}"),
        (0x9D, "\\u{009d}"), (0x061C, "\\u{061c}"), (0x200E, "\\u{200e}"), (0x200F, "\\u{200f}"),
        (0x202A, "\\u{202a}"), (0x202D, "\\u{202d}"), (0x2069, "\\u{2069}"), (0x2029, "\\u{2029}"),
        (0x200B, "\\u{200b}"), (0xFEFF, "\\u{feff}"),
    ])
    func shownEscaped(value: UInt32, shown: String) throws {
        var grid = Grid(width: 20, height: 1)
        let c = Character(try #require(Unicode.Scalar(value)))
        grid.put("x" + String(c) + "y", x: 0, y: 0)
        #expect(grid.line(0) == "x" + shown + "y")
    }

    @Test("printable characters are stored as they are")
    func printable() throws {
        for v in UInt32(0x21)...0x7E {
            var grid = Grid(width: 5, height: 1)
            let c = String(Character(try #require(Unicode.Scalar(v))))
            #expect(grid.put("x" + c + "y", x: 0, y: 0) == 3)
            #expect(grid[1, 0].text == c)
        }
    }

    @Test("fill escapes control characters too")
    func fillEscapes() {
        var grid = Grid(width: 4, height: 1)
        grid.fill("\u{1B}", x: 0, y: 0, width: 2)
        #expect(grid.cells.allSatisfy { !$0.text.unicodeScalars.contains { Self.isControl($0.value) } })
        #expect(!ANSIText.render(grid, palette: Palette(depth: .none)).contains("\u{1B}"))
    }
}

@Suite("Rect")
struct RectTests {
    @Test("split rows and columns, inset, intersection")
    func helpers() {
        let r = Rect(x: 1, y: 2, width: 10, height: 5)
        #expect(r.splitRows(top: 2) == (Rect(x: 1, y: 2, width: 10, height: 2), Rect(x: 1, y: 4, width: 10, height: 3)))
        #expect(r.splitRows(top: 9).rest.isEmpty)
        #expect(r.splitColumns(left: 4) == (Rect(x: 1, y: 2, width: 4, height: 5), Rect(x: 5, y: 2, width: 6, height: 5)))
        #expect(r.inset(by: 1) == Rect(x: 2, y: 3, width: 8, height: 3))
        #expect(r.inset(left: 20).width == 0)
        #expect(r.intersection(Rect(x: 8, y: 0, width: 10, height: 3)) == Rect(x: 8, y: 2, width: 3, height: 1))
        #expect(r.intersection(Rect(x: 50, y: 50, width: 1, height: 1)).isEmpty)
        #expect(r.rows([1, 2, 0]) == [Rect(x: 1, y: 2, width: 10, height: 1), Rect(x: 1, y: 3, width: 10, height: 2),
                                      Rect(x: 1, y: 5, width: 10, height: 2)])
        #expect(r.row(4) == Rect(x: 1, y: 6, width: 10, height: 1))
        #expect(r.row(5).isEmpty)
        #expect(Rect(x: 0, y: 0, width: -3, height: 2).width == 0)
        #expect(r.contains(x: 1, y: 2) && !r.contains(x: 11, y: 2))
    }

    struct Label: Widget {
        var text: String
        func render(in area: Rect, into grid: inout Grid) {
            for y in 0..<area.height { grid.put(text, x: 0, y: y, in: area) }
        }
    }

    @Test("a widget draws only inside its area")
    func widgetClipped() {
        var grid = Grid(width: 8, height: 4)
        Label(text: "hello world").render(in: Rect(x: 2, y: 1, width: 4, height: 2), into: &grid)
        #expect(grid.text == "\n  hell\n  hell\n")
    }
}
