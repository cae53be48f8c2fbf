import SpanModel

/// The fast path: a span in exactly the layout `json.Encoder` writes without
/// `WithPrettyPrint` for SDK v1.0 to v1.45 (fixed key order, no whitespace). Every fixed
/// piece is compared as bytes instead of being tokenised and dispatched by key. Any
/// difference, even one space, gives nil and the scanner back where it was, and the
/// general path (any layout, any key order) reads the span instead. Both paths produce
/// the same span; tests check that.
extension GoStdouttraceDecoder {
    func decodeCompactSpan(_ s: inout JSONScanner, attributes: inout [UInt8], events: inout [UInt8],
                           links: inout [UInt8]) throws(ScanError) -> Span? {
        let start = s
        guard s.consume(#"{"Name":"#) else { return nil }
        let nameRaw = try s.readRawString()
        guard s.consume(#","SpanContext":"#), let context = try compactContext(&s),
              s.consume(#","Parent":"#), let parent = try compactContext(&s),
              s.consume(#","SpanKind":"#)
        else { s = start; return nil }
        let kindValue = try s.readInt()
        guard s.consume(#","StartTime":"#) else { s = start; return nil }
        let startTime = try readTime(&s)
        guard s.consume(#","EndTime":"#) else { s = start; return nil }
        let endTime = try readTime(&s)

        guard s.consume(#","Attributes":"#) else { s = start; return nil }
        let attributeCount = try writeAttributes(&s, into: &attributes)
        guard s.consume(#","Events":"#) else { s = start; return nil }
        let eventCount = try s.forEachElement { (s) throws(ScanError) in try self.writeEvent(&s, into: &events) }
        guard s.consume(#","Links":"#) else { s = start; return nil }
        let linkCount = try s.forEachElement { (s) throws(ScanError) in try self.writeLink(&s, into: &links) }

        guard s.consume(#","Status":{"Code":"#) else { s = start; return nil }
        var status = SpanStatus(code: try readStatusCode(&s))
        guard s.consume(#","Description":"#) else { s = start; return nil }
        let descriptionRaw = try s.readRawString()
        if descriptionRaw.count > 0 { status.description = try strings.string(descriptionRaw, offset: s.position) }
        guard s.consume(#"},"DroppedAttributes":"#) else { s = start; return nil }
        let droppedAttributes = try s.readInt()
        guard s.consume(#","DroppedEvents":"#) else { s = start; return nil }
        let droppedEvents = try s.readInt()
        guard s.consume(#","DroppedLinks":"#) else { s = start; return nil }
        let droppedLinks = try s.readInt()
        guard s.consume(#","ChildSpanCount":"#) else { s = start; return nil }
        let childCount = try s.readInt()
        guard s.consume(#","Resource":"#) else { s = start; return nil }
        let resource = try s.peek() == UInt8(ascii: "n") ? (try s.consumeNull() ? Resource.empty : .empty) : try readResource(&s)

        // v1.29+ writes InstrumentationScope then InstrumentationLibrary; older only the latter.
        var scope: InstrumentationScope?
        if s.consume(#","InstrumentationScope":"#) { scope = try readScope(&s) }
        guard s.consume(#","InstrumentationLibrary":"#) else { s = start; return nil }
        let library = try readScope(&s)
        guard s.consume("}") else { s = start; return nil }

        let details = SpanDetails(attributes: attributes, attributeCount: attributeCount,
                                  events: events, eventCount: eventCount,
                                  links: links, linkCount: linkCount, symbols: strings.symbols)
        return Span(
            traceID: context.traceID, spanID: context.spanID,
            parentSpanID: parent.traceID.isZero && parent.spanID.isZero ? .zero : parent.spanID,
            name: try strings.string(nameRaw, offset: s.position),
            kind: SpanKind(rawValue: UInt8(clamping: kindValue)) ?? .unspecified,
            startTime: startTime, endTime: endTime, details: details, status: status,
            traceState: context.traceState, traceFlags: context.flags,
            isRemote: context.remote, parentIsRemote: parent.remote,
            droppedAttributeCount: UInt32(clamping: droppedAttributes), droppedEventCount: UInt32(clamping: droppedEvents),
            droppedLinkCount: UInt32(clamping: droppedLinks), childSpanCount: UInt32(clamping: childCount),
            resource: resource, scope: scope ?? library)
    }

    /// `{"TraceID":"…","SpanID":"…","TraceFlags":"01","TraceState":"","Remote":false}`.
    private func compactContext(_ s: inout JSONScanner) throws(ScanError) -> Context? {
        guard s.consume(#"{"TraceID":"#) else { return nil }
        let traceRaw = try s.readRawString()
        guard let traceID = s.parseTraceID(traceRaw) else { throw .malformed("TraceID is not up to 32 hex digits", offset: s.position) }
        guard s.consume(#","SpanID":"#) else { return nil }
        let spanRaw = try s.readRawString()
        guard let spanID = s.parseSpanID(spanRaw) else { throw .malformed("SpanID is not up to 16 hex digits", offset: s.position) }
        guard s.consume(#","TraceFlags":""#), s.position + 3 <= s.end,
              let hi = HexDigits.value(of: s.base[s.position]), let lo = HexDigits.value(of: s.base[s.position + 1]),
              s.base[s.position + 2] == UInt8(ascii: "\"")
        else { return nil }
        s.position += 3
        var context = Context(traceID: traceID, spanID: spanID, flags: hi << 4 | lo)
        if s.consume(#","TraceState":"","Remote":"#) {
            // The common case: no trace state.
        } else if s.consume(#","TraceState":"#) {
            context.traceState = try readString(&s)
            guard s.consume(#","Remote":"#) else { return nil }
        } else {
            return nil
        }
        if s.consume("false}") {
            context.remote = false
        } else if s.consume("true}") {
            context.remote = true
        } else {
            return nil
        }
        return context
    }
}
