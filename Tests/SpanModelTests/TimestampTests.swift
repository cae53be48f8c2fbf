import SpanModel
import Testing

@Suite("Timestamp conversions")
struct TimestampTests {
    @Test("the epoch is zero nanoseconds")
    func epoch() {
        #expect(Timestamp.nanoseconds(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0) == 0)
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00.000000000Z")
    }

    @Test("a known instant, with and without a UTC offset")
    func knownInstant() {
        // 2024-05-01T12:00:00Z = 1714564800 s.
        #expect(Timestamp.nanoseconds(year: 2024, month: 5, day: 1, hour: 12, minute: 0, second: 0, nanosecond: 0)
                == 1_714_564_800_000_000_000)
        #expect(Timestamp.nanoseconds(year: 2024, month: 5, day: 1, hour: 14, minute: 0, second: 0, nanosecond: 1,
                                      offsetSeconds: 7_200) == 1_714_564_800_000_000_001)
        #expect(Timestamp.nanoseconds(year: 2024, month: 5, day: 1, hour: 6, minute: 30, second: 0, nanosecond: 0,
                                      offsetSeconds: -19_800) == 1_714_564_800_000_000_000)
        #expect(Timestamp.iso8601(1_714_564_800_123_456_789) == "2024-05-01T12:00:00.123456789Z")
    }

    @Test("instants before 1970 are negative and format correctly")
    func beforeEpoch() {
        #expect(Timestamp.nanoseconds(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, nanosecond: 0)
                == -1_000_000_000)
        #expect(Timestamp.nanoseconds(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, nanosecond: 500_000_000)
                == -500_000_000)
        #expect(Timestamp.iso8601(-1) == "1969-12-31T23:59:59.999999999Z")
        #expect(Timestamp.iso8601(-1_000_000_000) == "1969-12-31T23:59:59.000000000Z")
        #expect(Timestamp.iso8601(-86_400_000_000_000) == "1969-12-31T00:00:00.000000000Z")
        #expect(Timestamp.iso8601(-86_400_000_000_001) == "1969-12-30T23:59:59.999999999Z")
        // 1900-03-01 is day -25508.
        #expect(Timestamp.iso8601(-25_508 * 86_400 * 1_000_000_000 + 3_723_000_000_004) == "1900-03-01T01:02:03.000000004Z")
    }

    @Test("days from civil dates, including leap days and century rules", arguments: [
        (1970, 1, 1, 0),
        (1969, 12, 31, -1),
        (2000, 3, 1, 11_017),
        (2024, 2, 29, 19_782),
        (2024, 3, 1, 19_783),
        (1900, 2, 28, -25_509),
        (1900, 3, 1, -25_508),   // 1900 is not a leap year
        (1600, 2, 29, -135_081), // 1600 is
        (2100, 2, 28, 47_540),
        (2100, 3, 1, 47_541),
        (1, 1, 1, -719_162),
        (2262, 4, 11, 106_751),
        (1677, 9, 21, -106_752),
        (9999, 12, 31, 2_932_896),
    ])
    func daysFromCivil(year: Int, month: Int, day: Int, days: Int) {
        #expect(Timestamp.daysFromCivil(year: year, month: month, day: day) == days)
        let civil = Timestamp.civilFromDays(days)
        #expect(civil.year == year)
        #expect(civil.month == month)
        #expect(civil.day == day)
    }

    @Test("civilFromDays and daysFromCivil are inverse over four thousand years")
    func inverse() {
        var previous = Timestamp.civilFromDays(-800_001)
        for days in -800_000...800_000 {
            let c = Timestamp.civilFromDays(days)
            #expect(Timestamp.daysFromCivil(year: c.year, month: c.month, day: c.day) == days)
            // Consecutive days: either the next day of the month, or day 1 of the next month.
            if c.day != previous.day + 1 {
                #expect(c.day == 1)
                #expect(c.month == previous.month % 12 + 1)
                #expect(c.year == previous.year + (previous.month == 12 ? 1 : 0))
            } else {
                #expect(c.month == previous.month && c.year == previous.year)
            }
            previous = c
            if Task.isCancelled { break }
        }
    }

    @Test("February has 29 days exactly in Gregorian leap years", arguments: [1600, 1700, 1800, 1900, 1996, 2000, 2023, 2024, 2100, 2400])
    func leapYears(year: Int) {
        let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let march1 = Timestamp.daysFromCivil(year: year, month: 3, day: 1)
        let feb1 = Timestamp.daysFromCivil(year: year, month: 2, day: 1)
        #expect(march1 - feb1 == (isLeap ? 29 : 28))
        let lastOfFeb = Timestamp.civilFromDays(march1 - 1)
        #expect(lastOfFeb.month == 2)
        #expect(lastOfFeb.day == (isLeap ? 29 : 28))
    }

    @Test("the unknown time formats as 'unknown' and is never produced by nanoseconds()")
    func unknown() {
        #expect(Timestamp.iso8601(Timestamp.unknown) == "unknown")
        #expect(Timestamp.unknown == Int64.min)
        // Int64.min itself is 1677-09-21T00:12:43.145224192Z: it would collide with `unknown`.
        #expect(Timestamp.nanoseconds(year: 1677, month: 9, day: 21, hour: 0, minute: 12, second: 43, nanosecond: 145_224_192) == nil)
        #expect(Timestamp.nanoseconds(year: 1677, month: 9, day: 21, hour: 0, minute: 12, second: 42, nanosecond: 999_999_999) == nil)
    }

    @Test("the first representable second above Int64.min converts")
    func lowestSecond() {
        #expect(Timestamp.nanoseconds(year: 1677, month: 9, day: 21, hour: 0, minute: 12, second: 43, nanosecond: 145_224_193)
                == Int64.min + 1)
        #expect(Timestamp.nanoseconds(year: 1677, month: 9, day: 21, hour: 0, minute: 12, second: 43, nanosecond: 999_999_999)
                == -9_223_372_036_000_000_001)
    }

    @Test("the ends of the Int64 range")
    func limits() {
        #expect(Timestamp.iso8601(.max) == "2262-04-11T23:47:16.854775807Z")
        #expect(Timestamp.iso8601(.min + 1) == "1677-09-21T00:12:43.145224193Z")
        #expect(Timestamp.nanoseconds(year: 2262, month: 4, day: 11, hour: 23, minute: 47, second: 16, nanosecond: 854_775_807) == .max)
        #expect(Timestamp.nanoseconds(year: 2262, month: 4, day: 11, hour: 23, minute: 47, second: 16, nanosecond: 854_775_808) == nil)
        #expect(Timestamp.nanoseconds(year: 3000, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0) == nil)
        #expect(Timestamp.nanoseconds(year: 1000, month: 1, day: 1, hour: 0, minute: 0, second: 0, nanosecond: 0) == nil)
    }

    @Test("iso8601 and nanoseconds round trip", arguments: [
        Int64(0), 1, -1, 999_999_999, 1_000_000_000, 1_714_564_800_000_000_001, 951_782_400_000_000_000 /* 2000-02-29 */,
        -2_208_988_800_000_000_000 /* 1900-01-01 */, 4_102_444_800_999_999_999, .max, .min + 1, -9_223_372_036_000_000_001, -9_223_372_036_000_000_000,
    ])
    func roundTrip(ns: Int64) throws {
        let text = Timestamp.iso8601(ns)
        // Parse `YYYY-MM-DDTHH:MM:SS.fffffffffZ` back by position.
        let chars = Array(text)
        try #require(chars.count == 30)
        func int(_ r: Range<Int>) -> Int { Int(String(chars[r]))! }
        let back = Timestamp.nanoseconds(year: int(0..<4), month: int(5..<7), day: int(8..<10),
                                         hour: int(11..<13), minute: int(14..<16), second: int(17..<19),
                                         nanosecond: int(20..<29))
        #expect(back == ns, "\(text)")
        #expect(chars[29] == "Z")
    }
}
