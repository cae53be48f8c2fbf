import SpanModel
import Testing

/// Packed details that do not hold what their header says (a bug, or bytes from elsewhere)
/// decode to what could be read, are reported as damaged, and never trap.
@Suite("Damaged packed details")
struct DamagedDetailsTests {
    private func sample(symbols: Symbols) -> SpanDetails {
        SpanDetails(
            attributes: [Attribute("http.method", .string("GET")), Attribute("n", .int(7)),
                         Attribute("m", .map([Attribute("k", .array([.double(1.5), .bool(true)]))]))],
            events: [SpanEvent(name: "retry", time: 5, attributes: [Attribute("attempt", .int(2))])],
            links: [SpanLink(traceID: TraceID(high: 1, low: 2), spanID: SpanID(3), traceState: "a=b",
                             attributes: [Attribute("l", .stringArray(["x", "y"]))])],
            symbols: symbols)
    }

    @Test("intact details say so and decode whole")
    func intact() {
        let symbols = Symbols()
        let details = sample(symbols: symbols)
        #expect(details.isIntact)
        #expect(details.attributes.count == 3)
        #expect(details.events.first?.attributes == [Attribute("attempt", .int(2))])
        #expect(details.links.first?.traceState == "a=b")
        #expect(SpanDetails.empty.isIntact)
    }

    @Test("every truncation of the bytes decodes without trapping, and is damaged")
    func truncations() {
        let symbols = Symbols()
        let bytes = sample(symbols: symbols).bytes
        for n in 0..<bytes.count {
            let cut = SpanDetails(bytes: Array(bytes[0..<n]), symbols: symbols)
            _ = (cut.attributes, cut.events, cut.links)
            if n > 0 { #expect(!cut.isIntact, "cut at \(n)") }
        }
    }

    @Test("every single-byte change decodes without trapping or allocating wildly")
    func mutations() {
        let symbols = Symbols()
        let bytes = sample(symbols: symbols).bytes
        for i in bytes.indices {
            for value: UInt8 in [0, 1, 0x7F, 0x80, 0xFF, bytes[i] &+ 1] {
                var changed = bytes
                changed[i] = value
                let details = SpanDetails(bytes: changed, symbols: symbols)
                _ = (details.attributes, details.events, details.links, details.isIntact)
            }
        }
    }

    @Test("huge counts, lengths and unknown symbol numbers are damage, not allocations or traps")
    func hostileHeaders() {
        let symbols = Symbols()
        // Header: 0xFFFFFFFF attributes, no events or links, sections at 20.
        var header: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 40, 0, 0, 0]
        // An attribute whose key is symbol 2^32-2 and whose value is a string 2^60 bytes long.
        header += [0xFE, 0xFF, 0xFF, 0xFF, 0x0F, PackedBytes.Tag.inlineString.rawValue, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]
        header += [UInt8](repeating: 0, count: 40 - header.count)
        let details = SpanDetails(bytes: header, symbols: symbols)
        #expect(details.attributes.isEmpty)
        #expect(!details.isIntact)
        // Offsets past the end, or out of order.
        for offsets: [UInt8] in [[200, 0, 0, 0, 10, 0, 0, 0], [30, 0, 0, 0, 25, 0, 0, 0]] {
            var bytes: [UInt8] = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0] + offsets
            bytes += [UInt8](repeating: 0, count: 20)
            let d = SpanDetails(bytes: bytes, symbols: symbols)
            #expect(d.attributes.isEmpty && d.events.isEmpty && d.links.isEmpty)
            #expect(!d.isIntact)
        }
    }

    @Test("a list nested deeper than the limit is damage")
    func tooDeep() {
        let symbols = Symbols()
        var value = AttributeValue.int(1)
        for _ in 0...PackedBytes.maxDepth + 1 { value = .array([value]) }
        var bytes: [UInt8] = []
        PackedBytes.attribute(&bytes, Attribute("deep", value), symbols: symbols)
        let header: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let end = UInt32(20 + bytes.count)
        let offsets = (0..<4).map { UInt8(truncatingIfNeeded: end >> (8 * $0)) }
        let details = SpanDetails(bytes: header + offsets + offsets + bytes, symbols: symbols)
        #expect(!details.isIntact)
        #expect(details.attributes.isEmpty)
    }

    @Test("random bytes never trap", arguments: 0..<4)
    func randomBytes(seed: Int) {
        let symbols = Symbols()
        _ = symbols.id(for: "k")
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        for _ in 0..<2_000 {
            let n = Int(next() % 96) + 20
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: next() % 17) }
            // Plausible header: small counts, offsets inside the bytes.
            let a = Int(next() % UInt64(n - 19)) + 20, b = a + Int(next() % UInt64(n - a + 1))
            for (i, v) in [Int(next() % 4), Int(next() % 3), Int(next() % 3), a, b].enumerated() {
                for k in 0..<4 { bytes[4 * i + k] = UInt8(truncatingIfNeeded: v >> (8 * k)) }
            }
            let details = SpanDetails(bytes: bytes, symbols: symbols)
            _ = (details.attributes, details.events, details.links, details.isIntact)
        }
    }
}
