import SpanModel
import Testing

@Suite("TraceID hex parsing and formatting")
struct TraceIDTests {
    @Test("a full 32-digit ID is split into its high and low halves")
    func fullID() throws {
        let id = try #require(TraceID(hex: "0af7651916cd43dd8448eb211c80319c"))
        #expect(id.high == 0x0af7_6519_16cd_43dd)
        #expect(id.low == 0x8448_eb21_1c80_319c)
        #expect(!id.isZero)
    }

    @Test("upper, lower and mixed case digits parse to the same ID")
    func eitherCase() throws {
        let lower = try #require(TraceID(hex: "abcdef0123456789abcdef0123456789"))
        let upper = try #require(TraceID(hex: "ABCDEF0123456789ABCDEF0123456789"))
        let mixed = try #require(TraceID(hex: "aBcDeF0123456789AbCdEf0123456789"))
        #expect(lower == upper)
        #expect(lower == mixed)
        #expect(lower.high == 0xabcd_ef01_2345_6789)
        #expect(lower.low == 0xabcd_ef01_2345_6789)
    }

    @Test("short IDs are left-padded with zeros", arguments: [
        ("1", UInt64(0), UInt64(1)),
        ("f", 0, 0xf),
        ("abc", 0, 0xabc),
        ("ffffffffffffffff", 0, .max),
        ("10000000000000000", 1, 0),
        ("123456789abcdef0123", 0x123, 0x4567_89ab_cdef_0123),
        ("fffffffffffffffffffffffffffffff", 0x0fff_ffff_ffff_ffff, .max),
        ("ffffffffffffffffffffffffffffffff", .max, .max),
    ])
    func leftPadding(text: String, high: UInt64, low: UInt64) throws {
        let id = try #require(TraceID(hex: text))
        #expect(id.high == high)
        #expect(id.low == low)
        #expect(id.hex == String(repeating: "0", count: 32 - text.count) + text.lowercased())
    }

    @Test("digit counts 1 through 32 all parse", arguments: 1...32)
    func everyLength(length: Int) throws {
        let text = String(repeating: "7", count: length)
        let id = try #require(TraceID(hex: text))
        #expect(id.hex == String(repeating: "0", count: 32 - length) + text)
    }

    @Test("invalid text is rejected", arguments: [
        "",
        "0x1234",
        "12 34",
        " 1234",
        "1234 ",
        "g",
        "123456789abcdefg",
        "-1",
        "12-34",
        "é",
        "１２",  // fullwidth digits
        "0af7651916cd43dd8448eb211c80319c0",  // 33 digits
        String(repeating: "0", count: 40),
    ])
    func invalid(text: String) {
        #expect(TraceID(hex: text) == nil)
    }

    @Test("all-zero text parses to .zero")
    func zero() throws {
        let id = try #require(TraceID(hex: "00000000000000000000000000000000"))
        #expect(id == .zero)
        #expect(id.isZero)
        #expect(TraceID(hex: "0") == .zero)
        #expect(TraceID.zero.hex == String(repeating: "0", count: 32))
    }

    @Test("hex is always 32 lower-case digits and parses back to the same ID", arguments: [
        TraceID(high: 0, low: 0),
        TraceID(high: 0, low: 1),
        TraceID(high: 1, low: 0),
        TraceID(high: .max, low: .max),
        TraceID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210),
        TraceID(high: 0x8000_0000_0000_0000, low: 0x0000_0000_0000_0001),
    ])
    func roundTrip(id: TraceID) throws {
        let text = id.hex
        #expect(text.count == 32)
        #expect(text == text.lowercased())
        #expect(text.allSatisfy { $0.isHexDigit })
        #expect(TraceID(hex: text) == id)
        #expect(id.description == text)
    }

    @Test("a specific ID formats to the exact text")
    func exactFormat() {
        #expect(TraceID(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210).hex == "0123456789abcdeffedcba9876543210")
        #expect(TraceID(high: 0, low: 0xabc).hex == "00000000000000000000000000000abc")
    }

    @Test("parsing from bytes and from a substring agree with parsing a string")
    func otherInputs() {
        let text = "4bf92f3577b34da6a3ce929d0e0e4736"
        let expected = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
        #expect(TraceID(hexBytes: Array(text.utf8)) == expected)
        #expect(TraceID(hex: Substring("xx" + text).dropFirst(2)) == expected)
        #expect(TraceID(hexBytes: [UInt8]()) == nil)
    }

    @Test("IDs order by high half, then low half")
    func ordering() {
        let a = TraceID(high: 0, low: .max)
        let b = TraceID(high: 1, low: 0)
        let c = TraceID(high: 1, low: 1)
        #expect(a < b)
        #expect(b < c)
        #expect(!(c < a))
        #expect([c, a, b].sorted() == [a, b, c])
    }
}

