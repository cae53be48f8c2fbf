#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// Turns raw JSON string bytes into Strings and `Symbols` numbers, remembering repeats.
///
/// - `string(_:)` gives a String; repeated texts longer than 15 bytes share one storage
///   (shorter ones live inside the String value and need no sharing).
/// - `symbol(_:)` gives the `Symbols` number of a text (attribute keys).
/// - `writeValue(_:into:)` packs a string value: short ones (up to 15 bytes) inline; longer
///   ones inline the first time they are seen, as a symbol from their second sighting on, so
///   unique values (request IDs) never fill the table and common ones (a route, a SQL
///   statement) cost two or three bytes a span.
///
/// Lookups hash the bytes in place; a String is made only for a new text.
public final class StringTable {
    private struct Entry {
        var hash: UInt64 = 0
        var text = ""
        var symbol: UInt32 = .max
        /// Where the text's bytes are in `arena`, for comparing without touching the String.
        var offset: UInt32 = 0
        var length: UInt32 = 0
    }
    /// The UTF-8 bytes of every entry, back to back.
    private var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity = 1 << 16
    private var arenaCount = 0
    private var entries: UnsafeMutablePointer<Entry>
    private var capacity: Int
    private var count = 0
    public let maxEntries: Int
    /// Texts longer than this are never shared or made symbols.
    public let maxInternedLength: Int
    public let symbols: Symbols

    /// Hashes of texts seen once (a second sighting makes them symbols). Cleared when full.
    private var seenOnce: UnsafeMutablePointer<UInt64>
    private let seenCapacity = 1 << 16
    private var seenCount = 0

    private var scratch: [UInt8] = []

