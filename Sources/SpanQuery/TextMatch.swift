import SpanModel

/// Case-insensitive byte matching without building Strings: ASCII letters and the Latin-1
/// letters À–Þ (UTF-8 `C3 80`–`C3 9E`, but not × `C3 97`) fold to lower case, byte for byte
/// (the folded form has the same length, so no text is copied to compare it).
enum Fold {
    /// The folded byte at `i` of `text` (a byte after `C3` is a Latin-1 letter's second byte).
    @inline(__always)
    static func byte(_ text: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt8 {
        let c = text[i]
        if c &- 0x41 < 26 { return c | 0x20 }
        if c >= 0x80 && c <= 0x9E && c != 0x97 && i > 0 && text[i - 1] == 0xC3 { return c &+ 0x20 }
        return c
    }

    /// `text` folded.
    static func folded(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { b in
            for i in b.indices.reversed() { b[i] = byte(UnsafeBufferPointer(b), i) }
        }
        return bytes
    }

    /// Whether the folded `needle` occurs in `text` (folded as it is read). Candidates are found
    /// by the first byte in either case, so most bytes cost one or two compares.
    static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let n = needle.count
        if n == 0 { return true }
        guard text.count >= n else { return false }
        return needle.withUnsafeBufferPointer { needle in
            let first = needle[0]
            let other = first &- 0x61 < 26 ? first & ~0x20 : first
            let last = text.count - n
            var i = 0
            while i <= last {
                let c = text[i]
                if c == first || c == other {
                    var j = 1
                    while j < n && byte(text, i + j) == needle[j] { j += 1 }
                    if j == n { return true }
                }
                i += 1
            }
            return false
        }
    }

    /// Whether `text`, folded, is exactly the folded `other`.
    static func equals(_ text: UnsafeBufferPointer<UInt8>, _ other: [UInt8]) -> Bool {
        guard text.count == other.count else { return false }
        for i in 0..<text.count where byte(text, i) != other[i] { return false }
        return true
    }

    /// Folded `text` against the folded `other` in byte order: -1, 0 or 1.
    static func compare(_ text: UnsafeBufferPointer<UInt8>, _ other: [UInt8]) -> Int {
        let n = min(text.count, other.count)
        for i in 0..<n {
            let a = byte(text, i), b = other[i]
            if a != b { return a < b ? -1 : 1 }
        }
        return text.count == other.count ? 0 : (text.count < other.count ? -1 : 1)
    }

    /// Whether folded `text` matches the folded glob `parts` (the pattern split at `*`): the first
    /// part is a prefix, the last a suffix, the others appear in order between them.
    static func glob(_ text: UnsafeBufferPointer<UInt8>, _ parts: [[UInt8]]) -> Bool {
        guard let first = parts.first else { return true }
        if parts.count == 1 { return equals(text, first) }
        let last = parts[parts.count - 1]
        guard text.count >= first.count + last.count else { return false }
        for i in 0..<first.count where byte(text, i) != first[i] { return false }
        let tail = text.count - last.count
        for i in 0..<last.count where byte(text, tail + i) != last[i] { return false }
        var at = first.count
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let found = find(text, part, from: at, before: tail) else { return false }
            at = found + part.count
        }
        return true
    }

    private static func find(_ text: UnsafeBufferPointer<UInt8>, _ needle: [UInt8], from: Int, before end: Int) -> Int? {
        let n = needle.count
        var i = from
        while i + n <= end {
            var j = 0
            while j < n && byte(text, i + j) == needle[j] { j += 1 }
            if j == n { return i }
            i += 1
        }
        return nil
    }

    /// Calls `body` with the UTF-8 bytes of `text` (no copy for native strings).
    @inline(__always)
    static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }

    /// Calls `body` with the decimal digits of `value`, written on the stack.
    @inline(__always)
    static func withDecimal<R>(_ value: Int64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // 24 bytes: a sign and 19 digits fit
        return withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var v = value.magnitude
            var i = 24
            repeat {
                i -= 1
                buffer[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            } while v > 0
            if value < 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "-")
            }
            return body(UnsafeBufferPointer(rebasing: buffer[i...]))
        }
    }

    static let trueText: [UInt8] = Array("true".utf8)
    static let falseText: [UInt8] = Array("false".utf8)
}

/// A number as a query compares it: an integer kept exact, or a double.
enum QueryNumber: Hashable, Sendable {
    case int(Int64)
    case double(Double)

    /// Parses decimal text (an optional sign, digits, an optional fraction and exponent); nil for
    /// anything else (`inf`, `nan`, hex, empty).
    init?(_ text: UnsafeBufferPointer<UInt8>) {
        guard let first = text.first, text.count <= 64 else { return nil }
        let start = first == UInt8(ascii: "-") || first == UInt8(ascii: "+") ? 1 : 0
        guard start < text.count else { return nil }
        var allDigits = true
        var sawDigit = false
        for i in start..<text.count {
            let c = text[i]
            if c &- 0x30 < 10 { sawDigit = true; continue }
            allDigits = false
            guard c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                || ((c == UInt8(ascii: "-") || c == UInt8(ascii: "+")) && i > start && (text[i - 1] | 0x20) == UInt8(ascii: "e"))
            else { return nil }
        }
        guard sawDigit else { return nil }
        let string = String(decoding: text, as: UTF8.self)
        if allDigits, let i = Int64(string) {
            self = .int(i)
        } else if let d = Double(string), d.isFinite {
            self = .double(d)
        } else {
            return nil
        }
    }

    init?(_ text: String) {
        guard let n = Fold.withUTF8(text, { QueryNumber($0) }) else { return nil }
        self = n
    }

    var double: Double {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        }
    }

    /// -1, 0 or 1: integers exactly, otherwise as doubles.
    func compare(_ other: QueryNumber) -> Int {
        if case .int(let a) = self, case .int(let b) = other { return a < b ? -1 : (a == b ? 0 : 1) }
        let a = double, b = other.double
        return a < b ? -1 : (a == b ? 0 : 1)
    }
}
