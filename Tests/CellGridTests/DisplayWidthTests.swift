import CellGrid
import Testing

@Suite("DisplayWidth")
struct DisplayWidthTests {
    @Test("widths of single scalars", arguments: [
        (UInt32(0x61), 1),      // a
        (0x20, 1),              // space
        (0x7E, 1),              // ~
        (0x00, 0),              // NUL
        (0x1B, 0),              // ESC
        (0x7F, 0),              // DEL
        (0x85, 0),              // NEL (C1)
        (0x9F, 0),
        (0xA0, 1),              // no-break space
        (0xE9, 1),              // é
        (0x0301, 0),            // combining acute
        (0x036F, 0),
        (0x0370, 1),
        (0x200B, 0),            // zero-width space
        (0x200D, 0),            // zero-width joiner
        (0xFE0F, 0),            // VS16
        (0x4E2D, 2),            // 中
        (0x3042, 2),            // あ
        (0xAC00, 2),            // 가
        (0xFF21, 2),            // fullwidth A
        (0xFF61, 1),            // halfwidth ｡
        (0x1F600, 2),           // 😀
        (0x1F680, 2),           // 🚀
        (0x2764, 1),            // ❤ (text presentation by default)
        (0x231A, 2),            // ⌚
        (0x1F3FD, 0),           // skin tone modifier
        (0x20000, 2),           // CJK extension B
        (0x2500, 1),            // ─
        (0x2588, 1),            // █
    ])
    func scalar(value: UInt32, width: Int) throws {
        let scalar = try #require(Unicode.Scalar(value))
        #expect(DisplayWidth.of(scalar) == width, "U+\(String(value, radix: 16))")
    }

    @Test("widths of grapheme clusters", arguments: [
        ("a", 1),
        ("中", 2),
        ("😀", 2),
        ("e\u{0301}", 1),               // e + combining acute
        ("\u{2764}\u{FE0F}", 2),        // ❤️: VS16 makes it wide
        ("\u{2764}", 1),
        ("#\u{FE0F}\u{20E3}", 2),       // keycap
        ("👍🏽", 2),                     // thumbs up + skin tone
        ("👨‍👩‍👧", 2),                     // ZWJ family
        ("🇺🇸", 2),                      // flag
        ("한", 2),
        ("🇫🇷", 2),                      // flag
        ("1\u{FE0F}\u{20E3}", 2),        // keycap 1
        ("❤️", 2),
        ("👩🏿\u{200D}🚀", 2),             // ZWJ with a skin tone
        ("🏳\u{FE0F}\u{200D}🌈", 2),      // rainbow flag
        ("\u{263A}", 1),                  // ☺ text presentation
        ("\u{263A}\u{FE0F}", 2),          // ☺️ emoji presentation
        ("🏽", 2),                        // a skin tone on its own is a swatch
    ])
    func character(text: String, width: Int) throws {
        #expect(text.count == 1)
        let c = try #require(text.first)
        #expect(DisplayWidth.of(c) == width)
    }

    @Test("widths of strings add up their clusters", arguments: [
        ("", 0),
        ("abc", 3),
        ("中文", 4),
        ("a中b", 4),
        ("café", 4),
        ("cafe\u{0301}", 4),
        ("😀😀", 4),
        ("├─ db.query", 11),
        ("日本語テキスト", 14),
        ("👨\u{200D}👩\u{200D}👧 ❤️ 👍🏽 🇫🇷 1\u{FE0F}\u{20E3}", 14),   // five clusters of 2, four spaces
        ("🇫🇷🇩🇪", 4),
        ("ok\u{1B}", 2),                  // a raw control counts 0 (it is escaped before drawing)
    ])
    func string(text: String, width: Int) {
        #expect(DisplayWidth.of(text) == width)
    }
}
