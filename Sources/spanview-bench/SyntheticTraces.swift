#if canImport(Glibc)
import Glibc
#endif
import SpanModel

/// Writes N spans in the Go stdouttrace layout (v1.32+, compact, one per line), shaped like
/// real traffic: 5 services with 7 resource attributes each, traces of 20 to 2000 spans
/// (log-uniform), about 6 attributes and 1 event per span, 3% errors with exception events,
/// several traces in flight at once (their spans interleave), children written before
/// parents (the SDK exports spans as they end). About 1.75 KB of JSON per span.
struct SyntheticTraces {
    var spanCount: Int
    var seed: UInt64 = 42
    /// Tab-indented multi-line objects, as `stdouttrace.WithPrettyPrint()` writes them.
    var pretty = false
    /// Every trace this many spans (default: 20 to 2000, log-uniform).
    var traceSize: Int?

    struct Service {
        let name: String
        let resource: String
        let operations: [String]
    }

    static let services: [Service] = ["api-gateway", "order-service", "inventory-service", "payment-api", "email-worker"]
        .enumerated().map { i, name in
            let resource = "[" + [
                kvString("deployment.environment", "production"),
                kvString("host.name", "\(name)-7d9f8b6c5-\(["x2k4p", "m9q1z", "b7w3r", "t5n8v", "h2j6c"][i])"),
                kvString("service.name", name),
                kvString("service.namespace", "shop"),
                kvString("service.version", "1.\(i + 4).\(i * 3)"),
                kvString("telemetry.sdk.language", "go"),
                kvString("telemetry.sdk.version", "1.32.0"),
            ].joined(separator: ",") + "]"
            let operations = [
                ["GET /api/orders/{id}", "POST /api/checkout", "GET /api/catalog", "authenticate", "rate-limit"],
                ["POST /orders", "SELECT orders", "INSERT order_items", "publish order.created", "compute-totals"],
                ["GET /inventory/{sku}", "SELECT stock", "UPDATE stock", "redis GET", "reserve-items"],
                ["POST /api/payments", "SELECT accounts", "POST fraud-check", "charge-card", "redis SET"],
                ["consume order.created", "render-template", "SMTP send", "SELECT customers", "retry-backoff"],
            ][i]
            return Service(name: name, resource: resource, operations: operations)
        }

    static func kvString(_ key: String, _ value: String) -> String {
        #"{"Key":"\#(key)","Value":{"Type":"STRING","Value":"\#(value)"}}"#
    }
    static func kvInt(_ key: String, _ value: Int) -> String {
        #"{"Key":"\#(key)","Value":{"Type":"INT64","Value":\#(value)}}"#
    }
    static func kvBool(_ key: String, _ value: Bool) -> String {
        #"{"Key":"\#(key)","Value":{"Type":"BOOL","Value":\#(value)}}"#
    }

    static let stack = #"goroutine 1 [running]:\nmain.(*Client).Do(0xc000123456)\n\t/app/client.go:118 +0x1c5\nmain.handler({0x7f1c2a, 0xc0001a2b40})\n\t/app/handler.go:42 +0x9d\nnet/http.HandlerFunc.ServeHTTP(...)\n\t/usr/lib/go/src/net/http/server.go:2136"#

    /// Writes the spans to `fd`; returns bytes written.
    func write(to fd: Int32) -> Int {
        var rng = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var written = 0
        var emitted = 0
        var traceNumber: UInt64 = 0
        let baseTime: Int64 = 1_764_000_000_000_000_000   // 2025-11-24

        // Several traces in flight; each has its spans pre-planned and emits them in end order.
        var inFlight: [[String]] = []
        while emitted < spanCount || !inFlight.isEmpty {
            while inFlight.count < 6 && emitted + inFlight.reduce(0, { $0 + $1.count }) < spanCount {
                traceNumber += 1
                let remaining = spanCount - emitted - inFlight.reduce(0, { $0 + $1.count })
                let size = min(remaining, traceSize ?? Int(20 * pow(100, rng.nextDouble())))   // 20...2000, log-uniform
                inFlight.append(planTrace(number: traceNumber, size: size, start: baseTime + Int64(traceNumber) * 7_000_000, rng: &rng).reversed())
            }
            guard !inFlight.isEmpty else { break }
            let pick = Int(rng.next() % UInt64(inFlight.count))
            let burst = 1 + Int(rng.next() % 4)
            for _ in 0..<burst {
                guard let line = inFlight[pick].popLast() else { break }
                if pretty { Self.appendIndented(line, to: &out) } else { out.append(contentsOf: line.utf8) }
                out.append(0x0A)
                emitted += 1
            }
            if inFlight[pick].isEmpty { inFlight.remove(at: pick) }
            if out.count >= 1 << 20 {
                written += flush(&out, fd)
            }
        }
        written += flush(&out, fd)
        return written
    }

