import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SpanModel

/// `spanview-bench endless --rate 20000 | spanview --max-spans 100000`: endless live input
/// with the churn of a real service, for watching memory (scripts/live-rss.sh).
///
/// Go stdouttrace lines (the layout of `SyntheticTraces`: same services, resources, routes and
/// events), written at a steady rate until killed or `--seconds` pass. What changes all the
/// time, as in production:
/// - every trace has a new trace ID, and span IDs are new;
/// - every span has a unique `request.id` (16 hex digits, seen once);
/// - every trace has an `http.request_id` (a UUID) on two of its spans, its root and one
///   child: a value seen exactly twice, which the decoder's "second sighting" rule makes a
///   symbol;
/// - one span in 8 is named with an ID in it (`GET /api/orders/48213377`, unique);
/// - one span in 400 carries a key never seen before (`feature_flag.3f9a0c1e`);
/// while most of each span repeats: routes, methods, peers, SQL statements, keys, resources.
struct EndlessBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endless",
        abstract: "Write endless live Go stdouttrace input with realistic churn to stdout."
    )

    @Option(help: "Spans per second.")
    var rate = 20_000

    @Option(help: "Stop after this many seconds (0: never).")
    var seconds = 0.0

    @Option(help: "Seed of the random choices.")
    var seed: UInt64 = 7

    @Option(help: "One span in this many carries a key never seen before (0: none).")
    var uniqueKeyEvery = 400

    @Option(help: "One span in this many has a unique ID in its name (0: none).")
    var idNameEvery = 8

    @Flag(inversion: .prefixedNo, help: "Give each trace a UUID on two of its spans (http.request_id).")
    var requestIDs = true

    func run() throws {
        signal(SIGPIPE, SIG_IGN)   // a closed reader ends the writer quietly (write fails)
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        var writer = EndlessTraces(seed: seed, uniqueKeyEvery: uniqueKeyEvery, idNameEvery: idNameEvery, requestIDs: requestIDs)
        let start = now()
        var emitted = 0
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        while true {
            let elapsed = now() - start
            if seconds > 0 && elapsed >= seconds { break }
            // Spans due by now, at most a tenth of a second's worth at once (after a stall the
            // writer catches up over a few rounds rather than in one burst).
            let due = min(Int(Double(rate) * elapsed) - emitted, max(1, rate / 10))
            if due <= 0 {
                usleep(2_000)
                continue
            }
            for _ in 0..<due { writer.appendSpan(to: &out) }
            emitted += due
            guard Self.flush(&out) else { break }
        }
        let elapsed = now() - start
        FileHandleStderr.write("endless: \(emitted) spans in \(String(format: "%.1f", elapsed)) s (\(Int(Double(emitted) / max(elapsed, 1e-9))) spans/s)\n")
    }

    /// Writes all of `out` to stdout; false when the reader is gone.
    static func flush(_ out: inout [UInt8]) -> Bool {
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeBytes { Glibc.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        out.removeAll(keepingCapacity: true)
        return true
    }
}

enum FileHandleStderr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

/// Plans small traces (4 to 40 spans) one after another, a few in flight at once, and hands
/// out their span lines in the order the SDK would end them.
struct EndlessTraces {
    var rng: SplitMix64
    let uniqueKeyEvery: Int
    let idNameEvery: Int
    let requestIDs: Bool
    private var inFlight: [[String]] = []
    private var spanNumber = 0

    init(seed: UInt64, uniqueKeyEvery: Int, idNameEvery: Int, requestIDs: Bool = true) {
        rng = SplitMix64(seed: seed)
        self.requestIDs = requestIDs
        self.uniqueKeyEvery = uniqueKeyEvery
        self.idNameEvery = idNameEvery
    }

    static let statements = [
        "SELECT id, status, total FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 20",
        "INSERT INTO order_items (order_id, sku, quantity, price) VALUES ($1, $2, $3, $4)",
        "UPDATE stock SET reserved = reserved + $1 WHERE sku = $2 AND available >= $1",
        "SELECT balance, currency FROM accounts WHERE id = $1 FOR UPDATE",
        "SELECT email, name, locale FROM customers WHERE id = $1",
    ]

    mutating func appendSpan(to out: inout [UInt8]) {
        while inFlight.count < 4 {
            inFlight.append(planTrace().reversed())
        }
        let pick = Int(rng.next() % UInt64(inFlight.count))
        let line = inFlight[pick].removeLast()
        if inFlight[pick].isEmpty { inFlight.remove(at: pick) }
        out.append(contentsOf: line.utf8)
        out.append(0x0A)
    }