    public init(symbols: Symbols = .shared, maxEntries: Int = 1 << 17, maxInternedLength: Int = 128) {
        self.symbols = symbols
        self.maxEntries = maxEntries
        self.maxInternedLength = maxInternedLength
        capacity = 1024
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(), count: capacity)
        seenOnce = .allocate(capacity: seenCapacity)
        seenOnce.initialize(repeating: 0, count: seenCapacity)
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        entries.deinitialize(count: capacity)
        entries.deallocate()
        seenOnce.deallocate()
        arena.deallocate()
    }

    public var internedCount: Int { count }

    // MARK: - Public operations

    /// The text of a raw JSON string token: escapes decoded, UTF-8 checked.
    public func string(_ raw: RawBytes, offset: Int) throws(ScanError) -> String {
        try withDecoded(raw, offset: offset) { bytes in
            let n = bytes.count
            if n <= 15 || n > maxInternedLength { return String(decoding: bytes, as: UTF8.self) }
            let slot = find(bytes, hash: byteHash(bytes.baseAddress!, n))
            if slot.found { return entries[slot.index].text }
            return insert(bytes, at: slot.index, hash: slot.hash, symbol: .max).text
        }
    }

    /// The `Symbols` number of a text.
    public func symbol(_ raw: RawBytes, offset: Int) throws(ScanError) -> UInt32 {
        try withDecoded(raw, offset: offset) { bytes in symbol(bytes) }
    }

    /// Packs a string value (see the type's notes).
    public func writeValue(_ raw: RawBytes, into buffer: inout [UInt8], offset: Int) throws(ScanError) {
        try withDecoded(raw, offset: offset) { bytes in
            let n = bytes.count
            // Up to 15 bytes, inline costs at most 13 bytes more than a symbol and needs no lookup.
            if n <= 15 || n > maxInternedLength {
                PackedBytes.inlineString(&buffer, bytes)
                return
            }
            let hash = byteHash(bytes.baseAddress!, n)
            let slot = find(bytes, hash: hash)
            if slot.found {
                PackedBytes.symbolString(&buffer, symbolOf(slot.index))
                return
            }
            // Seen before? Then it repeats: make it a symbol. Else remember the sighting.
            var i = Int(truncatingIfNeeded: hash >> 7) & (seenCapacity - 1)
            while seenOnce[i] != 0 {
                if seenOnce[i] == hash {
                    if count < maxEntries {
                        let entry = insert(bytes, at: slot.index, hash: hash, symbol: symbols.id(for: String(decoding: bytes, as: UTF8.self)))
                        PackedBytes.symbolString(&buffer, entry.symbol)
                    } else {
                        PackedBytes.inlineString(&buffer, bytes)
                    }
                    return
                }
                i = (i &+ 1) & (seenCapacity - 1)
            }
            if seenCount * 2 >= seenCapacity {
                seenOnce.update(repeating: 0, count: seenCapacity)
                seenCount = 0
                i = Int(truncatingIfNeeded: hash >> 7) & (seenCapacity - 1)
            }
            seenOnce[i] = hash
            seenCount += 1
            PackedBytes.inlineString(&buffer, bytes)
        }
    }

    // MARK: - Table

    private func symbol(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let n = bytes.count
        guard n > 0 else { return symbols.id(for: "") }
        if n > maxInternedLength { return symbols.id(for: String(decoding: bytes, as: UTF8.self)) }
        let slot = find(bytes, hash: byteHash(bytes.baseAddress!, n))
        if slot.found { return symbolOf(slot.index) }
        let text = String(decoding: bytes, as: UTF8.self)
        let id = symbols.id(for: text)
        if count < maxEntries { _ = insert(bytes, at: slot.index, hash: slot.hash, symbol: id) }
        return id
    }

    private func symbolOf(_ index: Int) -> UInt32 {
        if entries[index].symbol == .max { entries[index].symbol = symbols.id(for: entries[index].text) }
        return entries[index].symbol
    }

    @inline(__always)
    private func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (found: Bool, index: Int, hash: UInt64) {
        let n = bytes.count
        var index = Int(truncatingIfNeeded: hash) & (capacity - 1)
        while true {
            let stored = entries[index].hash
            if stored == 0 { return (false, index, hash) }
            if stored == hash && Int(entries[index].length) == n
                && memcmp(arena + Int(entries[index].offset), bytes.baseAddress!, n) == 0 {
                return (true, index, hash)
            }
            index = (index &+ 1) & (capacity - 1)
        }
    }

    private func insert(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, hash: UInt64, symbol: UInt32) -> Entry {
        var entry = Entry(hash: hash, text: String(decoding: bytes, as: UTF8.self), symbol: symbol)
        guard count < maxEntries else { return entry }
        if arenaCount + bytes.count > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while arenaCount + bytes.count > newCapacity { newCapacity *= 2 }
            let newArena = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newArena.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = newArena
            arenaCapacity = newCapacity
        }
        (arena + arenaCount).update(from: bytes.baseAddress!, count: bytes.count)
        entry.offset = UInt32(arenaCount)
        entry.length = UInt32(bytes.count)
        arenaCount += bytes.count
        entries[index] = entry
        count += 1
        if count * 2 > capacity { grow() }
        return entry
    }

    private func grow() {
        let oldCapacity = capacity, old = entries
        capacity *= 2
        entries = .allocate(capacity: capacity)
        entries.initialize(repeating: Entry(), count: capacity)
        for i in 0..<oldCapacity where old[i].hash != 0 {
            var index = Int(truncatingIfNeeded: old[i].hash) & (capacity - 1)
            while entries[index].hash != 0 { index = (index &+ 1) & (capacity - 1) }
            entries[index] = old[i]
        }
        old.deinitialize(count: oldCapacity)
        old.deallocate()
    }

    // MARK: - Decoding

    /// Calls `body` with the decoded, valid UTF-8 bytes of a raw string token.
    @inline(__always)
    private func withDecoded<R>(_ raw: RawBytes, offset: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) throws(ScanError) -> R {
        if raw.hasEscapes {
            try unescape(raw, offset: offset)
            return scratch.withUnsafeBufferPointer(body)
        }
        if !raw.isASCII && !UTF8Validation.isValid(raw.buffer) {
            throw .malformed("invalid UTF-8 in a string", offset: offset)
        }
        return body(raw.buffer)
    }

    /// Decodes `\n`, `\"`, `\uXXXX` (with surrogate pairs) and friends into `scratch`.
    private func unescape(_ raw: RawBytes, offset: Int) throws(ScanError) {
        scratch.removeAll(keepingCapacity: true)
        let p = raw.start, n = raw.count
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= n else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let d = HexDigits.value(of: p[at + k]) else { return nil }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        func append(scalar: UInt32) {
            let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            for b in String(s).utf8 { scratch.append(b) }
        }
        while i < n {
            let b = p[i]
            if b != UInt8(ascii: "\\") { scratch.append(b); i += 1; continue }
            guard i + 1 < n else { throw .malformed("bad escape at the end of a string", offset: offset) }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                guard let u = hex4(i) else { throw .malformed("bad \\u escape in a string", offset: offset) }
                i += 4
                if u >= 0xD800 && u <= 0xDBFF {
                    // A high surrogate: pair it with a following \uDC00-\uDFFF, else U+FFFD.
                    if i + 6 <= n, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u"),
                       let low = hex4(i + 2), low >= 0xDC00 && low <= 0xDFFF {
                        i += 6
                        append(scalar: 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        append(scalar: 0xFFFD)
                    }
                } else {
                    append(scalar: u)   // a lone low surrogate becomes U+FFFD
                }
            default:
                throw .malformed("unknown escape \\\(Character(Unicode.Scalar(e))) in a string", offset: offset)
            }
        }
        if !raw.isASCII {
            let valid = scratch.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
            if !valid { throw .malformed("invalid UTF-8 in a string", offset: offset) }
        }
    }
}
