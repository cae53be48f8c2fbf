/// Eight-bytes-at-a-time tests ("SIMD within a register").
@usableFromInline
enum SWAR {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Nonzero high bit in each byte of `word` that is zero (exact for the lowest such byte).
    @inlinable @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 {
        (word &- ones) & ~word & highs
    }

    /// The high bit set in each byte that is '"', '\', a control character or not ASCII;
    /// exact for the lowest such byte (the first in memory), which is what callers use.
    @inlinable @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let quote = zeroBytes(word ^ (ones &* 0x22))
        let backslash = zeroBytes(word ^ (ones &* 0x5C))
        let control = (word &- ones &* 0x20) & ~word & highs   // bytes < 0x20 (and >= 0x80, checked below)
        return quote | backslash | control | (word & highs)
    }
}
