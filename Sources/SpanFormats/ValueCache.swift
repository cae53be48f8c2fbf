#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers what a raw JSON value decoded to, keyed by its exact bytes.
///
/// Every span of a process repeats the same `Resource` and scope JSON. Hashing those
/// bytes and finding the decoded object again is far cheaper than decoding it, and it
/// makes all those spans share one object.
final class ValueCache<Value> {
    private struct Entry {
        let bytes: [UInt8]
        let value: Value
    }
    private var entries: [UInt64: [Entry]] = [:]
    private var total = 0
    let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    func value(for bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Value? {
        guard let bucket = entries[hash] else { return nil }
        for entry in bucket where entry.bytes.count == bytes.count {
            let same = entry.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            if same { return entry.value }
        }
        return nil
    }

    func insert(_ value: Value, for bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        guard total < limit else { return }
        entries[hash, default: []].append(Entry(bytes: Array(bytes), value: value))
        total += 1
    }
}
