/// Standard base64 (RFC 4648, with or without padding) to bytes; nil if malformed.
enum Base64 {
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4)
        var acc: UInt32 = 0
        var bits = 0
        for b in bytes {
            let v: UInt32
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(b - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(b - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(b) + 4
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    /// A trace or span ID written as base64 of its raw bytes, as protobuf JSON printers that
    /// do not follow OTLP/JSON's hex rule write `bytes` fields (gogo jsonpb in Grafana Tempo's
    /// API: `"traceId":"W47/95gDgQPSabYzgT/HAA=="`). Exactly `byteCount` (16 or 8) bytes: the
    /// data characters of that length (22 or 11), then either no padding or all of it (`==`
    /// or `=`); both alphabets (`+/` and the URL-safe `-_`), and `\/` (a JSON escape of `/`).
    /// The first 8 bytes come back in `high` (big-endian), the next 8 in `low`. Nil otherwise.
    static func decodeID(_ bytes: UnsafeBufferPointer<UInt8>, byteCount: Int) -> (high: UInt64, low: UInt64)? {
        let dataChars = (byteCount * 8 + 5) / 6       // 22 for 16 bytes, 11 for 8
        let padded = (byteCount + 2) / 3 * 4          // 24, 12
        var high: UInt64 = 0, low: UInt64 = 0
        var acc: UInt32 = 0, bits = 0, chars = 0, padding = 0, written = 0
        var i = 0
        while i < bytes.count {
            var b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\\") {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "/") else { return nil }
                b = UInt8(ascii: "/")
                i += 1
            }
            if b == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            let v: UInt32
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(b - 65)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(b - 71)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(b) + 4
            case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
            default: return nil
            }
            // Padding only at the end, and no more data characters than the length has.
            guard padding == 0, chars < dataChars else { return nil }
            chars += 1
            acc = (acc << 6 | v) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                let byte = UInt64(acc >> UInt32(bits) & 0xFF)
                if written < 8 { high = high << 8 | byte } else { low = low << 8 | byte }
                written += 1
            }
        }
        guard chars == dataChars, padding == 0 || chars + padding == padded else { return nil }
        return (high, low)
    }
}

extension Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding (Go's `[]byte` JSON, protobuf JSON `bytes`), appended to `out`.
    static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + (bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        let left = bytes.count - i
        if left > 0 {
            let v = UInt32(bytes[i]) << 16 | (left == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(left == 2 ? alphabet[Int(v >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
    }
}
