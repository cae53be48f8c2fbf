import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanNetwork
import Testing

/// The OpenTelemetry Python SDK (`pip install opentelemetry-sdk
/// opentelemetry-exporter-otlp-proto-http`; `.ci/run` installs it) sending with
/// `scripts/otlp-send.py`. Skipped when it is not installed, except under CI.
enum PythonSDK {
    static let available: Bool = {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import opentelemetry.sdk, opentelemetry.exporter.otlp.proto.http"]
        python.standardOutput = FileHandle.nullDevice
        python.standardError = FileHandle.nullDevice
        guard (try? python.run()) != nil else { return false }
        python.waitUntilExit()
        return python.terminationStatus == 0
    }()

    static var shouldRun: Bool { available || ProcessInfo.processInfo.environment["CI"] != nil }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/otlp-send.py")

    /// Runs the script; returns what it says it sent, one dictionary per span.
    static func send(to url: String, traces: Int, json: Bool = false, gzip: Bool = false, token: String? = nil) throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", script.path, "--endpoint", url, "--traces", String(traces)]
        if json { arguments.append("--json") }
        if gzip { arguments.append("--gzip") }
        if let token { arguments += ["--token", token] }
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "otlp-send.py failed: \(String(decoding: errors, as: UTF8.self))")
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }
}

/// An attribute value in the script's typed text form.
func typedText(_ value: AttributeValue) -> String {
    switch value {
    case .string(let s): "s:\(s)"
    case .bool(let b): "b:\(b)"
    case .int(let i): "i:\(i)"
    case .double(let d): "d:\(d)"
    case .stringArray(let a): "[" + a.map { "s:\($0)" }.joined(separator: ",") + "]"
    case .boolArray(let a): "[" + a.map { "b:\($0)" }.joined(separator: ",") + "]"
    case .intArray(let a): "[" + a.map { "i:\($0)" }.joined(separator: ",") + "]"
    case .doubleArray(let a): "[" + a.map { "d:\($0)" }.joined(separator: ",") + "]"
    case .array(let a): "[" + a.map(typedText).joined(separator: ",") + "]"
    default: "\(value)"
    }
}

/// Checks that `received` holds every span the script described, whole.
func expectArrived(_ sent: [[String: Any]], in received: [Span]) throws {
    let byID = Dictionary(received.map { ($0.spanID.hex, $0) }, uniquingKeysWith: { first, _ in first })
    for expected in sent {
        let id = try #require(expected["spanId"] as? String)
        let span = try #require(byID[id], "span \(id) did not arrive")
        #expect(span.name == expected["name"] as? String)
        #expect(span.traceID.hex == expected["traceId"] as? String)
        let parent = expected["parentSpanId"] as? String ?? ""
        #expect(parent.isEmpty ? span.parentSpanID.isZero : span.parentSpanID.hex == parent)
        let attributes = try #require(expected["attributes"] as? [String: String])
        for (key, text) in attributes {
            #expect(span.attributes[key: key].map(typedText) == text, "\(span.name): \(key)")
        }
        let events = try #require(expected["events"] as? [[String: Any]])
        #expect(span.events.map(\.name) == events.map { $0["name"] as? String ?? "" })
        for (event, wanted) in zip(span.events, events) {
            for (key, text) in wanted["attributes"] as? [String: String] ?? [:] {
                #expect(event.attributes[key: key].map(typedText) == text)
            }
        }
        let links = try #require(expected["links"] as? [[String: Any]])
        #expect(span.links.map { "\($0.traceID.hex)/\($0.spanID.hex)" } == links.map { "\($0["traceId"] ?? "")/\($0["spanId"] ?? "")" })
        let status = try #require(expected["status"] as? [String: String])
        #expect(span.status.code == (status["code"] == "ERROR" ? .error : status["code"] == "OK" ? .ok : .unset))
        #expect(span.status.description == status["message"])
        #expect(span.serviceName == "otlp-send")
    }
}

