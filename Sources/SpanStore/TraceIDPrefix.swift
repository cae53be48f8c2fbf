import SpanModel

/// What a user types to find a trace: any hex prefix, either case, with `0x`, dashes,
/// spaces and underscores ignored. Matching compares bits, never formats IDs as text.
public struct TraceIDPrefix: Hashable, Sendable {
    /// The prefix, left-aligned in 128 bits.
    public let bits: TraceID
    /// How many hex digits were given (0...32).
    public let digits: Int

    /// nil when the text holds a non-hex character or more than 32 digits.
    public init?(_ text: String) {
        var t = Substring(text.trimmingSpaces())
        if t.hasPrefix("0x") || t.hasPrefix("0X") { t = t.dropFirst(2) }
        var high: UInt64 = 0, low: UInt64 = 0, n = 0
        for byte in t.utf8 {
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "_") { continue }
            guard let nibble = HexDigits.value(of: byte), n < 32 else { return nil }
            if n < 16 {
                high |= UInt64(nibble) << UInt64(60 - 4 * n)
            } else {
                low |= UInt64(nibble) << UInt64(60 - 4 * (n - 16))
            }
            n += 1
        }
        bits = TraceID(high: high, low: low)
        digits = n
    }

    public var text: String { String(bits.hex.prefix(digits)) }

    public func matches(_ id: TraceID) -> Bool {
        if digits == 0 { return true }
        if digits <= 16 {
            let shift = UInt64(64 - 4 * digits)
            return digits == 16 ? id.high == bits.high : (id.high >> shift) == (bits.high >> shift)
        }
        guard id.high == bits.high else { return false }
        let lowDigits = digits - 16
        if lowDigits == 16 { return id.low == bits.low }
        let shift = UInt64(64 - 4 * lowDigits)
        return (id.low >> shift) == (bits.low >> shift)
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
