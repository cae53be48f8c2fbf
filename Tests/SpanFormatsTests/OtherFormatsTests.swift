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
        #expect(reader.decoder.formats == [.zipkin])
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

@Suite("Jaeger query JSON")
struct JaegerTests {
    static let trace = #"{"data":[{"traceID":"1","spans":[{"traceID":"1","spanID":"2","operationName":"child","references":[{"refType":"CHILD_OF","traceID":"1","spanID":"ff"},{"refType":"FOLLOWS_FROM","traceID":"9","spanID":"5"}],"startTime":1485467191639875,"duration":5,"tags":[{"key":"error","type":"bool","value":true},{"key":"big","type":"int64","value":"9007199254740993"},{"key":"t","type":"float64","value":72.5},{"key":"span.kind","type":"string","value":"client"}],"logs":[{"timestamp":1485467191639876,"fields":[{"key":"event","type":"string","value":"retry"},{"key":"n","type":"int64","value":2}]}],"processID":"p1"},{"traceID":"1","spanID":"ff","operationName":"root","references":[],"startTime":1485467191639000,"duration":1000,"tags":[],"logs":[],"processID":"p2"}],"processes":{"p1":{"serviceName":"service-x","tags":[{"key":"host","type":"string","value":"h1"}]},"p2":{"serviceName":"service-y","tags":[]}}}],"total":0}"#

    @Test("spans, references, tags, logs and processes (given after the spans)")
    func fields() throws {
        let reader = SpanStreamReader(source: "j")
        let spans = reader.feed(Array(Self.trace.utf8)).spans + reader.finish().spans
        #expect(reader.decoder.formats == [.jaeger])
        #expect(spans.count == 2)
        let child = try #require(spans.first)
        #expect(child.traceID.hex == "00000000000000000000000000000001")
        #expect(child.spanID.hex == "0000000000000002")
        #expect(child.parentSpanID.hex == "00000000000000ff")
        #expect(child.startTime == 1_485_467_191_639_875_000)
        #expect(child.duration == 5_000)
        #expect(child.isError)
        #expect(child.kind == .client)
        #expect(child.serviceName == "service-x")
        #expect(child.resource.attributes[key: "host"] == .string("h1"))
        #expect(child.attributes[key: "big"] == .int(9_007_199_254_740_993))
        #expect(child.attributes[key: "t"] == .double(72.5))
        #expect(child.events.map(\.name) == ["retry"])
        #expect(child.links.map(\.traceID.low) == [9])
        #expect(spans[1].isRoot && spans[1].serviceName == "service-y")
    }
}
