/// Makes text from trace data safe to put on a terminal.
///
/// A trace file is untrusted input: an ESC in a span name could retitle the terminal
/// (OSC 0), write the clipboard (OSC 52) or recolour everything, and a bidirectional
/// control could make text read differently from what it is (Trojan Source). Every such
/// character is replaced by a visible escape: ESC as `\e`, other C0 controls and DEL as
/// `\xHH` (`\n`, `\r`, `\t` by name), everything else listed in `needsEscaping` as
/// `\u{hhhh}`.
public enum TerminalText {
    /// Whether `scalar` is shown escaped: C0 controls, DEL, C1 controls; the bidirectional
    /// controls (U+061C arabic letter mark, U+200E/U+200F marks, U+202A–U+202E embeddings
    /// and overrides, U+2066–U+2069 isolates); U+2028/U+2029 line and paragraph separators;
    /// and invisible format characters that hide or reorder text: U+200B zero width space,
    /// U+2060–U+2064 (word joiner, invisible operators), U+206A–U+206F (deprecated format
    /// controls), U+FEFF (byte order mark) and U+FFF9–U+FFFB (interlinear annotation).
    /// Joiners (U+200C, U+200D) and variation selectors are kept: emoji and scripts need them.
    @inline(__always)
    public static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0xA0 { return v < 0x20 || v >= 0x7F }
        if v < 0x061C { return false }
        return v == 0x061C
            || (v >= 0x200B && v <= 0x206F && isEscapedGeneralPunctuation(v))
            || v == 0xFEFF || (v >= 0xFFF9 && v <= 0xFFFB)
    }

    /// The escaped part of U+200B...U+206F.
    @inline(__always)
    static func isEscapedGeneralPunctuation(_ v: UInt32) -> Bool {
        v == 0x200B || v == 0x200E || v == 0x200F || (v >= 0x2028 && v <= 0x202E)
            || (v >= 0x2060 && v <= 0x2064) || v >= 0x2066
    }

    /// The visible form of one scalar that `needsEscaping`.
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

    /// `text` with every character that `needsEscaping` escaped; unchanged (no copy) when
    /// there is none.
    public static func escaped(_ text: String) -> String {
        escaped(text, keepingNewlines: false)
    }

    /// `escaped(text)`, but with `keepingNewlines` line feeds stay as they are (for text
    /// that is wrapped at them, such as `WrappedText`'s).
    public static func escaped(_ text: String, keepingNewlines: Bool) -> String {
        guard containsEscapable(text, keepingNewlines: keepingNewlines) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if needsEscaping(scalar) && !(keepingNewlines && scalar == "\n") {
                out += escape(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether anything in `text` needs escaping, from its UTF-8 bytes: ASCII bytes are
    /// checked directly and only the lead bytes of the escaped ranges (C1: 0xC2, U+061C:
    /// 0xD8, U+2000 block: 0xE2, U+FExx/U+FFxx: 0xEF) are decoded. A byte scan, so long
    /// values cost a few milliseconds per megabyte at most.
    public static func containsEscapable(_ text: String, keepingNewlines: Bool = false) -> Bool {
        var text = text
        return text.withUTF8 { containsEscapable($0, keepingNewlines: keepingNewlines) }
    }

    /// `containsEscapable` on UTF-8 bytes (valid UTF-8, as a `String`'s are).
    public static func containsEscapable(_ bytes: UnsafeBufferPointer<UInt8>, keepingNewlines: Bool = false) -> Bool {
        let n = bytes.count
        var i = 0
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                if b < 0x20 || b == 0x7F {
                    if !(keepingNewlines && b == 0x0A) { return true }
                }
                i += 1
                continue
            }
            switch b {
            case 0xC2:
                if i + 1 < n && bytes[i + 1] < 0xA0 { return true }   // U+0080...U+009F
                i += 2
            case 0xD8:
                if i + 1 < n && bytes[i + 1] == 0x9C { return true }  // U+061C
                i += 2
            case 0xE2, 0xEF:
                if i + 2 < n {
                    let v = UInt32(b & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                    if let scalar = Unicode.Scalar(v), needsEscaping(scalar) { return true }
                }
                i += 3
            default:
                i += 1   // other lead bytes and continuation bytes
            }
        }
        return false
    }

    private static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
