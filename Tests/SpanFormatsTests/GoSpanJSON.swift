/// Builds stdouttrace-shaped span JSON for tests, compact (one line) or pretty (tabs),
/// in the exact key order and layout of the Go exporter.
struct GoSpanJSON {
    var name = "op"
    var traceID = "0af7651916cd43dd8448eb211c80319c"
    var spanID = "b7ad6b7169203331"
    var parentSpanID = "0000000000000000"
    var start = "2024-05-01T12:00:00.000000001Z"
    var end = "2024-05-01T12:00:00.250Z"
    var kind = 1
    var attributes = "null"
    var events = "null"
    var links = "null"
    var status = #"{"Code":"Unset","Description":""}"#
    var resource = #"[{"Key":"service.name","Value":{"Type":"STRING","Value":"checkout"}}]"#
    var scope: String? = #"{"Name":"shop","Version":"1.0","SchemaURL":"","Attributes":null}"#
    var library: String? = #"{"Name":"shop","Version":"1.0","SchemaURL":"","Attributes":null}"#

    var compact: String {
        let parentTrace = parentSpanID == "0000000000000000" ? "00000000000000000000000000000000" : traceID
        var s = #"{"Name":"\#(name)","SpanContext":{"TraceID":"\#(traceID)","SpanID":"\#(spanID)","TraceFlags":"01","TraceState":"","Remote":false},"#
        s += #""Parent":{"TraceID":"\#(parentTrace)","SpanID":"\#(parentSpanID)","TraceFlags":"\#(parentSpanID == "0000000000000000" ? "00" : "01")","TraceState":"","Remote":false},"#
        s += #""SpanKind":\#(kind),"StartTime":"\#(start)","EndTime":"\#(end)","Attributes":\#(attributes),"Events":\#(events),"Links":\#(links),"#
        s += #""Status":\#(status),"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"ChildSpanCount":0,"Resource":\#(resource)"#
        if let scope { s += #","InstrumentationScope":\#(scope)"# }
        if let library { s += #","InstrumentationLibrary":\#(library)"# }
        return s + "}"
    }

    /// The same object re-indented with tabs the way Go's `SetIndent("", "\t")` does.
    var pretty: String { Self.indent(compact) }

    static func indent(_ json: String) -> String {
        var out = ""
        var depth = 0
        var inString = false, escaped = false
        let chars = Array(json)
        var i = 0
        func newline() { out += "\n" + String(repeating: "\t", count: depth) }
        while i < chars.count {
            let c = chars[i]
            if inString {
                out.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                i += 1
                continue
            }
            switch c {
            case "\"": inString = true; out.append(c)
            case "{", "[":
                // Empty containers stay on one line, as Go writes them.
                if i + 1 < chars.count && (chars[i + 1] == "}" || chars[i + 1] == "]") {
                    out.append(c); out.append(chars[i + 1]); i += 1
                } else {
                    out.append(c); depth += 1; newline()
                }
            case "}", "]": depth -= 1; newline(); out.append(c)
            case ",": out.append(c); newline()
            case ":": out += ": "
            default: out.append(c)
            }
            i += 1
        }
        return out
    }
}

func kv(_ key: String, _ type: String, _ valueJSON: String) -> String {
    #"{"Key":"\#(key)","Value":{"Type":"\#(type)","Value":\#(valueJSON)}}"#
}
