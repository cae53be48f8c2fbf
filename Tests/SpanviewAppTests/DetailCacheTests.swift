import SpanIngest
import Foundation
import SpanFormats
import SpanModel
@testable import SpanviewApp
import SpanviewKit
import Testing

/// The laid-out detail pane is kept while what it shows does not change, and follows what does.
@Suite("The detail pane's cache")
struct DetailCacheTests {
    static let trace = "4bf92f3577b34da6a3ce929d0e0e4736"

    static func span(_ id: String, parent: String?, name: String, start: String, attribute: String) -> String {
        let parentJSON = parent.map { #"{"TraceID":"\#(trace)","SpanID":"\#($0)","TraceFlags":"01","TraceState":"","Remote":false}"# }
            ?? #"{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false}"#
        return #"{"Name":"\#(name)","SpanContext":{"TraceID":"\#(trace)","SpanID":"\#(id)","TraceFlags":"01","TraceState":"","Remote":false},"Parent":\#(parentJSON),"SpanKind":1,"StartTime":"\#(start)","EndTime":"2024-05-01T12:00:09Z","Attributes":[{"Key":"payload","Value":{"Type":"STRING","Value":"\#(attribute)"}}],"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"svc"}}],"InstrumentationLibrary":{"Name":"","Version":"","SchemaURL":""}}"#
    }

    static func decode(_ lines: [String]) throws -> [Span] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString).json")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let inputs = try InputLoader.load([url.path])
        return inputs.store.traces.flatMap { Array($0.spans) }
    }

    @Test("live spans that do not change the selected span's content leave its layout alone; its parent arriving changes it")
    func live() throws {
        let long = (1...20_000).map { "w\($0)" }.joined(separator: " ")
        let child = try Self.decode([Self.span("00000000000000c1", parent: "00000000000000a1", name: "child",
                                               start: "2024-05-01T12:00:02Z", attribute: long)])
        let sibling = try Self.decode([Self.span("00000000000000c2", parent: "00000000000000a1", name: "sibling",
                                                 start: "2024-05-01T12:00:03Z", attribute: "small")])
        let root = try Self.decode([Self.span("00000000000000a1", parent: nil, name: "root",
                                              start: "2024-05-01T12:00:01Z", attribute: "root")])
        var s = AppSession(inputs: LoadedInputs())
        s.app = App(reading: [InputStatus(name: "-", isLive: true)], width: 120, height: 40, glyphs: .unicode, useColor: false)
        s.app.ingest(liveUpdate(spans: child), now: 0)
        s.press(.enter)
        s.type("j")   // the child, below its "waiting for parent" placeholder
        #expect(s.screen.contains("name       child"), "\(s.screen)")
        #expect(s.screen.contains("(orphan)"))
        #expect(s.screen.contains(#"payload = "w1 w2 w3"#))
        let layouts = s.app.detailLayouts

        // A sibling: the trace changes, the child's content does not.
        s.app.ingest(liveUpdate(spans: sibling), now: 1)
        #expect(s.screen.contains("name       child"))
        #expect(s.app.detailLayouts == layouts)

        // The root: the child is no longer an orphan, and its start offset is from the root's.
        s.app.ingest(liveUpdate(spans: root), now: 2)
        let screen = s.screen
        #expect(screen.contains("name       child"), "\(screen)")
        #expect(!screen.contains("(orphan)"))
        #expect(screen.contains("start      +1s"), "\(screen)")
        #expect(s.app.detailLayouts == layouts + 1)

        // Scrolling and a tab and back lay nothing out again.
        s.type("JJK2")
        let afterEvents = s.app.detailLayouts
        s.type("1")
        #expect(s.app.detailLayouts == afterEvents)
        #expect(s.screen.contains("name       child"))
    }
}
