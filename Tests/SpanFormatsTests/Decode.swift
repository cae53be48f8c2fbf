import SpanFormats
import SpanModel

/// Reads text through a fresh reader, in one feed or in pieces of `chunk` bytes.
func read(_ text: String, chunk: Int? = nil, source: String = "test.json") -> (spans: [Span], problems: [ReadProblem], stats: ReadStats) {
    let reader = SpanStreamReader(source: source, chunkSize: 4096)
    var spans: [Span] = []
    var problems: [ReadProblem] = []
    let bytes = Array(text.utf8)
    let step = chunk ?? max(1, bytes.count)
    var i = 0
    while i < bytes.count {
        let batch = reader.feed(Array(bytes[i..<min(bytes.count, i + step)]))
        spans += batch.spans
        problems += batch.problems
        i += step
    }
    let last = reader.finish()
    spans += last.spans
    problems += last.problems
    return (spans, problems, reader.stats)
}

func readBytes(_ bytes: [UInt8], chunk: Int? = nil) -> (spans: [Span], problems: [ReadProblem], stats: ReadStats) {
    let reader = SpanStreamReader(source: "bytes", chunkSize: 4096)
    var spans: [Span] = []
    var problems: [ReadProblem] = []
    let step = chunk ?? max(1, bytes.count)
    var i = 0
    while i < bytes.count {
        let batch = reader.feed(Array(bytes[i..<min(bytes.count, i + step)]))
        spans += batch.spans
        problems += batch.problems
        i += step
    }
    let last = reader.finish()
    return (spans + last.spans, problems + last.problems, reader.stats)
}

/// The one span in `json` (a single object).
func decodeOne(_ json: String) -> Span? {
    let result = read(json)
    return result.spans.count == 1 ? result.spans[0] : nil
}
