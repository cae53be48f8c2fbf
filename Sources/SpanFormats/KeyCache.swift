#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small direct-mapped cache from attribute-key bytes to their `Symbols` numbers.
///
/// A span carries the same dozen keys as the span before it. Looking them up in the big
/// `StringTable` (hash every byte, probe a table of many thousands of entries) costs cache
/// misses; this table has 256 slots and stays in L1, and a hit is one compare of the first
/// eight bytes plus a `memcmp` of the rest.
final class KeyCache {
    private struct Slot {
        var length = -1
        var prefix: UInt64 = 0
        var symbol: UInt32 = 0
        var offset = 0   // of the full key in `bytes`
    }
    private let slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked)
    private var bytes: [UInt8] = []
    /// The table's `generation` the numbers are from.
    private var generation = 0
    static let maxLength = 64

    init() {
        slots = .allocate(capacity: 256)
        slots.initialize(repeating: Slot(), count: 256)
    }

    deinit {
        slots.deinitialize(count: 256)
        slots.deallocate()
    }

    /// Whether `a[8..<n]` equals `b[8..<n]` (n > 8), eight bytes at a time, the last word
    /// overlapping the one before it (keys are short: a call to `memcmp` cost more).
    @inline(__always)
    static func sameAfterEight(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let a = UnsafeRawPointer(a), b = UnsafeRawPointer(b)
        var i = 8
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        return i == n || a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }

    @inline(__always)
    func symbol(_ raw: RawBytes, offset: Int, table: StringTable) throws(ScanError) -> UInt32 {
        let n = raw.count
        guard !raw.hasEscapes, n > 0, n <= Self.maxLength else { return try table.symbol(raw, offset: offset) }
        if generation != table.generation {
            // The table moved to a new `Symbols`: these numbers are of the old one.
            generation = table.generation
            bytes.removeAll(keepingCapacity: true)
            slots.update(repeating: Slot(), count: 256)
        }
        var prefix: UInt64 = 0
        if n >= 8 {
            prefix = UnsafeRawPointer(raw.start).loadUnaligned(as: UInt64.self)
        } else {
            for i in 0..<n { prefix |= UInt64(raw.start[i]) << (8 * UInt64(i)) }
        }
        let index = Int(truncatingIfNeeded: ((prefix &* 0x9E37_79B9_7F4A_7C15) >> 56) ^ UInt64(n)) & 255
        let slot = slots[index]
        if slot.length == n && slot.prefix == prefix
            && (n <= 8 || bytes.withUnsafeBufferPointer { Self.sameAfterEight($0.baseAddress! + slot.offset, raw.start, n) }) {
            return slot.symbol
        }
        let symbol = try table.symbol(raw, offset: offset)
        if bytes.count > 1 << 16 { bytes.removeAll(keepingCapacity: true); slots.update(repeating: Slot(), count: 256) }
        let at = bytes.count
        bytes.append(contentsOf: raw.buffer)
        slots[index] = Slot(length: n, prefix: prefix, symbol: symbol, offset: at)
        return symbol
    }
}
