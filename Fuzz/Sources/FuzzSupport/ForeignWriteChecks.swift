import SpanFormats
import SpanModel

/// `JaegerJSONWriter` and `ZipkinWriter` on one span: the text read back must give exactly
/// one span, no problem, and the span as the format holds it (`ForeignForms`, shared with
/// Tests/SpanFormatsTests).
extension FuzzChecks {
    static func foreignRoundTrips(_ span: Span) {
        var out: [UInt8] = []
        JaegerJSONWriter.write([span], into: &out)
        compareForeign(out, expected: ForeignForms.asJaeger(span), reserved: ForeignForms.jaegerReserved, what: "Jaeger JSON")
        out = []
        ZipkinWriter.write([span], into: &out)
        compareForeign(out, expected: ForeignForms.asZipkin(span), reserved: ForeignForms.zipkinReserved, what: "Zipkin v2")
    }

    private static func compareForeign(_ text: [UInt8], expected: Span, reserved: Set<String>, what: String) {
        let back = text.withUnsafeBufferPointer { read($0, format: nil, pieces: nil) }
        require(back.problems.isEmpty, "\(what) text read back with problems: \(back.problems) in \(String(decoding: text, as: UTF8.self))")
        require(back.spans.count == 1, "\(what) text read back as \(back.spans.count) spans: \(String(decoding: text, as: UTF8.self))")
        var got = back.decoded[0]
        _ = check(got)
        got.details = SpanDetails(attributes: got.attributes.filter { !reserved.contains($0.key) }, events: got.events, links: got.links)
        let a = foreignFingerprint(expected), b = foreignFingerprint(got)
        require(a == b, "\(what) round trip changed the span:\n\(a)\nvs\n\(b)\nwritten: \(String(decoding: text, as: UTF8.self))")
    }

    private static func foreignFingerprint(_ span: Span) -> String {
        check(span) + "/\(span.scope.version)/\(span.traceState)/\(span.traceFlags)/\(span.isRemote)/\(span.parentIsFollowsFrom)"
    }
}
