#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The undecoded contents of a string or number token, pointing into the scanner's buffer.
/// Valid only while that buffer is.
public struct RawBytes {
    public let start: UnsafePointer<UInt8>
    public let count: Int
    /// `escaped`, `nonASCII`, `float`.
    public let flags: UInt8

    @usableFromInline static let escaped: UInt8 = 1
    @usableFromInline static let nonASCII: UInt8 = 2
    @usableFromInline static let float: UInt8 = 4

    @inlinable
    init(start: UnsafePointer<UInt8>, count: Int, flags: UInt8) {
        self.start = start
        self.count = count
        self.flags = flags
    }

    public var hasEscapes: Bool { flags & Self.escaped != 0 }
    public var isASCII: Bool { flags & Self.nonASCII == 0 }

    public var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// Byte-for-byte equality with a literal (keys are compared this way, without a String).
    @inlinable @inline(__always)
    public func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && memcmp(start, literal.utf8Start, count) == 0
    }

    /// Throws if the bytes are not valid UTF-8 (only checked when a byte is >= 0x80).
    @inlinable
    func checkUTF8(at offset: Int) throws(ScanError) {
        if isASCII { return }
        if !UTF8Validation.isValid(buffer) { throw .malformed("invalid UTF-8 in a string", offset: offset) }
    }

    /// A decimal integer, for numbers written as strings.
    @usableFromInline
    func parseInt() -> Int64? {
        guard count > 0, count < 24, !hasEscapes else { return nil }
        var text = String(decoding: buffer, as: UTF8.self)
        text = text.trimmingASCIISpaces()
        return Int64(text)
    }

    /// A floating-point number (also the protobuf JSON spellings NaN and Infinity).
    @usableFromInline
    func parseDouble() -> Double? {
        guard count > 0, count < 400 else { return nil }
        if flags & Self.float == 0 && count < 19 {
            // Whole numbers without exponent: exact and fast.
            var i = 0, negative = false
            if start[0] == UInt8(ascii: "-") { negative = true; i = 1 }
            var value: Int64 = 0
            guard i < count else { return nil }
            while i < count {
                let c = start[i]
                guard c >= 48 && c <= 57 else { return slowParseDouble() }
                value = value * 10 + Int64(c - 48)
                i += 1
            }
            // -Double, not Double(-value): `-0` keeps its sign (Go writes a negative zero so).
            return negative ? -Double(value) : Double(value)
        }
        return slowParseDouble()
    }

    private func slowParseDouble() -> Double? {
        let text = String(decoding: buffer, as: UTF8.self)
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default: return Double(text)
        }
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// A UTF-8 validator (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
public enum UTF8Validation {
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            let b1 = bytes[i + 1]
            guard b1 >= lower && b1 <= upper else { return false }
            var k = 2
            while k <= need {
                let b = bytes[i + k]
                guard b >= 0x80 && b <= 0xBF else { return false }
                k += 1
            }
            i += need + 1
        }
        return true
    }
}
