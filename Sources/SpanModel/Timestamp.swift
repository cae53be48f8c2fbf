/// Times are Int64 nanoseconds since the Unix epoch (1677 to 2262).
public enum Timestamp {
    /// A time that was not recorded (Go's zero time) or lies outside the Int64 range.
    public static let unknown: Int64 = .min

    /// Nanoseconds since the epoch for a proleptic Gregorian UTC date and time,
    /// or nil when it does not fit in an Int64.
    public static func nanoseconds(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanosecond: Int,
        offsetSeconds: Int = 0
    ) -> Int64? {
        let days = daysFromCivil(year: year, month: month, day: day)
        var seconds = Int64(days * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds)
        var nanos = Int64(nanosecond)
        if seconds < 0 && nanos > 0 {
            // Borrow a second so the product stays in range at the very bottom (1677-09-21).
            seconds += 1
            nanos -= 1_000_000_000
        }
        let (scaled, overflow1) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(nanos)
        if overflow1 || overflow2 || total == unknown { return nil }
        return total
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `2024-05-01T12:00:00.123456789Z` (UTC, nine fraction digits), or `unknown`.
    public static func iso8601(_ ns: Int64) -> String {
        guard ns != unknown else { return "unknown" }
        var seconds = ns / 1_000_000_000
        var fraction = ns % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        var days = Int(seconds / 86_400)
        var secOfDay = Int(seconds % 86_400)
        if secOfDay < 0 { secOfDay += 86_400; days -= 1 }
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2)).\(pad(Int(fraction), 9))Z"
    }
}
