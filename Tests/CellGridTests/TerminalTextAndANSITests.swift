import CellGrid
import Testing

@Suite("TerminalText.escaped")
struct TerminalTextTests {
    @Test("control characters become visible escapes", arguments: [
        ("\u{1B}", "\\e"),
        ("\u{1B}]0;title\u{07}", "\\e]0;title\\x07"),
        ("\u{1B}[31mred", "\\e[31mred"),
        ("\u{07}", "\\x07"),
        ("\u{00}", "\\x00"),
        ("\u{1F}", "\\x1f"),
        ("a\nb", "a\\nb"),
        ("\r\n", "\\r\\n"),
        ("\t", "\\t"),
        ("\u{7F}", "\\x7f"),
        ("\u{80}", "\\u{0080}"),
        ("\u{9B}31m", "\\u{009b}31m"),
        ("\u{9F}", "\\u{009f}"),
        ("abc\u{202E}fed", "abc\\u{202e}fed"),
        ("\u{202A}\u{202B}\u{202C}\u{202D}", "\\u{202a}\\u{202b}\\u{202c}\\u{202d}"),
        ("\u{2066}x\u{2069}", "\\u{2066}x\\u{2069}"),
        ("line\u{2028}sep\u{2029}", "line\\u{2028}sep\\u{2029}"),
        ("\u{9D}0;x\u{9C}", "\\u{009d}0;x\\u{009c}"),             // OSC and ST as C1 controls
        ("a\u{061C}b", "a\\u{061c}b"),                           // arabic letter mark
        ("\u{200E}ltr\u{200F}rtl", "\\u{200e}ltr\\u{200f}rtl"),    // directional marks
        ("zero\u{200B}width", "zero\\u{200b}width"),
        ("\u{2060}\u{2064}\u{206A}\u{206F}", "\\u{2060}\\u{2064}\\u{206a}\\u{206f}"),
        ("\u{FEFF}bom", "\\u{feff}bom"),
        ("\u{FFF9}a\u{FFFB}", "\\u{fff9}a\\u{fffb}"),
        ("👍\u{202E}🏽", "👍\\u{202e}🏽"),
    ])
    func escapes(text: String, expected: String) {
        #expect(TerminalText.escaped(text) == expected)
    }

    @Test("plain text is unchanged", arguments: [
        "", "hello", "GET /api/v1/users?id=42&x=\\e", "café", "中文", "😀 ❤\u{FE0F}", "e\u{0301}", "\u{A0}", "\u{200D}", "~",
        "\u{202F}", "\u{2065}", "\u{200C}", "\u{00AD}", "\u{FE0F}", "\u{FFFC}", "\u{E0067}",
        "👨\u{200D}👩\u{200D}👧", "\u{2764}\u{FE0F}", "👍🏽", "🇫🇷", "1\u{FE0F}\u{20E3}", "ba\u{0308}r",
    ])
    func unchanged(text: String) {
        #expect(TerminalText.escaped(text) == text)
    }

    /// The escaped set, written out independently of the implementation.
    static func expectedEscaped(_ v: UInt32) -> Bool {
        v < 0x20 || v == 0x7F || (0x80...0x9F).contains(v)          // C0, DEL, C1
            || v == 0x061C || v == 0x200E || v == 0x200F               // bidi marks
            || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)   // embeddings, overrides, isolates
            || v == 0x2028 || v == 0x2029                              // line and paragraph separators
            || v == 0x200B || (0x2060...0x2064).contains(v) || (0x206A...0x206F).contains(v)
            || v == 0xFEFF || (0xFFF9...0xFFFB).contains(v)            // invisible format characters
    }

    @Test("needsEscaping is exactly the controls, the bidi controls, the separators and the invisible format characters")
    func needsEscaping() {
        var wrong: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            if TerminalText.needsEscaping(s) != Self.expectedEscaped(v) { wrong.append(v) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(20).map { "U+" + String($0, radix: 16) })")
    }

    @Test("the byte scan finds every escaped scalar, alone, between ASCII and between other scalars")
    func byteScanAgrees() {
        var wrong: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            let alone = String(Character(s))
            let expected = Self.expectedEscaped(v)
            for text in [alone, "ab" + alone + "cd", "é" + alone, alone + "中"] where TerminalText.containsEscapable(text) != expected {
                wrong.append(v)
            }
            if expected && TerminalText.escaped(alone) == alone { wrong.append(v) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(20).map { "U+" + String($0, radix: 16) })")
    }

    @Test("keepingNewlines escapes everything but line feeds")
    func keepingNewlines() {
        #expect(TerminalText.escaped("a\nb\u{1B}\r\n", keepingNewlines: true) == "a\nb\\e\\r\n")
        #expect(TerminalText.escaped("a\nb", keepingNewlines: true) == "a\nb")
        #expect(!TerminalText.containsEscapable("a\nb", keepingNewlines: true))
        #expect(TerminalText.containsEscapable("a\nb"))
    }
}

