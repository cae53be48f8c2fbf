import SpanModel
import SpanStore

/// A trace ID as people paste it, made into a hex prefix to look traces up by.
///
/// Accepted, around a run of hex digits: surrounding whitespace and quotes (`"`, `'`, `` ` ``);
/// a leading `trace_id`, `traceid`, `trace-id`, `traceId`, `trace` or `traceparent` key with `=` or
/// `:` (the key itself may be quoted, as in JSON); a W3C `traceparent` value
/// (`00-<32 hex>-<16 hex>-<2 hex>`, which gives its trace ID, and its parent span ID as `spanID`);
/// a `0x` prefix; dashes (UUID style), spaces and underscores between digits; either case.
/// Anything else is an error naming the first character that is not a hex digit.
public struct TraceIDInput: Hashable, Sendable {
    /// The prefix to look traces up by (`TraceStore.traces(matching:)`).
    public let prefix: TraceIDPrefix
    /// The span ID of a `traceparent`, if that is what was given.
    public let spanID: SpanID?

    /// Lower-case hex digits of the prefix.
    public var hex: String { prefix.text }

    /// The digits read as a whole trace ID rather than a prefix, when there are 16 to 32 of
    /// them: left-padded with zeros, so a 64-bit Jaeger ID and Tempo's IDs with their leading
    /// zeros dropped name the trace a backend has. Nil for fewer digits (only a prefix).
    public var wholeTraceID: TraceID? {
        let digits = prefix.text
        guard (16...32).contains(digits.utf8.count) else { return nil }
        return TraceID(hex: String(repeating: "0", count: 32 - digits.utf8.count) + digits)
    }

    public init(parsing text: String) throws(QueryParseError) {
        let chars = Array(text)
        var lo = 0, hi = chars.count
        /// Drops whitespace and quotes at both ends, and a trailing comma (a JSON line's).
        func strip() {
            while lo < hi, chars[lo].isWhitespace || Self.isQuote(chars[lo]) { lo += 1 }
            while hi > lo, chars[hi - 1].isWhitespace || Self.isQuote(chars[hi - 1]) || chars[hi - 1] == "," { hi -= 1 }
        }
        strip()
        // A key, then `=` or `:` (quotes around the key were dropped above or end it here).
        var k = lo
        var key = ""
        while k < hi, chars[k].isLetter || chars[k] == "_" || chars[k] == "-" {
            key.append(chars[k])
            k += 1
        }
        let keys: Set<String> = ["trace_id", "traceid", "trace-id", "trace", "traceparent"]
        if keys.contains(key.lowercased()) {
            while k < hi, chars[k].isWhitespace || Self.isQuote(chars[k]) { k += 1 }
            if k < hi, chars[k] == "=" || chars[k] == ":" {
                lo = k + 1
                strip()
            }
        }
        // A traceparent: version, trace ID, parent ID, flags.
        let body = String(chars[lo..<hi])
        let parts = body.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 4, parts.map(\.utf8.count) == [2, 32, 16, 2],
           parts.allSatisfy({ $0.utf8.allSatisfy { HexDigits.value(of: $0) != nil } }),
           let prefix = TraceIDPrefix(String(parts[1])) {
            self.prefix = prefix
            spanID = SpanID(hex: parts[2])
            return
        }
        var i = lo
        if hi - i >= 2, chars[i] == "0", chars[i + 1] == "x" || chars[i + 1] == "X" { i += 2 }
        var digits = ""
        let start = i
        while i < hi {
            let c = chars[i]
            if c == "-" || c == " " || c == "_" {
                i += 1
                continue
            }
            guard c.isASCII, let ascii = c.asciiValue, HexDigits.value(of: ascii) != nil else {
                throw QueryParseError("'\(c)' is not a hex digit", at: i, in: text)
            }
            digits.append(c)
            guard digits.utf8.count <= 32 else { throw QueryParseError("a trace ID has at most 32 hex digits", at: i, in: text) }
            i += 1
        }
        guard !digits.isEmpty, let prefix = TraceIDPrefix(digits) else {
            throw QueryParseError("no hex digits", at: start, in: text)
        }
        self.prefix = prefix
        spanID = nil
    }

    private static func isQuote(_ c: Character) -> Bool { c == "\"" || c == "'" || c == "`" }
}
