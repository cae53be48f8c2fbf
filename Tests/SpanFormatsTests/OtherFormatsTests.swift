import SpanFormats
import SpanModel
import Testing

@Suite("Zipkin v2 and Python console spans")
struct OtherFormatsTests {
    @Test("a Zipkin list: microseconds, kind names, service from localEndpoint, tags, annotations, error tag")
    func zipkin() throws {
        let text = #"[{"traceId":"a03ee8fff1dcd9b9","parentId":"f5f268651b2a2b34","id":"15fc03927f0f68df","kind":"CLIENT","name":"post","timestamp":1571896375322000,"duration":14000,"localEndpoint":{"serviceName":"mobile_api"},"remoteEndpoint":{"serviceName":"blt","port":31882},"tags":{"http.uri":"/visits","error":"timeout"},"annotations":[{"timestamp":1571896375323000,"value":"ws"}]},{"id":"f5f268651b2a2b34","traceId":"a03ee8fff1dcd9b9","name":"root","timestamp":1571896375320000,"duration":20000}]"#
        let reader = SpanStreamReader(source: "z")
        let spans = reader.feed(Array(text.utf8)).spans + reader.finish().spans
        #expect(reader.decoder.formats == ["zipkin-v2"])
        let post = try #require(spans.first)
        #expect(post.traceID.hex == "0000000000000000a03ee8fff1dcd9b9")
        #expect(post.parentSpanID.hex == "f5f268651b2a2b34")
        #expect(post.kind == .client)
        #expect(post.startTime == 1_571_896_375_322_000_000)
        #expect(post.duration == 14_000_000)
        #expect(post.serviceName == "mobile_api")
        #expect(post.status == SpanStatus(code: .error, description: "timeout"))
        #expect(post.attributes[key: "http.uri"] == .string("/visits"))
        #expect(post.attributes[key: "peer.service"] == .string("blt"))
        #expect(post.events.map(\.name) == ["ws"])
        #expect(post.events.first?.time == 1_571_896_375_323_000_000)
        #expect(spans[1].isRoot && spans[1].name == "root")
    }

    @Test("Python ConsoleSpanExporter objects, 4-space indented and back to back")
    func python() throws {
        let one = """
        {
            "name": "roll",
            "context": {
                "trace_id": "0x6ff6d5ba6d49a5a9c6ee71e1c9a6b0e7",
                "span_id": "0x3ef5b2a8e0b5c6d1",
                "trace_state": "[]"
            },
            "kind": "SpanKind.SERVER",
            "parent_id": null,
            "start_time": "2024-03-01T10:00:00.123456Z",
            "end_time": "2024-03-01T10:00:00.223456Z",
            "status": {
                "status_code": "ERROR",
                "description": "bad dice"
            },
            "attributes": {
                "roll.value": 4,
                "ok": true,
                "tags": ["a", "b"]
            },
            "events": [
                {
                    "name": "thrown",
                    "timestamp": "2024-03-01T10:00:00.150000Z",
                    "attributes": {"n": 1.5}
                }
            ],
            "links": [],
            "resource": {
                "attributes": {
                    "service.name": "dice"
                },
                "schema_url": ""
            }
        }
        """
        let result = read(one + "\n" + one.replacingFirst("0x3ef5b2a8e0b5c6d1", with: "0x3ef5b2a8e0b5c6d2") + "\n")
        #expect(result.problems.isEmpty)
        #expect(result.spans.count == 2)
        let span = try #require(result.spans.first)
        #expect(span.traceID.hex == "6ff6d5ba6d49a5a9c6ee71e1c9a6b0e7")
        #expect(span.spanID.hex == "3ef5b2a8e0b5c6d1")
        #expect(span.isRoot)
        #expect(span.kind == .server)
        #expect(span.duration == 100_000_000)
        #expect(span.status == SpanStatus(code: .error, description: "bad dice"))
        #expect(span.attributes == [Attribute("roll.value", .int(4)), Attribute("ok", .bool(true)), Attribute("tags", .array([.string("a"), .string("b")]))])
        #expect(span.events.first?.attributes == [Attribute("n", .double(1.5))])
        #expect(span.serviceName == "dice")
        #expect(result.spans[0].resource === result.spans[1].resource)
    }
}
