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

    /// The value of the 16 hex digits at `p` (either case), or nil if any byte is not one.
    /// Eight bytes at a time: every byte is range-checked and turned into its nibble in one
    /// word, then the nibbles are packed (the first digit is the most significant).
    @inlinable @inline(__always)
    public static func value16(at p: UnsafeRawPointer) -> UInt64? {
        guard let high = value8(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))),
              let low = value8(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// Eight ASCII hex digits (the first in the lowest byte) to their 32-bit value.
    @inlinable @inline(__always)
    static func value8(_ word: UInt64) -> UInt32? {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        guard word & highs == 0 else { return nil }
        // Each byte is below 0x80, so adding a constant below 0x80 never carries into the next
        // byte; a byte's high bit then says whether it reached the constant's threshold.
        let digit = (word &+ ones &* (0x80 - 0x30)) & ~(word &+ ones &* (0x80 - 0x3A))
        let lower = word | (ones &* 0x20)   // (`&` and `|` bind as tightly as `&*` in Swift)
        let letter = (lower &+ ones &* (0x80 - 0x61)) & ~(lower &+ ones &* (0x80 - 0x67))
        guard (digit | letter) & highs == highs else { return nil }
        // '0'-'9' have bit 6 clear; letters have it set and a low nibble of 1-6 (+9 = 10-15).
        var v = (word & (ones &* 0x0F)) &+ ((word >> 6) & ones) &* 9
        v = ((v & 0x0F00_0F00_0F00_0F00) >> 8) | ((v & 0x000F_000F_000F_000F) << 4)   // pairs to bytes
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF
        v = (v | (v >> 16)) & 0xFFFF_FFFF
        return UInt32(truncatingIfNeeded: v).byteSwapped
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
