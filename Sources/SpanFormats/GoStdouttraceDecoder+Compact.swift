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
        guard try s.consumeLayout(#"{"Name":"#) else { return nil }
        let nameRaw = try s.readRawString()
        guard try s.consumeLayout(#","SpanContext":"#), let context = try compactContext(&s),
              try s.consumeLayout(#","Parent":"#), let parent = try compactContext(&s),
              try s.consumeLayout(#","SpanKind":"#)
        else { s = start; return nil }
        let kindValue = try s.readInt()
        guard try s.consumeLayout(#","StartTime":"#) else { s = start; return nil }
        let startTime = try readTime(&s)
        guard try s.consumeLayout(#","EndTime":"#) else { s = start; return nil }
        let endTime = try readTime(&s)

        guard try s.consumeLayout(#","Attributes":"#) else { s = start; return nil }
        let attributeCount = try writeAttributes(&s, into: &attributes)
        guard try s.consumeLayout(#","Events":"#) else { s = start; return nil }
        let eventCount = try s.forEachElement { (s) throws(ScanError) in try self.writeEvent(&s, into: &events) }
        guard try s.consumeLayout(#","Links":"#) else { s = start; return nil }
        let linkCount = try s.forEachElement { (s) throws(ScanError) in try self.writeLink(&s, into: &links) }

        guard try s.consumeLayout(#","Status":{"Code":"#) else { s = start; return nil }
        var status = SpanStatus(code: try readStatusCode(&s))
        guard try s.consumeLayout(#","Description":"#) else { s = start; return nil }
        let descriptionRaw = try s.readRawString()
        if descriptionRaw.count > 0 { status.description = try strings.string(descriptionRaw, offset: s.position) }
        guard try s.consumeLayout(#"},"DroppedAttributes":"#) else { s = start; return nil }
        let droppedAttributes = try s.readInt()
        guard try s.consumeLayout(#","DroppedEvents":"#) else { s = start; return nil }
        let droppedEvents = try s.readInt()
        guard try s.consumeLayout(#","DroppedLinks":"#) else { s = start; return nil }
        let droppedLinks = try s.readInt()
        guard try s.consumeLayout(#","ChildSpanCount":"#) else { s = start; return nil }
        let childCount = try s.readInt()
        guard try s.consumeLayout(#","Resource":"#) else { s = start; return nil }
        let resource = try s.peek() == UInt8(ascii: "n") ? (try s.consumeNull() ? Resource.empty : .empty) : try readResource(&s)

        // v1.29+ writes InstrumentationScope then InstrumentationLibrary; older only the latter.
        var scope: InstrumentationScope?
        if try s.consumeLayout(#","InstrumentationScope":"#) { scope = try readScope(&s) }
        guard try s.consumeLayout(#","InstrumentationLibrary":"#) else { s = start; return nil }
        let library = try readScope(&s)
        guard try s.consumeLayout("}") else { s = start; return nil }

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
        guard try s.consumeLayout(#"{"TraceID":"#) else { return nil }
        let traceRaw = try s.readRawString()
        guard let traceID = s.parseTraceID(traceRaw) else { throw .malformed("TraceID is not up to 32 hex digits", offset: s.position) }
        guard try s.consumeLayout(#","SpanID":"#) else { return nil }
        let spanRaw = try s.readRawString()
        guard let spanID = s.parseSpanID(spanRaw) else { throw .malformed("SpanID is not up to 16 hex digits", offset: s.position) }
        guard try s.consumeLayout(#","TraceFlags":""#), s.position + 3 <= s.end,
              let hi = HexDigits.value(of: s.base[s.position]), let lo = HexDigits.value(of: s.base[s.position + 1]),
              s.base[s.position + 2] == UInt8(ascii: "\"")
        else { return nil }
        s.position += 3
        var context = Context(traceID: traceID, spanID: spanID, flags: hi << 4 | lo)
        if try s.consumeLayout(#","TraceState":"","Remote":"#) {
            // The common case: no trace state.
        } else if try s.consumeLayout(#","TraceState":"#) {
            context.traceState = try readString(&s)
            guard try s.consumeLayout(#","Remote":"#) else { return nil }
        } else {
            return nil
        }
        if try s.consumeLayout("false}") {
            context.remote = false
        } else if try s.consumeLayout("true}") {
            context.remote = true
        } else {
            return nil
        }
        return context
    }
}
