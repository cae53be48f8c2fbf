#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recognises JSON values that repeat byte for byte (every span of a process carries the
/// same `Resource` and scope), and hands back what they decoded to the first time.
///
/// First it compares the bytes at the current position with the most recently used values
/// (a `memcmp`, no tokenising: a complete JSON value that matches byte for byte is that
/// value). Failing that it skips the value, hashes its bytes and looks in a table, and only
/// then decodes. A value found by either path was decoded (and so checked) once before.
final class RepeatedValues<Value> {
    private struct Entry {
        let bytes: [UInt8]
        let value: Value
        /// Newlines inside the bytes, and the index just after the last one (-1 if none).
        let newlines: Int
        let lastNewlineEnd: Int

        init(bytes: [UInt8], value: Value) {
            self.bytes = bytes
            self.value = value
            newlines = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            lastNewlineEnd = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? -1
        }

        func matches(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
            bytes.count == other.count && bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, other.baseAddress!, other.count) == 0 }
        }
    }
    @exclusivity(unchecked)
    private var recent: [Entry] = []
    private let recentLimit = 8
    @exclusivity(unchecked)
    private var byHash: [UInt64: [Entry]] = [:]
    @exclusivity(unchecked)
    private var total = 0
    let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    func read(_ s: inout JSONScanner, decode: (inout JSONScanner) throws(ScanError) -> Value) throws(ScanError) -> Value {
        s.skipWhitespace()
        let available = s.end - s.position
        let here = s.base + s.position
        for i in recent.indices {
            let same = recent[i].bytes.withUnsafeBufferPointer { $0.count <= available && memcmp($0.baseAddress!, here, $0.count) == 0 }
            if same {
                let entry = recent[i]
                if entry.newlines > 0 {
                    s.newlines += entry.newlines
                    s.lastNewlineEnd = s.position + entry.lastNewlineEnd
                }
                s.position += entry.bytes.count
                if i > 0 { recent.swapAt(i, i - 1) }   // drift towards the front
                return entry.value
            }
        }
        let before = s
        try s.skipValue()
        let bytes = UnsafeBufferPointer(start: s.base + before.position, count: s.position - before.position)
        let hash = byteHash(bytes.baseAddress!, bytes.count)
        if let hit = byHash[hash]?.first(where: { $0.matches(bytes) }) {
            remember(hit)
            return hit.value
        }
        let after = s
        s = before
        let value = try decode(&s)
        s = after
        let entry = Entry(bytes: Array(bytes), value: value)
        if total < limit {
            byHash[hash, default: []].append(entry)
            total += 1
        }
        remember(entry)
        return value
    }

    private func remember(_ entry: Entry) {
        if recent.count >= recentLimit { recent.removeLast() }
        recent.insert(entry, at: recent.count / 2)
    }
}
