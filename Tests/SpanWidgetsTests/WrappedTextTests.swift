import CellGrid
import SpanWidgets
import Testing

/// The wrapping rules written out plainly, character by character, to check `WrappedText`
/// (which works on bytes with a fast path for ASCII) against.
func referenceWrap(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var result: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let chars = Array(TerminalText.escaped(String(paragraph)))
        var line: [Character] = [], lineWidth = 0, lastSpace: Int?, wrapped = false
        func flush(_ part: ArraySlice<Character>) {
            var s = String(part)
            while s.hasSuffix(" ") { s.removeLast() }
            result.append(s)
        }
        for ch in chars {
            let w = DisplayWidth.of(ch)
            if ch == " " && lineWidth + w > width {
                flush(line[...]); line = []; lineWidth = 0; lastSpace = nil; wrapped = true
                continue
            }
            if lineWidth + w > width {
                if let space = lastSpace, space > 0 {
                    flush(line[..<space])
                    line = Array(line[(space + 1)...])
                    lineWidth = line.reduce(0) { $0 + DisplayWidth.of($1) }
                } else if !line.isEmpty {
                    flush(line[...]); line = []; lineWidth = 0
                }
                lastSpace = nil
                wrapped = true
            }
            if ch == " " && line.isEmpty && wrapped { continue }
            if ch == " " { lastSpace = line.count }
            line.append(ch)
            lineWidth += w
        }
        flush(line[...])
    }
    return result
}

@Suite("WrappedText")
struct WrappedTextTests {
    @Test("the same lines as the plain character-by-character rules, on random mixed text")
    func matchesReference() {
        let pieces = ["a", "b", "word", " ", " ", "  ", "\n", "中", "文字", "é", "e\u{0301}", "👨\u{200D}👩\u{200D}👧",
                      "\u{2764}\u{FE0F}", "👍🏽", "🇫🇷", "1\u{FE0F}\u{20E3}", "\u{1B}[31m", "\u{202E}", "\u{200F}", "\t",
                      "\u{9B}", "x🏽", "\"", "\\", "longwordwithoutanyspaceatall",
                      // Scripts whose scalars join or not: Greek, Cyrillic and its combining marks, Hangul
                      // syllables and jamo, kana and voicing marks, fullwidth, Latin-1 and combining, soft
                      // hyphen, a prepend mark before a digit, an Indic conjunct, an emoji ZWJ after ©.
                      "αβγ", "дж", "д\u{0483}", "가", "\u{1100}\u{1161}", "가\u{11A8}", "か\u{3099}", "Ａ", "ñ",
                      "n\u{0303}", "\u{00AD}", "\u{0600}1", "\u{0915}\u{094D}\u{0937}", "©\u{200D}🔥", "\u{FE0F}"]
        var rng = TestRandom(seed: 7)
        for round in 0..<600 {
            var text = ""
            for _ in 0..<(rng.next() % 60) { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            for width in [1, 2, 3, 5, 8, 13, 40] {
                let wrapped = WrappedText(text, width: width)
                let expected = referenceWrap(text, width: width)
                #expect(wrapped.lines(0..<wrapped.count) == expected, "round \(round), width \(width): \(text.debugDescription)")
                let quoted = WrappedText(text, width: width, quoted: true)
                #expect(quoted.lines(0..<quoted.count) == referenceWrap(ValueText.quoted(text), width: width),
                        "quoted, round \(round), width \(width): \(text.debugDescription)")
            }
        }
    }

    @Test("no line is wider than the width, unless it is one cluster wider than the width")
    func widths() {
        let text = "The quick brown fox 👨‍👩‍👧 jumps over 🇫🇷 the lazy dog; 中文 テキスト and a verylongwordthatmustbebroken.\u{1B}]0;x\u{07}"
        for width in 1...30 {
            let wrapped = WrappedText(text, width: width)
            for line in wrapped.lines(0..<wrapped.count) {
                #expect(DisplayWidth.of(line) <= width || line.count == 1, "width \(width): \(line.debugDescription)")
            }
        }
    }

    @Test("a paragraph keeps its indentation; a wrapped line does not start with spaces")
    func indentation() {
        #expect(TextWrap.lines("a\n  b c", width: 10) == ["a", "  b c"])
        #expect(TextWrap.lines("  abc def", width: 5) == ["  abc", "def"])
        #expect(TextWrap.lines("ab     cd", width: 3) == ["ab", "cd"])
    }

    @Test("the lines of a 1 MB value of words are right at the start, middle and end")
    func longWords() {
        // Words w0000001 w0000002 ...: 8 characters and a space, so 4 to a 40-cell line.
        let words = 120_000
        let text = (1...words).map { "w" + pad7($0) }.joined(separator: " ")
        #expect(text.utf8.count > 1_000_000)
        let wrapped = WrappedText(text, width: 40)
        #expect(wrapped.count == words / 4)
        func expectedLine(_ n: Int) -> String { (4 * n + 1...4 * n + 4).map { "w" + pad7($0) }.joined(separator: " ") }
        for n in [0, 1, wrapped.count / 2, wrapped.count / 2 + 1, wrapped.count - 1] {
            #expect(wrapped[n] == expectedLine(n), "line \(n)")
        }
        #expect(wrapped.lines(wrapped.count - 2..<wrapped.count + 5).count == 2)
    }