    /// Re-indents one compact JSON value the way Go's `SetIndent("", "\t")` does.
    static func appendIndented(_ compact: String, to out: inout [UInt8]) {
        var depth = 0
        var inString = false, escaped = false
        let bytes = Array(compact.utf8)
        var i = 0
        func newline() {
            out.append(0x0A)
            for _ in 0..<depth { out.append(0x09) }
        }
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                out.append(c)
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
                i += 1
                continue
            }
            switch c {
            case 0x22: inString = true; out.append(c)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if i + 1 < bytes.count && (bytes[i + 1] == UInt8(ascii: "}") || bytes[i + 1] == UInt8(ascii: "]")) {
                    out.append(c); out.append(bytes[i + 1]); i += 1
                } else {
                    out.append(c); depth += 1; newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1; newline(); out.append(c)
            case UInt8(ascii: ","): out.append(c); newline()
            case UInt8(ascii: ":"): out.append(c); out.append(0x20)
            default: out.append(c)
            }
            i += 1
        }
    }

    private func flush(_ out: inout [UInt8], _ fd: Int32) -> Int {
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
        out.removeAll(keepingCapacity: true)
        return offset
    }

    /// The span lines of one trace, in the order the SDK would end them (children first).
    private func planTrace(number: UInt64, size: Int, start: Int64, rng: inout SplitMix64) -> [String] {
        let traceHigh = rng.next(), traceLow = rng.next() ^ number
        let traceID = hex(traceHigh, 16) + hex(traceLow, 16)
        struct Node { var id: UInt64; var parent: Int; var depth: Int; var start: Int64; var end: Int64; var service: Int }
        var nodes: [Node] = []
        let rootDuration = Int64(5_000_000 + rng.next() % 900_000_000)
        nodes.append(Node(id: rng.next() | 1, parent: -1, depth: 0, start: start, end: start + rootDuration, service: 0))
        for _ in 1..<max(1, size) {
            // A parent among recent spans, not too deep.
            var p = nodes.count - 1 - Int(rng.next() % UInt64(min(nodes.count, 8)))
            while nodes[p].depth >= 9 { p = nodes[p].parent }
            let parent = nodes[p]
            let room = max(1, parent.end - parent.start)
            let s = parent.start + Int64(rng.next() % UInt64(room))
            let e = s + max(1_000, Int64(rng.next() % UInt64(max(1, (parent.end - s)))))
            let service = rng.next() % 3 == 0 ? Int(rng.next() % 5) : parent.service
            nodes.append(Node(id: rng.next() | 1, parent: p, depth: parent.depth + 1, start: s, end: min(e, parent.end), service: service))
        }
        var childCounts = [Int](repeating: 0, count: nodes.count)
        for node in nodes where node.parent >= 0 { childCounts[node.parent] += 1 }
        var lines: [String] = []
        lines.reserveCapacity(nodes.count)
        for (i, node) in nodes.enumerated() {
            let svc = Self.services[node.service]
            let op = svc.operations[Int(rng.next() % UInt64(svc.operations.count))]
            let isError = rng.next() % 100 < 3
            let parentJSON = node.parent < 0
                ? #"{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false}"#
                : #"{"TraceID":"\#(traceID)","SpanID":"\#(hex(nodes[node.parent].id, 16))","TraceFlags":"01","TraceState":"","Remote":\#(nodes[node.parent].service != node.service)}"#
            let userID = Int(rng.next() % 50_000)
            let requestID = hex(rng.next(), 16)
            let status = 200 + (isError ? 304 : Int(rng.next() % 2) * 1)
            let attributes = [
                Self.kvString("http.method", op.hasPrefix("POST") ? "POST" : "GET"),
                Self.kvString("http.route", op),
                Self.kvInt("http.status_code", status),
                Self.kvString("net.peer.name", Self.services[(node.service + 1) % 5].name),
                Self.kvString("enduser.id", "user-\(userID)"),
                Self.kvString("request.id", requestID),
            ]
            let eventTime = GoTime.rfc3339(node.start + (node.end - node.start) / 2)
            let events: String
            if isError {
                events = #"[{"Name":"exception","Attributes":[\#(Self.kvString("exception.type", "*url.Error")),\#(Self.kvString("exception.message", "Post \\\"http://fraud-checker:8080/check\\\": context deadline exceeded")),\#(Self.kvString("exception.stacktrace", Self.stack))],"DroppedAttributeCount":0,"Time":"\#(eventTime)"}]"#
            } else if rng.next() % 8 != 0 {
                events = #"[{"Name":"\#(["cache miss", "rows fetched", "message sent", "retry"][Int(rng.next() % 4)])","Attributes":[\#(Self.kvInt("rows", Int(rng.next() % 500)))],"DroppedAttributeCount":0,"Time":"\#(eventTime)"}]"#
            } else {
                events = "null"
            }
            let statusJSON = isError ? #"{"Code":"Error","Description":"context deadline exceeded"}"# : #"{"Code":"Unset","Description":""}"#
            let scope = #"{"Name":"go.opentelemetry.io/contrib/otelhttp","Version":"0.57.0","SchemaURL":"","Attributes":null}"#
            let childCount = childCounts[i]
            let line = #"{"Name":"\#(op)","SpanContext":{"TraceID":"\#(traceID)","SpanID":"\#(hex(node.id, 16))","TraceFlags":"01","TraceState":"","Remote":false},"Parent":\#(parentJSON),"SpanKind":\#(node.parent < 0 ? 2 : (op.contains(" ") ? 3 : 1)),"StartTime":"\#(GoTime.rfc3339(node.start))","EndTime":"\#(GoTime.rfc3339(node.end))","Attributes":[\#(attributes.joined(separator: ","))],"Events":\#(events),"Links":null,"Status":\#(statusJSON),"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":\#(min(childCount, 1_000)),"Resource":\#(svc.resource),"InstrumentationScope":\#(scope),"InstrumentationLibrary":\#(scope)}"#
            lines.append(line)
        }
        // End order: a span ends after its children, so sort by end time (children first on ties).
        let order = nodes.indices.sorted { nodes[$0].end != nodes[$1].end ? nodes[$0].end < nodes[$1].end : nodes[$0].depth > nodes[$1].depth }
        return order.map { lines[$0] }
    }
}

func hex(_ value: UInt64, _ digits: Int) -> String {
    let s = String(value, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}

/// SplitMix64: a small, fast, seeded generator (the benchmark input is the same every run).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// Go's `time.Time` JSON for the synthetic spans.
enum GoTime {
    /// `2025-11-24T16:00:00.123456789+01:00` with Go's trimmed fraction and a fixed +01:00 zone.
    static func rfc3339(_ ns: Int64) -> String {
        let local = ns + 3_600_000_000_000
        let seconds = local / 1_000_000_000
        let fraction = local % 1_000_000_000
        let days = Int(seconds / 86_400), sod = Int(seconds % 86_400)
        let (y, m, d) = Timestamp.civilFromDays(days)
        func p2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var frac = ""
        if fraction > 0 {
            var f = String(fraction)
            f = String(repeating: "0", count: 9 - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            frac = "." + f
        }
        return "\(y)-\(p2(m))-\(p2(d))T\(p2(sod / 3600)):\(p2(sod / 60 % 60)):\(p2(sod % 60))\(frac)+01:00"
    }
}