@Suite("OTLP/HTTP receiver: the OpenTelemetry Python SDK", .serialized, .enabled(if: PythonSDK.shouldRun))
struct ReceiverPythonSDKTests {
    @Test("protobuf, gzip off and on, and JSON, gzip off and on: every span arrives whole",
          arguments: [(false, false), (false, true), (true, false), (true, true)])
    func sdkExports(json: Bool, gzip: Bool) throws {
        let harness = try ReceiverHarness()
        let sent = try PythonSDK.send(to: harness.url, traces: 5, json: json, gzip: gzip)
        #expect(sent.count == 15)
        let received = harness.waitForSpans(sent.count)
        #expect(received.count == sent.count)
        #expect(harness.problems.isEmpty)
        try expectArrived(sent, in: received)
        // Links point at the previous trace's root; errors on the grandchildren.
        #expect(received.filter { !$0.links.isEmpty }.count == 4)
        #expect(received.filter(\.isError).count == 5)
    }

    @Test("with a token: the SDK's requests carry it and are taken")
    func sdkWithToken() throws {
        let harness = try ReceiverHarness { $0.token = "s3cret" }
        let sent = try PythonSDK.send(to: harness.url, traces: 2, token: "s3cret")
        try expectArrived(sent, in: harness.waitForSpans(sent.count))
    }
}

