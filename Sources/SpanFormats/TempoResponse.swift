import SpanModel

// Grafana Tempo's query API answers in gogo jsonpb (docs/formats.md, "Grafana Tempo's
// answers"). The trace itself is read by `OTLPJSONDecoder` (through `SpanDecoder`, like any
// file); these read what is around it: the v2 trace answer's status, and search results.

/// Whether Tempo's `/api/v2/traces/<id>` answer holds the whole trace:
/// `{"trace": {...}, "status": "PARTIAL", "message": "...", "metrics": {...}}`.
public struct TraceResponseStatus: Sendable, Equatable {
    /// `status` is PARTIAL (or 1): Tempo left spans out (a `q` filter, the trace's size limit).
    /// Tempo omits `status` when the trace is COMPLETE (0).
    public var isPartial: Bool
    /// Tempo's `message`, its first 1,000 bytes (cut at a character boundary), escapes decoded.
    /// Control characters are kept as they are: whoever shows it escapes them.
    public var message: String?

    /// Longest `message` kept, in UTF-8 bytes.
    public static let maxMessageBytes = 1_000

    /// A status as given; the default is what a complete answer reads as.
    public init(isPartial: Bool = false, message: String? = nil) {
        self.isPartial = isPartial
        self.message = message
    }

    /// Reads the `status` (`"PARTIAL"`/`"COMPLETE"` or 1/0) and `message` keys of the
    /// top-level object and skips every other value (the trace too). Any input that is not one
    /// well-formed JSON object (cut off, not JSON, too deeply nested) gives a complete status
    /// without a message; so does an answer without `status`.
    public static func read(_ bytes: UnsafeRawBufferPointer) -> TraceResponseStatus {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return TraceResponseStatus() }
        var s = JSONScanner(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        do {
            var status = TraceResponseStatus()
            guard try s.beginObject() else { return status }
            repeat {
                let key = try s.readKey()
                if key.equals("status") {
                    switch try s.peek() {
                    case UInt8(ascii: "\""):
                        let raw = try s.readRawString()
                        status.isPartial = raw.equals("PARTIAL")
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                        status.isPartial = try s.readInt() == 1
                    default:
                        try s.skipValue()
                        status.isPartial = false
                    }
                } else if key.equals("message") {
                    if try s.consumeNull() {
                        status.message = nil
                    } else {
                        let raw = try s.readRawString()
                        guard let text = TempoText.decode(raw, limit: maxMessageBytes) else { return TraceResponseStatus() }
                        status.message = text
                    }
                } else {
                    try s.skipValue()
                }
            } while try s.nextMember()
            s.skipWhitespace()
            return s.atEnd ? status : TraceResponseStatus()
        } catch {
            return TraceResponseStatus()
        }
    }
}

/// One trace of a Tempo search answer (`/api/search`).
public struct TraceHit: Sendable, Equatable {
    /// `traceID`: hex without its leading zeros (Tempo drops them), left-padded here.
    public var traceID: TraceID
    /// `rootServiceName`; nil when missing, or Tempo's `<root span not yet received>`.
    public var rootService: String?
    /// `rootTraceName`, the root span's name; nil when missing (no root span yet).
    public var rootName: String?
    /// `startTimeUnixNano`.
    public var startNs: Int64?
    /// `durationMs` in nanoseconds. Tempo omits a zero `durationMs` (a trace shorter than a
    /// millisecond), so a missing one is 0; nil only when it is there but unusable.
    public var durationNs: Int64?
    /// The spans the query matched: `matched` summed over `spanSets` (or of the one `spanSet`
    /// older Tempo writes, when there is no `spanSets`); nil when there is neither.
    public var matchedSpans: Int?
    /// Spans and error spans of the whole trace, where the backend answered with the trace's
    /// spans (Jaeger's search does; Tempo's gives only the matches).
    public var spanCount: Int?
    public var errorCount: Int?

    /// A hit as given (tests, and clients that make their own).
    public init(traceID: TraceID, rootService: String? = nil, rootName: String? = nil, startNs: Int64? = nil,
                durationNs: Int64? = nil, matchedSpans: Int? = nil, spanCount: Int? = nil, errorCount: Int? = nil) {
        self.traceID = traceID
        self.rootService = rootService
        self.rootName = rootName
        self.startNs = startNs
        self.durationNs = durationNs
        self.matchedSpans = matchedSpans
        self.spanCount = spanCount
        self.errorCount = errorCount
    }

    /// The duration as a list shows it: `<1ms` for Tempo's zero (under a millisecond).
    public var durationText: String {
        guard let durationNs else { return "?" }
        return durationNs == 0 ? "<1ms" : DurationText.format(durationNs)
    }
}

/// Tempo's search answer: `{"traces": [{"traceID": "2f3e…", "rootServiceName": …,
/// "rootTraceName": …, "startTimeUnixNano": "…", "durationMs": 557, "spanSets": [{"spans":
/// [...], "matched": 1}]}], "metrics": {...}}`.
public enum TempoSearchResponse {
    /// Longest root service or root name kept, in UTF-8 bytes.
    public static let maxNameBytes = 4_096

