import Foundation
import SpanFormats
import SpanModel
import Synchronization
import Testing
import Tracing
@testable import SpanviewTracing

@Suite("OTLP/HTTP exporter", .serialized)
struct OTLPHTTPExporterTests {
    static func spans(_ n: Int) -> [SpanModel.Span] {
        let (tracer, exporter) = makeTracer(seed: 5)
        for i in 0..<n { tracer.withSpan("op \(i)") { span in span.attributes["i"] = i } }
        return exporter.spans
    }

    @Test("POSTs protobuf by default, OTLP/JSON when asked, with the headers given; the body is the writers' bytes")
    func posts() throws {
        let collector = try TestCollector(answers: [.init(status: 200, body: "{}")])
        defer { collector.stop() }
        let spans = Self.spans(3)
        let proto = OTLPHTTPExporter(endpoint: collector.url, headers: [("api-key", "secret")])
        #expect(proto.encoding == .protobuf)
        #expect(proto.export(spans))
        let first = try #require(collector.requests.first)
        #expect(first.method == "POST" && first.path == "/v1/traces")
        #expect(first.headers["content-type"] == "application/x-protobuf")
        #expect(first.headers["api-key"] == "secret")
        var expected: [UInt8] = []
        OTLPProtobufWriter.write(spans, into: &expected)
        #expect([UInt8](first.body) == expected)

        let json = OTLPHTTPExporter(endpoint: collector.url, encoding: .json)
        #expect(json.export(spans))
        let request = try #require(collector.requests.last)
        #expect(request.headers["content-type"] == "application/json")
        let reader = SpanStreamReader(source: "sent")
        var got = reader.feed([UInt8](request.body)).spans
        got += reader.finish().spans
        #expect(got.map(\.name) == spans.map(\.name))
        #expect(got.map(\.spanID) == spans.map(\.spanID))
        #expect(proto.sentSpans == 3 && json.sentSpans == 3)
    }

    @Test("a protobuf answer: partial success and an error's google.rpc.Status message are read")
    func protobufAnswers() throws {
        // ExportTraceServiceResponse { partial_success { rejected_spans: 1, error_message: "no" } }
        let partial: [UInt8] = [0x0A, 0x06, 0x08, 0x01, 0x12, 0x02, 0x6E, 0x6F]
        let got = OTLPHTTPExporter.partialSuccess(protobuf: Data(partial))
        #expect(got.rejected == 1 && got.message == "no")
        #expect(OTLPHTTPExporter.partialSuccess(protobuf: Data([0xFF, 0xFF])).rejected == 0)
        #expect(OTLPHTTPExporter.partialSuccess(protobuf: Data()).rejected == 0)
        #expect(ProtobufFields(Data([0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64])).string(2) == "bad")
    }

    @Test("429 and 503 are retried, after Retry-After; a 400 is not; one report when failing starts, one when it ends")
    func retries() throws {
        let collector = try TestCollector(answers: [
            .init(status: 429, headers: ["Retry-After": "1"]), .init(status: 503), .init(status: 200),   // first batch: sent on the 3rd try
            .init(status: 400, body: "bad payload"),                                                        // second: refused at once
            .init(status: 200),                                                                             // third: sent
        ])
        defer { collector.stop() }
        let reports = Mutex<[String]>([])
        let exporter = OTLPHTTPExporter(endpoint: collector.url, onFailure: { r in reports.withLock { $0.append(r) } })
        let started = Date()
        #expect(exporter.export(Self.spans(2)))
        #expect(Date().timeIntervalSince(started) >= 1.4)   // 1 s as asked, then 0.5 s backoff
        #expect(collector.requests.count == 3)
        #expect(!exporter.export(Self.spans(1)))
        #expect(collector.requests.count == 4)
        #expect(exporter.export(Self.spans(1)))
        #expect(exporter.sentSpans == 3 && exporter.lostSpans == 1)
        let said = reports.withLock { $0 }
        #expect(said.count == 2)
        #expect(said.first?.contains("HTTP 400: bad payload") == true)
        #expect(said.last?.contains("accepts spans again") == true)
    }

    @Test("a collector that is down: each batch is given up on within the time allowed, and it is said once")
    func down() throws {
        let reports = Mutex<[String]>([])
        // Nothing listens on this port (bound, then closed).
        let collector = try TestCollector(answers: [.init(status: 200)])
        let url = collector.url
        collector.stop()
        let exporter = OTLPHTTPExporter(endpoint: url, timeout: 1, maxAttempts: 3, maxElapsed: 3,
                                        onFailure: { r in reports.withLock { $0.append(r) } })
        let started = Date()
        #expect(!exporter.export(Self.spans(1)))
        #expect(!exporter.export(Self.spans(1)))
        #expect(Date().timeIntervalSince(started) < 8)
        #expect(exporter.lostSpans == 2)
        #expect(reports.withLock { $0.count } == 1)
    }

    @Test("a slow collector: each attempt times out, the batch is given up on and said; a later answer is taken")
    func slow() throws {
        let collector = try TestCollector(answers: [.init(status: 200, delay: 1.5), .init(status: 200, delay: 1.5), .init(status: 200)])
        defer { collector.stop() }
        let reports = Mutex<[String]>([])
        let exporter = OTLPHTTPExporter(endpoint: collector.url, timeout: 0.4, maxAttempts: 2, maxElapsed: 5,
                                        onFailure: { r in reports.withLock { $0.append(r) } })
        #expect(!exporter.export(Self.spans(2)))
        #expect(exporter.lostSpans == 2 && exporter.sentSpans == 0)
        #expect(reports.withLock { $0.first }?.contains("gave up after 2 attempts") == true, "\(reports.withLock { $0 })")
        Thread.sleep(forTimeInterval: 3.2)   // the collector works through the two slow answers
        #expect(exporter.export(Self.spans(1)))
        #expect(exporter.sentSpans == 1)
        #expect(reports.withLock { $0.last }?.contains("accepts spans again") == true)
    }

    @Test("a partial success counts the rejected spans as lost, says why, and is not retried")
    func partialSuccess() throws {
        let collector = try TestCollector(answers: [
            .init(status: 200, body: #"{"partialSuccess":{"rejectedSpans":"2","errorMessage":"span name too long"}}"#),
            .init(status: 200, body: #"{"partialSuccess":{}}"#),
        ])
        defer { collector.stop() }
        let reports = Mutex<[String]>([])
        let exporter = OTLPHTTPExporter(endpoint: collector.url, onFailure: { r in reports.withLock { $0.append(r) } })
        #expect(exporter.export(Self.spans(3)))
        #expect(collector.requests.count == 1)
        #expect(exporter.sentSpans == 1 && exporter.lostSpans == 2)
        #expect(reports.withLock { $0 } == ["the collector at \(collector.url.absoluteString) rejected 2 of 3 spans: span name too long"])
        #expect(exporter.export(Self.spans(1)))
        #expect(exporter.sentSpans == 2 && exporter.lostSpans == 2)
        #expect(OTLPHTTPExporter.partialSuccess(Data(#"{"partialSuccess":{"rejectedSpans":5}}"#.utf8)).rejected == 5)
        #expect(OTLPHTTPExporter.partialSuccess(Data("not json".utf8)).rejected == 0)
    }
}
