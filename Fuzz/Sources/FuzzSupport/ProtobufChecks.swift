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
