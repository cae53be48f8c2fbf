import SpanModel

/// A time as Go's `time.Time.MarshalJSON` writes a UTC time: RFC 3339 with the fraction's
/// trailing zeros trimmed (none at all on a whole second), `Z` for the zone
/// (`"2026-11-25T07:09:28.64103979Z"`), quoted. `Timestamp.unknown` is Go's zero time,
/// `"0001-01-01T00:00:00Z"` (what `WithoutTimestamps` writes, and what spanview reads back
/// as unknown).
enum GoTimeText {
    static func append(_ ns: Int64, into out: inout [UInt8]) {
        guard ns != Timestamp.unknown else {
            ("\"0001-01-01T00:00:00Z\"" as StaticString).withUTF8Buffer { out.append(contentsOf: $0) }
            return
        }
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        out.append(UInt8(ascii: "\""))
        digits(year, 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(month, 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(day, 2, &out)
        out.append(UInt8(ascii: "T"))
        digits(Int(secondOfDay / 3600), 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(Int(secondOfDay / 60 % 60), 2, &out)
        out.append(UInt8(ascii: ":"))
        digits(Int(secondOfDay % 60), 2, &out)
        if fraction != 0 {
            var f = Int(fraction), width = 9
            while f % 10 == 0 { f /= 10; width -= 1 }
            out.append(UInt8(ascii: "."))
            digits(f, width, &out)
        }
        out.append(UInt8(ascii: "Z"))
        out.append(UInt8(ascii: "\""))
    }

    /// `value` (not negative) in exactly `width` digits, zero-padded.
    @inline(__always)
    private static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }
}