/// The SGR sequences in `text` and the text with them removed; nil if an ESC starts anything else.
func splitSGR(_ text: String) -> (sgr: [String], rest: String)? {
    var sgr: [String] = [], rest = ""
    var scalars = Array(text.unicodeScalars)[...]
    while let s = scalars.first {
        scalars.removeFirst()
        if s != "\u{1B}" { rest.unicodeScalars.append(s); continue }
        guard scalars.first == "[" else { return nil }
        scalars.removeFirst()
        var params = ""
        while let p = scalars.first, p == ";" || ("0"..."9").contains(p) { params.unicodeScalars.append(p); scalars.removeFirst() }
        guard scalars.first == "m" else { return nil }
        scalars.removeFirst()
        sgr.append(params)
    }
    return (sgr, rest)
}

@Suite("ANSIText.render")
struct ANSITextTests {
    func sample() -> Grid {
        var grid = Grid(width: 8, height: 2)
        grid.put("ab", x: 0, y: 0)
        grid.put("cd", x: 2, y: 0, style: .error)
        grid.put("ef", x: 5, y: 0, style: .error)
        grid.put("gh", x: 0, y: 1, style: .muted)
        return grid
    }

    @Test("256 colours: SGR only where the style changes, reset at line end")
    func full() {
        #expect(ANSIText.render(sample(), palette: Palette(depth: .full)) ==
            "ab\u{1B}[0;1;38;5;196mcd ef\u{1B}[0m\n\u{1B}[0;38;5;244mgh\u{1B}[0m\n")
    }

    @Test("8 colours: basic colour codes, muted as dim")
    func eight() {
        #expect(ANSIText.render(sample(), palette: Palette(depth: .eight)) ==
            "ab\u{1B}[0;1;31mcd ef\u{1B}[0m\n\u{1B}[0;2mgh\u{1B}[0m\n")
    }

    @Test("no colour: attributes only, no colour codes; muted text is dim, as in the viewer")
    func none() {
        #expect(ANSIText.render(sample(), palette: Palette(depth: .none)) ==
            "ab\u{1B}[0;1mcd ef\u{1B}[0m\n\u{1B}[0;2mgh\u{1B}[0m\n")
    }

    @Test("no colour: the selection is reverse video, so it is still told apart (NO_COLOR)")
    func noColourSelection() {
        var grid = Grid(width: 3, height: 1)
        grid.put("ab", x: 0, y: 0, style: Style(.service2, background: .selection, [.bold]))
        #expect(ANSIText.render(grid, palette: Palette(depth: .none)) == "\u{1B}[0;1;7mab\u{1B}[0m\n")
        let r = Palette(depth: .none).rendition(Style(.default, background: .selection))
        #expect(r.attributes.contains(.reverse) && r.foreground == nil && r.background == nil)
    }

    @Test("8 colours: a service on the selected row is never blue on blue")
    func eightColourSelection() {
        let p = Palette(depth: .eight)
        let selection = p.colorIndex(.selection)
        for role in ColorRole.services {
            #expect(p.colorIndex(role) != selection, "\(role)")
            let r = p.rendition(Style(role, background: .selection, [.bold]))
            #expect(r.foreground != r.background, "\(role)")
        }
        for role in ColorRole.allCases where role != .selection {
            let r = p.rendition(Style(role, background: .selection))
            #expect(r.foreground == nil || r.foreground != r.background, "\(role)")
        }
    }

    @Test("a plain grid has no escape sequences at all")
    func plain() {
        var grid = Grid(width: 10, height: 3)
        grid.put("hello", x: 0, y: 0)
        grid.put("中文", x: 2, y: 2)
        #expect(ANSIText.render(grid, palette: Palette(depth: .full)) == "hello\n\n  中文\n")
    }

    @Test("backgrounds, reverse and underline are written, including on spaces")
    func attributes() {
        var grid = Grid(width: 6, height: 1)
        grid.put(" x", x: 0, y: 0, style: Style(.default, background: .selection))
        grid.put("▍", x: 2, y: 0, style: Style(.service0, [.reverse]))
        grid.put(" ", x: 3, y: 0, style: Style(.default, [.underline]))
        #expect(ANSIText.render(grid, palette: Palette(depth: .full)) ==
            "\u{1B}[0;48;5;24m x\u{1B}[0;7;38;5;33m▍\u{1B}[0;4m \u{1B}[0m\n")
        #expect(ANSIText.render(grid, palette: Palette(depth: .eight)) ==
            "\u{1B}[0;44m x\u{1B}[0;7;32m▍\u{1B}[0;4m \u{1B}[0m\n")
    }

    @Test("the only escapes in the output are SGR, even when the text put in had ESC, CSI and OSC")
    func hostileText() throws {
        var grid = Grid(width: 60, height: 3)
        grid.put("\u{1B}]52;c;cHduZWQ=\u{07}", x: 0, y: 0, style: .error)
        grid.put("\u{9B}2J\u{1B}[?1049h", x: 0, y: 1, style: Style(.service3, [.bold, .underline]))
        grid.put("ok \u{1B}P+q\u{1B}\\", x: 0, y: 2)
        for depth in [Palette.Depth.none, .eight, .full] {
            let out = ANSIText.render(grid, palette: Palette(depth: depth))
            let parts = try #require(splitSGR(out), "an ESC that does not start an SGR: \(out.debugDescription)")
            #expect(!parts.rest.unicodeScalars.contains { TerminalText.needsEscaping($0) && $0 != "\n" })
            #expect(parts.rest == "\\e]52;c;cHduZWQ=\\x07\n\\u{009b}2J\\e[?1049h\nok \\eP+q\\e\\\n")
            // Two style changes on the styled lines, none on the plain one.
            #expect(parts.sgr.count == 4)
        }
    }

    @Test("without colour no colour parameter is ever written, whatever the roles")
    func noColourCodes() throws {
        var grid = Grid(width: ColorRole.allCases.count * 2, height: 2)
        for (i, role) in ColorRole.allCases.enumerated() {
            grid.put("x", x: i * 2, y: 0, style: Style(role))
            grid.put("y", x: i * 2, y: 1, style: Style(.default, background: role, [.bold]))
        }
        let parts = try #require(splitSGR(ANSIText.render(grid, palette: Palette(depth: .none))))
        let params = Set(parts.sgr.flatMap { $0.split(separator: ";").map(String.init) })
        // Bold, dim (muted) and reverse (the selection's background) only.
        #expect(params.isSubset(of: ["0", "1", "2", "7"]))
    }
}

