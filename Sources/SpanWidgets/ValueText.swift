import SpanModel

/// Attribute values as a viewer shows them: strings quoted, numbers and booleans bare,
/// arrays in brackets, bytes in hex, maps in braces.
public enum ValueText {
    public static func format(_ value: AttributeValue) -> String {
        switch value {
        case .string(let s): return quoted(s)
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return number(d)
        case .stringArray(let a): return "[" + a.map(quoted).joined(separator: ", ") + "]"
        case .boolArray(let a): return "[" + a.map { $0 ? "true" : "false" }.joined(separator: ", ") + "]"
        case .intArray(let a): return "[" + a.map(String.init).joined(separator: ", ") + "]"
        case .doubleArray(let a): return "[" + a.map(number).joined(separator: ", ") + "]"
        case .bytes(let b): return "0x" + b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() + " (\(b.count) bytes)"
        case .array(let a): return "[" + a.map(format).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.key): \(format($0.value))" }.joined(separator: ", ") + "}"
        case .empty: return "(empty)"
        case .unknown(let type, let json): return "\(type) \(json)"
        }
    }

    /// A string in double quotes with `"` and `\` escaped (control characters are escaped
    /// later, by the grid, like every text from trace data). Works on the UTF-8 bytes (both
    /// characters are ASCII, never part of another character's encoding), so a long value
    /// costs a byte scan and a copy.
    public static func quoted(_ s: String) -> String {
        var s = s
        return s.withUTF8 { bytes in
            var escapes = 0
            for b in bytes where b == 0x22 || b == 0x5C { escapes += 1 }
            return String(unsafeUninitializedCapacity: bytes.count + escapes + 2) { out in
                var n = 0
                out[n] = 0x22; n += 1
                for b in bytes {
                    if b == 0x22 || b == 0x5C { out[n] = 0x5C; n += 1 }
                    out[n] = b; n += 1
                }
                out[n] = 0x22; n += 1
                return n
            }
        }
    }

    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return String(d)
    }
}

extension String {
    /// This string with every `target` byte (an ASCII character) replaced, by bytes.
    func replacingAll(_ target: UInt8, with replacement: String) -> String {
        var s = self
        return s.withUTF8 { bytes in
            guard bytes.contains(target) else { return self }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 64)
            for b in bytes { if b == target { out += replacement.utf8 } else { out.append(b) } }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
