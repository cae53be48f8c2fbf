import SpanFormats
import SpanModel

extension FuzzChecks {
    /// Any bytes through the OTLP protobuf decoder: no trap, every span it keeps intact,
    /// every problem's offset inside the input; and what it decoded, written by the protobuf
    /// writer and decoded again, is the same spans with no problem.
    public static func protobuf(_ data: UnsafeBufferPointer<UInt8>) {
        let first = OTLPProtobufDecoder.decode(Array(data), source: "fuzz")
        for problem in first.problems {
            require(problem.offset >= 0 && problem.offset <= Int64(data.count), "problem offset \(problem.offset) outside \(data.count) bytes")
        }
        let prints = first.spans.map { check($0) }.sorted()
        var out: [UInt8] = []
        OTLPProtobufWriter.write(first.spans, into: &out)
        let again = OTLPProtobufDecoder.decode(out, source: "again")
        require(again.problems.isEmpty, "the writer's bytes decoded with problems: \(again.problems)")
        let back = again.spans.map { check($0) }.sorted()
        require(back == prints, "decode, write, decode changed the spans:\n\(prints)\nvs\n\(back)")
        cutShort(data, whole: first)
    }

    /// The input cut short at a byte drawn from it: problems at or before the cut; and when the
    /// whole read without a problem, only spans of the whole come out (their resource and
    /// scope aside: either may follow its spans, past the cut), at most as many, with at most
    /// one problem. (A whole with a problem may have a frame running past its parent's end,
    /// which, cut, cannot be told from a frame cut short: its spans come out of the cut.)
    static func cutShort(_ data: UnsafeBufferPointer<UInt8>, whole: ReadBatch) {
        guard data.count > 1 else { return }
        let cut = 1 + Int(data[data.count / 2]) * (data.count - 1) / 256
        let part = OTLPProtobufDecoder.decode(Array(data[..<cut]), source: "cut")
        for problem in part.problems {
            require(problem.offset >= 0 && problem.offset <= Int64(cut), "cut at \(cut): problem offset \(problem.offset) past the cut")
        }
        guard whole.problems.isEmpty else { return }
        func withoutResource(_ spans: [Span]) -> [String: Int] {
            var counts: [String: Int] = [:]
            for var span in spans {
                span.resource = .empty
                span.scope = .empty
                counts[check(span), default: 0] += 1
            }
            return counts
        }
        let wholeCounts = withoutResource(whole.spans)
        for (print, count) in withoutResource(part.spans) {
            require(count <= wholeCounts[print] ?? 0, "cut at \(cut) of \(data.count): a span the whole does not have: \(print)")
        }
        require(part.problems.count <= 1, "cut at \(cut) of a clean input: \(part.problems.map(\.reason))")
    }

    /// One span written as OTLP protobuf and decoded: the same span as OTLP can carry it.
    static func protobufRoundTrip(_ span: Span) {
        var out: [UInt8] = []
        OTLPProtobufWriter.write([span], into: &out)
        let back = OTLPProtobufDecoder.decode(out, source: "written")
        require(back.problems.isEmpty && back.spans.count == 1, "OTLP protobuf read back as \(back.spans.count) spans, \(back.problems)")
        let expected = check(asOTLP(compactingUnknown(span)))
        let got = check(back.spans[0])
        require(got == expected, "OTLP protobuf round trip changed the span:\n\(expected)\nvs\n\(got)")
    }
}
