import SpanFormats
import SpanModel

extension FuzzChecks {
    /// Grafana Tempo's answers around a trace (the trace itself goes through `decode`): the v2
    /// answer's status and search results, on any bytes. No trap; the status's message within
    /// its bound and valid text; every hit with a non-zero trace ID, no negative duration or
    /// count; `maxHits` a bound and a prefix (the first hits are the same with a smaller one).
    public static func tempo(_ data: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeRawBufferPointer(data)
        let status = TraceResponseStatus.read(raw)
        if let message = status.message {
            require(message.utf8.count <= TraceResponseStatus.maxMessageBytes, "status message of \(message.utf8.count) bytes")
        }
        require(TraceResponseStatus.read(raw) == status, "the status reads differently twice")

        let all: [TraceHit]
        do throws(ScanError) {
            all = try TempoSearchResponse.decode(raw)
        } catch {
            if case .malformed(_, let offset) = error {
                require(offset >= 0 && offset <= data.count, "search error offset \(offset) outside \(data.count) bytes")
            }
            return
        }
        for hit in all {
            require(!hit.traceID.isZero, "a search hit with a zero trace ID")
            require((hit.durationNs ?? 0) >= 0 && (hit.matchedSpans ?? 0) >= 0, "a negative duration or count: \(hit)")
            for name in [hit.rootService, hit.rootName].compactMap({ $0 }) {
                require(name.utf8.count <= TempoSearchResponse.maxNameBytes, "a name of \(name.utf8.count) bytes")
            }
        }
        let first = try? TempoSearchResponse.decode(raw, maxHits: 1)
        require(first.map { Array(all.prefix(1)) == $0 } ?? false, "maxHits 1 is not the first hit of all")
    }
}
