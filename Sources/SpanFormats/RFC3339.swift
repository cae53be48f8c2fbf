import SpanModel

/// Hand-written RFC 3339 parsing (`2024-05-01T12:00:00.123456789+02:00`) to Int64 ns.
/// Foundation's date formatters are far too slow for a million timestamps.
public enum RFC3339 {
    /// Nanoseconds since the epoch; `Timestamp.unknown` for Go's zero time
    /// (`0001-01-01T00:00:00Z`) and other times outside 1677...2262; nil if malformed.
    public static func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
        // Fixed part: YYYY-MM-DDTHH:MM:SS = 19 bytes.
        guard n >= 20 else { return nil }
        @inline(__always) func digits(_ at: Int, _ len: Int) -> Int? {
            var v = 0
            for i in at..<(at + len) {
                let c = p[i] &- 48
                guard c <= 9 else { return nil }
                v = v * 10 + Int(c)
            }
            return v
        }
        guard let year = digits(0, 4), p[4] == 0x2D, let month = digits(5, 2), p[7] == 0x2D,
              let day = digits(8, 2), p[10] == UInt8(ascii: "T") || p[10] == UInt8(ascii: "t") || p[10] == 0x20,
              let hour = digits(11, 2), p[13] == 0x3A, let minute = digits(14, 2), p[16] == 0x3A,
              let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        var nanos = 0
        if p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
            i += 1
            var scale = 100_000_000
            let fractionStart = i
            while i < n, p[i] &- 48 <= 9 {
                nanos += Int(p[i] &- 48) * scale   // digits past the ninth add 0 (scale reaches 0)
                scale /= 10
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        guard i < n else { return nil }
        var offset = 0
        switch p[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 <= n, let oh = digits(i + 1, 2), p[i + 3] == 0x3A, let om = digits(i + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (p[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }
        if year == 1 && month == 1 && day == 1 && hour == 0 && minute == 0 && second == 0 && nanos == 0 {
            return Timestamp.unknown
        }
        return Timestamp.nanoseconds(year: year, month: month, day: day, hour: hour, minute: minute,
                                     second: second, nanosecond: nanos, offsetSeconds: offset) ?? Timestamp.unknown
    }

    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parse(base, count: buffer.count)
        }
    }
}
