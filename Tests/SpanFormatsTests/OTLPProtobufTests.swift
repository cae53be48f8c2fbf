import Foundation
import SpanFormats
import SpanModel
import Testing

/// `OTLPProtobufWriter` and `OTLPProtobufDecoder`: each agrees with the official
/// opentelemetry-proto package (PyPI, installed by .ci/run) on every sample, they agree with
/// each other, and the decoder keeps every good span around a bad one.
@Suite("OTLP protobuf")
struct OTLPProtobufTests {
    static let script = WritersTests.samples.deletingLastPathComponent().appendingPathComponent("scripts/otlp-protobuf.py")

    /// Whether python3 can import the reference decoder.
    static let referenceAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import opentelemetry.proto.collector.trace.v1.trace_service_pb2"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static var shouldRun: Bool { referenceAvailable || ProcessInfo.processInfo.environment["CI"] != nil }

    /// The reference decoder's reading of `bytes`, as an OTLP/JSON line (or, `reverse`, the
    /// reference encoder's protobuf of OTLP/JSON lines).
    static func referenceJSON(_ bytes: [UInt8], reverse: Bool = false) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path] + (reverse ? ["--reverse"] : [])
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Written from another thread: the decoder's output may fill its pipe first.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(bytes))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the reference decoder refused the bytes: \(String(decoding: err, as: UTF8.self))")
        return Array(out)
    }

    @Test("every sample written as protobuf is read by the reference decoder as the same spans",
          .enabled(if: shouldRun), arguments: WritersTests.sampleFiles)
    func referenceRoundTrip(file: String) throws {
        let original = readBytes(try WritersTests.bytes(of: file))
        var proto: [UInt8] = []
        OTLPProtobufWriter.write(original.spans, into: &proto)
        let again = readBytes(try Self.referenceJSON(proto))
        #expect(again.problems.isEmpty, "\(again.problems)")
        try #require(again.spans.count == original.spans.count)
        for (a, b) in zip(WritersTests.sorted(original.spans), WritersTests.sorted(again.spans)) {
            #expect(WritersTests.summary(a, otlp: true) == WritersTests.summary(b, otlp: true))
        }
    }

    @Test("edge values: negative, zero and large integers, NaN, empty strings and values, long messages",
          .enabled(if: shouldRun))
    func edgeValues() throws {
        let long = String(repeating: "é", count: 20_000)
        let attributes: [Attribute] = [
            Attribute("negative", .int(-1)), Attribute("min", .int(.min)), Attribute("zero", .int(0)), Attribute("max", .int(.max)),
            Attribute("false", .bool(false)), Attribute("nan", .double(.nan)), Attribute("minus zero", .double(-0.0)),
            Attribute("empty", .string("")), Attribute("none", .empty), Attribute("bytes", .bytes([0, 255, 7])),
            Attribute("nested", .map([Attribute("list", .array([.int(1), .string("two"), .array([])]))])),
            Attribute("long", .string(long)),
        ]
        let span = Span(traceID: TraceID(high: 1, low: 0xFFFF_FFFF_FFFF_FFFF), spanID: SpanID(0x8000_0000_0000_0001),
                        parentSpanID: SpanID(2), name: "edge", kind: .consumer,
                        startTime: 1_700_000_000_123_456_789, endTime: 1_700_000_001_000_000_000,
                        attributes: attributes, events: [SpanEvent(name: "e", time: 1_700_000_000_500_000_000)],
                        status: SpanStatus(code: .error, description: long), traceState: "a=b", traceFlags: 1,
                        parentIsRemote: true, droppedAttributeCount: 3, resource: Resource(attributes: [Attribute("service.name", .string("svc"))]),
                        scope: InstrumentationScope(name: "lib", version: "1.0"))
        var proto: [UInt8] = []
        OTLPProtobufWriter.write([span], into: &proto)
        let again = readBytes(try Self.referenceJSON(proto))
        #expect(again.problems.isEmpty, "\(again.problems)")
        let back = try #require(again.spans.first)
        #expect(WritersTests.summary(back, otlp: true) == WritersTests.summary(span, otlp: true))
    }

    @Test("wire encoding: varints, field tags above 15, two-byte lengths, nothing for no spans")
    func wire() {
        var none: [UInt8] = []
        OTLPProtobufWriter.write([Span](), into: &none)
        #expect(none.isEmpty)
        let span = Span(traceID: TraceID(high: 0, low: 1), spanID: SpanID(1), name: String(repeating: "x", count: 200),
                        startTime: 300, endTime: 301)
        var proto: [UInt8] = []
        OTLPProtobufWriter.write([span], into: &proto)
        // resource_spans (1, length-delimited), then a two-byte length: the span's name alone is 200 bytes.
        #expect(proto.first == 0x0A)
        #expect(proto[1] & 0x80 != 0)
        // The name: field 5, wire type 2 (0x2A), length 200 as the varint C8 01.
        let name: [UInt8] = [0x2A, 0xC8, 0x01]
        #expect(proto.indices.contains { proto[$0...].starts(with: name) })
        // flags: field 16, wire type 5 is the two-byte tag 85 01, then 0x00000101 little-endian.
        let flags: [UInt8] = [0x85, 0x01, 0x01, 0x01, 0x00, 0x00]
        #expect(proto.indices.contains { proto[$0...].starts(with: flags) })
        // start time 300: field 7, fixed64 (0x39), 2C 01 00 00 00 00 00 00.
        let start: [UInt8] = [0x39, 0x2C, 0x01, 0, 0, 0, 0, 0, 0]
        #expect(proto.indices.contains { proto[$0...].starts(with: start) })
    }

    // MARK: - The decoder

    static func decoded(_ bytes: [UInt8]) -> ReadBatch { OTLPProtobufDecoder.decode(bytes, source: "body") }

    @Test("every sample: what the writer writes, the decoder reads back as the same spans", arguments: WritersTests.sampleFiles)
    func decoderRoundTrip(file: String) throws {
        let original = readBytes(try WritersTests.bytes(of: file))
        var proto: [UInt8] = []
        OTLPProtobufWriter.write(original.spans, into: &proto)
        let again = Self.decoded(proto)
        #expect(again.problems.isEmpty, "\(again.problems)")
        #expect(again.formats == [.otlpProtobuf])
        try #require(again.spans.count == original.spans.count)
        for (a, b) in zip(WritersTests.sorted(original.spans), WritersTests.sorted(again.spans)) {
            #expect(WritersTests.summary(a, otlp: true) == WritersTests.summary(b, otlp: true))
        }
    }

    @Test("every sample: what the reference encoder writes, the decoder reads as the same spans",
          .enabled(if: shouldRun), arguments: WritersTests.sampleFiles)
    func decoderAgainstReference(file: String) throws {
        let original = readBytes(try WritersTests.bytes(of: file))
        let proto = try Self.referenceJSON(WritersTests.otlpText(original.spans), reverse: true)
        let again = Self.decoded(proto)
        #expect(again.problems.isEmpty, "\(again.problems)")
        try #require(again.spans.count == original.spans.count)
        for (a, b) in zip(WritersTests.sorted(original.spans), WritersTests.sorted(again.spans)) {
            // Python's json module reads the JSON number -0 as the integer 0: the reference
            // path, not the decoder, loses the sign of a negative zero.
            let expected = WritersTests.summary(a, otlp: true).replacingOccurrences(of: "double(-0.0)", with: "double(0.0)")
            #expect(expected == WritersTests.summary(b, otlp: true))
        }
    }

    static func span(_ n: UInt64, name: String) -> Span {
        Span(traceID: TraceID(high: 7, low: 7), spanID: SpanID(n), name: name, startTime: 1_000 + Int64(n), endTime: 2_000,
             attributes: [Attribute("n", .int(Int64(n)))], resource: Resource(attributes: [Attribute("service.name", .string("svc"))]))
    }

    /// The bytes of one `Span` message as the writer writes it, found by its name.
    static func spanMessage(in proto: [UInt8], named name: String) -> Range<Int>? {
        let needle: [UInt8] = [0x2A, UInt8(name.utf8.count)] + Array(name.utf8)
        guard let at = proto.indices.first(where: { proto[$0...].starts(with: needle) }) else { return nil }
        // The span's fields start with the trace ID (0A 10 ...); walk back to it.
        var start = at
        while start > 1 && !(proto[start] == 0x0A && proto[start + 1] == 0x10) { start -= 1 }
        return start..<at
    }

    @Test("a span with a bad ID is skipped with its offset; the spans around it are kept")
    func badSpanSkipped() throws {
        var proto: [UInt8] = []
        OTLPProtobufWriter.write([Self.span(1, name: "first"), Self.span(2, name: "second"), Self.span(3, name: "third")], into: &proto)
        // The second span's ID (0A 10 <16 bytes> 12 08 <8 bytes>): make its length 7, and the
        // byte after it an unknown varint field so the framing stays intact.
        let second = try #require(Self.spanMessage(in: proto, named: "second"))
        let idLength = second.lowerBound + 18 + 1
        #expect(proto[idLength - 1] == 0x12 && proto[idLength] == 0x08)
        proto[idLength] = 0x07
        proto[idLength + 8] = 0x00   // the 8th ID byte now reads as the tag of... field 0: refused
        let batch = Self.decoded(proto)
        #expect(batch.spans.map(\.name) == ["first", "third"])
        let problem = try #require(batch.problems.first)
        #expect(batch.problems.count == 1)
        #expect(problem.reason.hasPrefix("span skipped: span_id is 7 bytes, not 8"), "\(problem.reason)")
        #expect(problem.offset == Int64(idLength))
        #expect(problem.source == "body" && problem.line == 1)
    }

    @Test("cut anywhere: every span whole before the cut is kept, exactly one problem says where it was cut")
    func truncated() {
        var proto: [UInt8] = []
        OTLPProtobufWriter.write((1...4).map { Self.span($0, name: "span \($0)") }, into: &proto)
        let whole = Self.decoded(proto)
        #expect(whole.problems.isEmpty)
        let names = whole.spans.map(\.name)
        var lastCount = 0
        for cut in 1..<proto.count {
            let batch = Self.decoded(Array(proto[..<cut]))
            #expect(batch.problems.count == 1, "cut at \(cut): \(batch.problems.map(\.reason))")
            #expect(batch.problems.allSatisfy { $0.offset <= Int64(cut) && $0.reason.contains("cut short") },
                    "cut at \(cut): \(batch.problems.map(\.reason))")
            // The spans kept are the first ones, whole (their attribute and resource too).
            #expect(batch.spans.map(\.name) == Array(names.prefix(batch.spans.count)), "cut at \(cut)")
            for span in batch.spans {
                #expect(span.attributes.count == 1)
                #expect(span.serviceName == "svc")
            }
            #expect(batch.spans.count >= lastCount)
            lastCount = batch.spans.count
        }
        #expect(lastCount == 3)
        #expect(Self.decoded([]).problems.isEmpty)
    }

    @Test("hostile bytes: deep nesting, huge lengths, groups, wrong wire types, unknown fields")
    func hostile() {
        // Values nested 10,000 deep: one problem, no crash.
        var deep: [UInt8] = []
        for _ in 0..<10_000 {
            let array: [UInt8] = [0x0A] + Self.varint(deep.count) + deep   // ArrayValue { values: deep }
            deep = [0x2A] + Self.varint(array.count) + array                // AnyValue { array_value }
        }
        let kv: [UInt8] = [0x0A, 0x01, 0x6B, 0x12] + Self.varint(deep.count) + deep
        var spanBytes: [UInt8] = [0x2A, 0x01, 0x78, 0x4A] + Self.varint(kv.count) + kv
        var request = Self.wrap(spanBytes)
        var batch = Self.decoded(request)
        #expect(batch.spans.isEmpty)
        #expect(batch.problems.first?.reason.contains("nested deeper than 128") == true, "\(batch.problems)")

        // A length far past the end, a group, a field of the wrong wire type.
        for bad: [UInt8] in [[0x2A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x2B], [0x28, 0x01], [0x00], [0x3A, 0x80]] {
            spanBytes = [0x2A, 0x01, 0x78] + bad
            request = Self.wrap(spanBytes)
            batch = Self.decoded(request)
            #expect(batch.spans.isEmpty && batch.problems.count == 1, "\(bad): \(batch.problems)")
        }

        // Unknown fields of every wire type are skipped, and the span is kept.
        spanBytes = [0x2A, 0x01, 0x78, 0xF8, 0x06, 0x05, 0xF9, 0x06] + [UInt8](repeating: 1, count: 8) + [0xFA, 0x06, 0x02, 0x41, 0x42, 0xFD, 0x06, 1, 2, 3, 4]
        batch = Self.decoded(Self.wrap(spanBytes))
        #expect(batch.spans.map(\.name) == ["x"] && batch.problems.isEmpty, "\(batch.problems)")
    }

    /// `ExportTraceServiceRequest { resource_spans { scope_spans { spans: span } } }`.
    static func wrap(_ span: [UInt8]) -> [UInt8] {
        let scope: [UInt8] = [0x12] + varint(span.count) + span
        let resource: [UInt8] = [0x12] + varint(scope.count) + scope
        return [0x0A] + varint(resource.count) + resource
    }

    static func varint(_ n: Int) -> [UInt8] {
        var v = UInt64(n), out: [UInt8] = []
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
        return out
    }
}
