import Testing
import SpanModel
import SpanStore
import SpanQuery

@Suite("Trace ID input")
struct TraceIDInputTests {
    static let full = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test("accepted forms give the hex prefix", arguments: [
        ("4bf92f35", "4bf92f35"),
        ("  4BF92F35 \n", "4bf92f35"),
        ("0x4bf92f35", "4bf92f35"),
        ("0X4BF9", "4bf9"),
        ("\"4bf92f35\"", "4bf92f35"),
        ("'4bf92f35'", "4bf92f35"),
        ("`4bf9`", "4bf9"),
        ("4bf92f35-77b3-4da6-a3ce-929d0e0e4736", full),
        ("trace_id=4bf92f35", "4bf92f35"),
        ("TRACE_ID = 4bf9", "4bf9"),
        ("traceid:4bf92f35", "4bf92f35"),
        ("traceId: \"4bf92f35\"", "4bf92f35"),
        ("\"traceId\": \"4bf92f3577b34da6a3ce929d0e0e4736\",", full),
        ("trace-id=0x4bf9", "4bf9"),
        ("trace=4bf9", "4bf9"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", full),
        ("traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", full),
        ("'00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00'", full),
        ("4bf9 2f35_77b3", "4bf92f3577b3"),
    ])
    func accepted(text: String, hex: String) throws {
        let input = try TraceIDInput(parsing: text)
        #expect(input.hex == hex, "\(text)")
        #expect(input.prefix == TraceIDPrefix(hex))
    }

    @Test("a traceparent also gives its span ID")
    func traceparent() throws {
        let input = try TraceIDInput(parsing: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(input.spanID == SpanID(0x00f0_67aa_0ba9_02b7))
        #expect(input.prefix.matches(TraceID(hex: Self.full)!))
        #expect(try TraceIDInput(parsing: "4bf9").spanID == nil)
    }

    @Test("rejected forms name the character and where", arguments: [
        ("4bf9zz", 4, "'z' is not a hex digit"),
        ("trace_id=xyz", 9, "'x' is not a hex digit"),
        ("", 0, "no hex digits"),
        ("  \"\" ", 5, "no hex digits"),
        ("0x", 2, "no hex digits"),
        ("4bf92f3577b34da6a3ce929d0e0e47360", 32, "a trace ID has at most 32 hex digits"),
        ("span_id=4bf9", 0, "'s' is not a hex digit"),
        ("4bf9/1", 4, "'/' is not a hex digit"),
    ])
    func rejected(text: String, position: Int, message: String) {
        do {
            _ = try TraceIDInput(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.message == message, "\(text)")
            #expect(error.position == position, "\(text): \(error.position)")
        }
    }
}
