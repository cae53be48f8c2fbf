import Foundation
import SpanFormats
import SpanIngest
import SpanModel
@testable import SpanviewApp
import Testing

/// `w`: the open trace, or the listed traces, written in the format the file's name asks for.
struct ExportTests {
    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("spanview-export-\(UUID().uuidString.prefix(8))-\(name)").path
    }

    /// The spans a written file holds, read as spanview reads files.
    static func readBack(_ path: String) throws -> [Span] {
        try InputLoader.load([path]).store.traces.flatMap(\.spans)
    }

    static func write(_ session: inout AppSession, to path: String) {
        session.type("w")
        session.press(.control("u"))
        session.type(path)
        session.press(.enter)
        session.app.finishBackgroundWork()
    }

    @Test func theOpenTraceInTheFormatItsNameAsksFor() throws {
        var session = try AppSession(["interleaved.jsonl"])
        session.press(.enter)
        let id = try #require(session.app.trace.map { session.app.store.traces[$0.traceIndex].traceID })
        session.type("w")
        #expect(session.statusLine.contains("trace-\(id.hex.prefix(16)).otlp.jsonl"))
        session.press(.escape)
        for name in ["t.otlp.jsonl", "t.stdouttrace.jsonl.gz"] {
            let path = Self.temporary(name)
            defer { try? FileManager.default.removeItem(atPath: path) }
            Self.write(&session, to: path)
            #expect(session.statusLine.contains("wrote trace ("), "\(session.statusLine)")
            let spans = try Self.readBack(path)
            #expect(Set(spans.map(\.traceID)) == [id])
            #expect(spans.count == session.app.store.traces[session.app.trace!.traceIndex].spanCount)
        }
        let gz = Self.temporary("t.otlp.json.gz")
        defer { try? FileManager.default.removeItem(atPath: gz) }
        Self.write(&session, to: gz)
        #expect(try Data(contentsOf: URL(fileURLWithPath: gz)).prefix(2) == Data([0x1F, 0x8B]))
    }

    @Test("w says what the format could not hold: the first kind and how many more; nothing for a format that held all")
    func lossesAreSaid() throws {
        var session = try AppSession(["attribute-types.jsonl"])
        let zipkin = Self.temporary("all.zipkin.json")
        defer { try? FileManager.default.removeItem(atPath: zipkin) }
        Self.write(&session, to: zipkin)
        let said = session.app.message?.text ?? ""
        #expect(said.hasPrefix("wrote 3 traces (14 spans) as zipkin, "), "\(said)")
        #expect(said.contains(" · could not hold: ") && said.contains(" more) · to \(zipkin)"), "\(said)")
        #expect(session.statusLine.contains("· could not hold: "), "\(session.statusLine)")
        let go = Self.temporary("all.stdouttrace.jsonl")
        defer { try? FileManager.default.removeItem(atPath: go) }
        Self.write(&session, to: go)
        let heldAll = session.app.message?.text ?? ""
        #expect(heldAll.hasPrefix("wrote 3 traces (14 spans) as stdouttrace, ") && heldAll.hasSuffix(" · to \(go)") && !heldAll.contains("could not hold"), "\(heldAll)")
    }

    @Test func theListAsFilteredAndAnyOtherNameAsOTLP() throws {
        var session = try AppSession(["interleaved.jsonl"])
        session.type("f")
        session.type("errors")
        session.press(.enter)
        session.app.finishBackgroundWork()
        let listed = session.app.list.order.count
        try #require(listed > 0 && listed < session.app.store.traceCount)
        let path = Self.temporary("errors.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        Self.write(&session, to: path)
        #expect(session.statusLine.contains("wrote \(listed) traces"), "\(session.statusLine)")
        #expect(session.app.message?.text.contains("(OTLP/JSON; name it") == true, "\(String(describing: session.app.message))")
        let spans = try Self.readBack(path)
        #expect(Set(spans.map(\.traceID)).count == listed)
    }

    @Test func aFileThatCannotBeWrittenIsSaid() throws {
        var session = try AppSession(["fanout.json"])
        Self.write(&session, to: "/nonexistent-dir/x.otlp.jsonl")
        #expect(session.statusLine.contains("could not write: '/nonexistent-dir/x.otlp.jsonl': No such file or directory"), "\(session.statusLine)")
    }
}
