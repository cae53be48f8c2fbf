@testable import SpanFormats
import Testing

@Suite("JSON scanner")
struct JSONScannerTests {
    /// `consume` against every way a literal can be there or not: each length a fast path
    /// uses (shorter than a word, a word, over a word), a difference at each byte, and the
    /// literal running into the end of the bytes.
    @Test("consume takes exactly the literal, wherever it differs and wherever the bytes end")
    func consume() {
        func check(_ literal: StaticString, _ text: String, at position: Int) -> (Bool, Int) {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { buffer in
                var s = JSONScanner(base: UnsafePointer(buffer.baseAddress!), count: buffer.count, position: position)
                let taken = s.consume(literal)
                return (taken, s.position)
            }
        }
        let literals: [StaticString] = ["}", "}}", "false}", #"{"Key":"#, #","Value":"#, #","Value":{"Type":"#, #"{"TraceID":"#]
        for literal in literals {
            let text = String(decoding: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount), as: UTF8.self)
            let n = text.utf8.count
            // There, with room after it, and at the very end of the bytes.
            #expect(check(literal, "xy" + text + "0123456789", at: 2) == (true, 2 + n))
            #expect(check(literal, "xy" + text, at: 2) == (true, 2 + n))
            // One byte changed anywhere: not taken, position unchanged.
            for i in 0..<n {
                var changed = Array(text.utf8)
                changed[i] ^= 0x01
                let other = String(decoding: changed, as: UTF8.self)
                #expect(check(literal, "xy" + other + "0123456789", at: 2) == (false, 2), "\(text) changed at \(i)")
                #expect(check(literal, "xy" + other, at: 2) == (false, 2), "\(text) changed at \(i), at the end")
            }
            // Cut short by the end of the bytes.
            #expect(check(literal, "xy" + String(text.dropLast()), at: 2) == (false, 2))
        }
    }
}
