import Foundation
import Testing

/// Where the time went, asked in a real terminal (tmux) of the built viewer on a shipped
/// sample: span search and its filter, the critical path, statistics, the flame graph, the
/// spans table, and the trace filter on the list.
@Suite("Where the time went, in a real terminal", .serialized)
struct WhereTimeWentTests {
    func start(_ sample: String, width: Int = 130, height: Int = 35) throws -> TmuxSession {
        let binary = try #require(TmuxSession.product("spanview"), "spanview is not built")
        let session = try TmuxSession(command: TmuxSession.quote(binary.path) + " " + TmuxSession.quote(CLI.sample(sample)),
                                      width: width, height: height)
        try #require(session.waitFor(text: "? keys"), "the viewer did not start:\n\(session.capture())")
        return session
    }

    @Test("in a trace: / finds spans, n moves, f filters, c draws the critical path, S, F and t show the other panels", .enabled(if: tmuxAvailable))
    func inATrace() throws {
        let session = try start("payment-timeout.json")
        session.send(keys: "/")
        session.send(text: "name=check")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "match 1 of 2"), "\(session.capture())")
        session.send(keys: "n")
        #expect(session.waitUntil { $0.contains("match 2/2") }, "\(session.capture())")
        session.send(keys: "f")
        #expect(session.waitUntil { !$0.contains("UPDATE payments") && $0.contains("shown of 7") }, "\(session.capture())")
        session.send(keys: "f", "Escape")
        #expect(session.waitUntil { $0.contains("UPDATE payments") && !$0.contains("match") }, "\(session.capture())")

        session.send(keys: "c")
        #expect(session.waitFor(text: "critical path: "), "\(session.capture())")
        session.send(keys: ")")
        #expect(session.waitUntil { $0.range(of: #"critical path \d/7: "#, options: .regularExpression) != nil }, "\(session.capture())")

        session.send(keys: "S")
        #expect(session.waitFor(text: "by operation"), "\(session.capture())")
        #expect(session.capture().contains("SELF %"))
        session.send(keys: "b")
        #expect(session.waitFor(text: "by service"), "\(session.capture())")
        session.send(keys: "Escape", "F")
        #expect(session.waitFor(text: "flame graph"), "\(session.capture())")
        session.send(keys: "j")
        #expect(session.waitUntil { $0.split(separator: "\n").last?.contains("POST fraud-check · 1 span") == true }, "\(session.capture())")
        session.send(keys: "Escape", "t")
        #expect(session.waitFor(text: "DURATION"), "\(session.capture())")
        #expect(session.capture().contains("score transaction"))
        session.send(keys: "Escape", "q")
        #expect(session.waitForExit() == 0)
    }

    @Test("on the list: f filters traces by an expression, S turns the sort round, Esc shows all", .enabled(if: tmuxAvailable))
    func onTheList() throws {
        let session = try start("interleaved.jsonl")
        session.send(keys: "f")
        session.send(text: "errors")
        session.send(keys: "Enter")
        #expect(session.waitFor(text: "25 of 150 traces match"), "\(session.capture())")
        session.send(keys: "j", "k")
        #expect(session.waitFor(text: "filter errors: 25 of 150"), "\(session.capture())")
        session.send(keys: "S")
        #expect(session.waitFor(text: "START▼"), "\(session.capture())")
        session.send(keys: "Escape")
        #expect(session.waitUntil { $0.split(separator: "\n").last?.hasSuffix("trace 1/150") == true }, "\(session.capture())")
        session.send(keys: "q")
        #expect(session.waitForExit() == 0)
    }
}
