#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SpanModel

/// A pull parser over one contiguous buffer of JSON bytes.
///
/// It never allocates for structure: decoders ask for exactly what they expect
/// (`beginObject`, `readKey`, `readInt`, `skipValue`...) and get typed values or a
/// `ScanError`. Running off the end of the buffer is `.incomplete`, so a caller can
/// retry once more bytes arrive. Newlines outside strings are counted as they are
/// passed, which gives line numbers for free (JSON strings cannot hold raw newlines).
public struct JSONScanner {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let end: Int
    /// Index of the next byte to read.
    public var position: Int
    /// Newlines passed since the scanner was made.
    public var newlines: Int = 0
    /// Index just after the most recent newline passed, or -1.
    public var lastNewlineEnd: Int = -1
    /// How many nested values the decoders are inside (see `enterNested`).
    public private(set) var nesting = 0
    /// Deepest nesting the decoders follow. Deeper input is reported as malformed, so no
    /// decoder recursion (a value inside a value) can exhaust a thread's stack, whatever
    /// the input. Real exporters nest a handful of levels.
    public static let maxNesting = PackedBytes.maxDepth

    public init(base: UnsafePointer<UInt8>, count: Int, position: Int = 0) {
        self.base = base
        self.end = count
        self.position = position
    }

    public var atEnd: Bool { position >= end }

    // MARK: - Errors

    @usableFromInline
    func fail(_ message: String) -> ScanError { .malformed(message, offset: position) }

    @usableFromInline
    func unexpected(_ expected: String) -> ScanError {
        guard position < end else { return .incomplete }
        return .malformed("expected \(expected), found \(Self.describe(byte: base[position]))", offset: position)
    }

    static func describe(byte: UInt8) -> String {
        switch byte {
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x0A: return "a line break"
        default: return "byte 0x" + String(byte, radix: 16)
        }
    }

    // MARK: - Nesting

    /// Called by a decoder before it reads a value that may hold values of its own kind
    /// (recursion); pair with `leaveNested`. Throws past `maxNesting`.
    public mutating func enterNested() throws(ScanError) {
        guard nesting < Self.maxNesting else { throw tooDeep() }
        nesting += 1
    }

    /// Skipped values are bounded the same way: deeper input is malformed whether a decoder
    /// reads it or skips it (and a value that cannot end cannot make every later line's
    /// attempt run to the end of the input).
    func tooDeep() -> ScanError {
        .malformed("values nested deeper than \(Self.maxNesting) levels", offset: position)
    }

    public mutating func leaveNested() {
        nesting -= 1
    }

    // MARK: - Whitespace and punctuation