    @Test("the lines of a 4 MB value without spaces are consecutive slices, control characters escaped")
    func longBlob() {
        // 4 MiB of a 64-character alphabet with an ESC every 1000 bytes: shown as `\e` (2 cells).
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bytes: [UInt8] = [], shown: [UInt8] = []
        for i in 0..<(4 << 20) {
            if i % 1000 == 999 {
                bytes.append(0x1B); shown += Array("\\e".utf8)
            } else {
                bytes.append(alphabet[i % 64]); shown.append(alphabet[i % 64])
            }
        }
        let wrapped = WrappedText(String(decoding: bytes, as: UTF8.self), width: 97)
        #expect(wrapped.count == (shown.count + 96) / 97)
        for n in [0, 1, wrapped.count / 2, wrapped.count - 1] {
            let start = n * 97
            #expect(wrapped[n] == String(decoding: shown[start..<min(shown.count, start + 97)], as: UTF8.self), "line \(n)")
        }
        let all = wrapped.lines(0..<wrapped.count)
        #expect(all.allSatisfy { !$0.utf8.contains(0x1B) })
        #expect(Array(all.joined().utf8) == shown)
    }

    @Test("line feeds break a long value into its own lines, each wrapped")
    func longLines() {
        let lines = (0..<20_000).map { "line \($0): " + String(repeating: "x", count: $0 % 70) }
        let wrapped = WrappedText(lines.joined(separator: "\n"), width: 50)
        let expected = lines.flatMap { referenceWrap($0, width: 50) }
        #expect(wrapped.count == expected.count)
        for n in [0, 1, expected.count / 2, expected.count - 1] { #expect(wrapped[n] == expected[n]) }
    }

    @Test("laid out a budget at a time, the lines so far are final and the end result is the same")
    func budgeted() {
        let pieces = ["word", " ", "\n", "中文", "e\u{0301}", "👨\u{200D}👩\u{200D}👧", "🇫🇷", "x", "  ", "ελληνικά", "\u{1B}"]
        var rng = TestRandom(seed: 3)
        for round in 0..<200 {
            var text = ""
            for _ in 0..<(rng.next() % 80) { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            for width in [1, 4, 9, 30] {
                let whole = WrappedText(text, width: width)
                let expected = whole.lines(0..<whole.count)
                #expect(whole.isComplete && whole.remainingBytes == 0)
                for budget in [0, 1, 7, 50] {
                    var part = WrappedText(text, width: width, budget: budget)
                    var steps = 0
                    while !part.isComplete {
                        #expect(part.lines(0..<part.count) == Array(expected.prefix(part.count)), "round \(round)")
                        let before = part.remainingBytes
                        part.extend(budget: budget)
                        #expect(part.remainingBytes < before || part.isComplete)
                        steps += 1
                        if steps > 10_000 { break }
                    }
                    #expect(part.lines(0..<part.count) == expected, "round \(round), width \(width), budget \(budget)")
                }
            }
        }
    }

    @Test("a width below 1 gives no lines; empty text gives one empty line")
    func edges() {
        #expect(WrappedText("abc", width: 0).count == 0)
        #expect(WrappedText("", width: 5).count == 1)
        #expect(WrappedText("", width: 5)[0] == "")
        #expect(TextWrap.lines("a\n", width: 5) == ["a", ""])
    }
}

@Suite("DetailLines")
struct DetailLinesTests {
    @Test("fixed lines and wrapped texts are numbered through; prefixes go on first and later lines")
    func blocks() {
        var lines = DetailLines()
        lines.append(StyledLine("title"))
        lines.appendWrapped("aaa bbb ccc", width: 3, first: [.init("k = ")], next: [.init("    ")])
        lines.append(.blank)
        lines.appendWrapped("zz", width: 5)
        #expect(lines.count == 6)
        #expect(lines.all.map(\.plainText) == ["title", "k = aaa", "    bbb", "    ccc", "", "zz"])
        #expect(lines.lines(2..<4).map(\.plainText) == ["    bbb", "    ccc"])
        #expect(lines.lines(5..<99).map(\.plainText) == ["zz"])
        #expect(lines[1].runs.last?.style == .plain)
    }

    @Test("out of budget, a text shows what is left; extend lays it out and moves the lines after it")
    func budget() {
        let long = (0..<5_000).map { "中文\($0)" }.joined(separator: " ")
        var lines = DetailLines(budget: 1_000)
        lines.append(StyledLine("title"))
        lines.appendWrapped(long, width: 20, first: [.init("k = ")], next: [.init("    ")])
        lines.appendWrapped("short after", width: 20, first: [.init("s = ")])
        #expect(!lines.isComplete)
        let more = try! #require(lines.firstIncompleteLine)
        #expect(lines[more].plainText.hasPrefix("    … ") && lines[more].plainText.contains("more bytes"))
        #expect(lines[lines.count - 1].plainText == "s = short after")   // laid out whole: the minimum per text
        var full = DetailLines()
        full.append(StyledLine("title"))
        full.appendWrapped(long, width: 20, first: [.init("k = ")], next: [.init("    ")])
        full.appendWrapped("short after", width: 20, first: [.init("s = ")])
        #expect(full.isComplete)
        #expect(lines.all.prefix(more).map(\.plainText) == full.all.prefix(more).map(\.plainText))
        var steps = 0
        while !lines.isComplete && steps < 1_000 {
            lines.extend(budget: 20_000)
            steps += 1
        }
        #expect(steps > 1)
        #expect(lines.all.map(\.plainText) == full.all.map(\.plainText))
    }
}

func pad7(_ n: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, 7 - s.count)) + s
}

/// A seeded generator for reproducible random texts (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