@Suite("SpanID hex parsing and formatting")
struct SpanIDTests {
    @Test("a full 16-digit ID parses to its value")
    func fullID() throws {
        let id = try #require(SpanID(hex: "b7ad6b7169203331"))
        #expect(id.value == 0xb7ad_6b71_6920_3331)
        #expect(SpanID(hex: "B7AD6B7169203331") == id)
        #expect(SpanID(hex: "b7Ad6B7169203331") == id)
    }

    @Test("short IDs are left-padded with zeros", arguments: [
        ("1", UInt64(1)),
        ("00f067aa0ba902b7", 0x00f0_67aa_0ba9_02b7),
        ("f067aa0ba902b7", 0x00f0_67aa_0ba9_02b7),
        ("abc", 0xabc),
        ("ffffffffffffffff", .max),
        ("8000000000000000", 0x8000_0000_0000_0000),
    ])
    func leftPadding(text: String, value: UInt64) throws {
        let id = try #require(SpanID(hex: text))
        #expect(id.value == value)
        #expect(id.hex == String(repeating: "0", count: 16 - text.count) + text)
    }

    @Test("digit counts 1 through 16 all parse", arguments: 1...16)
    func everyLength(length: Int) throws {
        let text = String(repeating: "e", count: length)
        let id = try #require(SpanID(hex: text))
        #expect(id.hex == String(repeating: "0", count: 16 - length) + text)
    }

    @Test("invalid text is rejected", arguments: [
        "", "0x12", "12 34", "g", "-1", "+1", "ä", "12345678901234567", "b7ad6b7169203331a", "b7ad6b716920333\n",
    ])
    func invalid(text: String) {
        #expect(SpanID(hex: text) == nil)
    }

    @Test("zero is the 'no span' ID")
    func zero() {
        #expect(SpanID(hex: "0") == .zero)
        #expect(SpanID(hex: "0000000000000000")?.isZero == true)
        #expect(SpanID.zero.hex == "0000000000000000")
        #expect(!SpanID(1).isZero)
    }

    @Test("hex round trips for edge values", arguments: [UInt64(0), 1, 0xf, 0x10, 0xdead_beef, .max, .max - 1, 1 << 63])
    func roundTrip(value: UInt64) {
        let id = SpanID(value)
        #expect(id.hex.count == 16)
        #expect(SpanID(hex: id.hex) == id)
        #expect(id.description == id.hex)
    }

    @Test("span IDs order by value")
    func ordering() {
        #expect(SpanID(1) < SpanID(2))
        #expect(SpanID(0xff) < SpanID(0x100))
        #expect(!(SpanID(.max) < SpanID(0)))
    }
}

@Suite("HexDigits")
struct HexDigitsTests {
    @Test("digit values for every ASCII byte")
    func values() {
        for byte in UInt8(0)...UInt8(255) {
            let expected: UInt8?
            switch byte {
            case 0x30...0x39: expected = byte - 0x30
            case 0x41...0x46: expected = byte - 0x41 + 10
            case 0x61...0x66: expected = byte - 0x61 + 10
            default: expected = nil
            }
            #expect(HexDigits.value(of: byte) == expected, "byte \(byte)")
        }
    }

    @Test("16 digits at once: every byte in every position, checked against one digit at a time")
    func sixteenDigits() {
        func scalar(_ bytes: [UInt8]) -> UInt64? {
            var v: UInt64 = 0
            for b in bytes {
                guard let n = HexDigits.value(of: b) else { return nil }
                v = v << 4 | UInt64(n)
            }
            return v
        }
        var base = Array("0123456789abcDEF".utf8)
        for position in 0..<16 {
            for byte in UInt8(0)...UInt8(255) {
                let saved = base[position]
                base[position] = byte
                let got = base.withUnsafeBytes { HexDigits.value16(at: $0.baseAddress!) }
                #expect(got == scalar(base), "byte \(byte) at \(position)")
                base[position] = saved
            }
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = UInt64.random(in: .min ... .max, using: &rng)
            let lower = HexDigits.format(value, digits: 16)
            for text in [lower, lower.uppercased()] {
                let got = Array(text.utf8).withUnsafeBytes { HexDigits.value16(at: $0.baseAddress!) }
                #expect(got == value, "\(text)")
            }
        }
    }

    @Test("format keeps leading zeros and truncates to the digit count")
    func format() {
        #expect(HexDigits.format(0, digits: 4) == "0000")
        #expect(HexDigits.format(0xabc, digits: 4) == "0abc")
        #expect(HexDigits.format(0x12345, digits: 4) == "2345")
        #expect(HexDigits.format(.max, digits: 16) == "ffffffffffffffff")
        #expect(HexDigits.format(0xF, digits: 1) == "f")
    }
}
