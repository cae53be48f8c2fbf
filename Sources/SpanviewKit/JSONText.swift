import CellGrid

/// A tiny JSON writer: exact key order, RFC 8259 string escaping.
public struct JSONText {
    public private(set) var text = ""

    public init() {}

    /// `s` as a JSON string. Besides what RFC 8259 requires (`"`, `\\`, C0 controls), every
    /// character a terminal could act on, or that hides or reorders text, is written as a
    /// `\uXXXX` escape, so none reaches a terminal that shows the output: DEL, C1 controls,
    /// the bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069),
    /// U+2028/U+2029 and the invisible format characters (`TerminalText.needsEscaping`
    /// decides: the same set the terminal text shows escaped). Other text, emoji included,
    /// is written as it is.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        if !TerminalText.containsEscapable(s) && !s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C }) {
            return out + s + "\""
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.needsEscaping(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    public static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }

    public static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
}
