import SpanFormats
import SpanModel
import Testing

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test("UTC with nine fraction digits")
    func nanoseconds() {
        #expect(RFC3339.parse("2024-05-01T12:00:00.123456789Z") == 1_714_564_800_123_456_789)
    }

    @Test("fraction digits from none to nine, and more than nine truncated",
          arguments: [("2024-05-01T12:00:00Z", 0), ("2024-05-01T12:00:00.5Z", 500_000_000),
                      ("2024-05-01T12:00:00.05Z", 50_000_000), ("2024-05-01T12:00:00.000001Z", 1_000),
                      ("2024-05-01T12:00:00.1234567891Z", 123_456_789)])
    func fractions(text: String, nanos: Int64) {
        #expect(RFC3339.parse(text) == 1_714_564_800_000_000_000 + nanos)
    }

    @Test("zone offsets are applied")
    func offsets() {
        let utc = RFC3339.parse("2026-01-28T08:58:44.298985982Z")
        #expect(RFC3339.parse("2026-01-28T09:58:44.298985982+01:00") == utc)
        #expect(RFC3339.parse("2026-01-28T03:28:44.298985982-05:30") == utc)
    }

    @Test("Go's zero time (WithoutTimestamps) is unknown, not an overflow")
    func zeroTime() {
        #expect(RFC3339.parse("0001-01-01T00:00:00Z") == Timestamp.unknown)
        #expect(RFC3339.parse("1500-01-01T00:00:00Z") == Timestamp.unknown)
    }

    @Test("malformed times are rejected",
          arguments: ["", "2024-05-01", "2024-05-01T12:00:00", "2024-13-01T12:00:00Z", "2024-05-01T12:00:00.Z",
                      "2024-05-01T12:00:00+0100", "2024-05-01T25:00:00Z", "2024/05/01T12:00:00Z", "2024-05-01T12:00:00Zjunk"])
    func malformed(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("before 1970 and leap days")
    func calendar() {
        #expect(RFC3339.parse("1969-12-31T23:59:59Z") == -1_000_000_000)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") == 1_709_164_800_000_000_000)
    }
}

@Suite("Timestamps through the decoder's hour cache")
struct TimeCacheTests {
    @Test("every time decodes as RFC3339.parse does, cached hour or not")
    func matchesParse() throws {
        var texts: [String] = []
        for hour in ["2024-05-01T12:", "2024-05-01T13:", "1999-12-31T23:"] {
            for zone in ["Z", "+01:00", "-05:30"] {
                for rest in ["00:00", "59:59.999999999", "07:08.5", "30:00.000001", "00:00.1234567891"] {
                    texts.append(hour + rest + zone)
                }
            }
        }
        texts += ["0001-01-01T00:00:00Z", "2024-05-01T12:00:00Z", "2024-05-01T12:61:00Z", "2024-05-01T12:00:00Z",
                  "2024-05-01T12:00:00", "2024-05-01T12:00:00Z", "2024-05-01T12:00:0xZ", "2024-05-01T12:00:00Z",
                  "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+0100"]
        for text in texts + texts.reversed() {
            var g = GoSpanJSON()
            g.start = text
            g.end = text
            let parsed = RFC3339.parse(text)
            let span = decodeOne(g.compact)
            if let parsed {
                #expect(span?.startTime == parsed, "\(text)")
            } else {
                #expect(span == nil, "\(text) should be rejected")
            }
        }
    }
}
