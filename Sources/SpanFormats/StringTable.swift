#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// Turns raw JSON string bytes into Strings and `Symbols` numbers, remembering repeats.
///
/// - `string(_:)` gives a String; texts longer than 15 bytes seen more than once share one
///   storage (shorter ones live inside the String value and need no sharing; a text is
///   remembered from its second sighting on, so unique names do not fill the table).
/// - `symbol(_:)` gives the `Symbols` number of a text (attribute keys), or `noSymbol` when
///   `Symbols` is full; `writeKey(_:into:)` packs a key either way.
/// - `writeValue(_:into:)` packs a string value: short ones (up to 15 bytes) inline; longer
///   ones inline the first time they are seen, as a symbol from their second sighting on, so
///   unique values (request IDs) never fill the table and common ones (a route, a SQL
///   statement) cost two or three bytes a span.
///
/// Memory is bounded, so that endless live input with `--max-spans` plateaus:
/// - At most `maxEntries` entries (each text at most `maxInternedLength` bytes, in `arena` and
///   in a String) and a fixed `seenOnce` set. A full table is emptied and fills again with
///   what repeats from then on (a table that stopped adding would keep the IDs of its first
///   minutes and never learn a route deployed later); spans keep the Strings they share.
/// - `Symbols` is bounded too (`Symbols.defaultMaxCount`). When it refuses a text, the text is
///   written in place (`PackedBytes.inlineString`, `inlineKey`) for the rest of the top-level
///   value, and at the next one (`valueBoundary()`, called by `SpanDecoder`) this table moves
///   to a new, empty `Symbols` (a generation): spans already decoded keep a reference to the
///   table their numbers are in (`SpanDetails.symbols`), so an old generation is freed when
///   the last span that uses it is evicted. Numbers never change under a span, and never mix
///   two tables within one.
/// An entry remembers that `Symbols` refused it (`Entry.full`), so the common path (a text
/// already in the table) takes no lock, full or not.
///
/// Lookups hash the bytes in place; a String is made only for a new text.
public final class StringTable {
    private struct Entry {
        /// `symbol` before a number was asked for.
        static let unasked = UInt32.max
        /// `symbol` when `Symbols` was full: the text goes in place.
        static let full = UInt32.max - 1
        var hash: UInt64 = 0
        var text = ""
        var symbol: UInt32 = unasked
        /// Where the text's bytes are in `arena`, for comparing without touching the String.
        var offset: UInt32 = 0
        var length: UInt32 = 0
    }
    /// The UTF-8 bytes of every entry, back to back.
    @exclusivity(unchecked)
    private var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked)
    private var arenaCapacity = 1 << 16
    @exclusivity(unchecked)
    private var arenaCount = 0
    @exclusivity(unchecked)
    private var entries: UnsafeMutablePointer<Entry>
    @exclusivity(unchecked)
    private var capacity: Int
    @exclusivity(unchecked)
    private var count = 0
    public let maxEntries: Int
    /// Texts longer than this are never shared or made symbols.
    public let maxInternedLength: Int
    /// Where numbers come from now (see the type's notes on generations).
    @exclusivity(unchecked)
    public private(set) var symbols: Symbols
    /// Move to a new `Symbols` when this one is full (else write new texts in place for good).
    public let rotatesSymbols: Bool
    /// `symbols` refused a text since the last move: move at the next top-level value.
    @exclusivity(unchecked)
    private var symbolsFull = false
    /// How many times `symbols` was replaced (`KeyCache` forgets its numbers when this changes).
    @exclusivity(unchecked)
    public private(set) var generation = 0
    /// How many times the table was full and emptied.
    @exclusivity(unchecked)
    public private(set) var clears = 0

    /// Hashes of texts seen once (a second sighting makes them symbols). Cleared when full.
    @exclusivity(unchecked)
    private var seenOnce: UnsafeMutablePointer<UInt64>
    private let seenCapacity = 1 << 16
    @exclusivity(unchecked)
    private var seenCount = 0

    @exclusivity(unchecked)
    private var scratch: [UInt8] = []

    /// What `symbol(_:)` gives when `Symbols` is full and does not hold the text: write the key
    /// in place (`writeKey` does). The same number `PackedBytes.inlineKey` writes.
    public static let noSymbol = PackedBytes.inlineKey

    /// `maxEntries`: 16,384 texts, about 3.5 MB at most (slots, Strings, arena): many times the
    /// texts real services repeat; under the churn of `spanview-bench endless` (values seen
    /// exactly twice, about a thousand a second) it is emptied every 20 to 40 seconds and
    /// re-learns the common texts within a span or two.
    public init(symbols: Symbols = .shared, maxEntries: Int = 1 << 14, maxInternedLength: Int = 128, rotatesSymbols: Bool = true) {
        self.symbols = symbols
        self.rotatesSymbols = rotatesSymbols
        self.maxEntries = max(1, maxEntries)
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

    /// Called before each top-level value: moves to a new `Symbols` if this one is full.
    @inline(__always)
    public func valueBoundary() {
        if symbolsFull { nextGeneration() }
    }

    private func nextGeneration() {
        symbolsFull = false
        guard rotatesSymbols else { return }
        symbols = Symbols(maxCount: symbols.maxCount, maxBytes: symbols.maxBytes)
        generation += 1
        for i in 0..<capacity where entries[i].hash != 0 { entries[i].symbol = Entry.unasked }
    }

    /// `symbols.id(for:)`, noting a refusal (unless the text would not fit an empty table
    /// either: a key of megabytes is written in place without starting generation after
    /// generation).
    private func newID(_ text: String) -> UInt32? {
        if let id = symbols.id(for: text) { return id }
        if text.utf8.count <= symbols.maxBytes { symbolsFull = true }
        return nil
    }

    // MARK: - Public operations

    /// The text of a raw JSON string token: escapes decoded, UTF-8 checked.
    public func string(_ raw: RawBytes, offset: Int) throws(ScanError) -> String {
        try withDecoded(raw, offset: offset) { bytes in
            let n = bytes.count
            if n <= 15 || n > maxInternedLength { return String(decoding: bytes, as: UTF8.self) }
            let slot = find(bytes, hash: byteHash(bytes.baseAddress!, n))
            if slot.found { return entries[slot.index].text }
            // Shared from the second sighting on: a name with an ID in it stays out of the table.
            guard sawBefore(slot.hash) else { return String(decoding: bytes, as: UTF8.self) }
            return insert(bytes, at: slot.index, hash: slot.hash, symbol: Entry.unasked).text
        }
    }

    /// The `Symbols` number of a text, or `noSymbol` if `Symbols` is full and lacks it.
    public func symbol(_ raw: RawBytes, offset: Int) throws(ScanError) -> UInt32 {
        try withDecoded(raw, offset: offset) { bytes in symbol(bytes) }
    }

    /// Packs an attribute key whose `symbol(_:)` is `symbol` (`raw` is read again only when
    /// that is `noSymbol`, to write the key in place).
    @inline(__always)
    public func writeKey(_ raw: RawBytes, symbol: UInt32, into buffer: inout [UInt8], offset: Int) throws(ScanError) {
        if symbol != Self.noSymbol {
            PackedBytes.symbolKey(&buffer, symbol)
            return
        }
        try withDecoded(raw, offset: offset) { bytes in PackedBytes.inlineKey(&buffer, bytes) }
    }

    /// Packs an attribute key: its symbol, or in place when `Symbols` is full.
    @inline(__always)
    public func writeKey(_ raw: RawBytes, into buffer: inout [UInt8], offset: Int) throws(ScanError) {
        try writeKey(raw, symbol: try symbol(raw, offset: offset), into: &buffer, offset: offset)
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
                let symbol = symbolOf(slot.index)
                if symbol < Entry.full {
                    PackedBytes.symbolString(&buffer, symbol)
                } else {
                    PackedBytes.inlineString(&buffer, bytes)
                }
                return
            }
            // Seen before? Then it repeats: make it a symbol (if `Symbols` has room; the entry
            // remembers if not). Else the sighting is remembered.
            if sawBefore(hash) {
                let text = String(decoding: bytes, as: UTF8.self)
                let symbol = newID(text) ?? Entry.full
                _ = insert(bytes, text: text, at: slot.index, hash: hash, symbol: symbol)
                if symbol < Entry.full {
                    PackedBytes.symbolString(&buffer, symbol)
                    return
                }
            }
            PackedBytes.inlineString(&buffer, bytes)
        }
    }

    /// Whether a text of this hash was seen before (since `seenOnce` was last cleared); if
    /// not, remembers it.
    private func sawBefore(_ hash: UInt64) -> Bool {
        var i = Int(truncatingIfNeeded: hash >> 7) & (seenCapacity - 1)
        while seenOnce[i] != 0 {
            if seenOnce[i] == hash { return true }
            i = (i &+ 1) & (seenCapacity - 1)
        }
        if seenCount * 2 >= seenCapacity {
            seenOnce.update(repeating: 0, count: seenCapacity)
            seenCount = 0
            i = Int(truncatingIfNeeded: hash >> 7) & (seenCapacity - 1)
        }
        seenOnce[i] = hash
        seenCount += 1
        return false
    }

    // MARK: - Table

    private func symbol(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let n = bytes.count
        guard n > 0 else { return newID("") ?? Self.noSymbol }
        if n > maxInternedLength { return newID(String(decoding: bytes, as: UTF8.self)) ?? Self.noSymbol }
        let slot = find(bytes, hash: byteHash(bytes.baseAddress!, n))
        if slot.found {
            let symbol = symbolOf(slot.index)
            return symbol < Entry.full ? symbol : Self.noSymbol
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let id = newID(text)
        _ = insert(bytes, text: text, at: slot.index, hash: slot.hash, symbol: id ?? Entry.full)
        return id ?? Self.noSymbol
    }

    /// The entry's symbol, asked for the first time it is needed: a number, or `Entry.full`.
    @inline(__always)
    private func symbolOf(_ index: Int) -> UInt32 {
        if entries[index].symbol == Entry.unasked { entries[index].symbol = newID(entries[index].text) ?? Entry.full }
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

    private func insert(_ bytes: UnsafeBufferPointer<UInt8>, text: String? = nil, at index: Int, hash: UInt64, symbol: UInt32) -> Entry {
        var entry = Entry(hash: hash, text: text ?? String(decoding: bytes, as: UTF8.self), symbol: symbol)
        var index = index
        if count >= maxEntries {
            // Full: start again (the slots and arena are kept for the next round).
            entries.update(repeating: Entry(), count: capacity)
            count = 0
            arenaCount = 0
            clears += 1
            index = Int(truncatingIfNeeded: hash) & (capacity - 1)
        }
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
