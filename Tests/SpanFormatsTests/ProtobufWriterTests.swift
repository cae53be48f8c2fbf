import Foundation
import SpanFormats
import SpanModel
import Testing

/// `OTLPProtobufWriter`: what it writes is decoded by the official opentelemetry-proto
/// package (PyPI, installed by .ci/run) into the same spans, and its wire encoding holds for
/// the cases a reader trips on.
@Suite("OTLP protobuf writer")
struct ProtobufWriterTests {
    static let script = WritersTests.samples.deletingLastPathComponent().appendingPathComponent("scripts/otlp-protobuf-to-json.py")

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

    /// The reference decoder's reading of `bytes`, as an OTLP/JSON line.
    static func referenceJSON(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
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
}
