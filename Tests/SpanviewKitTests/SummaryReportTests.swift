import SpanIngest
import Foundation
import SpanFormats
import SpanModel
import SpanStore
import SpanviewKit
import Testing

@Suite("Loading inputs and summaries")
struct SummaryReportTests {
    func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kit-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    static func span(_ name: String, id: String, parent: String = "0000000000000000", start: String, end: String, error: Bool = false, service: String = "api") -> String {
        let parentTrace = parent == "0000000000000000" ? String(repeating: "0", count: 32) : "4bf92f3577b34da6a3ce929d0e0e4736"
        return #"{"Name":"\#(name)","SpanContext":{"TraceID":"4bf92f3577b34da6a3ce929d0e0e4736","SpanID":"\#(id)","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"\#(parentTrace)","SpanID":"\#(parent)","TraceFlags":"01","TraceState":"","Remote":false},"SpanKind":1,"StartTime":"\#(start)","EndTime":"\#(end)","Attributes":null,"Events":null,"Links":null,"Status":{"Code":"\#(error ? "Error" : "Unset")","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"\#(service)"}}],"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":""}}"#
    }

    @Test("the JSON summary of a small input, exactly")
    func exactJSON() throws {
        let text = [
            Self.span("child", id: "0000000000000002", parent: "0000000000000001", start: "2024-05-01T12:00:00.1Z", end: "2024-05-01T12:00:00.2Z", error: true, service: "db"),
            Self.span("root", id: "0000000000000001", start: "2024-05-01T12:00:00Z", end: "2024-05-01T12:00:01Z"),
            Self.span("root", id: "0000000000000001", start: "2024-05-01T12:00:00Z", end: "2024-05-01T12:00:01Z"),
            Self.span("lost", id: "0000000000000003", parent: "00000000000000ff", start: "2024-05-01T12:00:00.5Z", end: "2024-05-01T12:00:00.6Z"),
            "not json",
        ].joined(separator: "\n") + "\n"
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = SummaryReport(try InputLoader.load([path]))
        let expected = #"{"files":[{"path":"\#(path)","format":"go-stdouttrace","spans":4,"nonJSONLines":1,"skippedCount":0,"skipped":[]}],"spans":3,"duplicates":1,"traces":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spans":3,"depth":2,"errors":1,"durationNs":1000000000,"services":["api","db"],"roots":["root"],"orphans":["lost"],"flags":{"withoutParent":1,"inParentCycle":0,"endingBeforeStart":0,"outsideParent":0,"duplicatesDropped":1,"spanIDReused":0}}]}"#
        #expect(report.json == expected)
    }

    @Test("text summary lists traces and skipped values with their positions")
    func text() throws {
        let path = try temporaryFile(Self.span("root", id: "0000000000000001", start: "2024-05-01T12:00:00Z", end: "2024-05-01T12:00:01.5Z") + "\n{\"Name\": bad}\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = SummaryReport(try InputLoader.load([path])).text()
        #expect(text.contains("\(path): go-stdouttrace, 1 span, 0 non-JSON lines, 1 skipped"))
        #expect(text.contains("1 trace, 1 distinct span\n"))
        #expect(text.contains("4bf92f3577b34da6a3ce929d0e0e4736  2024-05-01 12:00:00.000      1.5s      1      1       0  api       root"))
        #expect(text.contains("Skipped:\n  \(path):2: byte "))
    }

    @Test("the text summary counts flagged spans, outside parent among them, in the viewer's words")
    func flaggedText() throws {
        let text = [
            Self.span("root", id: "0000000000000001", start: "2024-05-01T12:00:00Z", end: "2024-05-01T12:00:01Z"),
            Self.span("late", id: "0000000000000002", parent: "0000000000000001", start: "2024-05-01T12:00:00.9Z", end: "2024-05-01T12:00:01.2Z"),
            Self.span("backwards", id: "0000000000000003", parent: "0000000000000001", start: "2024-05-01T12:00:00.5Z", end: "2024-05-01T12:00:00.4Z"),
        ].joined(separator: "\n") + "\n"
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = SummaryReport(try InputLoader.load([path]))
        #expect(report.text().hasSuffix("\nFlagged spans:\n  4bf92f3577b34da6a3ce929d0e0e4736: 1 ending before start, 1 outside parent\n"))
        #expect(report.json.contains(#""flags":{"withoutParent":0,"inParentCycle":0,"endingBeforeStart":1,"outsideParent":1,"#))
    }

    @Test("loadReadable reads what it can and names what it cannot")
    func readable() throws {
        let good = try temporaryFile(Self.span("root", id: "0000000000000001", start: "2024-05-01T12:00:00Z", end: "2024-05-01T12:00:01Z") + "\n")
        defer { try? FileManager.default.removeItem(atPath: good) }
        let (inputs, failures) = InputLoader.loadReadable(["/no/such/file", good, FileManager.default.temporaryDirectory.path])
        #expect(inputs.store.spanCount == 1)
        #expect(failures.map(\.path) == ["/no/such/file", FileManager.default.temporaryDirectory.path])
    }

    @Test("missing paths and directories are errors naming the path")
    func errors() throws {
        #expect(throws: InputError.self) { try InputLoader.load(["/no/such/file"]) }
        do {
            _ = try InputLoader.load([FileManager.default.temporaryDirectory.path])
            Issue.record("a directory loaded")
        } catch {
            #expect(error.description.hasSuffix("is a directory"))
        }
    }

    @Test("why an input holds nothing")
    func emptiness() throws {
        let empty = try temporaryFile("")
        let logs = try temporaryFile("a\nb\n")
        let bad = try temporaryFile("{\"x\": nope}\n")
        defer { for p in [empty, logs, bad] { try? FileManager.default.removeItem(atPath: p) } }
        let loaded = try InputLoader.load([empty, logs, bad])
        #expect(loaded.inputs.map(\.emptinessReason) == ["is empty", "holds no spans (2 lines of other text)", "holds no spans (1 bad value)"])
    }

    @Test("reading in small chunks gives the same store as one big read")
    func chunked() throws {
        let text = (1...50).map { i in
            Self.span("s\(i)", id: String(format: "%016x", i), parent: i == 1 ? "0000000000000000" : String(format: "%016x", i / 2),
                      start: "2024-05-01T12:00:00.\(String(format: "%03d", i))Z", end: "2024-05-01T12:00:01Z")
        }.joined(separator: "\n")
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let big = try InputLoader.load([path])
        let small = try InputLoader.load([path], chunkSize: 7)
        #expect(big.store.spanCount == 50)
        #expect(small.store.spanCount == 50)
        #expect(SummaryReport(big).json == SummaryReport(small).json)
    }
}
