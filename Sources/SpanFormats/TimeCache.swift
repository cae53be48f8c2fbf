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

    /// 10^(9-k): what k fraction digits are worth in nanoseconds per unit.
    private static let scale: [Int64] = [1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1]

    /// The decimal digits at the start of `word` (the first byte lowest): their value and
    /// how many there are (0 to 8). SWAR: a byte test for digits, then three multiplies.
    @inline(__always)
    static func leadingDigits(_ word: UInt64) -> (Int64, Int) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        // Nonzero bytes where a byte is not '0'...'9' (a carry from a byte >= 0xFA only
        // reaches bytes above a non-digit, which are not looked at).
        let notDigit = ((word & (ones &* 0xF0)) ^ (ones &* 0x30)) | (((word &+ ones &* 0x06) & (ones &* 0xF0)) ^ (ones &* 0x30))
        let flagged = (((notDigit & (ones &* 0x7F)) &+ ones &* 0x7F) | notDigit) & (ones &* 0x80)
        let k = flagged == 0 ? 8 : flagged.trailingZeroBitCount >> 3
        guard k > 0 else { return (0, 0) }
        var v = word &- ones &* 0x30
        if k < 8 { v = (v & ((1 << (8 * UInt64(k))) - 1)) << (8 * UInt64(8 - k)) }   // leading zeros
        v = ((v & (ones &* 0x0F)) &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        v = ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
        return (Int64(v), k)
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
            let start = i
            if i + 8 <= n {
                // Up to eight digits at once (a 9-digit fraction is the usual case).
                let (value, k) = Self.leadingDigits(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                nanos = value * Self.scale[k]
                i += k
                if k == 8, i < n, let d = Self.digit(p[i]) {
                    nanos += d
                    i += 1
                }
            } else {
                var scale: Int64 = 100_000_000
                while i < n, let d = Self.digit(p[i]) {
                    nanos += d * scale
                    scale /= 10
                    i += 1
                }
            }
            while i < n, Self.digit(p[i]) != nil { i += 1 }   // beyond nanoseconds: dropped
            guard i > start else { return RFC3339.parse(p, count: n) }
        }
        let zoneLength = n - i
        guard zoneLength == 1 || zoneLength == 6 else { return RFC3339.parse(p, count: n) }
        var zone: UInt64 = 0
        for k in 0..<zoneLength { zone |= UInt64(p[i + k]) << (8 * UInt64(k)) }
        let within = ((m1 * 10 + m2) * 60 + s1 * 10 + s2) * 1_000_000_000 + nanos
        if h0 == head0 && h1 == head1 && zone == self.zone && zoneLength == self.zoneLength {
            // In the hour that holds the Int64 range's end, a time past it does not fit.
            let (time, overflow) = hourStart.addingReportingOverflow(within)
            if !overflow && time != Timestamp.unknown { return time }
            return RFC3339.parse(p, count: n)
        }
        guard let full = RFC3339.parse(p, count: n) else { return nil }
        // The hour that holds the Int64 range's start begins before it: not cached.
        if full != Timestamp.unknown && m1 * 10 + m2 < 60 && s1 * 10 + s2 < 60,
           case (let start, false) = full.subtractingReportingOverflow(within), start != Timestamp.unknown {
            head0 = h0
            head1 = h1
            self.zone = zone
            self.zoneLength = zoneLength
            hourStart = start
        }
        return full
    }
}
