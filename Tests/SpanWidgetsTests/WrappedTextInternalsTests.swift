import CellGrid
@testable import SpanWidgets
import Testing

@Suite("WrappedText internals")
struct WrappedTextInternalsTests {
    @Test("simple scalars have the widths the layout assumes: below U+3000 one cell, above two")
    func simpleWidths() {
        for v in UInt32(0)...0x10FFFF where WrappedText.isSimple(v) {
            let scalar = Unicode.Scalar(v)!
            #expect(DisplayWidth.of(scalar) == (v < 0x3000 ? 1 : 2), "U+\(String(v, radix: 16))")
            #expect(!TerminalText.needsEscaping(scalar), "U+\(String(v, radix: 16))")
            // Two simple scalars side by side are two clusters.
            #expect((String(Character(scalar)) + String(Character(scalar))).count == 2, "U+\(String(v, radix: 16))")
        }
    }

    @Test("the byte-word tests agree with byte-by-byte tests")
    func byteWords() {
        var rng = TestRandom(seed: 11)
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Mostly printable words, some with one odd byte.
            if rng.next() % 4 != 0 { bytes = bytes.map { 0x21 + $0 % 0x5E } }
            for _ in 0..<Int(rng.next() % 3) { bytes[Int(rng.next() % 8)] = [0x20, 0x7F, 0x80, 0x0A, 0x22, 0x5C, 0x1F, 0xFF, 0x21, 0x20, 0xC2, 0xD8, 0xE2, 0xEF, 0xE3][Int(rng.next() % 15)] }
            bytes.withUnsafeBufferPointer { buffer in
                let word = ByteWords.load(buffer, 0)
                #expect(ByteWords.printableBytes(word) == (bytes.firstIndex { $0 < 0x20 || $0 >= 0x7F } ?? 8))
                let spaces = ByteWords.exactlyEqual(word, 0x20)
                for (i, b) in bytes.enumerated() { #expect((spaces >> UInt64(i * 8 + 7)) & 1 == (b == 0x20 ? 1 : 0)) }
                for count in 0...8 { #expect(ByteWords.lowBytes(count).nonzeroBitCount == count * 8) }
                for quoted in [false, true] {
                    let expected = bytes.contains {
                        $0 < 0x20 || $0 == 0x7F || [0xC2, 0xD8, 0xE2, 0xEF].contains($0) || (quoted && ($0 == 0x22 || $0 == 0x5C))
                    }
                    #expect(ByteWords.mayNeedEscaping(word, quoted: quoted) == expected)
                }
            }
        }
    }
}
