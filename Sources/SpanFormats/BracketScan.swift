/// Finds where an incomplete JSON value ends, a few bytes at a time, by tracking
/// bracket depth and string state only. It stops early (so the value is parsed and
/// reported) when the value cannot be whole: a raw line break inside a string, or a
/// line that starts a new value at the value's own indentation or less.
struct BracketScan {
    private(set) var valueStart: Int
    let column: Int
    /// Next byte to look at (a buffer index).
    var position: Int
    var depth = 0
    var inString = false
    var escaped = false
    /// Column on the current line; -1 once the line has non-blank text.
    var lineColumn = -1

    /// After a parse attempt that ran out of bytes, the next one waits until the bytes reach
    /// here (the value's buffered length doubled), except when the brackets first close: so
    /// a value that never ends is parsed O(log n) times, not once per line.
    var retryAt = 0
    private var closedOnce = false

    /// Notes a parse attempt that ran out of bytes at `count`.
    mutating func attemptFailed(count: Int) {
        retryAt = count + max(count - valueStart, 1_024)
    }

    init(valueStart: Int, column: Int) {
        self.valueStart = valueStart
        self.column = column
        self.position = valueStart
    }

    /// The buffer dropped `n` bytes from its front.
    mutating func shift(by n: Int) {
        valueStart -= n
        position -= n
        retryAt -= n
    }

    /// Advances over `buffer[position..<count]`. True when the value should be parsed now.
    mutating func advance(_ buffer: UnsafeMutablePointer<UInt8>, count: Int, finished: Bool) -> Bool {
        while position < count {
            let b = buffer[position]
            position += 1
            if inString {
                if escaped { escaped = false; continue }
                if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false } else if b == 0x0A { return true }
                continue
            }
            if lineColumn >= 0 {
                if b == 0x20 || b == 0x09 { lineColumn += 1; continue }
                let startsValue = b == UInt8(ascii: "{") || b == UInt8(ascii: "[")
                if startsValue && lineColumn <= column && depth > 0 && position - 1 > valueStart && position > retryAt { return true }
                lineColumn = -1
            }
            switch b {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth <= 0 && (!closedOnce || position > retryAt) {
                    closedOnce = true
                    return true
                }
            case 0x0A: lineColumn = 0
            default: break
            }
        }
        // Out of bytes: parse only if the input has ended.
        return finished
    }
}
