/// Makes text from trace data safe to put on a terminal.
///
/// A trace file is untrusted input: an ESC in a span name could retitle the terminal
/// (OSC 0), write the clipboard (OSC 52) or recolour everything. Every control character
/// is replaced by a visible escape: ESC as `\e`, other C0 controls and DEL as `\xHH`
/// (`\n`, `\r`, `\t` by name), C1 controls and bidirectional overrides as `\u{HHHH}`.
public enum TerminalText {
    public static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0)
            || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069) || v == 0x2028 || v == 0x2029
    }

    public static func escape(_ scalar: Unicode.Scalar) -> String {
        let v = scalar.value
        switch v {
        case 0x1B: return "\\e"
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0..<0x20, 0x7F: return "\\x" + hex(v, 2)
        default: return "\\u{" + hex(v, 4) + "}"
        }
    }

    /// `text` with every control character escaped; unchanged (no copy) when there are none.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscaping) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if needsEscaping(scalar) { out += escape(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    private static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
