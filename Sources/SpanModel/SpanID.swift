/// A 64-bit span ID. Zero means "no span" (a root's parent).
public struct SpanID: Hashable, Comparable, Sendable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public static let zero = SpanID(0)

    public var isZero: Bool { value == 0 }

    /// Parses 1 to 16 hex digits (either case), left-padding shorter ones.
    public init?<S: StringProtocol>(hex: S) {
        self.init(hexBytes: hex.utf8)
    }

    /// The same from ASCII bytes.
    public init?<Bytes: Sequence>(hexBytes: Bytes) where Bytes.Element == UInt8 {
        var value: UInt64 = 0
        var count = 0
        for byte in hexBytes {
            guard let nibble = HexDigits.value(of: byte), count < 16 else { return nil }
            value = (value << 4) | UInt64(nibble)
            count += 1
        }
        guard count > 0 else { return nil }
        self.init(value)
    }

    /// 16 lower-case hex digits.
    public var hex: String { HexDigits.format(value, digits: 16) }

    public static func < (a: SpanID, b: SpanID) -> Bool { a.value < b.value }
}

extension SpanID: CustomStringConvertible {
    public var description: String { hex }
}