@Suite("OTLP/HTTP receiver: what a hostile or careless client gets")
struct ReceiverHostileClientTests {
    @Test("a good protobuf request: 200, an empty ExportTraceServiceResponse, spans in the inbox")
    func goodProtobuf() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(body: Requests.protobuf(Requests.spans(10)))
        let response = try #require(client.response())
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/x-protobuf")
        #expect(response.body.isEmpty)
        #expect(harness.waitForSpans(10).map(\.name) == (0..<10).map { "op-\($0)" })
    }

    @Test("big bodies decoded off the event loop: the same answers, the same spans, in order")
    func decodedElsewhere() throws {
        let harness = try ReceiverHarness { $0.decodeElsewhereFromBytes = 0 }
        let client = try RawHTTP(port: harness.port)
        client.request(body: Requests.protobuf(Requests.spans(10, trace: 1, name: "first")))
        client.request(body: [0xFF, 0xFF])
        client.request(contentType: "application/json", body: Requests.json(Requests.spans(5, trace: 2, name: "second")))
        #expect(client.response()?.status == 200)
        #expect(client.response()?.status == 400)
        #expect(client.response()?.text == "{}")
        #expect(harness.waitForSpans(15).map(\.name) == (0..<10).map { "first-\($0)" } + (0..<5).map { "second-\($0)" })
    }

    @Test("a good JSON request: 200 and {}")
    func goodJSON() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(contentType: "application/json; charset=utf-8", body: Requests.json(Requests.spans(3)))
        let response = try #require(client.response())
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.text == "{}")
        #expect(harness.waitForSpans(3).count == 3)
    }

    @Test("JSON with one bad span among good ones: 200 with partialSuccess, the good spans kept")
    func jsonPartialSuccess() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        let good = #"{"traceId":"0000000000000000000000000000000a","spanId":"000000000000000b","name":"good","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000000500"}"#
        let bad = #"{"traceId":"not hex at all","spanId":"000000000000000c","name":"bad","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000000000500"}"#
        let body = #"{"resourceSpans":[{"resource":{},"scopeSpans":[{"scope":{},"spans":["# + good + "," + bad + "]}]}]}"
        client.request(contentType: "application/json", body: Array(body.utf8))
        let response = try #require(client.response())
        #expect(response.status == 200)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let partial = try #require(object["partialSuccess"] as? [String: Any], "\(response.text)")
        #expect(partial["rejectedSpans"] as? String == "1")
        #expect((partial["errorMessage"] as? String)?.isEmpty == false)
        #expect(harness.waitForSpans(1).map(\.name) == ["good"])
    }

    @Test("Expect: 100-continue is answered at once, then the body taken")
    func expectContinue() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        let body = Requests.protobuf(Requests.spans(3))
        client.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nExpect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n")
        #expect(client.response()?.status == 100)
        client.send(body)
        #expect(client.response()?.status == 200)
        #expect(harness.waitForSpans(3).count == 3)
    }

    @Test("an empty request succeeds")
    func emptyRequest() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(body: [])
        #expect(client.response()?.status == 200)
        client.request(contentType: "application/json", body: Array("{\"resourceSpans\":[]}".utf8))
        #expect(client.response()?.status == 200)
    }

    @Test("garbage: 400 with a google.rpc.Status in the request's encoding")
    func garbage() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(body: [0xFF, 0xFF, 0xFF, 0x07, 0x01, 0x02])
        let proto = try #require(client.response())
        #expect(proto.status == 400)
        #expect(proto.headers["content-type"] == "application/x-protobuf")
        let fields = ProtobufFields.fields(proto.body)
        #expect(fields.first { $0.0 == 1 }?.1 == 3)
        let message = try #require(fields.first { $0.0 == 2 }?.2)
        #expect(String(decoding: message, as: UTF8.self).contains("no span could be read"))

        client.request(contentType: "application/json", body: Array("this is not json".utf8))
        let json = try #require(client.response())
        #expect(json.status == 400)
        #expect(json.headers["content-type"] == "application/json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body)) as? [String: Any])
        #expect(object["code"] as? Int == 3)
        #expect((object["message"] as? String)?.isEmpty == false)
        // The connection is still good after a 400.
        client.request(body: Requests.protobuf(Requests.spans(1)))
        #expect(client.response()?.status == 200)
        // The reader tells of the refusals, naming the last answer.
        #expect(harness.waitForNotice(containing: "(the last: 400 Bad Request: no span could be read"), "\(harness.notices)")
        #expect(harness.notices.allSatisfy { $0.hasPrefix("OTLP/HTTP 127.0.0.1:\(harness.port) refused ") }, "\(harness.notices)")
    }

    @Test("over the request rate: 429 with Retry-After before decoding, counted apart; the bucket refills; the reader tells of it once")
    func requestRate() throws {
        let harness = try ReceiverHarness { $0.maxRequestsPerSecond = 5 }
        let client = try RawHTTP(port: harness.port)
        var responses: [RawResponse] = []
        let began = Date()
        for i in 0..<12 {
            client.request(body: Requests.protobuf(Requests.spans(2, trace: UInt64(i + 1))))
            responses.append(try #require(client.response()))
        }
        let took = Date().timeIntervalSince(began)
        let statuses = responses.map(\.status)
        // A full bucket of 5 at the start, then one more each fifth of a second the dozen took
        // (milliseconds when the machine is idle; more on a busy one).
        #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 }, "\(statuses)")
        let accepted = statuses.filter { $0 == 200 }.count
        #expect(accepted <= 5 + Int((took * 5).rounded(.up)), "\(statuses) in \(took) s")
        let refused = try #require(responses.first { $0.status == 429 }, "\(statuses) in \(took) s")
        #expect(refused.headers["retry-after"] == "1")
        let message = try #require(ProtobufFields.fields(refused.body).first { $0.0 == 2 }?.2)
        #expect(String(decoding: message, as: UTF8.self) == "over the receiver's limit of 5 requests a second: retry later")
        let counts = harness.receiver.currentCounts
        #expect(counts.rateLimitedRequests == 12 - accepted)
        #expect(counts.acceptedRequests == accepted && counts.throttledRequests == 0 && counts.failedRequests == 0)
        #expect(harness.waitForSpans(accepted * 2).count == accepted * 2)
        // Told in a notice a wake of the reader (one or a few): the counts add up to the refusals.
        func told() -> Int {
            harness.notices.reduce(0) { sum, notice in
                guard let after = notice.range(of: " refused ")?.upperBound else { return sum }
                return sum + (Int(notice[after...].prefix { $0.isNumber }) ?? 0)
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while told() < 12 - accepted && Date() < deadline {
            if harness.inbox.waitForPending(seconds: 0.2) { harness.drain() }
        }
        #expect(told() == 12 - accepted, "\(harness.notices)")
        #expect(harness.notices.allSatisfy { $0.hasSuffix("(the last: 429 Too Many Requests: over the limit of 5 requests a second)") }, "\(harness.notices)")
        // A second later the bucket holds five again.
        Thread.sleep(forTimeInterval: 1.1)
        for i in 0..<3 {
            client.request(body: Requests.protobuf(Requests.spans(2, trace: UInt64(100 + i))))
            #expect(client.response()?.status == 200)
        }
        #expect(harness.waitForSpans((accepted + 3) * 2).count == (accepted + 3) * 2)
    }

    @Test("a protobuf request cut short: the spans whole before the cut are kept, the cut span is the one rejected")
    func truncatedProtobuf() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        // Two services: two ResourceSpans frames, the cut inside the second's last span.
        let first = Requests.spans(10, trace: 1, name: "kept").map { span in
            var span = span
            span.resource = Resource(attributes: [Attribute("service.name", .string("a"))])
            return span
        }
        let second = Requests.spans(10, trace: 2, name: "cut").map { span in
            var span = span
            span.resource = Resource(attributes: [Attribute("service.name", .string("b"))])
            return span
        }
        let whole = Requests.protobuf(first + second)
        client.request(body: Array(whole.prefix(whole.count - 30)))
        let response = try #require(client.response())
        #expect(response.status == 200)
        // partial_success: field 1 { rejected_spans (1), error_message (2) }
        let partial = try #require(ProtobufFields.fields(response.body).first { $0.0 == 1 }?.2)
        let inner = ProtobufFields.fields(partial)
        #expect(inner.first { $0.0 == 1 }?.1 == 1)
        let message = String(decoding: inner.first { $0.0 == 2 }?.2 ?? [], as: UTF8.self)
        #expect(message.contains("cut short"), "\(message)")
        let received = harness.waitForSpans(19)
        #expect(received.map(\.name) == (0..<10).map { "kept-\($0)" } + (0..<9).map { "cut-\($0)" })
        #expect(received.suffix(9).allSatisfy { $0.serviceName == "b" })
        #expect(harness.problems.count == 1)

        // Cut inside the only frame: the same, 200 and the spans before the cut.
        let lone = Requests.protobuf(Requests.spans(20, trace: 3, name: "lone"))
        client.request(body: Array(lone.prefix(lone.count - 30)))
        let second200 = try #require(client.response())
        #expect(second200.status == 200)
        let rejected = ProtobufFields.fields(try #require(ProtobufFields.fields(second200.body).first { $0.0 == 1 }?.2)).first { $0.0 == 1 }?.1
        #expect(rejected == 1)
        #expect(harness.waitForSpans(38).suffix(19).map(\.name) == (0..<19).map { "lone-\($0)" })
        #expect(harness.receiver.currentCounts.rejectedSpans == 2)

        // Cut inside the first span: nothing whole, 400.
        client.request(body: Array(lone.prefix(40)))
        #expect(client.response()?.status == 400)
    }

    @Test("a JSON request cut short: the spans whole before the cut are kept, with a partial success")
    func truncatedJSON() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        let whole = Requests.json(Requests.spans(10, trace: 4, name: "json"))
        let text = String(decoding: whole, as: UTF8.self)
        // Cut in the middle of the seventh span's name.
        let cut = try #require(text.range(of: "json-6")).lowerBound
        client.request(contentType: "application/json", body: Array(text[..<cut].utf8))
        let response = try #require(client.response())
        #expect(response.status == 200, "\(response.text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let partial = try #require(object["partialSuccess"] as? [String: Any], "\(response.text)")
        #expect(partial["rejectedSpans"] as? String == "1")
        #expect(harness.waitForSpans(6).map(\.name) == (0..<6).map { "json-\($0)" })
    }

    @Test("wrong content type 415, wrong path 404, GET 405, unknown content encoding 415")
    func wrongRequests() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(contentType: "text/plain", body: Array("hello".utf8))
        #expect(client.response()?.status == 415)
        client.request(path: "/v1/logs", body: Requests.protobuf(Requests.spans(1)))
        #expect(client.response()?.status == 404)
        client.request(method: "GET", contentType: nil, body: [])
        #expect(client.response()?.status == 405)
        client.request(headers: ["Content-Encoding": "br"], body: Requests.protobuf(Requests.spans(1)))
        #expect(client.response()?.status == 415)
        #expect(harness.receiver.currentCounts.failedRequests == 4)
        #expect(harness.receiver.currentCounts.acceptedRequests == 0)
    }

    @Test("a body over the limit: 413 at once from its Content-Length, the rest never read, the connection closed")
    func overLimit() throws {
        let harness = try ReceiverHarness { $0.maxBodyBytes = 1000 }
        let client = try RawHTTP(port: harness.port)
        client.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000000\r\n\r\n")
        client.send([UInt8](repeating: 0, count: 4096))
        let response = try #require(client.response())
        #expect(response.status == 413)
        #expect(client.isClosedByPeer())
    }

    @Test("a chunked body growing over the limit: 413")
    func chunkedOverLimit() throws {
        let harness = try ReceiverHarness { $0.maxBodyBytes = 1000 }
        let client = try RawHTTP(port: harness.port)
        client.send("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunk = "200\r\n" + String(repeating: "a", count: 512) + "\r\n"
        for _ in 0..<3 { client.send(chunk) }
        #expect(client.response()?.status == 413)
    }

    @Test("a gzip bomb: 413, decompression stops at the limit")
    func gzipBomb() throws {
        let harness = try ReceiverHarness { $0.maxBodyBytes = 100_000 }
        let bomb = try Requests.gzip([UInt8](repeating: 0, count: 20 << 20))
        #expect(bomb.count < 100_000)
        let client = try RawHTTP(port: harness.port)
        client.request(headers: ["Content-Encoding": "gzip"], body: bomb)
        let response = try #require(client.response())
        #expect(response.status == 413)
        // Damaged gzip: 400.
        client.request(headers: ["Content-Encoding": "gzip"], body: Array(bomb.prefix(50)))
        #expect(client.response()?.status == 400)
        // A good gzip body: 200.
        client.request(headers: ["Content-Encoding": "gzip"], body: try Requests.gzip(Requests.protobuf(Requests.spans(4))))
        #expect(client.response()?.status == 200)
        #expect(harness.waitForSpans(4).count == 4)
    }

    @Test("a head over the header limit: 431, the connection closed; and the connection limit")
    func limits() throws {
        let harness = try ReceiverHarness { $0.maxHeaderBytes = 4096; $0.maxConnections = 2 }
        let client = try RawHTTP(port: harness.port)
        client.request(headers: ["X-Padding": String(repeating: "p", count: 10_000)], body: Requests.protobuf(Requests.spans(1)))
        #expect(client.response()?.status == 431)
        #expect(client.isClosedByPeer())
        let deadline = Date().addingTimeInterval(10)
        while harness.receiver.openConnections > 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }

        // Two connections held open; a third is closed at once.
        let a = try RawHTTP(port: harness.port), b = try RawHTTP(port: harness.port)
        a.request(body: Requests.protobuf(Requests.spans(1, trace: 1)))
        b.request(body: Requests.protobuf(Requests.spans(1, trace: 2)))
        #expect(a.response()?.status == 200)
        #expect(b.response()?.status == 200)
        let c = try RawHTTP(port: harness.port)
        c.request(body: Requests.protobuf(Requests.spans(1, trace: 3)))
        #expect(c.response() == nil)
        #expect(harness.waitForSpans(2).count == 2)
    }

    @Test("a bearer token: missing or wrong 401, right 200")
    func token() throws {
        let harness = try ReceiverHarness { $0.token = "s3cret" }
        let client = try RawHTTP(port: harness.port)
        let body = Requests.protobuf(Requests.spans(2))
        client.request(body: body)
        #expect(client.response()?.status == 401)
        client.request(headers: ["Authorization": "Bearer wrong"], body: body)
        #expect(client.response()?.status == 401)
        client.request(headers: ["Authorization": "Bearer s3cret"], body: body)
        #expect(client.response()?.status == 200)
        #expect(harness.waitForSpans(2).count == 2)
    }

    @Test("a full inbox: 429 with Retry-After: 1, nothing accepted is lost, and room again once drained")
    func inboxFull() throws {
        let harness = try ReceiverHarness({ $0.queueCapacity = 1 }, inboxCapacity: 1)
        let client = try RawHTTP(port: harness.port)
        var statuses: [Int] = []
        var throttled: RawResponse?
        for i in 0..<50 {
            client.request(body: Requests.protobuf(Requests.spans(5, trace: UInt64(i + 1))))
            let response = try #require(client.response())
            statuses.append(response.status)
            if response.status == 429 { throttled = response; break }
        }
        let response = try #require(throttled, "no 429 in \(statuses)")
        #expect(response.headers["retry-after"] == "1")
        #expect(statuses.dropLast().allSatisfy { $0 == 200 })
        let accepted = statuses.count - 1
        // Drained, the receiver takes requests again; every accepted span arrives.
        harness.waitForSpans(accepted * 5)
        var retried = 0
        while retried < 200 {
            client.request(body: Requests.protobuf(Requests.spans(5, trace: 999)))
            if client.response()?.status == 200 { break }
            harness.drain()
            retried += 1
        }
        #expect(retried < 200)
        #expect(harness.waitForSpans((accepted + 1) * 5).count == (accepted + 1) * 5)
    }

    @Test("several clients at once, each with several requests on one kept-alive connection")
    func concurrentClients() throws {
        let harness = try ReceiverHarness()
        let port = harness.port
        let clients = 8, requests = 10, spans = 20
        let statuses = ManagedStatuses()
        DispatchQueue.concurrentPerform(iterations: clients) { c in
            guard let client = try? RawHTTP(port: port) else { return statuses.add(-1) }
            for r in 0..<requests {
                client.request(body: Requests.protobuf(Requests.spans(spans, trace: UInt64(c * 1000 + r + 1))))
                statuses.add(client.response()?.status ?? -1)
            }
        }
        #expect(statuses.all == Array(repeating: 200, count: clients * requests))
        let received = harness.waitForSpans(clients * requests * spans)
        #expect(received.count == clients * requests * spans)
        #expect(Set(received.map(\.traceID)).count == clients * requests)
    }

    @Test("keep-alive: two requests on one connection, and Connection: close honoured")
    func keepAlive() throws {
        let harness = try ReceiverHarness()
        let client = try RawHTTP(port: harness.port)
        client.request(body: Requests.protobuf(Requests.spans(1, trace: 1)))
        #expect(client.response()?.status == 200)
        client.request(body: Requests.protobuf(Requests.spans(1, trace: 2)))
        let second = try #require(client.response())
        #expect(second.status == 200)
        #expect(second.headers["connection"] == "keep-alive")
        client.request(headers: ["Connection": "close"], body: Requests.protobuf(Requests.spans(1, trace: 3)))
        #expect(client.response()?.headers["connection"] == "close")
        #expect(client.isClosedByPeer())
        #expect(harness.waitForSpans(3).count == 3)
    }

    @Test("listen addresses and encodings")
    func parsing() {
        #expect(OTLPEncoding(contentType: "application/x-protobuf") == .protobuf)
        #expect(OTLPEncoding(contentType: "Application/JSON; charset=utf-8") == .json)
        #expect(OTLPEncoding(contentType: "text/plain") == nil)
        #expect(constantTimeEqual("Bearer a", "Bearer a"))
        #expect(!constantTimeEqual("Bearer a", "Bearer ab"))
    }
}

final class ManagedStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func add(_ value: Int) { lock.withLock { values.append(value) } }
    var all: [Int] { lock.withLock { values } }
}
