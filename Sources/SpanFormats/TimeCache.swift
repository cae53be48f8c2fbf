import SpanModel

/// RFC 3339 times with the date, hour and zone of the previous one parsed once.
///
/// A stream's timestamps share `2025-11-24T16:` and `+01:00` for an hour at a time; only
/// minutes, seconds and the fraction differ. This keeps the epoch nanoseconds of the last
/// hour seen and reads just the rest; anything else goes to `RFC3339.parse`.
struct TimeCache {
    private var head0: UInt64 = 0
    private var head1: UInt64 = 0
    private var zone: UInt64 = 0
    private var zoneLength = -1
    private var hourStart: Int64 = 0

    @inline(__always)
    private static func digit(_ b: UInt8) -> Int64? {
        let d = b &- 48
        return d < 10 ? Int64(d) : nil
    }

    mutating func parse(_ p: UnsafePointer<UInt8>, count n: Int) -> Int64? {
        guard n >= 20 else { return RFC3339.parse(p, count: n) }
        let raw = UnsafeRawPointer(p)
        let h0 = raw.loadUnaligned(as: UInt64.self)                   // bytes 0...7
        let h1 = raw.loadUnaligned(fromByteOffset: 6, as: UInt64.self)   // bytes 6...13 ("T16:")
        // Minutes, seconds, fraction.
        guard p[16] == UInt8(ascii: ":"), let m1 = Self.digit(p[14]), let m2 = Self.digit(p[15]),
              let s1 = Self.digit(p[17]), let s2 = Self.digit(p[18]), m1 * 10 + m2 < 60, s1 * 10 + s2 <= 60
        else { return RFC3339.parse(p, count: n) }
        var i = 19
        var nanos: Int64 = 0
        if p[i] == UInt8(ascii: ".") {
            i += 1
            var scale: Int64 = 100_000_000
            let start = i
            while i < n, let d = Self.digit(p[i]) {
                nanos += d * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return RFC3339.parse(p, count: n) }
        }
        let zoneLength = n - i
        guard zoneLength == 1 || zoneLength == 6 else { return RFC3339.parse(p, count: n) }
        var zone: UInt64 = 0
        for k in 0..<zoneLength { zone |= UInt64(p[i + k]) << (8 * UInt64(k)) }
        let within = ((m1 * 10 + m2) * 60 + s1 * 10 + s2) * 1_000_000_000 + nanos
        if h0 == head0 && h1 == head1 && zone == self.zone && zoneLength == self.zoneLength {
            return hourStart + within
        }
        guard let full = RFC3339.parse(p, count: n) else { return nil }
        if full != Timestamp.unknown && m1 * 10 + m2 < 60 && s1 * 10 + s2 < 60 {
            head0 = h0
            head1 = h1
            self.zone = zone
            self.zoneLength = zoneLength
            hourStart = full - within
        }
        return full
    }
}
