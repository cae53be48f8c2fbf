import SpanModel
import Testing

@Suite("DurationText.format")
struct DurationTextTests {
    @Test("durations format with their unit and three significant digits", arguments: [
        (Int64(0), "0ns"),
        (1, "1ns"),
        (850, "850ns"),
        (999, "999ns"),
        (1_000, "1µs"),
        (1_500, "1.5µs"),
        (1_230, "1.23µs"),
        (12_300, "12.3µs"),
        (12_345, "12.3µs"),
        (123_500, "124µs"),
        (100_000, "100µs"),
        (999_000, "999µs"),
        (1_000_000, "1ms"),
        (4_560_000, "4.56ms"),
        (4_500_000, "4.5ms"),
        (10_000_000, "10ms"),
        (20_000_000, "20ms"),
        (120_000_000, "120ms"),
        (999_000_000, "999ms"),
        (1_000_000_000, "1s"),
        (1_240_000_000, "1.24s"),
        (12_500_000_000, "12.5s"),
        (59_000_000_000, "59s"),
    ])
    func subMinute(ns: Int64, text: String) {
        #expect(DurationText.format(ns) == text)
    }

    @Test("minutes and hours use two-digit seconds and minutes", arguments: [
        (Int64(60_000_000_000), "1m00s"),
        (123_000_000_000, "2m03s"),
        (123_999_999_999, "2m04s"),  // rounds to the nearest second, like every other unit
        (599_000_000_000, "9m59s"),
        (3_599_000_000_000, "59m59s"),
        (3_600_000_000_000, "1h00m"),
        (3_723_000_000_000, "1h02m"),
        (36_000_000_000_000, "10h00m"),
        (86_400_000_000_000 * 3 + 59 * 60_000_000_000, "72h59m"),
        (.max, "2562047h47m"),
    ])
    func minutesAndHours(ns: Int64, text: String) {
        #expect(DurationText.format(ns) == text)
    }

    @Test("negative durations get a minus sign", arguments: [
        (Int64(-1), "-1ns"),
        (-1_500, "-1.5µs"),
        (-4_560_000, "-4.56ms"),
        (-123_000_000_000, "-2m03s"),
        (.min, "-2562047h47m"),
    ])
    func negative(ns: Int64, text: String) {
        #expect(DurationText.format(ns) == text)
    }

    @Test("an unknown duration is a question mark")
    func unknown() {
        #expect(DurationText.format(nil) == "?")
    }

    @Test("values that round up to the next unit are shown in that unit",
          arguments: [
              (Int64(999_500), "1ms"),
              (999_999, "1ms"),
              (999_999_500, "1s"),
              (59_999_999_999, "1m00s"),
          ])
    func roundingAcrossUnits(ns: Int64, text: String) {
        #expect(DurationText.format(ns) == text)
    }

    @Test("rounding within a unit stays at three significant digits", arguments: [
        (Int64(9_996), "10µs"),
        (99_960, "100µs"),
        (1_006_000, "1.01ms"),
        (1_004_000, "1ms"),
        (1_999_000, "2ms"),
    ])
    func roundingWithinUnit(ns: Int64, text: String) {
        #expect(DurationText.format(ns) == text)
    }
}
