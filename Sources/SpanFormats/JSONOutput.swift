import SpanModel

/// Appends JSON text to a byte array the way Go's `encoding/json` writes it: members
/// separated by commas, and with `pretty`, one member a line indented by tabs as
/// `json.Encoder.SetIndent("", "\t")` lays it out (`"key": value`, empty `[]` and `{}` kept on
/// one line). Strings are escaped as Go escapes them (`JSONOutput.string`).
///
/// The writers move the caller's array in and out (`swap`), so nothing is copied.
struct JSONOutput {
    var bytes: [UInt8] = []
    let pretty: Bool
    private var depth = 0
    /// The open container already holds a member (the next one needs a comma).
    private var hasMember = false

    init(pretty: Bool) {
        self.pretty = pretty
    }

    // MARK: - Structure

    @inline(__always)
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        bytes.append(b)
    }

    private mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        if depth > 0 { for _ in 0..<depth { bytes.append(UInt8(ascii: "\t")) } }
    }

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        depth += 1
        hasMember = false
    }

    mutating func endObject() {
        depth -= 1
        if pretty && hasMember { newline() }
        bytes.append(UInt8(ascii: "}"))
        hasMember = true
    }

    mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        depth += 1
        hasMember = false
    }

    mutating func endArray() {
        depth -= 1
        if pretty && hasMember { newline() }
        bytes.append(UInt8(ascii: "]"))
        hasMember = true
    }

    /// A member's key, given with its quotes and colon (`"\"Name\":"`); its value follows.
    @inline(__always)
    mutating func key(_ quotedKeyAndColon: StaticString) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline() }
        raw(quotedKeyAndColon)
        if pretty { bytes.append(UInt8(ascii: " ")) }
        hasMember = true
    }

    /// A member's key given as a string (escaped like any string); its value follows.
    mutating func dynamicKey(_ text: String) {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline() }
        string(text)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
        hasMember = true
    }

    /// Before an array element.
    @inline(__always)
    mutating func element() {
        if hasMember { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline() }
        hasMember = true
    }

    // MARK: - Values

    mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        unsigned(value.magnitude)
    }

    mutating func unsigned(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        let start = bytes.count
        var v = value
        while v > 0 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10))
            v /= 10
        }
        bytes[start...].reverse()
    }

    /// `value` as `digits` lowercase hex digits.
    mutating func hex(_ value: UInt64, digits: Int) {
        let table: StaticString = "0123456789abcdef"
        table.withUTF8Buffer { t in
            var shift = (digits - 1) * 4
            while shift >= 0 {
                bytes.append(t[Int(truncatingIfNeeded: value >> UInt64(shift) & 15)])
                shift -= 4
            }
        }
    }

    /// A float as Go's `encoding/json` writes a float64 (`GoFloatText`); a NaN or infinity,
    /// which Go refuses, as the protobuf JSON strings `"NaN"`, `"Infinity"`, `"-Infinity"`
    /// (which spanview's decoders read back).
    mutating func double(_ value: Double) {
        if value.isNaN {
            raw("\"NaN\"")
        } else if value.isInfinite {
            if value < 0 { raw("\"-Infinity\"") } else { raw("\"Infinity\"") }
        } else {
            GoFloatText.append(value, into: &bytes)
        }
    }

    /// A JSON string, escaped as Go's `encoding/json` (with its default HTML escaping) does:
    /// `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other bytes below 0x20 as `\u00XX`;
    /// `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`; U+2028 and U+2029 as `\u2028`,
    /// `\u2029`; everything else raw. U+FFFD is written `\ufffd`, as Go writes the invalid
    /// UTF-8 that decoding turned into it (a Swift string cannot hold invalid UTF-8, so the
    /// two cannot be told apart; Go writes a valid U+FFFD raw).
    mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(utf8: $0) }
    }

    mutating func string(utf8 s: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        let n = s.count
        while i < n {
            let b = s[i]
            // Most bytes need nothing: printable ASCII other than " \ < > &, and UTF-8 other
            // than the lead bytes of U+2028/U+2029 (E2) and U+FFFD (EF).
            if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x3C && b != 0x3E && b != 0x26 && b != 0xE2 && b != 0xEF {
                i += 1
                continue
            }
            var skip = 1
            let escape: StaticString?
            switch b {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0x3C: escape = "\\u003c"
            case 0x3E: escape = "\\u003e"
            case 0x26: escape = "\\u0026"
            case 0xE2 where i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0xA8: escape = "\\u2028"; skip = 3
            case 0xE2 where i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0xA9: escape = "\\u2029"; skip = 3
            case 0xEF where i + 2 < n && s[i + 1] == 0xBF && s[i + 2] == 0xBD: escape = "\\ufffd"; skip = 3
            case 0xE2, 0xEF:
                i += 1
                continue
            default: escape = nil   // another control byte
            }
            if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i])) }
            if let escape {
                raw(escape)
            } else {
                raw("\\u00")
                hex(UInt64(b), digits: 2)
            }
            i += skip
            runStart = i
        }
        if runStart < n { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<n])) }
        bytes.append(UInt8(ascii: "\""))
    }

    /// JSON text kept as it came (an unknown attribute type's value), laid out again as
    /// `json.Indent`/`json.Compact` would: whitespace between tokens dropped, and with
    /// `pretty`, one member or element a line at the current depth. Strings are copied as
    /// they are (they were valid JSON when read).
    mutating func rawJSON(_ text: String) {
        var text = text
        text.withUTF8 { s in
            var i = 0
            let n = s.count
            func nextSignificant(_ from: Int) -> UInt8? {
                var j = from
                while j < n, s[j] == 0x20 || s[j] == 0x09 || s[j] == 0x0A || s[j] == 0x0D { j += 1 }
                return j < n ? s[j] : nil
            }
            while i < n {
                let b = s[i]
                switch b {
                case 0x20, 0x09, 0x0A, 0x0D:
                    i += 1
                    continue
                case UInt8(ascii: "\""):
                    var j = i + 1
                    while j < n && s[j] != UInt8(ascii: "\"") { j += s[j] == UInt8(ascii: "\\") ? 2 : 1 }
                    let end = min(j + 1, n)
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[i..<end]))
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    bytes.append(b)
                    let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                    if nextSignificant(i + 1) == close {
                        // Empty: kept on one line, as Go keeps it.
                        bytes.append(close)
                        i += 1
                        while i < n && s[i] != close { i += 1 }
                    } else {
                        depth += 1
                        if pretty { newline() }
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if pretty { newline() }
                    bytes.append(b)
                case UInt8(ascii: ","):
                    bytes.append(b)
                    if pretty { newline() }
                case UInt8(ascii: ":"):
                    bytes.append(b)
                    if pretty { bytes.append(UInt8(ascii: " ")) }
                default:
                    bytes.append(b)
                }
                i += 1
            }
        }
    }

    /// Bytes as a quoted standard base64 string.
    mutating func base64(_ data: [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        Base64.encode(data, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func traceID(_ id: TraceID) {
        bytes.append(UInt8(ascii: "\""))
        hex(id.high, digits: 16)
        hex(id.low, digits: 16)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func spanID(_ id: SpanID) {
        bytes.append(UInt8(ascii: "\""))
        hex(id.value, digits: 16)
        bytes.append(UInt8(ascii: "\""))
    }
}