@Suite("Palette")
struct PaletteTests {
    @Test("no colour depth maps every role to the default")
    func none() {
        for role in ColorRole.allCases { #expect(Palette(depth: .none).colorIndex(role) == nil) }
    }

    @Test("8-colour indices are basic colours; the default and muted roles stay default")
    func eight() {
        let p = Palette(depth: .eight)
        for role in ColorRole.allCases where role != .default && role != .muted {
            let index = p.colorIndex(role)
            #expect(index != nil && index! >= 1 && index! <= 7, "\(role)")
        }
        #expect(p.colorIndex(.default) == nil)
        #expect(p.colorIndex(.muted) == nil)
        #expect(p.colorIndex(.error) == 1)
        #expect(p.colorIndex(.warning) == 3)
        #expect(p.colorIndex(.ok) == 2)
    }

    @Test("256-colour indices")
    func full() {
        let p = Palette(depth: .full)
        for role in ColorRole.allCases where role != .default {
            let index = p.colorIndex(role)
            #expect(index != nil && index! >= 16 && index! <= 255, "\(role)")
        }
        #expect(p.colorIndex(.default) == nil)
        #expect(p.colorIndex(.error) == 196)
        #expect(p.colorIndex(.muted) == 244)
        #expect(Set(ColorRole.services.compactMap { p.colorIndex($0) }).count == 8)
    }

    @Test("service colours are stable per name (FNV-1a mod 8)", arguments: [
        ("frontend", ColorRole.service5), ("auth", .service7), ("payments", .service6), ("worker", .service7),
        ("", .service5), ("checkout", .service1),
    ])
    func serviceColour(name: String, role: ColorRole) {
        #expect(ColorRole.service(name) == role)
        #expect(ColorRole.service(name) == ColorRole.service(String(name)))
    }
}
