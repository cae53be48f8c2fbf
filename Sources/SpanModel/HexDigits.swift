/// Hex conversion shared by the ID types and the format readers.
public enum HexDigits {
    /// The value of one ASCII hex digit, or nil.
    @inlinable
    public static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// `value` as exactly `digits` lower-case hex digits (leading zeros kept).
    public static func format(_ value: UInt64, digits: Int) -> String {
        let alphabet: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: digits) { buffer in
            var v = value
            for i in stride(from: digits - 1, through: 0, by: -1) {
                buffer[i] = alphabet.utf8Start[Int(v & 0xF)]
                v >>= 4
            }
            return digits
        }
    }
}
