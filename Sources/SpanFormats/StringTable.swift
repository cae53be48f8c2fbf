#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// Makes Strings from raw JSON string bytes, storing repeated ones once.
///
/// Service names, span names, attribute keys and common values repeat across
/// thousands of spans; each distinct text gets one String storage that every
/// span shares. Strings of up to 15 bytes live inside the String value itself
/// (no heap), so only longer ones are interned. The table stops growing at
/// `maxEntries`, after which new texts are still decoded, just not shared.
public final class StringTable {
    private var hashes: UnsafeMutablePointer<UInt64>
    private var strings: UnsafeMutablePointer<String>
    private var capacity: Int
    private var count = 0
    public let maxEntries: Int
    /// Texts longer than this are never interned (they are rarely repeated).
    public let maxInternedLength: Int
    private var scratch: [UInt8] = []

    public init(maxEntries: Int = 1 << 17, maxInternedLength: Int = 96) {
        self.maxEntries = maxEntries
        self.maxInternedLength = maxInternedLength
        capacity = 1024
        hashes = .allocate(capacity: capacity)
        hashes.initialize(repeating: 0, count: capacity)
        strings = .allocate(capacity: capacity)
        strings.initialize(repeating: "", count: capacity)
    }

    deinit {
        hashes.deallocate()
        strings.deinitialize(count: capacity)
        strings.deallocate()
    }

    public var internedCount: Int { count }

    /// The text of a raw JSON string token: escapes decoded, UTF-8 checked.
    @inlinable
    public func string(_ raw: RawBytes, offset: Int) throws(ScanError) -> String {
        if raw.hasEscapes { return try unescaped(raw, offset: offset) }
        if !raw.isASCII && !UTF8Validation.isValid(raw.buffer) {
            throw .malformed("invalid UTF-8 in a string", offset: offset)
        }
        return make(raw.buffer)
    }

    /// A String for valid UTF-8 bytes, shared with earlier equal ones when worth it.
    @usableFromInline
    func make(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        if n <= 15 || n > maxInternedLength { return String(decoding: bytes, as: UTF8.self) }
        let base = bytes.baseAddress!
        let h = byteHash(base, n)
        var index = Int(truncatingIfNeeded: h) & (capacity - 1)
        while true {
            let stored = hashes[index]
            if stored == 0 { break }
            if stored == h {
                var candidate = strings[index]
                let same = candidate.withUTF8 { $0.count == n && memcmp($0.baseAddress!, base, n) == 0 }
                if same { return candidate }
            }
            index = (index &+ 1) & (capacity - 1)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if count < maxEntries {
            hashes[index] = h
            strings[index] = text
            count += 1
            if count * 2 > capacity { grow() }
        }
        return text
    }

    private func grow() {
        let oldCapacity = capacity, oldHashes = hashes, oldStrings = strings
        capacity *= 2
        hashes = .allocate(capacity: capacity)
        hashes.initialize(repeating: 0, count: capacity)
        strings = .allocate(capacity: capacity)
        strings.initialize(repeating: "", count: capacity)
        for i in 0..<oldCapacity where oldHashes[i] != 0 {
            var index = Int(truncatingIfNeeded: oldHashes[i]) & (capacity - 1)
            while hashes[index] != 0 { index = (index &+ 1) & (capacity - 1) }
            hashes[index] = oldHashes[i]
            strings[index] = oldStrings[i]
        }
        oldHashes.deallocate()
        oldStrings.deinitialize(count: oldCapacity)
        oldStrings.deallocate()
    }

    /// Decodes `\n`, `\"`, `\uXXXX` (with surrogate pairs) and friends.
    @usableFromInline
    func unescaped(_ raw: RawBytes, offset: Int) throws(ScanError) -> String {
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
        return try scratch.withUnsafeBufferPointer { (buffer) throws(ScanError) -> String in
            if !raw.isASCII && !UTF8Validation.isValid(buffer) {
                throw .malformed("invalid UTF-8 in a string", offset: offset)
            }
            return make(buffer)
        }
    }
}

