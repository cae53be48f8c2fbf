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
        // Fractions of every length up to 12 digits (read 8 at a time when there is room).
        var rests = ["00:00", "59:59.999999999", "07:08.5", "30:00.000001", "00:00.1234567891"]
        for length in 1...12 {
            rests += ["41:17." + String("987654321098".prefix(length)), "00:01." + String("000000001000".prefix(length))]
        }
        for hour in ["2024-05-01T12:", "2024-05-01T13:", "1999-12-31T23:"] {
            for zone in ["Z", "+01:00", "-05:30"] {
                for rest in rests {
                    texts.append(hour + rest + zone)
                }
            }
        }
        texts += ["0001-01-01T00:00:00Z", "2024-05-01T12:00:00Z", "2024-05-01T12:61:00Z", "2024-05-01T12:00:00Z",
                  "2024-05-01T12:00:00", "2024-05-01T12:00:00Z", "2024-05-01T12:00:0xZ", "2024-05-01T12:00:00Z",
                  "2024-05-01T12:00:00.Z", "2024-05-01T12:00:00+0100"]
        // One reader for all of them, so that times of an hour already seen take the
        // cached path; each span's ID says which text it carried.
        let all = texts + texts.reversed()
        var stream = ""
        for (i, text) in all.enumerated() {
            var g = GoSpanJSON()
            g.spanID = HexDigits.format(UInt64(i + 1), digits: 16)
            g.start = text
            g.end = text
            stream += g.compact + "\n"
        }
        let spans = read(stream).spans
        var byID: [UInt64: Span] = [:]
        for span in spans { byID[span.spanID.value] = span }
        var cached = 0
        for (i, text) in all.enumerated() {
            let span = byID[UInt64(i + 1)]
            if let parsed = RFC3339.parse(text) {
                #expect(span?.startTime == parsed, "\(text)")
                if i > 0 && all[i - 1].prefix(14) == text.prefix(14) { cached += 1 }
            } else {
                #expect(span == nil, "\(text) should be rejected")
            }
        }
        #expect(cached > 100)
    }
}
