import SpanIngest
import CellGrid
import Foundation
import SpanviewKit
import Testing

/// JSON strings and summary text with every character that must not reach a terminal raw,
/// and emoji, which must pass unchanged and count two columns per cluster.
@Suite("Escaping in JSON and summary text")
struct EscapingTests {
    /// Each character that is escaped, with its JSON escape.
    static let escaped: [(UInt32, String)] = [
        (0x00, "\\u0000"), (0x07, "\\u0007"), (0x1B, "\\u001b"), (0x1F, "\\u001f"), (0x7F, "\\u007f"),
        (0x80, "\\u0080"), (0x85, "\\u0085"), (0x9B, "\\u009b"), (0x9C, "\\u009c"), (0x9D, "\\u009d"), (0x9F, "\\u009f"),
        (0x061C, "\\u061c"), (0x200E, "\\u200e"), (0x200F, "\\u200f"),
        (0x202A, "\\u202a"), (0x202B, "\\u202b"), (0x202C, "\\u202c"), (0x202D, "\\u202d"), (0x202E, "\\u202e"),
        (0x2066, "\\u2066"), (0x2067, "\\u2067"), (0x2068, "\\u2068"), (0x2069, "\\u2069"),
        (0x2028, "\\u2028"), (0x2029, "\\u2029"), (0x200B, "\\u200b"), (0x2060, "\\u2060"), (0xFEFF, "\\ufeff"),
        (0xFFF9, "\\ufff9"),
        (0x0A, "\\n"), (0x0D, "\\r"), (0x09, "\\t"),
    ]

    @Test("JSONText.quoted writes each control, bidi, separator and invisible character as its escape", arguments: escaped)
    func jsonEscapes(value: UInt32, escape: String) throws {
        let c = String(Character(try #require(Unicode.Scalar(value))))
        let quoted = JSONText.quoted("a" + c + "b")
        #expect(quoted == "\"a" + escape + "b\"")
        #expect(quoted.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F })
        // A JSON parser reads back the character it was.
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(decoded == ["a" + c + "b"])
    }

    static let emoji = ["👨\u{200D}👩\u{200D}👧", "\u{2764}\u{FE0F}", "👍🏽", "🇫🇷", "1\u{FE0F}\u{20E3}", "中文", "e\u{0301}"]

    @Test("emoji, joiners and other text pass through JSON unchanged", arguments: emoji)
    func jsonKeepsText(text: String) throws {
        #expect(JSONText.quoted(text) == "\"" + text + "\"")
        #expect(JSONText.quoted("q\"\\" + text) == "\"q\\\"\\\\" + text + "\"")
    }

    func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kit-escape-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A span's JSON with `name` (already JSON-escaped) as its name and service.
    static func span(_ name: String, id: String) -> String {
        SummaryReportTests.span(name, id: id, start: "2024-05-01T12:00:00Z", end: "2024-05-01T12:00:01Z", service: "svc " + name)
            .replacingOccurrences(of: "4bf92f3577b34da6a3ce929d0e0e4736", with: "4bf92f3577b34da6a3ce929d0e0e47" + id.suffix(2))
    }

    /// `\uXXXX` for a UTF-16 code unit (JSON writes astral scalars as surrogate pairs).
    static func jsonEscape(_ v: UInt32) -> String {
        let hex = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    @Test("summary: JSON escapes them all, the text shows them escaped, and the table lines up emoji")
    func summary() throws {
        let hostile = Self.escaped.map(\.0).filter { $0 != 0 }   // (NUL ends a C string in some readers; tested above)
        let name = "x" + hostile.map { Self.jsonEscape($0) + "x" }.joined()
        let lines = [Self.span(name, id: "0000000000000001")]
            + Self.emoji.enumerated().map { i, e in
                Self.span(e.utf16.map { Self.jsonEscape(UInt32($0)) }.joined(), id: "00000000000000\(10 + i)")
            }
        let path = try temporaryFile(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = SummaryReport(try InputLoader.load([path]))

        let json = report.json
        #expect(!json.unicodeScalars.contains { TerminalText.needsEscaping($0) })
        for (v, escape) in Self.escaped where v != 0 && v != 0x0A && v != 0x0D && v != 0x09 { #expect(json.contains(escape), "\(escape)") }
        for e in Self.emoji { #expect(json.contains("\"" + e + "\"")) }

        let text = report.text()
        #expect(!text.unicodeScalars.contains { TerminalText.needsEscaping($0) && $0 != "\n" })
        #expect(text.contains(#"x\x07x\ex\x1fx\x7fx\u{0080}x\u{0085}x\u{009b}x\u{009c}x\u{009d}x\u{009f}x\u{061c}x\u{200e}x\u{200f}"#))
        // One trace per emoji name: the ROOT column starts at the same display column on every row.
        let rows = text.components(separatedBy: "\n").filter { $0.contains("svc ") }
        #expect(rows.count == Self.emoji.count + 1)
        let rootColumns = rows.map { row -> Int in
            let services = row.range(of: "svc ")!.lowerBound
            return DisplayWidth.of(String(row[..<services]))
        }
        #expect(Set(rootColumns).count == 1, "\(rootColumns)")
        // The ROOT column too: each emoji row ends with its root name, the emoji, after the
        // same display width of columns (an emoji cluster counts 2, a CJK character 2).
        let emojiRows = rows.filter { row in Self.emoji.contains { row.hasSuffix($0) } }
        #expect(emojiRows.count == Self.emoji.count)
        let rootStarts = emojiRows.map { row in DisplayWidth.of(row) - DisplayWidth.of(Self.emoji.first { row.hasSuffix($0) }!) }
        #expect(Set(rootStarts).count == 1, "\(rootStarts)")
    }
}
