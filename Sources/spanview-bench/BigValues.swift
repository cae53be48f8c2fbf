#if canImport(Glibc)
import Glibc
#endif

/// One trace whose spans carry huge attribute values, for `spanview-bench frames
/// --big-values`: after a small root, each span has one value of `sizes[i]` bytes of a
/// kind: prose (words, spaces and a line feed every ~100 characters), a blob (no space or
/// line feed: base64-like), or mixed Unicode (accents, CJK, emoji, with spaces). Span names
/// say which ("4 MB text", ...), so the benchmark's labels can too.
struct BigValueTrace {
    enum Kind: String, CaseIterable { case text, blob, unicode }

    /// (bytes, kind) per span after the root.
    var values: [(bytes: Int, kind: Kind)] = [
        (1 << 20, .text), (1 << 20, .blob), (4 << 20, .text), (4 << 20, .blob), (1 << 20, .unicode), (4 << 20, .unicode),
    ]

    static func label(_ value: (bytes: Int, kind: Kind)) -> String {
        "\(value.bytes >> 20) MB \(value.kind.rawValue)"
    }

    /// The value as it appears inside a JSON string (escapes included), about `bytes` long.
    static func jsonValue(bytes: Int, kind: Kind, seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 16)
        switch kind {
        case .text:
            let words = ["request", "timeout", "retrying", "upstream", "GET", "/api/v1/orders", "status=503",
                         "connection", "reset", "by", "peer", "after", "1.25s", "the", "payment", "of", "order", "42"]
            var column = 0
            while out.count < bytes {
                let word = words[Int(rng.next() % UInt64(words.count))]
                out += word.utf8
                column += word.utf8.count + 1
                if column > 100 { out += #"\n"#.utf8; column = 0 } else { out.append(0x20) }
            }
        case .blob:
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
            while out.count < bytes { out.append(alphabet[Int(rng.next() % 64)]) }
        case .unicode:
            let words = ["café", "naïve", "中文", "日本語テキスト", "한국어", "emoji 👍🏽", "❤️", "🇫🇷", "Ελληνικά", "ascii"]
            while out.count < bytes {
                out += words[Int(rng.next() % UInt64(words.count))].utf8
                out.append(0x20)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the trace as Go stdouttrace lines to `fd`.
    func write(to fd: Int32) {
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let base: Int64 = 1_764_000_000_000_000_000
        let resource = "[" + SyntheticTraces.kvString("service.name", "big-values") + "]"
        let scope = #"{"Name":"bench","Version":"","SchemaURL":"","Attributes":null}"#
        func span(_ n: Int, name: String, parent: String?, attributes: [String]) -> String {
            let id = hex(UInt64(n + 1) * 0x1111, 16)
            let parentJSON = parent.map { #"{"TraceID":"\#(traceID)","SpanID":"\#($0)","TraceFlags":"01","TraceState":"","Remote":false}"# }
                ?? #"{"TraceID":"00000000000000000000000000000000","SpanID":"0000000000000000","TraceFlags":"00","TraceState":"","Remote":false}"#
            let start = base + Int64(n) * 1_000_000, end = base + 100_000_000 - Int64(n) * 1_000_000
            return #"{"Name":"\#(name)","SpanContext":{"TraceID":"\#(traceID)","SpanID":"\#(id)","TraceFlags":"01","TraceState":"","Remote":false},"Parent":\#(parentJSON),"SpanKind":1,"StartTime":"\#(GoTime.rfc3339(start))","EndTime":"\#(GoTime.rfc3339(end))","Attributes":[\#(attributes.joined(separator: ","))],"Events":null,"Links":null,"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":\#(resource),"InstrumentationScope":\#(scope),"InstrumentationLibrary":\#(scope)}"#
        }
        let rootID = hex(0x1111, 16)
        var lines = [span(0, name: "root", parent: nil, attributes: [SyntheticTraces.kvString("http.route", "/upload")])]
        for (i, value) in values.enumerated() {
            let big = SyntheticTraces.kvString("payload", Self.jsonValue(bytes: value.bytes, kind: value.kind, seed: UInt64(i + 1)))
            lines.append(span(i + 1, name: Self.label(value), parent: rootID,
                              attributes: [SyntheticTraces.kvString("http.route", "/upload"), big, SyntheticTraces.kvInt("size", value.bytes)]))
        }
        for line in lines {
            var bytes = Array((line + "\n").utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
