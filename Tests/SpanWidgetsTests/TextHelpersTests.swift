import CellGrid
import SpanModel
import SpanWidgets
import Testing

@Suite("TextWrap")
struct TextWrapTests {
    @Test("wrapping at spaces, inside long words, at newlines", arguments: [
        ("hello world", 8, ["hello", "world"]),
        ("hello world", 11, ["hello world"]),
        ("hello world", 100, ["hello world"]),
        ("ab cdefghij", 4, ["ab", "cdef", "ghij"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("a\nb", 10, ["a", "b"]),
        ("a\n\nb", 10, ["a", "", "b"]),
        ("", 10, [""]),
        ("中文字", 4, ["中文", "字"]),
        ("中文字", 3, ["中", "文", "字"]),
        ("a\u{1B}b", 10, ["a\\eb"]),
    ] as [(String, Int, [String])])
    func wrap(text: String, width: Int, lines: [String]) {
        #expect(TextWrap.lines(text, width: width) == lines)
    }

    @Test("no wrapped line is wider than the width")
    func widths() {
        let text = "The quick brown fox jumps over the lazy dog; 中文 テキスト and a verylongwordthatmustbebroken."
        for width in 2...30 {
            for line in TextWrap.lines(text, width: width) {
                #expect(DisplayWidth.of(line) <= width, "width \(width): \(line.debugDescription)")
            }
        }
    }

    @Test("a width of zero gives no lines")
    func zeroWidth() {
        #expect(TextWrap.lines("abc", width: 0) == [])
    }

    @Test("a space that falls exactly at the wrap point does not start the next line")
    func spaceAtBreak() {
        #expect(TextWrap.lines("hello world", width: 5) == ["hello", "world"])
        #expect(TextWrap.lines("a b c", width: 1) == ["a", "b", "c"])
    }
}

@Suite("ValueText")
struct ValueTextTests {
    @Test("attribute values as the viewer shows them", arguments: [
        (AttributeValue.string("GET"), #""GET""#),
        (.string(#"a"b\c"#), #""a\"b\\c""#),
        (.string(""), #""""#),
        (.bool(true), "true"),
        (.bool(false), "false"),
        (.int(-5), "-5"),
        (.int(.max), "9223372036854775807"),
        (.double(1), "1.0"),
        (.double(1.5), "1.5"),
        (.double(-2), "-2.0"),
        (.double(.nan), "NaN"),
        (.double(.infinity), "+Inf"),
        (.double(-.infinity), "-Inf"),
        (.double(1e20), "1e+20"),
        (.stringArray(["a", "b"]), #"["a", "b"]"#),
        (.stringArray([]), "[]"),
        (.boolArray([true, false]), "[true, false]"),
        (.intArray([1, -2, 3]), "[1, -2, 3]"),
        (.doubleArray([0.5, 2]), "[0.5, 2.0]"),
        (.bytes([0x0a, 0xff, 0]), "0x0aff00 (3 bytes)"),
        (.bytes([]), "0x (0 bytes)"),
        (.array([.int(1), .string("x"), .array([.bool(true)])]), #"[1, "x", [true]]"#),
        (.map([Attribute("k", .string("v")), Attribute("n", .int(1))]), #"{k: "v", n: 1}"#),
        (.map([]), "{}"),
        (.empty, "(empty)"),
        (.unknown(type: "FUTURE", json: #"{"a":1}"#), #"FUTURE {"a":1}"#),
    ])
    func format(value: AttributeValue, text: String) {
        #expect(ValueText.format(value) == text)
    }
}

@Suite("TimeText")
struct TimeTextTests {
    @Test("wall clock and clock times to the millisecond, UTC")
    func times() {
        let t = t0 + 123_456_789
        #expect(TimeText.wallClock(t) == "2024-05-01 12:00:00.123")
        #expect(TimeText.clock(t) == "12:00:00.123")
        #expect(TimeText.wallClock(-1) == "1969-12-31 23:59:59.999")
        #expect(TimeText.clock(0) == "00:00:00.000")
    }

    @Test("unknown times are a dash")
    func unknown() {
        #expect(TimeText.wallClock(Timestamp.unknown) == "-")
        #expect(TimeText.clock(Timestamp.unknown) == "-")
    }
}

@Suite("StyledLine")
struct StyledLineTests {
    @Test("runs are drawn one after another with their styles, clipped to the width")
    func draw() {
        let line = StyledLine([.init("ab", .bold), .init("cd", .error), .init("ef")])
        #expect(line.plainText == "abcdef")
        var grid = Grid(width: 10, height: 1)
        line.render(in: Rect(x: 1, y: 0, width: 3, height: 1), into: &grid)
        #expect(grid.line(0) == " abc")
        #expect(grid[1, 0].style == .bold)
        #expect(grid[2, 0].style == .bold)
        #expect(grid[3, 0].style == .error)
        #expect(grid[4, 0].text == " ")
        var wide = Grid(width: 10, height: 1)
        line.render(in: wide.area, into: &wide)
        #expect(wide.line(0) == "abcdef")
        #expect(wide[5, 0].style == .plain)
    }

    @Test("a blank line draws nothing")
    func blank() {
        var grid = Grid(width: 4, height: 1)
        StyledLine.blank.render(in: grid.area, into: &grid)
        #expect(grid == Grid(width: 4, height: 1))
        #expect(StyledLine("x", .muted).runs == [StyledLine.Run("x", .muted)])
    }
}