    /// The hits, in Tempo's order, at most `maxHits` (what follows the last is not read, so
    /// the first hits are the same whatever `maxHits` is, even before damage later on). A hit
    /// whose `traceID` is not 1 to 32 hex digits (or base64 of 16 bytes), or is zero, is left
    /// out; a field of the wrong type reads as missing. Throws `.incomplete` for a cut-off
    /// answer and `.malformed` for one that is not JSON or not an object.
    public static func decode(_ bytes: UnsafeRawBufferPointer, maxHits: Int = 100_000) throws(ScanError) -> [TraceHit] {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw .incomplete }
        var s = JSONScanner(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        var hits: [TraceHit] = []
        guard try s.beginObject() else { return hits }
        repeat {
            let key = try s.readKey()
            if key.equals("traces"), try s.peek() == UInt8(ascii: "[") {
                if try s.beginArray() {
                    repeat {
                        if hits.count >= maxHits { return hits }
                        if try s.peek() == UInt8(ascii: "{") {
                            if let hit = try hit(&s) { hits.append(hit) }
                        } else {
                            try s.skipValue()
                        }
                    } while try s.nextElement()
                }
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return hits
    }

    private static func hit(_ s: inout JSONScanner) throws(ScanError) -> TraceHit? {
        var traceID: TraceID?
        var service: String?, name: String?
        var start: Int64?
        var duration: Int64? = 0
        var sets: Int?, single: Int?
        guard try s.beginObject() else { return nil }
        repeat {
            let key = try s.readKey()
            switch key.count {
            case 7 where key.equals("traceID"):
                if try s.peek() == UInt8(ascii: "\"") {
                    let raw = try s.readRawString()
                    traceID = s.parseTraceIDHexOrBase64(raw)
                } else {
                    try s.skipValue()
                    traceID = nil
                }
            case 15 where key.equals("rootServiceName"):
                service = try text(&s)
                if service == "<root span not yet received>" { service = nil }
            case 13 where key.equals("rootTraceName"): name = try text(&s)
            case 17 where key.equals("startTimeUnixNano"): start = try integer(&s)
            case 10 where key.equals("durationMs"):
                duration = nil
                if let ms = try integer(&s), ms >= 0 {
                    let ns = ms.multipliedReportingOverflow(by: 1_000_000)
                    if !ns.overflow { duration = ns.partialValue }
                }
            case 8 where key.equals("spanSets"):
                sets = 0
                if try s.peek() == UInt8(ascii: "[") {
                    _ = try s.forEachElement { (s) throws(ScanError) in
                        sets = add(sets ?? 0, try matched(&s))
                    }
                } else {
                    try s.skipValue()
                }
            case 7 where key.equals("spanSet"): single = try matched(&s)
            default: try s.skipValue()
            }
        } while try s.nextMember()
        guard let traceID, !traceID.isZero else { return nil }
        return TraceHit(traceID: traceID, rootService: service, rootName: name, startNs: start,
                        durationNs: duration, matchedSpans: sets ?? single)
    }

    /// A spanset's `matched` (0 when missing: jsonpb omits zeros), skipping its spans.
    private static func matched(_ s: inout JSONScanner) throws(ScanError) -> Int {
        guard try s.peek() == UInt8(ascii: "{") else {
            try s.skipValue()
            return 0
        }
        var n = 0
        guard try s.beginObject() else { return 0 }
        repeat {
            let key = try s.readKey()
            if key.equals("matched"), let m = try integer(&s), m > 0 {
                n = Int(clamping: m)
            } else {
                try s.skipValue()
            }
        } while try s.nextMember()
        return n
    }

    private static func add(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }

    /// A string, or nil for anything else (skipped).
    private static func text(_ s: inout JSONScanner) throws(ScanError) -> String? {
        guard try s.peek() == UInt8(ascii: "\"") else {
            try s.skipValue()
            return nil
        }
        return TempoText.decode(try s.readRawString(), limit: maxNameBytes)
    }

    /// An integer as a JSON number or a decimal string (int64 as jsonpb writes it), or nil for
    /// anything else (skipped).
    private static func integer(_ s: inout JSONScanner) throws(ScanError) -> Int64? {
        switch try s.peek() {
        case UInt8(ascii: "\""):
            return try s.readRawString().parseInt()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let token = try s.scanNumberToken()
            if let i = token.parseInt() { return i }
            guard let d = token.parseDouble(), d.isFinite, d >= -9.2e18, d <= 9.2e18 else { return nil }
            return Int64(d.rounded(.down))
        default:
            try s.skipValue()
            return nil
        }
    }
}

/// JSON string contents to text, bounded: escapes decoded as everywhere else (`StringTable`),
/// then cut to at most `limit` UTF-8 bytes at a character boundary. Nil for a malformed escape.
enum TempoText {
    static func decode(_ raw: RawBytes, limit: Int) -> String? {
        guard let text = try? StringTable().string(raw, offset: 0) else { return nil }
        guard text.utf8.count > limit else { return text }
        var cut = ""
        for character in text {
            if cut.utf8.count + character.utf8.count > limit { break }
            cut.append(character)
        }
        return cut
    }
}
