import SpanFormats
import SpanModel
import Testing

/// A writer died in the middle of a value and a restarted one appended to the same line:
/// the cut-off value is reported, and the value that starts inside it is kept.
@Suite("A value cut off by the next one on the same line")
struct CutOffValueTests {
    private let first = GoSpanJSON(name: "first", spanID: "00000000000000a1").compact
    private var cut: String {
        var s = GoSpanJSON(name: "cut", spanID: "00000000000000a2")
        s.attributes = "[" + kv("http.route", "STRING", #""/orders/{id}""#) + "," + kv("n", "INT64SLICE", "[1,2]") + "]"
        s.events = #"[{"Name":"retry","Attributes":null,"DroppedAttributeCount":0,"Time":"2024-05-01T12:00:00.1Z"}]"#
        return s.compact
    }
    private let next = GoSpanJSON(name: "next", spanID: "00000000000000a3", parentSpanID: "00000000000000a1").compact
    private let last = GoSpanJSON(name: "last", spanID: "00000000000000a4").compact

    @Test("a Go span cut at every byte, then a whole span on the same line: both whole spans around it are kept")
    func everyCutPoint() {
        let text = Array(cut.utf8)
        var lost: [Int] = []
        for k in 2..<text.count - 1 {
            let prefix = String(decoding: text[0..<k], as: UTF8.self)
            let input = first + "\n" + prefix + next + "\n" + last + "\n"
            let result = read(input)
            if result.spans.map(\.name) != ["first", "next", "last"] { lost.append(k) }
            #expect(result.problems.count == 1, "cut at \(k)")
        }
        #expect(lost.isEmpty, "cut points whose next span was lost: \(lost)")
    }

    @Test("the same when the bytes come in small pieces (a pipe)", arguments: [1, 5, 64])
    func inPieces(chunk: Int) {
        let text = Array(cut.utf8)
        for k in stride(from: 2, to: text.count - 1, by: 37) {
            let input = first + "\n" + String(decoding: text[0..<k], as: UTF8.self) + next + "\n" + last + "\n"
            let result = read(input, chunk: chunk)
            #expect(result.spans.map(\.name) == ["first", "next", "last"], "cut at \(k)")
        }
    }

    @Test("the report says where the next value starts")
    func report() throws {
        let prefix = String(cut.prefix(100))
        let input = first + "\n" + prefix + next + "\n"
        let result = read(input)
        let problem = try #require(result.problems.first)
        #expect(problem.line == 2)
        #expect(problem.reason.contains("cut off"))
        #expect(problem.reason.contains("byte \(first.utf8.count + 1 + prefix.utf8.count)"))
    }

    @Test("an OTLP batch cut off by the next batch: the next batch's spans are kept")
    func otlpBatches() {
        func batch(_ ids: [String]) -> String {
            let spans = ids.map { #"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"\#($0)","name":"s\#($0.suffix(2))","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":{"stringValue":"v"}}]}"# }
            return #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":["# + spans.joined(separator: ",") + "]}]}]}"
        }
        let a = batch(["00000000000000a1", "00000000000000a2"])
        let b = batch(["00000000000000b1", "00000000000000b2"])
        let c = batch(["00000000000000c1", "00000000000000c2"])
        let text = Array(b.utf8)
        var lost: [Int] = []
        for k in stride(from: 2, to: text.count - 1, by: 3) {
            let input = a + "\n" + String(decoding: text[0..<k], as: UTF8.self) + c + "\n"
            let names = read(input).spans.map(\.name)
            if !(names.starts(with: ["sa1", "sa2"]) && names.suffix(2) == ["sc1", "sc2"]) { lost.append(k) }
        }
        #expect(lost.isEmpty, "cut points whose next batch was lost: \(lost)")
    }

    @Test("an OTLP batch cut short at the end of the input, at every byte: the spans whole before the cut are kept, whole and in pieces")
    func otlpBatchCutAtEnd() {
        let spans = ["00000000000000a1", "00000000000000a2", "00000000000000a3"].map {
            #"{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"\#($0)","name":"s\#($0.suffix(2))","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"k","value":{"stringValue":"v"}}]}"#
        }
        let batch = #"{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeSpans":[{"scope":{"name":"lib"},"spans":["# + spans.joined(separator: ",") + "]}]}]}"
        let text = Array(batch.utf8)
        let spanEnd = Array(#""v"}}]}"#.utf8)
        // From the first key on: a lone `{` is not yet a value the reader knows.
        for k in 18..<text.count - 1 {
            let prefix = Array(text[0..<k])
            let whole = k < spanEnd.count ? 0 : (0...(k - spanEnd.count)).filter { prefix[$0...].starts(with: spanEnd) }.count
            let result = readBytes(prefix)
            #expect(result.spans.map(\.name) == Array(["sa1", "sa2", "sa3"].prefix(whole)), "cut at \(k)")
            #expect(result.spans.allSatisfy { $0.serviceName == "svc" && $0.scope.name == "lib" }, "cut at \(k)")
            #expect(result.problems.count == 1 && result.problems.first?.reason.contains("truncated") == true, "cut at \(k)")
            if k % 7 == 0 {
                #expect(readBytes(prefix, chunk: 5).spans.map(\.name) == result.spans.map(\.name), "cut at \(k), in pieces")
            }
        }
    }

    @Test("a pretty-printed span cut off by the next pretty-printed span")
    func pretty() {
        let a = GoSpanJSON(name: "cut", spanID: "00000000000000a2").pretty
        let b = GoSpanJSON(name: "next", spanID: "00000000000000a3").pretty
        let text = Array(a.utf8)
        var lost: [Int] = []
        for k in stride(from: 2, to: text.count - 1, by: 11) {
            let input = String(decoding: text[0..<k], as: UTF8.self) + b + "\n" + last + "\n"
            if read(input).spans.map(\.name) != ["next", "last"] { lost.append(k) }
        }
        #expect(lost.isEmpty, "cut points whose next span was lost: \(lost)")
    }
}