    @inlinable @inline(__always)
    public mutating func skipWhitespace() {
        while position < end {
            let b = base[position]
            if b == 0x20 || b == 0x09 || b == 0x0D {
                position &+= 1
            } else if b == 0x0A {
                position &+= 1
                newlines &+= 1
                lastNewlineEnd = position
            } else {
                return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it.
    @inlinable @inline(__always)
    public mutating func peek() throws(ScanError) -> UInt8 {
        skipWhitespace()
        guard position < end else { throw .incomplete }
        return base[position]
    }

    @inlinable @inline(__always)
    public mutating func expect(_ byte: UInt8, _ what: String) throws(ScanError) {
        skipWhitespace()
        guard position < end else { throw .incomplete }
        guard base[position] == byte else { throw unexpected(what) }
        position &+= 1
    }

    /// Consumes `null` if it is next and says so.
    @inlinable
    public mutating func consumeNull() throws(ScanError) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    @usableFromInline
    mutating func literal(_ text: StaticString) throws(ScanError) {
        let n = text.utf8CodeUnitCount
        for i in 0..<n {
            guard position + i < end else { throw .incomplete }
            guard base[position + i] == text.utf8Start[i] else {
                position += i
                throw fail("invalid literal (expected \(text))")
            }
        }
        position += n
    }

    /// Consumes `literal` if the next bytes are exactly it (no whitespace skipping).
    /// For fast paths that expect the exporter's compact layout. Compares whole 8-byte
    /// words: the last one overlaps the one before it, and a literal shorter than a word is
    /// one masked compare (the literal's bytes fold into a constant once inlined).
    @inlinable @inline(__always)
    public mutating func consume(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard position &+ n <= end else { return false }
        let here = UnsafeRawPointer(base + position), want = UnsafeRawPointer(literal.utf8Start)
        if n >= 8 {
            var i = 0
            while i &+ 8 < n {
                if here.loadUnaligned(fromByteOffset: i, as: UInt64.self) != want.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i &+= 8
            }
            if here.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) != want.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self) { return false }
        } else if position &+ 8 <= end {
            var word: UInt64 = 0
            var i = 0
            while i < n {
                word |= UInt64(want.load(fromByteOffset: i, as: UInt8.self)) &<< UInt64(8 &* i)
                i &+= 1
            }
            let mask: UInt64 = n == 0 ? 0 : ~0 &>> UInt64(64 &- 8 &* n)
            if here.loadUnaligned(as: UInt64.self) & mask != word { return false }
        } else {
            var i = 0
            while i < n {
                if here.load(fromByteOffset: i, as: UInt8.self) != want.load(fromByteOffset: i, as: UInt8.self) { return false }
                i &+= 1
            }
        }
        position &+= n
        return true
    }

    /// `consume` for a fast path that falls back to a general one: false only when the
    /// bytes differ from the literal; `.incomplete` when they end before telling. So a value
    /// cut by the end of the buffered bytes is read again whole, by the same path, instead
    /// of by the general path (which checks things in another order and could report
    /// another problem than reading the whole input at once).
    @inlinable @inline(__always)
    public mutating func consumeLayout(_ literal: StaticString) throws(ScanError) -> Bool {
        if consume(literal) { return true }
        try layoutMismatch(literal)
        return false
    }

    /// Throws `.incomplete` when the bytes end before `literal` does and match it so far.
    @inline(never) @usableFromInline
    func layoutMismatch(_ literal: StaticString) throws(ScanError) {
        let n = literal.utf8CodeUnitCount
        guard position &+ n > end else { return }
        for i in 0..<(end &- position) where base[position &+ i] != literal.utf8Start[i] { return }
        throw .incomplete
    }

    // MARK: - Objects and arrays

    /// Consumes `{`; returns false if the object is empty (`{}` consumed whole).
    @inlinable
    public mutating func beginObject() throws(ScanError) -> Bool {
        try expect(UInt8(ascii: "{"), "'{'")
        if try peek() == UInt8(ascii: "}") {
            position &+= 1
            return false
        }
        return true
    }

    /// After a member's value: true if another member follows (`,`), false at `}`.
    @inlinable
    public mutating func nextMember() throws(ScanError) -> Bool {
        let b = try peek()
        position &+= 1
        if b == UInt8(ascii: ",") { return true }
        if b == UInt8(ascii: "}") { return false }
        position &-= 1
        throw unexpected("',' or '}' after an object member")
    }

    /// Consumes `[`; returns false if the array is empty (`[]` consumed whole).
    @inlinable
    public mutating func beginArray() throws(ScanError) -> Bool {
        try expect(UInt8(ascii: "["), "'['")
        if try peek() == UInt8(ascii: "]") {
            position &+= 1
            return false
        }
        return true
    }

    /// After an element: true if another element follows (`,`), false at `]`.
    @inlinable
    public mutating func nextElement() throws(ScanError) -> Bool {
        let b = try peek()
        position &+= 1
        if b == UInt8(ascii: ",") { return true }
        if b == UInt8(ascii: "]") { return false }
        position &-= 1
        throw unexpected("',' or ']' after an array element")
    }

    /// Reads `"key"` and the `:` after it. The key's bytes stay in the buffer (no copy);
    /// a key with escapes is decoded into `scratch`.
    @inlinable @inline(__always)
    public mutating func readKey() throws(ScanError) -> RawBytes {
        let raw = try readRawString()
        skipWhitespace()
        guard position < end else { throw .incomplete }
        guard base[position] == UInt8(ascii: ":") else { throw unexpected("':' after an object key") }
        position &+= 1
        return raw
    }

    // MARK: - Strings

    /// Reads a string token and returns its undecoded contents (between the quotes).
    @inlinable @inline(__always)
    public mutating func readRawString() throws(ScanError) -> RawBytes {
        skipWhitespace()
        guard position < end else { throw .incomplete }
        guard base[position] == UInt8(ascii: "\"") else { throw unexpected("a string") }
        position &+= 1
        let start = position
        var flags: UInt8 = 0
        // Eight bytes at a time while they are plain printable ASCII without '"' or '\'; the
        // first other byte is found in its word at once, and if it is the closing quote (as
        // it nearly always is) the string ends there without a byte-by-byte walk.
        while position &+ 8 <= end {
            let word = UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)
            let special = SWAR.specialBytes(word)
            if special == 0 {
                position &+= 8
                continue
            }
            position &+= special.trailingZeroBitCount &>> 3
            if base[position] == UInt8(ascii: "\"") {
                let raw = RawBytes(start: base + start, count: position &- start, flags: flags)
                position &+= 1
                return raw
            }
            break
        }
        while true {
            guard position < end else { throw .incomplete }
            let b = base[position]
            if b == UInt8(ascii: "\"") {
                let raw = RawBytes(start: base + start, count: position &- start, flags: flags)
                position &+= 1
                return raw
            }
            if b == UInt8(ascii: "\\") {
                flags |= RawBytes.escaped
                position &+= 1
                guard position < end else { throw .incomplete }
                position &+= 1
                continue
            }
            if b < 0x20 {
                throw fail(b == 0x0A ? "line break inside a string (a truncated value?)" : "control character 0x\(String(b, radix: 16)) inside a string")
            }
            if b >= 0x80 { flags |= RawBytes.nonASCII }
            position &+= 1
        }
    }

