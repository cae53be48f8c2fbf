/// A 128-bit W3C trace ID, stored as two integers rather than a string.
public struct TraceID: Hashable, Comparable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = TraceID(high: 0, low: 0)

    public var isZero: Bool { high == 0 && low == 0 }

    /// Parses 1 to 32 hex digits (either case); shorter IDs are left-padded with zeros,
    /// as Zipkin's and old Jaeger's 64-bit trace IDs are. Returns nil for anything else.
    public init?<S: StringProtocol>(hex: S) {
        self.init(hexBytes: hex.utf8)
    }

    /// The same from ASCII bytes.
    public init?<Bytes: Sequence>(hexBytes: Bytes) where Bytes.Element == UInt8 {
        var high: UInt64 = 0, low: UInt64 = 0
        var count = 0
        for byte in hexBytes {
            guard let nibble = HexDigits.value(of: byte), count < 32 else { return nil }
            high = (high << 4) | (low >> 60)
            low = (low << 4) | UInt64(nibble)
            count += 1
        }
        guard count > 0 else { return nil }
        self.init(high: high, low: low)
    }

    /// 32 lower-case hex digits.
    public var hex: String { HexDigits.format(high, digits: 16) + HexDigits.format(low, digits: 16) }

    public static func < (a: TraceID, b: TraceID) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }
}

extension TraceID: CustomStringConvertible {
    public var description: String { hex }
}
