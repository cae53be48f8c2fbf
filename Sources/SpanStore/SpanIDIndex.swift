import SpanModel

/// Span ID to index, open addressing with linear probing: about 12 bytes an entry at
/// most 2/3 full, and no SipHash (span IDs are random already; a multiply mixes them).
public struct SpanIDIndex: Sendable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var zeroValue: Int32 = -1   // span ID 0 (empty IDs in some exports) lives here
    public private(set) var count = 0

    public init() {
        keys = []
        values = []
    }

    public subscript(id: SpanID) -> Int32? {
        let key = id.value
        if key == 0 { return zeroValue >= 0 ? zeroValue : nil }
        guard !keys.isEmpty else { return nil }
        let mask = keys.count - 1
        var i = Self.slot(key, mask)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 { return nil }
            i = (i &+ 1) & mask
        }
    }

    /// Adds `id` if absent; returns the existing index if present.
    public mutating func insertIfAbsent(_ id: SpanID, _ value: Int32) -> Int32? {
        let key = id.value
        if key == 0 {
            if zeroValue >= 0 { return zeroValue }
            zeroValue = value
            count += 1
            return nil
        }
        if (count + 1) * 3 >= keys.count * 2 { grow() }
        let mask = keys.count - 1
        var i = Self.slot(key, mask)
        while true {
            let k = keys[i]
            if k == key { return values[i] }
            if k == 0 {
                keys[i] = key
                values[i] = value
                count += 1
                return nil
            }
            i = (i &+ 1) & mask
        }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        let capacity = max(8, oldKeys.count * 2)
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for (j, key) in oldKeys.enumerated() where key != 0 {
            var i = Self.slot(key, mask)
            while keys[i] != 0 { i = (i &+ 1) & mask }
            keys[i] = key
            values[i] = oldValues[j]
        }
    }
}