    // MARK: - Numbers

    /// Reads a JSON number that must be an integer in Int64's range. Also accepts a
    /// decimal string (`"123"`), as OTLP writes 64-bit integers.
    @inlinable
    public mutating func readInt() throws(ScanError) -> Int64 {
        // One digit followed by `,`, `}` or `]`: most integers in spans (kinds, counts of 0).
        if position &+ 1 < end {
            let digit = base[position] &- UInt8(ascii: "0"), next = base[position &+ 1]
            if digit < 10 && (next == UInt8(ascii: ",") || next == UInt8(ascii: "}") || next == UInt8(ascii: "]")) {
                position &+= 1
                return Int64(digit)
            }
        }
        let b = try peek()
        if b == UInt8(ascii: "\"") {
            let raw = try readRawString()
            guard let value = raw.parseInt() else { throw .malformed("expected an integer string", offset: position - raw.count - 1) }
            return value
        }
        let start = position
        var negative = false
        if b == UInt8(ascii: "-") { negative = true; position &+= 1 }
        var value: UInt64 = 0
        var digits = 0
        while position < end {
            let c = base[position]
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else { break }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c &- UInt8(ascii: "0")))
            if o1 || o2 { throw fail("integer out of range") }
            value = a
            digits &+= 1
            position &+= 1
        }
        guard position < end else { throw .incomplete }
        let next = base[position]
        if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            // An integral value written as a float (1.0, 1e3): accept it if it is whole.
            position = start
            let d = try readDouble()
            guard d.rounded() == d, let i = Int64(exactly: d) else { throw fail("expected an integer") }
            return i
        }
        guard digits > 0 else { position = start; throw unexpected("a number") }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { throw fail("integer out of range") }
            return value == UInt64(Int64.max) + 1 ? .min : -Int64(value)
        }
        guard value <= UInt64(Int64.max) else { throw fail("integer out of range") }
        return Int64(value)
    }

    /// Reads any JSON number as a Double. Also accepts `"NaN"`, `"Infinity"`, `"-Infinity"`
    /// and decimal strings, which the protobuf JSON mapping uses.
    @inlinable
    public mutating func readDouble() throws(ScanError) -> Double {
        let b = try peek()
        if b == UInt8(ascii: "\"") {
            let raw = try readRawString()
            guard let value = raw.parseDouble() else { throw .malformed("expected a number string", offset: position - raw.count - 1) }
            return value
        }
        let start = position
        let raw = try scanNumberToken()
        guard let value = raw.parseDouble() else { position = start; throw unexpected("a number") }
        return value
    }

    /// Consumes a JSON number's characters and returns them (validated by the grammar).
    @usableFromInline
    mutating func scanNumberToken() throws(ScanError) -> RawBytes {
        let start = position
        if position < end && base[position] == UInt8(ascii: "-") { position &+= 1 }
        var sawDigit = false, isFloat = false
        while position < end {
            let c = base[position]
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): isFloat = true
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                let prev = base[position - 1]
                guard prev == UInt8(ascii: "e") || prev == UInt8(ascii: "E") else { throw fail("malformed number") }
            default:
                guard sawDigit else { throw unexpected("a number") }
                return RawBytes(start: base + start, count: position - start, flags: isFloat ? RawBytes.float : 0)
            }
            position &+= 1
        }
        throw .incomplete
    }

    @inlinable
    public mutating func readBool() throws(ScanError) -> Bool {
        let b = try peek()
        if b == UInt8(ascii: "t") { try literal("true"); return true }
        if b == UInt8(ascii: "f") { try literal("false"); return false }
        throw unexpected("true or false")
    }

    // MARK: - Skipping

    /// Consumes one whole value of any kind, checking its grammar (and its UTF-8).
    public mutating func skipValue() throws(ScanError) {
        var depth = 0
        // Closing brackets expected, innermost last: 1 = '}', 0 = ']'. Depth beyond 64 uses the array.
        var stackBits: UInt64 = 0
        var deepStack: [Bool] = []
        func push(_ isObject: Bool) {
            if depth < 64 {
                if isObject { stackBits |= (1 << UInt64(depth)) } else { stackBits &= ~(1 << UInt64(depth)) }
            } else {
                deepStack.append(isObject)
            }
            depth += 1
        }
        func topIsObject() -> Bool {
            depth <= 64 ? (stackBits >> UInt64(depth - 1)) & 1 == 1 : deepStack[deepStack.count - 1]
        }
        func pop() {
            if depth > 64 { deepStack.removeLast() }
            depth -= 1
        }

        // Parse one value; containers are walked iteratively.
        var expectingValue = true
        while true {
            if expectingValue {
                let b = try peek()
                switch b {
                case UInt8(ascii: "{"):
                    position &+= 1
                    if try peek() == UInt8(ascii: "}") {
                        position &+= 1
                        expectingValue = false
                    } else {
                        guard depth &+ nesting < Self.maxNesting else { throw tooDeep() }
                        push(true)
                        let key = try readKey()
                        try key.checkUTF8(at: position)
                        continue
                    }
                case UInt8(ascii: "["):
                    position &+= 1
                    if try peek() == UInt8(ascii: "]") {
                        position &+= 1
                        expectingValue = false
                    } else {
                        guard depth &+ nesting < Self.maxNesting else { throw tooDeep() }
                        push(false)
                        continue
                    }
                case UInt8(ascii: "\""):
                    let raw = try readRawString()
                    try raw.checkUTF8(at: position)
                    expectingValue = false
                case UInt8(ascii: "t"): try literal("true"); expectingValue = false
                case UInt8(ascii: "f"): try literal("false"); expectingValue = false
                case UInt8(ascii: "n"): try literal("null"); expectingValue = false
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    _ = try scanNumberToken()
                    expectingValue = false
                default:
                    throw unexpected("a value")
                }
            }
            // After a value: close containers or move to the next member/element.
            if depth == 0 { return }
            if topIsObject() {
                if try nextMember() {
                    let key = try readKey()
                    try key.checkUTF8(at: position)
                    expectingValue = true
                } else {
                    pop()
                }
            } else {
                if try nextElement() {
                    expectingValue = true
                } else {
                    pop()
                }
            }
        }
    }
}