    private mutating func uuid() -> String {
        let a = rng.next(), b = rng.next()
        let h = hex(a, 16) + hex(b, 16)
        let c = Array(h)
        return String(c[0..<8]) + "-" + String(c[8..<12]) + "-" + String(c[12..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
    }

    /// One trace's span lines, children first (end order).
    private mutating func planTrace() -> [String] {
        let size = 4 + Int(rng.next() % 37)
        let traceID = hex(rng.next(), 16) + hex(rng.next(), 16)
        let requestID = uuid()
        let requestIDSpan = 1 + Int(rng.next() % UInt64(size - 1))   // the child that carries it too
        struct Node { var id: UInt64; var parent: Int; var depth: Int; var start: Int64; var end: Int64; var service: Int }
        var nodes: [Node] = []
        let rootDuration = Int64(2_000_000 + rng.next() % 400_000_000)
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        let start = Int64(clock.tv_sec) * 1_000_000_000 + Int64(clock.tv_nsec) - rootDuration
        nodes.append(Node(id: rng.next() | 1, parent: -1, depth: 0, start: start, end: start + rootDuration, service: 0))
        for _ in 1..<size {
            var p = nodes.count - 1 - Int(rng.next() % UInt64(min(nodes.count, 6)))
            while nodes[p].depth >= 6 { p = nodes[p].parent }
            let parent = nodes[p]
            let room = max(1, parent.end - parent.start)
            let s = parent.start + Int64(rng.next() % UInt64(room))
            let e = s + max(1_000, Int64(rng.next() % UInt64(max(1, parent.end - s))))
            let service = rng.next() % 3 == 0 ? Int(rng.next() % 5) : parent.service
            nodes.append(Node(id: rng.next() | 1, parent: p, depth: parent.depth + 1, start: s, end: min(e, parent.end), service: service))
        }
        let scope = #"{"Name":"go.opentelemetry.io/contrib/otelhttp","Version":"0.57.0","SchemaURL":"","Attributes":null}"#
        var lines: [String] = []
        lines.reserveCapacity(size)
        for (i, node) in nodes.enumerated() {
            spanNumber += 1
            let svc = SyntheticTraces.services[node.service]
            let op = svc.operations[Int(rng.next() % UInt64(svc.operations.count))]
            var name = op
            if idNameEvery > 0 && spanNumber % idNameEvery == 0 {
                // An instrumentation that puts the ID into the name (no route template).
                name = op.replacingOccurrences(of: "{id}", with: "\(rng.next() % 100_000_000)")
                    .replacingOccurrences(of: "{sku}", with: "SKU-\(rng.next() % 100_000_000)")
                if name == op { name = op + " #\(rng.next() % 100_000_000)" }
            }
            let isError = rng.next() % 100 < 3
            let parentJSON = node.parent < 0
                ? #"{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false}"#
                : #"{"TraceID":"\#(traceID)","SpanID":"\#(hex(nodes[node.parent].id, 16))","TraceFlags":"01","TraceState":"","Remote":\#(nodes[node.parent].service != node.service)}"#
            var attributes = [
                SyntheticTraces.kvString("http.method", op.hasPrefix("POST") ? "POST" : "GET"),
                SyntheticTraces.kvString("http.route", op),
                SyntheticTraces.kvInt("http.status_code", isError ? 504 : 200 + Int(rng.next() % 2)),
                SyntheticTraces.kvString("net.peer.name", SyntheticTraces.services[(node.service + 1) % 5].name),
                SyntheticTraces.kvString("enduser.id", "user-\(rng.next() % 50_000)"),
                SyntheticTraces.kvString("request.id", hex(rng.next(), 16)),
            ]
            if op.hasPrefix("SELECT") || op.hasPrefix("INSERT") || op.hasPrefix("UPDATE") {
                attributes.append(SyntheticTraces.kvString("db.system", "postgresql"))
                attributes.append(SyntheticTraces.kvString("db.statement", Self.statements[Int(rng.next() % UInt64(Self.statements.count))]))
            }
            if requestIDs && (i == 0 || i == requestIDSpan) {
                attributes.append(SyntheticTraces.kvString("http.request_id", requestID))
            }
            if uniqueKeyEvery > 0 && spanNumber % uniqueKeyEvery == 0 {
                attributes.append(SyntheticTraces.kvString("feature_flag.\(hex(rng.next(), 8))", "on"))
            }
            let eventTime = GoTime.rfc3339(node.start + (node.end - node.start) / 2)
            let events: String
            if isError {
                events = #"[{"Name":"exception","Attributes":[\#(SyntheticTraces.kvString("exception.type", "*url.Error")),\#(SyntheticTraces.kvString("exception.message", "Post \\\"http://fraud-checker:8080/check\\\": context deadline exceeded"))],"DroppedAttributeCount":0,"Time":"\#(eventTime)"}]"#
            } else if rng.next() % 4 != 0 {
                events = #"[{"Name":"\#(["cache miss", "rows fetched", "message sent", "retry"][Int(rng.next() % 4)])","Attributes":[\#(SyntheticTraces.kvInt("rows", Int(rng.next() % 500)))],"DroppedAttributeCount":0,"Time":"\#(eventTime)"}]"#
            } else {
                events = "null"
            }
            let statusJSON = isError ? #"{"Code":"Error","Description":"context deadline exceeded"}"# : #"{"Code":"Unset","Description":""}"#
            let line = #"{"Name":"\#(name)","SpanContext":{"TraceID":"\#(traceID)","SpanID":"\#(hex(node.id, 16))","TraceFlags":"01","TraceState":"","Remote":false},"Parent":\#(parentJSON),"SpanKind":\#(node.parent < 0 ? 2 : (op.contains(" ") ? 3 : 1)),"StartTime":"\#(GoTime.rfc3339(node.start))","EndTime":"\#(GoTime.rfc3339(node.end))","Attributes":[\#(attributes.joined(separator: ","))],"Events":\#(events),"Links":null,"Status":\#(statusJSON),"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":\#(svc.resource),"InstrumentationScope":\#(scope),"InstrumentationLibrary":\#(scope)}"#
            lines.append(line)
        }
        let order = nodes.indices.sorted { nodes[$0].end != nodes[$1].end ? nodes[$0].end < nodes[$1].end : nodes[$0].depth > nodes[$1].depth }
        return order.map { lines[$0] }
    }
}
